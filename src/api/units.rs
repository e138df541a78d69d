//! Albania's counties and municipalities: `GET /api/v1/units`, `GET /api/v1/units/{code}` (with
//! its boundary on request) and `GET /api/v1/units.geojson` (boundaries with search counts, for
//! a choropleth).

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::geo_params::resolve_unit;
use super::records::blocking;
use super::search_params::{LIST_LIMITS, parse_query_string};
use super::{ApiError, AppState};
use crate::geography::{Detail, unit_geometry};
use crate::model::{County, Municipality, places};
use crate::search::FacetValue;
use std::sync::LazyLock;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    County,
    Municipality,
}

fn parse_level(value: &str) -> Result<Level, ApiError> {
    match value {
        "county" => Ok(Level::County),
        "municipality" => Ok(Level::Municipality),
        other => Err(ApiError::bad_parameter(
            "level",
            format!("unknown level {other:?}; use county or municipality"),
        )),
    }
}

fn county_json(county: &County) -> Value {
    json!({
        "code": county.code, "level": "county", "name": county.name, "definite": county.definite,
        "name_en": county.name_en, "alt_names": county.alt, "parent": "AL",
        "point": {"lat": county.lat, "lon": county.lon},
    })
}

fn municipality_json(municipality: &Municipality) -> Value {
    json!({
        "code": municipality.code, "level": "municipality", "name": municipality.name,
        "definite": municipality.definite, "name_en": municipality.name_en,
        "alt_names": municipality.alt, "parent": municipality.county_code,
        "point": {"lat": municipality.lat, "lon": municipality.lon},
    })
}

fn unit_json(code: &str) -> Option<Value> {
    let places = places();
    places
        .counties
        .iter()
        .find(|c| c.code == code)
        .map(county_json)
        .or_else(|| places.municipality_by_code(code).map(municipality_json))
}

fn pairs(query: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// `?level=county|municipality` restricts the list.
#[utoipa::path(
    get,
    path = "/units",
    tag = "units",
    summary = "Albania's 12 counties and 61 municipalities",
    params(("level" = Option<String>, Query, description = "county or municipality")),
    responses((status = 200, description = "The units", body = Object), (status = 400, description = "a bad parameter", body = crate::api::openapi::ErrorBody), (status = 429, description = "rate limited", body = crate::api::openapi::ErrorBody), (status = 503, description = "overloaded or timed out", body = crate::api::openapi::ErrorBody))
)]
pub async fn list(RawQuery(query): RawQuery) -> Result<Json<Value>, ApiError> {
    let mut level = None;
    for (name, value) in pairs(query.as_deref()) {
        match name.as_str() {
            "level" => level = Some(parse_level(&value)?),
            other => {
                return Err(ApiError::bad_parameter(
                    other,
                    format!("unknown parameter {other:?}"),
                ));
            }
        }
    }
    let places = places();
    let mut units = Vec::new();
    if level != Some(Level::Municipality) {
        units.extend(places.counties.iter().map(county_json));
    }
    if level != Some(Level::County) {
        units.extend(places.municipalities.iter().map(municipality_json));
    }
    Ok(Json(json!({ "units": units })))
}

/// One unit by code or name; `?geometry=simplified|full` adds its boundary as GeoJSON.
#[utoipa::path(
    get,
    path = "/units/{code}",
    tag = "units",
    summary = "One unit by code or any name, with its boundary on request",
    params(("code" = String, Path, description = "Code or name"), ("geometry" = Option<String>, Query, description = "simplified or full")),
    responses((status = 200, description = "The unit", body = Object), (status = 404, description = "no such unit", body = crate::api::openapi::ErrorBody))
)]
pub async fn get(
    Path(code): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let mut detail = None;
    for (name, value) in pairs(query.as_deref()) {
        match (name.as_str(), value.as_str()) {
            ("geometry", "simplified") => detail = Some(Detail::Simplified),
            ("geometry", "full") => detail = Some(Detail::Full),
            ("geometry", other) => {
                return Err(ApiError::bad_parameter(
                    "geometry",
                    format!("unknown geometry {other:?}; use simplified or full"),
                ));
            }
            (other, _) => {
                return Err(ApiError::bad_parameter(
                    other,
                    format!("unknown parameter {other:?}"),
                ));
            }
        }
    }
    let code = resolve_unit("code", &code).map_err(|_| ApiError::UnitNotFound(code.clone()))?;
    let mut unit = unit_json(&code).ok_or_else(|| ApiError::UnitNotFound(code.clone()))?;
    if let Some(detail) = detail {
        unit["geometry"] = unit_geometry(&code, detail).cloned().unwrap_or(Value::Null);
    }
    Ok(Json(unit))
}

/// Simplified boundaries of every unit of a level (`level`, default municipality) as a
/// FeatureCollection; with `counts=1`, each carries the number of records matching the search
/// parameters that are located in it.
#[utoipa::path(
    get,
    path = "/units.geojson",
    tag = "units",
    summary = "Unit boundaries as GeoJSON, with counts of a search when counts=1",
    params(("level" = Option<String>, Query, description = "municipality (default) or county"), ("counts" = Option<bool>, Query, description = "Add the count of a search, given by the search parameters")),
    responses((status = 200, description = "application/geo+json", body = Object), (status = 400, description = "a bad parameter", body = crate::api::openapi::ErrorBody), (status = 429, description = "rate limited", body = crate::api::openapi::ErrorBody), (status = 503, description = "overloaded or timed out", body = crate::api::openapi::ErrorBody))
)]
pub async fn geojson(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let mut level = Level::Municipality;
    let mut counts = false;
    let mut search_pairs = Vec::new();
    for (name, value) in pairs(query.as_deref()) {
        match name.as_str() {
            "level" => level = parse_level(&value)?,
            "counts" => counts = matches!(value.as_str(), "1" | "true" | "yes"),
            _ => search_pairs.push((name, value)),
        }
    }
    let search_query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(search_pairs)
        .finish();
    let mut request = parse_query_string(&search_query, LIST_LIMITS)?;
    if !counts {
        // Boundaries alone change only with a new release: made once, cached by browsers.
        static PLAIN: LazyLock<[String; 2]> = LazyLock::new(|| {
            [Level::County, Level::Municipality].map(|level| collection(level, None).to_string())
        });
        let body = &PLAIN[usize::from(level == Level::Municipality)];
        let headers = [
            (header::CONTENT_TYPE, "application/geo+json"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ];
        return Ok((headers, body.clone()).into_response());
    }
    request.limit = 1;
    request.unit_facet = true;
    let results = blocking(&state.directory, move |d| d.search(&request)).await?;
    let unit_counts = results.facets.get("units").cloned().unwrap_or_default();
    let headers = [
        (header::CONTENT_TYPE, "application/geo+json"),
        (header::CACHE_CONTROL, "no-cache"),
    ];
    Ok((headers, Json(collection(level, Some(&unit_counts)))).into_response())
}

/// The units of a level as a FeatureCollection, each with its count when counts are given.
fn collection(level: Level, counts: Option<&[FacetValue]>) -> Value {
    let places = places();
    let codes: Vec<&String> = match level {
        Level::County => places.counties.iter().map(|c| &c.code).collect(),
        Level::Municipality => places.municipalities.iter().map(|m| &m.code).collect(),
    };
    let features: Vec<Value> = codes
        .into_iter()
        .map(|code| {
            let mut properties = unit_json(code).unwrap_or_default();
            if let Some(counts) = counts {
                let count = counts
                    .iter()
                    .find(|v| v.value == *code)
                    .map_or(0, |v| v.count);
                properties["count"] = json!(count);
            }
            json!({
                "type": "Feature",
                "id": code,
                "geometry": unit_geometry(code, Detail::Simplified),
                "properties": properties,
            })
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}
