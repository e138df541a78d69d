//! History: every change is kept with who made it, when, and the old and new value of each field;
//! readable by the admin and the record's own editor; deletes keep a tombstone and an admin can
//! restore the record.

use reqwest::{Method, StatusCode};
use rrjeti::model::{Role, Scope};
use serde_json::{Value, json};

use crate::helpers::*;

const PATH: &str = "/api/v1/organisations/mjedisi-vlore";

async fn history(server: &TestServer, token: Option<&str>) -> (StatusCode, Value) {
    let mut request = server.client.get(server.url(&format!("{PATH}/history")));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    call(request).await
}

#[tokio::test(flavor = "multi_thread")]
async fn every_change_is_kept_with_who_when_and_the_old_and_new_values() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let (_, editor) = server
        .directory
        .create_token(
            Role::Editor,
            Some(Scope::Organisation("mjedisi-vlore".into())),
            None,
            None,
        )
        .unwrap();
    let (token_id, _) = rrjeti::model::parse_token(&editor).unwrap();
    let (status, _) = call(
        server
            .client
            .patch(server.url(PATH))
            .bearer_auth(&editor)
            .json(&json!({"acronym": "SMV"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = server
        .send(
            Method::PATCH,
            PATH,
            Some(&json!({"founded_year": 2011, "acronym": null})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, body) = history(&server, Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let entries = body["history"].as_array().unwrap();
    let summary: Vec<(u64, &str, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["version"].as_u64().unwrap(),
                e["action"].as_str().unwrap(),
                e["actor"].as_str().unwrap(),
            )
        })
        .collect();
    let editor_actor = format!("token:{token_id}");
    assert_eq!(
        summary,
        [
            (3, "patched", "admin"),
            (2, "patched", editor_actor.as_str()),
            (1, "imported", "import")
        ]
    );
    assert_eq!(
        entries[0]["changes"],
        json!([{"field": "acronym", "old": "SMV"}, {"field": "founded_year", "old": 2010, "new": 2011}])
    );
    assert_eq!(
        entries[1]["changes"],
        json!([{"field": "acronym", "new": "SMV"}])
    );
    assert!(entries[0]["at"].as_str().unwrap().ends_with('Z'));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn history_is_for_the_admin_and_the_records_own_editor_only() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let (_, own) = server
        .directory
        .create_token(
            Role::Editor,
            Some(Scope::Organisation("mjedisi-vlore".into())),
            None,
            None,
        )
        .unwrap();
    let (_, other) = server
        .directory
        .create_token(
            Role::Editor,
            Some(Scope::Organisation("grate-tirane".into())),
            None,
            None,
        )
        .unwrap();
    assert_eq!(history(&server, Some(&own)).await.0, StatusCode::OK);
    assert_eq!(
        history(&server, Some(&other)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(history(&server, None).await.0, StatusCode::UNAUTHORIZED);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_record_keeps_its_history_and_an_admin_can_restore_it() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let (_, before) = server.get(PATH).await;
    let (_, editor) = server
        .directory
        .create_token(
            Role::Editor,
            Some(Scope::Organisation("mjedisi-vlore".into())),
            None,
            None,
        )
        .unwrap();
    assert_eq!(server.delete(PATH).await, StatusCode::NO_CONTENT);
    assert_eq!(server.get(PATH).await.0, StatusCode::NOT_FOUND);
    let found = server.search_ids("q=mjedisore%20vlora").await;
    assert!(!found.contains(&"mjedisi-vlore".to_owned()), "{found:?}");
    let (status, body) = history(&server, Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["history"][0]["action"], "deleted");
    assert_eq!(body["history"][0]["version"], 2);
    assert_eq!(body["history"][0]["tombstone"]["name"], before["name"]);

    let restore = format!("{PATH}/restore");
    let (status, _) = call(
        server
            .client
            .post(server.url(&restore))
            .bearer_auth(&editor),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "restoring needs an admin");
    let (status, restored) = server.send(Method::POST, &restore, None).await;
    assert_eq!(status, StatusCode::CREATED, "{restored}");
    assert_eq!(restored["version"], 3);
    for field in [
        "name",
        "description",
        "thematic_areas",
        "address",
        "location",
        "created_at",
    ] {
        assert_eq!(restored[field], before[field], "{field}");
    }
    assert_eq!(
        server.search_ids("q=mjedisore%20vlora").await[0],
        "mjedisi-vlore"
    );
    let (status, _) = server.send(Method::POST, &restore, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "it exists again");
    let (status, _) = server
        .send(
            Method::POST,
            "/api/v1/organisations/never-was/restore",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    server.stop().await;
}

/// The oldest entry of a history answer (answers list the newest first).
fn oldest(body: &Value) -> Value {
    body["history"].as_array().unwrap().last().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_creation_lists_every_field_it_was_made_with_through_later_changes_and_a_restore() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let (_, record) = server.get(PATH).await;
    let (status, at_creation) = history(&server, Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK);
    let created = oldest(&at_creation);
    assert_eq!(created["action"], "imported");
    let fields: Vec<&str> = created["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| {
            let field = change["field"].as_str().unwrap();
            assert!(change.get("old").is_none(), "{change}");
            if let Some(shown) = record.get(field) {
                assert_eq!(change["new"], *shown, "{field}");
            }
            field
        })
        .collect();
    for field in ["name", "description", "thematic_areas", "location"] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }

    for patch in [
        json!({"acronym": "SMV", "founded_year": 2011}),
        json!({"acronym": null, "expertise": ["monitorim mjedisor"]}),
    ] {
        let (status, body) = server.send(Method::PATCH, PATH, Some(&patch)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(server.delete(PATH).await, StatusCode::NO_CONTENT);
    let restore = format!("{PATH}/restore");
    assert_eq!(
        server.send(Method::POST, &restore, None).await.0,
        StatusCode::CREATED
    );
    let (_, after_restore) = history(&server, Some(TOKEN)).await;
    let restored = after_restore["history"][0].clone();
    assert_eq!(restored["action"], "restored");
    assert_eq!(
        restored["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["field"] == "founded_year")
            .map(|c| c["new"].clone()),
        Some(json!(2011)),
        "{restored}"
    );
    let (status, _) = server
        .send(Method::PATCH, PATH, Some(&json!({"founded_year": 1999})))
        .await;
    assert_eq!(status, StatusCode::OK);

    let (_, later) = history(&server, Some(TOKEN)).await;
    let actions: Vec<&str> = later["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "patched", "restored", "deleted", "patched", "patched", "imported"
        ]
    );
    assert_eq!(oldest(&later), created);
    assert_eq!(later["history"][1], restored);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_record_made_again_with_a_deleted_ones_id_goes_on_with_its_history() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let (_, first_life) = history(&server, Some(TOKEN)).await;
    let created = oldest(&first_life);
    assert_eq!(server.delete(PATH).await, StatusCode::NO_CONTENT);
    let body = json!({"name": "Qendra Bregdetare Vlorë", "thematic_areas": ["environment"],
                      "address": {"municipality": "vlore"}});
    let (status, again) = server.put(PATH, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(again["version"], 3);

    let (_, history) = history(&server, Some(TOKEN)).await;
    let entries = history["history"].as_array().unwrap();
    let versions: Vec<u64> = entries
        .iter()
        .map(|e| e["version"].as_u64().unwrap())
        .collect();
    assert_eq!(versions, [3, 2, 1]);
    assert_eq!(entries[1]["action"], "deleted");
    assert_eq!(
        oldest(&history),
        created,
        "the first life's creation is kept"
    );
    let name = entries[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "name")
        .map(|c| c["new"].clone());
    assert_eq!(name, Some(json!("Qendra Bregdetare Vlorë")));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_record_named_like_a_deleted_one_gets_an_id_of_its_own() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let body = json!({"name": "Qendra Test", "thematic_areas": ["environment"]});
    let (status, first) = server.post("/api/v1/organisations", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["id"], "qendra-test");
    assert_eq!(
        server.delete("/api/v1/organisations/qendra-test").await,
        StatusCode::NO_CONTENT
    );
    let (status, second) = server.post("/api/v1/organisations", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!(second["id"], "qendra-test-2");
    assert_eq!(second["version"], 1);
    let (status, restored) = server
        .send(
            Method::POST,
            "/api/v1/organisations/qendra-test/restore",
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the deleted one can still come back: {restored}"
    );
    server.stop().await;
}
