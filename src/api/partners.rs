//! Partner matching: `GET /api/v1/organisations/{id}/partners` (who could work with this
//! organisation) and `POST /api/v1/match` (who could carry a project). Parameters are checked
//! here; the ranking is the directory's.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use serde_json::{Map, Value, json};

use super::extract::{JsonBody, path_id};
use super::records::blocking;
use super::search_params::{LIST_LIMITS, parse_flag, parse_json, parse_query_string};
use super::{ApiError, AppState};
use crate::directory::{Goal, MatchQuery, PartnerQuery, Project};
use crate::geography::GeoPoint;
use crate::model::{Record, RecordKind, Vocabulary, places, taxonomy};

const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 50;

#[utoipa::path(
    get,
    path = "/organisations/{id}/partners",
    tag = "partners",
    summary = "Organisations ranked as potential partners, with a score and the reasons in words",
    params(
        ("id" = String, Path, description = "The organisation"),
        ("goal" = Option<String>, Query, description = "`similar` (default): doing the same kind of work; `complementary`: in the same field, offering services this one does not"),
        ("exclude_networks_in_common" = Option<bool>, Query, description = "Leave out organisations already in a network with this one"),
        ("limit" = Option<u32>, Query, description = "1 to 50, default 10"),
        ("radius_km" = Option<f64>, Query, description = "Within this distance of the organisation (or of `near`); every other search filter applies too"),
    ),
    responses((status = 200, description = "{organisation, goal, partners: [{type, id, name, acronym, municipality, county, score, distance_km, reasons: [{code, text: {sq, en}, weight}]}]}", body = Object), (status = 400, description = "a bad parameter", body = crate::api::openapi::ErrorBody), (status = 404, description = "no such organisation", body = crate::api::openapi::ErrorBody))
)]
pub async fn partners(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id)?.to_string();
    let mut goal = Goal::Similar;
    let mut exclude = false;
    let mut limit = DEFAULT_LIMIT;
    let mut search = Vec::new();
    for (name, value) in form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes()) {
        match name.as_ref() {
            "goal" => goal = parse_goal(&value)?,
            "exclude_networks_in_common" => exclude = parse_flag(&name, &value)?,
            "limit" => limit = parse_limit(&value)?,
            "q" | "sort" | "cursor" | "facets" | "highlight" | "type" => {
                return Err(ApiError::bad_parameter(
                    &name,
                    format!("{name} does not apply to partners"),
                ));
            }
            _ => search.push((name.into_owned(), value.into_owned())),
        }
    }
    // "Within 50 km" means of the organisation itself unless `near` says otherwise.
    let has = |key: &str| search.iter().any(|(n, _)| n == key);
    if has("radius_km") && !has("near") {
        let lookup = id.clone();
        let record = blocking(&state.directory, move |d| {
            d.get(RecordKind::Organisation, &lookup)
        })
        .await?;
        let Record::Organisation(org) = record else {
            return Err(ApiError::bad_parameter("id", "not an organisation"));
        };
        let location = org.location.ok_or_else(|| {
            ApiError::bad_parameter(
                "radius_km",
                "this organisation has no location: give near=LAT,LON too",
            )
        })?;
        search.push(("near".into(), format!("{},{}", location.lat, location.lon)));
    }
    let search = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(search)
        .finish();
    let within = parse_query_string(&search, LIST_LIMITS)?;
    let query = PartnerQuery {
        goal,
        exclude_networks_in_common: exclude,
        within,
        limit,
    };
    let lookup = id.clone();
    let partners = blocking(&state.directory, move |d| d.partners(&lookup, &query)).await?;
    Ok(Json(json!({
        "organisation": id,
        "goal": goal_name(goal),
        "partners": partners,
    })))
}

#[utoipa::path(
    post,
    path = "/match",
    tag = "partners",
    summary = "Organisations and networks best placed to carry a project or call for proposals",
    request_body(content = Object, description = "{text, thematic_areas: [codes], target_groups: [codes], services: [codes], place: a municipality or county, limit (1 to 50, default 10)} plus any search filter (type, near, radius_km, within, serves, polygon, ...)"),
    responses((status = 200, description = "{results: [{type, id, name, acronym, municipality, county, score, distance_km, reasons: [{code, text: {sq, en}, weight}]}]}", body = Object), (status = 400, description = "a bad parameter", body = crate::api::openapi::ErrorBody))
)]
pub async fn match_project(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let Value::Object(mut fields) = body else {
        return Err(ApiError::bad_parameter(
            "",
            "the body must be a JSON object",
        ));
    };
    let tax = taxonomy();
    let text = match fields.remove("text") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => crate::model::normalize_text(&text),
        Some(_) => return Err(ApiError::bad_parameter("text", "text must be a string")),
    };
    if text.chars().count() > 5_000 {
        return Err(ApiError::bad_parameter("text", "at most 5,000 characters"));
    }
    let mut project = Project {
        themes: codes(&mut fields, "thematic_areas", &tax.thematic_areas)?,
        groups: codes(&mut fields, "target_groups", &tax.target_groups)?,
        services: codes(&mut fields, "services", &tax.services)?,
        ..Project::default()
    };
    match fields.remove("place") {
        None | Some(Value::Null) => {}
        Some(Value::String(place)) => {
            let places = places();
            if let Some(m) = places.municipality(&place) {
                project.municipality = Some(m.name.clone());
                project.county = Some(places.county_of(m).name.clone());
                let (lat, lon) = m.seat.unwrap_or((m.lat, m.lon));
                project.point = Some(GeoPoint::new(lat, lon));
            } else if let Some(c) = places.county(&place) {
                project.county = Some(c.name.clone());
            } else {
                return Err(ApiError::bad_parameter(
                    "place",
                    format!("{place:?} is not one of Albania's municipalities or counties"),
                ));
            }
        }
        Some(_) => return Err(ApiError::bad_parameter("place", "place must be a string")),
    }
    let limit = match fields.remove("limit") {
        None | Some(Value::Null) => DEFAULT_LIMIT,
        Some(Value::String(value)) => parse_limit(&value)?,
        Some(value) => parse_limit(&value.to_string())?,
    };
    for name in ["q", "sort", "cursor", "facets", "highlight"] {
        if fields.contains_key(name) {
            return Err(ApiError::bad_parameter(
                name,
                format!("{name} does not apply to matching; describe the project in text"),
            ));
        }
    }
    if text.is_empty()
        && project.themes.is_empty()
        && project.groups.is_empty()
        && project.services.is_empty()
        && project.county.is_none()
    {
        return Err(ApiError::bad_parameter(
            "text",
            "describe the project: text, thematic_areas, target_groups, services or place",
        ));
    }
    let within = parse_json(Value::Object(fields), LIST_LIMITS)?;
    if project.point.is_none() {
        project.point = within.near;
    }
    let query = MatchQuery {
        text,
        project,
        kind: within.kind,
        within,
        limit,
    };
    let results = blocking(&state.directory, move |d| d.match_project(&query)).await?;
    Ok(Json(json!({ "results": results })))
}

fn parse_goal(value: &str) -> Result<Goal, ApiError> {
    match value {
        "" | "similar" => Ok(Goal::Similar),
        "complementary" => Ok(Goal::Complementary),
        other => Err(ApiError::bad_parameter(
            "goal",
            format!("unknown goal {other:?}; use similar or complementary"),
        )),
    }
}

fn goal_name(goal: Goal) -> &'static str {
    match goal {
        Goal::Similar => "similar",
        Goal::Complementary => "complementary",
    }
}

fn parse_limit(value: &str) -> Result<usize, ApiError> {
    value
        .parse()
        .ok()
        .filter(|n| (1..=MAX_LIMIT).contains(n))
        .ok_or_else(|| {
            ApiError::bad_parameter(
                "limit",
                format!("{value:?} is not a number from 1 to {MAX_LIMIT}"),
            )
        })
}

/// A list of taxonomy codes (or one code) under `name`, each checked.
fn codes(
    fields: &mut Map<String, Value>,
    name: &str,
    vocabulary: &Vocabulary,
) -> Result<Vec<String>, ApiError> {
    let values = match fields.remove(name) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::String(one)) => vec![Value::String(one)],
        Some(Value::Array(list)) => list,
        Some(_) => {
            return Err(ApiError::bad_parameter(
                name,
                format!("{name} must be a list of codes"),
            ));
        }
    };
    let mut out = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let code = value.as_str().unwrap_or_default();
        if !vocabulary.contains(code) {
            return Err(ApiError::bad_parameter(
                &format!("{name}[{i}]"),
                format!("unknown code {value}; allowed: {}", vocabulary.allowed()),
            ));
        }
        if !out.iter().any(|c| c == code) {
            out.push(code.to_owned());
        }
    }
    Ok(out)
}
