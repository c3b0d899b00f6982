//! The organisation: region → municipality → team, and the accounts of professionals.

use crate::closed_set;

closed_set! {
    /// What an account may do in Spil.
    Role {
        Professional => "professional", "Professional";
        Coordinator => "coordinator", "Coördinator";
        Doorbraakregisseur => "doorbraakregisseur", "Doorbraakregisseur";
        Policy => "policy", "Beleidsmedewerker";
        PrivacyOfficer => "privacy_officer", "Functionaris gegevensbescherming";
        Admin => "admin", "Beheerder";
    }
}

impl Role {
    /// Roles that work with households and so belong to a team.
    pub fn works_with_households(self) -> bool {
        matches!(
            self,
            Role::Professional | Role::Coordinator | Role::Doorbraakregisseur
        )
    }
}

/// A username: 2–64 of `a-z 0-9 . _ -`, starting with a letter.
pub fn parse_username(raw: &str) -> Result<String, crate::FieldError> {
    let name = raw.trim().to_lowercase();
    if name.is_empty() {
        return Err(crate::FieldError::Required);
    }
    let valid = (2..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if valid {
        Ok(name)
    } else {
        Err(crate::FieldError::NotAllowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lowercase_and_simple() {
        assert_eq!(parse_username(" Anne "), Ok("anne".into()));
        assert!(parse_username("1anne").is_err());
        assert!(parse_username("an ne").is_err());
        assert!(parse_username("a").is_err());
    }
}
