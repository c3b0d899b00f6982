//! Background jobs. Each runs once per period across all servers on the database: a server
//! runs a job only while it holds the job's lease (`job_leases`), and a lease whose server
//! died expires, so another server takes the job over.

use std::io::Write;
use std::time::Duration;

use spil_domain::journal::{heads_digest, Checkpoint};
use spil_store::{jobs, journal};

use crate::{now_micros, App, AppError, AppResult};

/// A job's name and how often it runs.
#[derive(Debug, Clone, Copy)]
pub struct Job {
    pub name: &'static str,
    pub every: Duration,
}

/// Journal checkpoints.
pub const CHECKPOINT: &str = "journal_checkpoint";

impl App {
    /// Run `job` here if it is due and no other server holds its lease. Returns whether it ran.
    pub async fn run_job_once(&self, job: Job, holder: &str) -> AppResult<bool> {
        let now = now_micros();
        let every = job.every.as_micros() as i64;
        let taken = {
            let mut tx = self.store().begin().await?;
            // A lease lasts twice the period: long enough for a slow run, short enough for a
            // take-over when the holder died.
            let taken =
                jobs::take_lease(&mut tx, job.name, holder, now, now + 2 * every, now - every)
                    .await?;
            spil_store::commit(tx).await?;
            taken
        };
        if !taken {
            return Ok(false);
        }
        let result = match job.name {
            CHECKPOINT => self.checkpoint_journal().await.map(|_| ()),
            other => Err(AppError::Internal(format!("unknown job {other}"))),
        };
        let mut tx = self.store().begin().await?;
        match &result {
            Ok(()) => jobs::finish(&mut tx, job.name, holder, now_micros()).await?,
            Err(_) => jobs::release(&mut tx, job.name, holder, now_micros()).await?,
        }
        spil_store::commit(tx).await?;
        result.map(|()| true)
    }

    /// Make a signed checkpoint over every chain head: recorded in the database, then appended
    /// to the checkpoint file outside it. Without a configured file, nothing is made.
    pub async fn checkpoint_journal(&self) -> AppResult<Option<Checkpoint>> {
        let Some(path) = self.config().checkpoint_file.clone() else {
            return Ok(None);
        };
        let at = now_micros();
        let mut tx = self.store().begin().await?;
        let (id, mut heads) = journal::begin_checkpoint(&mut tx, at).await?;
        // Byte order, whatever the database's collation.
        heads.sort();
        let (digest, streams, entries) =
            heads_digest(heads.iter().map(|(s, n, h)| (s.as_str(), *n, h.as_str())));
        let checkpoint = Checkpoint::sign(self.journal_key(), id, at, streams, entries, digest);
        journal::finish_checkpoint(
            &mut tx,
            id,
            streams,
            entries,
            &checkpoint.digest,
            &checkpoint.signature,
        )
        .await?;
        spil_store::commit(tx).await?;
        // Only a committed checkpoint goes outside: a line the database lacks means rollback.
        let line =
            serde_json::to_string(&checkpoint).map_err(|e| AppError::Internal(e.to_string()))?;
        append_line(&path, &line).map_err(|e| {
            AppError::Internal(format!(
                "cannot append to checkpoint file {}: {e}",
                path.display()
            ))
        })?;
        Ok(Some(checkpoint))
    }
}

fn append_line(path: &std::path::Path, line: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(format!("{line}\n").as_bytes())?;
    file.sync_all()
}
