//! The one gate to personal data. Every use case asks here before it reads or writes: the
//! gate gathers the facts about the subject from the store, asks `access::decide` with the
//! principal, the subject, the action and the purpose, writes the access-log entry with the
//! real basis, the persons it is about and the purpose, and hands out a [`Pass`] — or logs the
//! refusal and returns it as the error the caller answers with.
//!
//! Reads are logged *before* the data leaves the use case, and refusals are logged even though
//! the use case writes nothing. The persons of a household entry are resolved by the
//! access-log writer (every member the household has had), so "who looked at person X" is
//! answerable across all of X's households without a query on the request path.

use spil_domain::access::{
    decide, permissions, Action, Actor, Basis, Decision, Denial, HouseholdFacts, Permissions,
    Purpose, Subject,
};
use spil_store::access_log::Access;
use spil_store::{residents, Conn, Tx};

use crate::{now_micros, App, AppError, AppResult};

/// What the gate hands out for a household: the basis it was allowed on, the purpose, and
/// everything else the principal may do with it (for pages and API clients).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub basis: Basis,
    pub purpose: Purpose,
    pub permissions: Permissions,
}

/// The purpose of an action on a household when the use case names no other.
pub(crate) fn purpose_of(action: Action) -> Purpose {
    match action {
        Action::Read | Action::Write => Purpose::Care,
        Action::ManageTeam | Action::ChangeStatus | Action::ReadAccessLog => Purpose::Coordination,
        Action::BreakGlass => Purpose::Emergency,
    }
}

pub(crate) fn facts_of(facts: &residents::AccessFacts) -> HouseholdFacts {
    HouseholdFacts {
        municipality_id: facts.municipality_id.clone(),
        intake_team_id: facts.intake_team_id.clone(),
        actor_is_regisseur: facts.is_regisseur == 1,
        actor_on_team: facts.on_team == 1,
        unassigned: facts.unassigned == 1,
        actor_has_break_glass: facts.break_glass == 1,
    }
}

/// Decide on facts already read (the household page reads them with the file's head).
pub(crate) fn judge(
    actor: &Actor,
    facts: &HouseholdFacts,
    action: Action,
    purpose: Purpose,
) -> Result<Pass, Denial> {
    match decide(actor, &Subject::Household(facts), action, purpose) {
        Decision::Allow(basis) => Ok(Pass {
            basis,
            purpose,
            permissions: permissions(actor, facts),
        }),
        Decision::Deny(denial) => Err(denial),
    }
}

impl App {
    /// Write one access-log entry (group-committed by the access-log writer).
    pub(crate) async fn log_access(&self, access: Access) -> AppResult<()> {
        self.access_log.write(access).await
    }

    /// The facts about a household relative to the actor; `NotFound` for an unknown one.
    pub(crate) async fn household_facts(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        household_id: &str,
    ) -> AppResult<HouseholdFacts> {
        let facts = residents::access_facts(conn, household_id, &actor.user_id, now_micros())
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(facts_of(&facts))
    }

    /// The decision alone, for the action's usual purpose (nothing is logged).
    pub(crate) async fn decision(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        household_id: &str,
        action: Action,
    ) -> AppResult<Decision> {
        let facts = self.household_facts(conn, actor, household_id).await?;
        Ok(decide(
            actor,
            &Subject::Household(&facts),
            action,
            purpose_of(action),
        ))
    }

    /// Decide on a connection without logging: the caller logs with [`App::admit`] once the
    /// connection is given back, or with [`App::refuse`].
    pub(crate) async fn decide_on(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        household_id: &str,
        action: Action,
    ) -> AppResult<Result<Pass, Denial>> {
        let facts = self.household_facts(conn, actor, household_id).await?;
        Ok(judge(actor, &facts, action, purpose_of(action)))
    }

    /// Log an allowed access to a household.
    pub(crate) async fn admit(
        &self,
        actor: &Actor,
        household_id: &str,
        pass: &Pass,
        what: &str,
    ) -> AppResult<()> {
        self.log_access(entry(
            actor,
            Some(household_id),
            what,
            Outcome::Allowed(pass.basis),
            Some(pass.purpose),
        ))
        .await
    }

    /// Log a refusal and turn it into the error the caller returns.
    pub(crate) async fn refuse(
        &self,
        actor: &Actor,
        household_id: &str,
        action: Action,
        denial: Denial,
    ) -> AppError {
        let logged = self
            .log_access(entry(
                actor,
                Some(household_id),
                action_key(action),
                Outcome::Denied(denial),
                Some(purpose_of(action)),
            ))
            .await;
        match logged {
            // A household of another municipality answers as an unknown one does: its
            // existence is not for the caller to learn (the refusal is logged all the same).
            Ok(()) if denial == Denial::OtherMunicipality => AppError::NotFound,
            Ok(()) => AppError::Forbidden(denial),
            Err(error) => error,
        }
    }

    /// Decide access before the input is validated, so that a caller without access hears
    /// the same answer whatever the body holds (the use case decides again in its
    /// transaction).
    pub(crate) async fn precheck(
        &self,
        actor: &Actor,
        household_id: &str,
        action: Action,
    ) -> AppResult<()> {
        let decided = {
            let mut conn = self.store().reader().await?;
            self.decide_on(&mut conn, actor, household_id, action)
                .await?
        };
        match decided {
            Ok(_) => Ok(()),
            Err(denial) => Err(self.refuse(actor, household_id, action, denial).await),
        }
    }

    /// Authorise a change inside the use case's transaction. A refusal ends the transaction
    /// first (SQLite has one writer) and is then logged on its own.
    pub(crate) async fn authorize_write(
        &self,
        mut tx: Tx,
        actor: &Actor,
        household_id: &str,
        action: Action,
    ) -> AppResult<(Tx, Basis)> {
        match self.decide_on(&mut tx, actor, household_id, action).await? {
            Ok(pass) => Ok((tx, pass.basis)),
            Err(denial) => {
                drop(tx);
                Err(self.refuse(actor, household_id, action, denial).await)
            }
        }
    }

    /// Authorise a read and log it before anything is read. Connections are taken one after
    /// the other, never nested, so a full pool cannot deadlock.
    pub(crate) async fn authorize_read(
        &self,
        actor: &Actor,
        household_id: &str,
        action: Action,
        what: &str,
    ) -> AppResult<Pass> {
        let decided = {
            let mut conn = self.store().reader().await?;
            self.decide_on(&mut conn, actor, household_id, action)
                .await?
        };
        match decided {
            Ok(pass) => {
                self.admit(actor, household_id, &pass, what).await?;
                Ok(pass)
            }
            Err(denial) => Err(self.refuse(actor, household_id, action, denial).await),
        }
    }

    /// Authorise something that is not one household (a list, an aggregate, the access
    /// records, the front door, administration), and log it either way.
    pub(crate) async fn authorize(
        &self,
        actor: &Actor,
        subject: &Subject<'_>,
        action: Action,
        purpose: Purpose,
        what: &str,
    ) -> AppResult<Basis> {
        match decide(actor, subject, action, purpose) {
            Decision::Allow(basis) => {
                self.log_access(entry(
                    actor,
                    None,
                    what,
                    Outcome::Allowed(basis),
                    Some(purpose),
                ))
                .await?;
                Ok(basis)
            }
            Decision::Deny(denial) => {
                self.log_access(entry(
                    actor,
                    None,
                    what,
                    Outcome::Denied(denial),
                    Some(purpose),
                ))
                .await?;
                Err(AppError::Forbidden(denial))
            }
        }
    }

    /// Decide on something that holds no resident's data (the staff directory of a
    /// municipality, say) without writing an access-log entry: refused is still 403.
    pub(crate) fn permit(
        &self,
        actor: &Actor,
        subject: &Subject<'_>,
        action: Action,
        purpose: Purpose,
    ) -> AppResult<Basis> {
        match decide(actor, subject, action, purpose) {
            Decision::Allow(basis) => Ok(basis),
            Decision::Deny(denial) => Err(AppError::Forbidden(denial)),
        }
    }

    /// Authorise reading about a person, through every household they are or were a member
    /// of; logs one entry about the person. Returns the pass and the households the
    /// principal may read.
    pub(crate) async fn authorize_person(
        &self,
        actor: &Actor,
        person_id: &str,
        action: Action,
        what: &str,
    ) -> AppResult<(Basis, Vec<String>)> {
        let purpose = purpose_of(action);
        let (households, facts) = {
            let mut conn = self.store().reader().await?;
            if residents::person(&mut conn, person_id).await?.is_none() {
                return Err(AppError::NotFound);
            }
            let households = residents::households_of(&mut conn, person_id).await?;
            let mut facts = Vec::with_capacity(households.len());
            for id in &households {
                facts.push(self.household_facts(&mut conn, actor, id).await?);
            }
            (households, facts)
        };
        let decision = decide(actor, &Subject::Person(&facts), action, purpose);
        let outcome = match decision {
            Decision::Allow(basis) => Outcome::Allowed(basis),
            Decision::Deny(denial) => Outcome::Denied(denial),
        };
        let mut logged = entry(actor, None, what, outcome, Some(purpose));
        logged.persons = vec![person_id.to_owned()];
        self.log_access(logged).await?;
        let basis = match decision {
            Decision::Allow(basis) => basis,
            Decision::Deny(Denial::OtherMunicipality) => return Err(AppError::NotFound),
            Decision::Deny(denial) => return Err(AppError::Forbidden(denial)),
        };
        let readable = households
            .into_iter()
            .zip(facts.iter())
            .filter(|(_, f)| judge(actor, f, Action::Read, Purpose::Care).is_ok())
            .map(|(id, _)| id)
            .collect();
        Ok((basis, readable))
    }
}

/// How an access ended.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Outcome {
    Allowed(Basis),
    Denied(Denial),
}

fn action_key(action: Action) -> &'static str {
    match action {
        Action::Read => "read",
        Action::Write => "write",
        Action::ManageTeam => "manage_team",
        Action::ChangeStatus => "change_status",
        Action::BreakGlass => "break_glass",
        Action::ReadAccessLog => "read_access_log",
    }
}

/// An access-log entry by `actor`.
pub(crate) fn entry(
    actor: &Actor,
    household_id: Option<&str>,
    what: &str,
    outcome: Outcome,
    purpose: Option<Purpose>,
) -> Access {
    let (outcome, basis) = match outcome {
        Outcome::Allowed(basis) => ("allowed", basis.key()),
        Outcome::Denied(denial) => ("denied", denial.key()),
    };
    Access {
        at: now_micros(),
        user_id: Some(actor.user_id.clone()),
        household_id: household_id.map(str::to_owned),
        action: what.to_owned(),
        outcome: outcome.to_owned(),
        basis: basis.to_owned(),
        reason: None,
        purpose: purpose.map(|p| p.key().to_owned()),
        persons: Vec::new(),
    }
}

/// The log entry of an identity look-up at the front door (before anything is read).
pub(crate) fn lookup_entry(actor: &Actor, persons: usize) -> Access {
    let mut access = entry(
        actor,
        None,
        "identity_lookup",
        Outcome::Allowed(Basis::FrontDoor),
        Some(Purpose::DuplicateCheck),
    );
    access.reason = Some(format!(
        "{persons} persoon/personen nagekeken bij aanmelding"
    ));
    access
}

/// The log entry of a confirmed second person with a BSN Spil knew already.
pub(crate) fn confirmation_entry(actor: &Actor, household_id: &str, member: usize) -> Access {
    let mut access = entry(
        actor,
        Some(household_id),
        "bsn_known_confirmed",
        Outcome::Allowed(Basis::FrontDoor),
        Some(Purpose::FrontDoor),
    );
    access.reason = Some(format!(
        "lid {}: BSN al bekend, bevestigd als aparte registratie",
        member + 1
    ));
    access
}
