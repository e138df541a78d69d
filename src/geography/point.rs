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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tirana_to_shkoder_is_about_86_km() {
        let tirana = GeoPoint::new(41.3275, 19.8187);
        let shkoder = GeoPoint::new(42.0683, 19.5126);
        let km = haversine_km(tirana, shkoder);
        assert!((km - 86.0).abs() < 4.0, "{km}");
    }
}
