//! The summary stored with each document: what a search hit shows of a record, written as JSON
//! text straight from the record (`summary` reads it back).

use serde::Serialize;

use super::document::Related;
use crate::model::{Address, Description, Location, Record};

/// What a search hit shows of a record, as JSON text written straight from the record: absent
/// values and empty lists left out, the keys in the order of the structs below (the order
/// hits show them in).
pub(super) fn summary(record: &Record, related: &Related) -> String {
    let text = match record {
        Record::Organisation(o) => serde_json::to_string(&OrganisationSummary {
            head: SummaryHead::new("organisation", &o.id, &o.name, o.acronym.as_deref()),
            legal_form: o.legal_form.as_deref(),
            work: SummaryWork {
                scope: o.scope.as_deref(),
                thematic_areas: &o.thematic_areas,
                place: PlaceSummary::of(o.address.as_ref(), o.location.as_ref()),
            },
            sites: o
                .sites
                .iter()
                .map(|site| SiteSummary {
                    label: site.label.as_deref(),
                    municipality: municipality(site.address.as_ref()),
                    location: site.location.as_ref(),
                })
                .collect(),
            founded_year: o.founded_year,
            code_of_standards: o.code_of_standards,
            tail: SummaryTail::new(&o.description, o.updated_at.as_deref(), o.version),
        }),
        Record::Network(n) => serde_json::to_string(&NetworkSummary {
            head: SummaryHead::new("network", &n.id, &n.name, n.acronym.as_deref()),
            network_kind: &n.kind,
            work: SummaryWork {
                scope: n.scope.as_deref(),
                thematic_areas: &n.thematic_areas,
                place: PlaceSummary::of(n.address.as_ref(), n.location.as_ref()),
            },
            founded_year: n.founded_year,
            member_count: related.member_count,
            tail: SummaryTail::new(&n.description, n.updated_at.as_deref(), n.version),
        }),
    };
    text.expect("a summary serialises")
}

#[derive(Serialize)]
struct OrganisationSummary<'a> {
    #[serde(flatten)]
    head: SummaryHead<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    legal_form: Option<&'a str>,
    #[serde(flatten)]
    work: SummaryWork<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sites: Vec<SiteSummary<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    founded_year: Option<i32>,
    code_of_standards: bool,
    #[serde(flatten)]
    tail: SummaryTail<'a>,
}

#[derive(Serialize)]
struct NetworkSummary<'a> {
    #[serde(flatten)]
    head: SummaryHead<'a>,
    #[serde(rename = "kind")]
    network_kind: &'a str,
    #[serde(flatten)]
    work: SummaryWork<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    founded_year: Option<i32>,
    member_count: usize,
    #[serde(flatten)]
    tail: SummaryTail<'a>,
}

/// What every summary begins with: what the record is and what it is called.
#[derive(Serialize)]
struct SummaryHead<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    acronym: Option<&'a str>,
}

impl<'a> SummaryHead<'a> {
    fn new(kind: &'static str, id: &'a str, name: &'a str, acronym: Option<&'a str>) -> Self {
        SummaryHead {
            kind,
            id,
            name,
            acronym,
        }
    }
}

/// What the record works on and where.
#[derive(Serialize)]
struct SummaryWork<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    thematic_areas: &'a [String],
    #[serde(flatten)]
    place: PlaceSummary<'a>,
}

/// What every summary ends with: an excerpt of the description, and the version.
#[derive(Serialize)]
struct SummaryTail<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_at: Option<&'a str>,
    version: u64,
}

impl<'a> SummaryTail<'a> {
    fn new(description: &Description, updated_at: Option<&'a str>, version: u64) -> Self {
        SummaryTail {
            description: description.preferred().map(excerpt),
            updated_at,
            version,
        }
    }
}

/// The main place: names from the address, and the point.
#[derive(Serialize)]
struct PlaceSummary<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    municipality: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    county: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'a Location>,
}

impl<'a> PlaceSummary<'a> {
    fn of(address: Option<&'a Address>, location: Option<&'a Location>) -> Self {
        PlaceSummary {
            municipality: municipality(address),
            county: address.and_then(|a| a.county.as_deref()),
            country: address.map(|a| a.country.as_str()),
            location,
        }
    }
}

/// A site: every key present, `null` when unknown.
#[derive(Serialize)]
struct SiteSummary<'a> {
    label: Option<&'a str>,
    municipality: Option<&'a str>,
    location: Option<&'a Location>,
}

fn municipality(address: Option<&Address>) -> Option<&str> {
    address.and_then(|a| a.municipality.as_deref())
}

/// The first 240 characters of a text, cut at a word boundary.
fn excerpt(text: &str) -> String {
    const MAX: usize = 240;
    if text.chars().count() <= MAX {
        return text.to_owned();
    }
    let cut: String = text.chars().take(MAX).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use super::*;
    use crate::model::decode_record_line;
    use crate::search::document::Related;

    /// The summary as a JSON tree taken from the whole record's: its keys in order, nulls and
    /// empty lists left out.
    fn reference(record: &Record, related: &Related) -> Value {
        let full = record.to_tagged_json();
        let address = |key: &str| full["address"][key].clone();
        let keys = match record {
            Record::Organisation(_) => {
                "type id name acronym legal_form scope thematic_areas municipality county country \
                 location sites founded_year code_of_standards description updated_at version"
            }
            Record::Network(_) => {
                "type id name acronym kind scope thematic_areas municipality county country \
                 location founded_year member_count description updated_at version"
            }
        };
        let mut summary = Map::new();
        for key in keys.split_whitespace() {
            let value = match key {
                "municipality" | "county" | "country" => address(key),
                "sites" => full[key]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|site| {
                        json!({"label": site["label"], "municipality": site["address"]["municipality"],
                               "location": site["location"]})
                    })
                    .collect(),
                "description" => {
                    let text = full[key]["sq"].as_str().or(full[key]["en"].as_str());
                    json!(text.map(excerpt))
                }
                "member_count" => json!(related.member_count),
                "version" => json!(record.version()),
                _ => full[key].clone(),
            };
            if !(value.is_null() || value.as_array().is_some_and(Vec::is_empty)) {
                summary.insert(key.to_owned(), value);
            }
        }
        Value::Object(summary)
    }

    #[test]
    fn the_summary_is_the_text_of_the_json_tree_it_replaced() {
        let odd = [
            r#"{"type":"organisation","name":"X"}"#,
            r#"{"type":"network","name":"N","kind":"coalition"}"#,
            r#"{"type":"organisation","name":"S","code_of_standards":true,"sites":[{},{"label":"Zyra","location":{"lat":41.1,"lon":19.9,"approximate":true}}],"description":{"en":"Only English"},"address":{"country":"XK"}}"#,
        ];
        let mut compared = 0;
        for line in crate::DEMO_DATASET.lines().chain(odd) {
            let record = decode_record_line(line).unwrap();
            for related in [
                Related::default(),
                Related {
                    networks: vec!["rrjeti-x".into()],
                    member_count: 7,
                },
            ] {
                let expected = reference(&record, &related).to_string();
                assert_eq!(summary(&record, &related), expected, "{line}");
                compared += 1;
            }
        }
        assert!(compared > 2_000, "{compared}");
    }
}
