//! Reading and writing single records, and the membership views of both sides.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::auth::{Admin, Viewer, Writer};
use super::extract::{JsonBody, path_id};
use super::{ApiError, AppState};
use crate::directory::{Directory, DirectoryError, Precondition};
use crate::model::{Record, RecordKind, decode_network, decode_organisation};

/// How long a write waits to become visible in search before it answers anyway.
const VISIBILITY_WAIT: Duration = Duration::from_secs(1);

#[utoipa::path(
    get,
    path = "/organisations/{id}",
    tag = "organisations",
    summary = "One organisation; private fields only for its admin or editor",
    params(("id" = String, Path, description = "The record id")),
    responses((status = 200, description = "The record; ETag is its version", body = crate::model::Organisation), (status = 404, description = "no such record", body = crate::api::openapi::ErrorBody))
)]
pub async fn get_organisation(
    state: State<AppState>,
    viewer: Viewer,
    id: Path<String>,
) -> Result<Response, ApiError> {
    get(state, viewer, RecordKind::Organisation, id).await
}

#[utoipa::path(
    get,
    path = "/networks/{id}",
    tag = "networks",
    summary = "One network; private fields only for its admin or editor",
    params(("id" = String, Path, description = "The record id")),
    responses((status = 200, description = "The record; ETag is its version", body = crate::model::Network), (status = 404, description = "no such record", body = crate::api::openapi::ErrorBody))
)]
pub async fn get_network(
    state: State<AppState>,
    viewer: Viewer,
    id: Path<String>,
) -> Result<Response, ApiError> {
    get(state, viewer, RecordKind::Network, id).await
}

#[utoipa::path(
    post,
    path = "/organisations",
    tag = "organisations",
    summary = "Create an organisation (admin)",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried create safe")),
    request_body = crate::model::Organisation,
    responses((status = 201, description = "Created; Location and ETag set", body = crate::model::Organisation), (status = 409, description = "the id exists", body = crate::api::openapi::ErrorBody), (status = 400, description = "a bad parameter or header", body = crate::api::openapi::ErrorBody), (status = 401, description = "no usable token", body = crate::api::openapi::ErrorBody), (status = 403, description = "this token may not", body = crate::api::openapi::ErrorBody), (status = 404, description = "no such record", body = crate::api::openapi::ErrorBody), (status = 412, description = "If-Match names an old version", body = crate::api::openapi::ErrorBody), (status = 422, description = "an invalid record; every problem listed", body = crate::api::openapi::ErrorBody), (status = 429, description = "rate limited", body = crate::api::openapi::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn create_organisation(
    state: State<AppState>,
    admin: Admin,
    headers: HeaderMap,
    body: JsonBody,
) -> Result<Response, ApiError> {
    create(state, admin, RecordKind::Organisation, headers, body).await
}

#[utoipa::path(
    post,
    path = "/networks",
    tag = "networks",
    summary = "Create a network (admin)",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried create safe")),
    request_body = crate::model::Network,
    responses((status = 201, description = "Created; Location and ETag set", body = crate::model::Network), (status = 409, description = "the id exists", body = crate::api::openapi::ErrorBody), (status = 400, description = "a bad parameter or header", body = crate::api::openapi::ErrorBody), (status = 401, description = "no usable token", body = crate::api::openapi::ErrorBody), (status = 403, description = "this token may not", body = crate::api::openapi::ErrorBody), (status = 404, description = "no such record", body = crate::api::openapi::ErrorBody), (status = 412, description = "If-Match names an old version", body = crate::api::openapi::ErrorBody), (status = 422, description = "an invalid record; every problem listed", body = crate::api::openapi::ErrorBody), (status = 429, description = "rate limited", body = crate::api::openapi::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn create_network(
    state: State<AppState>,
    admin: Admin,
    headers: HeaderMap,
    body: JsonBody,
) -> Result<Response, ApiError> {
    create(state, admin, RecordKind::Network, headers, body).await
}

#[utoipa::path(
    put,
    path = "/organisations/{id}",
    tag = "organisations",
    summary = "Replace or create an organisation",
    params(("id" = String, Path, description = "The record id"), ("If-Match" = Option<String>, Header, description = "An ETag (\"3\"), a list of them, or *"), ("If-None-Match" = Option<String>, Header, description = "* to create only")),
    request_body = crate::model::Organisation,
    responses((status = 200, description = "Replaced", body = crate::model::Organisation), (status = 201, description = "Created", body = crate::model::Organisation), (status = 400, description = "a bad parameter or header", body = crate::api::openapi::ErrorBody), (status = 401, description = "no usable token", body = crate::api::openapi::ErrorBody), (status = 403, description = "this token may not", body = crate::api::openapi::ErrorBody), (status = 404, description = "no such record", body = crate::api::openapi::ErrorBody), (status = 412, description = "If-Match names an old version", body = crate::api::openapi::ErrorBody), (status = 422, description = "an invalid record; every problem listed", body = crate::api::openapi::ErrorBody), (status = 429, description = "rate limited", body = crate::api::openapi::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn replace_organisation(
    state: State<AppState>,
    writer: Writer,
    id: Path<String>,
    headers: HeaderMap,
    body: JsonBody,
) -> Result<Response, ApiError> {
    replace(state, writer, RecordKind::Organisation, id, headers, body).await
}

#[utoipa::path(
    put,
    path = "/networks/{id}",
    tag = "networks",
    summary = "Replace or create a network",
    params(("id" = String, Path, description = "The record id"), ("If-Match" = Option<String>, Header, description = "An ETag (\"3\"), a list of them, or *"), ("If-None-Match" = Option<String>, Header, description = "* to create only")),
    request_body = crate::model::Network,
    responses((status = 200, description = "Replaced", body = crate::model::Network), (status = 201, description = "Created", body = crate::model::Network), (status = 400, description = "a bad parameter or header", body = crate::api::openapi::ErrorBody), (status = 401, description = "no usable token", body = crate::api::openapi::ErrorBody), (status = 403, description = "this token may not", body = crate::api::openapi::ErrorBody), (status = 404, description = "no such record", body = crate::api::openapi::ErrorBody), (status = 412, description = "If-Match names an old version", body = crate::api::openapi::ErrorBody), (status = 422, description = "an invalid record; every problem listed", body = crate::api::openapi::ErrorBody), (status = 429, description = "rate limited", body = crate::api::openapi::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn replace_network(
    state: State<AppState>,
    writer: Writer,
    id: Path<String>,
    headers: HeaderMap,
    body: JsonBody,
) -> Result<Response, ApiError> {
    replace(state, writer, RecordKind::Network, id, headers, body).await
}

#[utoipa::path(
    patch,
    path = "/organisations/{id}",
    tag = "organisations",
    summary = "Change part of an organisation (JSON merge patch, RFC 7396)",
    params(("id" = String, Path, description = "The record id"), ("If-Match" = Option<String>, Header, description = "An ETag (\"3\"), a list of them, or *")),
    request_body = Object,
    responses((status = 200, description = "Patched", body = crate::model::Organisation), (status = 400, description = "a bad parameter or header", body = crate::api::openapi::ErrorBody), (status = 401, description = "no usable token", body = crate::api::openapi::ErrorBody), (status = 403, description = "this token may not", body = crate::api::openapi::ErrorBody), (status = 404, description = "no such record", body = crate::api::openapi::ErrorBody), (status = 412, description = "If-Match names an old version", body = crate::api::openapi::ErrorBody), (status = 422, description = "an invalid record; every problem listed", body = crate::api::openapi::ErrorBody), (status = 429, description = "rate limited", body = crate::api::openapi::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn patch_organisation(
    state: State<AppState>,
    writer: Writer,
    id: Path<String>,
    headers: HeaderMap,
    body: JsonBody,
) -> Result<Response, ApiError> {
    patch(state, writer, RecordKind::Organisation, id, headers, body).await
}

#[utoipa::path(
    patch,
    path = "/networks/{id}",
    tag = "networks",
    summary = "Change part of a network (JSON merge patch, RFC 7396)",
    params(("id" = String, Path, description = "The record id"), ("If-Match" = Option<String>, Header, description = "An ETag (\"3\"), a list of them, or *")),
    request_body = Object,
    responses((status = 200, description = "Patched", body = crate::model::Network), (status = 400, description = "a bad parameter or header", body = crate::api::openapi::ErrorBody), (status = 401, description = "no usable token", body = crate::api::openapi::ErrorBody), (status = 403, description = "this token may not", body = crate::api::openapi::ErrorBody), (status = 404, description = "no such record", body = crate::api::openapi::ErrorBody), (status = 412, description = "If-Match names an old version", body = crate::api::openapi::ErrorBody), (status = 422, description = "an invalid record; every problem listed", body = crate::api::openapi::ErrorBody), (status = 429, description = "rate limited", body = crate::api::openapi::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn patch_network(
    state: State<AppState>,
    writer: Writer,
    id: Path<String>,
    headers: HeaderMap,
    body: JsonBody,
) -> Result<Response, ApiError> {
    patch(state, writer, RecordKind::Network, id, headers, body).await
}

#[utoipa::path(
    delete,
    path = "/organisations/{id}",
    tag = "organisations",
    summary = "Delete an organisation (kept in its history)",
    params(("id" = String, Path, description = "The record id"), ("If-Match" = Option<String>, Header, description = "An ETag (\"3\"), a list of them, or *")),
    responses((status = 204, description = "Deleted"), (status = 400, description = "a bad parameter or header", body = crate::api::openapi::ErrorBody), (status = 401, description = "no usable token", body = crate::api::openapi::ErrorBody), (status = 403, description = "this token may not", body = crate::api::openapi::ErrorBody), (status = 404, description = "no such record", body = crate::api::openapi::ErrorBody), (status = 412, description = "If-Match names an old version", body = crate::api::openapi::ErrorBody), (status = 422, description = "an invalid record; every problem listed", body = crate::api::openapi::ErrorBody), (status = 429, description = "rate limited", body = crate::api::openapi::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn delete_organisation(
    state: State<AppState>,
    writer: Writer,
    id: Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    delete(state, writer, RecordKind::Organisation, id, headers).await
}

#[utoipa::path(
    delete,
    path = "/networks/{id}",
    tag = "networks",
    summary = "Delete a network (kept in its history)",
    params(("id" = String, Path, description = "The record id"), ("If-Match" = Option<String>, Header, description = "An ETag (\"3\"), a list of them, or *")),
    responses((status = 204, description = "Deleted"), (status = 400, description = "a bad parameter or header", body = crate::api::openapi::ErrorBody), (status = 401, description = "no usable token", body = crate::api::openapi::ErrorBody), (status = 403, description = "this token may not", body = crate::api::openapi::ErrorBody), (status = 404, description = "no such record", body = crate::api::openapi::ErrorBody), (status = 412, description = "If-Match names an old version", body = crate::api::openapi::ErrorBody), (status = 422, description = "an invalid record; every problem listed", body = crate::api::openapi::ErrorBody), (status = 429, description = "rate limited", body = crate::api::openapi::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn delete_network(
    state: State<AppState>,
    writer: Writer,
    id: Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    delete(state, writer, RecordKind::Network, id, headers).await
}

/// `GET .../{id}/history`: every change, newest first (admin or the record's own editor).
#[utoipa::path(
    get,
    path = "/organisations/{id}/history",
    tag = "organisations",
    summary = "Every change of an organisation, newest first (admin or its editor)",
    params(("id" = String, Path, description = "The record id")),
    responses((status = 200, description = "{\"history\": [...]}", body = Vec<crate::model::HistoryEntry>), (status = 400, description = "a bad parameter or header", body = crate::api::openapi::ErrorBody), (status = 401, description = "no usable token", body = crate::api::openapi::ErrorBody), (status = 403, description = "this token may not", body = crate::api::openapi::ErrorBody), (status = 404, description = "no such record", body = crate::api::openapi::ErrorBody), (status = 412, description = "If-Match names an old version", body = crate::api::openapi::ErrorBody), (status = 422, description = "an invalid record; every problem listed", body = crate::api::openapi::ErrorBody), (status = 429, description = "rate limited", body = crate::api::openapi::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn history_of_organisation(
    state: State<AppState>,
    writer: Writer,
    id: Path<String>,
) -> Result<Response, ApiError> {
    history(state, writer, RecordKind::Organisation, id).await
}

#[utoipa::path(
    get,
    path = "/networks/{id}/history",
    tag = "networks",
    summary = "Every change of a network, newest first (admin or its editor)",
    params(("id" = String, Path, description = "The record id")),
    responses((status = 200, description = "{\"history\": [...]}", body = Vec<crate::model::HistoryEntry>), (status = 400, description = "a bad parameter or header", body = crate::api::openapi::ErrorBody), (status = 401, description = "no usable token", body = crate::api::openapi::ErrorBody), (status = 403, description = "this token may not", body = crate::api::openapi::ErrorBody), (status = 404, description = "no such record", body = crate::api::openapi::ErrorBody), (status = 412, description = "If-Match names an old version", body = crate::api::openapi::ErrorBody), (status = 422, description = "an invalid record; every problem listed", body = crate::api::openapi::ErrorBody), (status = 429, description = "rate limited", body = crate::api::openapi::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn history_of_network(
    state: State<AppState>,
    writer: Writer,
    id: Path<String>,
) -> Result<Response, ApiError> {
    history(state, writer, RecordKind::Network, id).await
}

async fn history(
    State(state): State<AppState>,
    writer: Writer,
    kind: RecordKind,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id(&id)?;
    writer.may_edit(kind, id.as_str())?;
    let mut entries = blocking(&state.directory, move |d| d.history(kind, id.as_str())).await?;
    entries.reverse();
    Ok(Json(json!({ "history": entries })).into_response())
}

/// `POST .../{id}/restore`: brings a deleted record back as it was (admin).
#[utoipa::path(
    post,
    path = "/organisations/{id}/restore",
    tag = "organisations",
    summary = "Bring back a deleted organisation (admin)",
    params(("id" = String, Path, description = "The record id")),
    responses((status = 201, description = "Restored", body = crate::model::Organisation), (status = 409, description = "it exists", body = crate::api::openapi::ErrorBody), (status = 400, description = "a bad parameter or header", body = crate::api::openapi::ErrorBody), (status = 401, description = "no usable token", body = crate::api::openapi::ErrorBody), (status = 403, description = "this token may not", body = crate::api::openapi::ErrorBody), (status = 404, description = "no such record", body = crate::api::openapi::ErrorBody), (status = 412, description = "If-Match names an old version", body = crate::api::openapi::ErrorBody), (status = 422, description = "an invalid record; every problem listed", body = crate::api::openapi::ErrorBody), (status = 429, description = "rate limited", body = crate::api::openapi::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn restore_organisation(
    state: State<AppState>,
    admin: Admin,
    id: Path<String>,
) -> Result<Response, ApiError> {
    restore(state, admin, RecordKind::Organisation, id).await
}

#[utoipa::path(
    post,
    path = "/networks/{id}/restore",
    tag = "networks",
    summary = "Bring back a deleted network (admin)",
    params(("id" = String, Path, description = "The record id")),
    responses((status = 201, description = "Restored", body = crate::model::Network), (status = 409, description = "it exists", body = crate::api::openapi::ErrorBody), (status = 400, description = "a bad parameter or header", body = crate::api::openapi::ErrorBody), (status = 401, description = "no usable token", body = crate::api::openapi::ErrorBody), (status = 403, description = "this token may not", body = crate::api::openapi::ErrorBody), (status = 404, description = "no such record", body = crate::api::openapi::ErrorBody), (status = 412, description = "If-Match names an old version", body = crate::api::openapi::ErrorBody), (status = 422, description = "an invalid record; every problem listed", body = crate::api::openapi::ErrorBody), (status = 429, description = "rate limited", body = crate::api::openapi::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn restore_network(
    state: State<AppState>,
    admin: Admin,
    id: Path<String>,
) -> Result<Response, ApiError> {
    restore(state, admin, RecordKind::Network, id).await
}

async fn restore(
    State(state): State<AppState>,
    Admin(actor): Admin,
    kind: RecordKind,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id(&id)?;
    let (record, seq) = blocking(&state.directory, move |d| {
        d.restore_deleted(kind, id.as_str(), &actor)
    })
    .await?;
    state.directory.wait_indexed(seq, VISIBILITY_WAIT).await;
    Ok(record_response(StatusCode::CREATED, &record))
}

#[utoipa::path(
    get,
    path = "/organisations/{id}/networks",
    tag = "organisations",
    summary = "The networks an organisation belongs to, current and former",
    params(("id" = String, Path, description = "The record id")),
    responses((status = 200, description = "{\"networks\": [...]}", body = Vec<crate::directory::MembershipView>), (status = 404, description = "no such organisation", body = crate::api::openapi::ErrorBody))
)]
pub async fn networks_of(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id(&id)?;
    let networks = blocking(&state.directory, move |d| d.networks_of(id.as_str())).await?;
    Ok(Json(json!({ "networks": networks })).into_response())
}

#[utoipa::path(
    get,
    path = "/networks/{id}/members",
    tag = "networks",
    summary = "The members of a network",
    params(("id" = String, Path, description = "The record id")),
    responses((status = 200, description = "{\"members\": [...]}", body = Vec<crate::directory::MembershipView>), (status = 404, description = "no such network", body = crate::api::openapi::ErrorBody))
)]
pub async fn members_of(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id(&id)?;
    let members = blocking(&state.directory, move |d| d.members_of(id.as_str())).await?;
    Ok(Json(json!({ "members": members })).into_response())
}

async fn get(
    State(state): State<AppState>,
    viewer: Viewer,
    kind: RecordKind,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id(&id)?;
    let private = viewer.may_see_private(kind, id.as_str());
    // A point read of one key, from RocksDB's block cache: microseconds, so it runs here
    // rather than paying a hand-off to the blocking pool (measured: that hand-off and its
    // context switches were most of a fetch's cost under load).
    let record = state.directory.get(kind, id.as_str())?;
    let record = if private {
        record
    } else {
        record.public_view()
    };
    Ok(record_response(StatusCode::OK, &record))
}

async fn create(
    State(state): State<AppState>,
    Admin(actor): Admin,
    kind: RecordKind,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let idempotency = idempotency_key(&headers)?.map(|key| {
        let fingerprint = format!("{:x}", Sha256::digest(format!("{}\n{body}", kind.as_str())));
        (key, fingerprint)
    });
    let record = decode(kind, body)?;
    let created = blocking(&state.directory, move |d| {
        d.create(record, idempotency, &actor)
    })
    .await?;
    let record = created.record;
    state
        .directory
        .wait_indexed(created.seq, VISIBILITY_WAIT)
        .await;
    let mut response = record_response(StatusCode::CREATED, &record);
    if created.replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    let location = format!("/api/v1/{}s/{}", kind.as_str(), record.id());
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

async fn replace(
    State(state): State<AppState>,
    writer: Writer,
    kind: RecordKind,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let id = path_id(&id)?;
    writer.may_edit(kind, id.as_str())?;
    let precondition = precondition(&headers)?;
    let record = decode(kind, body)?;
    let side = writer.side();
    let (record, created, seq) = blocking(&state.directory, move |d| {
        d.replace(
            kind,
            id.as_str(),
            record,
            &precondition,
            &writer.actor,
            side,
        )
    })
    .await?;
    state.directory.wait_indexed(seq, VISIBILITY_WAIT).await;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(record_response(status, &record))
}

async fn patch(
    State(state): State<AppState>,
    writer: Writer,
    kind: RecordKind,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let id = path_id(&id)?;
    writer.may_edit(kind, id.as_str())?;
    let precondition = precondition(&headers)?;
    let side = writer.side();
    let (record, seq) = blocking(&state.directory, move |d| {
        d.patch(kind, id.as_str(), &body, &precondition, &writer.actor, side)
    })
    .await?;
    state.directory.wait_indexed(seq, VISIBILITY_WAIT).await;
    Ok(record_response(StatusCode::OK, &record))
}

async fn delete(
    State(state): State<AppState>,
    writer: Writer,
    kind: RecordKind,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = path_id(&id)?;
    writer.may_edit(kind, id.as_str())?;
    let precondition = precondition(&headers)?;
    let seq = blocking(&state.directory, move |d| {
        d.delete(kind, id.as_str(), &precondition, &writer.actor)
    })
    .await?;
    state.directory.wait_indexed(seq, VISIBILITY_WAIT).await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Longest accepted `Idempotency-Key`.
const MAX_IDEMPOTENCY_KEY: usize = 255;

/// The `Idempotency-Key` header: 1 to 255 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let bad = || {
        ApiError::bad_parameter(
            "Idempotency-Key",
            format!("use 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters, such as a UUID"),
        )
    };
    let key = value.to_str().map_err(|_| bad())?.trim();
    if key.is_empty()
        || key.len() > MAX_IDEMPOTENCY_KEY
        || !key.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(bad());
    }
    Ok(Some(key.to_owned()))
}

/// The expectation of `If-Match` (`"3"`, `W/"3"`, a comma list of them, or `*`) or
/// `If-None-Match: *`; ETags are the record's version in quotes.
fn precondition(headers: &HeaderMap) -> Result<Precondition, ApiError> {
    let text = |name: &header::HeaderName| -> Result<Option<String>, ApiError> {
        headers
            .get(name)
            .map(|value| {
                value.to_str().map(|v| v.trim().to_owned()).map_err(|_| {
                    ApiError::bad_parameter(name.as_str(), "the header is not ASCII text")
                })
            })
            .transpose()
    };
    let if_match = text(&header::IF_MATCH)?;
    let if_none_match = text(&header::IF_NONE_MATCH)?;
    match (if_match, if_none_match) {
        (Some(_), Some(_)) => Err(ApiError::bad_parameter(
            "If-None-Match",
            "send If-Match or If-None-Match, not both",
        )),
        (None, None) => Ok(Precondition::Any),
        (None, Some(value)) if value == "*" => Ok(Precondition::Absent),
        (None, Some(_)) => Err(ApiError::bad_parameter(
            "If-None-Match",
            "only If-None-Match: * is supported (create only if absent)",
        )),
        (Some(value), None) if value == "*" => Ok(Precondition::Exists),
        (Some(value), None) => value
            .split(',')
            .map(|tag| {
                let tag = tag.trim();
                let tag = tag.strip_prefix("W/").unwrap_or(tag);
                tag.strip_prefix('"')
                    .and_then(|t| t.strip_suffix('"'))
                    .and_then(|t| t.parse::<u64>().ok())
                    .ok_or_else(|| {
                        ApiError::bad_parameter(
                            "If-Match",
                            format!("{tag:?} is not an ETag of this API, such as \"3\""),
                        )
                    })
            })
            .collect::<Result<Vec<u64>, ApiError>>()
            .map(Precondition::Version),
    }
}

fn decode(kind: RecordKind, body: serde_json::Value) -> Result<Record, ApiError> {
    let record = match kind {
        RecordKind::Organisation => decode_organisation(body).map(Record::Organisation),
        RecordKind::Network => decode_network(body).map(Record::Network),
    };
    record.map_err(|problems| ApiError::Directory(DirectoryError::Invalid(problems)))
}

/// The record as JSON, with its version as the ETag.
fn record_response(status: StatusCode, record: &Record) -> Response {
    let body = match record {
        Record::Organisation(o) => serde_json::to_value(o),
        Record::Network(n) => serde_json::to_value(n),
    }
    .unwrap_or_default();
    let mut headers = HeaderMap::new();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", record.version())) {
        headers.insert(header::ETAG, etag);
    }
    (status, headers, Json(body)).into_response()
}

/// Runs directory work (RocksDB and tantivy block) off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    directory: &Arc<Directory>,
    work: impl FnOnce(&Directory) -> Result<T, DirectoryError> + Send + 'static,
) -> Result<T, ApiError> {
    let directory = Arc::clone(directory);
    Ok(tokio::task::spawn_blocking(move || work(&directory)).await??)
}
