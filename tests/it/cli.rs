//! The `rrjeti` binary: demo data, import, export, reindex, and serve on the demo dataset.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use serde_json::{Value, json};

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

#[test]
fn demo_data_writes_the_requested_number_of_records_as_ndjson() {
    let dir = data_dir();
    let output = rrjeti(
        dir.path(),
        &[
            "demo-data",
            "--organisations",
            "25",
            "--networks",
            "3",
            "--seed",
            "5",
        ],
    );
    assert!(output.status.success());
    let lines: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.iter().filter(|r| r["type"] == "organisation").count(),
        25
    );
    assert!(lines.iter().filter(|r| r["type"] == "network").count() <= 3);
}

#[test]
fn import_export_and_reindex_work_on_a_data_directory() {
    let dir = data_dir();
    let file = dir.path().join("records.ndjson");
    let mut lines = fixture();
    lines.insert(1, json!({"type": "organisation", "name": ""}));
    std::fs::write(&file, ndjson(&lines)).unwrap();
    let data = dir.path().join("data");

    let output = rrjeti(&data, &["import", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "a partial import exits 1: {stderr}"
    );
    assert!(stderr.contains("line 2: name: is required"), "{stderr}");
    assert!(
        stderr.contains(&format!("imported {}, failed 1", fixture().len())),
        "{stderr}"
    );

    let output = rrjeti(&data, &["export"]);
    assert!(output.status.success());
    let exported = String::from_utf8(output.stdout).unwrap();
    assert!(exported.starts_with("{\"type\":\"meta\",\"licence\":\"CC-BY-4.0\""));
    assert_eq!(record_lines(&exported).count(), fixture().len());

    let output = rrjeti(&data, &["reindex"]);
    assert!(output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains(&format!("reindexed {} records", fixture().len()))
    );
}

struct Served {
    child: Child,
    base: String,
}

fn serve(data_dir: &Path) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rrjeti"))
        .args([
            "--data-dir",
            data_dir.to_str().unwrap(),
            "serve",
            "--addr",
            "127.0.0.1:0",
        ])
        .env("RRJETI_ADMIN_TOKEN", TOKEN)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    let base = first_line
        .trim()
        .strip_prefix("listening on ")
        .expect("the address is printed")
        .to_owned();
    Served { child, base }
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_on_an_empty_directory_answers_with_the_demo_dataset_and_survives_kill_9() {
    let dir = data_dir();
    let mut served = serve(dir.path());
    let url = format!("{}/api/v1/search?q=mjedis&facets=county", served.base);
    let body: Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    let total = body["total"].as_u64().unwrap();
    assert!(total > 20, "{body}");
    let counties = facet_counts(&body, "county");
    assert!(counties.len() >= 10, "{body}");
    // Every demo record has an address, some in two counties (a branch elsewhere).
    assert!(counties.values().sum::<u64>() >= total);

    // An import through the running server, then SIGKILL: nothing acknowledged is lost.
    let file = dir.path().join("more.ndjson");
    std::fs::File::create(&file)
        .unwrap()
        .write_all(
            json!({"type": "organisation", "id": "pas-vrasjes", "name": "Shoqata Qëndrueshmëria"})
                .to_string()
                .as_bytes(),
        )
        .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_rrjeti"))
        .args([
            "import",
            file.to_str().unwrap(),
            "--server",
            &served.base,
            "--token",
            TOKEN,
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    served.child.kill().unwrap();
    served.child.wait().unwrap();

    let mut served = serve(dir.path());
    let url = format!("{}/api/v1/search?q=mjedis&facets=county", served.base);
    let body: Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    assert_eq!(body["total"].as_u64().unwrap(), total);
    let found: Value = reqwest::get(format!("{}/api/v1/search?q=qendrueshmeria", served.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ids(&found), ["pas-vrasjes"]);
    served.child.kill().unwrap();
    served.child.wait().unwrap();
}

#[test]
fn csv_exported_to_a_directory_imports_back_from_the_command_line() {
    let dir = data_dir();
    let file = dir.path().join("records.ndjson");
    std::fs::write(&file, ndjson(&fixture())).unwrap();
    let source = dir.path().join("source");
    assert!(
        rrjeti(&source, &["import", file.to_str().unwrap()])
            .status
            .success()
    );

    let tables = dir.path().join("tables");
    let output = rrjeti(
        &source,
        &["export", "--format", "csv", "-o", tables.to_str().unwrap()],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let package: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tables.join("datapackage.json")).unwrap())
            .unwrap();
    assert_eq!(package["licenses"][0]["name"], "CC-BY-4.0");
    assert!(package["created"].as_str().unwrap().ends_with('Z'));
    assert!(tables.join("memberships.csv").exists());

    let copy = dir.path().join("copy");
    let output = rrjeti(
        &copy,
        &["import", "--format", "csv", tables.to_str().unwrap()],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let export = |data: &Path| {
        let output = rrjeti(data, &["export"]);
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .skip(1)
            .map(|line| {
                let mut record: serde_json::Value = serde_json::from_str(line).unwrap();
                for key in ["version", "created_at", "updated_at"] {
                    record.as_object_mut().unwrap().remove(key);
                }
                record
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(export(&copy), export(&source));

    // A filtered export in another format holds only what the filter selects.
    let output = rrjeti(
        &source,
        &["export", "--format", "geojson", "--filter", "type=network"],
    );
    let collection: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let features = collection["features"].as_array().unwrap();
    assert_eq!(features.len(), 2);
    assert!(
        features
            .iter()
            .all(|f| f["properties"]["type"] == "network")
    );
}
