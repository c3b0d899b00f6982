//! The findings of the outside security test, each with the test that failed before its fix.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{second_server, spawn_app, spawn_app_configured};
use crate::pages::hidden;

async fn token_attempt(
    client: &reqwest::Client,
    base: &str,
    user: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": user, "password": password}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn failed_sign_ins_lock_the_account_on_every_server_and_say_when_to_try_again() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let r = token_attempt(&app.client, &app.base, "anne", "wrong").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Locked now, even with the right password, and on another server as well.
    let other = second_server(&app).await;
    for base in [&app.base, &other] {
        let r = token_attempt(&app.client, base, "anne", "demo").await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "{base}");
        let retry: u64 = r
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or_default();
        assert!((1..=31).contains(&retry), "retry after {retry}");
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert_eq!(body["error"]["code"], "too_many_attempts");
    }
    // Another account from the same address is not locked by anne's failures.
    let r = token_attempt(&app.client, &other, "bram", "demo").await;
    assert_eq!(r.status(), StatusCode::OK);

    // The page says it in Dutch, with when to try again.
    let page = app
        .client
        .get(format!("{}/inloggen", app.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let csrf = hidden(&page.text().await.unwrap_or_default(), "_csrf");
    let r = app
        .client
        .post(format!("{}/inloggen", app.base))
        .form(&[
            ("username", "anne"),
            ("password", "demo"),
            ("_csrf", &csrf),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let html = r.text().await.unwrap_or_default();
    assert!(
        html.contains("opnieuw proberen") && html.contains("seconden"),
        "{html}"
    );

    // The lock is in the privacy officer's sight.
    let mut raw = crate::helpers::raw_connection(&app.url).await;
    let (locks,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM access_log WHERE action = 'sign_in' AND basis = 'too_many_attempts'",
    )
    .fetch_one(&mut raw)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(locks >= 1);
}

#[tokio::test]
async fn many_parallel_sign_ins_beyond_the_hashing_bound_get_503_with_retry_after() {
    let app = spawn_app_configured(
        spil_app::PolicySet::default_policy().unwrap_or_else(|e| panic!("{e}")),
        |config| {
            config.limits.hashing_slots = 1;
            config.limits.hashing_queue = 1;
            config.limits.address_failures = 1000;
            config.limits.account_failures = 1000;
        },
    )
    .await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let (client, base) = (app.client.clone(), app.base.clone());
        tasks.push(tokio::spawn(async move {
            let r = token_attempt(&client, &base, &format!("nobody{i}"), "x").await;
            (r.status(), r.headers().get("retry-after").cloned())
        }));
    }
    let mut busy = 0;
    let mut answered = 0;
    for task in tasks {
        let (status, retry) = task.await.unwrap_or_else(|e| panic!("{e}"));
        match status {
            StatusCode::SERVICE_UNAVAILABLE => {
                busy += 1;
                assert!(retry.is_some(), "503 carries Retry-After");
            }
            StatusCode::UNAUTHORIZED => answered += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert!(
        busy >= 1,
        "the bound refused some: {busy} busy, {answered} answered"
    );
    assert!(answered >= 1);
}

#[tokio::test]
async fn the_login_form_token_must_belong_to_its_pre_session_cookie() {
    let app = spawn_app().await;
    // A made-up cookie and field that match each other do not pass any more.
    let made_up = "a".repeat(64);
    let r = app
        .client
        .post(format!("{}/inloggen", app.base))
        .header("cookie", format!("spil_login_csrf={made_up}"))
        .form(&[
            ("username", "anne"),
            ("password", "demo"),
            ("_csrf", made_up.as_str()),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn after_sign_in_only_local_paths_are_followed_and_odd_next_values_do_not_fail() {
    let app = spawn_app().await;
    for (next, expected) in [
        ("/%09/evil.example", "/"),
        ("/\t/evil.example", "/"),
        ("//evil.example", "/"),
        ("/a\nb", "/"),
        ("/huishoudens", "/huishoudens"),
    ] {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let page = client
            .get(format!("{}/inloggen", app.base))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let csrf = hidden(&page.text().await.unwrap_or_default(), "_csrf");
        let r = client
            .post(format!("{}/inloggen", app.base))
            .form(&[
                ("username", "chris"),
                ("password", "demo"),
                ("_csrf", &csrf),
                ("next", next),
            ])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(r.headers()["location"], expected, "{next:?}");
    }
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive_and_a_token_can_be_revoked() {
    let app = spawn_app().await;
    let token = app.token("anne").await;
    let get = |auth: String| {
        let client = app.client.clone();
        let url = format!("{}/api/v1/households?mine=true", app.base);
        async move {
            client
                .get(url)
                .header("authorization", auth)
                .send()
                .await
                .map(|r| r.status())
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    assert_eq!(get(format!("bearer {token}")).await, StatusCode::OK);
    assert_eq!(get(format!("BEARER {token}")).await, StatusCode::OK);
    let r = app
        .client
        .delete(format!("{}/api/v1/auth/token", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        get(format!("Bearer {token}")).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn handing_over_the_regisseur_role_answers_success_and_logs_no_refusal() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    // chris is the coordinator and keeps access; dewi works in anne's team.
    let (status, body) = app
        .put_team(
            &anne,
            &app.example_household,
            &json!({"regisseur": "dewi", "members": []}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let dewi = app.token("dewi").await;
    let (status, household) = app
        .get(
            &dewi,
            &format!("/api/v1/households/{}", app.example_household),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(household["trajectory"]["regisseur"], "dewi");
    let mut raw = crate::helpers::raw_connection(&app.url).await;
    let (refusals,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM access_log a JOIN users u ON u.id = a.user_id WHERE u.username = 'anne' AND a.outcome = 'denied'",
    )
    .fetch_one(&mut raw)
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(refusals, 0, "no false refusal in the log");
}

#[tokio::test]
async fn control_characters_and_bidi_overrides_are_refused_with_422_and_nothing_is_written() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let before = app.counts().await;
    for (path, bad) in [
        ("question", "Hulp nodig\u{0}"),
        ("household.members[0].given_name", "San\u{202e}ne"),
        ("household.address.street", "Kerk\u{1b}straat"),
    ] {
        let mut body = crate::helpers::family("Pietersen", None);
        match path {
            "question" => body["question"] = json!(bad),
            "household.members[0].given_name" => {
                body["household"]["members"][0]["given_name"] = json!(bad)
            }
            _ => body["household"]["address"]["street"] = json!(bad),
        }
        let (status, answer) = app.post(&anne, "/api/v1/registrations", &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {answer}");
        assert_eq!(
            answer["error"]["fields"][path], "control_character",
            "{answer}"
        );
    }
    assert_eq!(app.counts().await, before, "nothing was written");
    // Names in other scripts are welcome.
    let mut body = crate::helpers::family("Yılmaz", None);
    body["household"]["members"][0]["given_name"] = json!("Łucja عائشة");
    let (status, answer) = app.post(&anne, "/api/v1/registrations", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
}

fn simple_plan(goal: &str, revision: Option<i64>) -> Value {
    let mut body = json!({
        "goals": [{"id": "g1", "text": goal, "result": "Het lukt", "evaluate_on": crate::helpers::today()}],
        "agreements": ["Alle afspraken op papier"]
    });
    if let Some(r) = revision {
        body["revision"] = json!(r);
    }
    body
}

#[tokio::test]
async fn of_two_concurrent_plan_edits_from_one_revision_exactly_one_is_saved() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let path = format!("/api/v1/households/{}/plan", app.example_household);
    let (status, saved) = app.put(&anne, &path, &simple_plan("Start", None)).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let mut revision = saved["revision"].as_i64().unwrap_or_default();
    for pair in 0..20 {
        let send = |text: String| {
            let (client, url, token) = (
                app.client.clone(),
                format!("{}{path}", app.base),
                anne.clone(),
            );
            let body = simple_plan(&text, Some(revision));
            tokio::spawn(async move {
                let r = client.put(url).bearer_auth(token).json(&body).send().await;
                let r = r.unwrap_or_else(|e| panic!("{e}"));
                (r.status(), r.json::<Value>().await.unwrap_or(Value::Null))
            })
        };
        let (a, b) = (send(format!("A{pair}")), send(format!("B{pair}")));
        let (a, b) = (
            a.await.unwrap_or_else(|e| panic!("{e}")),
            b.await.unwrap_or_else(|e| panic!("{e}")),
        );
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "pair {pair}: {a:?} {b:?}"
        );
        let (winner, loser) = if a.0 == StatusCode::OK {
            (&a, &b)
        } else {
            (&b, &a)
        };
        assert_eq!(loser.1["error"]["code"], "concurrent_change");
        revision = winner.1["revision"].as_i64().unwrap_or_default();
        // What is stored is the winner's edit.
        let (_, plan) = app.get(&anne, &path).await;
        assert_eq!(plan["revision"], revision);
        let expected = if a.0 == StatusCode::OK {
            format!("A{pair}")
        } else {
            format!("B{pair}")
        };
        assert_eq!(plan["goals"][0]["text"], expected.as_str());
    }
}

#[tokio::test]
async fn a_stale_revision_gets_409_and_if_match_and_etag_carry_the_revision() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let path = format!("/api/v1/households/{}/plan", app.example_household);
    app.put(&anne, &path, &simple_plan("Start", None)).await;
    // Without the revision an existing plan is not overwritten.
    let (status, answer) = app
        .put(&anne, &path, &simple_plan("Zonder revisie", None))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer["error"]["code"], "revision_required");
    let get = app
        .client
        .get(format!("{}{path}", app.base))
        .bearer_auth(&anne)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(get.headers()["etag"], "\"1\"");
    let put = |if_match: &'static str, goal: &'static str| {
        let (client, url, token) = (
            app.client.clone(),
            format!("{}{path}", app.base),
            anne.clone(),
        );
        async move {
            client
                .put(url)
                .bearer_auth(token)
                .header("if-match", if_match)
                .json(&simple_plan(goal, None))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    let r = put("\"1\"", "Met If-Match").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["etag"], "\"2\"");
    let r = put("\"1\"", "Verouderd").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let body: Value = r.json().await.unwrap_or(Value::Null);
    assert_eq!(body["error"]["code"], "concurrent_change");
    let (_, plan) = app.get(&anne, &path).await;
    assert_eq!(
        plan["goals"][0]["text"], "Met If-Match",
        "the stale edit wrote nothing"
    );
}

#[tokio::test]
async fn an_agreement_names_the_revision_it_covers_and_is_refused_when_the_plan_changed() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let path = format!("/api/v1/households/{}/plan", app.example_household);
    let (_, household) = app
        .get(
            &anne,
            &format!("/api/v1/households/{}", app.example_household),
        )
        .await;
    let ingrid = household["members"]
        .as_array()
        .and_then(|m| m.iter().find(|p| p["given_name"] == "Ingrid"))
        .map(|p| p["person_id"].clone())
        .unwrap_or_default();
    app.put(&anne, &path, &simple_plan("Wat het gezin zag", None))
        .await;
    // The plan is edited after the household saw revision 1, before the agreement is recorded.
    app.put(&anne, &path, &simple_plan("Iets anders", Some(1)))
        .await;
    let agree = json!({"date": crate::helpers::today(), "how": "signed_paper", "by_person_id": ingrid, "revision": 1});
    let (status, answer) = app.post(&anne, &format!("{path}/agreement"), &agree).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["error"]["code"], "plan_changed");
    let (_, plan) = app.get(&anne, &path).await;
    assert_eq!(plan["state"], "not_agreed", "nothing was agreed");
    let agree = json!({"date": crate::helpers::today(), "how": "signed_paper", "by_person_id": ingrid, "revision": 2});
    let (status, answer) = app.post(&anne, &format!("{path}/agreement"), &agree).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["revision"], 2);
}

#[tokio::test]
async fn the_plan_page_shows_what_changed_when_someone_else_saved_first() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let path = format!("/api/v1/households/{}/plan", app.example_household);
    app.put(&anne, &path, &simple_plan("Rust in huis", None))
        .await;
    crate::pages::sign_in_as(&app, "anne").await;
    let url = format!("{}/huishoudens/{}/plan", app.base, app.example_household);
    let page = app
        .client
        .get(&url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let page = page.text().await.unwrap_or_default();
    let (csrf, revision) = (hidden(&page, "_csrf"), hidden(&page, "revision"));
    assert_eq!(revision, "1");
    // A colleague saves first.
    app.put(&anne, &path, &simple_plan("Elke week samen eten", Some(1)))
        .await;
    let response = app
        .client
        .post(&url)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("revision", revision.as_str()),
            ("g0_id", "g1"),
            ("g0_text", "Rust in huis, ook 's avonds"),
            ("g0_person", "gezin"),
            ("g0_result", "Het lukt"),
            ("g0_evaluate_on", crate::helpers::today().as_str()),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let page = response.text().await.unwrap_or_default();
    assert!(
        page.contains("Iemand anders heeft het plan intussen gewijzigd"),
        "{page}"
    );
    assert!(
        page.contains("Elke week samen eten"),
        "the change is named: {page}"
    );
    assert!(
        page.contains("Rust in huis, ook &#x27;s avonds")
            || page.contains("Rust in huis, ook &#39;s avonds"),
        "what was typed stays"
    );
    assert_eq!(
        hidden(&page, "revision"),
        "2",
        "a second save is made knowingly on the new revision"
    );
}

#[tokio::test]
async fn the_plan_pdf_prints_turkish_polish_and_arabic_names() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let mut body = crate::helpers::family("Yılmaz", None);
    body["household"]["members"][0]["given_name"] = json!("Ayşe");
    body["household"]["members"][1]["given_name"] = json!("Łucja Wiśniewska");
    let (household, _) = {
        let (status, created) = app.post(&anne, "/api/v1/registrations", &body).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        (
            created["household_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            created,
        )
    };
    let chris = app.token("chris").await;
    app.put_team(
        &chris,
        &household,
        &json!({"regisseur": "anne", "members": []}),
    )
    .await;
    let plan = json!({
        "goals": [{"id": "g1", "text": "Ayşe en Łucja leren Nederlands met buurvrouw عائشة", "result": "Een gesprek bij de huisarts zonder tolk", "evaluate_on": crate::helpers::today()}],
        "agreements": [format!("{} {}", "Zeer lange afspraak die over meerdere regels loopt en netjes moet worden afgebroken op de gemeten breedte", "zonder dat er letters wegvallen of over de rand lopen.")]
    });
    let (status, saved) = app
        .put(
            &anne,
            &format!("/api/v1/households/{household}/plan"),
            &plan,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let bytes = app
        .client
        .get(format!(
            "{}/api/v1/households/{household}/plan.pdf",
            app.base
        ))
        .bearer_auth(&anne)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .bytes()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let text = crate::helpers::pdf_text(&bytes);
    assert!(
        text.contains("gezin Yılmaz"),
        "the title keeps the dotless ı: {text}"
    );
    assert!(text.contains("Ayşe en Łucja"), "{text}");
    assert!(
        !text.contains('\u{fffd}') && !text.contains("Ylmaz"),
        "no letter was dropped: {text}"
    );
    // Arabic is set in its joined letter forms (five of them for عائشة).
    let arabic = text
        .chars()
        .filter(|c| ('\u{fe70}'..='\u{feff}').contains(c))
        .count();
    assert_eq!(arabic, 5, "{text}");
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("zonder dat er letters wegvallen of over de rand lopen."),
        "{flat}"
    );
}

#[tokio::test]
async fn break_the_glass_stays_in_the_privacy_officers_sight_and_reviews_stay_in_the_municipality()
{
    let app = spawn_app().await;
    let household = format!("/api/v1/households/{}", app.example_household);
    let bram = app.token("bram").await;
    let (status, _) = app
        .post(
            &bram,
            &format!("{household}/break-glass"),
            &json!({"reason": "Acute zorg gemeld door de huisarts, regisseur onbereikbaar"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // 510 refused reads in a burst, as in the outside test.
    let gert = app.token("gert").await;
    for _ in 0..510 {
        let (status, _) = app.get(&gert, &household).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "answered as an unknown household"
        );
    }
    let fatima = app.token("fatima").await;
    let (status, grants) = app.get(&fatima, "/api/v1/audit/break-glass").await;
    assert_eq!(status, StatusCode::OK, "{grants}");
    assert_eq!(grants["total"], 1);
    assert_eq!(grants["items"][0]["username"], "bram");
    assert!(grants["items"][0]["reason"]
        .as_str()
        .is_some_and(|r| r.contains("huisarts")));
    let (_, refusals) = app.get(&fatima, "/api/v1/audit/refusals").await;
    let gerts: Vec<&Value> = refusals
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["username"] == "gert")
        .collect();
    assert_eq!(gerts.len(), 1, "aggregated per account and day: {refusals}");
    assert_eq!(gerts[0]["refusals"], 510);
    assert_eq!(gerts[0]["households"], 1);
    assert_eq!(gerts[0]["reason"], "other_municipality");

    // Winterswijk's privacy officer sees gert's refusals (gert works there) but not
    // Aalten's break-the-glass grant or its reason.
    app.app
        .add_user(
            &spil_app::users::NewUserInput {
                username: "wim",
                display_name: "Wim de Vries",
                password: "demo",
                role: "privacy_officer",
                team: None,
                municipality_id: Some("gm0294"),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let wim = app.token("wim").await;
    let (_, grants) = app.get(&wim, "/api/v1/audit/break-glass").await;
    assert_eq!(grants["total"], 0, "{grants}");
    let (_, review) = app.get(&wim, "/api/v1/audit/access").await;
    assert!(
        !review.to_string().contains("huisarts"),
        "no other municipality's reasons: {review}"
    );
    let (_, refusals) = app.get(&wim, "/api/v1/audit/refusals").await;
    assert!(refusals.to_string().contains("gert"));
    // Paging and bad periods.
    let (status, page) = app
        .get(&fatima, "/api/v1/audit/break-glass?limit=1&offset=1")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (page["total"].clone(), page["items"].clone()),
        (json!(1), json!([]))
    );
    let (status, bad) = app
        .get(
            &fatima,
            "/api/v1/audit/break-glass?from=2026-12-01&to=2026-11-01",
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    // Professionals do not get the review.
    let (status, _) = app.get(&bram, "/api/v1/audit/break-glass").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_team_change_from_an_old_revision_is_refused_and_writes_nothing() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let (_, household) = app
        .get(
            &anne,
            &format!("/api/v1/households/{}", app.example_household),
        )
        .await;
    let base = household["trajectory"]["team_revision"].clone();
    let path = format!("/api/v1/households/{}/team", app.example_household);
    let mut first =
        json!({"regisseur": "anne", "members": [{"username": "dewi", "role": "jeugd_consulent"}]});
    first["revision"] = base.clone();
    let (status, _) = app.put(&anne, &path, &first).await;
    assert_eq!(status, StatusCode::OK);
    // A colleague's form, loaded before that change, would drop dewi again.
    let mut stale = json!({"regisseur": "anne", "members": []});
    stale["revision"] = base;
    let (status, answer) = app.put(&anne, &path, &stale).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["error"]["code"], "concurrent_change");
    let (_, household) = app
        .get(
            &anne,
            &format!("/api/v1/households/{}", app.example_household),
        )
        .await;
    assert!(
        household.to_string().contains("\"dewi\""),
        "dewi is still on the team"
    );
    let (status, answer) = app
        .put(&anne, &path, &json!({"regisseur": "anne", "members": []}))
        .await;
    assert_eq!(
        (status, answer["error"]["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("revision_required"))
    );
}

#[tokio::test]
async fn an_intake_change_from_an_old_revision_is_refused_and_writes_nothing() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let path = format!("/api/v1/households/{}/intake", app.example_household);
    let intake = |level: &str| json!({"persons": [], "network": [], "analysis": {"causes": "", "maintaining": "", "connections": ""}, "safety_level": level});
    let (status, answer) = app.put(&anne, &path, &intake("zorgen")).await;
    // The demo household may already have an intake; start from whatever is there.
    let base = if status == StatusCode::OK {
        let (_, saved) = app.get(&anne, &path).await;
        saved["revision"].as_i64().unwrap_or_default()
    } else {
        assert_eq!(answer["error"]["code"], "revision_required", "{answer}");
        let (_, saved) = app.get(&anne, &path).await;
        saved["revision"].as_i64().unwrap_or_default()
    };
    let mut first = intake("onveilig");
    first["revision"] = json!(base);
    let (status, answer) = app.put(&anne, &path, &first).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let mut stale = intake("geen_zorgen");
    stale["revision"] = json!(base);
    let (status, answer) = app.put(&anne, &path, &stale).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["error"]["code"], "concurrent_change");
    let (_, saved) = app.get(&anne, &path).await;
    assert_eq!(
        saved["safety_level"], "onveilig",
        "the stale save wrote nothing"
    );
    assert_eq!(saved["revision"], base + 1);
}

#[tokio::test]
async fn access_is_decided_before_the_body_is_validated() {
    let app = spawn_app().await;
    let bram = app.token("bram").await;
    let h = &app.example_household;
    // Invalid bodies from someone without access get the refusal, not a validation error.
    for (method, path, body) in [
        (
            reqwest::Method::PUT,
            format!("/api/v1/households/{h}/plan"),
            json!({"goals": [{"text": ""}]}),
        ),
        (
            reqwest::Method::PUT,
            format!("/api/v1/households/{h}/team"),
            json!({"regisseur": ""}),
        ),
        (
            reqwest::Method::PUT,
            format!("/api/v1/households/{h}/status"),
            json!({"status": "nonsense"}),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/households/{h}/contacts"),
            json!({"kind": "x", "minutes": -1}),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/households/{h}/evaluations"),
            json!({}),
        ),
        (
            reqwest::Method::PUT,
            format!("/api/v1/households/{h}/waakvlam"),
            json!({"interval_days": 0, "until": ""}),
        ),
    ] {
        let (status, answer) = app.send(method, &bram, &path, &body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {answer}");
    }
    // The same action is decided before and inside the use case: a team member who may not
    // steer the trajectory is refused keep-alive settings whatever the body holds.
    let dewi = app.token("dewi").await;
    let (status, answer) = app
        .put(
            &dewi,
            &format!("/api/v1/households/{h}/waakvlam"),
            &json!({"interval_days": 0}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
}

#[tokio::test]
async fn the_openapi_document_declares_the_error_statuses_the_server_gives() {
    let doc = serde_json::to_value(spil_web::api::openapi()).unwrap_or(Value::Null);
    let statuses = |path: &str, method: &str| -> Vec<String> {
        doc["paths"][path][method]["responses"]
            .as_object()
            .map(|r| r.keys().cloned().collect())
            .unwrap_or_default()
    };
    for (path, method, expected) in [
        (
            "/api/v1/households/{id}/plan",
            "put",
            &["200", "401", "403", "404", "409", "422", "413"][..],
        ),
        (
            "/api/v1/auth/token",
            "post",
            &["200", "401", "422", "429", "503"][..],
        ),
        (
            "/api/v1/registrations/duplicates",
            "post",
            &["200", "401", "422", "429"][..],
        ),
        (
            "/api/v1/households/{id}/team",
            "put",
            &["200", "204", "409"][..],
        ),
    ] {
        let got = statuses(path, method);
        for status in expected {
            assert!(
                got.iter().any(|s| s == status),
                "{method} {path} lacks {status}: {got:?}"
            );
        }
    }
}

#[tokio::test]
async fn my_households_come_in_pages_with_the_total_instead_of_being_cut_off() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    app.register_family(&anne, "Jansen", None).await;
    app.register_family(&anne, "Bakker", None).await;
    let page = |query: &'static str| crate::lists::list(&app, &anne, query);
    let (status, total, all) = page("").await;
    assert_eq!(status, StatusCode::OK);
    let n = all.as_array().map_or(0, Vec::len);
    assert_eq!(total, n as i64);
    assert!(n >= 3, "{all}");
    let (_, total, first) = page("&limit=1").await;
    assert_eq!((first.as_array().map(Vec::len), total), (Some(1), n as i64));
    let (_, _, second) = page("&limit=1&offset=1").await;
    assert_ne!(first[0]["id"], second[0]["id"], "the next page goes on");
    let (_, total, past) = page("&offset=100").await;
    assert_eq!((past, total), (json!([]), n as i64));
    let (status, _, _) = page("&limit=0").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_connection_that_stalls_is_closed_after_the_idle_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app().await;
    let base =
        crate::helpers::second_server_with(&app, std::time::Duration::from_millis(700)).await;
    let addr = base.trim_start_matches("http://").to_owned();
    // Half a request, then silence: the server hangs up.
    let mut slow = tokio::net::TcpStream::connect(&addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    slow.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(std::time::Duration::from_secs(5), slow.read(&mut buf)).await;
    assert!(
        matches!(read, Ok(Ok(0)) | Ok(Err(_))),
        "the stalled connection was closed: {read:?}"
    );
    // A client that trickles its headers a byte at a time (never idle) is cut off too.
    let mut trickle = tokio::net::TcpStream::connect(&addr)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let started = std::time::Instant::now();
    let mut closed = false;
    for byte in b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: "
        .iter()
        .cycle()
        .take(400)
    {
        if trickle.write_all(&[*byte]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        if started.elapsed() > std::time::Duration::from_secs(4) {
            break;
        }
    }
    if !closed {
        let read =
            tokio::time::timeout(std::time::Duration::from_secs(2), trickle.read(&mut buf)).await;
        closed = matches!(read, Ok(Ok(0)) | Ok(Err(_)));
    }
    assert!(
        closed,
        "a trickling client is cut off by the header timeout"
    );
    // A client that finishes its request is answered as usual.
    let r = app
        .client
        .get(format!("{base}/health"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_contact_cannot_lie_before_its_trajectory_began() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let (household, _) = app.register_family(&anne, "Jansen", None).await;
    app.put_team(
        &anne,
        &household,
        &json!({"regisseur": "anne", "members": []}),
    )
    .await;
    let before = app.counts().await;
    let yesterday = (spil_app::today() - chrono::Duration::days(1)).to_string();
    let path = format!("/api/v1/households/{household}/contacts");
    let (status, answer) = app
        .post(
            &anne,
            &path,
            &json!({"kind": "telefonisch", "date": yesterday, "minutes": 10}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["error"]["fields"]["date"], "before_trajectory");
    assert_eq!(app.counts().await, before, "nothing was written");
    let (status, _) = app
        .post(
            &anne,
            &path,
            &json!({"kind": "telefonisch", "date": crate::helpers::today(), "minutes": 10}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn query_parameters_are_documented_in_the_query_and_bad_ones_get_the_error_body() {
    let doc = spil_web::api::openapi_value();
    let mine = &doc["paths"]["/api/v1/households"]["get"]["parameters"][0];
    assert_eq!(
        (
            mine["name"].clone(),
            mine["in"].clone(),
            mine["required"].clone()
        ),
        (json!("mine"), json!("query"), json!(true))
    );
    let app = spawn_app().await;
    let fatima = app.token("fatima").await;
    let (status, body) = app
        .get(
            &fatima,
            "/api/v1/audit/break-glass?offset=9223372036854775808",
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("invalid_query")),
        "{body}"
    );
    // An integral number written with a fraction is a whole number, as JSON Schema says.
    let anne = app.token("anne").await;
    let (status, body) = app
        .post(
            &anne,
            &format!("/api/v1/households/{}/contacts", app.example_household),
            &json!({"kind": "telefonisch", "date": crate::helpers::today(), "minutes": 15.0}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}
