//! The web interface in a real browser: headless Chromium driven over WebDriver against the
//! real server on the demo data. A visitor searches, filters, uses the map, opens a profile,
//! switches language and goes back; pages pass the axe-core accessibility check; screenshots
//! at phone and desktop widths are saved under the target directory for a person to look at.

use std::path::PathBuf;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestServer, data_dir, spawn};
use crate::webdriver::{ARROW_DOWN, Browser, ENTER, TAB};

const DESKTOP: (u32, u32) = (1440, 1000);
const PHONE: (u32, u32) = (390, 844);

async fn demo_server(dir: &std::path::Path) -> TestServer {
    let server = spawn(dir).await;
    let (status, body) = server.import(rrjeti::DEMO_DATASET.to_owned()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    server
}

/// The number in the results heading ("1.500 rezultate" → 1500).
async fn total(browser: &Browser) -> usize {
    let heading = browser.find("#results-heading").await;
    let text = browser.text(&heading).await;
    text.chars()
        .take_while(|c| !c.is_whitespace())
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("a count in {text:?}"))
}

async fn wait_for_url(browser: &Browser, what: &str, part: &str) -> String {
    let script = format!("return window.location.href.includes({part:?}) && window.location.href");
    browser
        .wait_until(what, &script)
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn texts(browser: &Browser, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for element in browser.find_all(css).await {
        out.push(browser.text(&element).await);
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_visitor_searches_filters_uses_the_map_opens_a_profile_and_switches_language() {
    let dir = data_dir();
    let server = demo_server(dir.path()).await;
    let browser = Browser::start(DESKTOP.0, DESKTOP.1).await;
    browser.goto(&server.url("/")).await;
    assert_eq!(
        total(&browser).await,
        1540,
        "the home page lists everything"
    );

    // Typing shows suggestions; Enter searches.
    let input = browser.find("#q").await;
    browser.type_text(&input, "mjedis").await;
    browser
        .wait_until(
            "suggestions",
            "const l = document.getElementById('q-suggestions'); \
             return l && !l.hidden && l.querySelectorAll('[role=option]').length > 0",
        )
        .await;
    let expanded = browser.attribute(&input, "aria-expanded").await;
    assert_eq!(expanded.as_deref(), Some("true"));
    browser.type_text(&input, ENTER).await;
    wait_for_url(&browser, "the search", "q=mjedis").await;
    let everything = total(&browser).await;
    assert!(everything > 20, "mjedis finds many: {everything}");
    let marks = texts(&browser, ".hit mark").await;
    assert!(!marks.is_empty(), "matches are highlighted");

    // A county facet narrows the results to that county and shows a removable chip.
    let county_link = browser
        .find("section[aria-labelledby=facet-county] > ul a.facet-value")
        .await;
    let county = browser
        .text(
            &browser
                .find("section[aria-labelledby=facet-county] > ul a.facet-value .text")
                .await,
        )
        .await;
    browser.click(&county_link).await;
    wait_for_url(&browser, "the county filter", "county=").await;
    let in_county = total(&browser).await;
    assert!(
        0 < in_county && in_county < everything,
        "{in_county} of {everything}"
    );
    let chips = texts(&browser, ".chips a.chip").await;
    assert!(chips.iter().any(|c| c.contains(&county)), "{chips:?}");
    for place in texts(&browser, ".hit .place").await {
        assert!(place.ends_with(&county), "{place} is in {county}");
    }

    // The map draws the municipalities and the results; "search this area" filters by it.
    browser
        .wait_until(
            "the map",
            "return document.querySelector('#map[data-ready]') !== null",
        )
        .await;
    let units = browser.find_all("#map path.unit").await.len();
    assert_eq!(units, 61, "every municipality is drawn");
    let dots = browser
        .find_all("#map circle.point, #map circle.cluster")
        .await
        .len();
    assert!(dots > 0, "results are on the map");
    let zoom_in = browser.find(".map-tools button.zoom").await;
    browser.click(&zoom_in).await;
    browser.click(&zoom_in).await;
    let search_area = browser.find(".map-actions button").await;
    browser.click(&search_area).await;
    wait_for_url(&browser, "the map filter", "bbox=").await;
    let in_area = total(&browser).await;
    assert!(in_area <= in_county, "{in_area} ≤ {in_county}");
    let chips = texts(&browser, ".chips a.chip").await;
    assert!(
        chips.iter().any(|c| c.contains("Zona e hartës")),
        "{chips:?}"
    );

    // Back returns to the county search, without the map area.
    browser.back().await;
    browser
        .wait_until(
            "the previous search",
            "return !location.href.includes('bbox=') && location.href.includes('county=')",
        )
        .await;
    assert_eq!(total(&browser).await, in_county);

    // A result opens its profile, with schema.org data in the page.
    let first = browser.find(".hit.organisation h3 a").await;
    let name = browser.text(&first).await;
    browser.click(&first).await;
    wait_for_url(&browser, "the profile", "/organisations/").await;
    let heading = browser.text(&browser.find("h1").await).await;
    assert!(
        heading.starts_with(name.split(" (").next().unwrap()),
        "{heading} / {name}"
    );
    let json_ld: Value = serde_json::from_str(
        browser
            .execute(
                "return document.querySelector('script[type=\"application/ld+json\"]').textContent",
                json!([]),
            )
            .await
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(json_ld["@type"], "NGO");
    assert_eq!(json_ld["name"], heading.split(" (").next().unwrap());

    // The language switch gives the same page in English, and back in Albanian.
    let switch = browser.find("a.language").await;
    browser.click(&switch).await;
    browser
        .wait_until("English", "return document.documentElement.lang === 'en'")
        .await;
    let headings = texts(&browser, "h2").await;
    assert!(
        headings.iter().any(|h| h == "Networks and coalitions"),
        "{headings:?}"
    );
    browser.back().await;
    browser
        .wait_until("Albanian", "return document.documentElement.lang === 'sq'")
        .await;
    let headings = texts(&browser, "h2").await;
    assert!(
        headings.iter().any(|h| h == "Rrjetet dhe koalicionet"),
        "{headings:?}"
    );
    assert_no_console_errors(&browser).await;
    drop(browser);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn search_filters_paging_and_profiles_work_with_javascript_switched_off() {
    let dir = data_dir();
    let server = demo_server(dir.path()).await;
    let browser = Browser::start_with(DESKTOP.0, DESKTOP.1, false).await;
    browser.goto(&server.url("/")).await;
    // Scripts are really off: the script would have made the box a combobox.
    let input = browser.find("#q").await;
    assert_eq!(browser.attribute(&input, "role").await, None);
    browser.type_text(&input, "prokurim").await;
    browser.type_text(&input, ENTER).await;
    wait_for_url(&browser, "the search", "q=prokurim").await;
    let found = total(&browser).await;
    assert!(found > 0);
    let facet = browser
        .find("section[aria-labelledby=facet-county] > ul a.facet-value")
        .await;
    browser.click(&facet).await;
    wait_for_url(&browser, "the facet", "county=").await;
    assert!(total(&browser).await < found);
    let chip = browser.find(".chips a.chip").await;
    browser.click(&chip).await;
    browser
        .wait_until(
            "the chip's removal",
            "return !location.href.includes('county=')",
        )
        .await;
    assert_eq!(total(&browser).await, found);
    if found > 20 {
        let next = browser.find(".paging a[rel=next]").await;
        browser.click(&next).await;
        wait_for_url(&browser, "page 2", "page=2").await;
    }
    let first = browser.find(".hit h3 a").await;
    browser.click(&first).await;
    browser
        .wait_until(
            "a profile",
            "return /\\/(organisations|networks)\\//.test(location.pathname)",
        )
        .await;
    assert!(!browser.text(&browser.find("h1").await).await.is_empty());
    drop(browser);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_keyboard_reaches_the_skip_link_first_and_it_leads_to_the_content() {
    let dir = data_dir();
    let server = demo_server(dir.path()).await;
    let browser = Browser::start(DESKTOP.0, DESKTOP.1).await;
    browser.goto(&server.url("/?q=mjedis")).await;
    let body = browser.find("body").await;
    browser.type_text(&body, TAB).await;
    let focused = browser
        .execute("return document.activeElement.className", json!([]))
        .await;
    assert_eq!(focused, "skip");
    let skip = browser.find("a.skip").await;
    assert!(browser.text(&skip).await.contains("Kalo te përmbajtja"));
    browser.type_text(&skip, ENTER).await;
    browser
        .wait_until(
            "focus in main",
            "return document.activeElement.id === 'main'",
        )
        .await;
    // Every request the page made went to the server itself.
    let foreign = browser
        .execute(
            "return performance.getEntriesByType('resource') \
                .map(e => e.name).filter(n => !n.startsWith(location.origin))",
            json!([]),
        )
        .await;
    assert_eq!(foreign, json!([]), "requests elsewhere");
    drop(browser);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn choosing_a_place_lists_the_nearest_first_with_distances() {
    let dir = data_dir();
    let server = demo_server(dir.path()).await;
    let browser = Browser::start(DESKTOP.0, DESKTOP.1).await;
    browser
        .goto(&server.url("/?thematic_area=environment"))
        .await;
    let before = total(&browser).await;
    let option = browser.find("#near option:not([value=''])").await;
    let place = browser.text(&option).await;
    browser.click(&browser.find("#near").await).await;
    browser.click(&option).await;
    wait_for_url(&browser, "the place filter", "near=").await;
    let url = browser.url().await;
    assert!(url.contains("sort=distance"), "{url}");
    assert!(url.contains("thematic_area=environment"), "{url}");
    let after = total(&browser).await;
    assert!(after <= before, "{after} ≤ {before}");
    let distances: Vec<f64> = texts(&browser, ".hit .distance")
        .await
        .iter()
        .map(|t| {
            t.split_whitespace()
                .next()
                .unwrap()
                .replace(',', ".")
                .parse()
                .unwrap()
        })
        .collect();
    assert!(!distances.is_empty(), "distances are shown");
    assert!(
        distances.windows(2).all(|w| w[0] <= w[1]),
        "nearest first: {distances:?}"
    );
    let chips = texts(&browser, ".chips a.chip").await;
    assert!(
        chips.iter().any(|c| c.contains(&place)),
        "{chips:?} / {place}"
    );
    assert_no_console_errors(&browser).await;
    drop(browser);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_suggestion_is_chosen_with_the_keyboard_and_opens_its_profile() {
    let dir = data_dir();
    let server = demo_server(dir.path()).await;
    let browser = Browser::start(DESKTOP.0, DESKTOP.1).await;
    browser.goto(&server.url("/?lang=en")).await;
    let input = browser.find("#q").await;
    browser.type_text(&input, "Forumi Mjedisor").await;
    let first = browser.find("#q-suggestions [role=option]").await;
    let suggested = browser.text(&first).await;
    browser.type_text(&input, ARROW_DOWN).await;
    let active = browser.attribute(&input, "aria-activedescendant").await;
    assert_eq!(active.as_deref(), Some("q-suggestion-0"));
    browser.type_text(&input, ENTER).await;
    let url = wait_for_url(&browser, "the profile", "/organisations/").await;
    assert!(url.ends_with("?lang=en"), "the language is kept: {url}");
    let heading = browser.text(&browser.find("h1").await).await;
    assert!(suggested.starts_with(&heading), "{suggested} / {heading}");
    assert_no_console_errors(&browser).await;
    drop(browser);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn near_me_searches_around_the_browsers_position() {
    let dir = data_dir();
    let server = demo_server(dir.path()).await;
    let browser = Browser::start(DESKTOP.0, DESKTOP.1).await;
    browser.goto(&server.url("/?q=mjedis")).await;
    browser
        .devtools(
            "Browser.grantPermissions",
            json!({"permissions": ["geolocation"], "origin": server.base}),
        )
        .await;
    // Beside Shkodër, not at the point the "near" list offers for it.
    browser
        .devtools(
            "Emulation.setGeolocationOverride",
            json!({"latitude": 42.0601, "longitude": 19.4999, "accuracy": 10}),
        )
        .await;
    browser
        .wait_until(
            "the map",
            "return document.querySelector('#map[data-ready]') !== null",
        )
        .await;
    let near_me = browser.find(".map-actions button.secondary").await;
    browser.click(&near_me).await;
    let url = wait_for_url(&browser, "a search near the position", "near=42.0601").await;
    assert!(
        url.contains("sort=distance") && url.contains("q=mjedis"),
        "{url}"
    );
    let chips = texts(&browser, ".chips a.chip").await;
    assert!(
        chips.iter().any(|c| c.contains("Vendndodhja ime")),
        "{chips:?}"
    );
    let places = texts(&browser, ".hit .place").await;
    assert!(
        places.first().is_some_and(|p| p.contains("Shkodër")),
        "{places:?}"
    );
    assert_no_console_errors(&browser).await;
    drop(browser);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_pass_the_axe_accessibility_check_in_both_languages() {
    let axe_path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser/node_modules/axe-core/axe.min.js");
    let axe = std::fs::read_to_string(&axe_path).unwrap_or_else(|_| {
        panic!(
            "axe-core is missing at {}: run `npm ci --prefix tests/browser` (.ci/run does)",
            axe_path.display()
        )
    });
    let dir = data_dir();
    let server = demo_server(dir.path()).await;
    let (_, body) = server.get("/api/v1/search?type=network&limit=1").await;
    let network = body["hits"][0]["id"].as_str().unwrap().to_owned();
    let (_, body) = server
        .get("/api/v1/search?q=mjedis&type=organisation&limit=1")
        .await;
    let organisation = body["hits"][0]["id"].as_str().unwrap().to_owned();
    let pages = [
        "/".to_owned(),
        "/?q=mjedis&county=Shkod%C3%ABr".to_owned(),
        "/?q=prokurim&lang=en".to_owned(),
        "/?q=zzzzqqq".to_owned(),
        format!("/organisations/{organisation}"),
        format!("/organisations/{organisation}?lang=en"),
        format!("/networks/{network}"),
        "/organisations/no-such-organisation".to_owned(),
    ];
    let browser = Browser::start(DESKTOP.0, DESKTOP.1).await;
    let mut failures = Vec::new();
    for (width, height) in [DESKTOP, PHONE] {
        browser.set_size(width, height).await;
        for page in &pages {
            browser.goto(&server.url(page)).await;
            browser
                .wait_until(
                    "the map",
                    "return !document.getElementById('map') || \
                     document.querySelector('#map[data-ready]') !== null",
                )
                .await;
            browser.execute(&axe, json!([])).await;
            let result = browser
                .execute_async(
                    "const done = arguments[arguments.length - 1]; \
                     axe.run(document, {resultTypes: ['violations']}) \
                        .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, \
                            nodes: v.nodes.slice(0, 3).map(n => n.html)})))) \
                        .catch(e => done([{id: 'axe-error', impact: String(e)}]));",
                    json!([]),
                )
                .await;
            for violation in result.as_array().cloned().unwrap_or_default() {
                failures.push(format!("{page} at {width}px: {violation}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The checker itself works: a planted image without a text alternative is caught.
    browser
        .execute(
            "const i = document.createElement('img'); i.src = 'data:,'; \
             document.querySelector('main').appendChild(i);",
            json!([]),
        )
        .await;
    let planted = browser
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             axe.run(document).then(r => done(r.violations.map(v => v.id)));",
            json!([]),
        )
        .await;
    assert!(
        planted.as_array().unwrap().contains(&json!("image-alt")),
        "{planted}"
    );
    drop(browser);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn screenshots_of_the_main_pages_fit_phone_and_desktop_widths() {
    let dir = data_dir();
    let server = demo_server(dir.path()).await;
    let (_, body) = server.get("/api/v1/search?type=network&limit=1").await;
    let network = body["hits"][0]["id"].as_str().unwrap().to_owned();
    let (_, body) = server
        .get("/api/v1/search?q=prokurim&type=organisation&limit=1")
        .await;
    let organisation = body["hits"][0]["id"].as_str().unwrap().to_owned();
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&out).unwrap();
    let pages = [
        ("search", "/?q=mjedis".to_owned()),
        ("search-en", "/?q=procurement&lang=en".to_owned()),
        ("profile", format!("/organisations/{organisation}")),
        ("network", format!("/networks/{network}")),
    ];
    let browser = Browser::start(DESKTOP.0, DESKTOP.1).await;
    for (device, (width, height)) in [("desktop", DESKTOP), ("phone", PHONE)] {
        browser.set_size(width, height).await;
        for (name, page) in &pages {
            browser.goto(&server.url(page)).await;
            browser
                .wait_until(
                    "the map",
                    "return document.querySelector('#map[data-ready]') !== null",
                )
                .await;
            let overflow = browser
                .execute(
                    "return document.documentElement.scrollWidth - window.innerWidth",
                    json!([]),
                )
                .await
                .as_i64()
                .unwrap();
            assert!(
                overflow <= 0,
                "{name} scrolls sideways at {width}px by {overflow}px"
            );
            // The whole page, not only the first screenful.
            let full = browser
                .execute("return document.documentElement.scrollHeight", json!([]))
                .await
                .as_u64()
                .unwrap() as u32;
            browser.set_size(width, full.clamp(height, 6000)).await;
            let png = browser.screenshot().await;
            browser.set_size(width, height).await;
            assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{name}");
            std::fs::write(out.join(format!("{name}-{device}.png")), png).unwrap();
        }
    }
    println!("screenshots in {}", out.display());
    assert_no_console_errors(&browser).await;
    drop(browser);
    server.stop().await;
}

/// Scripts, styles, the Content-Security-Policy and fetches left no error in the console.
async fn assert_no_console_errors(browser: &Browser) {
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}
