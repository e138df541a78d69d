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
