//! Records just written, handed from the writers to the indexer: without them it reads each
//! changed record back from the store and parses its JSON again, a tenth of an import's work.
//!
//! A record kept here is the record as one change wrote it, so the indexer takes it only for
//! the last change to that record among those it applies at once; for anything else it reads
//! the store, as it would without this.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::model::{Record, RecordKind};

/// Records kept at most. An import can run ahead of the indexer; what does not fit is read
/// from the store. Two import batches: 4,000 demo records take about 8 MB, and an import of
/// 100,400 hands over 80% of its records (the rest are read back).
const CAPACITY: usize = 4_000;

#[derive(Default)]
pub(super) struct Recent {
    /// By record: the sequence number of the change that wrote it, and the record.
    records: Mutex<HashMap<(RecordKind, String), (u64, Record)>>,
}

impl Recent {
    /// Keeps records as the changes `seq` wrote them, newer in place of older.
    pub fn keep(&self, written: Vec<(u64, Record)>) {
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        for (seq, record) in written {
            let key = (record.kind(), record.id().to_owned());
            // When full, a record not kept yet is left out; one kept is replaced all the same,
            // so that no older version stays to be mistaken for the newer.
            if records.len() < CAPACITY || records.contains_key(&key) {
                records.insert(key, (seq, record));
            }
        }
    }

    /// The record as change `seq` wrote it, if kept, no longer kept afterwards.
    pub fn take(&self, kind: RecordKind, id: &str, seq: u64) -> Option<Record> {
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        // The key is built only to look up: a `(RecordKind, String)` cannot be borrowed as
        // `(RecordKind, &str)`.
        let key = (kind, id.to_owned());
        match records.get(&key) {
            Some((kept, _)) if *kept == seq => records.remove(&key).map(|(_, record)| record),
            _ => None,
        }
    }

    /// Forgets the records written by changes up to `seq`, which the index now holds.
    pub fn forget_through(&self, seq: u64) {
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        if !records.is_empty() {
            records.retain(|_, (kept, _)| *kept > seq);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.records.lock().unwrap().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Organisation;

    fn organisation(id: &str, name: &str) -> Record {
        Record::Organisation(Organisation {
            id: id.into(),
            name: name.into(),
            ..Organisation::default()
        })
    }

    fn name(record: Option<Record>) -> Option<String> {
        record.map(|r| match r {
            Record::Organisation(o) => o.name,
            Record::Network(n) => n.name,
        })
    }

    #[test]
    fn a_record_is_taken_only_for_the_change_that_wrote_it() {
        let recent = Recent::default();
        recent.keep(vec![(7, organisation("a", "First"))]);
        assert_eq!(recent.take(RecordKind::Organisation, "a", 6), None);
        assert_eq!(recent.take(RecordKind::Network, "a", 7), None);
        assert_eq!(
            name(recent.take(RecordKind::Organisation, "a", 7)),
            Some("First".into())
        );
        assert_eq!(recent.take(RecordKind::Organisation, "a", 7), None, "taken");
    }

    #[test]
    fn a_newer_write_replaces_the_older_even_when_full() {
        let recent = Recent::default();
        recent.keep(
            (0..CAPACITY)
                .map(|i| (i as u64 + 1, organisation(&format!("o{i}"), "Old")))
                .collect(),
        );
        recent.keep(vec![
            (20_000, organisation("o5", "New")),
            (20_001, organisation("not-kept", "Left out")),
        ]);
        assert_eq!(recent.len(), CAPACITY);
        assert_eq!(recent.take(RecordKind::Organisation, "o5", 6), None);
        assert_eq!(
            name(recent.take(RecordKind::Organisation, "o5", 20_000)),
            Some("New".into())
        );
        assert_eq!(
            recent.take(RecordKind::Organisation, "not-kept", 20_001),
            None
        );
    }

    #[test]
    fn applied_records_are_forgotten() {
        let recent = Recent::default();
        recent.keep(vec![
            (1, organisation("a", "A")),
            (2, organisation("b", "B")),
            (3, organisation("c", "C")),
        ]);
        recent.forget_through(2);
        assert_eq!(recent.len(), 1);
        assert_eq!(
            name(recent.take(RecordKind::Organisation, "c", 3)),
            Some("C".into())
        );
    }
}
