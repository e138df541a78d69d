//! The index schema. Text fields come in two forms: folded (exact words) and stemmed (Albanian
//! or English, see `analysis`); filter fields are facets; sort keys are fast fields.
//! `SCHEMA_VERSION` is stored with every commit: a mismatch means rebuild.

use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};

use super::analysis::{ALBANIAN, ENGLISH, FOLDED};
use super::request::FilterField;

/// Bump when the schema, the analysers or what documents hold changes.
pub const SCHEMA_VERSION: u32 = 13;

#[derive(Clone)]
pub struct Fields {
    /// `organisation/{id}` or `network/{id}`: the unique key used to replace and delete.
    pub key: Field,
    pub kind: Field,
    pub name: Field,
    pub acronym: Field,
    pub other_names: Field,
    pub expertise: Field,
    pub description: Field,
    pub places: Field,
    /// Albanian and English labels of the record's thematic areas.
    pub themes: Field,
    /// Albanian and English labels of its target groups and services.
    pub groups: Field,
    /// Albanian stems of the name and other names.
    pub name_sq: Field,
    /// Albanian stems of everything else Albanian: expertise, description, taxonomy labels and
    /// place names. One field rather than one per source: a query scores far fewer postings.
    pub text_sq: Field,
    /// County names, which count less than municipality names (`places`).
    pub region: Field,
    /// English stems of the names, expertise, English description and English labels.
    pub text_en: Field,
    /// Each expertise tag once per word it has, from that word on, folded, then `\u{1}` and the
    /// tag as written: a prefix scan of this field completes tags from any of their words.
    pub tag_keys: Field,
    pub name_sort: Field,
    pub founded_year: Field,
    pub updated: Field,
    pub summary: Field,
    /// Latitude and longitude of every point (main location, then sites), in the same order:
    /// box ranges, the exact geographic test and distances all read them.
    pub lat: Field,
    pub lon: Field,
    /// Grid cells of every point at several sizes: the coarse geographic filter.
    pub cells: Field,
    /// The first point packed into one number with a flag for further points: a quick answer
    /// to the exact test for most documents (see `geography::pack`).
    pub first_point: Field,
    /// Unit codes (`shkoder`, `AL-10`) the record has a place in.
    pub within: Field,
    /// Unit and country codes the record works in (see `model::served_units`).
    pub serves: Field,
    /// Countries of the record's addresses (`AL`), for national scope.
    pub country: Field,
    facets: Vec<(FilterField, Field)>,
}

impl Fields {
    pub fn facet(&self, filter: FilterField) -> Field {
        self.facets
            .iter()
            .find(|(f, _)| *f == filter)
            .map(|(_, field)| *field)
            .expect("every filter field has a facet field")
    }
}

pub fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let indexed = |tokenizer: &str, record: IndexRecordOption| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(record),
        )
    };
    // Positions only where queries look for phrases (the main folded fields and the Albanian
    // stems): they are most of what indexing and merging write.
    let analysed = |tokenizer: &str| indexed(tokenizer, IndexRecordOption::WithFreqsAndPositions);
    let text = indexed(FOLDED, IndexRecordOption::WithFreqs);
    // Stored for highlighting.
    let shown = analysed(FOLDED).set_stored();
    let albanian = analysed(ALBANIAN);
    let english = indexed(ENGLISH, IndexRecordOption::WithFreqs);
    let key = builder.add_text_field("key", STRING);
    let kind = builder.add_text_field("kind", STRING);
    let name = builder.add_text_field("name", shown.clone());
    let acronym = builder.add_text_field("acronym", text.clone());
    let other_names = builder.add_text_field("other_names", text.clone());
    let expertise = builder.add_text_field("expertise", shown.clone());
    let description = builder.add_text_field("description", shown);
    let places = builder.add_text_field("places", text.clone());
    let themes = builder.add_text_field("themes", text.clone());
    let groups = builder.add_text_field("groups", text.clone());
    let name_sq = builder.add_text_field("name_sq", albanian.clone());
    let text_sq = builder.add_text_field("text_sq", albanian);
    let region = builder.add_text_field("region", text);
    let text_en = builder.add_text_field("text_en", english);
    let tag_keys = builder.add_text_field("tag_keys", STRING);
    let name_sort = builder.add_text_field(super::sort_order::NAME_SORT, STRING | FAST);
    let founded_year = builder.add_u64_field("founded_year", FAST | INDEXED);
    let updated = builder.add_u64_field("updated", FAST);
    let summary = builder.add_text_field("summary", STORED);
    let lat = builder.add_f64_field(super::geo_index::LAT, FAST);
    let lon = builder.add_f64_field(super::geo_index::LON, FAST);
    let cells = builder.add_text_field("cells", STRING);
    let first_point = builder.add_u64_field(super::geo_index::FIRST_POINT, FAST);
    let within = builder.add_facet_field("within", FacetOptions::default());
    let serves = builder.add_facet_field("serves", FacetOptions::default());
    let country = builder.add_text_field("country", STRING);
    let facets = FilterField::ALL
        .iter()
        .map(|&filter| {
            (
                filter,
                builder.add_facet_field(filter.param(), FacetOptions::default()),
            )
        })
        .collect();
    let fields = Fields {
        key,
        kind,
        name,
        acronym,
        other_names,
        expertise,
        description,
        places,
        themes,
        groups,
        name_sq,
        text_sq,
        region,
        text_en,
        tag_keys,
        name_sort,
        founded_year,
        updated,
        summary,
        lat,
        lon,
        cells,
        first_point,
        within,
        serves,
        country,
        facets,
    };
    (builder.build(), fields)
}
