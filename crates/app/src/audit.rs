//! What the privacy officer (FG) reviews.

use spil_domain::access::{may_audit, Actor, Denial};
use spil_store::access_log::{self, AccessRow};

use crate::views::AccessLogView;
use crate::{micros_to_datetime, App, AppError, AppResult};

pub(crate) fn access_view(row: AccessRow) -> AccessLogView {
    AccessLogView {
        id: row.id,
        at: micros_to_datetime(row.at),
        username: row.username,
        household_id: row.household_id,
        action: row.action,
        outcome: row.outcome,
        basis: row.basis,
        reason: row.reason,
    }
}

impl App {
    /// Break-the-glass grants and refused attempts, newest first.
    pub async fn access_review(&self, actor: &Actor) -> AppResult<Vec<AccessLogView>> {
        if !may_audit(actor) {
            return Err(AppError::Forbidden(Denial::RoleHasNoCaseAccess));
        }
        let mut conn = self.store().reader().await?;
        let rows = access_log::for_review(&mut conn, 500).await?;
        Ok(rows.into_iter().map(access_view).collect())
    }
}
