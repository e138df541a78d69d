//! Turns untrusted JSON into records. Type errors name the field (`location.lat`), unknown fields
//! are rejected, and a `"type"` key, as in NDJSON files and exports, is accepted when it matches.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{Network, Organisation, Problems, Record, RecordKind};

pub fn decode_organisation(value: Value) -> Result<Organisation, Problems> {
    decode_as(value, RecordKind::Organisation)
}

pub fn decode_network(value: Value) -> Result<Network, Problems> {
    decode_as(value, RecordKind::Network)
}

/// Decodes a record whose kind is given by its `"type"` key.
pub fn decode_record(value: Value) -> Result<Record, Problems> {
    let kind = match value.get("type") {
        Some(Value::String(kind)) => RecordKind::parse(kind).ok_or_else(|| {
            Problems::single(
                "type",
                format!("unknown type {kind:?}: use organisation or network"),
            )
        })?,
        Some(_) => return Err(Problems::single("type", "type must be a string")),
        None => {
            return Err(Problems::single(
                "type",
                "missing type: every line needs \"type\": \"organisation\" or \"network\"",
            ));
        }
    };
    Ok(match kind {
        RecordKind::Organisation => Record::Organisation(decode_as(value, kind)?),
        RecordKind::Network => Record::Network(decode_as(value, kind)?),
    })
}

fn decode_as<T: DeserializeOwned>(mut value: Value, kind: RecordKind) -> Result<T, Problems> {
    let Value::Object(fields) = &mut value else {
        return Err(Problems::single("", "a record must be a JSON object"));
    };
    if let Some(tag) = fields.remove("type")
        && tag.as_str() != Some(kind.as_str())
    {
        return Err(Problems::single(
            "type",
            format!("type must be {:?} here, not {tag}", kind.as_str()),
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let field = if path == "." { String::new() } else { path };
        Problems::single(field, error.inner().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn type_errors_name_the_nested_field() {
        let problems =
            decode_organisation(json!({"name": "X", "location": {"lat": "north", "lon": 1.0}}))
                .unwrap_err();
        assert_eq!(problems.0[0].field, "location.lat");
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let problems = decode_organisation(json!({"name": "X", "colour": "red"})).unwrap_err();
        assert!(problems.0[0].message.contains("colour"), "{problems:?}");
    }

    #[test]
    fn a_matching_type_tag_is_accepted_and_a_wrong_one_is_not() {
        assert!(decode_organisation(json!({"type": "organisation", "name": "X"})).is_ok());
        assert!(decode_organisation(json!({"type": "network", "name": "X"})).is_err());
    }

    #[test]
    fn decode_record_needs_a_known_type() {
        assert!(matches!(
            decode_record(json!({"type": "network", "name": "N"})),
            Ok(Record::Network(_))
        ));
        assert_eq!(
            decode_record(json!({"name": "N"})).unwrap_err().0[0].field,
            "type"
        );
        assert_eq!(
            decode_record(json!({"type": "person"})).unwrap_err().0[0].field,
            "type"
        );
    }
}
