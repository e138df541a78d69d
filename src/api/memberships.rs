//! Memberships by consent: `PUT /api/v1/networks/{id}/members/{organisation}` (one side agrees:
//! invites, asks to join, or accepts) and `DELETE` (one side withdraws or ends it). The token
//! decides which side speaks.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::auth::Writer;
use super::extract::{OptionalJsonBody, path_id};
use super::records::blocking;
use super::{ApiError, AppState};
use crate::directory::{DirectoryError, Side, Terms};
use crate::model::{Principal, Scope};

#[utoipa::path(
    get,
    path = "/networks/{id}/members/{organisation}",
    tag = "memberships",
    summary = "One membership, confirmed, pending or former",
    params(("id" = String, Path, description = "The network"), ("organisation" = String, Path, description = "The organisation")),
    responses((status = 200, description = "{membership: {network, organisation, name, role, since, until, current, status, source}}", body = Object), (status = 404, description = "no such network or membership", body = crate::api::openapi::ErrorBody))
)]
pub async fn get(
    State(state): State<AppState>,
    Path((network, organisation)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (network, organisation) = ids(&network, &organisation)?;
    let membership = blocking(&state.directory, move |d| {
        d.members_of(&network)?
            .into_iter()
            .find(|m| m.organisation == organisation)
            .ok_or(DirectoryError::NoMembership {
                network,
                organisation,
            })
    })
    .await?;
    Ok(Json(json!({ "membership": membership })).into_response())
}

#[utoipa::path(
    put,
    path = "/networks/{id}/members/{organisation}",
    tag = "memberships",
    summary = "One side agrees to a membership: the network invites, the organisation asks, or the other side accepts",
    params(("id" = String, Path, description = "The network"), ("organisation" = String, Path, description = "The organisation")),
    request_body(content = Object, description = "Optional: {role: lead|member|observer, since: year, source: text}"),
    responses((status = 200, description = "{membership: {network, organisation, name, role, since, until, current, status, source}}", body = Object), (status = 401, description = "no usable token", body = crate::api::openapi::ErrorBody), (status = 403, description = "the token speaks for neither side", body = crate::api::openapi::ErrorBody), (status = 404, description = "no such network or organisation", body = crate::api::openapi::ErrorBody), (status = 422, description = "bad terms", body = crate::api::openapi::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn agree(
    State(state): State<AppState>,
    writer: Writer,
    Path((network, organisation)): Path<(String, String)>,
    OptionalJsonBody(body): OptionalJsonBody,
) -> Result<Response, ApiError> {
    let (network, organisation) = ids(&network, &organisation)?;
    let side = side(&writer, &network, &organisation)?;
    let terms = terms(body)?;
    let actor = writer.actor;
    let (membership, seq) = blocking(&state.directory, move |d| {
        d.agree_membership(&network, &organisation, side, terms, &actor)
    })
    .await?;
    state
        .directory
        .wait_indexed(seq, std::time::Duration::from_secs(1))
        .await;
    Ok(Json(json!({ "membership": membership })).into_response())
}

#[utoipa::path(
    delete,
    path = "/networks/{id}/members/{organisation}",
    tag = "memberships",
    summary = "One side withdraws: a pending membership is removed, a confirmed one ends this year",
    params(("id" = String, Path, description = "The network"), ("organisation" = String, Path, description = "The organisation")),
    responses((status = 200, description = "{membership: the former membership, or null when a pending one was removed}", body = Object), (status = 401, description = "no usable token", body = crate::api::openapi::ErrorBody), (status = 403, description = "the token speaks for neither side", body = crate::api::openapi::ErrorBody), (status = 404, description = "no such network, organisation or membership", body = crate::api::openapi::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn leave(
    State(state): State<AppState>,
    writer: Writer,
    Path((network, organisation)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (network, organisation) = ids(&network, &organisation)?;
    side(&writer, &network, &organisation)?;
    let actor = writer.actor;
    let (membership, seq) = blocking(&state.directory, move |d| {
        d.leave_membership(&network, &organisation, &actor)
    })
    .await?;
    state
        .directory
        .wait_indexed(seq, std::time::Duration::from_secs(1))
        .await;
    Ok(Json(json!({ "membership": membership })).into_response())
}

fn ids(network: &str, organisation: &str) -> Result<(String, String), ApiError> {
    let network = path_id(network)?.to_string();
    let organisation = path_id(organisation)
        .map_err(|_| ApiError::bad_parameter("organisation", "not a valid organisation id"))?
        .to_string();
    Ok((network, organisation))
}

/// The side the token speaks for in this membership, if either.
fn side(writer: &Writer, network: &str, organisation: &str) -> Result<Side, ApiError> {
    match &writer.principal {
        Principal::Admin => Ok(Side::Both),
        Principal::Editor(Scope::Network(id)) if id == network => Ok(Side::Network),
        Principal::Editor(Scope::Organisation(id)) if id == organisation => Ok(Side::Organisation),
        Principal::Editor(_) => Err(ApiError::Forbidden(
            "this token speaks for neither the network nor the organisation".into(),
        )),
    }
}

fn terms(body: Option<Value>) -> Result<Terms, ApiError> {
    let mut terms = Terms::default();
    let Some(body) = body else {
        return Ok(terms);
    };
    let Value::Object(fields) = body else {
        return Err(ApiError::bad_parameter(
            "",
            "the body must be a JSON object",
        ));
    };
    for (name, value) in fields {
        match (name.as_str(), value) {
            (_, Value::Null) => {}
            ("role", Value::String(role)) => terms.role = Some(role),
            ("source", Value::String(source)) => terms.source = Some(source),
            ("since", Value::Number(year)) => {
                terms.since = Some(
                    year.as_i64()
                        .and_then(|y| i32::try_from(y).ok())
                        .ok_or_else(|| ApiError::bad_parameter("since", "a year"))?,
                );
            }
            ("role" | "source" | "since", _) => {
                return Err(ApiError::bad_parameter(
                    &name,
                    format!("{name} has the wrong type"),
                ));
            }
            (other, _) => {
                return Err(ApiError::bad_parameter(
                    other,
                    format!("unknown field {other:?}; use role, since, source"),
                ));
            }
        }
    }
    Ok(terms)
}
