//! The search index on disk: opening and checking it, the single writer (documents replaced by
//! key, commits that carry the last applied change-log sequence number), and searching.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use tantivy::collector::{
    Collector, Count, DocSetCollector, FacetCollector, FacetCounts, MultiCollector, TopDocs,
};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher, TantivyDocument,
    Term,
};

use super::analysis::{FOLDED, folded_analyzer, query_terms};
use super::request::{Hit, SearchRequest, SearchResults, Sort};
use super::schema::{self, Fields, SCHEMA_VERSION};
use super::{SearchError, document};
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
    pub fn upsert(&self, record: &Record, networks: &[String]) -> Result<(), SearchError> {
        let doc = document::build(&self.fields, record, networks);
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
        let query = self.build_query(request);
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
        let top = TopDocs::with_limit(request.limit.max(1)).and_offset(request.offset);
        let sort = match request.sort {
            Sort::Relevance if query_terms(&request.text).is_empty() => Sort::Name,
            sort => sort,
        };
        let (docs, total, mut facet_fruits): (Vec<(Option<f32>, DocAddress)>, _, _) = match sort {
            Sort::Relevance => {
                let (docs, total, fruits) =
                    run(&searcher, &query, top.order_by_score(), facet_collectors)?;
                (
                    docs.into_iter().map(|(s, a)| (Some(s), a)).collect(),
                    total,
                    fruits,
                )
            }
            Sort::Name => {
                let collector = top.order_by_string_fast_field("name_sort", Order::Asc);
                let (docs, total, fruits) = run(&searcher, &query, collector, facet_collectors)?;
                (
                    docs.into_iter().map(|(_, a)| (None, a)).collect(),
                    total,
                    fruits,
                )
            }
            Sort::FoundedYear | Sort::Updated => {
                let (field, order) = match sort {
                    Sort::FoundedYear => ("founded_year", Order::Asc),
                    _ => ("updated", Order::Desc),
                };
                let collector = top.order_by_fast_field::<u64>(field, order);
                let (docs, total, fruits) = run(&searcher, &query, collector, facet_collectors)?;
                (
                    docs.into_iter().map(|(_, a)| (None, a)).collect(),
                    total,
                    fruits,
                )
            }
        };
        let hits = docs
            .into_iter()
            .map(|(score, address)| self.hit(&searcher, score, address))
            .collect::<Result<_, _>>()?;
        let facets = handles
            .into_iter()
            .map(|(field, handle)| {
                let counts: FacetCounts = handle.extract(&mut facet_fruits);
                let values = counts
                    .get(Facet::root())
                    .map(|(facet, count)| {
                        (
                            facet
                                .to_path()
                                .last()
                                .copied()
                                .unwrap_or_default()
                                .to_owned(),
                            count,
                        )
                    })
                    .collect::<BTreeMap<_, _>>();
                (field.param().to_owned(), values)
            })
            .collect();
        Ok(SearchResults {
            total,
            hits,
            facets,
        })
    }

    fn build_query(&self, request: &SearchRequest) -> Box<dyn Query> {
        let schema = self.index.schema();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let terms = query_terms(&request.text);
        for (position, term) in terms.iter().enumerate() {
            let is_last = position + 1 == terms.len();
            let mut per_field: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (name, weight) in TEXT_WEIGHTS {
                let Ok(field) = schema.get_field(name) else {
                    continue;
                };
                let term = Term::from_field_text(field, term);
                let exact = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
                per_field.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(exact), weight)),
                ));
                if is_last
                    && term
                        .value()
                        .as_str()
                        .is_some_and(|t| t.chars().count() >= PREFIX_MIN_CHARS)
                {
                    let prefix = FuzzyTermQuery::new_prefix(term, 0, false);
                    per_field.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(prefix), weight * PREFIX_WEIGHT)),
                    ));
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
        if clauses.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::new(clauses))
        }
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

/// A filter restricts results without changing their scores.
fn filter(query: impl Query + 'static) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(Box::new(query), 0.0))
}

type Ran<F> = (F, usize, tantivy::collector::MultiFruit);

fn run<C: Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    top: C,
    facets: MultiCollector<'_>,
) -> Result<Ran<C::Fruit>, SearchError> {
    Ok(searcher.search(query, &(top, Count, facets))?)
}
