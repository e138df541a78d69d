//! The page's own CSS and JavaScript, compiled into the binary so that nothing is fetched from
//! elsewhere. Each URL carries a hash of the content, so browsers may cache it for good.

use std::sync::LazyLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

const ASSETS: [Asset; 3] = [
    Asset {
        name: "style.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../../assets/style.css"),
    },
    Asset {
        name: "search.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/search.js"),
    },
    Asset {
        name: "map.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../assets/map.js"),
    },
];

/// A short content hash of every asset, computed once.
static VERSIONS: LazyLock<Vec<String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|asset| {
            let digest = Sha256::digest(asset.body.as_bytes());
            digest[..6].iter().map(|b| format!("{b:02x}")).collect()
        })
        .collect()
});

/// The URL of an asset, with its content hash.
pub fn url(name: &str) -> String {
    let version = ASSETS
        .iter()
        .position(|a| a.name == name)
        .map_or("", |i| VERSIONS[i].as_str());
    format!("/assets/{name}?v={version}")
}

/// The asset, or `None` for a name that is not one.
pub fn response(name: &str) -> Option<Response> {
    ASSETS.iter().find(|a| a.name == name).map(|asset| {
        (
            [
                (header::CONTENT_TYPE, asset.content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            asset.body,
        )
            .into_response()
    })
}
