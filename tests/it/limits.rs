//! Overload and abuse: per-client rate limits for reads and writes (429 with `Retry-After`), a
//! cap on requests in flight (503), and a time limit per request (503), all as JSON errors.

use std::time::Duration;

use reqwest::StatusCode;
use rrjeti::api::Limits;
use serde_json::json;

use crate::helpers::*;

fn limits(reads: Option<u32>, writes: Option<u32>) -> Limits {
    Limits {
        reads_per_minute: reads,
        writes_per_minute: writes,
        ..Limits::DEFAULT
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_over_its_read_rate_gets_429_with_retry_after() {
    let dir = data_dir();
    // 60 a minute: a burst of ten seconds' worth (10), then one a second.
    let server = spawn_with_limits(dir.path(), Some(TOKEN), limits(Some(60), None)).await;
    for _ in 0..10 {
        assert_eq!(server.get("/api/v1/search?q=a").await.0, StatusCode::OK);
    }
    let response = server
        .client
        .get(server.url("/api/v1/search?q=a"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    // A client with a token has its own budget.
    let (status, _) = call(
        server
            .client
            .get(server.url("/api/v1/search?q=a"))
            .bearer_auth("someone-else"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn writes_have_their_own_budget() {
    let dir = data_dir();
    // 6 a minute: a burst of one.
    let server = spawn_with_limits(dir.path(), Some(TOKEN), limits(None, Some(6))).await;
    let (status, _) = server
        .post("/api/v1/organisations", &json!({"name": "Shoqata Një"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = server
        .post("/api/v1/organisations", &json!({"name": "Shoqata Dy"}))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(
        server.search_ids("q=shoqata").await,
        ["shoqata-nje"],
        "nothing half-written"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_over_the_in_flight_cap_get_503_at_once() {
    let dir = data_dir();
    let server = spawn_with_limits(
        dir.path(),
        Some(TOKEN),
        Limits {
            max_in_flight: 1,
            ..Limits::UNLIMITED_RATES
        },
    )
    .await;
    // An import whose body stays open holds the only slot.
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<String, std::io::Error>>(4);
    let body = reqwest::Body::wrap_stream(tokio_stream_from(receiver));
    let import = server
        .client
        .post(server.url("/api/v1/import"))
        .bearer_auth(TOKEN)
        .body(body)
        .send();
    let import = tokio::spawn(import);
    sender
        .send(Ok(format!(
            "{}\n",
            json!({"type": "organisation", "name": "Shoqata Tre"})
        )))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let response = server
        .client
        .get(server.url("/api/v1/search"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key("retry-after"));
    let error: serde_json::Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "overloaded");
    drop(sender);
    assert_eq!(import.await.unwrap().unwrap().status(), StatusCode::OK);
    assert_eq!(server.search_ids("q=shoqata").await, ["shoqata-tre"]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_over_the_time_limit_gets_503_timed_out() {
    let dir = data_dir();
    let server = spawn_with_limits(
        dir.path(),
        Some(TOKEN),
        Limits {
            timeout: Duration::from_millis(300),
            ..Limits::UNLIMITED_RATES
        },
    )
    .await;
    // A search whose body never ends cannot finish in time.
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<String, std::io::Error>>(1);
    sender.send(Ok("{\"q\": ".to_owned())).await.unwrap();
    let response = server
        .client
        .post(server.url("/api/v1/search"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(tokio_stream_from(receiver)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "1");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "timed_out");
    drop(sender);
    server.stop().await;
}

/// A stream of the channel's items (reqwest bodies take streams).
fn tokio_stream_from<T: Send + 'static>(
    mut receiver: tokio::sync::mpsc::Receiver<T>,
) -> impl futures_util::Stream<Item = T> {
    futures_util::stream::poll_fn(move |context| receiver.poll_recv(context))
}

#[tokio::test(flavor = "multi_thread")]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_rate() {
    let dir = data_dir();
    let proxied = Limits {
        trust_forwarded_for: true,
        ..limits(Some(60), None)
    };
    let server = spawn_with_limits(dir.path(), Some(TOKEN), proxied).await;
    let from = |address: &'static str| {
        server
            .client
            .get(server.url("/api/v1/search?q=a"))
            .header("x-forwarded-for", format!("203.0.113.9, {address}"))
            .send()
    };
    for _ in 0..10 {
        assert_eq!(from("198.51.100.1").await.unwrap().status(), StatusCode::OK);
    }
    assert_eq!(
        from("198.51.100.1").await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another client behind the same proxy is not held back; the first entry, which the
    // client itself could write, does not decide.
    assert_eq!(from("198.51.100.2").await.unwrap().status(), StatusCode::OK);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_trust_a_forwarded_for_header_changes_nothing() {
    let dir = data_dir();
    let server = spawn_with_limits(dir.path(), Some(TOKEN), limits(Some(60), None)).await;
    for n in 0..10 {
        let response = server
            .client
            .get(server.url("/api/v1/search?q=a"))
            .header("x-forwarded-for", format!("198.51.100.{n}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    let response = server
        .client
        .get(server.url("/api/v1/search?q=a"))
        .header("x-forwarded-for", "198.51.100.77")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    server.stop().await;
}
