//! The directory service: the only code that touches both the store and the index. Writes go to
//! RocksDB first (durable, with a change-log entry); one indexer thread applies the change log to
//! tantivy; start-up replays what the index missed or rebuilds it.

mod affinity;
mod connections;
mod error;
mod import;
mod indexer;
mod memberships;
mod partners;
mod precondition;
mod rebuild;
mod recent;
mod service;
mod tokens;

pub use affinity::{Fit, Goal, Profile, Project, Reason, partner_fit};
pub use connections::{Connection, MAX_PATH_NETWORKS, Named, NetworkStats};
pub use error::DirectoryError;
pub use import::{ImportReport, LineError};
pub use memberships::{Side, Terms};
pub use partners::{Candidate, MatchQuery, PartnerQuery};
pub use precondition::Precondition;
pub use service::{Contents, Created, Directory, MembershipView, Options, now};
pub use tokens::Refusal;
