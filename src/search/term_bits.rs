//! The documents of a term as a bitmap, for matching and filters. A term that many documents of
//! a segment hold is decoded once and its bitmap kept (segments never change), since OR-ing a
//! bitmap's words costs a small part of decoding that many postings; the others are decoded each
//! time. The kept bitmaps are bounded in memory, and dropped all at once when full: what is
//! searched often is made again soon, and a directory's common words are few.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::index::SegmentId;
use tantivy::postings::TermInfo;
use tantivy::schema::IndexRecordOption;
use tantivy::{SegmentReader, Term};

use super::bits::DocBits;

/// A term held by at least one document in this many is kept as a bitmap.
const DENSE_ONE_IN: u64 = 32;
/// At most this many bytes of bitmaps are kept (about 5,000 terms at 100,000 documents).
const MAX_BYTES: usize = 64 * 1024 * 1024;
/// What an entry costs besides its bitmap (the term, the map's slot), counted against
/// [`MAX_BYTES`].
const ENTRY_BYTES: usize = 256;
/// Segments smaller than this decode every term: cheap there, and a server taking writes makes
/// many small segments that would otherwise fill the memory with entries.
const MIN_DOCS: u32 = 8_192;

#[derive(Default)]
struct Kept {
    bitmaps: HashMap<(SegmentId, Term), Arc<DocBits>>,
    bytes: usize,
}

fn kept() -> &'static Mutex<Kept> {
    static KEPT: OnceLock<Mutex<Kept>> = OnceLock::new();
    KEPT.get_or_init(Mutex::default)
}

/// Adds every document holding `term`, whose postings are at `info`.
pub fn add_postings(
    bits: &mut DocBits,
    reader: &SegmentReader,
    term: &Term,
    info: &TermInfo,
) -> tantivy::Result<()> {
    let max_doc = reader.max_doc();
    if max_doc < MIN_DOCS || u64::from(info.doc_freq) * DENSE_ONE_IN < u64::from(max_doc) {
        return decode(bits, reader, term, info);
    }
    let key = (reader.segment_id(), term.clone());
    let found = kept()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .bitmaps
        .get(&key)
        .cloned();
    let bitmap = match found {
        Some(bitmap) => bitmap,
        None => {
            let mut bitmap = DocBits::empty(max_doc);
            decode(&mut bitmap, reader, term, info)?;
            let bitmap = Arc::new(bitmap);
            let bytes = (max_doc as usize).div_ceil(8) + ENTRY_BYTES;
            let mut kept = kept().lock().unwrap_or_else(|e| e.into_inner());
            if kept.bytes + bytes > MAX_BYTES {
                kept.bitmaps.clear();
                kept.bytes = 0;
            }
            if kept.bitmaps.insert(key, Arc::clone(&bitmap)).is_none() {
                kept.bytes += bytes;
            }
            bitmap
        }
    };
    bits.or(&bitmap);
    Ok(())
}

fn decode(
    bits: &mut DocBits,
    reader: &SegmentReader,
    term: &Term,
    info: &TermInfo,
) -> tantivy::Result<()> {
    let mut postings = reader
        .inverted_index(term.field())?
        .read_block_postings_from_terminfo(info, IndexRecordOption::Basic)?;
    loop {
        let docs = postings.docs();
        if docs.is_empty() {
            return Ok(());
        }
        for &doc in docs {
            bits.insert(doc);
        }
        postings.advance();
    }
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{Index, IndexWriter, doc};

    use super::*;

    /// Dense and sparse terms alike give the documents that hold them, the first time (decoded)
    /// and the second (kept), and a bitmap added to others adds to them.
    #[test]
    fn a_terms_bitmap_holds_exactly_its_documents_whether_kept_or_decoded() {
        let mut builder = Schema::builder();
        let body = builder.add_text_field("body", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let words = |n: u32| {
            let mut text = vec!["every"];
            if n.is_multiple_of(2) {
                text.push("half");
            }
            if n % 100 == 7 {
                text.push("rare");
            }
            text.join(" ")
        };
        let docs = MIN_DOCS + 100;
        for n in 0..docs {
            writer.add_document(doc!(body => words(n))).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let reader = searcher.segment_reader(0);
        let inverted = reader.inverted_index(body).unwrap();
        for word in ["every", "half", "rare"] {
            let term = Term::from_field_text(body, word);
            let info = inverted.get_term_info(&term).unwrap().unwrap();
            let expected: Vec<u32> = (0..docs).filter(|&n| words(n).contains(word)).collect();
            for _ in 0..2 {
                let mut bits = DocBits::empty(reader.max_doc());
                add_postings(&mut bits, reader, &term, &info).unwrap();
                assert_eq!(bits.iter().collect::<Vec<_>>(), expected, "{word}");
            }
            let mut bits = DocBits::empty(reader.max_doc());
            bits.insert(1);
            add_postings(&mut bits, reader, &term, &info).unwrap();
            assert!(bits.contains(1) && expected.iter().all(|&d| bits.contains(d)));
        }
    }
}
