//! The last leaves of a plan, when they are terms that most documents hold, scored window by
//! window (256 documents): a window whose best possible total cannot reach the best `k` found
//! so far is skipped. "Shoqëri civile" matches every record; when fewer than `k` hold the
//! phrase, the rest are ranked by the two words' BM25 alone, and all of them were scored.
//!
//! A window's bound for a term comes from the (field length, frequency) pairs of its documents
//! that no other pair beats on both (the shortest field, the most occurrences): the best BM25
//! in the window is one of them whatever the query's IDF and average length, so the bound is
//! exact, unlike the block maxima in tantivy's skip lists (computed with the average length of
//! the segment when it was written). The pairs are made once per segment and term and kept.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::SegmentId;
use tantivy::postings::{BlockSegmentPostings, TermInfo};
use tantivy::query::Bm25Weight;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, Score, SegmentReader, Term};

use super::bits::DocBits;

/// Documents per window (a power of two).
const WINDOW_BITS: u32 = 8;
/// A term held by at least one document in this many gets its windows' pairs.
pub const DENSE_ONE_IN: u64 = 8;
/// At most this many bytes of pairs are kept; all are dropped when full.
const MAX_BYTES: usize = 32 * 1024 * 1024;

/// Per window, the (field-length id, frequency) pairs that no other pair of the window beats.
pub struct Pairs {
    windows: Vec<Vec<(u8, u32)>>,
}

impl Pairs {
    fn build(
        reader: &SegmentReader,
        term: &Term,
        info: &TermInfo,
        norms: &FieldNormReader,
    ) -> tantivy::Result<Pairs> {
        let count = (reader.max_doc() >> WINDOW_BITS) as usize + 1;
        let mut windows: Vec<Vec<(u8, u32)>> = vec![Vec::new(); count];
        let mut postings = reader
            .inverted_index(term.field())?
            .read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
        loop {
            let docs = postings.docs();
            if docs.is_empty() {
                break;
            }
            let freqs = postings.freqs();
            for (i, &doc) in docs.iter().enumerate() {
                let pair = (norms.fieldnorm_id(doc), freqs.get(i).copied().unwrap_or(1));
                let window = &mut windows[(doc >> WINDOW_BITS) as usize];
                // Beaten by or equal to a pair already there: nothing to add.
                if window.iter().any(|&(n, f)| n <= pair.0 && f >= pair.1) {
                    continue;
                }
                window.retain(|&(n, f)| !(pair.0 <= n && pair.1 >= f));
                window.push(pair);
            }
            postings.advance();
        }
        Ok(Pairs { windows })
    }

    /// The most the term adds to a document of window `w`.
    fn bound(&self, w: usize, bm25: &Bm25Weight) -> Score {
        self.windows[w]
            .iter()
            .map(|&(norm, freq)| bm25.score(norm, freq))
            .fold(0.0, Score::max)
    }

    fn bytes(&self) -> usize {
        self.windows.iter().map(|w| 24 + w.len() * 8).sum::<usize>()
    }
}

#[derive(Default)]
struct Kept {
    pairs: HashMap<(SegmentId, Term), Arc<Pairs>>,
    bytes: usize,
}

fn kept() -> &'static Mutex<Kept> {
    static KEPT: OnceLock<Mutex<Kept>> = OnceLock::new();
    KEPT.get_or_init(Mutex::default)
}

fn pairs(
    reader: &SegmentReader,
    term: &Term,
    info: &TermInfo,
    norms: &FieldNormReader,
) -> tantivy::Result<Arc<Pairs>> {
    let key = (reader.segment_id(), term.clone());
    if let Some(found) = kept()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .pairs
        .get(&key)
    {
        return Ok(Arc::clone(found));
    }
    let pairs = Arc::new(Pairs::build(reader, term, info, norms)?);
    let bytes = pairs.bytes();
    let mut kept = kept().lock().unwrap_or_else(|e| e.into_inner());
    if kept.bytes + bytes > MAX_BYTES {
        kept.pairs.clear();
        kept.bytes = 0;
    }
    if kept.pairs.insert(key, Arc::clone(&pairs)).is_none() {
        kept.bytes += bytes;
    }
    Ok(pairs)
}

/// One of the last leaves: a term with its postings and weight.
pub struct TailTerm<'a> {
    pub term: &'a Term,
    pub info: &'a TermInfo,
    pub bm25: &'a Bm25Weight,
}

/// A score ordered for a heap.
#[derive(PartialEq)]
struct Ranked(Score);

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Adds the `tail` terms' scores to the documents of `selection` (in the order of `tail`, after
/// what `values` already holds for them at `slot(doc)`), window by window, skipping the windows
/// that cannot reach the best `k`; returns the documents of the scored windows with their
/// totals that reach the `k`-th best (ties included). `beyond(bound, threshold)` says whether a
/// total of at most `bound` stays below `threshold`, allowing for rounding.
#[allow(clippy::too_many_arguments)]
pub fn score_tail(
    reader: &SegmentReader,
    tail: &[TailTerm<'_>],
    selection: &DocBits,
    k: usize,
    values: &mut [Score],
    touched: &[DocId],
    slot: impl Fn(DocId) -> usize,
    beyond: impl Fn(Score, Score) -> bool,
) -> tantivy::Result<Vec<(DocId, Score)>> {
    let max_doc = reader.max_doc();
    let count = (max_doc >> WINDOW_BITS) as usize + 1;
    // The best partial score of each window, from the leaves already read.
    let mut partial = vec![0.0 as Score; count];
    for &doc in touched {
        let w = (doc >> WINDOW_BITS) as usize;
        partial[w] = partial[w].max(values[slot(doc)]);
    }
    let mut terms = Vec::with_capacity(tail.len());
    for t in tail {
        let norms = reader.get_fieldnorms_reader(t.term.field())?;
        let pairs = pairs(reader, t.term, t.info, &norms)?;
        let postings = reader
            .inverted_index(t.term.field())?
            .read_block_postings_from_terminfo(t.info, IndexRecordOption::WithFreqs)?;
        terms.push((pairs, postings, norms, t.bm25));
    }
    let mut best: BinaryHeap<Reverse<Ranked>> = BinaryHeap::with_capacity(k + 1);
    let mut found = Vec::new();
    for (w, &best_partial) in partial.iter().enumerate() {
        let start = (w as u32) << WINDOW_BITS;
        let end = (start + (1 << WINDOW_BITS)).min(max_doc);
        if selection.next_from(start).is_none_or(|doc| doc >= end) {
            continue;
        }
        if best.len() == k {
            let bound = best_partial
                + terms
                    .iter()
                    .map(|(pairs, _, _, bm25)| pairs.bound(w, bm25))
                    .sum::<Score>();
            let threshold = best.peek().map_or(Score::NEG_INFINITY, |r| r.0.0);
            if beyond(bound, threshold) {
                continue;
            }
        }
        for (_, postings, norms, bm25) in &mut terms {
            add_window(postings, start, end, selection, |doc, freq| {
                values[slot(doc)] += bm25.score(norms.fieldnorm_id(doc), freq);
            });
        }
        let mut doc = start;
        while let Some(next) = selection.next_from(doc).filter(|&d| d < end) {
            let score = values[slot(next)];
            keep(&mut best, &mut found, k, next, score);
            doc = next + 1;
        }
    }
    let threshold = match best.len() {
        n if n == k => best.peek().map_or(Score::NEG_INFINITY, |r| r.0.0),
        _ => Score::NEG_INFINITY,
    };
    found.retain(|&(_, score)| score >= threshold);
    Ok(found)
}

/// Offers a scored document to the best `k` so far (`best`, smallest on top) and to `found`.
/// The threshold only rises, so a document below it now stays below it and is dropped at once:
/// a query that every document matches would otherwise push and pop the heap, and hold, for
/// each of them (measured: a fifth of the server's time for "shoqeri civile").
fn keep(
    best: &mut BinaryHeap<Reverse<Ranked>>,
    found: &mut Vec<(DocId, Score)>,
    k: usize,
    doc: DocId,
    score: Score,
) {
    if best.len() < k {
        best.push(Reverse(Ranked(score)));
        found.push((doc, score));
        return;
    }
    match best.peek_mut() {
        Some(mut smallest) => {
            if score >= smallest.0.0 {
                found.push((doc, score));
                if Ranked(score) > smallest.0 {
                    *smallest = Reverse(Ranked(score));
                }
            }
        }
        // k = 0: no threshold; every document is returned.
        None => found.push((doc, score)),
    }
}

/// Calls `visit` with each document of the postings in `start..end` that `allowed` holds, and
/// its frequency; the postings only move forward, so windows must come in order.
fn add_window(
    postings: &mut BlockSegmentPostings,
    start: DocId,
    end: DocId,
    allowed: &DocBits,
    mut visit: impl FnMut(DocId, u32),
) {
    let mut at = postings.seek(start);
    loop {
        let docs = postings.docs();
        if at >= docs.len() {
            if docs.is_empty() {
                return;
            }
            postings.advance();
            at = 0;
            continue;
        }
        let freqs = postings.freqs();
        for (i, &doc) in docs.iter().enumerate().skip(at) {
            if doc >= end {
                return;
            }
            if allowed.contains(doc) {
                visit(doc, freqs.get(i).copied().unwrap_or(1));
            }
        }
        postings.advance();
        at = 0;
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{Index, IndexWriter, doc};

    use super::*;

    /// Against scoring every document: the documents returned are those whose total reaches the
    /// `k`-th best, with those totals, whatever the partial scores already held and whatever
    /// documents the selection leaves out.
    #[test]
    fn the_tail_returns_what_scoring_every_document_ranks_best() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let mut builder = Schema::builder();
        let body = builder.add_text_field("body", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 50_000_000).unwrap();
        let docs = 5_000u32;
        for _ in 0..docs {
            // Both words in nearly every document, a few times, among filler of any length.
            let mut words = vec!["mbushje"; rng.random_range(0..40)];
            words.extend(std::iter::repeat_n("shoqeri", rng.random_range(0..4)));
            words.extend(std::iter::repeat_n("civile", rng.random_range(1..3)));
            writer.add_document(doc!(body => words.join(" "))).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let reader = searcher.segment_reader(0);
        let inverted = reader.inverted_index(body).unwrap();
        let average = inverted.total_num_tokens() as f32 / docs as f32;
        let terms: Vec<(Term, TermInfo, Bm25Weight)> = [("shoqeri", 1.0), ("civile", 0.6)]
            .into_iter()
            .map(|(word, boost)| {
                let term = Term::from_field_text(body, word);
                let info = inverted.get_term_info(&term).unwrap().unwrap();
                let bm25 = Bm25Weight::for_one_term_without_explain(
                    u64::from(info.doc_freq),
                    u64::from(docs),
                    average,
                )
                .boost_by(boost);
                (term, info, bm25)
            })
            .collect();
        let norms = reader.get_fieldnorms_reader(body).unwrap();
        // Each document's score for each term, the reference.
        let mut by_term: Vec<HashMap<DocId, Score>> = Vec::new();
        for (_, info, bm25) in &terms {
            let mut scores = HashMap::new();
            let mut postings = inverted
                .read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)
                .unwrap();
            while !postings.docs().is_empty() {
                for (i, &doc) in postings.docs().iter().enumerate() {
                    let freq = postings.freqs()[i];
                    scores.insert(doc, bm25.score(norms.fieldnorm_id(doc), freq));
                }
                postings.advance();
            }
            by_term.push(scores);
        }
        for round in 0..6 {
            let mut selection = DocBits::empty(docs);
            (0..docs)
                .filter(|_| round % 2 == 0 || rng.random_bool(0.7))
                .for_each(|doc| selection.insert(doc));
            // Some documents already hold a partial score (a phrase, say), as large as the rest.
            let mut partial = vec![0.0 as Score; docs as usize];
            let mut touched = Vec::new();
            for doc in selection.iter() {
                if rng.random_bool(if round < 2 { 0.0 } else { 0.002 }) {
                    partial[doc as usize] = rng.random_range(0.1..4.0);
                    touched.push(doc);
                }
            }
            let total = |doc: DocId| {
                by_term.iter().fold(partial[doc as usize], |sum, scores| {
                    sum + scores.get(&doc).copied().unwrap_or(0.0)
                })
            };
            for k in [1, 5, 20, 100] {
                let mut values = partial.clone();
                let tail: Vec<TailTerm<'_>> = terms
                    .iter()
                    .map(|(term, info, bm25)| TailTerm { term, info, bm25 })
                    .collect();
                let found = score_tail(
                    reader,
                    &tail,
                    &selection,
                    k,
                    &mut values,
                    &touched,
                    |doc| doc as usize,
                    |bound, threshold| bound * (1.0 + 1e-4) < threshold,
                )
                .unwrap();
                let mut ranked: Vec<Score> = selection.iter().map(total).collect();
                ranked.sort_by(|a, b| b.total_cmp(a));
                let kth = ranked[k - 1];
                let found: HashMap<DocId, Score> = found.into_iter().collect();
                for doc in selection.iter() {
                    let want = total(doc);
                    if want >= kth {
                        assert_eq!(
                            found.get(&doc),
                            Some(&want),
                            "round {round} k={k} doc {doc}"
                        );
                    }
                }
                assert!(found.values().all(|&s| s >= kth), "round {round} k={k}");
                assert!(
                    found.len() < selection.len() as usize / 2,
                    "windows were skipped: {} of {}",
                    found.len(),
                    selection.len()
                );
            }
        }
    }
}
