//! Text analysis. Every text field is indexed twice: folded (lowercase, ë→e, ç→c, other
//! diacritics removed), so that exact words match; and stemmed, Albanian or English, so that
//! inflected forms match too ("organizatave" finds "organizatë", "monitoring" finds
//! "monitors"). Stemmed fields drop stopwords. Changing what this produces requires bumping
//! `SCHEMA_VERSION`.

use std::sync::OnceLock;

use tantivy::tokenizer::{TextAnalyzer, TokenStream, TokenizerManager};

use super::tokenizer::{FoldingTokenizer, KeyFilter};

pub const FOLDED: &str = "sq_folded";
pub const ALBANIAN: &str = "sq_stem";
pub const ENGLISH: &str = "en_stem";

/// A query uses at most this many words; the rest are ignored (a search box is not a document).
pub const MAX_QUERY_WORDS: usize = 32;

pub fn register(tokenizers: &TokenizerManager) {
    tokenizers.register(FOLDED, folded_analyzer());
    tokenizers.register(ALBANIAN, albanian_analyzer());
    tokenizers.register(ENGLISH, english_analyzer());
}

/// Words (runs of letters and digits under 60 bytes), lowercased and folded.
pub fn folded_analyzer() -> TextAnalyzer {
    TextAnalyzer::from(FoldingTokenizer::default())
}

/// Folded words minus Albanian stopwords, each stemmed.
pub fn albanian_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(FoldingTokenizer::default())
        .filter(KeyFilter::albanian())
        .build()
}

/// Folded words minus English stopwords, each stemmed (Snowball).
pub fn english_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(FoldingTokenizer::default())
        .filter(KeyFilter::english())
        .build()
}

/// One word of a query, in each form the index holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryWord {
    /// Folded: what the exact fields hold.
    pub exact: String,
    /// The Albanian stem, or `None` for an Albanian stopword.
    pub albanian: Option<String>,
    /// The English stem, or `None` for an English stopword.
    pub english: Option<String>,
    /// As typed, for telling codes and acronyms apart.
    pub typed: String,
}

impl QueryWord {
    /// A word only a stopword list would call meaningless ("e", "the", "për").
    pub fn is_stopword(&self) -> bool {
        self.albanian.is_none() || self.english.is_none()
    }
}

/// Stems folded words, as the stemmed fields do.
pub struct Stems {
    albanian: KeyFilter,
    english: KeyFilter,
}

impl Stems {
    pub fn new() -> Stems {
        // Built once: the English filter holds a stopword set, too much to build per query.
        static PROTOTYPE: OnceLock<(KeyFilter, KeyFilter)> = OnceLock::new();
        let (albanian, english) =
            PROTOTYPE.get_or_init(|| (KeyFilter::albanian(), KeyFilter::english()));
        Stems {
            albanian: albanian.clone(),
            english: english.clone(),
        }
    }

    /// The Albanian stem of a folded word, `None` for a stopword.
    pub fn albanian(&mut self, word: &str) -> Option<String> {
        self.albanian.key(word).map(str::to_owned)
    }

    /// The English stem of a folded word, `None` for a stopword.
    pub fn english(&mut self, word: &str) -> Option<String> {
        self.english.key(word).map(str::to_owned)
    }
}

impl Default for Stems {
    fn default() -> Self {
        Stems::new()
    }
}

/// The words of a query, in order, duplicates removed, at most [`MAX_QUERY_WORDS`].
pub fn query_words(text: &str) -> Vec<QueryWord> {
    let mut stems = Stems::new();
    let mut words: Vec<QueryWord> = Vec::new();
    for (exact, from, to) in tokens(&mut folded_analyzer(), text) {
        if words.len() == MAX_QUERY_WORDS {
            break;
        }
        if words.iter().any(|w| w.exact == exact) {
            continue;
        }
        words.push(QueryWord {
            typed: text[from..to].to_owned(),
            albanian: stems.albanian(&exact),
            english: stems.english(&exact),
            exact,
        });
    }
    words
}

/// The tokens a text becomes under an analyser, with their byte offsets: for highlighting.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, usize)> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push((token.text.clone(), token.offset_from, token.offset_to));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query_terms(text: &str) -> Vec<String> {
        query_words(text).into_iter().map(|w| w.exact).collect()
    }

    #[test]
    fn query_terms_are_folded_and_lowercased() {
        assert_eq!(
            query_terms("Shoqëri CIVILE, çështje"),
            ["shoqeri", "civile", "ceshtje"]
        );
    }

    #[test]
    fn hyphenated_place_names_split_into_words() {
        assert_eq!(query_terms("Fushë-Arrëz"), ["fushe", "arrez"]);
    }

    #[test]
    fn query_words_carry_both_stems_and_mark_stopwords() {
        let words = query_words("organizatave të monitoring");
        assert_eq!(words[0].albanian.as_deref(), Some("organizate"));
        assert!(words[1].is_stopword());
        assert_eq!(words[2].english.as_deref(), Some("monitor"));
    }

    #[test]
    fn a_query_keeps_at_most_the_word_limit() {
        let text: Vec<String> = (0..100).map(|i| format!("fjala{i}")).collect();
        assert_eq!(query_words(&text.join(" ")).len(), MAX_QUERY_WORDS);
    }
}
