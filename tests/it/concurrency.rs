//! Optimistic concurrency, partial updates and idempotent creates: `ETag` is the version,
//! `If-Match` of an old version is refused with 412 so that two editors never overwrite each
//! other silently, `If-None-Match: *` creates only, `PATCH` takes a JSON merge patch (RFC 7396),
//! and a create retried with the same `Idempotency-Key` makes no second record.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

const PATH: &str = "/api/v1/organisations/mjedisi-vlore";

/// Sends a request with the admin token and extra headers.
async fn send_with(
    server: &TestServer,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> (StatusCode, Value, Option<String>) {
    let mut request = server
        .client
        .request(method, server.url(path))
        .bearer_auth(TOKEN);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let etag = response
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body, etag)
}

fn editable(record: &Value) -> Value {
    let mut record = record.clone();
    for key in ["version", "created_at", "updated_at"] {
        record.as_object_mut().unwrap().remove(key);
    }
    record
}

#[tokio::test(flavor = "multi_thread")]
async fn a_replace_with_the_current_etag_succeeds_and_an_old_one_gets_412() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let (_, record, etag) = send_with(&server, Method::GET, PATH, &[], None).await;
    let etag = etag.unwrap();
    assert_eq!(etag, format!("\"{}\"", record["version"]));
    let mut first = editable(&record);
    first["name"] = json!("Editor One");
    let (status, body, new_etag) = send_with(
        &server,
        Method::PUT,
        PATH,
        &[("If-Match", &etag)],
        Some(&first),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_ne!(new_etag.unwrap(), etag);
    // The second editor started from the same version: refused, nothing overwritten.
    let mut second = editable(&record);
    second["name"] = json!("Editor Two");
    let (status, body, _) = send_with(
        &server,
        Method::PUT,
        PATH,
        &[("If-Match", &etag)],
        Some(&second),
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");
    assert_eq!(body["error"]["code"], "precondition_failed");
    assert_eq!(body["error"]["field"], "If-Match");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("version 2") && message.contains("version 1"),
        "{message}"
    );
    let (_, stored) = server.get(PATH).await;
    assert_eq!(stored["name"], "Editor One");
    assert_eq!(server.search_ids("q=editor").await, ["mjedisi-vlore"]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn if_none_match_star_creates_only_and_if_match_star_replaces_only() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let new = json!({"name": "Shoqata e Re", "address": {"municipality": "Fier"}});
    let path = "/api/v1/organisations/shoqata-e-re";
    let (status, body, _) =
        send_with(&server, Method::PUT, path, &[("If-Match", "*")], Some(&new)).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");
    let (status, _, _) = send_with(
        &server,
        Method::PUT,
        path,
        &[("If-None-Match", "*")],
        Some(&new),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _, _) = send_with(
        &server,
        Method::PUT,
        path,
        &[("If-None-Match", "*")],
        Some(&new),
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    let (status, _, _) =
        send_with(&server, Method::PUT, path, &[("If-Match", "*")], Some(&new)).await;
    assert_eq!(status, StatusCode::OK);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_delete_with_an_old_etag_gets_412_and_deletes_nothing() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let (status, _, _) = send_with(
        &server,
        Method::DELETE,
        PATH,
        &[("If-Match", "\"7\"")],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(server.get(PATH).await.0, StatusCode::OK);
    let (status, _, _) = send_with(
        &server,
        Method::DELETE,
        PATH,
        &[("If-Match", "\"5\", W/\"1\"")],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(server.get(PATH).await.0, StatusCode::NOT_FOUND);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_precondition_headers_are_a_400_naming_the_header() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let (_, record, _) = send_with(&server, Method::GET, PATH, &[], None).await;
    for (headers, field) in [
        (vec![("If-Match", "3")], "If-Match"),
        (vec![("If-Match", "\"abc\"")], "If-Match"),
        (vec![("If-None-Match", "\"1\"")], "If-None-Match"),
        (
            vec![("If-Match", "\"1\""), ("If-None-Match", "*")],
            "If-None-Match",
        ),
    ] {
        let (status, body, _) = send_with(
            &server,
            Method::PUT,
            PATH,
            &headers,
            Some(&editable(&record)),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{headers:?}: {body}");
        assert_eq!(body["error"]["field"], field, "{headers:?}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn patch_changes_only_the_fields_it_names() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let (_, before) = server.get(PATH).await;
    let patch =
        json!({"acronym": "SMV", "description": {"en": null}, "expertise": ["plazhe të pastra"]});
    let (status, after, etag) = send_with(
        &server,
        Method::PATCH,
        PATH,
        &[("If-Match", "\"1\"")],
        Some(&patch),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(etag.as_deref(), Some("\"2\""));
    assert_eq!(after["acronym"], "SMV");
    assert_eq!(after["expertise"], json!(["plazhe të pastra"]));
    assert!(after["description"].get("en").is_none(), "{after}");
    assert_eq!(after["description"]["sq"], before["description"]["sq"]);
    for unchanged in [
        "name",
        "thematic_areas",
        "address",
        "location",
        "created_at",
    ] {
        assert_eq!(after[unchanged], before[unchanged], "{unchanged}");
    }
    assert_eq!(after["version"], 2);
    assert_eq!(server.search_ids("q=plazhe").await, ["mjedisi-vlore"]);
    // The same patch again, from the now old version: refused.
    let (status, _, _) = send_with(
        &server,
        Method::PATCH,
        PATH,
        &[("If-Match", "\"1\"")],
        Some(&patch),
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_patched_municipality_moves_the_county_and_the_approximate_point_with_it() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let path = "/api/v1/organisations/rinia-korce";
    let (_, before) = server.get(path).await;
    assert_eq!(before["location"]["approximate"], true, "{before}");
    let patch = json!({"address": {"municipality": "Shkodër"}});
    let (status, after) = server.send(Method::PATCH, path, Some(&patch)).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["address"]["municipality"], "Shkodër");
    assert_eq!(after["address"]["county"], "Shkodër");
    assert_ne!(after["location"], before["location"]);
    assert_eq!(
        server.search_ids("q=rinore&within=shkoder").await,
        ["rinia-korce"]
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_patch_that_breaks_the_record_or_touches_server_fields_is_refused_whole() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let (_, before) = server.get(PATH).await;
    for (patch, field) in [
        (
            json!({"founded_year": 3000, "acronym": "X"}),
            "founded_year",
        ),
        (json!({"name": null}), "name"),
        (json!({"colour": "green"}), "colour"),
        (json!({"version": 9}), "version"),
        (json!({"id": "other"}), "id"),
        (json!(["not", "an", "object"]), ""),
    ] {
        let (status, body) = server.send(Method::PATCH, PATH, Some(&patch)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{patch}: {body}");
        if !field.is_empty() {
            let fields: Vec<&str> = body["error"]["problems"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["field"].as_str().unwrap())
                .collect();
            assert!(fields.contains(&field), "{patch}: {body}");
        }
    }
    let (_, after) = server.get(PATH).await;
    assert_eq!(after, before, "nothing was written");
    let (status, _) = server
        .send(
            Method::PATCH,
            "/api/v1/organisations/nobody",
            Some(&json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_editors_with_the_same_etag_make_exactly_one_change() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let server = std::sync::Arc::new(server);
    let mut tasks = Vec::new();
    for editor in 0..8 {
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            let patch = json!({"acronym": format!("E{editor}")});
            send_with(
                &server,
                Method::PATCH,
                PATH,
                &[("If-Match", "\"1\"")],
                Some(&patch),
            )
            .await
            .0
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    let won = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::PRECONDITION_FAILED)
        .count();
    assert_eq!((won, refused), (1, 7), "{statuses:?}");
    let (_, stored) = server.get(PATH).await;
    assert_eq!(stored["version"], 2);
}

async fn create_with_key(
    server: &TestServer,
    key: &str,
    body: &Value,
) -> (StatusCode, Value, bool) {
    let response = server
        .client
        .post(server.url("/api/v1/organisations"))
        .bearer_auth(TOKEN)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let replayed = response.headers().get("idempotent-replayed").is_some();
    (status, response.json().await.unwrap(), replayed)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_create_retried_with_the_same_idempotency_key_makes_one_record() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let body = json!({"name": "Shoqata Ylberi", "address": {"municipality": "Lezhë"}});
    let (status, first, replayed) = create_with_key(&server, "key-1", &body).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, false), "{first}");
    let (status, again, replayed) = create_with_key(&server, "key-1", &body).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, true), "{again}");
    assert_eq!(again["id"], first["id"]);
    assert_eq!(server.search_ids("q=ylberi").await, ["shoqata-ylberi"]);
    // Without a key, the same body is a new record with the next free id.
    let (status, third) = server.post("/api/v1/organisations", &body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(third["id"], "shoqata-ylberi-2");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idempotency_key_reused_for_another_request_is_refused() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let one = json!({"name": "Shoqata Ylberi"});
    let other = json!({"name": "Shoqata Hëna"});
    assert_eq!(
        create_with_key(&server, "k", &one).await.0,
        StatusCode::CREATED
    );
    let (status, body, _) = create_with_key(&server, "k", &other).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "idempotency_key_reused");
    assert_eq!(body["error"]["field"], "Idempotency-Key");
    assert!(server.search_ids("q=hena").await.is_empty());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idempotency_key_is_remembered_across_a_restart() {
    let dir = data_dir();
    let body = json!({"name": "Shoqata Ylberi"});
    let server = spawn(dir.path()).await;
    assert_eq!(
        create_with_key(&server, "k-restart", &body).await.0,
        StatusCode::CREATED
    );
    server.stop().await;
    let server = spawn(dir.path()).await;
    let (status, again, replayed) = create_with_key(&server, "k-restart", &body).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, true), "{again}");
    assert_eq!(server.search_ids("q=ylberi").await, ["shoqata-ylberi"]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_idempotency_key_is_a_400() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let body = json!({"name": "Shoqata Ylberi"});
    for key in ["", "two words", &"k".repeat(256)] {
        let (status, error, _) = create_with_key(&server, key, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{key:?}: {error}");
        assert_eq!(error["error"]["field"], "Idempotency-Key");
    }
    assert!(server.search_ids("q=ylberi").await.is_empty());
    server.stop().await;
}
