//! `rrjeti import`: NDJSON into the data directory (with a progress bar on a terminal), or
//! streamed to a running server's `POST /api/v1/import`.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};

pub fn to_directory(data_dir: &Path, file: &str) -> anyhow::Result<ExitCode> {
    let reader: Box<dyn BufRead> = if file == "-" {
        Box::new(BufReader::new(std::io::stdin().lock()))
    } else {
        Box::new(BufReader::new(
            File::open(file).with_context(|| format!("cannot open {file}"))?,
        ))
    };
    let directory = super::open(data_dir)?;
    let progress = ProgressBar::new_spinner();
    progress.set_style(ProgressStyle::with_template(
        "{spinner} {pos} lines read, {per_sec} {elapsed}",
    )?);
    let report = directory.import(reader.lines(), &mut |lines| {
        progress.set_position(lines as u64)
    })?;
    progress.finish_and_clear();
    Ok(print_report(
        report.imported,
        report.failed,
        report.errors.iter().map(|e| (e.line, e.message.as_str())),
    ))
}

pub fn to_server(file: &str, server: &str, token: Option<&str>) -> anyhow::Result<ExitCode> {
    let url = format!("{}/api/v1/import", server.trim_end_matches('/'));
    let runtime = tokio::runtime::Runtime::new()?;
    let report: serde_json::Value = runtime.block_on(async {
        let body = if file == "-" {
            reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::new(tokio::io::stdin()))
        } else {
            let file = tokio::fs::File::open(file)
                .await
                .with_context(|| format!("cannot open {file}"))?;
            reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::new(file))
        };
        let mut request = reqwest::Client::new()
            .post(&url)
            .header("content-type", "application/x-ndjson")
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("cannot reach {url}"))?;
        let status = response.status();
        let body: serde_json::Value = response
            .json()
            .await
            .context("the server's answer is not JSON")?;
        if !status.is_success() {
            bail!(
                "{status}: {}",
                body["error"]["message"].as_str().unwrap_or("no message")
            );
        }
        Ok::<_, anyhow::Error>(body)
    })?;
    let parsed: ImportReportView =
        serde_json::from_value(report).context("unexpected import report")?;
    Ok(print_report(
        parsed.imported,
        parsed.failed,
        parsed.errors.iter().map(|e| (e.line, e.message.as_str())),
    ))
}

#[derive(serde::Deserialize)]
struct ImportReportView {
    imported: usize,
    failed: usize,
    errors: Vec<LineView>,
}

#[derive(serde::Deserialize)]
struct LineView {
    line: usize,
    message: String,
}

/// Prints each bad line to standard error and the totals; exits 1 when any line failed, so a
/// script notices a partial import.
fn print_report<'a>(
    imported: usize,
    failed: usize,
    errors: impl Iterator<Item = (usize, &'a str)>,
) -> ExitCode {
    for (line, message) in errors {
        eprintln!("line {line}: {message}");
    }
    eprintln!("imported {imported}, failed {failed}");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
