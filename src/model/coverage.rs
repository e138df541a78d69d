//! Where a record is and where it works, as unit codes: what the `within` and `serves` search
//! filters match. Computed from the validated record (whose municipalities come from its
//! locations), so the index holds answers, not geometry.

use std::collections::BTreeSet;

use super::places::places;
use super::{Address, Record};

/// The municipalities (`shkoder`) and counties (`AL-10`) the record has a place in.
pub fn within_units(record: &Record) -> Vec<String> {
    let mut units = BTreeSet::new();
    for address in addresses(record) {
        if address.country != "AL" {
            continue;
        }
        let places = places();
        if let Some(m) = address
            .municipality
            .as_deref()
            .and_then(|name| places.municipality(name))
        {
            units.insert(m.code.clone());
            units.insert(m.county_code.clone());
        } else if let Some(c) = address
            .county
            .as_deref()
            .and_then(|name| places.county(name))
        {
            units.insert(c.code.clone());
        }
    }
    units.into_iter().collect()
}

/// The units and countries the record works in: where it is, what it lists in `areas_served`
/// (a county listed serves each of its municipalities, a municipality listed serves its county
/// too), and the countries it is in. National scope is matched at query time (scope and
/// country), not listed here.
pub fn served_units(record: &Record) -> Vec<String> {
    let mut units: BTreeSet<String> = within_units(record).into_iter().collect();
    units.extend(countries(record));
    let places = places();
    if let Record::Organisation(org) = record {
        for area in &org.areas_served {
            if let Some(m) = places.municipality_by_code(area) {
                units.insert(m.code.clone());
                units.insert(m.county_code.clone());
            } else if let Some(c) = places.county(area).filter(|c| c.code == *area) {
                units.insert(c.code.clone());
                units.extend(places.municipalities_of(c).map(|m| m.code.clone()));
            } else {
                units.insert(area.clone());
            }
        }
    }
    units.into_iter().collect()
}

/// The countries the record has a place in (`AL` when it has no address).
pub fn countries(record: &Record) -> Vec<String> {
    let mut countries: BTreeSet<String> = addresses(record).map(|a| a.country.clone()).collect();
    if countries.is_empty() {
        countries.insert("AL".to_owned());
    }
    countries.into_iter().collect()
}

fn addresses(record: &Record) -> Box<dyn Iterator<Item = &Address> + '_> {
    match record {
        Record::Organisation(o) => Box::new(o.places().filter_map(|(address, _)| address)),
        Record::Network(n) => Box::new(n.address.iter()),
    }
}
