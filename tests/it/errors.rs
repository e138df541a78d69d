//! Bad input gets a clear JSON error with the right status, and nothing is written.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

fn assert_error(status: StatusCode, body: &Value, expected_status: StatusCode, code: &str) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn writes_without_a_token_are_unauthorized() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let response = server
        .client
        .post(server.url("/api/v1/organisations"))
        .json(&json!({"name": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn writes_with_a_wrong_token_are_forbidden() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let request = server
        .client
        .delete(server.url("/api/v1/organisations/anything"));
    let (status, body) = call(request.bearer_auth("not-the-token")).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_without_an_admin_token_refuses_every_write() {
    let dir = data_dir();
    let server = spawn_with_token(dir.path(), None).await;
    let (status, body) = server
        .post("/api/v1/organisations", &json!({"name": "X"}))
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_json_is_a_bad_request() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let request = server.client.post(server.url("/api/v1/organisations"));
    let (status, body) = call(request.bearer_auth(TOKEN).body("{\"name\": ")).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_json");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrongly_typed_field_is_an_invalid_record_naming_the_field() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let (status, body) = server
        .post(
            "/api/v1/organisations",
            &json!({"name": "X", "location": {"lat": "north", "lon": 19.0}}),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_record",
    );
    assert_eq!(body["error"]["field"], "location.lat");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_fields_are_rejected() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let (status, body) = server
        .post("/api/v1/organisations", &json!({"name": "X", "stars": 5}))
        .await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_record",
    );
    assert!(body["error"]["message"].as_str().unwrap().contains("stars"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_problem_of_a_record_is_listed_at_once_and_nothing_is_stored() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let (status, body) = server
        .post(
            "/api/v1/organisations",
            &json!({"id": "bad-one", "name": "", "thematic_areas": ["enviroment"], "scope": "galactic",
                    "contact": {"email": "nobody"}, "founded_year": 3000}),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_record",
    );
    let fields: Vec<&str> = body["error"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "name",
            "founded_year",
            "thematic_areas[0]",
            "scope",
            "contact.email"
        ]
    );
    let allowed = body["error"]["problems"][2]["message"].as_str().unwrap();
    assert!(
        allowed.contains("environment"),
        "the message lists the allowed codes: {allowed}"
    );
    assert_eq!(
        server.get("/api/v1/organisations/bad-one").await.0,
        StatusCode::NOT_FOUND
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_municipality_is_an_invalid_record() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let (status, body) = server
        .post(
            "/api/v1/organisations",
            &json!({"name": "X", "address": {"municipality": "Atlantis"}}),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_record",
    );
    assert_eq!(body["error"]["field"], "address.municipality");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_over_one_mebibyte_is_too_large() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let huge = json!({"name": "X", "description": {"sq": "a".repeat(1_100_000)}});
    let (status, body) = server.post("/api/v1/organisations", &huge).await;
    assert_error(
        status,
        &body,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_put_whose_body_names_another_id_is_rejected() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let (status, body) = server
        .put(
            "/api/v1/organisations/one",
            &json!({"id": "two", "name": "X"}),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_record",
    );
    assert_eq!(body["error"]["field"], "id");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_id_in_the_path_is_a_bad_parameter() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let (status, body) = server.get("/api/v1/organisations/NOT%20AN%20ID").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "bad_parameter");
    assert_eq!(body["error"]["field"], "id");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_record_is_not_found() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let (status, body) = server.get("/api/v1/organisations/nobody").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_search_parameters_are_bad_requests_naming_the_parameter() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("sort=stars", "sort"),
        ("cursor=garbage", "cursor"),
        ("thematic_area=enviroment", "thematic_area"),
        ("facets=colour", "facets"),
        ("type=people", "type"),
        ("colour=blue", "colour"),
    ] {
        let (status, body) = server.get(&format!("/api/v1/search?{query}")).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "bad_parameter");
        assert_eq!(body["error"]["field"], field, "{query}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_routes_and_methods_answer_in_json() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let (status, body) = server.get("/api/v1/nothing-here").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = server.send(Method::PATCH, "/api/v1/search", None).await;
    assert_error(
        status,
        &body,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn health_check_answers_ok() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let (status, body) = server.get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["index_lag"], 0);
    server.stop().await;
}
