//! Network members, the networks of an organisation, and the `network` filter.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_network_lists_its_members_with_names_roles_and_years() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let (status, body) = server.get("/api/v1/networks/rrjeti-mjedisor/members").await;
    assert_eq!(status, StatusCode::OK);
    let members = body["members"].as_array().unwrap();
    assert_eq!(members.len(), 2);
    assert_eq!(members[0]["organisation"], "mjedisi-vlore");
    assert_eq!(members[0]["name"], "Shoqata Mjedisore Vlora");
    assert_eq!(members[0]["role"], "lead");
    assert_eq!(members[0]["since"], 2012);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_organisation_lists_its_networks_current_and_former() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let (_, body) = server
        .get("/api/v1/organisations/shoqeri-civile-shkoder/networks")
        .await;
    let networks = body["networks"].as_array().unwrap();
    assert_eq!(networks.len(), 1);
    assert_eq!(networks[0]["network"], "koalicioni-transparenca");
    assert_eq!(networks[0]["current"], false);
    assert_eq!(networks[0]["until"], 2018);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_network_filter_finds_current_members_only() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    assert_eq!(
        sorted(server.search_ids("network=rrjeti-mjedisor").await),
        ["mjedisi-vlore", "rinia-korce"]
    );
    assert_eq!(
        server.search_ids("network=koalicioni-transparenca").await,
        ["transparenca-durres"]
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn changing_a_network_s_members_updates_the_filter_for_old_and_new_members() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let (status, body) = server
        .put(
            "/api/v1/networks/rrjeti-mjedisor",
            &json!({"name": "Rrjeti Mjedisor Kombëtar", "members": [{"organisation": "grate-tirane"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        server.search_ids("network=rrjeti-mjedisor").await,
        ["grate-tirane"]
    );
    let (_, body) = server
        .get("/api/v1/organisations/rinia-korce/networks")
        .await;
    assert_eq!(body["networks"], json!([]));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_that_does_not_exist_is_an_invalid_record() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let (status, body) = server
        .post(
            "/api/v1/networks",
            &json!({"name": "Rrjeti X", "members": [{"organisation": "nobody-here"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "members[0].organisation");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn members_of_an_unknown_network_is_not_found() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    assert_eq!(
        server.get("/api/v1/networks/nowhere/members").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        server.get("/api/v1/organisations/nobody/networks").await.0,
        StatusCode::NOT_FOUND
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_network_counts_only_current_members_that_exist() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let member_count = |body: &serde_json::Value| body["hits"][0]["member_count"].as_u64();
    let (_, body) = server.get("/api/v1/search?type=network&q=mjedisor").await;
    assert_eq!(member_count(&body), Some(2));
    assert_eq!(
        server.delete("/api/v1/organisations/rinia-korce").await,
        StatusCode::NO_CONTENT
    );
    let (_, body) = server.get("/api/v1/search?type=network&q=mjedisor").await;
    assert_eq!(
        member_count(&body),
        Some(1),
        "a deleted organisation is no longer counted"
    );
    // The coalition lists one current and one former member.
    let (_, body) = server.get("/api/v1/search?type=network&q=koalicioni").await;
    assert_eq!(member_count(&body), Some(1));
    server.stop().await;
}
