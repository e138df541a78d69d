//! Geographic filtering and distances inside the index. Grid-cell terms (or, for large areas,
//! fast-field ranges) narrow the candidates to the area's bounding box; [`AreaTest`] then
//! applies the exact test to each candidate's points (read from the lat/lon fast fields), and
//! [`Distances`] measures a document's nearest point when results are sorted or counted by
//! distance.

use std::ops::Bound;

use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery};
use tantivy::{DocId, Searcher, SegmentReader, Term};

use super::bits::DocBits;
use super::matching::{Restriction, add_term};
use super::schema::Fields;
use crate::geography::{Area, Bounds, GeoPoint, PACKING_ERROR_KM, Verdict, haversine_km, unpack};

pub const FIRST_POINT: &str = "first_point";
pub const LAT: &str = "lat";
pub const LON: &str = "lon";

/// Grid cell sizes in degrees, coarse to fine: every point is indexed in one cell of each.
const CELL_SIZES: [f64; 4] = [1.0, 0.25, 0.0625, 0.015_625];
/// A box is looked up by at most this many cells, at the finest level that allows it.
const MAX_CELLS: i64 = 24;

fn cell(level: usize, lat: f64, lon: f64) -> String {
    let size = CELL_SIZES[level];
    format!(
        "{level}:{}:{}",
        (lat / size).floor() as i64,
        (lon / size).floor() as i64
    )
}

/// The grid cells a point is indexed under, one per level.
pub fn cells(lat: f64, lon: f64) -> impl Iterator<Item = String> {
    (0..CELL_SIZES.len()).map(move |level| cell(level, lat, lon))
}

/// Where the documents with a point in some areas can be: the grid cells that touch the areas'
/// bounding box, each marked when the areas cover it entirely (its documents then need no
/// exact test), or, for boxes too large for [`MAX_CELLS`] cells at the coarsest level, the
/// fast-field ranges of [`box_query`].
pub enum Coarse {
    Cells(Vec<(Term, bool)>),
    Ranges(Box<dyn Query>),
}

impl Coarse {
    pub fn new(fields: &Fields, areas: &[Area]) -> Coarse {
        let bounds = areas
            .iter()
            .fold(Bounds::WORLD, |b, area| b.intersect(area.bounds()));
        for level in (0..CELL_SIZES.len()).rev() {
            let size = CELL_SIZES[level];
            let (lat0, lat1) = (
                (bounds.min_lat / size).floor() as i64,
                (bounds.max_lat / size).floor() as i64,
            );
            let (lon0, lon1) = (
                (bounds.min_lon / size).floor() as i64,
                (bounds.max_lon / size).floor() as i64,
            );
            if (lat1 - lat0 + 1) * (lon1 - lon0 + 1) > MAX_CELLS {
                continue;
            }
            let mut cells = Vec::new();
            for lat in lat0..=lat1 {
                for lon in lon0..=lon1 {
                    let term = Term::from_field_text(fields.cells, &format!("{level}:{lat}:{lon}"));
                    let cell = Bounds {
                        min_lat: lat as f64 * size,
                        max_lat: (lat + 1) as f64 * size,
                        min_lon: lon as f64 * size,
                        max_lon: (lon + 1) as f64 * size,
                    };
                    cells.push((term, areas.iter().all(|area| area.covers(cell))));
                }
            }
            return Coarse::Cells(cells);
        }
        Coarse::Ranges(box_query(fields, bounds))
    }

    /// The candidates of a segment, and those of them certainly inside every area.
    pub fn matches(
        &self,
        searcher: &Searcher,
        reader: &SegmentReader,
    ) -> tantivy::Result<(DocBits, DocBits)> {
        let max_doc = reader.max_doc();
        match self {
            Coarse::Cells(cells) => {
                let (mut near, mut inside) = (DocBits::empty(max_doc), DocBits::empty(max_doc));
                for (term, covered) in cells {
                    add_term(&mut near, reader, term)?;
                    if *covered {
                        add_term(&mut inside, reader, term)?;
                    }
                }
                Ok((near, inside))
            }
            Coarse::Ranges(query) => {
                let near = Restriction::Query(query.box_clone()).matches(searcher, reader)?;
                Ok((near, DocBits::empty(max_doc)))
            }
        }
    }
}

/// Documents with a point inside the box (on the lat and lon fast fields). With several points
/// a document may pass with the latitude of one and the longitude of another: the exact test
/// afterwards removes those.
pub fn box_query(fields: &Fields, bounds: Bounds) -> Box<dyn Query> {
    let range = |field, min: f64, max: f64| -> (Occur, Box<dyn Query>) {
        let query = RangeQuery::new(
            Bound::Included(Term::from_field_f64(field, min)),
            Bound::Included(Term::from_field_f64(field, max)),
        );
        (Occur::Must, Box::new(query))
    };
    Box::new(BooleanQuery::new(vec![
        range(fields.lat, bounds.min_lat, bounds.max_lat),
        range(fields.lon, bounds.min_lon, bounds.max_lon),
    ]))
}

/// The points of one document, from the segment's latitude and longitude columns. Both are
/// multi-valued and keep the order in which a document's values were added, so the i-th
/// latitude and the i-th longitude are one point. (A numeric column; a bytes column would cost
/// a dictionary lookup per document.)
struct SegmentPoints {
    lat: Option<Column<f64>>,
    lon: Option<Column<f64>>,
    first: Option<Column<u64>>,
}

impl SegmentPoints {
    fn open(reader: &SegmentReader) -> tantivy::Result<SegmentPoints> {
        let fast = reader.fast_fields();
        Ok(SegmentPoints {
            lat: fast.column_opt::<f64>(LAT)?,
            lon: fast.column_opt::<f64>(LON)?,
            first: fast.column_opt::<u64>(FIRST_POINT)?,
        })
    }

    /// The first point, slightly rounded, and whether there are more: one cheap column read.
    fn first(&self, doc: DocId) -> Option<(GeoPoint, bool)> {
        self.first.as_ref()?.first(doc).map(unpack)
    }

    fn of(&self, doc: DocId) -> impl Iterator<Item = GeoPoint> + '_ {
        let (lat, lon) = (self.lat.as_ref(), self.lon.as_ref());
        let lats = lat.into_iter().flat_map(move |c| c.values_for_doc(doc));
        let lons = lon.into_iter().flat_map(move |c| c.values_for_doc(doc));
        lats.zip(lons).map(|(lat, lon)| GeoPoint::new(lat, lon))
    }
}

/// The exact geographic test of one segment's documents: a point inside every area.
pub struct AreaTest<'a> {
    areas: &'a [Area],
    points: SegmentPoints,
}

impl<'a> AreaTest<'a> {
    pub fn new(reader: &SegmentReader, areas: &'a [Area]) -> tantivy::Result<AreaTest<'a>> {
        Ok(AreaTest {
            areas,
            points: SegmentPoints::open(reader)?,
        })
    }

    /// Decided from the packed first point when it is clearly inside every area (or, for a
    /// document with one point, clearly outside one); otherwise by the exact points.
    pub fn accepts(&self, doc: DocId) -> bool {
        let areas = self.areas;
        if areas.is_empty() {
            return true;
        }
        if let Some((point, more)) = self.points.first(doc) {
            let verdicts = || areas.iter().map(|area| area.classify(point));
            if verdicts().all(|v| v == Verdict::Inside) {
                return true;
            }
            if !more && verdicts().any(|v| v == Verdict::Outside) {
                return false;
            }
        }
        self.points
            .of(doc)
            .any(|point| areas.iter().all(|area| area.contains(point)))
    }
}

/// Distances from `origin` to the points of one segment's documents.
pub struct Distances {
    origin: GeoPoint,
    points: SegmentPoints,
}

impl Distances {
    pub fn new(reader: &SegmentReader, origin: GeoPoint) -> tantivy::Result<Distances> {
        Ok(Distances {
            origin,
            points: SegmentPoints::open(reader)?,
        })
    }

    /// Bounds on the distance to the document's nearest point, from its packed first point
    /// alone (one column read, one haversine): the first point's distance, give or take the
    /// packing error, for a document with one point; at most that for one with more (another
    /// may be nearer). `None` for a document without a point.
    pub fn bounds_km(&self, doc: DocId) -> Option<(f64, f64)> {
        // The packing error, and a hair for rounding in the two haversines compared.
        const SLACK_KM: f64 = PACKING_ERROR_KM + 1e-9;
        let (point, more) = self.points.first(doc)?;
        let km = haversine_km(self.origin, point);
        let lower = if more { 0.0 } else { (km - SLACK_KM).max(0.0) };
        Some((lower, km + SLACK_KM))
    }

    /// To the document's nearest point, in kilometres; `None` for a document without a point.
    pub fn nearest_km(&self, doc: DocId) -> Option<f64> {
        self.points
            .of(doc)
            .map(|p| haversine_km(self.origin, p))
            .min_by(f64::total_cmp)
    }
}

/// Distance bands of the `distance` facet, in kilometres: [from, to).
pub const DISTANCE_BANDS: [(&str, f64, f64); 5] = [
    ("0-5", 0.0, 5.0),
    ("5-10", 5.0, 10.0),
    ("10-25", 10.0, 25.0),
    ("25-50", 25.0, 50.0),
    ("50+", 50.0, f64::INFINITY),
];

/// The index of the band holding a distance.
pub fn band(distance_km: f64) -> usize {
    DISTANCE_BANDS
        .iter()
        .position(|(_, from, to)| (*from..*to).contains(&distance_km))
        .unwrap_or(DISTANCE_BANDS.len() - 1)
}
