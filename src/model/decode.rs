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

/// Decodes one line of NDJSON. A line as exports and `demo-data` write it, starting
/// `{"type":"organisation",` or `{"type":"network",`, is read straight into the record: most of
/// an import's lines, for which building a JSON tree first took about a tenth of the import's
/// time. Any other line, and one that fails so, is decoded through the tree, which names the
/// problem; a line read straight holds no other `type` key (records reject unknown fields), so
/// both ways give the same record.
pub fn decode_record_line(text: &str) -> Result<Record, Problems> {
    if let Some(record) = read_straight(text) {
        return Ok(record);
    }
    let value: Value = serde_json::from_str(text)
        .map_err(|e| Problems::single("", format!("not valid JSON: {e}")))?;
    decode_record(value)
}

/// The record of a line that starts with its type and decodes without a problem.
fn read_straight(text: &str) -> Option<Record> {
    const ORGANISATION: &str = r#"{"type":"organisation","#;
    const NETWORK: &str = r#"{"type":"network","#;
    if let Some(rest) = text.strip_prefix(ORGANISATION) {
        let org = serde_json::from_str(&format!("{{{rest}")).ok()?;
        Some(Record::Organisation(org))
    } else {
        let rest = text.strip_prefix(NETWORK)?;
        let network = serde_json::from_str(&format!("{{{rest}")).ok()?;
        Some(Record::Network(network))
    }
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

    /// Through the JSON tree, as any line that is not read straight.
    fn through_tree(line: &str) -> Result<Record, Problems> {
        match serde_json::from_str::<Value>(line) {
            Ok(value) => decode_record(value),
            Err(e) => Err(Problems::single("", format!("not valid JSON: {e}"))),
        }
    }

    #[test]
    fn lines_read_straight_give_what_the_json_tree_gives() {
        let mut compared = 0;
        for line in crate::DEMO_DATASET.lines() {
            let record = read_straight(line).expect("a demo line is read straight");
            assert_eq!(Ok(record), through_tree(line), "{line}");
            compared += 1;
        }
        assert!(compared > 1_000, "{compared}");
    }

    #[test]
    fn a_line_that_fails_straight_gets_the_problems_of_the_json_tree() {
        for line in [
            r#"{"type":"organisation","name":"X","colour":"red"}"#,
            r#"{"type":"organisation","name":"X","location":{"lat":"north","lon":1.0}}"#,
            r#"{"type":"organisation","name":"X","type":"network"}"#,
            r#"{"type":"network","name":"N","type":"organisation"}"#,
            r#"{"type":"organisation","name":"X"} trailing"#,
            r#"{"type":"organisation","name":"X""#,
            r#"{"type":"network","name":1}"#,
            r#"{"name":"X","type":"organisation"}"#,
            r#"{ "type": "network", "name": "N" }"#,
            r#"{"type":"person","name":"X"}"#,
            "[1, 2]",
        ] {
            assert_eq!(decode_record_line(line), through_tree(line), "{line}");
        }
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
