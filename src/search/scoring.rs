//! Scores of the selected documents of a segment, one leaf of the plan at a time: each leaf's
//! postings are read once (skipping blocks that hold no selected document) and its BM25 score,
//! fixed weight or phrase score is added to the documents it matches. Every document sums its
//! leaves in the same order, so equal documents get equal scores.

use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, Score, TERMINATED};

use super::bits::DocBits;
use super::matching::SegmentPlan;
use super::plan::Leaf;

/// The score of every document of `selection` (indexed by document id; 0 elsewhere).
pub fn scores(plan: &mut SegmentPlan<'_>, selection: &DocBits) -> tantivy::Result<Vec<Score>> {
    let mut scores = vec![0.0; selection.max_doc() as usize];
    if selection.is_empty() {
        return Ok(scores);
    }
    let prepared = plan.prepared;
    for (index, scored) in prepared.compiled.leaves.iter().enumerate() {
        let guarded = plan.guarded(&scored.guards)?;
        let allowed = match guarded {
            Some(mut guarded) => {
                guarded.and(selection);
                std::borrow::Cow::Owned(guarded)
            }
            None => std::borrow::Cow::Borrowed(selection),
        };
        let allowed = allowed.as_ref();
        match &scored.leaf {
            Leaf::Term { term, .. } => {
                let (Some(info), Some(bm25)) = (
                    &prepared.term_infos[plan.segment][index],
                    &prepared.bm25[index],
                ) else {
                    continue;
                };
                let field = term.field();
                let fieldnorms = plan.reader.get_fieldnorms_reader(field)?;
                let postings = plan
                    .reader
                    .inverted_index(field)?
                    .read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
                for_each_allowed(postings, allowed, |doc, freq| {
                    scores[doc as usize] += bm25.score(fieldnorms.fieldnorm_id(doc), freq);
                });
            }
            Leaf::Const { term, weight } => {
                let Some(info) = &prepared.term_infos[plan.segment][index] else {
                    continue;
                };
                let postings = plan
                    .reader
                    .inverted_index(term.field())?
                    .read_block_postings_from_terminfo(info, IndexRecordOption::Basic)?;
                for_each_allowed(postings, allowed, |doc, _| scores[doc as usize] += weight);
            }
            Leaf::Phrase { .. } => {
                let Some(weight) = &prepared.phrases[index] else {
                    continue;
                };
                let mut scorer = weight.scorer(plan.reader, 1.0)?;
                let mut doc = scorer.doc();
                while doc != TERMINATED {
                    match allowed.next_from(doc) {
                        None => break,
                        Some(next) if next == doc => {
                            scores[doc as usize] += scorer.score();
                            doc = scorer.advance();
                        }
                        Some(next) => doc = scorer.seek(next),
                    }
                }
            }
        }
    }
    Ok(scores)
}

/// Calls `visit` with each document of the postings that `allowed` holds, and its term
/// frequency (1 where frequencies are not read), skipping blocks without such a document.
fn for_each_allowed(
    mut postings: tantivy::postings::BlockSegmentPostings,
    allowed: &DocBits,
    mut visit: impl FnMut(DocId, u32),
) {
    let mut start = 0;
    loop {
        let docs = postings.docs();
        if start >= docs.len() {
            return;
        }
        let freqs = postings.freqs();
        for (i, &doc) in docs.iter().enumerate().skip(start) {
            if allowed.contains(doc) {
                visit(doc, freqs.get(i).copied().unwrap_or(1));
            }
        }
        let last = docs[docs.len() - 1];
        match allowed.next_from(last + 1) {
            None => return,
            // Lands on the block that may hold `next`, at the first document not before it.
            Some(next) => start = postings.seek(next),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::doc;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{Index, IndexWriter};

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
            vec![3, 4_998, 4_999],
            vec![4_999],
            vec![],
        ] {
            let mut allowed = DocBits::empty(reader.max_doc());
            allowed_docs.iter().for_each(|&d| allowed.insert(d));
            let postings = inverted
                .read_block_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)
                .unwrap();
            let mut seen = Vec::new();
            for_each_allowed(postings, &allowed, |doc, freq| seen.push((doc, freq)));
            let expected: Vec<(u32, u32)> = allowed_docs
                .iter()
                .filter(|d| *d % 3 == 0)
                .map(|&d| (d, 2))
                .collect();
            assert_eq!(seen, expected);
        }
    }
}
