//! Bulk NDJSON import over HTTP with its per-line report, and export that imports back unchanged.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread")]
async fn import_reports_each_bad_line_and_keeps_the_good_ones() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let lines = [
        json!({"type": "organisation", "id": "good-one", "name": "Shoqata e Mirë"}).to_string(),
        "{not json".to_owned(),
        json!({"name": "No type"}).to_string(),
        String::new(),
        json!({"type": "organisation", "name": "Bad scope", "scope": "galactic"}).to_string(),
        json!({"type": "network", "name": "Rrjeti i Mirë", "members": [{"organisation": "good-one"}]}).to_string(),
    ];
    let (status, report) = server.import(lines.join("\n")).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["imported"], 2);
    assert_eq!(report["failed"], 3);
    let bad_lines: Vec<u64> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(bad_lines, [2, 3, 5]);
    assert!(
        report["errors"][2]["message"]
            .as_str()
            .unwrap()
            .contains("scope")
    );
    assert_eq!(
        server.search_ids("q=mire&type=network").await,
        ["rrjeti-i-mire"]
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn import_requires_the_admin_token() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let response = server
        .client
        .post(server.url("/api/v1/import"))
        .body("{}\n")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn importing_an_existing_id_replaces_it_and_increments_its_version() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let line =
        json!({"type": "organisation", "id": "rinia-korce", "name": "Lëvizja Rinore Pogradec"});
    server.import(format!("{line}\n")).await;
    let (_, body) = server.get("/api/v1/organisations/rinia-korce").await;
    assert_eq!(body["version"], 2);
    assert_eq!(server.search_ids("q=pogradec").await, ["rinia-korce"]);
    server.stop().await;
}

async fn export(server: &TestServer) -> Vec<Value> {
    let response = server
        .client
        .get(server.url("/api/v1/export"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/x-ndjson");
    let text = response.text().await.unwrap();
    let meta: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(meta["type"], "meta");
    assert_eq!(meta["licence"], "CC-BY-4.0");
    assert!(meta["generated_at"].as_str().unwrap().ends_with('Z'));
    record_lines(&text)
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_imports_into_an_empty_directory_as_the_same_records() {
    let first_dir = data_dir();
    let first = spawn_with_fixture(first_dir.path()).await;
    let exported = export(&first).await;
    assert_eq!(exported.len(), fixture().len());
    assert!(
        exported
            .iter()
            .all(|r| r["type"] == "organisation" || r["type"] == "network")
    );
    first.stop().await;

    let second_dir = data_dir();
    let second = spawn(second_dir.path()).await;
    let (_, report) = second.import(ndjson(&exported)).await;
    assert_eq!(report["failed"], 0, "{report}");
    let reexported = export(&second).await;
    let without_times = |records: &[Value]| -> Vec<Value> {
        records
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r.as_object_mut().unwrap().remove("updated_at");
                r
            })
            .collect()
    };
    assert_eq!(without_times(&reexported), without_times(&exported));
    second.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_record_imported_twice_in_one_file_ends_at_version_2_with_the_second_text() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let first = json!({"type": "organisation", "id": "dy-here", "name": "Shoqata Para"});
    let second = json!({"type": "organisation", "id": "dy-here", "name": "Shoqata Pas"});
    let (_, report) = server.import(format!("{first}\n{second}\n")).await;
    assert_eq!(report["imported"], 2, "{report}");
    let (_, body) = server.get("/api/v1/organisations/dy-here").await;
    assert_eq!(
        (body["name"].as_str(), body["version"].as_u64()),
        (Some("Shoqata Pas"), Some(2))
    );
    assert_eq!(server.search_ids("q=pas").await, ["dy-here"]);
    assert!(server.search_ids("q=para").await.is_empty());
    server.stop().await;
}

/// How many records a search for everything finds.
fn searchable(directory: &rrjeti::directory::Directory) -> usize {
    let request = rrjeti::search::SearchRequest::new();
    directory.search(&request).unwrap().total
}

/// A bulk import commits only when it ends, or once the index has gone without a commit for a
/// while: what a long import has written so far, and what others write meanwhile, shows in
/// search while it still runs.
#[test]
fn a_long_bulk_import_shows_in_search_while_it_still_runs() {
    use rrjeti::directory::{Directory, Options};
    use rrjeti::model::{Organisation, Record};
    use std::time::{Duration, Instant};

    let dir = data_dir();
    let options = Options {
        bulk_commit_after: Duration::from_millis(300),
        ..Options::default()
    };
    let directory = Directory::open(dir.path(), options).unwrap();
    let mut lines = Vec::new();
    rrjeti::ingest::demo::generate(6_000, 0, 5, &mut |record| {
        lines.push(record.to_tagged_json().to_string())
    });
    let total = lines.len();
    // The import reads its lines in batches of 2,000: it stalls, like a slow upload, having
    // written two of them and holding part of a third.
    let (resume, stalled) = std::sync::mpsc::channel::<()>();
    let lines = lines.into_iter().enumerate().map(move |(i, line)| {
        if i == 4_500 {
            // Until the test resumes it, or has failed and dropped `resume`.
            let _ = stalled.recv();
        }
        Ok(line)
    });
    let eventually = |wanted: usize| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while searchable(&directory) < wanted && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        searchable(&directory)
    };
    std::thread::scope(|scope| {
        // Dropped if an assertion fails, so that the import ends and the test with it.
        let resume = resume;
        let importing = scope.spawn(|| directory.import(lines, &mut |_| {}).unwrap());
        assert_eq!(eventually(4_000), 4_000, "the two batches written so far");
        let other = Record::Organisation(Organisation {
            name: "Shoqata e Shkruar Gjatë Importit".into(),
            ..Organisation::default()
        });
        directory.create(other, None, "test").unwrap();
        assert_eq!(eventually(4_001), 4_001, "a write made during the import");
        assert!(!importing.is_finished());
        resume.send(()).unwrap();
        let report = importing.join().unwrap();
        assert_eq!(report.imported, total);
        assert_eq!(eventually(total + 1), total + 1);
    });
}
