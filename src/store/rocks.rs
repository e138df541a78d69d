//! The RocksDB store. Every call to [`Store::apply`] is one atomic, synced `WriteBatch` holding
//! the records, their change-log entries and the membership index updates.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Mutex;

use rocksdb::{
    BlockBasedOptions, ColumnFamilyDescriptor, DB, Direction, FlushOptions, IteratorMode, Options,
    WriteBatch, WriteOptions,
};

use super::idempotency::Remembered;
use super::{Change, StoreError, keys};
use crate::model::{HistoryEntry, Member, Network, Organisation, Record, RecordKind, Token};

const RECORDS: &str = "records";
const CHANGES: &str = "changes";
const MEMBERSHIPS: &str = "memberships";
const IDEMPOTENCY: &str = "idempotency";
const TOKENS: &str = "tokens";
const HISTORY: &str = "history";
/// Every column family, in the order they are opened.
pub(super) const FAMILIES: [&str; 6] =
    [RECORDS, CHANGES, MEMBERSHIPS, IDEMPOTENCY, TOKENS, HISTORY];

/// One write of a batch.
#[derive(Debug, Clone)]
pub enum Write {
    /// Creates or replaces a record.
    Put(Box<Record>),
    /// Writes a record the store does not hold (the writer looked): its change says so, and the
    /// indexer need not look for an older document of it.
    Create(Box<Record>),
    Delete(RecordKind, String),
    /// Remember an idempotency key (not a change: no sequence number).
    Remember(Remembered),
    /// Keep a history entry (not a change either).
    Log(Box<HistoryEntry>),
}

/// What [`Store::apply`] wrote: the sequence number of its last change, and each record it
/// wrote with the sequence number of the change that wrote it (handed to the indexer, which
/// would otherwise read them back).
#[derive(Debug, Default)]
pub struct Applied {
    pub last_seq: u64,
    pub records: Vec<(u64, Record)>,
}

/// Options of a column family: compressed like the rest, and for records a Bloom filter, since
/// a write first looks its record up and an import's lookups mostly miss (without a filter a miss
/// searches every level's index).
fn family_options(name: &str) -> Options {
    let mut options = Options::default();
    options.set_compression_type(rocksdb::DBCompressionType::Lz4);
    // Records and history: an import looks up every record it writes, and whether its id was
    // used before, most of them new.
    if name == RECORDS || name == HISTORY {
        let mut table = BlockBasedOptions::default();
        table.set_bloom_filter(10.0, false);
        options.set_block_based_table_factory(&table);
        // And in the memtable: a miss otherwise walks the memtable's skip list (3% of an
        // import's CPU).
        options.set_memtable_whole_key_filtering(true);
        options.set_memtable_prefix_bloom_ratio(0.05);
    }
    options
}

/// The write-ahead log past which RocksDB flushes the column families that keep it.
const MAX_WAL_BYTES: u64 = 128 << 20;

/// RocksDB's own info logs (`LOG`, `LOG.old.*`) kept in the database folder.
pub const KEPT_INFO_LOGS: usize = 4;

pub struct Store {
    db: DB,
    /// The last sequence number handed out; held while a batch is built so that sequence numbers
    /// are committed in order and a network's old member list is read consistently.
    last_seq: Mutex<u64>,
}

impl Store {
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let mut options = Options::default();
        options.create_if_missing(true);
        options.create_missing_column_families(true);
        options.set_compression_type(rocksdb::DBCompressionType::Lz4);
        // RocksDB starts a new info log at every open and by default keeps every old one: a
        // service restarted daily (or a test suite) would pile up thousands.
        options.set_keep_log_file_num(KEPT_INFO_LOGS);
        options.set_max_log_file_size(8 << 20);
        // A write-ahead log is kept until every column family has flushed what it holds, and is
        // read back at the next open: bounded, so that a start after a crash stays quick.
        options.set_max_total_wal_size(MAX_WAL_BYTES);
        let families = FAMILIES.map(|name| ColumnFamilyDescriptor::new(name, family_options(name)));
        let db = DB::open_cf_descriptors(&options, path, families)?;
        let last_seq = {
            let mut newest = db.iterator_cf(cf(&db, CHANGES), IteratorMode::End);
            match newest.next() {
                Some(entry) => keys::change_seq(&entry?.0).unwrap_or(0),
                None => 0,
            }
        };
        Ok(Store {
            db,
            last_seq: Mutex::new(last_seq),
        })
    }

    pub fn get(&self, kind: RecordKind, id: &str) -> Result<Option<Record>, StoreError> {
        let key = keys::record(kind, id);
        match self.db.get_pinned_cf(cf(&self.db, RECORDS), &key)? {
            Some(bytes) => decode_record(kind, &key, &bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Whether an id has a history: was used, by this record or one deleted. Every history
    /// starts at version 1, so one point lookup answers, most often from the bloom filters.
    pub fn has_history(&self, kind: RecordKind, id: &str) -> Result<bool, StoreError> {
        let first = keys::history(kind, id, 1);
        Ok(self
            .db
            .get_pinned_cf(cf(&self.db, HISTORY), first)?
            .is_some())
    }

    /// The version of an id's newest history entry, if it has one. A record made again after a
    /// delete goes on from there, so that its entries do not overwrite those of the one before.
    pub fn last_version(&self, kind: RecordKind, id: &str) -> Result<Option<u64>, StoreError> {
        if !self.has_history(kind, id)? {
            return Ok(None);
        }
        let prefix = keys::history_prefix(kind, id);
        let newest = keys::history(kind, id, u64::MAX);
        let mut iter = self.db.iterator_cf(
            cf(&self.db, HISTORY),
            IteratorMode::From(&newest, Direction::Reverse),
        );
        let Some(entry) = iter.next() else {
            return Ok(None);
        };
        let (key, _) = entry?;
        Ok(key
            .strip_prefix(prefix.as_slice())
            .and_then(|version| version.try_into().ok())
            .map(u64::from_be_bytes))
    }

    /// Writes every column family's memtable to disk, emptying the write-ahead log.
    pub fn flush(&self) -> Result<(), StoreError> {
        let families: Vec<_> = FAMILIES.iter().map(|name| cf(&self.db, name)).collect();
        self.db.flush_cfs_opt(&families, &FlushOptions::default())?;
        Ok(())
    }

    /// Starts writing every column family's memtable to disk, in RocksDB's background thread,
    /// and returns: after a bulk import, while the index catches up and merges, so that closing
    /// has little left to flush.
    pub fn start_flush(&self) -> Result<(), StoreError> {
        let families: Vec<_> = FAMILIES.iter().map(|name| cf(&self.db, name)).collect();
        let mut options = FlushOptions::default();
        options.set_wait(false);
        self.db.flush_cfs_opt(&families, &options)?;
        Ok(())
    }

    /// The history of a record, oldest first.
    pub fn history(&self, kind: RecordKind, id: &str) -> Result<Vec<HistoryEntry>, StoreError> {
        let prefix = keys::history_prefix(kind, id);
        let mut out = Vec::new();
        let iter = self.db.iterator_cf(
            cf(&self.db, HISTORY),
            IteratorMode::From(&prefix, Direction::Forward),
        );
        for entry in iter {
            let (key, bytes) = entry?;
            if !key.starts_with(&prefix) {
                break;
            }
            out.push(
                serde_json::from_slice(&bytes).map_err(|source| StoreError::Corrupt {
                    key: String::from_utf8_lossy(&key).into_owned(),
                    source,
                })?,
            );
        }
        Ok(out)
    }

    /// Stores an API token (its digest, never its secret), durably.
    pub fn put_token(&self, token: &Token) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(token).map_err(StoreError::Encode)?;
        let mut options = WriteOptions::default();
        options.set_sync(true);
        let mut batch = WriteBatch::default();
        batch.put_cf(cf(&self.db, TOKENS), token.id.as_bytes(), bytes);
        self.db.write_opt(batch, &options)?;
        Ok(())
    }

    pub fn token(&self, id: &str) -> Result<Option<Token>, StoreError> {
        match self.db.get_pinned_cf(cf(&self.db, TOKENS), id.as_bytes())? {
            Some(bytes) => {
                serde_json::from_slice(&bytes)
                    .map(Some)
                    .map_err(|source| StoreError::Corrupt {
                        key: id.to_owned(),
                        source,
                    })
            }
            None => Ok(None),
        }
    }

    /// Every token, by id.
    pub fn tokens(&self) -> Result<Vec<Token>, StoreError> {
        let mut out = Vec::new();
        for entry in self
            .db
            .iterator_cf(cf(&self.db, TOKENS), IteratorMode::Start)
        {
            let (key, bytes) = entry?;
            out.push(
                serde_json::from_slice(&bytes).map_err(|source| StoreError::Corrupt {
                    key: String::from_utf8_lossy(&key).into_owned(),
                    source,
                })?,
            );
        }
        Ok(out)
    }

    /// What an idempotency key stood for, if it is remembered (expired or not).
    pub fn remembered(&self, key: &str) -> Result<Option<Remembered>, StoreError> {
        match self
            .db
            .get_pinned_cf(cf(&self.db, IDEMPOTENCY), key.as_bytes())?
        {
            Some(bytes) => {
                serde_json::from_slice(&bytes)
                    .map(Some)
                    .map_err(|source| StoreError::Corrupt {
                        key: key.to_owned(),
                        source,
                    })
            }
            None => Ok(None),
        }
    }

    /// Forgets the idempotency keys older than [`KEEP_SECONDS`]; returns how many.
    pub fn forget_expired_keys(&self, now: u64) -> Result<usize, StoreError> {
        let family = cf(&self.db, IDEMPOTENCY);
        let mut batch = WriteBatch::default();
        let mut forgotten = 0;
        for entry in self.db.iterator_cf(family, IteratorMode::Start) {
            let (key, bytes) = entry?;
            let expired = serde_json::from_slice::<Remembered>(&bytes)
                .map_or(true, |remembered| remembered.expired(now));
            if expired {
                batch.delete_cf(family, key);
                forgotten += 1;
            }
        }
        self.db.write(batch)?;
        Ok(forgotten)
    }

    pub fn contains(&self, kind: RecordKind, id: &str) -> Result<bool, StoreError> {
        let key = keys::record(kind, id);
        Ok(self.db.get_pinned_cf(cf(&self.db, RECORDS), key)?.is_some())
    }

    /// Writes the batch atomically and durably (the WAL is synced before this returns).
    pub fn apply(&self, writes: Vec<Write>) -> Result<Applied, StoreError> {
        let mut last_seq = self.last_seq.lock().unwrap_or_else(|e| e.into_inner());
        let mut seq = *last_seq;
        let mut batch = WriteBatch::default();
        let mut records = Vec::with_capacity(writes.len());
        // Networks written earlier in this batch, so a second write of one sees the first.
        let mut batch_networks: HashMap<String, Option<Network>> = HashMap::new();
        for write in writes {
            match &write {
                Write::Remember(entry) => {
                    let bytes = serde_json::to_vec(entry).map_err(StoreError::Encode)?;
                    batch.put_cf(cf(&self.db, IDEMPOTENCY), entry.key.as_bytes(), bytes);
                    continue;
                }
                Write::Log(entry) => {
                    let bytes = serde_json::to_vec(entry).map_err(StoreError::Encode)?;
                    let key = keys::history(entry.kind, &entry.id, entry.version);
                    batch.put_cf(cf(&self.db, HISTORY), key, bytes);
                    continue;
                }
                Write::Put(_) | Write::Create(_) | Write::Delete(..) => {}
            }
            seq += 1;
            let created = matches!(write, Write::Create(_));
            let (kind, id, affects) = match write {
                Write::Remember(_) | Write::Log(_) => continue,
                Write::Put(record) | Write::Create(record) => {
                    let record = *record;
                    let kind = record.kind();
                    let id = record.id().to_owned();
                    let key = keys::record(kind, &id);
                    let bytes = match &record {
                        Record::Organisation(o) => serde_json::to_vec(o),
                        Record::Network(n) => serde_json::to_vec(n),
                    }
                    .map_err(StoreError::Encode)?;
                    batch.put_cf(cf(&self.db, RECORDS), key, bytes);
                    let affects = match &record {
                        Record::Network(network) => {
                            let old = self.network_in_batch(&batch_networks, &id)?;
                            let affects =
                                self.reindex_memberships(&mut batch, old.as_ref(), Some(network));
                            batch_networks.insert(id.clone(), Some(network.clone()));
                            affects
                        }
                        Record::Organisation(_) => Vec::new(),
                    };
                    records.push((seq, record));
                    (kind, id, affects)
                }
                Write::Delete(kind, id) => {
                    batch.delete_cf(cf(&self.db, RECORDS), keys::record(kind, &id));
                    let affects = match kind {
                        RecordKind::Network => {
                            let old = self.network_in_batch(&batch_networks, &id)?;
                            batch_networks.insert(id.clone(), None);
                            self.reindex_memberships(&mut batch, old.as_ref(), None)
                        }
                        RecordKind::Organisation => Vec::new(),
                    };
                    (kind, id, affects)
                }
            };
            // Networks listing an organisation count its existence among their members.
            let networks = match kind {
                RecordKind::Organisation => self
                    .networks_of(&id)?
                    .into_iter()
                    .map(|(network, _)| network)
                    .collect(),
                RecordKind::Network => Vec::new(),
            };
            let change = Change {
                kind,
                id,
                created,
                affects,
                networks,
            };
            let bytes = serde_json::to_vec(&change).map_err(StoreError::Encode)?;
            batch.put_cf(cf(&self.db, CHANGES), keys::change(seq), bytes);
        }
        let mut options = WriteOptions::default();
        options.set_sync(true);
        self.db.write_opt(batch, &options)?;
        *last_seq = seq;
        Ok(Applied {
            last_seq: seq,
            records,
        })
    }

    fn network_in_batch(
        &self,
        batch_networks: &HashMap<String, Option<Network>>,
        id: &str,
    ) -> Result<Option<Network>, StoreError> {
        if let Some(network) = batch_networks.get(id) {
            return Ok(network.clone());
        }
        Ok(match self.get(RecordKind::Network, id)? {
            Some(Record::Network(network)) => Some(network),
            _ => None,
        })
    }

    /// Replaces a network's entries in the membership index; returns every organisation whose
    /// memberships changed (old and new members), whose index documents must be rebuilt.
    fn reindex_memberships(
        &self,
        batch: &mut WriteBatch,
        old: Option<&Network>,
        new: Option<&Network>,
    ) -> Vec<String> {
        let memberships = cf(&self.db, MEMBERSHIPS);
        let mut affected = BTreeSet::new();
        for network in old.into_iter() {
            for member in &network.members {
                batch.delete_cf(
                    memberships,
                    keys::membership(&member.organisation, &network.id),
                );
                affected.insert(member.organisation.clone());
            }
        }
        for network in new.into_iter() {
            for member in &network.members {
                let bytes = serde_json::to_vec(member).unwrap_or_default();
                batch.put_cf(
                    memberships,
                    keys::membership(&member.organisation, &network.id),
                    bytes,
                );
                affected.insert(member.organisation.clone());
            }
        }
        affected.into_iter().collect()
    }

    /// The networks an organisation is listed in (current and former), with its membership.
    pub fn networks_of(&self, organisation: &str) -> Result<Vec<(String, Member)>, StoreError> {
        let prefix = keys::membership_prefix(organisation);
        let mut out = Vec::new();
        let iter = self.db.iterator_cf(
            cf(&self.db, MEMBERSHIPS),
            IteratorMode::From(&prefix, Direction::Forward),
        );
        for entry in iter {
            let (key, value) = entry?;
            let Some(network) = key.strip_prefix(prefix.as_slice()) else {
                break;
            };
            let member = serde_json::from_slice(&value).map_err(|source| StoreError::Corrupt {
                key: String::from_utf8_lossy(&key).into_owned(),
                source,
            })?;
            out.push((String::from_utf8_lossy(network).into_owned(), member));
        }
        Ok(out)
    }

    /// Change-log entries after `seq`, oldest first, at most `limit`.
    pub fn changes_after(&self, seq: u64, limit: usize) -> Result<Vec<(u64, Change)>, StoreError> {
        let start = keys::change(seq.saturating_add(1));
        let mut out = Vec::new();
        let iter = self.db.iterator_cf(
            cf(&self.db, CHANGES),
            IteratorMode::From(&start, Direction::Forward),
        );
        for entry in iter.take(limit) {
            let (key, value) = entry?;
            let Some(seq) = keys::change_seq(&key) else {
                continue;
            };
            let change = serde_json::from_slice(&value).map_err(|source| StoreError::Corrupt {
                key: format!("change {seq}"),
                source,
            })?;
            out.push((seq, change));
        }
        Ok(out)
    }

    pub fn last_seq(&self) -> u64 {
        *self.last_seq.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The oldest change still kept, if any.
    pub fn first_change_seq(&self) -> Result<Option<u64>, StoreError> {
        let mut iter = self
            .db
            .iterator_cf(cf(&self.db, CHANGES), IteratorMode::Start);
        match iter.next() {
            Some(entry) => Ok(keys::change_seq(&entry?.0)),
            None => Ok(None),
        }
    }

    /// Drops change-log entries up to and including `seq`; the index has them.
    pub fn prune_changes_through(&self, seq: u64) -> Result<(), StoreError> {
        let mut batch = WriteBatch::default();
        batch.delete_range_cf(
            cf(&self.db, CHANGES),
            keys::change(0),
            keys::change(seq.saturating_add(1)),
        );
        self.db.write(batch)?;
        Ok(())
    }

    /// Every record of a kind, in id order, from a consistent snapshot.
    pub fn records(
        &self,
        kind: RecordKind,
    ) -> impl Iterator<Item = Result<Record, StoreError>> + '_ {
        let prefix = keys::record_prefix(kind);
        self.db
            .iterator_cf(
                cf(&self.db, RECORDS),
                IteratorMode::From(prefix, Direction::Forward),
            )
            .map_while(move |entry| match entry {
                Ok((key, value)) if key.starts_with(prefix) => {
                    Some(decode_record(kind, &key, &value))
                }
                Ok(_) => None,
                Err(error) => Some(Err(error.into())),
            })
    }

    pub fn is_empty(&self) -> bool {
        let mut iter = self
            .db
            .iterator_cf(cf(&self.db, RECORDS), IteratorMode::Start);
        iter.next().is_none()
    }
}

impl Drop for Store {
    /// Leaves no write-ahead log behind: RocksDB does not flush at close, and the next open
    /// would read the log back into memory (after a 100,000-record import, 150 MB: a second
    /// and 140 MB of memory at the next start).
    fn drop(&mut self) {
        if let Err(error) = self.flush() {
            tracing::warn!(%error, "could not flush the database at close; the next open replays its log");
        }
    }
}

fn cf<'a>(db: &'a DB, name: &str) -> &'a rocksdb::ColumnFamily {
    db.cf_handle(name)
        .expect("column families are created at open")
}

fn decode_record(kind: RecordKind, key: &[u8], bytes: &[u8]) -> Result<Record, StoreError> {
    let corrupt = |source| StoreError::Corrupt {
        key: String::from_utf8_lossy(key).into_owned(),
        source,
    };
    Ok(match kind {
        RecordKind::Organisation => {
            Record::Organisation(serde_json::from_slice::<Organisation>(bytes).map_err(corrupt)?)
        }
        RecordKind::Network => {
            Record::Network(serde_json::from_slice::<Network>(bytes).map_err(corrupt)?)
        }
    })
}
