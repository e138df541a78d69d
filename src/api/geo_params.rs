//! Geographic search parameters: points, radii, boxes, GeoJSON polygons and unit names, each
//! checked so that bad coordinates are a 400 naming the parameter.

use geo::{MultiPolygon, Validation};
use serde_json::Value;

use super::ApiError;
use crate::geography::{Area, GeoPoint};
use crate::model::places;

/// Half the Earth's circumference: a larger radius means nothing more.
const MAX_RADIUS_KM: f64 = 20_000.0;

fn number(field: &str, text: &str) -> Result<f64, ApiError> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .ok_or_else(|| ApiError::bad_parameter(field, format!("{text:?} is not a finite number")))
}

fn check_lat_lon(field: &str, lat: f64, lon: f64) -> Result<(), ApiError> {
    if !(-90.0..=90.0).contains(&lat) {
        return Err(ApiError::bad_parameter(
            field,
            format!("latitude {lat} is not between -90 and 90"),
        ));
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err(ApiError::bad_parameter(
            field,
            format!("longitude {lon} is not between -180 and 180"),
        ));
    }
    Ok(())
}

/// `LAT,LON` in degrees.
pub fn parse_near(text: &str) -> Result<GeoPoint, ApiError> {
    let parts: Vec<&str> = text.split(',').collect();
    let [lat, lon] = parts[..] else {
        return Err(ApiError::bad_parameter(
            "near",
            format!("{text:?} is not LAT,LON"),
        ));
    };
    let (lat, lon) = (number("near", lat)?, number("near", lon)?);
    check_lat_lon("near", lat, lon)?;
    Ok(GeoPoint::new(lat, lon))
}

pub fn parse_radius(text: &str) -> Result<f64, ApiError> {
    let radius = number("radius_km", text)?;
    if !(0.0..=MAX_RADIUS_KM).contains(&radius) {
        return Err(ApiError::bad_parameter(
            "radius_km",
            format!("{radius} is not a radius from 0 to {MAX_RADIUS_KM} km"),
        ));
    }
    Ok(radius)
}

/// `MINLON,MINLAT,MAXLON,MAXLAT`, as in GeoJSON.
pub fn parse_bbox(text: &str) -> Result<Area, ApiError> {
    let numbers = text
        .split(',')
        .map(|n| number("bbox", n))
        .collect::<Result<Vec<_>, _>>()?;
    let [min_lon, min_lat, max_lon, max_lat] = numbers[..] else {
        return Err(ApiError::bad_parameter(
            "bbox",
            format!("{text:?} is not MINLON,MINLAT,MAXLON,MAXLAT"),
        ));
    };
    check_lat_lon("bbox", min_lat, min_lon)?;
    check_lat_lon("bbox", max_lat, max_lon)?;
    if min_lon > max_lon || min_lat > max_lat {
        return Err(ApiError::bad_parameter(
            "bbox",
            "the minimum must not exceed the maximum",
        ));
    }
    Ok(Area::Rect {
        min_lon,
        min_lat,
        max_lon,
        max_lat,
    })
}

/// A GeoJSON Polygon or MultiPolygon: rings closed, coordinates on the Earth, no
/// self-intersection. Holes are kept.
pub fn parse_polygon(value: &Value) -> Result<Area, ApiError> {
    let bad = |message: String| ApiError::bad_parameter("polygon", message);
    let geometry = geojson::Geometry::from_json_value(value.clone())
        .map_err(|e| bad(format!("not a GeoJSON geometry: {e}")))?;
    let polygons: Vec<&Vec<Vec<Vec<f64>>>> = match &geometry.value {
        geojson::Value::Polygon(rings) => vec![rings],
        geojson::Value::MultiPolygon(polygons) => polygons.iter().collect(),
        _ => return Err(bad("must be a GeoJSON Polygon or MultiPolygon".to_owned())),
    };
    for rings in &polygons {
        if rings.is_empty() {
            return Err(bad("a polygon needs an outer ring".to_owned()));
        }
        for ring in rings.iter() {
            if ring.len() < 4 {
                return Err(bad(
                    "a ring needs at least 4 positions, the last equal to the first".to_owned(),
                ));
            }
            if ring.first() != ring.last() {
                return Err(bad(
                    "a ring is not closed: its last position must equal its first".to_owned(),
                ));
            }
            for position in ring.iter() {
                let [lon, lat] = position[..] else {
                    return Err(bad("a position must be [longitude, latitude]".to_owned()));
                };
                if !(lat.is_finite() && lon.is_finite()) {
                    return Err(bad("coordinates must be finite numbers".to_owned()));
                }
                check_lat_lon("polygon", lat, lon)?;
            }
        }
    }
    let shape: geo::Geometry<f64> = geometry
        .try_into()
        .map_err(|e: geojson::Error| bad(e.to_string()))?;
    let shape = match shape {
        geo::Geometry::Polygon(polygon) => MultiPolygon::new(vec![polygon]),
        geo::Geometry::MultiPolygon(multi) => multi,
        _ => return Err(bad("must be a GeoJSON Polygon or MultiPolygon".to_owned())),
    };
    if let Some(problem) = shape.validation_errors().first() {
        return Err(bad(format!("not a valid polygon: {problem}")));
    }
    Ok(Area::Shape(shape))
}

/// A county or municipality by code or any spelling of its name, as its code. A name shared by
/// a county and a municipality (Shkodër) means the municipality; use the county code (AL-10) or
/// its definite form (Qarku i Shkodrës) for the county. `serves` also takes a country code.
pub fn resolve_unit(field: &str, text: &str) -> Result<String, ApiError> {
    let places = places();
    if let Some(county) = places
        .county(text)
        .filter(|c| c.code.eq_ignore_ascii_case(text))
    {
        return Ok(county.code.clone());
    }
    if let Some(municipality) = places.municipality(text) {
        return Ok(municipality.code.clone());
    }
    if let Some(county) = places.county(text) {
        return Ok(county.code.clone());
    }
    if field == "serves" && text.len() == 2 && text.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Ok(text.to_ascii_uppercase());
    }
    Err(ApiError::bad_parameter(
        field,
        format!(
            "{text:?} is not one of Albania's counties or municipalities (or, for serves, a country code)"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn polygon_error(value: Value) -> String {
        match parse_polygon(&value) {
            Err(ApiError::BadParameter { field, message }) => {
                assert_eq!(field, "polygon");
                message
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_open_ring_is_rejected() {
        let open = json!({"type": "Polygon", "coordinates": [[[19.0, 41.0], [20.0, 41.0], [20.0, 42.0], [19.0, 42.0]]]});
        assert!(polygon_error(open).contains("not closed"));
    }

    #[test]
    fn a_self_intersecting_ring_is_rejected() {
        let bowtie = json!({"type": "Polygon", "coordinates": [[[19.0, 41.0], [20.0, 42.0], [20.0, 41.0], [19.0, 42.0], [19.0, 41.0]]]});
        assert!(polygon_error(bowtie).contains("not a valid polygon"));
    }

    #[test]
    fn other_geometries_and_garbage_are_rejected() {
        polygon_error(json!({"type": "Point", "coordinates": [19.0, 41.0]}));
        polygon_error(json!("a polygon please"));
        polygon_error(
            json!({"type": "Polygon", "coordinates": [[[19.0, 41.0], [200.0, 41.0], [20.0, 42.0], [19.0, 41.0]]]}),
        );
    }

    #[test]
    fn a_polygon_with_a_hole_is_accepted() {
        let with_hole = json!({"type": "Polygon", "coordinates": [
            [[19.0, 41.0], [20.0, 41.0], [20.0, 42.0], [19.0, 42.0], [19.0, 41.0]],
            [[19.4, 41.4], [19.6, 41.4], [19.6, 41.6], [19.4, 41.6], [19.4, 41.4]]
        ]});
        let Ok(Area::Shape(shape)) = parse_polygon(&with_hole) else {
            panic!()
        };
        assert_eq!(shape.0[0].interiors().len(), 1);
    }

    #[test]
    fn units_resolve_to_codes() {
        assert_eq!(resolve_unit("within", "Shkodër").unwrap(), "shkoder");
        assert_eq!(resolve_unit("within", "al-10").unwrap(), "AL-10");
        assert_eq!(resolve_unit("within", "Qarku i Shkodrës").unwrap(), "AL-10");
        assert_eq!(resolve_unit("serves", "xk").unwrap(), "XK");
        assert!(resolve_unit("within", "xk").is_err());
    }
}
