//! Where a record is: its address made canonical, its location checked, and the two made to
//! agree. In Albania the municipality and county come from the location (point in polygon); an
//! address without a location gets the municipality's representative point, marked approximate.

use super::places::places;
use super::validate::{MAX_NAME, MAX_TAG, optional_text};
use super::{Address, Location, Problems};
use crate::geography::{GeoPoint, SNAP_KM, boundaries};

/// Checks and completes one place (`prefix` is `""` for the main address, `sites[2].` for a site).
pub(super) fn place(
    prefix: &str,
    address: Option<&Address>,
    location: Option<Location>,
    problems: &mut Problems,
) -> (Option<Address>, Option<Location>) {
    let field = |name: &str| format!("{prefix}{name}");
    // -0.0 is stored as 0.0: one number, one text (history compares values as text, and a
    // record sent again with 0 would otherwise show a change).
    let location = location.map(|l| Location {
        lat: l.lat + 0.0,
        lon: l.lon + 0.0,
        ..l
    });
    let mut address = address.map(|a| canonical_address(prefix, a, problems));
    let location_is_valid = check_location(prefix, location, problems);
    if address.as_ref().is_some_and(|a| a.country != "AL") {
        return (address, location);
    }
    // An approximate point only stood for the address; when the address names a municipality,
    // the point follows it (so editing the address of an exported record just works).
    let names_municipality = address.as_ref().is_some_and(|a| a.municipality.is_some());
    let location = location.filter(|l| !(l.approximate && names_municipality));
    let Some(location) = location else {
        let approximate = address
            .as_ref()
            .and_then(|a| a.municipality.as_deref())
            .and_then(|name| places().municipality(name))
            .map(|m| Location {
                lat: m.lat,
                lon: m.lon,
                approximate: true,
            });
        return (address, approximate);
    };
    if !location_is_valid {
        return (address, Some(location));
    }
    let Location { lat, lon, .. } = location;
    let Some(code) = boundaries().locate_or_nearest(GeoPoint::new(lat, lon)) else {
        problems.push(
            field("location"),
            format!(
                "({lat}, {lon}) is not inside any of Albania's municipalities (nor within {SNAP_KM} km of one); for a place abroad, set {prefix}address.country"
            ),
        );
        return (address, Some(location));
    };
    let places = places();
    let municipality = places
        .municipality_by_code(code)
        .expect("boundaries and units share codes");
    let county = places.county_of(municipality);
    let address = address.get_or_insert_with(|| Address {
        country: "AL".to_owned(),
        ..Address::default()
    });
    match (&address.municipality, &address.county) {
        (Some(given), _) if *given != municipality.name => problems.push(
            field("address.municipality"),
            format!(
                "the address says {given} but the location ({lat}, {lon}) is in {}",
                municipality.name
            ),
        ),
        (None, Some(given)) if *given != county.name => problems.push(
            field("address.county"),
            format!(
                "the address says county {given} but the location ({lat}, {lon}) is in {}",
                county.name
            ),
        ),
        _ => {}
    }
    address.municipality = Some(municipality.name.clone());
    address.county = Some(county.name.clone());
    (Some(address.clone()), Some(location))
}

/// Canonical place names for addresses in Albania; the county is derived from the municipality.
fn canonical_address(prefix: &str, address: &Address, problems: &mut Problems) -> Address {
    let field = |name: &str| format!("{prefix}{name}");
    let country = address.country.trim().to_uppercase();
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        problems.push(
            field("address.country"),
            format!("{country:?} is not an ISO 3166-1 alpha-2 code such as AL"),
        );
    }
    let text = |name: &str, value: &Option<String>, max: usize, problems: &mut Problems| {
        optional_text(&field(name), value.as_deref(), max, problems)
    };
    let mut out = Address {
        street: text("address.street", &address.street, MAX_NAME, problems),
        municipality: text(
            "address.municipality",
            &address.municipality,
            MAX_TAG,
            problems,
        ),
        county: text("address.county", &address.county, MAX_TAG, problems),
        postal_code: text("address.postal_code", &address.postal_code, 12, problems),
        country,
    };
    if out.country != "AL" {
        return out;
    }
    let places = places();
    let municipality = out
        .municipality
        .as_deref()
        .map(|name| (name, places.municipality(name)));
    let county = out
        .county
        .as_deref()
        .map(|name| (name, places.county(name)));
    if let Some((name, None)) = municipality {
        problems.push(
            field("address.municipality"),
            format!("{name:?} is not one of Albania's 61 municipalities"),
        );
    }
    if let Some((name, None)) = county {
        problems.push(
            field("address.county"),
            format!("{name:?} is not one of Albania's 12 counties"),
        );
    }
    let municipality = municipality.and_then(|(_, m)| m);
    let county = county.and_then(|(_, c)| c);
    if let (Some(m), Some(c)) = (municipality, county)
        && m.county_code != c.code
    {
        let actual = places.county_of(m);
        problems.push(
            field("address.county"),
            format!(
                "{} is not the county of {} ({} is)",
                c.name, m.name, actual.name
            ),
        );
    }
    out.municipality = municipality.map(|m| m.name.clone());
    out.county = county
        .or_else(|| municipality.map(|m| places.county_of(m)))
        .map(|c| c.name.clone());
    out
}

/// Whether the location, if any, has coordinates on the Earth.
fn check_location(prefix: &str, location: Option<Location>, problems: &mut Problems) -> bool {
    let Some(Location { lat, lon, .. }) = location else {
        return true;
    };
    let mut valid = true;
    if !(lat.is_finite() && (-90.0..=90.0).contains(&lat)) {
        problems.push(
            format!("{prefix}location.lat"),
            format!("{lat} is not a latitude between -90 and 90"),
        );
        valid = false;
    }
    if !(lon.is_finite() && (-180.0..=180.0).contains(&lon)) {
        problems.push(
            format!("{prefix}location.lon"),
            format!("{lon} is not a longitude between -180 and 180"),
        );
        valid = false;
    }
    valid
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(municipality: &str) -> Address {
        Address {
            municipality: Some(municipality.to_owned()),
            country: "AL".to_owned(),
            ..Address::default()
        }
    }

    #[test]
    fn minus_zero_coordinates_are_stored_as_zero() {
        let mut problems = Problems::default();
        let abroad = Address {
            country: "GH".to_owned(),
            ..Address::default()
        };
        let location = Location {
            lat: 5.6,
            lon: -0.0,
            approximate: false,
        };
        let (_, location) = place("", Some(&abroad), Some(location), &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        let text = serde_json::to_string(&location.unwrap()).unwrap();
        assert!(text.contains("\"lon\":0.0"), "{text}");
    }

    #[test]
    fn the_location_decides_municipality_and_county() {
        let mut problems = Problems::default();
        let location = Location {
            lat: 42.0683,
            lon: 19.5126,
            approximate: false,
        };
        let (address, _) = place("", None, Some(location), &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        let address = address.unwrap();
        assert_eq!(
            (address.municipality.as_deref(), address.county.as_deref()),
            (Some("Shkodër"), Some("Shkodër"))
        );
    }

    #[test]
    fn an_address_that_disagrees_with_the_location_names_both() {
        let mut problems = Problems::default();
        let location = Location {
            lat: 42.0683,
            lon: 19.5126,
            approximate: false,
        };
        place(
            "sites[1].",
            Some(&address("Vlorë")),
            Some(location),
            &mut problems,
        );
        assert_eq!(problems.0[0].field, "sites[1].address.municipality");
        assert!(
            problems.0[0].message.contains("Vlorë") && problems.0[0].message.contains("Shkodër")
        );
    }

    #[test]
    fn an_address_without_a_location_gets_an_approximate_point_inside_its_municipality() {
        let mut problems = Problems::default();
        let (_, location) = place("", Some(&address("Kukës")), None, &mut problems);
        let location = location.unwrap();
        assert!(location.approximate);
        assert_eq!(
            boundaries().locate(GeoPoint::new(location.lat, location.lon)),
            Some("kukes")
        );
    }

    #[test]
    fn an_approximate_point_follows_a_changed_address() {
        let mut problems = Problems::default();
        let old_point = Location {
            lat: 42.0683,
            lon: 19.5126,
            approximate: true,
        };
        let (_, location) = place("", Some(&address("Kukës")), Some(old_point), &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        let location = location.unwrap();
        assert!(location.approximate);
        assert_eq!(
            boundaries().locate(GeoPoint::new(location.lat, location.lon)),
            Some("kukes")
        );
    }

    #[test]
    fn a_location_in_the_sea_is_a_problem_unless_the_address_is_abroad() {
        let mut problems = Problems::default();
        let sea = Location {
            lat: 41.0,
            lon: 18.5,
            approximate: false,
        };
        place("", None, Some(sea), &mut problems);
        assert_eq!(problems.0[0].field, "location");
        let mut problems = Problems::default();
        let abroad = Address {
            country: "IT".to_owned(),
            ..Address::default()
        };
        place("", Some(&abroad), Some(sea), &mut problems);
        assert!(problems.is_empty());
    }
}
