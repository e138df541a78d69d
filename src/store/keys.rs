//! Key layouts. Records: `o/{id}` and `n/{id}`. Changes: the sequence number, big-endian, so that
//! RocksDB's byte order is numeric order. Memberships: `{organisation}\0{network}`.

use crate::model::RecordKind;

pub fn record_prefix(kind: RecordKind) -> &'static [u8] {
    match kind {
        RecordKind::Organisation => b"o/",
        RecordKind::Network => b"n/",
    }
}

pub fn record(kind: RecordKind, id: &str) -> Vec<u8> {
    [record_prefix(kind), id.as_bytes()].concat()
}

pub fn change(seq: u64) -> [u8; 8] {
    seq.to_be_bytes()
}

pub fn change_seq(key: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(key.try_into().ok()?))
}

pub fn membership_prefix(organisation: &str) -> Vec<u8> {
    [organisation.as_bytes(), b"\0"].concat()
}

pub fn membership(organisation: &str, network: &str) -> Vec<u8> {
    [organisation.as_bytes(), b"\0", network.as_bytes()].concat()
}

/// History: the record's key, a zero byte, its version big-endian (versions sort numerically).
pub fn history(kind: RecordKind, id: &str, version: u64) -> Vec<u8> {
    [record(kind, id).as_slice(), b"\0", &version.to_be_bytes()].concat()
}

pub fn history_prefix(kind: RecordKind, id: &str) -> Vec<u8> {
    [record(kind, id).as_slice(), b"\0"].concat()
}
