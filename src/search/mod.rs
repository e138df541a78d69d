//! The tantivy index: schema, text analysis, documents built from records, queries, facets and
//! the one writer. It is derived from the store and knows the model, never RocksDB or HTTP.

mod analysis;
mod document;
mod error;
mod geo_collect;
mod index;
mod request;
mod schema;

pub use document::Related;
pub use error::SearchError;
pub use geo_collect::DISTANCE_BANDS;
pub use index::{IndexState, SearchIndex};
pub use request::{FacetCounts, FilterField, Hit, SearchRequest, SearchResults, Sort};
