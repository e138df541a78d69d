//! One entry of the change log: which record changed. The indexer re-reads the record itself,
//! so replaying an entry twice, or late, always converges on what the store holds.

use serde::{Deserialize, Serialize};

use crate::model::RecordKind;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub kind: RecordKind,
    pub id: String,
    /// The record did not exist before this change.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub created: bool,
    /// Organisations whose index entries depend on this change (members a network gained or lost).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affects: Vec<String>,
    /// Networks whose index entries depend on this change (those listing a changed organisation,
    /// whose count of existing members may change).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub networks: Vec<String>,
}
