//! A professional's lists: "Mijn huishoudens" filtered and ordered, and a coordinator's view
//! of the team: the caseload per professional and the queue waiting for a regisseur.

use spil_domain::access::{Action, Actor, Grouping, Purpose, Subject};
use spil_domain::listing::{ListFilter, RegisseurFilter};
use spil_domain::org::Role;
use spil_store::{lists, org};

use crate::households::MAX_PAGE;
use crate::views::{CaseloadView, HouseholdSummary};
use crate::{micros_to_datetime, now_micros, App, AppResult};

const DAY_MICROS: i64 = 86_400 * 1_000_000;

impl App {
    /// "Mijn huishoudens": where I am regisseur or on the team, and my team's queue, filtered
    /// and ordered, a page at a time (at most `MAX_PAGE` rows), with the number in the whole
    /// filtered list.
    pub async fn my_households(
        &self,
        actor: &Actor,
        filter: &ListFilter,
        limit: i64,
        offset: i64,
    ) -> AppResult<(Vec<HouseholdSummary>, i64)> {
        crate::page_bounds(limit, offset, MAX_PAGE)?;
        self.authorize(
            actor,
            &Subject::OwnLists,
            Action::Read,
            Purpose::Care,
            "read_my_households",
        )
        .await?;
        let mut conn = self.store().reader().await?;
        let regisseur_id = match &filter.regisseur {
            Some(RegisseurFilter::Username(name)) => {
                org::user_by_username(&mut conn, name).await?.map(|u| u.id)
            }
            _ => None,
        };
        let scope = spil_domain::access::list_scope(actor);
        let mut query = lists::MineQuery {
            user_id: &actor.user_id,
            whole_teams: scope.whole_teams,
            filter,
            regisseur_id: regisseur_id.as_deref(),
            limit,
            offset,
        };
        let rows = lists::mine(&mut conn, &query).await?;
        let total = match rows.first() {
            Some(r) => r.total,
            // Past the end: the page is empty, the total still counts.
            None if offset > 0 => {
                query.limit = 1;
                query.offset = 0;
                lists::mine(&mut conn, &query)
                    .await?
                    .first()
                    .map_or(0, |r| r.total)
            }
            None => 0,
        };
        drop(conn);
        let now = now_micros();
        let page = rows
            .into_iter()
            .map(|r| HouseholdSummary {
                address: format!("{} {}, {} {}", r.street, r.house_number, r.postcode, r.city),
                waiting_days: r
                    .last_registration_at
                    .filter(|_| r.regisseur.is_none())
                    .map(|at| (now - at).max(0) / DAY_MICROS),
                id: r.id,
                names: r.names,
                status: r.status,
                regisseur: r.regisseur,
                my_role: r.my_role,
                last_registration_at: r.last_registration_at.map(micros_to_datetime),
                urgency: r.urgency,
                safety_level: r.safety_level.filter(|s| !s.is_empty()),
                team_revision: r.team_revision,
            })
            .collect();
        Ok((page, total))
    }

    /// The colleagues a household's team is chosen from: the active professionals of the
    /// caller's own teams in the municipality, as (username, name) — not the region's whole
    /// staff (five hundred names in every select at a million households). Staff names, not a
    /// resident's data: decided by the gate within the caller's municipalities, without an
    /// access-log write on every page view.
    pub async fn colleagues(
        &self,
        actor: &Actor,
        municipality_id: &str,
    ) -> AppResult<Vec<(String, String)>> {
        self.permit(
            actor,
            &Subject::Organisations,
            Action::Read,
            Purpose::Administration,
        )?;
        if !actor.municipalities.iter().any(|m| m == municipality_id) {
            return Err(crate::AppError::Forbidden(
                spil_domain::access::Denial::OtherMunicipality,
            ));
        }
        let mut conn = self.store().reader().await?;
        Ok(
            org::colleagues_in_teams(&mut conn, municipality_id, &actor.teams)
                .await?
                .into_iter()
                .filter(|(_, _, role)| Role::parse(role).is_ok_and(|r| r.works_with_households()))
                .map(|(username, name, _)| (username, name))
                .collect(),
        )
    }

    /// The coordinator's view of the team: per professional how many open households they
    /// carry. Counts about named colleagues are for the coordinator of their own team.
    pub async fn caseload(&self, actor: &Actor) -> AppResult<Vec<CaseloadView>> {
        self.authorize(
            actor,
            &Subject::Aggregate(Grouping::Professional),
            Action::Read,
            Purpose::Coordination,
            "read_caseload",
        )
        .await?;
        let mut conn = self.store().reader().await?;
        let rows = lists::caseload(&mut conn, &actor.user_id).await?;
        Ok(rows
            .into_iter()
            .filter(|r| Role::parse(&r.role).is_ok_and(|role| role.works_with_households()))
            .map(|r| CaseloadView {
                username: r.username,
                display_name: r.display_name,
                as_regisseur: r.as_regisseur,
                as_member: r.as_member,
                urgent_or_unsafe: r.urgent_or_unsafe,
            })
            .collect())
    }
}
