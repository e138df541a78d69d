//! The first selected documents by name, founding year or update time. A large selection (the
//! home page lists every record by name) is walked in each segment's order, made once per
//! segment and kept, until enough of its documents are found; a small one is ranked from each
//! selected document's value. Tantivy's collector read the value of every selected document
//! and ranked them all: about 1 ms for the 100,400 records of the home page.

use std::sync::Arc;

use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{DocAddress, DocId, SegmentReader};

use super::bits::DocBits;
use super::kept::Kept;

/// The fast field the names are sorted by (folded, so that case and diacritics do not count).
pub const NAME_SORT: &str = "name_sort";
pub const FOUNDED_YEAR: &str = "founded_year";
pub const UPDATED: &str = "updated";

/// What a page is sorted by; documents without a value come last, equal values by segment and
/// document (so that they keep one order from page to page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortKey {
    /// Alphabetical.
    Name,
    /// Oldest first.
    FoundedYear,
    /// Most recently updated first.
    Updated,
}

/// Walking the order costs about a bit test per document passed; ranking costs about this
/// many bit tests per selected document (a column read and a place among the best).
const RANK_COST_IN_WALK_STEPS: u64 = 8;

/// Each segment's order for each key. A segment's documents and their values never change.
/// 4 bytes a document.
static KEPT: Kept<(SegmentId, SortKey), Arc<Vec<DocId>>> = Kept::new();

/// One segment's values of a sort key, as numbers in the sort's order within the segment.
enum Values {
    /// A name's place in the segment's dictionary of names.
    Names(StrColumn),
    /// A number, reversed when the largest comes first.
    Numbers(Column<u64>, bool),
}

/// A value as segments compare: a name's bytes, or the number (reversed when the largest
/// comes first). One sort gives one kind.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Comparable {
    Name(Vec<u8>),
    Number(u64),
}

impl Values {
    fn open(reader: &SegmentReader, key: SortKey) -> tantivy::Result<Option<Values>> {
        let fast = reader.fast_fields();
        Ok(match key {
            SortKey::Name => fast.str(NAME_SORT)?.map(Values::Names),
            SortKey::FoundedYear => fast
                .column_opt::<u64>(FOUNDED_YEAR)?
                .map(|c| Values::Numbers(c, false)),
            SortKey::Updated => fast
                .column_opt::<u64>(UPDATED)?
                .map(|c| Values::Numbers(c, true)),
        })
    }

    /// The document's place in the segment's order; `None` without a value.
    fn rank(&self, doc: DocId) -> Option<u64> {
        match self {
            Values::Names(names) => names.ords().first(doc),
            Values::Numbers(numbers, false) => numbers.first(doc),
            Values::Numbers(numbers, true) => numbers.first(doc).map(|n| u64::MAX - n),
        }
    }

    fn comparable(&self, rank: u64) -> tantivy::Result<Option<Comparable>> {
        Ok(match self {
            Values::Names(names) => {
                let mut name = Vec::new();
                names
                    .ord_to_bytes(rank, &mut name)?
                    .then_some(Comparable::Name(name))
            }
            Values::Numbers(..) => Some(Comparable::Number(rank)),
        })
    }
}

/// The first `wanted` documents of the selections by `key`. `segments` pairs each segment's
/// reader with its selection, in segment order.
pub fn first_by(
    segments: &[(&SegmentReader, &DocBits)],
    key: SortKey,
    wanted: usize,
) -> tantivy::Result<Vec<DocAddress>> {
    let mut found: Vec<(Option<Comparable>, DocAddress)> = Vec::new();
    let filled = segments.iter().filter(|(_, s)| !s.is_empty()).count();
    for (ord, &(reader, selection)) in segments.iter().enumerate() {
        if selection.is_empty() || wanted == 0 {
            continue;
        }
        let address = |doc| DocAddress::new(ord as u32, doc);
        let Some(values) = Values::open(reader, key)? else {
            // No document of the segment has a value: they all come last, by document.
            found.extend(
                selection
                    .iter()
                    .take(wanted)
                    .map(|doc| (None, address(doc))),
            );
            continue;
        };
        let docs = first_of_segment(reader, key, &values, selection, wanted);
        // With one segment holding the selected documents, its order is the answer: its
        // values need not be compared with others.
        if filled == 1 {
            return Ok(docs.into_iter().map(|(_, doc)| address(doc)).collect());
        }
        for (rank, doc) in docs {
            let comparable = match rank {
                Some(rank) => values.comparable(rank)?,
                None => None,
            };
            found.push((comparable, address(doc)));
        }
    }
    found.sort_by(|(a, a_at), (b, b_at)| (a.is_none(), a, a_at).cmp(&(b.is_none(), b, b_at)));
    found.truncate(wanted);
    Ok(found.into_iter().map(|(_, address)| address).collect())
}

/// The first `wanted` selected documents of one segment in order, each with its place
/// ([`Values::rank`]).
fn first_of_segment(
    reader: &SegmentReader,
    key: SortKey,
    values: &Values,
    selection: &DocBits,
    wanted: usize,
) -> Vec<(Option<u64>, DocId)> {
    let count = u64::from(selection.len());
    let walk = wanted as u64 * u64::from(reader.max_doc()) / count;
    if walk <= RANK_COST_IN_WALK_STEPS * count {
        let order = order(reader, key, values);
        let first = order.iter().filter(|&&doc| selection.contains(doc));
        return first
            .take(wanted)
            .map(|&doc| (values.rank(doc), doc))
            .collect();
    }
    let mut ranked: Vec<(Option<u64>, DocId)> = selection
        .iter()
        .map(|doc| (values.rank(doc), doc))
        .collect();
    let place = |&(rank, doc): &(Option<u64>, DocId)| (rank.is_none(), rank, doc);
    if ranked.len() > wanted {
        ranked.select_nth_unstable_by_key(wanted, place);
        ranked.truncate(wanted);
    }
    ranked.sort_unstable_by_key(place);
    ranked
}

/// The segment's documents in order, those without a value last, equal ones by document.
fn order(reader: &SegmentReader, key: SortKey, values: &Values) -> Arc<Vec<DocId>> {
    let at = (reader.segment_id(), key);
    if let Some(order) = KEPT.get(&at, |_| true) {
        return order;
    }
    let mut placed: Vec<(bool, Option<u64>, DocId)> = (0..reader.max_doc())
        .map(|doc| {
            let rank = values.rank(doc);
            (rank.is_none(), rank, doc)
        })
        .collect();
    placed.sort_unstable();
    let order = Arc::new(
        placed
            .into_iter()
            .map(|(_, _, doc)| doc)
            .collect::<Vec<_>>(),
    );
    KEPT.keep(at, Arc::clone(&order));
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use std::cmp::Ordering;
    use tantivy::schema::{FAST, STRING, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    /// One document's values: a name, a founding year, an update time (each may be missing).
    type Doc = (Option<String>, Option<u64>, Option<u64>);

    /// Against sorting every selected document by its value, for each key: one segment and
    /// several, values shared by many documents, documents without one, selections from one
    /// document in a thousand to all, and pages from the first to past the end.
    #[test]
    fn the_first_by_each_key_are_those_of_a_full_sort() {
        let mut builder = Schema::builder();
        let name = builder.add_text_field(NAME_SORT, STRING | FAST);
        let founded = builder.add_u64_field(FOUNDED_YEAR, FAST);
        let updated = builder.add_u64_field(UPDATED, FAST);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut segments: Vec<Vec<Doc>> = Vec::new();
        // A large segment, two small ones, and one where more documents lack values.
        for (size, missing) in [(3_000, 0.05), (200, 0.0), (50, 0.0), (400, 0.3)] {
            let mut docs = Vec::new();
            for _ in 0..size {
                let mut doc = TantivyDocument::default();
                let maybe = |rng: &mut ChaCha8Rng| !rng.random_bool(missing);
                let values: Doc = (
                    maybe(&mut rng).then(|| format!("emri {}", rng.random_range(0..500))),
                    maybe(&mut rng).then(|| rng.random_range(1990..2025)),
                    maybe(&mut rng).then(|| rng.random_range(0..1_000)),
                );
                if let Some(value) = &values.0 {
                    doc.add_text(name, value);
                }
                if let Some(value) = values.1 {
                    doc.add_u64(founded, value);
                }
                if let Some(value) = values.2 {
                    doc.add_u64(updated, value);
                }
                writer.add_document(doc).unwrap();
                docs.push(values);
            }
            writer.commit().unwrap();
            segments.push(docs);
        }
        let searcher = index.reader().unwrap().searcher();
        let readers = searcher.segment_readers();
        // Segments come in any order: each is told apart by its number of documents.
        let docs_of = |reader: &SegmentReader| {
            segments
                .iter()
                .find(|d| d.len() == reader.max_doc() as usize)
                .unwrap()
        };
        // The reference order of two documents' values, missing ones last.
        let compare = |key: SortKey, a: &Doc, b: &Doc| -> Ordering {
            let last = |x: bool, y: bool| x.cmp(&y);
            match key {
                SortKey::Name => last(a.0.is_none(), b.0.is_none()).then(a.0.cmp(&b.0)),
                SortKey::FoundedYear => last(a.1.is_none(), b.1.is_none()).then(a.1.cmp(&b.1)),
                SortKey::Updated => last(a.2.is_none(), b.2.is_none()).then(b.2.cmp(&a.2)),
            }
        };
        for key in [SortKey::Name, SortKey::FoundedYear, SortKey::Updated] {
            for density in [0.001, 0.01, 0.1, 0.5, 1.0] {
                for segments_used in [&[0][..], &[0, 1, 2, 3], &[1, 3]] {
                    let selections: Vec<DocBits> = readers
                        .iter()
                        .enumerate()
                        .map(|(ord, reader)| {
                            let mut bits = DocBits::empty(reader.max_doc());
                            if segments_used.contains(&ord) {
                                (0..reader.max_doc())
                                    .filter(|_| rng.random_bool(density))
                                    .for_each(|doc| bits.insert(doc));
                            }
                            bits
                        })
                        .collect();
                    let mut all: Vec<(&Doc, DocAddress)> = Vec::new();
                    for (ord, reader) in readers.iter().enumerate() {
                        for doc in selections[ord].iter() {
                            let values = &docs_of(reader)[doc as usize];
                            all.push((values, DocAddress::new(ord as u32, doc)));
                        }
                    }
                    all.sort_by(|a, b| compare(key, a.0, b.0).then(a.1.cmp(&b.1)));
                    let pairs: Vec<(&SegmentReader, &DocBits)> =
                        readers.iter().zip(&selections).collect();
                    for wanted in [1, 20, 120, 5_000] {
                        let expected: Vec<DocAddress> =
                            all.iter().take(wanted).map(|(_, a)| *a).collect();
                        let got = first_by(&pairs, key, wanted).unwrap();
                        let case = format!("{key:?}, {density}, {segments_used:?}, {wanted}");
                        assert_eq!(got, expected, "{case}");
                    }
                }
            }
        }
    }
}
