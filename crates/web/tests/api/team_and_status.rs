use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_trajectory_moves_through_its_statuses_with_a_regisseur_and_every_step_is_journalled() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let (household_id, _) = app.register_family(&anne, "Pietersen", None).await;
    let path = format!("/api/v1/households/{household_id}");

    // In the queue anne may name the team but not move the trajectory, and without a
    // regisseur nobody may move it forward.
    let (status, _) = app
        .put(
            &anne,
            &format!("{path}/status"),
            &json!({"status": "exploring"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let chris = app.token("chris").await;
    let (status, body) = app
        .put(
            &chris,
            &format!("{path}/status"),
            &json!({"status": "exploring"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "regisseur_required");

    let (status, body) = app
        .put_team(&anne, path.trim_start_matches("/api/v1/households/"), &json!({"regisseur": "anne", "members": [{"username": "dewi", "role": "jeugd_consulent"}]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["trajectory"]["regisseur"], "anne");
    assert_eq!(body["trajectory"]["regisseur_name"], "Anne de Vries");
    let roles: Vec<(String, String)> = body["trajectory"]["team"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            (
                m["username"].as_str().unwrap_or_default().to_owned(),
                m["role"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(
        roles.contains(&("anne".into(), "regisseur".into()))
            && roles.contains(&("dewi".into(), "jeugd_consulent".into()))
    );

    for status in ["exploring", "plan", "support", "waakvlam"] {
        let (code, body) = app
            .put(
                &anne,
                &format!("{path}/status"),
                &json!({ "status": status }),
            )
            .await;
        assert_eq!(code, StatusCode::OK, "{status}: {body}");
        assert_eq!(body["status"], status);
    }
    // Skipping back to the start is not a step of the cycle.
    let (status, body) = app
        .put(
            &anne,
            &format!("{path}/status"),
            &json!({"status": "registered"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "invalid_transition");
    // A team member who is not the regisseur cannot move it.
    let dewi = app.token("dewi").await;
    assert_eq!(
        app.put(
            &dewi,
            &format!("{path}/status"),
            &json!({"status": "support"})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (status, body) = app
        .put(
            &anne,
            &format!("{path}/status"),
            &json!({"status": "nearly_done"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"]["status"], "unknown_value");

    // Closing needs a reason; without one nothing changes.
    let (status, body) = app
        .put(
            &anne,
            &format!("{path}/status"),
            &json!({"status": "closed"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"]["close_reason"], "required");
    let (status, body) = app
        .put(
            &anne,
            &format!("{path}/status"),
            &json!({"status": "closed", "close_reason": "gone_fishing"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"]["close_reason"], "unknown_value");
    let (_, household) = app.get(&anne, &path).await;
    assert_eq!(
        household["trajectory"]["status"], "waakvlam",
        "nothing written"
    );
    let (status, _) = app
        .put(
            &anne,
            &format!("{path}/status"),
            &json!({"status": "closed", "close_reason": "goals_reached"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, household) = app.get(&anne, &path).await;
    assert_eq!(household["trajectory"]["status"], "closed");
    assert!(household["trajectory"]["closed_at"].is_string());
    let (status, body) = app
        .put(
            &anne,
            &format!("{path}/status"),
            &json!({"status": "support"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    let (_, journal) = app.get(&anne, &format!("{path}/journal")).await;
    let changes: Vec<String> = journal
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == "trajectory.status_changed")
        .map(|e| e["payload"]["to"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        changes,
        ["exploring", "plan", "support", "waakvlam", "closed"]
    );
}

#[tokio::test]
async fn a_new_registration_after_closing_opens_a_new_trajectory() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let path = format!("/api/v1/households/{}", app.story_household);
    let (_, before) = app.get(&anne, &path).await;
    assert_eq!(
        app.put(
            &anne,
            &format!("{path}/status"),
            &json!({"status": "closed", "close_reason": "moved_away"})
        )
        .await
        .0,
        StatusCode::OK
    );
    let (status, created) = app
        .post(&anne, "/api/v1/registrations", &json!({"route": "veilig_thuis", "question": "Nieuwe melding", "urgency": "urgent", "household_id": app.story_household}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_ne!(created["trajectory_id"], before["trajectory"]["id"]);
    let (_, after) = app.get(&anne, &path).await;
    assert_eq!(after["trajectory"]["status"], "registered");

    // The plan belongs to the trajectory: the new one starts without, the earlier one stays.
    let old = before["trajectory"]["id"].as_str().unwrap_or_default();
    assert_eq!(
        after["trajectories"].as_array().map(Vec::len),
        Some(2),
        "{after}"
    );
    assert_eq!(after["trajectories"][1]["id"], old);
    assert_eq!(after["trajectories"][1]["close_reason"], "moved_away");
    let (status, _) = app.get(&anne, &format!("{path}/plan")).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a fresh trajectory has a fresh plan"
    );
    let (status, earlier) = app
        .get(&anne, &format!("{path}/plan?trajectory_id={old}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{earlier}");
    assert!(
        !earlier["goals"].as_array().is_none_or(Vec::is_empty),
        "{earlier}"
    );
    let (status, _) = app
        .get(
            &anne,
            &format!("{path}/plan?trajectory_id=not-this-households"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_team_can_only_hold_professionals_of_the_households_municipality() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let path = format!("/api/v1/households/{}/team", app.example_household);
    let before = app.counts().await;
    let cases = [
        (
            json!({"regisseur": "gert", "members": []}),
            "regisseur",
            "not_allowed",
        ),
        (
            json!({"regisseur": "fatima", "members": []}),
            "regisseur",
            "not_allowed",
        ),
        (
            json!({"regisseur": "nobody", "members": []}),
            "regisseur",
            "unknown_value",
        ),
        (
            json!({"regisseur": "anne", "members": [{"username": "bram", "role": "astronaut"}]}),
            "members[0].role",
            "unknown_value",
        ),
        (
            json!({"regisseur": "anne", "members": [{"username": "gert", "role": "wmo_consulent"}]}),
            "members[0].username",
            "not_allowed",
        ),
    ];
    for (body, field, code) in cases {
        let (status, error) = app.put_team(&anne, &app.example_household, &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {error}");
        assert_eq!(error["error"]["fields"][field], code, "{body}: {error}");
    }
    assert_eq!(app.counts().await, before, "nothing journalled");
    // dewi is on the team but not regisseur: she may not change the team.
    let dewi = app.token("dewi").await;
    assert_eq!(
        app.put(&dewi, &path, &json!({"regisseur": "dewi", "members": []}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}
