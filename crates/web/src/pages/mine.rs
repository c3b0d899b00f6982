//! "Mijn huishoudens": this week's to-dos, the households I work for and my team's queue,
//! filtered and ordered (unsafe and urgent first unless asked otherwise), a page at a time.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;
use spil_app::views::HouseholdSummary;
use spil_domain::listing::{ListFilter, RawFilter, SafetyFilter, Sort};
use spil_domain::registration::Urgency;
use spil_domain::trajectory::TrajectoryStatus;

use super::{forms, render, Layout, PageError, WebUser};
use crate::AppState;

struct MineRow {
    id: String,
    names: String,
    address: String,
    role: String,
    regisseur: String,
    status: String,
    urgency: String,
    urgent: bool,
    /// The intake's safety level in words; empty when no worries were recorded.
    safety: String,
    unsafe_: bool,
    received: String,
    waiting: String,
}

#[derive(Template)]
#[template(path = "mine/page.html")]
struct MinePage {
    layout: Layout,
    pager: Pager,
    own: Vec<MineRow>,
    queue: Vec<MineRow>,
    todo: Vec<Todo>,
    filter: FilterForm,
    errors: Vec<String>,
}

/// Where a paged list stands, and links to the pages beside it.
struct Pager {
    summary: String,
    previous: Option<String>,
    next: Option<String>,
}

/// One line of "this week": what, for which household, when, and whether it is late.
struct Todo {
    household_id: String,
    anchor: &'static str,
    what: String,
    address: String,
    when: String,
    late: bool,
}

fn todo_list(worklist: spil_app::worklist::Worklist) -> Vec<Todo> {
    let mut todo: Vec<Todo> = worklist
        .evaluations_due
        .into_iter()
        .map(|e| Todo {
            anchor: "doelen",
            what: format!("Evaluatie: {}", e.goal),
            address: e.address,
            when: forms::dutch_date(&e.due_on),
            late: e.overdue,
            household_id: e.household_id,
        })
        .chain(worklist.waakvlam_due.into_iter().map(|w| Todo {
            anchor: "",
            what: "Waakvlamcontact".into(),
            address: w.address,
            when: forms::dutch_date(&w.due_on),
            late: w.overdue,
            household_id: w.household_id,
        }))
        .collect();
    todo.extend(worklist.plans_not_agreed.into_iter().map(|p| Todo {
        anchor: "akkoord",
        what: format!(
            "Plan versie {}: {}",
            p.version,
            p.state.label().to_lowercase()
        ),
        address: p.address,
        when: String::new(),
        late: false,
        household_id: p.household_id,
    }));
    todo
}

/// The filter form as it was sent, to draw it again with the choices made.
#[derive(Debug, Default, Deserialize)]
pub struct MineQuery {
    overgedragen: Option<String>,
    /// Rows to skip: the list is shown a page at a time.
    vanaf: Option<i64>,
    fase: Option<String>,
    urgentie: Option<String>,
    veiligheid: Option<String>,
    regisseur: Option<String>,
    te_doen: Option<String>,
    volgorde: Option<String>,
}

/// The filter form's selects: (name, label, options, chosen).
pub struct FilterForm {
    selects: Vec<FilterSelect>,
    due: bool,
    /// The query string of the filters (without the page), for the pager's links.
    query: String,
    narrows: bool,
}

struct FilterSelect {
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    chosen: String,
}

/// Households per page of "Mijn huishoudens".
const MINE_PAGE: i64 = 50;

fn choices<T: Copy>(
    all: &[T],
    key: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    any: &str,
) -> Vec<(String, String)> {
    std::iter::once((String::new(), any.to_owned()))
        .chain(
            all.iter()
                .map(|v| (key(*v).to_owned(), label(*v).to_owned())),
        )
        .collect()
}

impl MineQuery {
    fn raw(&self) -> RawFilter<'_> {
        RawFilter {
            phase: self.fase.as_deref(),
            urgency: self.urgentie.as_deref(),
            safety: self.veiligheid.as_deref(),
            regisseur: self.regisseur.as_deref(),
            due: self.te_doen.as_deref(),
            sort: self.volgorde.as_deref(),
        }
    }

    fn form(&self, narrows: bool) -> FilterForm {
        let chosen = |v: &Option<String>| v.clone().unwrap_or_default();
        let phases: Vec<TrajectoryStatus> = TrajectoryStatus::ALL
            .iter()
            .copied()
            .filter(|s| *s != TrajectoryStatus::Closed)
            .collect();
        let selects = vec![
            FilterSelect {
                name: "fase",
                label: "Fase",
                options: choices(
                    &phases,
                    TrajectoryStatus::key,
                    TrajectoryStatus::label,
                    "Alle fasen",
                ),
                chosen: chosen(&self.fase),
            },
            FilterSelect {
                name: "urgentie",
                label: "Urgentie",
                options: choices(Urgency::ALL, Urgency::key, Urgency::label, "Alle"),
                chosen: chosen(&self.urgentie),
            },
            FilterSelect {
                name: "veiligheid",
                label: "Veiligheid",
                options: choices(
                    SafetyFilter::ALL,
                    SafetyFilter::key,
                    SafetyFilter::label,
                    "Alle",
                ),
                chosen: chosen(&self.veiligheid),
            },
            FilterSelect {
                name: "regisseur",
                label: "Regisseur",
                options: vec![
                    (String::new(), "Iedereen".into()),
                    ("me".into(), "Ikzelf".into()),
                    ("none".into(), "Nog niet gekozen".into()),
                ],
                chosen: chosen(&self.regisseur),
            },
            FilterSelect {
                name: "volgorde",
                label: "Volgorde",
                options: Sort::ALL
                    .iter()
                    .map(|s| (s.key().to_owned(), s.label().to_owned()))
                    .collect(),
                chosen: chosen(&self.volgorde),
            },
        ];
        let due = self.te_doen.as_deref().is_some_and(|d| !d.is_empty());
        let mut pairs: Vec<(&str, String)> = selects
            .iter()
            .filter(|s| !s.chosen.is_empty())
            .map(|s| (s.name, s.chosen.clone()))
            .collect();
        if due {
            pairs.push(("te_doen", "ja".into()));
        }
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        FilterForm {
            selects,
            due,
            query,
            narrows,
        }
    }
}

/// What a refused filter is called on the page.
fn filter_error(field: &str) -> String {
    let label = match field {
        "phase" => "Fase",
        "urgency" => "Urgentie",
        "safety" => "Veiligheid",
        "regisseur" => "Regisseur",
        "due" => "Te doen",
        _ => "Volgorde",
    };
    format!("{label}: kies een waarde uit de lijst. Het filter is niet toegepast.")
}

fn row(r: HouseholdSummary) -> MineRow {
    let safety = match r.safety_level.as_deref() {
        Some(level) => SafetyFilter::parse(level)
            .map(|s| s.label().to_owned())
            .unwrap_or_default(),
        None => String::new(),
    };
    MineRow {
        names: r.names.unwrap_or_else(|| "(zonder naam)".into()),
        address: r.address,
        role: r
            .my_role
            .as_deref()
            .map(forms::team_role_label)
            .unwrap_or_else(|| "coördinator".into()),
        regisseur: r.regisseur.unwrap_or_else(|| "nog niet gekozen".into()),
        status: r
            .status
            .as_deref()
            .map(forms::status_label)
            .unwrap_or_default(),
        urgency: forms::urgency_of(r.urgency.as_deref()).0,
        urgent: forms::urgency_of(r.urgency.as_deref()).1,
        unsafe_: matches!(
            r.safety_level.as_deref(),
            Some("onveilig" | "acuut_onveilig")
        ),
        safety: if safety == "Geen zorgen" {
            String::new()
        } else {
            safety
        },
        received: r
            .last_registration_at
            .map(|t| forms::dutch_datetime(&t))
            .unwrap_or_default(),
        waiting: r.waiting_days.map(waiting_words).unwrap_or_default(),
        id: r.id,
    }
}

/// "vandaag", "1 dag", "12 dagen".
pub fn waiting_words(days: i64) -> String {
    match days {
        0 => "vandaag binnen".into(),
        1 => "1 dag".into(),
        n => format!("{n} dagen"),
    }
}

pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    Query(q): Query<MineQuery>,
) -> Result<Html<String>, PageError> {
    let offset = q.vanaf.unwrap_or(0).max(0);
    let week_end = spil_domain::plan::end_of_week(spil_app::today()).to_string();
    let (filter, errors) = match ListFilter::parse(&q.raw(), &week_end) {
        Ok(filter) => (filter, Vec::new()),
        Err(errors) => (
            ListFilter::default(),
            errors
                .iter()
                .map(|(field, _)| filter_error(field))
                .collect(),
        ),
    };
    let (rows, total) = state
        .app
        .my_households(&user.session.actor, &filter, MINE_PAGE, offset)
        .await?;
    let form = q.form(filter.narrows());
    let shown = rows.len() as i64;
    let link = |from: i64| {
        if form.query.is_empty() {
            format!("/huishoudens?vanaf={from}")
        } else {
            format!("/huishoudens?{}&vanaf={from}", form.query)
        }
    };
    let pager = Pager {
        summary: if total > shown {
            format!(
                "Huishouden {} tot en met {} van {}",
                offset + 1,
                offset + shown,
                total
            )
        } else {
            String::new()
        },
        previous: (offset > 0).then(|| link((offset - MINE_PAGE).max(0))),
        next: (offset + shown < total).then(|| link(offset + MINE_PAGE)),
    };
    let (mut own, mut queue) = (Vec::new(), Vec::new());
    for r in rows {
        if r.my_role.is_none() && r.regisseur.is_none() {
            queue.push(row(r));
        } else {
            own.push(row(r));
        }
    }
    let todo = if user.session.actor.works_with_households() {
        todo_list(state.app.worklist(&user.session.actor).await?)
    } else {
        Vec::new()
    };
    let mut layout = Layout::for_session(&user.session, "mine");
    if q.overgedragen.is_some() {
        layout.notice = Some("Het huishouden is overgedragen aan de nieuwe regisseur.".into());
    }
    render(&MinePage {
        layout,
        pager,
        own,
        queue,
        todo,
        filter: form,
        errors,
    })
}
