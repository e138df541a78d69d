//! The history of a record: every change with who made it, when, and the old and new value of
//! each field it changed. A delete keeps the whole record (a tombstone), so it can be restored.
//! A creation is stored without its changes (every field, as new: a copy of the record, which
//! doubled what an import wrote) and given them back when read (see [`fill_creations`]).

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
    /// Only in the store, on a creation: `changes` were left out, to be filled in when read.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[schema(ignore)]
    pub creation_omitted: bool,
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

/// Gives back the changes of the creations stored without them (oldest first, as stored;
/// `current`: the record now, if it exists). A creation's fields are those of the state its life
/// ended in (the tombstone of the next delete, or the record now), with the changes made since
/// undone newest first: each change keeps the old value of every field it changed. The result
/// is the text the creation would have kept, as records serialise their fields in one order.
pub fn fill_creations(entries: &mut [HistoryEntry], current: Option<&Record>) {
    for at in 0..entries.len() {
        if !entries[at].creation_omitted {
            continue;
        }
        entries[at].creation_omitted = false;
        let later = &entries[at + 1..];
        let end = later.iter().position(|e| e.action == Action::Deleted);
        let final_state = match end {
            Some(delete) => later[delete]
                .tombstone
                .clone()
                .and_then(|tombstone| super::decode_record(tombstone).ok()),
            None => current.cloned(),
        };
        // Without the state it ended in (which a consistent store always has), the creation
        // is shown without its fields rather than with wrong ones.
        let Some(final_state) = final_state else {
            continue;
        };
        let mut state = fields(Some(&final_state));
        for entry in later[..end.unwrap_or(later.len())].iter().rev() {
            for change in &entry.changes {
                match &change.old {
                    Some(old) => state.insert(change.field.clone(), old.clone()),
                    None => state.remove(&change.field),
                };
            }
        }
        entries[at].changes = state
            .into_iter()
            .map(|(field, value)| FieldChange {
                field,
                old: None,
                new: Some(value),
            })
            .collect();
    }
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

    fn organisation(name: &str, acronym: Option<&str>, year: Option<i32>, tags: &[&str]) -> Record {
        Record::Organisation(Organisation {
            id: "a".into(),
            name: name.into(),
            acronym: acronym.map(Into::into),
            founded_year: year,
            expertise: tags.iter().map(|t| (*t).to_owned()).collect(),
            ..Organisation::default()
        })
    }

    fn entry(action: Action, old: Option<&Record>, new: Option<&Record>) -> HistoryEntry {
        let creation = old.is_none();
        HistoryEntry {
            kind: RecordKind::Organisation,
            id: "a".into(),
            version: 0,
            at: String::new(),
            actor: "test".into(),
            action,
            changes: if creation {
                Vec::new()
            } else {
                changes(old, new)
            },
            tombstone: new.is_none().then(|| old.unwrap().to_tagged_json()),
            creation_omitted: creation,
        }
    }

    #[test]
    fn creations_are_given_back_the_changes_they_would_have_kept() {
        let first = organisation("Alfa", Some("A"), Some(2001), &[]);
        let second = organisation("Beta", None, Some(2001), &["mjedis"]);
        let third = organisation("Beta", None, Some(2005), &["mjedis", "ligj"]);
        let restored = third.clone();
        let now = organisation("Gama", Some("G"), None, &["ligj"]);
        let mut history = vec![
            entry(Action::Imported, None, Some(&first)),
            entry(Action::Patched, Some(&first), Some(&second)),
            entry(Action::Replaced, Some(&second), Some(&third)),
            entry(Action::Deleted, Some(&third), None),
            entry(Action::Restored, None, Some(&restored)),
            entry(Action::Patched, Some(&restored), Some(&now)),
        ];
        fill_creations(&mut history, Some(&now));
        assert_eq!(history[0].changes, changes(None, Some(&first)));
        assert_eq!(history[4].changes, changes(None, Some(&restored)));
        assert!(history.iter().all(|e| !e.creation_omitted));
        // The other entries are as written.
        assert_eq!(history[1].changes, changes(Some(&first), Some(&second)));
        // What an API answer holds has no trace of the omission.
        let shown = serde_json::to_value(&history[0]).unwrap();
        assert!(shown.get("creation_omitted").is_none(), "{shown}");
    }

    #[test]
    fn a_creation_without_the_state_its_life_ended_in_is_shown_without_fields() {
        let first = organisation("Alfa", None, None, &[]);
        let mut history = vec![entry(Action::Created, None, Some(&first))];
        fill_creations(&mut history, None);
        assert!(history[0].changes.is_empty());
        assert!(!history[0].creation_omitted);
    }
}
