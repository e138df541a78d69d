//! The HTTP API under `/api/v1`: translates requests into directory calls and results into JSON.
//! It holds no logic of its own beyond parsing parameters.

mod auth;
mod bulk;
mod error;
mod extract;
mod geo_params;
mod limits;
mod records;
mod search;
mod search_params;
mod tokens;
mod units;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;

pub use auth::AdminToken;
pub use error::ApiError;
pub use limits::{Guard, Limits};

use crate::directory::Directory;

/// Largest accepted request body, except for bulk import, which streams.
pub const BODY_LIMIT: usize = 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub directory: Arc<Directory>,
    pub admin_token: Option<AdminToken>,
    /// Rate limits, in-flight cap and time limit (see [`Limits`]).
    pub guard: Arc<Guard>,
}

/// The whole HTTP application, without a socket, so tests and the server share it.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/search", get(search::search).post(search::search_json))
        .route("/search.geojson", get(search::search_geojson))
        .route("/suggest", get(search::suggest))
        .route("/units", get(units::list))
        .route("/units.geojson", get(units::geojson))
        .route("/units/{code}", get(units::get))
        .route("/organisations", post(records::create_organisation))
        .route(
            "/organisations/{id}",
            get(records::get_organisation)
                .put(records::replace_organisation)
                .patch(records::patch_organisation)
                .delete(records::delete_organisation),
        )
        .route("/organisations/{id}/networks", get(records::networks_of))
        .route(
            "/organisations/{id}/history",
            get(records::history_of_organisation),
        )
        .route(
            "/organisations/{id}/restore",
            post(records::restore_organisation),
        )
        .route("/networks/{id}/history", get(records::history_of_network))
        .route("/networks/{id}/restore", post(records::restore_network))
        .route("/networks", post(records::create_network))
        .route(
            "/networks/{id}",
            get(records::get_network)
                .put(records::replace_network)
                .patch(records::patch_network)
                .delete(records::delete_network),
        )
        .route("/networks/{id}/members", get(records::members_of))
        .route("/export", get(bulk::export))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{id}", axum::routing::delete(tokens::revoke))
        .route(
            "/import",
            post(bulk::import).layer(DefaultBodyLimit::disable()),
        );
    Router::new()
        .route("/healthz", get(healthz))
        .nest("/api/v1", api)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::guard,
        ))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .with_state(state)
}

/// Liveness, and how far search lags behind the store (0 when every write is searchable).
async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::Json<serde_json::Value> {
    let stored = state.directory.stored_seq();
    let indexed = state.directory.indexed_seq();
    axum::Json(serde_json::json!({
        "status": "ok",
        "stored_seq": stored,
        "indexed_seq": indexed,
        "index_lag": stored.saturating_sub(indexed),
    }))
}

async fn not_found() -> ApiError {
    ApiError::RouteNotFound
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
