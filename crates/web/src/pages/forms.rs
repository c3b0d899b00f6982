//! Small helpers for forms and Dutch display.

use std::collections::HashMap;

use spil_domain::registration::{Route, Urgency};
use spil_domain::trajectory::{TeamRole, TrajectoryStatus};

/// One labelled form field as the `_field.html` partial draws it.
pub struct FieldView {
    pub name: String,
    pub label: String,
    pub kind: &'static str,
    pub value: String,
    pub required: bool,
    /// In a new, empty row that may stay empty: neither `required` nor "(niet verplicht)"
    /// per field; the row's legend says it may be left empty.
    pub in_empty_row: bool,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub autocomplete: Option<&'static str>,
    pub options: Vec<(String, String)>,
}

impl FieldView {
    pub fn new(name: impl Into<String>, label: impl Into<String>, kind: &'static str) -> Self {
        FieldView {
            name: name.into(),
            label: label.into(),
            kind,
            value: String::new(),
            required: false,
            in_empty_row: false,
            hint: None,
            error: None,
            autocomplete: None,
            options: Vec::new(),
        }
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Mark the field as part of a row that may be left empty.
    pub fn in_row(mut self, empty: bool) -> Self {
        if empty {
            self.in_empty_row = true;
            self.required = false;
        }
        self
    }

    pub fn hint(mut self, hint: &str) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn autocomplete(mut self, value: &'static str) -> Self {
        self.autocomplete = Some(value);
        self
    }

    pub fn options(mut self, options: Vec<(String, String)>) -> Self {
        self.options = options;
        self
    }
}

/// The latest registration's urgency in words, and whether it is urgent (shown as a tag).
pub fn urgency_of(urgency: Option<&str>) -> (String, bool) {
    (
        urgency.map(urgency_label).unwrap_or_default(),
        urgency == Some("urgent"),
    )
}

pub fn status_label(key: &str) -> String {
    TrajectoryStatus::parse(key)
        .map(|s| s.label().to_owned())
        .unwrap_or_else(|_| key.to_owned())
}

pub fn team_role_label(key: &str) -> String {
    TeamRole::parse(key)
        .map(|r| r.label().to_owned())
        .unwrap_or_else(|_| key.to_owned())
}

pub fn urgency_label(key: &str) -> String {
    Urgency::parse(key)
        .map(|u| u.label().to_owned())
        .unwrap_or_else(|_| key.to_owned())
}

pub fn route_label(key: &str) -> String {
    Route::parse(key)
        .map(|r| r.label().to_owned())
        .unwrap_or_else(|_| key.to_owned())
}

/// "23-11-2026 14:05" in Dutch local time.
pub fn dutch_datetime(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::Amsterdam)
        .format("%d-%m-%Y %H:%M")
        .to_string()
}

pub fn dutch_date(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%d-%m-%Y").to_string())
        .unwrap_or_else(|_| iso.to_owned())
}

/// A form field's trimmed value, empty when absent.
pub fn text(values: &HashMap<String, String>, name: &str) -> String {
    values
        .get(name)
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

/// A form field's trimmed value, `None` when absent or empty.
pub fn optional(values: &HashMap<String, String>, name: &str) -> Option<String> {
    Some(text(values, name)).filter(|v| !v.is_empty())
}

/// Field errors as a form shows them: a summary linking to each field, and the message beside it.
#[derive(Default)]
pub struct FormErrors {
    pub summary: Vec<(String, String)>,
    by_name: HashMap<String, String>,
}

impl FormErrors {
    /// `field` names the form field for an input path (`members[0].bsn` → `m0_bsn`).
    pub fn new(errors: &spil_domain::FieldErrors, field: impl Fn(&str) -> String) -> Self {
        let mut form = FormErrors::default();
        for (path, error) in errors.iter() {
            let name = field(path);
            form.summary.push((name.clone(), error.dutch()));
            form.by_name.entry(name).or_insert_with(|| error.dutch());
        }
        form
    }

    /// The summary in the page's order, each message naming its field ("Persoon 2,
    /// Geboortedatum: …"): `fields` are (form name, label) as the page shows them, top to
    /// bottom. Errors of fields not on the list follow.
    pub fn summary_in_order<'a>(
        &self,
        fields: impl IntoIterator<Item = (&'a str, String)>,
    ) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for (name, label) in fields {
            if let Some(message) = self.by_name.get(name) {
                if !out.iter().any(|(n, _)| n == name) {
                    out.push((name.to_owned(), format!("{label}: {message}")));
                }
            }
        }
        for (name, message) in &self.summary {
            if !out.iter().any(|(n, _)| n == name) {
                out.push((name.clone(), message.clone()));
            }
        }
        out
    }

    /// The message for one form field.
    pub fn of(&self, name: &str) -> Option<String> {
        self.by_name.get(name).cloned()
    }
}

/// How pages name a household: the family name of its first adult (or first member).
pub fn household_title(household: &spil_app::views::HouseholdView) -> String {
    household
        .members
        .iter()
        .find(|m| m.relation != "child")
        .or(household.members.first())
        .map(|m| m.family_name.clone())
        .unwrap_or_default()
}

/// Form rows left empty are not sent on, so an error at `list[k]` belongs to the k-th filled
/// row: map it back to the row on the form.
pub fn remap_rows(
    errors: spil_domain::FieldErrors,
    list: &str,
    filled: &[usize],
) -> spil_domain::FieldErrors {
    let prefix = format!("{list}[");
    let mut mapped = spil_domain::FieldErrors::new();
    for (path, error) in errors.0 {
        let path = match path.strip_prefix(&prefix).and_then(|r| r.split_once(']')) {
            Some((n, rest)) => match n.parse::<usize>().ok().and_then(|n| filled.get(n)) {
                Some(row) => format!("{list}[{row}]{rest}"),
                None => path.clone(),
            },
            None => path,
        };
        mapped.add(path, error);
    }
    mapped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_time_follows_summer_and_winter_time() {
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .map(|d| d.with_timezone(&chrono::Utc))
                .unwrap_or_default()
        };
        assert_eq!(
            dutch_datetime(&at("2026-11-23T13:05:00Z")),
            "23-11-2026 14:05"
        );
        assert_eq!(
            dutch_datetime(&at("2026-07-01T13:05:00Z")),
            "01-07-2026 15:05"
        );
        // 2026: summer time starts 29 March 01:00 UTC.
        assert_eq!(
            dutch_datetime(&at("2026-03-29T00:59:00Z")),
            "29-03-2026 01:59"
        );
        assert_eq!(
            dutch_datetime(&at("2026-03-29T01:00:00Z")),
            "29-03-2026 03:00"
        );
    }

    #[test]
    fn dates_are_shown_day_first() {
        assert_eq!(dutch_date("2018-05-01"), "01-05-2018");
    }
}
