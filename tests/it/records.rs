//! Creating, reading, replacing and deleting records, and search following each write.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread")]
async fn create_generates_an_id_from_the_name_and_starts_at_version_1() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let (status, body) = server
        .post(
            "/api/v1/organisations",
            &json!({"name": "Shoqata për Ujërat e Pastra \"Drini\""}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["id"], "shoqata-per-ujerat-e-pastra-drini");
    assert_eq!(body["version"], 1);
    assert!(
        body["created_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_organisation_with_the_same_name_gets_a_suffixed_id() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let org = json!({"name": "Qendra Rinore"});
    assert_eq!(
        server.post("/api/v1/organisations", &org).await.1["id"],
        "qendra-rinore"
    );
    assert_eq!(
        server.post("/api/v1/organisations", &org).await.1["id"],
        "qendra-rinore-2"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn get_returns_what_was_stored_with_normalised_places_and_an_etag() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let org =
        json!({"id": "drini", "name": "  Shoqata Drini ", "address": {"municipality": "shkodra"}});
    server.post("/api/v1/organisations", &org).await;
    let response = server
        .client
        .get(server.url("/api/v1/organisations/drini"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["etag"], "\"1\"");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["name"], "Shoqata Drini");
    assert_eq!(body["address"]["municipality"], "Shkodër");
    assert_eq!(body["address"]["county"], "Shkodër");
    assert_eq!(body["address"]["country"], "AL");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn creating_an_existing_id_is_a_conflict() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let org = json!({"id": "drini", "name": "Shoqata Drini"});
    assert_eq!(
        server.post("/api/v1/organisations", &org).await.0,
        StatusCode::CREATED
    );
    let (status, body) = server.post("/api/v1/organisations", &org).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "conflict");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_record_is_searchable_as_soon_as_the_write_answers() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    server
        .post(
            "/api/v1/organisations",
            &json!({"id": "drini", "name": "Shoqata Drini"}),
        )
        .await;
    assert_eq!(server.search_ids("q=drini").await, ["drini"]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn replacing_increments_the_version_and_search_sees_the_new_text_only() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    server
        .post(
            "/api/v1/organisations",
            &json!({"id": "drini", "name": "Shoqata Drini"}),
        )
        .await;
    let (status, body) = server
        .put(
            "/api/v1/organisations/drini",
            &json!({"name": "Shoqata Buna", "description": {"sq": "Lumi Buna"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], 2);
    assert_eq!(server.search_ids("q=buna").await, ["drini"]);
    assert!(server.search_ids("q=drini").await.is_empty());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn put_to_an_unknown_id_creates_the_record() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let (status, body) = server
        .put(
            "/api/v1/organisations/buna",
            &json!({"name": "Shoqata Buna"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["id"], "buna");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_removes_the_record_from_reads_and_search() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    assert_eq!(server.search_ids("q=vlora").await, ["mjedisi-vlore"]);
    assert_eq!(
        server.delete("/api/v1/organisations/mjedisi-vlore").await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        server.get("/api/v1/organisations/mjedisi-vlore").await.0,
        StatusCode::NOT_FOUND
    );
    assert!(server.search_ids("q=vlora").await.is_empty());
    assert_eq!(
        server.delete("/api/v1/organisations/mjedisi-vlore").await,
        StatusCode::NOT_FOUND
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn networks_are_created_read_and_deleted_like_organisations() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let (status, body) = server
        .post(
            "/api/v1/networks",
            &json!({"name": "Platforma për Bregdetin", "kind": "platform"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        server.get(&format!("/api/v1/networks/{id}")).await.1["kind"],
        "platform"
    );
    assert_eq!(
        server.search_ids("q=bregdetin&type=network").await,
        std::slice::from_ref(&id)
    );
    assert_eq!(
        server.delete(&format!("/api/v1/networks/{id}")).await,
        StatusCode::NO_CONTENT
    );
    assert!(
        server
            .search_ids("q=bregdetin&type=network")
            .await
            .is_empty()
    );
    server.stop().await;
}
