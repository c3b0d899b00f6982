//! Relations between persons, and between a person and an organisation: ouder, voogd,
//! bewindvoerder, ... with gezag per adult–child pair, each valid for a period.
//!
//! A relation reads "the other is the `kind` of the person": Milan's relation of kind
//! `ouder` to Bas says that Bas is Milan's parent.

use chrono::NaiveDate;

use crate::closed_set;
use crate::field::FieldErrors;
use crate::org::OrganisationKind;
use crate::FieldError;

closed_set! {
    /// What the other is to the person.
    RelationKind {
        Ouder => "ouder", "Ouder";
        Stiefouder => "stiefouder", "Stiefouder";
        Pleegouder => "pleegouder", "Pleegouder";
        Voogd => "voogd", "Voogd";
        Grootouder => "grootouder", "Grootouder";
        BroerZus => "broer_zus", "Broer of zus";
        Partner => "partner", "Partner";
        Curator => "curator", "Curator";
        Mentor => "mentor", "Mentor";
        Bewindvoerder => "bewindvoerder", "Bewindvoerder";
        Clientondersteuner => "clientondersteuner", "Cliëntondersteuner";
        InformeleSteun => "informele_steun", "Informele steunfiguur";
        Other => "other", "Anders";
    }
}

impl RelationKind {
    /// Those who may hold gezag (parental authority) over a minor.
    pub fn may_hold_gezag(self) -> bool {
        matches!(
            self,
            RelationKind::Ouder
                | RelationKind::Stiefouder
                | RelationKind::Pleegouder
                | RelationKind::Voogd
        )
    }

    /// Those who represent an adult in law (curatele, mentorschap, beschermingsbewind).
    pub fn represents_adult(self) -> bool {
        matches!(
            self,
            RelationKind::Curator | RelationKind::Mentor | RelationKind::Bewindvoerder
        )
    }

    /// Which kinds of organisation can be the other side of this relation.
    pub fn allows_organisation(self, kind: OrganisationKind) -> bool {
        match self {
            // Voogdij by an organisation is a gecertificeerde instelling's task.
            RelationKind::Voogd => kind == OrganisationKind::GecertificeerdeInstelling,
            RelationKind::Curator
            | RelationKind::Mentor
            | RelationKind::Bewindvoerder
            | RelationKind::Clientondersteuner
            | RelationKind::Other => true,
            _ => false,
        }
    }
}

/// From a date, up to and including an optional end date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

impl Period {
    pub fn overlaps(&self, other: &Period) -> bool {
        let starts_before_other_ends = other.to.is_none_or(|to| self.from <= to);
        let other_starts_before_this_ends = self.to.is_none_or(|to| other.from <= to);
        starts_before_other_ends && other_starts_before_this_ends
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && self.to.is_none_or(|to| day <= to)
    }
}

/// The other side of a relation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Other {
    Person { id: String, birth_date: NaiveDate },
    Organisation { id: String, kind: OrganisationKind },
}

/// A relation that exists already for the same person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    pub to_person_id: Option<String>,
    pub to_organisation_id: Option<String>,
    pub gezag: bool,
    pub period: Period,
}

/// A relation to be recorded for `person_id`, born on `birth_date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRelation {
    pub person_id: String,
    pub birth_date: NaiveDate,
    pub kind: RelationKind,
    pub other: Other,
    pub gezag: bool,
    pub period: Period,
}

/// Age in whole years on a day.
fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    use chrono::Datelike;
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

pub fn is_minor_on(birth: NaiveDate, day: NaiveDate) -> bool {
    age_on(birth, day) < 18
}

/// The rules for a new relation, with the field each refusal belongs to.
pub fn check(new: &NewRelation, existing: &[Existing]) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    if new.period.to.is_some_and(|to| to < new.period.from) {
        errors.add("valid_to", FieldError::BeforeStart);
    }
    match &new.other {
        Other::Person { id, .. } if *id == new.person_id => {
            errors.add("to_person_id", FieldError::SelfRelation);
        }
        Other::Organisation { kind, .. } if !new.kind.allows_organisation(*kind) => {
            errors.add("to_organisation_id", FieldError::NotAllowed);
        }
        _ => {}
    }
    if new.gezag {
        let adult_other = match &new.other {
            Other::Person { birth_date, .. } => !is_minor_on(*birth_date, new.period.from),
            Other::Organisation { kind, .. } => {
                *kind == OrganisationKind::GecertificeerdeInstelling
            }
        };
        if !new.kind.may_hold_gezag()
            || !adult_other
            || !is_minor_on(new.birth_date, new.period.from)
        {
            errors.add("gezag", FieldError::GezagNotForRelation);
        } else {
            let (to_person, to_organisation) = match &new.other {
                Other::Person { id, .. } => (Some(id.as_str()), None),
                Other::Organisation { id, .. } => (None, Some(id.as_str())),
            };
            let overlapping = existing.iter().any(|e| {
                e.gezag
                    && e.to_person_id.as_deref() == to_person
                    && e.to_organisation_id.as_deref() == to_organisation
                    && e.period.overlaps(&new.period)
            });
            if overlapping {
                errors.add("valid_from", FieldError::OverlappingGezag);
            }
        }
    }
    errors.into_result()
}

/// Does a relation give gezag on a day? Gezag ends when the child turns 18.
pub fn holds_gezag_on(
    gezag: bool,
    period: &Period,
    child_birth: NaiveDate,
    day: NaiveDate,
) -> bool {
    gezag && period.contains(day) && is_minor_on(child_birth, day)
}

closed_set! {
    /// Why a membership of a household ended.
    MembershipEnd {
        MovedOut => "moved_out", "Verhuisd";
        Deceased => "deceased", "Overleden";
        Other => "other", "Anders";
    }
}

/// A current member of a household, for the composition rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub person_id: String,
    pub birth_date: NaiveDate,
}

/// Would ending `leaving`'s membership on `day` leave minors without an adult in the household?
pub fn leaves_children_alone(members: &[Member], leaving: &str, day: NaiveDate) -> bool {
    let staying = members.iter().filter(|m| m.person_id != leaving);
    let (mut adults, mut minors) = (0, 0);
    for m in staying {
        if is_minor_on(m.birth_date, day) {
            minors += 1;
        } else {
            adults += 1;
        }
    }
    minors > 0 && adults == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn period(from: &str, to: Option<&str>) -> Period {
        Period {
            from: d(from),
            to: to.map(d),
        }
    }

    fn milan_ouder(other: &str, gezag: bool, from: &str, to: Option<&str>) -> NewRelation {
        NewRelation {
            person_id: "milan".into(),
            birth_date: d("2018-05-02"),
            kind: RelationKind::Ouder,
            other: Other::Person {
                id: other.into(),
                birth_date: d("1991-03-14"),
            },
            gezag,
            period: period(from, to),
        }
    }

    fn codes(result: Result<(), FieldErrors>) -> Vec<(String, &'static str)> {
        match result {
            Ok(()) => Vec::new(),
            Err(errors) => errors
                .iter()
                .map(|(path, e)| (path.to_owned(), e.code()))
                .collect(),
        }
    }

    #[test]
    fn relation_rules() {
        let gezag_bas = Existing {
            to_person_id: Some("bas".into()),
            to_organisation_id: None,
            gezag: true,
            period: period("2018-05-02", Some("2024-12-31")),
        };
        let gi = |kind| Other::Organisation {
            id: "gi".into(),
            kind,
        };
        type Case<'a> = (&'a str, NewRelation, Vec<(&'a str, &'a str)>);
        let cases: Vec<Case<'_>> = vec![
            (
                "parent with gezag",
                milan_ouder("bas", true, "2025-01-01", None),
                vec![],
            ),
            (
                "gezag overlapping the same pair",
                milan_ouder("bas", true, "2024-06-01", None),
                vec![("valid_from", "overlapping_gezag")],
            ),
            (
                "another adult may hold gezag too",
                milan_ouder("ingrid", true, "2020-01-01", None),
                vec![],
            ),
            (
                "a relation to oneself",
                milan_ouder("milan", false, "2020-01-01", None),
                vec![("to_person_id", "self_relation")],
            ),
            (
                "an end before the start",
                milan_ouder("bas", false, "2020-01-01", Some("2019-01-01")),
                vec![("valid_to", "before_start")],
            ),
            (
                "gezag over an adult",
                NewRelation {
                    birth_date: d("1990-01-01"),
                    ..milan_ouder("bas", true, "2025-01-01", None)
                },
                vec![("gezag", "gezag_not_for_relation")],
            ),
            (
                "gezag for a grandparent",
                NewRelation {
                    kind: RelationKind::Grootouder,
                    ..milan_ouder("opa", true, "2025-01-01", None)
                },
                vec![("gezag", "gezag_not_for_relation")],
            ),
            (
                "a gecertificeerde instelling as voogd with gezag",
                NewRelation {
                    kind: RelationKind::Voogd,
                    other: gi(OrganisationKind::GecertificeerdeInstelling),
                    ..milan_ouder("", true, "2025-01-01", None)
                },
                vec![],
            ),
            (
                "a school is no voogd",
                NewRelation {
                    kind: RelationKind::Voogd,
                    other: gi(OrganisationKind::School),
                    ..milan_ouder("", false, "2025-01-01", None)
                },
                vec![("to_organisation_id", "not_allowed")],
            ),
            (
                "a bewindvoerder may be an organisation",
                NewRelation {
                    kind: RelationKind::Bewindvoerder,
                    other: gi(OrganisationKind::Other),
                    ..milan_ouder("", false, "2025-01-01", None)
                },
                vec![],
            ),
        ];
        for (name, new, expected) in cases {
            let expected: Vec<(String, &str)> = expected
                .into_iter()
                .map(|(p, c)| (p.to_owned(), c))
                .collect();
            assert_eq!(
                codes(check(&new, std::slice::from_ref(&gezag_bas))),
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn gezag_ends_at_eighteen() {
        let p = period("2018-05-02", None);
        assert!(holds_gezag_on(true, &p, d("2018-05-02"), d("2036-05-01")));
        assert!(!holds_gezag_on(true, &p, d("2018-05-02"), d("2036-05-02")));
        assert!(!holds_gezag_on(false, &p, d("2018-05-02"), d("2030-01-01")));
    }

    #[test]
    fn the_last_adult_cannot_leave_children_alone() {
        let members = vec![
            Member {
                person_id: "ingrid".into(),
                birth_date: d("1983-08-01"),
            },
            Member {
                person_id: "fenna".into(),
                birth_date: d("2020-02-01"),
            },
        ];
        assert!(leaves_children_alone(&members, "ingrid", d("2026-11-24")));
        assert!(!leaves_children_alone(&members, "fenna", d("2026-11-24")));
        assert!(!leaves_children_alone(
            &members[..1],
            "nobody",
            d("2026-11-24")
        ));
    }
}
