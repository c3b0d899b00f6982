//! "Zoeken": find a household or person the professional may see.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use spil_app::search::{HitKind, SearchResult};
use spil_app::AppError;

use super::{render, Layout, PageError, WebUser};
use crate::AppState;

/// Results per page.
const PAGE: usize = 25;

pub fn router() -> Router<AppState> {
    Router::new().route("/zoeken", get(page))
}

#[derive(Debug, Deserialize)]
struct SearchForm {
    q: Option<String>,
    vanaf: Option<usize>,
}

struct Row {
    href: String,
    kind: &'static str,
    name: String,
    birth_date: String,
    address: String,
}

#[derive(Template)]
#[template(path = "search/results.html")]
struct SearchPage {
    layout: Layout,
    q: String,
    error: Option<String>,
    rows: Vec<Row>,
    summary: String,
    previous: Option<String>,
    next: Option<String>,
    searched: bool,
}

fn row(r: SearchResult) -> Row {
    let (href, kind) = match r.kind {
        HitKind::Person => (format!("/huishoudens/{}", r.household_id), "Persoon"),
        HitKind::Household => (format!("/huishoudens/{}", r.household_id), "Huishouden"),
    };
    Row {
        href,
        kind,
        name: if r.name.is_empty() {
            "(zonder naam)".into()
        } else {
            r.name
        },
        birth_date: r
            .birth_date
            .as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .map(|d| d.format("%d-%m-%Y").to_string())
            .unwrap_or_default(),
        address: r.address,
    }
}

fn link(q: &str, from: usize) -> String {
    let encoded: String = form_urlencoded::byte_serialize(q.as_bytes()).collect();
    format!("/zoeken?q={encoded}&vanaf={from}")
}

async fn page(
    State(state): State<AppState>,
    user: WebUser,
    Query(form): Query<SearchForm>,
) -> Result<Html<String>, PageError> {
    let q = form.q.unwrap_or_default();
    let offset = form.vanaf.unwrap_or(0);
    let mut view = SearchPage {
        layout: Layout::for_session(&user.session, "search"),
        q: q.clone(),
        error: None,
        rows: Vec::new(),
        summary: String::new(),
        previous: None,
        next: None,
        searched: !q.trim().is_empty(),
    };
    if view.searched {
        match state
            .app
            .search(&user.session.actor, &q, PAGE, offset)
            .await
        {
            Ok(found) => {
                let shown = found.results.len();
                view.summary = match (found.total, found.truncated) {
                    (0, _) => format!("Niemand gevonden voor \u{201c}{q}\u{201d} bij wie u mag kijken."),
                    (_, true) => format!(
                        "Meer dan {} gevonden. Zoek preciezer, bijvoorbeeld met een geboortedatum of postcode.",
                        found.total
                    ),
                    (1, _) => "1 gevonden.".into(),
                    (total, _) if total > shown => format!(
                        "{} tot en met {} van {} gevonden.",
                        offset + 1,
                        offset + shown,
                        total
                    ),
                    (total, _) => format!("{total} gevonden."),
                };
                view.previous = (offset > 0).then(|| link(&q, offset.saturating_sub(PAGE)));
                view.next = (offset + shown < found.total).then(|| link(&q, offset + PAGE));
                view.rows = found.results.into_iter().map(row).collect();
            }
            Err(AppError::Invalid(errors)) => {
                view.error = errors.0.values().next().map(|e| e.dutch());
            }
            Err(other) => return Err(PageError::App(other, None)),
        }
    }
    render(&view)
}
