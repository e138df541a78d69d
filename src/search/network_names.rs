//! The names of the networks each segment holds, read once per segment and set of deletions
//! and kept: the `network` facet labels every value with its network's name. Looking each one
//! up with a search of its own (a query, a stored document, its summary) was most of a search
//! that counted that facet: 2.5 ms of 4.3 for 400 networks at 100,000 organisations, and ten
//! times that at a million.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::index::SegmentId;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Opstamp, Searcher, SegmentReader, Term};

use super::SearchError;
use super::hits::hit;
use super::kept::Kept;
use super::schema::Fields;
use crate::model::RecordKind;

/// Network id → name, of one segment's live network documents.
type Names = HashMap<String, String>;

/// Each segment's names with the deletions they were read under.
static KEPT: Kept<SegmentId, (Option<Opstamp>, Arc<Names>)> = Kept::new();

/// The names of the networks a searcher sees.
pub struct NetworkNames(Vec<Arc<Names>>);

impl NetworkNames {
    pub fn of(searcher: &Searcher, fields: &Fields) -> Result<NetworkNames, SearchError> {
        let segments = searcher.segment_readers().iter().enumerate();
        let names = segments
            .map(|(ord, reader)| segment_names(searcher, fields, ord as u32, reader))
            .collect::<Result<_, _>>()?;
        Ok(NetworkNames(names))
    }

    /// The name of the network `id` (a network is live in one segment at most).
    pub fn get(&self, id: &str) -> Option<&str> {
        self.0
            .iter()
            .find_map(|names| names.get(id).map(String::as_str))
    }
}

fn segment_names(
    searcher: &Searcher,
    fields: &Fields,
    ord: u32,
    reader: &SegmentReader,
) -> Result<Arc<Names>, SearchError> {
    let (segment, deletions) = (reader.segment_id(), reader.delete_opstamp());
    if let Some((_, names)) = KEPT.get(&segment, |(stamp, _)| *stamp == deletions) {
        return Ok(names);
    }
    let mut names = Names::new();
    let term = Term::from_field_text(fields.kind, RecordKind::Network.as_str());
    let postings = reader
        .inverted_index(fields.kind)?
        .read_postings(&term, IndexRecordOption::Basic)?;
    if let Some(mut postings) = postings {
        let alive = reader.alive_bitset();
        let mut doc = tantivy::DocSet::doc(&postings);
        while doc != tantivy::TERMINATED {
            if alive.is_none_or(|bits| bits.is_alive(doc)) {
                let network = hit(searcher, fields, None, DocAddress::new(ord, doc), None)?;
                names.insert(network.id, network.name);
            }
            doc = tantivy::DocSet::advance(&mut postings);
        }
    }
    let names = Arc::new(names);
    KEPT.keep(segment, (deletions, Arc::clone(&names)));
    Ok(names)
}
