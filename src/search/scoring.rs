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

use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, Score, TERMINATED};

use super::bits::{DocBits, Ranks};
use super::matching::SegmentPlan;
use super::plan::Leaf;
use super::windows::{self, DENSE_ONE_IN, TailTerm};

/// Where a selected document's score is kept: at its id when the selection is dense (no
/// counting needed), at its rank in the selection when it is sparse (a small array).
enum Slots<'a> {
    ById,
    ByRank(Ranks<'a>),
}

impl<'a> Slots<'a> {
    /// Slots for `selection`, and how many there are.
    fn new(selection: &'a DocBits) -> (Slots<'a>, usize) {
        let count = selection.len() as usize;
        if count * 16 >= selection.max_doc() as usize {
            (Slots::ById, selection.max_doc() as usize)
        } else {
            (Slots::ByRank(selection.ranks()), count)
        }
    }

    #[inline]
    fn of(&self, doc: DocId) -> usize {
        match self {
            Slots::ById => doc as usize,
            Slots::ByRank(ranks) => ranks.of(doc),
        }
    }
}

/// The score of every document of `selection`, in the order of the selection.
pub fn scores(plan: &mut SegmentPlan<'_>, selection: &DocBits) -> tantivy::Result<Vec<Score>> {
    if selection.is_empty() {
        return Ok(Vec::new());
    }
    let (slots, size) = Slots::new(selection);
    let mut scores = Scores::new(size);
    let count = selection.len();
    for &leaf in &plan.prepared.order {
        add_leaf(plan, leaf, (selection, count), &slots, &mut scores)?;
    }
    Ok(match slots {
        Slots::ById => selection
            .iter()
            .map(|doc| scores.values[doc as usize])
            .collect(),
        Slots::ByRank(_) => scores.values,
    })
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
    let (slots, size) = Slots::new(selection);
    let mut scores = Scores::new(size);
    // Every selected document may get a score: one allocation instead of growing by copies.
    scores.touched.reserve(count);
    let scored = |scores: &Scores| {
        selection
            .iter()
            .map(|doc| (doc, scores.values[slots.of(doc)]))
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
            let Scores { values, touched } = &mut scores;
            return windows::score_tail(
                plan.reader,
                &tail,
                selection,
                k,
                values,
                touched,
                |doc| slots.of(doc),
                |bound, threshold| beyond(bound, 0.0, threshold),
            );
        }
        let Some(leaf) = leaves.next() else {
            return Ok(scored(&scores));
        };
        add_leaf(plan, leaf, (selection, count as u32), &slots, &mut scores)?;
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
            let of = |&doc: &DocId| scores.values[slots.of(doc)];
            scores.touched.iter().map(of).filter(beats).collect()
        };
        if leaders.len() >= k {
            break (kth_best(&leaders, k), rest);
        }
    };
    // Then only the documents that can still make it (some leaf read has scored them), fewer
    // after every leaf.
    let mut candidates: Vec<(DocId, usize)> = scores
        .touched
        .iter()
        .map(|&doc| (doc, slots.of(doc)))
        .filter(|&(_, slot)| !beyond(rest, scores.values[slot], threshold))
        .collect();
    let mut wanted = DocBits::empty(selection.max_doc());
    candidates.iter().for_each(|&(doc, _)| wanted.insert(doc));
    for leaf in leaves {
        add_leaf(
            plan,
            leaf,
            (&wanted, candidates.len() as u32),
            &slots,
            &mut scores,
        )?;
        read += 1;
        let rest = rest_after(read);
        let partial: Vec<Score> = candidates
            .iter()
            .map(|&(_, slot)| scores.values[slot])
            .collect();
        let threshold = kth_best(&partial, k);
        candidates.retain(|&(doc, slot)| {
            let keep = !beyond(rest, scores.values[slot], threshold);
            if !keep {
                wanted.remove(doc);
            }
            keep
        });
    }
    Ok(candidates
        .into_iter()
        .map(|(doc, slot)| (doc, scores.values[slot]))
        .collect())
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

/// Scores in their slots, and the documents that have one (in the order they got it).
struct Scores {
    values: Vec<Score>,
    touched: Vec<DocId>,
}

impl Scores {
    fn new(slots: usize) -> Scores {
        Scores {
            values: vec![0.0; slots],
            touched: Vec::new(),
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
    slots: &Slots<'_>,
    scores: &mut Scores,
) -> tantivy::Result<()> {
    let Scores { values, touched } = scores;
    let mut add = |doc: DocId, score: Score| {
        let slot = &mut values[slots.of(doc)];
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
