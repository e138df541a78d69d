//! Taxonomy labels in the page's language, by vocabulary name and code.

use super::i18n::Lang;
use crate::model::{Vocabulary, taxonomy};

/// The label of a code of `thematic_area`, `target_group`, `service`, `legal_form` or `scope`.
pub fn vocabulary(lang: Lang, name: &str, code: &str) -> Option<&'static str> {
    let tax = taxonomy();
    let vocabulary: &'static Vocabulary = match name {
        "thematic_area" => &tax.thematic_areas,
        "target_group" => &tax.target_groups,
        "service" => &tax.services,
        "legal_form" => &tax.legal_forms,
        "scope" => &tax.scopes,
        _ => return None,
    };
    vocabulary.label(code).map(|label| lang.label(label))
}

/// "Rrjet" / "Koalicion" and their English names.
pub fn network_kind(lang: Lang, code: &str) -> Option<&'static str> {
    taxonomy()
        .network_kinds
        .label(code)
        .map(|label| lang.label(label))
}

/// Labels of a list of codes, the code itself where the taxonomy has none.
pub fn list(lang: Lang, name: &str, codes: &[String]) -> Vec<String> {
    codes
        .iter()
        .map(|code| vocabulary(lang, name, code).unwrap_or(code).to_owned())
        .collect()
}

/// The name of a language by its ISO 639-1 code, for the languages of the region and the
/// usual working languages; other codes are shown as they are.
pub fn language(lang: Lang, code: &str) -> String {
    let names: Option<(&str, &str)> = match code {
        "sq" => Some(("shqip", "Albanian")),
        "en" => Some(("anglisht", "English")),
        "it" => Some(("italisht", "Italian")),
        "el" => Some(("greqisht", "Greek")),
        "de" => Some(("gjermanisht", "German")),
        "fr" => Some(("frëngjisht", "French")),
        "sr" => Some(("serbisht", "Serbian")),
        "mk" => Some(("maqedonisht", "Macedonian")),
        "tr" => Some(("turqisht", "Turkish")),
        "es" => Some(("spanjisht", "Spanish")),
        _ => None,
    };
    match (names, lang) {
        (Some((sq, _)), Lang::Sq) => sq.to_owned(),
        (Some((_, en)), Lang::En) => en.to_owned(),
        (None, _) => code.to_owned(),
    }
}

/// A unit (municipality or county code) or country code as a place name.
pub fn area(lang: Lang, code: &str) -> String {
    crate::search::facet_label("units", code, |_| None)
        .map_or_else(|| code.to_owned(), |label| lang.label(&label).to_owned())
}
