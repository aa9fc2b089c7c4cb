//! Search and likely duplicates: the FTS5 index of folded claims and the queries on it.
//!
//! The index (`claim_search` in schema.sql) holds each visible claim's text, translation, note,
//! claimant and location, folded by [`fold::fold`]; triggers keep it exact under every write and
//! call that same folding through the SQL function `claimdb_fold`, registered on every
//! connection by [`register_functions`]. Queries are parsed by [`crate::query`] and turned here
//! into an FTS5 expression in which every word is quoted.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};

use rusqlite::functions::FunctionFlags;
use rusqlite::types::{Value, ValueRef};
use rusqlite::{params, Connection};
use serde::Serialize;

use super::{ClaimFilter, Store};
use crate::fold;
use crate::model::Claim;
use crate::query::Query;

/// Weights of the indexed columns for bm25, in their order: a word in the claim itself counts
/// most, then in its translation or as its claimant, then in the note or location.
pub(super) const BM25: &str = "bm25(claim_search, 4.0, 2.0, 1.0, 2.0, 1.0)";

/// Claims are indexed in batches this large when the index is built for an existing database,
/// with progress shown on stderr after each batch once there are more than one.
const REBUILD_BATCH: i64 = 50_000;

/// One claim found by a search.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    #[serde(flatten)]
    pub claim: Claim,
    /// How well it matches: higher is better (bm25, negated so that it reads naturally).
    pub score: f64,
    /// The field the snippet comes from: text, translation, note, location, claimant, or
    /// figures (a number searched for lies in one of them).
    pub matched: &'static str,
    /// A short piece of that field, as stored, with the matching words in [brackets].
    pub snippet: String,
}

/// Makes `claimdb_fold(text)` available to SQL on `conn`: the index triggers call it.
pub fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "claimdb_fold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            Ok(match ctx.get_raw(0) {
                ValueRef::Text(bytes) => Some(fold::fold(&String::from_utf8_lossy(bytes))),
                _ => None,
            })
        },
    )
}

/// Fills the search index with every visible claim; run by the migration that creates the
/// index, inside its transaction.
///
/// Claims are read in id order a batch at a time, each batch starting after the last id seen, so
/// the work follows the number of claims and never the range of their ids (a claim with id
/// 2^53 among three others is four rows, not 2^53 / batch steps).
pub fn rebuild_index(conn: &Connection, report: bool) -> anyhow::Result<()> {
    let total: i64 = conn.query_row("SELECT count(*) FROM claim", [], |r| r.get(0))?;
    let show_progress = report && total > REBUILD_BATCH;
    let mut select = conn.prepare(
        "SELECT c.id, c.text, c.translation, c.note, s.name, c.location,
                c.id IN (SELECT dup_id FROM claim_merge)
         FROM claim c JOIN source s ON s.id = c.claimant_id
         WHERE c.id > ?1 ORDER BY c.id LIMIT ?2",
    )?;
    let mut insert = conn.prepare(
        "INSERT INTO claim_search (rowid, text, translation, note, claimant, location)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let fold_opt = |v: Option<String>| v.map(|t| fold::fold(&t));
    let mut done = 0;
    let mut after = i64::MIN;
    loop {
        let mut rows = select.query(params![after, REBUILD_BATCH])?;
        let mut seen = 0;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            after = id;
            seen += 1;
            if r.get::<_, bool>(6)? {
                continue;
            }
            insert.execute(params![
                id,
                fold::fold(&r.get::<_, String>(1)?),
                fold_opt(r.get(2)?),
                fold_opt(r.get(3)?),
                fold::fold(&r.get::<_, String>(4)?),
                fold_opt(r.get(5)?),
            ])?;
            done += 1;
        }
        let last = seen < REBUILD_BATCH;
        if show_progress {
            progress(done, total, last);
        }
        if last {
            return Ok(());
        }
    }
}

/// `x` rounded to `digits` significant digits: a score for a word most claims hold is tiny
/// but not zero, and rounding to a fixed number of decimals printed it as 0.
fn significant(x: f64, digits: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(digits - 1 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

/// Progress of a long index build, on stderr (a line that rewrites itself on a terminal).
fn progress(done: i64, total: i64, last: bool) {
    let mut err = std::io::stderr().lock();
    let line = format!("building the search index: {done} of {total} claims");
    let _ = if err.is_terminal() {
        write!(err, "\r{line}{}", if last { "\n" } else { "" })
    } else {
        writeln!(err, "{line}")
    };
}

impl Store {
    /// The claims that match `query` and `filter`, best first, with a snippet each, handed to
    /// `visit` one at a time: memory stays flat whatever `limit` is.
    pub fn search(
        &self,
        query: &Query,
        filter: &ClaimFilter,
        limit: u64,
        mut visit: impl FnMut(SearchHit) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let expression = match_expression(&self.conn, query)?;
        let (condition, values) = self.filter_sql(filter)?;
        let plan = expression.sql();
        let sql = format!(
            "SELECT c.id, {} FROM {} WHERE {} AND {condition} ORDER BY {} LIMIT ?",
            plan.score, plan.from, plan.condition, plan.order
        );
        let mut values: Vec<Value> = plan.values.into_iter().chain(values).collect();
        values.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(values))?;
        while let Some(row) = rows.next()? {
            let (id, score): (i64, f64) = (row.get(0)?, row.get(1)?);
            let claim = self.claim(id)?;
            let numbers: Vec<f64> = expression.numbers.iter().map(|n| n.value).collect();
            let (matched, snippet) = best_snippet(&claim, &expression.words, &numbers);
            visit(SearchHit {
                claim,
                score: significant(score, 3),
                matched,
                snippet,
            })?;
        }
        Ok(())
    }

    /// How a query selects and orders claims, for `for_each_claim` (list/export --search).
    pub(super) fn search_plan(&self, query: &Query) -> anyhow::Result<SearchPlan> {
        Ok(match_expression(&self.conn, query)?.sql())
    }
}

/// A query as SQL on `claim c`: what to select from, the condition with its values (bound
/// first), the order (best first) and the score.
pub(super) struct SearchPlan {
    /// `claim c`, joined with the search index when words are searched.
    pub from: &'static str,
    pub condition: String,
    pub values: Vec<Value>,
    pub order: String,
    pub score: String,
}

/// A number searched for: claims whose figures hold it (the value, or within the range), or
/// whose words have it.
struct Number {
    value: f64,
    /// The number as an FTS5 phrase.
    phrase: String,
}

/// An FTS5 expression and the folded words a snippet should mark.
struct Expression {
    /// The words every claim must (and must not) have; `None` when the query has only numbers.
    fts: Option<String>,
    /// Without `fts`: the words no claim may have.
    excluded: Option<String>,
    numbers: Vec<Number>,
    /// (word, is a prefix)
    words: Vec<(String, bool)>,
}

/// Builds the FTS5 expression for a query. Every word is quoted, so that nothing the user
/// types is FTS5 syntax. A plain Arabic word also matches with the conjunction و or ف attached
/// (the fold keeps those, see [`fold`]), and a term that names a source matches every name and
/// alias of that source.
fn match_expression(conn: &Connection, query: &Query) -> anyhow::Result<Expression> {
    let names = source_names(conn)?;
    let mut words = Vec::new();
    let mut positive = Vec::new();
    let mut negative = Vec::new();
    let mut numbers = Vec::new();
    for term in &query.terms {
        if let Some(value) = number_term(term) {
            words.push((term.words[0].clone(), false));
            numbers.push(Number {
                value,
                phrase: phrase(&term.words, false),
            });
            continue;
        }
        let mut alternatives = vec![(term.words.clone(), term.prefix)];
        if let [word] = term.words.as_slice() {
            if !term.quoted && is_arabic(word) && word.chars().count() >= fold::MIN_STEM {
                for conjunction in ["و", "ف"] {
                    alternatives.push((vec![format!("{conjunction}{word}")], term.prefix));
                }
            }
        }
        if !term.prefix {
            if let Some(variants) = names.get(&term.words.join(" ")) {
                for variant in variants {
                    alternatives.push((variant.clone(), false));
                }
            }
        }
        alternatives.dedup();
        if !term.negated {
            for (alternative, prefix) in &alternatives {
                words.extend(alternative.iter().map(|w| (w.clone(), *prefix)));
            }
        }
        let expression: Vec<String> = alternatives
            .iter()
            .map(|(words, prefix)| phrase(words, *prefix))
            .collect();
        let expression = if expression.len() == 1 {
            expression.join("")
        } else {
            format!("({})", expression.join(" OR "))
        };
        if term.negated {
            negative.push(expression);
        } else {
            positive.push(expression);
        }
    }
    if positive.is_empty() {
        let excluded = (!negative.is_empty()).then(|| negative.join(" OR "));
        return Ok(Expression {
            fts: None,
            excluded,
            numbers,
            words,
        });
    }
    let mut fts = format!("({})", positive.join(" AND "));
    for n in negative {
        fts.push_str(" NOT ");
        fts.push_str(&n);
    }
    Ok(Expression {
        fts: Some(fts),
        excluded: None,
        numbers,
        words,
    })
}

impl Expression {
    fn sql(&self) -> SearchPlan {
        let mut conditions = Vec::new();
        let mut values = Vec::new();
        let plan = match &self.fts {
            Some(fts) => {
                conditions.push("claim_search MATCH ?".to_owned());
                values.push(Value::Text(fts.clone()));
                SearchPlan {
                    from: "claim_search JOIN claim c ON c.id = claim_search.rowid",
                    condition: String::new(),
                    values: Vec::new(),
                    order: format!("{BM25}, c.id"),
                    score: format!("-{BM25}"),
                }
            }
            None => SearchPlan {
                from: "claim c",
                condition: String::new(),
                values: Vec::new(),
                order: "c.id".to_owned(),
                score: "0.0".to_owned(),
            },
        };
        for number in &self.numbers {
            conditions.push(
                "(c.id IN (SELECT claim_id FROM figure WHERE low <= ? AND high >= ?)
                  OR c.id IN (SELECT rowid FROM claim_search WHERE claim_search MATCH ?))"
                    .to_owned(),
            );
            values.extend([
                Value::Real(number.value),
                Value::Real(number.value),
                Value::Text(number.phrase.clone()),
            ]);
        }
        if let Some(excluded) = &self.excluded {
            conditions.push(
                "c.id NOT IN (SELECT rowid FROM claim_search WHERE claim_search MATCH ?)"
                    .to_owned(),
            );
            values.push(Value::Text(excluded.clone()));
        }
        if conditions.is_empty() {
            conditions.push("1".to_owned());
        }
        SearchPlan {
            condition: conditions.join(" AND "),
            values,
            ..plan
        }
    }
}

/// The number a query term stands for, when it is one: digits (Arabic-Indic ones fold to
/// these), not quoted, not a prefix, not excluded.
fn number_term(term: &crate::query::Term) -> Option<f64> {
    match term.words.as_slice() {
        [word] if !term.quoted && !term.prefix && !term.negated => word
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| word.parse::<f64>().ok())
            .flatten(),
        _ => None,
    }
}

/// Every source name and alias, folded, mapped to all the folded names of its source.
fn source_names(conn: &Connection) -> anyhow::Result<HashMap<String, Vec<Vec<String>>>> {
    let mut stmt = conn.prepare_cached("SELECT source_id, name FROM source_name ORDER BY name")?;
    let mut by_source: HashMap<i64, Vec<Vec<String>>> = HashMap::new();
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (source, name) = row?;
        let words = fold::words(&name);
        if !words.is_empty() {
            by_source.entry(source).or_default().push(words);
        }
    }
    let mut names = HashMap::new();
    for variants in by_source.into_values() {
        if variants.len() > 1 {
            for variant in &variants {
                names.insert(variant.join(" "), variants.clone());
            }
        }
    }
    Ok(names)
}

/// One quoted FTS5 phrase (a single word is a phrase of one), optionally a prefix.
pub(super) fn phrase<S: AsRef<str>>(words: &[S], prefix: bool) -> String {
    let joined: Vec<&str> = words.iter().map(AsRef::as_ref).collect();
    format!(
        "\"{}\"{}",
        joined.join(" ").replace('"', "\"\""),
        if prefix { "*" } else { "" }
    )
}

fn is_arabic(word: &str) -> bool {
    word.chars().all(|c| ('\u{0620}'..='\u{064A}').contains(&c))
}

/// Words of a snippet on each side of the first match.
const SNIPPET_BEFORE: usize = 6;
const SNIPPET_WORDS: usize = 20;

/// The first field of `claim` (text first) with a matching word, and a snippet of it as stored;
/// else the figures that hold a number searched for.
fn best_snippet(
    claim: &Claim,
    words: &[(String, bool)],
    numbers: &[f64],
) -> (&'static str, String) {
    let fields: [(&'static str, Option<&str>); 5] = [
        ("text", Some(&claim.text)),
        ("translation", claim.translation.as_deref()),
        ("note", claim.note.as_deref()),
        ("location", claim.location.as_deref()),
        ("claimant", Some(&claim.claimant)),
    ];
    for (name, value) in fields {
        if let Some(snippet) = value.and_then(|v| snippet(v, words)) {
            return (name, snippet);
        }
    }
    let holding: Vec<String> = claim
        .figures
        .iter()
        .filter(|f| numbers.iter().any(|n| f.contains(*n)))
        .map(|f| match &f.words {
            Some(words) => format!("[{}] ({words})", f.display()),
            None => format!("[{}]", f.display()),
        })
        .collect();
    if !holding.is_empty() {
        return ("figures", holding.join("; "));
    }
    // Matched through something the snippet cannot point at (e.g. a claimant's alias).
    let start: Vec<&str> = claim.text.split_whitespace().take(SNIPPET_WORDS).collect();
    ("text", start.join(" "))
}

/// A window of `original`'s words around the first one whose folded form matches, with each
/// matching word in brackets; `None` when no word matches.
fn snippet(original: &str, words: &[(String, bool)]) -> Option<String> {
    let pieces: Vec<&str> = original.split_whitespace().collect();
    let matches: Vec<bool> = pieces
        .iter()
        .map(|piece| {
            fold::words(piece).iter().any(|folded| {
                words.iter().any(|(word, prefix)| {
                    folded == word || (*prefix && folded.starts_with(word.as_str()))
                })
            })
        })
        .collect();
    let first = matches.iter().position(|m| *m)?;
    let start = first.saturating_sub(SNIPPET_BEFORE);
    let end = (start + SNIPPET_WORDS).min(pieces.len());
    let mut out = String::new();
    if start > 0 {
        out.push_str("… ");
    }
    let shown: Vec<String> = (start..end)
        .map(|i| {
            if matches[i] {
                format!("[{}]", pieces[i])
            } else {
                pieces[i].to_owned()
            }
        })
        .collect();
    out.push_str(&shown.join(" "));
    if end < pieces.len() {
        out.push_str(" …");
    }
    Some(out)
}

/// Whether claim `id` was merged into another one, and which.
pub(super) fn merged_into(conn: &Connection, id: i64) -> anyhow::Result<Option<i64>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached("SELECT keep_id FROM claim_merge WHERE dup_id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_mark_the_matching_words_of_the_stored_text() {
        let text = "تعتمد القيادة المالية تحديداً على مجموعة \"فاجنر\" الروسية";
        let s = snippet(text, &[("فاجنر".into(), false)]).unwrap();
        assert_eq!(
            s,
            "تعتمد القيادة المالية تحديداً على مجموعة [\"فاجنر\"] الروسية"
        );
        let s = snippet(text, &[("روس".into(), true)]).unwrap();
        assert!(s.ends_with("[الروسية]"), "{s}");
        assert_eq!(snippet(text, &[("wagner".into(), false)]), None);
    }

    #[test]
    fn long_texts_are_cut_around_the_match() {
        let text = (1..=100)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let s = snippet(&text, &[("w50".into(), false)]).unwrap();
        assert!(s.starts_with("… w44 ") && s.ends_with(" w63 …"), "{s}");
        assert!(s.contains("[w50]"));
    }

    #[test]
    fn scores_keep_three_significant_digits_however_small() {
        assert_eq!(significant(12.3456, 3), 12.3);
        assert_eq!(significant(0.000_001_234_5, 3), 0.000_001_23);
        assert_eq!(significant(0.0, 3), 0.0);
    }

    #[test]
    fn phrases_quote_every_word() {
        assert_eq!(phrase(&["a", "b"], true), "\"a b\"*");
        assert_eq!(phrase(&["x\"y"], false), "\"x\"\"y\"");
    }
}
