//! Open data out and back in: every format exported from the demo data, read back and
//! imported into an empty directory, gives the same records on the fields it carries. Exports
//! state their licence and date, and apply search filters.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use rrjeti::ingest::formats::{self, Format};
use serde_json::Value;

use crate::helpers::{TestServer, data_dir, record_lines, spawn};

async fn demo_server(dir: &std::path::Path) -> TestServer {
    let server = spawn(dir).await;
    let (status, body) = server.import(rrjeti::DEMO_DATASET.to_owned()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    server
}

async fn fetch(
    server: &TestServer,
    path: &str,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let response = server.client.get(server.url(path)).send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

/// Public records by (type, id), without what the server sets on every write.
async fn records(server: &TestServer) -> BTreeMap<(String, String), Value> {
    let (_, _, text) = fetch(server, "/api/v1/export").await;
    record_lines(&text)
        .map(|line| {
            let mut record: Value = serde_json::from_str(line).unwrap();
            for key in ["version", "created_at", "updated_at"] {
                record.as_object_mut().unwrap().remove(key);
            }
            let key = (
                record["type"].as_str().unwrap().to_owned(),
                record["id"].as_str().unwrap().to_owned(),
            );
            (key, record)
        })
        .collect()
}

/// Imports NDJSON lines into a fresh server; every line must be taken.
async fn import_into_fresh(lines: Vec<String>) -> (tempfile::TempDir, TestServer) {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let (status, report) = server.import(lines.join("\n")).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["failed"], 0, "{report}");
    (dir, server)
}

fn fields<'a>(record: &'a Value, names: &[&str]) -> Vec<(String, &'a Value)> {
    names
        .iter()
        .map(|name| {
            let value = name
                .split('.')
                .try_fold(record, |v, key| v.get(key))
                .unwrap_or(&Value::Null);
            ((*name).to_owned(), value)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_and_geojson_round_trips_give_back_every_public_field() {
    let dir = data_dir();
    let source = demo_server(dir.path()).await;
    let original = records(&source).await;

    let (status, headers, organisations) = fetch(&source, "/api/v1/export?format=csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        headers["link"]
            .to_str()
            .unwrap()
            .contains("creativecommons.org/licenses/by/4.0")
    );
    assert!(
        organisations.starts_with('\u{feff}'),
        "a byte-order mark for spreadsheets"
    );
    let (_, _, memberships) = fetch(&source, "/api/v1/export?format=csv&table=memberships").await;
    assert!(
        memberships.starts_with("\u{feff}network,network_name,organisation,organisation_name,role")
    );
    let lines = formats::read(Format::Csv, &organisations, Some(&memberships)).unwrap();
    let (_csv_dir, from_csv) = import_into_fresh(lines).await;
    assert_eq!(records(&from_csv).await, original, "csv");

    let (_, headers, geojson) = fetch(&source, "/api/v1/export?format=geojson").await;
    assert_eq!(headers["content-type"], "application/geo+json");
    let collection: Value = serde_json::from_str(&geojson).unwrap();
    assert_eq!(collection["licence"], "CC-BY-4.0");
    assert!(collection["generated_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        collection["features"].as_array().unwrap().len(),
        original.len()
    );
    let lines = formats::read(Format::GeoJson, &geojson, None).unwrap();
    let (_geo_dir, from_geojson) = import_into_fresh(lines).await;
    assert_eq!(records(&from_geojson).await, original, "geojson");
    source.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn popolo_and_hsds_round_trips_keep_the_fields_they_carry() {
    let dir = data_dir();
    let source = demo_server(dir.path()).await;
    let original = records(&source).await;

    let (_, _, popolo) = fetch(&source, "/api/v1/export?format=popolo").await;
    let document: Value = serde_json::from_str(&popolo).unwrap();
    assert_eq!(document["meta"]["licence"], "CC-BY-4.0");
    let membership = &document["memberships"][0];
    assert_eq!(membership["member"]["@type"], "Organization");
    let lines = formats::read(Format::Popolo, &popolo, None).unwrap();
    let (_popolo_dir, from_popolo) = import_into_fresh(lines).await;
    let back = records(&from_popolo).await;
    assert_eq!(back.len(), original.len());
    let carried = [
        "name",
        "acronym",
        "legal_form",
        "kind",
        "registration_number",
        "founded_year",
        "contact.email",
        "contact.phone",
        "contact.website",
        "address.municipality",
    ];
    for (key, record) in &original {
        assert_eq!(
            fields(&back[key], &carried),
            fields(record, &carried),
            "popolo {key:?}"
        );
        if key.0 == "network" {
            let confirmed = |r: &Value| -> Vec<Value> {
                r["members"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|m| m.get("status").is_none())
                    .map(|m| {
                        serde_json::json!([m["organisation"], m["role"], m["since"], m["until"]])
                    })
                    .collect()
            };
            assert_eq!(
                confirmed(&back[key]),
                confirmed(record),
                "popolo members {key:?}"
            );
        }
    }

    let (_, _, hsds) = fetch(&source, "/api/v1/export?format=hsds").await;
    let document: Value = serde_json::from_str(&hsds).unwrap();
    assert_eq!(document["meta"]["licence"], "CC-BY-4.0");
    let first = &document["organizations"][0];
    assert!(first["locations"][0]["latitude"].is_number());
    let lines = formats::read(Format::Hsds, &hsds, None).unwrap();
    let (_hsds_dir, from_hsds) = import_into_fresh(lines).await;
    let back = records(&from_hsds).await;
    let organisations = original.iter().filter(|(k, _)| k.0 == "organisation");
    assert_eq!(
        back.len(),
        organisations.clone().count(),
        "organisations only"
    );
    let carried = [
        "name",
        "acronym",
        "legal_form",
        "registration_number",
        "founded_year",
        "services",
        "contact.email",
        "contact.phone",
        "contact.website",
        "address.street",
        "address.municipality",
        "address.county",
        "address.postal_code",
        "location.lat",
        "location.lon",
    ];
    for (key, record) in organisations {
        assert_eq!(
            fields(&back[key], &carried),
            fields(record, &carried),
            "hsds {key:?}"
        );
        let sites = |r: &Value| r["sites"].as_array().map_or(0, Vec::len);
        assert_eq!(sites(&back[key]), sites(record), "hsds sites {key:?}");
    }
    source.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_holds_the_records_the_search_filters_select() {
    let dir = data_dir();
    let source = demo_server(dir.path()).await;
    let (_, search) = source
        .get("/api/v1/search?county=Shkod%C3%ABr&thematic_area=environment&limit=1")
        .await;
    let (status, _, geojson) = fetch(
        &source,
        "/api/v1/export?format=geojson&county=Shkod%C3%ABr&thematic_area=environment",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let features = serde_json::from_str::<Value>(&geojson).unwrap()["features"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(features.len() as u64, search["total"].as_u64().unwrap());
    for feature in &features {
        let record = &feature["properties"];
        assert!(
            record["thematic_areas"]
                .as_array()
                .unwrap()
                .contains(&"environment".into())
        );
    }
    let (_, _, ndjson) = fetch(&source, "/api/v1/export?type=network").await;
    assert!(record_lines(&ndjson).all(|line| line.starts_with("{\"type\":\"network\"")));
    assert_eq!(record_lines(&ndjson).count(), 40);
    for (path, field) in [
        ("/api/v1/export?format=xml", "format"),
        ("/api/v1/export?format=geojson&table=memberships", "table"),
        ("/api/v1/export?format=csv&table=people", "table"),
        ("/api/v1/export?q=mjedis", "q"),
        (
            "/api/v1/export?thematic_area=nope&format=csv",
            "thematic_area",
        ),
    ] {
        let (status, body) = source.get(path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_eq!(body["error"]["field"], field, "{path}");
    }
    source.stop().await;
}
