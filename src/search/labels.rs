//! Albanian and English labels of facet values, so that a page can show "Mjedisi" or
//! "Environment" for the code `environment` without a second request.

use crate::model::{Label, places, taxonomy};

use super::geo_index::DISTANCE_BANDS;

/// The label of `value` in the facet `facet`; `network_name` looks up a network's name.
pub fn label(
    facet: &str,
    value: &str,
    network_name: impl Fn(&str) -> Option<String>,
) -> Option<Label> {
    let tax = taxonomy();
    let vocabulary = match facet {
        "thematic_area" => Some(&tax.thematic_areas),
        "target_group" => Some(&tax.target_groups),
        "service" => Some(&tax.services),
        "legal_form" => Some(&tax.legal_forms),
        "scope" => Some(&tax.scopes),
        _ => None,
    };
    if let Some(vocabulary) = vocabulary {
        return vocabulary.label(value).cloned();
    }
    let both = |text: String| Label {
        sq: text.clone(),
        en: text,
    };
    let places = places();
    match facet {
        "county" => places.county(value).map(|c| Label {
            sq: c.name.clone(),
            en: c.name_en.clone(),
        }),
        "municipality" => places.municipality(value).map(|m| Label {
            sq: m.name.clone(),
            en: m.name_en.clone(),
        }),
        "units" => places
            .municipality_by_code(value)
            .map(|m| Label {
                sq: m.name.clone(),
                en: m.name_en.clone(),
            })
            .or_else(|| {
                places.county(value).map(|c| Label {
                    sq: format!("Qarku {}", c.name),
                    en: format!("{} County", c.name_en),
                })
            }),
        "network" => network_name(value).map(both),
        "code_of_standards" => Some(match value {
            "true" => Label {
                sq: "Ka nënshkruar Kodin e Standardeve".into(),
                en: "Code of Standards signatory".into(),
            },
            _ => Label {
                sq: "Nuk ka nënshkruar Kodin e Standardeve".into(),
                en: "Not a Code of Standards signatory".into(),
            },
        }),
        "distance" => DISTANCE_BANDS
            .iter()
            .any(|(band, _, _)| *band == value)
            .then(|| both(format!("{} km", value.replace('-', "–")))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taxonomy_codes_get_both_languages() {
        let label = label("thematic_area", "environment", |_| None).unwrap();
        assert_ne!(label.sq, label.en);
    }

    #[test]
    fn units_and_bands_are_labelled() {
        assert_eq!(label("units", "shkoder", |_| None).unwrap().sq, "Shkodër");
        assert_eq!(label("distance", "0-5", |_| None).unwrap().en, "0–5 km");
        assert_eq!(
            label("network", "x", |_| Some("Rrjeti X".into()))
                .unwrap()
                .en,
            "Rrjeti X"
        );
    }
}
