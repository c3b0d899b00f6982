//! The one authorisation decision. Every use case that reads or writes a household asks
//! [`decide`]; nothing else grants access to personal data.

use serde::Serialize;

use crate::org::Role;

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub username: String,
    pub role: Role,
    pub municipality_id: Option<String>,
    pub team_id: Option<String>,
}

/// What the store knows about a household, relative to the actor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HouseholdFacts {
    pub municipality_id: String,
    /// The team whose front door received the household.
    pub intake_team_id: String,
    /// The actor is the regisseur of the open trajectory.
    pub actor_is_regisseur: bool,
    /// The actor is on the household team of the open trajectory (regisseur included).
    pub actor_on_team: bool,
    /// The open trajectory has no regisseur and no team yet: it waits in the intake queue.
    pub unassigned: bool,
    /// The actor holds an unexpired break-the-glass grant for this household.
    pub actor_has_break_glass: bool,
}

/// What the actor wants to do with the household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// See the file: members, registrations, trajectory, timeline.
    Read,
    /// Add to the file (a new registration for this household).
    Write,
    /// Name the regisseur and the household team.
    ManageTeam,
    /// Move the trajectory to another status.
    ChangeStatus,
    /// Ask for emergency read access with a written reason.
    BreakGlass,
}

/// Why access was granted; logged with every read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    Regisseur,
    TeamMember,
    Coordinator,
    IntakeQueue,
    BreakGlass,
    /// The request for break-the-glass itself.
    EmergencyRequest,
}

/// Why access was refused; logged with every refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Denial {
    /// Policy staff, the privacy officer and administrators never open individual files.
    RoleHasNoCaseAccess,
    OtherMunicipality,
    NotOnTeam,
    /// Only the regisseur or the coordinator may do this.
    NotRegisseur,
    /// Break-the-glass gives reading access only.
    BreakGlassIsReadOnly,
    /// Break-the-glass is for households one cannot see otherwise.
    AlreadyHasAccess,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow(Basis),
    Deny(Denial),
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        matches!(self, Decision::Allow(_))
    }
}

/// The authorisation rule for households.
pub fn decide(actor: &Actor, household: &HouseholdFacts, action: Action) -> Decision {
    use Decision::{Allow, Deny};

    if !actor.role.works_with_households() {
        return Deny(Denial::RoleHasNoCaseAccess);
    }
    if actor.municipality_id.as_deref() != Some(household.municipality_id.as_str()) {
        return Deny(Denial::OtherMunicipality);
    }
    let own_intake_team = actor.team_id.as_deref() == Some(household.intake_team_id.as_str());
    let coordinator = actor.role == Role::Coordinator && own_intake_team;
    let in_queue = household.unassigned && own_intake_team;

    // The regular basis, strongest first.
    let regular = if household.actor_is_regisseur {
        Some(Basis::Regisseur)
    } else if coordinator {
        Some(Basis::Coordinator)
    } else if household.actor_on_team {
        Some(Basis::TeamMember)
    } else if in_queue {
        Some(Basis::IntakeQueue)
    } else {
        None
    };

    match action {
        Action::Read => match regular {
            Some(basis) => Allow(basis),
            None if household.actor_has_break_glass => Allow(Basis::BreakGlass),
            None => Deny(Denial::NotOnTeam),
        },
        Action::Write => match regular {
            Some(basis) => Allow(basis),
            None if household.actor_has_break_glass => Deny(Denial::BreakGlassIsReadOnly),
            None => Deny(Denial::NotOnTeam),
        },
        // Taking up a household from the queue means naming its team.
        Action::ManageTeam => match regular {
            Some(basis @ (Basis::Regisseur | Basis::Coordinator | Basis::IntakeQueue)) => {
                Allow(basis)
            }
            Some(_) => Deny(Denial::NotRegisseur),
            None if household.actor_has_break_glass => Deny(Denial::BreakGlassIsReadOnly),
            None => Deny(Denial::NotOnTeam),
        },
        Action::ChangeStatus => match regular {
            Some(basis @ (Basis::Regisseur | Basis::Coordinator)) => Allow(basis),
            Some(_) => Deny(Denial::NotRegisseur),
            None if household.actor_has_break_glass => Deny(Denial::BreakGlassIsReadOnly),
            None => Deny(Denial::NotOnTeam),
        },
        Action::BreakGlass => match regular {
            Some(_) => Deny(Denial::AlreadyHasAccess),
            None => Allow(Basis::EmergencyRequest),
        },
    }
}

/// Who may register a new household at the front door: professionals with a team.
pub fn may_register(actor: &Actor) -> bool {
    actor.role.works_with_households() && actor.team_id.is_some() && actor.municipality_id.is_some()
}

/// Who may read the access log and the break-the-glass report.
pub fn may_audit(actor: &Actor) -> bool {
    matches!(actor.role, Role::PrivacyOfficer)
}

/// Who may manage accounts.
pub fn may_administer(actor: &Actor) -> bool {
    matches!(actor.role, Role::Admin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, municipality: &str, team: &str) -> Actor {
        Actor {
            user_id: "u".into(),
            username: "u".into(),
            role,
            municipality_id: Some(municipality.into()),
            team_id: Some(team.into()),
        }
    }

    fn household() -> HouseholdFacts {
        HouseholdFacts {
            municipality_id: "aalten".into(),
            intake_team_id: "team-a".into(),
            ..HouseholdFacts::default()
        }
    }

    #[test]
    fn authorisation_table() {
        use Action::*;
        use Decision::{Allow, Deny};
        use Role::*;

        let regisseur = HouseholdFacts {
            actor_is_regisseur: true,
            actor_on_team: true,
            ..household()
        };
        let member = HouseholdFacts {
            actor_on_team: true,
            ..household()
        };
        let queued = HouseholdFacts {
            unassigned: true,
            ..household()
        };
        let assigned = household();
        let glass = HouseholdFacts {
            actor_has_break_glass: true,
            ..household()
        };

        let cases: Vec<(&str, Actor, &HouseholdFacts, Action, Decision)> = vec![
            (
                "regisseur reads",
                actor(Professional, "aalten", "team-a"),
                &regisseur,
                Read,
                Allow(Basis::Regisseur),
            ),
            (
                "regisseur names team",
                actor(Professional, "aalten", "team-a"),
                &regisseur,
                ManageTeam,
                Allow(Basis::Regisseur),
            ),
            (
                "regisseur changes status",
                actor(Professional, "aalten", "team-a"),
                &regisseur,
                ChangeStatus,
                Allow(Basis::Regisseur),
            ),
            (
                "team member from another team reads",
                actor(Professional, "aalten", "team-b"),
                &member,
                Read,
                Allow(Basis::TeamMember),
            ),
            (
                "team member writes",
                actor(Professional, "aalten", "team-b"),
                &member,
                Write,
                Allow(Basis::TeamMember),
            ),
            (
                "team member may not name team",
                actor(Professional, "aalten", "team-b"),
                &member,
                ManageTeam,
                Deny(Denial::NotRegisseur),
            ),
            (
                "team member may not change status",
                actor(Professional, "aalten", "team-a"),
                &member,
                ChangeStatus,
                Deny(Denial::NotRegisseur),
            ),
            (
                "own team's queue is readable",
                actor(Professional, "aalten", "team-a"),
                &queued,
                Read,
                Allow(Basis::IntakeQueue),
            ),
            (
                "own team's queue can be taken up",
                actor(Professional, "aalten", "team-a"),
                &queued,
                ManageTeam,
                Allow(Basis::IntakeQueue),
            ),
            (
                "queue member may not change status",
                actor(Professional, "aalten", "team-a"),
                &queued,
                ChangeStatus,
                Deny(Denial::NotRegisseur),
            ),
            (
                "other team's queue is closed",
                actor(Professional, "aalten", "team-b"),
                &queued,
                Read,
                Deny(Denial::NotOnTeam),
            ),
            (
                "assigned household of own team, not on it",
                actor(Professional, "aalten", "team-a"),
                &assigned,
                Read,
                Deny(Denial::NotOnTeam),
            ),
            (
                "coordinator sees own team's households",
                actor(Coordinator, "aalten", "team-a"),
                &assigned,
                Read,
                Allow(Basis::Coordinator),
            ),
            (
                "coordinator changes status",
                actor(Coordinator, "aalten", "team-a"),
                &assigned,
                ChangeStatus,
                Allow(Basis::Coordinator),
            ),
            (
                "coordinator of other team",
                actor(Coordinator, "aalten", "team-b"),
                &assigned,
                Read,
                Deny(Denial::NotOnTeam),
            ),
            (
                "other municipality, even on team",
                actor(Professional, "winterswijk", "team-a"),
                &regisseur,
                Read,
                Deny(Denial::OtherMunicipality),
            ),
            (
                "policy never reads files",
                actor(Policy, "aalten", "team-a"),
                &regisseur,
                Read,
                Deny(Denial::RoleHasNoCaseAccess),
            ),
            (
                "privacy officer never reads files",
                actor(PrivacyOfficer, "aalten", "team-a"),
                &queued,
                Read,
                Deny(Denial::RoleHasNoCaseAccess),
            ),
            (
                "admin never reads files",
                actor(Admin, "aalten", "team-a"),
                &queued,
                Read,
                Deny(Denial::RoleHasNoCaseAccess),
            ),
            (
                "break-the-glass reads",
                actor(Professional, "aalten", "team-b"),
                &glass,
                Read,
                Allow(Basis::BreakGlass),
            ),
            (
                "break-the-glass does not write",
                actor(Professional, "aalten", "team-b"),
                &glass,
                Write,
                Deny(Denial::BreakGlassIsReadOnly),
            ),
            (
                "break-the-glass does not manage",
                actor(Professional, "aalten", "team-b"),
                &glass,
                ManageTeam,
                Deny(Denial::BreakGlassIsReadOnly),
            ),
            (
                "break-the-glass can be asked",
                actor(Professional, "aalten", "team-b"),
                &assigned,
                BreakGlass,
                Allow(Basis::EmergencyRequest),
            ),
            (
                "break-the-glass not for own households",
                actor(Professional, "aalten", "team-a"),
                &regisseur,
                BreakGlass,
                Deny(Denial::AlreadyHasAccess),
            ),
            (
                "break-the-glass not across municipalities",
                actor(Professional, "winterswijk", "team-x"),
                &assigned,
                BreakGlass,
                Deny(Denial::OtherMunicipality),
            ),
            (
                "doorbraakregisseur on team reads",
                actor(Doorbraakregisseur, "aalten", "team-c"),
                &member,
                Read,
                Allow(Basis::TeamMember),
            ),
        ];
        for (name, who, facts, action, expected) in cases {
            assert_eq!(decide(&who, facts, action), expected, "{name}");
        }
    }

    #[test]
    fn an_actor_without_municipality_is_refused() {
        let mut who = actor(Role::Professional, "aalten", "team-a");
        who.municipality_id = None;
        let facts = HouseholdFacts {
            actor_is_regisseur: true,
            actor_on_team: true,
            ..household()
        };
        assert_eq!(
            decide(&who, &facts, Action::Read),
            Decision::Deny(Denial::OtherMunicipality)
        );
    }

    #[test]
    fn only_team_professionals_register() {
        assert!(may_register(&actor(Role::Professional, "aalten", "team-a")));
        assert!(!may_register(&actor(Role::Policy, "aalten", "team-a")));
        let mut teamless = actor(Role::Professional, "aalten", "team-a");
        teamless.team_id = None;
        assert!(!may_register(&teamless));
    }
}
