//! A resident: names, birth date, BSN and contact details, each parsed once.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::field::FieldError;

/// Burgerservicenummer: nine digits that pass the elfproef.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Bsn(String);

impl Bsn {
    /// The elfproef: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 must be a multiple of 11 (and not 0).
    /// Eight-digit numbers are historic BSNs written without their leading zero.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let compact: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .collect();
        if compact.is_empty() {
            return Err(FieldError::Required);
        }
        if !(8..=9).contains(&compact.len()) || !compact.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::BsnInvalid);
        }
        let digits = format!("{compact:0>9}");
        let sum: i64 = digits
            .bytes()
            .enumerate()
            .map(|(i, b)| {
                let d = i64::from(b - b'0');
                if i == 8 {
                    -d
                } else {
                    d * (9 - i as i64)
                }
            })
            .sum();
        if sum == 0 || sum % 11 != 0 {
            return Err(FieldError::BsnInvalid);
        }
        Ok(Bsn(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Only the last three digits, for screens that need recognition, not identification.
    pub fn masked(&self) -> String {
        format!("******{}", &self.0[6..])
    }
}

/// A birth date between 1900-01-01 and today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BirthDate(NaiveDate);

impl BirthDate {
    pub fn parse(raw: &str, today: NaiveDate) -> Result<Self, FieldError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(FieldError::Required);
        }
        let date = crate::field::date(raw)?;
        if date.year() < 1900 {
            return Err(FieldError::DateBefore1900);
        }
        if date > today {
            return Err(FieldError::DateInFuture);
        }
        Ok(BirthDate(date))
    }

    pub fn date(self) -> NaiveDate {
        self.0
    }

    /// Age in whole years on `on`.
    pub fn age_on(self, on: NaiveDate) -> u32 {
        let mut years = on.year() - self.0.year();
        if (on.month(), on.day()) < (self.0.month(), self.0.day()) {
            years -= 1;
        }
        years.max(0) as u32
    }
}

impl std::fmt::Display for BirthDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

/// A name part: trimmed, 1–100 characters.
pub fn parse_name(raw: &str) -> Result<String, FieldError> {
    crate::field::required_text(raw, 100)
}

/// A light check: one `@` with text on both sides and a dot in the domain.
pub fn parse_email(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(text) = crate::field::optional_text(raw, 254)? else {
        return Ok(None);
    };
    match text.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !text.contains(' ') =>
        {
            Ok(Some(text))
        }
        _ => Err(FieldError::EmailInvalid),
    }
}

/// Digits with optional `+`, spaces and dashes; 10 to 15 digits.
pub fn parse_phone(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(text) = crate::field::optional_text(raw, 32)? else {
        return Ok(None);
    };
    let allowed = text
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || matches!(c, ' ' | '-') || (c == '+' && i == 0));
    let digits = text.chars().filter(char::is_ascii_digit).count();
    if allowed && (10..=15).contains(&digits) {
        Ok(Some(text))
    } else {
        Err(FieldError::PhoneInvalid)
    }
}

crate::closed_set! {
    /// Gender as the iStandaarden record it (LDT_Geslacht): 0 unknown, 1 male, 2 female.
    Gender {
        Unknown => "0", "Onbekend";
        Male => "1", "Man";
        Female => "2", "Vrouw";
    }
}

crate::closed_set! {
    /// A pace of communication that needs the professional's attention.
    Pace {
        Lvb => "lvb", "Licht verstandelijke beperking (LVB): korte zinnen, één ding tegelijk";
        Nah => "nah", "Niet-aangeboren hersenletsel (NAH): rustig tempo, alles op papier";
    }
}

/// A voorvoegsel (`van`, `de`, `van der`): lowercase words, at most 10 characters.
pub fn parse_name_prefix(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(text) = crate::field::optional_text(raw, 10)? else {
        return Ok(None);
    };
    if text
        .chars()
        .all(|c| c.is_alphabetic() || c == ' ' || c == '\'')
    {
        Ok(Some(text))
    } else {
        Err(FieldError::NotAllowed)
    }
}

/// Initials as letters with dots (`B.J.`); letters alone are given their dots.
pub fn parse_initials(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(text) = crate::field::optional_text(raw, 20)? else {
        return Ok(None);
    };
    let letters: Vec<char> = text.chars().filter(|c| *c != '.' && *c != ' ').collect();
    if letters.is_empty() || !letters.iter().all(|c| c.is_alphabetic()) {
        return Err(FieldError::NotAllowed);
    }
    Ok(Some(
        letters
            .iter()
            .map(|c| format!("{}.", c.to_uppercase()))
            .collect(),
    ))
}

/// How to talk with someone: language, an interpreter, a pace, and a note in the team's words.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunicationNeeds {
    /// A language code or name (`nl`, `ar`, `Tigrinya`), where it is not Dutch.
    pub language: Option<String>,
    pub interpreter: bool,
    pub pace: Option<Pace>,
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_and_prefixes_are_normalised() {
        assert_eq!(parse_initials(Some("bj")), Ok(Some("B.J.".into())));
        assert_eq!(parse_initials(Some("I. M.")), Ok(Some("I.M.".into())));
        assert_eq!(parse_initials(Some("B1")), Err(FieldError::NotAllowed));
        assert_eq!(
            parse_name_prefix(Some(" van der ")),
            Ok(Some("van der".into()))
        );
        assert_eq!(parse_name_prefix(Some("van3")), Err(FieldError::NotAllowed));
        assert_eq!(Gender::parse("2"), Ok(Gender::Female));
        assert!(Gender::parse("x").is_err());
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default()
    }

    #[test]
    fn bsn_elfproef_accepts_valid_numbers() {
        for valid in [
            "111222333",
            "123456782",
            "999999990",
            "1112.22.333",
            "12345672",
        ] {
            assert!(
                Bsn::parse(valid).is_ok(),
                "{valid} should pass the elfproef"
            );
        }
        assert_eq!(
            Bsn::parse("12345672").map(|b| b.as_str().to_owned()),
            Ok("012345672".into())
        );
    }

    #[test]
    fn bsn_elfproef_refuses_invalid_numbers() {
        for invalid in [
            "123456789",
            "111222334",
            "000000000",
            "12345678a",
            "1234567",
            "1234567890",
        ] {
            assert_eq!(
                Bsn::parse(invalid),
                Err(FieldError::BsnInvalid),
                "{invalid}"
            );
        }
        assert_eq!(Bsn::parse("  "), Err(FieldError::Required));
    }

    #[test]
    fn bsn_is_masked_for_display() {
        assert_eq!(
            Bsn::parse("111222333").map(|b| b.masked()),
            Ok("******333".into())
        );
    }

    #[test]
    fn birth_date_between_1900_and_today() {
        assert!(BirthDate::parse("2018-05-01", today()).is_ok());
        assert!(BirthDate::parse("2026-11-23", today()).is_ok());
        assert!(BirthDate::parse("1900-01-01", today()).is_ok());
        assert_eq!(
            BirthDate::parse("2026-11-24", today()),
            Err(FieldError::DateInFuture)
        );
        assert_eq!(
            BirthDate::parse("1899-12-31", today()),
            Err(FieldError::DateBefore1900)
        );
        assert_eq!(
            BirthDate::parse("2023-02-29", today()),
            Err(FieldError::DateInvalid)
        );
        assert_eq!(
            BirthDate::parse("31-12-2000", today()),
            Err(FieldError::DateInvalid)
        );
    }

    #[test]
    fn age_counts_whole_years_including_leap_day_births() {
        let Ok(born) = BirthDate::parse("2008-02-29", today()) else {
            panic!("valid date refused");
        };
        let on = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        assert_eq!(born.age_on(on(2026, 2, 28)), 17);
        assert_eq!(born.age_on(on(2026, 3, 1)), 18);
    }

    #[test]
    fn email_and_phone_are_checked_lightly() {
        assert_eq!(
            parse_email(Some("ingrid@example.nl")),
            Ok(Some("ingrid@example.nl".into()))
        );
        assert_eq!(parse_email(Some("ingrid@")), Err(FieldError::EmailInvalid));
        assert_eq!(parse_email(None), Ok(None));
        assert_eq!(
            parse_phone(Some("06-12345678")),
            Ok(Some("06-12345678".into()))
        );
        assert_eq!(
            parse_phone(Some("+31 6 1234 5678")),
            Ok(Some("+31 6 1234 5678".into()))
        );
        assert_eq!(parse_phone(Some("12ab")), Err(FieldError::PhoneInvalid));
    }
}
