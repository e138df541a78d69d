//! Starting servers on loopback over temporary data directories, and small HTTP helpers.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use reqwest::StatusCode;
use rrjeti::api::{AdminToken, AppState, Guard, Limits, router};
use rrjeti::directory::{Directory, Options};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const TOKEN: &str = "test-admin-token";

pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub directory: Arc<Directory>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// A data directory that is removed when the test ends.
pub fn data_dir() -> TempDir {
    tempfile::tempdir().expect("temporary directory")
}

/// Starts a server with the admin token [`TOKEN`].
pub async fn spawn(data_dir: &Path) -> TestServer {
    spawn_with_token(data_dir, Some(TOKEN)).await
}

pub async fn spawn_with_token(data_dir: &Path, token: Option<&str>) -> TestServer {
    spawn_with_limits(data_dir, token, Limits::UNLIMITED_RATES).await
}

/// A server with these limits (rates, in-flight cap, time limit).
pub async fn spawn_with_limits(data_dir: &Path, token: Option<&str>, limits: Limits) -> TestServer {
    let path: PathBuf = data_dir.to_owned();
    let directory = tokio::task::spawn_blocking(move || Directory::open(&path, Options::default()))
        .await
        .unwrap()
        .expect("directory opens");
    let directory = Arc::new(directory);
    let state = AppState {
        directory: Arc::clone(&directory),
        admin_token: token.map(AdminToken::new),
        guard: Arc::new(Guard::new(limits)),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (shutdown, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });
    TestServer {
        base,
        client: reqwest::Client::new(),
        directory,
        shutdown: Some(shutdown),
        task: Some(task),
    }
}

impl TestServer {
    /// Stops serving and closes the directory (the indexer commits), as a clean shutdown does.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
        let mut directory = Arc::clone(&self.directory);
        drop(self);
        // Connection tasks may still hold the state for a moment after the server stops.
        for _ in 0..500 {
            match Arc::try_unwrap(directory) {
                Ok(directory) => {
                    tokio::task::spawn_blocking(move || drop(directory))
                        .await
                        .unwrap();
                    return;
                }
                Err(shared) => {
                    directory = shared;
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
            }
        }
        panic!("the directory is still in use 5 s after the server stopped");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        call(self.client.get(self.url(path))).await
    }

    /// A GET with the admin token.
    pub async fn get_with_token(&self, path: &str) -> (StatusCode, Value) {
        call(self.client.get(self.url(path)).bearer_auth(TOKEN)).await
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .client
            .request(method, self.url(path))
            .bearer_auth(TOKEN);
        if let Some(body) = body {
            request = request.json(body);
        }
        call(request).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> StatusCode {
        self.send(reqwest::Method::DELETE, path, None).await.0
    }

    /// Posts NDJSON to the bulk import; returns the report.
    pub async fn import(&self, ndjson: String) -> (StatusCode, Value) {
        call(
            self.client
                .post(self.url("/api/v1/import"))
                .bearer_auth(TOKEN)
                .body(ndjson),
        )
        .await
    }

    /// Ids of the hits of a search, in order.
    pub async fn search_ids(&self, query: &str) -> Vec<String> {
        let (status, body) = self.get(&format!("/api/v1/search?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        ids(&body)
    }

    /// Every hit of a search, following `next_cursor` to the end.
    pub async fn search_all(&self, query: &str) -> Vec<Value> {
        let mut hits = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/api/v1/search?limit=100&{query}");
            if let Some(cursor) = &cursor {
                path.push_str(&format!("&cursor={cursor}"));
            }
            let (status, body) = self.get(&path).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            hits.extend(body["hits"].as_array().unwrap().iter().cloned());
            match body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return hits,
            }
        }
    }
}

/// Sends a request built by hand (no token, another token, a raw body) and reads the JSON answer.
pub async fn call(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub fn ids(body: &Value) -> Vec<String> {
    body["hits"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|hit| hit["id"].as_str().unwrap().to_owned())
        .collect()
}

pub fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

/// A small, hand-written set of organisations with known answers.
pub fn fixture() -> Vec<Value> {
    vec![
        json!({"type": "organisation", "id": "shoqeri-civile-shkoder", "name": "Qendra për Shoqëri Civile Shkodër",
               "acronym": "QSCSH", "legal_form": "centre", "thematic_areas": ["civil-society-development", "good-governance"],
               "target_groups": ["csos"], "services": ["training", "capacity-building"], "scope": "local",
               "expertise": ["monitorim i prokurimit publik"], "founded_year": 2001, "code_of_standards": true,
               "description": {"sq": "Forcon organizatat e shoqërisë civile në Shkodër."},
               "address": {"municipality": "Shkodër"}, "location": {"lat": 42.0683, "lon": 19.5126}}),
        json!({"type": "organisation", "id": "mjedisi-vlore", "name": "Shoqata Mjedisore Vlora",
               "legal_form": "association", "thematic_areas": ["environment"], "target_groups": ["general-public"],
               "services": ["advocacy", "monitoring"], "scope": "local", "founded_year": 2010,
               "description": {"sq": "Mbron mjedisin dhe bregdetin e Vlorës.", "en": "Protects the coast of Vlora."},
               "address": {"municipality": "vlore"}, "location": {"lat": 40.4660, "lon": 19.4914}}),
        json!({"type": "organisation", "id": "grate-tirane", "name": "Fondacioni Gruaja Sot",
               "legal_form": "foundation", "thematic_areas": ["gender-equality", "domestic-violence"],
               "target_groups": ["women", "survivors-of-violence"], "services": ["counselling", "legal-aid"],
               "scope": "national", "founded_year": 1996, "code_of_standards": true,
               "expertise": ["gender budgeting"],
               "description": {"en": "Works for women's rights across Albania."},
               "address": {"municipality": "Tiranë"}, "location": {"lat": 41.3275, "lon": 19.8187}}),
        json!({"type": "organisation", "id": "rinia-korce", "name": "Lëvizja Rinore Korça",
               "legal_form": "informal_group", "thematic_areas": ["youth", "environment"], "target_groups": ["youth"],
               "services": ["training"], "scope": "local", "founded_year": 2015,
               "description": {"sq": "Të rinjtë e Korçës për një qytet më të gjelbër."},
               "address": {"municipality": "Korçë"}}),
        json!({"type": "organisation", "id": "transparenca-durres", "name": "Instituti për Transparencë",
               "legal_form": "other", "thematic_areas": ["good-governance"], "target_groups": ["journalists", "general-public"],
               "services": ["monitoring", "research"], "scope": "national", "founded_year": 2005,
               "expertise": ["monitorim i prokurimit publik", "public procurement monitoring"],
               "address": {"municipality": "Durrës"}}),
        json!({"type": "network", "id": "rrjeti-mjedisor", "name": "Rrjeti Mjedisor Kombëtar", "kind": "network",
               "thematic_areas": ["environment"], "scope": "national",
               "members": [{"organisation": "mjedisi-vlore", "role": "lead", "since": 2012},
                           {"organisation": "rinia-korce", "role": "member", "since": 2016}]}),
        json!({"type": "network", "id": "koalicioni-transparenca", "name": "Koalicioni për Transparencë", "kind": "coalition",
               "thematic_areas": ["good-governance"], "scope": "national",
               "members": [{"organisation": "transparenca-durres", "role": "lead", "since": 2008},
                           {"organisation": "shoqeri-civile-shkoder", "role": "member", "since": 2010, "until": 2018}]}),
    ]
}

pub fn ndjson(records: &[Value]) -> String {
    records.iter().map(|r| format!("{r}\n")).collect()
}

/// A server holding the fixture.
pub async fn spawn_with_fixture(data_dir: &Path) -> TestServer {
    let server = spawn(data_dir).await;
    let (status, report) = server.import(ndjson(&fixture())).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["failed"], 0, "{report}");
    server
}

/// A facet of a search response as value → count (the response lists `{value, count, label}`).
pub fn facet_counts(body: &Value, facet: &str) -> std::collections::BTreeMap<String, u64> {
    body["facets"][facet]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            (
                v["value"].as_str().unwrap().to_owned(),
                v["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The real binary serving `data_dir` (without the demo data) on a free port.
pub struct BinaryServer {
    pub child: Child,
    pub base: String,
}

impl BinaryServer {
    pub fn start(data_dir: &Path) -> BinaryServer {
        // The server's log, beside the data directory, for when it fails to start.
        let log = data_dir.with_extension("log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_rrjeti"))
            .args(["--data-dir", data_dir.to_str().unwrap()])
            .args(["serve", "--no-demo", "--addr", "127.0.0.1:0"])
            .args(["--reads-per-minute", "0", "--writes-per-minute", "0"])
            .env("RRJETI_ADMIN_TOKEN", TOKEN)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(std::fs::File::create(&log).unwrap()))
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let Some(base) = line.trim().strip_prefix("listening on ").map(str::to_owned) else {
            let _ = child.kill();
            let status = child.wait().unwrap();
            panic!(
                "the server did not start ({status}): {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        };
        BinaryServer { child, base }
    }

    pub fn kill_9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

/// The record lines of an NDJSON export, without its first line (licence and date).
pub fn record_lines(export: &str) -> impl Iterator<Item = &str> {
    export
        .lines()
        .filter(|line| !line.starts_with("{\"type\":\"meta\""))
}
