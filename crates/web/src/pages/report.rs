//! "Basishulp": minutes of support per team, month, household or professional — the figure
//! councils steer on. Per household and per professional only for a coordinator's own team.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use spil_app::AppError;

use spil_domain::access::{may_count, Grouping};

use super::forms::{FieldView, FormErrors};
use super::{render, ErrorContext, Layout, PageError, WebUser};
use crate::api::ReportQuery;
use crate::AppState;

struct Line {
    key: String,
    link: Option<String>,
    hours: String,
    contacts: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    layout: Layout,
    fields: Vec<FieldView>,
    errors: Vec<(String, String)>,
    heading: String,
    lines: Vec<Line>,
    total: String,
    /// Why some cells say "minder dan N".
    withheld_note: Option<String>,
}

/// 1,5 — hours with a decimal comma.
fn dutch_number(hours: f64) -> String {
    format!("{hours:.1}").replace('.', ",")
}

pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let today = spil_app::today();
    let from = if q.from.trim().is_empty() {
        format!("{}-01-01", today.format("%Y"))
    } else {
        q.from.trim().to_owned()
    };
    let to = if q.to.trim().is_empty() {
        today.to_string()
    } else {
        q.to.trim().to_owned()
    };
    let group_by = if q.group_by.is_empty() {
        "team".to_owned()
    } else {
        q.group_by.clone()
    };
    let layout = Layout::for_session(&user.session, "report");
    let (report, field_errors) = match state
        .app
        .basishulp_report(&user.session.actor, &from, &to, &group_by)
        .await
    {
        Ok(report) => (Some(report), None),
        Err(AppError::Invalid(errors)) => (None, Some(errors)),
        Err(other) => return Err(PageError::App(other, ErrorContext::boxed(layout, ""))),
    };
    let form_errors = field_errors
        .map(|errors| FormErrors::new(&errors, str::to_owned))
        .unwrap_or_default();
    let mut fields = vec![
        FieldView::new("from", "Van", "date").required(),
        FieldView::new("to", "Tot en met", "date").required(),
        // Only the groupings the gate would answer: no choice that ends in 403.
        FieldView::new("group_by", "Per", "select").options(
            [
                (Grouping::Team, "team", "Team"),
                (Grouping::Month, "month", "Maand"),
                (
                    Grouping::Municipality,
                    "municipality",
                    "Gemeente (hele regio)",
                ),
                (Grouping::Household, "household", "Huishouden (eigen team)"),
                (
                    Grouping::Professional,
                    "professional",
                    "Professional (eigen team)",
                ),
            ]
            .into_iter()
            .filter(|(g, _, _)| may_count(&user.session.actor, *g))
            .map(|(_, key, label)| (key.to_owned(), label.to_owned()))
            .collect(),
        ),
    ];
    for (f, value) in fields.iter_mut().zip([&from, &to, &group_by]) {
        f.value = value.clone();
        f.error = form_errors.of(&f.name);
    }
    let errors = form_errors.summary;
    let withheld_note = report.as_ref().filter(|r| r.withheld > 0).map(|r| {
        format!(
            "Cellen met minder dan {} contacten tonen we niet, zodat geen cijfer naar een persoon wijst. Het totaal telt alleen de getoonde cellen.",
            r.suppression_threshold
        )
    });
    let (lines, total, heading) = match &report {
        Some(r) => (
            r.rows
                .iter()
                .map(|row| Line {
                    link: (r.group_by == "household").then(|| format!("/huishoudens/{}", row.key)),
                    key: row.key.clone(),
                    hours: row
                        .hours
                        .map(dutch_number)
                        .unwrap_or_else(|| "niet getoond".into()),
                    contacts: row
                        .contacts
                        .map(|c| c.to_string())
                        .unwrap_or_else(|| format!("minder dan {}", r.suppression_threshold)),
                })
                .collect(),
            dutch_number(r.total_hours),
            format!(
                "Basishulp van {} tot en met {}",
                super::forms::dutch_date(&r.from),
                super::forms::dutch_date(&r.to)
            ),
        ),
        None => (Vec::new(), String::new(), "Basishulp".to_owned()),
    };
    let page = render(&ReportPage {
        layout,
        fields,
        errors,
        heading,
        lines,
        total,
        withheld_note,
    })?;
    let status = if report.is_some() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, page).into_response())
}
