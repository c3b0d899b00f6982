//! Households written one by one through the use cases: the benchmark's caseload of one
//! professional, with plans, agreements, keep-alive contact and contacts.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use spil_domain::org::Role;
use spil_store::org;

use super::{names, random_bsn, AALTEN_PC4, DEMO_PASSWORD, TEAMS, WINTERSWIJK_PC4};
use crate::users::NewUserInput;
use crate::views::*;
use crate::{Actor, App, AppResult};

impl App {
    /// One synthetic household registered by `actor`; when taken up, `actor` is its regisseur.
    async fn seed_household_for(
        &self,
        actor: &Actor,
        take_up: bool,
        rng: &mut StdRng,
    ) -> AppResult<String> {
        use names::{FAMILY, GIVEN, QUESTIONS, STREETS};
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
