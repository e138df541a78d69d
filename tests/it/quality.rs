//! Search quality: Albanian stemming, typos, synonyms and acronyms, field weights and phrases,
//! highlights, "did you mean", partial matches, suggestions, labelled and disjunctive facets,
//! and queries that no user input can break.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

/// A server holding the fixture plus `extra` organisations (each given as name, description).
async fn spawn_with(extra: &[(&str, &str, &str)]) -> (tempfile::TempDir, TestServer) {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    for (id, name, description) in extra {
        let record = json!({"id": id, "name": name, "description": {"sq": description},
                            "address": {"municipality": "Berat"}});
        let (status, body) = server.post("/api/v1/organisations", &record).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    (dir, server)
}

async fn search(server: &TestServer, query: &str) -> Value {
    let (status, body) = server.get(&format!("/api/v1/search?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    body
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_inflected_form_finds_the_other_forms_of_the_word() {
    let (_dir, server) = spawn_with(&[
        ("alfa", "Organizata Alfa", "Ndihmon organizatat e vogla."),
        ("beta", "Shoqëria Beta", "Punon me shoqërinë."),
    ])
    .await;
    for (query, id) in [
        ("organizatave", "alfa"),
        ("organizatës", "alfa"),
        ("organizate", "alfa"),
        ("shoqerise", "beta"),
        ("shoqëri", "beta"),
    ] {
        let ids = server.search_ids(&format!("q={}", encode(query))).await;
        assert!(ids.contains(&id.to_owned()), "{query}: {ids:?}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_exact_form_ranks_above_another_form_of_the_word() {
    let (_dir, server) = spawn_with(&[
        ("other-form", "Rrjeti Alfa", "Mbështet organizatat."),
        ("exact-form", "Rrjeti Beta", "Mbështet organizatën."),
    ])
    .await;
    let ids = server.search_ids("q=organizaten&type=organisation").await;
    assert_eq!(ids[0], "exact-form");
    assert!(ids.contains(&"other-form".to_owned()), "{ids:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn english_text_matches_other_english_forms() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    // The fixture has "public procurement monitoring" and "Protects the coast".
    let ids = server.search_ids("q=monitors%20procurement").await;
    assert!(ids.contains(&"transparenca-durres".to_owned()), "{ids:?}");
    let ids = server.search_ids("q=protecting%20coasts").await;
    assert_eq!(ids, ["mjedisi-vlore"]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_typo_is_tolerated_but_ranks_below_the_spelling_typed() {
    let (_dir, server) = spawn_with(&[
        ("right", "Shoqata Vortex", "Punon."),
        ("typed", "Shoqata Alfa", "Punon me projektin vortx."),
    ])
    .await;
    // One typo from five letters: "vortx" finds Vortex, after the record that has "vortx".
    assert_eq!(server.search_ids("q=vortx").await, ["typed", "right"]);
    // A word many records have is taken as meant: no typos.
    assert_eq!(
        server.search_ids("q=punon&type=organisation").await.len(),
        2
    );
    // Two typos from nine letters.
    let ids = server.search_ids("q=prokurimt%20publkut").await;
    assert!(ids.contains(&"transparenca-durres".to_owned()), "{ids:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn acronyms_and_codes_get_no_typo_tolerance() {
    let (_dir, server) = spawn_with(&[("ab", "Shoqata ABCDE", "Punon.")]).await;
    assert_eq!(server.search_ids("q=ABCDE").await, ["ab"]);
    let body = search(&server, "q=ABCDF").await;
    assert_eq!(body["total"], 0, "{body}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn acronyms_and_synonyms_find_what_they_stand_for() {
    let (_dir, server) = spawn_with(&[
        (
            "oshc",
            "Qendra Alfa",
            "Është organizatë e shoqërisë civile në Berat.",
        ),
        (
            "ojf",
            "Qendra Beta",
            "Një organizatë jofitimprurëse në Berat.",
        ),
    ])
    .await;
    for (query, id) in [
        ("OSHC Berat", "oshc"),
        ("CSO Berat", "oshc"),
        ("civil society organisation Berat", "oshc"),
        ("NGO Berat", "ojf"),
        ("OJF Berat", "ojf"),
    ] {
        let ids = server.search_ids(&format!("q={}", encode(query))).await;
        assert_eq!(
            ids.first().map(String::as_str),
            Some(id),
            "{query}: {ids:?}"
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_match_in_the_name_ranks_above_one_in_the_description() {
    let (_dir, server) = spawn_with(&[
        (
            "in-description",
            "Shoqata Alfa",
            "Ndihmon bletaret e zonës.",
        ),
        ("in-name", "Bletarët e Beratit", "Ndihmon fermerët e zonës."),
    ])
    .await;
    assert_eq!(
        server.search_ids("q=bletaret").await,
        ["in-name", "in-description"]
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn equal_scores_put_the_most_recently_updated_profile_first() {
    let (_dir, server) = spawn_with(&[]).await;
    let record = |name: &str, text: &str| json!({"name": name, "description": {"sq": text}, "address": {"municipality": "Berat"}});
    let second = std::time::Duration::from_millis(1100);
    for (id, name) in [("first", "Shoqata Ulliri"), ("second", "Shoqata Qershia")] {
        let (status, body) = server
            .put(
                &format!("/api/v1/organisations/{id}"),
                &record(name, "Punon."),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        tokio::time::sleep(second).await;
    }
    let ids = server.search_ids("q=shoqata&type=organisation").await;
    assert_eq!(ids[..2], ["second", "first"]);
    let (status, body) = server
        .put(
            "/api/v1/organisations/first",
            &record("Shoqata Ulliri", "Punon."),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ids = server.search_ids("q=shoqata&type=organisation").await;
    assert_eq!(ids[..2], ["first", "second"]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_words_as_a_phrase_rank_above_the_words_apart() {
    let (_dir, server) = spawn_with(&[
        (
            "apart",
            "Shoqata Alfa",
            "Ullinjve u kushtohet kujdes dhe kultivim perimesh.",
        ),
        ("phrase", "Shoqata Beta", "Kultivim i ullinjve në kodra."),
    ])
    .await;
    let ids = server.search_ids("q=kultivim%20i%20ullinjve").await;
    assert_eq!(&ids[..2], ["phrase", "apart"]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn highlights_mark_the_matched_words_and_escape_the_rest() {
    let (_dir, server) = spawn_with(&[(
        "html",
        "Shoqata <b>Mjedisi</b> & Natyra",
        "Mbron mjedisin e <script>alert(1)</script> Beratit.",
    )])
    .await;
    let body = search(&server, "q=mjedisi%20berat&highlight=true").await;
    let hit = body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == "html")
        .expect("the record is found");
    assert_eq!(
        hit["highlights"]["name"],
        "Shoqata &lt;b&gt;<mark>Mjedisi</mark>&lt;/b&gt; &amp; Natyra"
    );
    assert_eq!(
        hit["highlights"]["description"],
        "Mbron <mark>mjedisin</mark> e &lt;script&gt;alert(1)&lt;/script&gt; <mark>Beratit</mark>."
    );
    let plain = search(&server, "q=mjedisi%20berat").await;
    assert!(plain["hits"][0].get("highlights").is_none());
    server.stop().await;
}

/// Without words there is nothing to mark: every hit still carries its (empty) highlights, as
/// a page that always asks for them expects.
#[tokio::test(flavor = "multi_thread")]
async fn a_search_without_words_has_empty_highlights() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let body = search(&server, "county=Shkod%C3%ABr&highlight=true").await;
    let hits = body["hits"].as_array().unwrap();
    assert!(!hits.is_empty(), "{body}");
    for hit in hits {
        assert_eq!(hit["highlights"], json!({}), "{hit}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_query_without_results_gets_a_respelling_that_has_some() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    // Two typos in eight letters are beyond typo tolerance (one), within "did you mean" (two).
    let body = search(&server, "q=mjadisar").await;
    assert_eq!(body["total"], 0, "{body}");
    assert_eq!(body["did_you_mean"], "mjedisor");
    let body = search(&server, "q=mjedisor").await;
    assert!(body["did_you_mean"].is_null());
    let body = search(&server, "q=qwxzv").await;
    assert!(body["did_you_mean"].is_null(), "{body}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn when_no_record_matches_every_word_the_best_partial_matches_are_marked_partial() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let body = search(&server, "q=monitorim%20prokurimit").await;
    assert_eq!(body["partial"], false);
    let body = search(&server, "q=monitorim%20korca").await;
    assert_eq!(body["partial"], true, "{body}");
    assert!(body["total"].as_u64().unwrap() > 0);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn suggestions_complete_names_acronyms_and_expertise_tags() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let (status, body) = server.get("/api/v1/suggest?q=Fondacioni%20Gru").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["names"][0]["id"], "grate-tirane");
    assert_eq!(body["names"][0]["name"], "Fondacioni Gruaja Sot");
    let (_, body) = server.get("/api/v1/suggest?q=qscs").await;
    assert_eq!(body["names"][0]["acronym"], "QSCSH");
    let (_, body) = server.get("/api/v1/suggest?q=prok").await;
    assert_eq!(
        body["expertise"][0],
        json!({"tag": "monitorim i prokurimit publik", "count": 2})
    );
    let (_, body) = server.get("/api/v1/suggest?q=gender%20b").await;
    assert_eq!(body["expertise"][0]["tag"], "gender budgeting");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_record_no_longer_feeds_suggestions() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    assert_eq!(
        server.delete("/api/v1/organisations/grate-tirane").await,
        StatusCode::NO_CONTENT
    );
    let (_, body) = server.get("/api/v1/suggest?q=gender").await;
    assert_eq!(body["expertise"], json!([]), "{body}");
    let (_, body) = server.get("/api/v1/suggest?q=Fondacioni%20Gru").await;
    assert_eq!(body["names"], json!([]), "{body}");
    server.stop().await;
}

/// The first letters typed are answered from memory until the index changes: a record created
/// or deleted since is suggested, or no longer, at once.
#[tokio::test(flavor = "multi_thread")]
async fn suggestions_for_the_first_letters_follow_every_change() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let suggested = |body: &Value| {
        body["names"]
            .as_array()
            .unwrap()
            .iter()
            .any(|name| name["id"] == "zyra-e-re")
    };
    let (status, before) = server.get("/api/v1/suggest?q=zy").await;
    assert_eq!(status, StatusCode::OK, "{before}");
    assert!(!suggested(&before), "{before}");
    let (_, again) = server.get("/api/v1/suggest?q=ZY").await;
    assert_eq!(again, before);
    let record = json!({"id": "zyra-e-re", "name": "Zyra e Re",
                        "address": {"municipality": "Berat"}});
    let (status, body) = server.post("/api/v1/organisations", &record).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, after) = server.get("/api/v1/suggest?q=zy").await;
    assert!(suggested(&after), "{after}");
    assert_eq!(
        server.delete("/api/v1/organisations/zyra-e-re").await,
        StatusCode::NO_CONTENT
    );
    let (_, gone) = server.get("/api/v1/suggest?q=zy").await;
    assert!(!suggested(&gone), "{gone}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn suggest_rejects_bad_parameters_with_a_clear_error() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    for (query, field) in [
        ("", "q"),
        ("q=a&limit=0", "limit"),
        ("q=a&limit=abc", "limit"),
        ("q=a&colour=red", "colour"),
    ] {
        let (status, body) = server.get(&format!("/api/v1/suggest?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["error"]["field"], field, "{query}: {body}");
    }
    let long = "a".repeat(101);
    let (status, _) = server.get(&format!("/api/v1/suggest?q={long}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn facet_values_carry_albanian_and_english_labels() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let body = search(
        &server,
        "facets=thematic_area,county,network,code_of_standards",
    )
    .await;
    let value = |facet: &str, value: &str| {
        body["facets"][facet]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["value"] == value)
            .cloned()
            .unwrap_or_else(|| panic!("{facet} {value}: {body}"))
    };
    let environment = value("thematic_area", "environment");
    assert!(
        environment["label"]["sq"]
            .as_str()
            .unwrap()
            .starts_with("Mjedis")
    );
    assert!(
        environment["label"]["en"]
            .as_str()
            .unwrap()
            .starts_with("Environment")
    );
    assert_eq!(value("county", "Shkodër")["label"]["sq"], "Shkodër");
    assert_eq!(
        value("network", "rrjeti-mjedisor")["label"]["sq"],
        "Rrjeti Mjedisor Kombëtar"
    );
    assert_eq!(
        value("code_of_standards", "true")["label"]["en"],
        "Code of Standards signatory"
    );
    server.stop().await;
}

/// Network labels are read once and kept: a renamed network shows its new name, and a deleted
/// one drops out of the facet.
#[tokio::test(flavor = "multi_thread")]
async fn a_network_facet_label_follows_renames_and_deletions() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let label = |body: &Value| -> Option<Value> {
        let values = body["facets"]["network"].as_array()?;
        let value = values.iter().find(|v| v["value"] == "rrjeti-mjedisor")?;
        Some(value["label"]["sq"].clone())
    };
    let before = search(&server, "facets=network").await;
    assert_eq!(label(&before), Some(json!("Rrjeti Mjedisor Kombëtar")));

    let rename = json!({"name": "Rrjeti i Gjelbër"});
    let (status, body) = server
        .send(
            reqwest::Method::PATCH,
            "/api/v1/networks/rrjeti-mjedisor",
            Some(&rename),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let renamed = search(&server, "facets=network").await;
    assert_eq!(label(&renamed), Some(json!("Rrjeti i Gjelbër")));

    let status = server.delete("/api/v1/networks/rrjeti-mjedisor").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let deleted = search(&server, "facets=network").await;
    assert_eq!(label(&deleted), None, "{deleted}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_selected_facet_value_leaves_the_other_values_of_its_field_countable() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let all = search(&server, "facets=thematic_area,scope").await;
    let selected = search(
        &server,
        "thematic_area=environment&facets=thematic_area,scope",
    )
    .await;
    // The field's own filter is left out of its counts...
    assert_eq!(
        facet_counts(&selected, "thematic_area"),
        facet_counts(&all, "thematic_area")
    );
    // ...but applies to the other fields' counts.
    let scope = facet_counts(&selected, "scope");
    assert_eq!(
        scope.values().sum::<u64>(),
        selected["total"].as_u64().unwrap()
    );
    assert!(selected["total"].as_u64().unwrap() < all["total"].as_u64().unwrap());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn no_query_text_breaks_the_search() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let long_words = "mjedis ".repeat(70);
    for text in [
        "\"shoqëri civile",
        "(mjedis OR rini) AND NOT",
        "name:mjedis",
        "+mjedis -rini",
        "mjed*",
        "mjedis~2",
        "title:\"a b\"~3^2",
        "[2000 TO 2020]",
        "{}",
        "\\",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "🙂 🌍",
        "ë ç Ë Ç",
        "   ",
        "e të në",
        long_words.as_str(),
    ] {
        let (status, body) = server
            .get(&format!("/api/v1/search?q={}&highlight=true", encode(text)))
            .await;
        assert_eq!(status, StatusCode::OK, "{text:?}: {body}");
        let (status, body) = server
            .get(&format!("/api/v1/suggest?q={}", encode(text)))
            .await;
        assert!(
            status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
            "{text:?}: {body}"
        );
    }
    let (status, body) = server
        .get(&format!("/api/v1/search?q={}", "a".repeat(1000)))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["field"], "q");
    server.stop().await;
}
