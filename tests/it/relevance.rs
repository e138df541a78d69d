//! Relevance over the demo data: the cases of `tests/data/relevance.json` (realistic queries in
//! Albanian with and without diacritics, inflected, misspelt, English, acronyms, expertise,
//! names, theme + place), each with the records a judge would want, chosen from the records'
//! content by the rules in `tests/data/make_relevance.py`. Reports success@1, recall@10 (capped:
//! found / min(relevant, 10)) and nDCG@10 (binary gains), overall and per category, and fails
//! when they fall below the figures reached (recorded in BENCHMARKS.md).

use std::collections::{BTreeMap, BTreeSet};

use reqwest::StatusCode;
use serde::Deserialize;

use crate::helpers::*;

/// Figures reached, rounded down (see BENCHMARKS.md).
const MIN_SUCCESS_AT_1: f64 = 0.85;
const MIN_RECALL_AT_10: f64 = 0.86;
const MIN_NDCG_AT_10: f64 = 0.84;

#[derive(Deserialize)]
struct Case {
    query: String,
    category: String,
    relevant: BTreeSet<String>,
}

#[derive(Default, Clone, Copy)]
struct Scores {
    cases: usize,
    success_at_1: f64,
    recall_at_10: f64,
    ndcg_at_10: f64,
}

impl Scores {
    fn add(&mut self, found: &[String], relevant: &BTreeSet<String>) {
        let top: Vec<&String> = found.iter().take(10).collect();
        self.cases += 1;
        self.success_at_1 += f64::from(top.first().is_some_and(|id| relevant.contains(*id)));
        let hits = top.iter().filter(|id| relevant.contains(**id)).count();
        self.recall_at_10 += hits as f64 / relevant.len().min(10) as f64;
        let dcg: f64 = top
            .iter()
            .enumerate()
            .filter(|(_, id)| relevant.contains(**id))
            .map(|(rank, _)| 1.0 / (rank as f64 + 2.0).log2())
            .sum();
        let ideal: f64 = (0..relevant.len().min(10))
            .map(|rank| 1.0 / (rank as f64 + 2.0).log2())
            .sum();
        self.ndcg_at_10 += dcg / ideal;
    }

    fn mean(self) -> (f64, f64, f64) {
        let n = self.cases as f64;
        (
            self.success_at_1 / n,
            self.recall_at_10 / n,
            self.ndcg_at_10 / n,
        )
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn relevance_on_the_demo_data_stays_at_the_measured_level() {
    let cases: Vec<Case> =
        serde_json::from_str(include_str!("../data/relevance.json")).expect("relevance cases");
    assert!(cases.len() >= 60, "at least 60 cases");
    let dir = data_dir();
    let server = spawn(dir.path()).await;
    let (status, body) = server.import(rrjeti::DEMO_DATASET.to_owned()).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let mut overall = Scores::default();
    let mut by_category: BTreeMap<String, Scores> = BTreeMap::new();
    let mut worst = Vec::new();
    for case in &cases {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &case.query)
            .append_pair("limit", "10")
            .finish();
        let found = server.search_ids(&query).await;
        let mut one = Scores::default();
        one.add(&found, &case.relevant);
        overall.add(&found, &case.relevant);
        by_category
            .entry(case.category.clone())
            .or_default()
            .add(&found, &case.relevant);
        let (_, recall, ndcg) = one.mean();
        worst.push((ndcg, recall, case.query.clone(), found));
    }
    println!("category        cases  success@1  recall@10  nDCG@10");
    for (category, scores) in by_category.iter().chain([(&"all".to_owned(), &overall)]) {
        let (s1, r10, n10) = scores.mean();
        println!(
            "{category:<15} {:>5}  {s1:>9.3}  {r10:>9.3}  {n10:>7.3}",
            scores.cases
        );
    }
    worst.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (ndcg, recall, query, found) in worst.iter().take(12) {
        println!(
            "weak: {query:?} nDCG {ndcg:.2} recall {recall:.2} top: {:?}",
            &found[..found.len().min(3)]
        );
    }
    let (s1, r10, n10) = overall.mean();
    assert!(s1 >= MIN_SUCCESS_AT_1, "success@1 {s1:.3}");
    assert!(r10 >= MIN_RECALL_AT_10, "recall@10 {r10:.3}");
    assert!(n10 >= MIN_NDCG_AT_10, "nDCG@10 {n10:.3}");
    server.stop().await;
}
