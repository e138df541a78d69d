//! Access: the admin may do everything; an editor token changes only its own organisation, or
//! its own network with the member list; anonymous clients only read. Revoked and expired tokens
//! stop working at once. Every role is tried against every write route.

use std::path::Path;
use std::process::Command;

use reqwest::{Method, StatusCode};
use rrjeti::model::{Role, Scope};
use serde_json::{Value, json};

use crate::helpers::*;

const OWN_ORGANISATION: &str = "mjedisi-vlore";
const OWN_NETWORK: &str = "rrjeti-mjedisor";

/// (method, path, body) of every write route, on own and others' records.
fn write_routes() -> Vec<(&'static str, Method, String, Option<Value>)> {
    let organisation = |name: &str| json!({"name": name, "address": {"municipality": "Vlorë"}});
    let network = json!({"name": "Rrjeti Mjedisor Kombëtar", "thematic_areas": ["environment"]});
    vec![
        (
            "create organisation",
            Method::POST,
            "/api/v1/organisations".into(),
            Some(organisation("E re")),
        ),
        (
            "replace own organisation",
            Method::PUT,
            format!("/api/v1/organisations/{OWN_ORGANISATION}"),
            Some(organisation("Shoqata Mjedisore Vlora")),
        ),
        (
            "patch own organisation",
            Method::PATCH,
            format!("/api/v1/organisations/{OWN_ORGANISATION}"),
            Some(json!({"acronym": "SMV"})),
        ),
        (
            "replace other organisation",
            Method::PUT,
            "/api/v1/organisations/grate-tirane".into(),
            Some(organisation("Fondacioni Gruaja Sot")),
        ),
        (
            "patch other organisation",
            Method::PATCH,
            "/api/v1/organisations/grate-tirane".into(),
            Some(json!({"acronym": "X"})),
        ),
        (
            "delete other organisation",
            Method::DELETE,
            "/api/v1/organisations/rinia-korce".into(),
            None,
        ),
        (
            "create network",
            Method::POST,
            "/api/v1/networks".into(),
            Some(json!({"name": "Rrjeti i Ri"})),
        ),
        (
            "replace own network",
            Method::PUT,
            format!("/api/v1/networks/{OWN_NETWORK}"),
            Some(network),
        ),
        (
            "patch own network",
            Method::PATCH,
            format!("/api/v1/networks/{OWN_NETWORK}"),
            Some(json!({"acronym": "RMK"})),
        ),
        (
            "patch other network",
            Method::PATCH,
            "/api/v1/networks/koalicioni-transparenca".into(),
            Some(json!({"acronym": "KT"})),
        ),
        ("import", Method::POST, "/api/v1/import".into(), None),
    ]
}

async fn send(
    server: &TestServer,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    let mut request = server.client.request(method, server.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(body);
    } else if path.ends_with("/import") {
        request = request.body(String::new());
    }
    call(request).await
}

#[tokio::test(flavor = "multi_thread")]
async fn every_role_against_every_write_route() {
    for role in [
        "admin",
        "organisation editor",
        "network editor",
        "anonymous",
        "unknown token",
    ] {
        // A fresh fixture per role, so that one role's writes do not change another's answers.
        let dir = data_dir();
        let server = spawn_with_fixture(dir.path()).await;
        let token = match role {
            "admin" => Some(
                server
                    .directory
                    .create_token(Role::Admin, None, None, None)
                    .unwrap()
                    .1,
            ),
            "organisation editor" => Some(
                server
                    .directory
                    .create_token(
                        Role::Editor,
                        Some(Scope::Organisation(OWN_ORGANISATION.into())),
                        None,
                        None,
                    )
                    .unwrap()
                    .1,
            ),
            "network editor" => Some(
                server
                    .directory
                    .create_token(
                        Role::Editor,
                        Some(Scope::Network(OWN_NETWORK.into())),
                        None,
                        None,
                    )
                    .unwrap()
                    .1,
            ),
            "anonymous" => None,
            _ => Some("rrj_nobody_00".to_owned()),
        };
        for (route, method, path, body) in write_routes() {
            let allowed = match role {
                "admin" => true,
                "organisation editor" => route.ends_with("own organisation"),
                "network editor" => route.ends_with("own network"),
                _ => false,
            };
            let (status, answer) =
                send(&server, token.as_deref(), method, &path, body.as_ref()).await;
            if allowed {
                assert!(status.is_success(), "{role} may {route}: {status} {answer}");
            } else {
                let expected = match role {
                    "anonymous" => StatusCode::UNAUTHORIZED,
                    _ => StatusCode::FORBIDDEN,
                };
                assert_eq!(status, expected, "{role} may not {route}: {answer}");
                assert!(
                    answer["error"]["message"]
                        .as_str()
                        .is_some_and(|m| !m.is_empty())
                );
            }
        }
        // Nothing a refused request tried was written.
        if role != "admin" {
            let (_, other) = server.get("/api/v1/organisations/grate-tirane").await;
            assert_eq!(other["version"], 1, "{role}");
            assert_eq!(
                server.get("/api/v1/organisations/rinia-korce").await.0,
                StatusCode::OK
            );
        }
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn revoked_and_expired_tokens_stop_working_at_once() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let (token, text) = server
        .directory
        .create_token(
            Role::Editor,
            Some(Scope::Organisation(OWN_ORGANISATION.into())),
            Some("test".into()),
            None,
        )
        .unwrap();
    let path = format!("/api/v1/organisations/{OWN_ORGANISATION}");
    let patch = json!({"acronym": "A1"});
    assert_eq!(
        send(&server, Some(&text), Method::PATCH, &path, Some(&patch))
            .await
            .0,
        StatusCode::OK
    );
    server.directory.revoke_token(&token.id).unwrap();
    let (status, body) = send(&server, Some(&text), Method::PATCH, &path, Some(&patch)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("revoked")
    );

    // A token for 0 days lasts to the end of the second it is made in: made early in a
    // second, so that the request with it comes before that second ends even on a busy
    // machine (made at x.999 s, it failed once).
    let into_second = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_millis();
    if into_second > 200 {
        tokio::time::sleep(std::time::Duration::from_millis(u64::from(
            1_010 - into_second,
        )))
        .await;
    }
    let (_, soon) = server
        .directory
        .create_token(Role::Admin, None, None, Some(0))
        .unwrap();
    assert_eq!(
        send(&server, Some(&soon), Method::PATCH, &path, Some(&patch))
            .await
            .0,
        StatusCode::OK
    );
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, body) = send(&server, Some(&soon), Method::PATCH, &path, Some(&patch)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
    // A wrong secret for a real id is refused too.
    let forged = format!("rrj_{}_{}", token.id, "0".repeat(64));
    assert_eq!(
        send(&server, Some(&forged), Method::PATCH, &path, Some(&patch))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_editor_sees_the_private_contacts_of_its_own_organisation_only() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let patch =
        json!({"contact_persons": [{"name": "Arta Privati", "email": "arta@sekret.example"}]});
    for id in [OWN_ORGANISATION, "grate-tirane"] {
        let (status, body) = server
            .send(
                Method::PATCH,
                &format!("/api/v1/organisations/{id}"),
                Some(&patch),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, editor) = server
        .directory
        .create_token(
            Role::Editor,
            Some(Scope::Organisation(OWN_ORGANISATION.into())),
            None,
            None,
        )
        .unwrap();
    let (_, own) = send(
        &server,
        Some(&editor),
        Method::GET,
        &format!("/api/v1/organisations/{OWN_ORGANISATION}"),
        None,
    )
    .await;
    assert_eq!(own["contact_persons"][0]["name"], "Arta Privati");
    let (_, other) = send(
        &server,
        Some(&editor),
        Method::GET,
        "/api/v1/organisations/grate-tirane",
        None,
    )
    .await;
    assert!(other.get("contact_persons").is_none(), "{other}");
    server.stop().await;
}

fn rrjeti(data_dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rrjeti"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_are_made_listed_and_revoked_from_the_command_line() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    server.stop().await;
    let made = rrjeti(
        dir.path(),
        &[
            "token",
            "create",
            "--role",
            "editor",
            "--organisation",
            OWN_ORGANISATION,
            "--label",
            "Vlora",
        ],
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let text = String::from_utf8(made.stdout).unwrap().trim().to_owned();
    assert!(text.starts_with("rrj_"), "{text}");
    let listed = String::from_utf8(rrjeti(dir.path(), &["token", "list"]).stdout).unwrap();
    assert!(listed.contains("\"label\":\"Vlora\""), "{listed}");
    assert!(
        !listed.contains(text.rsplit('_').next().unwrap()),
        "the secret is never listed"
    );
    let id = text.split('_').nth(1).unwrap();
    let revoked = rrjeti(dir.path(), &["token", "revoke", id]);
    assert!(revoked.status.success());
    let listed = String::from_utf8(rrjeti(dir.path(), &["token", "list"]).stdout).unwrap();
    assert!(listed.contains("revoked_at"), "{listed}");
    let refused = rrjeti(
        dir.path(),
        &[
            "token",
            "create",
            "--role",
            "editor",
            "--organisation",
            "nobody",
        ],
    );
    assert!(
        !refused.status.success(),
        "an editor of a missing organisation"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_manages_tokens_over_http_while_the_server_runs() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let (status, made) = server
        .post(
            "/api/v1/tokens",
            &json!({"role": "editor", "organisation": OWN_ORGANISATION, "label": "Vlora"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let text = made["token"].as_str().unwrap().to_owned();
    let id = made["about"]["id"].as_str().unwrap().to_owned();
    assert!(made["about"].get("secret").is_none());
    let path = format!("/api/v1/organisations/{OWN_ORGANISATION}");
    let patch = json!({"acronym": "V1"});
    assert_eq!(
        send(&server, Some(&text), Method::PATCH, &path, Some(&patch))
            .await
            .0,
        StatusCode::OK
    );
    // An editor cannot manage tokens.
    let (status, _) = send(&server, Some(&text), Method::GET, "/api/v1/tokens", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, listed) = server.get_with_token("/api/v1/tokens").await;
    assert_eq!(status, StatusCode::OK);
    assert!(listed.to_string().contains("Vlora") && !listed.to_string().contains(&text));
    assert_eq!(
        server.delete(&format!("/api/v1/tokens/{id}")).await,
        StatusCode::OK
    );
    assert_eq!(
        send(&server, Some(&text), Method::PATCH, &path, Some(&patch))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        server.delete("/api/v1/tokens/nobody").await,
        StatusCode::NOT_FOUND
    );
    for bad in [
        json!({"role": "owner"}),
        json!({"role": "editor"}),
        json!({"role": "editor", "organisation": "nobody"}),
        json!({"role": "editor", "organisation": OWN_ORGANISATION, "network": OWN_NETWORK}),
        json!({"role": "admin", "colour": "red"}),
    ] {
        let (status, body) = server.post("/api/v1/tokens", &bad).await;
        assert!(
            status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::NOT_FOUND,
            "{bad}: {status} {body}"
        );
    }
    server.stop().await;
}
