//! Field-level validation errors: a stable code for the API, a Dutch sentence for the UI.

use std::collections::BTreeMap;

/// Why one input field was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("required")]
    Required,
    #[error("too long (max {max} characters)")]
    TooLong { max: usize },
    #[error("BSN fails the elfproef")]
    BsnInvalid,
    #[error("not a date (YYYY-MM-DD)")]
    DateInvalid,
    #[error("date lies in the future")]
    DateInFuture,
    #[error("date lies before 1900")]
    DateBefore1900,
    #[error("not a Dutch postcode")]
    PostcodeInvalid,
    #[error("not a CBS buurt code")]
    BuurtCodeInvalid,
    #[error("not an e-mail address")]
    EmailInvalid,
    #[error("not a phone number")]
    PhoneInvalid,
    #[error("unknown value; allowed: {allowed}")]
    Unknown { allowed: &'static str },
    #[error("at least one is needed")]
    Empty,
    #[error("not allowed here")]
    NotAllowed,
    #[error("not a member of this household")]
    NotAMember,
    #[error("not a goal of this household's plan")]
    UnknownGoal,
    #[error("date lies before the plan started")]
    BeforePlanStart,
    #[error("contains a control character or a bidirectional override")]
    ControlCharacter,
    #[error("lies before the start of the period")]
    BeforeStart,
    #[error("this BSN belongs to a person Spil knows already")]
    BsnKnown,
    #[error("date lies before the trajectory began")]
    BeforeTrajectory,
    #[error("the postcode lies outside the region")]
    OutsideRegion,
    #[error("a person cannot be related to themselves")]
    SelfRelation,
    #[error("overlaps gezag this adult already holds over this child")]
    OverlappingGezag,
    #[error("gezag belongs only to a parent, step-parent, foster parent or guardian of a minor")]
    GezagNotForRelation,
    #[error("the children need a household to live in")]
    ChildrenNeedHome,
    #[error("not an identifier of this kind")]
    IdentifierInvalid,
    #[error("exactly one of the two is needed")]
    OneOfTwo,
    #[error("the team does not serve this municipality")]
    NotServed,
    #[error("a search needs at least two letters or digits")]
    SearchTooShort,
}

impl FieldError {
    /// The stable code the API returns in `error.fields`.
    pub fn code(&self) -> &'static str {
        match self {
            FieldError::Required => "required",
            FieldError::TooLong { .. } => "too_long",
            FieldError::BsnInvalid => "bsn_invalid",
            FieldError::DateInvalid => "date_invalid",
            FieldError::DateInFuture => "date_in_future",
            FieldError::DateBefore1900 => "date_before_1900",
            FieldError::PostcodeInvalid => "postcode_invalid",
            FieldError::BuurtCodeInvalid => "buurt_code_invalid",
            FieldError::EmailInvalid => "email_invalid",
            FieldError::PhoneInvalid => "phone_invalid",
            FieldError::Unknown { .. } => "unknown_value",
            FieldError::Empty => "empty",
            FieldError::NotAllowed => "not_allowed",
            FieldError::NotAMember => "not_a_member",
            FieldError::UnknownGoal => "unknown_goal",
            FieldError::BeforePlanStart => "before_plan_start",
            FieldError::ControlCharacter => "control_character",
            FieldError::BeforeStart => "before_start",
            FieldError::BsnKnown => "bsn_known",
            FieldError::BeforeTrajectory => "before_trajectory",
            FieldError::OutsideRegion => "outside_region",
            FieldError::SelfRelation => "self_relation",
            FieldError::OverlappingGezag => "overlapping_gezag",
            FieldError::GezagNotForRelation => "gezag_not_for_relation",
            FieldError::ChildrenNeedHome => "children_need_home",
            FieldError::IdentifierInvalid => "identifier_invalid",
            FieldError::OneOfTwo => "one_of_two",
            FieldError::NotServed => "not_served",
            FieldError::SearchTooShort => "search_too_short",
        }
    }

    /// Plain Dutch (B1) for the form next to the field.
    pub fn dutch(&self) -> String {
        match self {
            FieldError::Required => "Vul dit veld in.".into(),
            FieldError::TooLong { max } => format!("Dit is te lang. Gebruik hoogstens {max} tekens."),
            FieldError::BsnInvalid => {
                "Dit BSN klopt niet. Controleer de 9 cijfers (het BSN voldoet niet aan de elfproef).".into()
            }
            FieldError::DateInvalid => "Dit is geen geldige datum. Schrijf de datum als 2015-03-31.".into(),
            FieldError::DateInFuture => "Deze datum ligt in de toekomst.".into(),
            FieldError::DateBefore1900 => "Deze datum ligt vóór 1900.".into(),
            FieldError::PostcodeInvalid => "Dit is geen geldige postcode. Voorbeeld: 7121 AB.".into(),
            FieldError::BuurtCodeInvalid => {
                "Dit is geen geldige buurtcode. Voorbeeld: BU01970000 (BU en 8 cijfers).".into()
            }
            FieldError::EmailInvalid => "Dit is geen geldig e-mailadres.".into(),
            FieldError::PhoneInvalid => "Dit is geen geldig telefoonnummer.".into(),
            FieldError::Unknown { .. } => "Kies een van de mogelijkheden.".into(),
            FieldError::Empty => "Voeg er minstens één toe.".into(),
            FieldError::NotAllowed => "Dit mag hier niet.".into(),
            FieldError::NotAMember => "Kies iemand uit het gezin.".into(),
            FieldError::UnknownGoal => "Kies een doel uit dit plan.".into(),
            FieldError::BeforePlanStart => "Deze datum ligt vóór de start van het plan.".into(),
            FieldError::BeforeStart => "Deze datum ligt vóór de begindatum.".into(),
            FieldError::BeforeTrajectory => "Deze datum ligt vóór de aanmelding van dit traject.".into(),
            FieldError::OutsideRegion => {
                "Deze postcode hoort niet bij een gemeente van deze regio. Controleer de postcode, of meld het huishouden aan bij de gemeente waar het woont.".into()
            }
            FieldError::SelfRelation => "Iemand kan geen relatie met zichzelf hebben.".into(),
            FieldError::OverlappingGezag => {
                "Deze volwassene heeft in deze periode al gezag over dit kind.".into()
            }
            FieldError::GezagNotForRelation => {
                "Gezag hoort alleen bij een ouder, stiefouder, pleegouder of voogd van een minderjarig kind.".into()
            }
            FieldError::ChildrenNeedHome => {
                "Dit is de laatste volwassene in het huishouden. Geef aan waar de kinderen nu wonen.".into()
            }
            FieldError::IdentifierInvalid => "Dit nummer heeft niet de goede vorm.".into(),
            FieldError::OneOfTwo => "Kies een persoon of een organisatie, niet allebei.".into(),
            FieldError::NotServed => "Uw team werkt niet voor deze gemeente.".into(),
            FieldError::SearchTooShort => {
                "Typ minstens 2 letters of cijfers om te zoeken, zonder * of %.".into()
            }
            FieldError::BsnKnown => {
                "Dit BSN is al bekend in Spil. Koppel de bekende persoon, of bevestig dat het om een aparte registratie gaat.".into()
            }
            FieldError::ControlCharacter => {
                "Hier staat een onzichtbaar stuurteken in. Typ de tekst opnieuw of plak hem als platte tekst.".into()
            }
        }
    }
}

/// All refused fields of one input, keyed by path (`members[0].bsn`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// At most this many fields are reported in one answer.
    pub const MAX: usize = 50;

    pub fn add(&mut self, path: impl Into<String>, error: FieldError) {
        let path = path.into();
        if self.0.len() < Self::MAX || self.0.contains_key(&path) {
            self.0.entry(path).or_insert(error);
        }
    }

    /// Parse one field; on failure remember the error under `path` and return `None`.
    pub fn check<T>(
        &mut self,
        path: impl Into<String>,
        result: Result<T, FieldError>,
    ) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.add(path, error);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &FieldError)> {
        self.0.iter()
    }
}

/// A date written strictly as YYYY-MM-DD: four, two and two digits (surrounding spaces
/// ignored). chrono alone would also take `2026-1-5` or `+2026-01-05`.
pub fn date(raw: &str) -> Result<chrono::NaiveDate, FieldError> {
    match raw.trim() {
        "" => Err(FieldError::Required),
        raw => {
            let b = raw.as_bytes();
            let shaped = b.len() == 10
                && b[4] == b'-'
                && b[7] == b'-'
                && b.iter()
                    .enumerate()
                    .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
            if !shaped {
                return Err(FieldError::DateInvalid);
            }
            chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| FieldError::DateInvalid)
        }
    }
}

/// Characters no text field may hold: C0 controls other than tab, newline and carriage
/// return, DEL, C1 controls, and the bidirectional overrides and isolates that make text read
/// differently from how it is stored. PostgreSQL refuses NUL outright; SQLite would store it.
pub fn is_forbidden_char(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Refuse text with a forbidden character.
pub fn plain(raw: &str) -> Result<&str, FieldError> {
    if raw.chars().any(is_forbidden_char) {
        Err(FieldError::ControlCharacter)
    } else {
        Ok(raw)
    }
}

/// Trimmed, non-empty text of bounded length.
pub fn required_text(raw: &str, max: usize) -> Result<String, FieldError> {
    let trimmed = plain(raw)?.trim();
    if trimmed.is_empty() {
        return Err(FieldError::Required);
    }
    if trimmed.chars().count() > max {
        return Err(FieldError::TooLong { max });
    }
    Ok(trimmed.to_owned())
}

/// Trimmed text of bounded length; empty becomes `None`.
pub fn optional_text(raw: Option<&str>, max: usize) -> Result<Option<String>, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => required_text(text, max).map(Some),
    }
}

/// Declares a closed set of values with stable snake_case keys and Dutch labels,
/// parsed once at the edge.
#[macro_export]
macro_rules! closed_set {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $key:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const KEYS: &'static str = concat!($($key, " "),+);

            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }

            /// Dutch label for the UI.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(raw: &str) -> Result<Self, $crate::FieldError> {
                match raw.trim() {
                    $($key => Ok($name::$variant),)+
                    "" => Err($crate::FieldError::Required),
                    _ => Err($crate::FieldError::Unknown { allowed: Self::KEYS }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.key())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_trims_and_refuses_blank_and_long() {
        assert_eq!(required_text("  Schulden ", 20), Ok("Schulden".into()));
        assert_eq!(required_text("   ", 20), Err(FieldError::Required));
        assert_eq!(
            required_text("abcdef", 5),
            Err(FieldError::TooLong { max: 5 })
        );
        assert_eq!(optional_text(Some(" "), 5), Ok(None));
    }

    #[test]
    fn dates_are_iso_and_required() {
        assert_eq!(
            date(" 2028-02-29 "),
            Ok(chrono::NaiveDate::from_ymd_opt(2028, 2, 29).unwrap_or_default())
        );
        assert_eq!(date("2027-02-29"), Err(FieldError::DateInvalid));
        assert_eq!(date("29-02-2028"), Err(FieldError::DateInvalid));
        for loose in [
            "2026-1-5",
            "2026-01-5",
            "+2026-01-05",
            "20260105",
            "2026/01/05",
            "２０２６-01-05",
        ] {
            assert_eq!(date(loose), Err(FieldError::DateInvalid), "{loose}");
        }
        assert_eq!(date(""), Err(FieldError::Required));
    }

    #[test]
    fn control_characters_and_bidi_overrides_are_refused_but_lines_are_not() {
        for bad in [
            "a\u{0}b",
            "Yil\u{202e}maz",
            "x\u{1b}[31m",
            "\u{2066}",
            "a\u{7f}",
        ] {
            assert_eq!(
                required_text(bad, 50),
                Err(FieldError::ControlCharacter),
                "{bad:?}"
            );
        }
        assert_eq!(
            required_text("regel 1\nregel 2\tklaar", 50).map(|t| t.len()),
            Ok(21)
        );
        assert!(required_text("Yılmaz عائشة Łukasz", 50).is_ok());
    }

    #[test]
    fn at_most_fifty_fields_are_reported() {
        let mut errors = FieldErrors::new();
        for i in 0..200 {
            errors.add(format!("members[{i}].bsn"), FieldError::BsnInvalid);
        }
        assert_eq!(errors.0.len(), FieldErrors::MAX);
    }

    #[test]
    fn field_errors_keep_the_first_error_per_path() {
        let mut errors = FieldErrors::new();
        errors.add("members[0].bsn", FieldError::BsnInvalid);
        errors.add("members[0].bsn", FieldError::Required);
        assert_eq!(
            errors.0.get("members[0].bsn"),
            Some(&FieldError::BsnInvalid)
        );
        assert!(errors.into_result().is_err());
    }
}
