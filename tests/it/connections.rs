//! The network of networks over the demo data: connections, paths and network statistics,
//! each checked against a brute-force reading of the records.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use reqwest::StatusCode;
use rrjeti::model::{Network, Organisation};
use serde_json::Value;

use crate::helpers::{TestServer, data_dir, spawn};

struct Demo {
    organisations: Vec<Organisation>,
    networks: Vec<Network>,
}

async fn demo() -> (tempfile::TempDir, TestServer, Demo) {
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let (status, body) = server.import(rrjeti::DEMO_DATASET.to_owned()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let export = server
        .client
        .get(server.url("/api/v1/export"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut demo = Demo {
        organisations: Vec::new(),
        networks: Vec::new(),
    };
    for line in crate::helpers::record_lines(&export) {
        let mut value: Value = serde_json::from_str(line).unwrap();
        let kind = value["type"].as_str().unwrap().to_owned();
        value.as_object_mut().unwrap().remove("type");
        match kind.as_str() {
            "organisation" => demo
                .organisations
                .push(serde_json::from_value(value).unwrap()),
            _ => demo.networks.push(serde_json::from_value(value).unwrap()),
        }
    }
    (dir, server, demo)
}

/// Organisation → current networks, from the records.
fn current(demo: &Demo) -> HashMap<String, Vec<&Network>> {
    let mut out: HashMap<String, Vec<&Network>> = HashMap::new();
    for network in &demo.networks {
        for member in network.members.iter().filter(|m| m.is_current()) {
            out.entry(member.organisation.clone())
                .or_default()
                .push(network);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_are_the_organisations_sharing_current_networks() {
    let (_dir, server, demo) = demo().await;
    let memberships = current(&demo);
    let mut checked = 0;
    let members = demo
        .organisations
        .iter()
        .filter(|o| memberships.contains_key(&o.id))
        .step_by(23);
    for org in members.chain(demo.organisations.iter().step_by(301)) {
        let mut want: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for network in memberships.get(&org.id).into_iter().flatten() {
            for member in network.members.iter().filter(|m| m.is_current()) {
                if member.organisation != org.id {
                    want.entry(member.organisation.clone())
                        .or_default()
                        .insert(network.id.clone());
                }
            }
        }
        let (status, body) = server
            .get(&format!("/api/v1/organisations/{}/connections", org.id))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let list = body["connections"].as_array().unwrap();
        let got: BTreeMap<String, BTreeSet<String>> = list
            .iter()
            .map(|c| {
                let networks = c["networks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n["id"].as_str().unwrap().to_owned())
                    .collect();
                (c["id"].as_str().unwrap().to_owned(), networks)
            })
            .collect();
        assert_eq!(got, want, "{}", org.id);
        let shared: Vec<usize> = list
            .iter()
            .map(|c| c["networks"].as_array().unwrap().len())
            .collect();
        assert!(shared.windows(2).all(|w| w[0] >= w[1]), "most shared first");
        checked += usize::from(!want.is_empty());
    }
    assert!(checked > 3, "some organisations have connections");
    server.stop().await;
}

/// Fewest networks between two organisations, by breadth-first search over the records.
fn fewest_networks(
    memberships: &HashMap<String, Vec<&Network>>,
    from: &str,
    to: &str,
) -> Option<usize> {
    let mut seen = BTreeSet::from([from.to_owned()]);
    let mut queue = VecDeque::from([(from.to_owned(), 0)]);
    while let Some((org, depth)) = queue.pop_front() {
        if org == to {
            return Some(depth);
        }
        for network in memberships.get(&org).into_iter().flatten() {
            for member in network.members.iter().filter(|m| m.is_current()) {
                if seen.insert(member.organisation.clone()) {
                    queue.push_back((member.organisation.clone(), depth + 1));
                }
            }
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread")]
async fn a_path_is_a_shortest_chain_of_current_memberships() {
    let (_dir, server, demo) = demo().await;
    let memberships = current(&demo);
    let members: Vec<&String> = memberships.keys().collect();
    let mut pairs: Vec<(String, String)> = (0..12)
        .map(|i| {
            (
                members[i * 7 % members.len()].clone(),
                members[(i * 31 + 5) % members.len()].clone(),
            )
        })
        .collect();
    let loner = demo
        .organisations
        .iter()
        .find(|o| !memberships.contains_key(&o.id))
        .unwrap();
    pairs.push((members[0].clone(), loner.id.clone()));
    for (from, to) in pairs {
        let (status, body) = server
            .get(&format!("/api/v1/path?from={from}&to={to}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let want = fewest_networks(&memberships, &from, &to).filter(|n| *n <= 6);
        assert_eq!(body["connected"], want.is_some(), "{from} → {to}");
        let Some(want) = want else {
            assert_eq!(body["path"], serde_json::json!([]));
            continue;
        };
        assert_eq!(body["networks"], want, "{from} → {to}");
        let path = body["path"].as_array().unwrap();
        assert_eq!(path.first().unwrap()["id"], from.as_str());
        assert_eq!(path.last().unwrap()["id"], to.as_str());
        // Organisation, network, organisation, ...: each link a current membership.
        for step in path.windows(3).step_by(2) {
            let network = step[1]["id"].as_str().unwrap();
            for org in [&step[0], &step[2]] {
                let id = org["id"].as_str().unwrap();
                assert!(
                    memberships[id].iter().any(|n| n.id == network),
                    "{id} is not a current member of {network}"
                );
            }
        }
    }
    let (status, body) = server.get("/api/v1/path?from=x-y").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["field"], "to");
    let (status, _) = server
        .get(&format!("/api/v1/path?from={}&to=no-such-org", members[0]))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn network_statistics_count_members_by_county_and_field_and_list_the_gaps() {
    let (_dir, server, demo) = demo().await;
    let organisations: HashMap<&str, &Organisation> = demo
        .organisations
        .iter()
        .map(|o| (o.id.as_str(), o))
        .collect();
    for network in demo.networks.iter().step_by(9) {
        let current: Vec<&Organisation> = network
            .members
            .iter()
            .filter(|m| m.is_current())
            .map(|m| organisations[m.organisation.as_str()])
            .collect();
        let mut by_county: BTreeMap<String, u64> = BTreeMap::new();
        let mut by_theme: BTreeMap<String, u64> = BTreeMap::new();
        let mut covered = BTreeSet::new();
        for org in &current {
            let counties: BTreeSet<String> = org
                .places()
                .filter_map(|(a, _)| a.and_then(|a| a.county.clone()))
                .collect();
            for county in counties {
                *by_county.entry(county).or_default() += 1;
            }
            for theme in &org.thematic_areas {
                *by_theme.entry(theme.clone()).or_default() += 1;
            }
            covered.extend(
                org.places()
                    .filter_map(|(a, _)| a.and_then(|a| a.municipality.clone())),
            );
        }
        let (status, body) = server
            .get(&format!("/api/v1/networks/{}/stats", network.id))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["members"], current.len());
        let got: BTreeMap<String, u64> = serde_json::from_value(body["by_county"].clone()).unwrap();
        assert_eq!(got, by_county, "{}", network.id);
        let got: BTreeMap<String, u64> =
            serde_json::from_value(body["by_thematic_area"].clone()).unwrap();
        assert_eq!(got, by_theme, "{}", network.id);
        let gaps: BTreeSet<String> = serde_json::from_value(body["coverage_gaps"].clone()).unwrap();
        assert_eq!(gaps.len() + covered.len(), 61);
        assert!(gaps.is_disjoint(&covered));
    }
    server.stop().await;
}
