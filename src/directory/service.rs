//! The directory: reads, validated writes with versions and timestamps, memberships, search, and
//! the lifecycle of the indexer thread.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;
use tokio::sync::watch;

use super::indexer::{self, Indexer};
use super::memberships::{Side, settle_consent};
use super::rebuild;
use super::recent::Recent;
use super::{DirectoryError, Precondition};
use crate::model::{
    Action, HistoryEntry, MemberStatus, Problems, Record, RecordId, RecordKind, changes,
    decode_record, fill_creations, merge_patch, slug_from_name, validate_network,
    validate_organisation,
};
use crate::search::{IndexState, SearchIndex, SearchRequest, SearchResults, Suggestions};
use crate::store::{Remembered, Store, Write};

#[derive(Debug, Clone)]
pub struct Options {
    /// Indexing threads of the tantivy writer.
    pub writer_threads: usize,
    /// While a bulk import runs, how long the indexer goes without a commit all the same, so
    /// that other writes, and the import's own records, show in search during a long import.
    pub bulk_commit_after: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            writer_threads: 1,
            // A time rather than a count of changes, which is what the promise is about: the
            // records of a stalled import (a slow upload) show too, not only after its next
            // batch.
            bulk_commit_after: Duration::from_secs(15),
        }
    }
}

/// State shared with the indexer thread.
pub(super) struct Shared {
    pub store: Store,
    pub index: SearchIndex,
    /// The last change-log sequence number visible in search.
    pub indexed_seq: watch::Sender<u64>,
    /// Bulk imports under way, and what the indexer merges once they are done.
    pub bulk: Mutex<Bulk>,
    /// See [`Options::bulk_commit_after`].
    pub bulk_commit_after: Duration,
    /// Records just written, for the indexer.
    pub recent: Recent,
}

/// Bulk imports leave the index's segments unmerged while they run; the indexer merges them
/// into one when the last has ended and it has indexed everything they wrote.
#[derive(Debug, Default)]
pub(super) struct Bulk {
    pub running: usize,
    /// Merge once the index holds this change and no bulk import runs.
    pub merge_after: Option<u64>,
    /// While one runs: since when the index has gone without a commit (since the first began,
    /// or since the last commit).
    pub uncommitted_since: Option<Instant>,
}

/// Records as (kind, id, version), sorted: what the store or the index holds.
pub type Contents = Vec<(RecordKind, String, u64)>;

pub struct Directory {
    pub(super) shared: Arc<Shared>,
    indexer: Mutex<Option<Indexer>>,
    /// Serialises writes, so that versions increase by one and ids are unique.
    write_lock: Mutex<()>,
}

/// What a create made.
#[derive(Debug, Clone)]
pub struct Created {
    pub record: Record,
    /// The change-log sequence number to wait for before the record is searchable.
    pub seq: u64,
    /// The create was a repeat under the same idempotency key: nothing new was made.
    pub replayed: bool,
}

/// A network an organisation belongs to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MembershipView {
    pub network: String,
    pub organisation: String,
    /// The name of the other side: the network's for an organisation, the member's for a network.
    pub name: String,
    pub role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<i32>,
    /// A confirmed membership that has not ended.
    pub current: bool,
    /// `confirmed`, or pending: `invited` (awaits the organisation) or `requested` (awaits the
    /// network).
    pub status: MemberStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

pub(super) fn store_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("db")
}

pub(super) fn index_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("index")
}

impl Directory {
    /// Opens (or creates) the directory in `data_dir`, brings the index up to date with the store
    /// (replaying missed changes, or rebuilding it when it is missing, stale or of another
    /// schema), and starts the indexer.
    pub fn open(data_dir: &Path, options: Options) -> Result<Directory, DirectoryError> {
        std::fs::create_dir_all(data_dir)?;
        refuse_missing_database(data_dir)?;
        let store = Store::open(&store_dir(data_dir))?;
        let index_dir = index_dir(data_dir);
        if let Some(reason) = rebuild_reason(&store, &index_dir)? {
            tracing::info!(%reason, "rebuilding the search index from the store");
            // Both cores for the rebuild; then as many writer threads as an index found current
            // gets (each holds its own indexing memory).
            rebuild::rebuild(&store, &index_dir, options.writer_threads.max(2))?;
        }
        let index = SearchIndex::open(&index_dir, options.writer_threads)?;
        let (indexed_seq, _) = watch::channel(index.committed_seq());
        let shared = Arc::new(Shared {
            store,
            index,
            indexed_seq,
            bulk: Mutex::default(),
            bulk_commit_after: options.bulk_commit_after,
            recent: Recent::default(),
        });
        indexer::catch_up(&shared)?;
        let forgotten = shared.store.forget_expired_keys(unix_seconds())?;
        if forgotten > 0 {
            tracing::info!(forgotten, "forgot expired idempotency keys");
        }
        crate::search::warm_up();
        Ok(Directory {
            indexer: Mutex::new(Some(Indexer::start(Arc::clone(&shared)))),
            shared,
            write_lock: Mutex::new(()),
        })
    }

    /// Copies the database of `data_dir` (which a running server may have open) into
    /// `destination/db`, consistently, and writes `destination/backup.json` describing it.
    /// `destination` must be new or empty. Returns the number of key-value pairs copied.
    pub fn backup(data_dir: &Path, destination: &Path) -> Result<u64, DirectoryError> {
        if destination.exists() && std::fs::read_dir(destination)?.next().is_some() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("{} is not empty", destination.display()),
            )
            .into());
        }
        std::fs::create_dir_all(destination)?;
        let pairs = crate::store::backup(&store_dir(data_dir), &store_dir(destination))?;
        let about = serde_json::json!({"created_at": now(), "entries": pairs, "format": 1});
        std::fs::write(destination.join("backup.json"), format!("{about:#}\n"))?;
        Ok(pairs)
    }

    /// Restores a backup made by [`Directory::backup`] into `data_dir`, which must hold no
    /// database (move an old one away first), and rebuilds the search index from it. Returns the
    /// number of records.
    pub fn restore(
        backup: &Path,
        data_dir: &Path,
        options: Options,
    ) -> Result<usize, DirectoryError> {
        if !backup.join("backup.json").is_file() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("{} is not a backup (no backup.json)", backup.display()),
            )
            .into());
        }
        if store_dir(data_dir).exists() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!(
                    "{} already holds a database; restore into a new data directory",
                    data_dir.display()
                ),
            )
            .into());
        }
        std::fs::create_dir_all(data_dir)?;
        crate::store::restore(&store_dir(backup), &store_dir(data_dir))?;
        let _ = std::fs::remove_dir_all(index_dir(data_dir));
        Directory::reindex(data_dir, options)
    }

    /// Rebuilds the index of a directory that is not open elsewhere. Returns the records indexed.
    pub fn reindex(data_dir: &Path, options: Options) -> Result<usize, DirectoryError> {
        refuse_missing_database(data_dir)?;
        let store = Store::open(&store_dir(data_dir))?;
        // The count of records written, not of documents read back: reading back 100,000
        // stored summaries took a tenth of a rebuild.
        rebuild::rebuild(&store, &index_dir(data_dir), options.writer_threads.max(2))
    }

    pub fn is_empty(&self) -> bool {
        self.shared.store.is_empty()
    }

    pub fn get(&self, kind: RecordKind, id: &str) -> Result<Record, DirectoryError> {
        self.shared
            .store
            .get(kind, id)?
            .ok_or_else(|| not_found(kind, id))
    }

    /// Adds a new record; its id is generated from the name when absent. Returns the stored
    /// record and the change-log sequence number of the write.
    ///
    /// With an idempotency key (and the request's fingerprint), a repeat of a create that was
    /// done in the last 24 hours makes nothing and returns the record it made (as stored now) with
    /// `replayed` set; the key with another request is an error.
    pub fn create(
        &self,
        record: Record,
        idempotency: Option<(String, String)>,
        actor: &str,
    ) -> Result<Created, DirectoryError> {
        let _guard = self.lock_writes();
        let now_seconds = unix_seconds();
        if let Some((key, fingerprint)) = &idempotency {
            let remembered = self.shared.store.remembered(key)?;
            if let Some(earlier) = remembered.filter(|r| !r.expired(now_seconds)) {
                if earlier.fingerprint != *fingerprint {
                    return Err(DirectoryError::IdempotencyKeyReused { key: key.clone() });
                }
                let record = self.get(earlier.kind, &earlier.id)?;
                let seq = self.stored_seq();
                return Ok(Created {
                    record,
                    seq,
                    replayed: true,
                });
            }
        }
        let mut record = self
            .prepare(record, &HashSet::new())
            .map_err(DirectoryError::Invalid)?;
        let kind = record.kind();
        if record.id().is_empty() {
            let id = self.free_id(kind, &slug_from_name(record_name(&record)), &HashSet::new())?;
            set_id(&mut record, id);
        } else if self.shared.store.contains(kind, record.id())? {
            return Err(DirectoryError::AlreadyExists {
                kind,
                id: record.id().to_owned(),
            });
        }
        let now = now();
        let created = record.created_at().map(str::to_owned);
        let version = self.first_version(kind, record.id())?;
        record.stamp(version, created.unwrap_or_else(|| now.clone()), now);
        let mut writes = vec![
            Write::Create(Box::new(record.clone())),
            log(actor, Action::Created, None, Some(&record)),
        ];
        if let Some((key, fingerprint)) = idempotency {
            writes.push(Write::Remember(Remembered {
                key,
                fingerprint,
                kind,
                id: record.id().to_owned(),
                at: now_seconds,
            }));
        }
        let seq = self.apply(writes)?;
        Ok(Created {
            record,
            seq,
            replayed: false,
        })
    }

    /// Creates or replaces the record with this id, if what is stored meets `precondition`.
    /// Returns it, whether it was created, and the sequence number of the write.
    pub fn replace(
        &self,
        kind: RecordKind,
        id: &str,
        mut record: Record,
        precondition: &Precondition,
        actor: &str,
        side: Side,
    ) -> Result<(Record, bool, u64), DirectoryError> {
        if !record.id().is_empty() && record.id() != id {
            return Err(DirectoryError::Invalid(Problems::single(
                "id",
                format!(
                    "the record's id {:?} does not match the address's {id:?}",
                    record.id()
                ),
            )));
        }
        set_id(&mut record, id.to_owned());
        let _guard = self.lock_writes();
        let old = self.shared.store.get(kind, id)?;
        precondition.check(kind, id, old.as_ref())?;
        let action = if old.is_some() {
            Action::Replaced
        } else {
            Action::Created
        };
        settle_consent(&mut record, old.as_ref(), side);
        let (record, seq) = self.put_locked(record, old.as_ref(), actor, action)?;
        Ok((record, old.is_none(), seq))
    }

    /// Changes part of an existing record with a JSON merge patch (RFC 7396), if what is stored
    /// meets `precondition`. Fields the server sets (`id`, `version`, dates) cannot be patched;
    /// the county follows a patched municipality unless the patch sets it too.
    pub fn patch(
        &self,
        kind: RecordKind,
        id: &str,
        patch: &serde_json::Value,
        precondition: &Precondition,
        actor: &str,
        side: Side,
    ) -> Result<(Record, u64), DirectoryError> {
        let serde_json::Value::Object(changes) = patch else {
            return Err(DirectoryError::Invalid(Problems::single(
                "",
                "a merge patch must be a JSON object",
            )));
        };
        for key in ["id", "type", "version", "created_at", "updated_at"] {
            if changes.contains_key(key) {
                return Err(DirectoryError::Invalid(Problems::single(
                    key,
                    format!("{key} is set by the server and cannot be patched"),
                )));
            }
        }
        let _guard = self.lock_writes();
        let old = self.shared.store.get(kind, id)?;
        precondition.check(kind, id, old.as_ref())?;
        let old = old.ok_or_else(|| not_found(kind, id))?;
        let mut merged = old.to_tagged_json();
        merge_patch(&mut merged, patch);
        let municipality_changed = patch
            .get("address")
            .is_some_and(|a| a.get("municipality").is_some() && a.get("county").is_none());
        if let (true, Some(address)) = (
            municipality_changed,
            merged.get_mut("address").and_then(|a| a.as_object_mut()),
        ) {
            address.shift_remove("county");
        }
        let mut record = decode_record(merged).map_err(DirectoryError::Invalid)?;
        settle_consent(&mut record, Some(&old), side);
        self.put_locked(record, Some(&old), actor, Action::Patched)
    }

    /// Validates, stamps and writes a record over `old`, with its history entry, under the
    /// write lock.
    pub(super) fn put_locked(
        &self,
        record: Record,
        old: Option<&Record>,
        actor: &str,
        action: Action,
    ) -> Result<(Record, u64), DirectoryError> {
        let mut record = self
            .prepare(record, &HashSet::new())
            .map_err(DirectoryError::Invalid)?;
        let now = now();
        let (version, created_at) = match old {
            Some(old) => (
                old.version() + 1,
                old.created_at().map_or_else(|| now.clone(), str::to_owned),
            ),
            None => (self.first_version(record.kind(), record.id())?, now.clone()),
        };
        record.stamp(version, created_at, now);
        let entry = log(actor, action, old, Some(&record));
        let write = match old {
            Some(_) => Write::Put(Box::new(record.clone())),
            None => Write::Create(Box::new(record.clone())),
        };
        let seq = self.apply(vec![write, entry])?;
        Ok((record, seq))
    }

    /// Deletes a record, if what is stored meets `precondition`.
    pub fn delete(
        &self,
        kind: RecordKind,
        id: &str,
        precondition: &Precondition,
        actor: &str,
    ) -> Result<u64, DirectoryError> {
        let _guard = self.lock_writes();
        let old = self.shared.store.get(kind, id)?;
        precondition.check(kind, id, old.as_ref())?;
        let Some(old) = old else {
            return Err(not_found(kind, id));
        };
        // The tombstone keeps the whole record, so that an admin can restore it.
        let mut entry = HistoryEntry {
            version: old.version() + 1,
            tombstone: Some(old.to_tagged_json()),
            ..history_entry(actor, Action::Deleted, Some(&old), None)
        };
        entry.kind = kind;
        self.apply(vec![
            Write::Delete(kind, id.to_owned()),
            Write::Log(Box::new(entry)),
        ])
    }

    /// Brings back a deleted record as it was when deleted, at the next version.
    pub fn restore_deleted(
        &self,
        kind: RecordKind,
        id: &str,
        actor: &str,
    ) -> Result<(Record, u64), DirectoryError> {
        let _guard = self.lock_writes();
        if self.shared.store.contains(kind, id)? {
            return Err(DirectoryError::AlreadyExists {
                kind,
                id: id.to_owned(),
            });
        }
        let history = self.shared.store.history(kind, id)?;
        let Some(last) = history.last().filter(|e| e.action == Action::Deleted) else {
            return Err(not_found(kind, id));
        };
        let tombstone = last.tombstone.clone().ok_or_else(|| not_found(kind, id))?;
        let mut record = decode_record(tombstone).map_err(DirectoryError::Invalid)?;
        let created_at = record.created_at().map(str::to_owned).unwrap_or_else(now);
        record.stamp(last.version + 1, created_at, now());
        let entry = log(actor, Action::Restored, None, Some(&record));
        let seq = self.apply(vec![Write::Create(Box::new(record.clone())), entry])?;
        Ok((record, seq))
    }

    /// Every change of a record, oldest first (also after it was deleted).
    pub fn history(&self, kind: RecordKind, id: &str) -> Result<Vec<HistoryEntry>, DirectoryError> {
        // The history and the record as of one moment: creations are filled in from the record.
        let _guard = self.lock_writes();
        let mut history = self.shared.store.history(kind, id)?;
        let current = self.shared.store.get(kind, id)?;
        if history.is_empty() && current.is_none() {
            return Err(not_found(kind, id));
        }
        fill_creations(&mut history, current.as_ref());
        Ok(history)
    }

    /// The networks an organisation is listed in, current and former.
    pub fn networks_of(&self, organisation: &str) -> Result<Vec<MembershipView>, DirectoryError> {
        self.get(RecordKind::Organisation, organisation)?;
        let mut out = Vec::new();
        for (network_id, member) in self.shared.store.networks_of(organisation)? {
            let Some(Record::Network(network)) =
                self.shared.store.get(RecordKind::Network, &network_id)?
            else {
                continue;
            };
            out.push(MembershipView {
                network: network_id,
                organisation: organisation.to_owned(),
                name: network.name,
                current: member.is_current(),
                status: member.status,
                role: member.role,
                since: member.since,
                until: member.until,
                source: member.source,
            });
        }
        Ok(out)
    }

    /// A network's members, current and former, with their names. Members whose organisation
    /// has since been deleted are left out.
    pub fn members_of(&self, network: &str) -> Result<Vec<MembershipView>, DirectoryError> {
        let Record::Network(network) = self.get(RecordKind::Network, network)? else {
            return Err(not_found(RecordKind::Network, network));
        };
        let mut out = Vec::new();
        for member in network.members {
            let Some(Record::Organisation(org)) = self
                .shared
                .store
                .get(RecordKind::Organisation, &member.organisation)?
            else {
                continue;
            };
            let current = member.is_current();
            out.push(MembershipView {
                network: network.id.clone(),
                organisation: member.organisation,
                name: org.name,
                current,
                status: member.status,
                role: member.role,
                since: member.since,
                until: member.until,
                source: member.source,
            });
        }
        Ok(out)
    }

    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, DirectoryError> {
        Ok(self.shared.index.search(request)?)
    }

    pub fn suggest(&self, text: &str, limit: usize) -> Result<Suggestions, DirectoryError> {
        Ok(self.shared.index.suggest(text, limit)?)
    }

    /// The last change-log sequence number visible in search.
    pub fn indexed_seq(&self) -> u64 {
        *self.shared.indexed_seq.borrow()
    }

    /// The last change-log sequence number written to the store.
    pub fn stored_seq(&self) -> u64 {
        self.shared.store.last_seq()
    }

    /// Waits until the change `seq` is visible in search, at most `timeout`. Returns whether it is.
    pub async fn wait_indexed(&self, seq: u64, timeout: Duration) -> bool {
        let mut receiver = self.shared.indexed_seq.subscribe();
        let visible = receiver.wait_for(|&indexed| indexed >= seq);
        matches!(tokio::time::timeout(timeout, visible).await, Ok(Ok(_)))
    }

    /// Blocks until the change `seq` is visible in search, at most `timeout`. Returns whether it is.
    pub fn wait_indexed_blocking(&self, seq: u64, timeout: Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        while self.indexed_seq() < seq {
            if std::time::Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        true
    }

    /// Records in the store and in the index, each as (kind, id, version), sorted. They are equal
    /// once the indexer has caught up.
    pub fn contents(&self) -> Result<(Contents, Contents), DirectoryError> {
        let mut stored = Vec::new();
        for kind in [RecordKind::Organisation, RecordKind::Network] {
            for record in self.shared.store.records(kind) {
                let record = record?;
                stored.push((kind, record.id().to_owned(), record.version()));
            }
        }
        stored.sort();
        Ok((stored, self.shared.index.contents()?))
    }

    pub(super) fn store(&self) -> &Store {
        &self.shared.store
    }

    pub(super) fn lock_writes(&self) -> MutexGuard<'_, ()> {
        self.write_lock.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes durably and wakes the indexer.
    pub(super) fn apply(&self, writes: Vec<Write>) -> Result<u64, DirectoryError> {
        let applied = self.shared.store.apply(writes)?;
        self.shared.recent.keep(applied.records);
        self.notify_indexer();
        Ok(applied.last_seq)
    }

    pub(super) fn notify_indexer(&self) {
        if let Some(indexer) = self
            .indexer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            indexer.notify();
        }
    }

    /// Starts a bulk import (see [`Bulk`]).
    pub(super) fn begin_bulk(&self) {
        let mut bulk = self.shared.bulk.lock().unwrap_or_else(|e| e.into_inner());
        bulk.running += 1;
        bulk.uncommitted_since.get_or_insert_with(Instant::now);
        self.shared.index.set_bulk(true);
    }

    /// Ends a bulk import whose last write was the change `seq`.
    pub(super) fn end_bulk(&self, seq: u64) {
        {
            let mut bulk = self.shared.bulk.lock().unwrap_or_else(|e| e.into_inner());
            bulk.running = bulk.running.saturating_sub(1);
            if bulk.running == 0 {
                bulk.uncommitted_since = None;
            }
            bulk.merge_after = Some(bulk.merge_after.map_or(seq, |s| s.max(seq)));
        }
        self.notify_indexer();
    }

    /// Validates and normalises a record; a network's members must exist, in the store or among
    /// `pending` (organisations written earlier in the same import batch).
    pub(super) fn prepare(
        &self,
        record: Record,
        pending: &HashSet<String>,
    ) -> Result<Record, Problems> {
        match record {
            Record::Organisation(org) => validate_organisation(org).map(Record::Organisation),
            Record::Network(network) => {
                let network = validate_network(network)?;
                let mut problems = Problems::default();
                for (i, member) in network.members.iter().enumerate() {
                    let known = pending.contains(&member.organisation)
                        || self
                            .shared
                            .store
                            .contains(RecordKind::Organisation, &member.organisation)
                            .unwrap_or(false);
                    if !known {
                        problems.push(
                            format!("members[{i}].organisation"),
                            format!("no organisation with id {:?}", member.organisation),
                        );
                    }
                }
                if problems.is_empty() {
                    Ok(Record::Network(network))
                } else {
                    Err(problems)
                }
            }
        }
    }

    /// `base`, or `base-2`, `base-3`, ... whichever is free in the store and in `taken`.
    /// The version a record gets when it is created: 1, or for the id of a deleted record the
    /// one after its last history entry (its history goes on, not overwritten).
    pub(super) fn first_version(&self, kind: RecordKind, id: &str) -> Result<u64, DirectoryError> {
        Ok(self
            .shared
            .store
            .last_version(kind, id)?
            .map_or(1, |last| last + 1))
    }

    pub(super) fn free_id(
        &self,
        kind: RecordKind,
        base: &RecordId,
        taken: &HashSet<String>,
    ) -> Result<String, DirectoryError> {
        let is_free = |id: &RecordId| -> Result<bool, DirectoryError> {
            // Not the id of a deleted record either: it may be restored.
            Ok(!taken.contains(id.as_str())
                && !self.shared.store.contains(kind, id.as_str())?
                && !self.shared.store.has_history(kind, id.as_str())?)
        };
        if is_free(base)? {
            return Ok(base.to_string());
        }
        for n in 2.. {
            let candidate = base.with_suffix(n);
            if is_free(&candidate)? {
                return Ok(candidate.to_string());
            }
        }
        unreachable!("an unbounded range always yields a free id")
    }
}

impl Drop for Directory {
    /// Stops the indexer after it has committed everything written.
    fn drop(&mut self) {
        if let Some(indexer) = self
            .indexer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            indexer.stop();
        }
    }
}

/// Why the index on disk cannot simply be caught up, if it cannot.
fn rebuild_reason(store: &Store, index_dir: &Path) -> Result<Option<String>, DirectoryError> {
    Ok(match SearchIndex::inspect(index_dir) {
        IndexState::NeedsRebuild { reason } => Some(reason),
        IndexState::Current { seq } if seq > store.last_seq() => Some(format!(
            "the index (change {seq}) is ahead of the store (change {})",
            store.last_seq()
        )),
        IndexState::Current { seq } => match store.first_change_seq()? {
            Some(first) if first > seq + 1 => Some(format!(
                "changes {} to {} are no longer in the change log",
                seq + 1,
                first - 1
            )),
            _ => None,
        },
    })
}

pub(super) fn not_found(kind: RecordKind, id: &str) -> DirectoryError {
    DirectoryError::NotFound {
        kind,
        id: id.to_owned(),
    }
}

/// The current time, RFC 3339 in UTC to the second.
pub fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

pub(super) fn record_name(record: &Record) -> &str {
    match record {
        Record::Organisation(o) => &o.name,
        Record::Network(n) => &n.name,
    }
}

pub(super) fn set_id(record: &mut Record, id: String) {
    match record {
        Record::Organisation(o) => o.id = id,
        Record::Network(n) => n.id = id,
    }
}

/// The history entry of a change from `old` to `new` (either absent).
pub(super) fn history_entry(
    actor: &str,
    action: Action,
    old: Option<&Record>,
    new: Option<&Record>,
) -> HistoryEntry {
    let record = new.or(old).expect("a change has a before or an after");
    // A creation's changes are the record itself: left out, and given back when read.
    let creation = old.is_none();
    HistoryEntry {
        kind: record.kind(),
        id: record.id().to_owned(),
        version: record.version(),
        at: now(),
        actor: actor.to_owned(),
        action,
        changes: if creation {
            Vec::new()
        } else {
            changes(old, new)
        },
        tombstone: None,
        creation_omitted: creation,
    }
}

/// The same as a write.
pub(super) fn log(
    actor: &str,
    action: Action,
    old: Option<&Record>,
    new: Option<&Record>,
) -> Write {
    Write::Log(Box::new(history_entry(actor, action, old, new)))
}

/// Seconds since the Unix epoch.
fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A data directory whose index was written but whose database is gone has lost its records:
/// starting on it would create an empty database and rebuild an empty index, silently.
fn refuse_missing_database(data_dir: &Path) -> Result<(), DirectoryError> {
    let database_missing = !store_dir(data_dir).join("CURRENT").exists();
    if database_missing && index_dir(data_dir).join("meta.json").exists() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!(
                "{} has a search index but no database: the records are missing; restore a \
                 backup (`rrjeti restore`) rather than starting empty",
                data_dir.display()
            ),
        )
        .into());
    }
    Ok(())
}
