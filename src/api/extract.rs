//! Extractors that turn malformed input into our JSON errors instead of axum's plain text.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::ApiError;
use crate::model::RecordId;

/// A JSON body, at most [`super::BODY_LIMIT`] bytes, parsed but not yet decoded into a record.
pub struct JsonBody(pub serde_json::Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read(request, state).await?;
        parse(&bytes).map(JsonBody)
    }
}

/// A JSON body that may be left out: an empty body is `None`.
pub struct OptionalJsonBody(pub Option<serde_json::Value>);

impl<S: Send + Sync> FromRequest<S> for OptionalJsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = read(request, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJsonBody(None));
        }
        parse(&bytes).map(|value| OptionalJsonBody(Some(value)))
    }
}

async fn read<S: Send + Sync>(request: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            if rejection.into_response().status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::BodyRead("the body could not be read".into())
            }
        })
}

fn parse(bytes: &[u8]) -> Result<serde_json::Value, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::InvalidJson(e.to_string()))
}

/// Checks an id taken from the path.
pub fn path_id(id: &str) -> Result<RecordId, ApiError> {
    RecordId::parse(id).map_err(|message| ApiError::bad_parameter("id", message))
}
