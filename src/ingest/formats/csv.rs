//! CSV for spreadsheets: one table of organisations and networks (a `type` column tells
//! them apart), one of memberships. UTF-8 with a byte-order mark so that spreadsheet programs
//! read the ë and ç right. Lists are joined with "; "; branch offices and public contact
//! people, which are lists of objects, are JSON in their cell.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{FormatError, importable, tagged};
use crate::model::Record;

const BOM: &str = "\u{feff}";
const LIST_SEPARATOR: &str = "; ";

#[derive(Clone, Copy)]
enum Cell {
    Text,
    List,
    Integer,
    Number,
    Flag,
    Json,
}

/// Column, path in the record, and how the cell holds it.
const COLUMNS: [(&str, &[&str], Cell); 33] = [
    ("type", &["type"], Cell::Text),
    ("id", &["id"], Cell::Text),
    ("name", &["name"], Cell::Text),
    ("acronym", &["acronym"], Cell::Text),
    ("other_names", &["other_names"], Cell::List),
    ("kind", &["kind"], Cell::Text),
    ("legal_form", &["legal_form"], Cell::Text),
    ("registration_number", &["registration_number"], Cell::Text),
    ("founded_year", &["founded_year"], Cell::Integer),
    ("description_sq", &["description", "sq"], Cell::Text),
    ("description_en", &["description", "en"], Cell::Text),
    ("thematic_areas", &["thematic_areas"], Cell::List),
    ("target_groups", &["target_groups"], Cell::List),
    ("services", &["services"], Cell::List),
    ("expertise", &["expertise"], Cell::List),
    ("scope", &["scope"], Cell::Text),
    ("street", &["address", "street"], Cell::Text),
    ("municipality", &["address", "municipality"], Cell::Text),
    ("county", &["address", "county"], Cell::Text),
    ("postal_code", &["address", "postal_code"], Cell::Text),
    ("country", &["address", "country"], Cell::Text),
    ("lat", &["location", "lat"], Cell::Number),
    ("lon", &["location", "lon"], Cell::Number),
    ("approximate", &["location", "approximate"], Cell::Flag),
    ("areas_served", &["areas_served"], Cell::List),
    ("email", &["contact", "email"], Cell::Text),
    ("phone", &["contact", "phone"], Cell::Text),
    ("website", &["contact", "website"], Cell::Text),
    ("languages", &["languages"], Cell::List),
    ("code_of_standards", &["code_of_standards"], Cell::Flag),
    ("sites", &["sites"], Cell::Json),
    ("contact_persons", &["contact_persons"], Cell::Json),
    ("updated_at", &["updated_at"], Cell::Text),
];

const MEMBERSHIP_COLUMNS: [&str; 9] = [
    "network",
    "network_name",
    "organisation",
    "organisation_name",
    "role",
    "since",
    "until",
    "status",
    "source",
];

/// The organisations-and-networks table.
pub fn organisations(records: &[Record]) -> Result<String, FormatError> {
    let mut writer = ::csv::Writer::from_writer(BOM.as_bytes().to_vec());
    writer.write_record(COLUMNS.iter().map(|(name, _, _)| *name))?;
    for record in tagged(records) {
        let row: Vec<String> = COLUMNS
            .iter()
            .map(|(_, path, cell)| cell_text(get(&record, path), *cell))
            .collect();
        writer.write_record(&row)?;
    }
    finish(writer)
}

/// The memberships table: one row per network member, with both names.
pub fn memberships(
    records: &[Record],
    name_of: impl Fn(&str) -> Option<String>,
) -> Result<String, FormatError> {
    let mut writer = ::csv::Writer::from_writer(BOM.as_bytes().to_vec());
    writer.write_record(MEMBERSHIP_COLUMNS)?;
    for record in records {
        let Record::Network(network) = record else {
            continue;
        };
        for member in &network.members {
            let year = |y: Option<i32>| y.map(|y| y.to_string()).unwrap_or_default();
            writer.write_record([
                network.id.as_str(),
                network.name.as_str(),
                member.organisation.as_str(),
                &name_of(&member.organisation).unwrap_or_default(),
                member.role.as_str(),
                &year(member.since),
                &year(member.until),
                member.status.as_str(),
                member.source.as_deref().unwrap_or_default(),
            ])?;
        }
    }
    finish(writer)
}

fn finish(writer: ::csv::Writer<Vec<u8>>) -> Result<String, FormatError> {
    let bytes = writer
        .into_inner()
        .map_err(|e| FormatError::Invalid(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| FormatError::Invalid(e.to_string()))
}

/// Records from the two tables; the memberships become the networks' member lists.
pub fn import(organisations: &str, memberships: Option<&str>) -> Result<Vec<Value>, FormatError> {
    let mut reader = ::csv::Reader::from_reader(organisations.trim_start_matches(BOM).as_bytes());
    let headers = reader.headers()?.clone();
    let mut records = Vec::new();
    let mut networks: BTreeMap<String, usize> = BTreeMap::new();
    for (line, row) in reader.records().enumerate() {
        let row = row?;
        let mut record = Value::Object(Map::new());
        for (header, text) in headers.iter().zip(row.iter()) {
            let Some((_, path, cell)) = COLUMNS.iter().find(|(name, _, _)| *name == header) else {
                return Err(FormatError::Invalid(format!("unknown column {header:?}")));
            };
            if text.trim().is_empty() {
                continue;
            }
            let value = cell_value(text, *cell).map_err(|message| {
                FormatError::Invalid(format!("row {}, column {header}: {message}", line + 2))
            })?;
            set(&mut record, path, value);
        }
        if record["type"] == "network" {
            record["members"] = json!([]);
            networks.insert(
                record["id"].as_str().unwrap_or_default().to_owned(),
                records.len(),
            );
        }
        records.push(importable(record));
    }
    if let Some(memberships) = memberships {
        let mut reader = ::csv::Reader::from_reader(memberships.trim_start_matches(BOM).as_bytes());
        for (line, row) in reader.deserialize::<BTreeMap<String, String>>().enumerate() {
            let row = row?;
            let field = |name: &str| row.get(name).map(|s| s.trim()).filter(|s| !s.is_empty());
            let network = field("network").unwrap_or_default();
            let Some(&index) = networks.get(network) else {
                return Err(FormatError::Invalid(format!(
                    "memberships row {}: no network {network:?} in the organisations table",
                    line + 2
                )));
            };
            let mut member = json!({"organisation": field("organisation").unwrap_or_default()});
            for name in ["role", "status", "source"] {
                if let Some(text) = field(name) {
                    member[name] = json!(text);
                }
            }
            for name in ["since", "until"] {
                if let Some(text) = field(name) {
                    let year: i64 = text.parse().map_err(|_| {
                        FormatError::Invalid(format!(
                            "memberships row {}: {name} is not a year",
                            line + 2
                        ))
                    })?;
                    member[name] = json!(year);
                }
            }
            if let Some(members) = records[index]["members"].as_array_mut() {
                members.push(member);
            }
        }
    }
    Ok(records)
}

fn get<'a>(record: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(record, |value, key| value.get(key))
}

fn set(record: &mut Value, path: &[&str], value: Value) {
    let mut at = record;
    for key in &path[..path.len() - 1] {
        if !at[*key].is_object() {
            at[*key] = Value::Object(Map::new());
        }
        at = &mut at[*key];
    }
    at[path[path.len() - 1]] = value;
}

fn cell_text(value: Option<&Value>, cell: Cell) -> String {
    match (value, cell) {
        (None | Some(Value::Null), _) => String::new(),
        (Some(Value::String(s)), _) => s.clone(),
        (Some(Value::Array(items)), Cell::List) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(LIST_SEPARATOR),
        (Some(Value::Array(items)), _) if items.is_empty() => String::new(),
        (Some(Value::Bool(false)), Cell::Flag) => String::new(),
        (Some(value), _) => value.to_string(),
    }
}

fn cell_value(text: &str, cell: Cell) -> Result<Value, String> {
    let text = text.trim();
    match cell {
        Cell::Text => Ok(json!(text)),
        Cell::List => Ok(json!(
            text.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
        )),
        Cell::Integer => text
            .parse::<i64>()
            .map(|n| json!(n))
            .map_err(|_| format!("{text:?} is not a whole number")),
        Cell::Number => text
            .parse::<f64>()
            .map(|n| json!(n))
            .map_err(|_| format!("{text:?} is not a number")),
        Cell::Flag => match text.to_lowercase().as_str() {
            "true" | "1" | "yes" | "po" => Ok(json!(true)),
            "false" | "0" | "no" | "jo" => Ok(json!(false)),
            _ => Err(format!("{text:?} is not true or false")),
        },
        Cell::Json => serde_json::from_str(text).map_err(|e| format!("not JSON: {e}")),
    }
}
