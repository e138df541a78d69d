//! The engine against tantivy: for many queries on the demo dataset, the documents the engine
//! selects and the scores it gives them are those of tantivy's own evaluation of the same plan
//! (`Node::to_query`), every document scored exhaustively.

use std::collections::BTreeMap;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur};
use tantivy::{DocAddress, Searcher};

use super::document::Related;
use super::index::SearchIndex;
use super::matching::{Prepared, SegmentPlan};
use super::plan::{Compiled, Node};
use super::query::{Strictness, text_query};
use super::scoring;
use crate::model::decode_record;

fn demo_index() -> (tempfile::TempDir, SearchIndex) {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::create(dir.path(), 2).unwrap();
    for line in crate::DEMO_DATASET.lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        let record = decode_record(value).unwrap();
        index.upsert(&record, &Related::default()).unwrap();
    }
    index.commit(1).unwrap();
    (dir, index)
}

/// Every selected document with the engine's score.
fn engine(searcher: &Searcher, plan: &Node) -> BTreeMap<DocAddress, f32> {
    let prepared = Prepared::new(searcher, Compiled::new(plan)).unwrap();
    let mut out = BTreeMap::new();
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let mut segment = SegmentPlan::new(&prepared, ord, reader);
        let mut selection = segment.matches().unwrap();
        if let Some(alive) = reader.alive_bitset() {
            selection.retain(|doc| alive.is_alive(doc));
        }
        let scores = scoring::scores(&mut segment, &selection).unwrap();
        for (doc, score) in selection.iter().zip(scores) {
            out.insert(DocAddress::new(ord as u32, doc), score);
        }
    }
    out
}

/// Every matching document with tantivy's score.
fn reference(searcher: &Searcher, plan: &Node) -> BTreeMap<DocAddress, f32> {
    let everything = TopDocs::with_limit(searcher.num_docs() as usize + 1).order_by_score();
    searcher
        .search(plan.to_query().as_ref(), &everything)
        .unwrap()
        .into_iter()
        .map(|(score, address)| (address, score))
        .collect()
}

fn assert_same(searcher: &Searcher, what: &str, plan: &Node) {
    let (ours, theirs) = (engine(searcher, plan), reference(searcher, plan));
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>(),
        "{what}: different documents"
    );
    for (address, score) in &ours {
        let expected = theirs[address];
        assert!(
            (score - expected).abs() <= 1e-4 * expected.abs().max(1.0),
            "{what}: {address:?} scores {score}, tantivy {expected}"
        );
    }
}

#[test]
fn the_engine_matches_and_scores_every_query_as_tantivy_does() {
    let (_dir, index) = demo_index();
    let searcher = index.searcher();
    let judged: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("../../tests/data/relevance.json")).unwrap();
    let mut texts: Vec<String> = judged
        .iter()
        .map(|q| q["query"].as_str().unwrap().to_owned())
        .collect();
    // Kinds of organisation alone and with a topic, synonyms of several words, five words or
    // more (one may be missing), a typo, an unfinished last word, English, nothing known.
    texts.extend(
        [
            "OJF",
            "shoqata mjedisore",
            "organizatë e shoqërisë civile Vlorë",
            "shoqëri civile",
            "të drejtat e njeriut të grave në Shkodër",
            "monitorim prokurimi publik bashkia Vlore transparence",
            "prokurimt",
            "mjed",
            "public procurement monitoring",
            "qwzx",
        ]
        .map(str::to_owned),
    );
    let mut compared = 0;
    for text in &texts {
        for strictness in [Strictness::Normal, Strictness::Relaxed, Strictness::Any] {
            let query = text_query(&searcher, searcher.schema(), text, strictness);
            let Some(plan) = query.plan else {
                continue;
            };
            assert_same(&searcher, &format!("{text:?} {strictness:?}"), &plan);
            compared += 1;
        }
    }
    assert!(compared >= 3 * 85, "{compared} plans compared");
}

/// The pruned search for the best `k` gives every document that scores at least the `k`-th
/// best, with the score exhaustive scoring gives it.
#[test]
fn the_best_k_are_those_of_exhaustive_scoring() {
    let (_dir, index) = demo_index();
    let searcher = index.searcher();
    let texts = [
        "mjedis",
        "shoqeri civile",
        "organizatave rinore",
        "prokurimt publik",
        "public procurement monitoring",
        "OSHC mjedisore",
        "të drejtat e grave Shkodër",
        "OJF",
    ];
    for text in texts {
        let plan = text_query(&searcher, searcher.schema(), text, Strictness::Normal)
            .plan
            .unwrap();
        let prepared = Prepared::new(&searcher, Compiled::new(&plan)).unwrap();
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let selection = SegmentPlan::new(&prepared, ord, reader).matches().unwrap();
            let exhaustive: BTreeMap<u32, f32> = selection
                .iter()
                .zip(
                    scoring::scores(&mut SegmentPlan::new(&prepared, ord, reader), &selection)
                        .unwrap(),
                )
                .collect();
            let mut ranked: Vec<f32> = exhaustive.values().copied().collect();
            ranked.sort_by(|a, b| b.total_cmp(a));
            for k in [1, 5, 20, 100] {
                let best: BTreeMap<u32, f32> =
                    scoring::best(&mut SegmentPlan::new(&prepared, ord, reader), &selection, k)
                        .unwrap()
                        .into_iter()
                        .collect();
                for (doc, score) in &best {
                    assert_eq!(exhaustive[doc], *score, "{text:?} k={k} doc {doc}");
                }
                let Some(&kth) = ranked.get(k - 1) else {
                    assert_eq!(best.len(), exhaustive.len());
                    continue;
                };
                for (doc, score) in &exhaustive {
                    if *score >= kth {
                        assert!(
                            best.contains_key(doc),
                            "{text:?} k={k}: {doc} ({score}) missing"
                        );
                    }
                }
            }
        }
    }
}

/// Score arrays go back to the pool with every slot zero, whatever was scored: dense and
/// sparse selections, with and without the best `k` (windows of the dense tail included).
#[test]
fn score_arrays_go_back_to_the_pool_empty() {
    let (_dir, index) = demo_index();
    let searcher = index.searcher();
    for text in [
        "mjedis",
        "shoqeri civile",
        "prokurimt publik",
        "OJF",
        "qwzx",
    ] {
        let plan = text_query(&searcher, searcher.schema(), text, Strictness::Normal).plan;
        let Some(plan) = plan else { continue };
        let prepared = Prepared::new(&searcher, Compiled::new(&plan)).unwrap();
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let all = SegmentPlan::new(&prepared, ord, reader).matches().unwrap();
            let mut few = all.clone();
            few.retain(|doc| doc % 7 == 0);
            for selection in [&all, &few] {
                let plan = || SegmentPlan::new(&prepared, ord, reader);
                scoring::scores(&mut plan(), selection).unwrap();
                for k in [1, 20] {
                    scoring::best(&mut plan(), selection, k).unwrap();
                }
                assert!(scoring::pooled_arrays_are_zero(), "{text:?}");
            }
        }
    }
}

#[test]
fn preferences_score_a_fixed_weight_where_they_match() {
    let (_dir, index) = demo_index();
    let searcher = index.searcher();
    let fields = super::schema::build().1;
    let preference = |field, value: &str, weight| {
        Node::constant(
            super::filters::facet_term(fields.facet(field), value),
            weight,
        )
    };
    use super::request::FilterField::{County, ThematicArea};
    let text = text_query(&searcher, searcher.schema(), "mjedis", Strictness::Normal)
        .plan
        .unwrap();
    let preferences = Node::any(vec![
        preference(ThematicArea, "environment", 2.0),
        preference(County, "Vlorë", 1.5),
    ]);
    assert_same(&searcher, "preferences", &preferences);
    let scores: std::collections::BTreeSet<String> = engine(&searcher, &preferences)
        .values()
        .map(|score| score.to_string())
        .collect();
    assert_eq!(scores, ["1.5", "2", "3.5"].map(str::to_owned).into());
    assert_same(
        &searcher,
        "text or preferences",
        &Node::any(vec![text, preferences]),
    );
}

/// A one-word suggestion is tantivy's pruned union (block-max WAND); it gives the best names
/// exhaustive scoring of the same union gives, in the same order.
#[test]
fn suggestions_pruned_are_those_of_exhaustive_scoring() {
    let (_dir, index) = demo_index();
    let searcher = index.searcher();
    for text in [
        "s", "sh", "q", "m", "o", "shoq", "qendra p", "rrjeti", "zzz",
    ] {
        let query = super::suggest::name_query(&searcher, index.fields(), text).unwrap();
        // Wrapped in a boolean query of one required clause, nothing is pruned.
        let wrapped = BooleanQuery::new(vec![(Occur::Must, query.box_clone())]);
        for limit in [1, 5, 20] {
            let top = TopDocs::with_limit(limit).order_by_score();
            let pruned = searcher.search(&query, &top).unwrap();
            let exhaustive = searcher.search(&wrapped, &top).unwrap();
            assert_eq!(pruned.len(), exhaustive.len(), "{text:?} limit {limit}");
            for ((score, address), (expected, expected_address)) in pruned.iter().zip(&exhaustive) {
                assert_eq!(address, expected_address, "{text:?} limit {limit}");
                assert!((score - expected).abs() <= 1e-4 * expected.abs().max(1.0));
            }
        }
    }
}

#[test]
fn a_rollback_drops_what_was_added_since_the_last_commit() {
    let (_dir, index) = demo_index();
    let before = index.contents().unwrap();
    let first = crate::DEMO_DATASET.lines().next().unwrap();
    let record = decode_record(serde_json::from_str(first).unwrap()).unwrap();
    // Half of a batch that then failed: its changes will be applied again from the last commit.
    index.add(&record, &Related::default()).unwrap();
    index.set_applied(7);
    index.rollback().unwrap();
    assert_eq!(index.applied_seq(), index.committed_seq());
    index.commit(2).unwrap();
    assert_eq!(index.contents().unwrap(), before, "each record once");
}
