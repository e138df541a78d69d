//! A network's or coalition's page: what it works on, its members with their roles and
//! years, and a map of where the members are.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use maud::html;

use super::error_page::PageError;
use super::layout::{self, Page};
use super::profile::place_line;
use super::{html, labels, map_words, page_lang};
use crate::api::{AppState, blocking};
use crate::directory::DirectoryError;
use crate::model::{MemberStatus, Record, RecordKind};
use std::collections::BTreeMap;

pub async fn page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let lang = page_lang(query.as_deref());
    let (network, members, stats) = blocking(&state.directory, move |d| {
        let network = match d.get(RecordKind::Network, &id)? {
            Record::Network(network) => network,
            Record::Organisation(_) => {
                let kind = RecordKind::Network;
                return Err(DirectoryError::NotFound { kind, id });
            }
        };
        let members = d.members_of(&network.id)?;
        let stats = d.network_stats(&network.id)?;
        Ok((network, members, stats))
    })
    .await
    .map_err(|e| PageError::new(lang, e))?;
    let words = lang.words();
    let description = match lang {
        super::i18n::Lang::Sq => network
            .description
            .sq
            .as_ref()
            .or(network.description.en.as_ref()),
        super::i18n::Lang::En => network
            .description
            .en
            .as_ref()
            .or(network.description.sq.as_ref()),
    };
    let (current, former): (Vec<_>, Vec<_>) = members.iter().partition(|m| m.current);
    // Joining and leaving, year by year, newest first.
    let mut timeline: BTreeMap<std::cmp::Reverse<i32>, Vec<(&str, bool)>> = BTreeMap::new();
    for m in members.iter().filter(|m| m.status.is_confirmed()) {
        if let Some(year) = m.since {
            timeline
                .entry(std::cmp::Reverse(year))
                .or_default()
                .push((&m.name, true));
        }
        if let Some(year) = m.until {
            timeline
                .entry(std::cmp::Reverse(year))
                .or_default()
                .push((&m.name, false));
        }
    }
    let timeline: Vec<(i32, Vec<(&str, bool)>)> = timeline
        .into_iter()
        .map(|(year, events)| (year.0, events))
        .collect();
    let map_query = format!(
        "network={}&type=organisation",
        form_urlencoded::byte_serialize(network.id.as_bytes()).collect::<String>()
    );
    let body = html! {
        nav.crumbs aria-label="breadcrumb" { a href=(layout::home_href(lang)) { "← " (words.back_to_search) } }
        article.profile {
            header.profile-head {
                h1 { (network.name) @if let Some(acronym) = &network.acronym { " " span.acronym { "(" (acronym) ")" } } }
                p.meta {
                    @if let Some(kind) = labels::network_kind(lang, &network.kind) { span.badge { (kind) } }
                    @if let Some(place) = place_line(network.address.as_ref()) { span.place { (place) } }
                    @if let Some(year) = network.founded_year { span { (words.founded) " " (year) } }
                    span.members { (current.len()) " " (words.members_count) }
                }
            }
            div.profile-grid {
                div.profile-main {
                    @if let Some(text) = description {
                        section aria-labelledby="about" { h2 #about { (words.about) } p { (text) } }
                    }
                    @let themes = labels::list(lang, "thematic_area", &network.thematic_areas);
                    @if !themes.is_empty() {
                        section aria-labelledby="themes" {
                            h2 #themes { (words.thematic_areas) }
                            ul.tags { @for theme in &themes { li { (theme) } } }
                        }
                    }
                    section aria-labelledby="members" {
                        h2 #members { (words.members) }
                        @if members.is_empty() {
                            p { (words.no_members) }
                        } @else {
                            table.members {
                                thead { tr { th scope="col" { (words.members) } th scope="col" { (words.role) } th scope="col" { (words.since) } th scope="col" { (words.until) } } }
                                tbody {
                                    @for m in current.iter().chain(former.iter()) {
                                        tr.former[!m.current] {
                                            td {
                                                a href=(layout::record_href("organisation", &m.organisation, lang)) { (m.name) }
                                                @match m.status {
                                                    MemberStatus::Invited => { " · " span.pending { (words.pending_invited) } },
                                                    MemberStatus::Requested => { " · " span.pending { (words.pending_requested) } },
                                                    MemberStatus::Confirmed => @if !m.current { " · " span.former { (words.former) } },
                                                }
                                            }
                                            td { (words.role(&m.role)) }
                                            td { @if let Some(since) = m.since { (since) } }
                                            td { @if let Some(until) = m.until { (until) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                div.profile-side {
                    section aria-labelledby="on-map" {
                        h2 #on-map { (words.on_the_map) }
                        div #map.map.small data-search=(map_query) data-words=(map_words(lang)) {}
                    }
                    section aria-labelledby="reach" {
                        h2 #reach { (words.reach) }
                        p { (words.municipalities_covered.replace("{n}", &stats.municipalities_covered.to_string())) }
                        @if !stats.by_county.is_empty() {
                            h3 { (words.by_county) }
                            ul.counts {
                                @for (county, count) in &stats.by_county { li { span { (county) } span.count { (count) } } }
                            }
                        }
                        @if !stats.coverage_gaps.is_empty() {
                            details {
                                summary { (words.coverage_gaps) " (" (stats.coverage_gaps.len()) ")" }
                                p.gaps { (stats.coverage_gaps.join(", ")) }
                            }
                        }
                    }
                    @if !timeline.is_empty() {
                        section aria-labelledby="timeline" {
                            h2 #timeline { (words.timeline) }
                            ol.timeline {
                                @for (year, events) in &timeline {
                                    li {
                                        strong { (year) }
                                        @for (joined, label) in [(true, words.joined), (false, words.left)] {
                                            @let names: Vec<&str> = events.iter().filter(|(_, j)| *j == joined).map(|(n, _)| *n).collect();
                                            @if !names.is_empty() {
                                                br; span.event { (label) ": " } (names.join(", "))
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
    };
    Ok(html(layout::render(Page {
        lang,
        title: network.name.clone(),
        other_language_href: layout::record_href("network", &network.id, lang.other()),
        json_ld: None,
        map: true,
        body,
    })))
}
