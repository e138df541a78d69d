//! The HTTP API under `/api/v1`: translates requests into directory calls and results into JSON.
//! It holds no logic of its own beyond parsing parameters.

mod auth;
mod bulk;
mod connections;
mod error;
mod extract;
mod geo_params;
mod limits;
mod memberships;
mod openapi;
mod partners;
mod records;
mod search;
mod search_params;
mod tokens;
mod units;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use auth::AdminToken;
pub use error::ApiError;
pub use limits::{Guard, Limits};
pub use openapi::SEARCH_PARAMETERS;
pub(crate) use records::blocking;

/// Parses a search query string as `GET /api/v1/search` does (for fuzzing and tools).
pub fn parse_search_query(query: &str) -> Result<crate::search::SearchRequest, ApiError> {
    search_params::parse_query_string(query, search_params::LIST_LIMITS)
}

use crate::directory::Directory;

/// Answers smaller than this many bytes are sent uncompressed.
const COMPRESS_ABOVE: u16 = 4096;

/// Largest accepted request body, except for bulk import, which streams.
pub const BODY_LIMIT: usize = 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub directory: Arc<Directory>,
    pub admin_token: Option<AdminToken>,
    /// Rate limits, in-flight cap and time limit (see [`Limits`]).
    pub guard: Arc<Guard>,
}

/// The whole HTTP application, without a socket, so tests and the server share it. Routes are
/// registered through `utoipa_axum`, which also builds the OpenAPI description from them.
pub fn router(state: AppState) -> Router {
    let (import_schemas, import_paths, import) = routes!(bulk::import);
    let api = OpenApiRouter::new()
        .routes(routes!(search::search, search::search_json))
        .routes(routes!(search::search_geojson))
        .routes(routes!(search::suggest))
        .routes(routes!(units::list))
        .routes(routes!(units::geojson))
        .routes(routes!(units::get))
        .routes(routes!(records::create_organisation))
        .routes(routes!(
            records::get_organisation,
            records::replace_organisation,
            records::patch_organisation,
            records::delete_organisation
        ))
        .routes(routes!(records::networks_of))
        .routes(routes!(partners::partners))
        .routes(routes!(connections::connections))
        .routes(routes!(connections::path))
        .routes(routes!(connections::stats))
        .routes(routes!(partners::match_project))
        .routes(routes!(records::history_of_organisation))
        .routes(routes!(records::restore_organisation))
        .routes(routes!(records::create_network))
        .routes(routes!(
            records::get_network,
            records::replace_network,
            records::patch_network,
            records::delete_network
        ))
        .routes(routes!(records::members_of))
        .routes(routes!(
            memberships::get,
            memberships::agree,
            memberships::leave
        ))
        .routes(routes!(records::history_of_network))
        .routes(routes!(records::restore_network))
        .routes(routes!(bulk::export))
        .routes((
            import_schemas,
            import_paths,
            import.layer(DefaultBodyLimit::disable()),
        ))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::revoke));
    let (app, mut description) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(healthz))
        .nest("/api/v1", api)
        .split_for_parts();
    description.openapi = utoipa::openapi::OpenApiVersion::Version31;
    let description = Arc::new(description);
    app.route(
        "/api/v1/openapi.json",
        get(move || {
            let description = Arc::clone(&description);
            async move { axum::Json(description.as_ref().clone()) }
        }),
    )
    // The web pages share the state, limits and panic guard of the API.
    .merge(crate::web::router())
    .fallback(not_found)
    .method_not_allowed_fallback(method_not_allowed)
    .layer(DefaultBodyLimit::max(BODY_LIMIT))
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        limits::guard,
    ))
    .layer(CatchPanicLayer::custom(error::panic_response))
    // gzip when the client accepts it: pages and GeoJSON shrink to a fifth or less. Small
    // answers (a profile, a page of suggestions) gain little and cost most of their CPU time
    // compressed (measured: a fifth of a profile fetch), and the fastest level is enough.
    .layer(
        CompressionLayer::new()
            .quality(CompressionLevel::Fastest)
            .compress_when(DefaultPredicate::new().and(SizeAbove::new(COMPRESS_ABOVE))),
    )
    .with_state(state)
}

/// Liveness, and how far search lags behind the store (0 when every write is searchable).
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    responses((status = 200, description = "{status, stored_seq, indexed_seq, index_lag}", body = Object))
)]
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

/// A JSON error under the API, a page elsewhere.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = uri.path();
    if path.starts_with("/api/") || path == "/healthz" {
        ApiError::RouteNotFound.into_response()
    } else {
        crate::web::not_found(uri.query()).into_response()
    }
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
