//! The Albanian stemmer on a word list of inflected forms (`tests/data/sq_stem_words.tsv`,
//! `lemma<TAB>form`): forms of one word should share a key (else under-stemming), forms of
//! different words should not (else over-stemming). Measured as Paice's indices over pairs:
//! UI = pairs of one word's forms with different keys / all such pairs; OI = pairs of different
//! words' forms with one key / all such pairs. The figures are in BENCHMARKS.md; the test fails
//! when they get worse than those reached.

use std::collections::BTreeMap;

use rrjeti::model::fold;
use rrjeti::search::albanian_stem;

/// Reached figures (see BENCHMARKS.md), with a little room for list edits.
const MAX_UNDERSTEMMING: f64 = 0.04;
const MAX_OVERSTEMMING: f64 = 0.0001;
const MIN_EXPECTED_STEM: f64 = 0.93;

struct Measures {
    forms: usize,
    words: usize,
    understemming: f64,
    overstemming: f64,
    /// Forms whose key is the folded dictionary form, the expected stem.
    expected: f64,
    misses: Vec<String>,
    merges: Vec<String>,
}

fn measure() -> Measures {
    let list = include_str!("../data/sq_stem_words.tsv");
    let pairs: Vec<(&str, &str)> = list
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split_once('\t').expect("lemma<TAB>form"))
        .collect();
    let keyed: Vec<(&str, &str, String)> = pairs
        .iter()
        .map(|&(lemma, form)| (lemma, form, albanian_stem(form)))
        .collect();
    let (mut same, mut same_split, mut different, mut different_merged) = (0u64, 0u64, 0u64, 0u64);
    let mut merges = Vec::new();
    for (i, a) in keyed.iter().enumerate() {
        for b in &keyed[i + 1..] {
            if a.0 == b.0 {
                same += 1;
                same_split += u64::from(a.2 != b.2);
            } else {
                different += 1;
                if a.2 == b.2 {
                    different_merged += 1;
                    merges.push(format!("{} ({}) = {} ({}) → {}", a.1, a.0, b.1, b.0, a.2));
                }
            }
        }
    }
    let mut by_word: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for (lemma, form, key) in &keyed {
        by_word.entry(lemma).or_default().push((form, key));
    }
    let misses = keyed
        .iter()
        .filter(|(lemma, _, key)| *key != albanian_stem(lemma))
        .map(|(lemma, form, key)| format!("{form} → {key} (expected {})", albanian_stem(lemma)))
        .collect();
    let expected = keyed
        .iter()
        .filter(|(lemma, _, key)| *key == fold(lemma))
        .count() as f64
        / keyed.len() as f64;
    Measures {
        forms: keyed.len(),
        words: by_word.len(),
        understemming: same_split as f64 / same as f64,
        overstemming: different_merged as f64 / different as f64,
        expected,
        misses,
        merges,
    }
}

#[test]
fn the_word_list_has_at_least_200_inflected_forms() {
    let m = measure();
    assert!(
        m.forms >= 200 && m.words >= 40,
        "{} forms of {} words",
        m.forms,
        m.words
    );
}

#[test]
fn albanian_stemming_stays_within_the_measured_under_and_over_stemming() {
    let m = measure();
    println!(
        "{} forms of {} words: UI {:.4}, OI {:.5}, key = dictionary form {:.3}",
        m.forms, m.words, m.understemming, m.overstemming, m.expected
    );
    println!("split from their word:\n  {}", m.misses.join("\n  "));
    println!("merged with another word:\n  {}", m.merges.join("\n  "));
    assert!(
        m.understemming <= MAX_UNDERSTEMMING,
        "UI {}",
        m.understemming
    );
    assert!(m.overstemming <= MAX_OVERSTEMMING, "OI {}", m.overstemming);
    assert!(
        m.expected >= MIN_EXPECTED_STEM,
        "expected stems {}",
        m.expected
    );
}
