//! Memberships need both sides: the network invites and the organisation accepts, or the
//! organisation asks and the network accepts. A membership lives in the network's record with
//! its status; this module moves it through its states, and keeps a network's own writes from
//! confirming a membership the organisation has not agreed to.

use super::service::not_found;
use super::{Directory, DirectoryError, MembershipView};
use crate::model::{Action, Member, MemberStatus, Network, Record, RecordKind, current_year};

/// Whom a writer speaks for in a membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Network,
    Organisation,
    /// An administrator of the directory, recording a membership both sides agreed to.
    Both,
}

/// The terms one side proposes or accepts.
#[derive(Debug, Clone, Default)]
pub struct Terms {
    pub role: Option<String>,
    pub since: Option<i32>,
    pub source: Option<String>,
}

impl Directory {
    /// `side` agrees to the organisation's membership of the network: proposes it (pending
    /// until the other side agrees), accepts the other side's proposal (confirmed), or, for a
    /// confirmed one, changes its terms (the network's side only). Returns the membership and
    /// the change-log sequence number of the write.
    pub fn agree_membership(
        &self,
        network: &str,
        organisation: &str,
        side: Side,
        terms: Terms,
        actor: &str,
    ) -> Result<(MembershipView, u64), DirectoryError> {
        let _guard = self.lock_writes();
        let (old, mut net) = self.network_for_membership(network, organisation)?;
        let name = self.organisation_name(organisation)?;
        let index = net
            .members
            .iter()
            .position(|m| m.organisation == organisation);
        let member = match index {
            Some(i) => &mut net.members[i],
            None => {
                net.members.push(Member {
                    organisation: organisation.to_owned(),
                    role: "member".into(),
                    status: match side {
                        Side::Network => MemberStatus::Invited,
                        Side::Organisation => MemberStatus::Requested,
                        Side::Both => MemberStatus::Confirmed,
                    },
                    ..Member::default()
                });
                net.members.last_mut().expect("just pushed")
            }
        };
        if index.is_some() {
            let former = member.until.is_some();
            member.status = match (member.status, side) {
                // Joining again after leaving starts over.
                (_, Side::Network) if former => MemberStatus::Invited,
                (_, Side::Organisation) if former => MemberStatus::Requested,
                (_, Side::Both) => MemberStatus::Confirmed,
                (MemberStatus::Invited, Side::Organisation) => MemberStatus::Confirmed,
                (MemberStatus::Requested, Side::Network) => MemberStatus::Confirmed,
                (status, _) => status,
            };
            if former {
                member.until = None;
                member.since = None;
            }
        }
        // The organisation may propose terms; once confirmed they are the network's to change.
        if side != Side::Organisation || !member.status.is_confirmed() || index.is_none() {
            if let Some(role) = terms.role {
                member.role = role;
            }
            if terms.since.is_some() {
                member.since = terms.since;
            }
        }
        if terms.source.is_some() {
            member.source = terms.source;
        }
        if member.since.is_none() && member.status.is_confirmed() {
            member.since = Some(current_year());
        }
        let view = view(&net.id, &name, member);
        let (_, seq) = self.put_locked(Record::Network(net), Some(&old), actor, Action::Patched)?;
        Ok((view, seq))
    }

    /// `side` withdraws: a pending membership is removed, a confirmed one ends this year and
    /// stays as a former membership. Returns what is left of it.
    pub fn leave_membership(
        &self,
        network: &str,
        organisation: &str,
        actor: &str,
    ) -> Result<(Option<MembershipView>, u64), DirectoryError> {
        let _guard = self.lock_writes();
        let (old, mut net) = self.network_for_membership(network, organisation)?;
        let Some(i) = net
            .members
            .iter()
            .position(|m| m.organisation == organisation)
        else {
            return Err(DirectoryError::NoMembership {
                network: network.to_owned(),
                organisation: organisation.to_owned(),
            });
        };
        let name = self.organisation_name(organisation)?;
        let left = if net.members[i].is_current() {
            let member = &mut net.members[i];
            let year = current_year();
            member.until = Some(year.max(member.since.unwrap_or(year)));
            Some(view(&net.id, &name, member))
        } else if net.members[i].until.is_some() {
            // Already former: nothing changes.
            return Ok((Some(view(&net.id, &name, &net.members[i])), 0));
        } else {
            net.members.remove(i);
            None
        };
        let (_, seq) = self.put_locked(Record::Network(net), Some(&old), actor, Action::Patched)?;
        Ok((left, seq))
    }

    fn network_for_membership(
        &self,
        network: &str,
        organisation: &str,
    ) -> Result<(Record, Network), DirectoryError> {
        let old = self
            .shared
            .store
            .get(RecordKind::Network, network)?
            .ok_or_else(|| not_found(RecordKind::Network, network))?;
        let Record::Network(net) = old.clone() else {
            return Err(not_found(RecordKind::Network, network));
        };
        self.organisation_name(organisation)?;
        Ok((old, net))
    }

    fn organisation_name(&self, organisation: &str) -> Result<String, DirectoryError> {
        match self
            .shared
            .store
            .get(RecordKind::Organisation, organisation)?
        {
            Some(Record::Organisation(org)) => Ok(org.name),
            _ => Err(not_found(RecordKind::Organisation, organisation)),
        }
    }
}

fn view(network: &str, name: &str, member: &Member) -> MembershipView {
    MembershipView {
        network: network.to_owned(),
        organisation: member.organisation.clone(),
        name: name.to_owned(),
        current: member.is_current(),
        status: member.status,
        role: member.role.clone(),
        since: member.since,
        until: member.until,
        source: member.source.clone(),
    }
}

/// A network's own write (its editor's `PUT` or `PATCH`) may list members, but it cannot
/// confirm for an organisation: a member that was not confirmed or asked for by the
/// organisation becomes an invitation. An administrator's write stands as given.
pub(super) fn settle_consent(record: &mut Record, old: Option<&Record>, side: Side) {
    let Record::Network(network) = record else {
        return;
    };
    if side == Side::Both {
        return;
    }
    let before: &[Member] = match old {
        Some(Record::Network(old)) => &old.members,
        _ => &[],
    };
    for member in &mut network.members {
        let previous = before
            .iter()
            .find(|m| m.organisation == member.organisation)
            .map(|m| m.status);
        member.status = match (member.status, previous) {
            (_, Some(MemberStatus::Confirmed)) if member.status.is_confirmed() => {
                MemberStatus::Confirmed
            }
            // The organisation asked: the network's listing accepts.
            (MemberStatus::Confirmed, Some(MemberStatus::Requested)) => MemberStatus::Confirmed,
            (MemberStatus::Requested, Some(MemberStatus::Requested)) => MemberStatus::Requested,
            _ => MemberStatus::Invited,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn network(members: &[(&str, MemberStatus)]) -> Record {
        Record::Network(Network {
            id: "n".into(),
            members: members
                .iter()
                .map(|(org, status)| Member {
                    organisation: (*org).into(),
                    status: *status,
                    ..Member::default()
                })
                .collect(),
            ..Network::default()
        })
    }

    fn statuses(record: &Record) -> Vec<MemberStatus> {
        let Record::Network(n) = record else { panic!() };
        n.members.iter().map(|m| m.status).collect()
    }

    #[test]
    fn a_network_cannot_confirm_for_an_organisation_but_can_accept_its_request() {
        use MemberStatus::*;
        let old = network(&[("a", Confirmed), ("b", Requested), ("c", Invited)]);
        let mut new = network(&[
            ("a", Confirmed),
            ("b", Confirmed),
            ("c", Confirmed),
            ("d", Confirmed),
            ("e", Requested),
        ]);
        settle_consent(&mut new, Some(&old), Side::Network);
        assert_eq!(
            statuses(&new),
            [Confirmed, Confirmed, Invited, Invited, Invited]
        );
    }

    #[test]
    fn an_administrator_records_memberships_as_given() {
        let mut new = network(&[("a", MemberStatus::Confirmed)]);
        settle_consent(&mut new, None, Side::Both);
        assert_eq!(statuses(&new), [MemberStatus::Confirmed]);
    }
}
