//! The OpenAPI 3.1 description of the API, served at `/api/v1/openapi.json`. It is generated
//! from the handlers' `#[utoipa::path]` annotations and the types' `ToSchema` derives, and the
//! router registers the same handlers through it (`utoipa_axum`), so that a route cannot exist
//! without its description.

use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

use crate::model::Problem;
use crate::search::{FacetValue, Hit};

/// Every error: `{"error": {...}}`.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `bad_parameter`, `invalid_json`, `unauthorized`, `forbidden`, `not_found`, `conflict`,
    /// `precondition_failed`, `payload_too_large`, `invalid_record`, `idempotency_key_reused`,
    /// `rate_limited`, `overloaded`, `timed_out`, `internal`, ...
    pub code: String,
    pub message: String,
    /// The parameter, header or record field at fault.
    pub field: Option<String>,
    /// Every problem of an invalid record.
    pub problems: Option<Vec<Problem>>,
}

/// A page of search results.
#[derive(Serialize, ToSchema)]
pub struct SearchResponse {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Facet name → values with counts and labels.
    pub facets: std::collections::BTreeMap<String, Vec<FacetValue>>,
    /// When nothing matched: a respelling that has results.
    pub did_you_mean: Option<String>,
    /// Nothing matched every word; these hits match some.
    pub partial: bool,
    /// Pass as `cursor` for the next page.
    pub next_cursor: Option<String>,
}

/// The parameters of `GET /api/v1/search` (the JSON body of `POST` takes the same names).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SearchParams {
    /// Words to find (at most 500 characters).
    q: Option<String>,
    /// `organisation` or `network`.
    r#type: Option<String>,
    /// Taxonomy codes, repeated or comma-separated (OR within a field, AND across fields).
    thematic_area: Option<String>,
    target_group: Option<String>,
    service: Option<String>,
    scope: Option<String>,
    legal_form: Option<String>,
    /// Any spelling of a county or municipality.
    county: Option<String>,
    municipality: Option<String>,
    /// A network id: its current members.
    network: Option<String>,
    code_of_standards: Option<bool>,
    /// `LAT,LON`: distances are measured from here.
    near: Option<String>,
    /// With `near`: within this great-circle distance.
    radius_km: Option<f64>,
    /// `MINLON,MINLAT,MAXLON,MAXLAT`.
    bbox: Option<String>,
    /// A county or municipality the record is located in.
    within: Option<String>,
    /// A county, municipality or country the record works in.
    serves: Option<String>,
    /// `relevance`, `name`, `founded_year`, `updated` or `distance`.
    sort: Option<String>,
    /// 1 to 100.
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Comma list of filter fields to count, `distance` and `units`.
    facets: Option<String>,
    /// Add highlighted snippets to each hit.
    highlight: Option<bool>,
}

/// The names `SearchParams` documents, for checking them against the parser.
pub const SEARCH_PARAMETERS: [&str; 21] = [
    "q",
    "type",
    "thematic_area",
    "target_group",
    "service",
    "scope",
    "legal_form",
    "county",
    "municipality",
    "network",
    "code_of_standards",
    "near",
    "radius_km",
    "bbox",
    "within",
    "serves",
    "sort",
    "limit",
    "cursor",
    "facets",
    "highlight",
];

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rrjeti",
        description = "A directory of civil-society organisations, their networks and coalitions, with full-text and geographic search."
    ),
    modifiers(&BearerAuth),
    components(schemas(ErrorBody, ErrorDetail, SearchResponse))
)]
pub struct ApiDoc;
