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

closed_set! {
    /// What kind of principal an account is.
    PrincipalKind {
        Professional => "professional", "Professional van een team";
        Partner => "partner", "Medewerker van een partnerorganisatie";
        Resident => "resident", "Inwoner";
        Service => "service", "Systeem van een organisatie";
    }
}

closed_set! {
    /// What an organisation is, for the network around a household.
    OrganisationKind {
        Municipality => "municipality", "Gemeente";
        TeamProvider => "team_provider", "Werkgever of aanbieder van het team";
        Huisarts => "huisarts", "Huisartsenpraktijk";
        School => "school", "School";
        Jgz => "jgz", "Jeugdgezondheidszorg (JGZ)";
        VeiligThuis => "veilig_thuis", "Veilig Thuis";
        GecertificeerdeInstelling => "gecertificeerde_instelling", "Gecertificeerde instelling";
        Zorgaanbieder => "zorgaanbieder", "Zorgaanbieder";
        Woningcorporatie => "woningcorporatie", "Woningcorporatie";
        Welzijn => "welzijn", "Welzijnsorganisatie";
        Other => "other", "Andere organisatie";
    }
}

closed_set! {
    /// The professional register a registration number belongs to.
    ProfessionalRegister {
        Skj => "skj", "SKJ-register";
        Big => "big", "BIG-register";
    }
}

/// The identifiers an organisation may carry, each in its own form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identifier {
    /// AGB-code (Vektis): 8 digits.
    Agb,
    /// KvK-nummer: 8 digits.
    Kvk,
    /// Organisatie-identificatienummer (Logius): 20 digits.
    Oin,
    /// BRIN-nummer of a school: 2 digits and 2 letters or digits.
    Brin,
}

impl Identifier {
    /// Check one identifier; blank is `Ok(None)`.
    pub fn parse(self, raw: Option<&str>) -> Result<Option<String>, crate::FieldError> {
        let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        let text = text.to_uppercase();
        let digits = |n: usize| text.len() == n && text.bytes().all(|b| b.is_ascii_digit());
        let valid = match self {
            Identifier::Agb | Identifier::Kvk => digits(8),
            Identifier::Oin => digits(20),
            Identifier::Brin => {
                text.len() == 4
                    && text.as_bytes()[..2].iter().all(u8::is_ascii_digit)
                    && text.as_bytes()[2..].iter().all(u8::is_ascii_alphanumeric)
            }
        };
        if valid {
            Ok(Some(text))
        } else {
            Err(crate::FieldError::IdentifierInvalid)
        }
    }

    /// Which identifiers apply to an organisation of this kind (others are refused).
    pub fn applies_to(self, kind: OrganisationKind) -> bool {
        use OrganisationKind as K;
        match self {
            Identifier::Kvk => kind != K::Municipality,
            Identifier::Oin => true,
            Identifier::Agb => matches!(
                kind,
                K::Huisarts
                    | K::Jgz
                    | K::Zorgaanbieder
                    | K::GecertificeerdeInstelling
                    | K::TeamProvider
            ),
            Identifier::Brin => kind == K::School,
        }
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

    #[test]
    fn identifiers_have_their_form_and_their_kinds() {
        assert_eq!(
            Identifier::Agb.parse(Some(" 01234567 ")),
            Ok(Some("01234567".into()))
        );
        assert_eq!(
            Identifier::Agb.parse(Some("1234567")),
            Err(crate::FieldError::IdentifierInvalid)
        );
        assert_eq!(
            Identifier::Brin.parse(Some("12ab")),
            Ok(Some("12AB".into()))
        );
        assert_eq!(
            Identifier::Brin.parse(Some("1ABC")),
            Err(crate::FieldError::IdentifierInvalid)
        );
        assert_eq!(
            Identifier::Oin.parse(Some("00000001234567890000")),
            Ok(Some("00000001234567890000".into()))
        );
        assert_eq!(Identifier::Kvk.parse(Some("")), Ok(None));
        assert!(Identifier::Brin.applies_to(OrganisationKind::School));
        assert!(!Identifier::Brin.applies_to(OrganisationKind::Huisarts));
        assert!(Identifier::Agb.applies_to(OrganisationKind::Huisarts));
        assert!(!Identifier::Kvk.applies_to(OrganisationKind::Municipality));
    }
}
