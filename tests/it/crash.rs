//! Durability of the real binary: concurrent writes while the process is killed with SIGKILL at
//! random moments (20 cycles), in the middle of an HTTP import, of an offline import and of a
//! reindex, and stopped with SIGTERM. After every restart each acknowledged write is there and
//! the search index holds exactly what RocksDB holds (same ids, same versions).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reqwest::StatusCode;
use rrjeti::directory::{Directory, Options};
use serde_json::{Value, json};

use crate::helpers::*;

const CYCLES: usize = 20;
const WRITERS: usize = 4;
/// Records of the killed imports: enough that the kill lands in the middle.
const IMPORTED: usize = 60_000;

/// Every record id → version, from RocksDB (the export) and from the index (search, by name).
async fn store_and_index(base: &str) -> (BTreeMap<String, u64>, BTreeMap<String, u64>) {
    let client = reqwest::Client::new();
    let export = client
        .get(format!("{base}/api/v1/export"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let stored = crate::helpers::record_lines(&export)
        .map(|line| {
            let record: Value = serde_json::from_str(line).unwrap();
            (
                record["id"].as_str().unwrap().to_owned(),
                record["version"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut indexed = BTreeMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{base}/api/v1/search?sort=name&limit=100");
        if let Some(cursor) = &cursor {
            url.push_str(&format!("&cursor={cursor}"));
        }
        let page: Value = client.get(url).send().await.unwrap().json().await.unwrap();
        for hit in page["hits"].as_array().unwrap() {
            indexed.insert(
                hit["id"].as_str().unwrap().to_owned(),
                hit["version"].as_u64().unwrap(),
            );
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    (stored, indexed)
}

/// Fails, naming a few differences, unless the index holds what the store holds.
fn assert_agree(stored: &BTreeMap<String, u64>, indexed: &BTreeMap<String, u64>, when: &str) {
    let differences: Vec<String> = stored
        .iter()
        .filter(|(id, version)| indexed.get(*id) != Some(version))
        .map(|(id, version)| format!("{id}: stored {version}, indexed {:?}", indexed.get(id)))
        .chain(
            indexed
                .keys()
                .filter(|id| !stored.contains_key(*id))
                .map(|id| format!("{id}: indexed, not stored")),
        )
        .take(5)
        .collect();
    assert!(
        differences.is_empty(),
        "{when}: the index disagrees with the store ({} stored, {} indexed): {differences:?}",
        stored.len(),
        indexed.len()
    );
}

/// Checks that the index agrees with the store and that every acknowledged write is stored
/// (at its acknowledged version or a later one, which a write cut off before its answer makes).
async fn check(base: &str, acknowledged: &BTreeMap<String, u64>, when: &str) {
    let (stored, indexed) = store_and_index(base).await;
    assert_agree(&stored, &indexed, when);
    for (id, version) in acknowledged {
        let found = stored.get(id).copied().unwrap_or(0);
        assert!(
            found >= *version,
            "{when}: {id} acknowledged at version {version}, stored {found}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_acknowledged_write_survives_sigkill_at_random_moments() {
    let dir = data_dir();
    let mut random = ChaCha8Rng::seed_from_u64(20);
    let acknowledged: Arc<Mutex<BTreeMap<String, u64>>> = Arc::default();
    let mut writes_checked = 0;
    for cycle in 0..CYCLES {
        let process = BinaryServer::start(dir.path());
        let snapshot = acknowledged.lock().unwrap().clone();
        check(&process.base, &snapshot, &format!("start of cycle {cycle}")).await;
        writes_checked += snapshot.len();
        let mut writers = Vec::new();
        for writer in 0..WRITERS {
            let base = process.base.clone();
            let acknowledged = acknowledged.clone();
            writers.push(tokio::spawn(async move {
                let client = reqwest::Client::new();
                for n in 0.. {
                    let id = format!("crash-{writer}-{}", n % 7);
                    let body = json!({"name": format!("Shoqata {writer} {n} {cycle}"),
                                      "address": {"municipality": "Tiranë"}});
                    let Ok(response) = client
                        .put(format!("{base}/api/v1/organisations/{id}"))
                        .bearer_auth(TOKEN)
                        .json(&body)
                        .send()
                        .await
                    else {
                        return;
                    };
                    if !response.status().is_success() {
                        return;
                    }
                    let Ok(record) = response.json::<Value>().await else {
                        return;
                    };
                    let version = record["version"].as_u64().unwrap();
                    let mut acknowledged = acknowledged.lock().unwrap();
                    let known = acknowledged.entry(id).or_default();
                    *known = (*known).max(version);
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(random.random_range(20..250))).await;
        process.kill_9();
        for writer in writers {
            writer.await.unwrap();
        }
    }
    let process = BinaryServer::start(dir.path());
    let acknowledged = acknowledged.lock().unwrap().clone();
    check(&process.base, &acknowledged, "after the last cycle").await;
    assert!(!acknowledged.is_empty());
    println!(
        "{CYCLES} SIGKILL cycles, {} records, {writes_checked} acknowledged versions checked",
        acknowledged.len()
    );
    process.kill_9();
}

/// Opens a data directory as the server does at start-up (after the binary was restarted and
/// killed on it) and checks that the index holds exactly the store's records and versions, all
/// of them, without search's paging limit. Returns how many there are.
fn reopened_contents(data_dir: &Path) -> usize {
    let directory = Directory::open(data_dir, Options::default()).unwrap();
    let (stored, indexed) = directory.contents().unwrap();
    assert!(
        stored == indexed,
        "{} stored, {} indexed; first difference: {:?}",
        stored.len(),
        indexed.len(),
        stored.iter().zip(&indexed).find(|(a, b)| a != b)
    );
    stored.len()
}

fn records(count: usize, tag: &str) -> String {
    (0..count)
        .map(|n| {
            format!(
                "{}\n",
                json!({"type": "organisation", "id": format!("{tag}-{n}"), "name": format!("Organizata {tag} {n}"),
                       "address": {"municipality": "Durrës"}})
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sigkill_in_the_middle_of_an_http_import_leaves_store_and_index_agreeing() {
    let dir = data_dir();
    let process = BinaryServer::start(dir.path());
    let base = process.base.clone();
    let import = tokio::spawn(async move {
        reqwest::Client::new()
            .post(format!("{base}/api/v1/import"))
            .bearer_auth(TOKEN)
            .body(records(IMPORTED, "http"))
            .send()
            .await
            .map(|r| r.status())
    });
    tokio::time::sleep(Duration::from_millis(250)).await;
    process.kill_9();
    let finished = import.await.unwrap();
    let process = BinaryServer::start(dir.path());
    process.kill_9();
    let stored = reopened_contents(dir.path());
    println!("HTTP import killed: {stored} of {IMPORTED} records stored and indexed");
    if finished.is_ok_and(|s| s == StatusCode::OK) {
        assert_eq!(stored, IMPORTED, "an acknowledged import is whole");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sigkill_in_the_middle_of_an_offline_import_or_a_reindex_leaves_store_and_index_agreeing()
{
    let dir = data_dir();
    let file = dir.path().join("records.ndjson");
    std::fs::write(&file, records(IMPORTED, "offline")).unwrap();
    let data = dir.path().join("var");
    for (command, delay) in [
        ("import", 150),
        ("import", 1_000),
        ("reindex", 500),
        ("reindex", 2_000),
    ] {
        let mut args = vec!["--data-dir", data.to_str().unwrap(), command];
        if command == "import" {
            args.push(file.to_str().unwrap());
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_rrjeti"))
            .args(&args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().unwrap();
        child.wait().unwrap();
        let process = BinaryServer::start(&data);
        process.kill_9();
        let stored = reopened_contents(&data);
        println!("{command} killed at {delay} ms: {stored} records stored and indexed");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_stops_the_server_cleanly_with_every_write_kept() {
    let dir = data_dir();
    let process = BinaryServer::start(dir.path());
    let client = reqwest::Client::new();
    let mut acknowledged = BTreeMap::new();
    for n in 0..20 {
        let response = client
            .post(format!("{}/api/v1/organisations", process.base))
            .bearer_auth(TOKEN)
            .json(&json!({"name": format!("Shoqata Term {n}")}))
            .send()
            .await
            .unwrap();
        let record: Value = response.json().await.unwrap();
        acknowledged.insert(record["id"].as_str().unwrap().to_owned(), 1);
    }
    let mut child = process.child;
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut exit = None;
    for _ in 0..100 {
        if let Some(status) = child.try_wait().unwrap() {
            exit = Some(status);
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let exit = exit.expect("the server stops within 5 s of SIGTERM");
    assert!(exit.success(), "{exit:?}");
    let process = BinaryServer::start(dir.path());
    check(&process.base, &acknowledged, "after SIGTERM").await;
    process.kill_9();
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_lets_a_request_in_flight_finish_before_the_server_stops() {
    let dir = data_dir();
    let process = BinaryServer::start(dir.path());
    let base = process.base.clone();
    let import = tokio::spawn(async move {
        let response = reqwest::Client::new()
            .post(format!("{base}/api/v1/import"))
            .bearer_auth(TOKEN)
            .body(records(IMPORTED, "term"))
            .send()
            .await
            .unwrap();
        (response.status(), response.json::<Value>().await.unwrap())
    });
    // Let the import begin, then ask the server to stop.
    tokio::time::sleep(Duration::from_millis(250)).await;
    let mut child = process.child;
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let (status, report) = import.await.unwrap();
    assert_eq!(
        status,
        StatusCode::OK,
        "the import in flight is finished: {report}"
    );
    assert_eq!(report["imported"], IMPORTED);
    let mut exit = None;
    for _ in 0..200 {
        if let Some(status) = child.try_wait().unwrap() {
            exit = Some(status);
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let exit = exit.expect("the server stops within 10 s of finishing");
    assert!(exit.success(), "{exit:?}");
    assert_eq!(
        reopened_contents(dir.path()),
        IMPORTED,
        "all of it stored and indexed"
    );
}
