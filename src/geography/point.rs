//! Points as records hold them (latitude, longitude in degrees), the one conversion to the geo
//! crate's (x = longitude, y = latitude), distances, and the compact encoding the index stores.

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

/// 16 bytes a point: latitude then longitude, little-endian f64, exactly as given.
pub fn encode_points(points: &[GeoPoint]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(points.len() * 16);
    for point in points {
        bytes.extend_from_slice(&point.lat.to_le_bytes());
        bytes.extend_from_slice(&point.lon.to_le_bytes());
    }
    bytes
}

pub fn decode_points(bytes: &[u8]) -> impl Iterator<Item = GeoPoint> + '_ {
    bytes.chunks_exact(16).map(|chunk| {
        let (lat, lon) = chunk.split_at(8);
        GeoPoint {
            lat: f64::from_le_bytes(lat.try_into().unwrap_or_default()),
            lon: f64::from_le_bytes(lon.try_into().unwrap_or_default()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tirana_to_shkoder_is_about_83_km() {
        let tirana = GeoPoint::new(41.3275, 19.8187);
        let shkoder = GeoPoint::new(42.0683, 19.5126);
        let km = haversine_km(tirana, shkoder);
        assert!((km - 86.0).abs() < 4.0, "{km}");
    }

    #[test]
    fn points_round_trip_through_their_encoding_exactly() {
        let points = [
            GeoPoint::new(41.123456789, 19.987654321),
            GeoPoint::new(-0.0, 180.0),
        ];
        let decoded: Vec<_> = decode_points(&encode_points(&points)).collect();
        assert_eq!(decoded, points);
    }
}
