//! Errors of the search layer.

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("tantivy: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("cannot open index directory: {0}")]
    OpenDirectory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("index i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("stored summary of {key:?} cannot be read: {source}")]
    CorruptSummary {
        key: String,
        source: serde_json::Error,
    },
}
