//! Who a request acts as: the admin token given to `serve` (only its SHA-256 digest is kept in
//! memory, compared in constant time), or a token of the directory, admin or editor of one
//! organisation or network (`rrjeti token create`; see `model::token`).

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use sha2::{Digest, Sha256};

use super::{ApiError, AppState};
use crate::directory::{Refusal, Side};
use crate::model::{Principal, RecordKind, Scope, parse_token};

#[derive(Clone)]
pub struct AdminToken([u8; 32]);

impl AdminToken {
    pub fn new(token: &str) -> AdminToken {
        AdminToken(Sha256::digest(token.as_bytes()).into())
    }

    fn matches(&self, presented: &str) -> bool {
        let presented: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        presented
            .iter()
            .zip(self.0.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

/// The bearer token of a request, if any.
fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Who a presented token acts as, and the name it goes by in history: the admin token given to
/// `serve` (`admin`), or a token of the directory (`token:{id}`, see `rrjeti token create`).
fn principal(state: &AppState, presented: &str) -> Result<(Principal, String), ApiError> {
    if state
        .admin_token
        .as_ref()
        .is_some_and(|admin| admin.matches(presented))
    {
        return Ok((Principal::Admin, "admin".to_owned()));
    }
    match state.directory.authenticate(presented)? {
        Ok(principal) => {
            let id = parse_token(presented).map_or("", |(id, _)| id);
            Ok((principal, format!("token:{id}")))
        }
        Err(Refusal::Revoked) => Err(ApiError::TokenRefused("the token was revoked")),
        Err(Refusal::Expired) => Err(ApiError::TokenRefused("the token has expired")),
        Err(Refusal::Unknown) if state.admin_token.is_none() => Err(ApiError::WritesDisabled),
        Err(Refusal::Unknown) => Err(ApiError::WrongToken),
    }
}

/// Who reads: anyone; with a valid token, who it acts as (which may see private fields).
/// Never rejects: a missing or unusable token reads as the public.
pub struct Viewer {
    pub principal: Option<Principal>,
}

impl Viewer {
    pub fn may_see_private(&self, kind: RecordKind, id: &str) -> bool {
        self.principal
            .as_ref()
            .is_some_and(|p| p.may_see_private(kind, id))
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Viewer {
            principal: bearer(parts)
                .and_then(|token| principal(state, token).ok())
                .map(|(principal, _)| principal),
        })
    }
}

/// Present in a handler's arguments: the request carries a valid token (admin or editor);
/// the handler checks that it may touch the record.
pub struct Writer {
    pub principal: Principal,
    /// Who, for the record's history.
    pub actor: String,
}

impl Writer {
    /// Whom the writer speaks for in a membership.
    pub fn side(&self) -> Side {
        match &self.principal {
            Principal::Admin => Side::Both,
            Principal::Editor(Scope::Network(_)) => Side::Network,
            Principal::Editor(Scope::Organisation(_)) => Side::Organisation,
        }
    }

    pub fn may_edit(&self, kind: RecordKind, id: &str) -> Result<(), ApiError> {
        if self.principal.may_edit(kind, id) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "this token may not change the {} {id:?}",
                kind.as_str()
            )))
        }
    }
}

impl FromRequestParts<AppState> for Writer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let presented = bearer(parts).ok_or(ApiError::MissingToken)?;
        principal(state, presented).map(|(principal, actor)| Writer { principal, actor })
    }
}

/// Present in a handler's arguments: the request carries an admin token; the name it goes by in
/// history.
pub struct Admin(pub String);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let writer = Writer::from_request_parts(parts, state).await?;
        match writer.principal {
            Principal::Admin => Ok(Admin(writer.actor)),
            Principal::Editor(_) => Err(ApiError::Forbidden(
                "this needs an admin token; an editor token changes only its own record".into(),
            )),
        }
    }
}
