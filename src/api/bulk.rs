//! Bulk NDJSON over HTTP: `POST /api/v1/import` streams the body into the directory's import;
//! `GET /api/v1/export` streams every record out.

use std::io::{BufRead, BufReader};
use std::time::Duration;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt;
use tokio::sync::mpsc;
use tokio_util::io::{StreamReader, SyncIoBridge};

use super::auth::{Admin, Viewer};
use super::{ApiError, AppState};
use crate::directory::DirectoryError;
use crate::model::Principal;

/// How long an import waits for its records to become searchable before answering.
const IMPORT_VISIBILITY_WAIT: Duration = Duration::from_secs(30);

#[utoipa::path(
    post,
    path = "/import",
    tag = "bulk",
    summary = "Import NDJSON records (admin, streamed)",
    request_body(content = String, content_type = "application/x-ndjson"),
    responses((status = 200, description = "The report", body = crate::directory::ImportReport), (status = 400, description = "a bad parameter or header", body = crate::api::openapi::ErrorBody), (status = 401, description = "no usable token", body = crate::api::openapi::ErrorBody), (status = 403, description = "this token may not", body = crate::api::openapi::ErrorBody), (status = 404, description = "no such record", body = crate::api::openapi::ErrorBody), (status = 412, description = "If-Match names an old version", body = crate::api::openapi::ErrorBody), (status = 422, description = "an invalid record; every problem listed", body = crate::api::openapi::ErrorBody), (status = 429, description = "rate limited", body = crate::api::openapi::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn import(
    State(state): State<AppState>,
    _: Admin,
    request: Request,
) -> Result<Response, ApiError> {
    let stream = request
        .into_body()
        .into_data_stream()
        .map_err(std::io::Error::other);
    let reader = SyncIoBridge::new(StreamReader::new(stream));
    let directory = state.directory.clone();
    let report = tokio::task::spawn_blocking(move || {
        let lines = BufReader::new(reader).lines();
        directory.import(lines, &mut |_| {})
    })
    .await?
    .map_err(|error| match error {
        DirectoryError::Io(io) => ApiError::BodyRead(io.to_string()),
        other => ApiError::Directory(other),
    })?;
    let indexed = state
        .directory
        .wait_indexed(report.last_seq, IMPORT_VISIBILITY_WAIT)
        .await;
    let mut body = serde_json::to_value(&report).unwrap_or_default();
    body["indexed"] = indexed.into();
    Ok(Json(body).into_response())
}

/// Every record as NDJSON; private fields only for the admin.
#[utoipa::path(
    get,
    path = "/export",
    tag = "bulk",
    summary = "Every record as NDJSON (private fields for an admin)",
    responses((status = 200, description = "application/x-ndjson, one record a line", content_type = "application/x-ndjson", body = String))
)]
pub async fn export(State(state): State<AppState>, viewer: Viewer) -> Response {
    let private = matches!(viewer.principal, Some(Principal::Admin));
    let (sender, receiver) = mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    let directory = state.directory.clone();
    tokio::task::spawn_blocking(move || {
        let mut writer = ChannelWriter {
            sender,
            buffer: Vec::with_capacity(CHUNK),
        };
        if let Err(error) = directory.export(&mut writer, private) {
            tracing::error!(%error, "export failed");
            let _ = writer
                .sender
                .blocking_send(Err(std::io::Error::other(error.to_string())));
        }
    });
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    (
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(stream),
    )
        .into_response()
}

const CHUNK: usize = 64 * 1024;

/// Hands what the blocking export writes to the response body in chunks.
struct ChannelWriter {
    sender: mpsc::Sender<Result<Bytes, std::io::Error>>,
    buffer: Vec<u8>,
}

impl std::io::Write for ChannelWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK {
            self.flush()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(CHUNK),
        ));
        self.sender
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))
    }
}
