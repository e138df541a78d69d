//! Albania's municipality boundaries (full detail, from `data/units/`) with an R-tree over their
//! bounding boxes, so that finding the municipality of a point tests only the few polygons whose
//! box holds it. Counties are unions of their municipalities, so a point's county follows.

use std::sync::OnceLock;

use geo::{BoundingRect, Coord, Distance, Euclidean, Intersects, MultiPolygon, Rect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use super::point::{GeoPoint, to_point};
use crate::model::places;

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// How far outside every municipality a location may be and still belong to the nearest one.
pub const SNAP_KM: f64 = 1.0;
/// Kilometres in a degree of latitude (and, at most, of longitude).
const KM_PER_DEGREE: f64 = 111.32;

pub struct Boundaries {
    /// Municipality code and full-detail shape, in the order of `places().municipalities`.
    shapes: Vec<(String, MultiPolygon<f64>)>,
    /// The bounding box of each polygon of each shape: geo's own test works the box of the
    /// whole shape out again on every call, as costly as the test itself.
    boxes: Vec<Vec<Rect<f64>>>,
    tree: RTree<Entry>,
}

const MUNICIPALITIES: &str = include_str!("../../data/units/al_municipalities.geojson");

/// The boundaries compiled into the binary; the file is checked by a unit test.
pub fn boundaries() -> &'static Boundaries {
    static BOUNDARIES: OnceLock<Boundaries> = OnceLock::new();
    BOUNDARIES.get_or_init(|| {
        load(MUNICIPALITIES)
            .expect("data/units/al_municipalities.geojson is checked by a unit test")
    })
}

impl Boundaries {
    /// The code of the municipality holding the point. A point on a border between two
    /// municipalities belongs to the first in the official order (INSTAT code), so the answer is
    /// always one municipality and always the same one.
    pub fn locate(&self, point: GeoPoint) -> Option<&str> {
        let at = [point.lon, point.lat];
        let mut candidates: Vec<usize> = self
            .tree
            .locate_all_at_point(&at)
            .map(|entry| entry.data)
            .collect();
        candidates.sort_unstable();
        let at = Coord {
            x: point.lon,
            y: point.lat,
        };
        candidates
            .into_iter()
            .find(|&i| {
                let mut polygons = self.shapes[i].1.iter().zip(&self.boxes[i]);
                polygons.any(|(polygon, rect)| rect.intersects(&at) && polygon.intersects(&at))
            })
            .map(|i| self.shapes[i].0.as_str())
    }

    /// The municipality holding the point or, for a point just outside every municipality (a
    /// lake shore or the coast, where geocoders often put addresses), the nearest one within
    /// [`SNAP_KM`]. Counted conservatively (a degree as 111.32 km in every direction), so a
    /// snapped point is never more than `SNAP_KM` from its municipality.
    pub fn locate_or_nearest(&self, point: GeoPoint) -> Option<&str> {
        self.locate(point)
            .or_else(|| self.nearest_within(point, SNAP_KM))
    }

    fn nearest_within(&self, point: GeoPoint, km: f64) -> Option<&str> {
        let lat_deg = km / KM_PER_DEGREE;
        let lon_deg = lat_deg / point.lat.to_radians().cos().max(0.01);
        let window = AABB::from_corners(
            [point.lon - lon_deg, point.lat - lat_deg],
            [point.lon + lon_deg, point.lat + lat_deg],
        );
        let at = to_point(point);
        self.tree
            .locate_in_envelope_intersecting(&window)
            .map(|entry| {
                let shape = &self.shapes[entry.data].1;
                let degrees = shape
                    .iter()
                    .map(|polygon| Euclidean.distance(&at, polygon))
                    .fold(f64::INFINITY, f64::min);
                (degrees * KM_PER_DEGREE, entry.data)
            })
            .filter(|(distance_km, _)| *distance_km <= km)
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
            .map(|(_, index)| self.shapes[index].0.as_str())
    }

    /// Every municipality's code and shape, in official order: what `locate` must agree with.
    pub fn shapes(&self) -> &[(String, MultiPolygon<f64>)] {
        &self.shapes
    }
}

fn load(text: &str) -> Result<Boundaries, String> {
    let collection: geojson::FeatureCollection = text
        .parse::<geojson::GeoJson>()
        .map_err(|e| e.to_string())?
        .try_into()
        .map_err(|e: geojson::Error| e.to_string())?;
    let places = places();
    let mut shapes: Vec<Option<MultiPolygon<f64>>> = vec![None; places.municipalities.len()];
    for feature in collection.features {
        let name = feature
            .property("name_sq")
            .and_then(|v| v.as_str())
            .ok_or("a feature without name_sq")?
            .to_owned();
        let index = places
            .municipalities
            .iter()
            .position(|m| m.name == name)
            .ok_or_else(|| format!("{name} is not a known municipality"))?;
        let geometry = feature
            .geometry
            .ok_or_else(|| format!("{name} has no geometry"))?;
        let shape: geo::Geometry<f64> = geometry
            .try_into()
            .map_err(|e: geojson::Error| e.to_string())?;
        shapes[index] = Some(match shape {
            geo::Geometry::Polygon(polygon) => MultiPolygon::new(vec![polygon]),
            geo::Geometry::MultiPolygon(multi) => multi,
            _ => return Err(format!("{name} is not a polygon")),
        });
    }
    let mut entries = Vec::new();
    let mut out = Vec::new();
    let mut boxes = Vec::new();
    for (index, shape) in shapes.into_iter().enumerate() {
        let municipality = &places.municipalities[index];
        let shape = shape.ok_or_else(|| format!("no boundary for {}", municipality.name))?;
        let rect = shape.bounding_rect().ok_or("an empty shape")?;
        let envelope = Rectangle::from_aabb(AABB::from_corners(
            [rect.min().x, rect.min().y],
            [rect.max().x, rect.max().y],
        ));
        entries.push(GeomWithData::new(envelope, index));
        boxes.push(
            shape
                .iter()
                .filter_map(BoundingRect::bounding_rect)
                .collect(),
        );
        out.push((municipality.code.clone(), shape));
    }
    Ok(Boundaries {
        shapes: out,
        boxes,
        tree: RTree::bulk_load(entries),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_boundaries_load_for_all_61_municipalities() {
        let boundaries = load(MUNICIPALITIES).unwrap();
        assert_eq!(boundaries.shapes.len(), 61);
    }

    #[test]
    fn every_representative_point_lies_in_its_own_municipality() {
        for municipality in &places().municipalities {
            let point = GeoPoint::new(municipality.lat, municipality.lon);
            assert_eq!(
                boundaries().locate(point),
                Some(municipality.code.as_str()),
                "{}",
                municipality.name
            );
        }
    }

    #[test]
    fn locate_agrees_with_testing_every_shape_in_official_order() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let boundaries = boundaries();
        for _ in 0..3_000 {
            let point = GeoPoint::new(rng.random_range(39.5..42.8), rng.random_range(19.0..21.2));
            let expected = boundaries
                .shapes()
                .iter()
                .find(|(_, shape)| shape.intersects(&to_point(point)))
                .map(|(code, _)| code.as_str());
            assert_eq!(boundaries.locate(point), expected, "{point:?}");
        }
    }

    #[test]
    fn town_centres_fall_in_their_municipalities() {
        let cases = [
            ((41.3275, 19.8187), "tirane"),
            ((42.0683, 19.5126), "shkoder"),
            ((40.4660, 19.4914), "vlore"),
        ];
        for ((lat, lon), code) in cases {
            assert_eq!(boundaries().locate(GeoPoint::new(lat, lon)), Some(code));
        }
    }

    #[test]
    fn a_point_just_off_the_coast_belongs_to_the_nearest_municipality() {
        let (_, durres) = boundaries()
            .shapes()
            .iter()
            .find(|(code, _)| code == "durres")
            .unwrap();
        let westmost = durres
            .iter()
            .flat_map(|p| p.exterior().coords())
            .min_by(|a, b| a.x.total_cmp(&b.x))
            .unwrap();
        let offshore = GeoPoint::new(westmost.y, westmost.x - 0.003);
        assert_eq!(boundaries().locate(offshore), None);
        assert_eq!(boundaries().locate_or_nearest(offshore), Some("durres"));
        let far_offshore = GeoPoint::new(westmost.y, westmost.x - 0.05);
        assert_eq!(boundaries().locate_or_nearest(far_offshore), None);
    }

    #[test]
    fn the_sea_and_abroad_are_in_no_municipality() {
        assert_eq!(boundaries().locate(GeoPoint::new(41.0, 18.5)), None);
        assert_eq!(boundaries().locate(GeoPoint::new(42.66, 21.16)), None);
    }
}
