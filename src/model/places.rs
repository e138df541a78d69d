//! Albania's 12 counties (qarqe) and 61 municipalities (bashki) from `data/units/`, and the
//! lookup that turns any spelling of their names (with or without ë/ç, definite forms, codes)
//! into the canonical unit.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::text::fold;

#[derive(Debug, Clone)]
pub struct County {
    /// ISO 3166-2 code, `AL-01` .. `AL-12`.
    pub code: String,
    /// Official Albanian name (indefinite form) with diacritics: `Shkodër`.
    pub name: String,
    /// Definite form used in running text: `Qarku i Shkodrës`.
    pub definite: String,
    pub name_en: String,
    /// Other names and spellings: `Shkodra`, `Scutari`.
    pub alt: Vec<String>,
    /// A point guaranteed inside the county.
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone)]
pub struct Municipality {
    /// Lowercase ASCII name with hyphens: `shkoder`, `vau-i-dejes`.
    pub code: String,
    /// Official Albanian name (indefinite form) with diacritics: `Vau i Dejës`.
    pub name: String,
    /// Definite form used in running text: `Shkodra`.
    pub definite: String,
    pub name_en: String,
    /// Other names and spellings: `Ura Vajgurore` for Dimal.
    pub alt: Vec<String>,
    pub county_code: String,
    /// A point guaranteed inside the municipality.
    pub lat: f64,
    pub lon: f64,
    /// The seat (town hall), where known.
    pub seat: Option<(f64, f64)>,
}

pub struct Places {
    pub counties: Vec<County>,
    pub municipalities: Vec<Municipality>,
    county_by_key: HashMap<String, usize>,
    municipality_by_key: HashMap<String, usize>,
}

impl Places {
    /// Finds a county by ISO code, name, definite form ("Qarku i Shkodrës") or alternative name,
    /// in any case and with or without diacritics.
    pub fn county(&self, query: &str) -> Option<&County> {
        self.county_by_key
            .get(&lookup_key(query))
            .map(|&i| &self.counties[i])
    }

    /// Finds a municipality by code, name, definite form or alternative name, in any case and with
    /// or without diacritics ("Bashkia Shkodër" works too).
    pub fn municipality(&self, query: &str) -> Option<&Municipality> {
        let key = lookup_key(query);
        let key = key.strip_prefix("bashkia ").unwrap_or(&key);
        self.municipality_by_key
            .get(key)
            .map(|&i| &self.municipalities[i])
    }

    /// A municipality by its code (`vau-i-dejes`), as stored in indexes and `areas_served`.
    pub fn municipality_by_code(&self, code: &str) -> Option<&Municipality> {
        self.municipalities.iter().find(|m| m.code == code)
    }

    pub fn municipalities_of<'a>(
        &'a self,
        county: &'a County,
    ) -> impl Iterator<Item = &'a Municipality> + 'a {
        self.municipalities
            .iter()
            .filter(move |m| m.county_code == county.code)
    }

    pub fn county_of(&self, municipality: &Municipality) -> &County {
        self.county(&municipality.county_code)
            .expect("every municipality's county is checked by a unit test")
    }
}

/// Folded, with hyphens and runs of spaces made one space, so `vau-i-dejes` finds `Vau i Dejës`.
fn lookup_key(text: &str) -> String {
    fold(text)
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

const COUNTIES_CSV: &str = include_str!("../../data/units/al_counties.csv");
const MUNICIPALITIES_CSV: &str = include_str!("../../data/units/al_municipalities.csv");

/// The units compiled into the binary; the files are checked by unit tests, so parsing cannot fail.
pub fn places() -> &'static Places {
    static PLACES: OnceLock<Places> = OnceLock::new();
    PLACES.get_or_init(|| load().expect("data/units/*.csv are checked by a unit test"))
}

fn load() -> Result<Places, String> {
    let mut counties = Vec::new();
    let mut county_by_key = HashMap::new();
    for row in csv_rows(COUNTIES_CSV)? {
        let index = counties.len();
        let mut names = vec![
            row["iso_3166_2"].as_str(),
            &row["name_sq"],
            &row["name_sq_definite"],
            &row["name_en"],
            &row["name_ascii"],
        ];
        names.extend(row["name_alt"].split('|').filter(|s| !s.is_empty()));
        for name in names {
            county_by_key.insert(lookup_key(name), index);
        }
        counties.push(County {
            code: row["iso_3166_2"].clone(),
            name: row["name_sq"].clone(),
            definite: row["name_sq_definite"].clone(),
            name_en: row["name_en"].clone(),
            alt: split_alt(&row["name_alt"]),
            lat: parse_f64(&row["lat"])?,
            lon: parse_f64(&row["lon"])?,
        });
    }
    let mut municipalities = Vec::new();
    let mut municipality_by_key = HashMap::new();
    for row in csv_rows(MUNICIPALITIES_CSV)? {
        let index = municipalities.len();
        let code = lookup_key(&row["name_sq"]).replace(' ', "-");
        let seat = match (row["seat_lat"].as_str(), row["seat_lon"].as_str()) {
            ("", _) | (_, "") => None,
            (lat, lon) => Some((parse_f64(lat)?, parse_f64(lon)?)),
        };
        let mut names = vec![
            code.as_str(),
            &row["name_sq"],
            &row["name_sq_definite"],
            &row["name_en"],
            &row["name_ascii"],
            &row["official_name_sq"],
        ];
        names.extend(row["name_alt"].split('|').filter(|s| !s.is_empty()));
        for name in names {
            municipality_by_key.insert(lookup_key(name), index);
        }
        municipalities.push(Municipality {
            code,
            name: row["name_sq"].clone(),
            definite: row["name_sq_definite"].clone(),
            name_en: row["name_en"].clone(),
            alt: split_alt(&row["name_alt"]),
            county_code: row["county_iso"].clone(),
            lat: parse_f64(&row["lat"])?,
            lon: parse_f64(&row["lon"])?,
            seat,
        });
    }
    Ok(Places {
        counties,
        municipalities,
        county_by_key,
        municipality_by_key,
    })
}

fn split_alt(names: &str) -> Vec<String> {
    names
        .split('|')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn parse_f64(text: &str) -> Result<f64, String> {
    text.parse().map_err(|_| format!("not a number: {text:?}"))
}

fn csv_rows(text: &str) -> Result<Vec<HashMap<String, String>>, String> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| e.to_string())?.clone();
    reader
        .records()
        .map(|record| {
            let record = record.map_err(|e| e.to_string())?;
            Ok(headers
                .iter()
                .zip(record.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_units_load_with_61_municipalities_in_12_counties() {
        let places = load().unwrap();
        assert_eq!(places.counties.len(), 12);
        assert_eq!(places.municipalities.len(), 61);
        for municipality in &places.municipalities {
            assert!(
                places.county(&municipality.county_code).is_some(),
                "{}",
                municipality.name
            );
        }
    }

    #[test]
    fn municipality_lookup_accepts_any_spelling() {
        let places = places();
        for query in [
            "Shkodër",
            "shkoder",
            "SHKODRA",
            "Bashkia Shkodër",
            "shkodra",
        ] {
            assert_eq!(
                places.municipality(query).unwrap().name,
                "Shkodër",
                "{query}"
            );
        }
        assert_eq!(
            places.municipality("vau-i-dejes").unwrap().name,
            "Vau i Dejës"
        );
        assert_eq!(places.municipality("Ura Vajgurore").unwrap().name, "Dimal");
        assert_eq!(places.municipality("tirana").unwrap().code, "tirane");
        assert!(places.municipality("Prishtinë").is_none());
    }

    #[test]
    fn county_lookup_accepts_codes_and_definite_forms() {
        let places = places();
        assert_eq!(places.county("AL-12").unwrap().name, "Vlorë");
        assert_eq!(places.county("vlora").unwrap().name, "Vlorë");
        assert_eq!(places.county("Qarku i Vlorës").unwrap().name, "Vlorë");
        assert_eq!(places.county("korca").unwrap().code, "AL-06");
    }
}
