//! The frame every page shares: head, header with the language switch, landmarks, footer.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::assets;
use super::i18n::Lang;

pub struct Page {
    pub lang: Lang,
    pub title: String,
    /// The same page in the other language.
    pub other_language_href: String,
    /// schema.org JSON-LD for the page, already serialised.
    pub json_ld: Option<String>,
    /// Whether the page has a map (loads the map script).
    pub map: bool,
    pub body: Markup,
}

pub fn render(page: Page) -> Markup {
    let words = page.lang.words();
    let other = page.lang.other();
    html! {
        (DOCTYPE)
        html lang=(page.lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (page.title) " · Rrjeti" }
                meta name="description" content=(words.tagline);
                // No favicon request: the browser would otherwise ask for /favicon.ico.
                link rel="icon" href="data:,";
                link rel="stylesheet" href=(assets::url("style.css"));
                link rel="alternate" hreflang=(other.tag()) href=(page.other_language_href);
                script src=(assets::url("search.js")) defer {}
                @if page.map {
                    script src=(assets::url("map.js")) defer {}
                }
                @if let Some(json_ld) = &page.json_ld {
                    script type="application/ld+json" { (PreEscaped(json_ld)) }
                }
            }
            body {
                a.skip href="#main" { (words.skip_to_content) }
                header.site {
                    div.bar {
                        a.brand href=(home_href(page.lang)) {
                            span.logo aria-hidden="true" { "◍" }
                            span.name { "Rrjeti" }
                        }
                        span.tagline { (words.tagline) }
                        a.language href=(page.other_language_href) hreflang=(other.tag()) lang=(other.tag()) {
                            (other.words().language_name)
                        }
                    }
                }
                main #main tabindex="-1" { (page.body) }
                footer.site {
                    p { (words.footer_demo) }
                    p { a href="/api/v1/openapi.json" { (words.footer_api) } }
                }
            }
        }
    }
}

/// The search page with nothing chosen, in a language.
pub fn home_href(lang: Lang) -> &'static str {
    match lang {
        Lang::Sq => "/",
        Lang::En => "/?lang=en",
    }
}

/// A link to a record's page in a language.
pub fn record_href(kind: &str, id: &str, lang: Lang) -> String {
    let path = match kind {
        "network" => "networks",
        _ => "organisations",
    };
    let id: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
    match lang {
        Lang::Sq => format!("/{path}/{id}"),
        Lang::En => format!("/{path}/{id}?lang=en"),
    }
}

/// JSON for inside `<script type="application/ld+json">`: `<` escaped so that no value can
/// close the element.
pub fn script_json(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c")
}
