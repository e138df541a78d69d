//! Facet counts over selected documents: how many of them hold each value of a facet field.
//! The values that many documents of a segment hold are kept as bitmaps, made once per segment
//! (segments never change), and counted by a word-wise AND; the other values from their
//! postings (one bit test a posting). A small selection is counted instead from each
//! document's values in the facet column, which costs more a document but reads only the
//! selected ones.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::collector::{Collector, FacetCollector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::postings::TermInfo;
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::{Searcher, SegmentReader};

use super::bits::DocBits;

/// Reading a document's values from the column costs about as much as testing this many
/// postings against the selection.
const COLUMN_COST_IN_POSTINGS: u64 = 64;
/// A value held by at least one document in this many gets a bitmap: its postings would cost
/// more to read than the bitmap's words.
const DENSE_ONE_IN: u64 = 64;
/// Word operations (AND and count) about as costly as testing one posting.
const WORDS_PER_POSTING: u64 = 4;

/// The values of a facet field in one segment: bitmaps of the dense ones, where the postings
/// of the others are.
struct Values {
    dense: Vec<(String, DocBits)>,
    sparse: Vec<(String, TermInfo)>,
}

type Cache = HashMap<(SegmentId, Field), Arc<Values>>;

/// The values of every (segment, field) counted so far, for the segments searched last. Keyed
/// by segment id (unique, and a segment's documents never change); entries of segments no
/// longer searched are dropped whenever one is added.
fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

fn segment_values(
    searcher: &Searcher,
    reader: &SegmentReader,
    field: Field,
) -> tantivy::Result<Arc<Values>> {
    let key = (reader.segment_id(), field);
    if let Some(found) = cache().lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(Arc::clone(found));
    }
    let max_doc = reader.max_doc();
    let inverted = reader.inverted_index(field)?;
    let mut values = Values {
        dense: Vec::new(),
        sparse: Vec::new(),
    };
    for (value, info) in all_values(reader, field)? {
        if u64::from(info.doc_freq) * DENSE_ONE_IN >= u64::from(max_doc) {
            let mut bits = DocBits::empty(max_doc);
            let mut block =
                inverted.read_block_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
            while !block.docs().is_empty() {
                block.docs().iter().for_each(|&doc| bits.insert(doc));
                block.advance();
            }
            values.dense.push((value, bits));
        } else {
            values.sparse.push((value, info));
        }
    }
    let values = Arc::new(values);
    let live: HashSet<SegmentId> = searcher
        .segment_readers()
        .iter()
        .map(SegmentReader::segment_id)
        .collect();
    let mut cache = cache().lock().unwrap_or_else(|e| e.into_inner());
    cache.retain(|(segment, _), _| live.contains(segment));
    cache.insert(key, Arc::clone(&values));
    Ok(values)
}

/// Counts per value (the facet's last path element) over the documents each segment's set
/// holds, in value order.
pub fn count(
    searcher: &Searcher,
    sets: &[&DocBits],
    field: Field,
) -> tantivy::Result<BTreeMap<String, u64>> {
    let mut counts = BTreeMap::new();
    for (ord, (reader, set)) in searcher.segment_readers().iter().zip(sets).enumerate() {
        if set.is_empty() {
            continue;
        }
        let values = segment_values(searcher, reader, field)?;
        let postings: u64 = values
            .sparse
            .iter()
            .map(|(_, info)| u64::from(info.doc_freq))
            .sum();
        let words = u64::from(reader.max_doc()).div_ceil(64) * values.dense.len() as u64;
        if postings + words / WORDS_PER_POSTING <= COLUMN_COST_IN_POSTINGS * u64::from(set.len()) {
            for (value, bits) in &values.dense {
                let found = u64::from(bits.count_and(set));
                if found > 0 {
                    *counts.entry(value.clone()).or_default() += found;
                }
            }
            let inverted = reader.inverted_index(field)?;
            for (value, info) in &values.sparse {
                let mut found = 0;
                let mut block =
                    inverted.read_block_postings_from_terminfo(info, IndexRecordOption::Basic)?;
                while !block.docs().is_empty() {
                    found += block.docs().iter().filter(|&&d| set.contains(d)).count() as u64;
                    block.advance();
                }
                if found > 0 {
                    *counts.entry(value.clone()).or_default() += found;
                }
            }
        } else {
            let name = searcher.schema().get_field_name(field);
            let mut collector = FacetCollector::for_field(name);
            collector.add_facet(Facet::root());
            let mut child = collector.for_segment(ord as u32, reader)?;
            for doc in set.iter() {
                child.collect(doc, 0.0);
            }
            let found = collector.merge_fruits(vec![child.harvest()])?;
            for (facet, n) in found.get(Facet::root()) {
                *counts.entry(last(facet)).or_default() += n;
            }
        }
    }
    Ok(counts)
}

/// The values of a facet field in a segment, with where their postings are.
fn all_values(reader: &SegmentReader, field: Field) -> tantivy::Result<Vec<(String, TermInfo)>> {
    let inverted = reader.inverted_index(field)?;
    let mut stream = inverted.terms().stream()?;
    let mut values = Vec::new();
    while let Some((bytes, info)) = stream.next() {
        // Facet terms hold the encoded path of every value and of the root above them all
        // (which every document holding a value has): the values are one level deep.
        if let Ok(facet) = Facet::from_encoded(bytes.to_vec())
            && !facet.is_root()
            && facet.to_path().len() == 1
        {
            values.push((last(&facet), info.clone()));
        }
    }
    Ok(values)
}

fn last(facet: &Facet) -> String {
    facet
        .to_path()
        .last()
        .copied()
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{FacetOptions, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    /// Every way of counting (bitmaps and postings for a large set, the column for a small
    /// one) agrees with counting the values of each selected document, and counting again
    /// (from the cached bitmaps) gives the same.
    #[test]
    fn counts_equal_a_count_of_each_selected_documents_values() {
        let mut builder = Schema::builder();
        let field = builder.add_facet_field("colour", FacetOptions::default());
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        // Four colours most documents hold (bitmaps), one that few do (postings).
        let colours = ["red", "green", "blue", "amber"];
        let of = |doc: u32| -> Vec<&str> {
            let mut found: Vec<&str> = colours
                .iter()
                .enumerate()
                .filter(|(i, _)| doc.is_multiple_of(*i as u32 + 2))
                .map(|(_, c)| *c)
                .collect();
            if doc % 500 == 3 {
                found.push("violet");
            }
            found
        };
        let docs = 3_000;
        for doc in 0..docs {
            let mut document = TantivyDocument::default();
            for colour in of(doc) {
                document.add_facet(field, Facet::from_path([colour]));
            }
            writer.add_document(document).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        for selected in [
            (0..docs).collect::<Vec<u32>>(),
            (0..docs).filter(|d| d % 7 == 1).collect(),
            (0..docs).filter(|d| d % 2 == 1).collect(),
            vec![6, 12, 503, 2_999],
        ] {
            let mut set = DocBits::empty(docs);
            selected.iter().for_each(|&d| set.insert(d));
            let mut expected: BTreeMap<String, u64> = BTreeMap::new();
            for doc in &selected {
                for colour in of(*doc) {
                    *expected.entry(colour.to_owned()).or_default() += 1;
                }
            }
            assert_eq!(count(&searcher, &[&set], field).unwrap(), expected);
            assert_eq!(count(&searcher, &[&set], field).unwrap(), expected);
        }
    }
}
