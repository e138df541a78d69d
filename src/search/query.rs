//! Turns the text of a search into a tantivy query. Each word must match somewhere (one may be
//! missing from five words on, words that only name a kind of organisation are optional, half of them on a second try that relaxes a query that found
//! nothing; matching more words scores more); within a word, an exact (folded) match counts most, then the stemmed forms (Albanian and English),
//! then completions of the last word and spellings one or two typos away. Synonym groups
//! (`index/synonyms.txt`) widen a word or phrase to its equivalents, and the words as a phrase
//! (or near each other) add to the score.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use tantivy::query::{
    BooleanQuery, BoostQuery, DfaWrapper, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Schema};
use tantivy::{Searcher, Term};

use super::analysis::{QueryWord, folded_analyzer, query_words, tokens};
use super::synonyms::synonyms;

/// Which form of a word a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Exact,
    Albanian,
    English,
}

/// A searched text field: its weight, the form of words it holds, and whether typos and
/// completions are looked up in it.
struct TextField {
    name: &'static str,
    weight: f32,
    form: Form,
    typos: bool,
}

const fn field(name: &'static str, weight: f32, form: Form, typos: bool) -> TextField {
    TextField {
        name,
        weight,
        form,
        typos,
    }
}

/// Name and acronym above expertise above description; an exact match (which also matches the
/// stemmed field) above a stemmed one.
const TEXT_FIELDS: [TextField; 18] = [
    field("name", 3.0, Form::Exact, true),
    field("acronym", 3.0, Form::Exact, false),
    field("other_names", 2.0, Form::Exact, true),
    field("expertise", 1.5, Form::Exact, true),
    field("themes", 1.0, Form::Exact, true),
    field("groups", 0.5, Form::Exact, true),
    field("places", 1.0, Form::Exact, true),
    field("region", 0.5, Form::Exact, false),
    field("description", 0.8, Form::Exact, true),
    field("name_sq", 2.0, Form::Albanian, false),
    field("expertise_sq", 1.0, Form::Albanian, false),
    field("themes_sq", 0.7, Form::Albanian, false),
    field("groups_sq", 0.35, Form::Albanian, false),
    field("places_sq", 0.7, Form::Albanian, false),
    field("region_sq", 0.35, Form::Albanian, false),
    field("description_sq", 0.5, Form::Albanian, false),
    field("name_en", 1.5, Form::English, false),
    field("text_en", 0.7, Form::English, false),
];

/// The last word also matches as a prefix ("mjedis" finds "mjedisit"), at this fraction of the
/// weight of an exact match, when it has at least `PREFIX_MIN_CHARS` characters.
const PREFIX_WEIGHT: f32 = 0.5;
pub const PREFIX_MIN_CHARS: usize = 3;
/// Completions of the last word matched per field: the most frequent ones.
const MAX_COMPLETIONS: usize = 12;
/// Completions looked at per field to find the most frequent ones.
const MAX_SCANNED: usize = 512;
/// A spelling one or two typos away counts this fraction of an exact match.
const TYPO_WEIGHT: f32 = 0.3;
/// Spellings within reach of a typo matched per field: the most frequent ones.
const MAX_TYPO_TERMS: usize = 8;
/// A synonym counts this fraction of the words the user typed.
const SYNONYM_WEIGHT: f32 = 0.8;
/// The words as a phrase, allowing this many moves, add this weight times the field's.
const PHRASE_SLOP: u32 = 2;
const PHRASE_WEIGHT: f32 = 1.0;
const PHRASE_FIELDS: [&str; 3] = ["name", "expertise", "description"];

/// The typos a word tolerates: none below 5 characters or for codes and acronyms typed in
/// capitals or with digits, 1 from 5 characters, 2 from 9.
pub fn typo_budget(word: &QueryWord) -> u8 {
    let is_code = word.typed.chars().any(|c| c.is_ascii_digit())
        || (word.typed.chars().count() > 1 && word.typed.chars().all(char::is_uppercase));
    match word.exact.chars().count() {
        _ if is_code => 0,
        0..5 => 0,
        5..9 => 1,
        _ => 2,
    }
}

/// Whether a word only names a kind of organisation (`index/generic_words.txt`).
fn is_generic(word: &QueryWord) -> bool {
    static GENERIC: OnceLock<BTreeSet<String>> = OnceLock::new();
    let generic = GENERIC.get_or_init(|| {
        include_str!("../../index/generic_words.txt")
            .lines()
            .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
            .flat_map(query_words)
            .filter_map(|w| w.albanian)
            .collect()
    });
    word.albanian
        .as_ref()
        .is_some_and(|stem| generic.contains(stem))
}

/// The terms a query matched with, per form, for highlighting.
#[derive(Debug, Default, Clone)]
pub struct Marks {
    pub exact: BTreeSet<String>,
    pub albanian: BTreeSet<String>,
    pub english: BTreeSet<String>,
}

impl Marks {
    fn add(&mut self, form: Form, term: &str) {
        let set = match form {
            Form::Exact => &mut self.exact,
            Form::Albanian => &mut self.albanian,
            Form::English => &mut self.english,
        };
        if !set.contains(term) {
            set.insert(term.to_owned());
        }
    }
}

/// A clause of a boolean query.
type Clause = (Occur, Box<dyn Query>);

pub struct TextQuery {
    /// `None` when the text has no words.
    pub query: Option<Box<dyn Query>>,
    pub marks: Marks,
}

/// How many of a query's words (or synonym terms) a record must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    /// All of up to four words; all but one of five or more.
    Normal,
    /// Half of them (at least one): the second try of a query that found nothing.
    Relaxed,
}

impl Strictness {
    fn required(self, words: usize) -> usize {
        match self {
            Strictness::Normal if words <= 4 => words,
            Strictness::Normal => words - 1,
            Strictness::Relaxed => words.div_ceil(2).max(1),
        }
    }
}

/// Builds the query of `text` against the index `searcher` reads.
pub fn text_query(
    searcher: &Searcher,
    schema: &Schema,
    text: &str,
    strictness: Strictness,
) -> TextQuery {
    let words = query_words(text);
    let content: Vec<QueryWord> = words.iter().filter(|w| !w.is_stopword()).cloned().collect();
    let content = if content.is_empty() { words } else { content };
    let mut builder = Builder {
        searcher,
        fields: TEXT_FIELDS
            .iter()
            .filter_map(|f| schema.get_field(f.name).ok().map(|field| (field, f)))
            .collect(),
        marks: Marks::default(),
    };
    if content.is_empty() {
        return TextQuery {
            query: None,
            marks: builder.marks,
        };
    }
    let matches = synonyms().find(&content);
    // Each word or synonym term, and whether it only names a kind of organisation.
    let mut slots: Vec<(bool, Clause)> = Vec::new();
    let mut position = 0;
    while position < content.len() {
        let last = content.len() - 1;
        match matches.iter().find(|m| m.start == position) {
            Some(found) => {
                let typed = &content[position..position + found.len];
                let mut any: Vec<(Occur, Box<dyn Query>)> = vec![(
                    Occur::Should,
                    builder.all_words(typed, position, last, true),
                )];
                for alternative in &found.alternatives {
                    let query = builder.all_words(alternative, 0, usize::MAX, false);
                    any.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(query, SYNONYM_WEIGHT)),
                    ));
                }
                let generic = typed.iter().all(is_generic);
                slots.push((generic, (Occur::Should, Box::new(BooleanQuery::new(any)))));
                position += found.len;
            }
            None => {
                let word = &content[position];
                let query = builder.word(word, position == last, true);
                slots.push((is_generic(word), (Occur::Should, query)));
                position += 1;
            }
        }
    }
    // Words that only name a kind of organisation score where they match but are not required,
    // unless the query has nothing else.
    let (generic, specific): (Vec<_>, Vec<_>) = slots.into_iter().partition(|slot| slot.0);
    let (required_slots, optional_slots) = if specific.is_empty() {
        (generic, Vec::new())
    } else {
        (specific, generic)
    };
    let required = strictness.required(required_slots.len());
    let words = BooleanQuery::with_minimum_required_clauses(
        required_slots
            .into_iter()
            .map(|(_, clause)| clause)
            .collect(),
        required,
    );
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(words))];
    clauses.extend(optional_slots.into_iter().map(|(_, clause)| clause));
    if content.len() > 1 {
        clauses.extend(builder.phrase(text));
    }
    TextQuery {
        query: Some(Box::new(BooleanQuery::new(clauses))),
        marks: builder.marks,
    }
}

struct Builder<'a> {
    searcher: &'a Searcher,
    fields: Vec<(Field, &'static TextField)>,
    marks: Marks,
}

impl Builder<'_> {
    /// Every word of `words` (the first at `offset` in the query), each matched as [`word`].
    fn all_words(
        &mut self,
        words: &[QueryWord],
        offset: usize,
        last: usize,
        tolerant: bool,
    ) -> Box<dyn Query> {
        let clauses = words
            .iter()
            .enumerate()
            .map(|(i, w)| (Occur::Must, self.word(w, offset + i == last, tolerant)))
            .collect();
        Box::new(BooleanQuery::new(clauses))
    }

    /// One word in any field and form; as a prefix when `last`, with typos when `tolerant`.
    fn word(&mut self, word: &QueryWord, last: bool, tolerant: bool) -> Box<dyn Query> {
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let typos = if tolerant { typo_budget(word) } else { 0 };
        let automaton = (typos > 0)
            .then(|| {
                let term = Term::from_field_text(self.fields[0].0, &word.exact);
                FuzzyTermQuery::new(term, typos, true).automaton().ok()
            })
            .flatten();
        let as_prefix = last && word.exact.chars().count() >= PREFIX_MIN_CHARS;
        for &(field, spec) in &self.fields {
            let form = match spec.form {
                Form::Exact => Some(&word.exact),
                Form::Albanian => word.albanian.as_ref(),
                Form::English => word.english.as_ref(),
            };
            let Some(text) = form else { continue };
            self.marks.add(spec.form, text);
            any.push(term_clause(field, text, spec.weight));
            if spec.form != Form::Exact {
                continue;
            }
            let mut seen = BTreeSet::new();
            if as_prefix {
                for longer in completions(self.searcher, field, text) {
                    any.push(term_clause(field, &longer, spec.weight * PREFIX_WEIGHT));
                    self.marks.add(Form::Exact, &longer);
                    seen.insert(longer);
                }
            }
            if let (Some(automaton), true) = (&automaton, spec.typos) {
                for near in typo_terms(self.searcher, field, automaton) {
                    if near != *text && !seen.contains(&near) {
                        any.push(term_clause(field, &near, spec.weight * TYPO_WEIGHT));
                        self.marks.add(Form::Exact, &near);
                    }
                }
            }
        }
        Box::new(BooleanQuery::new(any))
    }

    /// The query's words as a phrase (a few moves allowed) in the main text fields.
    fn phrase(&self, text: &str) -> Vec<(Occur, Box<dyn Query>)> {
        let words: Vec<String> = tokens(&mut folded_analyzer(), text)
            .into_iter()
            .map(|(word, _, _)| word)
            .take(super::analysis::MAX_QUERY_WORDS)
            .collect();
        if words.len() < 2 {
            return Vec::new();
        }
        self.fields
            .iter()
            .filter(|(_, spec)| PHRASE_FIELDS.contains(&spec.name))
            .map(|&(field, spec)| {
                let terms = words
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (i, Term::from_field_text(field, w)))
                    .collect();
                let phrase = PhraseQuery::new_with_offset_and_slop(terms, PHRASE_SLOP);
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(phrase),
                        spec.weight * PHRASE_WEIGHT,
                    )) as Box<dyn Query>,
                )
            })
            .collect()
    }
}

fn term_clause(field: Field, text: &str, weight: f32) -> (Occur, Box<dyn Query>) {
    let term = Term::from_field_text(field, text);
    let query = TermQuery::new(term, IndexRecordOption::WithFreqs);
    (
        Occur::Should,
        Box::new(BoostQuery::new(Box::new(query), weight)),
    )
}

/// The `limit` most frequent of `terms` (term → documents), most frequent first.
fn most_frequent(terms: BTreeMap<Vec<u8>, u32>, limit: usize) -> Vec<String> {
    let mut terms: Vec<(Vec<u8>, u32)> = terms.into_iter().collect();
    terms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    terms
        .into_iter()
        .take(limit)
        .filter_map(|(key, _)| String::from_utf8(key).ok())
        .collect()
}

/// The most frequent words of a field that extend `prefix` (not `prefix` itself), at most
/// [`MAX_COMPLETIONS`]. Matching these as ordinary terms keeps BM25 ranking and costs far less
/// than an automaton query, which fills a bitset with every posting of every completion.
pub fn completions(searcher: &Searcher, field: Field, prefix: &str) -> Vec<String> {
    completions_up_to(searcher, field, prefix, MAX_COMPLETIONS)
}

/// The `limit` most frequent words of a field that extend `prefix`.
pub fn completions_up_to(
    searcher: &Searcher,
    field: Field,
    prefix: &str,
    limit: usize,
) -> Vec<String> {
    let mut frequency: BTreeMap<Vec<u8>, u32> = BTreeMap::new();
    let upper = [prefix.as_bytes(), &[0xFF]].concat();
    for segment in searcher.segment_readers() {
        let Ok(inverted) = segment.inverted_index(field) else {
            continue;
        };
        let Ok(mut stream) = inverted
            .terms()
            .range()
            .gt(prefix.as_bytes())
            .lt(&upper)
            .into_stream()
        else {
            continue;
        };
        while let Some((key, info)) = stream.next() {
            *frequency.entry(key.to_vec()).or_default() += info.doc_freq;
            if frequency.len() >= MAX_SCANNED {
                break;
            }
        }
    }
    most_frequent(frequency, limit)
}

/// The most frequent words of a field that `automaton` accepts (those within its edit
/// distance of the typed word, which may be among them).
pub fn typo_terms(searcher: &Searcher, field: Field, automaton: &DfaWrapper) -> Vec<String> {
    let mut frequency: BTreeMap<Vec<u8>, u32> = BTreeMap::new();
    for segment in searcher.segment_readers() {
        let Ok(inverted) = segment.inverted_index(field) else {
            continue;
        };
        let Ok(mut stream) = inverted.terms().search(automaton).into_stream() else {
            continue;
        };
        while let Some((key, info)) = stream.next() {
            *frequency.entry(key.to_vec()).or_default() += info.doc_freq;
            if frequency.len() >= MAX_SCANNED {
                break;
            }
        }
    }
    most_frequent(frequency, MAX_TYPO_TERMS)
}
