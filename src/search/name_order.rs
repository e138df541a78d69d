//! The first selected documents by name. A large selection (the home page lists every record
//! by name) is walked in each segment's name order, made once per segment and kept, until
//! enough of its documents are found; a small one is ranked from each selected document's
//! name. Tantivy's collector read the name of every selected document and ranked them all:
//! about 1 ms for the 100,400 records of the home page.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::{DocAddress, DocId, SegmentReader};

use super::bits::DocBits;

/// The fast field the names are sorted by (folded, so that case and diacritics do not count).
pub const NAME_SORT: &str = "name_sort";

/// Walking the order costs about a bit test per document passed; ranking costs about this
/// many bit tests per selected document (a column read and a place among the best).
const RANK_COST_IN_WALK_STEPS: u64 = 8;

/// Segments whose orders are kept at most; all are dropped when one more comes. A segment's
/// documents and their names never change. 4 bytes a document.
const MAX_KEPT: usize = 64;

/// Each segment's order; `None` for a segment where some document has no name.
type Kept = HashMap<SegmentId, Option<Arc<Vec<DocId>>>>;

fn kept() -> &'static Mutex<Kept> {
    static KEPT: OnceLock<Mutex<Kept>> = OnceLock::new();
    KEPT.get_or_init(Mutex::default)
}

/// The first `wanted` documents of the selections by name, then by segment and document (so
/// that equal names keep one order from page to page); documents without a name come last.
/// `segments` pairs each segment's reader with its selection, in segment order.
pub fn first_by_name(
    segments: &[(&SegmentReader, &DocBits)],
    wanted: usize,
) -> tantivy::Result<Vec<DocAddress>> {
    let mut found: Vec<(Option<Vec<u8>>, DocAddress)> = Vec::new();
    let filled = segments.iter().filter(|(_, s)| !s.is_empty()).count();
    for (ord, &(reader, selection)) in segments.iter().enumerate() {
        if selection.is_empty() || wanted == 0 {
            continue;
        }
        let Some(names) = reader.fast_fields().str(NAME_SORT)? else {
            // No document of the segment has a name: they all come last, by document.
            let docs = selection.iter().take(wanted);
            found.extend(docs.map(|doc| (None, DocAddress::new(ord as u32, doc))));
            continue;
        };
        let docs = first_of_segment(reader, &names, selection, wanted)?;
        // With one segment holding the selected documents, its order is the answer: its
        // names need not be read.
        if filled == 1 {
            return Ok(docs
                .into_iter()
                .map(|(_, doc)| DocAddress::new(ord as u32, doc))
                .collect());
        }
        for (name_ord, doc) in docs {
            let mut name = Vec::new();
            let name = match name_ord {
                Some(name_ord) if names.ord_to_bytes(name_ord, &mut name)? => Some(name),
                _ => None,
            };
            found.push((name, DocAddress::new(ord as u32, doc)));
        }
    }
    found.sort_by(|a, b| by_name(&a.0, &b.0).then(a.1.cmp(&b.1)));
    found.truncate(wanted);
    Ok(found.into_iter().map(|(_, address)| address).collect())
}

/// Names first, in byte order (the order of the column's dictionary), then no name.
fn by_name(a: &Option<Vec<u8>>, b: &Option<Vec<u8>>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// The first `wanted` selected documents of one segment, in name order, each with its name's
/// place in the segment's dictionary (`None`: no name).
fn first_of_segment(
    reader: &SegmentReader,
    names: &StrColumn,
    selection: &DocBits,
    wanted: usize,
) -> tantivy::Result<Vec<(Option<u64>, DocId)>> {
    let ords = names.ords();
    let count = u64::from(selection.len());
    let walk = wanted as u64 * u64::from(reader.max_doc()) / count;
    if walk <= RANK_COST_IN_WALK_STEPS * count
        && let Some(order) = order(reader, names)
    {
        let first = order.iter().filter(|&&doc| selection.contains(doc));
        return Ok(first
            .take(wanted)
            .map(|&doc| (ords.first(doc), doc))
            .collect());
    }
    let mut ranked: Vec<(Option<u64>, DocId)> =
        selection.iter().map(|doc| (ords.first(doc), doc)).collect();
    let key = |&(name, doc): &(Option<u64>, DocId)| (name.is_none(), name, doc);
    if ranked.len() > wanted {
        ranked.select_nth_unstable_by_key(wanted, key);
        ranked.truncate(wanted);
    }
    ranked.sort_unstable_by_key(key);
    Ok(ranked)
}

/// The segment's documents by name, then by document; `None` when some document has no name
/// (the walk would have to place it; such a segment is ranked instead).
fn order(reader: &SegmentReader, names: &StrColumn) -> Option<Arc<Vec<DocId>>> {
    let segment = reader.segment_id();
    if let Some(order) = kept()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&segment)
    {
        return order.clone();
    }
    let ords = names.ords();
    let named: Option<Vec<(u64, DocId)>> = (0..reader.max_doc())
        .map(|doc| ords.first(doc).map(|name| (name, doc)))
        .collect();
    let order = named.map(|mut named| {
        named.sort_unstable();
        Arc::new(named.into_iter().map(|(_, doc)| doc).collect::<Vec<_>>())
    });
    let mut kept = kept().lock().unwrap_or_else(|e| e.into_inner());
    if kept.len() >= MAX_KEPT {
        kept.clear();
    }
    kept.insert(segment, order.clone());
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use tantivy::schema::{FAST, STRING, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    /// Against sorting every selected document by its name: one segment and several, with
    /// names shared by many documents, documents without one, selections from one document in
    /// a thousand to all, and pages from the first to past the end.
    #[test]
    fn the_first_by_name_are_those_of_a_full_sort() {
        let mut builder = Schema::builder();
        let name = builder.add_text_field(NAME_SORT, STRING | FAST);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut names: Vec<Vec<Option<String>>> = Vec::new();
        // A large segment, two small ones, and one where some documents have no name.
        for (size, unnamed) in [(3_000, 0.0), (200, 0.0), (50, 0.0), (400, 0.1)] {
            let mut segment = Vec::new();
            for _ in 0..size {
                let mut doc = TantivyDocument::default();
                let value = (!rng.random_bool(unnamed))
                    .then(|| format!("emri {}", rng.random_range(0..500)));
                if let Some(value) = &value {
                    doc.add_text(name, value);
                }
                writer.add_document(doc).unwrap();
                segment.push(value);
            }
            writer.commit().unwrap();
            names.push(segment);
        }
        let searcher = index.reader().unwrap().searcher();
        let readers = searcher.segment_readers();
        // Segments come in any order: each is told apart by its number of documents.
        let names_of = |reader: &SegmentReader| {
            names
                .iter()
                .find(|n| n.len() == reader.max_doc() as usize)
                .unwrap()
        };
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
                let mut all: Vec<(Option<&String>, DocAddress)> = Vec::new();
                for (ord, reader) in readers.iter().enumerate() {
                    for doc in selections[ord].iter() {
                        let name = names_of(reader)[doc as usize].as_ref();
                        all.push((name, DocAddress::new(ord as u32, doc)));
                    }
                }
                all.sort_by(|a, b| {
                    let (a_name, b_name) = (a.0.map(|s| s.as_bytes()), b.0.map(|s| s.as_bytes()));
                    match (a_name, b_name) {
                        (Some(x), Some(y)) => x.cmp(y),
                        (Some(_), None) => Ordering::Less,
                        (None, Some(_)) => Ordering::Greater,
                        (None, None) => Ordering::Equal,
                    }
                    .then(a.1.cmp(&b.1))
                });
                let pairs: Vec<(&SegmentReader, &DocBits)> =
                    readers.iter().zip(&selections).collect();
                for wanted in [1, 20, 120, 5_000] {
                    let expected: Vec<DocAddress> =
                        all.iter().take(wanted).map(|(_, a)| *a).collect();
                    let got = first_by_name(&pairs, wanted).unwrap();
                    assert_eq!(
                        got, expected,
                        "density {density}, {segments_used:?}, {wanted}"
                    );
                }
            }
        }
    }
}
