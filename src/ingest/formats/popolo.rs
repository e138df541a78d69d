//! Popolo JSON (<https://www.popoloproject.com/>): organizations (organisations and networks)
//! and the memberships of organisations in networks (a membership whose `member` is an
//! Organization). Pending memberships are not memberships yet and are left out.

use serde_json::{Value, json};

use super::{FormatError, Meta, importable};
use crate::model::{Record, places, taxonomy};

/// The register the registration number belongs to: Albania's NUIS (Numri Unik i
/// Identifikimit të Subjektit). No org-id.guide list covers it yet, so it is named plainly.
pub const NUIS_SCHEME: &str = "NUIS";

pub fn export(records: &[Record], meta: &Meta) -> Value {
    let mut organizations = Vec::new();
    let mut memberships = Vec::new();
    for record in records {
        match record {
            Record::Organisation(o) => {
                let mut org = json!({"id": o.id, "name": o.name, "classification": o.legal_form.clone().unwrap_or_else(|| "organisation".into())});
                let mut other_names: Vec<Value> = o
                    .acronym
                    .iter()
                    .map(|a| json!({"name": a, "note": "acronym"}))
                    .collect();
                other_names.extend(o.other_names.iter().map(|n| json!({"name": n})));
                if !other_names.is_empty() {
                    org["other_names"] = json!(other_names);
                }
                if let Some(number) = &o.registration_number {
                    org["identifiers"] = json!([{"scheme": NUIS_SCHEME, "identifier": number}]);
                }
                if let Some(text) = o.description.preferred() {
                    org["description"] = json!(text);
                }
                if let Some(year) = o.founded_year {
                    org["founding_date"] = json!(year.to_string());
                }
                if let Some(m) = o
                    .address
                    .as_ref()
                    .and_then(|a| a.municipality.as_deref())
                    .and_then(|m| places().municipality(m))
                {
                    org["area_id"] = json!(m.code);
                }
                contact(&mut org, o.contact.as_ref());
                organizations.push(org);
            }
            Record::Network(n) => {
                let mut org = json!({"id": n.id, "name": n.name, "classification": n.kind});
                if let Some(acronym) = &n.acronym {
                    org["other_names"] = json!([{"name": acronym, "note": "acronym"}]);
                }
                if let Some(text) = n.description.preferred() {
                    org["description"] = json!(text);
                }
                if let Some(year) = n.founded_year {
                    org["founding_date"] = json!(year.to_string());
                }
                if let Some(m) = n
                    .address
                    .as_ref()
                    .and_then(|a| a.municipality.as_deref())
                    .and_then(|m| places().municipality(m))
                {
                    org["area_id"] = json!(m.code);
                }
                contact(&mut org, n.contact.as_ref());
                organizations.push(org);
                for member in n.members.iter().filter(|m| m.status.is_confirmed()) {
                    let mut membership = json!({
                        "id": format!("{}/{}", n.id, member.organisation),
                        "organization_id": n.id,
                        "member": {"@type": "Organization", "id": member.organisation},
                        "role": member.role,
                    });
                    if let Some(since) = member.since {
                        membership["start_date"] = json!(since.to_string());
                    }
                    if let Some(until) = member.until {
                        membership["end_date"] = json!(until.to_string());
                    }
                    memberships.push(membership);
                }
            }
        }
    }
    json!({"meta": meta.to_json(), "organizations": organizations, "memberships": memberships})
}

fn contact(org: &mut Value, contact: Option<&crate::model::Contact>) {
    let Some(contact) = contact else { return };
    let mut details = Vec::new();
    if let Some(email) = &contact.email {
        details.push(json!({"type": "email", "value": email}));
    }
    if let Some(phone) = &contact.phone {
        details.push(json!({"type": "voice", "value": phone}));
    }
    if !details.is_empty() {
        org["contact_details"] = json!(details);
    }
    if let Some(website) = &contact.website {
        org["links"] = json!([{"url": website, "note": "website"}]);
    }
}

/// Records from Popolo: an organization classified as a network kind (network, coalition,
/// platform) is a network with the memberships naming it; any other is an organisation,
/// its classification taken as the legal form when it is one.
pub fn import(text: &str) -> Result<Vec<Value>, FormatError> {
    let popolo: Value = serde_json::from_str(text)?;
    let organizations = popolo["organizations"]
        .as_array()
        .ok_or_else(|| FormatError::Invalid("no organizations".into()))?;
    let tax = taxonomy();
    let mut records = Vec::new();
    for org in organizations {
        let classification = org["classification"].as_str().unwrap_or_default();
        let network = tax.network_kinds.contains(classification);
        let mut record = json!({
            "type": if network { "network" } else { "organisation" },
            "id": org["id"],
            "name": org["name"],
        });
        if network {
            record["kind"] = json!(classification);
            record["members"] = json!([]);
        } else if tax.legal_forms.contains(classification) {
            record["legal_form"] = json!(classification);
        }
        let mut other_names = Vec::new();
        for name in org["other_names"].as_array().into_iter().flatten() {
            match (name["note"].as_str(), name["name"].as_str()) {
                (Some("acronym"), Some(acronym)) => record["acronym"] = json!(acronym),
                (_, Some(other)) => other_names.push(json!(other)),
                _ => {}
            }
        }
        if !other_names.is_empty() && !network {
            record["other_names"] = json!(other_names);
        }
        if let Some(text) = org["description"].as_str() {
            record["description"] = json!({"sq": text});
        }
        if let Some(year) = org["founding_date"]
            .as_str()
            .and_then(|d| d.get(..4))
            .and_then(|y| y.parse::<i32>().ok())
        {
            record["founded_year"] = json!(year);
        }
        let nuis = org["identifiers"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|i| i["scheme"] == NUIS_SCHEME)
            .and_then(|i| i["identifier"].as_str());
        if let (Some(number), false) = (nuis, network) {
            record["registration_number"] = json!(number);
        }
        if let Some(m) = org["area_id"]
            .as_str()
            .and_then(|code| places().municipality_by_code(code))
        {
            record["address"] = json!({"municipality": m.name});
        }
        let mut contact = json!({});
        for detail in org["contact_details"].as_array().into_iter().flatten() {
            match detail["type"].as_str() {
                Some("email") => contact["email"] = detail["value"].clone(),
                Some("voice" | "phone") => contact["phone"] = detail["value"].clone(),
                _ => {}
            }
        }
        if let Some(url) = org["links"]
            .as_array()
            .and_then(|l| l.first())
            .and_then(|l| l["url"].as_str())
        {
            contact["website"] = json!(url);
        }
        if contact.as_object().is_some_and(|c| !c.is_empty()) {
            record["contact"] = contact;
        }
        records.push(importable(record));
    }
    for membership in popolo["memberships"].as_array().into_iter().flatten() {
        let network = membership["organization_id"].as_str().unwrap_or_default();
        let Some(record) = records
            .iter_mut()
            .find(|r| r["type"] == "network" && r["id"] == network)
        else {
            return Err(FormatError::Invalid(format!(
                "membership {} names no network in organizations",
                membership["id"]
            )));
        };
        let year = |key: &str| {
            membership[key]
                .as_str()
                .and_then(|d| d.get(..4))
                .and_then(|y| y.parse::<i32>().ok())
        };
        let mut member = json!({"organisation": membership["member"]["id"], "role": membership["role"].as_str().unwrap_or("member")});
        if let Some(since) = year("start_date") {
            member["since"] = json!(since);
        }
        if let Some(until) = year("end_date") {
            member["until"] = json!(until);
        }
        if let Some(members) = record["members"].as_array_mut() {
            members.push(member);
        }
    }
    Ok(records)
}
