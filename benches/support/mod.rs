//! What the benchmarks share: generated directories of demo data, fully indexed.
// Each benchmark binary uses part of what is here.
#![allow(dead_code)]

use std::time::Duration;

use rrjeti::directory::{Directory, Options};
use rrjeti::ingest::demo;

/// Indexing threads, as `rrjeti import` and `serve` use on this 2-core machine.
pub const WRITER_THREADS: usize = 2;

/// `organisations` organisations (and one network per 250 of them, at least 40) made by
/// `demo-data --seed 1`, as NDJSON lines.
pub fn demo_lines(organisations: usize) -> Vec<String> {
    let mut lines = Vec::with_capacity(organisations + organisations / 250);
    demo::generate(
        organisations,
        (organisations / 250).max(40),
        1,
        &mut |record| lines.push(record.to_tagged_json().to_string()),
    );
    lines
}

/// Imports `lines` into `dir` and waits until all of them are searchable.
pub fn import_into(dir: &std::path::Path, lines: impl Iterator<Item = String>) -> Directory {
    let directory = Directory::open(
        dir,
        Options {
            writer_threads: WRITER_THREADS,
            ..Options::default()
        },
    )
    .unwrap();
    let report = directory.import(lines.map(Ok), &mut |_| {}).unwrap();
    assert_eq!(report.failed, 0);
    assert!(directory.wait_indexed_blocking(report.last_seq, Duration::from_secs(600)));
    directory
}

/// [`import_into`], then closed (which lets the indexer finish merging what the import wrote)
/// and opened again: a directory as `serve` finds it.
pub fn imported(dir: &std::path::Path, lines: impl Iterator<Item = String>) -> Directory {
    drop(import_into(dir, lines));
    Directory::open(
        dir,
        Options {
            writer_threads: WRITER_THREADS,
            ..Options::default()
        },
    )
    .unwrap()
}

/// A directory in a temporary folder holding `lines`, fully indexed.
pub fn directory_with(lines: impl Iterator<Item = String>) -> (tempfile::TempDir, Directory) {
    let dir = tempfile::tempdir().unwrap();
    let directory = imported(dir.path(), lines);
    (dir, directory)
}

/// A fully indexed directory of `organisations` demo organisations. With `RRJETI_BENCH_DATA`
/// set, it is kept in `$RRJETI_BENCH_DATA/{organisations}` and reused by later runs (importing a
/// million records takes minutes); otherwise it lives in a temporary folder.
pub fn demo_directory(organisations: usize) -> (Option<tempfile::TempDir>, Directory) {
    match std::env::var_os("RRJETI_BENCH_DATA") {
        Some(root) => {
            let dir = std::path::Path::new(&root).join(organisations.to_string());
            // Written once the import is complete, so that an interrupted one is not reused.
            let complete = dir.join("imported");
            let directory = if complete.exists() {
                Directory::open(
                    &dir,
                    Options {
                        writer_threads: WRITER_THREADS,
                        ..Options::default()
                    },
                )
                .unwrap()
            } else {
                let _ = std::fs::remove_dir_all(&dir);
                let directory = imported(&dir, demo_lines(organisations).into_iter());
                std::fs::write(complete, b"").unwrap();
                directory
            };
            (None, directory)
        }
        None => {
            let (dir, directory) = directory_with(demo_lines(organisations).into_iter());
            (Some(dir), directory)
        }
    }
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
