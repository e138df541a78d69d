//! Protection against overload and abuse: a rate limit per client (per token when the request
//! carries one, per address otherwise) for reads and for writes, answered `429` with
//! `Retry-After`; a cap on requests in flight (`503`); and a time limit per request (`503`),
//! except for the streaming import and export.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use super::{ApiError, AppState};

/// The limits a server applies; `None` rates mean unlimited.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Reads (search, suggest, records, units) per client per minute.
    pub reads_per_minute: Option<u32>,
    /// Writes (create, replace, patch, delete, import) per client per minute.
    pub writes_per_minute: Option<u32>,
    /// Requests handled at once; more are answered 503 at once.
    pub max_in_flight: usize,
    /// Longest a request may take (import and export stream, and are exempt).
    pub timeout: Duration,
    /// Behind a reverse proxy, every request comes from the proxy: then the client is the
    /// address the proxy appended last to `X-Forwarded-For`. Only for a proxy that sets it.
    pub trust_forwarded_for: bool,
}

impl Limits {
    /// What `rrjeti serve` applies unless told otherwise.
    pub const DEFAULT: Limits = Limits {
        reads_per_minute: Some(3_000),
        writes_per_minute: Some(600),
        max_in_flight: 512,
        timeout: Duration::from_secs(30),
        trust_forwarded_for: false,
    };

    /// No rate limits (in-process tests), the other limits as by default.
    pub const UNLIMITED_RATES: Limits = Limits {
        reads_per_minute: None,
        writes_per_minute: None,
        ..Limits::DEFAULT
    };
}

/// The state of the limits: token buckets per client and the in-flight permits.
pub struct Guard {
    limits: Limits,
    buckets: Mutex<HashMap<(bool, String), Bucket>>,
    in_flight: Arc<Semaphore>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Buckets kept before idle ones are dropped.
const MAX_CLIENTS: usize = 10_000;

impl Guard {
    pub fn new(limits: Limits) -> Guard {
        Guard {
            limits,
            buckets: Mutex::new(HashMap::new()),
            in_flight: Arc::new(Semaphore::new(limits.max_in_flight.max(1))),
        }
    }

    /// Takes one request from the client's bucket; `Err(seconds)` to wait when it is empty.
    /// A bucket holds ten seconds' worth of requests and refills continuously.
    fn take(&self, write: bool, client: String) -> Result<(), u64> {
        let per_minute = if write {
            self.limits.writes_per_minute
        } else {
            self.limits.reads_per_minute
        };
        let Some(per_minute) = per_minute.filter(|n| *n > 0) else {
            return Ok(());
        };
        let rate = f64::from(per_minute) / 60.0;
        let capacity = (rate * 10.0).max(1.0);
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_CLIENTS {
            buckets.retain(|_, b| now.duration_since(b.at) < Duration::from_secs(60));
        }
        let bucket = buckets.entry((write, client)).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let refilled = bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate;
        bucket.tokens = refilled.min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / rate).ceil().max(1.0) as u64)
        }
    }
}

/// The middleware: rate limit, in-flight cap, time limit, in that order.
pub async fn guard(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let guard = &state.guard;
    let write = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) && request.uri().path() != "/api/v1/search";
    guard
        .take(write, client(&request, guard.limits.trust_forwarded_for))
        .map_err(|seconds| ApiError::RateLimited {
            retry_after: seconds,
        })?;
    let Ok(_permit) = guard.in_flight.clone().try_acquire_owned() else {
        return Err(ApiError::Overloaded);
    };
    let path = request.uri().path();
    if path == "/api/v1/import" || path == "/api/v1/export" {
        return Ok(next.run(request).await);
    }
    tokio::time::timeout(guard.limits.timeout, next.run(request))
        .await
        .map_err(|_| ApiError::TimedOut)
}

/// Who is asking: the token's hash when the request carries one, else the client's address
/// (the peer's, or behind a trusted proxy the last `X-Forwarded-For` entry).
fn client(request: &Request, trust_forwarded_for: bool) -> String {
    if let Some(token) = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let digest = Sha256::digest(token.as_bytes());
        return format!("token:{:x}", digest);
    }
    let forwarded = trust_forwarded_for
        .then(|| request.headers().get_all("x-forwarded-for"))
        .and_then(|values| values.iter().next_back()?.to_str().ok()?.rsplit(',').next())
        .map(str::trim)
        .and_then(|last| last.parse::<std::net::IpAddr>().ok());
    if let Some(address) = forwarded {
        return format!("address:{address}");
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(
            || "address:unknown".to_owned(),
            |c| format!("address:{}", c.0.ip()),
        )
}
