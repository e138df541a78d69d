//! Points as records hold them (latitude, longitude in degrees), the one conversion to the geo
//! crate's (x = longitude, y = latitude), and great-circle distances.

use geo::{Distance, Haversine, Point};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

impl GeoPoint {
    pub fn new(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint { lat, lon }
    }
}

/// The only place where latitude and longitude become geo's x and y.
pub fn to_point(point: GeoPoint) -> Point<f64> {
    Point::new(point.lon, point.lat)
}

/// Mean Earth radius in kilometres, as geo's haversine uses.
pub const EARTH_RADIUS_KM: f64 = 6_371.008_8;

/// Great-circle distance in kilometres (haversine, mean Earth radius).
pub fn haversine_km(a: GeoPoint, b: GeoPoint) -> f64 {
    Haversine.distance(to_point(a), to_point(b)) / 1000.0
}

/// Distances from one origin, as [`haversine_km`] gives them (to within a picometre's worth of
/// rounding), in a fraction of the time for points less than about 300 km away in each
/// coordinate: the origin's sine and cosine are taken once, and those of the small angles by a
/// few terms of their series, whose remainders are below a double's precision there.
pub struct DistanceFrom {
    origin: GeoPoint,
    cos_lat: f64,
    sin_lat: f64,
}

impl DistanceFrom {
    /// The largest difference in latitude or longitude, in radians, of the series' path.
    const SMALL: f64 = 0.05;

    pub fn new(origin: GeoPoint) -> DistanceFrom {
        let lat = origin.lat.to_radians();
        DistanceFrom {
            origin,
            cos_lat: lat.cos(),
            sin_lat: lat.sin(),
        }
    }

    pub fn km(&self, point: GeoPoint) -> f64 {
        let d_lat = (point.lat - self.origin.lat).to_radians();
        let d_lon = (point.lon - self.origin.lon).to_radians();
        if d_lat.abs() > Self::SMALL || d_lon.abs() > Self::SMALL {
            return haversine_km(self.origin, point);
        }
        // For |x| <= 0.05 the first omitted terms are below 1e-17 of the result. Constant
        // reciprocals rather than divisions: a division costs several multiplications' time.
        let sin = |x: f64| {
            let x2 = x * x;
            x * (1.0 - x2 * (1.0 / 6.0) * (1.0 - x2 * (1.0 / 20.0) * (1.0 - x2 * (1.0 / 42.0))))
        };
        let cos = |x: f64| {
            let x2 = x * x;
            1.0 - x2
                * 0.5
                * (1.0 - x2 * (1.0 / 12.0) * (1.0 - x2 * (1.0 / 30.0) * (1.0 - x2 * (1.0 / 56.0))))
        };
        // The haversine formula, with cos(lat2) = cos(lat1 + d_lat) expanded.
        let cos_lat2 = self.cos_lat * cos(d_lat) - self.sin_lat * sin(d_lat);
        let (half_lat, half_lon) = (sin(d_lat * 0.5), sin(d_lon * 0.5));
        let h = half_lat * half_lat + self.cos_lat * cos_lat2 * half_lon * half_lon;
        // asin of at most sin(0.025)·√2 < 0.036: the next term is below 1e-17 of it.
        // x² is h itself: the series does not wait for the square root.
        let x = h.sqrt();
        let x2 = h;
        let asin = x
            * (1.0
                + x2 * (1.0 / 6.0
                    + x2 * (3.0 / 40.0 + x2 * (15.0 / 336.0 + x2 * (105.0 / 3456.0)))));
        2.0 * asin * EARTH_RADIUS_KM
    }
}

const LAT_STEPS: f64 = ((1_u64 << 31) - 1) as f64;
const LON_STEPS: f64 = ((1_u64 << 32) - 1) as f64;
/// How far a point can move by [`pack`] and [`unpack`]: half a step, 4.2e-8 degrees, in each
/// coordinate (under 5 mm), so under a centimetre in all.
pub const PACKING_ERROR_KM: f64 = 0.000_01;
pub const PACKING_ERROR_DEG: f64 = 1e-7;

/// A point and one flag in 63 + 1 bits: latitude in 31 bits, longitude in 32, and `more` (the
/// record has further points) in the top bit. Lossy by at most [`PACKING_ERROR_KM`]; for quick
/// decisions away from edges, never for the final word at an edge.
pub fn pack(point: GeoPoint, more: bool) -> u64 {
    let lat = ((point.lat + 90.0) / 180.0 * LAT_STEPS).round() as u64;
    let lon = ((point.lon + 180.0) / 360.0 * LON_STEPS).round() as u64;
    (u64::from(more) << 63) | (lat << 32) | lon
}

/// The point and the flag [`pack`] stored.
pub fn unpack(packed: u64) -> (GeoPoint, bool) {
    let lat = ((packed >> 32) & ((1 << 31) - 1)) as f64 / LAT_STEPS * 180.0 - 90.0;
    let lon = (packed & 0xFFFF_FFFF) as f64 / LON_STEPS * 360.0 - 180.0;
    (GeoPoint::new(lat, lon), packed >> 63 == 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The quick distances are the haversine's, near and far, at every latitude.
    #[test]
    fn distances_from_an_origin_are_the_haversine_distances() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for _ in 0..20_000 {
            let origin = GeoPoint::new(
                rng.random_range(-89.0..89.0),
                rng.random_range(-180.0..180.0),
            );
            let spread = [0.001, 0.05, 1.0, 2.9, 3.0, 90.0][rng.random_range(0..6)];
            let point = GeoPoint::new(
                (origin.lat + rng.random_range(-spread..spread)).clamp(-90.0, 90.0),
                origin.lon + rng.random_range(-spread..spread),
            );
            let (quick, exact) = (
                DistanceFrom::new(origin).km(point),
                haversine_km(origin, point),
            );
            assert!(
                (quick - exact).abs() <= 1e-12 * exact.max(1.0),
                "{origin:?} {point:?}: {quick} vs {exact}"
            );
        }
    }

    #[test]
    fn packing_moves_a_point_by_less_than_a_centimetre() {
        for (lat, lon) in [
            (41.3275, 19.8187),
            (-89.99, -179.99),
            (90.0, 180.0),
            (0.0, 0.0),
            (42.123456789, 20.987654321),
        ] {
            for more in [false, true] {
                let point = GeoPoint::new(lat, lon);
                let (back, flag) = unpack(pack(point, more));
                assert_eq!(flag, more);
                assert!(
                    haversine_km(point, back) < PACKING_ERROR_KM,
                    "{point:?} {back:?}"
                );
            }
        }
    }

    #[test]
    fn tirana_to_shkoder_is_about_86_km() {
        let tirana = GeoPoint::new(41.3275, 19.8187);
        let shkoder = GeoPoint::new(42.0683, 19.5126);
        let km = haversine_km(tirana, shkoder);
        assert!((km - 86.0).abs() < 4.0, "{km}");
    }
}
