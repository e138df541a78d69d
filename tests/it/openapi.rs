//! The OpenAPI 3.1 description at `/api/v1/openapi.json`: generated from the handlers the router
//! registers, it names every route, and what it says matches what the API does.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use rrjeti::api::SEARCH_PARAMETERS;
use serde_json::Value;

use crate::helpers::*;

/// Every route of the API, as a client sees it.
const ROUTES: [(&str, &str); 37] = [
    ("get", "/healthz"),
    ("get", "/api/v1/search"),
    ("post", "/api/v1/search"),
    ("get", "/api/v1/search.geojson"),
    ("get", "/api/v1/suggest"),
    ("get", "/api/v1/units"),
    ("get", "/api/v1/units.geojson"),
    ("get", "/api/v1/units/{code}"),
    ("post", "/api/v1/organisations"),
    ("get", "/api/v1/organisations/{id}"),
    ("put", "/api/v1/organisations/{id}"),
    ("patch", "/api/v1/organisations/{id}"),
    ("delete", "/api/v1/organisations/{id}"),
    ("get", "/api/v1/organisations/{id}/networks"),
    ("get", "/api/v1/organisations/{id}/history"),
    ("post", "/api/v1/organisations/{id}/restore"),
    ("post", "/api/v1/networks"),
    ("get", "/api/v1/networks/{id}"),
    ("put", "/api/v1/networks/{id}"),
    ("patch", "/api/v1/networks/{id}"),
    ("delete", "/api/v1/networks/{id}"),
    ("get", "/api/v1/networks/{id}/members"),
    ("get", "/api/v1/networks/{id}/history"),
    ("post", "/api/v1/networks/{id}/restore"),
    ("get", "/api/v1/export"),
    ("post", "/api/v1/import"),
    ("get", "/api/v1/tokens"),
    ("post", "/api/v1/tokens"),
    ("delete", "/api/v1/tokens/{id}"),
    ("get", "/api/v1/organisations/{id}/partners"),
    ("post", "/api/v1/match"),
    ("get", "/api/v1/networks/{id}/members/{organisation}"),
    ("put", "/api/v1/networks/{id}/members/{organisation}"),
    ("delete", "/api/v1/networks/{id}/members/{organisation}"),
    ("get", "/api/v1/organisations/{id}/connections"),
    ("get", "/api/v1/path"),
    ("get", "/api/v1/networks/{id}/stats"),
];

async fn description(server: &TestServer) -> Value {
    let (status, body) = server.get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    body
}

#[tokio::test(flavor = "multi_thread")]
async fn the_description_is_openapi_3_1_and_names_every_route() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let spec = description(&server).await;
    assert!(
        spec["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        spec["openapi"]
    );
    let described: BTreeSet<(String, String)> = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect();
    let routes: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(described, routes);
    // Every described route answers (not 404 or 405 for its method).
    for (method, path) in &routes {
        let url = server.url(
            &path
                .replace("{id}", "mjedisi-vlore")
                .replace("{code}", "shkoder"),
        );
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let status = server
            .client
            .request(method.clone(), url)
            .send()
            .await
            .unwrap()
            .status();
        assert!(
            status != StatusCode::METHOD_NOT_ALLOWED
                && (status != StatusCode::NOT_FOUND || path.contains('{')),
            "{method} {path}: {status}"
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn records_hold_only_the_fields_their_schema_describes() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let spec = description(&server).await;
    for (schema, path) in [
        ("Organisation", "/api/v1/organisations/mjedisi-vlore"),
        ("Network", "/api/v1/networks/rrjeti-mjedisor"),
    ] {
        let properties: BTreeSet<&String> = spec["components"]["schemas"][schema]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{schema} is described"))
            .keys()
            .collect();
        let (_, record) = server.get(path).await;
        for field in record.as_object().unwrap().keys() {
            assert!(
                properties.contains(field),
                "{schema} does not describe {field}"
            );
        }
    }
    let search = &spec["components"]["schemas"]["SearchResponse"]["properties"];
    let (_, body) = server.get("/api/v1/search?q=mjedis").await;
    for field in body.as_object().unwrap().keys() {
        assert!(
            search.get(field).is_some(),
            "SearchResponse does not describe {field}"
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_documented_search_parameters_are_the_ones_the_api_takes() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let spec = description(&server).await;
    let documented: BTreeSet<&str> = spec["paths"]["/api/v1/search"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(documented, SEARCH_PARAMETERS.into_iter().collect());
    for name in SEARCH_PARAMETERS {
        let (_, body) = server.get(&format!("/api/v1/search?{name}=x")).await;
        let message = body["error"]["message"].as_str().unwrap_or("");
        assert!(!message.contains("unknown parameter"), "{name}: {message}");
    }
    let (status, body) = server.get("/api/v1/search?colour=x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown parameter")
    );
    server.stop().await;
}
