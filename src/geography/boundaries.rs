//! Albania's municipality boundaries (full detail, from `data/units/`) with an R-tree over their
//! bounding boxes, so that finding the municipality of a point tests only the few polygons whose
//! box holds it. Counties are unions of their municipalities, so a point's county follows.

use std::sync::OnceLock;

use geo::{BoundingRect, Intersects, MultiPolygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use super::point::{GeoPoint, to_point};
use crate::model::places;

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

pub struct Boundaries {
    /// Municipality code and full-detail shape, in the order of `places().municipalities`.
    shapes: Vec<(String, MultiPolygon<f64>)>,
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
        candidates
            .into_iter()
            .find(|&i| self.shapes[i].1.intersects(&to_point(point)))
            .map(|i| self.shapes[i].0.as_str())
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
    for (index, shape) in shapes.into_iter().enumerate() {
        let municipality = &places.municipalities[index];
        let shape = shape.ok_or_else(|| format!("no boundary for {}", municipality.name))?;
        let rect = shape.bounding_rect().ok_or("an empty shape")?;
        let envelope = Rectangle::from_aabb(AABB::from_corners(
            [rect.min().x, rect.min().y],
            [rect.max().x, rect.max().y],
        ));
        entries.push(GeomWithData::new(envelope, index));
        out.push((municipality.code.clone(), shape));
    }
    Ok(Boundaries {
        shapes: out,
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
    fn the_sea_and_abroad_are_in_no_municipality() {
        assert_eq!(boundaries().locate(GeoPoint::new(41.0, 18.5)), None);
        assert_eq!(boundaries().locate(GeoPoint::new(42.66, 21.16)), None);
    }
}
