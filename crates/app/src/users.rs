//! Accounts of professionals.

use spil_domain::org::{parse_username, Role};
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
        if input.password.chars().count() < 4 {
            errors.add("password", spil_domain::FieldError::Required);
        }
        errors.into_result()?;
        let (Some(username), Some(display_name), Some(role)) = (username, display_name, role)
        else {
            return Err(AppError::Internal("validated fields missing".into()));
        };

        let mut tx = self.store().begin().await?;
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
            None if role.works_with_households() => {
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
        let mut journal = Entries::system(by);
        journal.add(
            "user.created",
            format!("Account {username} ({}) aangemaakt", role.label()),
            serde_json::json!({ "user_id": id, "username": username, "role": role.key(), "team_id": team_id }),
        );
        journal.write(&mut tx, self.journal_key()).await?;
        spil_store::commit(tx).await?;
        Ok(id)
    }
}
