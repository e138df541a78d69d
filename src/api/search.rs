//! Search endpoints: `GET /api/v1/search` (query string), `POST /api/v1/search` (JSON body,
//! which can also carry a polygon) and `GET /api/v1/search.geojson` (hits as map points).

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::extract::JsonBody;
use super::records::blocking;
use super::search_params::{
    LIST_LIMITS, Limits, MAX_DEPTH, encode_cursor, parse_json, parse_query_string,
};
use super::{ApiError, AppState};
use crate::search::{SearchRequest, SearchResults};

/// A map shows more points than a list shows hits.
const MAP_LIMITS: Limits = Limits {
    default: 1_000,
    max: 1_000,
};

pub async fn search(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let request = parse_query_string(query.as_deref().unwrap_or(""), LIST_LIMITS)?;
    respond(&state, request).await
}

pub async fn search_json(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    respond(&state, parse_json(body, LIST_LIMITS)?).await
}

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
            let location = hit.summary.get("location")?;
            let (lat, lon) = (location.get("lat")?.as_f64()?, location.get("lon")?.as_f64()?);
            Some(json!({
                "type": "Feature",
                "id": format!("{}/{}", hit.kind.as_str(), hit.id),
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "id": hit.id,
                    "type": hit.kind,
                    "name": hit.name,
                    "thematic_areas": hit.summary.get("thematic_areas").cloned().unwrap_or(json!([])),
                    "distance_km": hit.distance_km,
                    "approximate": location.get("approximate").cloned().unwrap_or(json!(false)),
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

async fn run(state: &AppState, request: SearchRequest) -> Result<SearchResults, ApiError> {
    blocking(&state.directory, move |d| d.search(&request)).await
}

async fn respond(state: &AppState, request: SearchRequest) -> Result<Json<Value>, ApiError> {
    let (offset, limit) = (request.offset, request.limit);
    let results = run(state, request).await?;
    Ok(Json(json!({
        "total": results.total,
        "hits": results.hits,
        "facets": results.facets,
        "next_cursor": next_cursor(offset, limit, results.total),
    })))
}

fn next_cursor(offset: usize, limit: usize, total: usize) -> Option<String> {
    let next = offset.saturating_add(limit);
    (next < total && next < MAX_DEPTH).then(|| encode_cursor(next))
}
