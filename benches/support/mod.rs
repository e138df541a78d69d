//! What the benchmarks share: generated directories of demo data, fully indexed.

use std::time::Duration;

use rrjeti::directory::{Directory, Options};
use rrjeti::ingest::demo;

/// Indexing threads, as `rrjeti import` and `serve` use on this 2-core machine.
pub const WRITER_THREADS: usize = 2;

/// `organisations` organisations (and one network per 250 of them, at least 40) made by
/// `demo-data --seed 1`, as NDJSON lines.
pub fn demo_lines(organisations: usize) -> Vec<String> {
    let mut lines = Vec::with_capacity(organisations + organisations / 250);
    demo::generate(organisations, (organisations / 250).max(40), 1, &mut |record| {
        lines.push(record.to_tagged_json().to_string())
    });
    lines
}

/// Imports `lines` into `dir` and waits until all of them are searchable.
pub fn import_into(dir: &std::path::Path, lines: impl Iterator<Item = String>) -> Directory {
    let directory = Directory::open(
        dir,
        Options {
            writer_threads: WRITER_THREADS,
        },
    )
    .unwrap();
    let report = directory.import(lines.map(Ok), &mut |_| {}).unwrap();
    assert_eq!(report.failed, 0);
    assert!(directory.wait_indexed_blocking(report.last_seq, Duration::from_secs(600)));
    directory
}

/// A directory in a temporary folder holding `lines`, fully indexed.
pub fn directory_with(lines: impl Iterator<Item = String>) -> (tempfile::TempDir, Directory) {
    let dir = tempfile::tempdir().unwrap();
    let directory = import_into(dir.path(), lines);
    (dir, directory)
}

/// The sizes to measure: `RRJETI_BENCH_SIZES` (comma-separated), by default 100,000.
pub fn sizes() -> Vec<usize> {
    std::env::var("RRJETI_BENCH_SIZES")
        .unwrap_or_else(|_| "100000".to_owned())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect()
}

/// Long enough for criterion's ten samples of a run that takes seconds.
pub const SLOW_MEASUREMENT: Duration = Duration::from_secs(60);
