//! Record identifiers: URL-safe slugs `[a-z0-9-]{2,64}`, parsed or generated from a name.

use std::fmt;

use super::text::fold;

const MAX_LEN: usize = 64;

/// A valid record id. The only way to get one is [`RecordId::parse`] or [`slug_from_name`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId(String);

impl RecordId {
    pub fn parse(text: &str) -> Result<Self, String> {
        let valid_chars = text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if (2..=MAX_LEN).contains(&text.len()) && valid_chars {
            Ok(RecordId(text.to_owned()))
        } else {
            Err(format!(
                "{text:?} is not a valid id: use 2 to 64 characters among a-z, 0-9 and '-'"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The same id with a numeric suffix, still within the length limit: `name-2`, `name-3`, ...
    pub fn with_suffix(&self, n: u32) -> RecordId {
        let suffix = format!("-{n}");
        let mut base = self.0.clone();
        base.truncate(MAX_LEN - suffix.len());
        let base = base.trim_end_matches('-');
        RecordId(format!("{base}{suffix}"))
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Makes an id from a name: folded, lowercase, words joined by '-', at most 64 characters.
/// Names with no Latin letters or digits (Cyrillic, say) fall back to `org-` and a digest.
pub fn slug_from_name(name: &str) -> RecordId {
    let folded = fold(name);
    let mut slug = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let mut slug = slug.trim_end_matches('-').to_owned();
    if slug.len() > MAX_LEN {
        slug.truncate(MAX_LEN);
        slug = slug.trim_end_matches('-').to_owned();
    }
    if slug.len() < 2 {
        let digest = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        slug = format!("org-{:x}", digest & 0xffff_ffff);
    }
    RecordId(slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_folds_diacritics_and_joins_words() {
        assert_eq!(
            slug_from_name("Qendra për Shoqëri Civile \"Vlorë\"").as_str(),
            "qendra-per-shoqeri-civile-vlore"
        );
    }

    #[test]
    fn slug_is_at_most_64_characters() {
        let name = "Shoqata ".repeat(20);
        let slug = slug_from_name(&name);
        assert!(slug.as_str().len() <= 64);
        assert!(!slug.as_str().ends_with('-'));
    }

    #[test]
    fn slug_of_a_name_without_latin_letters_is_still_valid() {
        let slug = slug_from_name("Центар");
        assert!(RecordId::parse(slug.as_str()).is_ok());
    }

    #[test]
    fn parse_rejects_uppercase_short_and_long_ids() {
        assert!(RecordId::parse("Abc").is_err());
        assert!(RecordId::parse("a").is_err());
        assert!(RecordId::parse(&"a".repeat(65)).is_err());
        assert!(RecordId::parse("ok-id-2").is_ok());
    }

    #[test]
    fn suffix_keeps_the_length_limit() {
        let id = RecordId::parse(&"a".repeat(64)).unwrap();
        assert_eq!(id.with_suffix(12).as_str().len(), 64);
        assert!(id.with_suffix(12).as_str().ends_with("-12"));
    }
}
