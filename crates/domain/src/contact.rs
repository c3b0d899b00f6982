//! Contacts with a household and the time spent: basishulp hours are what councils steer on.

use crate::closed_set;
use crate::FieldError;

closed_set! {
    /// How the contact took place.
    ContactKind {
        Huisbezoek => "huisbezoek", "Huisbezoek";
        Telefonisch => "telefonisch", "Telefonisch";
        Kantoor => "kantoor", "Op kantoor";
        Online => "online", "Online";
        School => "school", "Op school";
        Overleg => "overleg", "Overleg met anderen";
        Mdo => "mdo", "Multidisciplinair overleg (MDO)";
    }
}

/// Minutes spent: 0 up to a whole day.
pub fn parse_minutes(minutes: i64) -> Result<i64, FieldError> {
    if (0..=24 * 60).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(FieldError::NotAllowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_are_between_zero_and_a_day() {
        assert_eq!(parse_minutes(0), Ok(0));
        assert_eq!(parse_minutes(1440), Ok(1440));
        assert_eq!(parse_minutes(-5), Err(FieldError::NotAllowed));
        assert_eq!(parse_minutes(1441), Err(FieldError::NotAllowed));
    }

    #[test]
    fn contact_kinds_parse() {
        assert_eq!(ContactKind::parse("mdo"), Ok(ContactKind::Mdo));
        assert!(ContactKind::parse("brief").is_err());
    }
}
