//! Regional policy as versioned data: life domains, intake modules, levels, routes, the
//! bandwidth rules and the glossary. The format is TOML, documented in `docs/policy.md`.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::rules::{self, Condition};

/// The policy that ships with Spil.
pub const DEFAULT_POLICY: &str = include_str!("../../../policy/default.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DomainFor {
    Adults,
    Children,
    All,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Domain {
    pub key: String,
    pub name: String,
    #[serde(rename = "for")]
    pub applies_to: DomainFor,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Named {
    pub key: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlossaryEntry {
    pub term: String,
    pub definition: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: String,
    pub text: String,
    /// The condition as the policy adviser wrote it.
    pub when: String,
    pub condition: Condition,
    /// Index into `levels` (lightest first).
    pub level: usize,
    /// Index into `routes` (lightest first).
    pub route: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    pub key: String,
    pub name: String,
    pub condition: Condition,
    pub questions: Vec<String>,
}

/// A checked policy with its version: the first 16 hex digits of the SHA-256 of its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub name: String,
    pub version: String,
    pub source: String,
    pub domains: Vec<Domain>,
    pub levels: Vec<Named>,
    pub routes: Vec<Named>,
    pub default_level: usize,
    pub default_route: usize,
    pub default_text: String,
    pub rules: Vec<Rule>,
    pub modules: Vec<Module>,
    pub glossary: Vec<GlossaryEntry>,
    /// Cells counting fewer than this many cases are withheld from every aggregate that leaves
    /// a team (`small_cell_threshold`, default 5).
    pub small_cell_threshold: i64,
}

/// One problem in a policy file, with its line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct PolicyError {
    pub line: usize,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDomain {
    key: Spanned<String>,
    name: String,
    #[serde(rename = "for")]
    applies_to: DomainFor,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefault {
    level: Spanned<String>,
    route: Spanned<String>,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    when: Spanned<String>,
    level: Spanned<String>,
    route: Spanned<String>,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModule {
    key: String,
    name: String,
    when: Spanned<String>,
    questions: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    name: String,
    domains: Vec<RawDomain>,
    levels: Spanned<Vec<Named>>,
    routes: Spanned<Vec<Named>>,
    default: RawDefault,
    rules: Vec<RawRule>,
    #[serde(default)]
    modules: Vec<RawModule>,
    #[serde(default)]
    glossary: Vec<GlossaryEntry>,
    small_cell_threshold: Option<Spanned<i64>>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map_or(1, |before| before.matches('\n').count() + 1)
}

/// Checks rules and modules against a policy's domains, levels and routes, naming lines in `text`.
struct Checker<'a> {
    text: &'a str,
    domains: &'a [Domain],
    levels: &'a [Named],
    routes: &'a [Named],
}

impl Checker<'_> {
    fn index(
        &self,
        list: &[Named],
        key: &Spanned<String>,
        what: &str,
        errors: &mut Vec<PolicyError>,
    ) -> usize {
        let found = list.iter().position(|n| n.key == *key.get_ref());
        if found.is_none() {
            errors.push(PolicyError {
                line: line_of(self.text, key.span().start),
                message: format!("unknown {what} '{}'", key.get_ref()),
            });
        }
        found.unwrap_or(0)
    }

    fn condition(
        &self,
        when: &Spanned<String>,
        errors: &mut Vec<PolicyError>,
    ) -> Option<Condition> {
        let line = line_of(self.text, when.span().start);
        match rules::parse(when.get_ref()) {
            Ok(c) => {
                for domain in c.domains() {
                    if !self.domains.iter().any(|d| d.key == domain) {
                        errors.push(PolicyError {
                            line,
                            message: format!("the condition names the unknown domain '{domain}'"),
                        });
                    }
                }
                Some(c)
            }
            Err(e) => {
                errors.push(PolicyError {
                    line,
                    message: format!("condition: {e}"),
                });
                None
            }
        }
    }

    fn rules_and_modules(
        &self,
        raw_rules: &[RawRule],
        raw_modules: &[RawModule],
        existing: &[Rule],
        errors: &mut Vec<PolicyError>,
    ) -> (Vec<Rule>, Vec<Module>) {
        let mut rules_out: Vec<Rule> = Vec::new();
        for r in raw_rules {
            if rules_out
                .iter()
                .chain(existing)
                .any(|x| x.id == *r.id.get_ref())
            {
                errors.push(PolicyError {
                    line: line_of(self.text, r.id.span().start),
                    message: format!("rule id '{}' is used twice", r.id.get_ref()),
                });
            }
            let level = self.index(self.levels, &r.level, "level", errors);
            let route = self.index(self.routes, &r.route, "route", errors);
            if let Some(condition) = self.condition(&r.when, errors) {
                rules_out.push(Rule {
                    id: r.id.get_ref().clone(),
                    text: r.text.clone(),
                    when: r.when.get_ref().clone(),
                    condition,
                    level,
                    route,
                });
            }
        }
        let mut modules = Vec::new();
        for m in raw_modules {
            if let Some(condition) = self.condition(&m.when, errors) {
                modules.push(Module {
                    key: m.key.clone(),
                    name: m.name.clone(),
                    condition,
                    questions: m.questions.clone(),
                });
            }
        }
        (rules_out, modules)
    }
}

/// What a municipality may add to its region's policy: rules, modules and glossary terms.
/// Domains, levels and routes stay the region's, so that municipalities can be compared.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAddition {
    #[serde(default)]
    rules: Vec<RawRule>,
    #[serde(default)]
    modules: Vec<RawModule>,
    #[serde(default)]
    glossary: Vec<GlossaryEntry>,
}

/// The route every acute unsafety leads to, whatever the rules say.
pub const CRISIS_ROUTE: &str = "crisis";

impl Policy {
    /// Parse and check a policy file; every problem is reported with its line.
    pub fn parse(text: &str) -> Result<Policy, Vec<PolicyError>> {
        let raw: RawPolicy = toml::from_str(text).map_err(|e| {
            vec![PolicyError {
                line: e.span().map_or(1, |s| line_of(text, s.start)),
                message: e.message().to_owned(),
            }]
        })?;
        let mut errors = Vec::new();
        let at = |span: std::ops::Range<usize>| line_of(text, span.start);

        let mut domains: Vec<Domain> = Vec::new();
        for d in &raw.domains {
            if domains.iter().any(|x| x.key == *d.key.get_ref()) {
                errors.push(PolicyError {
                    line: at(d.key.span()),
                    message: format!("domain '{}' is defined twice", d.key.get_ref()),
                });
            }
            domains.push(Domain {
                key: d.key.get_ref().clone(),
                name: d.name.clone(),
                applies_to: d.applies_to,
            });
        }
        if domains.is_empty() {
            errors.push(PolicyError {
                line: 1,
                message: "at least one domain is needed".into(),
            });
        }
        for (list, what) in [(&raw.levels, "level"), (&raw.routes, "route")] {
            if list.get_ref().is_empty() {
                errors.push(PolicyError {
                    line: at(list.span()),
                    message: format!("at least one {what} is needed"),
                });
            }
            let mut seen = std::collections::HashSet::new();
            for named in list.get_ref() {
                if !seen.insert(named.key.as_str()) {
                    errors.push(PolicyError {
                        line: at(list.span()),
                        message: format!("{what} '{}' is defined twice", named.key),
                    });
                }
            }
        }
        if !raw.routes.get_ref().iter().any(|r| r.key == CRISIS_ROUTE) {
            errors.push(PolicyError {
                line: at(raw.routes.span()),
                message: "the route 'crisis' must exist".into(),
            });
        }
        let checker = Checker {
            text,
            domains: &domains,
            levels: raw.levels.get_ref(),
            routes: raw.routes.get_ref(),
        };
        let default_level = checker.index(
            raw.levels.get_ref(),
            &raw.default.level,
            "level",
            &mut errors,
        );
        let default_route = checker.index(
            raw.routes.get_ref(),
            &raw.default.route,
            "route",
            &mut errors,
        );
        let (rules_out, modules) =
            checker.rules_and_modules(&raw.rules, &raw.modules, &[], &mut errors);
        let small_cell_threshold = match &raw.small_cell_threshold {
            None => crate::disclosure::DEFAULT_THRESHOLD,
            Some(t) if *t.get_ref() >= crate::disclosure::MIN_THRESHOLD => *t.get_ref(),
            Some(t) => {
                errors.push(PolicyError {
                    line: at(t.span()),
                    message: format!(
                        "small_cell_threshold must be at least {}: smaller cells point at people",
                        crate::disclosure::MIN_THRESHOLD
                    ),
                });
                crate::disclosure::DEFAULT_THRESHOLD
            }
        };
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            return Err(errors);
        }
        Ok(Policy {
            name: raw.name,
            version: hex::encode(Sha256::digest(text.as_bytes()))[..16].to_owned(),
            source: text.to_owned(),
            domains,
            levels: raw.levels.into_inner(),
            routes: raw.routes.into_inner(),
            default_level,
            default_route,
            default_text: raw.default.text,
            rules: rules_out,
            modules,
            glossary: raw.glossary,
            small_cell_threshold,
        })
    }

    /// This policy with a municipality's additions: extra rules, modules and glossary terms
    /// (a term defined again replaces the region's definition). Its version covers both texts.
    pub fn with_addition(&self, text: &str) -> Result<Policy, Vec<PolicyError>> {
        let raw: RawAddition = toml::from_str(text).map_err(|e| {
            vec![PolicyError {
                line: e.span().map_or(1, |s| line_of(text, s.start)),
                message: e.message().to_owned(),
            }]
        })?;
        let mut errors = Vec::new();
        let checker = Checker {
            text,
            domains: &self.domains,
            levels: &self.levels,
            routes: &self.routes,
        };
        let (rules, modules) =
            checker.rules_and_modules(&raw.rules, &raw.modules, &self.rules, &mut errors);
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            return Err(errors);
        }
        let mut combined = self.clone();
        combined.source = format!(
            "{}\n\n# --- aanvulling van de gemeente ---\n{text}",
            self.source
        );
        combined.version = hex::encode(Sha256::digest(combined.source.as_bytes()))[..16].to_owned();
        combined.rules.extend(rules);
        combined.modules.extend(modules);
        for entry in raw.glossary {
            combined.glossary.retain(|g| g.term != entry.term);
            combined.glossary.push(entry);
        }
        Ok(combined)
    }

    /// The policy that ships with Spil.
    pub fn default_policy() -> Result<Policy, Vec<PolicyError>> {
        Policy::parse(DEFAULT_POLICY)
    }

    pub fn domain(&self, key: &str) -> Option<&Domain> {
        self.domains.iter().find(|d| d.key == key)
    }

    pub fn level_index(&self, key: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.key == key)
    }

    pub fn route_index(&self, key: &str) -> Option<usize> {
        self.routes.iter().position(|r| r.key == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_is_valid_and_complete() {
        let policy = Policy::default_policy().unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            policy.domains.len(),
            19,
            "13 ZRM domains and 6 for children"
        );
        assert_eq!(
            policy
                .levels
                .iter()
                .map(|l| l.key.as_str())
                .collect::<Vec<_>>(),
            ["licht", "midden", "zwaar"]
        );
        assert_eq!(policy.routes.len(), 5);
        for term in ["spoed", "crisis", "complex"] {
            assert!(
                policy.glossary.iter().any(|g| g.term == term),
                "glossary defines {term}"
            );
        }
        assert_eq!(policy.version.len(), 16);
    }

    #[test]
    fn a_municipality_adds_rules_and_terms_but_not_domains() {
        let region = Policy::default_policy().unwrap_or_else(|e| panic!("{e:?}"));
        let addition = "[[rules]]\nid = \"jonge-mantelzorger\"\nwhen = \"children >= 1 and score(basale_adl) <= 2\"\nlevel = \"midden\"\nroute = \"basishulp\"\ntext = \"Een kind zorgt mee.\"\n\n[[glossary]]\nterm = \"spoed\"\ndefinition = \"Binnen 48 uur contact.\"\n";
        let local = region
            .with_addition(addition)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(local.rules.len(), region.rules.len() + 1);
        assert_ne!(local.version, region.version);
        assert_eq!(
            local.glossary.iter().filter(|g| g.term == "spoed").count(),
            1
        );
        assert!(local
            .glossary
            .iter()
            .any(|g| g.definition == "Binnen 48 uur contact."));

        let errors = region
            .with_addition("[[domains]]\nkey = \"x\"\n")
            .err()
            .unwrap_or_default();
        assert!(
            errors
                .first()
                .is_some_and(|e| e.message.contains("domains")),
            "{errors:?}"
        );
        let errors = region
            .with_addition("[[rules]]\nid = \"onveilig\"\nwhen = \"safety == zorgen\"\nlevel = \"licht\"\nroute = \"basishulp\"\ntext = \"x\"\n")
            .err()
            .unwrap_or_default();
        assert!(
            errors
                .first()
                .is_some_and(|e| e.line == 2 && e.message.contains("used twice")),
            "{errors:?}"
        );
    }

    #[test]
    fn the_version_changes_with_the_content() {
        let a = Policy::parse(DEFAULT_POLICY).unwrap_or_else(|e| panic!("{e:?}"));
        let b = Policy::parse(&format!("{DEFAULT_POLICY}\n# a comment\n"))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_ne!(a.version, b.version);
    }

    #[test]
    fn errors_name_their_line() {
        let broken = DEFAULT_POLICY
            .replace(
                "when = \"lowest_score == 1\"",
                "when = \"score(wonen) <= 1\"",
            )
            .replace(
                "level = \"midden\"\nroute = \"basishulp\"\ntext = \"Er zijn zorgen",
                "level = \"gemiddeld\"\nroute = \"basishulp\"\ntext = \"Er zijn zorgen",
            );
        let errors = Policy::parse(&broken).err().unwrap_or_default();
        assert_eq!(errors.len(), 2, "{errors:?}");
        let line_of_text = |needle: &str| {
            broken
                .lines()
                .position(|l| l.contains(needle))
                .map_or(0, |i| i + 1)
        };
        assert_eq!(errors[0].line, line_of_text("score(wonen)"));
        assert!(errors[0].message.contains("unknown domain 'wonen'"));
        assert_eq!(errors[1].line, line_of_text("\"gemiddeld\""));
        assert!(errors[1].message.contains("unknown level 'gemiddeld'"));
    }

    #[test]
    fn syntax_errors_and_unknown_fields_are_reported_with_a_line() {
        let errors =
            Policy::parse("name = \"x\"\n[[domains]]\nkey = \"a\"\nname = \"A\"\nfor = \"pets\"\n")
                .err()
                .unwrap_or_default();
        assert_eq!(errors.first().map(|e| e.line), Some(5), "{errors:?}");
        let errors =
            Policy::parse(&DEFAULT_POLICY.replace("[default]", "[default]\ncolour = \"red\""))
                .err()
                .unwrap_or_default();
        assert!(
            errors.first().is_some_and(|e| e.message.contains("colour")),
            "{errors:?}"
        );
    }
}
