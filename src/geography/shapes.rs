//! Unit boundaries as GeoJSON geometries for maps: simplified ones for drawing, full ones on
//! request. (Containment uses `boundaries`, never these.)

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use crate::model::places;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    Simplified,
    Full,
}

const MUNICIPALITIES_SIMPLIFIED: &str =
    include_str!("../../data/units/al_municipalities_simplified.geojson");
const MUNICIPALITIES_FULL: &str = include_str!("../../data/units/al_municipalities.geojson");
const COUNTIES_SIMPLIFIED: &str = include_str!("../../data/units/al_counties_simplified.geojson");
const COUNTIES_FULL: &str = include_str!("../../data/units/al_counties.geojson");

/// The GeoJSON geometry of a unit, by code (`shkoder`, `AL-10`).
pub fn unit_geometry(code: &str, detail: Detail) -> Option<&'static Value> {
    static SIMPLIFIED: OnceLock<HashMap<String, Value>> = OnceLock::new();
    static FULL: OnceLock<HashMap<String, Value>> = OnceLock::new();
    let shapes = match detail {
        Detail::Simplified => {
            SIMPLIFIED.get_or_init(|| load(MUNICIPALITIES_SIMPLIFIED, COUNTIES_SIMPLIFIED))
        }
        Detail::Full => FULL.get_or_init(|| load(MUNICIPALITIES_FULL, COUNTIES_FULL)),
    };
    shapes.get(code)
}

/// Geometries by unit code; a feature that names no known unit is left out (a unit test checks
/// that none is).
fn load(municipalities: &str, counties: &str) -> HashMap<String, Value> {
    let mut shapes = HashMap::new();
    let features = |text: &str| -> Vec<Value> {
        serde_json::from_str::<Value>(text)
            .ok()
            .and_then(|v| v.get("features").and_then(Value::as_array).cloned())
            .unwrap_or_default()
    };
    for feature in features(municipalities) {
        let name = feature["properties"]["name_sq"]
            .as_str()
            .unwrap_or_default();
        if let Some(m) = places().municipalities.iter().find(|m| m.name == name) {
            shapes.insert(m.code.clone(), feature["geometry"].clone());
        }
    }
    for feature in features(counties) {
        if let Some(code) = feature["properties"]["iso_3166_2"].as_str() {
            shapes.insert(code.to_owned(), feature["geometry"].clone());
        }
    }
    shapes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_has_both_geometries() {
        let places = places();
        let codes = places
            .municipalities
            .iter()
            .map(|m| &m.code)
            .chain(places.counties.iter().map(|c| &c.code));
        for code in codes {
            for detail in [Detail::Simplified, Detail::Full] {
                let geometry =
                    unit_geometry(code, detail).unwrap_or_else(|| panic!("{code} {detail:?}"));
                assert!(geometry["type"] == "Polygon" || geometry["type"] == "MultiPolygon");
            }
        }
    }
}
