//! Open Referral HSDS 3 (<https://docs.openreferral.org/>): each organisation as an
//! `organization` with its `locations` (head office and branches, with coordinates and
//! addresses) and its `services` (one per service it offers, the taxonomy code as the
//! service's `alternate_name`). HSDS describes service providers, so networks are left out.

use serde_json::{Value, json};

use super::{FormatError, Meta, importable};
use crate::model::{Record, places, taxonomy};

pub fn export(records: &[Record], meta: &Meta) -> Value {
    let tax = taxonomy();
    let mut organizations = Vec::new();
    for record in records {
        let Record::Organisation(o) = record else {
            continue;
        };
        let mut org = json!({"id": o.id, "name": o.name});
        if let Some(acronym) = &o.acronym {
            org["alternate_name"] = json!(acronym);
        }
        if let Some(text) = o.description.preferred() {
            org["description"] = json!(text);
        }
        if let Some(contact) = &o.contact {
            if let Some(email) = &contact.email {
                org["email"] = json!(email);
            }
            if let Some(website) = &contact.website {
                org["website"] = json!(website);
            }
            if let Some(phone) = &contact.phone {
                org["phones"] = json!([{"id": format!("{}/phone", o.id), "number": phone}]);
            }
        }
        if let Some(number) = &o.registration_number {
            org["tax_id"] = json!(number);
        }
        if let Some(year) = o.founded_year {
            org["year_incorporated"] = json!(year);
        }
        if let Some(form) = &o.legal_form {
            org["legal_status"] = json!(form);
        }
        let locations: Vec<Value> = o
            .places()
            .enumerate()
            .map(|(i, (address, location))| {
                let mut place = json!({
                    "id": format!("{}/location/{i}", o.id),
                    "location_type": "physical",
                    "name": if i == 0 { "head office".to_owned() } else { o.sites.get(i - 1).and_then(|s| s.label.clone()).unwrap_or_else(|| format!("office {i}")) },
                });
                if let Some(l) = location {
                    place["latitude"] = json!(l.lat);
                    place["longitude"] = json!(l.lon);
                }
                if let Some(a) = address {
                    place["addresses"] = json!([{
                        "id": format!("{}/address/{i}", o.id),
                        "address_type": "physical",
                        "address_1": a.street.clone().unwrap_or_default(),
                        "city": a.municipality.clone().unwrap_or_default(),
                        "region": a.county,
                        "state_province": a.county.clone().unwrap_or_default(),
                        "postal_code": a.postal_code.clone().unwrap_or_default(),
                        "country": a.country,
                    }]);
                }
                place
            })
            .collect();
        org["locations"] = json!(locations);
        let services: Vec<Value> = o
            .services
            .iter()
            .map(|code| {
                json!({
                    "id": format!("{}/service/{code}", o.id),
                    "name": tax.services.label(code).map_or(code.as_str(), |l| l.en.as_str()),
                    "alternate_name": code,
                    "status": "active",
                })
            })
            .collect();
        org["services"] = json!(services);
        organizations.push(org);
    }
    json!({"meta": meta.to_json(), "organizations": organizations})
}

/// Organisations from HSDS: the first location is the head office, others are branches;
/// services become service codes when their `alternate_name` (or English name) is one.
pub fn import(text: &str) -> Result<Vec<Value>, FormatError> {
    let hsds: Value = serde_json::from_str(text)?;
    let organizations = hsds["organizations"]
        .as_array()
        .ok_or_else(|| FormatError::Invalid("no organizations".into()))?;
    let tax = taxonomy();
    let mut records = Vec::new();
    for org in organizations {
        let mut record = json!({"type": "organisation", "id": org["id"], "name": org["name"]});
        for (from, to) in [
            ("alternate_name", "acronym"),
            ("tax_id", "registration_number"),
        ] {
            if let Some(text) = org[from].as_str() {
                record[to] = json!(text);
            }
        }
        if let Some(text) = org["description"].as_str() {
            record["description"] = json!({"sq": text});
        }
        if let Some(year) = org["year_incorporated"].as_i64() {
            record["founded_year"] = json!(year);
        }
        if let Some(form) = org["legal_status"]
            .as_str()
            .filter(|f| tax.legal_forms.contains(f))
        {
            record["legal_form"] = json!(form);
        }
        let mut contact = json!({});
        if let Some(email) = org["email"].as_str() {
            contact["email"] = json!(email);
        }
        if let Some(website) = org["website"].as_str() {
            contact["website"] = json!(website);
        }
        if let Some(phone) = org["phones"]
            .as_array()
            .and_then(|p| p.first())
            .and_then(|p| p["number"].as_str())
        {
            contact["phone"] = json!(phone);
        }
        if contact.as_object().is_some_and(|c| !c.is_empty()) {
            record["contact"] = contact;
        }
        let mut sites = Vec::new();
        for (i, place) in org["locations"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let mut site = json!({});
            if let (Some(lat), Some(lon)) =
                (place["latitude"].as_f64(), place["longitude"].as_f64())
            {
                site["location"] = json!({"lat": lat, "lon": lon});
            }
            if let Some(a) = place["addresses"].as_array().and_then(|a| a.first()) {
                let mut address = json!({});
                for (from, to) in [
                    ("address_1", "street"),
                    ("city", "municipality"),
                    ("postal_code", "postal_code"),
                    ("country", "country"),
                ] {
                    if let Some(text) = a[from].as_str().filter(|t| !t.is_empty()) {
                        address[to] = json!(text);
                    }
                }
                if let Some(county) = a["region"]
                    .as_str()
                    .or(a["state_province"].as_str())
                    .filter(|c| places().county(c).is_some())
                {
                    address["county"] = json!(county);
                }
                site["address"] = address;
            }
            if i == 0 {
                for key in ["address", "location"] {
                    if let Some(value) = site.get(key) {
                        record[key] = value.clone();
                    }
                }
            } else {
                if let Some(name) = place["name"].as_str() {
                    site["label"] = json!(name);
                }
                sites.push(site);
            }
        }
        if !sites.is_empty() {
            record["sites"] = json!(sites);
        }
        let services: Vec<String> = org["services"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| {
                let code = s["alternate_name"]
                    .as_str()
                    .filter(|c| tax.services.contains(c));
                code.map(str::to_owned).or_else(|| {
                    let name = s["name"].as_str()?;
                    tax.services
                        .codes()
                        .find(|c| {
                            tax.services
                                .label(c)
                                .is_some_and(|l| l.en == name || l.sq == name)
                        })
                        .map(str::to_owned)
                })
            })
            .collect();
        if !services.is_empty() {
            record["services"] = json!(services);
        }
        records.push(importable(record));
    }
    Ok(records)
}
