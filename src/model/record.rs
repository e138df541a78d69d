//! A record of either kind, so storage, indexing and import can handle both uniformly.

use serde::{Deserialize, Serialize};

use super::{network::Network, organisation::Organisation};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum RecordKind {
    Organisation,
    Network,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Organisation => "organisation",
            RecordKind::Network => "network",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "organisation" => Some(RecordKind::Organisation),
            "network" => Some(RecordKind::Network),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Organisation(Organisation),
    Network(Network),
}

impl Record {
    pub fn kind(&self) -> RecordKind {
        match self {
            Record::Organisation(_) => RecordKind::Organisation,
            Record::Network(_) => RecordKind::Network,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Record::Organisation(o) => &o.id,
            Record::Network(n) => &n.id,
        }
    }

    pub fn version(&self) -> u64 {
        match self {
            Record::Organisation(o) => o.version,
            Record::Network(n) => n.version,
        }
    }

    /// Sets the fields the directory owns on every write.
    pub fn stamp(&mut self, version: u64, created_at: String, updated_at: String) {
        let (v, c, u) = match self {
            Record::Organisation(o) => (&mut o.version, &mut o.created_at, &mut o.updated_at),
            Record::Network(n) => (&mut n.version, &mut n.created_at, &mut n.updated_at),
        };
        *v = version;
        *c = Some(created_at);
        *u = Some(updated_at);
    }

    pub fn created_at(&self) -> Option<&str> {
        match self {
            Record::Organisation(o) => o.created_at.as_deref(),
            Record::Network(n) => n.created_at.as_deref(),
        }
    }

    /// The JSON of the record with its `"type"` first, as in NDJSON files.
    /// What anyone may see of the record (see [`Organisation::public_view`]).
    pub fn public_view(&self) -> Record {
        match self {
            Record::Organisation(o) => Record::Organisation(o.public_view()),
            Record::Network(n) => Record::Network(n.clone()),
        }
    }

    pub fn to_tagged_json(&self) -> serde_json::Value {
        let (kind, body) = match self {
            Record::Organisation(o) => ("organisation", serde_json::to_value(o)),
            Record::Network(n) => ("network", serde_json::to_value(n)),
        };
        let mut tagged = serde_json::Map::new();
        tagged.insert("type".into(), kind.into());
        if let Ok(serde_json::Value::Object(fields)) = body {
            tagged.extend(fields);
        }
        serde_json::Value::Object(tagged)
    }
}
