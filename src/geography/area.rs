//! The areas a search can be limited to: a circle (great-circle radius), a longitude/latitude box
//! or a polygon with holes. Each has a coarse bounding box, used inside the index, and an exact
//! test, applied to the survivors.

use geo::{Coord, Intersects, MultiPolygon, Rect};

use super::point::{EARTH_RADIUS_KM, GeoPoint, PACKING_ERROR_DEG, PACKING_ERROR_KM, to_point};

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

/// A quick answer about a point known only within `error_km`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Inside,
    Outside,
    /// Too close to the edge (or a polygon): ask [`Area::contains`] with the exact point.
    Unsure,
}

impl Area {
    /// Classifies a point as [`super::unpack`] returns it (up to [`PACKING_ERROR_KM`], and
    /// [`PACKING_ERROR_DEG`] in each coordinate, from the true one): `Inside` or `Outside` only
    /// when the true point is certainly so.
    pub fn classify(&self, point: GeoPoint) -> Verdict {
        match self {
            Area::Circle { center, radius_km } => {
                let distance = super::haversine_km(*center, point);
                let error_km = PACKING_ERROR_KM;
                if distance + error_km <= *radius_km {
                    Verdict::Inside
                } else if distance - error_km > *radius_km {
                    Verdict::Outside
                } else {
                    Verdict::Unsure
                }
            }
            Area::Rect {
                min_lon,
                min_lat,
                max_lon,
                max_lat,
            } => {
                let margin = PACKING_ERROR_DEG;
                let inside =
                    |min: f64, value: f64, max: f64| min + margin <= value && value <= max - margin;
                let outside =
                    |min: f64, value: f64, max: f64| value < min - margin || value > max + margin;
                if inside(*min_lat, point.lat, *max_lat) && inside(*min_lon, point.lon, *max_lon) {
                    Verdict::Inside
                } else if outside(*min_lat, point.lat, *max_lat)
                    || outside(*min_lon, point.lon, *max_lon)
                {
                    Verdict::Outside
                } else {
                    Verdict::Unsure
                }
            }
            Area::Shape(_) => Verdict::Unsure,
        }
    }

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

    /// Whether every point of the box (edges included) is inside the area, for boxes of at most
    /// a degree: then whatever lies in the box needs no exact test. `false` when unsure.
    pub fn covers(&self, cell: Bounds) -> bool {
        // Points are filed into boxes by rounded division: allow for a point a hair outside.
        const MARGIN: f64 = 1e-9;
        let cell = Bounds {
            min_lat: cell.min_lat - MARGIN,
            max_lat: cell.max_lat + MARGIN,
            min_lon: cell.min_lon - MARGIN,
            max_lon: cell.max_lon + MARGIN,
        };
        if cell.max_lat - cell.min_lat > 1.0 + 2.0 * MARGIN
            || cell.max_lon - cell.min_lon > 1.0 + 2.0 * MARGIN
        {
            return false;
        }
        match self {
            // The farthest point of a small box from a point within a few thousand kilometres
            // is a corner: the distance along a parallel or a meridian has no maximum short of
            // the far side of the Earth.
            Area::Circle { center, radius_km } => {
                *radius_km <= 5_000.0
                    && [
                        (cell.min_lat, cell.min_lon),
                        (cell.min_lat, cell.max_lon),
                        (cell.max_lat, cell.min_lon),
                        (cell.max_lat, cell.max_lon),
                    ]
                    .into_iter()
                    .all(|(lat, lon)| {
                        super::haversine_km(*center, GeoPoint::new(lat, lon)) <= *radius_km
                    })
            }
            Area::Rect {
                min_lon,
                min_lat,
                max_lon,
                max_lat,
            } => {
                *min_lat <= cell.min_lat
                    && cell.max_lat <= *max_lat
                    && *min_lon <= cell.min_lon
                    && cell.max_lon <= *max_lon
            }
            Area::Shape(shape) => shape_covers(shape, cell),
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

/// Whether a polygon covers a box: its corners are inside and no edge of any ring touches it
/// (then the box lies within one face of the rings, the corners' face; a hole inside the box
/// would have edges there). Cheaper by far than a general containment test, and never wrongly
/// `true`; a box that an edge only grazes from outside counts as not covered.
fn shape_covers(shape: &MultiPolygon<f64>, cell: Bounds) -> bool {
    let rect = Rect::new(
        Coord {
            x: cell.min_lon,
            y: cell.min_lat,
        },
        Coord {
            x: cell.max_lon,
            y: cell.max_lat,
        },
    );
    let corners = [
        (cell.min_lon, cell.min_lat),
        (cell.max_lon, cell.min_lat),
        (cell.min_lon, cell.max_lat),
        (cell.max_lon, cell.max_lat),
    ];
    corners
        .into_iter()
        .all(|(x, y)| shape.intersects(&geo::Point::new(x, y)))
        && !shape
            .iter()
            .flat_map(|polygon| std::iter::once(polygon.exterior()).chain(polygon.interiors()))
            .flat_map(|ring| ring.lines())
            .any(|line| line.intersects(&rect))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geography::haversine_km;
    use geo::{Contains, Destination, Haversine};

    /// A box the area covers has every point of a fine grid over it inside the area: circles
    /// of several sizes, a box, and a polygon with a hole, against boxes around them.
    #[test]
    fn a_covered_box_has_every_point_inside() {
        let square = |x0: f64, y0: f64, x1: f64, y1: f64| {
            geo::LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)])
        };
        let areas = [
            Area::Circle {
                center: GeoPoint::new(41.3275, 19.8187),
                radius_km: 10.0,
            },
            Area::Circle {
                center: GeoPoint::new(40.47, 19.49),
                radius_km: 60.0,
            },
            Area::Rect {
                min_lon: 19.7,
                min_lat: 41.25,
                max_lon: 19.95,
                max_lat: 41.4,
            },
            Area::Shape(MultiPolygon::new(vec![geo::Polygon::new(
                square(19.3, 41.1, 19.9, 41.6),
                vec![square(19.5, 41.3, 19.6, 41.4)],
            )])),
        ];
        let mut covered = 0;
        for area in &areas {
            let size = 0.0625;
            for i in 0..16 {
                for j in 0..16 {
                    let (lat, lon) = (40.0 + f64::from(i) * size, 19.0 + f64::from(j) * size);
                    let cell = Bounds {
                        min_lat: lat,
                        max_lat: lat + size,
                        min_lon: lon,
                        max_lon: lon + size,
                    };
                    if !area.covers(cell) {
                        continue;
                    }
                    covered += 1;
                    for a in 0..=8 {
                        for b in 0..=8 {
                            let point = GeoPoint::new(
                                lat + size * f64::from(a) / 8.0,
                                lon + size * f64::from(b) / 8.0,
                            );
                            assert!(area.contains(point), "{area:?} {point:?}");
                        }
                    }
                }
            }
        }
        assert!(covered > 20, "only {covered} boxes covered");
    }

    /// A polygon covers a box exactly when geo's general test says so, but for boxes that an
    /// edge touches: never more. A concave polygon with a hole, and boxes at two grid sizes.
    #[test]
    fn a_polygon_covers_the_boxes_that_geo_finds_inside_it() {
        let shape = MultiPolygon::new(vec![geo::Polygon::new(
            geo::LineString::from(vec![
                (19.3, 41.1),
                (19.9, 41.1),
                (19.9, 41.6),
                (19.6, 41.35),
                (19.3, 41.6),
                (19.3, 41.1),
            ]),
            vec![geo::LineString::from(vec![
                (19.42, 41.2),
                (19.47, 41.2),
                (19.47, 41.24),
                (19.42, 41.24),
                (19.42, 41.2),
            ])],
        )]);
        let (mut agreed, mut stricter) = (0, 0);
        for size in [0.0625, 0.015_625] {
            let steps = (1.0 / size) as i32;
            for i in 0..steps {
                for j in 0..steps {
                    let (lat, lon) = (41.0 + f64::from(i) * size, 19.0 + f64::from(j) * size);
                    let cell = Bounds {
                        min_lat: lat,
                        max_lat: lat + size,
                        min_lon: lon,
                        max_lon: lon + size,
                    };
                    let rect = Rect::new(
                        Coord { x: lon, y: lat },
                        Coord {
                            x: lon + size,
                            y: lat + size,
                        },
                    );
                    let ours = shape_covers(&shape, cell);
                    let theirs = shape.contains(&rect);
                    assert!(!ours || theirs, "{cell:?}");
                    if ours == theirs {
                        agreed += 1;
                    } else {
                        stricter += 1;
                    }
                }
            }
        }
        assert!(
            stricter * 20 < agreed,
            "{stricter} boxes refused of {agreed}"
        );
        assert!(agreed > 4_000);
    }

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
    fn a_quick_verdict_never_contradicts_the_exact_test() {
        let areas = [
            Area::Circle {
                center: GeoPoint::new(41.3275, 19.8187),
                radius_km: 7.5,
            },
            Area::Rect {
                min_lon: 19.7,
                min_lat: 41.25,
                max_lon: 19.95,
                max_lat: 41.4,
            },
        ];
        let mut state = 99_u64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1_u64 << 53) as f64
        };
        let mut unsure = 0;
        for _ in 0..200_000 {
            let point = GeoPoint::new(41.25 + next() * 0.16, 19.68 + next() * 0.3);
            let (packed, _) = crate::geography::unpack(crate::geography::pack(point, false));
            for area in &areas {
                match area.classify(packed) {
                    Verdict::Inside => assert!(area.contains(point), "{area:?} {point:?}"),
                    Verdict::Outside => assert!(!area.contains(point), "{area:?} {point:?}"),
                    Verdict::Unsure => unsure += 1,
                }
            }
        }
        assert!(
            unsure < 100,
            "almost every point gets a quick answer: {unsure} unsure"
        );
        // Points on the edges themselves are never decided quickly.
        let on_edge = GeoPoint::new(41.25, 19.8);
        assert_eq!(areas[1].classify(on_edge), Verdict::Unsure);
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
