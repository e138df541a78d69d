//! What a search asks for and what it returns, in the index's own terms (already validated).

use std::collections::BTreeMap;

use serde::Serialize;

use super::Summary;
use crate::geography::{Area, GeoPoint};
use crate::model::{Label, RecordKind};

/// The fields a search can filter and count facets on. Each is a facet field in the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FilterField {
    ThematicArea,
    TargetGroup,
    Service,
    Scope,
    LegalForm,
    County,
    Municipality,
    Network,
    CodeOfStandards,
}

impl FilterField {
    pub const ALL: [FilterField; 9] = [
        FilterField::ThematicArea,
        FilterField::TargetGroup,
        FilterField::Service,
        FilterField::Scope,
        FilterField::LegalForm,
        FilterField::County,
        FilterField::Municipality,
        FilterField::Network,
        FilterField::CodeOfStandards,
    ];

    /// The query parameter, facet name and index field name.
    pub fn param(self) -> &'static str {
        match self {
            FilterField::ThematicArea => "thematic_area",
            FilterField::TargetGroup => "target_group",
            FilterField::Service => "service",
            FilterField::Scope => "scope",
            FilterField::LegalForm => "legal_form",
            FilterField::County => "county",
            FilterField::Municipality => "municipality",
            FilterField::Network => "network",
            FilterField::CodeOfStandards => "code_of_standards",
        }
    }

    pub fn from_param(param: &str) -> Option<FilterField> {
        FilterField::ALL.into_iter().find(|f| f.param() == param)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Relevance,
    /// Alphabetical, ignoring case and diacritics.
    Name,
    /// Oldest first.
    FoundedYear,
    /// Most recently updated first.
    Updated,
    /// Nearest first (needs `near`); ties by relevance.
    Distance,
}

#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub text: String,
    pub kind: Option<RecordKind>,
    /// Values OR within one field, fields AND across.
    pub filters: Vec<(FilterField, Vec<String>)>,
    pub sort: Sort,
    pub offset: usize,
    /// 1 ..= 100, checked by the caller.
    pub limit: usize,
    pub facets: Vec<FilterField>,
    /// Geographic limits; a record matches when one of its points is inside all of them.
    pub areas: Vec<Area>,
    /// Where distances are measured from.
    pub near: Option<GeoPoint>,
    /// Unit codes: located in any of them.
    pub within: Vec<String>,
    /// Unit or country codes: works in any of them.
    pub serves: Vec<String>,
    /// Count hits in distance bands from `near`.
    pub distance_facet: bool,
    /// Count hits per unit they are located in (`units` facet, keyed by unit code), for maps.
    pub unit_facet: bool,
    /// Add highlighted snippets to each hit.
    pub highlight: bool,
    /// Soft preferences: each one a record has adds its weight to the score. When there are
    /// any, a record must have one of them or match the text.
    pub boosts: Vec<Boost>,
    /// Records with any of these values are left out.
    pub excluded: Vec<(FilterField, Vec<String>)>,
    /// The text matches when any of its words does (for long descriptions), ranked by how
    /// well; otherwise (nearly) every word must match.
    pub any_word: bool,
}

/// A value that makes a record a better match without being required.
#[derive(Debug, Clone, PartialEq)]
pub struct Boost {
    pub field: FilterField,
    pub value: String,
    pub weight: f32,
}

impl SearchRequest {
    /// Everything, sorted by relevance, first page: the base that callers fill in.
    pub fn new() -> SearchRequest {
        SearchRequest {
            text: String::new(),
            kind: None,
            filters: Vec::new(),
            sort: Sort::Relevance,
            offset: 0,
            limit: 20,
            facets: Vec::new(),
            areas: Vec::new(),
            near: None,
            within: Vec::new(),
            serves: Vec::new(),
            distance_facet: false,
            unit_facet: false,
            highlight: false,
            boosts: Vec::new(),
            excluded: Vec::new(),
            any_word: false,
        }
    }
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest::new()
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hit {
    #[serde(rename = "type")]
    pub kind: RecordKind,
    pub id: String,
    pub name: String,
    /// Relevance score; absent when sorting by something else.
    pub score: Option<f32>,
    /// Great-circle distance from `near` to the nearest of the record's places, when `near` is
    /// given and the record has a place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    /// Snippets of the fields that matched, with matches in `<mark>` and the rest HTML-escaped:
    /// `name`, `description` (strings) and `expertise` (the matching tags), when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highlights: Option<serde_json::Map<String, serde_json::Value>>,
    /// The summary fields stored in the index (acronym, place, thematic areas, version, ...).
    #[serde(flatten)]
    #[schema(value_type = serde_json::Map<String, serde_json::Value>)]
    pub summary: Summary,
}

/// One value of a facet with the number of matching records and its labels.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<Label>,
}

/// The values of a facet, in a meaningful order: by value for fields, by band for `distance`.
pub type FacetCounts = Vec<FacetValue>;

#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Facet name → values with counts. A field that the request filters on is counted without
    /// its own filter, so that its other values stay visible (disjunctive faceting).
    pub facets: BTreeMap<String, FacetCounts>,
    /// When nothing matched: a respelling of the query that has results.
    pub did_you_mean: Option<String>,
    /// Nothing matched all the words, so these hits match only some of them.
    pub partial: bool,
}
