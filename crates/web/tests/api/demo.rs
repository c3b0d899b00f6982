//! The demo's bulk loader writes what the front door and the team would have written: the
//! API reads its households like registered ones, search finds them, gezag is there per
//! parent and child, and every household's journal chain verifies.

use reqwest::StatusCode;
use sqlx::Row;

use crate::helpers::{raw_connection, spawn_app};

async fn scalar(conn: &mut sqlx::AnyConnection, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .try_get::<i64, _>(0)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[tokio::test]
async fn bulk_loaded_households_read_search_and_verify_like_registered_ones() {
    let app = spawn_app().await;
    let before = app.counts().await.households;
    // Two batches: a full one and a part.
    let seeded = app
        .app
        .seed_demo(1_100, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        app.counts().await.households,
        before + i64::try_from(seeded.households).unwrap_or_default()
    );
    assert!(seeded.households >= 1_098, "{}", seeded.households);

    let anne = app.token("anne").await;
    let (status, list) = app
        .get(&anne, "/api/v1/households?mine=true&regisseur=me&limit=50")
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let rows = list.as_array().cloned().unwrap_or_default();
    assert!(
        !rows.is_empty(),
        "anne is regisseur of open synthetic households"
    );
    let id = rows
        .iter()
        .filter_map(|row| row["id"].as_str())
        .find(|id| *id != app.example_household && *id != app.story_household)
        .unwrap_or_default()
        .to_owned();
    let (status, file) = app.get(&anne, &format!("/api/v1/households/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{file}");
    assert_eq!(file["trajectory"]["regisseur"], "anne");
    assert!(file["members"].as_array().is_some_and(|m| !m.is_empty()));
    assert_eq!(file["municipality_id"], "gm0197");
    assert_eq!(file["registrations"].as_array().map(Vec::len), Some(1));

    // Search by the household's postcode finds it.
    let postcode = file["address"]["postcode"].as_str().unwrap_or_default();
    let (status, found) = app
        .get(
            &anne,
            &format!("/api/v1/search?q={}", postcode.replace(' ', "%20")),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert!(
        found["results"]
            .as_array()
            .is_some_and(|r| r.iter().any(|hit| hit["household_id"] == id.as_str())),
        "{found}"
    );
    // A bram (other team) does not see anne's household.
    let bram = app.token("bram").await;
    let (status, _) = app.get(&bram, &format!("/api/v1/households/{id}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let mut raw = raw_connection(&app.url).await;
    // One relation per parent and child of each household, gezag only over a minor.
    let pairs = scalar(
        &mut raw,
        "SELECT COUNT(*) FROM household_members c JOIN household_members p \
         ON p.household_id = c.household_id AND p.relation = 'parent' WHERE c.relation = 'child'",
    )
    .await;
    let relations = scalar(
        &mut raw,
        "SELECT COUNT(*) FROM person_relations WHERE kind = 'ouder'",
    )
    .await;
    assert_eq!(pairs, relations);
    assert!(relations > 500);
    let gezag_over_adults = scalar(
        &mut raw,
        "SELECT COUNT(*) FROM person_relations r JOIN persons p ON p.id = r.person_id \
         WHERE r.gezag = 1 AND p.birth_date < '1990-01-01'",
    )
    .await;
    assert_eq!(gezag_over_adults, 0);
    // Most are closed, with a reason and after they opened; the open ones have no end.
    let closed = scalar(
        &mut raw,
        "SELECT COUNT(*) FROM trajectories WHERE status = 'closed' AND close_reason IS NOT NULL AND closed_at >= opened_at",
    )
    .await;
    assert!(closed > 700 && closed < 950, "{closed}");
    let inconsistent = scalar(
        &mut raw,
        "SELECT COUNT(*) FROM trajectories WHERE (status = 'closed') <> (closed_at IS NOT NULL)",
    )
    .await;
    assert_eq!(inconsistent, 0);

    let verified = app
        .app
        .verify_journal()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(verified.first_break.is_none(), "{:?}", verified.first_break);
    assert!(verified.report.map(|r| r.entries).unwrap_or_default() > 5_000);
}

/// The file's body in one statement says what the four separate reads say, in their order
/// (members by birth date, registrations and trajectories newest first, team by name).
#[tokio::test]
async fn the_file_body_in_one_statement_matches_the_separate_reads() {
    let app = spawn_app().await;
    app.app
        .seed_demo(60, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let store = app.app.store();
    let mut conn = store.reader().await.unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<(String,)> = sqlx::query_as("SELECT id FROM households ORDER BY id")
        .fetch_all(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(ids.len() > 50, "{}", ids.len());
    let (mut with_team, mut with_history) = (0, 0);
    for (id,) in &ids {
        let current: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM trajectories WHERE household_id = $1 ORDER BY closed_at IS NULL DESC, opened_at DESC LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        let trajectory = current.map(|(t,)| t);
        let body = spil_store::file_body::file_body(&mut conn, id, trajectory.as_deref())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let members = spil_store::residents::members(&mut conn, id).await;
        let registrations = spil_store::residents::registrations(&mut conn, id).await;
        let trajectories = spil_store::trajectories::of_household(&mut conn, id).await;
        let team = match &trajectory {
            Some(t) => spil_store::trajectories::team(&mut conn, t).await,
            None => Ok(Vec::new()),
        };
        assert_eq!(
            format!("{:?}", body.members),
            format!("{:?}", members.unwrap_or_default()),
            "{id}"
        );
        assert_eq!(
            format!("{:?}", body.registrations),
            format!("{:?}", registrations.unwrap_or_default()),
            "{id}"
        );
        assert_eq!(
            format!("{:?}", body.trajectories),
            format!("{:?}", trajectories.unwrap_or_default()),
            "{id}"
        );
        assert_eq!(
            format!("{:?}", body.team),
            format!("{:?}", team.unwrap_or_default()),
            "{id}"
        );
        with_team += usize::from(!body.team.is_empty());
        with_history += usize::from(body.trajectories.len() > 1 || body.registrations.len() > 1);
    }
    assert!(with_team > 10, "{with_team}");
    assert!(
        with_history >= 1,
        "the example household has more than one registration or trajectory"
    );
}

/// The household page's dossier reads the intake and the plan with what the file already
/// holds (members, trajectory, municipality); they must be what reading them alone gives.
#[tokio::test]
async fn the_dossier_shows_the_same_intake_and_plan_as_reading_them_alone() {
    let app = spawn_app().await;
    let token = app.token("anne").await;
    let session = app
        .app
        .authenticate(&token, spil_app::auth::SessionKind::Api)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let actor = &session.actor;
    let story = app.story_household.as_str();
    let dossier = app
        .app
        .dossier(actor, story)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let intake = app
        .app
        .intake(actor, story)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let plan = app
        .app
        .plan(actor, story)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        dossier.intake.is_some() && dossier.plan.is_some(),
        "the story has both"
    );
    let json = |v: serde_json::Result<serde_json::Value>| v.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        json(serde_json::to_value(&dossier.intake)),
        json(serde_json::to_value(&intake))
    );
    assert_eq!(
        json(serde_json::to_value(&dossier.plan)),
        json(serde_json::to_value(&plan))
    );
}
