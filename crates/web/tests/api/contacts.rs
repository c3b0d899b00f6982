use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn contacts_are_recorded_and_summed_as_basishulp_time() {
    let app = spawn_app().await;
    let (anne, dewi, chris) = (
        app.token("anne").await,
        app.token("dewi").await,
        app.token("chris").await,
    );
    let path = format!("/api/v1/households/{}/contacts", app.example_household);
    let contacts = [
        (
            &anne,
            "huisbezoek",
            "2026-10-30",
            90,
            "Keukentafelgesprek, aangekondigd wie er komt",
            false,
        ),
        (
            &anne,
            "telefonisch",
            "2026-11-02",
            15,
            "Ingrid belt over een aanmaning",
            false,
        ),
        (
            &dewi,
            "kantoor",
            "2026-11-03",
            60,
            "Schuldenoverzicht gemaakt",
            false,
        ),
        (
            &anne,
            "overleg",
            "2026-11-04",
            45,
            "Overleg met Veilig Thuis over signalen",
            true,
        ),
        (
            &anne,
            "telefonisch",
            "2026-11-05",
            30,
            "Afspraak bevestigd",
            false,
        ),
    ];
    for (token, kind, date, minutes, note, sensitive) in contacts {
        let (status, body) = app
            .post(token, &path, &json!({"kind": kind, "date": date, "minutes": minutes, "participants": ["Ingrid"], "note": note, "sensitive": sensitive}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    // The sensitive note: the regisseur (its author) reads it, the other team member does not.
    let (_, for_anne) = app.get(&anne, &path).await;
    let (_, for_dewi) = app.get(&dewi, &path).await;
    assert_eq!(
        for_anne[1]["note"],
        "Overleg met Veilig Thuis over signalen"
    );
    assert_eq!(for_dewi[1]["sensitive"], true);
    assert!(for_dewi[1]["note"].is_null(), "{}", for_dewi[1]);
    assert_eq!(for_dewi[2]["note"], "Schuldenoverzicht gemaakt");
    // Nor does the timeline give it away.
    let (_, journal) = app
        .get(
            &dewi,
            &format!("/api/v1/households/{}/journal", app.example_household),
        )
        .await;
    assert!(!journal.to_string().contains("Veilig Thuis over signalen"));

    let report = |group: &str| {
        format!("/api/v1/reports/basishulp?from=2026-10-01&to=2026-11-30&group_by={group}")
    };
    let (status, by_team) = app.get(&chris, &report("team")).await;
    assert_eq!(status, StatusCode::OK, "{by_team}");
    assert_eq!(by_team["total_minutes"], 240);
    assert_eq!(by_team["rows"][0]["key"], "Sociaal team Aalten-Noord");
    assert_eq!(by_team["rows"][0]["hours"], 4.0);
    assert_eq!(by_team["rows"][0]["contacts"], 5);
    // Per month the cells hold 1 and 4 contacts: both withheld, and the total counts only
    // what is shown, so nothing can be worked out by subtraction.
    let (_, by_month) = app.get(&chris, &report("month")).await;
    let months: Vec<(String, serde_json::Value)> = by_month["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            (
                r["key"].as_str().unwrap_or_default().to_owned(),
                r["minutes"].clone(),
            )
        })
        .collect();
    assert_eq!(
        months,
        [
            ("2026-10".to_owned(), json!(null)),
            ("2026-11".to_owned(), json!(null))
        ]
    );
    assert_eq!(by_month["withheld"], 2);
    assert_eq!(by_month["total_minutes"], 0);
    // Another municipality's professional sees none of Aalten's teams; the region-wide
    // comparison names municipalities, not teams.
    let gert = app.token("gert").await;
    let (_, for_gert) = app.get(&gert, &report("team")).await;
    assert!(
        !for_gert.to_string().contains("Aalten"),
        "rows about teams stay within the asker's municipality: {for_gert}"
    );
    let (_, region) = app.get(&gert, &report("municipality")).await;
    let keys: Vec<&str> = region["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["key"].as_str())
        .collect();
    assert_eq!(keys, ["Aalten"], "{region}");
    assert_eq!(region["rows"][0]["minutes"], 240);
    // A period that ends before it starts is refused.
    let (status, bad) = app
        .get(
            &chris,
            "/api/v1/reports/basishulp?from=2026-11-30&to=2026-10-01",
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad["error"]["fields"]["to"], "before_start");
    let (status, by_household) = app.get(&chris, &report("household")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        by_household["rows"][0]["key"],
        app.example_household.as_str()
    );
    // Per professional (within the coordinator's own team, not suppressed): anne recorded
    // 180 minutes, dewi 60.
    let (_, by_professional) = app.get(&chris, &report("professional")).await;
    assert_eq!(by_professional["rows"][0]["key"], "Anne de Vries");
    assert_eq!(by_professional["rows"][0]["minutes"], 180);
    assert_eq!(by_professional["rows"][1]["minutes"], 60);
    // Per household and per professional only for a coordinator.
    for group in ["household", "professional"] {
        assert_eq!(
            app.get(&anne, &report(group)).await.0,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn bad_contacts_are_refused_and_write_nothing() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let path = format!("/api/v1/households/{}/contacts", app.example_household);
    let before = app.counts().await;
    let cases = [
        (
            json!({"kind": "huisbezoek", "date": "2026-11-01", "minutes": -10}),
            "minutes",
            "not_allowed",
        ),
        (
            json!({"kind": "huisbezoek", "date": "2026-11-01", "minutes": 1441}),
            "minutes",
            "not_allowed",
        ),
        (
            json!({"kind": "brief", "date": "2026-11-01", "minutes": 10}),
            "kind",
            "unknown_value",
        ),
        (
            json!({"kind": "online", "date": "2999-11-01", "minutes": 10}),
            "date",
            "date_in_future",
        ),
    ];
    for (body, field, code) in cases {
        let (status, error) = app.post(&anne, &path, &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error["error"]["fields"][field], code, "{body}: {error}");
    }
    assert_eq!(app.counts().await, before);
    let bram = app.token("bram").await;
    let (status, _) = app
        .post(
            &bram,
            &path,
            &json!({"kind": "online", "date": "2026-11-01", "minutes": 10}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&bram, &path).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_referrer_gets_status_feedback_only_with_consent() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let mut with_consent = crate::helpers::family("Pietersen", None);
    with_consent["feedback_consent"] = json!(true);
    let (_, created) = app
        .post(&anne, "/api/v1/registrations", &with_consent)
        .await;
    let (household, registration) = (
        created["household_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        created["registration_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    );
    let (without, _) = app.register_family(&anne, "Jansen", None).await;
    let feedback = |id: &str| format!("/api/v1/registrations/{id}/feedback");

    let (status, events) = app.get(&anne, &feedback(&registration)).await;
    assert_eq!(status, StatusCode::OK);
    let names = |events: &serde_json::Value| -> Vec<String> {
        events
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["event"].as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(names(&events), ["received"]);

    // A contact, then closing: the referrer hears that, and nothing more.
    app.put_team(
        &anne,
        &household,
        &json!({"regisseur": "anne", "members": []}),
    )
    .await;
    let (status, _) = app
        .post(&anne, &format!("/api/v1/households/{household}/contacts"), &json!({"kind": "huisbezoek", "date": crate::helpers::today(), "minutes": 60, "note": "Geheim"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    app.put(
        &anne,
        &format!("/api/v1/households/{household}/status"),
        &json!({"status": "closed", "close_reason": "referred_on"}),
    )
    .await;
    let (_, events) = app.get(&anne, &feedback(&registration)).await;
    assert_eq!(names(&events), ["received", "contact_made", "closed"]);
    assert!(!events.to_string().contains("Geheim"));
    // The referrer hears that support goes on elsewhere, not why the trajectory closed.
    assert_eq!(events[2]["follow_up"], true, "{events}");
    assert!(!events.to_string().contains("referred_on"));
    for event in events.as_array().into_iter().flatten() {
        let keys = if event["event"] == "closed" { 3 } else { 2 };
        assert_eq!(
            event.as_object().map(|o| o.len()),
            Some(keys),
            "status and time only: {event}"
        );
    }

    // Without consent there is nothing to tell.
    let (_, no_consent) = app
        .get(&anne, &format!("/api/v1/households/{without}"))
        .await;
    let other_registration = no_consent["registrations"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (_, events) = app.get(&anne, &feedback(&other_registration)).await;
    assert_eq!(events, json!([]));
    // Someone outside the team cannot read it.
    let bram = app.token("bram").await;
    assert_eq!(
        app.get(&bram, &feedback(&other_registration)).await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn waakvlam_puts_households_on_the_worklist_until_the_trajectory_closes() {
    let app = spawn_app().await;
    let (anne, dewi) = (app.token("anne").await, app.token("dewi").await);
    let h = &app.example_household;
    let path = format!("/api/v1/households/{h}/waakvlam");
    let until = (spil_app::today() + chrono::Duration::days(120))
        .format("%Y-%m-%d")
        .to_string();
    let before = app.counts().await;
    for (body, field) in [
        (json!({"interval_days": 0, "until": until}), "interval_days"),
        (
            json!({"interval_days": 400, "until": until}),
            "interval_days",
        ),
        (json!({"interval_days": 14, "until": "2020-01-01"}), "until"),
        (json!({"interval_days": 14, "until": "morgen"}), "until"),
    ] {
        let (status, error) = app.put(&anne, &path, &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(error["error"]["fields"][field].is_string(), "{error}");
    }
    assert_eq!(app.counts().await, before);
    assert_eq!(
        app.put(&dewi, &path, &json!({"interval_days": 3, "until": until}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );

    let (status, _) = app
        .put(&anne, &path, &json!({"interval_days": 3, "until": until}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let in_three_days = (spil_app::today() + chrono::Duration::days(3))
        .format("%Y-%m-%d")
        .to_string();
    for token in [&anne, &dewi] {
        let (_, worklist) = app.get(token, "/api/v1/worklist").await;
        assert_eq!(
            worklist["waakvlam_due"][0]["household_id"],
            h.as_str(),
            "{worklist}"
        );
        assert_eq!(
            worklist["waakvlam_due"][0]["due_on"],
            in_three_days.as_str()
        );
        assert_eq!(worklist["waakvlam_due"][0]["overdue"], false);
    }
    let bram = app.token("bram").await;
    let (_, for_bram) = app.get(&bram, "/api/v1/worklist").await;
    assert_eq!(for_bram["waakvlam_due"], json!([]));

    // Closing the trajectory ends it.
    app.put(
        &anne,
        &format!("/api/v1/households/{h}/status"),
        &json!({"status": "closed", "close_reason": "goals_reached"}),
    )
    .await;
    let (_, worklist) = app.get(&anne, "/api/v1/worklist").await;
    assert_eq!(worklist["waakvlam_due"], json!([]));
}
