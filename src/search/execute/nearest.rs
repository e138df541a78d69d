//! Ranking selected documents by distance from a point: every one measured (for the distance
//! facet), or only those that may be among the `k` nearest, found by walking the grid cells
//! around the point ring by ring, and the `k` nearest of them with their scores.

use tantivy::schema::Field;
use tantivy::{DocAddress, Score};

use super::{Measured, Selected};
use crate::geography::GeoPoint;
use crate::search::bits::DocBits;
use crate::search::geo_index::{Distances, Rings};
use crate::search::matching::add_term;
use crate::search::scoring;

/// The distance from `origin` of every selected document.
pub(super) fn measure(segments: &[Selected<'_>], origin: GeoPoint) -> tantivy::Result<Measured> {
    let mut measured = Vec::new();
    for (ord, segment) in segments.iter().enumerate() {
        let distances = Distances::new(segment.reader, origin)?;
        for doc in segment.selection.iter() {
            measured.push((distances.nearest_km(doc), DocAddress::new(ord as u32, doc)));
        }
    }
    Ok(measured)
}

/// The distance from `origin` of the selected documents that may be among the `k` nearest:
/// bounds from each document's packed first point leave out, unmeasured, those certainly
/// farther than `k` others (a radius of 10 km around Tirana selects thousands, of which a page
/// wants 20; measuring each exactly was two fifths of such a search).
pub(super) fn measure_nearest(
    segments: &[Selected<'_>],
    cells: Field,
    origin: GeoPoint,
    k: usize,
) -> tantivy::Result<Measured> {
    if let Some(measured) = walk_nearest(segments, cells, origin, k)? {
        return Ok(measured);
    }
    let mut bounded = Vec::new();
    for (ord, segment) in segments.iter().enumerate() {
        let distances = Distances::new(segment.reader, origin)?;
        for doc in segment.selection.iter() {
            let (lower, upper) = distances
                .bounds_km(doc)
                .unwrap_or((f64::INFINITY, f64::INFINITY));
            bounded.push((lower, upper, DocAddress::new(ord as u32, doc)));
        }
    }
    if bounded.is_empty() {
        return Ok(Vec::new());
    }
    // `k` documents are at most this far: any whose least distance is beyond is not among the
    // `k` nearest, nor tied with the `k`-th.
    let mut uppers: Vec<f64> = bounded.iter().map(|&(_, upper, _)| upper).collect();
    let at = k.clamp(1, uppers.len()) - 1;
    let reach = *uppers.select_nth_unstable_by(at, f64::total_cmp).1;
    let mut measured = Vec::new();
    for (ord, segment) in segments.iter().enumerate() {
        let distances = Distances::new(segment.reader, origin)?;
        let mine = bounded
            .iter()
            .filter(|(lower, _, address)| address.segment_ord == ord as u32 && *lower <= reach);
        for &(_, _, address) in mine {
            measured.push((distances.nearest_km(address.doc_id), address));
        }
    }
    Ok(measured)
}

/// The selected documents with a point in the grid cells around `origin`, visited ring by ring
/// until `k` of them are certainly nearer than anything outside the rings visited; of those,
/// the ones that may be among the `k` nearest (by the bounds of their packed first point) are
/// measured. Only the matches of a few cells are bounded, rather than every match. `None` when
/// [`Rings::MAX`] rings do not get there (few matches nearby).
fn walk_nearest(
    segments: &[Selected<'_>],
    cells: Field,
    origin: GeoPoint,
    k: usize,
) -> tantivy::Result<Option<Measured>> {
    let Some(rings) = Rings::new(origin) else {
        return Ok(None);
    };
    let k = k.max(1);
    let distances = segments
        .iter()
        .map(|segment| Distances::new(segment.reader, origin))
        .collect::<tantivy::Result<Vec<_>>>()?;
    let mut seen: Vec<DocBits> = segments
        .iter()
        .map(|segment| DocBits::empty(segment.reader.max_doc()))
        .collect();
    let mut bounded: Vec<(f64, f64, DocAddress)> = Vec::new();
    for ring in 0..=Rings::MAX {
        let terms = rings.cells(cells, ring);
        for (ord, segment) in segments.iter().enumerate() {
            let mut found = DocBits::empty(segment.reader.max_doc());
            for term in &terms {
                add_term(&mut found, segment.reader, term)?;
            }
            found.and(&segment.selection);
            // A document with several points is in several cells: bounded once.
            found.and_not(&seen[ord]);
            seen[ord].or(&found);
            for doc in found.iter() {
                let (lower, upper) = distances[ord]
                    .bounds_km(doc)
                    .unwrap_or((0.0, f64::INFINITY));
                bounded.push((lower, upper, DocAddress::new(ord as u32, doc)));
            }
        }
        if bounded.len() < k {
            continue;
        }
        // `k` documents are at most this far; when nothing outside is as near, every document
        // as near as the `k`-th nearest has been bounded.
        let mut uppers: Vec<f64> = bounded.iter().map(|&(_, upper, _)| upper).collect();
        let reach = *uppers.select_nth_unstable_by(k - 1, f64::total_cmp).1;
        if reach < rings.beyond_km(ring) {
            let measured = bounded
                .iter()
                .filter(|&&(lower, _, _)| lower <= reach)
                .map(|&(_, _, address)| {
                    let km = distances[address.segment_ord as usize].nearest_km(address.doc_id);
                    (km, address)
                })
                .collect();
            return Ok(Some(measured));
        }
    }
    Ok(None)
}

/// The `k` nearest of the measured documents, nearest first, equal distances by relevance.
/// Only the documents as near as the `k`-th are scored.
pub(super) fn nearest(
    segments: &mut [Selected<'_>],
    measured: &[(Option<f64>, DocAddress)],
    k: usize,
) -> tantivy::Result<Vec<(Option<f64>, Score, DocAddress)>> {
    let km = |distance: Option<f64>| distance.unwrap_or(f64::INFINITY);
    let Some(kth) = (k > 0 && !measured.is_empty()).then(|| {
        let mut distances: Vec<f64> = measured.iter().map(|(d, _)| km(*d)).collect();
        let at = (k - 1).min(distances.len() - 1);
        *distances.select_nth_unstable_by(at, f64::total_cmp).1
    }) else {
        return Ok(Vec::new());
    };
    let near: Vec<(Option<f64>, DocAddress)> = measured
        .iter()
        .filter(|(d, _)| km(*d) <= kth)
        .copied()
        .collect();
    let mut ranked = Vec::with_capacity(near.len());
    for (ord, segment) in segments.iter_mut().enumerate() {
        let mut wanted = DocBits::empty(segment.reader.max_doc());
        let mut mine: Vec<_> = near
            .iter()
            .filter(|(_, a)| a.segment_ord == ord as u32)
            .collect();
        mine.iter().for_each(|(_, a)| wanted.insert(a.doc_id));
        let scores: Vec<Score> = match &mut segment.plan {
            Some(plan) => scoring::scores(plan, &wanted)?,
            None => vec![0.0; mine.len()],
        };
        // `scores` comes in document order; the walk around the point measures ring by ring,
        // so the documents are put in that order too before the two are paired.
        mine.sort_unstable_by_key(|(_, a)| a.doc_id);
        for ((distance, address), score) in mine.into_iter().zip(scores) {
            ranked.push((*distance, score, *address));
        }
    }
    ranked.sort_by(|a, b| {
        km(a.0)
            .total_cmp(&km(b.0))
            .then(b.1.total_cmp(&a.1))
            .then(a.2.cmp(&b.2))
    });
    ranked.truncate(k);
    Ok(ranked)
}
