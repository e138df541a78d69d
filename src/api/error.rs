//! The one place where errors become HTTP statuses and JSON bodies
//! `{"error": {"code", "message", "field"?, "problems"?}}`.

use std::any::Any;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::directory::DirectoryError;
use crate::model::Problem;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    BadParameter { field: String, message: String },
    #[error("the body is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("the body is larger than {limit} bytes", limit = super::BODY_LIMIT)]
    PayloadTooLarge,
    #[error("this request needs Authorization: Bearer <token>")]
    MissingToken,
    #[error("the token is not valid for writing")]
    WrongToken,
    #[error("{0}")]
    TokenRefused(&'static str),
    #[error("{0}")]
    Forbidden(String),
    #[error("writes are disabled: the server was started without an admin token")]
    WritesDisabled,
    #[error("no such endpoint")]
    RouteNotFound,
    #[error("no county or municipality {0:?}")]
    UnitNotFound(String),
    #[error("this endpoint does not take that method")]
    MethodNotAllowed,
    #[error("the request body could not be read: {0}")]
    BodyRead(String),
    #[error("{0}")]
    Directory(#[from] DirectoryError),
    #[error("a worker task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("too many requests; try again in {retry_after} s")]
    RateLimited { retry_after: u64 },
    #[error("the server is handling too many requests; try again in a moment")]
    Overloaded,
    #[error("the request took too long and was abandoned; try a narrower one")]
    TimedOut,
    #[error("the export could not be written: {0}")]
    Export(String),
}

impl ApiError {
    pub fn bad_parameter(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::BadParameter {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

impl ApiError {
    /// The HTTP status, the error code, the field at fault and the record's problems: the one
    /// mapping from errors to statuses, shared by the JSON API and the web pages.
    pub fn classify(
        &self,
    ) -> (
        StatusCode,
        &'static str,
        Option<String>,
        Option<Vec<Problem>>,
    ) {
        let mut field = None;
        let mut problems: Option<Vec<Problem>> = None;
        let (status, code) = match self {
            ApiError::BadParameter { field: name, .. } => {
                field = Some(name.clone());
                (StatusCode::BAD_REQUEST, "bad_parameter")
            }
            ApiError::InvalidJson(_) => (StatusCode::BAD_REQUEST, "invalid_json"),
            ApiError::BodyRead(_) => (StatusCode::BAD_REQUEST, "bad_body"),
            ApiError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ApiError::MissingToken | ApiError::TokenRefused(_) => {
                (StatusCode::UNAUTHORIZED, "unauthorized")
            }
            ApiError::WrongToken | ApiError::WritesDisabled | ApiError::Forbidden(_) => {
                (StatusCode::FORBIDDEN, "forbidden")
            }
            ApiError::RouteNotFound | ApiError::UnitNotFound(_) => {
                (StatusCode::NOT_FOUND, "not_found")
            }
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            ApiError::Directory(error) => match error {
                DirectoryError::NotFound { .. }
                | DirectoryError::TokenNotFound(_)
                | DirectoryError::NoMembership { .. } => (StatusCode::NOT_FOUND, "not_found"),
                DirectoryError::AlreadyExists { .. } => {
                    field = Some("id".into());
                    (StatusCode::CONFLICT, "conflict")
                }
                DirectoryError::Invalid(list) => {
                    field = list.0.first().map(|p| p.field.clone());
                    problems = Some(list.0.clone());
                    (StatusCode::UNPROCESSABLE_ENTITY, "invalid_record")
                }
                DirectoryError::IdempotencyKeyReused { .. } => {
                    field = Some("Idempotency-Key".into());
                    (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused")
                }
                DirectoryError::PreconditionFailed { .. } => {
                    field = Some("If-Match".into());
                    (StatusCode::PRECONDITION_FAILED, "precondition_failed")
                }
                DirectoryError::Store(_) | DirectoryError::Index(_) | DirectoryError::Io(_) => {
                    (StatusCode::INTERNAL_SERVER_ERROR, "internal")
                }
            },
            ApiError::Task(_) | ApiError::Export(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
            ApiError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::Overloaded => (StatusCode::SERVICE_UNAVAILABLE, "overloaded"),
            ApiError::TimedOut => (StatusCode::SERVICE_UNAVAILABLE, "timed_out"),
        };
        (status, code, field, problems)
    }

    /// What a user may be shown: the error itself, or for an internal error a plain
    /// statement (the detail goes to the log).
    pub fn public_message(&self) -> String {
        if self.classify().0 == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self, "request failed");
            "internal error; it has been logged".to_owned()
        } else {
            self.to_string()
        }
    }

    /// `Retry-After` seconds for errors that pass with time.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::RateLimited { retry_after } => Some(*retry_after),
            ApiError::Overloaded | ApiError::TimedOut => Some(1),
            _ => None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, field, problems) = self.classify();
        let message = self.public_message();
        let mut error = json!({"code": code, "message": message});
        if let Some(field) = field.filter(|f| !f.is_empty()) {
            error["field"] = json!(field);
        }
        if let Some(problems) = problems {
            error["problems"] = json!(problems);
        }
        let mut response = (status, axum::Json(json!({ "error": error }))).into_response();
        if let Some(value) = self
            .retry_after()
            .and_then(|s| HeaderValue::from_str(&s.to_string()).ok())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// A panic in a handler is a bug: answer 500 in the usual shape rather than dropping the connection.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(%detail, "handler panicked");
    let body =
        json!({"error": {"code": "internal", "message": "internal error; it has been logged"}});
    (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response()
}
