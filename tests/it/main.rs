//! Rrjeti's integration tests: one binary, one module per capability, shared helpers. Each test
//! starts the real server (RocksDB, tantivy, axum on a loopback port) over a fresh data directory.

mod helpers;

mod access;
mod backup;
mod browser;
mod cli;
mod concurrency;
mod connections;
mod crash;
mod demo;
mod errors;
mod geography;
mod history;
mod import_export;
mod limits;
mod memberships;
mod open_data;
mod openapi;
mod partners;
mod privacy;
mod quality;
mod records;
mod relevance;
mod restart;
mod robustness;
mod search;
mod stemming;
mod web;
mod webdriver;
