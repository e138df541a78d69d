//! The filters of a search as restrictions (see `matching`): kind, facet values, the units a
//! record is in or serves, the grid cells around the search's areas, and exclusions.

use tantivy::Term;
use tantivy::schema::{Facet, Field};

use super::geo_index::Coarse;
use super::matching::Restriction;
use super::request::{FilterField, SearchRequest};
use super::schema::Fields;

pub struct Filters {
    /// What every result passes.
    pub always: Vec<Restriction>,
    /// Where the documents inside the search's areas can be (their exact test comes after).
    pub near: Option<Coarse>,
    /// Values of facet fields: the counts of a field leave out its own filter.
    pub by_field: Vec<(FilterField, Restriction)>,
    /// Records with any of these are left out.
    pub excluded: Option<Restriction>,
}

impl Filters {
    pub fn of(fields: &Fields, request: &SearchRequest) -> Filters {
        let mut always = Vec::new();
        if let Some(kind) = request.kind {
            always.push(Restriction::AnyTerm(vec![Term::from_field_text(
                fields.kind,
                kind.as_str(),
            )]));
        }
        if !request.within.is_empty() {
            always.push(facet_values(fields.within, &request.within));
        }
        if !request.serves.is_empty() {
            let any_unit = request
                .serves
                .iter()
                .map(|unit| serves(fields, unit))
                .collect();
            always.push(Restriction::Any(any_unit));
        }
        let by_field = request
            .filters
            .iter()
            .map(|(field, values)| (*field, facet_values(fields.facet(*field), values)))
            .collect();
        let excluded = (!request.excluded.is_empty()).then(|| {
            Restriction::Any(
                request
                    .excluded
                    .iter()
                    .map(|(field, values)| facet_values(fields.facet(*field), values))
                    .collect(),
            )
        });
        Filters {
            always,
            near: (!request.areas.is_empty()).then(|| Coarse::new(fields, &request.areas)),
            by_field,
            excluded,
        }
    }
}

pub fn facet_term(field: Field, value: &str) -> Term {
    Term::from_facet(field, &Facet::from_path([value]))
}

/// Records with any of the values.
fn facet_values(field: Field, values: &[String]) -> Restriction {
    Restriction::AnyTerm(values.iter().map(|v| facet_term(field, v)).collect())
}

/// Records that work in `unit`: listed as serving it, or of national scope in its country.
fn serves(fields: &Fields, unit: &str) -> Restriction {
    let is_country = unit.len() == 2 && unit.bytes().all(|b| b.is_ascii_uppercase());
    let country = if is_country { unit } else { "AL" };
    Restriction::Any(vec![
        Restriction::AnyTerm(vec![facet_term(fields.serves, unit)]),
        Restriction::All(vec![
            Restriction::AnyTerm(vec![facet_term(
                fields.facet(FilterField::Scope),
                "national",
            )]),
            Restriction::AnyTerm(vec![Term::from_field_text(fields.country, country)]),
        ]),
    ])
}
