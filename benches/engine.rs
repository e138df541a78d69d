//! Engine benchmarks on the committed demo dataset (1,540 records): search inside the directory,
//! without HTTP. The full query mix at 100,000 and 1,000,000 records comes with the performance
//! work; figures are recorded in BENCHMARKS.md.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use rrjeti::directory::{Directory, Options};
use rrjeti::search::{FilterField, SearchRequest};

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

fn search(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let directory = Directory::open(dir.path(), Options::default()).unwrap();
    let lines = rrjeti::DEMO_DATASET.lines().map(|l| Ok(l.to_owned()));
    let report = directory.import(lines, &mut |_| {}).unwrap();
    assert!(directory.wait_indexed_blocking(report.last_seq, Duration::from_secs(60)));
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

criterion_group!(benches, search);
criterion_main!(benches);
