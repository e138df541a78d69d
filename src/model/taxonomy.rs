//! The controlled vocabularies (thematic areas, target groups, services, legal forms, scopes,
//! network kinds) with their Albanian and English labels, from the committed `index/taxonomy.json`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Label {
    pub sq: String,
    pub en: String,
}

/// One vocabulary: code → labels, in code order.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct Vocabulary(BTreeMap<String, Label>);

impl Vocabulary {
    pub fn contains(&self, code: &str) -> bool {
        self.0.contains_key(code)
    }

    pub fn label(&self, code: &str) -> Option<&Label> {
        self.0.get(code)
    }

    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// The allowed codes as one comma-separated line, for error messages.
    pub fn allowed(&self) -> String {
        self.codes().collect::<Vec<_>>().join(", ")
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Taxonomy {
    pub thematic_areas: Vocabulary,
    pub target_groups: Vocabulary,
    pub services: Vocabulary,
    pub legal_forms: Vocabulary,
    pub scopes: Vocabulary,
    pub network_kinds: Vocabulary,
}

const TAXONOMY_JSON: &str = include_str!("../../index/taxonomy.json");

/// The taxonomy compiled into the binary; it is checked by a unit test, so parsing cannot fail.
pub fn taxonomy() -> &'static Taxonomy {
    static TAXONOMY: OnceLock<Taxonomy> = OnceLock::new();
    TAXONOMY.get_or_init(|| {
        serde_json::from_str(TAXONOMY_JSON).expect("index/taxonomy.json is checked by a unit test")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_taxonomy_parses_with_labels_in_both_languages() {
        let taxonomy: Taxonomy = serde_json::from_str(TAXONOMY_JSON).unwrap();
        assert!(taxonomy.thematic_areas.contains("environment"));
        assert_eq!(
            taxonomy.thematic_areas.label("environment").unwrap().sq,
            "Mjedisi dhe klima"
        );
        assert!(taxonomy.scopes.contains("national"));
        assert!(taxonomy.network_kinds.contains("coalition"));
        assert!(taxonomy.legal_forms.contains("informal_group"));
    }
}
