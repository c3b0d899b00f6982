//! The one gate, seen from outside: every documented route as every kind of principal, and
//! the access-log entry each call leaves.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{raw_connection, spawn_app, TestApp};

/// The newest access-log entry of a user: (household, outcome, basis, purpose, persons).
async fn newest_entry(
    app: &TestApp,
    username: &str,
) -> Option<(
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
)> {
    let mut raw = raw_connection(&app.url).await;
    sqlx::query_as(&format!(
        "SELECT a.household_id, a.outcome, a.basis, a.purpose, a.persons FROM access_log a \
         JOIN users u ON u.id = a.user_id WHERE u.username = '{username}' ORDER BY a.id DESC LIMIT 1"
    ))
    .fetch_optional(&mut raw)
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

async fn entries(app: &TestApp) -> i64 {
    let mut raw = raw_connection(&app.url).await;
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM access_log")
        .fetch_one(&mut raw)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    n
}

/// Every route of the OpenAPI document, called as every kind of principal the demo has —
/// nobody, the regisseur, a colleague of another team, the coordinator, the privacy officer,
/// a professional of another municipality and a partner at the family's school — answers without a server error, refuses
/// the unauthenticated, keeps the privacy officer out of files and professionals out of the
/// review, answers another municipality as if the household did not exist; and every read of
/// a household or person, allowed or refused, leaves its access-log entry with the real basis,
/// the subject and the purpose.
#[tokio::test]
async fn every_documented_route_answers_every_kind_of_principal_and_logs_what_the_gate_decided() {
    let app = spawn_app().await;
    let doc = spil_web::api::openapi_value();
    let anne = app.token("anne").await;
    let (_, file) = app
        .get(
            &anne,
            &format!("/api/v1/households/{}", app.example_household),
        )
        .await;
    let registration = file["registrations"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let milan = file["members"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["given_name"] == "Milan")
        .and_then(|m| m["person_id"].as_str())
        .unwrap_or_default()
        .to_owned();
    let mut principals = vec![("nobody", String::new())];
    for user in ["anne", "bram", "chris", "fatima", "gert", "ilse"] {
        principals.push((user, app.token(user).await));
    }
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    let (mut calls, mut logged_reads, mut logged_refusals) = (0, 0, 0);
    for (template, item) in &paths {
        let about_person = template.starts_with("/api/v1/persons/");
        let about_household = template.starts_with("/api/v1/households/");
        let path = template
            .replace(
                "{id}",
                if template.starts_with("/api/v1/registrations/") {
                    &registration
                } else if about_person {
                    &milan
                } else {
                    &app.example_household
                },
            )
            .replace("{person_id}", &milan);
        for method in ["get", "post", "put", "delete"] {
            let Some(op) = item.get(method) else { continue };
            if template == "/api/v1/auth/token" {
                continue; // signing in and out is tested on its own
            }
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            for (who, token) in &principals {
                let request = app
                    .client
                    .request(
                        method
                            .to_uppercase()
                            .parse()
                            .unwrap_or(reqwest::Method::GET),
                        format!("{}{path}", app.base),
                    )
                    .bearer_auth(token);
                let request = if method == "get" {
                    request
                } else {
                    request.json(&json!({}))
                };
                let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
                let status = response.status();
                let body: Value = response.json().await.unwrap_or_default();
                calls += 1;
                let at = format!("{method} {path} as {who}: {status} {body}");
                assert!(!status.is_server_error(), "{at}");
                if secured && *who == "nobody" {
                    assert_eq!(status, StatusCode::UNAUTHORIZED, "{at}");
                    continue;
                }
                if *who == "fatima" && (about_household || about_person) {
                    assert!(
                        matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                        "the privacy officer opens no file: {at}"
                    );
                }
                if *who == "ilse" && (about_household || about_person) {
                    assert_eq!(
                        status,
                        StatusCode::FORBIDDEN,
                        "a partner, before consent: {at}"
                    );
                    assert_eq!(body["error"]["fields"]["reason"], "awaits_consent", "{at}");
                }
                if *who == "gert" && (about_household || about_person) {
                    assert_eq!(status, StatusCode::NOT_FOUND, "another municipality: {at}");
                }
                if template.starts_with("/api/v1/audit/") {
                    let expected = if *who == "fatima" {
                        StatusCode::OK
                    } else {
                        StatusCode::FORBIDDEN
                    };
                    assert_eq!(status, expected, "{at}");
                }
                if !(about_household || about_person) {
                    continue;
                }
                // What the gate decided is in the log, with the subject and the purpose.
                let subject_matches = |household: &Option<String>, persons: &Option<String>| {
                    if about_person {
                        persons
                            .as_deref()
                            .is_some_and(|p| p.contains(milan.as_str()))
                    } else {
                        household.as_deref() == Some(app.example_household.as_str())
                    }
                };
                if method == "get" && status == StatusCode::OK {
                    let Some((household, outcome, basis, purpose, persons)) =
                        newest_entry(&app, who).await
                    else {
                        panic!("no access-log entry: {at}");
                    };
                    assert_eq!(outcome, "allowed", "{at}");
                    assert!(subject_matches(&household, &persons), "subject: {at}");
                    assert!(
                        ["regisseur", "team_member", "coordinator", "intake_queue"]
                            .contains(&basis.as_str()),
                        "basis {basis}: {at}"
                    );
                    assert!(
                        matches!(purpose.as_deref(), Some("care" | "coordination")),
                        "purpose {purpose:?}: {at}"
                    );
                    logged_reads += 1;
                }
                if status == StatusCode::FORBIDDEN
                    || (*who == "gert" && status == StatusCode::NOT_FOUND)
                {
                    let Some((household, outcome, basis, purpose, persons)) =
                        newest_entry(&app, who).await
                    else {
                        panic!("no access-log entry for a refusal: {at}");
                    };
                    assert_eq!(outcome, "denied", "{at}");
                    assert!(subject_matches(&household, &persons), "subject: {at}");
                    if status == StatusCode::FORBIDDEN {
                        assert_eq!(body["error"]["fields"]["reason"], basis.as_str(), "{at}");
                    } else {
                        assert_eq!(basis, "other_municipality", "{at}");
                    }
                    assert!(purpose.is_some(), "{at}");
                    logged_refusals += 1;
                }
            }
        }
    }
    assert!(calls > 200, "{calls} calls");
    assert!(logged_reads > 20, "{logged_reads} logged reads");
    assert!(logged_refusals > 60, "{logged_refusals} logged refusals");
}

/// The household page is one gate pass: one access-log entry, whatever it shows.
#[tokio::test]
async fn the_household_page_is_one_gate_pass_with_one_log_entry() {
    let app = spawn_app().await;
    crate::pages::sign_in_as(&app, "anne").await;
    let before = entries(&app).await;
    let page = app
        .client
        .get(format!("{}/huishoudens/{}", app.base, app.story_household))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap_or_default();
    assert!(html.contains("Hendriks"), "{html}");
    assert_eq!(
        entries(&app).await,
        before + 1,
        "one entry for the whole page"
    );
    let Some((household, outcome, basis, purpose, _)) = newest_entry(&app, "anne").await else {
        panic!("no entry");
    };
    assert_eq!(household.as_deref(), Some(app.story_household.as_str()));
    assert_eq!((outcome.as_str(), basis.as_str()), ("allowed", "regisseur"));
    assert_eq!(purpose.as_deref(), Some("care"));
}

/// The file tells the caller what they may do, so pages and clients derive no buttons.
#[tokio::test]
async fn the_file_says_what_the_caller_may_do() {
    let app = spawn_app().await;
    let path = format!("/api/v1/households/{}", app.example_household);
    let anne = app.token("anne").await;
    let (_, file) = app.get(&anne, &path).await;
    assert_eq!(
        file["permissions"],
        json!({"read": true, "write": true, "manage_team": true, "change_status": true,
               "break_glass": false, "read_access_log": true})
    );
    assert_eq!(file["municipality_id"], "gm0197");
    let dewi = app.token("dewi").await;
    let (_, file) = app.get(&dewi, &path).await;
    assert_eq!(
        file["permissions"],
        json!({"read": true, "write": true, "manage_team": false, "change_status": false,
               "break_glass": false, "read_access_log": false})
    );
}
