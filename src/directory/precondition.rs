//! What a write expects to find, from the HTTP `If-Match` and `If-None-Match` headers: the
//! means by which two editors never silently overwrite each other (optimistic concurrency).

use super::DirectoryError;
use crate::model::{Record, RecordKind};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Precondition {
    /// No expectation.
    #[default]
    Any,
    /// The record exists (`If-Match: *`).
    Exists,
    /// The record exists at one of these versions (`If-Match: "3"`).
    Version(Vec<u64>),
    /// The record does not exist (`If-None-Match: *`).
    Absent,
}

impl Precondition {
    /// Checks the record as stored now (`None`: absent) against the expectation.
    pub fn check(
        &self,
        kind: RecordKind,
        id: &str,
        current: Option<&Record>,
    ) -> Result<(), DirectoryError> {
        let holds = match self {
            Precondition::Any => true,
            Precondition::Exists => current.is_some(),
            Precondition::Version(versions) => {
                current.is_some_and(|record| versions.contains(&record.version()))
            }
            Precondition::Absent => current.is_none(),
        };
        if holds {
            Ok(())
        } else {
            Err(DirectoryError::PreconditionFailed {
                kind,
                id: id.to_owned(),
                current: current.map(Record::version),
                expected: self.clone(),
            })
        }
    }

    /// The expectation in words, for error messages.
    pub fn describe(&self) -> String {
        match self {
            Precondition::Any => "anything".to_owned(),
            Precondition::Exists => "an existing record".to_owned(),
            Precondition::Version(versions) => {
                let versions: Vec<String> = versions.iter().map(u64::to_string).collect();
                format!("version {}", versions.join(" or "))
            }
            Precondition::Absent => "no record".to_owned(),
        }
    }
}
