//! Demo data: a region with two municipalities and their teams, five accounts, the example
//! household of seed 001 (Bas, Ingrid, Milan and Fenna) and any number of synthetic
//! households — all written through the same use cases as real work, journal included.

mod story;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use spil_domain::org::Role;
use spil_store::org;

use crate::users::NewUserInput;
use crate::views::*;
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
        let actors = self.demo_actors().await?;
        let mut rng = StdRng::seed_from_u64(0x5e11 ^ existing as u64);
        progress(existing.min(synthetic) as u64);
        for i in existing..synthetic {
            self.seed_synthetic(&actors, &mut rng).await?;
            progress(i as u64 + 1);
        }
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

    async fn demo_actors(&self) -> AppResult<Vec<Actor>> {
        let mut actors = Vec::new();
        for (username, _, role, _) in ACCOUNTS {
            if role.works_with_households() {
                actors.push(self.demo_actor(username).await?);
            }
        }
        Ok(actors)
    }

    async fn seed_synthetic(&self, actors: &[Actor], rng: &mut StdRng) -> AppResult<()> {
        let actor = &actors[rng.gen_range(0..actors.len())];
        // Most households are taken up: the registering professional becomes regisseur.
        let take_up = rng.gen_bool(0.8);
        self.seed_household_for(actor, take_up, rng).await?;
        Ok(())
    }

    /// One synthetic household registered by `actor`; when taken up, `actor` is its regisseur.
    async fn seed_household_for(
        &self,
        actor: &Actor,
        take_up: bool,
        rng: &mut StdRng,
    ) -> AppResult<String> {
        const GIVEN: &[&str] = &[
            "Daan", "Emma", "Sem", "Julia", "Lucas", "Mila", "Finn", "Tess", "Noah", "Sara",
            "Liam", "Zoë", "Mohammed", "Fatma", "Jan", "Anna", "Kees", "Wilma", "Yusuf", "Lotte",
            "Ahmet", "Ilse", "Piet", "Nour",
        ];
        const FAMILY: &[&str] = &[
            "de Jong",
            "Jansen",
            "de Vries",
            "van den Berg",
            "Bakker",
            "Visser",
            "Smit",
            "Meijer",
            "de Boer",
            "Mulder",
            "Bos",
            "Vos",
            "Peters",
            "Hendriks",
            "Dekker",
            "Brouwer",
            "Wolters",
            "Te Winkel",
            "Ebbers",
            "Demir",
        ];
        const STREETS: &[&str] = &[
            "Dorpsstraat",
            "Kerkstraat",
            "Stationsweg",
            "Molenweg",
            "Beukenlaan",
            "Esstraat",
            "Haartsestraat",
        ];
        const QUESTIONS: &[&str] = &[
            "Ik kan mijn rekeningen niet meer betalen.",
            "Mijn moeder redt het niet meer alleen thuis.",
            "Onze zoon gaat al weken niet naar school.",
            "Ik zoek werk maar kom er alleen niet uit.",
            "Er is veel ruzie thuis en de kinderen lijden eronder.",
            "Ik voel me eenzaam sinds mijn man is overleden.",
            "We dreigen ons huis uit gezet te worden door huurachterstand.",
        ];
        const ROUTES: &[&str] = &[
            "self",
            "network",
            "huisarts",
            "school",
            "jgz",
            "woningcorporatie",
            "outreach",
            "politie",
        ];
        let family = FAMILY[rng.gen_range(0..FAMILY.len())];
        let adults = rng.gen_range(1..=2);
        let children = rng.gen_range(0..=3);
        let today = crate::today();
        let birth = |rng: &mut StdRng, min: i64, max: i64| {
            (today - chrono::Duration::days(rng.gen_range(min * 365..max * 365)))
                .format("%Y-%m-%d")
                .to_string()
        };
        let mut members = Vec::new();
        for _ in 0..adults {
            members.push(MemberInput {
                given_name: GIVEN[rng.gen_range(0..GIVEN.len())].into(),
                family_name: family.into(),
                birth_date: birth(rng, 19, 90),
                bsn: Some(random_bsn(rng)),
                relation: if children > 0 { "parent" } else { "partner" }.into(),
                parental_authority: Some(children > 0),
                // Random synthetic BSNs collide now and then at 100,000 households.
                confirm_bsn_known: Some(true),
                ..MemberInput::default()
            });
        }
        for _ in 0..children {
            members.push(MemberInput {
                given_name: GIVEN[rng.gen_range(0..GIVEN.len())].into(),
                family_name: family.into(),
                birth_date: birth(rng, 0, 18),
                bsn: Some(random_bsn(rng)),
                relation: "child".into(),
                confirm_bsn_known: Some(true),
                ..MemberInput::default()
            });
        }
        let route = ROUTES[rng.gen_range(0..ROUTES.len())];
        let winterswijk = actor.municipality_id.as_deref() == Some("gm0294");
        let pc4 = if winterswijk {
            WINTERSWIJK_PC4
        } else {
            AALTEN_PC4
        };
        let postcode = format!(
            "{} {}{}",
            pc4[rng.gen_range(0..pc4.len())],
            (b'A' + rng.gen_range(0..17)) as char,
            (b'A' + rng.gen_range(0..26)) as char
        );
        let created = self
            .register(
                actor,
                &RegistrationInput {
                    route: route.into(),
                    referrer: (route != "self" && route != "outreach").then(|| ReferrerInput {
                        organisation: Some(format!("Demo-{route}")),
                        ..ReferrerInput::default()
                    }),
                    question: QUESTIONS[rng.gen_range(0..QUESTIONS.len())].into(),
                    urgency: Some(
                        ["normal", "normal", "normal", "soon", "urgent"][rng.gen_range(0..5)]
                            .into(),
                    ),
                    household: Some(NewHouseholdInput {
                        address: AddressInput {
                            street: STREETS[rng.gen_range(0..STREETS.len())].into(),
                            house_number: rng.gen_range(1..200).to_string(),
                            postcode,
                            city: if winterswijk { "Winterswijk" } else { "Aalten" }.into(),
                            buurt_code: None,
                        },
                        members,
                    }),
                    ..RegistrationInput::default()
                },
            )
            .await?;
        if take_up {
            self.set_team(
                actor,
                &created.household_id,
                &TeamInput {
                    regisseur: actor.username.clone(),
                    members: vec![],
                    revision: Some(1),
                },
            )
            .await?;
            let steps = rng.gen_range(0..=4);
            for status in ["exploring", "plan", "support", "waakvlam"]
                .iter()
                .take(steps)
            {
                self.set_status(
                    actor,
                    &created.household_id,
                    &StatusInput {
                        status: (*status).into(),
                        close_reason: None,
                    },
                )
                .await?;
            }
        }
        Ok(created.household_id)
    }

    /// A professional's caseload for measuring the worklist: `households` households with
    /// `username` as regisseur, each with a plan (some goals due this week or overdue, half
    /// agreed), keep-alive contact for every fifth, and two contacts each. Adds the account
    /// (team Aalten-Noord) when it does not exist yet.
    pub async fn seed_caseload(&self, username: &str, households: usize) -> AppResult<()> {
        let exists = {
            let mut conn = self.store().reader().await?;
            org::user_by_username(&mut conn, username).await?.is_some()
        };
        if !exists {
            self.add_user(
                &NewUserInput {
                    username,
                    display_name: "Caseload Bench",
                    password: DEMO_PASSWORD,
                    role: Role::Professional.key(),
                    team: Some(TEAMS[0].name),
                    municipality_id: None,
                    ..Default::default()
                },
                None,
            )
            .await?;
        }
        let actor = self.demo_actor(username).await?;
        let mut rng = StdRng::seed_from_u64(60);
        let today = crate::today();
        let day = |offset: i64| (today + chrono::Duration::days(offset)).to_string();
        for i in 0..households {
            let household = self.seed_household_for(&actor, true, &mut rng).await?;
            let plan = crate::plan::PlanInput {
                goals: (0..3)
                    .map(|g| crate::plan::GoalInput {
                        text: format!("Doel {g} van huishouden {i}"),
                        result: "Een concreet resultaat".into(),
                        evaluate_on: day([0, 20, 60][g] + (i % 5) as i64),
                        ..Default::default()
                    })
                    .collect(),
                actions: vec![crate::plan::ActionInput {
                    text: "Samen de post openen".into(),
                    actor: crate::plan::ActorInput {
                        kind: "professional".into(),
                        reference: None,
                    },
                    ..Default::default()
                }],
                agreements: vec!["Alle afspraken op papier".into()],
                revision: None,
            };
            let saved = self.save_plan(&actor, &household, &plan).await?;
            if i % 2 == 0 {
                let members = self.household(&actor, &household).await?.members;
                if let Some(member) = members.first() {
                    self.agree_plan(
                        &actor,
                        &household,
                        &crate::plan::AgreementInput {
                            date: today.to_string(),
                            how: "verbal".into(),
                            by_person_id: member.person_id.clone(),
                            revision: Some(saved.revision),
                        },
                    )
                    .await?;
                }
            }
            if i % 5 == 0 {
                self.set_waakvlam(
                    &actor,
                    &household,
                    &crate::worklist::WaakvlamInput {
                        interval_days: 7,
                        until: day(180),
                    },
                )
                .await?;
            }
            for c in 0..2 {
                self.add_contact(
                    &actor,
                    &household,
                    &crate::contacts::ContactInput {
                        kind: "huisbezoek".into(),
                        date: day(-(c * 10)),
                        minutes: 45,
                        note: "Bezoek".into(),
                        ..Default::default()
                    },
                )
                .await?;
            }
        }
        Ok(())
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
