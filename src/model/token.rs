//! API tokens and what they allow: an `admin` may do everything; an `editor` is bound to one
//! organisation (its profile) or one network (the network and its member list). The token's
//! secret is never stored, only its SHA-256 digest: tokens are 256 random bits, so a fast
//! hash is as safe as a slow one and keeps every request cheap.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Editor,
}

/// What an editor token is bound to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Organisation(String),
    Network(String),
}

/// A token as stored (without its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Token {
    /// Public identifier, part of the token text: `rrj_{id}_{secret}`.
    pub id: String,
    /// SHA-256 of the secret, hexadecimal.
    pub digest: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub created_at: String,
    /// Seconds since the Unix epoch after which the token no longer works.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

/// Who a request acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Admin,
    Editor(Scope),
}

impl Principal {
    /// Whether this principal may change (replace, patch, delete) the record.
    pub fn may_edit(&self, kind: super::RecordKind, id: &str) -> bool {
        match (self, kind) {
            (Principal::Admin, _) => true,
            (Principal::Editor(Scope::Organisation(own)), super::RecordKind::Organisation)
            | (Principal::Editor(Scope::Network(own)), super::RecordKind::Network) => own == id,
            (Principal::Editor(_), _) => false,
        }
    }

    /// Whether this principal may see the private fields of the record.
    pub fn may_see_private(&self, kind: super::RecordKind, id: &str) -> bool {
        self.may_edit(kind, id)
    }
}

/// Splits a presented token `rrj_{id}_{secret}` into its id and secret.
pub fn parse_token(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix("rrj_")?;
    let (id, secret) = rest.split_once('_')?;
    (!id.is_empty() && !secret.is_empty()).then_some((id, secret))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RecordKind;

    #[test]
    fn an_editor_may_edit_only_its_own_record() {
        let editor = Principal::Editor(Scope::Organisation("a".into()));
        assert!(editor.may_edit(RecordKind::Organisation, "a"));
        assert!(!editor.may_edit(RecordKind::Organisation, "b"));
        assert!(!editor.may_edit(RecordKind::Network, "a"));
        let network = Principal::Editor(Scope::Network("n".into()));
        assert!(network.may_edit(RecordKind::Network, "n"));
        assert!(!network.may_edit(RecordKind::Organisation, "n"));
        assert!(Principal::Admin.may_edit(RecordKind::Network, "x"));
    }

    #[test]
    fn token_text_splits_into_id_and_secret() {
        assert_eq!(parse_token("rrj_ab12_s3cr3t"), Some(("ab12", "s3cr3t")));
        assert_eq!(parse_token("rrj_ab12"), None);
        assert_eq!(parse_token("other"), None);
    }
}
