//! No input makes the server fail: generated JSON records (random shapes around the real field
//! names), query strings, NDJSON lines, and raw oddities (invalid UTF-8, deep nesting, wrong
//! content types) get an answer below 500, and validation never panics. Inputs come from
//! proptest strategies with a fixed seed, so a failure repeats.

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use reqwest::{Method, StatusCode};
use rrjeti::model::decode_record;
use serde_json::Value;

use crate::helpers::*;

/// Field names of the records, and some others, so that generated objects reach validation.
const KEYS: [&str; 24] = [
    "type",
    "id",
    "name",
    "acronym",
    "description",
    "sq",
    "en",
    "thematic_areas",
    "address",
    "municipality",
    "county",
    "country",
    "location",
    "lat",
    "lon",
    "sites",
    "members",
    "organisation",
    "role",
    "since",
    "contact",
    "email",
    "contact_persons",
    "founded_year",
];

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop_oneof![
            Just("organisation".to_owned()),
            Just("network".to_owned()),
            Just("Shkodër".to_owned()),
            Just("environment".to_owned()),
            ".{0,40}",
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            btree_map(
                prop_oneof![
                    proptest::sample::select(KEYS.to_vec()).prop_map(str::to_owned),
                    "[a-z_]{1,8}"
                ],
                inner,
                0..8,
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn query_string() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        proptest::sample::select(vec![
            "q",
            "type",
            "thematic_area",
            "county",
            "municipality",
            "near",
            "radius_km",
            "bbox",
            "within",
            "serves",
            "sort",
            "limit",
            "cursor",
            "facets",
            "highlight",
            "scope",
        ])
        .prop_map(str::to_owned),
        "[a-z_]{1,6}",
    ];
    let value = prop_oneof![
        ".{0,30}",
        "[0-9.,-]{0,20}",
        Just("%ZZ".to_owned()),
        Just("%C3%AB".to_owned())
    ];
    vec((name, value), 0..6).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    })
}

/// `count` inputs from a strategy, deterministically.
fn sample<T: std::fmt::Debug>(strategy: impl Strategy<Value = T>, count: usize) -> Vec<T> {
    let mut runner = TestRunner::deterministic();
    (0..count)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

#[test]
fn validation_never_panics_on_generated_records() {
    let mut runner = TestRunner::new(Config {
        cases: 3_000,
        rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
        ..Config::default()
    });
    runner
        .run(&json(), |value| {
            let _ = decode_record(value);
            Ok(())
        })
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn no_generated_request_gets_a_server_error() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let mut tried = 0;
    let mut server_errors = Vec::new();
    let mut check = |what: String, status: StatusCode| {
        tried += 1;
        if status.is_server_error() {
            server_errors.push(format!("{status} for {what}"));
        }
    };
    for body in sample(json(), 300) {
        for (method, path) in [
            (Method::POST, "/api/v1/organisations"),
            (Method::POST, "/api/v1/networks"),
            (Method::PUT, "/api/v1/organisations/generated"),
            (Method::PATCH, "/api/v1/organisations/mjedisi-vlore"),
            (Method::POST, "/api/v1/search"),
        ] {
            let (status, _) = server.send(method.clone(), path, Some(&body)).await;
            check(format!("{method} {path} {body}"), status);
        }
    }
    for query in sample(query_string(), 400) {
        for path in [
            "/api/v1/search",
            "/api/v1/suggest",
            "/api/v1/search.geojson",
            "/api/v1/units.geojson",
        ] {
            let response = server
                .client
                .get(format!("{}?{query}", server.url(path)))
                .send()
                .await
                .unwrap();
            check(format!("GET {path}?{query}"), response.status());
        }
    }
    for lines in sample(vec(json(), 1..5), 100) {
        let ndjson: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let (status, _) = server.import(ndjson.clone()).await;
        check(format!("import {ndjson}"), status);
    }
    let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    let raw: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "invalid UTF-8",
            vec![b'{', b'"', 0xff, 0xfe, b'"', b'}'],
            "application/json",
        ),
        ("deep nesting", deep.into_bytes(), "application/json"),
        ("wrong content type", b"<xml/>".to_vec(), "application/xml"),
        ("empty body", Vec::new(), "application/json"),
        ("over 1 MiB", vec![b' '; 1_100_000], "application/json"),
        ("a bare string", b"\"name\"".to_vec(), "text/plain"),
    ];
    for (what, body, content_type) in raw {
        for (method, path) in [
            (Method::POST, "/api/v1/organisations"),
            (Method::PATCH, "/api/v1/organisations/mjedisi-vlore"),
            (Method::POST, "/api/v1/search"),
            (Method::POST, "/api/v1/import"),
        ] {
            let response = server
                .client
                .request(method.clone(), server.url(path))
                .bearer_auth(TOKEN)
                .header("content-type", content_type)
                .body(body.clone())
                .send()
                .await
                .unwrap();
            check(format!("{what} to {method} {path}"), response.status());
        }
    }
    println!(
        "{tried} generated and odd requests, {} server errors",
        server_errors.len()
    );
    assert!(
        server_errors.is_empty(),
        "{:#?}",
        &server_errors[..server_errors.len().min(5)]
    );
    assert!(tried >= 3_200);
    server.stop().await;
}
