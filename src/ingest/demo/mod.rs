//! A deterministic generator of realistic, fictional organisations and networks across all of
//! Albania's municipalities. The same seed always gives the same records, so the committed demo
//! dataset can be checked against it, and it scales to a million records for benchmarks.

mod themes;

use std::collections::HashSet;

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::geography::{GeoPoint, boundaries};
use crate::model::{
    Address, Contact, Description, Location, Member, Municipality, Network, Organisation, Record,
    Site, places, slug_from_name,
};
use themes::{MOTTOS, NETWORK_KINDS, PREFIXES, REGIONS, THEMES, Theme};

/// The committed demo dataset is `demo-data --organisations 1500 --networks 40 --seed 2026`.
pub const DEMO_ORGANISATIONS: usize = 1_500;
pub const DEMO_NETWORKS: usize = 40;
pub const DEMO_SEED: u64 = 2026;
/// The last founding year used, fixed so that the output does not change with the calendar.
const LATEST_YEAR: i32 = 2024;
const SERVICES: &[&str] = &[
    "advocacy",
    "research",
    "monitoring",
    "training",
    "capacity-building",
    "legal-aid",
    "counselling",
    "psychosocial-support",
    "education-programmes",
    "awareness-raising",
    "community-services",
    "networking",
    "mediation",
    "publishing",
    "volunteer-programmes",
    "employment-services",
    "help-desk",
];

/// Calls `emit` with every record: organisations first, then networks (whose members exist).
pub fn generate(organisations: usize, networks: usize, seed: u64, emit: &mut dyn FnMut(Record)) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let places = places();
    let mut ids = HashSet::new();
    // Per theme, the ids of organisations working on it, and their county, for networks.
    let mut by_theme: Vec<Vec<(String, String)>> = vec![Vec::new(); THEMES.len()];
    for n in 0..organisations {
        // The first 61 organisations visit every municipality once; then bigger towns weigh more.
        let municipality = if n < places.municipalities.len() {
            &places.municipalities[n]
        } else {
            pick_municipality(&mut rng, &places.municipalities)
        };
        let theme_index = pick_theme(&mut rng);
        let org = organisation(&mut rng, &mut ids, municipality, theme_index);
        by_theme[theme_index].push((org.id.clone(), municipality.county_code.clone()));
        emit(Record::Organisation(org));
    }
    // A theme and region with too few organisations gives no network; try others, boundedly.
    let mut made = 0;
    for attempt in 0..networks * 20 {
        if made == networks {
            break;
        }
        let theme_index = if attempt < THEMES.len() {
            attempt
        } else {
            pick_theme(&mut rng)
        };
        if let Some(network) = network(&mut rng, &mut ids, theme_index, &by_theme[theme_index]) {
            emit(Record::Network(network));
            made += 1;
        }
    }
}

fn pick_theme(rng: &mut ChaCha8Rng) -> usize {
    let total: u32 = THEMES.iter().map(|t| t.weight).sum();
    let mut roll = rng.random_range(0..total);
    for (i, theme) in THEMES.iter().enumerate() {
        if roll < theme.weight {
            return i;
        }
        roll -= theme.weight;
    }
    0
}

/// Tirana holds about a third of Albania's organisations; county seats come next.
fn pick_municipality<'a>(
    rng: &mut ChaCha8Rng,
    municipalities: &'a [Municipality],
) -> &'a Municipality {
    let weight = |m: &Municipality| match m.code.as_str() {
        "tirane" => 60,
        "durres" | "shkoder" | "vlore" | "elbasan" | "korce" | "fier" => 12,
        "berat" | "lezhe" | "kukes" | "gjirokaster" | "diber" | "sarande" | "pogradec"
        | "kamez" => 6,
        _ => 2,
    };
    let total: u32 = municipalities.iter().map(weight).sum();
    let mut roll = rng.random_range(0..total);
    for m in municipalities {
        if roll < weight(m) {
            return m;
        }
        roll -= weight(m);
    }
    &municipalities[0]
}

fn organisation(
    rng: &mut ChaCha8Rng,
    ids: &mut HashSet<String>,
    municipality: &Municipality,
    theme_index: usize,
) -> Organisation {
    let theme = &THEMES[theme_index];
    let &(prefix, legal_form) = PREFIXES.choose(rng).unwrap_or(&PREFIXES[0]);
    let ending = agree(
        prefix,
        theme.name_endings.choose(rng).copied().unwrap_or_default(),
    );
    let name = match rng.random_range(0..3) {
        0 => format!("{prefix} {ending} {}", municipality.name),
        1 => format!(
            "{prefix} \"{}\" {}",
            MOTTOS.choose(rng).copied().unwrap_or_default(),
            municipality.definite
        ),
        _ => format!(
            "{prefix} {ending} \"{}\"",
            MOTTOS.choose(rng).copied().unwrap_or_default()
        ),
    };
    let id = unique_id(ids, &name);
    let mut thematic_areas = vec![theme.code.to_owned()];
    for _ in 0..rng.random_range(0..3) {
        let other = THEMES[pick_theme(rng)].code.to_owned();
        if !thematic_areas.contains(&other) {
            thematic_areas.push(other);
        }
    }
    let scope = match rng.random_range(0..100) {
        0..55 => "local",
        55..85 => "national",
        85..95 => "regional",
        _ => "international",
    };
    let founded_year = rng.random_range(1991..=LATEST_YEAR);
    let description_sq = format!(
        "{name} është organizatë e shoqërisë civile me qendër në {}, e themeluar më {founded_year}. Punon për {}. {}",
        municipality.name,
        theme.purpose_sq,
        match scope {
            "local" => format!(
                "Vepron kryesisht në territorin e Bashkisë {}.",
                municipality.name
            ),
            "national" => "Vepron në të gjithë Shqipërinë.".to_owned(),
            _ => "Bashkëpunon me partnerë në Ballkanin Perëndimor dhe më gjerë.".to_owned(),
        }
    );
    let description_en = rng.random_bool(0.4).then(|| {
        format!(
            "A civil society organisation based in {}, founded in {founded_year}, working on {}.",
            municipality.name_en, theme.purpose_en
        )
    });
    let mut expertise: Vec<String> = theme
        .expertise_sq
        .choose_multiple(rng, 2)
        .map(|s| s.to_string())
        .collect();
    if description_en.is_some() {
        expertise.extend(theme.expertise_en.choose(rng).map(|s| s.to_string()));
    }
    let areas_served = match scope {
        "local" => vec![municipality.code.clone()],
        "regional" => vec!["XK".to_owned(), "MK".to_owned(), "ME".to_owned()]
            [..rng.random_range(1..=3)]
            .to_vec(),
        _ => Vec::new(),
    };
    let service_count = rng.random_range(1..=3);
    // One organisation in ten has a branch in another municipality.
    let sites = if rng.random_bool(0.1) {
        let branch = pick_municipality(rng, &places().municipalities);
        vec![Site {
            label: Some(format!("Zyra në {}", branch.name)),
            address: Some(Address {
                municipality: Some(branch.name.clone()),
                county: Some(places().county_of(branch).name.clone()),
                country: "AL".to_owned(),
                ..Address::default()
            }),
            location: Some(point_in(rng, branch)),
        }]
    } else {
        Vec::new()
    };
    Organisation {
        acronym: rng
            .random_bool(0.35)
            .then(|| acronym(&name))
            .filter(|a| a.len() >= 2),
        legal_form: Some(legal_form.to_owned()),
        registration_number: rng.random_bool(0.8).then(|| nuis(rng)),
        founded_year: Some(founded_year),
        description: Description {
            sq: Some(description_sq),
            en: description_en,
        },
        thematic_areas,
        target_groups: theme
            .target_groups
            .choose_multiple(rng, 2)
            .map(|s| s.to_string())
            .collect(),
        services: SERVICES
            .choose_multiple(rng, service_count)
            .map(|s| s.to_string())
            .collect(),
        expertise,
        scope: Some(scope.to_owned()),
        address: Some(Address {
            street: Some(format!(
                "Rruga {} {}",
                MOTTOS.choose(rng).copied().unwrap_or_default(),
                rng.random_range(1..120)
            )),
            municipality: Some(municipality.name.clone()),
            county: Some(places().county_of(municipality).name.clone()),
            postal_code: None,
            country: "AL".to_owned(),
        }),
        location: Some(point_in(rng, municipality)),
        sites,
        areas_served,
        contact: Some(Contact {
            email: Some(format!("info@{id}.demo.example")),
            phone: None,
            website: rng
                .random_bool(0.5)
                .then(|| format!("https://{id}.demo.example")),
        }),
        languages: if rng.random_bool(0.5) {
            vec!["sq".into(), "en".into()]
        } else {
            vec!["sq".into()]
        },
        code_of_standards: rng.random_bool(0.25),
        name,
        id,
        ..Organisation::default()
    }
}

fn network(
    rng: &mut ChaCha8Rng,
    ids: &mut HashSet<String>,
    theme_index: usize,
    candidates: &[(String, String)],
) -> Option<Network> {
    let theme: &Theme = &THEMES[theme_index];
    let &(region_name, counties) = REGIONS.choose(rng)?;
    let in_region: Vec<&(String, String)> = candidates
        .iter()
        .filter(|(_, county)| counties.is_empty() || counties.contains(&county.as_str()))
        .collect();
    if in_region.len() < 3 {
        return None;
    }
    let &(kind_name, kind) = NETWORK_KINDS.choose(rng)?;
    let ending = agree(
        kind_name,
        theme.name_endings.choose(rng).copied().unwrap_or_default(),
    );
    let name = format!("{kind_name} {ending} {region_name}");
    let id = unique_id(ids, &name);
    let founded_year = rng.random_range(1998..=LATEST_YEAR - 2);
    let size = rng.random_range(5..=40).min(in_region.len());
    let members = in_region
        .choose_multiple(rng, size)
        .enumerate()
        .map(|(i, (organisation, _))| {
            let since = rng.random_range(founded_year..=LATEST_YEAR);
            let former = i > 0 && rng.random_bool(0.1) && since < LATEST_YEAR;
            Member {
                organisation: organisation.clone(),
                role: match i {
                    0 => "lead",
                    _ if rng.random_bool(0.1) => "observer",
                    _ => "member",
                }
                .to_owned(),
                since: Some(since),
                until: former.then(|| rng.random_range(since + 1..=LATEST_YEAR)),
                ..Member::default()
            }
        })
        .collect();
    let seat = counties
        .first()
        .and_then(|code| places().county(code))
        .map_or("Tiranë", |county| county.name.as_str());
    let municipality = places().municipality(seat)?;
    Some(Network {
        acronym: Some(acronym(&name)),
        kind: kind.to_owned(),
        description: Description {
            sq: Some(format!(
                "{name} bashkon organizata të shoqërisë civile që punojnë për {}. Themeluar më {founded_year}.",
                theme.purpose_sq
            )),
            en: rng.random_bool(0.5).then(|| {
                format!("A {kind} of civil society organisations working on {}, founded in {founded_year}.", theme.purpose_en)
            }),
        },
        thematic_areas: vec![theme.code.to_owned()],
        scope: Some(if counties.is_empty() { "national" } else { "local" }.to_owned()),
        founded_year: Some(founded_year),
        address: Some(Address {
            municipality: Some(municipality.name.clone()),
            county: Some(places().county_of(municipality).name.clone()),
            country: "AL".to_owned(),
            ..Address::default()
        }),
        location: Some(point_in(rng, municipality)),
        contact: Some(Contact {
            email: Some(format!("sekretaria@{id}.demo.example")),
            ..Contact::default()
        }),
        members,
        name,
        id,
        ..Network::default()
    })
}

/// Makes a name ending agree with the gender of the noun before it: endings are written for
/// feminine nouns ("Shoqata e Grave", "Qendra Rinore"); masculine ones end in -i
/// ("Forumi i Grave", "Klubi Rinor").
fn agree(noun: &str, ending: &str) -> String {
    if !noun.ends_with('i') {
        return ending.to_owned();
    }
    if let Some(rest) = ending.strip_prefix("e ") {
        return format!("i {rest}");
    }
    let single_word = !ending.contains(' ');
    for feminine in ["ore", "ive", "ale"] {
        if single_word && ending.ends_with(feminine) {
            return ending[..ending.len() - 1].to_owned();
        }
    }
    ending.to_owned()
}

/// A point within about 600 m of the town centre that lies inside the municipality (its
/// boundary decides), or else the municipality's representative point.
fn point_in(rng: &mut ChaCha8Rng, municipality: &Municipality) -> Location {
    let (lat, lon) = municipality
        .seat
        .unwrap_or((municipality.lat, municipality.lon));
    for _ in 0..10 {
        let candidate = GeoPoint::new(
            round5(lat + rng.random_range(-0.005..0.005)),
            round5(lon + rng.random_range(-0.006..0.006)),
        );
        if boundaries().locate(candidate) == Some(municipality.code.as_str()) {
            return Location {
                lat: candidate.lat,
                lon: candidate.lon,
                approximate: false,
            };
        }
    }
    Location {
        lat: municipality.lat,
        lon: municipality.lon,
        approximate: false,
    }
}

fn unique_id(ids: &mut HashSet<String>, name: &str) -> String {
    let base = slug_from_name(name);
    let mut id = base.to_string();
    let mut n = 2;
    while ids.contains(&id) {
        id = base.with_suffix(n).to_string();
        n += 1;
    }
    ids.insert(id.clone());
    id
}

/// Initials of the capitalised words: "Shoqata për Mbrojtjen e Mjedisit Vlorë" → "SMMV".
fn acronym(name: &str) -> String {
    name.split(|c: char| c.is_whitespace() || c == '"')
        .filter_map(|word| word.chars().next())
        .filter(|c| c.is_uppercase())
        .collect()
}

fn nuis(rng: &mut ChaCha8Rng) -> String {
    let first = ['J', 'K', 'L', 'M'].choose(rng).copied().unwrap_or('L');
    let last = (b'A' + rng.random_range(0..26u8)) as char;
    format!("{first}{:08}{last}", rng.random_range(0..100_000_000u32))
}

fn round5(value: f64) -> f64 {
    (value * 100_000.0).round() / 100_000.0
}

#[cfg(test)]
mod tests {
    use super::agree;

    #[test]
    fn endings_agree_with_masculine_nouns() {
        assert_eq!(agree("Forumi", "e Grave"), "i Grave");
        assert_eq!(agree("Klubi", "Rinore"), "Rinor");
        assert_eq!(agree("Shoqata", "Rinore"), "Rinore");
        assert_eq!(agree("Rrjeti", "për Klimën"), "për Klimën");
    }
}
