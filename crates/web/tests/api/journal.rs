use reqwest::StatusCode;
use serde_json::json;
use spil_domain::journal::ChainBreak;
use sqlx::Executor;

use crate::helpers::{raw_connection, spawn_app};

#[tokio::test]
async fn the_journal_verifies_and_names_the_first_altered_entry() {
    let app = spawn_app().await;
    let verified = app
        .app
        .verify_journal()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(verified.first_break.is_none(), "{:?}", verified.first_break);
    assert!(verified.entries > 10);

    let anne = app.token("anne").await;
    let (_, journal) = app
        .get(
            &anne,
            &format!("/api/v1/households/{}/journal", app.example_household),
        )
        .await;
    let second_seq = journal[1]["seq"].as_i64().unwrap_or_default();

    let mut raw = raw_connection(&app.url).await;
    raw.execute(
        format!("UPDATE journal SET summary = 'Er is niets gebeurd' WHERE seq = {second_seq}")
            .as_str(),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let verified = app
        .app
        .verify_journal()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(verified.first_break, Some(ChainBreak::Altered { seq, .. }) if seq == second_seq),
        "{:?}",
        verified.first_break
    );
}

#[tokio::test]
async fn removing_an_entry_or_the_newest_entries_is_detected() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let (_, journal) = app
        .get(
            &anne,
            &format!("/api/v1/households/{}/journal", app.example_household),
        )
        .await;
    let entries = journal.as_array().cloned().unwrap_or_default();
    assert!(entries.len() >= 4);
    let seq = |i: usize| entries[i]["seq"].as_i64().unwrap_or_default();

    let mut raw = raw_connection(&app.url).await;
    raw.execute(format!("DELETE FROM journal WHERE seq = {}", seq(1)).as_str())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let verified = app
        .app
        .verify_journal()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(verified.first_break, Some(ChainBreak::Broken { seq: s, .. }) if s == seq(2)),
        "{:?}",
        verified.first_break
    );

    let app = spawn_app().await;
    let (_, journal) = app
        .get(
            &app.token("anne").await,
            &format!("/api/v1/households/{}/journal", app.example_household),
        )
        .await;
    let last = journal
        .as_array()
        .and_then(|j| j.last())
        .and_then(|e| e["seq"].as_i64())
        .unwrap_or_default();
    let mut raw = raw_connection(&app.url).await;
    raw.execute(format!("DELETE FROM journal WHERE seq = {last}").as_str())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let verified = app
        .app
        .verify_journal()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(verified.first_break, Some(ChainBreak::Truncated { .. })),
        "{:?}",
        verified.first_break
    );
}

#[tokio::test]
async fn concurrent_changes_to_one_household_keep_its_chain_intact() {
    let app = spawn_app().await;
    let anne = app.token("anne").await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let (client, base, token, household) = (
            app.client.clone(),
            app.base.clone(),
            anne.clone(),
            app.example_household.clone(),
        );
        tasks.push(tokio::spawn(async move {
            client
                .post(format!("{base}/api/v1/registrations"))
                .bearer_auth(token)
                .json(&json!({"route": "network", "question": format!("Buurvrouw maakt zich zorgen ({i})"), "household_id": household}))
                .send()
                .await
                .map(|r| r.status())
        }));
    }
    for task in tasks {
        assert_eq!(
            task.await.ok().and_then(Result::ok),
            Some(StatusCode::CREATED)
        );
    }
    let verified = app
        .app
        .verify_journal()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(verified.first_break.is_none(), "{:?}", verified.first_break);
    let (_, household) = app
        .get(
            &anne,
            &format!("/api/v1/households/{}", app.example_household),
        )
        .await;
    assert_eq!(
        household["registrations"].as_array().map(Vec::len),
        Some(15)
    );
}
