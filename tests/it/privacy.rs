//! Private fields: contact persons are shown only to those who may edit the organisation (for
//! now the admin) unless marked public, and are never indexed: no public response, search
//! result, suggestion or export contains a private value.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

const PRIVATE_VALUES: [&str; 4] = [
    "Arta Privati",
    "arta.privati@sekret.example",
    "111 2222",
    "Drejtoreshë e fshehtë",
];

async fn spawn_with_contacts() -> (tempfile::TempDir, TestServer) {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let record = json!({
        "id": "me-kontakte", "name": "Shoqata me Kontakte", "thematic_areas": ["environment"],
        "address": {"municipality": "Berat"},
        "contact_persons": [
            {"name": "Arta Privati", "role": "Drejtoreshë e fshehtë",
             "email": "arta.privati@sekret.example", "phone": "+355 69 111 2222"},
            {"name": "Besa Publike", "role": "Zëdhënëse", "email": "besa@publike.example", "public": true}
        ]
    });
    let (status, body) = server.post("/api/v1/organisations", &record).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        body["contact_persons"].as_array().unwrap().len(),
        2,
        "the admin sees both"
    );
    (dir, server)
}

fn assert_no_private_value(text: &str, what: &str) {
    for value in PRIVATE_VALUES {
        assert!(
            !text.contains(value),
            "{what} shows the private {value:?}: {text}"
        );
    }
}

async fn anonymous_text(server: &TestServer, path: &str) -> (StatusCode, String) {
    let response = reqwest::get(server.url(path)).await.unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_record_shows_private_contact_persons_only_to_the_admin() {
    let (_dir, server) = spawn_with_contacts().await;
    let path = "/api/v1/organisations/me-kontakte";
    let (status, text) = anonymous_text(&server, path).await;
    assert_eq!(status, StatusCode::OK);
    assert_no_private_value(&text, "an anonymous GET");
    let public: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        public["contact_persons"],
        json!([{"name": "Besa Publike", "role": "Zëdhënëse", "email": "besa@publike.example", "public": true}])
    );
    let (_, wrong) = call(
        server
            .client
            .get(server.url(path))
            .bearer_auth("not-the-token"),
    )
    .await;
    assert_no_private_value(&wrong.to_string(), "a GET with a wrong token");
    let (_, admin) = call(server.client.get(server.url(path)).bearer_auth(TOKEN)).await;
    assert_eq!(
        admin["contact_persons"][0]["email"],
        "arta.privati@sekret.example"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn no_search_suggestion_map_or_export_shows_a_private_value() {
    let (_dir, server) = spawn_with_contacts().await;
    for query in [
        "Arta",
        "Privati",
        "arta.privati",
        "sekret",
        "2222",
        "fshehtë",
        "Drejtoreshë",
    ] {
        let q: String = form_urlencoded::byte_serialize(query.as_bytes()).collect();
        let (_, text) = anonymous_text(&server, &format!("/api/v1/search?q={q}")).await;
        let body: Value = serde_json::from_str(&text).unwrap();
        assert!(
            !body["hits"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["id"] == "me-kontakte"),
            "{query:?} finds the record through a private value"
        );
        assert_no_private_value(&text, "a search");
        let (_, text) = anonymous_text(&server, &format!("/api/v1/suggest?q={q}")).await;
        assert_no_private_value(&text, "a suggestion");
    }
    for path in [
        "/api/v1/search?q=kontakte&highlight=true&facets=thematic_area,county",
        "/api/v1/search.geojson?q=kontakte",
        "/api/v1/export",
        "/api/v1/organisations/me-kontakte/networks",
    ] {
        let (status, text) = anonymous_text(&server, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_no_private_value(&text, path);
    }
    let admin_export = server
        .client
        .get(server.url("/api/v1/export"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        admin_export.contains("arta.privati@sekret.example"),
        "the admin's export is whole"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn contact_persons_are_validated_like_contacts() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let record = json!({"name": "Shoqata X", "contact_persons": [
        {"email": "jo-email"}, {"name": "Y", "phone": "abc"}, {"name": "Z", "colour": "blu"}]});
    let (status, body) = server.post("/api/v1/organisations", &record).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.to_string().contains("colour"),
        "an unknown field is named: {body}"
    );
    let record = json!({"name": "Shoqata X", "contact_persons": [{"email": "jo-email"}, {"name": "Y", "phone": "abc"}]});
    let (status, body) = server.post("/api/v1/organisations", &record).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["error"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "contact_persons[0].name",
            "contact_persons[0].email",
            "contact_persons[1].phone"
        ]
    );
    server.stop().await;
}
