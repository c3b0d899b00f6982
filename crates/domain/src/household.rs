//! A household (huishouden): the people who share a home, and the address they share.

use serde::{Deserialize, Serialize};

use crate::closed_set;
use crate::field::{required_text, FieldError};

/// A Dutch postcode, stored as `1234 AB`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Postcode(String);

impl Postcode {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let compact: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        if compact.is_empty() {
            return Err(FieldError::Required);
        }
        let bytes = compact.as_bytes();
        let valid = bytes.len() == 6
            && bytes[0] != b'0'
            && bytes[..4].iter().all(u8::is_ascii_digit)
            && bytes[4..].iter().all(u8::is_ascii_uppercase)
            // SA, SD and SS are never issued.
            && !matches!(&compact[4..], "SA" | "SD" | "SS");
        if !valid {
            return Err(FieldError::PostcodeInvalid);
        }
        Ok(Postcode(format!("{} {}", &compact[..4], &compact[4..])))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A CBS neighbourhood code: `BU` and eight digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BuurtCode(String);

impl BuurtCode {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let code = raw.trim().to_uppercase();
        let valid = code.len() == 10
            && code.starts_with("BU")
            && code[2..].bytes().all(|b| b.is_ascii_digit());
        if valid {
            Ok(BuurtCode(code))
        } else {
            Err(FieldError::BuurtCodeInvalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// House number with optional addition (`12`, `12a`, `12-3`), 1–16 characters, starting with a digit.
pub fn parse_house_number(raw: &str) -> Result<String, FieldError> {
    let text = required_text(raw, 16)?;
    if text.starts_with(|c: char| c.is_ascii_digit() && c != '0') {
        Ok(text)
    } else {
        Err(FieldError::NotAllowed)
    }
}

/// A parsed address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub street: String,
    pub house_number: String,
    pub postcode: Postcode,
    pub city: String,
    pub buurt_code: Option<BuurtCode>,
}

closed_set! {
    /// How a member relates to the household.
    Relation {
        Parent => "parent", "Ouder";
        Child => "child", "Kind";
        Partner => "partner", "Partner";
        Other => "other", "Anders";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcode_is_normalised_and_checked() {
        assert_eq!(
            Postcode::parse("7121ab").map(|p| p.as_str().to_owned()),
            Ok("7121 AB".into())
        );
        assert_eq!(
            Postcode::parse(" 7121 AB ").map(|p| p.as_str().to_owned()),
            Ok("7121 AB".into())
        );
        for bad in ["0121AB", "712AB", "7121 SS", "7121 A1", "71211AB"] {
            assert_eq!(
                Postcode::parse(bad),
                Err(FieldError::PostcodeInvalid),
                "{bad}"
            );
        }
        assert_eq!(Postcode::parse(""), Err(FieldError::Required));
    }

    #[test]
    fn buurt_code_is_bu_and_eight_digits() {
        assert!(BuurtCode::parse("BU01970000").is_ok());
        assert!(BuurtCode::parse("bu01970000").is_ok());
        for bad in ["WK019700", "BU0197000", "BU0197000X", "XX01970000"] {
            assert_eq!(
                BuurtCode::parse(bad),
                Err(FieldError::BuurtCodeInvalid),
                "{bad}"
            );
        }
    }

    #[test]
    fn relation_parses_only_known_keys() {
        assert_eq!(Relation::parse("child"), Ok(Relation::Child));
        assert!(matches!(
            Relation::parse("cousin"),
            Err(FieldError::Unknown { .. })
        ));
        assert_eq!(Relation::parse(""), Err(FieldError::Required));
    }

    #[test]
    fn house_number_starts_with_a_digit() {
        assert_eq!(parse_house_number("12a"), Ok("12a".into()));
        assert_eq!(parse_house_number("a12"), Err(FieldError::NotAllowed));
    }
}
