//! Geographic search checked against a brute-force scan of every stored record: radius, box,
//! polygon (with holes), within and serves, distances, the distance facet, multi-site
//! organisations, and what writes derive from locations.

use std::collections::{BTreeMap, BTreeSet};

use geo::{Intersects, LineString, MultiPolygon, Polygon};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reqwest::StatusCode;
use rrjeti::geography::{GeoPoint, boundaries, haversine_km, to_point};
use rrjeti::ingest::demo;
use rrjeti::model::{Record, decode_record, places};
use serde_json::{Value, json};

use crate::helpers::*;

/// Organisations with a head office and a branch, to check that every site counts.
fn multi_site() -> Vec<Value> {
    vec![
        json!({"type": "organisation", "id": "dy-zyra", "name": "Shoqata me Dy Zyra", "scope": "local",
               "location": {"lat": 42.0683, "lon": 19.5126},
               "sites": [{"label": "Dega Vlorë", "location": {"lat": 40.4660, "lon": 19.4914}}]}),
        json!({"type": "organisation", "id": "veri-jug", "name": "Shoqata Veri e Jug", "scope": "local",
               "location": {"lat": 42.0683, "lon": 19.5126},
               "sites": [{"label": "Dega Korçë", "location": {"lat": 40.6186, "lon": 20.7808}}]}),
        json!({"type": "organisation", "id": "vetem-adrese", "name": "Shoqata pa Koordinata",
               "address": {"municipality": "Kukës"}}),
        json!({"type": "organisation", "id": "kosove", "name": "Organizata në Prishtinë", "scope": "regional",
               "address": {"municipality": "Prishtinë", "country": "XK"}, "location": {"lat": 42.6629, "lon": 21.1655},
               "areas_served": ["AL-07", "XK"]}),
    ]
}

/// A server holding generated organisations and networks plus [`multi_site`]; and every record
/// as stored (locations and places as the server derived them).
async fn spawn_geo(dir: &std::path::Path) -> (TestServer, Vec<Record>) {
    let server = spawn(dir).await;
    let mut lines = String::new();
    demo::generate(500, 10, 11, &mut |record| {
        lines.push_str(&format!("{}\n", record.to_tagged_json()))
    });
    lines.push_str(&ndjson(&multi_site()));
    let (status, report) = server.import(lines).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["failed"], 0, "{report}");
    let text = server
        .client
        .get(server.url("/api/v1/export"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let records = crate::helpers::record_lines(&text)
        .map(|l| decode_record(serde_json::from_str(l).unwrap()).unwrap())
        .collect();
    (server, records)
}

fn points(record: &Record) -> Vec<GeoPoint> {
    match record {
        Record::Organisation(o) => o
            .places()
            .filter_map(|(_, location)| location)
            .map(|l| GeoPoint::new(l.lat, l.lon))
            .collect(),
        Record::Network(n) => n
            .location
            .iter()
            .map(|l| GeoPoint::new(l.lat, l.lon))
            .collect(),
    }
}

fn key(record: &Record) -> String {
    record.id().to_owned()
}

fn expected(records: &[Record], test: impl Fn(GeoPoint) -> bool) -> BTreeSet<String> {
    records
        .iter()
        .filter(|r| points(r).into_iter().any(&test))
        .map(key)
        .collect()
}

async fn found(server: &TestServer, query: &str) -> BTreeSet<String> {
    server
        .search_all(query)
        .await
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn found_by_post(server: &TestServer, body: Value) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut body = body.clone();
        body["limit"] = json!(100);
        if let Some(cursor) = &cursor {
            body["cursor"] = json!(cursor);
        }
        let response = server
            .client
            .post(server.url("/api/v1/search"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let page: Value = response.json().await.unwrap();
        ids.extend(crate::helpers::ids(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return ids,
        }
    }
}

/// The cursor of the page that starts at `offset`.
fn cursor(offset: usize) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

/// A centre near a random stored point, so that circles and boxes catch something.
fn random_centre(rng: &mut ChaCha8Rng, records: &[Record]) -> GeoPoint {
    let all: Vec<GeoPoint> = records.iter().flat_map(points).collect();
    let base = all[rng.random_range(0..all.len())];
    GeoPoint::new(
        base.lat + rng.random_range(-0.2..0.2),
        base.lon + rng.random_range(-0.2..0.2),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn radius_search_equals_a_scan_by_haversine_distance() {
    let dir = data_dir();
    let (server, records) = spawn_geo(dir.path()).await;
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut non_empty = 0;
    for _ in 0..25 {
        let centre = random_centre(&mut rng, &records);
        let radius = rng.random_range(0.5..60.0);
        let want = expected(&records, |p| haversine_km(centre, p) <= radius);
        let query = format!("near={},{}&radius_km={radius}", centre.lat, centre.lon);
        non_empty += usize::from(!want.is_empty());
        assert_eq!(found(&server, &query).await, want, "{query}");
    }
    assert!(
        non_empty >= 12,
        "the random circles catch records: {non_empty} of 25"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_circle_wider_than_the_grid_still_equals_a_scan() {
    let dir = data_dir();
    let (server, records) = spawn_geo(dir.path()).await;
    // 2,000 km spans more grid cells than a lookup takes, so the fast-field box is used instead.
    let centre = GeoPoint::new(41.3275, 19.8187);
    for radius in [150.0, 2_000.0] {
        let want = expected(&records, |p| haversine_km(centre, p) <= radius);
        let query = format!("near={},{}&radius_km={radius}", centre.lat, centre.lon);
        assert_eq!(found(&server, &query).await, want, "{query}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_point_exactly_on_the_circle_or_the_box_edge_is_inside() {
    let dir = data_dir();
    let (server, records) = spawn_geo(dir.path()).await;
    let target = points(&records[7])[0];
    let centre = GeoPoint::new(target.lat + 0.05, target.lon - 0.03);
    let radius = haversine_km(centre, target);
    let ids = found(
        &server,
        &format!("near={},{}&radius_km={radius}", centre.lat, centre.lon),
    )
    .await;
    assert!(ids.contains(records[7].id()));
    let bbox = format!(
        "bbox={},{},{},{}",
        target.lon,
        target.lat,
        target.lon + 0.1,
        target.lat + 0.1
    );
    assert!(found(&server, &bbox).await.contains(records[7].id()));
    // A polygon with the point as a corner, and one with the point in the middle of an edge.
    let (lat, lon) = (target.lat, target.lon);
    for ring in [
        json!([
            [lon, lat],
            [lon + 0.1, lat],
            [lon + 0.1, lat + 0.1],
            [lon, lat]
        ]),
        json!([
            [lon - 0.1, lat],
            [lon + 0.1, lat],
            [lon, lat + 0.1],
            [lon - 0.1, lat]
        ]),
    ] {
        let body = json!({"polygon": {"type": "Polygon", "coordinates": [ring]}});
        assert!(found_by_post(&server, body).await.contains(records[7].id()));
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn box_search_equals_a_scan() {
    let dir = data_dir();
    let (server, records) = spawn_geo(dir.path()).await;
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let mut non_empty = 0;
    for _ in 0..25 {
        let corner = random_centre(&mut rng, &records);
        let (width, height) = (rng.random_range(0.01..0.8), rng.random_range(0.01..0.8));
        let (min_lon, min_lat, max_lon, max_lat) = (
            corner.lon,
            corner.lat,
            corner.lon + width,
            corner.lat + height,
        );
        let want = expected(&records, |p| {
            (min_lat..=max_lat).contains(&p.lat) && (min_lon..=max_lon).contains(&p.lon)
        });
        let query = format!("bbox={min_lon},{min_lat},{max_lon},{max_lat}");
        non_empty += usize::from(!want.is_empty());
        assert_eq!(found(&server, &query).await, want, "{query}");
    }
    assert!(
        non_empty >= 12,
        "the random boxes catch records: {non_empty} of 25"
    );
    server.stop().await;
}

fn ring(centre: GeoPoint, radius_deg: f64, corners: usize, rng: &mut ChaCha8Rng) -> Vec<[f64; 2]> {
    let mut ring: Vec<[f64; 2]> = (0..corners)
        .map(|i| {
            let angle = std::f64::consts::TAU * i as f64 / corners as f64;
            let r = radius_deg * rng.random_range(0.6..1.0);
            [centre.lon + r * angle.cos(), centre.lat + r * angle.sin()]
        })
        .collect();
    ring.push(ring[0]);
    ring
}

#[tokio::test(flavor = "multi_thread")]
async fn polygon_search_with_and_without_holes_equals_a_scan() {
    let dir = data_dir();
    let (server, records) = spawn_geo(dir.path()).await;
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut non_empty = 0;
    for round in 0..16 {
        let centre = random_centre(&mut rng, &records);
        let outer = ring(
            centre,
            rng.random_range(0.1..0.6),
            rng.random_range(3..9),
            &mut rng,
        );
        let mut rings = vec![outer.clone()];
        if round % 2 == 1 {
            // A hole around the centre, well inside the outer ring.
            let mut hole = ring(centre, 0.04, 4, &mut rng);
            hole.reverse();
            rings.push(hole);
        }
        let to_line = |ring: &Vec<[f64; 2]>| {
            LineString::from(ring.iter().map(|&[x, y]| (x, y)).collect::<Vec<_>>())
        };
        let shape = MultiPolygon::new(vec![Polygon::new(
            to_line(&rings[0]),
            rings[1..].iter().map(to_line).collect(),
        )]);
        let want = expected(&records, |p| shape.intersects(&to_point(p)));
        let body = json!({"polygon": {"type": "Polygon", "coordinates": rings}});
        non_empty += usize::from(!want.is_empty());
        assert_eq!(found_by_post(&server, body).await, want, "round {round}");
    }
    assert!(
        non_empty >= 8,
        "the random polygons catch records: {non_empty} of 16"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn within_a_unit_equals_a_point_in_polygon_scan() {
    let dir = data_dir();
    let (server, records) = spawn_geo(dir.path()).await;
    let places = places();
    // Brute force over every polygon, in official order; a border point goes to the first.
    let locate = |p: GeoPoint| -> Option<String> {
        boundaries()
            .shapes()
            .iter()
            .find(|(_, shape)| shape.intersects(&to_point(p)))
            .map(|(code, _)| code.clone())
    };
    let units = [
        "tirane", "shkoder", "vlore", "kukes", "AL-06", "AL-11", "AL-07",
    ];
    for unit in units {
        let want = expected(&records, |p| {
            locate(p).is_some_and(|code| {
                code == unit
                    || places
                        .municipality_by_code(&code)
                        .is_some_and(|m| m.county_code == unit)
            })
        });
        assert!(!want.is_empty(), "{unit}");
        assert_eq!(
            found(&server, &format!("within={unit}")).await,
            want,
            "within={unit}"
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn serves_finds_local_listed_and_national_organisations() {
    let dir = data_dir();
    let (server, records) = spawn_geo(dir.path()).await;
    let places = places();
    for unit in ["kukes", "AL-12", "XK"] {
        let county_of_unit = places
            .municipality_by_code(unit)
            .map(|m| m.county_code.clone());
        let want: BTreeSet<String> = records
            .iter()
            .filter(|record| {
                let (scope, addresses, served): (Option<&String>, Vec<_>, Vec<String>) =
                    match record {
                        Record::Organisation(o) => (
                            o.scope.as_ref(),
                            o.places().filter_map(|(a, _)| a).collect(),
                            o.areas_served.clone(),
                        ),
                        Record::Network(n) => {
                            (n.scope.as_ref(), n.address.iter().collect(), Vec::new())
                        }
                    };
                let country = if unit.len() == 2 { unit } else { "AL" };
                let countries: Vec<&str> = if addresses.is_empty() {
                    vec!["AL"]
                } else {
                    addresses.iter().map(|a| a.country.as_str()).collect()
                };
                let located = addresses.iter().any(|a| {
                    let m = a
                        .municipality
                        .as_deref()
                        .and_then(|name| places.municipality(name))
                        .filter(|_| a.country == "AL");
                    m.is_some_and(|m| m.code == unit || m.county_code == unit)
                }) || countries.contains(&unit);
                let listed = served.iter().any(|area| {
                    area == unit
                        || county_of_unit.as_deref() == Some(area.as_str())
                        || places
                            .municipality_by_code(area)
                            .is_some_and(|m| m.county_code == unit)
                });
                let national =
                    scope.map(String::as_str) == Some("national") && countries.contains(&country);
                located || listed || national
            })
            .map(key)
            .collect();
        assert!(!want.is_empty());
        assert_eq!(
            found(&server, &format!("serves={unit}")).await,
            want,
            "serves={unit}"
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_hit_carries_the_distance_to_its_nearest_site() {
    let dir = data_dir();
    let (server, records) = spawn_geo(dir.path()).await;
    let origin = GeoPoint::new(41.3275, 19.8187);
    let by_id: BTreeMap<String, &Record> = records.iter().map(|r| (key(r), r)).collect();
    let hits = server
        .search_all(&format!("q=shoqata&near={},{}", origin.lat, origin.lon))
        .await;
    assert!(hits.len() > 20);
    for hit in hits {
        let record = by_id[hit["id"].as_str().unwrap()];
        let nearest = points(record)
            .into_iter()
            .map(|p| haversine_km(origin, p))
            .fold(f64::INFINITY, f64::min);
        let distance = hit["distance_km"].as_f64().unwrap();
        assert!((distance - nearest).abs() < 0.001, "{hit}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_branch_counts_for_radius_and_distance() {
    let dir = data_dir();
    let (server, _) = spawn_geo(dir.path()).await;
    let (_, body) = server
        .get("/api/v1/search?q=zyra&near=40.47,19.49&radius_km=5")
        .await;
    assert_eq!(ids(&body), ["dy-zyra"]);
    assert!(
        body["hits"][0]["distance_km"].as_f64().unwrap() < 2.0,
        "the branch in Vlorë, not Shkodër"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn each_site_keeps_its_own_latitude_and_longitude() {
    let dir = data_dir();
    let (server, _) = spawn_geo(dir.path()).await;
    // The branch in Korçë is north-west of nothing: pairing the head office's latitude with the
    // branch's longitude (or the reverse) must not create a phantom place.
    assert!(
        found(&server, "q=jug&near=40.6186,20.7808&radius_km=3")
            .await
            .contains("veri-jug")
    );
    assert!(
        !found(&server, "q=jug&near=40.6186,19.5126&radius_km=3")
            .await
            .contains("veri-jug")
    );
    assert!(
        !found(&server, "q=jug&near=42.0683,20.7808&radius_km=3")
            .await
            .contains("veri-jug")
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sort_by_distance_orders_hits_nearest_first_across_pages() {
    let dir = data_dir();
    let (server, _) = spawn_geo(dir.path()).await;
    let hits = server
        .search_all("near=41.3275,19.8187&radius_km=40&sort=distance")
        .await;
    assert!(hits.len() > 50);
    let distances: Vec<f64> = hits
        .iter()
        .map(|h| h["distance_km"].as_f64().unwrap())
        .collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    let unique: BTreeSet<&str> = hits.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(unique.len(), hits.len());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_sorted_by_distance_holds_the_nearest_records_of_a_scan() {
    let dir = data_dir();
    let (server, records) = spawn_geo(dir.path()).await;
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for _ in 0..20 {
        let centre = random_centre(&mut rng, &records);
        let radius = rng.random_range(2.0..80.0);
        let (limit, offset) = (rng.random_range(1..30), rng.random_range(0..10));
        assert_nearest_as_a_scan(&server, &records, centre, radius, limit, offset).await;
    }
    server.stop().await;
}

/// Where records crowd (a town centre), the nearest are found by walking the grid cells around
/// the centre rather than by measuring every match: the same page as a scan.
#[tokio::test(flavor = "multi_thread")]
async fn the_nearest_records_in_a_crowded_town_are_those_of_a_scan() {
    let dir = data_dir();
    let (server, records) = spawn_geo(dir.path()).await;
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let all: Vec<GeoPoint> = records.iter().flat_map(points).collect();
    let tirana = GeoPoint::new(41.3275, 19.8187);
    for round in 0..20 {
        // A stored point moved by at most a few hundred metres, or the centre of Tirana.
        let centre = if round == 0 {
            tirana
        } else {
            let base = all[rng.random_range(0..all.len())];
            GeoPoint::new(
                base.lat + rng.random_range(-0.003..0.003),
                base.lon + rng.random_range(-0.003..0.003),
            )
        };
        let (limit, offset) = (rng.random_range(1..12), rng.random_range(0..4));
        assert_nearest_as_a_scan(&server, &records, centre, 10.0, limit, offset).await;
    }
    server.stop().await;
}

/// A page of the records within `radius` of `centre`, nearest first, has the distances that a
/// scan of every record's points finds.
async fn assert_nearest_as_a_scan(
    server: &TestServer,
    records: &[Record],
    centre: GeoPoint,
    radius: f64,
    limit: usize,
    offset: usize,
) {
    // Every record's distance to its nearest site, as a scan finds it.
    let mut want: Vec<f64> = records
        .iter()
        .map(|r| {
            points(r)
                .into_iter()
                .map(|p| haversine_km(centre, p))
                .fold(f64::INFINITY, f64::min)
        })
        .filter(|&km| km <= radius)
        .collect();
    want.sort_by(f64::total_cmp);
    let want: Vec<f64> = want.into_iter().skip(offset).take(limit).collect();
    let query = format!(
        "/api/v1/search?near={},{}&radius_km={radius}&sort=distance&limit={limit}&cursor={}",
        centre.lat,
        centre.lon,
        cursor(offset)
    );
    let (status, body) = server.get(&query).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let got: Vec<f64> = body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["distance_km"].as_f64().unwrap())
        .collect();
    assert_eq!(got.len(), want.len(), "{query}");
    for (got, want) in got.iter().zip(&want) {
        // distance_km is rounded for display.
        assert!((got - want).abs() < 0.01, "{query}: {got} vs {want}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_distance_facet_counts_hits_in_bands() {
    let dir = data_dir();
    let (server, records) = spawn_geo(dir.path()).await;
    let origin = GeoPoint::new(41.3275, 19.8187);
    let (status, body) = server
        .get(&format!(
            "/api/v1/search?type=organisation&near={},{}&facets=distance,county",
            origin.lat, origin.lon
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut want: BTreeMap<String, u64> = ["0-5", "5-10", "10-25", "25-50", "50+"]
        .iter()
        .map(|b| (b.to_string(), 0))
        .collect();
    for record in records
        .iter()
        .filter(|r| matches!(r, Record::Organisation(_)))
    {
        let nearest = points(record)
            .into_iter()
            .map(|p| haversine_km(origin, p))
            .fold(f64::INFINITY, f64::min);
        if nearest.is_finite() {
            let band = match nearest {
                d if d < 5.0 => "0-5",
                d if d < 10.0 => "5-10",
                d if d < 25.0 => "10-25",
                d if d < 50.0 => "25-50",
                _ => "50+",
            };
            *want.get_mut(band).unwrap() += 1;
        }
    }
    let bands: Vec<&str> = body["facets"]["distance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|band| band["value"].as_str().unwrap())
        .collect();
    assert_eq!(
        bands,
        ["0-5", "5-10", "10-25", "25-50", "50+"],
        "bands come nearest first"
    );
    assert_eq!(facet_counts(&body, "distance"), want);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn geographic_filters_combine_with_text_and_other_filters() {
    let dir = data_dir();
    let (server, records) = spawn_geo(dir.path()).await;
    let origin = GeoPoint::new(41.3275, 19.8187);
    let want: BTreeSet<String> = records
        .iter()
        .filter(|r| matches!(r, Record::Organisation(o) if o.scope.as_deref() == Some("local")))
        .filter(|r| {
            points(r)
                .into_iter()
                .any(|p| haversine_km(origin, p) <= 15.0)
        })
        .map(key)
        .collect();
    assert!(!want.is_empty());
    let got = found(
        &server,
        &format!(
            "type=organisation&scope=local&near={},{}&radius_km=15",
            origin.lat, origin.lon
        ),
    )
    .await;
    assert_eq!(got, want);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_location_decides_the_municipality_and_an_address_alone_gets_an_approximate_point() {
    let dir = data_dir();
    let (server, _) = spawn_geo(dir.path()).await;
    let (_, body) = server.get("/api/v1/organisations/dy-zyra").await;
    assert_eq!(body["address"]["municipality"], "Shkodër");
    assert_eq!(body["sites"][0]["address"]["municipality"], "Vlorë");
    let (_, body) = server.get("/api/v1/organisations/vetem-adrese").await;
    assert_eq!(body["location"]["approximate"], true);
    assert_eq!(
        found(&server, "within=kukes&q=koordinata").await,
        BTreeSet::from(["vetem-adrese".to_owned()])
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_location_that_contradicts_the_address_is_an_invalid_record_naming_both() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let (status, body) = server
        .post(
            "/api/v1/organisations",
            &json!({"name": "X", "address": {"municipality": "Vlorë"}, "location": {"lat": 42.0683, "lon": 19.5126}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "address.municipality");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("Vlorë") && message.contains("Shkodër"),
        "{message}"
    );
    let (status, body) = server
        .post(
            "/api/v1/organisations",
            &json!({"name": "X", "location": {"lat": 41.0, "lon": 18.5}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "location");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_geographic_parameters_are_bad_requests_naming_the_parameter() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    for (query, field) in [
        ("near=91,19", "near"),
        ("near=abc", "near"),
        ("near=NaN,19", "near"),
        ("near=41,19&radius_km=-5", "radius_km"),
        ("near=41,19&radius_km=25000", "radius_km"),
        ("bbox=1,2,3", "bbox"),
        ("bbox=20,41,19,42", "bbox"),
        ("within=atlantis", "within"),
        ("sort=distance", "sort"),
    ] {
        let (status, body) = server.get(&format!("/api/v1/search?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["error"]["field"], field, "{query}");
    }
    for polygon in [
        json!({"type": "Polygon", "coordinates": [[[19.0, 41.0], [20.0, 41.0], [20.0, 42.0], [19.0, 42.0]]]}),
        json!({"type": "Polygon", "coordinates": [[[19.0, 41.0], [20.0, 42.0], [20.0, 41.0], [19.0, 42.0], [19.0, 41.0]]]}),
        json!({"type": "LineString", "coordinates": [[19.0, 41.0], [20.0, 42.0]]}),
    ] {
        let request = server.client.post(server.url("/api/v1/search"));
        let (status, body) = call(request.json(&json!({"polygon": polygon}))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["field"], "polygon", "{body}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn units_are_listed_and_found_by_any_name_with_their_boundaries() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let (_, body) = server.get("/api/v1/units").await;
    assert_eq!(body["units"].as_array().unwrap().len(), 73);
    let (_, body) = server.get("/api/v1/units?level=county").await;
    assert_eq!(body["units"].as_array().unwrap().len(), 12);
    let (status, body) = server
        .get("/api/v1/units/shkodra?geometry=simplified")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (body["code"].as_str(), body["parent"].as_str()),
        (Some("shkoder"), Some("AL-10"))
    );
    assert_eq!(body["definite"], "Shkodra");
    assert!(
        body["geometry"]["type"]
            .as_str()
            .unwrap()
            .contains("Polygon")
    );
    let (_, body) = server.get("/api/v1/units/AL-12").await;
    assert_eq!(body["name"], "Vlorë");
    assert!(body.get("geometry").is_none());
    assert_eq!(
        server.get("/api/v1/units/atlantis").await.0,
        StatusCode::NOT_FOUND
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_unit_map_counts_matching_records_located_in_each_unit() {
    let dir = data_dir();
    let (server, records) = spawn_geo(dir.path()).await;
    let response = server
        .client
        .get(server.url("/api/v1/units.geojson?level=county&counts=1&thematic_area=environment"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "application/geo+json");
    let body: Value = response.json().await.unwrap();
    let features = body["features"].as_array().unwrap();
    assert_eq!(features.len(), 12);
    let places = places();
    for feature in features {
        let code = feature["id"].as_str().unwrap();
        let want = records
            .iter()
            .filter(|r| {
                let (themes, addresses): (&Vec<String>, Vec<_>) = match r {
                    Record::Organisation(o) => (
                        &o.thematic_areas,
                        o.places().filter_map(|(a, _)| a).collect(),
                    ),
                    Record::Network(n) => (&n.thematic_areas, n.address.iter().collect()),
                };
                themes.contains(&"environment".to_owned())
                    && addresses.iter().any(|a| {
                        a.county
                            .as_deref()
                            .and_then(|c| places.county(c))
                            .is_some_and(|c| c.code == code)
                    })
            })
            .count();
        assert_eq!(
            feature["properties"]["count"].as_u64().unwrap() as usize,
            want,
            "{code}"
        );
        assert!(
            feature["geometry"]["type"]
                .as_str()
                .unwrap()
                .contains("Polygon")
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_units_facet_of_a_search_gives_the_same_counts_as_the_unit_map() {
    let dir = data_dir();
    let (server, _) = spawn_geo(dir.path()).await;
    for level in ["county", "municipality"] {
        let (_, map) = server
            .get(&format!(
                "/api/v1/units.geojson?level={level}&counts=1&thematic_area=environment"
            ))
            .await;
        let (status, search) = server
            .get("/api/v1/search?facets=units&limit=1&thematic_area=environment")
            .await;
        assert_eq!(status, StatusCode::OK, "{search}");
        let facet = crate::helpers::facet_counts(&search, "units");
        for feature in map["features"].as_array().unwrap() {
            let code = feature["id"].as_str().unwrap();
            let count = feature["properties"]["count"].as_u64().unwrap();
            assert_eq!(facet.get(code).copied().unwrap_or(0), count, "{code}");
        }
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unit_boundaries_alone_may_be_cached_but_counts_may_not() {
    let dir = data_dir();
    let (server, _) = spawn_geo(dir.path()).await;
    let cache = |path: &'static str| {
        let request = server.client.get(server.url(path));
        async move {
            let response = request.send().await.unwrap();
            response.headers()["cache-control"]
                .to_str()
                .unwrap()
                .to_owned()
        }
    };
    assert!(cache("/api/v1/units.geojson").await.contains("max-age"));
    assert_eq!(cache("/api/v1/units.geojson?counts=1").await, "no-cache");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn search_results_come_as_geojson_points() {
    let dir = data_dir();
    let (server, _) = spawn_geo(dir.path()).await;
    let (status, body) = server.get("/api/v1/search.geojson?within=AL-07").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["type"], "FeatureCollection");
    let features = body["features"].as_array().unwrap();
    assert_eq!(features.len() as u64, body["total"].as_u64().unwrap());
    for feature in features {
        assert_eq!(feature["geometry"]["type"], "Point");
        let [lon, lat] = [
            feature["geometry"]["coordinates"][0].as_f64().unwrap(),
            feature["geometry"]["coordinates"][1].as_f64().unwrap(),
        ];
        assert!((19.0..21.5).contains(&lon) && (39.5..43.0).contains(&lat));
        assert!(feature["properties"]["name"].is_string());
        assert!(feature["properties"]["thematic_areas"].is_array());
        assert!(feature["properties"]["approximate"].is_boolean());
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_location_just_off_the_coast_belongs_to_the_nearest_municipality() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let (_, durres) = boundaries()
        .shapes()
        .iter()
        .find(|(code, _)| code == "durres")
        .unwrap();
    let coast = durres
        .iter()
        .flat_map(|p| p.exterior().coords())
        .min_by(|a, b| a.x.total_cmp(&b.x))
        .unwrap();
    let (lat, lon) = (coast.y, coast.x - 0.003);
    assert!(
        boundaries().locate(GeoPoint::new(lat, lon)).is_none(),
        "the point is in the sea"
    );
    let (status, body) = server
        .post(
            "/api/v1/organisations",
            &json!({"name": "Shoqata e Plazhit", "location": {"lat": lat, "lon": lon}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["address"]["municipality"], "Durrës");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sorted_by_distance_equal_distances_go_by_relevance_on_every_page() {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let at = json!({"lat": 41.3300, "lon": 19.8200});
    // The less relevant of the two at the same place comes first in the index, so that only
    // relevance can put the other first.
    let records = [
        json!({"type": "organisation", "id": "ne-pershkrim", "name": "Qendra Agro",
               "description": {"sq": "Ndihmojmë edhe bletarët."}, "location": at}),
        json!({"type": "organisation", "id": "te-dyja", "name": "Shoqata e Bletarëve",
               "description": {"sq": "Bletari dhe mjaltë."}, "location": at}),
        json!({"type": "organisation", "id": "larg", "name": "Bletarët e Bletarëve Bletarë",
               "description": {"sq": "Bletari, bletari."}, "location": {"lat": 41.40, "lon": 19.90}}),
        json!({"type": "organisation", "id": "pa-fjalen", "name": "Qendra Tjetër",
               "description": {"sq": "Asgjë e tillë."}, "location": at}),
    ];
    let (status, report) = server.import(ndjson(&records)).await;
    assert_eq!(
        (status, report["failed"].as_u64()),
        (StatusCode::OK, Some(0))
    );
    let query = "q=bletar&near=41.33,19.82&sort=distance";
    assert_eq!(
        server.search_ids(query).await,
        ["te-dyja", "ne-pershkrim", "larg"]
    );
    // The same order a page at a time.
    let mut pages = Vec::new();
    let mut cursor = String::new();
    loop {
        let (_, body) = server
            .get(&format!("/api/v1/search?{query}&limit=1{cursor}"))
            .await;
        pages.extend(crate::helpers::ids(&body));
        match body["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(pages, ["te-dyja", "ne-pershkrim", "larg"]);
    server.stop().await;
}

/// Records at one spot (an address with only a town gets the town's centre) tie on distance. A
/// page sorted by distance ranks them by relevance and gives each its own relevance score,
/// however many rings of grid cells the search walked around the point to find them.
#[tokio::test(flavor = "multi_thread")]
async fn a_page_sorted_by_distance_gives_each_hit_its_own_relevance_score() {
    let dir = data_dir();
    let (server, records) = spawn_geo(dir.path()).await;
    let by_id: BTreeMap<String, &Record> = records.iter().map(|r| (key(r), r)).collect();
    let relevance: BTreeMap<String, f64> = server
        .search_all("q=shoqata")
        .await
        .iter()
        .map(|h| {
            (
                h["id"].as_str().unwrap().to_owned(),
                h["score"].as_f64().unwrap(),
            )
        })
        .collect();
    assert!(relevance.len() > 50);
    let towns = [
        (41.3275, 19.8187),
        (42.0683, 19.5126),
        (40.4660, 19.4914),
        (41.1125, 20.0822),
    ];
    let offsets = [
        (0.0, 0.0),
        (0.02, 0.0),
        (0.0, 0.03),
        (-0.025, 0.02),
        (0.04, -0.05),
    ];
    for (lat, lon) in towns {
        for (d_lat, d_lon) in offsets {
            let origin = GeoPoint::new(lat + d_lat, lon + d_lon);
            let distance = |id: &str| {
                points(by_id[id])
                    .into_iter()
                    .map(|p| haversine_km(origin, p))
                    .fold(f64::INFINITY, f64::min)
            };
            // Every match, nearest first, equal distances by relevance.
            let mut want: Vec<(f64, f64)> = relevance
                .iter()
                .map(|(id, &score)| (distance(id), score))
                .collect();
            want.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
            for limit in [1, 2, 3, 5, 10] {
                let query = format!(
                    "/api/v1/search?q=shoqata&near={},{}&sort=distance&limit={limit}",
                    origin.lat, origin.lon
                );
                let (status, body) = server.get(&query).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                let hits = body["hits"].as_array().unwrap();
                assert_eq!(hits.len(), limit, "{query}");
                for (hit, (want_km, want_score)) in hits.iter().zip(&want) {
                    let id = hit["id"].as_str().unwrap();
                    let score = hit["score"].as_f64().unwrap();
                    assert_eq!(score, relevance[id], "{query}: {id} has another's score");
                    assert!((distance(id) - want_km).abs() < 1e-9, "{query}: {id}");
                    assert_eq!(score, *want_score, "{query}: {id} out of relevance order");
                }
            }
        }
    }
    server.stop().await;
}
