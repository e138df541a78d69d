//! The whole state of a search page lives in its URL, so that a search can be shared,
//! bookmarked and walked back with the browser's back button. This module reads that state
//! from a query string and writes the links that change one part of it. `lang` and `page`
//! belong to the page; every other parameter is a search parameter passed on to the engine.

use super::i18n::Lang;

/// Search parameters the page sets itself and ignores when they come in the URL.
const FIXED_PARAMS: [&str; 4] = ["facets", "limit", "cursor", "highlight"];

/// Hits per page.
pub const PAGE_SIZE: usize = 20;

#[derive(Debug, Clone)]
pub struct UrlState {
    pub lang: Lang,
    /// 1-based.
    pub page: usize,
    /// Search parameters in URL order, without empty values (a form sends every field).
    pub pairs: Vec<(String, String)>,
}

impl UrlState {
    pub fn parse(query: &str) -> UrlState {
        let mut lang = None;
        let mut page = 1;
        let mut pairs = Vec::new();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let value = value.trim();
            match name.as_ref() {
                "lang" => lang = Some(value.to_owned()),
                "page" => page = value.parse().ok().filter(|p| *p >= 1).unwrap_or(1),
                name if FIXED_PARAMS.contains(&name) || value.is_empty() => {}
                name => pairs.push((name.to_owned(), value.to_owned())),
            }
        }
        let mut state = UrlState {
            lang: Lang::from_param(lang.as_deref()),
            page,
            pairs,
        };
        state.drop_orphans();
        state
    }

    /// A form sends a radius and a distance sort even when no place is chosen; without a
    /// place they mean nothing, so they are dropped rather than refused.
    fn drop_orphans(&mut self) {
        if self.get("near").is_none() {
            self.pairs
                .retain(|(n, v)| n != "radius_km" && !(n == "sort" && v == "distance"));
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a parameter, also when given comma-separated.
    pub fn values(&self, name: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    }

    pub fn has(&self, name: &str, value: &str) -> bool {
        self.values(name).iter().any(|v| v == value)
    }

    /// The search parameters as a query string, for the engine and for the map's requests.
    pub fn search_query(&self) -> String {
        encode(self.pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())))
    }

    /// The link to this state (first page unless `page` says otherwise).
    pub fn href(&self) -> String {
        let mut pairs: Vec<(&str, String)> = self
            .pairs
            .iter()
            .map(|(n, v)| (n.as_str(), v.clone()))
            .collect();
        if self.page > 1 {
            pairs.push(("page", self.page.to_string()));
        }
        if self.lang == Lang::En {
            pairs.push(("lang", "en".into()));
        }
        let query = encode(pairs.iter().map(|(n, v)| (*n, v.as_str())));
        if query.is_empty() {
            "/".into()
        } else {
            format!("/?{query}")
        }
    }

    /// The same search on another page.
    pub fn with_page(&self, page: usize) -> UrlState {
        UrlState {
            page,
            ..self.clone()
        }
    }

    /// The same page in the other language.
    pub fn with_lang(&self, lang: Lang) -> UrlState {
        UrlState {
            lang,
            ..self.clone()
        }
    }

    /// Adds the filter value, or removes it when present; back to the first page.
    pub fn toggle(&self, name: &str, value: &str) -> UrlState {
        if self.has(name, value) {
            return self.without(name, value);
        }
        let mut next = self.first_page();
        next.pairs.push((name.to_owned(), value.to_owned()));
        next
    }

    /// Without one value of a parameter (other values given with it in a list stay).
    pub fn without(&self, name: &str, value: &str) -> UrlState {
        let mut next = self.first_page();
        next.pairs = Vec::new();
        for (n, v) in &self.pairs {
            if n != name {
                next.pairs.push((n.clone(), v.clone()));
                continue;
            }
            let rest: Vec<&str> = v
                .split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty() && *x != value)
                .collect();
            if !rest.is_empty() {
                next.pairs.push((n.clone(), rest.join(",")));
            }
        }
        next.drop_orphans();
        next
    }

    /// Without every value of the named parameters.
    pub fn without_all(&self, names: &[&str]) -> UrlState {
        let mut next = self.first_page();
        next.pairs.retain(|(n, _)| !names.contains(&n.as_str()));
        next.drop_orphans();
        next
    }

    fn first_page(&self) -> UrlState {
        self.with_page(1)
    }
}

fn encode<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_parameters_are_kept_apart_from_the_search() {
        let state = UrlState::parse("q=mjedis&lang=en&page=3&county=Shkod%C3%ABr&limit=5&near=");
        assert_eq!(state.lang, Lang::En);
        assert_eq!(state.page, 3);
        assert_eq!(state.search_query(), "q=mjedis&county=Shkod%C3%ABr");
        assert_eq!(
            state.href(),
            "/?q=mjedis&county=Shkod%C3%ABr&page=3&lang=en"
        );
    }

    #[test]
    fn toggling_a_filter_adds_or_removes_it_and_goes_back_to_page_one() {
        let state = UrlState::parse("q=a&thematic_area=youth,environment&page=2");
        let removed = state.toggle("thematic_area", "youth");
        assert_eq!(removed.search_query(), "q=a&thematic_area=environment");
        assert_eq!(removed.page, 1);
        let added = removed.toggle("scope", "local");
        assert_eq!(
            added.search_query(),
            "q=a&thematic_area=environment&scope=local"
        );
    }

    #[test]
    fn a_radius_or_distance_sort_without_a_place_is_dropped() {
        let state = UrlState::parse("near=&radius_km=25&sort=distance&q=x");
        assert_eq!(state.search_query(), "q=x");
        let with_place = UrlState::parse("near=41.3,19.8&radius_km=25&sort=distance");
        let without = with_place.without_all(&["near"]);
        assert_eq!(without.search_query(), "");
        assert_eq!(without.href(), "/");
    }
}
