//! Rrjeti: a directory of civil-society organisations, their networks and coalitions, with
//! full-text and geographic search.
//!
//! Layers, with dependencies pointing down only:
//! - [`model`] and [`geography`]: records, validation, taxonomy, administrative units,
//!   boundaries and distances (pure);
//! - [`store`] (RocksDB, the system of record) and [`search`] (tantivy, derived from the store);
//! - [`directory`]: the service, the only code that touches both;
//! - [`api`] (HTTP) and [`ingest`] (demo data) translate; the CLI lives in the binary.

pub mod api;
pub mod directory;
pub mod geography;
pub mod ingest;
pub mod model;
pub mod search;
pub mod store;
pub mod web;

/// The committed demo dataset, loaded by `serve` into an empty data directory.
pub const DEMO_DATASET: &str = include_str!("../data/demo/rrjeti-demo.ndjson");
