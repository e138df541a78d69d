//! Records from elsewhere and for elsewhere: the deterministic demo-data generator, and the
//! open-data formats (CSV, GeoJSON, Popolo, HSDS). Import and export of records go through
//! the directory, which owns every write.

pub mod demo;
pub mod formats;
