//! How well an organisation fits as a partner, or fits a project, with the reasons in words
//! (Albanian and English). Pure: it compares profiles and never reads the store or the index.

use serde::Serialize;

use crate::geography::{GeoPoint, haversine_km};
use crate::model::{Label, Network, Organisation, Vocabulary, fold, places, taxonomy};

/// What partner matching looks at in a record.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub id: String,
    pub themes: Vec<String>,
    pub groups: Vec<String>,
    pub services: Vec<String>,
    pub expertise: Vec<String>,
    /// Official names, from the address of every site.
    pub municipalities: Vec<String>,
    pub counties: Vec<String>,
    pub points: Vec<GeoPoint>,
    /// Unit codes it lists as served.
    pub serves: Vec<String>,
    pub national: bool,
    /// Current networks: (id, name).
    pub networks: Vec<(String, String)>,
}

impl Profile {
    pub fn of_organisation(org: &Organisation, networks: Vec<(String, String)>) -> Profile {
        let mut profile = Profile {
            id: org.id.clone(),
            themes: org.thematic_areas.clone(),
            groups: org.target_groups.clone(),
            services: org.services.clone(),
            expertise: org.expertise.clone(),
            serves: org.areas_served.clone(),
            national: org.scope.as_deref() == Some("national"),
            networks,
            ..Profile::default()
        };
        for (address, location) in org.places() {
            profile.add_place(
                address.and_then(|a| a.municipality.as_deref()),
                address.and_then(|a| a.county.as_deref()),
            );
            if let Some(l) = location {
                profile.points.push(GeoPoint::new(l.lat, l.lon));
            }
        }
        profile
    }

    pub fn of_network(network: &Network) -> Profile {
        let mut profile = Profile {
            id: network.id.clone(),
            themes: network.thematic_areas.clone(),
            national: network.scope.as_deref() == Some("national"),
            ..Profile::default()
        };
        let address = network.address.as_ref();
        profile.add_place(
            address.and_then(|a| a.municipality.as_deref()),
            address.and_then(|a| a.county.as_deref()),
        );
        if let Some(l) = &network.location {
            profile.points.push(GeoPoint::new(l.lat, l.lon));
        }
        profile
    }

    fn add_place(&mut self, municipality: Option<&str>, county: Option<&str>) {
        for (list, value) in [
            (&mut self.municipalities, municipality),
            (&mut self.counties, county),
        ] {
            if let Some(value) = value
                && !list.iter().any(|v| v == value)
            {
                list.push(value.to_owned());
            }
        }
    }

    /// Which of `municipalities` (official names) it lists as served, directly or through
    /// the county: the first such place's name.
    fn serves_one_of(&self, municipalities: &[String], counties: &[String]) -> Option<String> {
        let places = places();
        let municipality = municipalities.iter().find(|name| {
            places
                .municipality(name)
                .is_some_and(|m| self.serves.contains(&m.code))
        });
        let county = || {
            counties.iter().find(|name| {
                places
                    .county(name)
                    .is_some_and(|c| self.serves.contains(&c.code))
            })
        };
        municipality.or_else(county).cloned()
    }

    /// The shortest distance between any of its places and any of `points`.
    fn distance_km(&self, points: &[GeoPoint]) -> Option<f64> {
        self.points
            .iter()
            .flat_map(|a| points.iter().map(move |b| haversine_km(*a, *b)))
            .min_by(f64::total_cmp)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    /// Organisations doing the same kind of work, near by or in the same networks.
    Similar,
    /// Organisations in the same field that offer what this one does not.
    Complementary,
}

/// A project or call for proposals: what it is about and where.
#[derive(Debug, Clone, Default)]
pub struct Project {
    pub themes: Vec<String>,
    pub groups: Vec<String>,
    pub services: Vec<String>,
    /// A municipality (official name) and its county, or a county alone.
    pub municipality: Option<String>,
    pub county: Option<String>,
    pub point: Option<GeoPoint>,
}

/// A score with the reasons that make it up, strongest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Fit {
    pub score: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reason {
    /// What kind of reason: `thematic_areas`, `main_field`, `networks`, `place`, `distance`, `complements`,
    /// `services`, `target_groups`, `expertise`, `text`.
    pub code: &'static str,
    pub text: Label,
    /// What the score gains from it.
    pub weight: f64,
}

/// How well `other` fits as a partner of `me`.
pub fn partner_fit(me: &Profile, other: &Profile, goal: Goal) -> Fit {
    let tax = taxonomy();
    let mut reasons = Vec::new();
    let themes = shared(&me.themes, &other.themes);
    let groups = shared(&me.groups, &other.groups);
    let theme_weight = match goal {
        Goal::Similar => 3.0,
        Goal::Complementary => 2.0,
    };
    // Organisations list their main field first: sharing it counts beyond sharing a field.
    let main = me
        .themes
        .first()
        .filter(|main| other.themes.first() == Some(*main));
    if let Some(main) = main {
        let one = std::slice::from_ref(main);
        reasons.push(reason(
            "main_field",
            theme_weight + 2.0,
            format!(
                "fusha kryesore e të dyjave: {}",
                labels(&tax.thematic_areas, one, Sq)
            ),
            format!(
                "the main field of both: {}",
                labels(&tax.thematic_areas, one, En)
            ),
        ));
    }
    let others: Vec<String> = themes
        .iter()
        .filter(|t| Some(*t) != main)
        .cloned()
        .collect();
    if !others.is_empty() {
        let (sq, en) = if main.is_some() {
            ("ndan edhe", "also shares")
        } else {
            ("ndan", "shares")
        };
        let k = others.len();
        reasons.push(reason(
            "thematic_areas",
            theme_weight * k as f64,
            format!(
                "{sq} {k} {}: {}",
                if k == 1 {
                    "fushë tematike"
                } else {
                    "fusha tematike"
                },
                labels(&tax.thematic_areas, &others, Sq)
            ),
            format!(
                "{en} {k} thematic area{}: {}",
                plural(k),
                labels(&tax.thematic_areas, &others, En)
            ),
        ));
    }
    let networks: Vec<&(String, String)> = me
        .networks
        .iter()
        .filter(|(id, _)| other.networks.iter().any(|(o, _)| o == id))
        .collect();
    for (_, name) in &networks {
        reasons.push(reason(
            "networks",
            2.0,
            format!("të dyja në {name}"),
            format!("both in {name}"),
        ));
    }
    match goal {
        Goal::Similar => {
            let services = shared(&me.services, &other.services);
            if !services.is_empty() {
                reasons.push(reason(
                    "services",
                    0.5 * services.len() as f64,
                    format!(
                        "ofron të njëjtat shërbime: {}",
                        labels(&tax.services, &services, Sq)
                    ),
                    format!(
                        "offers the same services: {}",
                        labels(&tax.services, &services, En)
                    ),
                ));
            }
        }
        Goal::Complementary => {
            let offered: Vec<String> = other
                .services
                .iter()
                .filter(|s| !me.services.contains(s))
                .cloned()
                .collect();
            if !offered.is_empty() {
                // The first service one lacks matters most; more add less.
                reasons.push(reason(
                    "complements",
                    2.5 + (offered.len() - 1) as f64,
                    format!(
                        "plotëson: ofron {}, që ju nuk e ofroni",
                        labels(&tax.services, &offered, Sq).to_lowercase()
                    ),
                    format!(
                        "complements: offers {}, which you do not",
                        labels(&tax.services, &offered, En).to_lowercase()
                    ),
                ));
            }
        }
    }
    if !groups.is_empty() {
        reasons.push(reason(
            "target_groups",
            groups.len().min(2) as f64,
            format!(
                "punon me të njëjtat grupe: {}",
                labels(&tax.target_groups, &groups, Sq).to_lowercase()
            ),
            format!(
                "works with the same groups: {}",
                labels(&tax.target_groups, &groups, En).to_lowercase()
            ),
        ));
    }
    let my_tags: Vec<String> = me.expertise.iter().map(|t| fold(t)).collect();
    let tags: Vec<&String> = other
        .expertise
        .iter()
        .filter(|t| my_tags.contains(&fold(t)))
        .collect();
    if !tags.is_empty() {
        let list = tags
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        reasons.push(reason(
            "expertise",
            tags.len().min(2) as f64,
            format!("ndan ekspertizën: {list}"),
            format!("shares expertise: {list}"),
        ));
    }
    let distance_km = me.distance_km(&other.points);
    reasons.extend(place_reasons(me, other, distance_km, true));
    if goal == Goal::Complementary && themes.is_empty() && groups.is_empty() {
        // Offering what one lacks matters little without a field in common.
        for r in &mut reasons {
            r.weight *= 0.25;
        }
    }
    finish(reasons, distance_km)
}

/// How well a record fits a project; `text_score` is how well it matches the project's text
/// (0 when it does not), `mentions` the words it matched.
pub fn project_fit(
    project: &Project,
    other: &Profile,
    text_score: f64,
    mentions: &[String],
) -> Fit {
    let tax = taxonomy();
    let mut reasons = Vec::new();
    if text_score > 0.0 {
        let list = mentions.join(", ");
        let (sq, en) = if list.is_empty() {
            (
                "përputhet me përshkrimin".to_owned(),
                "matches the description".to_owned(),
            )
        } else {
            (
                format!("përputhet me përshkrimin: {list}"),
                format!("matches the description: {list}"),
            )
        };
        reasons.push(reason("text", text_score, sq, en));
    }
    let themes = shared(&project.themes, &other.themes);
    if !themes.is_empty() {
        reasons.push(reason(
            "thematic_areas",
            3.0 * themes.len() as f64,
            format!(
                "punon për {}",
                labels(&tax.thematic_areas, &themes, Sq).to_lowercase()
            ),
            format!(
                "works on {}",
                labels(&tax.thematic_areas, &themes, En).to_lowercase()
            ),
        ));
    }
    let groups = shared(&project.groups, &other.groups);
    if !groups.is_empty() {
        reasons.push(reason(
            "target_groups",
            1.5 * groups.len() as f64,
            format!(
                "punon me {}",
                labels(&tax.target_groups, &groups, Sq).to_lowercase()
            ),
            format!(
                "works with {}",
                labels(&tax.target_groups, &groups, En).to_lowercase()
            ),
        ));
    }
    let services = shared(&project.services, &other.services);
    if !services.is_empty() {
        reasons.push(reason(
            "services",
            1.5 * services.len() as f64,
            format!(
                "ofron {}",
                labels(&tax.services, &services, Sq).to_lowercase()
            ),
            format!(
                "offers {}",
                labels(&tax.services, &services, En).to_lowercase()
            ),
        ));
    }
    let place = Profile {
        municipalities: project.municipality.iter().cloned().collect(),
        counties: project.county.iter().cloned().collect(),
        points: project.point.into_iter().collect(),
        ..Profile::default()
    };
    let distance_km = place.distance_km(&other.points);
    reasons.extend(place_reasons(&place, other, distance_km, false));
    let has_place = project.municipality.is_some() || project.county.is_some();
    if has_place && other.national && !reasons.iter().any(|r| r.code == "place") {
        reasons.push(reason(
            "place",
            1.0,
            "punon në të gjithë vendin".to_owned(),
            "works nationwide".to_owned(),
        ));
    }
    finish(reasons, distance_km)
}

/// Same municipality, same county, or works there; and closeness. `too` words it for a
/// partner ("works in Shkodër too") rather than for a project's place ("works in Shkodër").
fn place_reasons(
    me: &Profile,
    other: &Profile,
    distance_km: Option<f64>,
    too: bool,
) -> Vec<Reason> {
    let (also_sq, also_en) = if too { ("edhe ", " too") } else { ("", "") };
    let places = places();
    let mut reasons = Vec::new();
    let english = |name: &str| {
        places
            .municipality(name)
            .map(|m| m.name_en.clone())
            .unwrap_or_else(|| name.to_owned())
    };
    if let Some(m) = me
        .municipalities
        .iter()
        .find(|m| other.municipalities.contains(m))
    {
        reasons.push(reason(
            "place",
            3.0,
            format!("punon {also_sq}në {m}"),
            format!("works in {}{also_en}", english(m)),
        ));
    } else if let Some(c) = me.counties.iter().find(|c| other.counties.contains(c)) {
        let en = places.county(c).map_or(c.clone(), |c| c.name_en.clone());
        reasons.push(reason(
            "place",
            2.5,
            format!("{also_sq}në qarkun {c}"),
            format!("in {en} County{also_en}"),
        ));
    } else if let Some(name) = other.serves_one_of(&me.municipalities, &me.counties) {
        reasons.push(reason(
            "place",
            1.0,
            format!("punon {also_sq}në {name}"),
            format!("works in {}{also_en}", english(&name)),
        ));
    }
    if let Some(d) = distance_km {
        let weight = 2.0 * (-d / 25.0).exp();
        if weight >= 0.05 {
            let km = if d >= 10.0 {
                format!("{d:.0}")
            } else {
                format!("{d:.1}")
            };
            reasons.push(reason(
                "distance",
                weight,
                format!("{} km larg", km.replace('.', ",")),
                format!("{km} km away"),
            ));
        }
    }
    reasons
}

fn finish(mut reasons: Vec<Reason>, distance_km: Option<f64>) -> Fit {
    reasons.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    let score = reasons.iter().map(|r| r.weight).sum::<f64>();
    Fit {
        score: (score * 1000.0).round() / 1000.0,
        distance_km: distance_km.map(|d| (d * 100.0).round() / 100.0),
        reasons,
    }
}

fn reason(code: &'static str, weight: f64, sq: String, en: String) -> Reason {
    Reason {
        code,
        text: Label { sq, en },
        weight: (weight * 1000.0).round() / 1000.0,
    }
}

fn shared(a: &[String], b: &[String]) -> Vec<String> {
    a.iter().filter(|x| b.contains(x)).cloned().collect()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

use Language::{En, Sq};

#[derive(Clone, Copy)]
enum Language {
    Sq,
    En,
}

/// "Mjedisi dhe klima, Rinia": the labels of codes, joined.
fn labels(vocabulary: &Vocabulary, codes: &[String], language: Language) -> String {
    codes
        .iter()
        .map(|code| match (vocabulary.label(code), language) {
            (Some(label), Sq) => label.sq.clone(),
            (Some(label), En) => label.en.clone(),
            (None, _) => code.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(
        id: &str,
        themes: &[&str],
        services: &[&str],
        municipality: &str,
        county: &str,
    ) -> Profile {
        Profile {
            id: id.into(),
            themes: themes.iter().map(|s| s.to_string()).collect(),
            services: services.iter().map(|s| s.to_string()).collect(),
            municipalities: vec![municipality.into()],
            counties: vec![county.into()],
            ..Profile::default()
        }
    }

    #[test]
    fn shared_themes_and_place_make_a_similar_partner_with_reasons_in_both_languages() {
        let me = org("a", &["environment", "youth"], &[], "Shkodër", "Shkodër");
        let other = org("b", &["environment", "youth"], &[], "Shkodër", "Shkodër");
        let far = org("c", &["environment"], &[], "Sarandë", "Vlorë");
        let near = partner_fit(&me, &other, Goal::Similar);
        assert!(near.score > partner_fit(&me, &far, Goal::Similar).score);
        let texts: Vec<&str> = near.reasons.iter().map(|r| r.text.en.as_str()).collect();
        assert!(
            texts.contains(&"the main field of both: Environment and climate"),
            "{texts:?}"
        );
        assert!(
            texts.contains(&"also shares 1 thematic area: Youth"),
            "{texts:?}"
        );
        assert!(texts.contains(&"works in Shkodër too"), "{texts:?}");
        assert!(
            near.reasons
                .iter()
                .any(|r| r.text.sq == "punon edhe në Shkodër")
        );
    }

    #[test]
    fn a_complementary_partner_offers_what_one_lacks_in_the_same_field() {
        let me = org("a", &["human-rights"], &["monitoring"], "Tiranë", "Tiranë");
        let helper = org(
            "b",
            &["human-rights"],
            &["legal-aid", "monitoring"],
            "Tiranë",
            "Tiranë",
        );
        let unrelated = org("c", &["sport"], &["legal-aid"], "Tiranë", "Tiranë");
        let fit = partner_fit(&me, &helper, Goal::Complementary);
        let complement = fit
            .reasons
            .iter()
            .find(|r| r.code == "complements")
            .unwrap();
        assert!(
            complement.text.en.starts_with("complements: offers "),
            "{}",
            complement.text.en
        );
        assert!(complement.text.en.ends_with(", which you do not"));
        assert!(fit.score > partner_fit(&me, &unrelated, Goal::Complementary).score);
    }

    #[test]
    fn the_score_is_the_sum_of_the_reasons() {
        let me = org("a", &["environment"], &["training"], "Vlorë", "Vlorë");
        let other = org("b", &["environment"], &["training"], "Himarë", "Vlorë");
        let fit = partner_fit(&me, &other, Goal::Similar);
        let sum: f64 = fit.reasons.iter().map(|r| r.weight).sum();
        assert!((fit.score - sum).abs() < 0.01);
        assert!(fit.reasons.windows(2).all(|w| w[0].weight >= w[1].weight));
    }
}
