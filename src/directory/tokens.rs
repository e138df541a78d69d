//! API tokens: made, listed, revoked, and checked on every authenticated request.

use std::io::Read;
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use super::DirectoryError;
use super::service::{Directory, now};
use crate::model::{Principal, RecordKind, Role, Scope, Token, parse_token};

/// Why a presented token does not authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a token of this directory, or a wrong secret.
    Unknown,
    Revoked,
    Expired,
}

impl Directory {
    /// Makes a token; returns it as stored and its text (`rrj_{id}_{secret}`), which is shown
    /// once and never stored. An editor must be bound to an existing organisation or network.
    pub fn create_token(
        &self,
        role: Role,
        scope: Option<Scope>,
        label: Option<String>,
        expires_in_days: Option<u64>,
    ) -> Result<(Token, String), DirectoryError> {
        match (&role, &scope) {
            (Role::Admin, None) => {}
            (Role::Editor, Some(Scope::Organisation(id))) => {
                self.get(RecordKind::Organisation, id)?;
            }
            (Role::Editor, Some(Scope::Network(id))) => {
                self.get(RecordKind::Network, id)?;
            }
            _ => {
                return Err(DirectoryError::Invalid(crate::model::Problems::single(
                    "role",
                    "an editor is bound to one organisation or one network; an admin to none",
                )));
            }
        }
        let id = hex(&random_bytes::<6>()?);
        let secret = hex(&random_bytes::<32>()?);
        let token = Token {
            id: id.clone(),
            digest: digest(&secret),
            role,
            scope,
            label,
            created_at: now(),
            expires: expires_in_days.map(|days| unix_now() + days * 86_400),
            revoked_at: None,
        };
        self.store().put_token(&token)?;
        Ok((token, format!("rrj_{id}_{secret}")))
    }

    pub fn tokens(&self) -> Result<Vec<Token>, DirectoryError> {
        Ok(self.store().tokens()?)
    }

    /// Revokes a token at once; it stays listed as revoked.
    pub fn revoke_token(&self, id: &str) -> Result<Token, DirectoryError> {
        let mut token = self
            .store()
            .token(id)?
            .ok_or_else(|| DirectoryError::TokenNotFound(id.to_owned()))?;
        if token.revoked_at.is_none() {
            token.revoked_at = Some(now());
            self.store().put_token(&token)?;
        }
        Ok(token)
    }

    /// Who a presented token acts as.
    pub fn authenticate(
        &self,
        presented: &str,
    ) -> Result<Result<Principal, Refusal>, DirectoryError> {
        let Some((id, secret)) = parse_token(presented) else {
            return Ok(Err(Refusal::Unknown));
        };
        let Some(token) = self.store().token(id)? else {
            return Ok(Err(Refusal::Unknown));
        };
        if !same(&digest(secret), &token.digest) {
            return Ok(Err(Refusal::Unknown));
        }
        if token.revoked_at.is_some() {
            return Ok(Err(Refusal::Revoked));
        }
        if token.expires.is_some_and(|at| unix_now() > at) {
            return Ok(Err(Refusal::Expired));
        }
        Ok(Ok(match (token.role, token.scope) {
            (Role::Editor, Some(scope)) => Principal::Editor(scope),
            _ => Principal::Admin,
        }))
    }
}

fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Compares in constant time.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes from the operating system's random source.
fn random_bytes<const N: usize>() -> Result<[u8; N], DirectoryError> {
    let mut bytes = [0u8; N];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
