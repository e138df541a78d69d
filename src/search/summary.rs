//! A hit's summary as the index stores it (JSON text). Answers copy its fields as they are,
//! without building a JSON tree for each hit; pages and distances read fields, parsed once, on
//! first use.

use std::fmt;
use std::sync::OnceLock;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::geography::GeoPoint;

/// The summary fields a hit carries as its own (`type`, `id`, `name`): not repeated from it.
const HEAD: [&str; 3] = ["type", "id", "name"];

#[derive(Debug, Clone, Default)]
pub struct Summary {
    text: String,
    fields: OnceLock<Map<String, Value>>,
}

/// Where a hit is and what it works on, for a map.
#[derive(Debug, Default, Deserialize)]
pub struct MapFields {
    pub location: Option<MapPoint>,
    #[serde(default)]
    pub thematic_areas: Vec<String>,
}

/// A hit's main point; `approximate` when it stands for an address (a municipality's point).
#[derive(Debug, Deserialize)]
pub struct MapPoint {
    pub lat: f64,
    pub lon: f64,
    #[serde(default)]
    pub approximate: bool,
}

/// What a hit takes from the summary for itself.
#[derive(Deserialize)]
pub(super) struct Head {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
}

impl Summary {
    /// The summary and its head, or the reason the text is not a summary.
    pub(super) fn parse(text: String) -> Result<(Summary, Head), serde_json::Error> {
        let head = serde_json::from_str(&text)?;
        Ok((
            Summary {
                text,
                fields: OnceLock::new(),
            },
            head,
        ))
    }

    /// One field of the summary (`acronym`, `location`, `thematic_areas`, `version`, ...).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.fields().get(key)
    }

    /// The points of the record's places: its location, then its sites' (without decoding the
    /// rest of the summary, for the distance of every hit of a search `near` a place).
    pub fn points(&self) -> Vec<GeoPoint> {
        #[derive(Deserialize)]
        struct Point {
            lat: f64,
            lon: f64,
        }
        #[derive(Deserialize)]
        struct Site {
            location: Option<Point>,
        }
        #[derive(Deserialize)]
        struct Places {
            location: Option<Point>,
            #[serde(default)]
            sites: Vec<Site>,
        }
        let Ok(places) = serde_json::from_str::<Places>(&self.text) else {
            return Vec::new();
        };
        let sites = places.sites.into_iter().filter_map(|site| site.location);
        places
            .location
            .into_iter()
            .chain(sites)
            .map(|p| GeoPoint::new(p.lat, p.lon))
            .collect()
    }

    /// What a map shows of the hit besides its name, read without decoding the rest of the
    /// summary into values (the description among them): a map asks for a thousand hits.
    pub fn map_fields(&self) -> MapFields {
        serde_json::from_str(&self.text).unwrap_or_default()
    }

    fn fields(&self) -> &Map<String, Value> {
        // The text parsed as a head when the hit was read, so it is a JSON object.
        self.fields
            .get_or_init(|| serde_json::from_str(&self.text).unwrap_or_default())
    }
}

impl Serialize for Summary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match serde_json::from_str::<RawFields<'_>>(&self.text) {
            Ok(RawFields(fields)) => {
                let mut map = serializer.serialize_map(None)?;
                for (key, value) in fields.into_iter().filter(|(k, _)| !HEAD.contains(k)) {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
            // Keys the summary never has (escaped ones) would end here: the parsed fields.
            Err(_) => {
                let mut map = serializer.serialize_map(None)?;
                let fields = self.fields().iter();
                for (key, value) in fields.filter(|(k, _)| !HEAD.contains(&k.as_str())) {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

/// The fields of a JSON object as borrowed text, in order, without decoding their values.
struct RawFields<'a>(Vec<(&'a str, &'a RawValue)>);

impl<'de> Deserialize<'de> for RawFields<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = RawFields<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut fields = Vec::with_capacity(map.size_hint().unwrap_or(16));
                while let Some(entry) = map.next_entry::<&'de str, &'de RawValue>()? {
                    fields.push(entry);
                }
                Ok(RawFields(fields))
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(text: &str) -> Summary {
        Summary::parse(text.to_owned()).unwrap().0
    }

    #[test]
    fn serialises_every_field_but_the_head_as_stored() {
        let text = r#"{"type":"organisation","id":"a","name":"A","acronym":"Ç","location":{"lat":41.5,"lon":19.25},"version":3}"#;
        let out = serde_json::to_string(&summary(text)).unwrap();
        assert_eq!(
            out,
            r#"{"acronym":"Ç","location":{"lat":41.5,"lon":19.25},"version":3}"#
        );
    }

    #[test]
    fn reads_fields_and_the_head() {
        let (summary, head) =
            Summary::parse(r#"{"type":"network","id":"n","name":"N","member_count":4}"#.into())
                .unwrap();
        assert_eq!((head.kind.as_str(), head.id.as_str()), ("network", "n"));
        assert_eq!(head.name, "N");
        assert_eq!(summary.get("member_count"), Some(&Value::from(4)));
        assert_eq!(summary.get("absent"), None);
    }

    #[test]
    fn points_are_the_location_then_the_sites() {
        let text = r#"{"id":"a","location":{"lat":41.0,"lon":19.5},"sites":[{"label":"b","location":{"lat":40.5,"lon":20.0}},{"label":"c"}]}"#;
        assert_eq!(
            summary(text).points(),
            vec![GeoPoint::new(41.0, 19.5), GeoPoint::new(40.5, 20.0)]
        );
        assert_eq!(summary(r#"{"id":"x"}"#).points(), vec![]);
    }

    #[test]
    fn a_map_reads_the_location_and_the_thematic_areas() {
        let text = r#"{"id":"a","thematic_areas":["youth","health"],"location":{"lat":41.5,"lon":19.25,"approximate":true},"description":"Long"}"#;
        let fields = summary(text).map_fields();
        let location = fields.location.unwrap();
        assert_eq!(
            (location.lat, location.lon, location.approximate),
            (41.5, 19.25, true)
        );
        assert_eq!(fields.thematic_areas, ["youth", "health"]);
        let exact = summary(r#"{"id":"b","location":{"lat":40.0,"lon":20.0}}"#).map_fields();
        assert!(!exact.location.unwrap().approximate);
        assert!(exact.thematic_areas.is_empty());
        assert!(summary(r#"{"id":"c"}"#).map_fields().location.is_none());
    }

    #[test]
    fn escaped_keys_still_serialise() {
        let out = serde_json::to_string(&summary(r#"{"id":"x","a\u0062":1}"#)).unwrap();
        assert_eq!(out, r#"{"ab":1}"#);
    }

    #[test]
    fn text_that_is_not_a_summary_is_an_error() {
        assert!(Summary::parse("[1,2]".into()).is_err());
        assert!(Summary::parse("{".into()).is_err());
    }
}
