//! Finding a household or a person: how a query is read, and how names and addresses are
//! folded so that "Ozturk" finds "Öztürk" and "de vries" finds "Vries, de".
//!
//! The terms a name or street is indexed by and the terms a query asks for come from the
//! same [`fold`], so what is stored and what is asked always agree.

use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

use crate::field::FieldError;
use crate::household::Postcode;
use crate::person::Bsn;

/// The shortest word a search may ask for.
pub const MIN_TERM: usize = 2;

/// Lower case, diacritics removed, ligatures spelt out; everything that is not a letter or
/// digit becomes a space.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        match c {
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' => out.push('d'),
            'ı' => out.push('i'),
            c if c.is_alphanumeric() => out.extend(c.to_lowercase()),
            _ => out.push(' '),
        }
    }
    out
}

/// The words of a folded text, each at least one character.
pub fn words(text: &str) -> Vec<String> {
    fold(text).split_whitespace().map(str::to_owned).collect()
}

/// The terms a person is found by: every word of the given name, the name prefix and the
/// family name, and the family name written as one word ("van den berg" → "vandenberg").
pub fn person_terms(given_name: &str, name_prefix: Option<&str>, family_name: &str) -> Vec<String> {
    let mut terms = words(given_name);
    terms.extend(words(name_prefix.unwrap_or("")));
    let family = words(family_name);
    if family.len() > 1 {
        terms.push(family.concat());
    }
    terms.extend(family);
    let prefixed: Vec<String> = words(name_prefix.unwrap_or(""))
        .into_iter()
        .chain(words(family_name))
        .collect();
    if prefixed.len() > 1 {
        terms.push(prefixed.concat());
    }
    terms.sort();
    terms.dedup();
    terms
}

/// The terms a household is found by: the words of its street and its city.
pub fn address_terms(street: &str, city: &str) -> Vec<String> {
    let mut terms = words(street);
    terms.extend(words(city));
    terms.sort();
    terms.dedup();
    terms
}

/// What a search asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// Nine digits that pass the elfproef.
    Bsn(String),
    /// A birth date, written `dd-mm-jjjj` or `jjjj-mm-dd`.
    BirthDate(NaiveDate),
    /// A postcode, optionally with a house number.
    Postcode {
        postcode: String,
        house_number: Option<String>,
    },
    /// Words that must each begin a term of the same person or address.
    Words(Vec<String>),
}

impl Query {
    pub fn parse(raw: &str) -> Result<Query, FieldError> {
        let raw = raw.trim();
        let compact: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .collect();
        if compact.len() == 9 && compact.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(bsn) = Bsn::parse(&compact) {
                return Ok(Query::Bsn(bsn.as_str().to_owned()));
            }
        }
        for format in ["%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y"] {
            if let Ok(date) = NaiveDate::parse_from_str(raw, format) {
                return Ok(Query::BirthDate(date));
            }
        }
        if let Some(query) = postcode_query(raw) {
            return Ok(query);
        }
        // Words: wildcards and punctuation are not asked for; every word has at least two
        // characters, or the query is refused (no scan of every name starting with one letter).
        let words: Vec<String> = words(raw)
            .into_iter()
            .filter(|w| w.chars().count() >= MIN_TERM)
            .collect();
        if words.is_empty() {
            return Err(FieldError::SearchTooShort);
        }
        Ok(Query::Words(words))
    }
}

/// "7101 AB", "7101ab" or "7101AB 12".
fn postcode_query(raw: &str) -> Option<Query> {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() < 6 {
        return None;
    }
    let (code, rest) = compact.split_at(6);
    let postcode = Postcode::parse(code).ok()?;
    let house_number = if rest.is_empty() {
        None
    } else if rest.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        Some(rest.to_owned())
    } else {
        return None;
    };
    Some(Query::Postcode {
        postcode: postcode.as_str().to_owned(),
        house_number,
    })
}

/// The upper bound of a prefix range: every term that starts with `prefix` lies in
/// `prefix <= term < upper(prefix)`, which an ordinary index answers.
pub fn prefix_upper(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_diacritics_and_case() {
        assert_eq!(fold("Öztürk"), "ozturk");
        assert_eq!(fold("Zoë Brontë-Ĳsselmeer"), "zoe bronte ijsselmeer");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("Søren Łukasz"), "soren lukasz");
    }

    #[test]
    fn a_person_is_found_by_every_name_and_by_the_family_name_in_one_word() {
        let terms = person_terms("Anna Maria", Some("van den"), "Berg");
        for t in ["anna", "maria", "van", "den", "berg", "vandenberg"] {
            assert!(terms.contains(&t.to_owned()), "{t} in {terms:?}");
        }
        assert_eq!(
            person_terms("Eva", None, "Jansen-de Wit"),
            vec!["de", "eva", "jansen", "jansendewit", "wit"]
        );
    }

    #[test]
    fn queries_are_read_by_their_shape() {
        assert_eq!(
            Query::parse("111222333"),
            Ok(Query::Bsn("111222333".into()))
        );
        assert_eq!(
            Query::parse("14-03-2015"),
            Ok(Query::BirthDate(
                NaiveDate::from_ymd_opt(2015, 3, 14).unwrap_or_default()
            ))
        );
        assert_eq!(Query::parse("2015-03-14"), Query::parse("14-03-2015"));
        assert_eq!(
            Query::parse("7101ab"),
            Ok(Query::Postcode {
                postcode: "7101 AB".into(),
                house_number: None
            })
        );
        assert_eq!(
            Query::parse("7101 AB 12a"),
            Ok(Query::Postcode {
                postcode: "7101 AB".into(),
                house_number: Some("12a".into())
            })
        );
        assert_eq!(
            Query::parse("Öztürk  de"),
            Ok(Query::Words(vec!["ozturk".into(), "de".into()]))
        );
    }

    #[test]
    fn nine_digits_that_fail_the_elfproef_are_not_a_bsn() {
        assert_eq!(
            Query::parse("123456789"),
            Ok(Query::Words(vec!["123456789".into()]))
        );
    }

    #[test]
    fn too_short_or_only_wildcards_is_refused() {
        for q in ["", " ", "a", "*", "%%", "a*", "?_", "é"] {
            assert_eq!(Query::parse(q), Err(FieldError::SearchTooShort), "{q:?}");
        }
        // A one-letter word next to a real one is dropped, not refused.
        assert_eq!(
            Query::parse("j jansen"),
            Ok(Query::Words(vec!["jansen".into()]))
        );
    }

    #[test]
    fn prefix_range_holds_every_longer_term() {
        let upper = prefix_upper("jan");
        for term in ["jan", "jansen", "janszoon", "janzzzz"] {
            assert!(term >= "jan" && term < upper.as_str(), "{term}");
        }
        assert!("jao" >= upper.as_str());
    }
}
