//! Errors of the directory service: user errors (the request is wrong) and internal ones.

use super::Precondition;
use crate::model::{Problems, RecordKind};
use crate::search::SearchError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("no {} with id {id:?}", kind.as_str())]
    NotFound { kind: RecordKind, id: String },
    #[error("no token {0:?}")]
    TokenNotFound(String),
    #[error("the network {network:?} lists no membership of {organisation:?}")]
    NoMembership {
        network: String,
        organisation: String,
    },
    #[error("an {} with id {id:?} already exists", kind.as_str())]
    AlreadyExists { kind: RecordKind, id: String },
    #[error("invalid record: {}", .0.summary())]
    Invalid(Problems),
    #[error(
        "the {} {id:?} is {}, but the request expected {}",
        kind.as_str(),
        current.map_or_else(|| "absent".to_owned(), |v| format!("at version {v}")),
        expected.describe()
    )]
    PreconditionFailed {
        kind: RecordKind,
        id: String,
        current: Option<u64>,
        expected: Precondition,
    },
    #[error(
        "the Idempotency-Key {key:?} was used for another request; use a new key for a new request"
    )]
    IdempotencyKeyReused { key: String },
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("search index: {0}")]
    Index(#[from] SearchError),
    #[error("data directory: {0}")]
    Io(#[from] std::io::Error),
}
