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

/// A token made by the admin over HTTP for one organisation or network.
async fn editor_token(server: &TestServer, scope: &str, id: &str) -> String {
    let (status, made) = server
        .post("/api/v1/tokens", &json!({"role": "editor", scope: id}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    made["token"].as_str().unwrap().to_owned()
}

async fn as_token(
    server: &TestServer,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> (StatusCode, serde_json::Value) {
    let mut request = server
        .client
        .request(method, server.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    call(request).await
}

const NETWORK: &str = "koalicioni-transparenca";
const OUTSIDER: &str = "rinia-korce";

fn member_path() -> String {
    format!("/api/v1/networks/{NETWORK}/members/{OUTSIDER}")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invitation_becomes_a_membership_only_when_the_organisation_accepts() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let network = editor_token(&server, "network", NETWORK).await;
    let organisation = editor_token(&server, "organisation", OUTSIDER).await;
    let (status, body) = as_token(
        &server,
        &network,
        reqwest::Method::PUT,
        &member_path(),
        Some(json!({"role": "observer", "since": 2025, "source": "vendim i asamblesë"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["membership"]["status"], "invited");
    assert_eq!(body["membership"]["current"], false);
    // Pending: visible as such, but not a member for search.
    let (_, networks) = server
        .get(&format!("/api/v1/organisations/{OUTSIDER}/networks"))
        .await;
    assert_eq!(networks["networks"][0]["status"], "invited");
    assert!(
        !server
            .search_ids(&format!("network={NETWORK}"))
            .await
            .contains(&OUTSIDER.to_owned())
    );

    let (status, body) = server.get(&member_path()).await;
    assert_eq!(status, StatusCode::OK, "anyone reads a membership: {body}");
    assert_eq!(body["membership"]["status"], "invited");
    let (status, body) = as_token(
        &server,
        &organisation,
        reqwest::Method::PUT,
        &member_path(),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["membership"]["status"], "confirmed");
    assert_eq!(body["membership"]["current"], true);
    assert_eq!(
        body["membership"]["role"], "observer",
        "the network's terms stand"
    );
    assert_eq!(body["membership"]["since"], 2025);
    assert_eq!(body["membership"]["source"], "vendim i asamblesë");
    assert!(
        server
            .search_ids(&format!("network={NETWORK}"))
            .await
            .contains(&OUTSIDER.to_owned())
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_to_join_becomes_a_membership_when_the_network_accepts() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let network = editor_token(&server, "network", NETWORK).await;
    let organisation = editor_token(&server, "organisation", OUTSIDER).await;
    let (_, body) = as_token(
        &server,
        &organisation,
        reqwest::Method::PUT,
        &member_path(),
        None,
    )
    .await;
    assert_eq!(body["membership"]["status"], "requested");
    let (_, members) = server
        .get(&format!("/api/v1/networks/{NETWORK}/members"))
        .await;
    let pending = members["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["organisation"] == OUTSIDER)
        .unwrap();
    assert_eq!(pending["status"], "requested");
    let (_, body) = as_token(
        &server,
        &network,
        reqwest::Method::PUT,
        &member_path(),
        None,
    )
    .await;
    assert_eq!(body["membership"]["status"], "confirmed");
    assert!(
        body["membership"]["since"].as_i64().is_some(),
        "dated when confirmed"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn withdrawing_removes_a_pending_membership_and_ends_a_confirmed_one() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let network = editor_token(&server, "network", NETWORK).await;
    let organisation = editor_token(&server, "organisation", OUTSIDER).await;
    as_token(
        &server,
        &network,
        reqwest::Method::PUT,
        &member_path(),
        None,
    )
    .await;
    let (status, body) = as_token(
        &server,
        &organisation,
        reqwest::Method::DELETE,
        &member_path(),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["membership"].is_null(), "the invitation is declined");
    let (status, _) = as_token(
        &server,
        &organisation,
        reqwest::Method::DELETE,
        &member_path(),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing left to withdraw");

    // Confirmed, then ended by the organisation: a former membership, kept as such.
    as_token(
        &server,
        &network,
        reqwest::Method::PUT,
        &member_path(),
        None,
    )
    .await;
    as_token(
        &server,
        &organisation,
        reqwest::Method::PUT,
        &member_path(),
        None,
    )
    .await;
    let (_, body) = as_token(
        &server,
        &organisation,
        reqwest::Method::DELETE,
        &member_path(),
        None,
    )
    .await;
    assert_eq!(body["membership"]["current"], false);
    assert_eq!(body["membership"]["status"], "confirmed");
    assert!(body["membership"]["until"].as_i64().is_some());
    assert!(
        !server
            .search_ids(&format!("network={NETWORK}"))
            .await
            .contains(&OUTSIDER.to_owned())
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_network_editor_cannot_confirm_a_member_by_rewriting_the_member_list() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let network = editor_token(&server, "network", NETWORK).await;
    let (_, current) = server.get(&format!("/api/v1/networks/{NETWORK}")).await;
    let mut members = current["members"].as_array().unwrap().clone();
    members.push(json!({"organisation": OUTSIDER, "role": "member", "status": "confirmed"}));
    let (status, body) = as_token(
        &server,
        &network,
        reqwest::Method::PATCH,
        &format!("/api/v1/networks/{NETWORK}"),
        Some(json!({"members": members})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let added = body["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["organisation"] == OUTSIDER)
        .unwrap();
    assert_eq!(
        added["status"], "invited",
        "an invitation until the organisation agrees"
    );
    // Members already confirmed stay confirmed.
    let kept = body["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["organisation"] != OUTSIDER)
        .all(|m| m.get("status").is_none());
    assert!(kept, "{body}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_two_sides_or_an_admin_act_on_a_membership() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let stranger = editor_token(&server, "organisation", "grate-tirane").await;
    let (status, _) = as_token(
        &server,
        &stranger,
        reqwest::Method::PUT,
        &member_path(),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(server.client.put(server.url(&member_path()))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // The admin records a membership both sides agreed to.
    let (status, body) = server
        .send(
            reqwest::Method::PUT,
            &member_path(),
            Some(&json!({"role": "member"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["membership"]["status"], "confirmed");
    for (body, field) in [
        (json!({"role": 5}), "role"),
        (json!({"colour": "red"}), "colour"),
        (json!({"since": "last year"}), "since"),
    ] {
        let (status, answer) = server
            .send(reqwest::Method::PUT, &member_path(), Some(&body))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer["error"]["field"], field);
    }
    let (status, answer) = server
        .send(
            reqwest::Method::PUT,
            &member_path(),
            Some(&json!({"role": "boss"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let (status, _) = server
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/networks/{NETWORK}/members/no-such-org"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    server.stop().await;
}
