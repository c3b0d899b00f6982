//! The access-log writer: one task that writes the entries of many concurrent requests in one
//! transaction (group commit). A request waits until its entry is committed before any
//! personal data is read, so the guarantee "no read without its log entry" stands, while the
//! database sees one commit per batch instead of one per read.

use spil_store::access_log::{self, Access};
use spil_store::Store;
use tokio::sync::{mpsc, oneshot};

use crate::{AppError, AppResult};

/// Most entries written in one transaction.
const MAX_BATCH: usize = 256;

type Reply = oneshot::Sender<Result<(), String>>;

#[derive(Debug, Clone)]
pub struct AccessLogWriter {
    sender: mpsc::Sender<(Access, Reply)>,
}

impl AccessLogWriter {
    /// Start the writer task on the current Tokio runtime; it ends when the last handle is dropped.
    pub fn start(store: Store) -> Self {
        let (sender, receiver) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(store, receiver));
        AccessLogWriter { sender }
    }

    /// Write one entry; returns when it is committed.
    pub async fn write(&self, entry: Access) -> AppResult<()> {
        let (reply, committed) = oneshot::channel();
        self.sender
            .send((entry, reply))
            .await
            .map_err(|_| AppError::Internal("access-log writer stopped".into()))?;
        committed
            .await
            .map_err(|_| AppError::Internal("access-log writer stopped".into()))?
            .map_err(AppError::Internal)
    }
}

async fn run(store: Store, mut receiver: mpsc::Receiver<(Access, Reply)>) {
    let mut batch: Vec<(Access, Reply)> = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let entries: Vec<Access> = batch.iter().map(|(entry, _)| entry.clone()).collect();
        let result = write_batch(&store, &entries).await.map_err(|e| {
            tracing::error!(error = %e, "writing the access log failed");
            e.to_string()
        });
        for (_, reply) in batch.drain(..) {
            let _ = reply.send(result.clone());
        }
    }
}

async fn write_batch(store: &Store, entries: &[Access]) -> Result<(), spil_store::StoreError> {
    let mut tx = store.begin().await?;
    access_log::insert(&mut tx, entries).await?;
    spil_store::commit(tx).await
}
