//! Reading the network of networks: who shares networks with an organisation, the shortest
//! chain of shared networks between two organisations, and a network's reach (members by
//! county and thematic area, and the municipalities where it has no member). Only current
//! (confirmed, not ended) memberships count.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use serde::Serialize;

use super::service::not_found;
use super::{Directory, DirectoryError};
use crate::model::{Network, Record, RecordKind, places};

/// Longest chain of networks a path may cross.
pub const MAX_PATH_NETWORKS: usize = 6;

/// A record named in an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Named {
    #[serde(rename = "type")]
    pub kind: RecordKind,
    pub id: String,
    pub name: String,
}

/// An organisation that shares networks with another, and which.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Connection {
    pub id: String,
    pub name: String,
    pub networks: Vec<Named>,
}

/// What a network covers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NetworkStats {
    pub network: String,
    pub members: usize,
    pub pending: usize,
    pub former: usize,
    /// County name → current members with a place there.
    pub by_county: BTreeMap<String, usize>,
    /// Thematic area code → current members working on it.
    pub by_thematic_area: BTreeMap<String, usize>,
    /// Municipalities (official names) where no current member has a place, in INSTAT order.
    pub coverage_gaps: Vec<String>,
    /// Municipalities where at least one current member has a place.
    pub municipalities_covered: usize,
}

impl Directory {
    /// Organisations sharing at least one current network with `id`: most shared first.
    pub fn connections(&self, id: &str) -> Result<Vec<Connection>, DirectoryError> {
        self.organisation_exists(id)?;
        let mut shared: HashMap<String, Vec<Named>> = HashMap::new();
        for network in self.current_networks_of(id)? {
            for member in network.members.iter().filter(|m| m.is_current()) {
                if member.organisation != id {
                    shared
                        .entry(member.organisation.clone())
                        .or_default()
                        .push(Named {
                            kind: RecordKind::Network,
                            id: network.id.clone(),
                            name: network.name.clone(),
                        });
                }
            }
        }
        let mut out = Vec::new();
        for (organisation, networks) in shared {
            if let Some(Record::Organisation(org)) = self
                .shared
                .store
                .get(RecordKind::Organisation, &organisation)?
            {
                out.push(Connection {
                    id: organisation,
                    name: org.name,
                    networks,
                });
            }
        }
        out.sort_by(|a, b| {
            b.networks
                .len()
                .cmp(&a.networks.len())
                .then_with(|| a.name.cmp(&b.name))
        });
        Ok(out)
    }

    /// The shortest chain `from`, network, organisation, network, ..., `to` through current
    /// memberships (breadth first over networks), or `None` when none crosses at most
    /// [`MAX_PATH_NETWORKS`] networks.
    pub fn path(&self, from: &str, to: &str) -> Result<Option<Vec<Named>>, DirectoryError> {
        let start = self.organisation_exists(from)?;
        let goal = self.organisation_exists(to)?;
        if from == to {
            return Ok(Some(vec![start]));
        }
        // Each organisation reached remembers the network and organisation it came through.
        let mut came_from: HashMap<String, (Network, String)> = HashMap::new();
        let mut seen_networks: HashSet<String> = HashSet::new();
        let mut frontier: VecDeque<(String, usize)> = VecDeque::from([(from.to_owned(), 0)]);
        let mut reached = HashSet::from([from.to_owned()]);
        while let Some((organisation, depth)) = frontier.pop_front() {
            if depth == MAX_PATH_NETWORKS {
                break;
            }
            for network in self.current_networks_of(&organisation)? {
                if !seen_networks.insert(network.id.clone()) {
                    continue;
                }
                for member in network.members.iter().filter(|m| m.is_current()) {
                    if reached.insert(member.organisation.clone()) {
                        came_from.insert(
                            member.organisation.clone(),
                            (network.clone(), organisation.clone()),
                        );
                        if member.organisation == to {
                            return Ok(Some(self.walk_back(&came_from, start, goal)?));
                        }
                        frontier.push_back((member.organisation.clone(), depth + 1));
                    }
                }
            }
        }
        Ok(None)
    }

    /// Members by county and field, and the municipalities without a member.
    pub fn network_stats(&self, id: &str) -> Result<NetworkStats, DirectoryError> {
        let Some(Record::Network(network)) = self.shared.store.get(RecordKind::Network, id)? else {
            return Err(not_found(RecordKind::Network, id));
        };
        let mut stats = NetworkStats {
            network: network.id.clone(),
            members: 0,
            pending: network
                .members
                .iter()
                .filter(|m| m.until.is_none() && !m.status.is_confirmed())
                .count(),
            former: network.members.iter().filter(|m| m.until.is_some()).count(),
            by_county: BTreeMap::new(),
            by_thematic_area: BTreeMap::new(),
            coverage_gaps: Vec::new(),
            municipalities_covered: 0,
        };
        let mut covered: HashSet<String> = HashSet::new();
        for member in network.members.iter().filter(|m| m.is_current()) {
            let Some(Record::Organisation(org)) = self
                .shared
                .store
                .get(RecordKind::Organisation, &member.organisation)?
            else {
                continue;
            };
            stats.members += 1;
            let mut counties: HashSet<String> = HashSet::new();
            for (address, _) in org.places() {
                if let Some(address) = address {
                    if let Some(m) = &address.municipality {
                        covered.insert(m.clone());
                    }
                    if let Some(c) = &address.county {
                        counties.insert(c.clone());
                    }
                }
            }
            for county in counties {
                *stats.by_county.entry(county).or_default() += 1;
            }
            for theme in &org.thematic_areas {
                *stats.by_thematic_area.entry(theme.clone()).or_default() += 1;
            }
        }
        for municipality in &places().municipalities {
            if covered.contains(&municipality.name) {
                stats.municipalities_covered += 1;
            } else {
                stats.coverage_gaps.push(municipality.name.clone());
            }
        }
        Ok(stats)
    }

    fn organisation_exists(&self, id: &str) -> Result<Named, DirectoryError> {
        match self.shared.store.get(RecordKind::Organisation, id)? {
            Some(Record::Organisation(org)) => Ok(Named {
                kind: RecordKind::Organisation,
                id: org.id,
                name: org.name,
            }),
            _ => Err(not_found(RecordKind::Organisation, id)),
        }
    }

    /// The networks an organisation currently belongs to, as records.
    fn current_networks_of(&self, organisation: &str) -> Result<Vec<Network>, DirectoryError> {
        let mut out = Vec::new();
        for (network, member) in self.shared.store.networks_of(organisation)? {
            if member.is_current()
                && let Some(Record::Network(n)) =
                    self.shared.store.get(RecordKind::Network, &network)?
            {
                out.push(n);
            }
        }
        Ok(out)
    }

    fn walk_back(
        &self,
        came_from: &HashMap<String, (Network, String)>,
        start: Named,
        goal: Named,
    ) -> Result<Vec<Named>, DirectoryError> {
        let mut chain = vec![goal.clone()];
        let mut at = goal.id.clone();
        while let Some((network, previous)) = came_from.get(&at) {
            chain.push(Named {
                kind: RecordKind::Network,
                id: network.id.clone(),
                name: network.name.clone(),
            });
            if *previous == start.id {
                break;
            }
            let name = self.organisation_exists(previous)?.name;
            chain.push(Named {
                kind: RecordKind::Organisation,
                id: previous.clone(),
                name,
            });
            at = previous.clone();
        }
        chain.push(start);
        chain.reverse();
        Ok(chain)
    }
}
