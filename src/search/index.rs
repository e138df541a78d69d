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
use tantivy::indexer::LogMergePolicy;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Score, Searcher,
    SegmentReader, TantivyDocument, Term,
};

use super::analysis::{self, Stems, query_words};
use super::document::Related;
use super::geo_collect::{AreaFilter, DISTANCE_BANDS, Distances, Measured, band, coarse_query};
use super::highlight::highlight;
use super::labels::label;
use super::query::{Marks, Strictness, text_query, typo_budget, typo_terms};
use super::request::Boost;
use super::request::{
    FacetCounts as Counts, FacetValue, FilterField, Hit, SearchRequest, SearchResults, Sort,
};
use super::schema::{self, Fields, SCHEMA_VERSION};
use super::suggest::{self, Suggestion, Suggestions};
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

/// Fields whose words count as known spellings for "did you mean".
const SPELLING_FIELDS: [&str; 6] = [
    "name",
    "expertise",
    "themes",
    "groups",
    "places",
    "description",
];

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
        analysis::register(index.tokenizers());
        let (_, fields) = schema::build();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer: IndexWriter = index.writer_with_num_threads(
            writer_threads.max(1),
            WRITER_MEMORY * writer_threads.max(1),
        )?;
        // A process killed between writing index files and committing leaves them behind; a new
        // writer would pick the same names (they follow the last commit) and fail. Delete every
        // file the last commit does not use before writing anything.
        writer.garbage_collect_files().wait()?;
        writer.set_merge_policy(Box::new(merge_policy()));
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

    /// Searches; a query whose words nothing matches all of is tried again, matching some of
    /// them (`partial`), and gets a respelling that finds something (`did_you_mean`).
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let searcher = self.reader.searcher();
        if request.any_word {
            return self.run(&searcher, request, Strictness::Any);
        }
        let results = self.run(&searcher, request, Strictness::Normal)?;
        if results.total > 0 || request.text.trim().is_empty() {
            return Ok(results);
        }
        let did_you_mean = self.did_you_mean(&searcher, request)?;
        let mut relaxed = self.run(&searcher, request, Strictness::Relaxed)?;
        relaxed.partial = relaxed.total > 0;
        relaxed.did_you_mean = did_you_mean;
        Ok(relaxed)
    }

    fn run(
        &self,
        searcher: &Searcher,
        request: &SearchRequest,
        strictness: Strictness,
    ) -> Result<SearchResults, SearchError> {
        let text = text_query(searcher, &self.index.schema(), &request.text, strictness);
        let query = self.build_query(request, text.query.as_deref(), None);
        // A field filtered on is counted separately, without its own filter.
        let (disjunctive, direct): (Vec<FilterField>, Vec<FilterField>) = request
            .facets
            .iter()
            .partition(|field| request.filters.iter().any(|(f, _)| f == *field));
        let mut facet_collectors = MultiCollector::new();
        let handles: Vec<_> = direct
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
            Sort::Relevance if text.query.is_none() && request.boosts.is_empty() => Sort::Name,
            sort => sort,
        };
        let needs_distances = sort == Sort::Distance || request.distance_facet;
        let areas = Arc::new(request.areas.clone());
        let filtered = Filtered {
            searcher,
            query: query.as_ref(),
            areas: areas.clone(),
            distances: request
                .near
                .filter(|_| needs_distances)
                .map(|origin| Distances { origin }),
        };
        let top = TopDocs::with_limit(request.limit.max(1)).and_offset(request.offset);
        let (docs, total, mut facet_fruits, measured) = match sort {
            Sort::Relevance => {
                // Equal scores: the most recently updated profile first.
                let collector = top.tweak_score(|segment: &SegmentReader| {
                    let updated = segment
                        .fast_fields()
                        .u64("updated")
                        .ok()
                        .map(|column| column.first_or_default_col(0));
                    move |doc: DocId, score: Score| {
                        (score, updated.as_ref().map_or(0, |c| c.get_val(doc)))
                    }
                });
                let (docs, rest) = filtered.run(collector, facet_collectors)?;
                (
                    docs.into_iter()
                        .map(|((score, _), a)| (Some(score), a))
                        .collect(),
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
        let mut stems = Stems::new();
        let marks = request.highlight.then_some(&text.marks);
        let hits = docs
            .into_iter()
            .map(|(score, address)| {
                let mut hit = self.hit(searcher, score, address, marks, &mut stems)?;
                hit.distance_km = request.near.and_then(|origin| nearest_km(origin, &hit));
                Ok(hit)
            })
            .collect::<Result<_, SearchError>>()?;
        let mut facets: BTreeMap<String, Counts> = BTreeMap::new();
        for (field, handle) in handles {
            let counts = handle.extract(&mut facet_fruits);
            facets.insert(
                field.param().to_owned(),
                self.values(searcher, field.param(), counts),
            );
        }
        for field in disjunctive {
            let without = self.build_query(request, text.query.as_deref(), Some(field));
            let mut collector = FacetCollector::for_field(field.param());
            collector.add_facet(Facet::root());
            let counts = searcher.search(
                without.as_ref(),
                &AreaFilter {
                    inner: collector,
                    areas: areas.clone(),
                },
            )?;
            facets.insert(
                field.param().to_owned(),
                self.values(searcher, field.param(), counts),
            );
        }
        if let Some(handle) = unit_handle {
            let counts = handle.extract(&mut facet_fruits);
            facets.insert("units".to_owned(), self.values(searcher, "units", counts));
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
                .map(|((name, _, _), count)| FacetValue {
                    value: (*name).to_owned(),
                    count,
                    label: label("distance", name, |_| None),
                })
                .collect();
            facets.insert("distance".to_owned(), bands);
        }
        Ok(SearchResults {
            total,
            hits,
            facets,
            did_you_mean: None,
            partial: false,
        })
    }

    /// Facet counts as values with labels, in value order (tantivy's order).
    fn values(&self, searcher: &Searcher, facet: &str, counts: FacetCounts) -> Counts {
        counts
            .get(Facet::root())
            .map(|(value, count)| {
                let value = value
                    .to_path()
                    .last()
                    .copied()
                    .unwrap_or_default()
                    .to_owned();
                let label = label(facet, &value, |id| {
                    self.name_of(searcher, RecordKind::Network, id)
                });
                FacetValue {
                    value,
                    count,
                    label,
                }
            })
            .collect()
    }

    /// As-you-type suggestions for `text`: up to `limit` names and up to `limit` expertise tags.
    pub fn suggest(&self, text: &str, limit: usize) -> Result<Suggestions, SearchError> {
        let searcher = self.reader.searcher();
        let mut stems = Stems::new();
        let names = suggest::names(&searcher, &self.fields, text, limit)?
            .into_iter()
            .map(|address| {
                let mut hit = self.hit(&searcher, None, address, None, &mut stems)?;
                Ok(Suggestion {
                    kind: hit.kind,
                    id: hit.id,
                    name: hit.name,
                    acronym: hit
                        .summary
                        .shift_remove("acronym")
                        .and_then(|a| a.as_str().map(str::to_owned)),
                })
            })
            .collect::<Result<_, SearchError>>()?;
        let expertise = suggest::tags(&searcher, &self.fields, text, limit)?;
        Ok(Suggestions { names, expertise })
    }

    /// The name of a record in the index.
    fn name_of(&self, searcher: &Searcher, kind: RecordKind, id: &str) -> Option<String> {
        let query = TermQuery::new(self.key_term(kind, id), IndexRecordOption::Basic);
        let found = searcher
            .search(&query, &TopDocs::with_limit(1).order_by_score())
            .ok()?;
        let (_, address) = found.first()?;
        let hit = self
            .hit(searcher, None, *address, None, &mut Stems::new())
            .ok()?;
        Some(hit.name)
    }

    /// For a query without results: the query with its unknown words replaced by the most
    /// frequent indexed word within two typos, when that finds something.
    fn did_you_mean(
        &self,
        searcher: &Searcher,
        request: &SearchRequest,
    ) -> Result<Option<String>, SearchError> {
        let words = query_words(&request.text);
        let mut changed = false;
        let mut respelt = Vec::with_capacity(words.len());
        for word in &words {
            let known = SPELLING_FIELDS.iter().any(|name| {
                self.index
                    .schema()
                    .get_field(name)
                    .ok()
                    .and_then(|field| {
                        searcher
                            .doc_freq(&Term::from_field_text(field, &word.exact))
                            .ok()
                    })
                    .is_some_and(|n| n > 0)
            });
            let length = word.exact.chars().count();
            if known
                || word.is_stopword()
                || length < 3
                || typo_budget(word) == 0 && word.typed.chars().any(|c| c.is_ascii_digit())
            {
                respelt.push(word.exact.clone());
                continue;
            }
            let distance = if length < 6 { 1 } else { 2 };
            let term = Term::from_field_text(self.fields.name, &word.exact);
            let automaton = FuzzyTermQuery::new(term, distance, true).automaton()?;
            let mut best: Option<(u64, String)> = None;
            for name in SPELLING_FIELDS {
                let Ok(field) = self.index.schema().get_field(name) else {
                    continue;
                };
                for candidate in typo_terms(searcher, field, &automaton) {
                    let count = searcher.doc_freq(&Term::from_field_text(field, &candidate))?;
                    if best.as_ref().is_none_or(|(n, _)| count > *n) {
                        best = Some((count, candidate));
                    }
                }
            }
            match best {
                Some((_, better)) => {
                    respelt.push(better);
                    changed = true;
                }
                None => respelt.push(word.exact.clone()),
            }
        }
        if !changed {
            return Ok(None);
        }
        let respelt = respelt.join(" ");
        let mut retry = request.clone();
        retry.text = respelt.clone();
        let text = text_query(
            searcher,
            &self.index.schema(),
            &retry.text,
            Strictness::Normal,
        );
        let query = self.build_query(&retry, text.query.as_deref(), None);
        let found = searcher.search(
            query.as_ref(),
            &AreaFilter {
                inner: Count,
                areas: Arc::new(retry.areas.clone()),
            },
        )?;
        Ok((found > 0).then_some(respelt))
    }

    /// The whole query: the text (`text`) and every filter, except the filter on `except`.
    fn build_query(
        &self,
        request: &SearchRequest,
        text: Option<&dyn Query>,
        except: Option<FilterField>,
    ) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // Text and preferences: a record must match one of them, and scores by all it matches.
        let boosts = (!request.boosts.is_empty()).then(|| self.boost_query(&request.boosts));
        match (text, boosts) {
            (Some(text), Some(boosts)) => clauses.push((
                Occur::Must,
                Box::new(BooleanQuery::new(vec![
                    (Occur::Should, text.box_clone()),
                    (Occur::Should, boosts),
                ])),
            )),
            (Some(text), None) => clauses.push((Occur::Must, text.box_clone())),
            (None, Some(boosts)) => clauses.push((Occur::Must, boosts)),
            (None, None) => {}
        }
        for (field, values) in &request.excluded {
            let any_value = values
                .iter()
                .map(|value| self.facet_term(self.fields.facet(*field), value))
                .collect();
            clauses.push((Occur::MustNot, Box::new(BooleanQuery::new(any_value))));
        }
        if let Some(kind) = request.kind {
            let term = Term::from_field_text(self.fields.kind, kind.as_str());
            clauses.push((
                Occur::Must,
                filter(TermQuery::new(term, IndexRecordOption::Basic)),
            ));
        }
        for (field, values) in request.filters.iter().filter(|(f, _)| Some(*f) != except) {
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
        if clauses.iter().all(|(occur, _)| *occur == Occur::MustNot) {
            // Exclusions alone select nothing: they need something to exclude from.
            clauses.push((Occur::Must, filter(AllQuery)));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// One clause per preference, each adding its weight when the record has that value.
    fn boost_query(&self, boosts: &[Boost]) -> Box<dyn Query> {
        let clauses = boosts
            .iter()
            .map(|boost| {
                let term = Term::from_facet(
                    self.fields.facet(boost.field),
                    &Facet::from_path([&boost.value]),
                );
                let query = TermQuery::new(term, IndexRecordOption::Basic);
                let scored = ConstScoreQuery::new(Box::new(query), boost.weight);
                (Occur::Should, Box::new(scored) as Box<dyn Query>)
            })
            .collect();
        Box::new(BooleanQuery::new(clauses))
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
        marks: Option<&Marks>,
        stems: &mut Stems,
    ) -> Result<Hit, SearchError> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let highlights = marks.map(|marks| self.highlights(&doc, marks, stems));
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
            highlights,
            summary,
        })
    }

    /// Snippets of the stored name, description and expertise tags that `marks` match.
    fn highlights(
        &self,
        doc: &TantivyDocument,
        marks: &Marks,
        stems: &mut Stems,
    ) -> serde_json::Map<String, serde_json::Value> {
        let mut out = serde_json::Map::new();
        let texts = |field| doc.get_all(field).filter_map(|v| v.as_str());
        if let Some(name) = texts(self.fields.name).find_map(|t| highlight(t, marks, stems)) {
            out.insert("name".into(), name.into());
        }
        if let Some(text) = texts(self.fields.description).find_map(|t| highlight(t, marks, stems))
        {
            out.insert("description".into(), text.into());
        }
        let tags: Vec<serde_json::Value> = texts(self.fields.expertise)
            .filter_map(|t| highlight(t, marks, stems))
            .map(Into::into)
            .collect();
        if !tags.is_empty() {
            out.insert("expertise".into(), tags.into());
        }
        out
    }

    /// Every record in the index with its version, for checking the index against the store.
    pub fn contents(&self) -> Result<Vec<(RecordKind, String, u64)>, SearchError> {
        let searcher = self.reader.searcher();
        let addresses = searcher.search(&AllQuery, &DocSetCollector)?;
        let mut out = Vec::with_capacity(addresses.len());
        for address in addresses {
            let hit = self.hit(&searcher, None, address, None, &mut Stems::new())?;
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

/// Fewer, larger segments than tantivy's default: every query looks each of its terms up in
/// every segment, and a bulk import otherwise leaves a dozen segments of mixed sizes (measured
/// at 100,000 records: 12, with term lookups a seventh of a one-word search's time).
fn merge_policy() -> LogMergePolicy {
    let mut policy = LogMergePolicy::default();
    // Segments within a factor of 8 in size count as one level, and 3 of a level merge.
    policy.set_level_log_size(3.0);
    policy.set_min_num_segments(3);
    policy
}

/// The coarse geographic box, without changing scores.
fn filter_box(query: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, 0.0))
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
