//! Seed 001, told through the use cases: the Hendriks family in Aalten. Bas (NAH) works in
//! construction during the week; Ingrid (probably LVB) carries the care; Milan and Fenna.
//! A question about debts a year and a half ago, then household help, the kitchen-table talk
//! that failed because nobody said who would come, one steady contact person, the school's
//! worries, a report via Veilig Thuis; the intake with scores at two dates, and the plan with
//! the agreements that helped — and Ingrid's agreement, and a later change.

use chrono::Duration;

use crate::contacts::ContactInput;
use crate::intake::{
    Analysis, AssessmentInput, IntakeInput, IntakePerson, NetworkPerson, YesNoWhy,
};
use crate::organisations::OrganisationInput;
use crate::persons::RelationInput;
use crate::plan::{ActionInput, ActorInput, AgreementInput, GoalInput, PlanInput};
use crate::views::*;
use crate::{Actor, App, AppResult};

/// Birth dates that give the ages of seed 001 on 24-11-2026 (Bas 35, Ingrid 43, Milan 8,
/// Fenna 6); ages are computed on the day they are shown.
const BAS: &str = "1991-03-14";
const INGRID: &str = "1983-06-02";
const MILAN: &str = "2018-01-20";
const FENNA: &str = "2020-02-08";

fn days_ago(days: i64) -> String {
    (crate::today() - Duration::days(days)).to_string()
}

fn scores(pairs: &[(&str, i64)]) -> std::collections::BTreeMap<String, i64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

impl App {
    /// The example household, heading anne's list.
    pub(super) async fn seed_example_household(&self) -> AppResult<String> {
        let anne = self.demo_actor("anne").await?;
        let member = |given: &str, birth: &str, relation: &str, authority: bool| MemberInput {
            given_name: given.into(),
            family_name: "Hendriks".into(),
            birth_date: birth.into(),
            relation: relation.into(),
            parental_authority: Some(authority),
            ..MemberInput::default()
        };
        let mut bas = member("Bas", BAS, "parent", true);
        bas.bsn = Some("111222333".into());
        bas.gender = Some("1".into());
        bas.initials = Some("B.".into());
        bas.pace = Some("nah".into());
        bas.communication_note = Some(
            "Niet-aangeboren hersenletsel: weinig prikkels, korte gesprekken, liefst in het weekend; alles op papier.".into(),
        );
        let mut ingrid = member("Ingrid", INGRID, "parent", true);
        ingrid.gender = Some("2".into());
        ingrid.initials = Some("I.".into());
        ingrid.pace = Some("lvb".into());
        ingrid.communication_note = Some(
            "Eenvoudige taal en één ding tegelijk. Vooraf laten weten wie er komt; afspraken op papier meegeven.".into(),
        );
        let mut milan = member("Milan", MILAN, "child", false);
        milan.gender = Some("1".into());
        milan.communication_note =
            Some("Taal-spraakachterstand: rustig praten, laten aanwijzen.".into());
        let mut fenna = member("Fenna", FENNA, "child", false);
        fenna.gender = Some("2".into());
        let created = self
            .register(
                &anne,
                &RegistrationInput {
                    route: "self".into(),
                    question: "We hebben schulden: betalingsachterstanden en aanmaningen. We hebben geen overzicht meer en het geeft veel stress thuis.".into(),
                    urgency: Some("soon".into()),
                    household: Some(NewHouseholdInput {
                        address: AddressInput {
                            street: "Lindenlaan".into(),
                            house_number: "12".into(),
                            postcode: "7121 AB".into(),
                            city: "Aalten".into(),
                            buurt_code: None,
                        },
                        members: vec![bas, ingrid, milan, fenna],
                    }),
                    // The family first asked for help a year and a half ago.
                    received_at: Some(days_ago(548)),
                    ..RegistrationInput::default()
                },
            )
            .await?;
        let household = created.household_id;
        self.set_team(
            &anne,
            &household,
            &TeamInput {
                regisseur: "anne".into(),
                members: vec![TeamMemberInput {
                    username: "dewi".into(),
                    role: "schuldhulpverlener".into(),
                }],
                revision: Some(1),
            },
        )
        .await?;
        self.set_status(
            &anne,
            &household,
            &StatusInput {
                status: "exploring".into(),
                close_reason: None,
            },
        )
        .await?;
        let view = self.household(&anne, &household).await?;
        let id_of = |name: &str| {
            view.members
                .iter()
                .find(|m| m.given_name == name)
                .map(|m| m.person_id.clone())
                .unwrap_or_default()
        };
        let (bas, ingrid, milan, fenna) = (
            id_of("Bas"),
            id_of("Ingrid"),
            id_of("Milan"),
            id_of("Fenna"),
        );

        self.register(&anne, &RegistrationInput {
            route: "self".into(),
            question: "De schade-uitkering waarmee we de huishoudelijke hulp betaalden is op. We vragen huishoudelijke hulp aan.".into(),
            household_id: Some(household.clone()),
            received_at: Some(days_ago(470)),
            ..RegistrationInput::default()
        }).await?;
        self.add_contact(&anne, &household, &ContactInput {
            kind: "huisbezoek".into(),
            date: days_ago(462),
            minutes: 20,
            note: "Keukentafelgesprek over huishoudelijke hulp. Naast de Wmo-consulent kwam onaangekondigd ook een jeugdconsulent mee; het gezin wist dat niet vooraf en deed de deur niet open. Het gesprek ging niet door.".into(),
            participants: vec!["Wmo-consulent".into(), "Jeugdconsulent".into()],
            ..ContactInput::default()
        }).await?;
        self.add_contact(&anne, &household, &ContactInput {
            kind: "telefonisch".into(),
            date: days_ago(455),
            minutes: 25,
            note: "Anne is voortaan het vaste aanspreekpunt. Afgesproken: vooraf laten weten wie er komt, en alles op papier.".into(),
            present: vec![ingrid.clone()],
            ..ContactInput::default()
        }).await?;
        self.seed_intake(&anne, &household, [&bas, &ingrid, &milan, &fenna])
            .await?;
        self.register(&anne, &RegistrationInput {
            route: "school".into(),
            referrer: Some(ReferrerInput {
                name: Some("Juf Marieke".into()),
                organisation: Some("Basisschool De Klimop".into()),
                contact: Some("0543-123456".into()),
            }),
            question: "Milan is vaak moe en kan zich slecht concentreren; Fenna is nog niet zindelijk en heeft woedebuien. Wij maken ons zorgen.".into(),
            urgency: Some("soon".into()),
            household_id: Some(household.clone()),
            received_at: Some(days_ago(300)),
            feedback_consent: Some(true),
            ..RegistrationInput::default()
        }).await?;
        self.register(&anne, &RegistrationInput {
            route: "veilig_thuis".into(),
            referrer: Some(ReferrerInput {
                organisation: Some("Veilig Thuis Noord- en Oost-Gelderland".into()),
                ..ReferrerInput::default()
            }),
            question: "Anonieme meldingen over spanningen thuis en schoolverzuim. Veilig Thuis vraagt het lokale team de regie te houden en samen op te trekken.".into(),
            urgency: Some("urgent".into()),
            household_id: Some(household.clone()),
            received_at: Some(days_ago(120)),
            ..RegistrationInput::default()
        }).await?;
        self.seed_scores(&anne, &household, &bas, &ingrid, &milan, &fenna, 100, false)
            .await?;
        self.seed_plan(&anne, &household, &bas, &ingrid, &milan)
            .await?;
        self.seed_network(&anne, &milan, &fenna).await?;
        Ok(household)
    }

    /// The broad intake, and the first scores.
    async fn seed_intake(
        &self,
        anne: &Actor,
        household: &str,
        [bas, ingrid, milan, fenna]: [&String; 4],
    ) -> AppResult<()> {
        let person = |id: &str, question: &str, result: &str| IntakePerson {
            person_id: id.to_owned(),
            question: question.into(),
            desired_result: result.into(),
            normalising: YesNoWhy::default(),
            slow_down_and_bear: YesNoWhy::default(),
        };
        self.save_intake(anne, household, &IntakeInput {
            persons: vec![
                person(bas, "Overzicht over de schulden, zonder dat het mij door de week te veel wordt.", "Eén overzicht van wat we moeten betalen, en rust in het weekend."),
                person(ingrid, "Hulp in huis en bij de post; ik raak het overzicht kwijt.", "De post is elke week open en het huis is op orde."),
            ],
            network: vec![NetworkPerson {
                name: "Voetbaltrainer van Milan".into(),
                relation: "trainer".into(),
                can_help_with: "Positieve aandacht voor Milan; weet hoe het gaat".into(),
            }],
            analysis: Analysis {
                causes: "Schulden, NAH bij vader en vermoedelijk LVB bij moeder; vader is doordeweeks weg.".into(),
                maintaining: "Wantrouwen na het keukentafelgesprek; wisselende aanspreekpunten.".into(),
                connections: "Geldzorgen vergroten de spanning thuis; die raakt de kinderen.".into(),
            },
            safety_level: "zorgen".into(),
            revision: None,
        }).await?;
        self.seed_scores(anne, household, bas, ingrid, milan, fenna, 440, true)
            .await
    }

    /// Scores at one date: at the start low, later a little better.
    #[allow(clippy::too_many_arguments)]
    async fn seed_scores(
        &self,
        anne: &Actor,
        household: &str,
        bas: &str,
        ingrid: &str,
        milan: &str,
        fenna: &str,
        days: i64,
        start: bool,
    ) -> AppResult<()> {
        let low = i64::from(!start);
        let sets: [(&str, std::collections::BTreeMap<String, i64>); 4] = [
            (
                bas,
                scores(&[
                    ("financien", 1 + low),
                    ("werk_opleiding", 4),
                    ("geestelijke_gezondheid", 3),
                    ("lichamelijke_gezondheid", 3),
                ]),
            ),
            (
                ingrid,
                scores(&[
                    ("financien", 1 + low),
                    ("instrumentele_adl", 2 + low),
                    ("geestelijke_gezondheid", 2),
                    ("sociaal_netwerk", 2),
                ]),
            ),
            (
                milan,
                scores(&[
                    ("scholing", 2 + low),
                    ("emotionele_ondersteuning", 3),
                    ("sociaal_netwerk", 3),
                ]),
            ),
            (
                fenna,
                scores(&[
                    ("lichamelijke_verzorging", 2 + low),
                    ("emotionele_ondersteuning", 2),
                    ("opvang", 3),
                ]),
            ),
        ];
        for (person, scores) in sets {
            self.add_assessment(
                anne,
                household,
                &AssessmentInput {
                    person_id: person.to_owned(),
                    date: days_ago(days),
                    scores,
                    strengths: Some(
                        if start {
                            "Ouders willen het beste voor de kinderen."
                        } else {
                            "Er is weer contact; de huishoudelijke hulp brengt rust."
                        }
                        .into(),
                    ),
                    notes: Default::default(),
                },
            )
            .await?;
        }
        Ok(())
    }

    /// The plan with the agreements that helped, Ingrid's agreement, and a later change.
    async fn seed_plan(
        &self,
        anne: &Actor,
        household: &str,
        bas: &str,
        ingrid: &str,
        milan: &str,
    ) -> AppResult<()> {
        let in_days = |d: i64| (crate::today() + Duration::days(d)).to_string();
        let goal =
            |id: &str, person: Option<&str>, text: &str, result: &str, days: i64| GoalInput {
                id: Some(id.into()),
                person_id: person.map(str::to_owned),
                text: text.into(),
                result: result.into(),
                evaluate_on: in_days(days),
            };
        let mut plan = PlanInput {
            goals: vec![
                goal(
                    "overzicht-schulden",
                    None,
                    "We willen weten wat we moeten betalen, en aan wie.",
                    "Eén overzicht van alle schulden, samen met Dewi gemaakt.",
                    42,
                ),
                goal(
                    "post-op-orde",
                    Some(ingrid),
                    "Ik wil dat de post elke week open is.",
                    "Elke vrijdag samen met de huishoudelijke hulp de post open.",
                    28,
                ),
                goal(
                    "milan-school",
                    Some(milan),
                    "Milan gaat graag naar school en is minder moe.",
                    "Milan mist geen schooldagen meer zonder reden.",
                    56,
                ),
            ],
            actions: vec![
                ActionInput {
                    text: "Samen met Dewi de post en de schulden op een rij zetten".into(),
                    goal_id: Some("overzicht-schulden".into()),
                    actor: ActorInput {
                        kind: "professional".into(),
                        reference: Some("Dewi Sarmo".into()),
                    },
                    ..ActionInput::default()
                },
                ActionInput {
                    text: "Bas kijkt in het weekend mee naar het overzicht".into(),
                    goal_id: Some("overzicht-schulden".into()),
                    actor: ActorInput {
                        kind: "member".into(),
                        reference: Some(bas.to_owned()),
                    },
                    ..ActionInput::default()
                },
            ],
            agreements: vec![
                "We laten vooraf weten wie er komt.".into(),
                "Alle afspraken op papier.".into(),
                "Het tempo past bij wat Bas en Ingrid aankunnen.".into(),
            ],
            revision: None,
        };
        let saved = self.save_plan(anne, household, &plan).await?;
        self.agree_plan(
            anne,
            household,
            &AgreementInput {
                date: crate::today().to_string(),
                how: "signed_paper".into(),
                by_person_id: ingrid.to_owned(),
                revision: Some(saved.revision),
            },
        )
        .await?;
        // Later: the voetbaltrainer helps with Milan's weekends — a change after agreement.
        plan.actions.push(ActionInput {
            text: "De voetbaltrainer let op Milan en laat het weten als hij moe is".into(),
            goal_id: Some("milan-school".into()),
            actor: ActorInput {
                kind: "network".into(),
                reference: Some("Voetbaltrainer".into()),
            },
            ..ActionInput::default()
        });
        plan.revision = Some(saved.revision);
        self.save_plan(anne, household, &plan).await?;
        Ok(())
    }

    /// The school, the huisarts, Veilig Thuis and the gecertificeerde instelling in the
    /// register; the voetbaltrainer as the children's informal support.
    async fn seed_network(&self, anne: &Actor, milan: &str, fenna: &str) -> AppResult<()> {
        for (kind, name, agb, brin) in [
            (
                "huisarts",
                "Huisartsenpraktijk Lindenlaan (demo)",
                Some("01234567"),
                None,
            ),
            (
                "veilig_thuis",
                "Veilig Thuis Noord- en Oost-Gelderland (demo)",
                None,
                None,
            ),
            (
                "gecertificeerde_instelling",
                "Jeugdbescherming Gelderland (demo)",
                Some("76543210"),
                None,
            ),
        ] {
            self.add_organisation(
                anne,
                &OrganisationInput {
                    kind: kind.into(),
                    name: name.into(),
                    agb: agb.map(str::to_owned),
                    brin: brin.map(str::to_owned),
                    ..OrganisationInput::default()
                },
            )
            .await?;
        }
        // Brother and sister since Fenna was born.
        for (child, other) in [(milan, fenna), (fenna, milan)] {
            self.add_relation(
                anne,
                child,
                &RelationInput {
                    kind: "broer_zus".into(),
                    to_person_id: Some(other.to_owned()),
                    valid_from: FENNA.into(),
                    ..RelationInput::default()
                },
            )
            .await?;
        }
        Ok(())
    }
}
