//! Online backup and restore with the real binary: `rrjeti backup DIR` while the server writes,
//! `rrjeti restore DIR` into a new data directory; the restored copy equals the original at the
//! moment of the backup, and its search index agrees with it.

use std::path::Path;
use std::process::{Command, Output};

use reqwest::StatusCode;
use rrjeti::directory::{Directory, Options};
use serde_json::json;

use crate::helpers::*;

fn rrjeti(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rrjeti"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs")
}

/// The export's records, without its dated first line.
async fn export(base: &str) -> String {
    let text = reqwest::get(format!("{base}/api/v1/export"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    records_only(&text)
}

fn records_only(export: &str) -> String {
    crate::helpers::record_lines(export)
        .map(|line| format!("{line}\n"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_taken_while_serving_restores_to_an_equal_directory() {
    let dir = data_dir();
    let live = dir.path().join("live");
    let server = BinaryServer::start(&live);
    let client = reqwest::Client::new();
    let imported = client
        .post(format!("{}/api/v1/import", server.base))
        .bearer_auth(TOKEN)
        .body(ndjson(&fixture()))
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), StatusCode::OK);
    let at_backup = export(&server.base).await;

    let backup = dir.path().join("backup");
    let output = rrjeti(&live, &["backup", backup.to_str().unwrap()]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // Writes after the backup are not in it.
    let later = client
        .post(format!("{}/api/v1/organisations", server.base))
        .bearer_auth(TOKEN)
        .json(&json!({"name": "Shoqata e Mëvonshme"}))
        .send()
        .await
        .unwrap();
    assert_eq!(later.status(), StatusCode::CREATED);
    assert_ne!(export(&server.base).await, at_backup);
    server.kill_9();

    let restored = dir.path().join("restored");
    let output = rrjeti(&restored, &["restore", backup.to_str().unwrap()]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = rrjeti(&restored, &["export"]);
    assert!(output.status.success());
    assert_eq!(
        records_only(&String::from_utf8(output.stdout).unwrap()),
        at_backup
    );
    let directory = Directory::open(&restored, Options::default()).unwrap();
    let (stored, indexed) = directory.contents().unwrap();
    assert_eq!(stored, indexed);
    assert_eq!(stored.len(), fixture().len());
}

#[test]
fn backup_and_restore_refuse_to_overwrite() {
    let dir = data_dir();
    let live = dir.path().join("live");
    let output = rrjeti(&live, &["import", "-"]);
    assert!(output.status.success() || output.status.code() == Some(1));
    let occupied = dir.path().join("occupied");
    std::fs::create_dir_all(&occupied).unwrap();
    std::fs::write(occupied.join("something"), "x").unwrap();
    let output = rrjeti(&live, &["backup", occupied.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not empty"));

    let backup = dir.path().join("backup");
    assert!(
        rrjeti(&live, &["backup", backup.to_str().unwrap()])
            .status
            .success()
    );
    // The live directory has a database: restoring over it is refused.
    let output = rrjeti(&live, &["restore", backup.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("already holds a database"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = rrjeti(
        &dir.path().join("new"),
        &["restore", occupied.to_str().unwrap()],
    );
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not a backup"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_during_writes_holds_every_write_acknowledged_before_it_began() {
    let dir = data_dir();
    let live = dir.path().join("live");
    let server = BinaryServer::start(&live);
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(String, u64)>::new()));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for writer in 0..3 {
        let (base, acknowledged, stop) = (server.base.clone(), acknowledged.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let id = format!("w{writer}-{}", n % 5);
                let response = client
                    .put(format!("{base}/api/v1/organisations/{id}"))
                    .bearer_auth(TOKEN)
                    .json(&json!({"name": format!("Shoqata {writer} {n}")}))
                    .send()
                    .await
                    .unwrap();
                let record: serde_json::Value = response.json().await.unwrap();
                acknowledged
                    .lock()
                    .unwrap()
                    .push((id, record["version"].as_u64().unwrap()));
                n += 1;
            }
        }));
    }
    // Some writes acknowledged before the backup begins (a busy machine may take a while to
    // serve the first ones), and more under way while it runs.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while acknowledged.lock().unwrap().len() < 20 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let before: Vec<(String, u64)> = acknowledged.lock().unwrap().clone();
    let backup = dir.path().join("backup");
    let output = rrjeti(&live, &["backup", backup.to_str().unwrap()]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    server.kill_9();
    let restored = dir.path().join("restored");
    assert!(
        rrjeti(&restored, &["restore", backup.to_str().unwrap()])
            .status
            .success()
    );
    let directory = Directory::open(&restored, Options::default()).unwrap();
    let (stored, indexed) = directory.contents().unwrap();
    assert_eq!(stored, indexed);
    assert!(!before.is_empty());
    for (id, version) in before {
        let found = stored
            .iter()
            .find(|(_, i, _)| *i == id)
            .map_or(0, |(_, _, v)| *v);
        assert!(
            found >= version,
            "{id}: acknowledged {version} before the backup, backup has {found}"
        );
    }
}
