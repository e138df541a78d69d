//! Scores of the selected documents of a segment, one leaf of the plan at a time: each leaf's
//! postings are read once (skipping blocks that hold no document wanted) and its BM25 score,
//! fixed weight or phrase score is added to the documents it matches. Leaves go by decreasing
//! upper bound, the same order for every document, so equal documents get equal scores.
//!
//! When only the best `k` are wanted, the leaves that can add least are left for the end and
//! read only for the documents that can still reach the best `k` (MaxScore, term at a time):
//! once the `k`-th best partial score exceeds what the remaining leaves can add at most, a
//! document they alone would score is out, and so is any whose partial score plus that most
//! stays below the `k`-th best.

use std::borrow::Cow;
use std::sync::Mutex;

use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, Score, TERMINATED};

use super::bits::DocBits;
use super::matching::SegmentPlan;
use super::plan::Leaf;
use super::windows::{self, DENSE_ONE_IN, TailTerm};

/// The score of every document of `selection`, in the order of the selection.
pub fn scores(plan: &mut SegmentPlan<'_>, selection: &DocBits) -> tantivy::Result<Vec<Score>> {
    if selection.is_empty() {
        return Ok(Vec::new());
    }
    let mut scores = Scores::new(selection);
    let count = selection.len();
    for &leaf in &plan.prepared.order {
        add_leaf(plan, leaf, (selection, count), &mut scores)?;
    }
    Ok(selection
        .iter()
        .map(|doc| scores.values[doc as usize])
        .collect())
}

/// Documents of `selection` with their scores, among them the `k` best: every document whose
/// score is not below the `k`-th best (and perhaps a few more).
pub fn best(
    plan: &mut SegmentPlan<'_>,
    selection: &DocBits,
    k: usize,
) -> tantivy::Result<Vec<(DocId, Score)>> {
    let count = selection.len() as usize;
    if count <= k || k == 0 {
        let scores = scores(plan, selection)?;
        return Ok(selection.iter().zip(scores).collect());
    }
    let prepared = plan.prepared;
    let mut scores = Scores::new(selection);
    // Every selected document may get a score: one allocation instead of growing by copies.
    scores.touched.reserve(count);
    let scored = |scores: &Scores| {
        selection
            .iter()
            .map(|doc| (doc, scores.values[doc as usize]))
            .collect()
    };
    // What the leaves not yet read can add at most: summed afresh each time, since taking
    // each leaf's bound off a total would leave rounding errors behind.
    let rest_after = |read: usize| -> Score {
        prepared.order[read..]
            .iter()
            .map(|&l| prepared.upper[l])
            .sum()
    };
    let total = rest_after(0);
    let mut read = 0;
    // Counting the leaders reads every score: done again only once the rest has shrunk.
    let mut counted_at = Score::INFINITY;
    let mut leaves = prepared.order.iter().copied();
    // Every document, while an unread leaf could still lift one from nothing into the best.
    let (threshold, rest) = loop {
        if let Some(tail) = dense_tail(plan, &prepared.order[read..]) {
            let Scores {
                values, touched, ..
            } = &mut scores;
            return windows::score_tail(
                plan.reader,
                &tail,
                selection,
                k,
                values,
                touched,
                |doc| doc as usize,
                |bound, threshold| beyond(bound, 0.0, threshold),
            );
        }
        let Some(leaf) = leaves.next() else {
            return Ok(scored(&scores));
        };
        add_leaf(plan, leaf, (selection, count as u32), &mut scores)?;
        read += 1;
        if read == prepared.order.len() {
            return Ok(scored(&scores));
        }
        let rest = rest_after(read);
        // No score exceeds what the leaves read can add.
        if !beyond(rest, 0.0, total - rest) || rest > 0.8 * counted_at {
            continue;
        }
        // The documents that surely beat one with nothing yet; once there are `k`, the `k`-th
        // best of them is a score to beat.
        counted_at = rest;
        // A slot without a score holds 0, which is never beyond: when many documents have a
        // score, one pass in slot order reads memory in order, unlike one by touched document.
        let beats = |&score: &Score| beyond(rest, 0.0, score);
        let leaders: Vec<Score> = if scores.touched.len() * 8 > scores.values.len() {
            scores.values.iter().copied().filter(beats).collect()
        } else {
            let of = |&doc: &DocId| scores.values[doc as usize];
            scores.touched.iter().map(of).filter(beats).collect()
        };
        if leaders.len() >= k {
            break (kth_best(&leaders, k), rest);
        }
    };
    // Then only the documents that can still make it (some leaf read has scored them), fewer
    // after every leaf.
    let mut candidates: Vec<DocId> = scores
        .touched
        .iter()
        .copied()
        .filter(|&doc| !beyond(rest, scores.values[doc as usize], threshold))
        .collect();
    let mut wanted = DocBits::empty(selection.max_doc());
    candidates.iter().for_each(|&doc| wanted.insert(doc));
    // The postings the leaves after the first `read` hold (a phrase: unknown, as many as any).
    let segment = plan.segment;
    let postings_after = |read: usize| -> u64 {
        prepared.order[read..]
            .iter()
            .map(|&l| {
                prepared.term_infos[segment][l]
                    .as_ref()
                    .map_or(u64::MAX / 64, |info| u64::from(info.doc_freq))
            })
            .sum()
    };
    for leaf in leaves {
        add_leaf(plan, leaf, (&wanted, candidates.len() as u32), &mut scores)?;
        read += 1;
        // Fewer candidates make the leaves left cheaper to read only when those hold many
        // more postings than there are candidates; otherwise the pass over the candidates
        // costs more than it saves, and the last one below is enough.
        if postings_after(read) < PRUNE_WORTH * candidates.len() as u64 {
            continue;
        }
        prune(
            &mut candidates,
            &scores.values,
            rest_after(read),
            k,
            |doc| wanted.remove(doc),
        );
    }
    prune(&mut candidates, &scores.values, 0.0, k, |_| {});
    Ok(candidates
        .into_iter()
        .map(|doc| (doc, scores.values[doc as usize]))
        .collect())
}

/// Candidates are pruned between leaves only when the leaves left hold at least this many
/// postings per candidate.
const PRUNE_WORTH: u64 = 4;

/// Keeps the candidates that can still reach the `k` best with at most `rest` to come, and
/// tells `dropped` of each one left out.
fn prune(
    candidates: &mut Vec<DocId>,
    values: &[Score],
    rest: Score,
    k: usize,
    mut dropped: impl FnMut(DocId),
) {
    if candidates.len() <= k {
        return;
    }
    let partial: Vec<Score> = candidates.iter().map(|&doc| values[doc as usize]).collect();
    let threshold = kth_best(&partial, k);
    candidates.retain(|&doc| {
        let keep = !beyond(rest, values[doc as usize], threshold);
        if !keep {
            dropped(doc);
        }
        keep
    });
}

/// The leaves left, when every one is a term that many documents of the segment hold (and
/// that needs no other node to match): what [`windows::score_tail`] scores window by window.
fn dense_tail<'p>(plan: &SegmentPlan<'p>, leaves: &[usize]) -> Option<Vec<TailTerm<'p>>> {
    let prepared = plan.prepared;
    let max_doc = u64::from(plan.reader.max_doc());
    leaves
        .iter()
        .map(|&index| {
            let scored = &prepared.compiled.leaves[index];
            let Leaf::Term { term, .. } = &scored.leaf else {
                return None;
            };
            let info = prepared.term_infos[plan.segment][index].as_ref()?;
            let bm25 = prepared.bm25[index].as_ref()?;
            (scored.guards.is_empty() && u64::from(info.doc_freq) * DENSE_ONE_IN >= max_doc)
                .then_some(TailTerm { term, info, bm25 })
        })
        .collect::<Option<Vec<_>>>()
        .filter(|tail| !tail.is_empty())
}

/// Scores at their documents' ids, and the documents that have one (in the order they got
/// it). The array has a slot per document of the segment and comes from [`POOL`].
struct Scores<'s> {
    values: Vec<Score>,
    touched: Vec<DocId>,
    /// What may have a score: the slots zeroed before the array goes back to the pool.
    selection: &'s DocBits,
}

/// Score arrays kept between searches, every slot zero. Allocating and zeroing one per search
/// (400 KB at 100,000 documents) or keeping scores at each document's rank in the selection
/// (a count of bits per posting read) cost more than zeroing, after a search, the slots of the
/// documents it selected.
static POOL: Mutex<Vec<Vec<Score>>> = Mutex::new(Vec::new());
/// Arrays the pool keeps at most: searches running at once on two cores, and a few more.
const POOLED: usize = 8;

impl<'s> Scores<'s> {
    fn new(selection: &'s DocBits) -> Scores<'s> {
        let pooled = POOL.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut values = pooled.unwrap_or_default();
        // Every slot is zero, so shrinking or growing leaves only zeros.
        values.resize(selection.max_doc() as usize, 0.0);
        Scores {
            values,
            touched: Vec::new(),
            selection,
        }
    }
}

/// Whether every array in the pool has only zeros (for tests).
#[cfg(test)]
pub fn pooled_arrays_are_zero() -> bool {
    let pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
    pool.iter().all(|values| values.iter().all(|&v| v == 0.0))
}

impl Drop for Scores<'_> {
    fn drop(&mut self) {
        let mut values = std::mem::take(&mut self.values);
        // Only documents of the selection get scores.
        if self.selection.len() as usize * 8 > values.len() {
            values.fill(0.0);
        } else {
            self.selection
                .iter()
                .for_each(|doc| values[doc as usize] = 0.0);
        }
        let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
        if pool.len() < POOLED {
            pool.push(values);
        }
    }
}

/// Whether a document with `partial` points and at most `rest` to come stays below
/// `threshold`, allowing for rounding in the sums (relative: a sum of a hundred non-negative
/// terms is off by far less than 1e-4 of itself).
fn beyond(rest: Score, partial: Score, threshold: Score) -> bool {
    (partial + rest) * (1.0 + 1e-4) < threshold
}

/// A score that at least `k` of `scores` reach (`k` of them at least): the `k`-th highest, or,
/// among many, the lowest score of the highest buckets that hold `k`, which costs one pass
/// instead of a selection.
fn kth_best(scores: &[Score], k: usize) -> Score {
    const BUCKETS: usize = 1024;
    if scores.len() <= 4 * k.max(BUCKETS / 4) {
        let mut copy = scores.to_vec();
        let (_, kth, _) = copy.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
        return *kth;
    }
    let (low, high) = scores
        .iter()
        .fold((Score::INFINITY, Score::NEG_INFINITY), |(lo, hi), &s| {
            (lo.min(s), hi.max(s))
        });
    let width = (high - low) / BUCKETS as Score;
    if width <= 0.0 || !width.is_finite() {
        return low;
    }
    let mut counts = [0usize; BUCKETS];
    let mut lowest = [Score::INFINITY; BUCKETS];
    for &score in scores {
        let bucket = (((score - low) / width) as usize).min(BUCKETS - 1);
        counts[bucket] += 1;
        lowest[bucket] = lowest[bucket].min(score);
    }
    let (mut reached, mut floor) = (0, high);
    for bucket in (0..BUCKETS).rev() {
        reached += counts[bucket];
        floor = floor.min(lowest[bucket]);
        if reached >= k {
            break;
        }
    }
    floor
}

/// Adds the scores of one leaf to the documents of `wanted` it matches (and whose guards do);
/// `wanted` comes with how many documents it holds.
fn add_leaf(
    plan: &mut SegmentPlan<'_>,
    index: usize,
    (wanted, wanted_count): (&DocBits, u32),
    scores: &mut Scores<'_>,
) -> tantivy::Result<()> {
    let Scores {
        values, touched, ..
    } = scores;
    let mut add = |doc: DocId, score: Score| {
        let slot = &mut values[doc as usize];
        if *slot == 0.0 {
            touched.push(doc);
        }
        *slot += score;
    };
    let prepared = plan.prepared;
    let scored = &prepared.compiled.leaves[index];
    let allowed = match plan.guarded(&scored.guards)? {
        Some(mut guarded) => {
            guarded.and(wanted);
            Cow::Owned(guarded)
        }
        None => Cow::Borrowed(wanted),
    };
    let allowed = allowed.as_ref();
    match &scored.leaf {
        Leaf::Term { term, .. } => {
            let (Some(info), Some(bm25)) = (
                &prepared.term_infos[plan.segment][index],
                &prepared.bm25[index],
            ) else {
                return Ok(());
            };
            let field = term.field();
            let fieldnorms = plan.reader.get_fieldnorms_reader(field)?;
            let postings = plan
                .reader
                .inverted_index(field)?
                .read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
            // Most postings hold a word once: their scores, one per field length, come from a
            // table (the same numbers, without a division each).
            let once: Vec<Score> = (0..=255).map(|norm| bm25.score(norm, 1)).collect();
            for_each_allowed(postings, (allowed, wanted_count), |doc, freq| {
                let norm = fieldnorms.fieldnorm_id(doc);
                let score = if freq == 1 {
                    once[usize::from(norm)]
                } else {
                    bm25.score(norm, freq)
                };
                add(doc, score);
            });
        }
        Leaf::Const { term, weight } => {
            let Some(info) = &prepared.term_infos[plan.segment][index] else {
                return Ok(());
            };
            let postings = plan
                .reader
                .inverted_index(term.field())?
                .read_block_postings_from_terminfo(info, IndexRecordOption::Basic)?;
            for_each_allowed(postings, (allowed, wanted_count), |doc, _| {
                add(doc, *weight)
            });
        }
        Leaf::Phrase { .. } => {
            let Some(weight) = &prepared.phrases[index] else {
                return Ok(());
            };
            let mut scorer = weight.scorer(plan.reader, 1.0)?;
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                match allowed.next_from(doc) {
                    None => break,
                    Some(next) if next == doc => {
                        add(doc, scorer.score());
                        doc = scorer.advance();
                    }
                    Some(next) => doc = scorer.seek(next),
                }
            }
        }
    }
    Ok(())
}

/// Below one allowed document per this many postings, a block is searched for each allowed
/// document in its range instead of testing each of its postings.
const SPARSE_ONE_IN: u64 = 16;

/// Calls `visit` with each document of the postings that `allowed` holds, and its term
/// frequency (1 where frequencies are not read), skipping blocks without such a document.
/// `at_most` bounds how many documents `allowed` holds (counting them costs a pass over it).
fn for_each_allowed(
    mut postings: tantivy::postings::BlockSegmentPostings,
    (allowed, at_most): (&DocBits, u32),
    mut visit: impl FnMut(DocId, u32),
) {
    // A misspelt word's last leaves are read for a few hundred candidates, a page sorted by
    // distance for 20 documents: testing every posting of the blocks they fall in was most of
    // their scoring.
    let sparse = u64::from(at_most) * SPARSE_ONE_IN < u64::from(postings.doc_freq());
    let mut start = 0;
    loop {
        let docs = postings.docs();
        if docs.is_empty() {
            return;
        }
        let freqs = postings.freqs();
        let freq = |i: usize| freqs.get(i).copied().unwrap_or(1);
        let (first, last) = (docs[0], docs[docs.len() - 1]);
        let after = if sparse {
            let mut wanted = allowed.next_from(docs.get(start).map_or(last + 1, |&doc| doc));
            while let Some(doc) = wanted.filter(|&doc| doc <= last) {
                start += docs[start..].partition_point(|&d| d < doc);
                if docs[start] == doc {
                    visit(doc, freq(start));
                }
                wanted = allowed.next_from(doc + 1);
            }
            // The first allowed document after the block, found on the way.
            wanted
        } else {
            for (i, &doc) in docs.iter().enumerate().skip(start) {
                if allowed.contains(doc) {
                    visit(doc, freq(i));
                }
            }
            allowed.next_from(last + 1)
        };
        let Some(next) = after else {
            return;
        };
        if next - last <= last - first {
            // Most likely in the next block: reading it costs less than a seek.
            postings.advance();
            start = postings.docs().partition_point(|&doc| doc < next);
        } else {
            // Lands on the block that may hold `next`, at the first document not before it;
            // past the end when every document is before it.
            start = postings.seek(next);
            if start >= postings.docs().len() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::doc;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{Index, IndexWriter};

    /// Random sets of documents, from one in a thousand to one in two: sparse enough for the
    /// search within blocks, and dense enough for the test of every posting.
    fn random_sets(docs: u32) -> Vec<Vec<u32>> {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        [0.001, 0.003, 0.01, 0.03, 0.1, 0.5]
            .into_iter()
            .flat_map(|p| std::iter::repeat_n(p, 5))
            .map(|p| (0..docs).filter(|_| rng.random_bool(p)).collect())
            .collect()
    }

    /// Every posting the bitmap allows is visited once, in order, whatever the gaps between
    /// them: across many blocks of 128 and at the end of the list.
    #[test]
    fn visits_exactly_the_allowed_postings() {
        let mut builder = Schema::builder();
        let body = builder.add_text_field("body", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let docs = 5_000u32;
        for n in 0..docs {
            let text = if n % 3 == 0 { "a a" } else { "b" };
            writer.add_document(doc!(body => text)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let reader = searcher.segment_reader(0);
        let term = tantivy::Term::from_field_text(body, "a");
        let inverted = reader.inverted_index(body).unwrap();
        let info = inverted.get_term_info(&term).unwrap().unwrap();
        for allowed_docs in [
            (0..docs).collect::<Vec<_>>(),
            (0..docs).filter(|d| d % 1000 == 0).collect(),
            (0..docs).filter(|d| d % 7 == 0).collect(),
            (0..docs).filter(|d| d % 300 == 0).collect(),
            (0..docs).filter(|d| d % 390 == 0 || d % 391 == 0).collect(),
            vec![3, 4_998, 4_999],
            vec![4_999],
            vec![],
        ]
        .into_iter()
        .chain(random_sets(docs))
        {
            let mut allowed = DocBits::empty(reader.max_doc());
            allowed_docs.iter().for_each(|&d| allowed.insert(d));
            let postings = inverted
                .read_block_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)
                .unwrap();
            let mut seen = Vec::new();
            let count = allowed_docs.len() as u32;
            for_each_allowed(postings, (&allowed, count), |doc, freq| {
                seen.push((doc, freq))
            });
            let expected: Vec<(u32, u32)> = allowed_docs
                .iter()
                .filter(|d| *d % 3 == 0)
                .map(|&d| (d, 2))
                .collect();
            assert_eq!(seen, expected);
        }
    }
}
