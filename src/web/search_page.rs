//! The home and search page: the search form, active filters as removable chips, facets with
//! counts, the result cards with paging, and the map panel. It works without JavaScript;
//! scripts add suggestions while typing and the map.

use axum::extract::{RawQuery, State};
use axum::response::Response;
use maud::{Markup, PreEscaped, html};
use serde_json::Value;

use super::error_page::PageError;
use super::i18n::{Lang, Words};
use super::layout::{self, Page};
use super::url_state::{PAGE_SIZE, UrlState};
use super::{format_km, html, labels, map_words};
use crate::api::{AppState, blocking, parse_search_query};
use crate::model::places;
use crate::search::{FacetValue, FilterField, Hit, SearchResults, facet_label};

/// The facets a page shows, in this order.
const FACETS: [FilterField; 9] = [
    FilterField::ThematicArea,
    FilterField::County,
    FilterField::Municipality,
    FilterField::Scope,
    FilterField::LegalForm,
    FilterField::TargetGroup,
    FilterField::Service,
    FilterField::Network,
    FilterField::CodeOfStandards,
];
/// Facet values shown before "More".
const FACET_VISIBLE: usize = 6;
/// Facet values a page lists at most, as links; the others are counted. A directory of a
/// million records has thousands of networks, and every value listed is a link of its own.
const FACET_LISTED: usize = 100;
/// Radii offered with a place, in km; the first is the default.
const RADII: [u32; 6] = [25, 5, 10, 50, 100, 200];
/// The engine stops paging at 10,000 results.
const MAX_PAGE: usize = 10_000 / PAGE_SIZE;

pub async fn page(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let url = UrlState::parse(query.as_deref().unwrap_or(""));
    let lang = url.lang;
    let mut request =
        parse_search_query(&url.search_query()).map_err(|e| PageError::new(lang, e))?;
    let page = url.page.min(MAX_PAGE);
    request.offset = (page - 1) * PAGE_SIZE;
    request.limit = PAGE_SIZE;
    request.highlight = true;
    request.facets = FACETS.to_vec();
    let results = blocking(&state.directory, move |d| d.search(&request))
        .await
        .map_err(|e| PageError::new(lang, e))?;
    let title = match url.get("q") {
        Some(q) => format!("{q} · {}", lang.words().results),
        None => lang.words().search_button.to_owned(),
    };
    let body = html! {
        h1.visually-hidden { "Rrjeti: " (lang.words().tagline) }
        (search_form(&url))
        (chips(&url, &results))
        div.layout {
            section.results aria-labelledby="results-heading" {
                (results_list(&url, &results))
            }
            aside.facets #filters aria-labelledby="filters-heading" {
                h2 #filters-heading { (lang.words().filters) }
                @for field in FACETS {
                    (facet(&url, field, results.facets.get(field.param()).map_or(&[][..], Vec::as_slice)))
                }
            }
            (map_panel(&url, &results))
        }
    };
    Ok(html(layout::render(Page {
        lang,
        title,
        other_language_href: url.with_lang(lang.other()).href(),
        json_ld: None,
        map: true,
        body,
    })))
}

fn search_form(url: &UrlState) -> Markup {
    let words = url.lang.words();
    let kind = url.get("type").unwrap_or("");
    let sort = url.get("sort").unwrap_or("relevance");
    let near = url.get("near").unwrap_or("");
    let radius = url.get("radius_km").unwrap_or("");
    let place_options = place_options();
    let custom_near = !near.is_empty() && !place_options.iter().any(|(value, _)| value == near);
    // The form's own fields; every other parameter rides along as a hidden field.
    let own = ["q", "type", "sort", "near", "radius_km"];
    html! {
        form.search role="search" action="/" method="get" {
            label.search-label for="q" { (words.search_label) }
            div.searchbox {
                input #q type="search" name="q" value=(url.get("q").unwrap_or("")) placeholder=(words.search_placeholder) autocomplete="off" spellcheck="false";
                button type="submit" { (words.search_button) }
            }
            div.options {
                div.option {
                    label for="type" { (words.kind) }
                    select #type name="type" {
                        option value="" selected[kind.is_empty()] { (words.kind_all) }
                        option value="organisation" selected[kind == "organisation"] { (words.kind_organisation) }
                        option value="network" selected[kind == "network"] { (words.kind_network) }
                    }
                }
                div.option {
                    label for="near" { (words.near) }
                    select #near name="near" {
                        option value="" selected[near.is_empty()] { (words.anywhere) }
                        @if custom_near {
                            option value=(near) selected { (words.my_location) " (" (near) ")" }
                        }
                        @for (value, name) in &place_options {
                            option value=(value) selected[value == near] { (name) }
                        }
                    }
                }
                div.option {
                    label for="radius_km" { (words.radius) }
                    select #radius_km name="radius_km" {
                        @if !radius.is_empty() && !RADII.iter().any(|r| r.to_string() == radius) {
                            option value=(radius) selected { (radius) " km" }
                        }
                        @for r in RADII {
                            option value=(r) selected[r.to_string() == radius] { (r) " km" }
                        }
                    }
                }
                div.option {
                    label for="sort" { (words.sort_by) }
                    select #sort name="sort" {
                        @for (value, name) in sort_options(words) {
                            option value=(value) selected[value == sort] { (name) }
                        }
                    }
                }
            }
            @for (name, value) in url.pairs.iter().filter(|(n, _)| !own.contains(&n.as_str())) {
                input type="hidden" name=(name) value=(value);
            }
            @if url.lang == Lang::En {
                input type="hidden" name="lang" value="en";
            }
        }
    }
}

fn sort_options(words: &Words) -> [(&'static str, &'static str); 5] {
    [
        ("relevance", words.sort_relevance),
        ("name", words.sort_name),
        ("founded_year", words.sort_founded),
        ("updated", words.sort_updated),
        ("distance", words.sort_distance),
    ]
}

/// Every municipality as a "near" choice: its seat (or centre) as `LAT,LON`.
fn place_options() -> Vec<(String, &'static str)> {
    places()
        .municipalities
        .iter()
        .map(|m| {
            let (lat, lon) = m.seat.unwrap_or((m.lat, m.lon));
            (format!("{lat:.4},{lon:.4}"), m.name.as_str())
        })
        .collect()
}

/// The name of the place a `near` value stands for, when it is one of the offered places.
fn place_name(near: &str) -> Option<&'static str> {
    place_options()
        .into_iter()
        .find(|(value, _)| value == near)
        .map(|(_, name)| name)
}

/// Active filters, each a link that removes it.
fn chips(url: &UrlState, results: &SearchResults) -> Markup {
    let words = url.lang.words();
    let mut chips: Vec<(String, String)> = Vec::new();
    for field in FilterField::ALL {
        for value in url.values(field.param()) {
            let label = results
                .facets
                .get(field.param())
                .and_then(|values| values.iter().find(|v| v.value == value))
                .and_then(|v| v.label.clone())
                .or_else(|| facet_label(field.param(), &value, |_| None));
            let text = label.map_or(value.clone(), |l| url.lang.label(&l).to_owned());
            chips.push((
                format!("{}: {text}", facet_title(words, field)),
                url.without(field.param(), &value).href(),
            ));
        }
    }
    for (param, prefix) in [("within", words.within), ("serves", words.serves)] {
        for value in url.values(param) {
            let text = facet_label("units", &value, |_| None)
                .map_or(value.clone(), |l| url.lang.label(&l).to_owned());
            chips.push((
                format!("{prefix}: {text}"),
                url.without(param, &value).href(),
            ));
        }
    }
    if let Some(near) = url.get("near") {
        let place = place_name(near).unwrap_or(words.my_location);
        let text = match url.get("radius_km") {
            Some(radius) => format!("{} {radius} km · {} {place}", words.radius, words.near),
            None => format!("{} {place}", words.near),
        };
        chips.push((text, url.without_all(&["near", "radius_km"]).href()));
    }
    if url.get("bbox").is_some() {
        chips.push((words.map_area.to_owned(), url.without_all(&["bbox"]).href()));
    }
    if let Some(kind) = url.get("type") {
        let text = if kind == "network" {
            words.kind_network
        } else {
            words.kind_organisation
        };
        chips.push((text.to_owned(), url.without_all(&["type"]).href()));
    }
    if chips.is_empty() {
        return html! {};
    }
    let clear = url.without_all(
        &url.pairs
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| !matches!(*n, "q" | "sort"))
            .collect::<Vec<_>>(),
    );
    html! {
        nav.chips aria-label=(words.active_filters) {
            ul {
                @for (text, href) in &chips {
                    li { a.chip href=(href) { (text) span.x aria-hidden="true" { "×" } span.visually-hidden { " (" (words.remove_filter) ")" } } }
                }
                @if chips.len() > 1 {
                    li { a.clear href=(clear.href()) { (words.clear_all) } }
                }
            }
        }
    }
}

fn facet_title(words: &Words, field: FilterField) -> &'static str {
    match field {
        FilterField::ThematicArea => words.facet_thematic_area,
        FilterField::TargetGroup => words.facet_target_group,
        FilterField::Service => words.facet_service,
        FilterField::Scope => words.facet_scope,
        FilterField::LegalForm => words.facet_legal_form,
        FilterField::County => words.facet_county,
        FilterField::Municipality => words.facet_municipality,
        FilterField::Network => words.facet_network,
        FilterField::CodeOfStandards => words.facet_code_of_standards,
    }
}

fn facet(url: &UrlState, field: FilterField, values: &[FacetValue]) -> Markup {
    let words = url.lang.words();
    let param = field.param();
    // Chosen values first, then by count; values with no hit are not worth a click.
    let mut shown: Vec<&FacetValue> = values
        .iter()
        .filter(|v| v.count > 0 || url.has(param, &v.value))
        .collect();
    shown.sort_by_key(|v| (!url.has(param, &v.value), std::cmp::Reverse(v.count)));
    if shown.is_empty() {
        return html! {};
    }
    let unlisted = shown.len().saturating_sub(FACET_LISTED);
    shown.truncate(FACET_LISTED);
    let (first, rest) = shown.split_at(shown.len().min(FACET_VISIBLE));
    let id = format!("facet-{param}");
    html! {
        section.facet aria-labelledby=(id) {
            h3 #(id) { (facet_title(words, field)) }
            ul { @for value in first { (facet_value(url, param, value)) } }
            @if !rest.is_empty() {
                details {
                    summary { (words.more_values) " (" (rest.len()) ")" }
                    ul { @for value in rest { (facet_value(url, param, value)) } }
                    @if unlisted > 0 {
                        p.unlisted { (words.unlisted.replace("{n}", &unlisted.to_string())) }
                    }
                }
            }
        }
    }
}

fn facet_value(url: &UrlState, param: &str, value: &FacetValue) -> Markup {
    let chosen = url.has(param, &value.value);
    let text = value
        .label
        .as_ref()
        .map_or(value.value.as_str(), |l| url.lang.label(l));
    html! {
        li {
            a.facet-value.chosen[chosen] href=(url.toggle(param, &value.value).href()) aria-current=[chosen.then_some("true")] {
                span.text { (text) }
                span.count { (value.count) }
            }
        }
    }
}

fn results_list(url: &UrlState, results: &SearchResults) -> Markup {
    let words = url.lang.words();
    let pages = results.total.div_ceil(PAGE_SIZE).clamp(1, MAX_PAGE);
    html! {
        div.results-head {
            h2 #results-heading { (words.count(results.total)) }
            a.to-filters href="#filters" { (words.filter_results) }
        }
        @if let Some(suggestion) = &results.did_you_mean {
            p.did-you-mean {
                (words.did_you_mean) " "
                a href=(url.without_all(&["q"]).toggle("q", suggestion).href()) { strong { (suggestion) } } "?"
            }
        }
        @if results.partial {
            p.partial { (words.partial) }
        }
        @if results.hits.is_empty() {
            p.empty { (words.no_results) }
        } @else {
            ol.hits {
                @for hit in &results.hits { li { (hit_card(url.lang, hit)) } }
            }
        }
        @if pages > 1 {
            nav.paging aria-label=(words.pages) {
                @if url.page > 1 {
                    a rel="prev" href=(url.with_page(url.page - 1).href()) { "← " (words.previous) }
                }
                span.where { (words.page_of(url.page.min(pages), pages)) }
                @if url.page < pages {
                    a rel="next" href=(url.with_page(url.page + 1).href()) { (words.next) " →" }
                }
            }
        }
    }
}

fn hit_card(lang: Lang, hit: &Hit) -> Markup {
    let words = lang.words();
    let field = |name: &str| hit.summary.get(name).and_then(Value::as_str);
    let kind = hit.kind.as_str();
    let badge = match kind {
        "network" => field("kind").and_then(|k| labels::network_kind(lang, k)),
        _ => field("legal_form").and_then(|f| labels::vocabulary(lang, "legal_form", f)),
    };
    let place: Vec<&str> = [field("municipality"), field("county")]
        .into_iter()
        .flatten()
        .collect();
    let highlights = hit.highlights.as_ref();
    let name = highlights
        .and_then(|h| h.get("name"))
        .and_then(Value::as_str);
    let snippet = highlights
        .and_then(|h| h.get("description"))
        .and_then(Value::as_str);
    let expertise: Vec<&str> = highlights
        .and_then(|h| h.get("expertise"))
        .and_then(Value::as_array)
        .map(|tags| tags.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    html! {
        article.hit.(kind) {
            h3 {
                a href=(layout::record_href(kind, &hit.id, lang)) {
                    // Highlights are built from escaped text with only <mark> added.
                    @match name { Some(name) => (PreEscaped(name)), None => (hit.name) }
                }
                @if let Some(acronym) = field("acronym") { " " span.acronym { "(" (acronym) ")" } }
            }
            p.meta {
                @if let Some(badge) = badge { span.badge { (badge) } }
                @if !place.is_empty() { span.place { (place.join(", ")) } }
                @if let Some(km) = hit.distance_km { span.distance { (format_km(lang, km)) " " (words.km_away) } }
                @if let Some(members) = hit.summary.get("member_count").and_then(Value::as_u64) {
                    span.members { (members) " " (words.members_count) }
                }
            }
            @match snippet {
                Some(snippet) => p.snippet { (PreEscaped(snippet)) },
                None => @if let Some(description) = field("description") { p.snippet { (description) } },
            }
            @if !expertise.is_empty() {
                p.expertise { (words.expertise) ": " @for (i, tag) in expertise.iter().enumerate() { @if i > 0 { ", " } (PreEscaped(*tag)) } }
            }
            (theme_tags(lang, hit.summary.get("thematic_areas")))
        }
    }
}

/// Thematic areas as small labelled tags.
pub fn theme_tags(lang: Lang, codes: Option<&Value>) -> Markup {
    let codes: Vec<&str> = codes
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    html! {
        @if !codes.is_empty() {
            ul.tags {
                @for code in codes {
                    li { (labels::vocabulary(lang, "thematic_area", code).unwrap_or(code)) }
                }
            }
        }
    }
}

fn map_panel(url: &UrlState, results: &SearchResults) -> Markup {
    let words = url.lang.words();
    html! {
        aside.map-panel aria-labelledby="map-heading" {
            h2 #map-heading { (words.map) }
            div #map.map data-search=(url.search_query()) data-total=(results.total) data-words=(map_words(url.lang)) data-controls="search" {}
            p.map-help { (words.map_help) }
        }
    }
}
