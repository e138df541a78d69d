//! RocksDB, the system of record: records, the change log that feeds the search index, and the
//! membership index (organisation → networks). It knows the model, never tantivy or HTTP.

mod backup;
mod changelog;
mod error;
mod idempotency;
mod keys;
mod rocks;

pub use backup::{backup, restore};
pub use changelog::Change;
pub use error::StoreError;
pub use idempotency::{KEEP_SECONDS, Remembered};
pub use rocks::{Applied, KEPT_INFO_LOGS, Store, Write};
