//! What the privacy officer (FG) reviews, for their own municipality only: every
//! break-the-glass grant (a complete list by period, paged, which nothing a professional does
//! can push out of sight) and refusals counted per account and day.

use serde::Serialize;
use spil_domain::access::{may_audit, Actor, Denial};
use spil_domain::{FieldError, FieldErrors};
use spil_store::access_log::{self, AccessRow};
use utoipa::ToSchema;

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

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BreakGlassView {
    pub id: String,
    pub granted_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub username: String,
    pub name: String,
    pub household_id: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BreakGlassList {
    pub from: String,
    pub to: String,
    /// How many grants the period holds in all.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    pub items: Vec<BreakGlassView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RefusalCount {
    /// YYYY-MM-DD (UTC).
    pub day: String,
    /// The account refused (null for sign-ins of unknown names).
    pub username: Option<String>,
    /// Why: not_on_team, other_municipality, too_many_attempts, …
    pub reason: String,
    pub refusals: i64,
    /// How many different households the refusals were about.
    pub households: i64,
}

/// Most rows on one page of the break-the-glass list.
pub const MAX_PAGE: i64 = 200;

/// A review period as microseconds: `from` inclusive, the day after `to` exclusive.
fn period(from: &str, to: &str) -> AppResult<(chrono::NaiveDate, chrono::NaiveDate, i64, i64)> {
    let mut errors = FieldErrors::new();
    let from = if from.trim().is_empty() {
        Some(crate::today() - chrono::Duration::days(30))
    } else {
        errors.check("from", spil_domain::field::date(from))
    };
    let (from_date, to_date) = crate::period(
        &mut errors,
        &from.map(|d| d.to_string()).unwrap_or_default(),
        to,
    );
    if let (Some(f), Some(t)) = (from_date, to_date) {
        if f > t {
            errors.add("to", FieldError::BeforeStart);
        }
    }
    errors.into_result()?;
    let (Some(f), Some(t)) = (from_date, to_date) else {
        return Err(AppError::Internal("validated fields missing".into()));
    };
    let micros = |d: chrono::NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .map_or(0, |dt| dt.and_utc().timestamp_micros())
    };
    Ok((f, t, micros(f), micros(t.succ_opt().unwrap_or(t))))
}

impl App {
    fn audited_municipality<'a>(&self, actor: &'a Actor) -> AppResult<&'a str> {
        match actor.municipality_id.as_deref() {
            Some(m) if may_audit(actor) => Ok(m),
            _ => Err(AppError::Forbidden(Denial::RoleHasNoCaseAccess)),
        }
    }

    /// Break-the-glass grants and refused attempts about or by the officer's municipality,
    /// newest first (the latest 500; the complete lists are `break_glass_review` and
    /// `refusal_review`).
    pub async fn access_review(&self, actor: &Actor) -> AppResult<Vec<AccessLogView>> {
        let municipality = self.audited_municipality(actor)?;
        let mut conn = self.store().reader().await?;
        let rows = access_log::for_review(&mut conn, municipality, 500).await?;
        Ok(rows.into_iter().map(access_view).collect())
    }

    /// Every break-the-glass grant for the officer's municipality in a period, paged.
    pub async fn break_glass_review(
        &self,
        actor: &Actor,
        from: &str,
        to: &str,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> AppResult<BreakGlassList> {
        let municipality = self.audited_municipality(actor)?;
        let (from_date, to_date, from, to) = period(from, to)?;
        let limit = limit.unwrap_or(50);
        let offset = offset.unwrap_or(0);
        crate::page_bounds(limit, offset, MAX_PAGE)?;
        let mut conn = self.store().reader().await?;
        let (rows, total) =
            access_log::break_glass_grants(&mut conn, municipality, from, to, limit, offset)
                .await?;
        Ok(BreakGlassList {
            from: from_date.to_string(),
            to: to_date.to_string(),
            total,
            limit,
            offset,
            items: rows
                .into_iter()
                .map(|r| BreakGlassView {
                    id: r.id,
                    granted_at: micros_to_datetime(r.granted_at),
                    expires_at: micros_to_datetime(r.expires_at),
                    username: r.username,
                    name: r.display_name,
                    household_id: r.household_id,
                    reason: r.reason,
                })
                .collect(),
        })
    }

    /// Refusals about or by the officer's municipality, per account, day and reason.
    pub async fn refusal_review(
        &self,
        actor: &Actor,
        from: &str,
        to: &str,
    ) -> AppResult<Vec<RefusalCount>> {
        let municipality = self.audited_municipality(actor)?;
        let (_, _, from, to) = period(from, to)?;
        let mut conn = self.store().reader().await?;
        let rows =
            access_log::refusals_per_account_and_day(&mut conn, municipality, from, to).await?;
        Ok(rows
            .into_iter()
            .map(|r| RefusalCount {
                day: chrono::DateTime::from_timestamp(r.day * 86_400, 0)
                    .map(|d| d.date_naive().to_string())
                    .unwrap_or_default(),
                username: r.username,
                reason: r.basis,
                refusals: r.refusals,
                households: r.households,
            })
            .collect())
    }
}
