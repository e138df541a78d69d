//! A light Albanian stemmer: it conflates the inflected forms of nouns, adjectives and place
//! names (definite and indefinite, cases, plurals) into one key, so that "organizatave" finds
//! "organizatë" and "Shkodrës" finds "Shkodër". Words are folded (ë→e, ç→c) before stemming.
//!
//! The rules, in order:
//! 1. A few irregular forms map to their word directly (`rinj` → `ri`, `gra` → `grua`,
//!    `ujëra` → `ujë`).
//! 2. Lexicon: a dictionary form is its own key. Otherwise the word minus one inflectional
//!    ending (tried longest first: `-ave`, `-eve`, `-ash`, `-esh`, `-in`, `-en`, `-un`, `-ne`,
//!    `-se`, `-es`, `-it`, `-ut`, `-te`, `-et`, `-at`, `-ve`, `-sh`, then `-a`, `-e`, `-i`,
//!    `-n`, `-s`, `-t`, `-u`, then the word itself) is one of the stems a noun or adjective
//!    inflects from (`organizat-`, `organizata-`, `qendr-`, `pyje-`); the key is that word's
//!    dictionary form (`organizate`). A remainder that is a dictionary form beats one that is
//!    only a stem (`qytete` is `qytet` + `-e`, not `qyte-` + `-te`). A dictionary form that is another one plus `-e` or `-i`
//!    (`qytetare`, `qytetari`) counts as derived from it and takes its key (`qytetar`). The stems come from the
//!    uniparser Albanian lexicon (`index/sq_lexicon.tsv`) and from the names of the 61
//!    municipalities and 12 counties with their definite forms (`Shkodra` → `shkodr-`).
//! 3. Otherwise (names, new words, verbs) one ending of [`FALLBACK_ENDINGS`] is stripped, the
//!    longest that leaves at least [`FALLBACK_MIN_STEM`] letters.
//!
//! Changing what this produces requires bumping `SCHEMA_VERSION`.

use std::collections::HashSet;

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

use crate::model::{fold, places};

/// Endings tried against the lexicon when a word is not itself a dictionary form, longest
/// first. Stems that change (`qendër` → `qendr-`, `pyll` → `pyje-`) are in the lexicon.
const LEXICON_ENDINGS: [&str; 24] = [
    "ave", "eve", "ash", "esh", "in", "en", "un", "ne", "se", "es", "it", "ut", "te", "et", "at",
    "ve", "sh", "a", "e", "i", "n", "s", "t", "u",
];

/// A dictionary form that is another one plus one of these letters is taken as derived from it
/// and shares its key: `qytetare`, `qytetari` → `qytetar`; `studente` → `student`.
const DERIVED_ENDINGS: [char; 2] = ['e', 'i'];
const DERIVED_MIN_BASE: usize = 4;

/// Endings stripped from words the lexicon does not know, longest first.
const FALLBACK_ENDINGS: [&str; 14] = [
    "ave", "eve", "ash", "esh", "ve", "it", "in", "et", "at", "es", "en", "a", "e", "i",
];
const FALLBACK_MIN_STEM: usize = 4;
/// A stem found in the lexicon may be this short (`uj-` of `ujë`), never shorter.
const LEXICON_MIN_STEM: usize = 2;

/// Countries of the region, which the lexicon (common nouns only) does not hold.
const COUNTRIES: [(&str, &str); 8] = [
    ("shqiperi", "shqiperi"),
    ("kosove", "kosov"),
    ("maqedoni", "maqedoni"),
    ("greqi", "greqi"),
    ("itali", "itali"),
    ("serbi", "serbi"),
    ("evrope", "evrop"),
    ("europe", "europ"),
];

/// Forms that no ending rule reaches, with their key.
const IRREGULAR: [(&str, &str); 14] = [
    ("rinj", "ri"),
    ("rinjve", "ri"),
    ("rinjte", "ri"),
    ("reja", "ri"),
    ("rejat", "ri"),
    ("rejave", "ri"),
    ("gra", "grua"),
    ("grate", "grua"),
    ("grave", "grua"),
    ("grash", "grua"),
    ("ujera", "uje"),
    ("ujerat", "uje"),
    ("ujerave", "uje"),
    ("ujerash", "uje"),
];

/// Its words and stems are borrowed from the lexicon compiled into the binary: building it
/// allocates no string (80,000 of them, and the memory they first touched, were most of the
/// 53 ms the first search after a start waited for it).
pub struct Stemmer {
    /// Folded stem → index of its word's key in `words`.
    stems: HashMap<&'static str, u32>,
    /// Folded dictionary form → index of its key in `words`.
    lemmas: HashMap<&'static str, u32>,
    /// Dictionary forms (folded), the keys the stemmer produces.
    words: Vec<&'static str>,
}

/// The stemmer with the committed lexicon, built on first use.
pub fn stemmer() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::from_lexicon(include_str!("../../index/sq_lexicon.tsv")))
}

impl Stemmer {
    /// `lexicon` has a line `word<TAB>stem stem ...` per noun or adjective, all folded.
    fn from_lexicon(lexicon: &'static str) -> Stemmer {
        // The few place names are made at run time; the stemmer lives as long as the process,
        // and so do they.
        let places: &'static [(String, Vec<String>)] = Vec::leak(place_names());
        let mut entries: Vec<(&'static str, Vec<&'static str>)> = Vec::with_capacity(45_000);
        entries.extend(COUNTRIES.iter().map(|&(word, stem)| (word, vec![stem])));
        entries.extend(
            places
                .iter()
                .map(|(word, stems)| (word.as_str(), stems.iter().map(String::as_str).collect())),
        );
        entries.extend(lexicon.lines().filter_map(|line| {
            let (word, stems) = line.split_once('\t')?;
            Some((word, stems.split(' ').filter(|s| !s.is_empty()).collect()))
        }));
        let mut stemmer = Stemmer {
            stems: HashMap::with_capacity_and_hasher(100_000, Default::default()),
            lemmas: HashMap::with_capacity_and_hasher(entries.len(), Default::default()),
            words: Vec::with_capacity(entries.len()),
        };
        // A dictionary form owns itself before any word's stem can take it.
        let indices: Vec<u32> = entries
            .iter()
            .map(|&(word, _)| stemmer.add_word(word))
            .collect();
        for ((_, stems), index) in entries.iter().zip(indices) {
            for &stem in stems.iter().filter(|s| s.len() >= LEXICON_MIN_STEM) {
                stemmer.stems.entry(stem).or_insert(index);
            }
        }
        stemmer.join_derived();
        stemmer
    }

    fn add_word(&mut self, word: &'static str) -> u32 {
        if let Some(&index) = self.lemmas.get(word) {
            return index;
        }
        let index = u32::try_from(self.words.len()).expect("fewer than 4 billion words");
        self.words.push(word);
        self.lemmas.insert(word, index);
        self.stems.insert(word, index);
        index
    }

    /// Points the stems and forms of derived dictionary forms at their base's key.
    fn join_derived(&mut self) {
        let redirect: HashMap<u32, u32> = self
            .lemmas
            .iter()
            .filter_map(|(word, &index)| {
                let base = word.strip_suffix(DERIVED_ENDINGS)?;
                let &base_index = self.lemmas.get(base)?;
                (base.chars().count() >= DERIVED_MIN_BASE && base_index != index)
                    .then_some((index, base_index))
            })
            .collect();
        for index in self.stems.values_mut().chain(self.lemmas.values_mut()) {
            if let Some(&base) = redirect.get(index) {
                *index = base;
            }
        }
    }

    /// The key of a folded, lowercase word.
    pub fn stem<'a>(&'a self, word: &'a str) -> &'a str {
        if let Some((_, key)) = IRREGULAR.iter().find(|(form, _)| *form == word) {
            return key;
        }
        if let Some(&index) = self.lemmas.get(word) {
            return self.words[index as usize];
        }
        // A dictionary form left by an ending beats a stem left by a longer one.
        for table in [&self.lemmas, &self.stems] {
            for ending in LEXICON_ENDINGS.into_iter().chain([""]) {
                let Some(stem) = word.strip_suffix(ending) else {
                    continue;
                };
                if stem.len() < LEXICON_MIN_STEM {
                    continue;
                }
                if let Some(&index) = table.get(stem) {
                    return self.words[index as usize];
                }
            }
        }
        FALLBACK_ENDINGS
            .iter()
            .filter_map(|ending| word.strip_suffix(ending))
            .find(|stem| stem.chars().count() >= FALLBACK_MIN_STEM)
            .unwrap_or(word)
    }
}

/// The key of any word as typed: folded, lowercased and stemmed.
pub fn stem_word(word: &str) -> String {
    stemmer().stem(&fold(word).to_lowercase()).to_owned()
}

/// Single-word municipality and county names (folded) with the stems of their definite forms:
/// `shkoder` with `shkodra` and `shkodr`.
fn place_names() -> Vec<(String, Vec<String>)> {
    let places = places();
    let names = places
        .municipalities
        .iter()
        .map(|m| (&m.name, &m.definite))
        .chain(places.counties.iter().map(|c| (&c.name, &c.name)));
    names
        .filter(|(name, _)| !name.contains([' ', '-']))
        .map(|(name, definite)| {
            let definite = fold(definite).to_lowercase();
            let mut stems = vec![definite.clone()];
            if let Some(stem) = definite.strip_suffix(['a', 'i']) {
                stems.push(stem.to_owned());
            }
            (fold(name).to_lowercase(), stems)
        })
        .collect()
}

/// The committed Albanian stopword list (folded).
pub fn stopwords() -> impl Iterator<Item = &'static str> {
    include_str!("../../index/sq_stopwords.txt")
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// Whether a folded word is an Albanian stopword.
pub fn is_stopword(word: &str) -> bool {
    static STOPWORDS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    STOPWORDS
        .get_or_init(|| stopwords().collect())
        .contains(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stem(word: &str) -> String {
        stemmer().stem(&fold(word).to_lowercase()).to_owned()
    }

    #[test]
    fn the_forms_of_the_issue_conflate() {
        for group in [
            &[
                "organizatë",
                "organizata",
                "organizatat",
                "organizatave",
                "organizatës",
            ][..],
            &["shoqëri", "shoqëria", "shoqërisë"],
            &["ri", "rinj", "rinjve"],
        ] {
            let stems: Vec<String> = group.iter().map(|w| stem(w)).collect();
            assert!(
                stems.iter().all(|s| *s == stems[0]),
                "{group:?} → {stems:?}"
            );
        }
    }

    #[test]
    fn place_names_conflate_with_their_definite_and_case_forms() {
        assert_eq!(stem("Shkodrës"), "shkoder");
        assert_eq!(stem("Shkodra"), "shkoder");
        assert_eq!(stem("Vlorës"), "vlore");
        assert_eq!(stem("Durrësit"), "durres");
    }

    #[test]
    fn unknown_words_lose_at_most_one_ending_and_keep_four_letters() {
        assert_eq!(stem("gjergjovit"), "gjergjov");
        assert_eq!(stem("abcit"), "abcit");
    }
}
