//! `rrjeti serve`: opens the directory, loads the demo dataset into an empty one, and serves HTTP
//! until Ctrl-C or SIGTERM, then lets the indexer commit before exiting.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use rrjeti::api::{AdminToken, AppState, Guard, Limits, router};

pub fn serve(
    data_dir: &Path,
    addr: SocketAddr,
    admin_token: Option<String>,
    load_demo: bool,
    limits: Limits,
) -> anyhow::Result<ExitCode> {
    let directory = Arc::new(super::open(data_dir)?);
    if load_demo && directory.is_empty() {
        let lines = rrjeti::DEMO_DATASET.lines().map(|line| Ok(line.to_owned()));
        let report = directory.import(lines, &mut |_| {})?;
        tracing::info!(
            imported = report.imported,
            failed = report.failed,
            "loaded the demo dataset"
        );
        // Serve only once the demo data is searchable, so the first request sees all of it.
        directory.wait_indexed_blocking(report.last_seq, std::time::Duration::from_secs(120));
    }
    if admin_token.is_none() {
        tracing::warn!("no admin token (--admin-token or RRJETI_ADMIN_TOKEN): writes are disabled");
    }
    let state = AppState {
        directory: Arc::clone(&directory),
        admin_token: admin_token.as_deref().map(AdminToken::new),
        guard: Arc::new(Guard::new(limits)),
    };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let local = listener.local_addr()?;
        // The first line on standard output, so scripts started with port 0 can find the server.
        println!("listening on http://{local}");
        tracing::info!(%local, "serving");
        let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .context("server failed")
    })?;
    drop(runtime);
    tracing::info!("stopped; index committed");
    drop(directory);
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
