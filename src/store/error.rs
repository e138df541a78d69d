//! Errors of the storage layer.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("rocksdb: {0}")]
    Rocks(#[from] rocksdb::Error),
    #[error("stored value under {key:?} cannot be read: {source}")]
    Corrupt {
        key: String,
        source: serde_json::Error,
    },
    #[error("cannot encode a record: {0}")]
    Encode(serde_json::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}
