//! Reading and writing single records, and the membership views of both sides.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::auth::Admin;
use super::extract::{JsonBody, path_id};
use super::{ApiError, AppState};
use crate::directory::{Directory, DirectoryError};
use crate::model::{Record, RecordKind, decode_network, decode_organisation};

/// How long a write waits to become visible in search before it answers anyway.
const VISIBILITY_WAIT: Duration = Duration::from_secs(1);

pub async fn get_organisation(
    state: State<AppState>,
    id: Path<String>,
) -> Result<Response, ApiError> {
    get(state, RecordKind::Organisation, id).await
}

pub async fn get_network(state: State<AppState>, id: Path<String>) -> Result<Response, ApiError> {
    get(state, RecordKind::Network, id).await
}

pub async fn create_organisation(
    state: State<AppState>,
    admin: Admin,
    body: JsonBody,
) -> Result<Response, ApiError> {
    create(state, admin, RecordKind::Organisation, body).await
}

pub async fn create_network(
    state: State<AppState>,
    admin: Admin,
    body: JsonBody,
) -> Result<Response, ApiError> {
    create(state, admin, RecordKind::Network, body).await
}

pub async fn replace_organisation(
    state: State<AppState>,
    admin: Admin,
    id: Path<String>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    replace(state, admin, RecordKind::Organisation, id, body).await
}

pub async fn replace_network(
    state: State<AppState>,
    admin: Admin,
    id: Path<String>,
    body: JsonBody,
) -> Result<Response, ApiError> {
    replace(state, admin, RecordKind::Network, id, body).await
}

pub async fn delete_organisation(
    state: State<AppState>,
    admin: Admin,
    id: Path<String>,
) -> Result<Response, ApiError> {
    delete(state, admin, RecordKind::Organisation, id).await
}

pub async fn delete_network(
    state: State<AppState>,
    admin: Admin,
    id: Path<String>,
) -> Result<Response, ApiError> {
    delete(state, admin, RecordKind::Network, id).await
}

pub async fn networks_of(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id(&id)?;
    let networks = blocking(&state.directory, move |d| d.networks_of(id.as_str())).await?;
    Ok(Json(json!({ "networks": networks })).into_response())
}

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
    kind: RecordKind,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id(&id)?;
    let record = blocking(&state.directory, move |d| d.get(kind, id.as_str())).await?;
    Ok(record_response(StatusCode::OK, &record))
}

async fn create(
    State(state): State<AppState>,
    _: Admin,
    kind: RecordKind,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let record = decode(kind, body)?;
    let (record, seq) = blocking(&state.directory, move |d| d.create(record)).await?;
    state.directory.wait_indexed(seq, VISIBILITY_WAIT).await;
    let mut response = record_response(StatusCode::CREATED, &record);
    let location = format!("/api/v1/{}s/{}", kind.as_str(), record.id());
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

async fn replace(
    State(state): State<AppState>,
    _: Admin,
    kind: RecordKind,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let id = path_id(&id)?;
    let record = decode(kind, body)?;
    let (record, created, seq) = blocking(&state.directory, move |d| {
        d.replace(kind, id.as_str(), record)
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

async fn delete(
    State(state): State<AppState>,
    _: Admin,
    kind: RecordKind,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id(&id)?;
    let seq = blocking(&state.directory, move |d| d.delete(kind, id.as_str())).await?;
    state.directory.wait_indexed(seq, VISIBILITY_WAIT).await;
    Ok(StatusCode::NO_CONTENT.into_response())
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
pub(super) async fn blocking<T: Send + 'static>(
    directory: &Arc<Directory>,
    work: impl FnOnce(&Directory) -> Result<T, DirectoryError> + Send + 'static,
) -> Result<T, ApiError> {
    let directory = Arc::clone(directory);
    Ok(tokio::task::spawn_blocking(move || work(&directory)).await??)
}
