//! The records of the directory and the rules that make them valid: pure data, no storage, no HTTP.

mod coverage;
mod decode;
mod history;
mod id;
mod merge_patch;
mod network;
mod organisation;
mod place;
mod places;
mod problem;
mod record;
mod taxonomy;
mod text;
mod token;
mod validate;

pub use coverage::{countries, served_units, within_units};
pub use decode::{decode_network, decode_organisation, decode_record, decode_record_line};
pub use history::{Action, FieldChange, HistoryEntry, changes, fill_creations};
pub use id::{RecordId, slug_from_name};
pub use merge_patch::merge_patch;
pub use network::{Member, MemberStatus, Network};
pub use organisation::{
    Address, Contact, ContactPerson, Description, Location, Organisation, Site,
};
pub use places::{County, Municipality, Places, places};
pub use problem::{Problem, Problems};
pub use record::{Record, RecordKind};
pub use taxonomy::{Label, Taxonomy, Vocabulary, taxonomy};
pub use text::{fold, normalize_text};
pub use token::{Principal, Role, Scope, Token, parse_token};
pub use validate::{current_year, validate_network, validate_organisation};
