//! Synonyms and acronyms from `index/synonyms.txt`, applied at query time: each group lists
//! terms (one or more words) that mean the same, and a query containing one of them also
//! matches the others. Terms are compared by their Albanian stems, so inflected forms and
//! spellings without ë/ç match too.

use std::sync::OnceLock;

use super::analysis::{QueryWord, query_words};

/// One term of a group: its words, stopwords removed (unless nothing else is left).
pub type Alternative = Vec<QueryWord>;

pub struct Synonyms {
    groups: Vec<Vec<Alternative>>,
}

/// A stretch of a query's words that is a term of a synonym group.
pub struct SynonymMatch<'a> {
    /// Index of the first word of the stretch among the query's words.
    pub start: usize,
    /// How many query words the stretch covers.
    pub len: usize,
    /// The group's other terms.
    pub alternatives: Vec<&'a Alternative>,
}

/// The committed synonym groups, parsed on first use.
pub fn synonyms() -> &'static Synonyms {
    static SYNONYMS: OnceLock<Synonyms> = OnceLock::new();
    SYNONYMS.get_or_init(|| Synonyms::parse(include_str!("../../index/synonyms.txt")))
}

impl Synonyms {
    pub fn parse(text: &str) -> Synonyms {
        let groups = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(|line| {
                line.split('=')
                    .map(content_words)
                    .filter(|words| !words.is_empty())
                    .collect::<Vec<_>>()
            })
            .filter(|group| group.len() > 1)
            .collect();
        Synonyms { groups }
    }

    /// The synonym terms in `words` (a query's words, stopwords removed), left to right, the
    /// longest term winning where several start at the same word, without overlaps.
    pub fn find<'a>(&'a self, words: &[QueryWord]) -> Vec<SynonymMatch<'a>> {
        let mut found = Vec::new();
        let mut start = 0;
        while start < words.len() {
            let best = self
                .groups
                .iter()
                .flat_map(|group| {
                    group
                        .iter()
                        .enumerate()
                        .map(move |(i, term)| (group, i, term))
                })
                .filter(|(_, _, term)| same_words(term, &words[start..]))
                .max_by_key(|(_, _, term)| term.len());
            match best {
                Some((group, matched, term)) => {
                    found.push(SynonymMatch {
                        start,
                        len: term.len(),
                        alternatives: group
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| *i != matched)
                            .map(|(_, alternative)| alternative)
                            .collect(),
                    });
                    start += term.len();
                }
                None => start += 1,
            }
        }
        found
    }
}

/// The words of a term without its stopwords, unless it has nothing else.
fn content_words(term: &str) -> Vec<QueryWord> {
    let words = query_words(term);
    let content: Vec<QueryWord> = words.iter().filter(|w| !w.is_stopword()).cloned().collect();
    if content.is_empty() { words } else { content }
}

/// Whether `query` begins with the words of `term`, compared by stem.
fn same_words(term: &[QueryWord], query: &[QueryWord]) -> bool {
    term.len() <= query.len()
        && term.iter().zip(query).all(|(a, b)| {
            a.albanian.as_ref().unwrap_or(&a.exact) == b.albanian.as_ref().unwrap_or(&b.exact)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(text: &str) -> Vec<QueryWord> {
        query_words(text)
            .into_iter()
            .filter(|w| !w.is_stopword())
            .collect()
    }

    #[test]
    fn an_acronym_finds_its_expansions() {
        let synonyms = synonyms();
        let words = content("OSHC në Vlorë");
        let found = synonyms.find(&words);
        assert_eq!((found[0].start, found[0].len), (0, 1));
        let expansions: Vec<String> = found[0]
            .alternatives
            .iter()
            .map(|a| {
                a.iter()
                    .map(|w| w.exact.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert!(expansions.contains(&"cso".to_owned()), "{expansions:?}");
        assert!(expansions.contains(&"organizate shoqerise civile".to_owned()));
    }

    #[test]
    fn inflected_multi_word_terms_match_by_stem() {
        let words = content("organizatat e shoqerise civile ne Shkoder");
        let found = synonyms().find(&words);
        assert_eq!((found[0].start, found[0].len), (0, 3));
    }

    #[test]
    fn groups_need_two_terms_and_ignore_comments() {
        let synonyms = Synonyms::parse("# comment\nalone\na = b\n");
        assert_eq!(synonyms.groups.len(), 1);
    }
}
