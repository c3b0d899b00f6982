//! Server-rendered pages in Dutch. They work without JavaScript: plain links and forms,
//! each form carrying the session's CSRF token.

mod charts;
mod contacts;
mod forms;
mod household;
mod intake;
mod mine;
mod plan;
mod register;
mod report;
mod search;
mod team;

use askama::Template;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::Deserialize;
use spil_app::auth::{Session, SessionKind};
use spil_app::AppError;
use spil_domain::access::{may_audit, Denial};

use crate::error::denial_message;
use crate::AppState;

const SESSION_COOKIE: &str = "spil_session";
const LOGIN_CSRF_COOKIE: &str = "spil_login_csrf";

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(search::router())
        .merge(team::router())
        .route("/", get(home))
        .route("/inloggen", get(login_form).post(login))
        .route("/login", get(|| async { Redirect::permanent("/inloggen") }))
        .route("/robots.txt", get(robots))
        .route("/favicon.svg", get(favicon))
        .route(
            "/favicon.ico",
            get(|| async { Redirect::permanent("/favicon.svg") }),
        )
        .route("/uitloggen", post(logout))
        .route("/huishoudens", get(mine::page))
        .route("/aanmelden", get(register::form).post(register::submit))
        .route("/huishoudens/{id}", get(household::page))
        .route("/huishoudens/{id}/team", post(household::set_team))
        .route("/huishoudens/{id}/status", post(household::set_status))
        .route(
            "/huishoudens/{id}/noodtoegang",
            post(household::break_glass),
        )
        .route(
            "/huishoudens/{id}/uitvraag",
            get(intake::page).post(intake::save),
        )
        .route("/huishoudens/{id}/plan", get(plan::page).post(plan::save))
        .route(
            "/huishoudens/{id}/contacten",
            get(contacts::page).post(contacts::add),
        )
        .route("/huishoudens/{id}/waakvlam", post(contacts::waakvlam))
        .route("/huishoudens/{id}/plan.pdf", get(plan::pdf))
        .route("/huishoudens/{id}/plan/akkoord", post(plan::agree))
        .route("/huishoudens/{id}/evaluatie", post(plan::evaluate))
        .route("/basishulp", get(report::page))
        .route("/toegangscontrole", get(audit))
        .route("/beleid", get(policy))
        .route("/api/docs", get(api_docs))
        .route("/health", get(|| async { "ok" }))
}

/// What the layout shows around every page.
pub struct Layout {
    pub user: Option<String>,
    pub csrf: String,
    pub works_with_households: bool,
    pub may_audit: bool,
    /// A coordinator sees the team page.
    pub coordinates: bool,
    pub current: &'static str,
    pub notice: Option<String>,
    /// The municipality whose token theme the page wears.
    pub theme: String,
}

impl Layout {
    pub fn anonymous() -> Self {
        Layout {
            user: None,
            csrf: String::new(),
            works_with_households: false,
            may_audit: false,
            coordinates: false,
            current: "",
            notice: None,
            theme: String::new(),
        }
    }

    pub fn for_session(session: &Session, current: &'static str) -> Self {
        Layout {
            user: Some(session.display_name.clone()),
            csrf: session.csrf_token.clone(),
            works_with_households: session.actor.works_with_households(),
            may_audit: may_audit(&session.actor),
            coordinates: spil_domain::access::may_coordinate(&session.actor),
            current,
            notice: None,
            theme: session.actor.municipality_id.clone().unwrap_or_default(),
        }
    }
}

/// `?opgeslagen=<what>` after a save: the page confirms it in words.
#[derive(Debug, Default, Deserialize)]
pub struct SavedQuery {
    opgeslagen: Option<String>,
}

impl SavedQuery {
    pub fn notice(&self) -> Option<String> {
        let text = match self.opgeslagen.as_deref()? {
            "uitvraag" => "De brede uitvraag is opgeslagen.",
            "scores" => "De scores zijn opgeslagen.",
            "uitvraag_scores" => "De brede uitvraag en de scores zijn opgeslagen.",
            "voorstel" => "Het voorstel is gemaakt. U beslist.",
            "besluit" => "Uw besluit is vastgelegd.",
            "plan" => "Het plan is opgeslagen.",
            "akkoord" => "Het akkoord van het gezin is vastgelegd.",
            "evaluatie" => "De evaluatie is opgeslagen.",
            "contact" => "Het contact is vastgelegd.",
            "waakvlam" => "Het waakvlamcontact is ingesteld.",
            _ => "Opgeslagen.",
        };
        Some(text.to_owned())
    }
}

/// A signed-in browser user.
pub struct WebUser {
    pub session: Session,
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar
            .get(SESSION_COOKIE)
            .map(|c| c.value().to_owned())
            .ok_or(PageError::LoginRequired)?;
        match state.app.authenticate(&token, SessionKind::Web).await {
            Ok(session) => Ok(WebUser { session }),
            Err(AppError::Unauthenticated) => Err(PageError::LoginRequired),
            Err(other) => Err(PageError::App(other, None)),
        }
    }
}

impl WebUser {
    /// An error about one household, shown within the signed-in layout (offering
    /// break-the-glass where that applies).
    pub fn household_error(&self, household_id: &str, error: AppError) -> PageError {
        PageError::App(
            error,
            ErrorContext::boxed(Layout::for_session(&self.session, ""), household_id),
        )
    }

    /// `check_csrf` for a form read as name/value pairs.
    pub fn check_form(
        &self,
        values: &std::collections::HashMap<String, String>,
    ) -> Result<(), PageError> {
        self.check_csrf(values.get("_csrf").map(String::as_str).unwrap_or(""))
    }

    /// Every state-changing form carries the session's token; a mismatch is refused.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), PageError> {
        if constant_time_eq(submitted.as_bytes(), self.session.csrf_token.as_bytes()) {
            Ok(())
        } else {
            Err(PageError::Csrf)
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Where an error happened: the signed-in layout and the household concerned.
pub struct ErrorContext {
    pub layout: Layout,
    pub household_id: String,
}

impl ErrorContext {
    pub fn boxed(layout: Layout, household_id: impl Into<String>) -> Option<Box<Self>> {
        Some(Box::new(ErrorContext {
            layout,
            household_id: household_id.into(),
        }))
    }
}

/// Errors of page handlers, shown as Dutch pages.
pub enum PageError {
    LoginRequired,
    Csrf,
    /// The error and, for a refused household read, the household (to offer break-the-glass).
    App(AppError, Option<Box<ErrorContext>>),
    Render(askama::Error),
}

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        PageError::App(error, None)
    }
}

impl From<askama::Error> for PageError {
    fn from(error: askama::Error) -> Self {
        PageError::Render(error)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: String,
    message: String,
    break_glass_for: Option<String>,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, heading, message, layout, break_glass_for) = match self {
            PageError::LoginRequired => return Redirect::to("/inloggen").into_response(),
            PageError::Csrf => (
                StatusCode::FORBIDDEN,
                "Formulier verlopen",
                "Dit formulier is verlopen of niet door Spil gemaakt. Ga terug, laad de pagina opnieuw en probeer het nog eens.".to_owned(),
                Layout::anonymous(),
                None,
            ),
            PageError::App(error, context) => {
                let (layout, household) = match context {
                    Some(context) => (context.layout, Some(context.household_id)),
                    None => (Layout::anonymous(), None),
                };
                match error {
                    AppError::Forbidden(denial) => {
                        let offer = matches!(denial, Denial::NotOnTeam).then_some(household).flatten();
                        (StatusCode::FORBIDDEN, "Geen toegang", denial_message(denial).to_owned(), layout, offer)
                    }
                    AppError::NotFound => (
                        StatusCode::NOT_FOUND,
                        "Niet gevonden",
                        "Deze pagina of dit huishouden bestaat niet.".to_owned(),
                        layout,
                        None,
                    ),
                    AppError::Conflict { message, .. } => (StatusCode::CONFLICT, "Dit kan nu niet", message, layout, None),
                    AppError::Rule { message, .. } => {
                        (StatusCode::UNPROCESSABLE_ENTITY, "Controleer de gegevens", message, layout, None)
                    }
                    AppError::Invalid(fields) => (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "Controleer de gegevens",
                        fields.iter().map(|(_, e)| e.dutch()).collect::<Vec<_>>().join(" "),
                        layout,
                        None,
                    ),
                    AppError::Unauthenticated | AppError::BadCredentials => {
                        return Redirect::to("/inloggen").into_response()
                    }
                    AppError::TooManyRequests { retry_after, .. } => (
                        StatusCode::TOO_MANY_REQUESTS,
                        "Even wachten",
                        format!(
                            "U heeft dit te vaak achter elkaar gedaan. Probeer het {} opnieuw.",
                            crate::error::retry_in_dutch(retry_after)
                        ),
                        layout,
                        None,
                    ),
                    AppError::Busy { retry_after } => (
                        StatusCode::SERVICE_UNAVAILABLE,
                        "Het is erg druk",
                        format!(
                            "Spil is op dit moment erg druk. Probeer het {} opnieuw.",
                            crate::error::retry_in_dutch(retry_after)
                        ),
                        layout,
                        None,
                    ),
                    AppError::Store(_) | AppError::Internal(_) | AppError::Config(_) => {
                        tracing::error!(%error, "internal error on a page");
                        (
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "Er ging iets mis",
                            "Er ging bij ons iets mis. Probeer het later opnieuw.".to_owned(),
                            layout,
                            None,
                        )
                    }
                }
            }
            PageError::Render(error) => {
                tracing::error!(%error, "template failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Er ging iets mis",
                    "Er ging bij ons iets mis. Probeer het later opnieuw.".to_owned(),
                    Layout::anonymous(),
                    None,
                )
            }
        };
        let page = ErrorPage {
            layout,
            heading: heading.to_owned(),
            message,
            break_glass_for,
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, heading.to_owned()).into_response(),
        }
    }
}

pub fn render(template: &impl Template) -> Result<Html<String>, PageError> {
    Ok(Html(template.render()?))
}

/// What an unknown address answers: a Dutch page, or for the API its JSON error.
pub(crate) async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        crate::error::ApiError::from(AppError::NotFound).into_response()
    } else {
        PageError::App(AppError::NotFound, None).into_response()
    }
}

/// The tab icon: Spil's "S" on the primary colour.
async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        FAVICON,
    )
}

const FAVICON: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\">\
<rect width=\"32\" height=\"32\" rx=\"6\" fill=\"#1d4f91\"/>\
<text x=\"16\" y=\"23\" font-family=\"sans-serif\" font-size=\"20\" font-weight=\"bold\" fill=\"#fff\" text-anchor=\"middle\">S</text></svg>";

/// Keep every page out of search engines (the `X-Robots-Tag` header says the same).
async fn robots() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "User-agent: *\nDisallow: /\n",
    )
}

async fn home(user: Result<WebUser, PageError>) -> Redirect {
    match user {
        Ok(user) if user.session.actor.works_with_households() => Redirect::to("/huishoudens"),
        Ok(user) if may_audit(&user.session.actor) => Redirect::to("/toegangscontrole"),
        Ok(_) => Redirect::to("/huishoudens"),
        Err(_) => Redirect::to("/inloggen"),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    error: Option<String>,
    username: String,
    next: String,
    login_csrf: String,
}

fn session_cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    let mut cookie = Cookie::new(name, value);
    cookie.set_http_only(true);
    cookie.set_secure(state.secure_cookies);
    cookie.set_same_site(SameSite::Strict);
    cookie.set_path("/");
    cookie
}

fn random_hex() -> String {
    uuid::Uuid::new_v4().simple().to_string() + &uuid::Uuid::new_v4().simple().to_string()
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// A sign-in form: the cookie carries a fresh random pre-session value; the form carries a MAC
/// of it under the server's key, so a cookie and field made up together do not pass.
fn login_page(
    state: &AppState,
    jar: CookieJar,
    status: StatusCode,
    error: Option<String>,
    username: String,
    next: String,
) -> Result<Response, PageError> {
    let pre_session = random_hex();
    let page = LoginPage {
        layout: Layout::anonymous(),
        error,
        username,
        next: safe_next(&next).to_owned(),
        login_csrf: state.app.login_form_token(&pre_session),
    };
    let jar = jar.add(session_cookie(state, LOGIN_CSRF_COOKIE, pre_session));
    Ok((status, jar, render(&page)?).into_response())
}

async fn login_form(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<NextQuery>,
) -> Result<Response, PageError> {
    login_page(
        &state,
        jar,
        StatusCode::OK,
        None,
        String::new(),
        q.next.unwrap_or_default(),
    )
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    next: String,
}

/// Only a local path of Spil's own, so the login cannot be used to send people elsewhere:
/// one leading slash, then only printable ASCII without backslashes (no tab, newline or
/// percent-encoded trick that a browser would turn into another host), and it must parse as a
/// path and query alone.
fn safe_next(next: &str) -> &str {
    let printable = next
        .bytes()
        .all(|b| (0x21..0x7f).contains(&b) && b != b'\\');
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.to_ascii_lowercase().starts_with("/%")
        && printable
        && next
            .parse::<axum::http::uri::PathAndQuery>()
            .is_ok_and(|p| p.as_str() == next);
    if local {
        next
    } else {
        "/"
    }
}

async fn login(
    State(state): State<AppState>,
    axum::extract::ConnectInfo(crate::listener::Peer(peer)): axum::extract::ConnectInfo<
        crate::listener::Peer,
    >,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let pre_session = jar
        .get(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let expected = state.app.login_form_token(&pre_session);
    if pre_session.len() != 64 || !constant_time_eq(expected.as_bytes(), form.csrf.as_bytes()) {
        return Err(PageError::Csrf);
    }
    match state
        .app
        .sign_in(
            &form.username,
            &form.password,
            SessionKind::Web,
            Some(peer.ip()),
        )
        .await
    {
        Ok(issued) => {
            let jar = jar
                .remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/"))
                .add(session_cookie(&state, SESSION_COOKIE, issued.token));
            Ok((jar, Redirect::to(safe_next(&form.next))).into_response())
        }
        Err(AppError::BadCredentials) => login_page(
            &state,
            jar,
            StatusCode::UNAUTHORIZED,
            Some("De gebruikersnaam of het wachtwoord klopt niet.".into()),
            form.username,
            form.next,
        ),
        Err(AppError::TooManyRequests { retry_after, .. }) => login_page(
            &state,
            jar,
            StatusCode::TOO_MANY_REQUESTS,
            Some(format!(
                "Er is te vaak een verkeerd wachtwoord gebruikt. Om uw account te beschermen kunt u het {} opnieuw proberen.",
                crate::error::retry_in_dutch(retry_after)
            )),
            form.username,
            form.next,
        ),
        Err(AppError::Busy { retry_after }) => login_page(
            &state,
            jar,
            StatusCode::SERVICE_UNAVAILABLE,
            Some(format!(
                "Het is op dit moment erg druk. Probeer het {} opnieuw.",
                crate::error::retry_in_dutch(retry_after)
            )),
            form.username,
            form.next,
        ),
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default, rename = "_csrf")]
    pub csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    user: WebUser,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf)?;
    if let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) {
        state.app.sign_out(&token).await?;
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/inloggen")).into_response())
}

struct GrantRow {
    when: String,
    until: String,
    who: String,
    reason: String,
    household: String,
}

struct RefusalRow {
    day: String,
    who: String,
    reason: String,
    refusals: i64,
    households: i64,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    fields: Vec<forms::FieldView>,
    errors: Vec<(String, String)>,
    grants: Vec<GrantRow>,
    total: i64,
    shown: String,
    next: Option<String>,
    previous: Option<String>,
    refusals: Vec<RefusalRow>,
}

#[derive(Deserialize)]
struct AuditQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    offset: Option<i64>,
}

fn refusal_reason(basis: &str) -> String {
    match basis {
        "not_on_team" => "niet in het team".into(),
        "other_municipality" => "andere gemeente".into(),
        "not_regisseur" => "geen regisseur".into(),
        "break_glass_is_read_only" => "noodtoegang is alleen lezen".into(),
        "role_has_no_case_access" => "rol zonder dossiertoegang".into(),
        "too_many_attempts" => "te vaak verkeerd wachtwoord".into(),
        "already_has_access" => "had al toegang".into(),
        "awaits_consent" => "wacht op toestemming".into(),
        "purpose_not_allowed" => "doel past niet".into(),
        "sensitive_record" => "vertrouwelijke aantekening".into(),
        "identifiable_aggregate" => "cijfers die naar personen wijzen".into(),
        _ => "andere reden".into(),
    }
}

/// The privacy officer's review: every break-the-glass grant in a period (paged) and the
/// refusals per account and day, for their own municipality.
async fn audit(
    State(state): State<AppState>,
    user: WebUser,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    const PAGE: i64 = 50;
    let layout = Layout::for_session(&user.session, "audit");
    let actor = &user.session.actor;
    let offset = q.offset.unwrap_or(0).max(0);
    let reviewed = match state
        .app
        .break_glass_review(actor, &q.from, &q.to, Some(PAGE), Some(offset))
        .await
    {
        Ok(list) => state
            .app
            .refusal_review(actor, &q.from, &q.to)
            .await
            .map(|r| (list, r)),
        Err(e) => Err(e),
    };
    let (list, refusals, field_errors) = match reviewed {
        Ok((list, refusals)) => (Some(list), refusals, None),
        Err(AppError::Invalid(errors)) => (None, Vec::new(), Some(errors)),
        Err(error) => return Err(PageError::App(error, ErrorContext::boxed(layout, ""))),
    };
    let form_errors = field_errors
        .map(|errors| forms::FormErrors::new(&errors, str::to_owned))
        .unwrap_or_default();
    let (from, to) = list
        .as_ref()
        .map(|l| (l.from.clone(), l.to.clone()))
        .unwrap_or((q.from.clone(), q.to.clone()));
    let mut fields = vec![
        forms::FieldView::new("from", "Van", "date").required(),
        forms::FieldView::new("to", "Tot en met", "date").required(),
    ];
    for (f, value) in fields.iter_mut().zip([&from, &to]) {
        f.value = value.clone();
        f.error = form_errors.of(&f.name);
    }
    let link = |offset: i64| format!("/toegangscontrole?from={from}&to={to}&offset={offset}");
    let (grants, total, shown, next, previous) = match list {
        Some(l) => {
            let count = l.items.len() as i64;
            (
                l.items
                    .into_iter()
                    .map(|g| GrantRow {
                        when: forms::dutch_datetime(&g.granted_at),
                        until: forms::dutch_datetime(&g.expires_at),
                        who: format!("{} ({})", g.name, g.username),
                        reason: g.reason,
                        household: g.household_id,
                    })
                    .collect(),
                l.total,
                if count == 0 {
                    String::new()
                } else {
                    format!(
                        "{} tot en met {} van {}",
                        l.offset + 1,
                        l.offset + count,
                        l.total
                    )
                },
                (l.offset + count < l.total).then(|| link(l.offset + PAGE)),
                (l.offset > 0).then(|| link((l.offset - PAGE).max(0))),
            )
        }
        None => (Vec::new(), 0, String::new(), None, None),
    };
    let page = render(&AuditPage {
        layout,
        fields,
        errors: form_errors.summary,
        grants,
        total,
        shown,
        next,
        previous,
        refusals: refusals
            .into_iter()
            .map(|r| RefusalRow {
                day: forms::dutch_date(&r.day),
                who: r
                    .username
                    .unwrap_or_else(|| "(onbekende gebruikersnaam)".into()),
                reason: refusal_reason(&r.reason),
                refusals: r.refusals,
                households: r.households,
            })
            .collect(),
    })?;
    Ok(page.into_response())
}

#[derive(Template)]
#[template(path = "policy.html")]
struct PolicyPage {
    layout: Layout,
    v: spil_app::intake::PolicyView,
    /// (id, condition, level, route, text)
    rules: Vec<(String, String, String, String, String)>,
}

/// The active policy, readable by everyone who works with it.
async fn policy(State(state): State<AppState>, user: WebUser) -> Result<Html<String>, PageError> {
    let p = (*state.app.policy_for(
        user.session
            .actor
            .municipality_id
            .as_deref()
            .unwrap_or_default(),
    ))
    .clone();
    let rules = p
        .rules
        .iter()
        .map(|r| {
            (
                r.id.clone(),
                r.when.clone(),
                p.levels
                    .get(r.level)
                    .map(|l| l.name.clone())
                    .unwrap_or_default(),
                p.routes
                    .get(r.route)
                    .map(|x| x.name.clone())
                    .unwrap_or_default(),
                r.text.clone(),
            )
        })
        .collect();
    let v = state.app.policy_view(&user.session.actor);
    render(&PolicyPage {
        layout: Layout::for_session(&user.session, "policy"),
        rules,
        v,
    })
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocsPage;

/// The interactive OpenAPI viewer on Spil's own document. Swagger UI sets styles inline, so
/// this page alone allows inline styles; scripts still come only from Spil.
async fn api_docs() -> Result<Response, PageError> {
    let html = render(&ApiDocsPage)?;
    Ok((
        [(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        )],
        html,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        for good in ["/", "/huishoudens", "/huishoudens/abc?tab=plan"] {
            assert_eq!(safe_next(good), good);
        }
        for bad in [
            "//evil.example",
            "/%09/evil.example",
            "/\t/evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/a\nb",
            "/a b",
            "/%2F%2Fevil.example",
            "",
            "huishoudens",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }
}
