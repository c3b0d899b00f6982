//! How a professional's lists are narrowed and ordered: typed filters parsed once at the edge,
//! so the store only ever sees known values.

use crate::closed_set;
use crate::registration::Urgency;
use crate::trajectory::TrajectoryStatus;
use crate::{FieldError, FieldErrors};

closed_set! {
    /// The order of a list of households.
    Sort {
        Priority => "priority", "Eerst onveilig en spoed";
        Newest => "newest", "Nieuwste aanmelding eerst";
        Oldest => "oldest", "Langst wachtend eerst";
        Address => "address", "Op adres";
    }
}

closed_set! {
    /// What the intake recorded about safety, as a list filter (with "not assessed" its own value).
    SafetyFilter {
        NotAssessed => "not_assessed", "Nog niet beoordeeld";
        NoWorries => "geen_zorgen", "Geen zorgen";
        Worries => "zorgen", "Zorgen";
        Unsafe => "onveilig", "Onveilig";
        AcutelyUnsafe => "acuut_onveilig", "Acuut onveilig";
    }
}

/// Whose households: unassigned ones, mine as regisseur, or a named colleague's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegisseurFilter {
    Unassigned,
    Me,
    /// A colleague, by username (the application resolves it to an account).
    Username(String),
}

/// The filters and order of "Mijn huishoudens" (and the coordinator's team list).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub phase: Option<TrajectoryStatus>,
    pub urgency: Option<Urgency>,
    pub safety: Option<SafetyFilter>,
    pub regisseur: Option<RegisseurFilter>,
    /// Only households with an evaluation or keep-alive contact due by this date (YYYY-MM-DD).
    pub due_by: Option<String>,
    /// `None` is the default order: unsafe and urgent first.
    pub sort: Option<Sort>,
}

/// The raw query values, as a form or the API sends them; empty means "no filter".
#[derive(Debug, Clone, Default)]
pub struct RawFilter<'a> {
    pub phase: Option<&'a str>,
    pub urgency: Option<&'a str>,
    pub safety: Option<&'a str>,
    pub regisseur: Option<&'a str>,
    pub due: Option<&'a str>,
    pub sort: Option<&'a str>,
}

fn given(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|r| !r.is_empty())
}

impl ListFilter {
    /// Parse every value, naming each field that is wrong. `due` is `true`/`false`; a due
    /// filter counts what is due up to `due_by` (the end of this week, say).
    pub fn parse(raw: &RawFilter<'_>, due_by: &str) -> Result<ListFilter, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut filter = ListFilter::default();
        if let Some(p) = given(raw.phase) {
            filter.phase = errors.check("phase", TrajectoryStatus::parse(p));
        }
        if let Some(u) = given(raw.urgency) {
            filter.urgency = errors.check("urgency", Urgency::parse(u));
        }
        if let Some(s) = given(raw.safety) {
            filter.safety = errors.check("safety", SafetyFilter::parse(s));
        }
        if let Some(r) = given(raw.regisseur) {
            filter.regisseur = match r {
                "none" => Some(RegisseurFilter::Unassigned),
                "me" => Some(RegisseurFilter::Me),
                name if name.len() <= 64
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c)) =>
                {
                    Some(RegisseurFilter::Username(name.to_owned()))
                }
                _ => {
                    errors.add("regisseur", FieldError::NotAllowed);
                    None
                }
            };
        }
        match given(raw.due) {
            None | Some("false") | Some("0") => {}
            Some("true") | Some("1") | Some("ja") => filter.due_by = Some(due_by.to_owned()),
            Some(_) => errors.add(
                "due",
                FieldError::Unknown {
                    allowed: "true false",
                },
            ),
        }
        if let Some(s) = given(raw.sort) {
            filter.sort = errors.check("sort", Sort::parse(s));
        }
        errors.into_result().map(|()| filter)
    }

    /// Whether any filter narrows the list (the order aside).
    pub fn narrows(&self) -> bool {
        self.phase.is_some()
            || self.urgency.is_some()
            || self.safety.is_some()
            || self.regisseur.is_some()
            || self.due_by.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_or_name_the_wrong_field() {
        let ok = ListFilter::parse(
            &RawFilter {
                phase: Some("plan"),
                urgency: Some("urgent"),
                safety: Some("not_assessed"),
                regisseur: Some("none"),
                due: Some("true"),
                sort: Some("oldest"),
            },
            "2026-12-06",
        );
        assert_eq!(
            ok,
            Ok(ListFilter {
                phase: Some(TrajectoryStatus::Plan),
                urgency: Some(Urgency::Urgent),
                safety: Some(SafetyFilter::NotAssessed),
                regisseur: Some(RegisseurFilter::Unassigned),
                due_by: Some("2026-12-06".into()),
                sort: Some(Sort::Oldest),
            })
        );
        let empty = ListFilter::parse(
            &RawFilter {
                phase: Some(""),
                sort: Some(" "),
                ..RawFilter::default()
            },
            "x",
        );
        assert_eq!(empty.as_ref().map(ListFilter::narrows), Ok(false));
        assert_eq!(empty.map(|f| f.sort), Ok(None));

        let Err(errors) = ListFilter::parse(
            &RawFilter {
                phase: Some("bijna klaar"),
                safety: Some("een beetje"),
                regisseur: Some("'; DROP TABLE"),
                due: Some("soms"),
                sort: Some("random"),
                urgency: Some("gisteren"),
            },
            "x",
        ) else {
            panic!("bad filters are refused");
        };
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        for field in ["phase", "safety", "regisseur", "due", "sort", "urgency"] {
            assert!(fields.contains(&field), "{field} is named: {fields:?}");
        }
    }
}
