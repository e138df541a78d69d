//! Finding partners: the index proposes candidates (a weighted overlap of thematic areas,
//! target groups, services, networks and place, inside the caller's filters), then each is
//! scored exactly from its record with the reasons in words ([`affinity`](super::affinity)).

use std::collections::HashMap;

use serde::Serialize;

use super::affinity::{Fit, Goal, Profile, Project, partner_fit, project_fit};
use super::{Directory, DirectoryError};
use crate::model::{Record, RecordKind};
use crate::search::{Boost, FilterField, Hit, SearchRequest, Sort, albanian_stem};

/// Candidates the index proposes before exact scoring.
const POOL: usize = 300;

/// A proposed partner or implementer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Candidate {
    #[serde(rename = "type")]
    pub kind: RecordKind,
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acronym: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub county: Option<String>,
    #[serde(flatten)]
    pub fit: Fit,
}

/// What the partner search is for and how wide it looks.
#[derive(Debug, Clone)]
pub struct PartnerQuery {
    pub goal: Goal,
    /// Leave out organisations that already share a network with this one.
    pub exclude_networks_in_common: bool,
    /// The caller's filters (geography included); its text, sort and paging are ignored.
    pub within: SearchRequest,
    pub limit: usize,
}

/// A project or call for proposals to find implementers for.
#[derive(Debug, Clone)]
pub struct MatchQuery {
    pub text: String,
    pub project: Project,
    /// Only organisations, only networks, or both (`None`).
    pub kind: Option<RecordKind>,
    pub within: SearchRequest,
    pub limit: usize,
}

impl Directory {
    /// Other organisations ranked as partners of `id`, best first.
    pub fn partners(
        &self,
        id: &str,
        query: &PartnerQuery,
    ) -> Result<Vec<Candidate>, DirectoryError> {
        let Record::Organisation(me) = self.get(RecordKind::Organisation, id)? else {
            return Err(DirectoryError::NotFound {
                kind: RecordKind::Organisation,
                id: id.to_owned(),
            });
        };
        // Network names, read once for all the candidates that share a network.
        let mut names = HashMap::new();
        let me = Profile::of_organisation(&me, self.current_networks(id, &mut names)?);
        let mut request = query.within.clone();
        request.kind = Some(RecordKind::Organisation);
        request.text.clear();
        request.sort = Sort::Relevance;
        request.offset = 0;
        request.limit = POOL;
        request.facets.clear();
        request.highlight = false;
        request.boosts = partner_boosts(&me, query);
        if query.exclude_networks_in_common && !me.networks.is_empty() {
            let ids = me.networks.iter().map(|(id, _)| id.clone()).collect();
            request.excluded.push((FilterField::Network, ids));
        }
        let hits = self.search(&request)?.hits;
        let mut out = Vec::new();
        for hit in hits.iter().filter(|h| h.id != me.id) {
            let Some(Record::Organisation(other)) =
                self.shared.store.get(RecordKind::Organisation, &hit.id)?
            else {
                continue;
            };
            let networks = self.current_networks(&other.id, &mut names)?;
            let profile = Profile::of_organisation(&other, networks);
            out.push((partner_fit(&me, &profile, query.goal), hit));
        }
        Ok(rank(out, query.limit))
    }

    /// Organisations and networks ranked by how well they could carry a project.
    pub fn match_project(&self, query: &MatchQuery) -> Result<Vec<Candidate>, DirectoryError> {
        let mut request = query.within.clone();
        request.kind = query.kind;
        request.text = query.text.clone();
        request.any_word = true;
        request.sort = Sort::Relevance;
        request.offset = 0;
        request.limit = POOL;
        request.facets.clear();
        request.highlight = !query.text.trim().is_empty();
        request.boosts = project_boosts(&query.project);
        let results = self.search(&request)?;
        let mut names = HashMap::new();
        let mut out = Vec::new();
        for hit in &results.hits {
            let profile = match self.shared.store.get(hit.kind, &hit.id)? {
                Some(Record::Organisation(org)) => {
                    Profile::of_organisation(&org, self.current_networks(&org.id, &mut names)?)
                }
                Some(Record::Network(network)) => Profile::of_network(&network),
                None => continue,
            };
            // The engine's score is the text's plus the preferences the record has.
            let preferences: f32 = request
                .boosts
                .iter()
                .filter(|b| has_value(&profile, b))
                .map(|b| b.weight)
                .sum();
            let text = f64::from((hit.score.unwrap_or(0.0) - preferences).max(0.0));
            let fit = project_fit(&query.project, &profile, text_weight(text), &mentions(hit));
            out.push((fit, hit));
        }
        Ok(rank(out, query.limit))
    }

    /// The networks an organisation currently belongs to: (id, name). `names` keeps the names
    /// read so far: a network record holds its whole member list, which took most of a partner
    /// search when read again for every candidate in the network.
    fn current_networks(
        &self,
        organisation: &str,
        names: &mut HashMap<String, String>,
    ) -> Result<Vec<(String, String)>, DirectoryError> {
        let mut out = Vec::new();
        for (network, member) in self.shared.store.networks_of(organisation)? {
            if !member.is_current() {
                continue;
            }
            if !names.contains_key(&network)
                && let Some(Record::Network(n)) =
                    self.shared.store.get(RecordKind::Network, &network)?
            {
                names.insert(network.clone(), n.name);
            }
            if let Some(name) = names.get(&network) {
                out.push((network, name.clone()));
            }
        }
        Ok(out)
    }
}

/// What the index should prefer for a partner of `me`: the same weights the exact score
/// gives, so that the pool holds the best candidates.
fn partner_boosts(me: &Profile, query: &PartnerQuery) -> Vec<Boost> {
    let boost = |field, value: &String, weight| Boost {
        field,
        value: value.clone(),
        weight,
    };
    let mut boosts = Vec::new();
    let theme_weight = match query.goal {
        Goal::Similar => 3.0,
        Goal::Complementary => 2.0,
    };
    boosts.extend(me.themes.iter().enumerate().map(|(i, t)| {
        // The main field (listed first) also counts as such when the other lists it first,
        // which the index cannot tell; weighting it more keeps those candidates in the pool.
        let weight = if i == 0 {
            theme_weight + 2.0
        } else {
            theme_weight
        };
        boost(FilterField::ThematicArea, t, weight)
    }));
    boosts.extend(
        me.groups
            .iter()
            .map(|g| boost(FilterField::TargetGroup, g, 1.0)),
    );
    if !query.exclude_networks_in_common {
        boosts.extend(
            me.networks
                .iter()
                .map(|(id, _)| boost(FilterField::Network, id, 2.0)),
        );
    }
    boosts.extend(
        me.municipalities
            .iter()
            .map(|m| boost(FilterField::Municipality, m, 0.5)),
    );
    boosts.extend(
        me.counties
            .iter()
            .map(|c| boost(FilterField::County, c, 2.5)),
    );
    if query.goal == Goal::Complementary {
        let lacking = crate::model::taxonomy()
            .services
            .codes()
            .filter(|code| !me.services.iter().any(|s| s == code))
            .map(str::to_owned)
            .collect::<Vec<_>>();
        boosts.extend(lacking.iter().map(|s| boost(FilterField::Service, s, 1.0)));
    }
    boosts
}

fn project_boosts(project: &Project) -> Vec<Boost> {
    let boost = |field, value: &String, weight| Boost {
        field,
        value: value.clone(),
        weight,
    };
    let mut boosts: Vec<Boost> = Vec::new();
    boosts.extend(
        project
            .themes
            .iter()
            .map(|t| boost(FilterField::ThematicArea, t, 3.0)),
    );
    boosts.extend(
        project
            .groups
            .iter()
            .map(|g| boost(FilterField::TargetGroup, g, 1.5)),
    );
    boosts.extend(
        project
            .services
            .iter()
            .map(|s| boost(FilterField::Service, s, 1.5)),
    );
    if let Some(m) = &project.municipality {
        boosts.push(boost(FilterField::Municipality, m, 2.0));
    }
    if let Some(c) = &project.county {
        boosts.push(boost(FilterField::County, c, 1.0));
    }
    boosts
}

fn has_value(profile: &Profile, boost: &Boost) -> bool {
    let list = match boost.field {
        FilterField::ThematicArea => &profile.themes,
        FilterField::TargetGroup => &profile.groups,
        FilterField::Service => &profile.services,
        FilterField::Municipality => &profile.municipalities,
        FilterField::County => &profile.counties,
        FilterField::Network => return profile.networks.iter().any(|(id, _)| *id == boost.value),
        FilterField::Scope | FilterField::LegalForm | FilterField::CodeOfStandards => return false,
    };
    list.contains(&boost.value)
}

/// The text's share of the score: BM25 grows with the number and rarity of matched words;
/// a good match of a description is worth about two shared thematic areas.
fn text_weight(bm25: f64) -> f64 {
    (6.0 * (1.0 - (-bm25 / 40.0).exp()) * 1000.0).round() / 1000.0
}

/// The words of the text a record matched, as the highlighter marked them.
fn mentions(hit: &Hit) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let Some(highlights) = &hit.highlights else {
        return words;
    };
    let mut texts: Vec<&str> = Vec::new();
    for value in highlights.values() {
        match value {
            serde_json::Value::String(s) => texts.push(s),
            serde_json::Value::Array(list) => texts.extend(list.iter().filter_map(|v| v.as_str())),
            _ => {}
        }
    }
    // One form of each word: "transparencë" and "transparencën" are one mention.
    let mut stems: Vec<String> = Vec::new();
    for text in texts {
        for part in text.split("<mark>").skip(1) {
            if let Some((word, _)) = part.split_once("</mark>") {
                let word = word.to_lowercase();
                let stem = albanian_stem(&crate::model::fold(&word));
                if !stems.contains(&stem) && words.len() < 8 {
                    stems.push(stem);
                    words.push(word);
                }
            }
        }
    }
    words
}

fn candidate(hit: &Hit, fit: Fit) -> Candidate {
    let field = |name: &str| {
        hit.summary
            .get(name)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    Candidate {
        kind: hit.kind,
        id: hit.id.clone(),
        name: hit.name.clone(),
        acronym: field("acronym"),
        municipality: field("municipality"),
        county: field("county"),
        fit,
    }
}

/// Best first; equal scores by name, so that the order is stable. Only the candidates kept
/// are made (each reads fields of its hit's summary).
fn rank(mut scored: Vec<(Fit, &Hit)>, limit: usize) -> Vec<Candidate> {
    scored.sort_by(|(a, a_hit), (b, b_hit)| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a_hit.name.cmp(&b_hit.name))
    });
    scored.truncate(limit);
    scored
        .into_iter()
        .map(|(fit, hit)| candidate(hit, fit))
        .collect()
}
