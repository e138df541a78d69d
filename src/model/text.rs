//! Text normalisation shared by validation, ids and search: Unicode NFC, trimming and diacritic folding.

use unicode_normalization::{
    IsNormalized, UnicodeNormalization, char::is_combining_mark, is_nfc_quick,
};

/// Lowercases and removes diacritics, so that "Shoqëri Çështje" and "shoqeri ceshtje" compare equal.
///
/// Albanian only has ë and ç, but names from the region carry others (č, š, ć, đ), so this folds
/// every combining mark rather than a fixed list.
pub fn fold(text: &str) -> String {
    // Most text is ASCII with ë and ç: folded char by char without decomposing (the same result;
    // anything else, a combining mark included, takes the general way).
    let quick: Option<String> = text
        .chars()
        .map(|c| match c {
            'ë' | 'Ë' => Some('e'),
            'ç' | 'Ç' => Some('c'),
            c if c.is_ascii() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect();
    quick.unwrap_or_else(|| fold_any(text))
}

fn fold_any(text: &str) -> String {
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
    let text = text.trim();
    // Nearly all input is NFC already; the quick check spares rebuilding it.
    if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        text.to_owned()
    } else {
        text.nfc().collect()
    }
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
    fn the_quick_fold_agrees_with_the_general_one() {
        for text in [
            "Shoqëri Civile",
            "ÇËSHTJE 2024-ë",
            "e\u{0308}sht\u{00EB}",
            "Kičevo",
            "ASCII only, with digits 42",
            "",
        ] {
            assert_eq!(fold(text), fold_any(text), "{text:?}");
        }
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
