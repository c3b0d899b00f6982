//! "Contacten en tijd": every contact with the household, the basishulp minutes, and
//! keep-alive contact (waakvlam).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use spil_app::contacts::{ContactInput, ContactView};
use spil_app::worklist::WaakvlamInput;
use spil_app::AppError;
use spil_domain::contact::ContactKind;
use spil_domain::FieldErrors;

use super::forms::{dutch_date, household_title, text, FieldView, FormErrors};
use super::{render, Layout, PageError, WebUser};
use crate::AppState;

struct ContactRow {
    date: String,
    kind: String,
    minutes: i64,
    participants: String,
    note: Option<String>,
    sensitive: bool,
    author: String,
}

#[derive(Template)]
#[template(path = "contacts.html")]
struct ContactsPage {
    layout: Layout,
    household_id: String,
    title: String,
    contacts: Vec<ContactRow>,
    total: String,
    errors: Vec<(String, String)>,
    fields: Vec<FieldView>,
    sensitive: bool,
    waakvlam_fields: Vec<FieldView>,
}

fn hours(minutes: i64) -> String {
    format!("{} uur en {} minuten", minutes / 60, minutes % 60)
}

async fn build(
    state: &AppState,
    user: &WebUser,
    id: &str,
    submitted: Option<(&HashMap<String, String>, &FieldErrors)>,
) -> Result<ContactsPage, PageError> {
    let actor = &user.session.actor;
    let household = state
        .app
        .household(actor, id)
        .await
        .map_err(|e| user.household_error(id, e))?;
    let contacts: Vec<ContactView> = state
        .app
        .contacts(actor, id)
        .await
        .map_err(|e| user.household_error(id, e))?;
    let empty = HashMap::new();
    let (values, field_errors) = match submitted {
        Some((values, errors)) => (values, errors.clone()),
        None => (&empty, FieldErrors::new()),
    };
    let form_errors = FormErrors::new(&field_errors, |path| {
        path.split('[').next().unwrap_or(path).to_owned()
    });
    let fill = |mut f: FieldView, default: &str| {
        f.value = values
            .get(&f.name)
            .cloned()
            .unwrap_or_else(|| default.to_owned());
        f.error = form_errors.of(&f.name);
        f
    };
    let today = spil_app::today().to_string();
    let fields = vec![
        fill(
            FieldView::new("kind", "Soort contact", "select")
                .required()
                .options(
                    ContactKind::ALL
                        .iter()
                        .map(|k| (k.key().to_owned(), k.label().to_owned()))
                        .collect(),
                ),
            "",
        ),
        fill(FieldView::new("date", "Datum", "date").required(), &today),
        fill(
            FieldView::new("minutes", "Tijd in minuten", "number")
                .required()
                .hint("Inclusief voorbereiding en verslag; hoogstens 1440 (een hele dag)."),
            "",
        ),
        fill(
            FieldView::new("participants", "Wie waren erbij", "text")
                .hint("Namen met een komma ertussen, bijvoorbeeld: Ingrid, Bas"),
            "",
        ),
        fill(FieldView::new("note", "Notitie", "textarea"), ""),
    ];
    let waakvlam_fields = vec![
        fill(
            FieldView::new("interval_days", "Elke hoeveel dagen contact", "number")
                .required()
                .hint("Bijvoorbeeld 42 voor elke zes weken."),
            "42",
        ),
        fill(FieldView::new("until", "Tot en met", "date").required(), ""),
    ];
    let total: i64 = contacts.iter().map(|c| c.minutes).sum();
    Ok(ContactsPage {
        layout: Layout::for_session(&user.session, ""),
        household_id: id.to_owned(),
        title: household_title(&household),
        contacts: contacts
            .into_iter()
            .map(|c| ContactRow {
                date: dutch_date(&c.date),
                kind: ContactKind::parse(&c.kind)
                    .map(|k| k.label().to_owned())
                    .unwrap_or(c.kind),
                minutes: c.minutes,
                participants: c.participants.join(", "),
                note: c.note,
                sensitive: c.sensitive,
                author: c.author,
            })
            .collect(),
        total: hours(total),
        errors: form_errors
            .summary_in_order(fields.iter().map(|f| (f.name.as_str(), f.label.clone()))),
        fields,
        sensitive: values.get("sensitive").is_some(),
        waakvlam_fields,
    })
}

pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    axum::extract::Query(saved): axum::extract::Query<super::SavedQuery>,
) -> Result<Response, PageError> {
    let mut page = build(&state, &user, &id, None).await?;
    page.layout.notice = saved.notice();
    Ok(render(&page)?.into_response())
}

pub async fn add(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    user.check_form(&values)?;
    let minutes = text(&values, "minutes");
    let input = ContactInput {
        kind: text(&values, "kind"),
        date: text(&values, "date"),
        // Not a number: -1 is refused with the same message as a negative number.
        minutes: minutes.parse().unwrap_or(-1),
        participants: text(&values, "participants")
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
        note: text(&values, "note"),
        sensitive: Some(values.contains_key("sensitive")),
        // One checkbox per member: `present_<person id>`.
        present: values
            .keys()
            .filter_map(|k| k.strip_prefix("present_"))
            .map(str::to_owned)
            .collect(),
    };
    match state
        .app
        .add_contact(&user.session.actor, &id, &input)
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/huishoudens/{id}/contacten?opgeslagen=contact"))
                .into_response(),
        ),
        Err(AppError::Invalid(errors)) => {
            let page = build(&state, &user, &id, Some((&values, &errors))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(user.household_error(&id, other)),
    }
}

pub async fn waakvlam(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    user.check_form(&values)?;
    let input = WaakvlamInput {
        interval_days: text(&values, "interval_days").parse().unwrap_or(0),
        until: text(&values, "until"),
    };
    match state
        .app
        .set_waakvlam(&user.session.actor, &id, &input)
        .await
    {
        Ok(()) => Ok(
            Redirect::to(&format!("/huishoudens/{id}/contacten?opgeslagen=waakvlam"))
                .into_response(),
        ),
        Err(AppError::Invalid(errors)) => {
            let page = build(&state, &user, &id, Some((&values, &errors))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(user.household_error(&id, other)),
    }
}
