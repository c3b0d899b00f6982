use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, today, TestApp};

fn in_days(days: i64) -> String {
    (spil_app::today() + chrono::Duration::days(days)).to_string()
}

/// The example household's members: (Ingrid, Fenna).
async fn members(app: &TestApp, token: &str) -> (String, String) {
    let (status, household) = app
        .get(
            token,
            &format!("/api/v1/households/{}", app.example_household),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{household}");
    let id_of = |name: &str| {
        household["members"]
            .as_array()
            .and_then(|m| m.iter().find(|p| p["given_name"] == name))
            .map(|p| p["person_id"].as_str().unwrap_or_default().to_owned())
            .unwrap_or_else(|| panic!("no {name} in {household}"))
    };
    (id_of("Ingrid"), id_of("Fenna"))
}

fn plan_body(ingrid: &str, fenna: &str) -> Value {
    json!({
        "goals": [
            {"id": "goal-rust", "text": "Er is weer rust in huis", "result": "Geen ruzie meer over geld aan tafel",
             "evaluate_on": in_days(42)},
            {"id": "goal-school", "person_id": fenna, "text": "Fenna gaat weer elke dag naar school",
             "result": "Vier weken zonder verzuim", "evaluate_on": in_days(28)}
        ],
        "actions": [
            {"goal_id": "goal-rust", "text": "Alle post over geld samen openen", "actor": {"kind": "member", "ref": ingrid},
             "due": in_days(7)},
            {"goal_id": "goal-rust", "text": "Schuldhulp aanvragen", "actor": {"kind": "partner", "ref": "Humanitas"}},
            {"goal_id": "goal-school", "text": "Oma brengt Fenna op maandag", "actor": {"kind": "network", "ref": "Oma Hendriks"}}
        ],
        "agreements": ["Alle afspraken op papier", "We bellen elke maandag om 10 uur"]
    })
}

#[tokio::test]
async fn a_plan_is_edited_until_agreed_then_versioned_with_what_changed() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let (ingrid, fenna) = members(&app, &anne).await;
    let path = format!("/api/v1/households/{}/plan", app.example_household);

    let (status, _) = app.get(&anne, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no plan yet");

    let mut body = plan_body(&ingrid, &fenna);
    let (status, saved) = app.put(&anne, &path, &body).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(
        saved,
        json!({"version": 1, "revision": 1, "state": "not_agreed", "changed": true})
    );

    // Before agreement an edit stays version 1 but is a new revision; saving the same plan
    // again changes nothing.
    body["agreements"][1] = json!("We bellen elke dinsdag om 10 uur");
    body["revision"] = json!(1);
    let (_, saved) = app.put(&anne, &path, &body).await;
    assert_eq!(
        (saved["version"].clone(), saved["revision"].clone()),
        (json!(1), json!(2)),
        "{saved}"
    );
    body["revision"] = json!(2);
    let (_, saved) = app.put(&anne, &path, &body).await;
    assert_eq!(saved["changed"], false);

    let (_, plan) = app.get(&anne, &path).await;
    assert_eq!(plan["version"], 1);
    assert!(plan["agreement"].is_null());
    assert_eq!(plan["state"], "not_agreed");
    assert_eq!(plan["goals"][1]["person_name"], "Fenna Hendriks");
    assert_eq!(plan["actions"][0]["actor"]["name"], "Ingrid Hendriks");
    assert_eq!(plan["goals"][0]["next_evaluation_on"], in_days(42));

    // The worklist shows the plan as not agreed.
    let (_, worklist) = app.get(&anne, "/api/v1/worklist").await;
    let this = |worklist: &Value| {
        worklist["plans_not_agreed"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["household_id"] == app.example_household.as_str())
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(this(&worklist)["state"], "not_agreed", "{worklist}");

    let (status, agreement) = app
        .post(
            &anne,
            &format!("{path}/agreement"),
            &json!({"date": today(), "how": "signed_paper", "by_person_id": ingrid, "revision": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{agreement}");
    let (_, plan) = app.get(&anne, &path).await;
    assert_eq!(plan["state"], "agreed");
    assert_eq!(plan["agreement"]["by_name"], "Ingrid Hendriks");
    assert_eq!(plan["agreement"]["how"], "signed_paper");
    assert_eq!(plan["agreement"]["revision"], 2);
    // The agreed plan starts the support: the phase no longer says "Verkennen".
    let household_path = path.trim_end_matches("/plan").to_owned();
    let (_, household) = app.get(&anne, &household_path).await;
    assert_eq!(household["trajectory"]["status"], "support", "{household}");
    let (_, journal) = app.get(&anne, &format!("{household_path}/journal")).await;
    assert!(
        journal
            .as_array()
            .into_iter()
            .flatten()
            .any(|e| e["summary"]
                .as_str()
                .is_some_and(|s| s.contains("(plan akkoord)"))),
        "{journal}"
    );
    let (_, worklist) = app.get(&anne, "/api/v1/worklist").await;
    assert_eq!(this(&worklist), Value::Null, "{worklist}");

    // Agreeing twice to the same version is refused.
    let (status, again) = app
        .post(
            &anne,
            &format!("{path}/agreement"),
            &json!({"date": today(), "how": "verbal", "by_person_id": ingrid, "revision": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(again["error"]["code"], "plan_already_agreed");

    // Bas agrees to the same version too: both parents, each once.
    let (_, household) = app.get(&anne, household_path.as_str()).await;
    let bas = household["members"]
        .as_array()
        .and_then(|m| m.iter().find(|p| p["given_name"] == "Bas"))
        .and_then(|p| p["person_id"].as_str())
        .unwrap_or_default()
        .to_owned();
    let (status, second) = app
        .post(
            &anne,
            &format!("{path}/agreement"),
            &json!({"date": today(), "how": "verbal", "by_person_id": bas, "revision": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    let (_, plan) = app.get(&anne, &path).await;
    let names: Vec<&str> = plan["agreed_by"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["by_name"].as_str())
        .collect();
    assert_eq!(names, vec!["Ingrid Hendriks", "Bas Hendriks"], "{plan}");
    assert_eq!(
        plan["agreement"]["by_name"], "Ingrid Hendriks",
        "the first stays `agreement`"
    );

    // A change after agreement makes version 2, visible as "changed since agreement".
    body["goals"][1]["evaluate_on"] = json!(in_days(35));
    body["actions"][1]["status"] = json!("done");
    body["agreements"]
        .as_array_mut()
        .map(|a| a.push(json!("Oma haalt Fenna op woensdag op")))
        .unwrap_or_default();
    let (_, saved) = app.put(&anne, &path, &body).await;
    assert_eq!(
        saved,
        json!({"version": 2, "revision": 3, "state": "changed_since_agreement", "changed": true})
    );
    let (_, plan) = app.get(&anne, &path).await;
    assert!(plan["agreement"].is_null());
    assert_eq!(plan["previous_agreement"]["version"], 1);
    assert_eq!(
        plan["goals"][1]["next_evaluation_on"],
        in_days(35),
        "a moved date moves the next evaluation"
    );
    let (_, worklist) = app.get(&anne, "/api/v1/worklist").await;
    assert_eq!(this(&worklist)["state"], "changed_since_agreement");

    let (_, versions) = app.get(&anne, &format!("{path}/versions")).await;
    let versions = versions.as_array().cloned().unwrap_or_default();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["agreement"]["by_name"], "Ingrid Hendriks");
    assert!(versions[1]["agreement"].is_null());
    let kinds: Vec<&str> = versions[1]["changes"]
        .as_array()
        .map(|c| c.iter().filter_map(|x| x["kind"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        kinds,
        vec!["goal_changed", "action_changed", "agreement_added"]
    );

    // Someone outside the team reads none of it.
    let bram = app.token("bram").await;
    for p in [
        path.clone(),
        format!("{path}/versions"),
        format!("{path}.pdf"),
    ] {
        let (status, _) = app.get(&bram, &p).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{p}");
    }
    let (status, _) = app.put(&bram, &path, &body).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Every read and change is in the journal and the access log.
    let (_, journal) = app
        .get(
            &anne,
            &format!("/api/v1/households/{}/journal", app.example_household),
        )
        .await;
    let kinds: Vec<&str> = journal
        .as_array()
        .map(|j| j.iter().filter_map(|e| e["kind"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(kinds.iter().filter(|k| **k == "plan.saved").count(), 3);
    assert!(kinds.contains(&"plan.agreed"));
}

#[tokio::test]
async fn evaluations_close_or_continue_goals_and_scaling_proposes_anew() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let (ingrid, fenna) = members(&app, &anne).await;
    let hh = &app.example_household;
    let mut body = plan_body(&ingrid, &fenna);
    // One goal due today: it shows in this week's worklist.
    body["goals"][1]["evaluate_on"] = json!(today());
    let (status, saved) = app
        .put(&anne, &format!("/api/v1/households/{hh}/plan"), &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");

    let (_, worklist) = app.get(&anne, "/api/v1/worklist").await;
    let due = worklist["evaluations_due"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(due.len(), 1, "{worklist}");
    assert_eq!(due[0]["goal_id"], "goal-school");
    assert_eq!(due[0]["overdue"], false);

    let path = format!("/api/v1/households/{hh}/evaluations");
    let (status, result) = app
        .post(
            &anne,
            &path,
            &json!({"goal_id": "goal-school", "outcome": "partly", "next_step": "continue",
            "note": "Drie van de vier weken goed"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{result}");
    assert_eq!(result["goal_status"], "open");
    assert_eq!(result["next_evaluation_on"], in_days(42));
    assert!(result["triage"].is_null());
    let (_, worklist) = app.get(&anne, "/api/v1/worklist").await;
    assert_eq!(
        worklist["evaluations_due"],
        json!([]),
        "evaluated: no longer due"
    );

    // Scaling up records a new triage proposal in the same step.
    let (status, result) = app
        .post(
            &anne,
            &path,
            &json!({"goal_id": "goal-rust", "outcome": "not_reached", "next_step": "scale_up"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{result}");
    assert!(result["triage"]["level"].is_string(), "{result}");
    let (_, journal) = app
        .get(&anne, &format!("/api/v1/households/{hh}/journal"))
        .await;
    let proposed = journal
        .as_array()
        .and_then(|j| j.iter().find(|e| e["kind"] == "triage.proposed"))
        .cloned()
        .unwrap_or_default();
    assert!(
        proposed["summary"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Opschalen na evaluatie"),
        "{proposed}"
    );

    // Closing a goal; a closed goal cannot be evaluated again.
    let (_, result) = app
        .post(
            &anne,
            &path,
            &json!({"goal_id": "goal-school", "outcome": "reached", "next_step": "scale_down"}),
        )
        .await;
    assert_eq!(result["goal_status"], "reached");
    assert!(result["next_evaluation_on"].is_null());
    let (status, again) = app
        .post(
            &anne,
            &path,
            &json!({"goal_id": "goal-school", "outcome": "reached", "next_step": "close"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(again["error"]["code"], "goal_closed");

    let (_, list) = app.get(&anne, &path).await;
    assert_eq!(list.as_array().map(Vec::len), Some(3));
    let (_, plan) = app
        .get(&anne, &format!("/api/v1/households/{hh}/plan"))
        .await;
    assert_eq!(plan["goals"][1]["status"], "reached");
}

#[tokio::test]
async fn bad_plan_input_gets_a_precise_error_and_writes_nothing() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let (ingrid, fenna) = members(&app, &anne).await;
    let hh = app.example_household.clone();
    let path = format!("/api/v1/households/{hh}/plan");

    // Agreeing an empty plan (there is none yet).
    let (status, body) = app
        .post(
            &anne,
            &format!("{path}/agreement"),
            &json!({"date": today(), "how": "verbal", "by_person_id": ingrid, "revision": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "plan_empty");

    // A plan with agreements but no goals can be saved, but not agreed to.
    let (status, _) = app
        .put(
            &anne,
            &path,
            &json!({"agreements": ["We spreken elke week af"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .post(
            &anne,
            &format!("{path}/agreement"),
            &json!({"date": today(), "how": "verbal", "by_person_id": ingrid, "revision": 1}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("plan_empty"))
    );

    // Field errors: each names its field; nothing is written.
    let cases = [
        (
            json!({"goals": [{"text": "Rust", "result": "Rust", "evaluate_on": "2020-01-01"}]}),
            "goals[0].evaluate_on",
            "before_plan_start",
        ),
        (
            json!({"goals": [{"text": "Rust", "result": "Rust", "evaluate_on": "31-12-2027"}]}),
            "goals[0].evaluate_on",
            "date_invalid",
        ),
        (
            json!({"goals": [{"text": " ", "result": "Rust", "evaluate_on": in_days(5)}]}),
            "goals[0].text",
            "required",
        ),
        (
            json!({"actions": [{"text": "Bellen", "actor": {"kind": "buurman"}}]}),
            "actions[0].actor.kind",
            "unknown_value",
        ),
        (
            json!({"actions": [{"text": "Bellen", "actor": {"kind": "member", "ref": "someone-else"}}]}),
            "actions[0].actor.ref",
            "not_a_member",
        ),
        (
            json!({"actions": [{"text": "Bellen", "goal_id": "nope", "actor": {"kind": "professional"}}]}),
            "actions[0].goal_id",
            "unknown_goal",
        ),
        (
            json!({"goals": [{"person_id": "stranger", "text": "Rust", "result": "Rust", "evaluate_on": in_days(5)}]}),
            "goals[0].person_id",
            "not_a_member",
        ),
    ];
    for (body, field, code) in cases {
        let (status, answer) = app.put(&anne, &path, &body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body} → {answer}"
        );
        assert_eq!(answer["error"]["fields"][field], code, "{body} → {answer}");
    }
    let (status, answer) = app
        .put(&anne, &path, &json!({"goals": [], "extra": true}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");

    // An action for a goal of another household: the other household's goal id is not this plan's.
    let (other, _) = app.register_family(&anne, "Jansen", None).await;
    let (status, _) = app
        .put_team(&anne, &other, &json!({"regisseur": "anne", "members": []}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, saved) = app.put(&anne, &format!("/api/v1/households/{other}/plan"), &json!({
        "goals": [{"id": "goal-jansen", "text": "Werk vinden", "result": "Een baan van 20 uur", "evaluate_on": in_days(30)}]
    })).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (status, answer) = app.put(&anne, &path, &json!({
        "goals": [{"id": "goal-hier", "text": "Rust", "result": "Rust", "evaluate_on": in_days(5)}],
        "actions": [{"text": "Bellen", "goal_id": "goal-jansen", "actor": {"kind": "professional"}}]
    })).await;
    assert_eq!(
        answer["error"]["fields"]["actions[0].goal_id"], "unknown_goal",
        "{status} {answer}"
    );
    // Nor can this plan take over the other household's goal id.
    let (_, answer) = app.put(&anne, &path, &json!({
        "goals": [{"id": "goal-jansen", "text": "Rust", "result": "Rust", "evaluate_on": in_days(5)}]
    })).await;
    assert_eq!(
        answer["error"]["fields"]["goals[0].id"], "not_allowed",
        "{answer}"
    );
    // And evaluating the other household's goal from here is refused.
    let (status, answer) = app
        .post(
            &anne,
            &format!("/api/v1/households/{hh}/evaluations"),
            &json!({"goal_id": "goal-jansen", "outcome": "partly", "next_step": "continue"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer["error"]["fields"]["goal_id"], "unknown_goal");

    let (_, plan) = app.get(&anne, &path).await;
    assert_eq!(
        plan["goals"],
        json!([]),
        "nothing of the refused saves was written"
    );
    assert_eq!(plan["version"], 1);

    // Evaluation before the plan started; unknown outcome; a date in the future.
    let mut full = plan_body(&ingrid, &fenna);
    full["revision"] = plan["revision"].clone();
    let (status, _) = app.put(&anne, &path, &full).await;
    assert_eq!(status, StatusCode::OK);
    let eval = format!("/api/v1/households/{hh}/evaluations");
    for (body, field, code) in [
        (
            json!({"goal_id": "goal-rust", "outcome": "partly", "next_step": "continue", "date": "2020-05-01"}),
            "date",
            "before_plan_start",
        ),
        (
            json!({"goal_id": "goal-rust", "outcome": "goed", "next_step": "continue"}),
            "outcome",
            "unknown_value",
        ),
        (
            json!({"goal_id": "goal-rust", "outcome": "partly", "next_step": "verder"}),
            "next_step",
            "unknown_value",
        ),
        (
            json!({"goal_id": "goal-rust", "outcome": "partly", "next_step": "continue", "date": in_days(2)}),
            "date",
            "date_in_future",
        ),
    ] {
        let (status, answer) = app.post(&anne, &eval, &body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body} → {answer}"
        );
        assert_eq!(answer["error"]["fields"][field], code, "{body} → {answer}");
    }
    let (_, list) = app.get(&anne, &eval).await;
    assert_eq!(list, json!([]), "no evaluation was written");

    // Agreement: not a member, unknown way, a date before the version existed.
    let agree = format!("{path}/agreement");
    for (body, field, code) in [
        (
            json!({"date": today(), "how": "verbal", "by_person_id": "stranger", "revision": 2}),
            "by_person_id",
            "not_a_member",
        ),
        (
            json!({"date": today(), "how": "handdruk", "by_person_id": ingrid, "revision": 2}),
            "how",
            "unknown_value",
        ),
        (
            json!({"date": "2020-01-01", "how": "verbal", "by_person_id": ingrid, "revision": 2}),
            "date",
            "before_plan_start",
        ),
    ] {
        let (status, answer) = app.post(&anne, &agree, &body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body} → {answer}"
        );
        assert_eq!(answer["error"]["fields"][field], code, "{body} → {answer}");
    }
    let (_, plan) = app.get(&anne, &path).await;
    assert_eq!(plan["state"], "not_agreed");
}

#[tokio::test]
async fn the_plan_pdf_opens_and_contains_the_goals_and_who_does_what() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let (ingrid, fenna) = members(&app, &anne).await;
    let hh = &app.example_household;
    let (status, _) = app
        .put(
            &anne,
            &format!("/api/v1/households/{hh}/plan"),
            &plan_body(&ingrid, &fenna),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let response = app
        .client
        .get(format!("{}/api/v1/households/{hh}/plan.pdf", app.base))
        .bearer_auth(&anne)
        .send()
        .await
        .unwrap_or_else(|e| panic!("pdf: {e}"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    let bytes = response
        .bytes()
        .await
        .unwrap_or_else(|e| panic!("bytes: {e}"));
    assert!(bytes.starts_with(b"%PDF-"));
    let text = crate::helpers::pdf_text(&bytes);
    for expected in [
        "Ons plan - gezin Hendriks",
        "Er is weer rust in huis",
        "Fenna gaat weer elke dag naar school",
        "Zo weten we dat het gelukt is: Vier weken zonder verzuim",
        "Ingrid Hendriks: Alle post over geld samen openen",
        "Oma Hendriks: Oma brengt Fenna op maandag",
        "We bellen elke maandag om 10 uur",
        "Handtekening",
        "Naam: Ingrid Hendriks",
        "Naam: Bas Hendriks",
        "Voor het team: Anne de Vries",
        "Anne de Vries, Sociaal team Aalten-Noord",
        "revisie 1",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }

    // Once agreed, the paper says who agreed instead of asking for a signature.
    let (status, _) = app
        .post(
            &anne,
            &format!("/api/v1/households/{hh}/plan/agreement"),
            &json!({"date": today(), "how": "digital", "by_person_id": ingrid, "revision": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let bytes = app
        .client
        .get(format!("{}/api/v1/households/{hh}/plan.pdf", app.base))
        .bearer_auth(&anne)
        .send()
        .await
        .unwrap_or_else(|e| panic!("pdf: {e}"))
        .bytes()
        .await
        .unwrap_or_else(|e| panic!("bytes: {e}"));
    let text = crate::helpers::pdf_text(&bytes);
    assert!(text.contains("Ingrid Hendriks gaf akkoord"), "{text}");
    assert!(text.contains("op revisie 1"), "{text}");
    assert!(!text.contains("Handtekening"));
}
