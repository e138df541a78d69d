//! Records from elsewhere: the deterministic demo-data generator. (NDJSON import and export go
//! through the directory, which owns every write.)

pub mod demo;
