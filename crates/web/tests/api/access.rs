use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::spawn_app;

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h["id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn only_the_households_team_and_its_coordinator_read_it_and_refusals_are_logged() {
    let app = spawn_app().await;
    let path = format!("/api/v1/households/{}", app.example_household);

    // anne is regisseur, dewi is on the team (schuldhulpverlener), chris coordinates anne's team.
    for (user, basis) in [
        ("anne", "regisseur"),
        ("dewi", "team_member"),
        ("chris", "coordinator"),
    ] {
        let token = app.token(user).await;
        let (status, body) = app.get(&token, &path).await;
        assert_eq!(status, StatusCode::OK, "{user}");
        assert_eq!(body["access"], basis, "{user}");
    }
    // bram: same municipality, another team; fatima: privacy officer. gert, of another
    // municipality, hears what he would hear for a household that does not exist.
    for (path, status) in [
        (path.clone(), StatusCode::NOT_FOUND),
        (format!("{path}/journal"), StatusCode::NOT_FOUND),
        (
            "/api/v1/households/no-such-household".into(),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let gert = app.token("gert").await;
        let (got, body) = app.get(&gert, &path).await;
        assert_eq!(
            (got, body["error"]["code"].clone()),
            (status, json!("not_found")),
            "{path}"
        );
    }
    for (user, reason) in [
        ("bram", "not_on_team"),
        ("fatima", "role_has_no_case_access"),
    ] {
        let token = app.token(user).await;
        let (status, body) = app.get(&token, &path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user}");
        assert_eq!(body["error"]["code"], "forbidden");
        assert_eq!(body["error"]["fields"]["reason"], reason, "{user}");
        let (status, _) = app.get(&token, &format!("{path}/journal")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user} journal");
    }

    // The privacy officer sees every refusal, and only she may.
    let fatima = app.token("fatima").await;
    let (status, review) = app.get(&fatima, "/api/v1/audit/access").await;
    assert_eq!(status, StatusCode::OK);
    let refused: Vec<&str> = review
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["outcome"] == "denied" && r["household_id"] == app.example_household.as_str())
        .filter_map(|r| r["username"].as_str())
        .collect();
    for user in ["bram", "gert", "fatima"] {
        assert!(
            refused.contains(&user),
            "refusal of {user} is logged: {refused:?}"
        );
    }
    let anne = app.token("anne").await;
    let (status, _) = app.get(&anne, "/api/v1/audit/access").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Every read was logged: the regisseur can tell the family who looked.
    let (status, log) = app.get(&anne, &format!("{path}/access-log")).await;
    assert_eq!(status, StatusCode::OK);
    let readers: Vec<&str> = log
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["outcome"] == "allowed" && r["action"] == "read_household")
        .filter_map(|r| r["username"].as_str())
        .collect();
    for user in ["anne", "dewi", "chris"] {
        assert!(
            readers.contains(&user),
            "{user}'s read is in the access log: {readers:?}"
        );
    }
}

#[tokio::test]
async fn an_unassigned_registration_waits_in_its_own_teams_queue_only() {
    let app = spawn_app().await;
    let (anne, dewi, bram) = (
        app.token("anne").await,
        app.token("dewi").await,
        app.token("bram").await,
    );
    let (household_id, _) = app.register_family(&anne, "Pietersen", None).await;
    let path = format!("/api/v1/households/{household_id}");

    let (_, dewi_list) = app.get(&dewi, "/api/v1/households?mine=true").await;
    assert!(
        ids(&dewi_list).contains(&household_id),
        "dewi's team queue lists it"
    );
    assert_eq!(app.get(&dewi, &path).await.0, StatusCode::OK);
    let (_, bram_list) = app.get(&bram, "/api/v1/households?mine=true").await;
    assert!(
        !ids(&bram_list).contains(&household_id),
        "another team's queue does not"
    );
    assert_eq!(app.get(&bram, &path).await.0, StatusCode::FORBIDDEN);

    // Once anne takes it up, it leaves the queue: dewi no longer sees it, anne does as regisseur.
    let (status, body) = app
        .put_team(
            &anne,
            path.trim_start_matches("/api/v1/households/"),
            &json!({"regisseur": "anne", "members": []}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.get(&dewi, &path).await.0, StatusCode::FORBIDDEN);
    let (_, anne_list) = app.get(&anne, "/api/v1/households?mine=true").await;
    let mine = anne_list
        .as_array()
        .into_iter()
        .flatten()
        .find(|h| h["id"] == household_id.as_str())
        .cloned();
    assert_eq!(mine.map(|h| h["my_role"].clone()), Some(json!("regisseur")));

    // A team member from another team is let in by being named.
    let (status, _) = app
        .put_team(&anne, path.trim_start_matches("/api/v1/households/"), &json!({"regisseur": "anne", "members": [{"username": "bram", "role": "wmo_consulent"}]}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.get(&bram, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["access"], "team_member");
}

#[tokio::test]
async fn listing_households_is_only_for_ones_own() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let (status, _) = app.get(&anne, "/api/v1/households").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, list) = app.get(&anne, "/api/v1/households?mine=true").await;
    assert_eq!(status, StatusCode::OK);
    // Safety first: the story's household (worries about safety) heads anne's list.
    assert_eq!(
        ids(&list),
        vec![app.story_household.clone(), app.example_household.clone()]
    );
    let fatima = app.token("fatima").await;
    assert_eq!(
        app.get(&fatima, "/api/v1/households?mine=true").await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn break_the_glass_needs_a_reason_gives_reading_only_and_is_reported() {
    let app = spawn_app().await;
    let bram = app.token("bram").await;
    let path = format!("/api/v1/households/{}", app.example_household);
    assert_eq!(app.get(&bram, &path).await.0, StatusCode::FORBIDDEN);

    let (status, body) = app
        .post(
            &bram,
            &format!("{path}/break-glass"),
            &json!({"reason": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"]["reason"], "required");

    let reason = "Politie belt: acute zorgen om de kinderen, regisseur onbereikbaar";
    let (status, _) = app
        .post(
            &bram,
            &format!("{path}/break-glass"),
            &json!({"reason": reason}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = app.get(&bram, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["access"], "break_glass");
    // Reading only.
    let (status, _) = app
        .put(&bram, &format!("{path}/status"), &json!({"status": "plan"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let fatima = app.token("fatima").await;
    let (_, review) = app.get(&fatima, "/api/v1/audit/access").await;
    assert!(
        review
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| r["basis"] == "break_glass"
                && r["reason"] == reason
                && r["username"] == "bram"),
        "{review}"
    );
    // The family's timeline shows it too.
    let anne = app.token("anne").await;
    let (_, journal) = app.get(&anne, &format!("{path}/journal")).await;
    assert!(journal
        .as_array()
        .into_iter()
        .flatten()
        .any(|e| e["kind"] == "access.break_glass"));
    // Across municipalities it is not possible at all.
    let gert = app.token("gert").await;
    let (status, _) = app
        .post(
            &gert,
            &format!("{path}/break-glass"),
            &json!({"reason": reason}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
