//! The history of a record: every change with who made it, when, and the old and new value of
//! each field it changed. A delete keeps the whole record (a tombstone), so it can be restored.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Record, RecordKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Created,
    Replaced,
    Patched,
    Imported,
    Deleted,
    Restored,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldChange {
    pub field: String,
    /// Absent when the field was not set before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    /// Absent when the field is no longer set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    #[serde(rename = "type")]
    pub kind: RecordKind,
    pub id: String,
    /// The record's version after the change (for a delete: one more than the last version).
    pub version: u64,
    pub at: String,
    /// Who: `admin` (the server's admin token), `token:{id}`, `import` or `cli`.
    pub actor: String,
    pub action: Action,
    pub changes: Vec<FieldChange>,
    /// For a delete: the record as it was, to restore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tombstone: Option<Value>,
}

/// Fields the server sets on every write, left out of the changes.
const STAMPS: [&str; 5] = ["type", "id", "version", "created_at", "updated_at"];

/// The fields whose values differ between two states of a record (`None`: absent).
pub fn changes(old: Option<&Record>, new: Option<&Record>) -> Vec<FieldChange> {
    let fields = |record: Option<&Record>| match record.map(Record::to_tagged_json) {
        Some(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let (old, new) = (fields(old), fields(new));
    if old.is_empty() {
        // A creation, the common case of an import: every field is new, and moved, not copied.
        let mut created: Vec<FieldChange> = new
            .into_iter()
            .filter(|(name, _)| !STAMPS.contains(&name.as_str()))
            .map(|(field, value)| FieldChange {
                field,
                old: None,
                new: Some(value),
            })
            .collect();
        created.sort_by(|a, b| a.field.cmp(&b.field));
        return created;
    }
    let mut names: Vec<&String> = old.keys().chain(new.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|name| !STAMPS.contains(&name.as_str()))
        .filter(|name| old.get(*name) != new.get(*name))
        .map(|name| FieldChange {
            field: name.clone(),
            old: old.get(name).cloned(),
            new: new.get(name).cloned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Organisation;

    #[test]
    fn changes_list_only_the_fields_that_differ_with_both_values() {
        let old = Record::Organisation(Organisation {
            id: "a".into(),
            name: "Alfa".into(),
            acronym: Some("A".into()),
            version: 1,
            ..Organisation::default()
        });
        let new = Record::Organisation(Organisation {
            id: "a".into(),
            name: "Alfa e Re".into(),
            founded_year: Some(2001),
            version: 2,
            ..Organisation::default()
        });
        let found = changes(Some(&old), Some(&new));
        let fields: Vec<&str> = found.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["acronym", "founded_year", "name"]);
        assert_eq!(found[0].new, None);
        assert_eq!(found[1].old, None);
        assert_eq!(found[2].old, Some(Value::from("Alfa")));
    }

    #[test]
    fn a_creation_lists_every_field_set_as_new_in_order() {
        let new = Record::Organisation(Organisation {
            id: "a".into(),
            name: "Alfa".into(),
            founded_year: Some(2001),
            version: 1,
            ..Organisation::default()
        });
        let found = changes(None, Some(&new));
        let fields: Vec<&str> = found.iter().map(|c| c.field.as_str()).collect();
        assert!(fields.is_sorted(), "{fields:?}");
        assert!(fields.contains(&"name") && fields.contains(&"founded_year"));
        assert!(!fields.contains(&"id") && !fields.contains(&"version"));
        assert!(found.iter().all(|c| c.old.is_none() && c.new.is_some()));
        // The same as comparing with an empty record, field by field.
        let by_comparison: Vec<FieldChange> = {
            let Value::Object(map) = new.to_tagged_json() else {
                unreachable!()
            };
            let mut names: Vec<&String> = map.keys().collect();
            names.sort();
            names
                .into_iter()
                .filter(|n| !STAMPS.contains(&n.as_str()))
                .map(|n| FieldChange {
                    field: n.clone(),
                    old: None,
                    new: map.get(n).cloned(),
                })
                .collect()
        };
        assert_eq!(found, by_comparison);
    }
}
