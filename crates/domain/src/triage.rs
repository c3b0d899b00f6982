//! The triage engine: from the facts of a household and the region's rules, a proposed level
//! and route with the reasons that led to it. Pure; the professional decides.

use serde::{Deserialize, Serialize};

use crate::policy::{Policy, CRISIS_ROUTE};
use crate::rules::Facts;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub rule: String,
    pub text: String,
}

/// A fact the proposal could not weigh because nobody recorded it yet: a proposal on an
/// empty intake must say that it rests on nothing, not pass for "light support".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unknown {
    /// No member has a life-domain score.
    Scores,
    /// No safety level was recorded.
    Safety,
}

impl Unknown {
    pub fn key(self) -> &'static str {
        match self {
            Unknown::Scores => "scores",
            Unknown::Safety => "safety",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    pub policy_version: String,
    pub level: String,
    pub route: String,
    pub reasons: Vec<Reason>,
    /// What was not known when proposing; empty when every fact was recorded.
    pub unknown: Vec<Unknown>,
}

/// The facts a proposal could not weigh.
pub fn unknowns(facts: &Facts) -> Vec<Unknown> {
    let mut unknown = Vec::new();
    if facts.scores.values().all(|s| s.is_empty()) {
        unknown.push(Unknown::Scores);
    }
    if !facts.safety_assessed {
        unknown.push(Unknown::Safety);
    }
    unknown
}

/// The heaviest outcome among the rules that fire (by level, then route); the default when
/// none fires. Acute unsafety always proposes the crisis route at the heaviest level, even if
/// a region's rules forgot it.
pub fn propose(policy: &Policy, facts: &Facts) -> Proposal {
    let fired: Vec<_> = policy
        .rules
        .iter()
        .filter(|r| r.condition.eval(facts))
        .collect();
    let mut level = policy.default_level;
    let mut route = policy.default_route;
    let mut reasons: Vec<Reason> = Vec::new();
    if fired.is_empty() {
        reasons.push(Reason {
            rule: "default".into(),
            text: policy.default_text.clone(),
        });
    } else if let Some(heaviest) = fired.iter().max_by_key(|r| (r.level, r.route)) {
        level = heaviest.level;
        route = heaviest.route;
        reasons = fired
            .iter()
            .map(|r| Reason {
                rule: r.id.clone(),
                text: r.text.clone(),
            })
            .collect();
    }
    if facts.safety >= 3 {
        if let Some(crisis) = policy.route_index(CRISIS_ROUTE) {
            if route != crisis {
                reasons.insert(
                    0,
                    Reason {
                        rule: "veiligheid-eerst".into(),
                        text: "Er is acute onveiligheid: veiligheid gaat altijd voor.".into(),
                    },
                );
            }
            route = crisis;
            level = policy.levels.len().saturating_sub(1);
        }
    }
    Proposal {
        policy_version: policy.version.clone(),
        level: policy
            .levels
            .get(level)
            .map(|l| l.key.clone())
            .unwrap_or_default(),
        route: policy
            .routes
            .get(route)
            .map(|r| r.key.clone())
            .unwrap_or_default(),
        reasons,
        unknown: unknowns(facts),
    }
}

/// Rank of a proposal: what "heavier" means, for the monotonicity check.
pub fn rank(policy: &Policy, proposal: &Proposal) -> (usize, usize) {
    (
        policy.level_index(&proposal.level).unwrap_or(0),
        policy.route_index(&proposal.route).unwrap_or(0),
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    fn policy() -> Policy {
        Policy::default_policy().unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn facts(scores: &[(&str, &[u8])], safety: i64, network: i64, ages: &[u32]) -> Facts {
        Facts {
            scores: scores
                .iter()
                .map(|(d, s)| ((*d).to_owned(), s.to_vec()))
                .collect(),
            safety,
            safety_assessed: true,
            urgency: 0,
            network_size: network,
            ages: ages.to_vec(),
        }
    }

    /// "Three or more domains" and "one or two domains" never explain the same proposal, and
    /// an empty intake says that nothing was recorded.
    #[test]
    fn reasons_do_not_contradict_and_unknowns_are_named() {
        let p = policy();
        for n in 1..=6usize {
            let domains = [
                "financien",
                "huisvesting",
                "scholing",
                "werk",
                "sociaal",
                "dagbesteding",
            ];
            let scores: Vec<(&str, &[u8])> =
                domains[..n].iter().map(|d| (*d, &[2u8][..])).collect();
            let proposal = propose(&p, &facts(&scores, 0, 2, &[40]));
            let fired: Vec<&str> = proposal.reasons.iter().map(|r| r.rule.as_str()).collect();
            assert_ne!(
                (
                    fired.contains(&"meerdere-leefgebieden"),
                    fired.contains(&"enkele-leefgebieden")
                ),
                (true, true),
                "{n} domains at 2: {fired:?}"
            );
            assert!(proposal.unknown.is_empty(), "{n} domains: all was recorded");
        }
        let empty = Facts::default();
        let proposal = propose(&p, &empty);
        assert_eq!(proposal.unknown, vec![Unknown::Scores, Unknown::Safety]);
        let safety_only = Facts {
            safety_assessed: true,
            ..Facts::default()
        };
        assert_eq!(propose(&p, &safety_only).unknown, vec![Unknown::Scores]);
    }

    /// The default rules, case by case: (name, facts, level, route, the rules that must fire).
    #[test]
    fn default_rules_table() {
        let p = policy();
        let cases: Vec<(&str, Facts, &str, &str, Vec<&str>)> = vec![
            (
                "nothing wrong",
                facts(&[("financien", &[5])], 0, 3, &[40]),
                "licht",
                "sociale_basis",
                vec!["default"],
            ),
            (
                "limited self-reliance",
                facts(&[("financien", &[3])], 0, 2, &[40]),
                "licht",
                "basishulp",
                vec!["beperkt-zelfredzaam"],
            ),
            (
                "no network with problems",
                facts(&[("financien", &[3])], 0, 0, &[40]),
                "midden",
                "basishulp",
                vec!["beperkt-zelfredzaam", "klein-netwerk"],
            ),
            (
                "one domain at 2",
                facts(&[("financien", &[2]), ("huisvesting", &[4])], 0, 2, &[40]),
                "midden",
                "basishulp",
                vec!["enkele-leefgebieden"],
            ),
            (
                "three domains at 2 or lower",
                facts(
                    &[
                        ("financien", &[2]),
                        ("huisvesting", &[2]),
                        ("scholing", &[2]),
                    ],
                    0,
                    2,
                    &[40, 8],
                ),
                "zwaar",
                "basishulp_met_expertise",
                vec!["meerdere-leefgebieden"],
            ),
            (
                "an acute problem",
                facts(&[("financien", &[1])], 0, 2, &[40]),
                "zwaar",
                "basishulp_met_expertise",
                vec!["acuut-probleem"],
            ),
            (
                "worries about safety",
                facts(&[("financien", &[4])], 1, 2, &[40]),
                "midden",
                "basishulp",
                vec!["zorgen-veiligheid"],
            ),
            (
                "unsafe",
                facts(&[("financien", &[4])], 2, 2, &[40]),
                "zwaar",
                "basishulp_met_expertise",
                vec!["onveilig"],
            ),
            (
                "acutely unsafe",
                facts(&[("financien", &[5])], 3, 5, &[40]),
                "zwaar",
                "crisis",
                vec!["acuut-onveilig"],
            ),
        ];
        for (name, f, level, route, rules) in cases {
            let proposal = propose(&p, &f);
            assert_eq!(
                (proposal.level.as_str(), proposal.route.as_str()),
                (level, route),
                "{name}"
            );
            let fired: Vec<&str> = proposal.reasons.iter().map(|r| r.rule.as_str()).collect();
            for rule in rules {
                assert!(
                    fired.contains(&rule),
                    "{name}: {rule} should fire, fired {fired:?}"
                );
            }
            assert!(
                proposal.reasons.iter().all(|r| !r.text.is_empty()),
                "{name}: every reason is explained"
            );
        }
    }

    #[test]
    fn the_example_household_of_seed_001_is_proposed_heavy_support_with_expertise() {
        // Debts, a father with brain injury, a mother with a probable mild intellectual
        // disability, children with developmental worries, worries about safety.
        let f = Facts {
            scores: BTreeMap::from([
                ("financien".to_owned(), vec![2, 2]),
                ("instrumentele_adl".to_owned(), vec![3, 2]),
                ("geestelijke_gezondheid".to_owned(), vec![3, 2, 3, 3]),
                ("lichamelijke_verzorging".to_owned(), vec![4, 2]),
                ("scholing".to_owned(), vec![3, 3]),
            ]),
            safety: 1,
            safety_assessed: true,
            urgency: 1,
            network_size: 1,
            ages: vec![35, 43, 8, 6],
        };
        let proposal = propose(&policy(), &f);
        assert_eq!(
            (proposal.level.as_str(), proposal.route.as_str()),
            ("zwaar", "basishulp_met_expertise")
        );
        assert!(proposal
            .reasons
            .iter()
            .any(|r| r.rule == "meerdere-leefgebieden"));
        assert!(proposal
            .reasons
            .iter()
            .any(|r| r.rule == "zorgen-veiligheid"));
    }

    #[test]
    fn acute_unsafety_is_crisis_even_when_a_region_forgot_the_rule() {
        let text = crate::policy::DEFAULT_POLICY.replace(
            "when = \"safety == acuut_onveilig\"",
            "when = \"safety == acuut_onveilig and children >= 9\"",
        );
        let p = Policy::parse(&text).unwrap_or_else(|e| panic!("{e:?}"));
        let proposal = propose(&p, &facts(&[("financien", &[5])], 3, 5, &[40]));
        assert_eq!(
            (proposal.level.as_str(), proposal.route.as_str()),
            ("zwaar", "crisis")
        );
        assert_eq!(proposal.reasons[0].rule, "veiligheid-eerst");
    }

    fn arbitrary_facts() -> impl Strategy<Value = Facts> {
        let domain_keys: Vec<String> = policy().domains.iter().map(|d| d.key.clone()).collect();
        (
            proptest::collection::btree_map(
                proptest::sample::select(domain_keys),
                proptest::collection::vec(1u8..=5, 1..4),
                0..10,
            ),
            0i64..=3,
            0i64..=2,
            0i64..=6,
            proptest::collection::vec(0u32..=100, 1..6),
        )
            .prop_map(|(scores, safety, urgency, network_size, ages)| Facts {
                scores,
                safety,
                safety_assessed: true,
                urgency,
                network_size,
                ages,
            })
    }

    proptest! {
        /// Total: every valid input gets a proposal with a known level and route and a reason.
        #[test]
        fn every_input_gets_an_explained_proposal(f in arbitrary_facts()) {
            let p = policy();
            let proposal = propose(&p, &f);
            prop_assert!(p.level_index(&proposal.level).is_some());
            prop_assert!(p.route_index(&proposal.route).is_some());
            prop_assert!(!proposal.reasons.is_empty());
        }

        /// Monotonic: making any score worse (or safety worse) never proposes a lighter level or route.
        #[test]
        fn a_worse_situation_never_gets_lighter_support(f in arbitrary_facts(), pick in 0usize..40, worse_safety in proptest::bool::ANY) {
            let p = policy();
            let before = rank(&p, &propose(&p, &f));
            let mut worse = f.clone();
            if worse_safety {
                worse.safety = (worse.safety + 1).min(3);
            } else if !worse.scores.is_empty() {
                let total: usize = worse.scores.values().map(Vec::len).sum();
                let mut i = pick % total;
                for scores in worse.scores.values_mut() {
                    if i < scores.len() {
                        scores[i] = scores[i].saturating_sub(1).max(1);
                        break;
                    }
                    i -= scores.len();
                }
            }
            let after = rank(&p, &propose(&p, &worse));
            prop_assert!(after >= before, "{:?} became {:?}", before, after);
        }
    }
}
