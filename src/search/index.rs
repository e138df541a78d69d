//! The search index on disk: opening and checking it, the single writer (documents replaced by
//! key, commits that carry the last applied change-log sequence number), and searching.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use tantivy::collector::DocSetCollector;
use tantivy::indexer::{LogMergePolicy, NoMergePolicy};
use tantivy::query::AllQuery;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term};

use super::analysis;
use super::document::Related;
use super::execute;
use super::first_letters::FirstLetters;
use super::hits::hit;
use super::request::{SearchRequest, SearchResults};
use super::schema::{self, Fields, SCHEMA_VERSION};
use super::suggest::{self, Suggestion, Suggestions};
use super::{SearchError, document};
use crate::model::{Record, RecordKind};

/// What a commit carries, so start-up knows where to resume and whether the schema still fits.
#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    seq: u64,
    schema: u32,
}

/// What is on disk, before opening it for use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexState {
    /// Usable; holds every change up to `seq`.
    Current { seq: u64 },
    /// Missing, unreadable, or built by another schema version: rebuild from the store.
    NeedsRebuild { reason: String },
}

pub struct SearchIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    committed_seq: AtomicU64,
    /// Ahead of `committed_seq` while a bulk import runs: its documents are added as it writes
    /// and committed once when it ends.
    applied_seq: AtomicU64,
    /// Whether [`Self::set_bulk`] set bulk mode: a rollback's new writer gets its merge policy.
    bulk: AtomicBool,
    first_letters: FirstLetters,
}

/// The writer's indexing memory per thread, a ceiling (tantivy takes it as it needs it). 128 MB
/// held an import of 100,400 records in one segment, so nothing was merged at its end, but that
/// segment kept the first documents of its networks' members (8%), and searches on it took 5 to
/// 10% more CPU than on the merged one (BENCHMARKS.md, 2026-11-30 12:40).
const WRITER_MEMORY: usize = 64 * 1024 * 1024;

impl SearchIndex {
    pub fn inspect(dir: &Path) -> IndexState {
        if !dir.join("meta.json").exists() {
            return IndexState::NeedsRebuild {
                reason: "no index".into(),
            };
        }
        let index = match Index::open_in_dir(dir) {
            Ok(index) => index,
            Err(error) => {
                return IndexState::NeedsRebuild {
                    reason: format!("unreadable index: {error}"),
                };
            }
        };
        let (expected, _) = schema::build();
        if *index.schema().fields().map(|(_, e)| e).collect::<Vec<_>>()
            != *expected.fields().map(|(_, e)| e).collect::<Vec<_>>()
        {
            return IndexState::NeedsRebuild {
                reason: "schema changed".into(),
            };
        }
        let payload = index
            .load_metas()
            .ok()
            .and_then(|metas| metas.payload)
            .and_then(|p| serde_json::from_str::<Payload>(&p).ok());
        match payload {
            Some(Payload { seq, schema }) if schema == SCHEMA_VERSION => {
                IndexState::Current { seq }
            }
            Some(Payload { schema, .. }) => IndexState::NeedsRebuild {
                reason: format!("schema version {schema}, expected {SCHEMA_VERSION}"),
            },
            None => IndexState::NeedsRebuild {
                reason: "no commit payload".into(),
            },
        }
    }

    /// Opens an index that [`SearchIndex::inspect`] found current.
    pub fn open(dir: &Path, writer_threads: usize) -> Result<SearchIndex, SearchError> {
        let index = Index::open_in_dir(dir)?;
        let seq = match Self::inspect(dir) {
            IndexState::Current { seq } => seq,
            IndexState::NeedsRebuild { .. } => 0,
        };
        Self::with_index(index, writer_threads, seq)
    }

    /// Creates an empty index in `dir`, which must not hold one.
    pub fn create(dir: &Path, writer_threads: usize) -> Result<SearchIndex, SearchError> {
        std::fs::create_dir_all(dir)?;
        let (schema, _) = schema::build();
        let index = Index::create_in_dir(dir, schema)?;
        Self::with_index(index, writer_threads, 0)
    }

    fn with_index(
        index: Index,
        writer_threads: usize,
        seq: u64,
    ) -> Result<SearchIndex, SearchError> {
        analysis::register(index.tokenizers());
        let (_, fields) = schema::build();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer: IndexWriter = index.writer_with_num_threads(
            writer_threads.max(1),
            WRITER_MEMORY * writer_threads.max(1),
        )?;
        // A process killed between writing index files and committing leaves them behind; a new
        // writer would pick the same names (they follow the last commit) and fail. Delete every
        // file the last commit does not use before writing anything.
        writer.garbage_collect_files().wait()?;
        writer.set_merge_policy(Box::new(merge_policy()));
        Ok(SearchIndex {
            reader,
            writer: Mutex::new(writer),
            fields,
            committed_seq: AtomicU64::new(seq),
            applied_seq: AtomicU64::new(seq),
            bulk: AtomicBool::new(false),
            first_letters: FirstLetters::default(),
        })
    }

    /// What searches read: the index as of the last commit.
    pub(super) fn searcher(&self) -> tantivy::Searcher {
        self.reader.searcher()
    }

    #[cfg(test)]
    pub(super) fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The change-log sequence number of the last commit.
    pub fn committed_seq(&self) -> u64 {
        self.committed_seq.load(Ordering::Acquire)
    }

    /// The last change whose documents were handed to the writer, committed or not.
    pub fn applied_seq(&self) -> u64 {
        self.applied_seq.load(Ordering::Acquire)
    }

    /// Records that the documents of every change up to `seq` were handed to the writer.
    pub fn set_applied(&self, seq: u64) {
        self.applied_seq.store(seq, Ordering::Release);
    }

    /// Adds the document of a record (visible after the next commit); [`Self::delete`] any
    /// older one first.
    pub fn add(&self, record: &Record, related: &Related) -> Result<(), SearchError> {
        let doc = document::build(&self.fields, record, related);
        let writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        writer.add_document(doc)?;
        Ok(())
    }

    /// Replaces the document of a record (visible after the next commit).
    pub fn upsert(&self, record: &Record, related: &Related) -> Result<(), SearchError> {
        self.delete(record.kind(), record.id());
        self.add(record, related)
    }

    pub fn delete(&self, kind: RecordKind, id: &str) {
        let writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        writer.delete_term(self.key_term(kind, id));
    }

    fn key_term(&self, kind: RecordKind, id: &str) -> Term {
        Term::from_field_text(self.fields.key, &document::key(kind, id))
    }

    /// Commits everything added since the last commit as holding the changes up to `seq`, and
    /// makes it visible to searches.
    pub fn commit(&self, seq: u64) -> Result<(), SearchError> {
        let payload = serde_json::to_string(&Payload {
            seq,
            schema: SCHEMA_VERSION,
        })
        .expect("payload serialises");
        {
            let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&payload);
            prepared.commit()?;
        }
        self.reader.reload()?;
        self.committed_seq.store(seq, Ordering::Release);
        Ok(())
    }

    /// Bulk mode, for imports and rebuilds: segments are left unmerged until [`Self::merge_all`]
    /// at the end, one merge instead of a cascade of them.
    pub fn set_bulk(&self, bulk: bool) {
        let writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        self.bulk.store(bulk, Ordering::Release);
        set_merge_policy(&writer, bulk);
    }

    /// Drops every document added and deleted since the last commit, after a batch that failed
    /// part way: its changes are applied again from the change log, and a document added
    /// without a delete (see `add`) must not be added twice.
    pub fn rollback(&self) -> Result<(), SearchError> {
        let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        writer.rollback()?;
        set_merge_policy(&writer, self.bulk.load(Ordering::Acquire));
        self.applied_seq
            .store(self.committed_seq(), Ordering::Release);
        Ok(())
    }

    /// Merges every committed segment into one, and searches it: a query looks each of its
    /// terms up and opens its postings once per segment, so one segment answers fastest.
    pub fn merge_all(&self) -> Result<(), SearchError> {
        {
            let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
            let segments = writer.index().searchable_segment_metas()?;
            // A lone segment too when it has deleted documents: an import that lands in one
            // keeps the first documents of the organisations its networks list (7–9% of the
            // demo data), and searches read their postings for as long as it lives (5–10% more
            // CPU at 100,000 documents). Merging costs a sixth of the import.
            let deleted: u64 = segments
                .iter()
                .map(|s| u64::from(s.num_deleted_docs()))
                .sum();
            if segments.len() > 1 || deleted > 0 {
                let ids: Vec<_> = segments.iter().map(|s| s.id()).collect();
                writer.merge(&ids).wait()?;
            }
        }
        // Searches move to the merged segment, and then the files of the segments it replaces
        // can go (not while a reader holds them: they would stay until the next start).
        self.reader.reload()?;
        let writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        writer.garbage_collect_files().wait()?;
        Ok(())
    }

    /// Searches; a query whose words nothing matches all of is tried again, matching some of
    /// them (`partial`), and gets a respelling that finds something (`did_you_mean`).
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        execute::search(&self.searcher(), &self.fields, request)
    }

    /// As-you-type suggestions for `text`: up to `limit` names and up to `limit` expertise tags.
    pub fn suggest(&self, text: &str, limit: usize) -> Result<Suggestions, SearchError> {
        let searcher = self.reader.searcher();
        let generation = searcher.generation().generation_id();
        self.first_letters.answer(generation, text, limit, || {
            self.suggest_on(&searcher, text, limit)
        })
    }

    fn suggest_on(
        &self,
        searcher: &tantivy::Searcher,
        text: &str,
        limit: usize,
    ) -> Result<Suggestions, SearchError> {
        let names = suggest::names(searcher, &self.fields, text, limit)?
            .into_iter()
            .map(|address| {
                let hit = hit(searcher, &self.fields, None, address, None)?;
                Ok(Suggestion {
                    acronym: hit
                        .summary
                        .get("acronym")
                        .and_then(|a| a.as_str().map(str::to_owned)),
                    kind: hit.kind,
                    id: hit.id,
                    name: hit.name,
                })
            })
            .collect::<Result<_, SearchError>>()?;
        let expertise = suggest::tags(searcher, &self.fields, text, limit)?;
        Ok(Suggestions { names, expertise })
    }

    /// Every record in the index with its version, for checking the index against the store.
    pub fn contents(&self) -> Result<Vec<(RecordKind, String, u64)>, SearchError> {
        let searcher = self.reader.searcher();
        let addresses = searcher.search(&AllQuery, &DocSetCollector)?;
        let mut out = Vec::with_capacity(addresses.len());
        for address in addresses {
            let hit = hit(&searcher, &self.fields, None, address, None)?;
            let version = hit
                .summary
                .get("version")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0);
            out.push((hit.kind, hit.id, version));
        }
        out.sort();
        Ok(out)
    }
}

fn set_merge_policy(writer: &IndexWriter, bulk: bool) {
    if bulk {
        writer.set_merge_policy(Box::new(NoMergePolicy));
    } else {
        writer.set_merge_policy(Box::new(merge_policy()));
    }
}

/// Fewer, larger segments than tantivy's default: every query looks each of its terms up in
/// every segment, and a bulk import otherwise leaves a dozen segments of mixed sizes (measured
/// at 100,000 records: 12, with term lookups a seventh of a one-word search's time).
fn merge_policy() -> LogMergePolicy {
    let mut policy = LogMergePolicy::default();
    // Segments within a factor of 8 in size count as one level, and 3 of a level merge.
    policy.set_level_log_size(3.0);
    policy.set_min_num_segments(3);
    policy
}
