//! Text normalisation shared by validation, ids and search: Unicode NFC, trimming and diacritic folding.

use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

/// Lowercases and removes diacritics, so that "Shoqëri Çështje" and "shoqeri ceshtje" compare equal.
///
/// Albanian only has ë and ç, but names from the region carry others (č, š, ć, đ), so this folds
/// every combining mark rather than a fixed list.
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'đ' => 'd',
            'ł' => 'l',
            'ß' => 's',
            other => other,
        })
        .collect()
}

/// The stored form of any free text: NFC-normalised, trimmed, inner whitespace runs kept as typed.
pub fn normalize_text(text: &str) -> String {
    text.trim().nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_albanian_letters_and_case() {
        assert_eq!(fold("Shoqëri Civile"), "shoqeri civile");
        assert_eq!(fold("ÇËSHTJE"), "ceshtje");
        assert_eq!(fold("Fushë-Arrëz"), "fushe-arrez");
    }

    #[test]
    fn folds_regional_letters() {
        assert_eq!(fold("Kičevo Đakovica"), "kicevo dakovica");
    }

    #[test]
    fn normalizes_decomposed_input_to_nfc() {
        let decomposed = "Shoqe\u{0308}ri ";
        assert_eq!(normalize_text(decomposed), "Shoqëri");
    }
}
