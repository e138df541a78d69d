//! The areas a search can be limited to: a circle (great-circle radius), a longitude/latitude box
//! or a polygon with holes. Each has a coarse bounding box, used inside the index, and an exact
//! test, applied to the survivors.

use geo::{Intersects, MultiPolygon};

use super::point::{GeoPoint, to_point};

/// Mean Earth radius in kilometres, as geo's haversine uses.
const EARTH_RADIUS_KM: f64 = 6_371.008_8;

#[derive(Debug, Clone)]
pub enum Area {
    Circle {
        center: GeoPoint,
        radius_km: f64,
    },
    /// Inclusive on every side.
    Rect {
        min_lon: f64,
        min_lat: f64,
        max_lon: f64,
        max_lat: f64,
    },
    /// Points on a boundary count as inside; holes are outside.
    Shape(MultiPolygon<f64>),
}

/// A latitude/longitude box that holds an area (a superset: never too small).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub min_lat: f64,
    pub max_lat: f64,
    pub min_lon: f64,
    pub max_lon: f64,
}

impl Bounds {
    pub const WORLD: Bounds = Bounds {
        min_lat: -90.0,
        max_lat: 90.0,
        min_lon: -180.0,
        max_lon: 180.0,
    };

    pub fn intersect(self, other: Bounds) -> Bounds {
        Bounds {
            min_lat: self.min_lat.max(other.min_lat),
            max_lat: self.max_lat.min(other.max_lat),
            min_lon: self.min_lon.max(other.min_lon),
            max_lon: self.max_lon.min(other.max_lon),
        }
    }
}

impl Area {
    pub fn contains(&self, point: GeoPoint) -> bool {
        match self {
            Area::Circle { center, radius_km } => super::haversine_km(*center, point) <= *radius_km,
            Area::Rect {
                min_lon,
                min_lat,
                max_lon,
                max_lat,
            } => {
                (*min_lat..=*max_lat).contains(&point.lat)
                    && (*min_lon..=*max_lon).contains(&point.lon)
            }
            Area::Shape(shape) => shape.intersects(&to_point(point)),
        }
    }

    pub fn bounds(&self) -> Bounds {
        match self {
            Area::Circle { center, radius_km } => circle_bounds(*center, *radius_km),
            Area::Rect {
                min_lon,
                min_lat,
                max_lon,
                max_lat,
            } => Bounds {
                min_lat: *min_lat,
                max_lat: *max_lat,
                min_lon: *min_lon,
                max_lon: *max_lon,
            },
            Area::Shape(shape) => {
                let mut bounds = Bounds {
                    min_lat: f64::INFINITY,
                    max_lat: f64::NEG_INFINITY,
                    min_lon: f64::INFINITY,
                    max_lon: f64::NEG_INFINITY,
                };
                for coord in shape.iter().flat_map(|p| p.exterior().coords()) {
                    bounds.min_lat = bounds.min_lat.min(coord.y);
                    bounds.max_lat = bounds.max_lat.max(coord.y);
                    bounds.min_lon = bounds.min_lon.min(coord.x);
                    bounds.max_lon = bounds.max_lon.max(coord.x);
                }
                bounds
            }
        }
    }
}

/// The smallest latitude/longitude box around a spherical circle, widened by a hair so that
/// rounding never drops a point on the circle; the whole longitude range when the circle
/// reaches a pole or crosses the antimeridian.
fn circle_bounds(center: GeoPoint, radius_km: f64) -> Bounds {
    const MARGIN: f64 = 1e-9;
    let angle = radius_km / EARTH_RADIUS_KM;
    let dlat = angle.to_degrees();
    let min_lat = center.lat - dlat - MARGIN;
    let max_lat = center.lat + dlat + MARGIN;
    if min_lat <= -90.0 || max_lat >= 90.0 || angle >= std::f64::consts::FRAC_PI_2 {
        return Bounds {
            min_lat: min_lat.max(-90.0),
            max_lat: max_lat.min(90.0),
            ..Bounds::WORLD
        };
    }
    let dlon = (angle.sin() / center.lat.to_radians().cos())
        .asin()
        .to_degrees();
    let (min_lon, max_lon) = (center.lon - dlon - MARGIN, center.lon + dlon + MARGIN);
    if dlon.is_nan() || min_lon < -180.0 || max_lon > 180.0 {
        return Bounds {
            min_lat,
            max_lat,
            ..Bounds::WORLD
        };
    }
    Bounds {
        min_lat,
        max_lat,
        min_lon,
        max_lon,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geography::haversine_km;
    use geo::{Destination, Haversine};

    #[test]
    fn circle_bounds_hold_every_point_of_the_circle() {
        for (lat, lon, radius) in [
            (41.33, 19.82, 10.0),
            (60.0, 10.0, 500.0),
            (-33.9, 18.4, 2_000.0),
            (0.0, 0.0, 1.0),
        ] {
            let center = GeoPoint::new(lat, lon);
            let bounds = circle_bounds(center, radius);
            for bearing in (0..360).step_by(5) {
                let edge = Haversine.destination(
                    to_point(center),
                    f64::from(bearing),
                    radius * 1000.0 * 0.999_999,
                );
                let edge = GeoPoint::new(edge.y(), edge.x());
                assert!(haversine_km(center, edge) <= radius);
                assert!(
                    (bounds.min_lat..=bounds.max_lat).contains(&edge.lat),
                    "{lat},{lon},{radius} {bearing}"
                );
                assert!(
                    (bounds.min_lon..=bounds.max_lon).contains(&edge.lon),
                    "{lat},{lon},{radius} {bearing}"
                );
            }
        }
    }

    #[test]
    fn a_circle_over_the_pole_spans_every_longitude() {
        let bounds = circle_bounds(GeoPoint::new(89.0, 0.0), 500.0);
        assert_eq!(
            (bounds.min_lon, bounds.max_lon, bounds.max_lat),
            (-180.0, 180.0, 90.0)
        );
    }

    #[test]
    fn rect_is_inclusive_on_its_edges() {
        let rect = Area::Rect {
            min_lon: 19.0,
            min_lat: 41.0,
            max_lon: 20.0,
            max_lat: 42.0,
        };
        assert!(rect.contains(GeoPoint::new(41.0, 20.0)));
        assert!(!rect.contains(GeoPoint::new(40.999_999, 19.5)));
    }
}
