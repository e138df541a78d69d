//! The search index on disk: opening and checking it, the single writer (documents replaced by
//! key, commits that carry the last applied change-log sequence number), and searching.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tantivy::collector::{
    Collector, Count, DocSetCollector, FacetCollector, FacetCounts, MultiCollector, TopDocs,
};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher, TantivyDocument,
    Term,
};

use super::analysis::{FOLDED, folded_analyzer, query_terms};
use super::document::Related;
use super::geo_collect::{AreaFilter, DISTANCE_BANDS, Distances, Measured, band, coarse_query};
use super::request::{FacetCounts as Counts, FilterField, Hit, SearchRequest, SearchResults, Sort};
use super::schema::{self, Fields, SCHEMA_VERSION};
use super::{SearchError, document};
use crate::geography::{Area, Bounds, GeoPoint, haversine_km};
use crate::model::{Record, RecordKind};

/// What a commit carries, so start-up knows where to resume and whether the schema still fits.
#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    seq: u64,
    schema: u32,
}

/// What is on disk, before opening it for use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexState {
    /// Usable; holds every change up to `seq`.
    Current { seq: u64 },
    /// Missing, unreadable, or built by another schema version: rebuild from the store.
    NeedsRebuild { reason: String },
}

pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    committed_seq: AtomicU64,
}

const WRITER_MEMORY: usize = 64 * 1024 * 1024;

/// Text fields and their weights: a match in the name counts most.
const TEXT_WEIGHTS: [(&str, f32); 7] = [
    ("name", 3.0),
    ("acronym", 3.0),
    ("other_names", 2.0),
    ("expertise", 1.5),
    ("themes", 1.0),
    ("places", 1.0),
    ("description", 1.0),
];
/// The last word also matches as a prefix ("mjedis" finds "mjedisit"), at this fraction of the
/// weight of an exact match, when it has at least `PREFIX_MIN_CHARS` characters.
const PREFIX_WEIGHT: f32 = 0.5;
const PREFIX_MIN_CHARS: usize = 3;
/// Completions of the last word matched per field: the most frequent ones.
const MAX_COMPLETIONS: usize = 12;
/// Completions looked at per field to find the most frequent ones.
const MAX_SCANNED_COMPLETIONS: usize = 512;

impl SearchIndex {
    pub fn inspect(dir: &Path) -> IndexState {
        if !dir.join("meta.json").exists() {
            return IndexState::NeedsRebuild {
                reason: "no index".into(),
            };
        }
        let index = match Index::open_in_dir(dir) {
            Ok(index) => index,
            Err(error) => {
                return IndexState::NeedsRebuild {
                    reason: format!("unreadable index: {error}"),
                };
            }
        };
        let (expected, _) = schema::build();
        if *index.schema().fields().map(|(_, e)| e).collect::<Vec<_>>()
            != *expected.fields().map(|(_, e)| e).collect::<Vec<_>>()
        {
            return IndexState::NeedsRebuild {
                reason: "schema changed".into(),
            };
        }
        let payload = index
            .load_metas()
            .ok()
            .and_then(|metas| metas.payload)
            .and_then(|p| serde_json::from_str::<Payload>(&p).ok());
        match payload {
            Some(Payload { seq, schema }) if schema == SCHEMA_VERSION => {
                IndexState::Current { seq }
            }
            Some(Payload { schema, .. }) => IndexState::NeedsRebuild {
                reason: format!("schema version {schema}, expected {SCHEMA_VERSION}"),
            },
            None => IndexState::NeedsRebuild {
                reason: "no commit payload".into(),
            },
        }
    }

    /// Opens an index that [`SearchIndex::inspect`] found current.
    pub fn open(dir: &Path, writer_threads: usize) -> Result<SearchIndex, SearchError> {
        let index = Index::open_in_dir(dir)?;
        let seq = match Self::inspect(dir) {
            IndexState::Current { seq } => seq,
            IndexState::NeedsRebuild { .. } => 0,
        };
        Self::with_index(index, writer_threads, seq)
    }

    /// Creates an empty index in `dir`, which must not hold one.
    pub fn create(dir: &Path, writer_threads: usize) -> Result<SearchIndex, SearchError> {
        std::fs::create_dir_all(dir)?;
        let (schema, _) = schema::build();
        let index = Index::create_in_dir(dir, schema)?;
        Self::with_index(index, writer_threads, 0)
    }

    fn with_index(
        index: Index,
        writer_threads: usize,
        seq: u64,
    ) -> Result<SearchIndex, SearchError> {
        index.tokenizers().register(FOLDED, folded_analyzer());
        let (_, fields) = schema::build();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer = index.writer_with_num_threads(
            writer_threads.max(1),
            WRITER_MEMORY * writer_threads.max(1),
        )?;
        Ok(SearchIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            committed_seq: AtomicU64::new(seq),
        })
    }

    /// The change-log sequence number of the last commit.
    pub fn committed_seq(&self) -> u64 {
        self.committed_seq.load(Ordering::Acquire)
    }

    /// Replaces the document of a record (visible after the next commit).
    pub fn upsert(&self, record: &Record, related: &Related) -> Result<(), SearchError> {
        let doc = document::build(&self.fields, record, related);
        let writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        writer.delete_term(self.key_term(record.kind(), record.id()));
        writer.add_document(doc)?;
        Ok(())
    }

    pub fn delete(&self, kind: RecordKind, id: &str) {
        let writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        writer.delete_term(self.key_term(kind, id));
    }

    fn key_term(&self, kind: RecordKind, id: &str) -> Term {
        Term::from_field_text(self.fields.key, &document::key(kind, id))
    }

    /// Commits everything added since the last commit as holding the changes up to `seq`, and
    /// makes it visible to searches.
    pub fn commit(&self, seq: u64) -> Result<(), SearchError> {
        let payload = serde_json::to_string(&Payload {
            seq,
            schema: SCHEMA_VERSION,
        })
        .expect("payload serialises");
        {
            let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&payload);
            prepared.commit()?;
        }
        self.reader.reload()?;
        self.committed_seq.store(seq, Ordering::Release);
        Ok(())
    }

    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let searcher = self.reader.searcher();
        let query = self.build_query(&searcher, request);
        let mut facet_collectors = MultiCollector::new();
        let handles: Vec<_> = request
            .facets
            .iter()
            .map(|&field| {
                let mut collector = FacetCollector::for_field(field.param());
                collector.add_facet(Facet::root());
                (field, facet_collectors.add_collector(collector))
            })
            .collect();
        let unit_handle = request.unit_facet.then(|| {
            let mut collector = FacetCollector::for_field("within");
            collector.add_facet(Facet::root());
            facet_collectors.add_collector(collector)
        });
        let sort = match request.sort {
            Sort::Relevance if query_terms(&request.text).is_empty() => Sort::Name,
            sort => sort,
        };
        let needs_distances = sort == Sort::Distance || request.distance_facet;
        let filtered = Filtered {
            searcher: &searcher,
            query: query.as_ref(),
            areas: Arc::new(request.areas.clone()),
            distances: request
                .near
                .filter(|_| needs_distances)
                .map(|origin| Distances { origin }),
        };
        let top = TopDocs::with_limit(request.limit.max(1)).and_offset(request.offset);
        let (docs, total, mut facet_fruits, measured) = match sort {
            Sort::Relevance => {
                let (docs, rest) = filtered.run(top.order_by_score(), facet_collectors)?;
                (
                    docs.into_iter().map(|(s, a)| (Some(s), a)).collect(),
                    rest.0,
                    rest.1,
                    rest.2,
                )
            }
            Sort::Distance => {
                // Every match is measured; the page is cut from them below.
                let (_, rest) =
                    filtered.run(TopDocs::with_limit(1).order_by_score(), facet_collectors)?;
                let mut measured = rest.2.unwrap_or_default();
                measured.sort_by(|a, b| {
                    let (a_distance, b_distance) =
                        (a.0.unwrap_or(f64::INFINITY), b.0.unwrap_or(f64::INFINITY));
                    a_distance
                        .total_cmp(&b_distance)
                        .then(b.1.total_cmp(&a.1))
                        .then(a.2.cmp(&b.2))
                });
                let page: Vec<_> = measured
                    .iter()
                    .skip(request.offset)
                    .take(request.limit)
                    .map(|&(_, score, address)| (Some(score), address))
                    .collect();
                (page, rest.0, rest.1, Some(measured))
            }
            Sort::Name => {
                let collector = top.order_by_string_fast_field("name_sort", Order::Asc);
                let (docs, rest) = filtered.run(collector, facet_collectors)?;
                (
                    docs.into_iter().map(|(_, a)| (None, a)).collect(),
                    rest.0,
                    rest.1,
                    rest.2,
                )
            }
            Sort::FoundedYear | Sort::Updated => {
                let (field, order) = match sort {
                    Sort::FoundedYear => ("founded_year", Order::Asc),
                    _ => ("updated", Order::Desc),
                };
                let collector = top.order_by_fast_field::<u64>(field, order);
                let (docs, rest) = filtered.run(collector, facet_collectors)?;
                (
                    docs.into_iter().map(|(_, a)| (None, a)).collect(),
                    rest.0,
                    rest.1,
                    rest.2,
                )
            }
        };
        let hits = docs
            .into_iter()
            .map(|(score, address)| {
                let mut hit = self.hit(&searcher, score, address)?;
                hit.distance_km = request.near.and_then(|origin| nearest_km(origin, &hit));
                Ok(hit)
            })
            .collect::<Result<_, SearchError>>()?;
        // Tantivy's facet children come in value order.
        let values = |counts: FacetCounts| -> Counts {
            counts
                .get(Facet::root())
                .map(|(facet, count)| {
                    let value = facet
                        .to_path()
                        .last()
                        .copied()
                        .unwrap_or_default()
                        .to_owned();
                    (value, count.into())
                })
                .collect()
        };
        let mut facets: BTreeMap<String, Counts> = handles
            .into_iter()
            .map(|(field, handle)| {
                (
                    field.param().to_owned(),
                    values(handle.extract(&mut facet_fruits)),
                )
            })
            .collect();
        if let Some(handle) = unit_handle {
            facets.insert(
                "units".to_owned(),
                values(handle.extract(&mut facet_fruits)),
            );
        }
        if request.distance_facet {
            let mut bands = [0_u64; DISTANCE_BANDS.len()];
            for distance in measured
                .iter()
                .flatten()
                .filter_map(|(distance, _, _)| *distance)
            {
                bands[band(distance)] += 1;
            }
            let bands = DISTANCE_BANDS
                .iter()
                .zip(bands)
                .map(|((name, _, _), count)| ((*name).to_owned(), count.into()))
                .collect();
            facets.insert("distance".to_owned(), bands);
        }
        Ok(SearchResults {
            total,
            hits,
            facets,
        })
    }

    fn build_query(&self, searcher: &Searcher, request: &SearchRequest) -> Box<dyn Query> {
        let schema = self.index.schema();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let terms = query_terms(&request.text);
        for (position, term) in terms.iter().enumerate() {
            let is_last = position + 1 == terms.len();
            let as_prefix = is_last && term.chars().count() >= PREFIX_MIN_CHARS;
            let mut per_field: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            let mut boosted = |query: Box<dyn Query>, weight: f32| {
                per_field.push((Occur::Should, Box::new(BoostQuery::new(query, weight))));
            };
            for (name, weight) in TEXT_WEIGHTS {
                let Ok(field) = schema.get_field(name) else {
                    continue;
                };
                let term = Term::from_field_text(field, term);
                boosted(
                    Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                    weight,
                );
                if as_prefix {
                    for longer in
                        completions(searcher, field, term.value().as_str().unwrap_or_default())
                    {
                        let longer = Term::from_field_text(field, &longer);
                        boosted(
                            Box::new(TermQuery::new(longer, IndexRecordOption::WithFreqs)),
                            weight * PREFIX_WEIGHT,
                        );
                    }
                }
            }
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(per_field))));
        }
        if let Some(kind) = request.kind {
            let term = Term::from_field_text(self.fields.kind, kind.as_str());
            clauses.push((
                Occur::Must,
                filter(TermQuery::new(term, IndexRecordOption::Basic)),
            ));
        }
        for (field, values) in &request.filters {
            let any_value = values
                .iter()
                .map(|value| {
                    let term =
                        Term::from_facet(self.fields.facet(*field), &Facet::from_path([value]));
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>,
                    )
                })
                .collect();
            clauses.push((Occur::Must, filter(BooleanQuery::new(any_value))));
        }
        if !request.areas.is_empty() {
            let bounds = request
                .areas
                .iter()
                .fold(Bounds::WORLD, |b, area| b.intersect(area.bounds()));
            clauses.push((Occur::Must, filter_box(coarse_query(&self.fields, bounds))));
        }
        if !request.within.is_empty() {
            let any_unit = request
                .within
                .iter()
                .map(|unit| self.facet_term(self.fields.within, unit))
                .collect();
            clauses.push((Occur::Must, filter(BooleanQuery::new(any_unit))));
        }
        if !request.serves.is_empty() {
            let any_unit = request
                .serves
                .iter()
                .flat_map(|unit| self.serves_clauses(unit))
                .collect();
            clauses.push((Occur::Must, filter(BooleanQuery::new(any_unit))));
        }
        if clauses.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::new(clauses))
        }
    }

    fn facet_term(&self, field: tantivy::schema::Field, value: &str) -> (Occur, Box<dyn Query>) {
        let term = Term::from_facet(field, &Facet::from_path([value]));
        (
            Occur::Should,
            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
        )
    }

    /// Records that work in `unit`: listed as serving it, or of national scope in its country.
    fn serves_clauses(&self, unit: &str) -> Vec<(Occur, Box<dyn Query>)> {
        let is_country = unit.len() == 2 && unit.bytes().all(|b| b.is_ascii_uppercase());
        let country = if is_country { unit } else { "AL" };
        let national = BooleanQuery::new(vec![
            (
                Occur::Must,
                self.facet_term(self.fields.facet(FilterField::Scope), "national")
                    .1,
            ),
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.country, country),
                    IndexRecordOption::Basic,
                )),
            ),
        ]);
        vec![
            self.facet_term(self.fields.serves, unit),
            (Occur::Should, Box::new(national)),
        ]
    }

    fn hit(
        &self,
        searcher: &Searcher,
        score: Option<f32>,
        address: DocAddress,
    ) -> Result<Hit, SearchError> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let text = doc
            .get_first(self.fields.summary)
            .and_then(|v| v.as_str())
            .unwrap_or("{}");
        let mut summary: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text)
            .map_err(|source| SearchError::CorruptSummary {
                key: format!("{address:?}"),
                source,
            })?;
        let mut take = |key: &str| match summary.shift_remove(key) {
            Some(serde_json::Value::String(s)) => s,
            _ => String::new(),
        };
        let kind = RecordKind::parse(&take("type")).unwrap_or(RecordKind::Organisation);
        let id = take("id");
        let name = take("name");
        Ok(Hit {
            kind,
            id,
            name,
            score,
            distance_km: None,
            summary,
        })
    }

    /// Every record in the index with its version, for checking the index against the store.
    pub fn contents(&self) -> Result<Vec<(RecordKind, String, u64)>, SearchError> {
        let searcher = self.reader.searcher();
        let addresses = searcher.search(&AllQuery, &DocSetCollector)?;
        let mut out = Vec::with_capacity(addresses.len());
        for address in addresses {
            let hit = self.hit(&searcher, None, address)?;
            let version = hit
                .summary
                .get("version")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0);
            out.push((hit.kind, hit.id, version));
        }
        out.sort();
        Ok(out)
    }
}

/// The coarse geographic box, without changing scores.
fn filter_box(query: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, 0.0))
}

/// The most frequent words of a field that extend `prefix` (not `prefix` itself), at most
/// [`MAX_COMPLETIONS`]. Matching these as ordinary terms keeps BM25 ranking and costs far less
/// than an automaton query, which fills a bitset with every posting of every completion.
fn completions(searcher: &Searcher, field: tantivy::schema::Field, prefix: &str) -> Vec<String> {
    let mut frequency: BTreeMap<Vec<u8>, u32> = BTreeMap::new();
    let upper = [prefix.as_bytes(), &[0xFF]].concat();
    for segment in searcher.segment_readers() {
        let Ok(inverted) = segment.inverted_index(field) else {
            continue;
        };
        let Ok(mut stream) = inverted
            .terms()
            .range()
            .gt(prefix.as_bytes())
            .lt(&upper)
            .into_stream()
        else {
            continue;
        };
        while let Some((key, info)) = stream.next() {
            *frequency.entry(key.to_vec()).or_default() += info.doc_freq;
            if frequency.len() >= MAX_SCANNED_COMPLETIONS {
                break;
            }
        }
    }
    let mut terms: Vec<(Vec<u8>, u32)> = frequency.into_iter().collect();
    terms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    terms
        .into_iter()
        .take(MAX_COMPLETIONS)
        .filter_map(|(key, _)| String::from_utf8(key).ok())
        .collect()
}

/// A filter restricts results without changing their scores.
fn filter(query: impl Query + 'static) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(Box::new(query), 0.0))
}

/// A query with the exact geographic test and, when needed, distance measurement applied to
/// whatever collects its results.
struct Filtered<'a> {
    searcher: &'a Searcher,
    query: &'a dyn Query,
    areas: Arc<Vec<Area>>,
    distances: Option<Distances>,
}

/// What every search collects besides its ranking: the total, the facets, the distances.
type Rest = (usize, tantivy::collector::MultiFruit, Option<Measured>);

impl Filtered<'_> {
    fn run<C: Collector>(
        self,
        top: C,
        facets: MultiCollector<'_>,
    ) -> Result<(C::Fruit, Rest), SearchError> {
        let collector = AreaFilter {
            inner: (top, Count, facets, self.distances),
            areas: self.areas,
        };
        let (docs, total, facets, measured) = self.searcher.search(self.query, &collector)?;
        Ok((docs, (total, facets, measured)))
    }
}

/// Distance from `origin` to the nearest place stored in a hit's summary.
fn nearest_km(origin: GeoPoint, hit: &Hit) -> Option<f64> {
    let location = |value: &serde_json::Value| {
        Some(GeoPoint::new(
            value.get("lat")?.as_f64()?,
            value.get("lon")?.as_f64()?,
        ))
    };
    let main = hit.summary.get("location").and_then(location);
    let sites = hit
        .summary
        .get("sites")
        .and_then(|s| s.as_array())
        .into_iter()
        .flatten()
        .filter_map(|site| site.get("location").and_then(location));
    main.into_iter()
        .chain(sites)
        .map(|point| haversine_km(origin, point))
        .min_by(f64::total_cmp)
        .map(|km| (km * 1000.0).round() / 1000.0)
}
