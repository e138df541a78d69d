//! The two languages of the web pages: Albanian by default, English on request (`lang=en`).
//! Every word a page shows comes from here or from the taxonomy's labels, so a missing
//! translation is a compile error rather than a page in two languages.

use crate::model::Label;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Sq,
    En,
}

impl Lang {
    /// `lang=en` picks English; anything else is Albanian.
    pub fn from_param(value: Option<&str>) -> Lang {
        match value {
            Some("en") => Lang::En,
            _ => Lang::Sq,
        }
    }

    /// The BCP 47 tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Sq => "sq",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Sq => Lang::En,
            Lang::En => Lang::Sq,
        }
    }

    pub fn words(self) -> &'static Words {
        match self {
            Lang::Sq => &SQ,
            Lang::En => &EN,
        }
    }

    /// A taxonomy or place label in this language.
    pub fn label(self, label: &Label) -> &str {
        match self {
            Lang::Sq => &label.sq,
            Lang::En => &label.en,
        }
    }
}

/// The fixed texts of the pages.
pub struct Words {
    pub thousands_separator: char,
    pub language_name: &'static str,
    pub tagline: &'static str,
    pub skip_to_content: &'static str,
    pub search_label: &'static str,
    pub search_placeholder: &'static str,
    pub search_button: &'static str,
    pub filters: &'static str,
    pub filter_results: &'static str,
    pub active_filters: &'static str,
    pub remove_filter: &'static str,
    pub clear_all: &'static str,
    pub result_one: &'static str,
    pub result_many: &'static str,
    pub results: &'static str,
    pub sort_by: &'static str,
    pub sort_relevance: &'static str,
    pub sort_name: &'static str,
    pub sort_founded: &'static str,
    pub sort_updated: &'static str,
    pub sort_distance: &'static str,
    pub kind: &'static str,
    pub kind_all: &'static str,
    pub kind_organisation: &'static str,
    pub kind_network: &'static str,
    pub near: &'static str,
    pub anywhere: &'static str,
    pub my_location: &'static str,
    pub radius: &'static str,
    pub within: &'static str,
    pub serves: &'static str,
    pub map_area: &'static str,
    pub more_values: &'static str,
    /// Facet values past the page's list: `{n}` is how many.
    pub unlisted: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub page_of: &'static str,
    pub pages: &'static str,
    pub no_results: &'static str,
    pub did_you_mean: &'static str,
    pub partial: &'static str,
    pub km_away: &'static str,
    pub members_count: &'static str,
    pub map: &'static str,
    pub map_help: &'static str,
    pub zoom_in: &'static str,
    pub zoom_out: &'static str,
    pub search_this_area: &'static str,
    pub near_me: &'static str,
    pub map_legend: &'static str,
    pub map_showing: &'static str,
    pub map_no_location: &'static str,
    pub facet_thematic_area: &'static str,
    pub facet_target_group: &'static str,
    pub facet_service: &'static str,
    pub facet_scope: &'static str,
    pub facet_legal_form: &'static str,
    pub facet_county: &'static str,
    pub facet_municipality: &'static str,
    pub facet_network: &'static str,
    pub facet_code_of_standards: &'static str,
    pub about: &'static str,
    pub thematic_areas: &'static str,
    pub target_groups: &'static str,
    pub services: &'static str,
    pub expertise: &'static str,
    pub address: &'static str,
    pub sites: &'static str,
    pub head_office: &'static str,
    pub approximate_location: &'static str,
    pub contact: &'static str,
    pub email: &'static str,
    pub phone: &'static str,
    pub website: &'static str,
    pub contact_persons: &'static str,
    pub networks_and_coalitions: &'static str,
    pub no_networks: &'static str,
    pub nearby_similar: &'static str,
    pub possible_partners: &'static str,
    pub possible_partners_help: &'static str,
    pub founded: &'static str,
    pub registration_number: &'static str,
    pub scope: &'static str,
    pub areas_served: &'static str,
    pub languages: &'static str,
    pub code_of_standards_signed: &'static str,
    pub updated: &'static str,
    pub members: &'static str,
    pub no_members: &'static str,
    pub role: &'static str,
    pub since: &'static str,
    pub until: &'static str,
    pub former: &'static str,
    pub role_lead: &'static str,
    pub role_member: &'static str,
    pub role_observer: &'static str,
    pub pending_invited: &'static str,
    pub pending_requested: &'static str,
    pub timeline: &'static str,
    pub joined: &'static str,
    pub left: &'static str,
    pub reach: &'static str,
    pub municipalities_covered: &'static str,
    pub coverage_gaps: &'static str,
    pub by_county: &'static str,
    pub on_the_map: &'static str,
    pub back_to_search: &'static str,
    pub not_found_title: &'static str,
    pub not_found_text: &'static str,
    pub bad_search_title: &'static str,
    pub bad_parameter: &'static str,
    pub unavailable_title: &'static str,
    pub footer_demo: &'static str,
    pub footer_api: &'static str,
}

pub static SQ: Words = Words {
    thousands_separator: '.',
    language_name: "Shqip",
    tagline: "Drejtoria e organizatave të shoqërisë civile, rrjeteve dhe koalicioneve",
    skip_to_content: "Kalo te përmbajtja",
    search_label: "Kërko organizata, rrjete dhe tema",
    search_placeholder: "p.sh. mjedis Shkodër",
    search_button: "Kërko",
    filters: "Filtrat",
    filter_results: "Filtro rezultatet",
    active_filters: "Filtrat aktivë",
    remove_filter: "Hiq filtrin",
    clear_all: "Hiq të gjithë filtrat",
    result_one: "rezultat",
    result_many: "rezultate",
    results: "Rezultatet",
    sort_by: "Rendit sipas",
    sort_relevance: "Përputhjes",
    sort_name: "Emrit",
    sort_founded: "Vitit të themelimit",
    sort_updated: "Përditësimit të fundit",
    sort_distance: "Distancës",
    kind: "Lloji",
    kind_all: "Të gjitha",
    kind_organisation: "Organizata",
    kind_network: "Rrjete dhe koalicione",
    near: "Pranë",
    anywhere: "Kudo",
    my_location: "Vendndodhja ime",
    radius: "Brenda",
    within: "Në",
    serves: "Punon në",
    map_area: "Zona e hartës",
    more_values: "Më shumë",
    unlisted: "Edhe {n} të tjera: ngushto kërkimin për t'i parë.",
    previous: "E mëparshmja",
    next: "Tjetra",
    page_of: "Faqja {page} nga {pages}",
    pages: "Faqet",
    no_results: "Asnjë rezultat. Provo më pak fjalë ose hiq disa filtra.",
    did_you_mean: "Mos doje të thuash",
    partial: "Asnjë rezultat nuk i përmban të gjitha fjalët; këto përmbajnë disa prej tyre.",
    km_away: "km larg",
    members_count: "anëtarë",
    map: "Harta",
    map_help: "Zmadho me butonat ose me rrotën e miut, zhvendos duke tërhequr ose me shigjetat.",
    zoom_in: "Zmadho",
    zoom_out: "Zvogëlo",
    search_this_area: "Kërko në këtë zonë",
    near_me: "Pranë meje",
    map_legend: "Rezultate sipas bashkisë",
    map_showing: "Harta tregon {shown} nga {total} rezultate.",
    map_no_location: "Vendndodhja nuk u gjet.",
    facet_thematic_area: "Fusha tematike",
    facet_target_group: "Grupi i synuar",
    facet_service: "Shërbimi",
    facet_scope: "Shtrirja",
    facet_legal_form: "Forma ligjore",
    facet_county: "Qarku",
    facet_municipality: "Bashkia",
    facet_network: "Rrjeti ose koalicioni",
    facet_code_of_standards: "Kodi i Standardeve",
    about: "Rreth saj",
    thematic_areas: "Fushat tematike",
    target_groups: "Grupet e synuara",
    services: "Shërbimet",
    expertise: "Ekspertiza",
    address: "Adresa",
    sites: "Zyrat",
    head_office: "Zyra qendrore",
    approximate_location: "vendndodhje e përafërt",
    contact: "Kontakti",
    email: "Email",
    phone: "Telefoni",
    website: "Faqja e internetit",
    contact_persons: "Personat e kontaktit",
    networks_and_coalitions: "Rrjetet dhe koalicionet",
    no_networks: "Nuk është anëtare e asnjë rrjeti në drejtori.",
    nearby_similar: "Organizata pranë me punë të ngjashme",
    possible_partners: "Partnerë të mundshëm",
    possible_partners_help: "Renditur sipas fushave, vendit, grupeve dhe rrjeteve të përbashkëta.",
    founded: "Themeluar",
    registration_number: "NUIS",
    scope: "Shtrirja",
    areas_served: "Zonat ku punon",
    languages: "Gjuhët",
    code_of_standards_signed: "Ka nënshkruar Kodin e Standardeve për OSHC-të",
    updated: "Përditësuar",
    members: "Anëtarët",
    no_members: "Nuk ka anëtarë në drejtori.",
    role: "Roli",
    since: "Që nga",
    until: "Deri më",
    former: "ish-anëtar",
    role_lead: "Drejtues",
    role_member: "Anëtar",
    role_observer: "Vëzhgues",
    pending_invited: "ftuar, pa pranuar ende",
    pending_requested: "ka kërkuar të bashkohet",
    timeline: "Historia e anëtarësisë",
    joined: "U bashkuan",
    left: "U larguan",
    reach: "Ku janë anëtarët",
    municipalities_covered: "Anëtarë në {n} nga 61 bashki",
    coverage_gaps: "Bashkitë pa asnjë anëtar",
    by_county: "Anëtarë sipas qarkut",
    on_the_map: "Në hartë",
    back_to_search: "Kthehu te kërkimi",
    not_found_title: "Faqja nuk u gjet",
    not_found_text: "Kjo organizatë ose faqe nuk ekziston, ose është hequr.",
    bad_search_title: "Kërkimi nuk mund të kryhet",
    bad_parameter: "Vlera e «{field}» në adresë nuk pranohet. Hollësitë (në anglisht):",
    unavailable_title: "Shërbimi është i zënë",
    footer_demo: "Të dhënat demonstruese janë fiktive: asnjë organizatë nuk është e vërtetë.",
    footer_api: "API dhe përshkrimi OpenAPI",
};

pub static EN: Words = Words {
    thousands_separator: ',',
    language_name: "English",
    tagline: "Directory of civil-society organisations, networks and coalitions",
    skip_to_content: "Skip to content",
    search_label: "Search organisations, networks and topics",
    search_placeholder: "e.g. environment Shkodër",
    search_button: "Search",
    filters: "Filters",
    filter_results: "Filter the results",
    active_filters: "Active filters",
    remove_filter: "Remove filter",
    clear_all: "Clear all filters",
    result_one: "result",
    result_many: "results",
    results: "Results",
    sort_by: "Sort by",
    sort_relevance: "Relevance",
    sort_name: "Name",
    sort_founded: "Year founded",
    sort_updated: "Recently updated",
    sort_distance: "Distance",
    kind: "Type",
    kind_all: "All",
    kind_organisation: "Organisations",
    kind_network: "Networks and coalitions",
    near: "Near",
    anywhere: "Anywhere",
    my_location: "My location",
    radius: "Within",
    within: "In",
    serves: "Works in",
    map_area: "Map area",
    more_values: "More",
    unlisted: "{n} more: narrow the search to see them.",
    previous: "Previous",
    next: "Next",
    page_of: "Page {page} of {pages}",
    pages: "Pages",
    no_results: "No results. Try fewer words or remove some filters.",
    did_you_mean: "Did you mean",
    partial: "No result contains all the words; these contain some of them.",
    km_away: "km away",
    members_count: "members",
    map: "Map",
    map_help: "Zoom with the buttons or the mouse wheel, move by dragging or with the arrow keys.",
    zoom_in: "Zoom in",
    zoom_out: "Zoom out",
    search_this_area: "Search this area",
    near_me: "Near me",
    map_legend: "Results per municipality",
    map_showing: "The map shows {shown} of {total} results.",
    map_no_location: "Your location could not be found.",
    facet_thematic_area: "Thematic area",
    facet_target_group: "Target group",
    facet_service: "Service",
    facet_scope: "Scope",
    facet_legal_form: "Legal form",
    facet_county: "County",
    facet_municipality: "Municipality",
    facet_network: "Network or coalition",
    facet_code_of_standards: "Code of Standards",
    about: "About",
    thematic_areas: "Thematic areas",
    target_groups: "Target groups",
    services: "Services",
    expertise: "Expertise",
    address: "Address",
    sites: "Offices",
    head_office: "Head office",
    approximate_location: "approximate location",
    contact: "Contact",
    email: "Email",
    phone: "Phone",
    website: "Website",
    contact_persons: "Contact people",
    networks_and_coalitions: "Networks and coalitions",
    no_networks: "Not a member of any network in the directory.",
    nearby_similar: "Nearby organisations with similar work",
    possible_partners: "Possible partners",
    possible_partners_help: "Ranked by shared fields, place, groups and networks.",
    founded: "Founded",
    registration_number: "NUIS (registration number)",
    scope: "Scope",
    areas_served: "Areas served",
    languages: "Languages",
    code_of_standards_signed: "Signatory of the Code of Standards for CSOs",
    updated: "Updated",
    members: "Members",
    no_members: "No members in the directory.",
    role: "Role",
    since: "Since",
    until: "Until",
    former: "former member",
    role_lead: "Lead",
    role_member: "Member",
    role_observer: "Observer",
    pending_invited: "invited, not yet accepted",
    pending_requested: "asked to join",
    timeline: "Membership timeline",
    joined: "Joined",
    left: "Left",
    reach: "Where the members are",
    municipalities_covered: "Members in {n} of 61 municipalities",
    coverage_gaps: "Municipalities without a member",
    by_county: "Members by county",
    on_the_map: "On the map",
    back_to_search: "Back to search",
    not_found_title: "Page not found",
    not_found_text: "This organisation or page does not exist, or has been removed.",
    bad_search_title: "The search could not be run",
    bad_parameter: "The value of “{field}” in the address is not accepted. Details:",
    unavailable_title: "The service is busy",
    footer_demo: "The demo data is fictional: none of the organisations is real.",
    footer_api: "API and OpenAPI description",
};

impl Words {
    /// "1 result" / "225 results", with a thousands separator in the page's style.
    pub fn count(&self, n: usize) -> String {
        let unit = if n == 1 {
            self.result_one
        } else {
            self.result_many
        };
        format!("{} {unit}", group_digits(n, self))
    }

    pub fn page_of(&self, page: usize, pages: usize) -> String {
        self.page_of
            .replace("{page}", &page.to_string())
            .replace("{pages}", &pages.to_string())
    }

    pub fn role(&self, role: &str) -> &'static str {
        match role {
            "lead" => self.role_lead,
            "observer" => self.role_observer,
            _ => self.role_member,
        }
    }
}

/// 1500 → "1.500" in Albanian, "1,500" in English.
fn group_digits(n: usize, words: &Words) -> String {
    let separator = words.thousands_separator;
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_group_thousands_in_each_language() {
        assert_eq!(SQ.count(1), "1 rezultat");
        assert_eq!(SQ.count(1500), "1.500 rezultate");
        assert_eq!(EN.count(1500), "1,500 results");
        assert_eq!(EN.count(999), "999 results");
        assert_eq!(EN.count(1_000_000), "1,000,000 results");
    }
}
