//! The network of networks: `GET /api/v1/organisations/{id}/connections`, `GET /api/v1/path`
//! and `GET /api/v1/networks/{id}/stats`.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use serde_json::{Value, json};

use super::extract::path_id;
use super::records::blocking;
use super::{ApiError, AppState};
use crate::directory::MAX_PATH_NETWORKS;
use crate::model::RecordKind;

#[utoipa::path(
    get,
    path = "/organisations/{id}/connections",
    tag = "networks",
    summary = "Organisations that share current networks with this one, most shared first",
    params(("id" = String, Path, description = "The organisation")),
    responses((status = 200, description = "{organisation, connections: [{id, name, networks: [{type, id, name}]}]}", body = Object), (status = 404, description = "no such organisation", body = crate::api::openapi::ErrorBody))
)]
pub async fn connections(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id)?.to_string();
    let lookup = id.clone();
    let connections = blocking(&state.directory, move |d| d.connections(&lookup)).await?;
    Ok(Json(
        json!({"organisation": id, "connections": connections}),
    ))
}

#[utoipa::path(
    get,
    path = "/path",
    tag = "networks",
    summary = "The shortest chain of shared networks between two organisations",
    params(("from" = String, Query, description = "An organisation"), ("to" = String, Query, description = "Another organisation")),
    responses((status = 200, description = "{from, to, connected, networks: how many it crosses, path: [{type, id, name}] from `from` to `to`}", body = Object), (status = 400, description = "a bad parameter", body = crate::api::openapi::ErrorBody), (status = 404, description = "no such organisation", body = crate::api::openapi::ErrorBody))
)]
pub async fn path(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let mut from = None;
    let mut to = None;
    for (name, value) in form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes()) {
        let slot = match name.as_ref() {
            "from" => &mut from,
            "to" => &mut to,
            other => {
                return Err(ApiError::bad_parameter(
                    other,
                    format!("unknown parameter {other:?}; use from and to"),
                ));
            }
        };
        let id = crate::model::RecordId::parse(value.trim())
            .map_err(|message| ApiError::bad_parameter(&name, message))?;
        *slot = Some(id.to_string());
    }
    let from = from.ok_or_else(|| ApiError::bad_parameter("from", "from is required"))?;
    let to = to.ok_or_else(|| ApiError::bad_parameter("to", "to is required"))?;
    let (a, b) = (from.clone(), to.clone());
    let path = blocking(&state.directory, move |d| d.path(&a, &b)).await?;
    let networks = path.as_ref().map_or(0, |p| {
        p.iter().filter(|n| n.kind == RecordKind::Network).count()
    });
    Ok(Json(json!({
        "from": from,
        "to": to,
        "connected": path.is_some(),
        "networks": networks,
        "max_networks": MAX_PATH_NETWORKS,
        "path": path.unwrap_or_default(),
    })))
}

#[utoipa::path(
    get,
    path = "/networks/{id}/stats",
    tag = "networks",
    summary = "A network's reach: members by county and thematic area, and municipalities without a member",
    params(("id" = String, Path, description = "The network")),
    responses((status = 200, description = "{network, members, pending, former, by_county, by_thematic_area, municipalities_covered, coverage_gaps}", body = crate::directory::NetworkStats), (status = 404, description = "no such network", body = crate::api::openapi::ErrorBody))
)]
pub async fn stats(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id)?.to_string();
    let stats = blocking(&state.directory, move |d| d.network_stats(&id)).await?;
    Ok(Json(json!(stats)))
}
