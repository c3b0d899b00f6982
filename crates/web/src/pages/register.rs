//! "Nieuwe aanmelding": one form for the question, the referrer, the address and the members.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use spil_app::views::*;
use spil_app::AppError;
use spil_domain::household::Relation;
use spil_domain::registration::{Route, Urgency};
use spil_domain::FieldErrors;

use super::forms::{optional, FieldView, FormErrors};
use super::{render, Layout, PageError, WebUser};
use crate::AppState;

/// Member rows on the form; a household with more members is completed later.
const MEMBER_ROWS: usize = 5;

pub struct MemberRows {
    index: usize,
    legend: String,
    fields: Vec<FieldView>,
    authority: bool,
}

pub struct DuplicateNote {
    description: String,
    household_id: Option<String>,
    /// For a match the professional may see: the form field and person id that attach the
    /// known person to the new household instead of a new record.
    link: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    layout: Layout,
    errors: Vec<(String, String)>,
    duplicates: Vec<DuplicateNote>,
    question_fields: Vec<FieldView>,
    referrer_fields: Vec<FieldView>,
    address_fields: Vec<FieldView>,
    members: Vec<MemberRows>,
    feedback_consent: bool,
}

fn options<T: Copy>(
    all: &[T],
    key: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    blank: Option<&str>,
) -> Vec<(String, String)> {
    blank
        .map(|b| (String::new(), b.to_owned()))
        .into_iter()
        .chain(
            all.iter()
                .map(|v| (key(*v).to_owned(), label(*v).to_owned())),
        )
        .collect()
}

/// Form field name for an input path of `RegistrationInput`, so errors land next to their field.
fn form_name(path: &str) -> String {
    if let Some(rest) = path.strip_prefix("members[") {
        if let Some((index, field)) = rest.split_once("].") {
            return format!("m{index}_{field}");
        }
    }
    match path {
        "household.members" => "m0_given_name".into(),
        "household" => "street".into(),
        other => other.rsplit('.').next().unwrap_or(other).to_owned(),
    }
}

fn referrer_form_name(path: &str) -> Option<String> {
    path.strip_prefix("referrer.")
        .map(|f| format!("referrer_{f}"))
}

fn build_page(
    layout: Layout,
    values: &HashMap<String, String>,
    errors: &FieldErrors,
    duplicates: Vec<DuplicateNote>,
) -> RegisterPage {
    let form_errors = FormErrors::new(errors, |path| {
        referrer_form_name(path).unwrap_or_else(|| form_name(path))
    });
    let fill = |mut f: FieldView| {
        f.value = values.get(&f.name).cloned().unwrap_or_default();
        f.error = form_errors.of(&f.name);
        f
    };
    let question_fields = vec![
        fill(
            FieldView::new(
                "question",
                "Wat is de vraag of zorg, in de woorden van de inwoner?",
                "textarea",
            )
            .required(),
        ),
        fill(
            FieldView::new("route", "Hoe kwam de aanmelding binnen?", "select")
                .required()
                .options(options(
                    Route::ALL,
                    Route::key,
                    Route::label,
                    Some("Kies een route"),
                )),
        ),
        fill(
            FieldView::new("urgency", "Urgentie", "select").options(options(
                Urgency::ALL,
                Urgency::key,
                Urgency::label,
                None,
            )),
        ),
    ];
    let referrer_fields = vec![
        fill(FieldView::new("referrer_name", "Naam van de verwijzer", "text").autocomplete("off")),
        fill(FieldView::new("referrer_organisation", "Organisatie", "text").autocomplete("off")),
        fill(
            FieldView::new(
                "referrer_contact",
                "Telefoon of e-mail van de verwijzer",
                "text",
            )
            .autocomplete("off"),
        ),
    ];
    let address_fields = vec![
        fill(
            FieldView::new("street", "Straat", "text")
                .required()
                .autocomplete("off"),
        ),
        fill(
            FieldView::new("house_number", "Huisnummer", "text")
                .required()
                .autocomplete("off"),
        ),
        fill(
            FieldView::new("postcode", "Postcode", "text")
                .required()
                .hint("Bijvoorbeeld 7121 AB")
                .autocomplete("off"),
        ),
        fill(
            FieldView::new("city", "Plaats", "text")
                .required()
                .autocomplete("off"),
        ),
        fill(
            FieldView::new("buurt_code", "CBS-buurtcode", "text")
                .hint("BU en 8 cijfers, bijvoorbeeld BU01970001")
                .autocomplete("off"),
        ),
    ];
    let members: Vec<MemberRows> = (0..MEMBER_ROWS)
        .map(|i| MemberRows {
            index: i,
            legend: if i == 0 {
                "Persoon 1".into()
            } else {
                format!("Persoon {} (als die er is)", i + 1)
            },
            fields: vec![
                fill(
                    FieldView::new(format!("m{i}_given_name"), "Voornaam", "text")
                        .autocomplete("off"),
                ),
                fill(
                    FieldView::new(format!("m{i}_family_name"), "Achternaam", "text")
                        .autocomplete("off"),
                ),
                fill(
                    FieldView::new(format!("m{i}_birth_date"), "Geboortedatum", "date")
                        .hint("Bijvoorbeeld 31-03-2015 (dag-maand-jaar)"),
                ),
                fill(
                    FieldView::new(format!("m{i}_bsn"), "BSN", "text")
                        .hint("9 cijfers")
                        .autocomplete("off"),
                ),
                fill(
                    FieldView::new(
                        format!("m{i}_relation"),
                        "Relatie in het huishouden",
                        "select",
                    )
                    .options(options(
                        Relation::ALL,
                        Relation::key,
                        Relation::label,
                        None,
                    )),
                ),
            ],
            authority: values
                .get(&format!("m{i}_authority"))
                .is_some_and(|v| v == "1"),
        })
        .collect();
    let in_order = question_fields
        .iter()
        .chain(&referrer_fields)
        .chain(&address_fields)
        .map(|f| (f.name.as_str(), f.label.clone()))
        .chain(members.iter().flat_map(|m| {
            m.fields.iter().map(|f| {
                (
                    f.name.as_str(),
                    format!("Persoon {}, {}", m.index + 1, f.label),
                )
            })
        }))
        .collect::<Vec<_>>();
    let errors = form_errors.summary_in_order(in_order);
    RegisterPage {
        layout,
        errors,
        duplicates,
        question_fields,
        referrer_fields,
        address_fields,
        members,
        feedback_consent: values.get("feedback_consent").is_some_and(|v| v == "1"),
    }
}

pub async fn form(user: WebUser) -> Result<Html<String>, PageError> {
    let layout = Layout::for_session(&user.session, "register");
    render(&build_page(
        layout,
        &HashMap::new(),
        &FieldErrors::new(),
        Vec::new(),
    ))
}

fn value(values: &HashMap<String, String>, name: &str) -> String {
    values.get(name).cloned().unwrap_or_default()
}

/// The form as the same input the API takes, so both are validated by one use case.
fn to_input(values: &HashMap<String, String>) -> RegistrationInput {
    let members = (0..MEMBER_ROWS)
        .filter(|i| {
            ["given_name", "family_name", "birth_date", "bsn"]
                .iter()
                .any(|f| optional(values, &format!("m{i}_{f}")).is_some())
        })
        .map(|i| MemberInput {
            // "This is the same person": attach the known person instead of a new record.
            person_id: optional(values, &format!("m{i}_link")),
            given_name: value(values, &format!("m{i}_given_name")),
            family_name: value(values, &format!("m{i}_family_name")),
            birth_date: value(values, &format!("m{i}_birth_date")),
            bsn: optional(values, &format!("m{i}_bsn")),
            relation: value(values, &format!("m{i}_relation")),
            parental_authority: Some(
                values
                    .get(&format!("m{i}_authority"))
                    .is_some_and(|v| v == "1"),
            ),
            phone: None,
            email: None,
            // The professional ticked "checked: someone else" after seeing the matches.
            confirm_bsn_known: Some(values.get("confirm_new").is_some_and(|v| v == "1")),
            gender: optional(values, &format!("m{i}_gender")),
            name_prefix: optional(values, &format!("m{i}_name_prefix")),
            ..MemberInput::default()
        })
        .collect();
    let referrer = ReferrerInput {
        name: optional(values, "referrer_name"),
        organisation: optional(values, "referrer_organisation"),
        contact: optional(values, "referrer_contact"),
    };
    RegistrationInput {
        feedback_consent: Some(values.get("feedback_consent").is_some_and(|v| v == "1")),
        route: value(values, "route"),
        referrer: Some(referrer),
        question: value(values, "question"),
        urgency: optional(values, "urgency"),
        received_at: None,
        household_id: None,
        household: Some(NewHouseholdInput {
            address: AddressInput {
                street: value(values, "street"),
                house_number: value(values, "house_number"),
                postcode: value(values, "postcode"),
                city: value(values, "city"),
                buurt_code: optional(values, "buurt_code"),
            },
            members,
        }),
    }
}

/// Rows of the form whose members are empty are skipped, so error paths must be mapped back
/// from the index among filled rows to the row on the form.
fn remap_member_errors(values: &HashMap<String, String>, errors: FieldErrors) -> FieldErrors {
    let filled: Vec<usize> = (0..MEMBER_ROWS)
        .filter(|i| {
            ["given_name", "family_name", "birth_date", "bsn"]
                .iter()
                .any(|f| optional(values, &format!("m{i}_{f}")).is_some())
        })
        .collect();
    super::forms::remap_rows(errors, "members", &filled)
}

pub async fn submit(
    State(state): State<AppState>,
    user: WebUser,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    user.check_form(&values)?;
    let layout = Layout::for_session(&user.session, "register");
    let input = to_input(&values);
    let actor = &user.session.actor;

    if values.get("confirm_new").map(String::as_str) != Some("1") {
        let found = state.app.possible_duplicates(actor, &input).await?;
        if !found.is_empty() {
            let notes = found
                .into_iter()
                .map(|d| {
                    let how = if d.matched_on == "bsn" {
                        "zelfde BSN"
                    } else {
                        "zelfde naam en geboortedatum"
                    };
                    let description = match (&d.given_name, &d.family_name, &d.birth_date) {
                        (Some(given), Some(family), Some(born)) if d.visible => format!(
                            "{given} {family}, geboren {}: {how}",
                            super::forms::dutch_date(born)
                        ),
                        _ => format!(
                            "Persoon {} is mogelijk al bekend ({how}) in een huishouden dat u niet kunt openen. Neem contact op met het toegangsteam voordat u een nieuw huishouden aanmaakt.",
                            d.member_index + 1
                        ),
                    };
                    DuplicateNote {
                        link: d
                            .person_id
                            .clone()
                            .filter(|_| d.visible)
                            .map(|p| (format!("m{}_link", d.member_index), p)),
                        description,
                        household_id: d.household_id,
                    }
                })
                .collect();
            let page = build_page(layout, &values, &FieldErrors::new(), notes);
            return Ok((axum::http::StatusCode::CONFLICT, render(&page)?).into_response());
        }
    }
    match state.app.register(actor, &input).await {
        Ok(created) => Ok(Redirect::to(&format!(
            "/huishoudens/{}?aangemeld=1",
            created.household_id
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = build_page(
                layout,
                &values,
                &remap_member_errors(&values, errors),
                Vec::new(),
            );
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_paths_map_to_form_fields() {
        assert_eq!(form_name("members[2].bsn"), "m2_bsn");
        assert_eq!(form_name("household.address.postcode"), "postcode");
        assert_eq!(form_name("question"), "question");
        assert_eq!(
            referrer_form_name("referrer.contact"),
            Some("referrer_contact".into())
        );
    }

    #[test]
    fn empty_member_rows_are_skipped_and_errors_land_on_the_right_row() {
        let values: HashMap<String, String> = [("m2_given_name", "Fenna"), ("m2_bsn", "123")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let input = to_input(&values);
        assert_eq!(input.household.as_ref().map(|h| h.members.len()), Some(1));
        let mut errors = FieldErrors::new();
        errors.add("members[0].bsn", spil_domain::FieldError::BsnInvalid);
        let mapped = remap_member_errors(&values, errors);
        assert!(mapped.0.contains_key("members[2].bsn"));
    }
}
