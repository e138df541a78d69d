//! Search endpoints: `GET /api/v1/search` (query string), `POST /api/v1/search` (JSON body,
//! which can also carry a polygon) and `GET /api/v1/search.geojson` (hits as map points).

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

use super::extract::JsonBody;
use super::records::blocking;
use super::search_params::{
    LIST_LIMITS, Limits, MAX_DEPTH, encode_cursor, parse_json, parse_query_string,
};
use super::{ApiError, AppState};
use crate::model::normalize_text;
use crate::search::{FacetCounts, Hit, SearchRequest, SearchResults};

/// A map shows more points than a list shows hits.
const MAP_LIMITS: Limits = Limits {
    default: 1_000,
    max: 1_000,
};

#[utoipa::path(
    get,
    path = "/search",
    tag = "search",
    summary = "Search organisations and networks: text, filters, geography, facets",
    params(crate::api::openapi::SearchParams),
    responses((status = 200, description = "A page of results", body = crate::api::openapi::SearchResponse), (status = 400, description = "a bad parameter", body = crate::api::openapi::ErrorBody), (status = 429, description = "rate limited", body = crate::api::openapi::ErrorBody), (status = 503, description = "overloaded or timed out", body = crate::api::openapi::ErrorBody))
)]
pub async fn search(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<SearchAnswer>, ApiError> {
    let request = parse_query_string(query.as_deref().unwrap_or(""), LIST_LIMITS)?;
    respond(&state, request).await
}

#[utoipa::path(
    post,
    path = "/search",
    tag = "search",
    summary = "The same search with a JSON body, which may also carry a GeoJSON polygon",
    request_body = Object,
    responses((status = 200, description = "A page of results", body = crate::api::openapi::SearchResponse), (status = 400, description = "a bad parameter", body = crate::api::openapi::ErrorBody), (status = 429, description = "rate limited", body = crate::api::openapi::ErrorBody), (status = 503, description = "overloaded or timed out", body = crate::api::openapi::ErrorBody))
)]
pub async fn search_json(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Json<SearchAnswer>, ApiError> {
    respond(&state, parse_json(body, LIST_LIMITS)?).await
}

#[utoipa::path(
    get,
    path = "/search.geojson",
    tag = "search",
    summary = "Search hits as a GeoJSON FeatureCollection of points",
    params(crate::api::openapi::SearchParams),
    responses((status = 200, description = "application/geo+json", body = Object), (status = 400, description = "a bad parameter", body = crate::api::openapi::ErrorBody), (status = 429, description = "rate limited", body = crate::api::openapi::ErrorBody), (status = 503, description = "overloaded or timed out", body = crate::api::openapi::ErrorBody))
)]
pub async fn search_geojson(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let request = parse_query_string(query.as_deref().unwrap_or(""), MAP_LIMITS)?;
    let (offset, limit) = (request.offset, request.limit);
    let results = run(&state, request).await?;
    let features: Vec<Value> = results
        .hits
        .iter()
        .filter_map(|hit| {
            let fields = hit.summary.map_fields();
            let location = fields.location?;
            Some(json!({
                "type": "Feature",
                "id": format!("{}/{}", hit.kind.as_str(), hit.id),
                "geometry": {"type": "Point", "coordinates": [location.lon, location.lat]},
                "properties": {
                    "id": hit.id,
                    "type": hit.kind,
                    "name": hit.name,
                    "thematic_areas": fields.thematic_areas,
                    "distance_km": hit.distance_km,
                    "approximate": location.approximate,
                },
            }))
        })
        .collect();
    let body = json!({
        "type": "FeatureCollection",
        "features": features,
        "total": results.total,
        "next_cursor": next_cursor(offset, limit, results.total),
    });
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], Json(body)).into_response())
}

/// A page of hits (at most 100) takes a millisecond or so: it runs here, on the async thread,
/// because handing it to the blocking pool and back cost more than that under load (measured:
/// one word went from about 1,500 to 2,400 requests/s at saturation). A map's thousand points
/// read a thousand stored documents and go to the blocking pool.
async fn run(state: &AppState, request: SearchRequest) -> Result<SearchResults, ApiError> {
    if request.limit <= LIST_LIMITS.max {
        Ok(state.directory.search(&request)?)
    } else {
        blocking(&state.directory, move |d| d.search(&request)).await
    }
}

/// A page of search results as the API answers it, serialised straight from the results.
#[derive(Serialize)]
pub struct SearchAnswer {
    total: usize,
    hits: Vec<Hit>,
    facets: BTreeMap<String, FacetCounts>,
    did_you_mean: Option<String>,
    partial: bool,
    next_cursor: Option<String>,
}

async fn respond(state: &AppState, request: SearchRequest) -> Result<Json<SearchAnswer>, ApiError> {
    let (offset, limit) = (request.offset, request.limit);
    let results = run(state, request).await?;
    Ok(Json(SearchAnswer {
        total: results.total,
        next_cursor: next_cursor(offset, limit, results.total),
        hits: results.hits,
        facets: results.facets,
        did_you_mean: results.did_you_mean,
        partial: results.partial,
    }))
}

/// Suggestions shown per kind unless `limit` says otherwise, and at most.
const SUGGEST_LIMITS: Limits = Limits {
    default: 8,
    max: 20,
};
const MAX_SUGGEST_CHARS: usize = 100;

/// `GET /api/v1/suggest?q=...&limit=N`: names and expertise tags completing what is typed.
#[utoipa::path(
    get,
    path = "/suggest",
    tag = "search",
    summary = "As-you-type completions of names, acronyms and expertise tags",
    params(("q" = String, Query, description = "The words typed so far"), ("limit" = Option<u32>, Query, description = "1 to 20, default 8")),
    responses((status = 200, description = "Names and tags", body = crate::search::Suggestions), (status = 400, description = "a bad parameter", body = crate::api::openapi::ErrorBody), (status = 429, description = "rate limited", body = crate::api::openapi::ErrorBody), (status = 503, description = "overloaded or timed out", body = crate::api::openapi::ErrorBody))
)]
pub async fn suggest(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let mut text = None;
    let mut limit = SUGGEST_LIMITS.default;
    for (name, value) in form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes()) {
        match name.as_ref() {
            "q" if value.chars().count() > MAX_SUGGEST_CHARS => {
                return Err(ApiError::bad_parameter(
                    "q",
                    format!("at most {MAX_SUGGEST_CHARS} characters"),
                ));
            }
            "q" => text = Some(normalize_text(value.trim())),
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=SUGGEST_LIMITS.max).contains(n))
                    .ok_or_else(|| {
                        ApiError::bad_parameter(
                            "limit",
                            format!("{value:?} is not a number from 1 to {}", SUGGEST_LIMITS.max),
                        )
                    })?;
            }
            other => {
                return Err(ApiError::bad_parameter(
                    other,
                    format!("unknown parameter {other:?}"),
                ));
            }
        }
    }
    let text = text.ok_or_else(|| ApiError::bad_parameter("q", "q is required"))?;
    // Suggestions take well under a millisecond: they run here (see `run`).
    let suggestions = state.directory.suggest(&text, limit)?;
    Ok(Json(json!({
        "names": suggestions.names,
        "expertise": suggestions.expertise,
    })))
}

fn next_cursor(offset: usize, limit: usize, total: usize) -> Option<String> {
    let next = offset.saturating_add(limit);
    (next < total && next < MAX_DEPTH).then(|| encode_cursor(next))
}
