//! Geographic filtering and distances inside the index. Grid-cell terms (or, for large areas,
//! fast-field ranges) narrow the candidates to the area's bounding box; [`AreaTest`] then
//! applies the exact test to each candidate's points (read from the lat/lon fast fields), and
//! [`Distances`] measures a document's nearest point when results are sorted or counted by
//! distance.

use std::ops::Bound;

use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery};
use tantivy::schema::Field;
use tantivy::{DocId, Searcher, SegmentReader, Term};

use super::bits::DocBits;
use super::matching::{Restriction, add_term};
use super::schema::Fields;
use crate::geography::{
    Area, Bounds, DistanceFrom, EARTH_RADIUS_KM, GeoPoint, PACKING_ERROR_KM, Verdict, unpack,
};

pub const FIRST_POINT: &str = "first_point";
pub const LAT: &str = "lat";
pub const LON: &str = "lon";

/// Grid cell sizes in degrees, coarse to fine: every point is indexed in one cell of each.
const CELL_SIZES: [f64; 4] = [1.0, 0.25, 0.0625, 0.015_625];
/// A box is first looked up by at most this many cells, at the finest level that allows it.
const MAX_CELLS: i64 = 24;
/// Cells on the areas' edge are then split into the next level's while the lookup stays within
/// this many cells: the documents of cells inside every area need no exact test.
const MAX_REFINED_CELLS: usize = 64;

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

/// One grid cell: its level and its numbers of latitude and longitude.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cell {
    level: usize,
    lat: i64,
    lon: i64,
}

impl Cell {
    fn term(self, field: Field) -> Term {
        Term::from_field_text(field, &format!("{}:{}:{}", self.level, self.lat, self.lon))
    }

    fn bounds(self) -> Bounds {
        let size = CELL_SIZES[self.level];
        Bounds {
            min_lat: self.lat as f64 * size,
            max_lat: (self.lat + 1) as f64 * size,
            min_lon: self.lon as f64 * size,
            max_lon: (self.lon + 1) as f64 * size,
        }
    }

    /// The cells of `level` that touch `bounds`, from this level's numbers (`None`: too many).
    fn grid(level: usize, bounds: Bounds, max: i64) -> Option<Vec<Cell>> {
        let size = CELL_SIZES[level];
        let number = |degrees: f64| (degrees / size).floor() as i64;
        let (lat0, lat1) = (number(bounds.min_lat), number(bounds.max_lat));
        let (lon0, lon1) = (number(bounds.min_lon), number(bounds.max_lon));
        if (lat1 - lat0 + 1) * (lon1 - lon0 + 1) > max {
            return None;
        }
        let cells =
            (lat0..=lat1).flat_map(|lat| (lon0..=lon1).map(move |lon| Cell { level, lat, lon }));
        Some(cells.collect())
    }

    /// The cells of the next level inside this one that touch `bounds` (cell sizes go down by
    /// four, and being powers of two they divide exactly: a point's finer numbers are within
    /// its coarser ones times four).
    fn children(self, bounds: Bounds) -> impl Iterator<Item = Cell> {
        let level = self.level + 1;
        (0..4)
            .flat_map(move |i| {
                (0..4).map(move |j| Cell {
                    level,
                    lat: self.lat * 4 + i,
                    lon: self.lon * 4 + j,
                })
            })
            .filter(move |child| {
                let b = child.bounds();
                b.min_lat <= bounds.max_lat
                    && bounds.min_lat <= b.max_lat
                    && b.min_lon <= bounds.max_lon
                    && bounds.min_lon <= b.max_lon
            })
    }
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
        let covered = |cell: Cell| areas.iter().all(|area| area.covers(cell.bounds()));
        let Some(mut cells) = (0..CELL_SIZES.len())
            .rev()
            .find_map(|level| Cell::grid(level, bounds, MAX_CELLS))
        else {
            return Coarse::Ranges(box_query(fields, bounds));
        };
        let mut marked: Vec<(Cell, bool)> = cells.drain(..).map(|c| (c, covered(c))).collect();
        // Cells on an edge give way to their finer cells, a level at a time, while they fit.
        while let Some(level) = marked.first().map(|(c, _)| c.level) {
            if level + 1 == CELL_SIZES.len() {
                break;
            }
            let finer: Vec<Cell> = marked
                .iter()
                .filter(|&&(c, inside)| c.level == level && !inside)
                .flat_map(|&(c, _)| c.children(bounds))
                .collect();
            let kept = marked
                .iter()
                .filter(|&&(c, inside)| c.level != level || inside);
            if finer.is_empty() || kept.clone().count() + finer.len() > MAX_REFINED_CELLS {
                break;
            }
            let mut next: Vec<(Cell, bool)> = kept.copied().collect();
            next.extend(finer.into_iter().map(|c| (c, covered(c))));
            // The finest cells first, so that the loop looks at the level just made.
            next.sort_by_key(|(c, _)| std::cmp::Reverse(c.level));
            marked = next;
        }
        let terms = marked
            .into_iter()
            .map(|(c, inside)| (c.term(fields.cells), inside))
            .collect();
        Coarse::Cells(terms)
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
        let columns = self.lat.as_ref().zip(self.lon.as_ref());
        // Every point adds one latitude and one longitude, so a document's rows are the same in
        // both columns: one index lookup serves both (it was a tenth of a radius search).
        let rows = columns.map_or(0..0, |(lat, _)| lat.index.value_row_ids(doc));
        rows.filter_map(move |row| {
            let (lat, lon) = columns?;
            Some(GeoPoint::new(
                lat.values.get_val(row),
                lon.values.get_val(row),
            ))
        })
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
    quick: DistanceFrom,
    points: SegmentPoints,
}

impl Distances {
    pub fn new(reader: &SegmentReader, origin: GeoPoint) -> tantivy::Result<Distances> {
        Ok(Distances {
            quick: DistanceFrom::new(origin),
            points: SegmentPoints::open(reader)?,
        })
    }

    /// Bounds on the distance to the document's nearest point, from its packed first point
    /// alone (one column read, one quick haversine): the first point's distance, give or take
    /// the packing error, for a document with one point; at most that for one with more
    /// (another may be nearer). `None` for a document without a point.
    pub fn bounds_km(&self, doc: DocId) -> Option<(f64, f64)> {
        // The packing error, and a hair for rounding in the two haversines compared.
        const SLACK_KM: f64 = PACKING_ERROR_KM + 1e-9;
        let (point, more) = self.points.first(doc)?;
        let km = self.quick.km(point);
        let lower = if more { 0.0 } else { (km - SLACK_KM).max(0.0) };
        Some((lower, km + SLACK_KM))
    }

    /// To the document's nearest point, in kilometres; `None` for a document without a point.
    /// The quick haversine: the sine and cosine of every point of the records with several
    /// (all measured, near the origin) were a tenth of a search sorted by distance.
    pub fn nearest_km(&self, doc: DocId) -> Option<f64> {
        self.points
            .of(doc)
            .map(|p| self.quick.km(p))
            .min_by(f64::total_cmp)
    }
}

/// The finest grid cells around a point, ring by ring: ring 0 is the point's own cell, ring `r`
/// the border of the square of cells `r` steps away. Visiting rings in order meets documents
/// roughly nearest first, and [`Rings::beyond_km`] says how near an unvisited one can be.
pub struct Rings {
    origin: GeoPoint,
    lat: i64,
    lon: i64,
}

impl Rings {
    /// Rings a walk visits at most: 9 × 9 cells of the finest level, about 14 km across in
    /// Albania.
    pub const MAX: i64 = 4;
    const LEVEL: usize = CELL_SIZES.len() - 1;

    /// `None` where the square of [`Rings::MAX`] rings would reach a pole or cross the
    /// antimeridian, which the cell numbering does not wrap around.
    pub fn new(origin: GeoPoint) -> Option<Rings> {
        let size = CELL_SIZES[Self::LEVEL];
        let reach = (Self::MAX + 1) as f64 * size;
        let clear = origin.lat.abs() + reach < 89.0 && origin.lon.abs() + reach < 179.0;
        clear.then(|| Rings {
            origin,
            lat: (origin.lat / size).floor() as i64,
            lon: (origin.lon / size).floor() as i64,
        })
    }

    /// The cell terms of ring `ring`.
    pub fn cells(&self, field: Field, ring: i64) -> Vec<Term> {
        let term = |lat: i64, lon: i64| {
            Cell {
                level: Self::LEVEL,
                lat,
                lon,
            }
            .term(field)
        };
        if ring == 0 {
            return vec![term(self.lat, self.lon)];
        }
        let (south, north) = (self.lat - ring, self.lat + ring);
        let (west, east) = (self.lon - ring, self.lon + ring);
        let mut cells = Vec::with_capacity(8 * ring as usize);
        for lon in west..=east {
            cells.push(term(south, lon));
            cells.push(term(north, lon));
        }
        for lat in south + 1..north {
            cells.push(term(lat, west));
            cells.push(term(lat, east));
        }
        cells
    }

    /// A distance that every point outside rings `0..=ring` is at least: past the square's
    /// southern or northern edge, at least the difference in latitude; past its western or
    /// eastern edge, at least the distance to that edge's meridian (as a great circle,
    /// `asin(cos φ · sin Δλ)`, which any path to the other side crosses).
    pub fn beyond_km(&self, ring: i64) -> f64 {
        let size = CELL_SIZES[Self::LEVEL];
        let south = (self.lat - ring) as f64 * size;
        let north = (self.lat + ring + 1) as f64 * size;
        let west = (self.lon - ring) as f64 * size;
        let east = (self.lon + ring + 1) as f64 * size;
        let (lat, lon) = (self.origin.lat, self.origin.lon);
        let meridian = |delta_deg: f64| {
            (lat.to_radians().cos() * delta_deg.to_radians().sin()).asin() * EARTH_RADIUS_KM
        };
        let bound = [
            (lat - south).to_radians() * EARTH_RADIUS_KM,
            (north - lat).to_radians() * EARTH_RADIUS_KM,
            meridian(lon - west),
            meridian(east - lon),
        ]
        .into_iter()
        .fold(f64::INFINITY, f64::min);
        // Less a hair for rounding in the cell numbers and in the haversines compared.
        bound * (1.0 - 1e-9) - 1e-9
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geography::haversine_km;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use std::collections::BTreeSet;
    use tantivy::schema::Schema;

    fn cell_numbers(level: usize, point: GeoPoint) -> (i64, i64) {
        let size = CELL_SIZES[level];
        (
            (point.lat / size).floor() as i64,
            (point.lon / size).floor() as i64,
        )
    }

    /// Rings 0 to r hold each cell of the (2r + 1)² square once, ring r those r steps away.
    #[test]
    fn the_rings_cover_the_square_around_the_origin_once() {
        let mut schema = Schema::builder();
        let field = schema.add_text_field("cells", tantivy::schema::STRING);
        let origin = GeoPoint::new(41.3275, 19.8187);
        let rings = Rings::new(origin).unwrap();
        let (lat, lon) = cell_numbers(Rings::LEVEL, origin);
        let mut seen = BTreeSet::new();
        for ring in 0..=Rings::MAX {
            let cells = rings.cells(field, ring);
            assert_eq!(cells.len(), if ring == 0 { 1 } else { 8 * ring as usize });
            for term in cells {
                let text = term.value().as_str().unwrap().to_owned();
                let parts: Vec<i64> = text.split(':').map(|p| p.parse().unwrap()).collect();
                assert_eq!(parts[0], Rings::LEVEL as i64);
                let steps = (parts[1] - lat).abs().max((parts[2] - lon).abs());
                assert_eq!(steps, ring, "{text}");
                assert!(seen.insert(text.clone()), "{text} twice");
            }
        }
        let side = 2 * Rings::MAX as usize + 1;
        assert_eq!(seen.len(), side * side);
    }

    /// No point in a cell outside rings 0..=r is nearer than `beyond_km(r)`: checked on points
    /// just past each edge and corner and on points anywhere, around origins on every continent.
    #[test]
    fn nothing_outside_the_rings_is_nearer_than_their_bound() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let size = CELL_SIZES[Rings::LEVEL];
        let mut checked = 0;
        for _ in 0..2_000 {
            let origin = GeoPoint::new(
                rng.random_range(-88.0..88.0),
                rng.random_range(-179.0..179.0),
            );
            let Some(rings) = Rings::new(origin) else {
                continue;
            };
            let (lat, lon) = cell_numbers(Rings::LEVEL, origin);
            let ring = rng.random_range(0..=Rings::MAX);
            let bound = rings.beyond_km(ring);
            assert!(bound > 0.0);
            for _ in 0..50 {
                let near = rng.random_bool(0.8);
                let point = if near {
                    let spread = (ring + 2) as f64 * size;
                    GeoPoint::new(
                        (origin.lat + rng.random_range(-spread..spread)).clamp(-90.0, 90.0),
                        origin.lon + rng.random_range(-spread..spread),
                    )
                } else {
                    GeoPoint::new(
                        rng.random_range(-90.0..90.0),
                        rng.random_range(-180.0..180.0),
                    )
                };
                let (plat, plon) = cell_numbers(Rings::LEVEL, point);
                if (plat - lat).abs().max((plon - lon).abs()) <= ring {
                    continue;
                }
                checked += 1;
                let km = haversine_km(origin, point);
                assert!(
                    km >= bound,
                    "{origin:?} ring {ring}: {point:?} at {km} < {bound}"
                );
            }
        }
        assert!(checked > 50_000, "{checked}");
    }

    /// The bound is close to the truth: the nearest point outside ring r is not much farther.
    #[test]
    fn the_ring_bound_is_tight_in_albania() {
        let origin = GeoPoint::new(41.3275, 19.8187);
        let rings = Rings::new(origin).unwrap();
        let size_km = CELL_SIZES[Rings::LEVEL].to_radians() * crate::geography::EARTH_RADIUS_KM;
        for ring in 0..=Rings::MAX {
            let bound = rings.beyond_km(ring);
            // At least r whole cells of margin on every side (a cell is narrower east-west).
            assert!(
                bound >= ring as f64 * size_km * 0.75 - 1e-6,
                "ring {ring}: {bound}"
            );
            assert!(bound <= (ring + 1) as f64 * size_km, "ring {ring}: {bound}");
        }
    }
}
