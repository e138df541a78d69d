//! Rebuilding the index from the store: into a fresh directory beside the old one, swapped in
//! only once complete, so a crash mid-rebuild leaves either the old index or nothing usable
//! (which the next start rebuilds again).

use std::path::Path;

use super::DirectoryError;
use super::indexer::related;
use crate::model::RecordKind;
use crate::search::SearchIndex;
use crate::store::Store;

/// Builds with `writer_threads` indexing threads; returns the number of records indexed. The
/// caller opens the new index with the threads it writes with afterwards.
pub(super) fn rebuild(
    store: &Store,
    index_dir: &Path,
    writer_threads: usize,
) -> Result<usize, DirectoryError> {
    let fresh_dir = index_dir.with_extension("rebuilding");
    if fresh_dir.exists() {
        std::fs::remove_dir_all(&fresh_dir)?;
    }
    // Nothing writes while this runs (it runs before a directory opens, or on a data directory
    // no server holds), so the index holds the store as of `seq`, every record once: added,
    // with no older document to look for.
    let seq = store.last_seq();
    let fresh = SearchIndex::create(&fresh_dir, writer_threads)?;
    fresh.set_bulk(true);
    let mut count = 0_usize;
    for kind in [RecordKind::Organisation, RecordKind::Network] {
        for record in store.records(kind) {
            let record = record?;
            let related = related(store, &record)?;
            fresh.add(&record, &related)?;
            count += 1;
        }
    }
    fresh.commit(seq)?;
    fresh.merge_all()?;
    drop(fresh);
    if index_dir.exists() {
        std::fs::remove_dir_all(index_dir)?;
    }
    std::fs::rename(&fresh_dir, index_dir)?;
    tracing::info!(records = count, seq, "search index rebuilt");
    Ok(count)
}
