//! Engine benchmarks: search inside the directory, without HTTP.
//!
//! - `search/demo/*`: text, filters and facets on the committed demo dataset (1,540 records).
//! - `text/{size}/*`: text queries (inflected, misspelt, English, synonyms, highlights, facets)
//!   and suggestions, and
//! - `geo/{size}/*`: geographic filters alone and with a text query, on generated directories
//!   of `RRJETI_BENCH_SIZES` organisations (default 100000; add 1000000 for the large case),
//!   kept for later runs in `RRJETI_BENCH_DATA` when that is set.
//!
//! Figures are recorded in BENCHMARKS.md.

mod support;

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use geo::{LineString, MultiPolygon, Polygon};
use rrjeti::geography::{Area, GeoPoint};
use rrjeti::search::{FilterField, SearchRequest, Sort};
use support::{directory_with, sizes};

fn request(
    text: &str,
    filters: Vec<(FilterField, Vec<String>)>,
    facets: Vec<FilterField>,
) -> SearchRequest {
    SearchRequest {
        text: text.to_owned(),
        filters,
        facets,
        ..SearchRequest::new()
    }
}

fn demo_search(c: &mut Criterion) {
    let (_dir, directory) = directory_with(rrjeti::DEMO_DATASET.lines().map(str::to_owned));
    let cases = [
        ("one word", request("mjedis", vec![], vec![])),
        (
            "two words without diacritics",
            request("shoqeri civile", vec![], vec![]),
        ),
        (
            "one word, two filters, county facet",
            request(
                "rinore",
                vec![
                    (FilterField::Scope, vec!["local".into()]),
                    (FilterField::ThematicArea, vec!["youth".into()]),
                ],
                vec![FilterField::County],
            ),
        ),
        (
            "everything with all facets",
            request("", vec![], FilterField::ALL.to_vec()),
        ),
    ];
    for (name, request) in cases {
        c.bench_function(&format!("search/demo/{name}"), |b| {
            b.iter(|| directory.search(&request).unwrap())
        });
    }
}

fn geo_search(c: &mut Criterion) {
    let tirana = GeoPoint::new(41.3275, 19.8187);
    let durres_pentagon = {
        let ring: Vec<(f64, f64)> = vec![
            (19.40, 41.28),
            (19.52, 41.27),
            (19.56, 41.36),
            (19.47, 41.42),
            (19.38, 41.36),
            (19.40, 41.28),
        ];
        Area::Shape(MultiPolygon::new(vec![Polygon::new(
            LineString::from(ring),
            vec![],
        )]))
    };
    let radius = Area::Circle {
        center: tirana,
        radius_km: 10.0,
    };
    let rect = Area::Rect {
        min_lon: 19.7,
        min_lat: 41.25,
        max_lon: 19.95,
        max_lat: 41.4,
    };
    for size in sizes() {
        let (_dir, directory) = support::demo_directory(size);
        let with = |text: &str, areas: Vec<Area>| SearchRequest {
            text: text.to_owned(),
            areas,
            near: Some(tirana),
            ..SearchRequest::new()
        };
        let cases = [
            ("text alone", with("mjedis", vec![])),
            ("radius 10 km", with("", vec![radius.clone()])),
            ("radius 10 km + text", with("mjedis", vec![radius.clone()])),
            ("selective text alone", with("prokurimit", vec![])),
            (
                "radius 10 km + selective text",
                with("prokurimit", vec![radius.clone()]),
            ),
            (
                "radius 10 km + text, sorted by distance",
                SearchRequest {
                    sort: Sort::Distance,
                    ..with("mjedis", vec![radius.clone()])
                },
            ),
            ("box", with("", vec![rect.clone()])),
            ("box + text", with("mjedis", vec![rect.clone()])),
            ("polygon", with("", vec![durres_pentagon.clone()])),
            (
                "polygon + text",
                with("mjedis", vec![durres_pentagon.clone()]),
            ),
            (
                "within county",
                SearchRequest {
                    within: vec!["AL-10".into()],
                    ..SearchRequest::new()
                },
            ),
            (
                "within county + text",
                SearchRequest {
                    text: "mjedis".into(),
                    within: vec!["AL-10".into()],
                    ..SearchRequest::new()
                },
            ),
        ];
        let text_cases = [
            ("one word", request("mjedis", vec![], vec![])),
            (
                "two words without diacritics",
                request("shoqeri civile", vec![], vec![]),
            ),
            ("inflected", request("organizatave rinore", vec![], vec![])),
            ("misspelt", request("prokurimt publik", vec![], vec![])),
            (
                "english",
                request("public procurement monitoring", vec![], vec![]),
            ),
            ("acronym synonym", request("OSHC mjedisore", vec![], vec![])),
            (
                "nothing matches all words (relaxed, did you mean)",
                request("mjedis qwzx", vec![], vec![]),
            ),
            (
                "highlights",
                SearchRequest {
                    highlight: true,
                    ..request("monitorim prokurimi", vec![], vec![])
                },
            ),
            (
                "two facet filters + facet counts",
                request(
                    "rinore",
                    vec![
                        (FilterField::Scope, vec!["local".into()]),
                        (FilterField::ThematicArea, vec!["youth".into()]),
                    ],
                    vec![
                        FilterField::County,
                        FilterField::ThematicArea,
                        FilterField::Scope,
                    ],
                ),
            ),
        ];
        let mut group = c.benchmark_group(format!("text/{size}"));
        group
            .measurement_time(Duration::from_secs(4))
            .sample_size(50);
        for (name, request) in text_cases {
            group.bench_function(name, |b| b.iter(|| directory.search(&request).unwrap()));
        }
        for prefix in ["prok", "shoqata e", "Qendra Ko"] {
            group.bench_function(format!("suggest {prefix:?}"), |b| {
                b.iter(|| directory.suggest(prefix, 8).unwrap())
            });
        }
        group.finish();
        let mut group = c.benchmark_group(format!("geo/{size}"));
        group
            .measurement_time(Duration::from_secs(4))
            .sample_size(50);
        for (name, request) in cases {
            group.bench_function(name, |b| b.iter(|| directory.search(&request).unwrap()));
        }
        group.finish();
    }
}

criterion_group!(benches, demo_search, geo_search);
criterion_main!(benches);
