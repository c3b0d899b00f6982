//! Keep-alive contact (waakvlamcontact): low-intensity periodic contact after active support,
//! or while a household waits for specialised care.

use chrono::{Duration, NaiveDate};

/// When the next keep-alive contact is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub due_on: NaiveDate,
    pub overdue: bool,
}

/// The next contact is due `interval_days` after the latest contact (or after the start when
/// there was none since); nothing is due after `until`.
pub fn next_due(
    start: NaiveDate,
    last_contact: Option<NaiveDate>,
    interval_days: i64,
    until: NaiveDate,
    today: NaiveDate,
) -> Option<Due> {
    let from = match last_contact {
        Some(contact) if contact > start => contact,
        _ => start,
    };
    let due_on = from + Duration::days(interval_days);
    if due_on > until {
        return None;
    }
    Some(Due {
        due_on,
        overdue: due_on < today,
    })
}

/// Due within the coming week (or already overdue).
pub fn due_this_week(due: Due, today: NaiveDate) -> bool {
    due.due_on <= today + Duration::days(7)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn the_interval_runs_from_the_latest_contact_across_month_ends_and_leap_days() {
        let until = d(2030, 1, 1);
        // Six weeks from 31 January 2028 (a leap year) is 13 March.
        assert_eq!(
            next_due(d(2028, 1, 31), None, 42, until, d(2028, 2, 1)).map(|x| x.due_on),
            Some(d(2028, 3, 13))
        );
        // 30 days after 30 January 2028 is 29 February.
        assert_eq!(
            next_due(d(2028, 1, 30), None, 30, until, d(2028, 2, 1)).map(|x| x.due_on),
            Some(d(2028, 2, 29))
        );
        // In 2027 the same lands on 1 March.
        assert_eq!(
            next_due(d(2027, 1, 30), None, 30, until, d(2027, 2, 1)).map(|x| x.due_on),
            Some(d(2027, 3, 1))
        );
        // A contact restarts the interval.
        assert_eq!(
            next_due(
                d(2026, 10, 1),
                Some(d(2026, 11, 20)),
                42,
                until,
                d(2026, 11, 23)
            )
            .map(|x| x.due_on),
            Some(d(2027, 1, 1))
        );
        // A contact before the start does not.
        assert_eq!(
            next_due(
                d(2026, 10, 1),
                Some(d(2026, 9, 1)),
                14,
                until,
                d(2026, 10, 2)
            )
            .map(|x| x.due_on),
            Some(d(2026, 10, 15))
        );
    }

    #[test]
    fn overdue_and_this_week_and_the_end() {
        let today = d(2026, 11, 23);
        let due = next_due(d(2026, 10, 1), None, 42, d(2027, 6, 1), today);
        assert_eq!(
            due,
            Some(Due {
                due_on: d(2026, 11, 12),
                overdue: true
            })
        );
        let soon = next_due(d(2026, 10, 20), None, 40, d(2027, 6, 1), today);
        assert!(soon.is_some_and(|x| !x.overdue && due_this_week(x, today)));
        let later = next_due(d(2026, 11, 20), None, 42, d(2027, 6, 1), today);
        assert!(later.is_some_and(|x| !due_this_week(x, today)));
        assert_eq!(
            next_due(d(2026, 11, 1), None, 42, d(2026, 12, 1), today),
            None,
            "past the end date"
        );
    }
}
