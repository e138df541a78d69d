//! Text analysis: words are lowercased and folded (ë→e, ç→c, and other diacritics), so that
//! "shoqeri civile" finds "Shoqëri Civile". Deeper Albanian analysis (stemming, stopwords) is
//! not here yet. Changing what this produces requires bumping `SCHEMA_VERSION`.

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, TokenStream,
};

pub const FOLDED: &str = "sq_folded";

pub fn folded_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(60))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The terms a query text becomes, in order, duplicates removed.
pub fn query_terms(text: &str) -> Vec<String> {
    let mut analyzer = folded_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut terms: Vec<String> = Vec::new();
    while let Some(token) = stream.next() {
        if !terms.contains(&token.text) {
            terms.push(token.text.clone());
        }
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
