//! Runs a search on one searcher. The matching documents of every segment are selected as a
//! bitmap (the text plan, the filters, exclusions, the exact geographic test, deletions); the
//! total and the facet counts are read from the bitmaps (a facet whose field is filtered on
//! counts the selection without that filter, one bitmap operation away), the page is ranked
//! from them, and only its hits are read from the document store.

use std::collections::BTreeMap;

use tantivy::query::FuzzyTermQuery;
use tantivy::schema::Field;
use tantivy::{DocAddress, Score, Searcher, SegmentReader, Term};

use super::SearchError;
use super::alive;
use super::analysis::{Stems, query_words};
use super::bits::DocBits;
use super::facets;
use super::filters::{Filters, facet_term};
use super::geo_index::{AreaTest, DISTANCE_BANDS, band};
use super::hits::hit;
use super::labels::label;
use super::matching::{Prepared, SegmentPlan};
use super::network_names::NetworkNames;
use super::plan::{Compiled, Node};
use super::query::{Strictness, text_query, typo_budget, typo_terms};
use super::request::{
    FacetCounts as Counts, FacetValue, FilterField, Hit, SearchRequest, SearchResults, Sort,
};
use super::schema::Fields;
use super::scoring;
use super::sort_order::{SortKey, first_by};
use crate::geography::{Area, GeoPoint, haversine_km};
use nearest::{measure, measure_nearest, nearest};

mod nearest;

/// Fields whose words count as known spellings for "did you mean".
const SPELLING_FIELDS: [&str; 6] = [
    "name",
    "expertise",
    "themes",
    "groups",
    "places",
    "description",
];

/// Searches; a query whose words nothing matches all of is tried again, matching some of them
/// (`partial`), and gets a respelling that finds something (`did_you_mean`).
pub fn search(
    searcher: &Searcher,
    fields: &Fields,
    request: &SearchRequest,
) -> Result<SearchResults, SearchError> {
    if request.any_word {
        return run(searcher, fields, request, Strictness::Any);
    }
    let results = run(searcher, fields, request, Strictness::Normal)?;
    if results.total > 0 || request.text.trim().is_empty() {
        return Ok(results);
    }
    let did_you_mean = did_you_mean(searcher, fields, request)?;
    let mut relaxed = run(searcher, fields, request, Strictness::Relaxed)?;
    relaxed.partial = relaxed.total > 0;
    relaxed.did_you_mean = did_you_mean;
    Ok(relaxed)
}

/// One segment's selected documents.
struct Selected<'a> {
    reader: &'a SegmentReader,
    plan: Option<SegmentPlan<'a>>,
    selection: DocBits,
    /// The selection without the filter of each field counted disjunctively, in that order.
    without: Vec<DocBits>,
}

/// Every selected document's distance from `near` (`None` without a point), where it is.
type Measured = Vec<(Option<f64>, DocAddress)>;

fn run(
    searcher: &Searcher,
    fields: &Fields,
    request: &SearchRequest,
    strictness: Strictness,
) -> Result<SearchResults, SearchError> {
    let text = text_query(searcher, searcher.schema(), &request.text, strictness);
    let prepared = plan_of(fields, request, text.plan)
        .map(|plan| Prepared::new(searcher, Compiled::new(&plan)))
        .transpose()?;
    // A field filtered on is counted separately, without its own filter.
    let (disjunctive, direct): (Vec<FilterField>, Vec<FilterField>) = request
        .facets
        .iter()
        .partition(|field| request.filters.iter().any(|(f, _)| f == *field));
    let filters = Filters::of(fields, request);
    let mut segments = select(
        searcher,
        prepared.as_ref(),
        &filters,
        &request.areas,
        &disjunctive,
    )?;
    let total = segments.iter().map(|s| s.selection.len() as usize).sum();
    let sort = match request.sort {
        Sort::Relevance if prepared.is_none() => Sort::Name,
        sort => sort,
    };
    let measured = match request.near {
        Some(origin) if request.distance_facet => Some(measure(&segments, origin)?),
        Some(origin) if sort == Sort::Distance => Some(measure_nearest(
            &segments,
            fields.cells,
            origin,
            request.offset + request.limit.max(1),
        )?),
        _ => None,
    };
    let page = rank(&mut segments, sort, request, measured.as_deref())?;

    let mut stems = request.highlight.then(Stems::new);
    let hits = page
        .into_iter()
        .map(|Placed { score, km, address }| {
            let highlight = stems.as_mut().map(|stems| (&text.marks, stems));
            let mut hit = hit(searcher, fields, score, address, highlight)?;
            // Measured when the page was sorted by distance; otherwise from the hit's points.
            let km = km.or_else(|| request.near.and_then(|origin| nearest_km(origin, &hit)));
            hit.distance_km = km.map(in_metres);
            Ok(hit)
        })
        .collect::<Result<_, SearchError>>()?;

    let mut facets: BTreeMap<String, Counts> = BTreeMap::new();
    for field in direct {
        let counts = facet_counts(searcher, &segments, |s| &s.selection, fields.facet(field))?;
        facets.insert(
            field.param().to_owned(),
            values(searcher, fields, field.param(), counts)?,
        );
    }
    for (index, field) in disjunctive.into_iter().enumerate() {
        let counts = facet_counts(
            searcher,
            &segments,
            |s| &s.without[index],
            fields.facet(field),
        )?;
        facets.insert(
            field.param().to_owned(),
            values(searcher, fields, field.param(), counts)?,
        );
    }
    if request.unit_facet {
        let counts = facet_counts(searcher, &segments, |s| &s.selection, fields.within)?;
        facets.insert(
            "units".to_owned(),
            values(searcher, fields, "units", counts)?,
        );
    }
    if request.distance_facet {
        let mut bands = [0_u64; DISTANCE_BANDS.len()];
        for distance in measured
            .iter()
            .flatten()
            .filter_map(|(distance, _)| *distance)
        {
            bands[band(distance)] += 1;
        }
        let bands = DISTANCE_BANDS
            .iter()
            .zip(bands)
            .map(|((name, _, _), count)| FacetValue {
                value: (*name).to_owned(),
                count,
                label: label("distance", name, |_| None),
            })
            .collect();
        facets.insert("distance".to_owned(), bands);
    }
    Ok(SearchResults {
        total,
        hits,
        facets,
        did_you_mean: None,
        partial: false,
    })
}

/// What scores: the text and the preferences. A record must match one of them, and scores by
/// all it matches.
fn plan_of(fields: &Fields, request: &SearchRequest, text: Option<Node>) -> Option<Node> {
    let boosts = (!request.boosts.is_empty()).then(|| {
        Node::any(
            request
                .boosts
                .iter()
                .map(|boost| {
                    let term = facet_term(fields.facet(boost.field), &boost.value);
                    Node::constant(term, boost.weight)
                })
                .collect(),
        )
    });
    match (text, boosts) {
        (Some(text), Some(boosts)) => Some(Node::any(vec![text, boosts])),
        (text, boosts) => text.or(boosts),
    }
}

/// Every segment's matching documents, and for each field in `disjunctive`, those that match
/// everything but that field's filter.
fn select<'a>(
    searcher: &'a Searcher,
    prepared: Option<&'a Prepared>,
    filters: &Filters,
    areas: &[Area],
    disjunctive: &[FilterField],
) -> tantivy::Result<Vec<Selected<'a>>> {
    let mut segments = Vec::with_capacity(searcher.segment_readers().len());
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let mut plan = prepared.map(|p| SegmentPlan::new(p, ord, reader));
        let mut base = match &mut plan {
            Some(plan) => plan.matches()?,
            None => DocBits::full(reader.max_doc()),
        };
        for restriction in &filters.always {
            if base.is_empty() {
                break;
            }
            base.and(&restriction.matches(searcher, reader)?);
        }
        // Documents with a point in a cell inside every area need no exact test.
        let mut certainly_inside = None;
        if let Some(near) = filters.near.as_ref().filter(|_| !base.is_empty()) {
            let (candidates, inside) = near.matches(searcher, reader)?;
            base.and(&candidates);
            certainly_inside = Some(inside);
        }
        if let Some(excluded) = filters.excluded.as_ref().filter(|_| !base.is_empty()) {
            base.and_not(&excluded.matches(searcher, reader)?);
        }
        let mut by_field = Vec::with_capacity(filters.by_field.len());
        for (field, restriction) in &filters.by_field {
            let bits = if base.is_empty() {
                DocBits::empty(reader.max_doc())
            } else {
                restriction.matches(searcher, reader)?
            };
            by_field.push((*field, bits));
        }
        let restricted = |except: Option<FilterField>| {
            let mut bits = base.clone();
            for (field, values) in &by_field {
                if Some(*field) != except {
                    bits.and(values);
                }
            }
            bits
        };
        let mut selection = restricted(None);
        let mut without: Vec<DocBits> = disjunctive.iter().map(|f| restricted(Some(*f))).collect();
        if let Some(alive) = alive::alive(reader) {
            selection.and(&alive);
            for bits in &mut without {
                bits.and(&alive);
            }
        }
        // The exact geographic test, once for every document of any of the sets.
        if !areas.is_empty() {
            let inside = AreaTest::new(reader, areas)?;
            let mut checked = selection.clone();
            for bits in &without {
                checked.or(bits);
            }
            checked.retain(|doc| {
                certainly_inside.as_ref().is_some_and(|c| c.contains(doc)) || inside.accepts(doc)
            });
            selection.and(&checked);
            for bits in &mut without {
                bits.and(&checked);
            }
        }
        segments.push(Selected {
            reader,
            plan,
            selection,
            without,
        });
    }
    Ok(segments)
}

/// A document of the page: its score when ranked by relevance, its distance when sorted by it.
struct Placed {
    score: Option<Score>,
    km: Option<f64>,
    address: DocAddress,
}

impl Placed {
    fn unscored(address: DocAddress) -> Placed {
        Placed {
            score: None,
            km: None,
            address,
        }
    }
}

/// The page of results, in order.
fn rank(
    segments: &mut [Selected<'_>],
    sort: Sort,
    request: &SearchRequest,
    measured: Option<&[(Option<f64>, DocAddress)]>,
) -> tantivy::Result<Vec<Placed>> {
    let limit = request.limit.max(1);
    Ok(match sort {
        Sort::Relevance => top_by_score(segments, request.offset + limit)?
            .into_iter()
            .skip(request.offset)
            .map(|ranked| Placed {
                score: Some(ranked.score),
                km: None,
                address: ranked.address,
            })
            .collect(),
        Sort::Distance => nearest(
            segments,
            measured.unwrap_or_default(),
            request.offset + limit,
        )?
        .into_iter()
        .skip(request.offset)
        .map(|(km, score, address)| Placed {
            score: Some(score),
            km,
            address,
        })
        .collect(),
        Sort::Name | Sort::FoundedYear | Sort::Updated => {
            let key = match sort {
                Sort::FoundedYear => SortKey::FoundedYear,
                Sort::Updated => SortKey::Updated,
                _ => SortKey::Name,
            };
            let selections: Vec<(&SegmentReader, &DocBits)> =
                segments.iter().map(|s| (s.reader, &s.selection)).collect();
            first_by(&selections, key, request.offset + limit)?
                .into_iter()
                .skip(request.offset)
                .map(Placed::unscored)
                .collect()
        }
    })
}

/// A document ranked by relevance.
#[derive(Debug, Clone, Copy)]
struct Ranked {
    score: Score,
    /// Equal scores: the most recently updated profile first.
    updated: u64,
    address: DocAddress,
}

fn better(a: &Ranked, b: &Ranked) -> std::cmp::Ordering {
    b.score
        .total_cmp(&a.score)
        .then(b.updated.cmp(&a.updated))
        .then(a.address.cmp(&b.address))
}

/// The `k` best selected documents by score, best first.
fn top_by_score(segments: &mut [Selected<'_>], k: usize) -> tantivy::Result<Vec<Ranked>> {
    let mut best: Vec<Ranked> = Vec::with_capacity(2 * k);
    // The lowest score among the `k` best so far, once there are `k`.
    let mut threshold = f32::NEG_INFINITY;
    for (ord, segment) in segments.iter_mut().enumerate() {
        let Some(plan) = &mut segment.plan else {
            continue;
        };
        if segment.selection.is_empty() {
            continue;
        }
        let candidates = scoring::best(plan, &segment.selection, k)?;
        let updated = segment
            .reader
            .fast_fields()
            .u64("updated")
            .ok()
            .map(|column| column.first_or_default_col(0));
        for (doc, score) in candidates {
            // A lower score cannot enter; an equal one may, by its update time.
            if score < threshold {
                continue;
            }
            best.push(Ranked {
                score,
                updated: updated.as_ref().map_or(0, |c| c.get_val(doc)),
                address: DocAddress::new(ord as u32, doc),
            });
            if best.len() >= 2 * k {
                best.select_nth_unstable_by(k - 1, better);
                best.truncate(k);
                threshold = best.iter().map(|r| r.score).fold(f32::INFINITY, f32::min);
            }
        }
    }
    best.sort_unstable_by(better);
    best.truncate(k);
    Ok(best)
}

fn facet_counts<'a>(
    searcher: &Searcher,
    segments: &'a [Selected<'a>],
    set: impl Fn(&'a Selected<'a>) -> &'a DocBits,
    field: Field,
) -> tantivy::Result<BTreeMap<String, u64>> {
    let sets: Vec<&DocBits> = segments.iter().map(set).collect();
    facets::count(searcher, &sets, field)
}

/// Facet counts as values with labels, in value order.
fn values(
    searcher: &Searcher,
    fields: &Fields,
    facet: &str,
    counts: BTreeMap<String, u64>,
) -> Result<Counts, SearchError> {
    let networks = match facet {
        "network" => Some(NetworkNames::of(searcher, fields)?),
        _ => None,
    };
    let name = |id: &str| Some(networks.as_ref()?.get(id)?.to_owned());
    Ok(counts
        .into_iter()
        .map(|(value, count)| FacetValue {
            label: label(facet, &value, name),
            value,
            count,
        })
        .collect())
}

/// How many records a request finds.
fn count(
    searcher: &Searcher,
    fields: &Fields,
    request: &SearchRequest,
) -> Result<usize, SearchError> {
    let text = text_query(
        searcher,
        searcher.schema(),
        &request.text,
        Strictness::Normal,
    );
    let prepared = plan_of(fields, request, text.plan)
        .map(|plan| Prepared::new(searcher, Compiled::new(&plan)))
        .transpose()?;
    let filters = Filters::of(fields, request);
    let segments = select(searcher, prepared.as_ref(), &filters, &request.areas, &[])?;
    Ok(segments.iter().map(|s| s.selection.len() as usize).sum())
}

/// For a query without results: the query with its unknown words replaced by the most frequent
/// indexed word within two typos, when that finds something.
fn did_you_mean(
    searcher: &Searcher,
    fields: &Fields,
    request: &SearchRequest,
) -> Result<Option<String>, SearchError> {
    let schema = searcher.schema();
    let words = query_words(&request.text);
    let mut changed = false;
    let mut respelt = Vec::with_capacity(words.len());
    for word in &words {
        let known = SPELLING_FIELDS.iter().any(|name| {
            schema
                .get_field(name)
                .ok()
                .and_then(|field| {
                    searcher
                        .doc_freq(&Term::from_field_text(field, &word.exact))
                        .ok()
                })
                .is_some_and(|n| n > 0)
        });
        let length = word.exact.chars().count();
        if known
            || word.is_stopword()
            || length < 3
            || typo_budget(word) == 0 && word.typed.chars().any(|c| c.is_ascii_digit())
        {
            respelt.push(word.exact.clone());
            continue;
        }
        let distance = if length < 6 { 1 } else { 2 };
        let term = Term::from_field_text(fields.name, &word.exact);
        let automaton = FuzzyTermQuery::new(term, distance, true).automaton()?;
        let mut best: Option<(u64, String)> = None;
        for name in SPELLING_FIELDS {
            let Ok(field) = schema.get_field(name) else {
                continue;
            };
            for candidate in typo_terms(searcher, field, &automaton) {
                let count = searcher.doc_freq(&Term::from_field_text(field, &candidate))?;
                if best.as_ref().is_none_or(|(n, _)| count > *n) {
                    best = Some((count, candidate));
                }
            }
        }
        match best {
            Some((_, better)) => {
                respelt.push(better);
                changed = true;
            }
            None => respelt.push(word.exact.clone()),
        }
    }
    if !changed {
        return Ok(None);
    }
    let respelt = respelt.join(" ");
    let mut retry = request.clone();
    retry.text = respelt.clone();
    Ok((count(searcher, fields, &retry)? > 0).then_some(respelt))
}

/// Distance from `origin` to the nearest place stored in a hit's summary.
fn nearest_km(origin: GeoPoint, hit: &Hit) -> Option<f64> {
    hit.summary
        .points()
        .into_iter()
        .map(|point| haversine_km(origin, point))
        .min_by(f64::total_cmp)
}

/// A distance as shown: to the metre.
fn in_metres(km: f64) -> f64 {
    (km * 1000.0).round() / 1000.0
}
