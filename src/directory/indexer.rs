//! The indexer: one thread that owns the writing side of the index. It reads the change log
//! after the last change it applied, replaces each changed record's document with what the
//! store holds now (or with the record the writer handed over), and commits with the new
//! sequence number as payload (during a bulk import, less often). After a failure it rolls the
//! writer back to the last commit and applies again.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::DirectoryError;
use super::service::Shared;
use crate::model::{Record, RecordKind};
use crate::search::Related;
use crate::store::{Change, Store};

/// Changes applied per commit. Larger batches amortise the commit (about 10 ms) during imports.
const BATCH: usize = 20_000;
/// While a bulk import runs, the changes the indexer waits for before adding their documents:
/// about one import batch.
const BULK_STEP: u64 = 2_000;
/// Change-log entries kept behind the index, so that an index whose last commit was lost (the
/// directory rename is not synced) can still catch up instead of rebuilding.
const KEEP_CHANGES: u64 = 50_000;
/// How long the indexer waits for more writes before committing; bounds search visibility.
const GATHER: Duration = Duration::from_millis(5);

pub(super) struct Indexer {
    signal: SyncSender<()>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Indexer {
    pub fn start(shared: Arc<Shared>) -> Indexer {
        let (signal, wake) = mpsc::sync_channel::<()>(1);
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("indexer".into())
            .spawn(move || {
                loop {
                    let stop_now = stopping.load(Ordering::Acquire);
                    if let Err(error) = catch_up(&shared) {
                        tracing::error!(%error, "indexing failed; retrying");
                        // From the last commit: what the failed batch added must not stay.
                        if let Err(error) = shared.index.rollback() {
                            tracing::error!(%error, "rolling the index writer back failed");
                        }
                        std::thread::sleep(Duration::from_millis(500));
                    }
                    if stop_now {
                        break;
                    }
                    match wake.recv_timeout(Duration::from_secs(1)) {
                        Ok(()) => std::thread::sleep(GATHER),
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
            })
            .expect("the indexer thread starts");
        Indexer {
            signal,
            stop,
            thread: Some(thread),
        }
    }

    /// Tells the indexer there is something new in the change log.
    pub fn notify(&self) {
        // A full channel means a wake-up is already pending.
        let _ = self.signal.try_send(());
    }

    /// Applies what is left, commits, and ends the thread.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Release);
        self.notify();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Applies every change after the last one applied, committing every [`BATCH`] changes; while a
/// bulk import runs, adds its documents as its batches arrive but commits only once it has ended
/// or the index has gone without a commit for `bulk_commit_after` (see `Options`). Returns the
/// sequence number now visible in search.
pub(super) fn catch_up(shared: &Shared) -> Result<u64, DirectoryError> {
    loop {
        let from = shared.index.applied_seq();
        let bulk = bulk_commit_due(shared);
        if bulk == Some(false) && shared.store.last_seq().saturating_sub(from) < BULK_STEP {
            // A bulk import is writing: wait for a batch's worth of its changes, and commit only
            // when it ends or time is up (each commit leaves a segment to merge again, and every
            // later commit would look the keys it replaces up in all of them).
            return Ok(shared.index.committed_seq());
        }
        let changes = shared.store.changes_after(from, BATCH)?;
        let Some(&(last, _)) = changes.last() else {
            commit(shared, from)?;
            merge_after_bulk(shared, from)?;
            return Ok(from);
        };
        apply(shared, changes)?;
        shared.index.set_applied(last);
        shared.recent.forget_through(last);
        if bulk != Some(false) {
            commit(shared, last)?;
        }
    }
}

/// Replaces the documents of the records the changes touched with what the store holds now,
/// or, for a record the last of them wrote, with that record if the writer handed it over.
fn apply(shared: &Shared, changes: Vec<(u64, Change)>) -> Result<(), DirectoryError> {
    let mut touched: BTreeMap<(RecordKind, String), Touched> = BTreeMap::new();
    let related_only = Touched {
        indexed: true,
        written: None,
    };
    for (seq, change) in changes {
        for organisation in change.affects {
            touched
                .entry((RecordKind::Organisation, organisation))
                .or_insert(related_only);
        }
        for network in change.networks {
            touched
                .entry((RecordKind::Network, network))
                .or_insert(related_only);
        }
        touched
            .entry((change.kind, change.id))
            .or_insert(Touched {
                indexed: !change.created,
                written: None,
            })
            .written = Some(seq);
    }
    for ((kind, id), Touched { indexed, written }) in touched {
        let handed_over = written.and_then(|seq| shared.recent.take(kind, &id, seq));
        let record = match handed_over {
            Some(record) => Some(record),
            None => shared.store.get(kind, &id)?,
        };
        match record {
            Some(record) => {
                let related = related(&shared.store, &record)?;
                if indexed {
                    shared.index.delete(kind, &id);
                }
                shared.index.add(&record, &related)?;
            }
            None => shared.index.delete(kind, &id),
        }
    }
    Ok(())
}

/// A record some changes touched.
#[derive(Clone, Copy)]
struct Touched {
    /// Whether the index may hold a document of it. It may not when the first of the changes to
    /// name it created it: the record did not exist before, and the index holds what the store
    /// held before these changes. An import creates most records, and looking for an older
    /// document costs a term lookup per segment.
    indexed: bool,
    /// The last of the changes that wrote or deleted it (not only its relations).
    written: Option<u64>,
}

/// Commits what was applied up to `seq`, if not yet committed, and makes it visible.
fn commit(shared: &Shared, seq: u64) -> Result<(), DirectoryError> {
    if seq > shared.index.committed_seq() {
        shared.index.commit(seq)?;
        if seq > KEEP_CHANGES {
            shared.store.prune_changes_through(seq - KEEP_CHANGES)?;
        }
    }
    let mut bulk = shared.bulk.lock().unwrap_or_else(|e| e.into_inner());
    if bulk.running > 0 {
        bulk.uncommitted_since = Some(Instant::now());
    }
    drop(bulk);
    shared.indexed_seq.send_replace(seq);
    Ok(())
}

/// `None` when no bulk import runs; otherwise whether the index has gone without a commit for
/// as long as one may while it runs.
fn bulk_commit_due(shared: &Shared) -> Option<bool> {
    let bulk = shared.bulk.lock().unwrap_or_else(|e| e.into_inner());
    (bulk.running > 0).then(|| {
        bulk.uncommitted_since
            .is_some_and(|since| since.elapsed() >= shared.bulk_commit_after)
    })
}

/// Once every bulk import has ended and the index holds what they wrote (`indexed`), merges
/// the segments they left into one, so that searches open one set of postings per term.
fn merge_after_bulk(shared: &Shared, indexed: u64) -> Result<(), DirectoryError> {
    let mut bulk = shared.bulk.lock().unwrap_or_else(|e| e.into_inner());
    match bulk.merge_after {
        Some(seq) if bulk.running == 0 && indexed >= seq => {
            bulk.merge_after = None;
            shared.index.set_bulk(false);
            shared.index.merge_all()?;
        }
        _ => {}
    }
    Ok(())
}

/// What a record's index document needs besides the record: an organisation's current
/// networks (its `network` filter values), a network's count of current members that exist.
pub(super) fn related(store: &Store, record: &Record) -> Result<Related, DirectoryError> {
    Ok(match record {
        Record::Organisation(org) => Related {
            networks: store
                .networks_of(&org.id)?
                .into_iter()
                .filter(|(_, member)| member.is_current())
                .map(|(network, _)| network)
                .collect(),
            member_count: 0,
        },
        Record::Network(network) => {
            let mut member_count = 0;
            for member in network.members.iter().filter(|m| m.is_current()) {
                member_count +=
                    usize::from(store.contains(RecordKind::Organisation, &member.organisation)?);
            }
            Related {
                networks: Vec::new(),
                member_count,
            }
        }
    })
}
