//! As-you-type suggestions: organisation and network names (and acronyms) that the typed words
//! begin, and expertise tags with a word that the last typed word begins.

use std::collections::BTreeMap;

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, Searcher, Term};

use super::SearchError;
use super::analysis::query_words;
use super::document::TAG_KEY_SEPARATOR;
use super::query::completions_up_to;
use super::schema::Fields;
use crate::model::{RecordKind, fold};

/// Completions of the last word tried per field, the most frequent; more than a search uses,
/// since a name may be rare. A rare word's name is found once a letter or two more narrow the
/// prefix. 64 made the first letter typed take twice as long (block-max WAND over 192 terms:
/// `suggest?q=s` 1.4-1.8 ms of server CPU against 0.8 with 16).
const MAX_NAME_COMPLETIONS: usize = 16;
/// Tag keys read from the index to find the most frequent tags.
const MAX_TAG_KEYS: usize = 2_000;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    #[serde(rename = "type")]
    pub kind: RecordKind,
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acronym: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TagSuggestion {
    pub tag: String,
    /// Records that list the tag.
    pub count: usize,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Suggestions {
    pub names: Vec<Suggestion>,
    pub expertise: Vec<TagSuggestion>,
}

/// The addresses of the records whose name, acronym or other names hold every typed word, the
/// last one possibly unfinished, best first.
pub fn names(
    searcher: &Searcher,
    fields: &Fields,
    text: &str,
    limit: usize,
) -> Result<Vec<DocAddress>, SearchError> {
    let Some(query) = name_query(searcher, fields, text) else {
        return Ok(Vec::new());
    };
    let top = searcher.search(&query, &TopDocs::with_limit(limit.max(1)).order_by_score())?;
    Ok(top.into_iter().map(|(_, address)| address).collect())
}

/// Every typed word in a name field, the last one also as any of its most frequent
/// completions; `None` for text without words.
pub(super) fn name_query(
    searcher: &Searcher,
    fields: &Fields,
    text: &str,
) -> Option<Box<dyn Query>> {
    let words = query_words(text);
    let (last, before) = words.split_last()?;
    let name_fields = [
        (fields.name, 2.0),
        (fields.acronym, 2.0),
        (fields.other_names, 1.0),
    ];
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = before
        .iter()
        .map(|word| {
            (
                Occur::Must,
                any_field(&name_fields, std::slice::from_ref(&word.exact)),
            )
        })
        .collect();
    let mut last_forms = vec![last.exact.clone()];
    for (field, _) in name_fields {
        last_forms.extend(completions_up_to(
            searcher,
            field,
            &last.exact,
            MAX_NAME_COMPLETIONS,
        ));
    }
    last_forms.sort();
    last_forms.dedup();
    let last_word = any_field(&name_fields, &last_forms);
    // One word alone is the union itself, not wrapped: tantivy then skips the names that cannot
    // reach the best `limit` (block-max WAND), instead of scoring every name the prefix
    // completes ("s": most of the directory).
    Some(if clauses.is_empty() {
        last_word
    } else {
        clauses.push((Occur::Must, last_word));
        Box::new(BooleanQuery::new(clauses))
    })
}

fn any_field(fields: &[(Field, f32)], forms: &[String]) -> Box<dyn Query> {
    let clauses = fields
        .iter()
        .flat_map(|&(field, weight)| {
            forms.iter().map(move |form| {
                let term = TermQuery::new(
                    Term::from_field_text(field, form),
                    IndexRecordOption::WithFreqs,
                );
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(term), weight)) as Box<dyn Query>,
                )
            })
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// The expertise tags with a word from which on the tag begins with the typed text, most
/// used first.
pub fn tags(
    searcher: &Searcher,
    fields: &Fields,
    text: &str,
    limit: usize,
) -> Result<Vec<TagSuggestion>, SearchError> {
    let prefix = fold(text.trim());
    if prefix.is_empty() {
        return Ok(Vec::new());
    }
    let upper = [prefix.as_bytes(), &[0xFF]].concat();
    // Tag → one of its keys and (approximate) number of documents.
    let mut found: BTreeMap<String, (Vec<u8>, u32)> = BTreeMap::new();
    let mut scanned = 0;
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(fields.tag_keys)?;
        let mut stream = inverted
            .terms()
            .range()
            .ge(prefix.as_bytes())
            .lt(&upper)
            .into_stream()?;
        while let Some((key, info)) = stream.next() {
            let Ok(key_text) = std::str::from_utf8(key) else {
                continue;
            };
            let Some((_, tag)) = key_text.split_once(TAG_KEY_SEPARATOR) else {
                continue;
            };
            let entry = found
                .entry(tag.to_owned())
                .or_insert_with(|| (key.to_vec(), 0));
            entry.1 += info.doc_freq;
            scanned += 1;
            if scanned >= MAX_TAG_KEYS {
                break;
            }
        }
    }
    let mut ranked: Vec<(String, Vec<u8>, u32)> = found
        .into_iter()
        .map(|(tag, (key, n))| (tag, key, n))
        .collect();
    ranked.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    // Document frequencies still count deleted documents: count the candidates exactly.
    let mut out = Vec::new();
    for (tag, key, _) in ranked {
        if out.len() == limit {
            break;
        }
        let key = String::from_utf8_lossy(&key).into_owned();
        let term = Term::from_field_text(fields.tag_keys, &key);
        let count = searcher.search(&TermQuery::new(term, IndexRecordOption::Basic), &Count)?;
        if count > 0 {
            out.push(TagSuggestion { tag, count });
        }
    }
    Ok(out)
}
