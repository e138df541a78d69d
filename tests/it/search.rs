//! Full-text search, filters, facets, sorting and paging. Filters and facet counts are checked
//! against a brute-force scan of the records that were imported.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::StatusCode;
use rrjeti::ingest::demo;
use rrjeti::model::{Address, Record};
use serde_json::Value;

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread")]
async fn text_typed_without_diacritics_finds_text_with_them() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    assert_eq!(
        server.search_ids("q=shoqeri%20civile").await,
        ["shoqeri-civile-shkoder"]
    );
    assert_eq!(
        server.search_ids("q=LEVIZJA%20rinore").await,
        ["rinia-korce"]
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_word_of_the_query_must_match() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    assert_eq!(
        sorted(server.search_ids("q=monitorim%20prokurimit").await),
        ["shoqeri-civile-shkoder", "transparenca-durres"]
    );
    // Nothing matches both words: the partial matches that come instead say so.
    let (_, body) = server.get("/api/v1/search?q=monitorim%20korca").await;
    assert_eq!(body["partial"], true, "{body}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_last_word_matches_as_a_prefix() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    assert!(
        server
            .search_ids("q=mjedis")
            .await
            .contains(&"mjedisi-vlore".to_owned())
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn place_names_in_the_query_match_the_address_in_any_form() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    // "Korça" is the definite form of the municipality Korçë.
    assert_eq!(server.search_ids("q=korca").await, ["rinia-korce"]);
    assert_eq!(
        server.search_ids("q=gruaja%20tirane").await,
        ["grate-tirane"]
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn taxonomy_labels_are_searchable_in_both_languages() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let english = server.search_ids("q=gender%20equality").await;
    assert_eq!(english, ["grate-tirane"]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_match_ranks_above_a_description_match() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let body = serde_json::json!({"id": "zeri-i-qytetarit", "name": "Zëri i Qytetarit",
        "description": {"sq": "Punon për transparencë në bashki."}});
    server.post("/api/v1/organisations", &body).await;
    let ids = server.search_ids("q=transparence").await;
    assert_eq!(ids.len(), 3);
    assert_eq!(
        sorted(ids[..2].to_vec()),
        ["koalicioni-transparenca", "transparenca-durres"]
    );
    assert_eq!(ids[2], "zeri-i-qytetarit");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn hits_carry_type_id_name_score_and_summary_fields() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let (_, body) = server.get("/api/v1/search?q=vlora").await;
    let hit = &body["hits"][0];
    assert_eq!(hit["type"], "organisation");
    assert_eq!(hit["id"], "mjedisi-vlore");
    assert_eq!(hit["name"], "Shoqata Mjedisore Vlora");
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    assert_eq!(hit["municipality"], "Vlorë");
    assert_eq!(hit["county"], "Vlorë");
    assert_eq!(hit["thematic_areas"], serde_json::json!(["environment"]));
    assert_eq!(hit["version"], 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn type_restricts_to_organisations_or_networks() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    assert_eq!(
        sorted(server.search_ids("type=network").await),
        ["koalicioni-transparenca", "rrjeti-mjedisor"]
    );
    assert_eq!(
        server.search_ids("type=organisation&limit=100").await.len(),
        5
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sort_by_name_ignores_case_and_diacritics() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let (_, body) = server
        .get("/api/v1/search?type=organisation&sort=name")
        .await;
    let names: Vec<&str> = body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Fondacioni Gruaja Sot",
            "Instituti për Transparencë",
            "Lëvizja Rinore Korça",
            "Qendra për Shoqëri Civile Shkodër",
            "Shoqata Mjedisore Vlora"
        ]
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sort_by_founded_year_puts_the_oldest_first() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    assert_eq!(
        server
            .search_ids("type=organisation&sort=founded_year")
            .await,
        [
            "grate-tirane",
            "shoqeri-civile-shkoder",
            "transparenca-durres",
            "mjedisi-vlore",
            "rinia-korce"
        ]
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sort_by_updated_puts_the_latest_change_first() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    // Timestamps have one-second resolution: wait so the update is strictly newer.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    server
        .put(
            "/api/v1/organisations/rinia-korce",
            &serde_json::json!({"name": "Lëvizja Rinore Korça"}),
        )
        .await;
    assert_eq!(
        server.search_ids("type=organisation&sort=updated").await[0],
        "rinia-korce"
    );
    server.stop().await;
}

/// The filter values of a record, computed from the record itself: the reference the index is
/// checked against.
fn filter_values(
    record: &Record,
    networks: &BTreeMap<String, Vec<String>>,
) -> BTreeMap<&'static str, Vec<String>> {
    let mut values: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let (thematic, scope, address) = match record {
        Record::Organisation(o) => (&o.thematic_areas, &o.scope, &o.address),
        Record::Network(n) => (&n.thematic_areas, &n.scope, &n.address),
    };
    let mut addresses: Vec<&Address> = address.iter().collect();
    if let Record::Organisation(o) = record {
        addresses.extend(o.sites.iter().filter_map(|s| s.address.as_ref()));
    }
    let distinct = |values: Vec<String>| -> Vec<String> {
        values
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    values.insert("thematic_area", thematic.clone());
    values.insert("scope", scope.iter().cloned().collect());
    values.insert(
        "county",
        distinct(addresses.iter().filter_map(|a| a.county.clone()).collect()),
    );
    values.insert(
        "municipality",
        distinct(
            addresses
                .iter()
                .filter_map(|a| a.municipality.clone())
                .collect(),
        ),
    );
    if let Record::Organisation(o) = record {
        values.insert("target_group", o.target_groups.clone());
        values.insert("service", o.services.clone());
        values.insert("legal_form", o.legal_form.iter().cloned().collect());
        values.insert("code_of_standards", vec![o.code_of_standards.to_string()]);
        values.insert("network", networks.get(&o.id).cloned().unwrap_or_default());
    }
    values
}

struct Generated {
    records: Vec<Record>,
    /// Organisation id → ids of the networks it currently belongs to.
    networks: BTreeMap<String, Vec<String>>,
}

fn generated(organisations: usize, networks: usize) -> Generated {
    let mut records = Vec::new();
    demo::generate(organisations, networks, 7, &mut |record| {
        records.push(record)
    });
    let mut membership: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for record in &records {
        if let Record::Network(network) = record {
            for member in network.members.iter().filter(|m| m.until.is_none()) {
                membership
                    .entry(member.organisation.clone())
                    .or_default()
                    .push(network.id.clone());
            }
        }
    }
    Generated {
        records,
        networks: membership,
    }
}

async fn spawn_with_generated(dir: &std::path::Path, generated: &Generated) -> TestServer {
    let server = spawn(dir).await;
    let lines: String = generated
        .records
        .iter()
        .map(|r| format!("{}\n", r.to_tagged_json()))
        .collect();
    let (status, report) = server.import(lines).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["failed"], 0, "{report}");
    assert_eq!(report["indexed"], true);
    server
}

const FILTERS: [&str; 9] = [
    "thematic_area",
    "target_group",
    "service",
    "scope",
    "legal_form",
    "county",
    "municipality",
    "network",
    "code_of_standards",
];

#[tokio::test(flavor = "multi_thread")]
async fn each_filter_returns_exactly_the_records_with_that_value() {
    let data = generated(400, 12);
    let dir = data_dir();
    let server = spawn_with_generated(dir.path(), &data).await;
    for field in FILTERS {
        let mut by_value: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for record in &data.records {
            for value in filter_values(record, &data.networks)
                .remove(field)
                .unwrap_or_default()
            {
                by_value
                    .entry(value)
                    .or_default()
                    .insert(record.id().to_owned());
            }
        }
        assert!(
            !by_value.is_empty(),
            "{field} has values in the generated data"
        );
        // The three most common values and the rarest, to cover both ends.
        let mut values: Vec<_> = by_value.iter().collect();
        values.sort_by_key(|(_, ids)| std::cmp::Reverse(ids.len()));
        let rarest = values.last().cloned();
        for (value, expected) in values.into_iter().take(3).chain(rarest) {
            let query = format!("{field}={}", urlencode(value));
            let found: BTreeSet<String> = server
                .search_all(&query)
                .await
                .iter()
                .map(|h| h["id"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(&found, expected, "{query}");
        }
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn values_of_one_field_are_or_ed_and_fields_are_and_ed() {
    let data = generated(400, 12);
    let dir = data_dir();
    let server = spawn_with_generated(dir.path(), &data).await;
    let expected: BTreeSet<String> = data
        .records
        .iter()
        .filter(|r| {
            let values = filter_values(r, &data.networks);
            let themes = &values["thematic_area"];
            let scope = &values["scope"];
            (themes.contains(&"youth".to_owned()) || themes.contains(&"health".to_owned()))
                && scope.contains(&"national".to_owned())
        })
        .map(|r| r.id().to_owned())
        .collect();
    assert!(!expected.is_empty());
    let found: BTreeSet<String> = server
        .search_all("thematic_area=youth&thematic_area=health&scope=national")
        .await
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(found, expected);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn facet_counts_equal_a_count_over_the_matching_records() {
    let data = generated(400, 12);
    let dir = data_dir();
    let server = spawn_with_generated(dir.path(), &data).await;
    let (status, body) = server
        .get(&format!(
            "/api/v1/search?scope=local&facets={}",
            FILTERS.join(",")
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    for field in FILTERS {
        let mut expected: BTreeMap<String, u64> = BTreeMap::new();
        for record in &data.records {
            let values = filter_values(record, &data.networks);
            // The field filtered on is counted without its own filter (disjunctive facets).
            if field != "scope" && !values["scope"].contains(&"local".to_owned()) {
                continue;
            }
            for value in values.get(field).cloned().unwrap_or_default() {
                *expected.entry(value).or_default() += 1;
            }
        }
        assert_eq!(facet_counts(&body, field), expected, "facet {field}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn paging_with_the_cursor_visits_every_hit_once() {
    let data = generated(400, 12);
    let dir = data_dir();
    let server = spawn_with_generated(dir.path(), &data).await;
    for query in [
        "",
        "q=shoqata",
        "sort=founded_year",
        "sort=name&type=organisation",
    ] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let total = loop {
            let mut path = format!("/api/v1/search?limit=7&{query}");
            if let Some(cursor) = &cursor {
                path.push_str(&format!("&cursor={cursor}"));
            }
            let (_, body): (_, Value) = server.get(&path).await;
            seen.extend(ids(&body));
            match body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break body["total"].as_u64().unwrap(),
            }
        };
        let unique: BTreeSet<_> = seen.iter().cloned().collect();
        assert_eq!(unique.len(), seen.len(), "{query}: no duplicates");
        assert_eq!(seen.len() as u64, total, "{query}: no gaps");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_query_lists_everything() {
    let data = generated(150, 5);
    let dir = data_dir();
    let server = spawn_with_generated(dir.path(), &data).await;
    let (_, body) = server.get("/api/v1/search").await;
    assert_eq!(body["total"].as_u64().unwrap() as usize, data.records.len());
    assert_eq!(body["hits"].as_array().unwrap().len(), 20);
    server.stop().await;
}

fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
