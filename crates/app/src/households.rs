//! Reading a household's file, naming its team, moving its trajectory, break-the-glass.

use spil_domain::access::{Action, Actor, Basis, Purpose};
use spil_domain::field::required_text;
use spil_domain::org::parse_username;
use spil_domain::person::BirthDate;
use spil_domain::trajectory::{CloseReason, TeamRole, TrajectoryStatus};
use spil_domain::{FieldError, FieldErrors};
use spil_store::access_log;
use spil_store::{journal as journal_store, org, residents, trajectories};

use crate::gate::{entry, facts_of, judge, Outcome};

use crate::journal::{view as journal_view, Entries};
use crate::views::*;
use crate::{micros_to_datetime, new_id, now_micros, today, App, AppError, AppResult};

/// Most rows on one page of a list.
pub const MAX_PAGE: i64 = 500;

/// What the file's head and body already read, handed to the dossier's other parts so they
/// do not read it again (a page view was a dozen statements, three of them the members).
pub(crate) struct Known<'a> {
    pub members: &'a [residents::MemberRow],
    /// The latest trajectory (the open one, or else the last closed one).
    pub trajectory_id: Option<&'a str>,
    pub municipality_id: &'a str,
}

/// How long a break-the-glass grant lasts.
const BREAK_GLASS_MICROS: i64 = 4 * 3_600_000_000;

impl App {
    /// The household's file: members, registrations, trajectory and team.
    pub async fn household(&self, actor: &Actor, household_id: &str) -> AppResult<HouseholdView> {
        let (view, pass, _) = self.household_unlogged(actor, household_id).await?;
        self.admit(actor, household_id, &pass, "read_household")
            .await?;
        Ok(view)
    }

    /// The whole dossier for the household page — the file, its timeline, the scores, the
    /// intake and the plan — in one gate pass with one access-log entry. The intake and the
    /// plan are read with the members, trajectory and municipality the file already holds.
    pub async fn dossier(&self, actor: &Actor, household_id: &str) -> AppResult<Dossier> {
        let (household, pass, members) = self.household_unlogged(actor, household_id).await?;
        self.admit(actor, household_id, &pass, "read_dossier")
            .await?;
        let known = Known {
            members: &members,
            trajectory_id: household.trajectory.as_ref().map(|t| t.id.as_str()),
            municipality_id: &household.municipality_id,
        };
        Ok(Dossier {
            journal: self.journal_of(&pass, household_id).await?,
            assessments: self.assessments_of(&pass, household_id).await?,
            intake: self.intake_in(&pass, household_id, Some(&known)).await?,
            plan: self
                .plan_in(
                    &pass,
                    household_id,
                    known.trajectory_id,
                    Some(known.members),
                )
                .await?,
            household,
        })
    }

    /// The file, the gate's pass and the members as stored; the caller logs the access.
    async fn household_unlogged(
        &self,
        actor: &Actor,
        household_id: &str,
    ) -> AppResult<(HouseholdView, crate::gate::Pass, Vec<residents::MemberRow>)> {
        // Everything is read on one connection, decided on, and logged before it leaves:
        // no personal data is returned without its committed access-log entry.
        let mut conn = self.store().reader().await?;
        let head = residents::file_head(&mut conn, household_id, &actor.user_id, now_micros())
            .await?
            .ok_or(AppError::NotFound)?;
        let pass = match judge(actor, &facts_of(&head.facts), Action::Read, Purpose::Care) {
            Ok(pass) => pass,
            Err(denial) => {
                drop(conn);
                return Err(self.refuse(actor, household_id, Action::Read, denial).await);
            }
        };
        let household = head.household;
        let body = spil_store::file_body::file_body(
            &mut conn,
            household_id,
            head.trajectory_id.as_deref(),
        )
        .await?;
        drop(conn);
        let stored_members = body.members.clone();
        let (members, registrations, all_trajectories, team) = (
            body.members,
            body.registrations,
            body.trajectories,
            body.team,
        );
        let trajectory = match (head.trajectory_id, head.trajectory_status, head.opened_at) {
            (Some(id), Some(status), Some(opened_at)) => Some(TrajectoryView {
                regisseur: head.regisseur_username,
                regisseur_name: head.regisseur_name,
                team: team
                    .into_iter()
                    .map(|m| TeamMemberView {
                        username: m.username,
                        name: m.display_name,
                        role: m.role,
                    })
                    .collect(),
                id,
                status,
                team_revision: head.team_revision.unwrap_or(1),
                opened_at: micros_to_datetime(opened_at),
                closed_at: head.closed_at.map(micros_to_datetime),
            }),
            _ => None,
        };
        let today = today();
        Ok((
            HouseholdView {
                id: household.id,
                revision: household.revision,
                trajectories: all_trajectories
                    .into_iter()
                    .map(|t| TrajectorySummaryView {
                        id: t.id,
                        status: t.status,
                        opened_at: micros_to_datetime(t.opened_at),
                        closed_at: t.closed_at.map(micros_to_datetime),
                        close_reason: t.close_reason,
                    })
                    .collect(),
                wijk_code: household.wijk_code,
                address: AddressView {
                    street: household.street,
                    house_number: household.house_number,
                    postcode: household.postcode,
                    city: household.city,
                    buurt_code: household.buurt_code,
                },
                municipality: household.municipality_name,
                intake_team: household.intake_team_name,
                members: members
                    .into_iter()
                    .map(|m| MemberView {
                        age: BirthDate::parse(&m.birth_date, today)
                            .map(|b| b.age_on(today))
                            .unwrap_or_default(),
                        parental_authority: m.parental_authority(),
                        person_id: m.person_id,
                        given_name: m.given_name,
                        family_name: m.family_name,
                        birth_date: m.birth_date,
                        relation: m.relation,
                        bsn: m.bsn,
                        phone: m.phone,
                        email: m.email,
                        valid_from: m.valid_from,
                        valid_to: m.valid_to,
                        end_reason: m.end_reason,
                        gender: m.gender,
                        name_prefix: m.name_prefix,
                        communication: CommunicationNeedsView {
                            language: m.language,
                            interpreter: m.interpreter == 1,
                            pace: m.pace,
                            note: m.communication_note,
                        },
                    })
                    .collect(),
                registrations: registrations
                    .into_iter()
                    .map(|r| RegistrationView {
                        referrer: if r.referrer_name.is_some()
                            || r.referrer_organisation.is_some()
                            || r.referrer_contact.is_some()
                        {
                            Some(ReferrerView {
                                name: r.referrer_name,
                                organisation: r.referrer_organisation,
                                contact: r.referrer_contact,
                            })
                        } else {
                            None
                        },
                        id: r.id,
                        route: r.route,
                        question: r.question,
                        urgency: r.urgency,
                        received_at: micros_to_datetime(r.received_at),
                        registered_by: r.registered_by,
                    })
                    .collect(),
                trajectory,
                access: pass.basis.key().to_owned(),
                permissions: pass.permissions.into(),
                municipality_id: household.municipality_id,
            },
            pass,
            stored_members,
        ))
    }

    /// The household's journal, oldest first.
    pub async fn household_journal(
        &self,
        actor: &Actor,
        household_id: &str,
    ) -> AppResult<Vec<JournalEntryView>> {
        let pass = self
            .authorize_read(actor, household_id, Action::Read, "read_journal")
            .await?;
        self.journal_of(&pass, household_id).await
    }

    /// The household's journal, for a caller the gate let through.
    pub(crate) async fn journal_of(
        &self,
        _pass: &crate::gate::Pass,
        household_id: &str,
    ) -> AppResult<Vec<JournalEntryView>> {
        let mut conn = self.store().reader().await?;
        let rows = journal_store::for_household(&mut conn, household_id).await?;
        Ok(rows.into_iter().map(journal_view).collect())
    }

    /// Name the regisseur and the household team of the open trajectory. Returns whether the
    /// caller still has access afterwards (a regisseur who hands the household over to a
    /// colleague outside the team does not), decided on the new team without logging a refusal.
    pub async fn set_team(
        &self,
        actor: &Actor,
        household_id: &str,
        input: &TeamInput,
    ) -> AppResult<bool> {
        self.precheck(actor, household_id, Action::ManageTeam)
            .await?;
        // Parse first: nothing is written for bad input.
        let mut errors = FieldErrors::new();
        let regisseur = errors.check("regisseur", parse_username(&input.regisseur));
        let mut members = Vec::new();
        for (i, m) in input.members.iter().enumerate() {
            let username = errors.check(
                format!("members[{i}].username"),
                parse_username(&m.username),
            );
            let role = errors.check(format!("members[{i}].role"), TeamRole::parse(&m.role));
            if let (Some(username), Some(role)) = (username, role) {
                members.push((i, username, role));
            }
        }
        errors.into_result()?;
        let Some(regisseur) = regisseur else {
            return Err(AppError::invalid_field("regisseur", FieldError::Required));
        };

        let tx = self.store().begin().await?;
        let (mut tx, _) = self
            .authorize_write(tx, actor, household_id, Action::ManageTeam)
            .await?;
        let household = residents::household(&mut tx, household_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let trajectory = trajectories::open(&mut tx, household_id)
            .await?
            .ok_or_else(no_open_trajectory)?;
        // Asked after access was decided, so a caller without access hears only that.
        let Some(base) = input.revision else {
            return Err(AppError::Rule {
                code: "revision_required",
                field: "revision",
                message: "Geef de teamrevisie mee waarop deze wijziging is gebaseerd.".into(),
            });
        };
        if base != trajectory.team_revision
            || !trajectories::bump_team_revision(&mut tx, &trajectory.id, base).await?
        {
            return Err(AppError::conflict(
                "concurrent_change",
                "Het team is intussen door iemand anders gewijzigd. Laad het huishouden opnieuw.",
            ));
        }

        // Everyone named must be an active professional of the household's municipality.
        let mut errors = FieldErrors::new();
        let mut eligible = |path: String, user: Option<org::UserRow>| match user {
            Some(u)
                if u.active == 1
                    && u.municipality_id.as_deref() == Some(household.municipality_id.as_str())
                    && spil_domain::org::Role::parse(&u.role)
                        .is_ok_and(|r| r.works_with_households()) =>
            {
                Some(u)
            }
            Some(_) => {
                errors.add(path, FieldError::NotAllowed);
                None
            }
            None => {
                errors.add(
                    path,
                    FieldError::Unknown {
                        allowed: "an existing username",
                    },
                );
                None
            }
        };
        let regisseur_user = eligible(
            "regisseur".into(),
            org::user_by_username(&mut tx, &regisseur).await?,
        );
        let mut team: Vec<(String, String)> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for (i, username, role) in &members {
            let user = org::user_by_username(&mut tx, username).await?;
            if let Some(u) = eligible(format!("members[{i}].username"), user) {
                if !team.iter().any(|(id, _)| *id == u.id) {
                    names.push(format!("{} ({})", u.display_name, role.label()));
                    team.push((u.id, role.key().to_owned()));
                }
            }
        }
        errors.into_result()?;
        let Some(regisseur_user) = regisseur_user else {
            return Err(AppError::invalid_field("regisseur", FieldError::NotAllowed));
        };
        // The regisseur is always on the team, in that role.
        team.retain(|(id, _)| *id != regisseur_user.id);
        team.push((
            regisseur_user.id.clone(),
            TeamRole::Regisseur.key().to_owned(),
        ));

        trajectories::set_regisseur(&mut tx, &trajectory.id, &regisseur_user.id).await?;
        trajectories::replace_team(&mut tx, &trajectory.id, &team).await?;
        let summary = if names.is_empty() {
            format!("Regisseur: {}", regisseur_user.display_name)
        } else {
            format!(
                "Regisseur: {}; team: {}",
                regisseur_user.display_name,
                names.join(", ")
            )
        };
        let mut journal = Entries::household(&actor.user_id, household_id);
        journal.add("trajectory.team_set", &summary, serde_json::json!({
                "trajectory_id": trajectory.id,
                "regisseur": regisseur,
                "members": members.iter().map(|(_, u, r)| serde_json::json!({"username": u, "role": r.key()})).collect::<Vec<_>>(),
            }));
        journal.write(&mut tx, self.journal_key()).await?;
        let still = self
            .decision(&mut tx, actor, household_id, Action::Read)
            .await?
            .is_allowed();
        spil_store::commit(tx).await?;
        Ok(still)
    }

    /// Move the open trajectory to another status.
    pub async fn set_status(
        &self,
        actor: &Actor,
        household_id: &str,
        input: &StatusInput,
    ) -> AppResult<String> {
        self.precheck(actor, household_id, Action::ChangeStatus)
            .await?;
        let mut errors = FieldErrors::new();
        let next = errors.check("status", TrajectoryStatus::parse(&input.status));
        let close_reason = match (next, input.close_reason.as_deref().map(str::trim)) {
            (Some(TrajectoryStatus::Closed), Some(r)) if !r.is_empty() => {
                errors.check("close_reason", CloseReason::parse(r))
            }
            (Some(TrajectoryStatus::Closed), _) => {
                errors.add("close_reason", FieldError::Required);
                None
            }
            (_, Some(r)) if !r.is_empty() => {
                errors.add("close_reason", FieldError::NotAllowed);
                None
            }
            _ => None,
        };
        errors.into_result()?;
        let Some(next) = next else {
            return Err(AppError::Internal("validated fields missing".into()));
        };
        let tx = self.store().begin().await?;
        let (mut tx, _) = self
            .authorize_write(tx, actor, household_id, Action::ChangeStatus)
            .await?;
        let trajectory = trajectories::open(&mut tx, household_id)
            .await?
            .ok_or_else(no_open_trajectory)?;
        let current = TrajectoryStatus::parse(&trajectory.status).map_err(|_| {
            AppError::Internal(format!("stored status {} unknown", trajectory.status))
        })?;
        if !current.can_move_to(next) {
            return Err(AppError::conflict(
                "invalid_transition",
                format!(
                    "Van '{}' kan het traject niet naar '{}'.",
                    current.label(),
                    next.label()
                ),
            ));
        }
        if next != TrajectoryStatus::Closed && trajectory.regisseur_id.is_none() {
            return Err(AppError::conflict(
                "regisseur_required",
                "Wijs eerst een regisseur (vast aanspreekpunt) aan voordat het traject verder gaat.",
            ));
        }
        let closed_at = (next == TrajectoryStatus::Closed).then(now_micros);
        if !trajectories::set_status(
            &mut tx,
            &trajectory.id,
            current.key(),
            next.key(),
            closed_at,
            close_reason.map(CloseReason::key),
        )
        .await?
        {
            return Err(AppError::conflict(
                "concurrent_change",
                "Het traject is intussen door iemand anders gewijzigd.",
            ));
        }
        let mut journal = Entries::household(&actor.user_id, household_id);
        let summary = match close_reason {
            Some(reason) => format!(
                "Status: {} → {} ({})",
                current.label(),
                next.label(),
                reason.label().to_lowercase()
            ),
            None => format!("Status: {} → {}", current.label(), next.label()),
        };
        journal.add("trajectory.status_changed", summary, serde_json::json!({ "trajectory_id": trajectory.id, "from": current.key(), "to": next.key(), "close_reason": close_reason.map(CloseReason::key) }));
        journal.write(&mut tx, self.journal_key()).await?;
        spil_store::commit(tx).await?;
        Ok(next.key().to_owned())
    }

    /// Emergency read access with a written reason: granted for a few hours, logged,
    /// journalled on the household (so the resident can see it) and listed for the privacy officer.
    pub async fn break_glass(
        &self,
        actor: &Actor,
        household_id: &str,
        input: &BreakGlassInput,
    ) -> AppResult<()> {
        self.precheck(actor, household_id, Action::BreakGlass)
            .await?;
        let reason =
            required_text(&input.reason, 1000).map_err(|e| AppError::invalid_field("reason", e))?;
        if reason.chars().count() < 10 {
            return Err(AppError::invalid_field("reason", FieldError::Required));
        }
        let tx = self.store().begin().await?;
        let (mut tx, _) = self
            .authorize_write(tx, actor, household_id, Action::BreakGlass)
            .await?;
        let now = now_micros();
        trajectories::insert_break_glass(
            &mut tx,
            &new_id(),
            &actor.user_id,
            household_id,
            &reason,
            now,
            now + BREAK_GLASS_MICROS,
        )
        .await?;
        access_log::insert(
            &mut tx,
            &[{
                let mut granted = entry(
                    actor,
                    Some(household_id),
                    "break_glass",
                    Outcome::Allowed(Basis::BreakGlass),
                    Some(Purpose::Emergency),
                );
                granted.reason = Some(reason.clone());
                granted
            }],
        )
        .await?;
        let mut journal = Entries::household(&actor.user_id, household_id);
        journal.add(
            "access.break_glass",
            format!("Noodtoegang gevraagd door {}: {reason}", actor.username),
            serde_json::json!({ "reason": reason, "hours": BREAK_GLASS_MICROS / 3_600_000_000 }),
        );
        journal.write(&mut tx, self.journal_key()).await?;
        spil_store::commit(tx).await?;
        Ok(())
    }

    /// Who looked at this household's file: for the regisseur and coordinator, so that they
    /// can answer a resident who asks.
    pub async fn household_access_log(
        &self,
        actor: &Actor,
        household_id: &str,
    ) -> AppResult<Vec<AccessLogView>> {
        // Those who may steer the trajectory may also answer for who looked at it.
        self.authorize_read(actor, household_id, Action::ChangeStatus, "read_access_log")
            .await?;
        let mut conn = self.store().reader().await?;
        let rows = access_log::for_household(&mut conn, household_id, 1000).await?;
        Ok(rows.into_iter().map(crate::audit::access_view).collect())
    }
}

pub(crate) fn no_open_trajectory() -> AppError {
    AppError::conflict(
        "no_open_trajectory",
        "Dit huishouden heeft geen open traject.",
    )
}
