//! Builds the index document of a record: searchable text, facet values, sort keys and the stored
//! summary that search hits show without reading the store.

use tantivy::TantivyDocument;
use tantivy::schema::Facet;

use super::geo_index;
use super::request::FilterField;
use super::schema::Fields;
use super::summary_text::summary;
use crate::geography::{GeoPoint, pack};
use crate::model::{
    Address, Label, Location, Record, RecordKind, countries, fold, places, served_units, taxonomy,
    within_units,
};

pub fn key(kind: RecordKind, id: &str) -> String {
    format!("{}/{id}", kind.as_str())
}

/// What a document needs besides its record, read from the store by the indexer.
#[derive(Debug, Clone, Default)]
pub struct Related {
    /// For an organisation: the networks it is a current member of.
    pub networks: Vec<String>,
    /// For a network: its current members whose organisation exists.
    pub member_count: usize,
}

pub fn build(fields: &Fields, record: &Record, related: &Related) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    // First of the stored fields: a hit without highlights reads it and nothing further.
    doc.add_text(fields.summary, summary(record, related));
    let kind = record.kind();
    doc.add_text(fields.key, key(kind, record.id()));
    doc.add_text(fields.kind, kind.as_str());
    let mut facet = |filter: FilterField, value: &str| {
        doc.add_facet(fields.facet(filter), Facet::from_path([value]));
    };
    match record {
        Record::Organisation(o) => {
            for code in &o.thematic_areas {
                facet(FilterField::ThematicArea, code);
            }
            for code in &o.target_groups {
                facet(FilterField::TargetGroup, code);
            }
            for code in &o.services {
                facet(FilterField::Service, code);
            }
            if let Some(scope) = &o.scope {
                facet(FilterField::Scope, scope);
            }
            if let Some(form) = &o.legal_form {
                facet(FilterField::LegalForm, form);
            }
            for network in &related.networks {
                facet(FilterField::Network, network);
            }
            facet(
                FilterField::CodeOfStandards,
                if o.code_of_standards { "true" } else { "false" },
            );
            add_place_facets(&mut facet, o.places().filter_map(|(address, _)| address));
        }
        Record::Network(n) => {
            for code in &n.thematic_areas {
                facet(FilterField::ThematicArea, code);
            }
            if let Some(scope) = &n.scope {
                facet(FilterField::Scope, scope);
            }
            add_place_facets(&mut facet, n.address.iter());
        }
    }
    add_geography(fields, &mut doc, record);
    add_text(fields, &mut doc, record);
    doc
}

/// Points for geographic filters and distances; unit codes for `within` and `serves`.
fn add_geography(fields: &Fields, doc: &mut TantivyDocument, record: &Record) {
    let points = points(record);
    let mut cells = std::collections::BTreeSet::new();
    for point in &points {
        doc.add_f64(fields.lat, point.lat);
        doc.add_f64(fields.lon, point.lon);
        cells.extend(geo_index::cells(point.lat, point.lon));
    }
    for cell in cells {
        doc.add_text(fields.cells, cell);
    }
    if let Some(first) = points.first() {
        doc.add_u64(fields.first_point, pack(*first, points.len() > 1));
    }
    for unit in within_units(record) {
        doc.add_facet(fields.within, Facet::from_path([unit]));
    }
    for unit in served_units(record) {
        doc.add_facet(fields.serves, Facet::from_path([unit]));
    }
    for country in countries(record) {
        doc.add_text(fields.country, country);
    }
}

/// Every point of a record: its location, then its sites' locations.
pub fn points(record: &Record) -> Vec<GeoPoint> {
    let locations: Vec<&Location> = match record {
        Record::Organisation(o) => o.places().filter_map(|(_, location)| location).collect(),
        Record::Network(n) => n.location.iter().collect(),
    };
    locations
        .into_iter()
        .map(|l| GeoPoint::new(l.lat, l.lon))
        .collect()
}

/// County and municipality facet values of every address, each once (a facet value repeated in
/// one document would be counted twice).
fn add_place_facets<'a>(
    facet: &mut impl FnMut(FilterField, &str),
    addresses: impl Iterator<Item = &'a Address>,
) {
    let mut values = std::collections::BTreeSet::new();
    for address in addresses {
        if let Some(county) = &address.county {
            values.insert((FilterField::County, county.as_str()));
        }
        if let Some(municipality) = &address.municipality {
            values.insert((FilterField::Municipality, municipality.as_str()));
        }
    }
    for (field, value) in values {
        facet(field, value);
    }
}

fn add_text(fields: &Fields, doc: &mut TantivyDocument, record: &Record) {
    let (name, acronym, description, founded_year, updated_at) = match record {
        Record::Organisation(o) => {
            for other in &o.other_names {
                doc.add_text(fields.other_names, other);
                doc.add_text(fields.name_sq, other);
                doc.add_text(fields.text_en, other);
            }
            for tag in &o.expertise {
                doc.add_text(fields.expertise, tag);
                doc.add_text(fields.text_sq, tag);
                doc.add_text(fields.text_en, tag);
            }
            for key in tag_keys(&o.expertise) {
                doc.add_text(fields.tag_keys, key);
            }
            for address in o.sites.iter().filter_map(|site| site.address.as_ref()) {
                add_places(fields, doc, Some(address));
            }
            (
                &o.name,
                &o.acronym,
                &o.description,
                o.founded_year,
                &o.updated_at,
            )
        }
        Record::Network(n) => (
            &n.name,
            &n.acronym,
            &n.description,
            n.founded_year,
            &n.updated_at,
        ),
    };
    let address = match record {
        Record::Organisation(o) => &o.address,
        Record::Network(n) => &n.address,
    };
    doc.add_text(fields.name, name);
    doc.add_text(fields.name_sq, name);
    doc.add_text(fields.text_en, name);
    doc.add_text(fields.name_sort, fold(name));
    if let Some(acronym) = acronym {
        doc.add_text(fields.acronym, acronym);
    }
    for text in [&description.sq, &description.en].into_iter().flatten() {
        doc.add_text(fields.description, text);
    }
    if let Some(text) = &description.sq {
        doc.add_text(fields.text_sq, text);
    }
    if let Some(text) = &description.en {
        doc.add_text(fields.text_en, text);
    }
    add_places(fields, doc, address.as_ref());
    for label in theme_labels(record) {
        doc.add_text(fields.themes, &label.sq);
        doc.add_text(fields.themes, &label.en);
        doc.add_text(fields.text_sq, &label.sq);
        doc.add_text(fields.text_en, &label.en);
    }
    for label in group_labels(record) {
        doc.add_text(fields.groups, &label.sq);
        doc.add_text(fields.groups, &label.en);
        doc.add_text(fields.text_sq, &label.sq);
        doc.add_text(fields.text_en, &label.en);
    }
    if let Some(year) = founded_year {
        doc.add_u64(fields.founded_year, u64::try_from(year).unwrap_or(0));
    }
    let updated = updated_at
        .as_deref()
        .and_then(|t| humantime::parse_rfc3339(t).ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    doc.add_u64(fields.updated, updated);
}

/// The keys under which expertise tags are completed: for "monitorim i prokurimit" the folded
/// text from each word on ("monitorim i prokurimit", "i prokurimit", "prokurimit"), each followed
/// by `TAG_KEY_SEPARATOR` and the tag as written.
fn tag_keys(tags: &[String]) -> std::collections::BTreeSet<String> {
    let mut keys = std::collections::BTreeSet::new();
    for tag in tags {
        let folded = fold(tag).to_lowercase();
        let mut rest = folded.trim();
        while !rest.is_empty() {
            keys.insert(format!("{rest}{TAG_KEY_SEPARATOR}{tag}"));
            rest = rest
                .split_once(|c: char| !c.is_alphanumeric())
                .map_or("", |(_, tail)| {
                    tail.trim_start_matches(|c: char| !c.is_alphanumeric())
                });
        }
    }
    keys
}

pub const TAG_KEY_SEPARATOR: char = '\u{1}';

/// The place names a text query can match: the municipality with the definite form people
/// write ("Shkodra", "Vlora") in `places`; the county, also as "Qarku i Shkodrës", in `region`,
/// which counts less (a search for "Elbasan" wants the town before the rest of its county).
fn add_places(fields: &Fields, doc: &mut TantivyDocument, address: Option<&Address>) {
    let Some(address) = address else {
        return;
    };
    if let Some(name) = &address.municipality {
        doc.add_text(fields.places, name);
        doc.add_text(fields.text_sq, name);
        if let Some(municipality) = places().municipality(name) {
            doc.add_text(fields.places, &municipality.definite);
            doc.add_text(fields.text_sq, &municipality.definite);
        }
    }
    if let Some(name) = &address.county {
        doc.add_text(fields.region, name);
        doc.add_text(fields.text_sq, name);
        if let Some(county) = places().county(name) {
            doc.add_text(fields.region, &county.definite);
            doc.add_text(fields.text_sq, &county.definite);
        }
    }
}

/// The labels of the record's thematic areas, in both languages, so that "environment" or
/// "mjedisi" finds records coded `environment`.
fn theme_labels(record: &Record) -> Vec<&'static Label> {
    let tax = taxonomy();
    let codes = match record {
        Record::Organisation(o) => &o.thematic_areas,
        Record::Network(n) => &n.thematic_areas,
    };
    codes
        .iter()
        .filter_map(|c| tax.thematic_areas.label(c))
        .collect()
}

/// The labels of an organisation's target groups and services: who and how it works with,
/// which a query matches with less weight than what it works on.
fn group_labels(record: &Record) -> Vec<&'static Label> {
    let tax = taxonomy();
    let Record::Organisation(o) = record else {
        return Vec::new();
    };
    let groups = o
        .target_groups
        .iter()
        .filter_map(|c| tax.target_groups.label(c));
    let services = o.services.iter().filter_map(|c| tax.services.label(c));
    groups.chain(services).collect()
}
