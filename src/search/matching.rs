//! Which documents of a segment a plan or a restriction matches, as bitmaps built straight from
//! posting lists, without scoring. A plan's terms are looked up once per segment here and the
//! lookups reused for scoring.

use std::collections::HashMap;

use tantivy::postings::TermInfo;
use tantivy::query::{Bm25Weight, EnableScoring, Query, Weight};
use tantivy::schema::Field;
use tantivy::{DocSet, Searcher, SegmentReader, TERMINATED, Term};

use super::bits::DocBits;
use super::plan::{Compiled, Leaf, NodeRef};
use super::term_bits;

/// A compiled plan ready to run on one searcher: its terms looked up in every segment, and the
/// BM25 weight of each scored term from the statistics of the whole index.
pub struct Prepared {
    pub compiled: Compiled,
    /// Per segment, per leaf: where a term leaf's postings are (`None`: not in that segment).
    pub term_infos: Vec<Vec<Option<TermInfo>>>,
    /// Per leaf: the BM25 weight, times the leaf's weight, of a term leaf.
    pub bm25: Vec<Option<Bm25Weight>>,
    /// Per leaf: the tantivy weight of a phrase leaf, scored and times the leaf's weight.
    pub phrases: Vec<Option<Box<dyn Weight>>>,
    /// Per leaf: the most it can add to a document's score.
    pub upper: Vec<f32>,
    /// The leaves that can add something, by decreasing `upper` (then in plan order): the order
    /// scores are summed in.
    pub order: Vec<usize>,
}

impl Prepared {
    pub fn new(searcher: &Searcher, compiled: Compiled) -> tantivy::Result<Prepared> {
        let segments = searcher.segment_readers();
        let mut term_infos = vec![vec![None; compiled.leaves.len()]; segments.len()];
        let mut bm25 = Vec::with_capacity(compiled.leaves.len());
        let mut phrases = Vec::with_capacity(compiled.leaves.len());
        let mut upper = Vec::with_capacity(compiled.leaves.len());
        let total_docs: u64 = segments.iter().map(|s| u64::from(s.max_doc())).sum();
        let mut average_fieldnorms: HashMap<Field, f32> = HashMap::new();
        for (index, scored) in compiled.leaves.iter().enumerate() {
            let (term, weight) = match &scored.leaf {
                Leaf::Term { term, weight } | Leaf::Const { term, weight } => (term, *weight),
                Leaf::Phrase {
                    terms,
                    slop,
                    weight,
                } => {
                    let query =
                        tantivy::query::PhraseQuery::new_with_offset_and_slop(terms.clone(), *slop);
                    let phrase = tantivy::query::BoostQuery::new(Box::new(query), *weight)
                        .weight(EnableScoring::enabled_from_searcher(searcher))?;
                    // As the phrase query scores: BM25 of its terms' summed IDF; nothing when a
                    // term is nowhere (its IDF would be the highest of all).
                    let terms: Vec<Term> = terms.iter().map(|(_, t)| t.clone()).collect();
                    let mut everywhere = true;
                    for term in &terms {
                        everywhere &= searcher.doc_freq(term)? > 0;
                    }
                    let most = if everywhere {
                        Bm25Weight::for_terms(searcher, &terms)?
                            .boost_by(*weight)
                            .max_score()
                    } else {
                        0.0
                    };
                    bm25.push(None);
                    phrases.push(Some(phrase));
                    upper.push(most);
                    continue;
                }
            };
            let mut doc_freq = 0u64;
            for (segment, reader) in segments.iter().enumerate() {
                let info = reader.inverted_index(term.field())?.get_term_info(term)?;
                doc_freq += info.as_ref().map_or(0, |i| u64::from(i.doc_freq));
                term_infos[segment][index] = info;
            }
            phrases.push(None);
            if matches!(scored.leaf, Leaf::Const { .. }) {
                bm25.push(None);
                upper.push(if doc_freq == 0 { 0.0 } else { weight });
                continue;
            }
            let field = term.field();
            let average = match average_fieldnorms.get(&field) {
                Some(average) => *average,
                None => {
                    let mut tokens = 0u64;
                    for reader in segments {
                        tokens += reader.inverted_index(field)?.total_num_tokens();
                    }
                    let average = tokens as f32 / total_docs.max(1) as f32;
                    average_fieldnorms.insert(field, average);
                    average
                }
            };
            // As tantivy's term query computes it, so that scores are the same.
            let weight_of_term =
                Bm25Weight::for_one_term_without_explain(doc_freq, total_docs, average)
                    .boost_by(weight);
            // A term in no document adds nothing, whatever its IDF.
            upper.push(if doc_freq == 0 {
                0.0
            } else {
                weight_of_term.max_score()
            });
            bm25.push(Some(weight_of_term));
        }
        // A leaf that can add nothing (its terms are nowhere) is never read.
        let mut order: Vec<usize> = (0..compiled.leaves.len())
            .filter(|&leaf| upper[leaf] > 0.0)
            .collect();
        order.sort_by(|&a, &b| upper[b].total_cmp(&upper[a]).then(a.cmp(&b)));
        Ok(Prepared {
            compiled,
            term_infos,
            bm25,
            phrases,
            upper,
            order,
        })
    }
}

/// A prepared plan on one segment, with the matches of its boolean nodes as they are computed.
pub struct SegmentPlan<'a> {
    pub prepared: &'a Prepared,
    pub segment: usize,
    pub reader: &'a SegmentReader,
    bools: Vec<Option<DocBits>>,
}

impl<'a> SegmentPlan<'a> {
    pub fn new(prepared: &'a Prepared, segment: usize, reader: &'a SegmentReader) -> Self {
        SegmentPlan {
            prepared,
            segment,
            reader,
            bools: vec![None; prepared.compiled.bools.len()],
        }
    }

    /// The documents the whole plan matches (deleted ones included).
    pub fn matches(&mut self) -> tantivy::Result<DocBits> {
        self.node(self.prepared.compiled.root)
    }

    /// The documents where every boolean node in `guards` matches.
    pub fn guarded(&mut self, guards: &[usize]) -> tantivy::Result<Option<DocBits>> {
        let mut out: Option<DocBits> = None;
        for &index in guards {
            let bits = self.node(NodeRef::Bool(index))?;
            match &mut out {
                Some(out) => out.and(&bits),
                None => out = Some(bits),
            }
        }
        Ok(out)
    }

    fn node(&mut self, node: NodeRef) -> tantivy::Result<DocBits> {
        let mut bits = DocBits::empty(self.reader.max_doc());
        self.add_node(node, &mut bits)?;
        Ok(bits)
    }

    /// Adds the documents `node` matches to `into`. The clauses of an "any" node go straight
    /// in, without a bitmap of their own, unless a leaf needs the node as a guard.
    fn add_node(&mut self, node: NodeRef, into: &mut DocBits) -> tantivy::Result<()> {
        let index = match node {
            NodeRef::Leaf(leaf) => return self.add_leaf(leaf, into),
            NodeRef::Bool(index) => index,
        };
        if let Some(bits) = &self.bools[index] {
            into.or(bits);
            return Ok(());
        }
        let spec = &self.prepared.compiled.bools[index];
        if spec.min == 1 && !self.prepared.compiled.is_guard(index) {
            for clause in spec.clauses.clone() {
                self.add_node(clause, into)?;
            }
            return Ok(());
        }
        let bits = self.bool(index)?;
        into.or(&bits);
        self.bools[index] = Some(bits);
        Ok(())
    }

    fn bool(&mut self, index: usize) -> tantivy::Result<DocBits> {
        let spec = self.prepared.compiled.bools[index].clone();
        let max_doc = self.reader.max_doc();
        Ok(if spec.clauses.len() < spec.min {
            DocBits::empty(max_doc)
        } else if spec.min == 1 {
            let mut any = DocBits::empty(max_doc);
            for clause in &spec.clauses {
                self.add_node(*clause, &mut any)?;
            }
            any
        } else if spec.min == spec.clauses.len() {
            let mut all = self.node(spec.clauses[0])?;
            for clause in &spec.clauses[1..] {
                if all.is_empty() {
                    break;
                }
                all.and(&self.node(*clause)?);
            }
            all
        } else {
            let mut counts = vec![0u16; max_doc as usize];
            for clause in &spec.clauses {
                for doc in self.node(*clause)?.iter() {
                    counts[doc as usize] += 1;
                }
            }
            let mut enough = DocBits::empty(max_doc);
            for (doc, &count) in counts.iter().enumerate() {
                if usize::from(count) >= spec.min {
                    enough.insert(doc as u32);
                }
            }
            enough
        })
    }

    fn add_leaf(&self, index: usize, bits: &mut DocBits) -> tantivy::Result<()> {
        match &self.prepared.compiled.leaves[index].leaf {
            Leaf::Term { term, .. } | Leaf::Const { term, .. } => {
                if let Some(info) = &self.prepared.term_infos[self.segment][index] {
                    term_bits::add_postings(bits, self.reader, term, info)?;
                }
            }
            Leaf::Phrase { .. } => {
                if let Some(weight) = &self.prepared.phrases[index] {
                    let mut scorer = weight.scorer(self.reader, 1.0)?;
                    let mut doc = scorer.doc();
                    while doc != TERMINATED {
                        bits.insert(doc);
                        doc = scorer.advance();
                    }
                }
            }
        }
        Ok(())
    }
}

/// Adds every document holding `term`.
pub fn add_term(bits: &mut DocBits, reader: &SegmentReader, term: &Term) -> tantivy::Result<()> {
    let inverted = reader.inverted_index(term.field())?;
    if let Some(info) = inverted.get_term_info(term)? {
        term_bits::add_postings(bits, reader, term, &info)?;
    }
    Ok(())
}

/// A restriction of results that does not score: the documents with any of some terms, all or
/// any of other restrictions, or those a tantivy query matches (fast-field ranges).
pub enum Restriction {
    AnyTerm(Vec<Term>),
    All(Vec<Restriction>),
    Any(Vec<Restriction>),
    Query(Box<dyn Query>),
}

impl Restriction {
    /// The documents of a segment that pass (deleted ones included).
    pub fn matches(&self, searcher: &Searcher, reader: &SegmentReader) -> tantivy::Result<DocBits> {
        let max_doc = reader.max_doc();
        Ok(match self {
            Restriction::AnyTerm(terms) => {
                let mut bits = DocBits::empty(max_doc);
                for term in terms {
                    add_term(&mut bits, reader, term)?;
                }
                bits
            }
            Restriction::All(all) => {
                let mut bits = DocBits::full(max_doc);
                for restriction in all {
                    bits.and(&restriction.matches(searcher, reader)?);
                }
                bits
            }
            Restriction::Any(any) => {
                let mut bits = DocBits::empty(max_doc);
                for restriction in any {
                    bits.or(&restriction.matches(searcher, reader)?);
                }
                bits
            }
            Restriction::Query(query) => {
                let mut bits = DocBits::empty(max_doc);
                query
                    .weight(EnableScoring::disabled_from_searcher(searcher))?
                    .for_each_no_score(reader, &mut |docs| {
                        for &doc in docs {
                            bits.insert(doc);
                        }
                    })?;
                bits
            }
        })
    }
}
