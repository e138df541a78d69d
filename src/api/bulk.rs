//! Bulk NDJSON over HTTP: `POST /api/v1/import` streams the body into the directory's import;
//! `GET /api/v1/export` streams every record out, or gives the records a search selects in an
//! open-data format.

use std::io::{BufRead, BufReader};
use std::time::Duration;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt;
use tokio::sync::mpsc;
use tokio_util::io::{StreamReader, SyncIoBridge};

use super::auth::{Admin, Viewer};
use super::{ApiError, AppState};
use crate::directory::DirectoryError;
use crate::ingest::formats::{self, Format, Meta, Table};
use crate::model::{Principal, Record, RecordKind};

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

/// Every record, or those a search selects, in an open-data format; private fields only for
/// the admin.
#[utoipa::path(
    get,
    path = "/export",
    tag = "bulk",
    summary = "Records as NDJSON, CSV, GeoJSON, Popolo or HSDS, all or those the search filters select",
    params(
        ("format" = Option<String>, Query, description = "ndjson (default), csv, geojson, popolo or hsds"),
        ("table" = Option<String>, Query, description = "For csv: organisations (default, networks included) or memberships"),
        ("county" = Option<String>, Query, description = "Any search filter (county, thematic_area, within, near and radius_km, type, ...) selects the records"),
    ),
    responses((status = 200, description = "The export; NDJSON's first line and the JSON formats' `meta` state the licence and date, as does the Link header", content_type = "application/x-ndjson", body = String), (status = 400, description = "a bad parameter", body = crate::api::openapi::ErrorBody))
)]
pub async fn export(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let private = matches!(viewer.principal, Some(Principal::Admin));
    let mut format = Format::Ndjson;
    let mut table = Table::Organisations;
    let mut filters = Vec::new();
    for (name, value) in form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes()) {
        match name.as_ref() {
            "format" => {
                format = Format::parse(&value).ok_or_else(|| {
                    ApiError::bad_parameter(
                        "format",
                        format!(
                            "unknown format {value:?}; use ndjson, csv, geojson, popolo or hsds"
                        ),
                    )
                })?;
            }
            "table" => {
                table = match value.as_ref() {
                    "organisations" => Table::Organisations,
                    "memberships" => Table::Memberships,
                    other => {
                        return Err(ApiError::bad_parameter(
                            "table",
                            format!("unknown table {other:?}; use organisations or memberships"),
                        ));
                    }
                };
            }
            "q" | "sort" | "limit" | "cursor" | "facets" | "highlight" => {
                return Err(ApiError::bad_parameter(
                    &name,
                    format!("{name} does not apply to an export; filter instead"),
                ));
            }
            _ => filters.push((name.into_owned(), value.into_owned())),
        }
    }
    if table == Table::Memberships && format != Format::Csv {
        return Err(ApiError::bad_parameter(
            "table",
            "table applies to format=csv only",
        ));
    }
    let headers = export_headers(format, table);
    if filters.is_empty() && format == Format::Ndjson {
        return Ok((headers, stream_ndjson(&state, private)).into_response());
    }
    let filter = if filters.is_empty() {
        None
    } else {
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(filters)
            .finish();
        Some(crate::api::parse_search_query(&query)?)
    };
    let body = super::records::blocking(&state.directory, move |d| {
        let records = d.export_records(filter.as_ref(), private)?;
        let meta = Meta {
            generated_at: crate::directory::now(),
        };
        let name_of = |id: &str| match d.get(RecordKind::Organisation, id) {
            Ok(Record::Organisation(o)) => Some(o.name),
            _ => None,
        };
        Ok(formats::render(format, table, &records, &meta, name_of))
    })
    .await?
    .map_err(|error| ApiError::Export(error.to_string()))?;
    Ok((headers, body).into_response())
}

/// Content type, the licence as a `Link`, and a file name for browsers.
fn export_headers(format: Format, table: Table) -> [(header::HeaderName, String); 3] {
    let file = match (format, table) {
        (Format::Csv, Table::Organisations) => "rrjeti-organisations.csv".to_owned(),
        (Format::Csv, Table::Memberships) => "rrjeti-memberships.csv".to_owned(),
        (Format::GeoJson, _) => "rrjeti.geojson".to_owned(),
        (format, _) => format!(
            "rrjeti-{}.{}",
            format.name(),
            if format == Format::Ndjson {
                "ndjson"
            } else {
                "json"
            }
        ),
    };
    [
        (header::CONTENT_TYPE, format.content_type().to_owned()),
        (
            header::LINK,
            format!("<{}>; rel=\"license\"", formats::LICENCE_URL),
        ),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ),
    ]
}

/// Every record as NDJSON, streamed as the store is read.
fn stream_ndjson(state: &AppState, private: bool) -> Body {
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
    // A receiver answers `None` however often it is polled after the end; gzip polls the body
    // once more than that (an `unfold` stream panicked there and cut a compressed export short).
    let mut receiver = receiver;
    let stream = futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx));
    Body::from_stream(stream)
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
