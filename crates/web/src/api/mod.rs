//! The JSON API, `/api/v1`. Every handler is in the OpenAPI document, which is built from
//! the same route table that serves requests, so the two cannot drift apart.

mod auth;
mod contacts;
mod households;
mod intake;
mod persons;
mod plan;
mod search;
pub(crate) use contacts::ReportQuery;
pub(crate) use plan::plan_pdf_response;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum::Json;
use serde::de::DeserializeOwned;
use spil_app::auth::{Session, SessionKind};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Spil API", description = "One household-centred file for the strong local team.", version = "1"),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Tokens"),
        (name = "registrations", description = "The central front door"),
        (name = "households", description = "Households, their trajectory and team"),
        (name = "intake", description = "Broad intake, life-domain scores and triage"),
        (name = "contacts", description = "Contacts, basishulp time, keep-alive contact and the worklist"),
        (name = "plan", description = "One household plan: goals, actions, agreements, versions, evaluations"),
        (name = "audit", description = "For the privacy officer"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::create_token, auth::revoke_token))
        .routes(routes!(households::register))
        .routes(routes!(households::duplicates))
        .routes(routes!(households::feedback))
        .routes(routes!(households::list))
        .routes(routes!(households::caseload))
        .routes(routes!(households::get))
        .routes(routes!(households::set_team))
        .routes(routes!(households::set_status))
        .routes(routes!(households::journal))
        .routes(routes!(households::access_log))
        .routes(routes!(households::break_glass))
        .routes(routes!(households::access_review))
        .routes(routes!(households::break_glass_review))
        .routes(routes!(households::refusal_review))
        .routes(routes!(intake::policy))
        .routes(routes!(intake::put_intake, intake::get_intake))
        .routes(routes!(intake::add_assessment, intake::list_assessments))
        .routes(routes!(intake::triage))
        .routes(routes!(intake::decide))
        .routes(routes!(intake::deviations))
        .routes(routes!(contacts::add, contacts::list))
        .routes(routes!(contacts::basishulp))
        .routes(routes!(contacts::waakvlam))
        .routes(routes!(contacts::worklist))
        .routes(routes!(plan::put_plan, plan::get_plan))
        .routes(routes!(plan::versions))
        .routes(routes!(plan::agree))
        .routes(routes!(plan::evaluate, plan::evaluations))
        .routes(routes!(plan::pdf))
        .routes(routes!(
            persons::list_organisations,
            persons::add_organisation
        ))
        .routes(routes!(persons::get_person))
        .routes(routes!(persons::add_relation))
        .routes(routes!(persons::person_access_log))
        .routes(routes!(persons::add_member))
        .routes(routes!(persons::end_membership))
        .routes(routes!(persons::move_household))
        .routes(routes!(persons::moves))
        .routes(routes!(search::search))
        .routes(routes!(openapi_json))
}

/// The OpenAPI 3 document of this API.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "auth", responses((status = 200, description = "OpenAPI document")))]
async fn openapi_json() -> Json<serde_json::Value> {
    Json(openapi_value())
}

/// The document as served, with what utoipa's attributes cannot say: which query parameters
/// the handlers require, and that no text may hold control characters (a `pattern` on every
/// free string), so a schema-valid request is one the server accepts.
pub fn openapi_value() -> serde_json::Value {
    let mut doc = serde_json::to_value(openapi()).unwrap_or(serde_json::Value::Null);
    for (path, name) in [
        ("/api/v1/reports/basishulp", "from"),
        ("/api/v1/reports/triage-deviations", "from"),
        ("/api/v1/households", "mine"),
    ] {
        if let Some(params) = doc["paths"][path]["get"]["parameters"].as_array_mut() {
            for p in params.iter_mut().filter(|p| p["name"] == name) {
                p["required"] = serde_json::Value::Bool(true);
                if name == "mine" {
                    p["schema"] = serde_json::json!({"type": "boolean", "enum": [true]});
                }
                if name == "from" {
                    p["schema"] = serde_json::json!({"type": "string", "format": "date"});
                }
            }
        }
    }
    input_rules(&mut doc);
    plain_strings(&mut doc);
    doc
}

/// The words of a closed set, for an `enum`.
fn words(keys: &str) -> serde_json::Value {
    keys.split_whitespace().collect::<Vec<_>>().into()
}

/// A schema's name, its required fields, and the rules for some of its properties.
type InputRule = (
    &'static str,
    &'static [&'static str],
    Vec<(&'static str, serde_json::Value)>,
);

/// What the use cases require of their inputs, said in the schemas: required fields, the
/// closed sets (taken from the domain's own lists), date formats and ranges.
fn input_rules(doc: &mut serde_json::Value) {
    use serde_json::json;
    use spil_domain::{contact, household, org, person, plan, registration, relation, trajectory};
    let date = json!({"type": "string", "format": "date"});
    let rules: Vec<InputRule> = vec![
        (
            "OrganisationInput",
            &["kind", "name"],
            vec![
                (
                    "kind",
                    json!({"type": "string", "enum": words(org::OrganisationKind::KEYS)}),
                ),
                ("agb", json!({"type": "string", "pattern": "^[0-9]{8}$"})),
                ("kvk", json!({"type": "string", "pattern": "^[0-9]{8}$"})),
                ("oin", json!({"type": "string", "pattern": "^[0-9]{20}$"})),
                (
                    "brin",
                    json!({"type": "string", "pattern": "^[0-9]{2}[A-Za-z0-9]{2}$"}),
                ),
            ],
        ),
        (
            "RelationInput",
            &["kind", "valid_from"],
            vec![
                (
                    "kind",
                    json!({"type": "string", "enum": words(relation::RelationKind::KEYS)}),
                ),
                ("valid_from", date.clone()),
                ("valid_to", date.clone()),
            ],
        ),
        (
            "NewMemberInput",
            &["relation", "valid_from"],
            vec![
                (
                    "relation",
                    json!({"type": "string", "enum": words(household::Relation::KEYS)}),
                ),
                ("valid_from", date.clone()),
            ],
        ),
        (
            "EndMembershipInput",
            &["valid_to", "reason"],
            vec![
                (
                    "reason",
                    json!({"type": "string", "enum": words(relation::MembershipEnd::KEYS)}),
                ),
                ("valid_to", date.clone()),
            ],
        ),
        (
            "MoveInput",
            &[
                "street",
                "house_number",
                "postcode",
                "city",
                "moved_on",
                "revision",
            ],
            vec![
                ("moved_on", date.clone()),
                ("revision", json!({"type": "integer", "minimum": 1})),
            ],
        ),
        (
            "RegistrationInput",
            &["route", "question"],
            vec![
                (
                    "route",
                    json!({"type": "string", "enum": words(registration::Route::KEYS)}),
                ),
                (
                    "urgency",
                    json!({"type": "string", "enum": words(registration::Urgency::KEYS)}),
                ),
            ],
        ),
        (
            "MemberInput",
            &["relation"],
            vec![
                (
                    "relation",
                    json!({"type": "string", "enum": words(household::Relation::KEYS)}),
                ),
                ("birth_date", date.clone()),
                (
                    "gender",
                    json!({"type": "string", "enum": words(person::Gender::KEYS)}),
                ),
                (
                    "pace",
                    json!({"type": "string", "enum": words(person::Pace::KEYS)}),
                ),
            ],
        ),
        (
            "ContactInput",
            &["kind", "date", "minutes"],
            vec![
                (
                    "kind",
                    json!({"type": "string", "enum": words(contact::ContactKind::KEYS)}),
                ),
                ("date", date.clone()),
                (
                    "minutes",
                    json!({"type": "integer", "minimum": 0, "maximum": 1440}),
                ),
            ],
        ),
        (
            "EvaluationInput",
            &["goal_id", "outcome", "next_step"],
            vec![
                (
                    "outcome",
                    json!({"type": "string", "enum": words(plan::Outcome::KEYS)}),
                ),
                (
                    "next_step",
                    json!({"type": "string", "enum": words(plan::NextStep::KEYS)}),
                ),
            ],
        ),
        (
            "AgreementInput",
            &["date", "how", "by_person_id", "revision"],
            vec![
                (
                    "how",
                    json!({"type": "string", "enum": words(plan::AgreementHow::KEYS)}),
                ),
                ("date", date.clone()),
                ("revision", json!({"type": "integer", "minimum": 1})),
            ],
        ),
        (
            "StatusInput",
            &["status"],
            vec![
                (
                    "status",
                    json!({"type": "string", "enum": words(trajectory::TrajectoryStatus::KEYS)}),
                ),
                (
                    "close_reason",
                    json!({"type": "string", "enum": words(trajectory::CloseReason::KEYS)}),
                ),
            ],
        ),
        (
            "TeamInput",
            &["regisseur", "revision"],
            vec![("revision", json!({"type": "integer", "minimum": 1}))],
        ),
        (
            "TeamMemberInput",
            &["username", "role"],
            vec![(
                "role",
                json!({"type": "string", "enum": words(trajectory::TeamRole::KEYS)}),
            )],
        ),
        (
            "WaakvlamInput",
            &["interval_days", "until"],
            vec![
                (
                    "interval_days",
                    json!({"type": "integer", "minimum": 1, "maximum": 365}),
                ),
                ("until", date.clone()),
            ],
        ),
        (
            "IntakeInput",
            &["safety_level"],
            vec![(
                "safety_level",
                json!({"type": "string", "enum": ["geen_zorgen", "zorgen", "onveilig", "acuut_onveilig"]}),
            )],
        ),
        (
            "AssessmentInput",
            &["person_id", "date", "scores"],
            vec![("date", date.clone())],
        ),
        ("TriageDecisionInput", &["level", "route"], vec![]),
        (
            "BreakGlassInput",
            &["reason"],
            vec![(
                "reason",
                json!({"type": "string", "minLength": 10, "maxLength": 1000}),
            )],
        ),
        (
            "GoalInput",
            &["text", "result", "evaluate_on"],
            vec![("evaluate_on", date.clone())],
        ),
        ("ActionInput", &["text", "actor"], vec![]),
        (
            "ActorInput",
            &["kind"],
            vec![(
                "kind",
                json!({"type": "string", "enum": words(plan::ActorKind::KEYS)}),
            )],
        ),
    ];
    for (name, required, properties) in rules {
        let Some(schema) = doc["components"]["schemas"].get_mut(name) else {
            continue;
        };
        schema["required"] = json!(required);
        for (property, rule) in properties {
            if schema["properties"].get(property).is_some() {
                let description = schema["properties"][property]["description"].clone();
                schema["properties"][property] = rule;
                if !description.is_null() {
                    schema["properties"][property]["description"] = description;
                }
            }
        }
    }
    // The intake is answered with its content flattened beside its revision and modules, so
    // the input's "no other fields" cannot hold for the answer.
    if let Some(schema) = doc["components"]["schemas"].get_mut("IntakeInput") {
        if let Some(map) = schema.as_object_mut() {
            map.remove("additionalProperties");
        }
    }
    for (path, name, rule) in [
        (
            "/api/v1/reports/basishulp",
            "group_by",
            json!({"type": "string", "enum": ["team", "month", "municipality", "household", "professional"]}),
        ),
        (
            "/api/v1/reports/basishulp",
            "to",
            json!({"type": "string", "format": "date"}),
        ),
        (
            "/api/v1/reports/triage-deviations",
            "to",
            json!({"type": "string", "format": "date"}),
        ),
        (
            "/api/v1/households",
            "limit",
            json!({"type": "integer", "minimum": 1, "maximum": 500}),
        ),
        (
            "/api/v1/households",
            "offset",
            json!({"type": "integer", "minimum": 0}),
        ),
        (
            "/api/v1/audit/break-glass",
            "limit",
            json!({"type": "integer", "minimum": 1, "maximum": 200}),
        ),
        (
            "/api/v1/audit/break-glass",
            "offset",
            json!({"type": "integer", "minimum": 0}),
        ),
    ] {
        if let Some(params) = doc["paths"][path]["get"]["parameters"].as_array_mut() {
            for p in params.iter_mut().filter(|p| p["name"] == name) {
                p["schema"] = rule.clone();
            }
        }
    }
}

/// Text without the characters Spil refuses (see `spil_domain::field::is_forbidden_char`).
const PLAIN_TEXT: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$";

fn plain_strings(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let free_string = map.get("type").and_then(Value::as_str) == Some("string")
                && !map.contains_key("enum")
                && !map.contains_key("format")
                && !map.contains_key("pattern");
            // Requests only: error messages may quote what was refused.
            let is_error = map.contains_key("properties")
                && map
                    .get("properties")
                    .is_some_and(|p| p.get("code").is_some() && p.get("message").is_some());
            if is_error {
                return;
            }
            if free_string {
                map.insert("pattern".into(), Value::String(PLAIN_TEXT.into()));
            }
            for v in map.values_mut() {
                plain_strings(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(plain_strings),
        _ => {}
    }
}

/// The OpenAPI document, as served.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = router().split_for_parts().1;
    declare_error_statuses(&mut doc);
    doc
}

/// Every error status the server can give an operation, declared on it with the error body:
/// 401 for routes that need a token, 404 (and 403) for routes about one record, 400/413/415/422
/// for routes that take a body or parameters, 429 and 503 where throttles and bounds apply.
fn declare_error_statuses(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let error = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build()
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        let about_one = path.contains('{');
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let takes_input =
                op.request_body.is_some() || op.parameters.as_ref().is_some_and(|p| !p.is_empty());
            let mut add = |status: &str, description: &str| {
                op.responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| error(description).into());
            };
            if secured {
                add("401", "No valid bearer token");
                add("403", "Refused by the access rule");
            }
            if about_one {
                add("404", "No such record, or one of another municipality");
                add(
                    "409",
                    "Conflicts with the current state (no open trajectory, a newer revision, …)",
                );
            }
            if takes_input {
                add("422", "Invalid input, with a code per field");
            }
            if op.request_body.is_some() {
                add("400", "Malformed JSON");
                add("413", "Body over 1 MiB");
                add("415", "Not JSON");
            }
            if path == "/api/v1/auth/token" || path.starts_with("/api/v1/registrations") {
                add("429", "Too many attempts or look-ups (Retry-After)");
            }
            if path == "/api/v1/auth/token" {
                add("503", "Too many sign-ins at once (Retry-After)");
            }
        }
    }
}

/// A caller with a valid bearer token.
pub struct ApiUser(pub Session);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers).ok_or(spil_app::AppError::Unauthenticated)?;
        Ok(ApiUser(
            state.app.authenticate(token, SessionKind::Api).await?,
        ))
    }
}

/// The token of an `Authorization: Bearer …` header; the scheme is case-insensitive (RFC 9110).
pub(crate) fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Query parameters whose rejections (a number out of range, a missing required one) use the
/// API's error format: 422 `invalid_query`.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e| {
                ApiError::new(
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_query",
                    e.body_text(),
                )
            })
    }
}

/// JSON body whose rejections (malformed, too large, wrong type) use the API's error format.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    /// Every string in the body is checked for control characters and bidirectional
    /// overrides before it becomes a typed input, so no text field can store them.
    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(mut value) = Json::<serde_json::Value>::from_request(request, state).await?;
        integral_numbers(&mut value);
        let mut errors = spil_domain::FieldErrors::new();
        forbidden_characters(&value, String::new(), &mut errors);
        if !errors.is_empty() {
            return Err(spil_app::AppError::Invalid(errors).into());
        }
        serde_json::from_value(value).map(ApiJson).map_err(|e| {
            ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_json",
                e.to_string(),
            )
        })
    }
}

/// `2.0` is an integer in JSON Schema: give serde the integer, so an integral number written
/// with a fraction is not refused where a whole number is expected.
fn integral_numbers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64() {
                if f.fract() == 0.0 && f.abs() < 9.0e15 {
                    *value = Value::from(f as i64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        Value::Object(map) => map.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

/// A key as it may appear in an error path: forbidden characters shown as `?`.
fn printable_key(key: &str) -> String {
    key.chars()
        .map(|c| {
            if spil_domain::field::is_forbidden_char(c) {
                '?'
            } else {
                c
            }
        })
        .collect()
}

/// Record every string in `value` that holds a forbidden character, by its path.
fn forbidden_characters(
    value: &serde_json::Value,
    path: String,
    errors: &mut spil_domain::FieldErrors,
) {
    use serde_json::Value;
    match value {
        Value::String(text) if spil_domain::field::plain(text).is_err() => {
            errors.add(path, spil_domain::FieldError::ControlCharacter);
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                forbidden_characters(item, format!("{path}[{i}]"), errors);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let key = printable_key(key);
                let path = if path.is_empty() {
                    key
                } else {
                    format!("{path}.{key}")
                };
                forbidden_characters(item, path, errors);
            }
        }
        _ => {}
    }
}
