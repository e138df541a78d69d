//! Search parameters, from a query string or a JSON body, checked and made canonical: codes
//! against the taxonomy, place names to their official form, units to their codes, coordinates
//! and shapes to geometry. Every problem is a 400 naming the parameter.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use super::ApiError;
use super::geo_params::{parse_bbox, parse_near, parse_polygon, parse_radius, resolve_unit};
use crate::geography::Area;
use crate::model::{RecordId, RecordKind, normalize_text, places, taxonomy};
use crate::search::{FilterField, SearchRequest, Sort};

pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;
/// Deepest result reachable by paging; beyond it, narrow the search.
pub const MAX_DEPTH: usize = 10_000;
const MAX_QUERY: usize = 500;

/// How many hits a page may hold: `default` when `limit` is absent, at most `max`.
#[derive(Clone, Copy)]
pub struct Limits {
    pub default: usize,
    pub max: usize,
}

pub const LIST_LIMITS: Limits = Limits {
    default: DEFAULT_LIMIT,
    max: MAX_LIMIT,
};

pub fn parse_query_string(query: &str, limits: Limits) -> Result<SearchRequest, ApiError> {
    let pairs =
        form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned()));
    parse(pairs, None, limits)
}

/// A JSON body with the same names as the query string; lists for repeated values, numbers
/// or strings for coordinates, and `polygon` as a GeoJSON Polygon or MultiPolygon.
pub fn parse_json(body: Value, limits: Limits) -> Result<SearchRequest, ApiError> {
    let Value::Object(fields) = body else {
        return Err(ApiError::bad_parameter(
            "",
            "the search body must be a JSON object",
        ));
    };
    let mut pairs = Vec::new();
    let mut polygon = None;
    for (name, value) in fields {
        let scalar = |value: &Value| -> Result<String, ApiError> {
            match value {
                Value::String(s) => Ok(s.clone()),
                Value::Number(n) => Ok(n.to_string()),
                Value::Bool(b) => Ok(b.to_string()),
                Value::Null => Ok(String::new()),
                _ => Err(ApiError::bad_parameter(
                    &name,
                    format!("{name} must be a string, a number or a list of them"),
                )),
            }
        };
        match (name.as_str(), value) {
            ("polygon", value) => polygon = Some(value),
            ("near", Value::Object(point)) => {
                let coordinate = |key: &str| point.get(key).map(&scalar).transpose();
                let (lat, lon) = (
                    coordinate("lat")?.unwrap_or_default(),
                    coordinate("lon")?.unwrap_or_default(),
                );
                pairs.push((name, format!("{lat},{lon}")));
            }
            ("near" | "bbox", Value::Array(items)) => {
                let joined = items
                    .iter()
                    .map(scalar)
                    .collect::<Result<Vec<_>, _>>()?
                    .join(",");
                pairs.push((name, joined));
            }
            (_, Value::Array(items)) => {
                for item in &items {
                    pairs.push((name.clone(), scalar(item)?));
                }
            }
            (_, value) => {
                let value = scalar(&value)?;
                pairs.push((name, value));
            }
        }
    }
    parse(pairs.into_iter(), polygon.as_ref(), limits)
}

fn parse(
    pairs: impl Iterator<Item = (String, String)>,
    polygon: Option<&Value>,
    limits: Limits,
) -> Result<SearchRequest, ApiError> {
    let mut request = SearchRequest {
        limit: limits.default,
        ..SearchRequest::new()
    };
    let mut seen_scalars: Vec<String> = Vec::new();
    let mut radius_km = None;
    for (name, value) in pairs {
        let (name, value) = (name.as_str(), value.trim());
        if let Some(field) = FilterField::from_param(name) {
            for value in value.split(',').map(str::trim).filter(|v| !v.is_empty()) {
                let value = canonical_filter_value(field, value)?;
                match request.filters.iter_mut().find(|(f, _)| *f == field) {
                    Some((_, values)) => values.push(value),
                    None => request.filters.push((field, vec![value])),
                }
            }
            continue;
        }
        if name == "within" || name == "serves" {
            for value in value.split(',').map(str::trim).filter(|v| !v.is_empty()) {
                let unit = resolve_unit(name, value)?;
                let units = if name == "within" {
                    &mut request.within
                } else {
                    &mut request.serves
                };
                units.push(unit);
            }
            continue;
        }
        if seen_scalars.iter().any(|seen| seen == name) {
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
                    .filter(|limit| (1..=limits.max).contains(limit))
                    .ok_or_else(|| {
                        ApiError::bad_parameter(
                            "limit",
                            format!("{value:?} is not a number from 1 to {}", limits.max),
                        )
                    })?;
            }
            "cursor" => request.offset = decode_cursor(value)?,
            "facets" => {
                for facet in value.split(',').map(str::trim).filter(|f| !f.is_empty()) {
                    if facet == "distance" {
                        request.distance_facet = true;
                        continue;
                    }
                    if facet == "units" {
                        request.unit_facet = true;
                        continue;
                    }
                    let field = FilterField::from_param(facet).ok_or_else(|| {
                        ApiError::bad_parameter(
                            "facets",
                            format!(
                                "unknown facet {facet:?}; allowed: {}, distance, units",
                                filter_names()
                            ),
                        )
                    })?;
                    if !request.facets.contains(&field) {
                        request.facets.push(field);
                    }
                }
            }
            "highlight" => request.highlight = parse_flag("highlight", value)?,
            "near" => request.near = Some(parse_near(value)?),
            "radius_km" => radius_km = Some(parse_radius(value)?),
            "bbox" => request.areas.push(parse_bbox(value)?),
            other => {
                return Err(ApiError::bad_parameter(
                    other,
                    format!("unknown parameter {other:?}"),
                ));
            }
        }
    }
    if let Some(polygon) = polygon {
        request.areas.push(parse_polygon(polygon)?);
    }
    match (request.near, radius_km) {
        (Some(center), Some(radius_km)) => request.areas.push(Area::Circle { center, radius_km }),
        (None, Some(_)) => {
            return Err(ApiError::bad_parameter(
                "radius_km",
                "radius_km needs near=LAT,LON",
            ));
        }
        _ => {}
    }
    if request.near.is_none() {
        if request.sort == Sort::Distance {
            return Err(ApiError::bad_parameter(
                "sort",
                "sort=distance needs near=LAT,LON",
            ));
        }
        if request.distance_facet {
            return Err(ApiError::bad_parameter(
                "facets",
                "the distance facet needs near=LAT,LON",
            ));
        }
    }
    if request.offset.saturating_add(request.limit) > MAX_DEPTH {
        return Err(ApiError::bad_parameter(
            "cursor",
            format!("paging stops at {MAX_DEPTH} results; narrow the search"),
        ));
    }
    Ok(request)
}

/// `true`/`false` (also `1`/`0`, `yes`/`no`).
pub fn parse_flag(name: &str, value: &str) -> Result<bool, ApiError> {
    match value {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" | "" => Ok(false),
        other => Err(ApiError::bad_parameter(
            name,
            format!("{other:?} is not true or false"),
        )),
    }
}

fn parse_sort(value: &str) -> Result<Sort, ApiError> {
    match value {
        "" | "relevance" => Ok(Sort::Relevance),
        "name" => Ok(Sort::Name),
        "founded_year" => Ok(Sort::FoundedYear),
        "updated" => Ok(Sort::Updated),
        "distance" => Ok(Sort::Distance),
        other => Err(ApiError::bad_parameter(
            "sort",
            format!(
                "unknown sort {other:?}; use relevance, name, founded_year, updated or distance"
            ),
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

pub fn encode_cursor(offset: usize) -> String {
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

    fn parse(query: &str) -> Result<SearchRequest, ApiError> {
        parse_query_string(query, LIST_LIMITS)
    }

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
            ("near=91,19", "near"),
            ("near=41.3", "near"),
            ("near=nan,19", "near"),
            ("near=41,19&radius_km=-1", "radius_km"),
            ("near=41,19&radius_km=20001", "radius_km"),
            ("near=41,19&radius_km=inf", "radius_km"),
            ("radius_km=5", "radius_km"),
            ("bbox=20,41,19,42", "bbox"),
            ("bbox=19,41,20", "bbox"),
            ("bbox=19,-91,20,42", "bbox"),
            ("within=atlantis", "within"),
            ("serves=atlantis", "serves"),
            ("sort=distance", "sort"),
            ("facets=distance", "facets"),
        ] {
            match parse(query) {
                Err(ApiError::BadParameter { field: f, .. }) => assert_eq!(f, field, "{query}"),
                other => panic!("{query}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_cursor_past_the_paging_limit_is_refused_without_overflow() {
        for offset in [10_000, usize::MAX] {
            let query = format!("cursor={}", encode_cursor(offset));
            assert!(
                matches!(parse(&query), Err(ApiError::BadParameter { field, .. }) if field == "cursor")
            );
        }
    }

    #[test]
    fn geographic_parameters_become_areas_and_unit_codes() {
        let request =
            parse("near=41.33,19.82&radius_km=10&bbox=19,41,20,42&within=shkodra&serves=AL-12,xk")
                .unwrap();
        assert_eq!(request.areas.len(), 2);
        assert_eq!(request.within, ["shkoder"]);
        assert_eq!(request.serves, ["AL-12", "XK"]);
    }

    #[test]
    fn a_json_body_takes_lists_numbers_and_a_polygon() {
        let body = serde_json::json!({
            "q": "mjedis", "thematic_area": ["environment", "youth"], "near": {"lat": 41.33, "lon": 19.82},
            "radius_km": 25, "limit": 5,
            "polygon": {"type": "Polygon", "coordinates": [[[19.0, 41.0], [20.0, 41.0], [20.0, 42.0], [19.0, 41.0]]]}
        });
        let request = parse_json(body, LIST_LIMITS).unwrap();
        assert_eq!(request.filters[0].1, ["environment", "youth"]);
        assert_eq!((request.limit, request.areas.len()), (5, 2));
    }
}
