//! Turns the text of a search into a query plan (see `plan`).
//!
//! Each word must match somewhere: one may be missing from five words on, half of them on a
//! second try that relaxes a query that found nothing, and words that only name a kind of
//! organisation are optional; matching more words scores more. Within a word, an exact (folded)
//! match counts most, then the stemmed forms (Albanian and English), then completions of the
//! last word (when it is not a whole word already) and spellings one or two typos away (for
//! words the index barely knows). Synonym groups (`index/synonyms.txt`) widen a word or phrase
//! to its equivalents, and the words as a phrase (or near each other) add to the score.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use tantivy::query::{DfaWrapper, FuzzyTermQuery};
use tantivy::schema::{Field, Schema};
use tantivy::{Searcher, Term};

use super::albanian::stemmer;
use super::analysis::{QueryWord, folded_analyzer, query_words, tokens};
use super::plan::Node;
use super::synonyms::{Alternative, synonyms};

/// Which form of a word a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Exact,
    Albanian,
    English,
}

/// Which other spellings of a word are looked up in a field's terms.
#[derive(Debug, Clone, Copy)]
struct Lookups {
    /// Completions of the last word.
    completions: bool,
    /// Spellings a typo or two away.
    typos: bool,
}

impl Lookups {
    const ALL: Lookups = Lookups {
        completions: true,
        typos: true,
    };
    const COMPLETIONS: Lookups = Lookups {
        completions: true,
        typos: false,
    };
    const TYPOS: Lookups = Lookups {
        completions: false,
        typos: true,
    };
    const NONE: Lookups = Lookups {
        completions: false,
        typos: false,
    };
}

/// A searched text field: its weight, the form of words it holds, and which other spellings are
/// looked up in it.
struct TextField {
    name: &'static str,
    weight: f32,
    form: Form,
    lookups: Lookups,
}

const fn field(name: &'static str, weight: f32, form: Form, lookups: Lookups) -> TextField {
    TextField {
        name,
        weight,
        form,
        lookups,
    }
}

/// Name and acronym above expertise above description; an exact match (which also matches the
/// stemmed field) above a stemmed one.
const TEXT_FIELDS: [TextField; 12] = [
    field("name", 3.0, Form::Exact, Lookups::ALL),
    field("acronym", 3.0, Form::Exact, Lookups::COMPLETIONS),
    field("other_names", 2.0, Form::Exact, Lookups::ALL),
    field("expertise", 1.5, Form::Exact, Lookups::ALL),
    field("themes", 1.0, Form::Exact, Lookups::ALL),
    field("groups", 0.5, Form::Exact, Lookups::TYPOS),
    field("places", 1.0, Form::Exact, Lookups::ALL),
    field("region", 0.5, Form::Exact, Lookups::NONE),
    field("description", 0.8, Form::Exact, Lookups::TYPOS),
    field("name_sq", 2.0, Form::Albanian, Lookups::NONE),
    field("text_sq", 0.6, Form::Albanian, Lookups::NONE),
    field("text_en", 0.7, Form::English, Lookups::NONE),
];

/// A word in more than 1 / `COMMON_DIVISOR` of all documents, and in more than
/// `COMMON_MIN_DOCUMENTS` (below which its postings are cheap), is common (see `Builder::word`).
const COMMON_DIVISOR: u64 = 5;
const COMMON_MIN_DOCUMENTS: u64 = 5_000;

/// The last word also matches as a prefix ("mjedis" finds "mjedisit"), at this fraction of the
/// weight of an exact match, when it has at least `PREFIX_MIN_CHARS` characters.
const PREFIX_WEIGHT: f32 = 0.5;
pub const PREFIX_MIN_CHARS: usize = 3;
/// Completions of the last word matched per field: the most frequent ones.
const MAX_COMPLETIONS: usize = 8;
/// Completions looked at per field to find the most frequent ones.
const MAX_SCANNED: usize = 512;
/// A spelling one typo away counts this fraction of an exact match, two typos away half that.
const TYPO_WEIGHT: f32 = 0.4;
/// Words found in fewer documents than this in every field are also looked up with typos; more
/// frequent words are taken as meant.
const TYPO_RARE: u64 = 3;
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
    /// Whether nothing is to be marked (a search without words).
    pub fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.albanian.is_empty() && self.english.is_empty()
    }

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

pub struct TextQuery {
    /// `None` when the text has no words.
    pub plan: Option<Node>,
    pub marks: Marks,
}

/// How many of a query's words (or synonym terms) a record must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    /// All of up to four words; all but one of five or more.
    Normal,
    /// Half of them (at least one): the second try of a query that found nothing.
    Relaxed,
    /// Any one of them: a long description, ranked by how many and how well.
    Any,
}

impl Strictness {
    fn required(self, words: usize) -> usize {
        match self {
            Strictness::Normal if words <= 4 => words,
            Strictness::Normal => words - 1,
            Strictness::Relaxed => words.div_ceil(2).max(1),
            Strictness::Any => 1,
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
        frequencies: RefCell::default(),
    };
    if content.is_empty() {
        return TextQuery {
            plan: None,
            marks: builder.marks,
        };
    }
    let matches = synonyms().find(&content);
    // Each word or synonym term, and whether it only names a kind of organisation.
    let mut slots: Vec<(bool, Node)> = Vec::new();
    let mut position = 0;
    while position < content.len() {
        let last = content.len() - 1;
        let found = matches.iter().find(|m| m.start == position);
        match found {
            // A word that only names a kind of organisation is optional, and its synonyms are
            // matched as phrases ("organizatë e shoqërisë civile" in any inflection), not as
            // loose words that nearly every description has.
            Some(found)
                if content[position..position + found.len]
                    .iter()
                    .all(is_generic) =>
            {
                let typed = &content[position..position + found.len];
                let mut any = vec![builder.all_words(typed, position, last, true)];
                for alternative in builder.informative(&found.alternatives) {
                    any.extend(builder.stem_phrase(alternative, SYNONYM_WEIGHT));
                }
                slots.push((true, Node::any(any)));
                position += found.len;
            }
            // Words most records have need no more recall: their synonyms are left out.
            Some(found)
                if !content[position..position + found.len]
                    .iter()
                    .all(|w| builder.is_common(&builder.frequencies(w))) =>
            {
                let typed = &content[position..position + found.len];
                let mut any = vec![builder.all_words(typed, position, last, true)];
                for alternative in builder.informative(&found.alternatives) {
                    let words = builder.all_words(alternative, 0, usize::MAX, false);
                    any.push(words.boosted(SYNONYM_WEIGHT));
                }
                slots.push((false, Node::any(any)));
                position += found.len;
            }
            _ => {
                let word = &content[position];
                let node = builder.word(word, position == last, true);
                slots.push((is_generic(word), node));
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
    let words = Node::at_least(
        required_slots.into_iter().map(|(_, node)| node).collect(),
        required,
    );
    let mut extras: Vec<Node> = optional_slots.into_iter().map(|(_, node)| node).collect();
    if content.len() > 1 {
        extras.extend(builder.phrase(text));
    }
    TextQuery {
        plan: Some(words.with_extras(extras)),
        marks: builder.marks,
    }
}

struct Builder<'a> {
    searcher: &'a Searcher,
    fields: Vec<(Field, &'static TextField)>,
    marks: Marks,
    /// [`Builder::frequencies`] of the words looked up so far: each costs a term lookup per
    /// field and segment, and a word is asked about more than once.
    frequencies: RefCell<HashMap<String, Vec<u64>>>,
}

impl Builder<'_> {
    /// Every word of `words` (the first at `offset` in the query), each matched as [`word`].
    fn all_words(
        &mut self,
        words: &[QueryWord],
        offset: usize,
        last: usize,
        tolerant: bool,
    ) -> Node {
        let clauses = words
            .iter()
            .enumerate()
            .map(|(i, w)| self.word(w, offset + i == last, tolerant))
            .collect();
        Node::all(clauses)
    }

    /// One word in any field and form; as a prefix when `last`, with typos when `tolerant`.
    fn word(&mut self, word: &QueryWord, last: bool, tolerant: bool) -> Node {
        let mut any: Vec<Node> = Vec::new();
        let frequencies = self.frequencies(word);
        // A word most records have ranks next to nothing (its IDF is near zero) yet costs a
        // union of several long posting lists: it is matched only in the stemmed field that
        // holds it most (which holds every other text field too), one posting list.
        let common = self.is_common(&frequencies);
        let carrier = frequencies
            .iter()
            .enumerate()
            .filter(|(i, _)| self.fields[*i].1.form != Form::Exact)
            .max_by_key(|(_, n)| **n)
            .map(|(i, _)| i);
        // A word the index knows is taken as meant: only unknown words are respelt, which
        // keeps common words from dragging in the postings of their neighbours.
        let typos = if tolerant && frequencies.iter().max().copied().unwrap_or(0) < TYPO_RARE {
            typo_budget(word)
        } else {
            0
        };
        let automaton = (typos > 0)
            .then(|| {
                let term = Term::from_field_text(self.fields[0].0, &word.exact);
                FuzzyTermQuery::new(term, typos, true).automaton().ok()
            })
            .flatten();
        // Only a word no field holds as it is looks unfinished; a whole word's other forms are
        // matched by the stemmed fields.
        let is_exact_term = self
            .fields
            .iter()
            .zip(&frequencies)
            .any(|((_, spec), &n)| spec.form == Form::Exact && n > 0);
        let as_prefix = last && word.exact.chars().count() >= PREFIX_MIN_CHARS && !is_exact_term;
        for (index, &(field, spec)) in self.fields.iter().enumerate() {
            if common && Some(index) != carrier {
                continue;
            }
            let Some(text) = form_in(word, spec.form) else {
                continue;
            };
            self.marks.add(spec.form, text);
            any.push(term_clause(field, text, spec.weight));
            if spec.form != Form::Exact {
                continue;
            }
            let mut seen = BTreeSet::new();
            if as_prefix && spec.lookups.completions {
                // A completion that is another form of the word is matched by the stemmed
                // fields already.
                let longer_forms = completions(self.searcher, field, text)
                    .into_iter()
                    .filter(|longer| word.albanian.as_deref() != Some(stemmer().stem(longer)));
                for longer in longer_forms {
                    any.push(term_clause(field, &longer, spec.weight * PREFIX_WEIGHT));
                    self.marks.add(Form::Exact, &longer);
                    seen.insert(longer);
                }
            }
            if let (Some(automaton), true) = (&automaton, spec.lookups.typos) {
                for near in typo_terms(self.searcher, field, automaton) {
                    if near != *text && !seen.contains(&near) {
                        // Each typo costs: two weigh less than one.
                        let weight = TYPO_WEIGHT / edit_distance(text, &near).max(1) as f32;
                        any.push(term_clause(field, &near, spec.weight * weight));
                        self.marks.add(Form::Exact, &near);
                    }
                }
            }
        }
        Node::any(any)
    }

    /// A synonym term as a phrase of stems (a few moves allowed) in the stemmed Albanian fields,
    /// or, for one word, as that word in any field.
    fn stem_phrase(&mut self, words: &[QueryWord], weight: f32) -> Vec<Node> {
        if let [word] = words {
            return vec![self.word(word, false, false).boosted(weight)];
        }
        let stems: Vec<&String> = words.iter().filter_map(|w| w.albanian.as_ref()).collect();
        if stems.len() < 2 {
            return Vec::new();
        }
        for stem in &stems {
            self.marks.add(Form::Albanian, stem);
        }
        self.fields
            .iter()
            .filter(|(_, spec)| spec.form == Form::Albanian)
            .map(|&(field, spec)| {
                let terms = stems
                    .iter()
                    .enumerate()
                    .map(|(i, stem)| (i, Term::from_field_text(field, stem)))
                    .collect();
                Node::phrase(terms, PHRASE_SLOP, spec.weight * weight)
            })
            .collect()
    }

    /// The synonym terms with a word that is not common: one that most records have adds
    /// cost, not recall.
    fn informative<'s>(&self, alternatives: &[&'s Alternative]) -> Vec<&'s Alternative> {
        alternatives
            .iter()
            .copied()
            .filter(|words| !words.iter().all(|w| self.is_common(&self.frequencies(w))))
            .collect()
    }

    /// Whether a word with these per-field frequencies is in so many records that matching it
    /// costs more than it tells.
    fn is_common(&self, frequencies: &[u64]) -> bool {
        let documents = self.searcher.num_docs().max(1);
        frequencies
            .iter()
            .max()
            .is_some_and(|&n| n > COMMON_MIN_DOCUMENTS && n * COMMON_DIVISOR > documents)
    }

    /// How many documents each field holds the word in (in the form that field indexes).
    fn frequencies(&self, word: &QueryWord) -> Vec<u64> {
        if let Some(known) = self.frequencies.borrow().get(&word.exact) {
            return known.clone();
        }
        let frequencies: Vec<u64> = self
            .fields
            .iter()
            .map(|&(field, spec)| {
                form_in(word, spec.form)
                    .and_then(|text| {
                        self.searcher
                            .doc_freq(&Term::from_field_text(field, text))
                            .ok()
                    })
                    .unwrap_or(0)
            })
            .collect();
        self.frequencies
            .borrow_mut()
            .insert(word.exact.clone(), frequencies.clone());
        frequencies
    }

    /// The query's words as a phrase (a few moves allowed) in the main text fields.
    fn phrase(&self, text: &str) -> Vec<Node> {
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
                Node::phrase(terms, PHRASE_SLOP, spec.weight * PHRASE_WEIGHT)
            })
            .collect()
    }
}

/// The form of a word a field of `form` holds; `None` for a stopword in a stemmed field.
fn form_in(word: &QueryWord, form: Form) -> Option<&String> {
    match form {
        Form::Exact => Some(&word.exact),
        Form::Albanian => word.albanian.as_ref(),
        Form::English => word.english.as_ref(),
    }
}

/// Edits (insertions, deletions, substitutions, swaps of neighbours) between two words.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

fn term_clause(field: Field, text: &str, weight: f32) -> Node {
    Node::term(Term::from_field_text(field, text), weight)
}

/// The `limit` most frequent of `terms` (term → documents), most frequent first.
/// Words read from term dictionaries with their document frequencies, a word read in several
/// segments summed.
#[derive(Default)]
struct WordCounts(Vec<(Vec<u8>, u32)>);

impl WordCounts {
    fn add(&mut self, word: &[u8], doc_freq: u32) {
        self.0.push((word.to_vec(), doc_freq));
    }

    /// The `limit` most frequent, most frequent first, equally frequent ones alphabetically.
    fn most_frequent(self, limit: usize) -> Vec<String> {
        let mut words = self.0;
        // Each segment's words come in order, so one segment's need no sorting (stable sort).
        words.sort_by(|a, b| a.0.cmp(&b.0));
        words.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1 += later.1;
            }
            same
        });
        let by_frequency =
            |a: &(Vec<u8>, u32), b: &(Vec<u8>, u32)| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0));
        if words.len() > limit {
            words.select_nth_unstable_by(limit, by_frequency);
            words.truncate(limit);
        }
        words.sort_unstable_by(by_frequency);
        words
            .into_iter()
            .filter_map(|(word, _)| String::from_utf8(word).ok())
            .collect()
    }
}

/// The most frequent words of a field that extend `prefix` (not `prefix` itself), at most
/// [`MAX_COMPLETIONS`]. Matching these as ordinary terms keeps BM25 ranking and costs far less
/// than an automaton query, which fills a bitset with every posting of every completion.
pub fn completions(searcher: &Searcher, field: Field, prefix: &str) -> Vec<String> {
    completions_up_to(searcher, field, prefix, MAX_COMPLETIONS)
}

/// The `limit` most frequent words of a field that extend `prefix` (among the first
/// [`MAX_SCANNED`] in each segment).
pub fn completions_up_to(
    searcher: &Searcher,
    field: Field,
    prefix: &str,
    limit: usize,
) -> Vec<String> {
    let upper = [prefix.as_bytes(), &[0xFF]].concat();
    let mut words = WordCounts::default();
    for inverted in term_dictionaries(searcher, field) {
        let range = inverted.terms().range().gt(prefix.as_bytes()).lt(&upper);
        let Ok(mut stream) = range.into_stream() else {
            continue;
        };
        for _ in 0..MAX_SCANNED {
            let Some((word, info)) = stream.next() else {
                break;
            };
            words.add(word, info.doc_freq);
        }
    }
    words.most_frequent(limit)
}

/// The most frequent words of a field that `automaton` accepts (those within its edit
/// distance of the typed word, which may be among them; among the first [`MAX_SCANNED`] in
/// each segment).
pub fn typo_terms(searcher: &Searcher, field: Field, automaton: &DfaWrapper) -> Vec<String> {
    let mut words = WordCounts::default();
    for inverted in term_dictionaries(searcher, field) {
        let Ok(mut stream) = inverted.terms().search(automaton).into_stream() else {
            continue;
        };
        for _ in 0..MAX_SCANNED {
            let Some((word, info)) = stream.next() else {
                break;
            };
            words.add(word, info.doc_freq);
        }
    }
    words.most_frequent(MAX_TYPO_TERMS)
}

/// The inverted indexes of a field in every segment, which own their term dictionaries.
fn term_dictionaries(
    searcher: &Searcher,
    field: Field,
) -> Vec<std::sync::Arc<tantivy::InvertedIndexReader>> {
    searcher
        .segment_readers()
        .iter()
        .filter_map(|segment| segment.inverted_index(field).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_a_swap_of_neighbours_as_one() {
        assert_eq!(edit_distance("mjedis", "mjedis"), 0);
        assert_eq!(edit_distance("mjdeis", "mjedis"), 1);
        assert_eq!(edit_distance("prokurimt", "prokurimit"), 1);
        assert_eq!(edit_distance("mjadisar", "mjedisor"), 2);
    }

    #[test]
    fn short_words_and_codes_get_no_typos_long_words_two() {
        let budget = |text: &str| typo_budget(&query_words(text)[0]);
        assert_eq!(budget("rini"), 0);
        assert_eq!(budget("ABCDE"), 0);
        assert_eq!(budget("AL2024"), 0);
        assert_eq!(budget("mjedis"), 1);
        assert_eq!(budget("prokurimit"), 2);
    }
}
