//! The tantivy index: schema, text analysis, documents built from records, queries, facets and
//! the one writer. It is derived from the store and knows the model, never RocksDB or HTTP.

mod albanian;
mod alive;
mod analysis;
mod bits;
mod document;
#[cfg(test)]
mod engine_tests;
mod error;
mod execute;
mod facets;
mod filters;
mod first_letters;
mod geo_index;
mod highlight;
mod hits;
mod index;
mod kept;
mod labels;
mod matching;
mod network_names;
mod plan;
mod query;
mod request;
mod schema;
mod scoring;
mod sort_order;
mod suggest;
mod summary;
mod summary_text;
mod synonyms;
mod term_bits;
mod tokenizer;
mod windows;

pub use albanian::stem_word as albanian_stem;
pub use document::Related;
pub use error::SearchError;
pub use geo_index::DISTANCE_BANDS;
pub use index::{IndexState, SearchIndex};
pub use labels::label as facet_label;
pub use request::{
    Boost, FacetCounts, FacetValue, FilterField, Hit, SearchRequest, SearchResults, Sort,
};
pub use suggest::{Suggestion, Suggestions};
pub use summary::Summary;

/// Starts building, in a thread of its own, what the first search would otherwise wait for:
/// the Albanian stemmer (12–23 ms). Called when a directory opens.
pub fn warm_up() {
    let started = std::thread::Builder::new()
        .name("warm-up".into())
        .spawn(|| {
            albanian::stemmer();
        });
    // Without a thread, the first search builds it.
    drop(started);
}
