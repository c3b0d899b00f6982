//! Demo data: a region with two municipalities and their teams, five accounts, the example
//! household of seed 001 (Bas, Ingrid, Milan and Fenna) and any number of synthetic
//! households — all written through the same use cases as real work, journal included.

mod bulk;
mod caseload;
mod names;
mod story;

use rand::Rng;
use spil_domain::org::Role;
use spil_store::org;

use crate::users::NewUserInput;
use crate::{Actor, App, AppError, AppResult};

pub const DEMO_PASSWORD: &str = "demo";

/// The school of the example family (an organisation in the register).
const SCHOOL: &str = "org-demo-de-klimop";

/// The demo region's postcode table (the same file `spil postcodes` loads).
pub const DEMO_POSTCODES: &str = include_str!("../../../../policy/postcodes.csv");

/// Four-digit postcodes of each demo municipality, for synthetic addresses.
const AALTEN_PC4: &[u32] = &[7121, 7122, 7123, 7124, 7125, 7126, 7090, 7091];
const WINTERSWIJK_PC4: &[u32] = &[7101, 7102, 7103, 7104, 7105, 7106, 7107];
const REGION: &str = "regio-achterhoek-demo";

struct DemoTeam {
    id: &'static str,
    municipality: &'static str,
    name: &'static str,
}

const TEAMS: &[DemoTeam] = &[
    DemoTeam {
        id: "team-aalten-noord",
        municipality: "gm0197",
        name: "Sociaal team Aalten-Noord",
    },
    DemoTeam {
        id: "team-aalten-zuid",
        municipality: "gm0197",
        name: "Sociaal team Aalten-Zuid",
    },
    DemoTeam {
        id: "team-winterswijk",
        municipality: "gm0294",
        name: "Sociaal team Winterswijk",
    },
];

/// (username, name, role, team name or municipality)
const ACCOUNTS: &[(&str, &str, Role, &str)] = &[
    (
        "anne",
        "Anne de Vries",
        Role::Professional,
        "Sociaal team Aalten-Noord",
    ),
    (
        "bram",
        "Bram Kuipers",
        Role::Professional,
        "Sociaal team Aalten-Zuid",
    ),
    (
        "chris",
        "Chris Wolters",
        Role::Coordinator,
        "Sociaal team Aalten-Noord",
    ),
    ("fatima", "Fatima El Amrani", Role::PrivacyOfficer, "gm0197"),
    (
        "gert",
        "Gert Hoffman",
        Role::Professional,
        "Sociaal team Winterswijk",
    ),
    (
        "dewi",
        "Dewi Sarmo",
        Role::Professional,
        "Sociaal team Aalten-Noord",
    ),
    (
        "emre",
        "Emre Yilmaz",
        Role::Professional,
        "Sociaal team Aalten-Zuid",
    ),
    (
        "hanna",
        "Hanna Lammers",
        Role::Professional,
        "Sociaal team Winterswijk",
    ),
];

/// What `seed` made.
#[derive(Debug, Clone, Default)]
pub struct Seeded {
    pub example_household_id: Option<String>,
    /// Synthetic households added by this run.
    pub households: usize,
    /// Synthetic households the demo holds now.
    pub total: usize,
}

impl App {
    /// Fill a database with demo data. Refuses a database that holds accounts not made by
    /// `spil demo`, so demo passwords never end up in real use. Running it again adds only
    /// the synthetic households still missing to reach `synthetic`.
    pub async fn seed_demo(
        &self,
        synthetic: usize,
        progress: &(dyn Fn(u64) + Sync),
    ) -> AppResult<Seeded> {
        let mut seeded = Seeded::default();
        let fresh = {
            let mut conn = self.store().reader().await?;
            let users = org::count_users(&mut conn).await?;
            let demo_region = org::team(&mut conn, TEAMS[0].id).await?.is_some();
            match (users, demo_region) {
                (0, _) => true,
                (_, true) => false,
                _ => {
                    return Err(AppError::conflict(
                        "not_a_demo_database",
                        "Deze database bevat echte accounts; demogegevens worden alleen in een lege database gezet.",
                    ))
                }
            }
        };
        if fresh {
            self.seed_organisation().await?;
            seeded.example_household_id = Some(self.seed_example_household().await?);
        }
        // `synthetic` is how many the demo holds, not how many to add: a second run with the
        // same number adds nothing.
        let existing = {
            let mut conn = self.store().reader().await?;
            let households = spil_store::residents::counts(&mut conn).await?.households;
            usize::try_from(households - 1).unwrap_or(0)
        };
        let teams = self.bulk_teams(synthetic).await?;
        progress(existing.min(synthetic) as u64);
        self.seed_bulk(&teams, existing, synthetic, progress)
            .await?;
        seeded.households = synthetic.saturating_sub(existing);
        seeded.total = existing.max(synthetic);
        Ok(seeded)
    }

    async fn seed_organisation(&self) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        org::insert_region(&mut tx, REGION, "Regio Achterhoek (demo)").await?;
        org::insert_municipality(&mut tx, "gm0197", REGION, "Aalten", "GM0197").await?;
        org::insert_municipality(&mut tx, "gm0294", REGION, "Winterswijk", "GM0294").await?;
        for team in TEAMS {
            org::insert_team(&mut tx, team.id, team.municipality, team.name).await?;
        }
        // The school of the example family; one of its teachers has a partner account.
        org::insert_organisation(
            &mut tx,
            &org::OrganisationRow {
                id: SCHOOL.into(),
                kind: "school".into(),
                name: "Basisschool De Klimop".into(),
                municipality_id: None,
                agb: None,
                kvk: None,
                oin: None,
                brin: Some("12AB".into()),
            },
            crate::now_micros(),
        )
        .await?;
        spil_store::commit(tx).await?;
        self.load_postcodes(None, DEMO_POSTCODES).await?;
        for (username, name, role, place) in ACCOUNTS {
            let has_team = role.works_with_households();
            self.add_user(
                &NewUserInput {
                    username,
                    display_name: name,
                    password: DEMO_PASSWORD,
                    role: role.key(),
                    team: has_team.then_some(*place),
                    municipality_id: (!has_team).then_some(*place),
                    ..Default::default()
                },
                None,
            )
            .await?;
        }
        // A partner: she sees nothing until consent grants it (next to come).
        self.add_user(
            &NewUserInput {
                username: "ilse",
                display_name: "Ilse Brink (Basisschool De Klimop)",
                password: DEMO_PASSWORD,
                role: Role::Professional.key(),
                kind: Some("partner"),
                organisation_id: Some(SCHOOL),
                ..Default::default()
            },
            None,
        )
        .await?;
        Ok(())
    }

    pub(crate) async fn demo_actor(&self, username: &str) -> AppResult<Actor> {
        let mut conn = self.store().reader().await?;
        let user = org::user_by_username(&mut conn, username)
            .await?
            .ok_or(AppError::NotFound)?;
        crate::auth::actor_of(&mut conn, &user).await
    }

    /// (user id, username, display name) of a demo account.
    async fn colleague(&self, username: &str) -> AppResult<(String, String, String)> {
        let mut conn = self.store().reader().await?;
        let user = org::user_by_username(&mut conn, username)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok((user.id, user.username, user.display_name))
    }

    /// The teams synthetic households are spread over: the demo's three, and for a large demo
    /// one more team of five per 5,000 households (a region's worth of local teams), so that
    /// a team holds what a real one does rather than a third of a million households.
    async fn bulk_teams(&self, synthetic: usize) -> AppResult<Vec<bulk::BulkTeam>> {
        const PER_TEAM: usize = 5_000;
        const EXTRA_PROFESSIONALS: usize = 5;
        let extra = synthetic.div_ceil(PER_TEAM).saturating_sub(TEAMS.len());
        for k in 1..=extra {
            let (municipality, city) = extra_team_place(k);
            let id = format!("team-demo-{k:03}");
            let exists = {
                let mut conn = self.store().reader().await?;
                org::team(&mut conn, &id).await?.is_some()
            };
            if exists {
                continue;
            }
            let name = format!("Sociaal team {city} {}", k + 1);
            let mut tx = self.store().begin().await?;
            org::insert_team(&mut tx, &id, municipality, &name).await?;
            spil_store::commit(tx).await?;
            for j in 1..=EXTRA_PROFESSIONALS {
                self.add_user(
                    &NewUserInput {
                        username: &format!("p{k:03}-{j}"),
                        display_name: &format!("Collega {j} van {name}"),
                        password: DEMO_PASSWORD,
                        role: Role::Professional.key(),
                        team: Some(&name),
                        ..Default::default()
                    },
                    None,
                )
                .await?;
            }
        }
        let mut teams = Vec::new();
        for team in TEAMS {
            let mut professionals = Vec::new();
            for (username, _, role, place) in ACCOUNTS {
                if role.works_with_households() && *place == team.name {
                    professionals.push(self.colleague(username).await?);
                }
            }
            teams.push(bulk_team(
                team.id.to_owned(),
                team.municipality,
                professionals,
            ));
        }
        for k in 1..=extra {
            let (municipality, _) = extra_team_place(k);
            let mut professionals = Vec::new();
            for j in 1..=EXTRA_PROFESSIONALS {
                professionals.push(self.colleague(&format!("p{k:03}-{j}")).await?);
            }
            teams.push(bulk_team(
                format!("team-demo-{k:03}"),
                municipality,
                professionals,
            ));
        }
        Ok(teams)
    }
}

/// The municipality and place of the demo's `k`-th extra team.
fn extra_team_place(k: usize) -> (&'static str, &'static str) {
    if k.is_multiple_of(2) {
        ("gm0197", "Aalten")
    } else {
        ("gm0294", "Winterswijk")
    }
}

fn bulk_team(
    id: String,
    municipality: &str,
    professionals: Vec<(String, String, String)>,
) -> bulk::BulkTeam {
    let winterswijk = municipality == "gm0294";
    bulk::BulkTeam {
        id,
        city: if winterswijk { "Winterswijk" } else { "Aalten" },
        pc4: if winterswijk {
            WINTERSWIJK_PC4
        } else {
            AALTEN_PC4
        },
        professionals,
    }
}

/// A random BSN that passes the elfproef (test data only).
pub fn random_bsn(rng: &mut impl Rng) -> String {
    loop {
        let digits: Vec<i64> = (0..8)
            .map(|i| {
                if i == 0 {
                    rng.gen_range(1..10)
                } else {
                    rng.gen_range(0..10)
                }
            })
            .collect();
        let sum: i64 = digits
            .iter()
            .enumerate()
            .map(|(i, d)| d * (9 - i as i64))
            .sum();
        let last = sum % 11;
        if last < 10 {
            return digits
                .iter()
                .chain(std::iter::once(&last))
                .map(|d| d.to_string())
                .collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn random_bsns_pass_the_elfproef() {
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..1000 {
            let bsn = random_bsn(&mut rng);
            assert!(spil_domain::person::Bsn::parse(&bsn).is_ok(), "{bsn}");
        }
    }
}
