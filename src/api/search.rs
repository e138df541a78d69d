//! `GET /api/v1/search`: parameters are checked and made canonical here (codes against the
//! taxonomy, place names to their official form), then the directory searches.

use axum::Json;
use axum::extract::{RawQuery, State};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

use super::records::blocking;
use super::{ApiError, AppState};
use crate::model::{RecordId, RecordKind, normalize_text, places, taxonomy};
use crate::search::{FilterField, SearchRequest, Sort};

const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 100;
/// Deepest result reachable by paging; beyond it, narrow the search.
const MAX_DEPTH: usize = 10_000;
const MAX_QUERY: usize = 500;

pub async fn search(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<serde_json::Value>, ApiError> {
    let request = parse(query.as_deref().unwrap_or(""))?;
    let (offset, limit) = (request.offset, request.limit);
    let results = blocking(&state.directory, move |d| d.search(&request)).await?;
    let next = offset + limit;
    let next_cursor = (next < results.total && next < MAX_DEPTH).then(|| encode_cursor(next));
    Ok(Json(json!({
        "total": results.total,
        "hits": results.hits,
        "facets": results.facets,
        "next_cursor": next_cursor,
    })))
}

pub fn parse(query: &str) -> Result<SearchRequest, ApiError> {
    let mut request = SearchRequest {
        text: String::new(),
        kind: None,
        filters: Vec::new(),
        sort: Sort::Relevance,
        offset: 0,
        limit: DEFAULT_LIMIT,
        facets: Vec::new(),
    };
    let mut seen_scalars = Vec::new();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        let (name, value) = (name.as_ref(), value.trim());
        if let Some(field) = FilterField::from_param(name) {
            let values = value.split(',').map(str::trim).filter(|v| !v.is_empty());
            for value in values {
                let value = canonical_filter_value(field, value)?;
                match request.filters.iter_mut().find(|(f, _)| *f == field) {
                    Some((_, values)) => values.push(value),
                    None => request.filters.push((field, vec![value])),
                }
            }
            continue;
        }
        if seen_scalars.contains(&name.to_owned()) {
            return Err(ApiError::bad_parameter(
                name,
                format!("{name} is given more than once"),
            ));
        }
        seen_scalars.push(name.to_owned());
        match name {
            "q" => {
                if value.chars().count() > MAX_QUERY {
                    return Err(ApiError::bad_parameter(
                        "q",
                        format!("at most {MAX_QUERY} characters"),
                    ));
                }
                request.text = normalize_text(value);
            }
            "type" => {
                request.kind = match value {
                    "" => None,
                    kind => Some(RecordKind::parse(kind).ok_or_else(|| {
                        ApiError::bad_parameter(
                            "type",
                            format!("unknown type {kind:?}: use organisation or network"),
                        )
                    })?),
                }
            }
            "sort" => request.sort = parse_sort(value)?,
            "limit" => {
                request.limit = value
                    .parse()
                    .ok()
                    .filter(|limit| (1..=MAX_LIMIT).contains(limit))
                    .ok_or_else(|| {
                        ApiError::bad_parameter(
                            "limit",
                            format!("{value:?} is not a number from 1 to {MAX_LIMIT}"),
                        )
                    })?;
            }
            "cursor" => request.offset = decode_cursor(value)?,
            "facets" => {
                for facet in value.split(',').map(str::trim).filter(|f| !f.is_empty()) {
                    let field = FilterField::from_param(facet).ok_or_else(|| {
                        ApiError::bad_parameter(
                            "facets",
                            format!("unknown facet {facet:?}; allowed: {}", filter_names()),
                        )
                    })?;
                    if !request.facets.contains(&field) {
                        request.facets.push(field);
                    }
                }
            }
            other => {
                return Err(ApiError::bad_parameter(
                    other,
                    format!("unknown parameter {other:?}"),
                ));
            }
        }
    }
    if request.offset + request.limit > MAX_DEPTH {
        return Err(ApiError::bad_parameter(
            "cursor",
            format!("paging stops at {MAX_DEPTH} results; narrow the search"),
        ));
    }
    Ok(request)
}

fn parse_sort(value: &str) -> Result<Sort, ApiError> {
    match value {
        "" | "relevance" => Ok(Sort::Relevance),
        "name" => Ok(Sort::Name),
        "founded_year" => Ok(Sort::FoundedYear),
        "updated" => Ok(Sort::Updated),
        other => Err(ApiError::bad_parameter(
            "sort",
            format!("unknown sort {other:?}; use relevance, name, founded_year or updated"),
        )),
    }
}

/// The value as it is indexed: a taxonomy code, an official place name, a network id, or
/// `true`/`false`. Unknown codes are an error; place names outside Albania pass as typed.
fn canonical_filter_value(field: FilterField, value: &str) -> Result<String, ApiError> {
    let tax = taxonomy();
    let vocabulary = match field {
        FilterField::ThematicArea => Some(&tax.thematic_areas),
        FilterField::TargetGroup => Some(&tax.target_groups),
        FilterField::Service => Some(&tax.services),
        FilterField::Scope => Some(&tax.scopes),
        FilterField::LegalForm => Some(&tax.legal_forms),
        FilterField::County
        | FilterField::Municipality
        | FilterField::Network
        | FilterField::CodeOfStandards => None,
    };
    if let Some(vocabulary) = vocabulary {
        return if vocabulary.contains(value) {
            Ok(value.to_owned())
        } else {
            Err(ApiError::bad_parameter(
                field.param(),
                format!("unknown code {value:?}; allowed: {}", vocabulary.allowed()),
            ))
        };
    }
    match field {
        FilterField::County => Ok(places()
            .county(value)
            .map_or_else(|| normalize_text(value), |c| c.name.clone())),
        FilterField::Municipality => Ok(places()
            .municipality(value)
            .map_or_else(|| normalize_text(value), |m| m.name.clone())),
        FilterField::Network => RecordId::parse(value)
            .map(|id| id.to_string())
            .map_err(|message| ApiError::bad_parameter("network", message)),
        _ => match value.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok("true".into()),
            "false" | "0" | "no" => Ok("false".into()),
            _ => Err(ApiError::bad_parameter(
                field.param(),
                format!("{value:?} is not true or false"),
            )),
        },
    }
}

fn filter_names() -> String {
    FilterField::ALL.map(FilterField::param).join(", ")
}

fn encode_cursor(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

fn decode_cursor(cursor: &str) -> Result<usize, ApiError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("offset:")?.parse().ok())
        .ok_or_else(|| ApiError::bad_parameter("cursor", "not a cursor from next_cursor"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_and_comma_separated_filter_values_are_or_ed() {
        let request = parse("thematic_area=environment&thematic_area=youth,health").unwrap();
        assert_eq!(
            request.filters,
            vec![(
                FilterField::ThematicArea,
                vec!["environment".into(), "youth".into(), "health".into()]
            )]
        );
    }

    #[test]
    fn place_filters_accept_any_spelling() {
        let request = parse("county=vlora&municipality=shkoder").unwrap();
        assert_eq!(request.filters[0].1, ["Vlorë"]);
        assert_eq!(request.filters[1].1, ["Shkodër"]);
    }

    #[test]
    fn cursor_round_trips_and_garbage_is_rejected() {
        let request = parse(&format!("cursor={}", encode_cursor(40))).unwrap();
        assert_eq!(request.offset, 40);
        assert!(
            matches!(parse("cursor=xyz"), Err(ApiError::BadParameter { field, .. }) if field == "cursor")
        );
    }

    #[test]
    fn bad_parameters_name_their_field() {
        for (query, field) in [
            ("limit=0", "limit"),
            ("limit=101", "limit"),
            ("sort=stars", "sort"),
            ("type=person", "type"),
            ("facets=colour", "facets"),
            ("scope=galactic", "scope"),
            ("colour=red", "colour"),
            ("q=a&q=b", "q"),
            ("code_of_standards=maybe", "code_of_standards"),
        ] {
            match parse(query) {
                Err(ApiError::BadParameter { field: f, .. }) => assert_eq!(f, field, "{query}"),
                other => panic!("{query}: {other:?}"),
            }
        }
    }
}
