//! The network record (networks, coalitions and platforms) and its member list.

use serde::{Deserialize, Serialize};

use super::organisation::{Address, Contact, Description, Location, is_zero};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Network {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acronym: Option<String>,
    /// network | coalition | platform; `network` when absent.
    #[serde(default = "default_kind")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Description::is_empty")]
    pub description: Description,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thematic_areas: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub founded_year: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    #[serde(default)]
    pub members: Vec<Member>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub version: u64,
}

fn default_kind() -> String {
    "network".to_owned()
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub organisation: String,
    /// lead | member | observer; `member` when absent.
    #[serde(default = "default_role")]
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<i32>,
    /// Set for former members: the year they left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<i32>,
    /// Whether both sides agree; `confirmed` when absent.
    #[serde(default, skip_serializing_if = "MemberStatus::is_confirmed")]
    pub status: MemberStatus,
    /// Where the membership is known from (a decision, a web page, "import", ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A membership holds when both the network and the organisation agree to it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MemberStatus {
    /// Both sides agree.
    #[default]
    Confirmed,
    /// The network invited the organisation, which has not yet accepted.
    Invited,
    /// The organisation asked to join, and the network has not yet accepted.
    Requested,
}

impl MemberStatus {
    pub fn is_confirmed(&self) -> bool {
        *self == MemberStatus::Confirmed
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::Confirmed => "confirmed",
            MemberStatus::Invited => "invited",
            MemberStatus::Requested => "requested",
        }
    }
}

fn default_role() -> String {
    "member".to_owned()
}

impl Member {
    /// A confirmed member that has not left: what counts for the `network` filter, member
    /// counts and connections. Pending and former memberships do not.
    pub fn is_current(&self) -> bool {
        self.until.is_none() && self.status.is_confirmed()
    }
}

pub const MEMBER_ROLES: [&str; 3] = ["lead", "member", "observer"];
