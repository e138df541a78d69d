//! Validation and normalisation of records before they are stored: every problem is reported at
//! once, codes are checked against the taxonomy, place names are made canonical, text is NFC.

use std::collections::HashSet;
use std::time::SystemTime;

use super::network::MEMBER_ROLES;
use super::place::place;
use super::places::places;
use super::taxonomy::{Vocabulary, taxonomy};
use super::text::normalize_text;
use super::{Contact, ContactPerson, Description, Network, Organisation, Problems, RecordId};

pub(super) const MAX_NAME: usize = 300;
const MAX_ACRONYM: usize = 30;
const MAX_DESCRIPTION: usize = 10_000;
pub(super) const MAX_TAG: usize = 100;
const MAX_LIST: usize = 50;
const MAX_MEMBERS: usize = 5_000;
const MAX_SOURCE: usize = 300;
const EARLIEST_YEAR: i32 = 1800;

/// The current calendar year (UTC), the latest valid founding year.
pub fn current_year() -> i32 {
    let seconds = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // 146_097 days make 400 Gregorian years; exact to the day is not needed for a bound on years.
    1970 + (seconds as f64 / (365.2425 * 86_400.0)) as i32
}

/// Checks and normalises an organisation. The id, if given, must be valid; if absent it stays
/// empty and the directory generates one.
pub fn validate_organisation(mut org: Organisation) -> Result<Organisation, Problems> {
    let mut problems = Problems::default();
    let tax = taxonomy();
    check_id(&org.id, &mut problems);
    org.name = required_text("name", &org.name, MAX_NAME, &mut problems);
    org.acronym = optional_text(
        "acronym",
        org.acronym.as_deref(),
        MAX_ACRONYM,
        &mut problems,
    );
    org.other_names = text_list("other_names", &org.other_names, MAX_NAME, &mut problems);
    org.legal_form = optional_code(
        "legal_form",
        org.legal_form.as_deref(),
        &tax.legal_forms,
        &mut problems,
    );
    org.registration_number = org
        .registration_number
        .as_deref()
        .and_then(|nuis| registration_number(nuis, &mut problems));
    check_year("founded_year", org.founded_year, &mut problems);
    org.description = description(&org.description, &mut problems);
    org.thematic_areas = code_list(
        "thematic_areas",
        &org.thematic_areas,
        &tax.thematic_areas,
        &mut problems,
    );
    org.target_groups = code_list(
        "target_groups",
        &org.target_groups,
        &tax.target_groups,
        &mut problems,
    );
    org.services = code_list("services", &org.services, &tax.services, &mut problems);
    org.expertise = text_list("expertise", &org.expertise, MAX_TAG, &mut problems);
    org.scope = optional_code("scope", org.scope.as_deref(), &tax.scopes, &mut problems);
    (org.address, org.location) = place("", org.address.as_ref(), org.location, &mut problems);
    if org.sites.len() > MAX_LIST {
        problems.push("sites", format!("at most {MAX_LIST} sites"));
    }
    for (i, site) in org.sites.iter_mut().enumerate() {
        let prefix = format!("sites[{i}].");
        site.label = optional_text(
            &format!("{prefix}label"),
            site.label.as_deref(),
            MAX_NAME,
            &mut problems,
        );
        (site.address, site.location) =
            place(&prefix, site.address.as_ref(), site.location, &mut problems);
    }
    org.areas_served = areas_served(&org.areas_served, &mut problems);
    org.contact = org.contact.as_ref().and_then(|c| contact(c, &mut problems));
    org.contact_persons = contact_persons(&org.contact_persons, &mut problems);
    org.languages = languages(&org.languages, &mut problems);
    if problems.is_empty() {
        Ok(org)
    } else {
        Err(problems)
    }
}

/// Checks and normalises a network and its member list.
pub fn validate_network(mut network: Network) -> Result<Network, Problems> {
    let mut problems = Problems::default();
    let tax = taxonomy();
    check_id(&network.id, &mut problems);
    network.name = required_text("name", &network.name, MAX_NAME, &mut problems);
    network.acronym = optional_text(
        "acronym",
        network.acronym.as_deref(),
        MAX_ACRONYM,
        &mut problems,
    );
    network.kind = optional_code(
        "kind",
        Some(&network.kind),
        &tax.network_kinds,
        &mut problems,
    )
    .unwrap_or_else(|| "network".to_owned());
    network.description = description(&network.description, &mut problems);
    network.thematic_areas = code_list(
        "thematic_areas",
        &network.thematic_areas,
        &tax.thematic_areas,
        &mut problems,
    );
    network.scope = optional_code(
        "scope",
        network.scope.as_deref(),
        &tax.scopes,
        &mut problems,
    );
    check_year("founded_year", network.founded_year, &mut problems);
    (network.address, network.location) = place(
        "",
        network.address.as_ref(),
        network.location,
        &mut problems,
    );
    network.contact = network
        .contact
        .as_ref()
        .and_then(|c| contact(c, &mut problems));
    if network.members.len() > MAX_MEMBERS {
        problems.push("members", format!("at most {MAX_MEMBERS} members"));
    }
    let mut seen = HashSet::new();
    for (i, member) in network.members.iter_mut().enumerate() {
        let field = format!("members[{i}]");
        member.organisation = member.organisation.trim().to_owned();
        if let Err(message) = RecordId::parse(&member.organisation) {
            problems.push(format!("{field}.organisation"), message);
        } else if !seen.insert(member.organisation.clone()) {
            problems.push(
                format!("{field}.organisation"),
                format!("{} is listed more than once", member.organisation),
            );
        }
        member.role = member.role.trim().to_lowercase();
        if !MEMBER_ROLES.contains(&member.role.as_str()) {
            problems.push(
                format!("{field}.role"),
                format!(
                    "unknown role {:?}: use one of {}",
                    member.role,
                    MEMBER_ROLES.join(", ")
                ),
            );
        }
        if let Some(source) = &mut member.source {
            *source = normalize_text(source);
            if source.chars().count() > MAX_SOURCE {
                problems.push(
                    format!("{field}.source"),
                    format!("at most {MAX_SOURCE} characters"),
                );
            }
        }
        if member.source.as_deref() == Some("") {
            member.source = None;
        }
        check_year(&format!("{field}.since"), member.since, &mut problems);
        check_year(&format!("{field}.until"), member.until, &mut problems);
        if let (Some(since), Some(until)) = (member.since, member.until)
            && until < since
        {
            problems.push(
                format!("{field}.until"),
                format!("{until} is before since ({since})"),
            );
        }
    }
    if problems.is_empty() {
        Ok(network)
    } else {
        Err(problems)
    }
}

fn check_id(id: &str, problems: &mut Problems) {
    if !id.is_empty()
        && let Err(message) = RecordId::parse(id)
    {
        problems.push("id", message);
    }
}

fn required_text(field: &str, text: &str, max: usize, problems: &mut Problems) -> String {
    let text = normalize_text(text);
    if text.is_empty() {
        problems.push(field, "is required");
    } else if text.chars().count() > max {
        problems.push(field, format!("at most {max} characters"));
    }
    text
}

pub(super) fn optional_text(
    field: &str,
    text: Option<&str>,
    max: usize,
    problems: &mut Problems,
) -> Option<String> {
    let text = normalize_text(text?);
    if text.chars().count() > max {
        problems.push(field, format!("at most {max} characters"));
    }
    (!text.is_empty()).then_some(text)
}

/// Trimmed, NFC, empty entries dropped, duplicates removed (first one kept).
fn text_list(field: &str, items: &[String], max: usize, problems: &mut Problems) -> Vec<String> {
    if items.len() > MAX_LIST {
        problems.push(field, format!("at most {MAX_LIST} entries"));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let item = normalize_text(item);
        if item.chars().count() > max {
            problems.push(format!("{field}[{i}]"), format!("at most {max} characters"));
        }
        if !item.is_empty() && seen.insert(item.to_lowercase()) {
            out.push(item);
        }
    }
    out
}

fn optional_code(
    field: &str,
    code: Option<&str>,
    vocabulary: &Vocabulary,
    problems: &mut Problems,
) -> Option<String> {
    let code = code?.trim();
    if vocabulary.contains(code) {
        Some(code.to_owned())
    } else {
        problems.push(
            field,
            format!("unknown code {code:?}; allowed: {}", vocabulary.allowed()),
        );
        None
    }
}

fn code_list(
    field: &str,
    codes: &[String],
    vocabulary: &Vocabulary,
    problems: &mut Problems,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let code = code.trim();
        if !vocabulary.contains(code) {
            problems.push(
                format!("{field}[{i}]"),
                format!("unknown code {code:?}; allowed: {}", vocabulary.allowed()),
            );
        } else if !out.iter().any(|c| c == code) {
            out.push(code.to_owned());
        }
    }
    out
}

/// The Albanian NUIS/NIPT: a letter, eight digits and a letter, such as `L12345678A`.
fn registration_number(nuis: &str, problems: &mut Problems) -> Option<String> {
    let nuis: String = nuis
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if nuis.is_empty() {
        return None;
    }
    let bytes = nuis.as_bytes();
    let valid = bytes.len() == 10
        && bytes[0].is_ascii_uppercase()
        && bytes[1..9].iter().all(u8::is_ascii_digit)
        && bytes[9].is_ascii_uppercase();
    if !valid {
        problems.push(
            "registration_number",
            format!("{nuis:?} is not a NUIS: a letter, 8 digits and a letter, such as L12345678A"),
        );
    }
    Some(nuis)
}

fn check_year(field: &str, year: Option<i32>, problems: &mut Problems) {
    let latest = current_year();
    if let Some(year) = year
        && !(EARLIEST_YEAR..=latest).contains(&year)
    {
        problems.push(
            field,
            format!("{year} is not a year between {EARLIEST_YEAR} and {latest}"),
        );
    }
}

fn description(description: &Description, problems: &mut Problems) -> Description {
    Description {
        sq: optional_text(
            "description.sq",
            description.sq.as_deref(),
            MAX_DESCRIPTION,
            problems,
        ),
        en: optional_text(
            "description.en",
            description.en.as_deref(),
            MAX_DESCRIPTION,
            problems,
        ),
    }
}

/// Areas served are stored as unit codes: a municipality code (`shkoder`), a county code
/// (`AL-10`) or, for work abroad, a country code (`XK`).
fn areas_served(areas: &[String], problems: &mut Problems) -> Vec<String> {
    if areas.len() > 100 {
        problems.push("areas_served", "at most 100 entries");
    }
    let places = places();
    let mut out: Vec<String> = Vec::new();
    for (i, area) in areas.iter().enumerate() {
        let area = area.trim();
        let is_country = area.len() == 2 && area.bytes().all(|b| b.is_ascii_uppercase());
        let code = if is_country {
            Some(area.to_owned())
        } else if let Some(county) = places
            .county(area)
            .filter(|c| c.code == area.to_uppercase())
        {
            Some(county.code.clone())
        } else if let Some(municipality) = places.municipality(area) {
            Some(municipality.code.clone())
        } else {
            places.county(area).map(|c| c.code.clone())
        };
        match code {
            Some(code) if !out.contains(&code) => out.push(code),
            Some(_) => {}
            None => problems.push(
                format!("areas_served[{i}]"),
                format!(
                    "{area:?} is not a municipality, county (AL-01..AL-12) or country code (XK)"
                ),
            ),
        }
    }
    out
}

fn contact(contact: &Contact, problems: &mut Problems) -> Option<Contact> {
    let email = email("contact.email", contact.email.as_deref(), problems);
    let phone = phone("contact.phone", contact.phone.as_deref(), problems);
    let website = optional_text("contact.website", contact.website.as_deref(), 500, problems);
    if let Some(website) = &website {
        let host = website
            .strip_prefix("https://")
            .or_else(|| website.strip_prefix("http://"))
            .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
        let valid = host.is_some_and(|h| h.contains('.') && !h.contains(char::is_whitespace));
        if !valid {
            problems.push(
                "contact.website",
                format!("{website:?} is not a web address starting with http:// or https://"),
            );
        }
    }
    let contact = Contact {
        email,
        phone,
        website,
    };
    (contact != Contact::default()).then_some(contact)
}

fn email(field: &str, value: Option<&str>, problems: &mut Problems) -> Option<String> {
    let email = optional_text(field, value, 254, problems);
    if let Some(email) = &email {
        let valid = match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !email.contains(char::is_whitespace)
                    && !domain.contains('@')
            }
            None => false,
        };
        if !valid {
            problems.push(field, format!("{email:?} is not an email address"));
        }
    }
    email
}

fn phone(field: &str, value: Option<&str>, problems: &mut Problems) -> Option<String> {
    let phone = optional_text(field, value, 40, problems);
    if let Some(phone) = &phone {
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        let allowed = phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()./".contains(c));
        if !allowed || !(6..=15).contains(&digits) {
            problems.push(
                field,
                format!("{phone:?} is not a phone number (6 to 15 digits, + - ( ) and spaces)"),
            );
        }
    }
    phone
}

fn contact_persons(persons: &[ContactPerson], problems: &mut Problems) -> Vec<ContactPerson> {
    if persons.len() > MAX_LIST {
        problems.push(
            "contact_persons",
            format!("at most {MAX_LIST} contact persons"),
        );
    }
    persons
        .iter()
        .enumerate()
        .map(|(i, person)| {
            let field = |name: &str| format!("contact_persons[{i}].{name}");
            let name = optional_text(&field("name"), Some(&person.name), MAX_NAME, problems);
            if name.is_none() {
                problems.push(field("name"), "is required");
            }
            ContactPerson {
                name: name.unwrap_or_default(),
                role: optional_text(&field("role"), person.role.as_deref(), MAX_NAME, problems),
                email: email(&field("email"), person.email.as_deref(), problems),
                phone: phone(&field("phone"), person.phone.as_deref(), problems),
                public: person.public,
            }
        })
        .collect()
}

fn languages(languages: &[String], problems: &mut Problems) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, language) in languages.iter().enumerate() {
        let code = language.trim().to_lowercase();
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_lowercase()) {
            problems.push(
                format!("languages[{i}]"),
                format!("{language:?} is not an ISO 639-1 code such as sq or en"),
            );
        } else if !out.contains(&code) {
            out.push(code);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Address, Location};

    fn org(name: &str) -> Organisation {
        Organisation {
            name: name.to_owned(),
            ..Organisation::default()
        }
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut o = org("");
        o.thematic_areas = vec!["enviroment".into()];
        o.location = Some(Location {
            lat: 95.0,
            lon: 19.0,
            approximate: false,
        });
        o.contact = Some(Contact {
            email: Some("not-an-email".into()),
            ..Contact::default()
        });
        let fields: Vec<_> = validate_organisation(o)
            .unwrap_err()
            .0
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            ["name", "thematic_areas[0]", "location.lat", "contact.email"]
        );
    }

    #[test]
    fn unknown_code_message_lists_the_allowed_codes() {
        let mut o = org("X");
        o.scope = Some("galactic".into());
        let problem = &validate_organisation(o).unwrap_err().0[0];
        assert!(problem.message.contains("galactic") && problem.message.contains("national"));
    }

    #[test]
    fn municipality_is_made_canonical_and_county_derived() {
        let mut o = org("X");
        o.address = Some(Address {
            municipality: Some("shkodra".into()),
            country: "AL".into(),
            ..Address::default()
        });
        let address = validate_organisation(o).unwrap().address.unwrap();
        assert_eq!(address.municipality.as_deref(), Some("Shkodër"));
        assert_eq!(address.county.as_deref(), Some("Shkodër"));
    }

    #[test]
    fn a_county_that_does_not_hold_the_municipality_is_rejected() {
        let mut o = org("X");
        o.address = Some(Address {
            municipality: Some("Vlorë".into()),
            county: Some("Tiranë".into()),
            country: "AL".into(),
            ..Address::default()
        });
        let problem = &validate_organisation(o).unwrap_err().0[0];
        assert_eq!(problem.field, "address.county");
        assert!(problem.message.contains("Vlorë is"), "{}", problem.message);
    }

    #[test]
    fn addresses_abroad_keep_their_place_names() {
        let mut o = org("X");
        o.address = Some(Address {
            municipality: Some("Prishtinë".into()),
            country: "xk".into(),
            ..Address::default()
        });
        let address = validate_organisation(o).unwrap().address.unwrap();
        assert_eq!(
            (address.municipality.as_deref(), address.country.as_str()),
            (Some("Prishtinë"), "XK")
        );
    }

    #[test]
    fn nuis_is_checked_and_uppercased() {
        let mut o = org("X");
        o.registration_number = Some("l 12345678 a".into());
        assert_eq!(
            validate_organisation(o.clone())
                .unwrap()
                .registration_number
                .as_deref(),
            Some("L12345678A")
        );
        o.registration_number = Some("12345".into());
        assert_eq!(
            validate_organisation(o).unwrap_err().0[0].field,
            "registration_number"
        );
    }

    #[test]
    fn areas_served_become_unit_codes() {
        let mut o = org("X");
        o.areas_served = vec![
            "Shkodër".into(),
            "AL-12".into(),
            "Qarku i Korçës".into(),
            "XK".into(),
            "shkoder".into(),
        ];
        assert_eq!(
            validate_organisation(o).unwrap().areas_served,
            ["shkoder", "AL-12", "AL-06", "XK"]
        );
    }

    #[test]
    fn founding_year_in_the_future_is_rejected() {
        let mut o = org("X");
        o.founded_year = Some(current_year() + 1);
        assert_eq!(
            validate_organisation(o).unwrap_err().0[0].field,
            "founded_year"
        );
    }

    #[test]
    fn network_members_are_checked() {
        let network = Network {
            name: "N".into(),
            kind: "network".into(),
            members: vec![
                super::super::Member {
                    organisation: "a-b".into(),
                    role: "lead".into(),
                    since: Some(2010),
                    until: Some(2005),
                    ..Default::default()
                },
                super::super::Member {
                    organisation: "a-b".into(),
                    role: "boss".into(),
                    since: None,
                    until: None,
                    ..Default::default()
                },
            ],
            ..Network::default()
        };
        let fields: Vec<_> = validate_network(network)
            .unwrap_err()
            .0
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            [
                "members[0].until",
                "members[1].organisation",
                "members[1].role"
            ]
        );
    }
}
