//! Accounts of professionals.

use spil_domain::org::{parse_username, PrincipalKind, ProfessionalRegister, Role};
use spil_domain::{field, FieldErrors};
use spil_store::{org, StoreError};

use crate::auth::hash_password;
use crate::journal::Entries;
use crate::{new_id, now_micros, App, AppError, AppResult};

pub struct NewUserInput<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub role: &'a str,
    /// Name of the team; required for roles that work with households.
    pub team: Option<&'a str>,
    /// Municipality id, for roles without a team (policy, privacy officer).
    pub municipality_id: Option<&'a str>,
    /// `professional` (the default), `partner`, `resident` or `service`.
    pub kind: Option<&'a str>,
    /// The employer (professional) or the partner organisation (partner, service).
    pub organisation_id: Option<&'a str>,
    /// The person a resident account belongs to.
    pub person_id: Option<&'a str>,
    /// SKJ or BIG registration: register, number, end date.
    pub registration: Option<(&'a str, &'a str, Option<&'a str>)>,
    /// Further teams (names) a professional works in.
    pub also_teams: &'a [&'a str],
}

impl Default for NewUserInput<'_> {
    fn default() -> Self {
        NewUserInput {
            username: "",
            display_name: "",
            password: "",
            role: "professional",
            team: None,
            municipality_id: None,
            kind: None,
            organisation_id: None,
            person_id: None,
            registration: None,
            also_teams: &[],
        }
    }
}

impl App {
    /// Create an account (CLI and demo). Returns the new user's id.
    pub async fn add_user(&self, input: &NewUserInput<'_>, by: Option<&str>) -> AppResult<String> {
        let mut errors = FieldErrors::new();
        let username = errors.check("username", parse_username(input.username));
        let display_name = errors.check(
            "display_name",
            field::required_text(input.display_name, 100),
        );
        let role = errors.check("role", Role::parse(input.role));
        let kind = errors.check(
            "kind",
            PrincipalKind::parse(input.kind.unwrap_or("professional")),
        );
        let registration = match input.registration {
            Some((register, number, valid_to)) => {
                let register = errors.check(
                    "registration.register",
                    ProfessionalRegister::parse(register),
                );
                let number = errors.check("registration.number", field::required_text(number, 20));
                let valid_to = match valid_to {
                    Some(d) => errors
                        .check("registration.valid_to", field::date(d))
                        .map(Some),
                    None => Some(None),
                };
                match (register, number, valid_to) {
                    (Some(r), Some(n), Some(v)) => Some((r, n, v.map(|d| d.to_string()))),
                    _ => None,
                }
            }
            None => None,
        };
        match kind {
            Some(PrincipalKind::Partner | PrincipalKind::Service)
                if input.organisation_id.is_none() =>
            {
                errors.add("organisation_id", spil_domain::FieldError::Required)
            }
            Some(PrincipalKind::Resident) if input.person_id.is_none() => {
                errors.add("person_id", spil_domain::FieldError::Required)
            }
            Some(k) if k != PrincipalKind::Professional && input.team.is_some() => {
                errors.add("team", spil_domain::FieldError::NotAllowed)
            }
            _ => {}
        }
        if input.password.chars().count() < 4 {
            errors.add("password", spil_domain::FieldError::Required);
        }
        errors.into_result()?;
        let (Some(username), Some(display_name), Some(role), Some(kind)) =
            (username, display_name, role, kind)
        else {
            return Err(AppError::Internal("validated fields missing".into()));
        };

        let mut tx = self.store().begin().await?;
        if let Some(id) = input.organisation_id {
            if org::organisation(&mut tx, id).await?.is_none() {
                return Err(AppError::invalid_field(
                    "organisation_id",
                    spil_domain::FieldError::Unknown {
                        allowed: "an existing organisation",
                    },
                ));
            }
        }
        if let Some(id) = input.person_id {
            if spil_store::residents::person(&mut tx, id).await?.is_none() {
                return Err(AppError::invalid_field(
                    "person_id",
                    spil_domain::FieldError::Unknown {
                        allowed: "an existing person",
                    },
                ));
            }
        }
        let (team_id, municipality_id) = match input.team {
            Some(team_name) => {
                let team = org::team_by_name(&mut tx, team_name)
                    .await?
                    .ok_or_else(|| {
                        AppError::invalid_field(
                            "team",
                            spil_domain::FieldError::Unknown {
                                allowed: "a team name",
                            },
                        )
                    })?;
                (Some(team.id), Some(team.municipality_id))
            }
            None if role.works_with_households() && kind == PrincipalKind::Professional => {
                return Err(AppError::invalid_field(
                    "team",
                    spil_domain::FieldError::Required,
                ));
            }
            None => (None, input.municipality_id.map(str::to_owned)),
        };
        let password_hash = hash_password(input.password)?;
        let id = new_id();
        let created = org::insert_user(
            &mut tx,
            &org::NewUser {
                id: &id,
                username: &username,
                display_name: &display_name,
                password_hash: &password_hash,
                role: role.key(),
                municipality_id: municipality_id.as_deref(),
                team_id: team_id.as_deref(),
                created_at: now_micros(),
                kind: kind.key(),
                organisation_id: input.organisation_id,
                person_id: input.person_id,
                registration_register: registration.as_ref().map(|r| r.0.key()),
                registration_number: registration.as_ref().map(|r| r.1.as_str()),
                registration_valid_to: registration.as_ref().and_then(|r| r.2.as_deref()),
            },
        )
        .await;
        match created {
            Err(StoreError::Conflict) => {
                return Err(AppError::conflict(
                    "username_taken",
                    format!("De gebruikersnaam {username} bestaat al."),
                ))
            }
            other => other?,
        }
        for name in input.also_teams {
            let team = org::team_by_name(&mut tx, name).await?.ok_or_else(|| {
                AppError::invalid_field(
                    "also_teams",
                    spil_domain::FieldError::Unknown {
                        allowed: "a team name",
                    },
                )
            })?;
            org::join_team(&mut tx, &id, &team.id).await?;
        }
        let mut journal = Entries::system(by);
        journal.add(
            "user.created",
            format!("Account {username} ({}) aangemaakt", role.label()),
            serde_json::json!({ "user_id": id, "username": username, "role": role.key(), "kind": kind.key(), "team_id": team_id }),
        );
        journal.write(&mut tx, self.journal_key()).await?;
        spil_store::commit(tx).await?;
        Ok(id)
    }
}
