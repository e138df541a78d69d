//! GeoJSON: one Feature per record, its main place as a Point (null without one), the whole
//! public record as properties, and the licence and date as members of the collection.

use serde_json::{Value, json};

use super::{FormatError, Meta, importable, tagged};
use crate::model::Record;

pub fn export(records: &[Record], meta: &Meta) -> Value {
    let features: Vec<Value> = tagged(records)
        .into_iter()
        .map(|record| {
            let geometry = record
                .get("location")
                .map_or(Value::Null, |l| json!({"type": "Point", "coordinates": [l["lon"], l["lat"]]}));
            json!({
                "type": "Feature",
                "id": format!("{}/{}", record["type"].as_str().unwrap_or_default(), record["id"].as_str().unwrap_or_default()),
                "geometry": geometry,
                "properties": record,
            })
        })
        .collect();
    let mut collection = json!({"type": "FeatureCollection"});
    if let (Some(fields), Value::Object(meta)) = (collection.as_object_mut(), meta.to_json()) {
        fields.extend(meta);
    }
    collection["features"] = Value::Array(features);
    collection
}

/// The records of a FeatureCollection made by [`export`] or by another tool: properties hold
/// the record (with `type`), and a Point geometry gives its location when it has none.
pub fn import(text: &str) -> Result<Vec<Value>, FormatError> {
    let collection: Value = serde_json::from_str(text)?;
    let features = collection["features"]
        .as_array()
        .ok_or_else(|| FormatError::Invalid("not a FeatureCollection: no features".into()))?;
    let mut records = Vec::new();
    for (i, feature) in features.iter().enumerate() {
        let mut record = feature["properties"].clone();
        if !record.is_object() {
            return Err(FormatError::Invalid(format!(
                "feature {i} has no properties"
            )));
        }
        if record.get("location").is_none()
            && feature["geometry"]["type"] == "Point"
            && let Some(point) = feature["geometry"]["coordinates"]
                .as_array()
                .filter(|c| c.len() >= 2)
        {
            record["location"] = json!({"lat": point[1], "lon": point[0]});
        }
        if record.get("type").is_none() {
            record["type"] = json!("organisation");
        }
        records.push(importable(record));
    }
    Ok(records)
}
