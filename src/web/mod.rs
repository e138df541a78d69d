//! The web pages at `/`: search with facets and a map, organisation and network pages, in
//! Albanian and English. Server-rendered HTML that works without JavaScript; the scripts add
//! suggestions and the map. Like the API, it only translates: every answer comes from the
//! directory.

mod assets;
mod error_page;
mod i18n;
mod labels;
mod layout;
mod network_page;
mod profile;
mod search_page;
mod url_state;

use axum::Router;
use axum::extract::{Path, Request};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::Markup;
use serde_json::{Map, Value, json};

use crate::api::{ApiError, AppState};
use error_page::PageError;
use i18n::Lang;

/// Only the binary's own scripts, styles and API; no inline script, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

/// The pages and their assets, to be merged into the application's router.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(search_page::page))
        .route("/organisations/{id}", get(profile::page))
        .route("/networks/{id}", get(network_page::page))
        .route("/assets/{name}", get(asset))
        .layer(axum::middleware::from_fn(security_headers))
}

async fn asset(Path(name): Path<String>) -> Response {
    assets::response(&name).unwrap_or_else(|| not_found(None).into_response())
}

/// The page for an address that leads nowhere.
pub fn not_found(query: Option<&str>) -> impl IntoResponse {
    PageError::new(page_lang(query), ApiError::RouteNotFound)
}

async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            HeaderName::from_static("permissions-policy"),
            "geolocation=(self)",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

fn html(markup: Markup) -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        markup.into_string(),
    )
        .into_response()
}

/// The language asked for in a query string.
fn page_lang(query: Option<&str>) -> Lang {
    let lang = form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(name, _)| name == "lang")
        .map(|(_, value)| value.into_owned());
    Lang::from_param(lang.as_deref())
}

/// "3,2" in Albanian, "3.2" in English; whole kilometres beyond 10.
fn format_km(lang: Lang, km: f64) -> String {
    let text = if km >= 10.0 {
        format!("{km:.0}")
    } else {
        format!("{km:.1}")
    };
    match lang {
        Lang::Sq => text.replace('.', ","),
        Lang::En => text,
    }
}

/// Points for a map drawn from the page: `(lat, lon, name, link, highlighted)`.
type MapPoint = (f64, f64, String, Option<String>, bool);

fn map_points(points: &[MapPoint]) -> String {
    let list: Vec<Value> = points
        .iter()
        .map(|(lat, lon, name, href, main)| {
            json!({"lat": lat, "lon": lon, "name": name, "href": href, "main": main})
        })
        .collect();
    Value::Array(list).to_string()
}

/// The texts the map script shows, in the page's language.
fn map_words(lang: Lang) -> String {
    let words = lang.words();
    let mut texts = Map::new();
    for (key, text) in [
        ("zoom_in", words.zoom_in),
        ("zoom_out", words.zoom_out),
        ("search_this_area", words.search_this_area),
        ("near_me", words.near_me),
        ("legend", words.map_legend),
        ("showing", words.map_showing),
        ("no_location", words.map_no_location),
        ("map", words.map),
    ] {
        texts.insert(key.into(), Value::String(text.into()));
    }
    Value::Object(texts).to_string()
}
