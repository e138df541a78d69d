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

/// Great-circle distance in kilometres (haversine, mean Earth radius).
pub fn haversine_km(a: GeoPoint, b: GeoPoint) -> f64 {
    Haversine.distance(to_point(a), to_point(b)) / 1000.0
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
