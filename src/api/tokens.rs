//! Token management for admins while the server runs: `POST /api/v1/tokens` makes one (its text
//! is in that answer only), `GET /api/v1/tokens` lists them, `DELETE /api/v1/tokens/{id}`
//! revokes one. The same as `rrjeti token` on a stopped server.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::auth::Admin;
use super::extract::JsonBody;
use super::records::blocking;
use super::{ApiError, AppState};
use crate::directory::DirectoryError;
use crate::model::{Problems, Role, Scope};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewToken {
    role: Role,
    #[serde(default)]
    organisation: Option<String>,
    #[serde(default)]
    network: Option<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    expires_in_days: Option<u64>,
}

#[utoipa::path(
    post,
    path = "/tokens",
    tag = "tokens",
    summary = "Make a token (admin); its text is shown only here",
    request_body = Object,
    responses((status = 201, description = "{\"token\", \"about\"}", body = Object), (status = 400, description = "a bad parameter or header", body = crate::api::openapi::ErrorBody), (status = 401, description = "no usable token", body = crate::api::openapi::ErrorBody), (status = 403, description = "this token may not", body = crate::api::openapi::ErrorBody), (status = 404, description = "no such record", body = crate::api::openapi::ErrorBody), (status = 412, description = "If-Match names an old version", body = crate::api::openapi::ErrorBody), (status = 422, description = "an invalid record; every problem listed", body = crate::api::openapi::ErrorBody), (status = 429, description = "rate limited", body = crate::api::openapi::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    _: Admin,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let new: NewToken = serde_path_to_error::deserialize(body).map_err(|error| {
        let field = error.path().to_string();
        ApiError::Directory(DirectoryError::Invalid(Problems::single(
            if field == "." { String::new() } else { field },
            error.inner().to_string(),
        )))
    })?;
    let scope = match (new.organisation, new.network) {
        (Some(_), Some(_)) => {
            return Err(ApiError::Directory(DirectoryError::Invalid(
                Problems::single(
                    "network",
                    "an editor is bound to one organisation or one network, not both",
                ),
            )));
        }
        (Some(id), None) => Some(Scope::Organisation(id)),
        (None, Some(id)) => Some(Scope::Network(id)),
        (None, None) => None,
    };
    let (token, text) = blocking(&state.directory, move |d| {
        d.create_token(new.role, scope, new.label, new.expires_in_days)
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"token": text, "about": token})),
    )
        .into_response())
}

#[utoipa::path(
    get,
    path = "/tokens",
    tag = "tokens",
    summary = "List tokens, never their secrets (admin)",
    responses((status = 200, description = "{\"tokens\": [...]}", body = Vec<crate::model::Token>), (status = 400, description = "a bad parameter or header", body = crate::api::openapi::ErrorBody), (status = 401, description = "no usable token", body = crate::api::openapi::ErrorBody), (status = 403, description = "this token may not", body = crate::api::openapi::ErrorBody), (status = 404, description = "no such record", body = crate::api::openapi::ErrorBody), (status = 412, description = "If-Match names an old version", body = crate::api::openapi::ErrorBody), (status = 422, description = "an invalid record; every problem listed", body = crate::api::openapi::ErrorBody), (status = 429, description = "rate limited", body = crate::api::openapi::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list(State(state): State<AppState>, _: Admin) -> Result<Response, ApiError> {
    let tokens = blocking(&state.directory, |d| d.tokens()).await?;
    Ok(Json(json!({ "tokens": tokens })).into_response())
}

#[utoipa::path(
    delete,
    path = "/tokens/{id}",
    tag = "tokens",
    summary = "Revoke a token at once (admin)",
    params(("id" = String, Path, description = "The token id")),
    responses((status = 200, description = "{\"revoked\": ...}", body = Object), (status = 400, description = "a bad parameter or header", body = crate::api::openapi::ErrorBody), (status = 401, description = "no usable token", body = crate::api::openapi::ErrorBody), (status = 403, description = "this token may not", body = crate::api::openapi::ErrorBody), (status = 404, description = "no such record", body = crate::api::openapi::ErrorBody), (status = 412, description = "If-Match names an old version", body = crate::api::openapi::ErrorBody), (status = 422, description = "an invalid record; every problem listed", body = crate::api::openapi::ErrorBody), (status = 429, description = "rate limited", body = crate::api::openapi::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn revoke(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let token = blocking(&state.directory, move |d| d.revoke_token(&id)).await?;
    Ok(Json(json!({ "revoked": token })).into_response())
}
