//! Lifecycle benchmarks at `RRJETI_BENCH_SIZES` organisations (default 100,000):
//!
//! - `lifecycle/{size}/import`: NDJSON lines into an empty data directory, through validation,
//!   RocksDB and the index, until the directory is closed: every record committed to the index,
//!   its segments merged and the store flushed (what `rrjeti import` does, with its options,
//!   without reading the file; before 2026-11-30 08:50 it stopped at the commit, before the
//!   merge, and indexed with two threads). Criterion reports records per second.
//! - `lifecycle/{size}/start-up`: opening an existing data directory whose index is current,
//!   ready to search (what `rrjeti serve` does before it listens).
//!
//! Figures are recorded in BENCHMARKS.md.

mod support;

use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use rrjeti::directory::{Directory, Options};
use rrjeti::search::SearchRequest;

fn lifecycle(c: &mut Criterion) {
    for size in support::sizes() {
        let lines = support::demo_lines(size);
        let mut group = c.benchmark_group(format!("lifecycle/{size}"));
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .measurement_time(support::SLOW_MEASUREMENT);
        group.throughput(Throughput::Elements(lines.len() as u64));
        group.bench_function("import", |b| {
            b.iter_custom(|iterations| {
                let mut spent = Duration::ZERO;
                for _ in 0..iterations {
                    let dir = tempfile::tempdir().unwrap();
                    let start = Instant::now();
                    let directory = Directory::open(dir.path(), Options::default()).unwrap();
                    let report = directory
                        .import(lines.iter().cloned().map(Ok), &mut |_| {})
                        .unwrap();
                    assert_eq!(report.failed, 0);
                    // Waits for the indexer to commit and merge, then flushes the store.
                    drop(directory);
                    spent += start.elapsed();
                }
                spent
            })
        });
        group
            .throughput(Throughput::Elements(1))
            .measurement_time(Duration::from_secs(20));
        let (dir, directory) = support::directory_with(lines.iter().cloned());
        drop(directory);
        group.bench_function("start-up", |b| {
            b.iter_custom(|iterations| {
                let mut spent = Duration::ZERO;
                for _ in 0..iterations {
                    let start = Instant::now();
                    let directory = Directory::open(
                        dir.path(),
                        Options {
                            writer_threads: support::WRITER_THREADS,
                            ..Options::default()
                        },
                    )
                    .unwrap();
                    // Ready means answering: the first search reads the index from disk.
                    let found = directory.search(&SearchRequest::new()).unwrap();
                    spent += start.elapsed();
                    assert_eq!(found.total, lines.len());
                    drop(directory);
                }
                spent
            })
        });
        group.finish();
    }
}

criterion_group!(benches, lifecycle);
criterion_main!(benches);
