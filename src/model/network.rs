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
}

fn default_role() -> String {
    "member".to_owned()
}

impl Member {
    /// A former member has left; current members count for the `network` filter.
    pub fn is_current(&self) -> bool {
        self.until.is_none()
    }
}

pub const MEMBER_ROLES: [&str; 3] = ["lead", "member", "observer"];
