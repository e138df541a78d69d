//! The history of a record: every change with who made it, when, and the old and new value of
//! each field it changed. A delete keeps the whole record (a tombstone), so it can be restored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

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

/// One field's change. The values are kept as the JSON text the record serialised them to:
/// written to the store and to answers as they are, never built into a tree (an import
/// writes the whole of every record it creates into its history).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldChange {
    pub field: String,
    /// Absent when the field was not set before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Value>)]
    pub old: Option<Box<RawValue>>,
    /// Absent when the field is no longer set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Value>)]
    pub new: Option<Box<RawValue>>,
}

impl PartialEq for FieldChange {
    fn eq(&self, other: &Self) -> bool {
        self.field == other.field
            && raw_text(&self.old) == raw_text(&other.old)
            && raw_text(&self.new) == raw_text(&other.new)
    }
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

/// The fields whose values differ between two states of a record (`None`: absent), by name.
pub fn changes(old: Option<&Record>, new: Option<&Record>) -> Vec<FieldChange> {
    let (old, new) = (fields(old), fields(new));
    if old.is_empty() {
        // A creation, the common case of an import: every field is new, and moved, not copied.
        return new
            .into_iter()
            .map(|(field, value)| FieldChange {
                field,
                old: None,
                new: Some(value),
            })
            .collect();
    }
    let mut names: Vec<&String> = old.keys().chain(new.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|name| old.get(*name).map(|v| v.get()) != new.get(*name).map(|v| v.get()))
        .map(|name| FieldChange {
            field: name.clone(),
            old: old.get(name).cloned(),
            new: new.get(name).cloned(),
        })
        .collect()
}

fn raw_text(value: &Option<Box<RawValue>>) -> Option<&str> {
    value.as_deref().map(RawValue::get)
}

/// A record's fields as JSON text, by name, without the stamps.
type Fields = BTreeMap<String, Box<RawValue>>;

fn fields(record: Option<&Record>) -> Fields {
    // A record's fields serialise in a fixed order, so equal values are equal text.
    let text = match record {
        None => return Fields::new(),
        Some(Record::Organisation(o)) => serde_json::to_string(o),
        Some(Record::Network(n)) => serde_json::to_string(n),
    };
    let mut fields: Fields = text
        .and_then(|text| serde_json::from_str(&text))
        .expect("a record serialises to a JSON object");
    fields.retain(|name, _| !STAMPS.contains(&name.as_str()));
    fields
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
        assert!(found[0].new.is_none());
        assert!(found[1].old.is_none());
        assert_eq!(
            found[2].old.as_deref().map(RawValue::get),
            Some(r#""Alfa""#)
        );
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
        // The same as comparing the record's JSON tree with an empty one, field by field.
        let by_comparison: Vec<(String, Option<Value>)> = {
            let Value::Object(map) = new.to_tagged_json() else {
                unreachable!()
            };
            let mut names: Vec<&String> = map.keys().collect();
            names.sort();
            names
                .into_iter()
                .filter(|n| !STAMPS.contains(&n.as_str()))
                .map(|n| (n.clone(), map.get(n).cloned()))
                .collect()
        };
        let as_trees: Vec<(String, Option<Value>)> = found
            .iter()
            .map(|c| {
                let tree = c
                    .new
                    .as_deref()
                    .map(|raw| serde_json::from_str(raw.get()).unwrap());
                (c.field.clone(), tree)
            })
            .collect();
        assert_eq!(as_trees, by_comparison);
    }
}
