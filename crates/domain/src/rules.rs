//! The condition language of bandwidth rules: small enough for a policy adviser to read.
//!
//! ```text
//! condition := or
//! or        := and ("or" and)*
//! and       := atom ("and" atom)*
//! atom      := "(" condition ")" | operand op value
//! operand   := safety | urgency | lowest_score | network_size | youngest_age | children
//!            | score(<domain key>) | domains_at_most(<1..5>)
//! op        := == | != | < | <= | > | >=
//! ```

use std::collections::BTreeMap;

/// What a condition is evaluated against.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Per domain, the scores of the household's members (latest assessment each).
    pub scores: BTreeMap<String, Vec<u8>>,
    /// 0 geen_zorgen, 1 zorgen, 2 onveilig, 3 acuut_onveilig (0 too when not assessed:
    /// `safety_assessed` tells the two apart).
    pub safety: i64,
    /// Whether anyone recorded a safety level; a proposal says so when nobody did.
    pub safety_assessed: bool,
    /// 0 normal, 1 soon, 2 urgent.
    pub urgency: i64,
    pub network_size: i64,
    pub ages: Vec<u32>,
}

impl Facts {
    fn domain_min(&self, domain: &str) -> i64 {
        self.scores
            .get(domain)
            .and_then(|s| s.iter().min())
            .map_or(5, |s| i64::from(*s))
    }

    fn lowest(&self) -> i64 {
        self.scores
            .values()
            .flatten()
            .min()
            .map_or(5, |s| i64::from(*s))
    }

    fn domains_at_most(&self, level: u8) -> i64 {
        self.scores
            .values()
            .filter(|s| s.iter().any(|v| *v <= level))
            .count() as i64
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    Safety,
    Urgency,
    LowestScore,
    NetworkSize,
    YoungestAge,
    Children,
    Score(String),
    DomainsAtMost(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    Compare(Operand, Op, i64),
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
}

pub const SAFETY_LEVELS: [&str; 4] = ["geen_zorgen", "zorgen", "onveilig", "acuut_onveilig"];
pub const URGENCIES: [&str; 3] = ["normal", "soon", "urgent"];

impl Condition {
    pub fn eval(&self, facts: &Facts) -> bool {
        match self {
            Condition::And(a, b) => a.eval(facts) && b.eval(facts),
            Condition::Or(a, b) => a.eval(facts) || b.eval(facts),
            Condition::Compare(operand, op, value) => {
                let left = match operand {
                    Operand::Safety => facts.safety,
                    Operand::Urgency => facts.urgency,
                    Operand::LowestScore => facts.lowest(),
                    Operand::NetworkSize => facts.network_size,
                    Operand::YoungestAge => {
                        facts.ages.iter().min().map_or(i64::MAX, |a| i64::from(*a))
                    }
                    Operand::Children => facts.ages.iter().filter(|a| **a < 18).count() as i64,
                    Operand::Score(domain) => facts.domain_min(domain),
                    Operand::DomainsAtMost(level) => facts.domains_at_most(*level),
                };
                match op {
                    Op::Eq => left == *value,
                    Op::Ne => left != *value,
                    Op::Lt => left < *value,
                    Op::Le => left <= *value,
                    Op::Gt => left > *value,
                    Op::Ge => left >= *value,
                }
            }
        }
    }

    /// The domain keys the condition names, to check them against the policy.
    pub fn domains(&self) -> Vec<&str> {
        match self {
            Condition::Compare(Operand::Score(d), _, _) => vec![d.as_str()],
            Condition::Compare(..) => Vec::new(),
            Condition::And(a, b) | Condition::Or(a, b) => {
                let mut all = a.domains();
                all.extend(b.domains());
                all
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at character {at})")]
pub struct ConditionError {
    pub at: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Number(i64),
    Op(Op),
    Open,
    Close,
}

fn tokenize(text: &str) -> Result<Vec<(usize, Token)>, ConditionError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let token = if c.is_ascii_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            Token::Word(chars[start..i].iter().collect())
        } else if c.is_ascii_digit() {
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let digits: String = chars[start..i].iter().collect();
            Token::Number(digits.parse().map_err(|_| ConditionError {
                at: start,
                message: "number too large".into(),
            })?)
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let (op, len) = match (two.as_str(), c) {
                ("==", _) => (Token::Op(Op::Eq), 2),
                ("!=", _) => (Token::Op(Op::Ne), 2),
                ("<=", _) => (Token::Op(Op::Le), 2),
                (">=", _) => (Token::Op(Op::Ge), 2),
                (_, '<') => (Token::Op(Op::Lt), 1),
                (_, '>') => (Token::Op(Op::Gt), 1),
                (_, '(') => (Token::Open, 1),
                (_, ')') => (Token::Close, 1),
                _ => {
                    return Err(ConditionError {
                        at: start,
                        message: format!("unexpected character '{c}'"),
                    })
                }
            };
            i += len;
            op
        };
        tokens.push((start, token));
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    pos: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|(_, t)| t)
    }

    fn at(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.end, |(at, _)| *at)
    }

    fn error(&self, message: impl Into<String>) -> ConditionError {
        ConditionError {
            at: self.at(),
            message: message.into(),
        }
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.pos).map(|(_, t)| t.clone());
        self.pos += 1;
        token
    }

    fn or(&mut self) -> Result<Condition, ConditionError> {
        let mut left = self.and()?;
        while self.peek() == Some(&Token::Word("or".into())) {
            self.pos += 1;
            left = Condition::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Condition, ConditionError> {
        let mut left = self.atom()?;
        while self.peek() == Some(&Token::Word("and".into())) {
            self.pos += 1;
            left = Condition::And(Box::new(left), Box::new(self.atom()?));
        }
        Ok(left)
    }

    /// The argument of `name(...)`, with its position.
    fn argument(&mut self, name: &str) -> Result<(usize, Token), ConditionError> {
        if self.next() != Some(Token::Open) {
            return Err(self.error(format!("{name} needs an argument in parentheses")));
        }
        let at = self.at();
        let argument = self
            .next()
            .ok_or_else(|| self.error(format!("{name}: argument missing")))?;
        if self.next() != Some(Token::Close) {
            return Err(self.error(format!("{name}: ')' expected")));
        }
        Ok((at, argument))
    }

    fn atom(&mut self) -> Result<Condition, ConditionError> {
        if self.peek() == Some(&Token::Open) {
            self.pos += 1;
            let inner = self.or()?;
            if self.next() != Some(Token::Close) {
                return Err(self.error("')' expected"));
            }
            return Ok(inner);
        }
        let operand = match self.next() {
            Some(Token::Word(word)) => match word.as_str() {
                "safety" => Operand::Safety,
                "urgency" => Operand::Urgency,
                "lowest_score" => Operand::LowestScore,
                "network_size" => Operand::NetworkSize,
                "youngest_age" => Operand::YoungestAge,
                "children" => Operand::Children,
                "score" => match self.argument("score")? {
                    (_, Token::Word(domain)) => Operand::Score(domain),
                    (at, _) => {
                        return Err(ConditionError {
                            at,
                            message: "score(...) takes a domain key".into(),
                        })
                    }
                },
                "domains_at_most" => match self.argument("domains_at_most")? {
                    (_, Token::Number(n)) if (1..=5).contains(&n) => {
                        Operand::DomainsAtMost(n as u8)
                    }
                    (at, _) => {
                        return Err(ConditionError {
                            at,
                            message: "domains_at_most(...) takes a score from 1 to 5".into(),
                        })
                    }
                },
                other => {
                    self.pos -= 1;
                    return Err(self.error(format!("unknown operand '{other}'")));
                }
            },
            _ => {
                self.pos = self.pos.saturating_sub(1);
                return Err(
                    self.error("an operand (such as safety or score(financien)) is expected")
                );
            }
        };
        let op = match self.next() {
            Some(Token::Op(op)) => op,
            _ => return Err(self.error("a comparison (== != < <= > >=) is expected")),
        };
        let value_at = self.at();
        let value_error = |message: String| ConditionError {
            at: value_at,
            message,
        };
        let value = match (&operand, self.next()) {
            (Operand::Safety, Some(Token::Word(w))) => SAFETY_LEVELS
                .iter()
                .position(|l| *l == w)
                .ok_or_else(|| value_error(format!("unknown safety level '{w}'")))?
                as i64,
            (Operand::Urgency, Some(Token::Word(w))) => URGENCIES
                .iter()
                .position(|u| *u == w)
                .ok_or_else(|| value_error(format!("unknown urgency '{w}'")))?
                as i64,
            (Operand::Safety | Operand::Urgency, _) => {
                return Err(value_error("a named level is expected".into()))
            }
            (_, Some(Token::Number(n))) => n,
            _ => return Err(value_error("a number is expected".into())),
        };
        Ok(Condition::Compare(operand, op, value))
    }
}

/// Parse a condition; errors give the character position.
pub fn parse(text: &str) -> Result<Condition, ConditionError> {
    let tokens = tokenize(text)?;
    if tokens.is_empty() {
        return Err(ConditionError {
            at: 0,
            message: "the condition is empty".into(),
        });
    }
    let mut parser = Parser {
        tokens,
        pos: 0,
        end: text.chars().count(),
    };
    let condition = parser.or()?;
    if parser.pos < parser.tokens.len() {
        return Err(parser.error("'and', 'or' or the end of the condition is expected"));
    }
    Ok(condition)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        let mut scores = BTreeMap::new();
        scores.insert("financien".to_owned(), vec![2, 4]);
        scores.insert("huisvesting".to_owned(), vec![3]);
        scores.insert("scholing".to_owned(), vec![1]);
        Facts {
            scores,
            safety: 1,
            safety_assessed: true,
            urgency: 2,
            network_size: 0,
            ages: vec![35, 43, 8, 6],
        }
    }

    #[test]
    fn conditions_evaluate_against_the_facts() {
        let cases = [
            ("safety == zorgen", true),
            ("safety >= onveilig", false),
            ("urgency == urgent and children >= 2", true),
            ("score(financien) <= 2", true),
            ("score(huisvesting) < 3", false),
            ("score(justitie) == 5", true),
            ("lowest_score == 1", true),
            ("domains_at_most(2) >= 2", true),
            ("domains_at_most(1) >= 2", false),
            (
                "network_size == 0 and (lowest_score > 3 or youngest_age < 7)",
                true,
            ),
            ("youngest_age >= 18 or safety == acuut_onveilig", false),
        ];
        for (text, expected) in cases {
            let condition = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(condition.eval(&facts()), expected, "{text}");
        }
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let c = parse("safety == acuut_onveilig or urgency == urgent and network_size > 5")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!c.eval(&facts()));
    }

    #[test]
    fn mistakes_are_reported_with_their_position() {
        let cases = [
            ("", 0, "empty"),
            ("safety == kinda", 10, "unknown safety level"),
            ("mood == 3", 0, "unknown operand"),
            ("score(financien) <= two", 20, "number is expected"),
            ("domains_at_most(9) >= 1", 16, "from 1 to 5"),
            ("lowest_score = 1", 13, "unexpected character"),
            ("lowest_score == 1 lowest_score == 2", 18, "'and', 'or'"),
            ("(safety == zorgen", 17, "')' expected"),
        ];
        for (text, at, message) in cases {
            let error = parse(text)
                .err()
                .unwrap_or_else(|| panic!("{text} accepted"));
            assert!(error.message.contains(message), "{text}: {error}");
            assert_eq!(error.at, at, "{text}: {error}");
        }
    }

    #[test]
    fn named_domains_are_listed_for_checking() {
        let c =
            parse("score(financien) <= 2 or score(wonen) <= 2").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.domains(), vec!["financien", "wonen"]);
    }
}
