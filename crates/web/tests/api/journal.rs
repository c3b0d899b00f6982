use reqwest::StatusCode;
use serde_json::json;
use spil_domain::journal::ChainBreak;
use sqlx::Executor;

use crate::helpers::{raw_connection, spawn_app};

#[tokio::test]
async fn the_journal_verifies_and_names_the_first_altered_entry() {
    let app = spawn_app().await;
    let verified = verify(&app).await;
    assert!(verified.first_break.is_none(), "{:?}", verified.first_break);
    assert!(verified.report.map(|r| r.entries).unwrap_or_default() > 10);

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
    let verified = verify(&app).await;
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
    let verified = verify(&app).await;
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
    let verified = verify(&app).await;
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
    let verified = verify(&app).await;
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

/// The unkeyed hash an attacker who can write the database would recompute.
fn unkeyed(prev: &str, e: &spil_store::journal::EntryRow, summary: &str) -> String {
    spil_domain::journal::legacy_entry_hash(
        prev,
        &e.stream,
        e.stream_seq,
        e.at,
        e.actor_id.as_deref(),
        e.household_id.as_deref(),
        &e.kind,
        summary,
        &e.payload,
    )
}

#[tokio::test]
async fn an_entry_rewritten_with_its_chain_and_head_recomputed_is_detected() {
    let app = spawn_app().await;
    let rows = example_rows(&app).await;
    assert!(rows.len() >= 3);
    // Rewrite entry 2 and every link after it as someone with only database access would:
    // fresh digests, unkeyed hashes (the old scheme), the head moved along.
    let mut raw = raw_connection(&app.url).await;
    let mut prev = rows[0].hash.clone();
    for (i, row) in rows.iter().enumerate().skip(1) {
        let summary = if i == 1 {
            "Er is niets gebeurd".to_owned()
        } else {
            row.summary.clone()
        };
        let hash = unkeyed(&prev, row, &summary);
        sqlx::query("UPDATE journal SET summary = $1, summary_digest = '', payload_digest = '', prev_hash = $2, hash = $3 WHERE seq = $4")
            .bind(&summary)
            .bind(&prev)
            .bind(&hash)
            .bind(row.seq)
            .execute(&mut raw)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        prev = hash;
    }
    sqlx::query("UPDATE journal_heads SET hash = $1 WHERE stream = $2")
        .bind(&prev)
        .bind(&app.example_household)
        .execute(&mut raw)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let verified = verify(&app).await;
    assert!(
        matches!(verified.first_break, Some(ChainBreak::Altered { seq, .. }) if seq == rows[1].seq),
        "{:?}",
        verified.first_break
    );
}

#[tokio::test]
async fn dropping_the_newest_entries_or_a_whole_stream_is_caught_by_the_checkpoint() {
    let app = spawn_app().await;
    let checkpoint = app
        .app
        .checkpoint_journal()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("a checkpoint file is configured"));
    assert!(checkpoint.entries > 10);
    let text = std::fs::read_to_string(&app.checkpoints).unwrap_or_default();
    assert_eq!(
        text.lines().count(),
        1,
        "one signed line outside the database"
    );
    let verified = verify(&app).await;
    assert!(
        verified.is_intact(),
        "{:?} {:?}",
        verified.first_break,
        verified.checkpoint_error
    );

    // Drop the newest two entries of the example household and move its head back.
    let rows = example_rows(&app).await;
    let n = rows.len();
    let keep = &rows[n - 3];
    let mut raw = raw_connection(&app.url).await;
    sqlx::query("DELETE FROM journal WHERE stream = $1 AND stream_seq > $2")
        .bind(&app.example_household)
        .bind(keep.stream_seq)
        .execute(&mut raw)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("UPDATE journal_heads SET seq = $1, hash = $2 WHERE stream = $3")
        .bind(keep.stream_seq)
        .bind(&keep.hash)
        .bind(&app.example_household)
        .execute(&mut raw)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let verified = verify(&app).await;
    assert!(
        matches!(&verified.first_break, Some(ChainBreak::BehindCheckpoint { stream, found, .. })
            if *stream == app.example_household && *found == keep.stream_seq),
        "{:?}",
        verified.first_break
    );

    // On a fresh app: delete a household's whole stream, head and all.
    let app = spawn_app().await;
    app.app
        .checkpoint_journal()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut raw = raw_connection(&app.url).await;
    for table in ["journal", "journal_heads"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE stream = $1"))
            .bind(&app.example_household)
            .execute(&mut raw)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let verified = verify(&app).await;
    assert!(
        matches!(
            verified.first_break,
            Some(ChainBreak::BehindCheckpoint { found: 0, .. })
        ),
        "{:?}",
        verified.first_break
    );
}

#[tokio::test]
async fn a_database_older_than_the_latest_checkpoint_is_reported() {
    let app = spawn_app().await;
    app.app
        .checkpoint_journal()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // A restore of a backup made before this checkpoint lacks its record.
    let mut raw = raw_connection(&app.url).await;
    raw.execute("DELETE FROM journal_checkpoint_heads; DELETE FROM journal_checkpoints")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let verified = verify(&app).await;
    assert!(
        matches!(
            verified.checkpoint_error,
            Some(spil_domain::journal::CheckpointError::Missing(_))
        ),
        "{:?}",
        verified.checkpoint_error
    );
    assert!(!verified.is_intact());
}

#[tokio::test]
async fn erasing_an_entrys_content_keeps_the_journal_verifiable_and_alterations_visible() {
    let app = spawn_app().await;
    app.app
        .checkpoint_journal()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let rows = example_rows(&app).await;
    let target = &rows[1];
    {
        let mut tx = app
            .app
            .store()
            .begin()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            spil_store::journal::erase_content(&mut tx, target.seq, spil_app::now_micros())
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        );
        spil_store::commit(tx)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let verified = verify(&app).await;
    assert!(verified.is_intact(), "{:?}", verified.first_break);
    assert_eq!(verified.report.map(|r| r.erased), Some(1));
    // The erased entry cannot be given other content, nor other digests.
    let mut raw = raw_connection(&app.url).await;
    sqlx::query("UPDATE journal SET kind = 'plan.saved' WHERE seq = $1")
        .bind(target.seq)
        .execute(&mut raw)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let verified = verify(&app).await;
    assert!(
        matches!(verified.first_break, Some(ChainBreak::Altered { seq, .. }) if seq == target.seq),
        "{:?}",
        verified.first_break
    );
}

/// The example household's journal entries, as stored.
async fn example_rows(app: &crate::helpers::TestApp) -> Vec<spil_store::journal::EntryRow> {
    let mut conn = app
        .app
        .store()
        .reader()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    spil_store::journal::for_household(&mut conn, &app.example_household)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// `verify_journal` of a test app, which must not fail to run.
async fn verify(app: &crate::helpers::TestApp) -> spil_app::journal::Verified {
    app.app
        .verify_journal()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}
