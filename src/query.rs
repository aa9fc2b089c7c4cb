//! The search syntax a journalist types, parsed into folded terms.
//!
//! Four forms, and nothing else is syntax:
//! - `word`: the claim must contain the word (all words must match);
//! - `"exact phrase"`: the words in this order, next to each other;
//! - `word*`: any word starting with these letters (also `"phrase start"*`);
//! - `-word` or `-"phrase"`: the claim must not contain it.
//!
//! Everything else is text: FTS5 operators (`OR`, `NOT`, `NEAR(…)`, `^`, `:`, parentheses)
//! are never passed to SQLite; an unbalanced quote is closed at the end of the query. The
//! store turns the terms into an FTS5 expression in which every word is quoted, so no query can
//! cause an FTS5 syntax error.

use crate::error::UserError;
use crate::fold;

/// At most this many terms are searched; the rest of a very long query is ignored (with a note),
/// which keeps the FTS5 expression far from SQLite's limits.
pub const MAX_TERMS: usize = 64;

/// The fewest letters before a `*`: a one-letter prefix matches most of the vocabulary, and
/// FTS5 reads every one of those words' lists of claims to answer it.
pub const MIN_PREFIX: usize = 2;

/// One thing the query looks for (or excludes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The folded words, in order: one for a plain word, several for a phrase (or for a word
    /// that folding splits, such as `U.S.`).
    pub words: Vec<String>,
    /// `word*`: the last word is a prefix.
    pub prefix: bool,
    /// `-word`: claims containing it are excluded.
    pub negated: bool,
    /// Written in quotes: searched exactly as a phrase, without variants.
    pub quoted: bool,
}

/// A parsed query: the terms, and notes for the user about text that looked like syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub terms: Vec<Term>,
    pub notes: Vec<String>,
}

impl Query {
    /// The terms claims must contain.
    pub fn positive(&self) -> impl Iterator<Item = &Term> {
        self.terms.iter().filter(|t| !t.negated)
    }
}

/// Parses `input`; a query with nothing to find is a user error that says why.
pub fn parse(input: &str) -> Result<Query, UserError> {
    let mut terms = Vec::new();
    let mut notes = Vec::new();
    let mut rest = input.trim_start();
    while let Some(first) = rest.chars().next() {
        let (negated, after_sign) = match first {
            '-' => (true, &rest[1..]),
            _ => (false, rest),
        };
        let (raw, quoted, prefix, next) = if let Some(inner) = after_sign.strip_prefix('"') {
            let (phrase, next) = match inner.find('"') {
                Some(end) => (&inner[..end], &inner[end + 1..]),
                None => {
                    notes.push(
                        "note: the query has an unbalanced quote; the phrase runs to the end"
                            .to_owned(),
                    );
                    (inner, "")
                }
            };
            let prefix = next.starts_with('*');
            let next = next.trim_start_matches('*');
            (phrase, true, prefix, next)
        } else {
            let end = after_sign
                .find(char::is_whitespace)
                .unwrap_or(after_sign.len());
            let word = &after_sign[..end];
            let prefix = word.ends_with('*');
            (word, false, prefix, &after_sign[end..])
        };
        rest = next.trim_start();
        if !quoted {
            if let Some(note) = operator_note(raw).filter(|n| !notes.contains(n)) {
                notes.push(note);
            }
        }
        let words = fold::words(raw);
        if words.is_empty() {
            continue;
        }
        if prefix && words.last().is_some_and(|w| w.chars().count() < MIN_PREFIX) {
            return Err(UserError::Refused(format!(
                "the query {input:?} has a prefix of one letter ({raw}): it would match most \
                 of the words there are; write at least {MIN_PREFIX} letters before the *"
            )));
        }
        let term = Term {
            words,
            prefix,
            negated,
            quoted,
        };
        // The same term twice finds nothing more and costs a second pass over its claims.
        if terms.contains(&term) {
            continue;
        }
        if terms.len() == MAX_TERMS {
            notes.push(format!(
                "note: the query is long; only its first {MAX_TERMS} terms are searched"
            ));
            break;
        }
        terms.push(term);
    }
    let query = Query { terms, notes };
    if query.terms.is_empty() {
        return Err(UserError::Refused(format!(
            "the query {input:?} has no words to search for (letters or digits); \
             e.g. claimdb search 'فاجنر مالي' or claimdb search '\"exact phrase\"'"
        )));
    }
    if query.positive().next().is_none() {
        return Err(UserError::Refused(format!(
            "the query {input:?} only excludes words (-word); add at least one word to find"
        )));
    }
    Ok(query)
}

/// A note for a word that looks like an FTS5 operator, which claimdb searches as text.
fn operator_note(raw: &str) -> Option<String> {
    let upper = raw.trim_end_matches('*');
    let operator = ["AND", "OR", "NOT", "NEAR"]
        .into_iter()
        .find(|op| upper == *op || (upper.starts_with(op) && upper[op.len()..].starts_with('(')))?;
    let hint = match operator {
        "AND" => "all words must match anyway",
        "NOT" => "to exclude a word, write -word",
        _ => "claimdb search finds claims with all the words; run one search per alternative",
    };
    Some(format!(
        "note: {operator} is searched as an ordinary word ({hint})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(words: &[&str], prefix: bool, negated: bool, quoted: bool) -> Term {
        Term {
            words: words.iter().map(|w| w.to_string()).collect(),
            prefix,
            negated,
            quoted,
        }
    }

    #[test]
    fn plain_words_are_folded_terms() {
        let q = parse("  فاجنر   Ségou ").unwrap();
        assert_eq!(
            q.terms,
            [
                term(&["فاجنر"], false, false, false),
                term(&["segou"], false, false, false)
            ]
        );
        assert!(q.notes.is_empty());
    }

    #[test]
    fn phrases_prefixes_and_exclusions() {
        let q = parse(r#""مجموعة فاجنر" روس* -Mali -"air base" "القاعدة الجوية"*"#).unwrap();
        assert_eq!(
            q.terms,
            [
                term(&["مجموعه", "فاجنر"], false, false, true),
                term(&["روس"], true, false, false),
                term(&["mali"], false, true, false),
                term(&["air", "base"], false, true, true),
                term(&["قاعده", "جويه"], true, false, true),
            ]
        );
    }

    #[test]
    fn an_unbalanced_quote_runs_to_the_end_with_a_note() {
        let q = parse(r#"wagner "air base"#).unwrap();
        assert_eq!(q.terms[1], term(&["air", "base"], false, false, true));
        assert_eq!(q.notes.len(), 1);
    }

    #[test]
    fn operators_are_words_with_a_note() {
        let q = parse("wagner OR mali NOT NEAR(x) OR").unwrap();
        // wagner, or, mali, not, near x; the second OR is the same term again.
        assert_eq!(q.terms.len(), 5);
        assert_eq!(q.notes.len(), 3);
        assert!(q.notes[1].contains("-word"), "{:?}", q.notes);
    }

    #[test]
    fn queries_with_nothing_to_find_are_refused() {
        for bad in ["", "   ", "\"", "*", "-", "\"\"", "- -", "!!", "\u{200F}"] {
            let err = parse(bad).unwrap_err().to_string();
            assert!(err.contains("no words to search for"), "{bad:?}: {err}");
        }
        let err = parse("-wagner").unwrap_err().to_string();
        assert!(err.contains("only excludes"), "{err}");
    }

    #[test]
    fn a_very_long_query_keeps_its_first_terms() {
        let long: String = (0..2000).map(|i| format!("كلمة{i} ")).collect();
        let q = parse(&long).unwrap();
        assert_eq!(q.terms.len(), MAX_TERMS);
        assert_eq!(q.notes.len(), 1);
    }

    #[test]
    fn a_one_letter_prefix_is_refused_and_repeated_terms_count_once() {
        for bad in ["م*", "مالي a*", "\"مجموعة ف\"*", "-x*  مالي"] {
            let err = parse(bad).unwrap_err().to_string();
            assert!(err.contains("prefix of one letter"), "{bad:?}: {err}");
        }
        assert_eq!(parse("مس* fi*").unwrap().terms.len(), 2);
        let q = parse("مالي مالي المالي -x -x").unwrap();
        assert_eq!(q.terms.len(), 2);
    }
}
