use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

async fn members(app: &TestApp, token: &str, household: &str) -> Vec<(String, String)> {
    let (_, h) = app
        .get(token, &format!("/api/v1/households/{household}"))
        .await;
    h["members"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            (
                m["given_name"].as_str().unwrap_or_default().to_owned(),
                m["person_id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn id_of(members: &[(String, String)], name: &str) -> String {
    members
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, id)| id.clone())
        .unwrap_or_default()
}

/// The kitchen-table conversation with the family of seed 001.
async fn intake_of_the_example_family(app: &TestApp, anne: &str) -> Vec<(String, String)> {
    let h = &app.example_household;
    let people = members(app, anne, h).await;
    let person = |name: &str, question: &str, result: &str| {
        json!({
            "person_id": id_of(&people, name),
            "question": question,
            "desired_result": result,
            "normalising": {"applies": false, "why": "Geen tijdelijk of alledaags probleem"},
            "slow_down_and_bear": {"applies": false, "why": "De schulden lopen op"}
        })
    };
    let (status, body) = app
        .put(anne, &format!("/api/v1/households/{h}/intake"), &json!({
            "persons": [
                person("Ingrid", "Ik wil weer overzicht over de post en de rekeningen.", "Geen aanmaningen meer"),
                person("Bas", "Ik wil in het weekend rust en energie voor de kinderen.", "Weekenden zonder ruzie"),
                person("Milan", "Ik ben vaak moe.", "Beter slapen"),
                person("Fenna", "", "Zindelijk worden")
            ],
            "network": [{"name": "Oma Hendriks", "relation": "moeder van Bas", "can_help_with": "oppassen op woensdag"}],
            "analysis": {
                "causes": "Schade-uitkering op; niet-aangeboren hersenletsel bij vader; vermoedelijk LVB bij moeder",
                "maintaining": "Geen overzicht in de administratie; vader doordeweeks weg",
                "connections": "Financiële stress vergroot de spanning thuis en raakt de kinderen"
            },
            "safety_level": "zorgen"
        }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let scores = [
        (
            "Ingrid",
            json!({"financien": 2, "instrumentele_adl": 2, "geestelijke_gezondheid": 2, "sociaal_netwerk": 3}),
        ),
        (
            "Bas",
            json!({"financien": 2, "lichamelijke_gezondheid": 3, "werk_opleiding": 4}),
        ),
        (
            "Milan",
            json!({"scholing": 3, "emotionele_ondersteuning": 2}),
        ),
        (
            "Fenna",
            json!({"lichamelijke_verzorging": 2, "socialisering": 3}),
        ),
    ];
    for (name, scores) in scores {
        let (status, body) = app
            .post(
                anne,
                &format!("/api/v1/households/{h}/assessments"),
                &json!({
                    "person_id": id_of(&people, name), "date": "2026-11-20", "scores": scores,
                    "strengths": "Betrokken ouders; Milan voetbalt graag", "notes": {}
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
    }
    people
}

#[tokio::test]
async fn the_policy_is_served_with_its_version_domains_and_glossary() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let (status, policy) = app.get(&anne, "/api/v1/policy").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(policy["version"].as_str().map(str::len), Some(16));
    let domains = policy["domains"].as_array().cloned().unwrap_or_default();
    assert_eq!(domains.len(), 19);
    assert!(domains
        .iter()
        .any(|d| d["key"] == "financien" && d["name"] == "Financiën" && d["for"] == "adults"));
    assert!(domains
        .iter()
        .any(|d| d["name"] == "Scholing" && d["for"] == "children"));
    let levels: Vec<&str> = policy["levels"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["key"].as_str())
        .collect();
    assert_eq!(levels, ["licht", "midden", "zwaar"]);
    for term in ["spoed", "crisis", "complex"] {
        assert!(
            policy["glossary"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|g| g["term"] == term),
            "{term}"
        );
    }
    assert_eq!(
        app.get("", "/api/v1/policy").await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_example_family_gets_a_proposal_with_reasons_and_the_decision_is_journalled() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    intake_of_the_example_family(&app, &anne).await;
    let h = &app.example_household;

    let (status, intake) = app
        .get(&anne, &format!("/api/v1/households/{h}/intake"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(intake["safety_level"], "zorgen");
    assert_eq!(intake["network"][0]["name"], "Oma Hendriks");
    let modules: Vec<&str> = intake["modules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["key"].as_str())
        .collect();
    assert!(
        modules.contains(&"schulden") && modules.contains(&"jeugd") && modules.contains(&"wmo"),
        "{modules:?}"
    );

    let (status, proposal) = app
        .post(&anne, &format!("/api/v1/households/{h}/triage"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{proposal}");
    let (_, policy) = app.get(&anne, "/api/v1/policy").await;
    assert_eq!(proposal["policy_version"], policy["version"]);
    assert_eq!(proposal["level"], "zwaar");
    assert_eq!(proposal["route"], "basishulp_met_expertise");
    let rules: Vec<&str> = proposal["reasons"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["rule"].as_str())
        .collect();
    assert!(
        rules.contains(&"meerdere-leefgebieden") && rules.contains(&"zorgen-veiligheid"),
        "{rules:?}"
    );
    assert!(proposal["reasons"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|r| r["text"].as_str().is_some_and(|t| !t.is_empty())));

    // Deviating needs a reason; nothing is recorded without one.
    let path = format!("/api/v1/households/{h}/triage/decision");
    let (status, error) = app
        .post(
            &anne,
            &path,
            &json!({"level": "midden", "route": "basishulp"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error["error"]["code"], "deviation_reason_required");
    let (status, decided) = app
        .post(&anne, &path, &json!({"level": "midden", "route": "basishulp", "deviation_reason": "De ouders willen eerst zelf met oma aan de slag; het team volgt dit wekelijks."}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{decided}");
    assert_eq!(decided["deviated"], true);
    // The proposal is decided: deciding again needs a new proposal.
    let (status, _) = app
        .post(
            &anne,
            &path,
            &json!({"level": "zwaar", "route": "basishulp_met_expertise"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (_, journal) = app
        .get(&anne, &format!("/api/v1/households/{h}/journal"))
        .await;
    let kinds: Vec<&str> = journal
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    for kind in [
        "intake.saved",
        "assessment.added",
        "triage.proposed",
        "triage.decided",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let decided_entry = journal
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["kind"] == "triage.decided")
        .cloned()
        .unwrap_or_default();
    assert!(
        decided_entry["summary"]
            .as_str()
            .is_some_and(|s| s.contains("afwijkend")),
        "{decided_entry}"
    );
}

#[tokio::test]
async fn acute_unsafety_always_proposes_crisis() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let h = &app.example_household;
    let (status, _) = app
        .put(
            &anne,
            &format!("/api/v1/households/{h}/intake"),
            &json!({"safety_level": "acuut_onveilig"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, proposal) = app
        .post(&anne, &format!("/api/v1/households/{h}/triage"), &json!({}))
        .await;
    assert_eq!(
        (proposal["level"].as_str(), proposal["route"].as_str()),
        (Some("zwaar"), Some("crisis")),
        "{proposal}"
    );
}

#[tokio::test]
async fn bad_assessments_and_intakes_are_refused_precisely_and_write_nothing() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let h = &app.example_household;
    let people = members(&app, &anne, h).await;
    let ingrid = id_of(&people, "Ingrid");
    let before = app.counts().await;
    let path = format!("/api/v1/households/{h}/assessments");
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"person_id": ingrid, "date": "2026-11-20", "scores": {"financien": 6}}),
            "scores.financien",
            "not_allowed",
        ),
        (
            json!({"person_id": ingrid, "date": "2026-11-20", "scores": {"financien": 0}}),
            "scores.financien",
            "not_allowed",
        ),
        (
            json!({"person_id": ingrid, "date": "2026-11-20", "scores": {"wonen": 3}}),
            "scores.wonen",
            "unknown_value",
        ),
        (
            json!({"person_id": "someone-else", "date": "2026-11-20", "scores": {"financien": 3}}),
            "person_id",
            "unknown_value",
        ),
        (
            json!({"person_id": ingrid, "date": "2999-01-01", "scores": {"financien": 3}}),
            "date",
            "date_in_future",
        ),
        (
            json!({"person_id": ingrid, "date": "2026-11-20", "scores": {}}),
            "scores",
            "empty",
        ),
    ];
    for (body, field, code) in cases {
        let (status, error) = app.post(&anne, &path, &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {error}");
        assert_eq!(error["error"]["fields"][field], code, "{body}: {error}");
    }
    let (status, error) = app
        .put(
            &anne,
            &format!("/api/v1/households/{h}/intake"),
            &json!({"safety_level": "een beetje"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error["error"]["fields"]["safety_level"], "unknown_value");
    let (status, error) = app
        .put(
            &anne,
            &format!("/api/v1/households/{h}/intake"),
            &json!({"safety_level": "zorgen", "persons": [{"person_id": "stranger"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error["error"]["fields"]["persons[0].person_id"],
        "unknown_value"
    );
    assert_eq!(app.counts().await, before, "nothing journalled");
    let (_, list) = app.get(&anne, &path).await;
    assert_eq!(list.as_array().map(Vec::len), Some(0));

    // Someone outside the team can neither read nor score.
    let bram = app.token("bram").await;
    assert_eq!(app.get(&bram, &path).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        app.post(&bram, &format!("/api/v1/households/{h}/triage"), &json!({}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn assessments_are_kept_and_listed_newest_first() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let h = &app.example_household;
    let milan = id_of(&members(&app, &anne, h).await, "Milan");
    for (date, score) in [("2026-09-01", 2), ("2026-11-01", 4), ("2026-10-01", 3)] {
        let (status, _) = app
            .post(
                &anne,
                &format!("/api/v1/households/{h}/assessments"),
                &json!({"person_id": milan, "date": date, "scores": {"scholing": score}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (_, list) = app
        .get(&anne, &format!("/api/v1/households/{h}/assessments"))
        .await;
    let dates: Vec<&str> = list
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["date"].as_str())
        .collect();
    assert_eq!(dates, ["2026-11-01", "2026-10-01", "2026-09-01"]);
    assert_eq!(list[0]["scores"]["scholing"], 4);
}

#[tokio::test]
async fn the_deviation_report_counts_per_rule_and_team_and_withholds_small_numbers() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let h = &app.example_household;
    intake_of_the_example_family(&app, &anne).await;
    let decide = |deviate: bool| {
        if deviate {
            json!({"level": "midden", "route": "basishulp", "deviation_reason": "Gezin wil eerst zelf verder met het netwerk"})
        } else {
            json!({"level": "zwaar", "route": "basishulp_met_expertise"})
        }
    };
    // One decision: every cell is below the threshold.
    app.post(&anne, &format!("/api/v1/households/{h}/triage"), &json!({}))
        .await;
    app.post(
        &anne,
        &format!("/api/v1/households/{h}/triage/decision"),
        &decide(true),
    )
    .await;
    let chris = app.token("chris").await;
    let (status, report) = app
        .get(&chris, "/api/v1/reports/triage-deviations?from=2026-01-01")
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let rule = report["per_rule"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["key"] == "meerdere-leefgebieden")
        .cloned()
        .unwrap_or_default();
    assert!(
        rule["decisions"].is_null(),
        "one case is withheld: {report}"
    );

    // Six decisions, five of them deviations: now the counts show.
    for i in 0..5 {
        app.post(&anne, &format!("/api/v1/households/{h}/triage"), &json!({}))
            .await;
        let (status, _) = app
            .post(
                &anne,
                &format!("/api/v1/households/{h}/triage/decision"),
                &decide(i < 4),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (_, report) = app
        .get(&chris, "/api/v1/reports/triage-deviations?from=2026-01-01")
        .await;
    let rule = report["per_rule"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["key"] == "meerdere-leefgebieden")
        .cloned()
        .unwrap_or_default();
    assert_eq!(rule["decisions"], 6, "{report}");
    assert_eq!(rule["deviations"], 5, "{report}");
    let team = report["per_team"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["key"] == "Sociaal team Aalten-Noord")
        .cloned()
        .unwrap_or_default();
    assert_eq!(team["decisions"], 6, "{report}");

    // The same aggregate for a professional; a bad date is refused.
    let (status, for_anne) = app
        .get(&anne, "/api/v1/reports/triage-deviations?from=2026-01-01")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(for_anne["per_rule"], report["per_rule"]);
    let (status, error) = app
        .get(&chris, "/api/v1/reports/triage-deviations?from=gisteren")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error["error"]["fields"]["from"], "date_invalid");
}

#[tokio::test]
async fn a_municipalitys_additions_apply_to_its_households_only() {
    let mut policies = spil_app::PolicySet::default_policy().unwrap_or_else(|e| panic!("{e}"));
    let addition = "[[rules]]\nid = \"aalten-spoed-kinderen\"\nwhen = \"children >= 1 and urgency >= soon\"\nlevel = \"midden\"\nroute = \"basishulp\"\ntext = \"Aalten: snelle aanmelding met kinderen krijgt altijd basishulp.\"\n";
    let local = policies
        .region
        .with_addition(addition)
        .unwrap_or_else(|e| panic!("{e:?}"));
    policies
        .municipalities
        .insert("gm0197".into(), std::sync::Arc::new(local));
    let app = crate::helpers::spawn_app_with(policies).await;

    let (anne, gert) = (app.token("anne").await, app.token("gert").await);
    let (_, aalten) = app.get(&anne, "/api/v1/policy").await;
    let (_, winterswijk) = app.get(&gert, "/api/v1/policy").await;
    assert_ne!(aalten["version"], winterswijk["version"]);
    assert!(aalten["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|r| r["id"] == "aalten-spoed-kinderen"));
    assert!(!winterswijk["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|r| r["id"] == "aalten-spoed-kinderen"));

    // The example household (Aalten, registered as 'soon', with children) gets the local rule.
    let (_, proposal) = app
        .post(
            &anne,
            &format!("/api/v1/households/{}/triage", app.example_household),
            &json!({}),
        )
        .await;
    assert_eq!(proposal["policy_version"], aalten["version"]);
    assert!(
        proposal["reasons"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| r["rule"] == "aalten-spoed-kinderen"),
        "{proposal}"
    );
}

/// Forms record only what was said: an unanswered yes/no stays unanswered (not "no"), safety
/// nobody assessed stays unassessed, and a proposal on an empty intake names what it lacks.
#[tokio::test]
async fn unanswered_stays_unanswered_and_an_empty_proposal_says_what_it_lacks() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let h = &app.example_household;

    let (status, proposal) = app
        .post(&anne, &format!("/api/v1/households/{h}/triage"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{proposal}");
    assert_eq!(
        proposal["unknown"],
        json!(["scores", "safety"]),
        "{proposal}"
    );
    // The page says so in words, and no safety level is chosen before anyone chose one.
    crate::pages::sign_in_as(&app, "anne").await;
    let page =
        crate::pages::page_html(&app, &format!("{}/huishoudens/{h}/uitvraag", app.base)).await;
    assert!(
        page.contains(
            "er zijn nog geen scores op de leefgebieden en de veiligheid is nog niet beoordeeld"
        ),
        "the proposal names what it lacks"
    );
    assert!(
        !page.contains(" checked"),
        "no choice is made before anyone chose"
    );

    let people = members(&app, &anne, h).await;
    let ingrid = id_of(&people, "Ingrid");
    let (status, body) = app
        .put(
            &anne,
            &format!("/api/v1/households/{h}/intake"),
            &json!({"persons": [{"person_id": ingrid, "question": "Overzicht", "normalising": {"why": ""}}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, intake) = app
        .get(&anne, &format!("/api/v1/households/{h}/intake"))
        .await;
    assert_eq!(intake["safety_level"], "", "{intake}");
    assert_eq!(
        intake["persons"][0]["normalising"]["applies"],
        Value::Null,
        "{intake}"
    );
    assert_eq!(
        intake["persons"][0]["slow_down_and_bear"]["applies"],
        Value::Null
    );

    let revision = intake["revision"].clone();
    let (status, body) = app
        .put(
            &anne,
            &format!("/api/v1/households/{h}/intake"),
            &json!({"revision": revision, "safety_level": "geen_zorgen",
                    "persons": [{"person_id": ingrid, "normalising": {"applies": false}}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, intake) = app
        .get(&anne, &format!("/api/v1/households/{h}/intake"))
        .await;
    assert_eq!(intake["persons"][0]["normalising"]["applies"], false);
    let (_, proposal) = app
        .post(&anne, &format!("/api/v1/households/{h}/triage"), &json!({}))
        .await;
    assert_eq!(proposal["unknown"], json!(["scores"]), "{proposal}");
}
