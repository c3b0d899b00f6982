//! The one authorisation decision. Every use case that reads or writes personal data asks
//! [`decide`] — through the gate in the app layer — with who asks (the principal), what about
//! (a household, a person, a record of a category, a list of one's own, an aggregate, the
//! access records), what they want to do and for which purpose. Nothing else grants access.

use serde::Serialize;

use crate::closed_set;
use crate::org::{PrincipalKind, Role};

/// Who is asking: an account of a kind, with its teams and the municipalities they serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub username: String,
    pub kind: PrincipalKind,
    pub role: Role,
    /// The municipality the account belongs to (a privacy officer's, a policy officer's), or
    /// for a professional the first municipality their team serves.
    pub municipality_id: Option<String>,
    /// The team a professional registers for at the front door.
    pub team_id: Option<String>,
    /// Every team the professional works in (the registering team included).
    pub teams: Vec<String>,
    /// The municipalities whose data the principal may see at all: those their teams serve,
    /// or the one they belong to.
    pub municipalities: Vec<String>,
    /// The employer, or the partner organisation.
    pub organisation_id: Option<String>,
    /// For a resident: the person they are.
    pub person_id: Option<String>,
}

impl Actor {
    pub fn serves(&self, municipality_id: &str) -> bool {
        self.municipalities.iter().any(|m| m == municipality_id)
    }

    pub fn in_team(&self, team_id: &str) -> bool {
        self.teams.iter().any(|t| t == team_id)
    }

    /// A professional of a team, in a role that works with households.
    pub fn works_with_households(&self) -> bool {
        self.kind == PrincipalKind::Professional && self.role.works_with_households()
    }
}

/// What the store knows about a household, relative to the actor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HouseholdFacts {
    /// The controller: the municipality of the household's address.
    pub municipality_id: String,
    /// The team whose front door holds the household.
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

closed_set! {
    /// A category of record that has a rule of its own within a household's file.
    Category {
        SensitiveNote => "sensitive_note", "Vertrouwelijke aantekening";
    }
}

/// A record of a category within a household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFacts {
    pub household: HouseholdFacts,
    pub category: Category,
    /// The actor wrote the record.
    pub actor_is_author: bool,
}

closed_set! {
    /// What an aggregate is counted by. Per household and per professional are about
    /// identifiable people; the others leave the team with small cells withheld.
    Grouping {
        Team => "team", "Per team";
        Month => "month", "Per maand";
        Municipality => "municipality", "Per gemeente";
        Household => "household", "Per huishouden";
        Professional => "professional", "Per professional";
    }
}

impl Grouping {
    pub fn identifies_people(self) -> bool {
        matches!(self, Grouping::Household | Grouping::Professional)
    }
}

/// What a principal asks about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject<'a> {
    /// A household's file.
    Household(&'a HouseholdFacts),
    /// A person, through the households they are (or were) a member of: the strongest basis
    /// any of them gives.
    Person(&'a [HouseholdFacts]),
    /// A record with a rule of its own.
    Record(&'a RecordFacts),
    /// One's own lists: my households, my worklist.
    OwnLists,
    /// The front door: registering, the duplicate check.
    FrontDoor,
    /// Counts over households, by a grouping.
    Aggregate(Grouping),
    /// The access log and break-the-glass review of the principal's municipality.
    AccessRecords,
    /// Accounts.
    Administration,
    /// The register of organisations (no personal data): professionals and administrators.
    Organisations,
}

/// What the actor wants to do with the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// See it.
    Read,
    /// Add to it or change it (a registration, a contact, a member, a move).
    Write,
    /// Name the regisseur and the household team.
    ManageTeam,
    /// Move the trajectory to another status, close it.
    ChangeStatus,
    /// Ask for emergency read access with a written reason.
    BreakGlass,
    /// See who looked at the file.
    ReadAccessLog,
}

closed_set! {
    /// Why personal data is processed: logged with every access.
    Purpose {
        Care => "care", "Hulpverlening aan het huishouden";
        Coordination => "coordination", "Regie op het traject";
        FrontDoor => "front_door", "Aanmelding aan de voordeur";
        DuplicateCheck => "duplicate_check", "Nagaan of iemand al bekend is";
        Emergency => "emergency", "Noodtoegang";
        Accountability => "accountability", "Toezicht op toegang (verantwoording)";
        Policy => "policy", "Sturing en beleid in cijfers";
        Administration => "administration", "Beheer van accounts en organisaties";
    }
}

/// Why access was granted; logged with every access.
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
    /// The author of a record.
    Author,
    /// One's own lists.
    OwnHouseholds,
    /// A professional at the front door.
    FrontDoor,
    /// Counts with small cells withheld.
    Aggregate,
    /// The privacy officer's review.
    Supervision,
    /// An administrator's work on accounts and organisations.
    Administration,
}

impl Basis {
    pub fn key(self) -> &'static str {
        match self {
            Basis::Regisseur => "regisseur",
            Basis::TeamMember => "team_member",
            Basis::Coordinator => "coordinator",
            Basis::IntakeQueue => "intake_queue",
            Basis::BreakGlass => "break_glass",
            Basis::EmergencyRequest => "emergency_request",
            Basis::Author => "author",
            Basis::OwnHouseholds => "own_households",
            Basis::FrontDoor => "front_door",
            Basis::Aggregate => "aggregate",
            Basis::Supervision => "supervision",
            Basis::Administration => "administration",
        }
    }
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
    /// Partners and residents see nothing until consent (or the law) grants it.
    AwaitsConsent,
    /// The purpose given does not fit what is asked.
    PurposeNotAllowed,
    /// A sensitive note is for its author and the regisseur.
    SensitiveRecord,
    /// Counts about identifiable people are for a coordinator, of their own team.
    IdentifiableAggregate,
}

impl Denial {
    pub fn key(self) -> &'static str {
        match self {
            Denial::RoleHasNoCaseAccess => "role_has_no_case_access",
            Denial::OtherMunicipality => "other_municipality",
            Denial::NotOnTeam => "not_on_team",
            Denial::NotRegisseur => "not_regisseur",
            Denial::BreakGlassIsReadOnly => "break_glass_is_read_only",
            Denial::AlreadyHasAccess => "already_has_access",
            Denial::AwaitsConsent => "awaits_consent",
            Denial::PurposeNotAllowed => "purpose_not_allowed",
            Denial::SensitiveRecord => "sensitive_record",
            Denial::IdentifiableAggregate => "identifiable_aggregate",
        }
    }
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

/// What the principal may do with a household: told to pages and API clients, so that
/// neither derives buttons of its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Permissions {
    pub read: bool,
    pub write: bool,
    pub manage_team: bool,
    pub change_status: bool,
    pub break_glass: bool,
    pub read_access_log: bool,
}

/// Everything the principal may do with the household, each decided by [`decide`].
pub fn permissions(actor: &Actor, household: &HouseholdFacts) -> Permissions {
    let may = |action, purpose| {
        decide(actor, &Subject::Household(household), action, purpose).is_allowed()
    };
    Permissions {
        read: may(Action::Read, Purpose::Care),
        write: may(Action::Write, Purpose::Care),
        manage_team: may(Action::ManageTeam, Purpose::Coordination),
        change_status: may(Action::ChangeStatus, Purpose::Coordination),
        break_glass: may(Action::BreakGlass, Purpose::Emergency),
        read_access_log: may(Action::ReadAccessLog, Purpose::Coordination),
    }
}

/// The purposes that fit an action on a household.
fn household_purpose_fits(action: Action, purpose: Purpose) -> bool {
    match action {
        Action::BreakGlass => purpose == Purpose::Emergency,
        Action::Read | Action::Write => matches!(
            purpose,
            Purpose::Care | Purpose::Coordination | Purpose::FrontDoor
        ),
        Action::ManageTeam | Action::ChangeStatus | Action::ReadAccessLog => {
            matches!(purpose, Purpose::Coordination | Purpose::Care)
        }
    }
}

/// The authorisation rule.
pub fn decide(actor: &Actor, subject: &Subject<'_>, action: Action, purpose: Purpose) -> Decision {
    use Decision::{Allow, Deny};

    match actor.kind {
        PrincipalKind::Professional => {}
        PrincipalKind::Partner | PrincipalKind::Resident => return Deny(Denial::AwaitsConsent),
        PrincipalKind::Service => return Deny(Denial::RoleHasNoCaseAccess),
    }
    match subject {
        Subject::Household(facts) => {
            if !household_purpose_fits(action, purpose) {
                return Deny(Denial::PurposeNotAllowed);
            }
            decide_household(actor, facts, action)
        }
        Subject::Person(households) => {
            if !matches!(action, Action::Read | Action::Write | Action::ReadAccessLog) {
                return Deny(Denial::NotOnTeam);
            }
            if !household_purpose_fits(action, purpose) {
                return Deny(Denial::PurposeNotAllowed);
            }
            // The strongest basis any household gives; otherwise the first refusal.
            let mut refusal = Denial::NotOnTeam;
            let mut best: Option<Basis> = None;
            for (i, facts) in households.iter().enumerate() {
                match decide_household(actor, facts, action) {
                    Allow(basis) if best.is_none_or(|b| strength(basis) > strength(b)) => {
                        best = Some(basis)
                    }
                    Allow(_) => {}
                    Deny(denial) if i == 0 || denial != Denial::OtherMunicipality => {
                        refusal = denial
                    }
                    Deny(_) => {}
                }
            }
            match (best, households.is_empty()) {
                (Some(basis), _) => Allow(basis),
                (None, true) if !actor.works_with_households() => Deny(Denial::RoleHasNoCaseAccess),
                (None, _) => Deny(refusal),
            }
        }
        Subject::Record(record) => {
            if !household_purpose_fits(action, purpose) {
                return Deny(Denial::PurposeNotAllowed);
            }
            match decide_household(actor, &record.household, action) {
                Allow(basis) => match record.category {
                    Category::SensitiveNote if basis == Basis::Regisseur => Allow(basis),
                    Category::SensitiveNote if record.actor_is_author && action == Action::Read => {
                        Allow(Basis::Author)
                    }
                    Category::SensitiveNote => Deny(Denial::SensitiveRecord),
                },
                denied => denied,
            }
        }
        Subject::OwnLists => match (action, purpose) {
            _ if !actor.works_with_households() => Deny(Denial::RoleHasNoCaseAccess),
            (Action::Read, Purpose::Care | Purpose::Coordination) => Allow(Basis::OwnHouseholds),
            _ => Deny(Denial::PurposeNotAllowed),
        },
        Subject::FrontDoor => match purpose {
            _ if !may_register(actor) => Deny(Denial::RoleHasNoCaseAccess),
            Purpose::FrontDoor | Purpose::DuplicateCheck if action != Action::BreakGlass => {
                Allow(Basis::FrontDoor)
            }
            _ => Deny(Denial::PurposeNotAllowed),
        },
        Subject::Aggregate(grouping) => {
            if actor.role == Role::Admin || actor.municipalities.is_empty() {
                return Deny(Denial::RoleHasNoCaseAccess);
            }
            // Counts serve policy; a coordinator also counts to steer the team (caseloads).
            if action != Action::Read || !matches!(purpose, Purpose::Policy | Purpose::Coordination)
            {
                return Deny(Denial::PurposeNotAllowed);
            }
            if grouping.identifies_people() && actor.role != Role::Coordinator {
                return Deny(Denial::IdentifiableAggregate);
            }
            if purpose == Purpose::Coordination && actor.role != Role::Coordinator {
                return Deny(Denial::PurposeNotAllowed);
            }
            Allow(Basis::Aggregate)
        }
        Subject::AccessRecords => match purpose {
            _ if actor.role != Role::PrivacyOfficer || actor.municipality_id.is_none() => {
                Deny(Denial::RoleHasNoCaseAccess)
            }
            Purpose::Accountability if action == Action::Read => Allow(Basis::Supervision),
            _ => Deny(Denial::PurposeNotAllowed),
        },
        Subject::Organisations => {
            if actor.works_with_households() || actor.role == Role::Admin {
                Allow(Basis::Administration)
            } else {
                Deny(Denial::RoleHasNoCaseAccess)
            }
        }
        Subject::Administration => match purpose {
            _ if actor.role != Role::Admin => Deny(Denial::RoleHasNoCaseAccess),
            Purpose::Administration => Allow(Basis::Administration),
            _ => Deny(Denial::PurposeNotAllowed),
        },
    }
}

fn strength(basis: Basis) -> u8 {
    match basis {
        Basis::Regisseur => 5,
        Basis::Coordinator => 4,
        Basis::TeamMember => 3,
        Basis::IntakeQueue => 2,
        Basis::BreakGlass => 1,
        _ => 0,
    }
}

/// The rule for one household.
fn decide_household(actor: &Actor, household: &HouseholdFacts, action: Action) -> Decision {
    use Decision::{Allow, Deny};

    if !actor.works_with_households() {
        return Deny(Denial::RoleHasNoCaseAccess);
    }
    if !actor.serves(&household.municipality_id) {
        return Deny(Denial::OtherMunicipality);
    }
    let own_intake_team = actor.in_team(&household.intake_team_id);
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
        // Those who steer the trajectory also answer for who looked at it.
        Action::ChangeStatus | Action::ReadAccessLog => match regular {
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

/// What one's own lists hold beyond one's own households: a coordinator sees every
/// household of their teams, others the teams' queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListScope {
    pub whole_teams: bool,
}

pub fn list_scope(actor: &Actor) -> ListScope {
    ListScope {
        whole_teams: actor.role == Role::Coordinator,
    }
}

/// Who may register a new household at the front door: professionals with a team.
pub fn may_register(actor: &Actor) -> bool {
    actor.works_with_households() && actor.team_id.is_some() && !actor.municipalities.is_empty()
}

/// Who may read the access log and the break-the-glass report.
pub fn may_audit(actor: &Actor) -> bool {
    decide(
        actor,
        &Subject::AccessRecords,
        Action::Read,
        Purpose::Accountability,
    )
    .is_allowed()
}

/// Whether counts grouped so may be shown to this principal (pages offer only those).
pub fn may_count(actor: &Actor, grouping: Grouping) -> bool {
    decide(
        actor,
        &Subject::Aggregate(grouping),
        Action::Read,
        Purpose::Policy,
    )
    .is_allowed()
}

/// Who may see the team's caseload per professional (and so the team page).
pub fn may_coordinate(actor: &Actor) -> bool {
    decide(
        actor,
        &Subject::Aggregate(Grouping::Professional),
        Action::Read,
        Purpose::Coordination,
    )
    .is_allowed()
}

/// Who may manage accounts and organisations.
pub fn may_administer(actor: &Actor) -> bool {
    decide(
        actor,
        &Subject::Administration,
        Action::Write,
        Purpose::Administration,
    )
    .is_allowed()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, municipality: &str, team: &str) -> Actor {
        Actor {
            user_id: "u".into(),
            username: "u".into(),
            kind: PrincipalKind::Professional,
            role,
            municipality_id: Some(municipality.into()),
            team_id: Some(team.into()),
            teams: vec![team.into()],
            municipalities: vec![municipality.into()],
            organisation_id: None,
            person_id: None,
        }
    }

    fn purpose_of(action: Action) -> Purpose {
        match action {
            Action::BreakGlass => Purpose::Emergency,
            Action::ManageTeam | Action::ChangeStatus | Action::ReadAccessLog => {
                Purpose::Coordination
            }
            _ => Purpose::Care,
        }
    }

    fn on(who: &Actor, facts: &HouseholdFacts, action: Action) -> Decision {
        decide(who, &Subject::Household(facts), action, purpose_of(action))
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
            assert_eq!(on(&who, facts, action), expected, "{name}");
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
        who.municipalities.clear();
        assert_eq!(
            on(&who, &facts, Action::Read),
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

    /// The subjects beyond one household: persons, records, lists, the front door,
    /// aggregates, the access records; principals of every kind; purposes.
    #[test]
    fn authorisation_table_beyond_the_household() {
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
        let elsewhere = HouseholdFacts {
            municipality_id: "winterswijk".into(),
            intake_team_id: "team-w".into(),
            ..HouseholdFacts::default()
        };
        let anne = actor(Professional, "aalten", "team-a");
        let coordinator = actor(Coordinator, "aalten", "team-a");
        let policy = actor(Policy, "aalten", "team-a");
        let fg = actor(PrivacyOfficer, "aalten", "team-a");
        let admin = actor(Admin, "aalten", "team-a");
        let kind = |k: PrincipalKind| Actor {
            kind: k,
            ..anne.clone()
        };
        let central = Actor {
            municipalities: vec!["aalten".into(), "winterswijk".into()],
            teams: vec!["team-a".into(), "team-w".into()],
            ..anne.clone()
        };
        let sensitive = |author: bool, household: &HouseholdFacts| RecordFacts {
            household: household.clone(),
            category: Category::SensitiveNote,
            actor_is_author: author,
        };
        let by_member = sensitive(true, &member);
        let of_other = sensitive(false, &member);
        let of_regisseur = sensitive(false, &regisseur);
        let two_homes = [elsewhere.clone(), member.clone()];
        let one_home_elsewhere = [elsewhere.clone()];
        let regisseur_only = [regisseur.clone()];
        let glass_only = [HouseholdFacts {
            actor_has_break_glass: true,
            ..household()
        }];
        let member_only = [member.clone()];
        let coordinators_view = sensitive(false, &household());
        let queued_elsewhere = HouseholdFacts {
            unassigned: true,
            ..elsewhere.clone()
        };

        let cases: Vec<(&str, Actor, Subject<'_>, Action, Purpose, Decision)> = vec![
            (
                "a partner awaits consent",
                kind(PrincipalKind::Partner),
                Subject::Household(&regisseur),
                Action::Read,
                Purpose::Care,
                Deny(Denial::AwaitsConsent),
            ),
            (
                "a resident awaits consent",
                kind(PrincipalKind::Resident),
                Subject::Person(&two_homes),
                Action::Read,
                Purpose::Care,
                Deny(Denial::AwaitsConsent),
            ),
            (
                "a service has no case access",
                kind(PrincipalKind::Service),
                Subject::Household(&regisseur),
                Action::Read,
                Purpose::Care,
                Deny(Denial::RoleHasNoCaseAccess),
            ),
            (
                "a partner has no lists",
                kind(PrincipalKind::Partner),
                Subject::OwnLists,
                Action::Read,
                Purpose::Care,
                Deny(Denial::AwaitsConsent),
            ),
            (
                "a household read for policy",
                anne.clone(),
                Subject::Household(&regisseur),
                Action::Read,
                Purpose::Policy,
                Deny(Denial::PurposeNotAllowed),
            ),
            (
                "break-the-glass needs the emergency purpose",
                anne.clone(),
                Subject::Household(&elsewhere),
                Action::BreakGlass,
                Purpose::Care,
                Deny(Denial::PurposeNotAllowed),
            ),
            (
                "a person through any household",
                anne.clone(),
                Subject::Person(&two_homes),
                Action::Read,
                Purpose::Care,
                Allow(Basis::TeamMember),
            ),
            (
                "a person only elsewhere",
                anne.clone(),
                Subject::Person(&one_home_elsewhere),
                Action::Read,
                Purpose::Care,
                Deny(Denial::OtherMunicipality),
            ),
            (
                "a person is written through a household one may write",
                anne.clone(),
                Subject::Person(&two_homes),
                Action::Write,
                Purpose::Care,
                Allow(Basis::TeamMember),
            ),
            (
                "break-the-glass does not write a person",
                anne.clone(),
                Subject::Person(&glass_only),
                Action::Write,
                Purpose::Care,
                Deny(Denial::BreakGlassIsReadOnly),
            ),
            (
                "a person's team is not named",
                anne.clone(),
                Subject::Person(&two_homes),
                Action::ManageTeam,
                Purpose::Coordination,
                Deny(Denial::NotOnTeam),
            ),
            (
                "a person's access log for the regisseur",
                anne.clone(),
                Subject::Person(&regisseur_only),
                Action::ReadAccessLog,
                Purpose::Coordination,
                Allow(Basis::Regisseur),
            ),
            (
                "a person's access log not for a team member",
                anne.clone(),
                Subject::Person(&member_only),
                Action::ReadAccessLog,
                Purpose::Coordination,
                Deny(Denial::NotRegisseur),
            ),
            (
                "a central front door serves both",
                central.clone(),
                Subject::Household(&queued_elsewhere),
                Action::Read,
                Purpose::Care,
                Allow(Basis::IntakeQueue),
            ),
            (
                "one's own sensitive note",
                anne.clone(),
                Subject::Record(&by_member),
                Action::Read,
                Purpose::Care,
                Allow(Basis::Author),
            ),
            (
                "another's sensitive note",
                anne.clone(),
                Subject::Record(&of_other),
                Action::Read,
                Purpose::Care,
                Deny(Denial::SensitiveRecord),
            ),
            (
                "the regisseur reads every sensitive note",
                anne.clone(),
                Subject::Record(&of_regisseur),
                Action::Read,
                Purpose::Care,
                Allow(Basis::Regisseur),
            ),
            (
                "a coordinator does not read sensitive notes",
                coordinator.clone(),
                Subject::Record(&coordinators_view),
                Action::Read,
                Purpose::Care,
                Deny(Denial::SensitiveRecord),
            ),
            (
                "own lists",
                anne.clone(),
                Subject::OwnLists,
                Action::Read,
                Purpose::Care,
                Allow(Basis::OwnHouseholds),
            ),
            (
                "policy has no own lists",
                policy.clone(),
                Subject::OwnLists,
                Action::Read,
                Purpose::Care,
                Deny(Denial::RoleHasNoCaseAccess),
            ),
            (
                "the front door",
                anne.clone(),
                Subject::FrontDoor,
                Action::Write,
                Purpose::FrontDoor,
                Allow(Basis::FrontDoor),
            ),
            (
                "the duplicate check",
                anne.clone(),
                Subject::FrontDoor,
                Action::Read,
                Purpose::DuplicateCheck,
                Allow(Basis::FrontDoor),
            ),
            (
                "policy does not register",
                policy.clone(),
                Subject::FrontDoor,
                Action::Write,
                Purpose::FrontDoor,
                Deny(Denial::RoleHasNoCaseAccess),
            ),
            (
                "policy reads counts per team",
                policy.clone(),
                Subject::Aggregate(Grouping::Team),
                Action::Read,
                Purpose::Policy,
                Allow(Basis::Aggregate),
            ),
            (
                "policy does not count per household",
                policy.clone(),
                Subject::Aggregate(Grouping::Household),
                Action::Read,
                Purpose::Policy,
                Deny(Denial::IdentifiableAggregate),
            ),
            (
                "a coordinator counts per household",
                coordinator.clone(),
                Subject::Aggregate(Grouping::Household),
                Action::Read,
                Purpose::Policy,
                Allow(Basis::Aggregate),
            ),
            (
                "a coordinator counts the caseload per professional",
                coordinator.clone(),
                Subject::Aggregate(Grouping::Professional),
                Action::Read,
                Purpose::Coordination,
                Allow(Basis::Aggregate),
            ),
            (
                "a professional does not count colleagues' caseloads",
                anne.clone(),
                Subject::Aggregate(Grouping::Professional),
                Action::Read,
                Purpose::Coordination,
                Deny(Denial::IdentifiableAggregate),
            ),
            (
                "steering counts are the coordinator's",
                anne.clone(),
                Subject::Aggregate(Grouping::Team),
                Action::Read,
                Purpose::Coordination,
                Deny(Denial::PurposeNotAllowed),
            ),
            (
                "a professional counts per month",
                anne.clone(),
                Subject::Aggregate(Grouping::Month),
                Action::Read,
                Purpose::Policy,
                Allow(Basis::Aggregate),
            ),
            (
                "aggregates need the policy purpose",
                anne.clone(),
                Subject::Aggregate(Grouping::Month),
                Action::Read,
                Purpose::Care,
                Deny(Denial::PurposeNotAllowed),
            ),
            (
                "an administrator counts nothing",
                admin.clone(),
                Subject::Aggregate(Grouping::Team),
                Action::Read,
                Purpose::Policy,
                Deny(Denial::RoleHasNoCaseAccess),
            ),
            (
                "the privacy officer reviews",
                fg.clone(),
                Subject::AccessRecords,
                Action::Read,
                Purpose::Accountability,
                Allow(Basis::Supervision),
            ),
            (
                "a professional does not review",
                anne.clone(),
                Subject::AccessRecords,
                Action::Read,
                Purpose::Accountability,
                Deny(Denial::RoleHasNoCaseAccess),
            ),
            (
                "the privacy officer does not administer",
                fg.clone(),
                Subject::Administration,
                Action::Write,
                Purpose::Administration,
                Deny(Denial::RoleHasNoCaseAccess),
            ),
            (
                "the administrator administers",
                admin.clone(),
                Subject::Administration,
                Action::Write,
                Purpose::Administration,
                Allow(Basis::Administration),
            ),
            (
                "a professional adds an organisation",
                anne.clone(),
                Subject::Organisations,
                Action::Write,
                Purpose::Administration,
                Allow(Basis::Administration),
            ),
            (
                "policy does not",
                policy.clone(),
                Subject::Organisations,
                Action::Write,
                Purpose::Administration,
                Deny(Denial::RoleHasNoCaseAccess),
            ),
            (
                "a partner does not",
                kind(PrincipalKind::Partner),
                Subject::Organisations,
                Action::Read,
                Purpose::Administration,
                Deny(Denial::AwaitsConsent),
            ),
        ];
        for (name, who, subject, action, purpose, expected) in cases {
            assert_eq!(decide(&who, &subject, action, purpose), expected, "{name}");
        }
    }

    #[test]
    fn permissions_follow_the_decision() {
        let anne = actor(Role::Professional, "aalten", "team-a");
        let regisseur = HouseholdFacts {
            actor_is_regisseur: true,
            actor_on_team: true,
            ..household()
        };
        let all = permissions(&anne, &regisseur);
        assert!(
            all.read && all.write && all.manage_team && all.change_status && all.read_access_log
        );
        assert!(!all.break_glass);
        let member = permissions(
            &anne,
            &HouseholdFacts {
                actor_on_team: true,
                ..household()
            },
        );
        assert!(member.read && member.write && !member.manage_team && !member.change_status);
        let outsider = permissions(&anne, &household());
        assert_eq!(
            outsider,
            Permissions {
                break_glass: true,
                ..Permissions::default()
            }
        );
    }
}
