//! What an `Idempotency-Key` stood for: the record a create made and a fingerprint of the
//! request, kept in their own column family and written in the same batch as the record, so that
//! a retried create (after a lost answer or a crash) finds it and makes no second record.

use serde::{Deserialize, Serialize};

use crate::model::RecordKind;

/// How long a key is remembered.
pub const KEEP_SECONDS: u64 = 24 * 60 * 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remembered {
    pub key: String,
    /// A hash of the request body: the same key with another body is a client error.
    pub fingerprint: String,
    pub kind: RecordKind,
    pub id: String,
    /// Seconds since the Unix epoch.
    pub at: u64,
}

impl Remembered {
    pub fn expired(&self, now: u64) -> bool {
        now.saturating_sub(self.at) > KEEP_SECONDS
    }
}
