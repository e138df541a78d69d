//! Online backup: a consistent copy of the database while the server keeps writing. The live
//! database is opened as a RocksDB secondary instance (no lock, every file held open, so the
//! primary's compactions cannot pull files away), which is one point-in-time view; every column
//! family is copied from it into a fresh database. Restoring copies a backup the same way.

use std::path::Path;

use rocksdb::{DB, IteratorMode, Options, WriteBatch, WriteOptions};

use super::StoreError;
use super::rocks::FAMILIES;

/// Key-value pairs written per batch while copying.
const BATCH: usize = 10_000;

/// Copies the database at `live` (which a server may have open) into a new database at
/// `destination`, which must not exist. Returns the number of key-value pairs copied.
pub fn backup(live: &Path, destination: &Path) -> Result<u64, StoreError> {
    let scratch = tempfile_dir(destination)?;
    let mut options = Options::default();
    options.set_max_open_files(-1);
    let source = DB::open_cf_as_secondary(&options, live, &scratch, FAMILIES)?;
    source.try_catch_up_with_primary()?;
    let copied = copy(&source, destination);
    drop(source);
    let _ = std::fs::remove_dir_all(&scratch);
    copied
}

/// Copies the closed database at `source` into a new database at `destination`.
pub fn restore(source: &Path, destination: &Path) -> Result<u64, StoreError> {
    let source = DB::open_cf_for_read_only(&Options::default(), source, FAMILIES, false)?;
    copy(&source, destination)
}

fn copy(source: &DB, destination: &Path) -> Result<u64, StoreError> {
    let mut options = Options::default();
    options.create_if_missing(true);
    options.create_missing_column_families(true);
    options.set_error_if_exists(true);
    options.set_compression_type(rocksdb::DBCompressionType::Lz4);
    let target = DB::open_cf(&options, destination, FAMILIES)?;
    let mut copied = 0;
    for family in FAMILIES {
        let (Some(from), Some(to)) = (source.cf_handle(family), target.cf_handle(family)) else {
            continue;
        };
        let mut batch = WriteBatch::default();
        for entry in source.iterator_cf(from, IteratorMode::Start) {
            let (key, value) = entry?;
            batch.put_cf(to, key, value);
            copied += 1;
            if batch.len() >= BATCH {
                target.write(std::mem::take(&mut batch))?;
            }
        }
        target.write(batch)?;
    }
    let mut synced = WriteOptions::default();
    synced.set_sync(true);
    target.write_opt(WriteBatch::default(), &synced)?;
    // Into table files, so that the copy is whole without its write-ahead log.
    for family in FAMILIES {
        if let Some(handle) = target.cf_handle(family) {
            target.flush_cf(handle)?;
        }
    }
    Ok(copied)
}

/// A scratch directory for the secondary instance's own files, beside the destination.
fn tempfile_dir(destination: &Path) -> Result<std::path::PathBuf, StoreError> {
    let name = format!(
        ".{}.secondary",
        destination
            .file_name()
            .map_or_else(|| "backup".into(), |n| n.to_string_lossy())
    );
    let scratch = destination.with_file_name(name);
    std::fs::create_dir_all(&scratch).map_err(StoreError::Io)?;
    Ok(scratch)
}
