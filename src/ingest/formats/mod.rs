//! Open-data formats in and out: CSV (organisations and memberships, for spreadsheets),
//! GeoJSON (for maps), Popolo JSON (organizations and memberships) and Open Referral HSDS
//! (organization, location, service). Pure conversions between records and text: the
//! directory does the reading and writing of records. Every export states its licence and
//! when it was made; importing turns a file back into NDJSON records for the directory.

pub mod csv;
pub mod geojson;
pub mod hsds;
pub mod popolo;

use serde_json::{Value, json};

use crate::model::Record;

/// The licence the directory's data is published under.
pub const LICENCE: &str = "CC-BY-4.0";
pub const LICENCE_URL: &str = "https://creativecommons.org/licenses/by/4.0/";
pub const PUBLISHER: &str = "Rrjeti, the directory of Albania's civil-society organisations";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ndjson,
    Csv,
    GeoJson,
    Popolo,
    Hsds,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Ndjson,
        Format::Csv,
        Format::GeoJson,
        Format::Popolo,
        Format::Hsds,
    ];

    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Ndjson => "ndjson",
            Format::Csv => "csv",
            Format::GeoJson => "geojson",
            Format::Popolo => "popolo",
            Format::Hsds => "hsds",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Ndjson => "application/x-ndjson",
            Format::Csv => "text/csv; charset=utf-8",
            Format::GeoJson => "application/geo+json",
            Format::Popolo | Format::Hsds => "application/json",
        }
    }
}

/// What every export says about itself.
#[derive(Debug, Clone)]
pub struct Meta {
    /// RFC 3339, UTC.
    pub generated_at: String,
}

impl Meta {
    /// The first line of an NDJSON export: `{"type":"meta", ...}`, which imports skip.
    pub fn ndjson_line(&self) -> String {
        let mut line = json!({"type": "meta"});
        if let (Some(fields), Value::Object(meta)) = (line.as_object_mut(), self.to_json()) {
            fields.extend(meta);
        }
        line.to_string()
    }

    pub fn to_json(&self) -> Value {
        json!({
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
            "publisher": PUBLISHER,
            "generated_at": self.generated_at,
        })
    }
}

/// Why a file could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("{0}")]
    Invalid(String),
    #[error("CSV: {0}")]
    Csv(#[from] ::csv::Error),
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Records as NDJSON lines for the directory's import: organisations first, then networks,
/// which refer to them.
pub fn to_ndjson_lines(records: Vec<Value>) -> Vec<String> {
    let (mut organisations, networks): (Vec<Value>, Vec<Value>) = records
        .into_iter()
        .partition(|r| r["type"] == "organisation");
    organisations.extend(networks);
    organisations.iter().map(Value::to_string).collect()
}

/// Drops server-set fields that an import would refuse or ignore.
pub(crate) fn importable(mut record: Value) -> Value {
    if let Some(fields) = record.as_object_mut() {
        for key in ["version", "created_at", "updated_at"] {
            fields.remove(key);
        }
    }
    record
}

/// The records' tagged JSON, the form every converter starts from.
pub(crate) fn tagged(records: &[Record]) -> Vec<Value> {
    records.iter().map(Record::to_tagged_json).collect()
}

/// Of a CSV export, which table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Organisations,
    Memberships,
}

/// Records in a format. NDJSON starts with a `{"type": "meta", ...}` line (imports skip it);
/// CSV gives one table, the licence going with it in a data package or HTTP headers.
pub fn render(
    format: Format,
    table: Table,
    records: &[Record],
    meta: &Meta,
    name_of: impl Fn(&str) -> Option<String>,
) -> Result<String, FormatError> {
    Ok(match format {
        Format::Ndjson => {
            let mut out = meta.ndjson_line();
            out.push('\n');
            for record in records {
                out.push_str(&record.to_tagged_json().to_string());
                out.push('\n');
            }
            out
        }
        Format::Csv => match table {
            Table::Organisations => csv::organisations(records)?,
            Table::Memberships => csv::memberships(records, name_of)?,
        },
        Format::GeoJson => geojson::export(records, meta).to_string(),
        Format::Popolo => popolo::export(records, meta).to_string(),
        Format::Hsds => hsds::export(records, meta).to_string(),
    })
}

/// A file in a format as NDJSON lines for the directory's import. For CSV, `memberships` is
/// the second table, when there is one.
pub fn read(
    format: Format,
    text: &str,
    memberships: Option<&str>,
) -> Result<Vec<String>, FormatError> {
    let records = match format {
        Format::Ndjson => {
            return Ok(text
                .lines()
                .filter(|line| !line.trim().is_empty())
                .map(str::to_owned)
                .collect());
        }
        Format::Csv => csv::import(text, memberships)?,
        Format::GeoJson => geojson::import(text)?,
        Format::Popolo => popolo::import(text)?,
        Format::Hsds => hsds::import(text)?,
    };
    Ok(to_ndjson_lines(records))
}

/// A Frictionless data package describing a CSV export: its two tables, licence and date.
pub fn data_package(meta: &Meta) -> Value {
    json!({
        "name": "rrjeti",
        "title": PUBLISHER,
        "created": meta.generated_at,
        "licenses": [{"name": LICENCE, "path": LICENCE_URL}],
        "resources": [
            {"name": "organisations", "path": "organisations.csv", "format": "csv", "encoding": "utf-8-sig"},
            {"name": "memberships", "path": "memberships.csv", "format": "csv", "encoding": "utf-8-sig"},
        ],
    })
}
