//! The web pages over plain HTTP, as a browser without JavaScript sees them: search, facets
//! and paging by links, profiles, both languages, escaping, security headers, errors, size.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::helpers::{TestServer, data_dir, ndjson, spawn, spawn_with_fixture};

async fn page(server: &TestServer, path: &str) -> (StatusCode, HeaderMap, String) {
    let response = server.client.get(server.url(path)).send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

/// The `href` of the first link whose own text contains `text`, HTML entities decoded.
fn link_with_text(html: &str, text: &str) -> Option<String> {
    html.split("<a ").skip(1).find_map(|a| {
        let (attributes, rest) = a.split_once('>')?;
        let inner = rest.split("</a>").next()?;
        if !inner.contains(text) {
            return None;
        }
        let href = attributes.split("href=\"").nth(1)?.split('"').next()?;
        Some(href.replace("&amp;", "&"))
    })
}

/// The number in the results heading.
fn total(html: &str) -> usize {
    let heading = html
        .split("id=\"results-heading\">")
        .nth(1)
        .expect("a results heading");
    heading
        .chars()
        .take_while(|c| !c.is_whitespace())
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_search_page_lists_results_with_facets_and_security_headers() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let (status, headers, html) = page(&server, "/?q=mjedis").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(html.starts_with("<!DOCTYPE html><html lang=\"sq\">"));
    assert!(html.contains("<main id=\"main\""), "a main landmark");
    assert!(html.contains("role=\"search\""), "a search landmark");
    assert!(
        html.contains(" for=\"q\"") && html.contains("id=\"q\""),
        "the search box is labelled"
    );
    assert!(
        html.contains("Fusha tematike"),
        "facets are titled in Albanian"
    );
    assert!(html.contains("<mark>"), "matches are highlighted");
    assert!(total(&html) >= 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn facets_chips_and_paging_work_by_links_without_javascript() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let (status, _) = server.import(rrjeti::DEMO_DATASET.to_owned()).await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, home) = page(&server, "/").await;
    let everything = total(&home);
    assert_eq!(everything, 1540);

    // A facet value is a link that adds the filter.
    let youth = link_with_text(&home, "Rinia").expect("a youth facet link");
    assert!(youth.contains("thematic_area=youth"), "{youth}");
    let (_, _, filtered) = page(&server, &youth).await;
    let (_, api) = server
        .get("/api/v1/search?thematic_area=youth&limit=1")
        .await;
    assert_eq!(total(&filtered), api["total"].as_u64().unwrap() as usize);
    assert!(
        filtered.contains("aria-current=\"true\""),
        "the chosen value is marked"
    );

    // A second facet combines with the first; the chip removes one and keeps the other.
    let tirane = link_with_text(&filtered, "Tiranë").expect("a Tiranë facet link");
    let (_, _, both) = page(&server, &tirane).await;
    let (_, api) = server
        .get("/api/v1/search?thematic_area=youth&county=Tiran%C3%AB&limit=1")
        .await;
    assert_eq!(total(&both), api["total"].as_u64().unwrap() as usize);
    let chip = link_with_text(&both, "Fusha tematike: Rinia").expect("a chip for youth");
    assert!(!chip.contains("thematic_area"), "{chip}");
    assert!(chip.contains("county="), "{chip}");

    // Paging: the next page holds the next results, none repeated.
    let next = link_with_text(&home, "Tjetra").expect("a next-page link");
    assert!(next.contains("page=2"), "{next}");
    let (_, _, second) = page(&server, &next).await;
    let ids = |html: &str| -> Vec<String> {
        html.split("<h3><a href=\"/")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().to_owned())
            .collect()
    };
    let (first_ids, second_ids) = (ids(&home), ids(&second));
    assert_eq!(first_ids.len(), 20);
    assert_eq!(second_ids.len(), 20);
    assert!(first_ids.iter().all(|id| !second_ids.contains(id)));
    assert!(second.contains("Faqja 2 nga 77"), "page 2 of 1540 / 20");
}

#[tokio::test(flavor = "multi_thread")]
async fn english_pages_use_english_labels_and_keep_the_language_in_links() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let (_, _, html) = page(&server, "/?q=mjedis&lang=en").await;
    assert!(html.starts_with("<!DOCTYPE html><html lang=\"en\">"));
    assert!(html.contains("Thematic area"));
    assert!(html.contains("Environment"), "taxonomy labels in English");
    assert!(!html.contains("Fusha tematike"));
    assert!(html.contains("lang=en"), "links keep the language");
    let albanian = link_with_text(&html, "Shqip").expect("a language switch");
    assert!(
        !albanian.contains("lang=en") && albanian.contains("q=mjedis"),
        "{albanian}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn user_supplied_text_is_escaped_everywhere_it_is_shown() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let evil = "<script>alert(1)</script>";
    let record = json!({
        "type": "organisation",
        "id": "escape-test",
        "name": format!("Shoqata {evil} Mjedis"),
        "acronym": "X\"Y",
        "description": {"sq": format!("Përshkrim </script><img src=x onerror=alert(1)> mjedis")},
        "thematic_areas": ["environment"],
        "expertise": [format!("monitorim {evil}")],
        "address": {"municipality": "Tiranë"},
    });
    let (status, body) = server.post("/api/v1/organisations", &record).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    server.directory.wait_indexed_blocking(
        server.directory.stored_seq(),
        std::time::Duration::from_secs(5),
    );
    for path in [
        "/?q=mjedis",
        "/organisations/escape-test",
        "/organisations/escape-test?lang=en",
    ] {
        let (status, _, html) = page(&server, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!html.contains(evil), "{path} carries the raw script");
        assert!(!html.contains("<img src=x"), "{path} carries the raw img");
        assert!(
            html.contains("&lt;script&gt;") || html.contains("\\u003cscript>"),
            "{path}"
        );
    }
    // In JSON-LD, no value can close the script element.
    let (_, _, html) = page(&server, "/organisations/escape-test").await;
    let json_ld = html
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .unwrap()
        .split("</script>")
        .next()
        .unwrap();
    let data: Value = serde_json::from_str(json_ld).unwrap();
    assert_eq!(data["name"], format!("Shoqata {evil} Mjedis"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_shows_public_facts_networks_and_nearby_work_but_no_private_contact() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let (status, _) = server.import(rrjeti::DEMO_DATASET.to_owned()).await;
    assert_eq!(status, StatusCode::OK);
    let (_, network) = server.get("/api/v1/search?type=network&limit=1").await;
    let network_id = network["hits"][0]["id"].as_str().unwrap().to_owned();
    let (_, members) = server
        .get(&format!("/api/v1/networks/{network_id}/members"))
        .await;
    let member = members["members"][0].clone();
    let member_id = member["organisation"].as_str().unwrap().to_owned();
    let patch = json!({"contact_persons": [
        {"name": "Drita Publike", "role": "drejtoreshë", "public": true},
        {"name": "Besa Private", "email": "besa.private@demo.example", "public": false},
    ]});
    let (status, body) = server
        .send(
            reqwest::Method::PATCH,
            &format!("/api/v1/organisations/{member_id}"),
            Some(&patch),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, _, html) = page(&server, &format!("/organisations/{member_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Drita Publike"), "public contact shown");
    assert!(
        !html.contains("Besa Private") && !html.contains("besa.private"),
        "private hidden"
    );
    assert!(
        html.contains(&format!("/networks/{network_id}")),
        "links its network"
    );
    assert!(html.contains("Organizata pranë me punë të ngjashme"));
    assert!(html.contains("Partnerë të mundshëm"), "possible partners");
    assert!(html.contains("fush"), "with reasons in Albanian");
    assert!(html.contains("\"@type\":\"NGO\""), "schema.org JSON-LD");
    assert!(html.contains("data-points="), "a map of its places");

    let (status, _, html) = page(&server, &format!("/networks/{network_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("/organisations/{member_id}")),
        "lists its members"
    );
    assert!(html.contains("<th scope=\"col\">Roli</th>"), "with roles");
    assert!(
        html.contains("Historia e anëtarësisë"),
        "a membership timeline"
    );
    assert!(html.contains("U bashkuan"), "who joined when");
    assert!(html.contains("Anëtarë në "), "where the members are");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_addresses_and_bad_searches_get_clear_pages_not_json() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let (status, headers, html) = page(&server, "/organisations/no-such-thing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(html.contains("Faqja nuk u gjet"));
    let (status, _, html) = page(&server, "/networks/no-such-thing?lang=en").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Page not found"));
    let (status, _, html) = page(&server, "/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Faqja nuk u gjet"));
    let (status, _, html) = page(&server, "/?thematic_area=no-such-theme").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("Kërkimi nuk mund të kryhet"));
    assert!(
        html.contains("<code>thematic_area</code>"),
        "names the parameter"
    );
    let (status, _, html) = page(&server, "/?near=95,400&radius_km=5").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("<code>near</code>"));
    // A page far past the end shows the last page rather than failing.
    let (status, _, _) = page(&server, "/?page=99999").await;
    assert_eq!(status, StatusCode::OK);
    // The API keeps answering JSON for its own unknown addresses.
    let (status, body) = server.get("/api/v1/no-such-endpoint").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_search_page_stays_under_100_kb_with_only_local_assets() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let (status, _) = server.import(rrjeti::DEMO_DATASET.to_owned()).await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, html) = page(&server, "/?q=mjedis").await;
    let mut assets = Vec::new();
    for marker in ["<script src=\"", "<link rel=\"stylesheet\" href=\""] {
        for part in html.split(marker).skip(1) {
            assets.push(part.split('"').next().unwrap().replace("&amp;", "&"));
        }
    }
    assert_eq!(
        assets.len(),
        3,
        "one stylesheet and two scripts: {assets:?}"
    );
    let mut bytes = html.len();
    for asset in &assets {
        assert!(
            asset.starts_with("/assets/"),
            "served by the binary: {asset}"
        );
        let response = server.client.get(server.url(asset)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{asset}");
        assert!(
            response.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("immutable")
        );
        bytes += response.bytes().await.unwrap().len();
    }
    println!(
        "search page: {} bytes of HTML, {bytes} bytes with CSS and JS",
        html.len()
    );
    assert!(bytes < 100 * 1024, "{bytes} bytes");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external address"
    );
    assert!(
        !html.contains(" style=") && !html.contains("<script>"),
        "nothing inline to allow"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_and_maps_are_compressed_for_browsers_that_accept_gzip_but_small_answers_are_not() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    for path in ["/?q=mjedis", "/api/v1/units.geojson"] {
        let plain = server.client.get(server.url(path)).send().await.unwrap();
        assert!(plain.headers().get("content-encoding").is_none(), "{path}");
        let plain = plain.bytes().await.unwrap().len();
        let gzip = server
            .client
            .get(server.url(path))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(gzip.headers()["content-encoding"], "gzip", "{path}");
        let gzip = gzip.bytes().await.unwrap().len();
        assert!(gzip * 2 < plain, "{path}: {gzip} gzip vs {plain} plain");
    }
    // What comes compressed is what comes plain: a whole answer (unit shapes) and a streamed one
    // (an export, whose first line carries the time it was made).
    for path in ["/api/v1/units.geojson", "/api/v1/export"] {
        let plain = server.client.get(server.url(path)).send().await.unwrap();
        let plain = plain.text().await.unwrap();
        let gzip = server
            .client
            .get(server.url(path))
            .header("accept-encoding", "br;q=1, gzip;q=0.8")
            .send()
            .await
            .unwrap();
        assert_eq!(gzip.headers()["content-encoding"], "gzip", "{path}");
        let bytes = gzip.bytes().await.unwrap();
        let mut decoded = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut decoded)
            .unwrap();
        let after_first_line = |text: &str| text.split_once('\n').map(|(_, rest)| rest.to_owned());
        if path.ends_with("export") {
            assert_eq!(
                after_first_line(&decoded),
                after_first_line(&plain),
                "{path}"
            );
        } else {
            assert_eq!(decoded, plain, "{path}");
        }
    }
    // Refused explicitly, it is not used.
    let refused = server
        .client
        .get(server.url("/api/v1/units.geojson"))
        .header("accept-encoding", "gzip;q=0")
        .send()
        .await
        .unwrap();
    assert!(refused.headers().get("content-encoding").is_none());
    // A small answer is not worth compressing.
    let small = server
        .client
        .get(server.url("/api/v1/organisations/mjedisi-vlore"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(small.status(), StatusCode::OK);
    assert!(small.headers().get("content-encoding").is_none());
}

/// A facet with more values than a page lists (a large directory's networks) links the first
/// hundred and counts the others.
#[tokio::test(flavor = "multi_thread")]
async fn a_facet_with_very_many_values_links_a_hundred_and_counts_the_rest() {
    let dir = data_dir();
    let server = spawn_with_fixture(dir.path()).await;
    let networks: Vec<Value> = (0..130)
        .map(|n| {
            json!({"type": "network", "id": format!("lidhja-{n:03}"), "name": format!("Lidhja {n:03}"),
                   "kind": "network", "members": [{"organisation": "rinia-korce", "role": "member"}]})
        })
        .collect();
    let (status, report) = server.import(ndjson(&networks)).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let (_, facets) = server.get("/api/v1/search?facets=network&limit=1").await;
    let values = facets["facets"]["network"].as_array().unwrap();
    let with_records = values
        .iter()
        .filter(|v| v["count"].as_u64() > Some(0))
        .count();
    assert!(with_records > 130, "{facets}");

    let (status, _, html) = page(&server, "/").await;
    assert_eq!(status, StatusCode::OK);
    let linked: std::collections::BTreeSet<&str> = html
        .split("network=")
        .skip(1)
        .map(|rest| rest.split(['&', '"']).next().unwrap())
        .collect();
    assert_eq!(linked.len(), 100, "{linked:?}");
    let unlisted = format!("Edhe {} të tjera", with_records - 100);
    assert!(html.contains(&unlisted), "{unlisted}");
}
