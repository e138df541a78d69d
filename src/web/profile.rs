//! An organisation's page: everything public about it, its networks, its places on a map,
//! nearby organisations with similar work, and schema.org JSON-LD for search engines.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use maud::{Markup, html};
use serde_json::{Value, json};

use super::error_page::PageError;
use super::i18n::Lang;
use super::layout::{self, Page};
use super::search_page::theme_tags;
use super::{format_km, html, labels, map_points, map_words, page_lang};
use crate::api::{AppState, blocking};
use crate::directory::{Candidate, DirectoryError, Goal, MembershipView, PartnerQuery};
use crate::geography::{Area, GeoPoint};
use crate::model::{Address, Location, MemberStatus, Organisation, Record, RecordKind};
use crate::search::{FilterField, Hit, SearchRequest, Sort};

/// How far "nearby" reaches, and how many nearby organisations and partners a page lists.
const NEARBY_KM: f64 = 50.0;
const NEARBY_COUNT: usize = 6;
const PARTNER_COUNT: usize = 5;

pub async fn page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let lang = page_lang(query.as_deref());
    let (organisation, networks, nearby, partners) = blocking(&state.directory, move |d| {
        let organisation = match d.get(RecordKind::Organisation, &id)? {
            Record::Organisation(organisation) => organisation.public_view(),
            Record::Network(_) => {
                let kind = RecordKind::Organisation;
                return Err(DirectoryError::NotFound { kind, id });
            }
        };
        let networks = d.networks_of(&organisation.id)?;
        let nearby = match nearby_request(&organisation) {
            Some(request) => d.search(&request)?.hits,
            None => Vec::new(),
        };
        let partners = d.partners(
            &organisation.id,
            &PartnerQuery {
                goal: Goal::Similar,
                exclude_networks_in_common: false,
                within: SearchRequest::new(),
                limit: PARTNER_COUNT,
            },
        )?;
        Ok((organisation, networks, nearby, partners))
    })
    .await
    .map_err(|e| PageError::new(lang, e))?;
    let nearby: Vec<Hit> = nearby
        .into_iter()
        .filter(|hit| hit.id != organisation.id)
        .take(NEARBY_COUNT)
        .collect();
    let href = |lang| layout::record_href("organisation", &organisation.id, lang);
    let json_ld = layout::script_json(&json_ld(&organisation, &networks));
    Ok(html(layout::render(Page {
        lang,
        title: organisation.name.clone(),
        other_language_href: href(lang.other()),
        json_ld: Some(json_ld),
        map: true,
        body: body(lang, &organisation, &networks, &nearby, &partners),
    })))
}

/// Organisations within reach that share a thematic area, nearest first.
fn nearby_request(organisation: &Organisation) -> Option<SearchRequest> {
    let location = organisation.location.as_ref()?;
    let center = GeoPoint::new(location.lat, location.lon);
    let mut request = SearchRequest::new();
    request.kind = Some(RecordKind::Organisation);
    if !organisation.thematic_areas.is_empty() {
        request.filters = vec![(
            FilterField::ThematicArea,
            organisation.thematic_areas.clone(),
        )];
    }
    request.near = Some(center);
    request.areas = vec![Area::Circle {
        center,
        radius_km: NEARBY_KM,
    }];
    request.sort = Sort::Distance;
    request.limit = NEARBY_COUNT + 1;
    Some(request)
}

fn body(
    lang: Lang,
    org: &Organisation,
    networks: &[MembershipView],
    nearby: &[Hit],
    partners: &[Candidate],
) -> Markup {
    let words = lang.words();
    let description = match lang {
        Lang::Sq => org.description.sq.as_ref().map(|d| (d, "sq")).or(org
            .description
            .en
            .as_ref()
            .map(|d| (d, "en"))),
        Lang::En => org.description.en.as_ref().map(|d| (d, "en")).or(org
            .description
            .sq
            .as_ref()
            .map(|d| (d, "sq"))),
    };
    let mut points = Vec::new();
    for (i, (_, location)) in org.places().enumerate() {
        if let Some(location) = location {
            let label = if i == 0 {
                words.head_office
            } else {
                words.sites
            };
            points.push((
                location.lat,
                location.lon,
                format!("{} · {label}", org.name),
                None,
                true,
            ));
        }
    }
    for hit in nearby {
        if let Some((lat, lon)) = hit_location(hit) {
            points.push((
                lat,
                lon,
                hit.name.clone(),
                Some(layout::record_href("organisation", &hit.id, lang)),
                false,
            ));
        }
    }
    html! {
        nav.crumbs aria-label="breadcrumb" { a href=(layout::home_href(lang)) { "← " (words.back_to_search) } }
        article.profile {
            header.profile-head {
                h1 { (org.name) @if let Some(acronym) = &org.acronym { " " span.acronym { "(" (acronym) ")" } } }
                @if !org.other_names.is_empty() { p.other-names { (org.other_names.join(" · ")) } }
                p.meta {
                    @if let Some(form) = org.legal_form.as_deref().and_then(|f| labels::vocabulary(lang, "legal_form", f)) { span.badge { (form) } }
                    @if let Some(place) = place_line(org.address.as_ref()) { span.place { (place) } }
                    @if let Some(year) = org.founded_year { span { (words.founded) " " (year) } }
                    @if org.code_of_standards { span.signatory { "✓ " (words.code_of_standards_signed) } }
                }
            }
            div.profile-grid {
                div.profile-main {
                    @if let Some((text, text_lang)) = description {
                        section aria-labelledby="about" {
                            h2 #about { (words.about) }
                            p lang=(text_lang) { (text) }
                        }
                    }
                    (tag_section("themes", words.thematic_areas, labels::list(lang, "thematic_area", &org.thematic_areas)))
                    (tag_section("groups", words.target_groups, labels::list(lang, "target_group", &org.target_groups)))
                    (tag_section("services", words.services, labels::list(lang, "service", &org.services)))
                    (tag_section("expertise", words.expertise, org.expertise.clone()))
                    section aria-labelledby="networks" {
                        h2 #networks { (words.networks_and_coalitions) }
                        @if networks.is_empty() {
                            p { (words.no_networks) }
                        } @else {
                            ul.memberships {
                                @for m in networks {
                                    li {
                                        a href=(layout::record_href("network", &m.network, lang)) { (m.name) }
                                        " · " (words.role(&m.role))
                                        @if let Some(since) = m.since { " · " (words.since.to_lowercase()) " " (since) }
                                        @match m.status {
                                            MemberStatus::Invited => { " · " span.pending { (words.pending_invited) } },
                                            MemberStatus::Requested => { " · " span.pending { (words.pending_requested) } },
                                            MemberStatus::Confirmed => @if !m.current { " · " span.former { (words.former) } },
                                        }
                                    }
                                }
                            }
                        }
                    }
                    section aria-labelledby="partners" {
                        h2 #partners { (words.possible_partners) }
                        p.help { (words.possible_partners_help) }
                        ol.partners {
                            @for partner in partners {
                                li {
                                    a href=(layout::record_href("organisation", &partner.id, lang)) { (partner.name) }
                                    @if let Some(place) = &partner.municipality { " · " (place) }
                                    ul.reasons {
                                        @for reason in partner.fit.reasons.iter().take(3) { li { (lang.label(&reason.text)) } }
                                    }
                                }
                            }
                        }
                    }
                    section aria-labelledby="nearby" {
                        h2 #nearby { (words.nearby_similar) }
                        @if nearby.is_empty() {
                            p { "—" }
                        } @else {
                            ul.nearby {
                                @for hit in nearby {
                                    li {
                                        a href=(layout::record_href("organisation", &hit.id, lang)) { (hit.name) }
                                        @if let Some(km) = hit.distance_km { " · " (format_km(lang, km)) " " (words.km_away) }
                                        (theme_tags(lang, hit.summary.get("thematic_areas")))
                                    }
                                }
                            }
                        }
                    }
                }
                div.profile-side {
                    section aria-labelledby="on-map" {
                        h2 #on-map { (words.on_the_map) }
                        div #map.map.small data-points=(map_points(&points)) data-words=(map_words(lang)) {}
                    }
                    section aria-labelledby="facts" {
                        h2 #facts { (words.contact) }
                        dl.facts {
                            (address_rows(lang, words.address, org.address.as_ref(), org.location.as_ref()))
                            @for site in &org.sites {
                                (address_rows(lang, site.label.as_deref().unwrap_or(words.sites), site.address.as_ref(), site.location.as_ref()))
                            }
                            @if let Some(contact) = &org.contact {
                                @if let Some(email) = &contact.email { dt { (words.email) } dd { a href={ "mailto:" (email) } { (email) } } }
                                @if let Some(phone) = &contact.phone { dt { (words.phone) } dd { a href={ "tel:" (phone.replace(' ', "")) } { (phone) } } }
                                @if let Some(website) = &contact.website { dt { (words.website) } dd { a href=(website) rel="nofollow noopener" { (website) } } }
                            }
                            @if let Some(scope) = org.scope.as_deref().and_then(|s| labels::vocabulary(lang, "scope", s)) { dt { (words.scope) } dd { (scope) } }
                            @if !org.areas_served.is_empty() { dt { (words.areas_served) } dd { (org.areas_served.iter().map(|a| labels::area(lang, a)).collect::<Vec<_>>().join(", ")) } }
                            @if !org.languages.is_empty() { dt { (words.languages) } dd { (org.languages.iter().map(|l| labels::language(lang, l)).collect::<Vec<_>>().join(", ")) } }
                            @if let Some(number) = &org.registration_number { dt { (words.registration_number) } dd { (number) } }
                            @if let Some(updated) = &org.updated_at { dt { (words.updated) } dd { time datetime=(updated) { (updated.get(..10).unwrap_or(updated)) } } }
                        }
                        @if !org.contact_persons.is_empty() {
                            h3 { (words.contact_persons) }
                            ul.people {
                                @for person in &org.contact_persons {
                                    li {
                                        (person.name)
                                        @if let Some(role) = &person.role { ", " (role) }
                                        @if let Some(email) = &person.email { " · " a href={ "mailto:" (email) } { (email) } }
                                        @if let Some(phone) = &person.phone { " · " (phone) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn tag_section(id: &str, title: &str, values: Vec<String>) -> Markup {
    html! {
        @if !values.is_empty() {
            section aria-labelledby=(id) {
                h2 #(id) { (title) }
                ul.tags { @for value in &values { li { (value) } } }
            }
        }
    }
}

fn address_rows(
    lang: Lang,
    title: &str,
    address: Option<&Address>,
    location: Option<&Location>,
) -> Markup {
    let words = lang.words();
    let lines: Vec<String> = address
        .map(|a| {
            [a.street.clone(), a.postal_code.clone(), place_line(Some(a))]
                .into_iter()
                .flatten()
                .collect()
        })
        .unwrap_or_default();
    html! {
        @if !lines.is_empty() || location.is_some() {
            dt { (title) }
            dd {
                (lines.join(", "))
                @if location.is_some_and(|l| l.approximate) { " (" (words.approximate_location) ")" }
            }
        }
    }
}

/// "Shkodër, Shkodër" as municipality and county, with the country when abroad.
pub fn place_line(address: Option<&Address>) -> Option<String> {
    let address = address?;
    let mut parts: Vec<&str> = [address.municipality.as_deref(), address.county.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    parts.dedup();
    if address.country != "AL" {
        parts.push(&address.country);
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

pub fn hit_location(hit: &Hit) -> Option<(f64, f64)> {
    let location = hit.summary.get("location")?;
    Some((
        location.get("lat")?.as_f64()?,
        location.get("lon")?.as_f64()?,
    ))
}

/// schema.org's NGO type with what the page shows: names, description, address, place,
/// contact, founding year, topics and networks.
fn json_ld(org: &Organisation, networks: &[MembershipView]) -> Value {
    let mut value = json!({
        "@context": "https://schema.org",
        "@type": "NGO",
        "@id": format!("/organisations/{}", org.id),
        "name": org.name,
        "url": format!("/organisations/{}", org.id),
    });
    let mut set = |key: &str, v: Value| {
        value[key] = v;
    };
    if let Some(acronym) = &org.acronym {
        set("alternateName", json!(acronym));
    }
    if let Some(description) = org.description.preferred() {
        set("description", json!(description));
    }
    if let Some(year) = org.founded_year {
        set("foundingDate", json!(year.to_string()));
    }
    if let Some(address) = &org.address {
        set(
            "address",
            json!({
                "@type": "PostalAddress",
                "streetAddress": address.street,
                "postalCode": address.postal_code,
                "addressLocality": address.municipality,
                "addressRegion": address.county,
                "addressCountry": address.country,
            }),
        );
    }
    if let Some(location) = &org.location {
        set(
            "geo",
            json!({"@type": "GeoCoordinates", "latitude": location.lat, "longitude": location.lon}),
        );
    }
    if let Some(contact) = &org.contact {
        if let Some(email) = &contact.email {
            set("email", json!(email));
        }
        if let Some(phone) = &contact.phone {
            set("telephone", json!(phone));
        }
        if let Some(website) = &contact.website {
            set("sameAs", json!(website));
        }
    }
    if let Some(number) = &org.registration_number {
        set("taxID", json!(number));
    }
    let topics: Vec<&str> = org
        .thematic_areas
        .iter()
        .filter_map(|code| labels::vocabulary(Lang::En, "thematic_area", code))
        .chain(org.expertise.iter().map(String::as_str))
        .collect();
    if !topics.is_empty() {
        set("knowsAbout", json!(topics));
    }
    if !org.areas_served.is_empty() {
        set("areaServed", json!(org.areas_served));
    }
    let member_of: Vec<Value> = networks
        .iter()
        .filter(|m| m.current)
        .map(|m| json!({"@type": "Organization", "name": m.name, "url": format!("/networks/{}", m.network)}))
        .collect();
    if !member_of.is_empty() {
        set("memberOf", json!(member_of));
    }
    value
}
