//! Search and likely duplicates: the FTS5 index of folded claims and the queries on it.
//!
//! The index (`claim_search` in schema.sql) holds each visible claim's text, translation, note,
//! location and every name of its sources, folded by [`fold::fold`], and beside them the weaker
//! forms of all those words ([`fold::layers`]); in a file, triggers keep it exact under every write
//! and call that same folding through SQL functions the SQLite backend registers; on a server,
//! claimdb computes the documents before each commit. Queries are parsed by [`crate::query`] and turned
//! here into FTS5 expressions, one per kind of match, in which every word is quoted. A number in
//! a query is looked for apart from them: in the claims' figures (the `figure` table) as well as
//! in their words.

use std::collections::HashMap;

use super::sql::{params, Connection, OptionalExtension, SearchSyntax, Value};
use serde::Serialize;

use super::{ClaimFilter, Store};
use crate::fold;
use crate::model::Claim;
use crate::query::Query;

/// Weights of the indexed columns for bm25, in their order: a word in the claim itself counts
/// most, then in its translation or as its claimant, then in the note or location.
pub(super) const BM25: &str = "bm25(claim_search, 4.0, 2.0, 1.0, 2.0, 1.0, 1.0, 0.5, 0.5)";

/// The most claims of one kind of match that a search ranks (see [`Store::search`]).
pub const RANKED_CANDIDATES: usize = 5_000;

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

/// `x` rounded to `digits` significant digits: a score for a word most claims hold is tiny
/// but not zero, and rounding to a fixed number of decimals printed it as 0.
fn significant(x: f64, digits: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(digits - 1 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

impl Store {
    /// The claims that match `query` and `filter`, best first, with a snippet each, handed to
    /// `visit` one at a time.
    ///
    /// Kinds of match are ranked in order (see [`fold`]): claims with the exact words first,
    /// then those found through words without their attached letters, then through stems, then
    /// through name keys; bm25 ranks the claims of one kind. Each kind is one more query, run
    /// only while fewer than `limit` claims were found. A number in the query is a condition
    /// beside the words: a claim must hold it in a figure or as a word.
    ///
    /// Ranking is bounded: when more than [`RANKED_CANDIDATES`] claims match one kind, the most
    /// recently added of them are the ones ranked. A word that half of a million claims hold is
    /// then ranked in about 20 ms instead of a third of a second, and a rarer word, or one more
    /// word, brings older claims back in reach. So memory stays bounded whatever `limit` is: at
    /// most that many ids and scores per kind, and one claim at a time.
    ///
    /// A query of numbers only (perhaps with excluded words) has nothing to rank by: its claims
    /// come in the order they were added, streamed.
    pub fn search(
        &self,
        query: &Query,
        filter: &ClaimFilter,
        limit: u64,
        visit: impl FnMut(SearchHit) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        self.search_ranking(query, filter, limit, RANKED_CANDIDATES, visit)
    }

    /// Whether the search index was built by this claimdb's folding rules, and if not, what
    /// builds it again. A file opened with write access always has a current one (opening
    /// rebuilt it); a shared database's is rebuilt by its owner's `claimdb migrate`.
    pub fn search_index(&self) -> anyhow::Result<super::SearchIndex> {
        self.backend.search_index()
    }

    /// [`Store::search`], ranking at most `candidates` claims of each kind of match.
    pub(super) fn search_ranking(
        &self,
        query: &Query,
        filter: &ClaimFilter,
        limit: u64,
        candidates: usize,
        mut visit: impl FnMut(SearchHit) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let expression = match_expression(self.db(), query)?;
        let (condition, filter_values) = self.filter_sql(filter)?;
        let numbers: Vec<f64> = expression.numbers.iter().map(|n| n.value).collect();
        let mut hit = |id: i64, score: f64| -> anyhow::Result<()> {
            let claim = self.claim(id)?;
            let (matched, snippet) = best_snippet(&claim, &expression.marks, &numbers);
            visit(SearchHit {
                claim,
                score,
                matched,
                snippet,
            })
        };
        if expression.levels.is_empty() {
            let (numbers_sql, mut values) = expression.conditions("c.id");
            let sql = format!(
                "SELECT c.id FROM claim c WHERE {numbers_sql} AND {condition}
                 ORDER BY c.id LIMIT ?"
            );
            values.extend(filter_values);
            values.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
            let ids = self.db().query_map(&sql, values, |r| r.get::<i64>(0))?;
            for id in ids {
                hit(id, 0.0)?;
            }
            return Ok(());
        }
        // FTS5 walks the matches newest first and stops after `candidates`; bm25 is computed
        // for those only, and the best of them are kept. Without a filter beyond "not merged,
        // not archived" the claims table is not read at all: merged claims have already left
        // the index, and archived ones are few. (Numbers are looked for on the claims table: on
        // the index's own rowid, their subqueries would take the place of its MATCH.)
        let index_only = reads_index_only(&condition) && expression.numbers.is_empty();
        let (numbers_sql, number_values) = expression.conditions("c.id");
        let index = Index::of(self.db());
        let candidates_sql = if index_only {
            index.index_candidates()
        } else {
            index.candidates(&numbers_sql, &condition)
        };
        let sql = format!(
            "SELECT id, score FROM ({candidates_sql}) AS candidates ORDER BY score DESC, id LIMIT ?"
        );
        let mut stmt = self.db().prepare(&sql)?;
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let mut found: Vec<(i64, f64)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for level in &expression.levels {
            if found.len() >= limit {
                break;
            }
            // The claims found by the stronger kinds come back too; ask for enough beyond them.
            let wanted = (limit - found.len()).saturating_add(seen.len());
            let mut values = vec![Value::Text(level.clone())];
            values.extend(number_values.iter().cloned());
            if !index_only {
                values.extend(filter_values.iter().cloned());
            }
            values.push(Value::Integer(
                i64::try_from(candidates).unwrap_or(i64::MAX),
            ));
            values.push(Value::Integer(i64::try_from(wanted).unwrap_or(i64::MAX)));
            let rows = stmt.query_map(values, |r| Ok((r.get::<i64>(0)?, r.get::<f64>(1)?)))?;
            for row in rows {
                let (id, score) = row?;
                if found.len() < limit && seen.insert(id) {
                    found.push((id, score));
                }
            }
        }
        let mut ceiling = f64::INFINITY;
        for (id, score) in found {
            // A weaker kind of match never shows a better score than a stronger one above it.
            let score = significant(score, 3).min(ceiling);
            ceiling = score;
            hit(id, score)?;
        }
        Ok(())
    }

    /// How a query selects and orders claims, for `for_each_claim` (list/export --search).
    pub(super) fn search_plan(&self, query: &Query) -> anyhow::Result<SearchPlan> {
        let expression = match_expression(self.db(), query)?;
        let (condition, values) = expression.conditions("c.id");
        let levels = &expression.levels;
        let not = match Index::of(self.db()).0 {
            SearchSyntax::Fts5 => "NOT",
            SearchSyntax::TsQuery => "& !",
        };
        let kinds = levels
            .iter()
            .enumerate()
            .map(|(i, level)| match i {
                0 => level.clone(),
                _ => format!("({level}) {not} ({})", levels[i - 1]),
            })
            .collect();
        Ok(SearchPlan {
            kinds,
            condition,
            values,
        })
    }
}

/// A query as SQL on `claim c`, for list and export.
pub(super) struct SearchPlan {
    /// The FTS5 expressions to join the index on, one per kind of match in rank order, each
    /// finding only the claims that the kinds before it do not; empty when the query has no
    /// words to look for (only numbers): the claims then come in id order.
    pub kinds: Vec<String>,
    /// What a claim must also satisfy (the numbers; without kinds, the excluded words), with
    /// its values, bound before the filter's.
    pub condition: String,
    pub values: Vec<Value>,
}

/// A number searched for: claims whose figures hold it (the value, or within the range), or
/// whose words have it.
struct Number {
    value: f64,
    /// The FTS5 expression of the number as a word: exact, or behind an attached letter (و9).
    words: String,
}

/// The exact words of every field, as opposed to the weaker forms in the last three columns.
const EXACT: &str = "{text translation note sources location}";

/// The FTS5 expressions of a query, one per kind of match, each finding what the one before
/// finds and more; the numbers it looks for beside them; and what a snippet should mark.
struct Expression {
    /// The ids of the claims matching a bound query, in the index's SQL.
    matching_ids: &'static str,
    /// Empty when the query has no words to look for, only numbers.
    levels: Vec<String>,
    /// Without `levels`: the words no claim may have.
    excluded: Option<String>,
    numbers: Vec<Number>,
    marks: Vec<Mark>,
}

impl Expression {
    /// The numbers (and, without levels, the excluded words) as a condition on the claim id
    /// `id`, with its values in order.
    fn conditions(&self, id: &str) -> (String, Vec<Value>) {
        let mut conditions = Vec::new();
        let mut values = Vec::new();
        for number in &self.numbers {
            conditions.push(format!(
                "({id} IN (SELECT claim_id FROM figure WHERE low <= ? AND high >= ?)
                  OR {id} IN ({}))",
                self.matching_ids
            ));
            values.extend([
                Value::Real(number.value),
                Value::Real(number.value),
                Value::Text(number.words.clone()),
            ]);
        }
        if let Some(excluded) = &self.excluded {
            conditions.push(format!("{id} NOT IN ({})", self.matching_ids));
            values.push(Value::Text(excluded.clone()));
        }
        if conditions.is_empty() {
            conditions.push("TRUE".to_owned());
        }
        (conditions.join(" AND "), values)
    }
}

/// What one query word matches in a snippet.
#[derive(Debug, Default)]
struct Mark {
    /// The word and its forms without attached letters.
    forms: Vec<String>,
    /// `word*`: a form starting with one of `forms` matches.
    prefix: bool,
    stems: Vec<String>,
    keys: Vec<String>,
}

impl Mark {
    fn exact(word: &str, prefix: bool) -> Mark {
        Mark {
            forms: vec![word.to_owned()],
            prefix,
            ..Mark::default()
        }
    }

    /// Whether a folded word of a claim matches.
    fn matches(&self, folded: &str) -> bool {
        let variants = fold::cached_variants(folded);
        let mut forms = std::iter::once(folded).chain(variants.bare.iter().map(String::as_str));
        forms.any(|f| {
            self.forms
                .iter()
                .any(|m| f == m || (self.prefix && f.starts_with(m.as_str())))
        }) || variants.stems.iter().any(|s| self.stems.contains(s))
            || variants.keys.iter().any(|k| self.keys.contains(k))
    }
}

/// The kinds of match, in rank order.
const EXACT_LEVEL: usize = 0;
const BARE_LEVEL: usize = 1;
const STEM_LEVEL: usize = 2;
const NAME_LEVEL: usize = 3;

/// Builds the FTS5 expressions for a query. Every word is quoted, so that nothing the user
/// types is FTS5 syntax. A term that names a source also matches every name and alias of that
/// source. An excluded word is excluded in its exact form and without attached letters, at
/// every level; stems and name keys never exclude. A number is not a word of the levels: it is
/// looked for in the figures and the words of each claim (see [`Expression::conditions`]).
fn match_expression(conn: &dyn Connection, query: &Query) -> anyhow::Result<Expression> {
    let index = Index(conn.search_syntax());
    let names = source_names(conn)?;
    let mut numbers = Vec::new();
    let mut words = Vec::new();
    for term in &query.terms {
        match number_term(term) {
            Some(value) => {
                numbers.push(Number {
                    value,
                    words: index.text(&Fts::Or(vec![
                        Fts::phrase(Layer::Exact, &term.words, false),
                        Fts::phrase(Layer::Bare, &term.words, false),
                    ])),
                });
            }
            None => words.push(term),
        }
    }
    let mut marks = Vec::new();
    let mut levels: Vec<String> = Vec::new();
    let mut excluded = None;
    if words.iter().any(|t| !t.negated) {
        for level in EXACT_LEVEL..=NAME_LEVEL {
            let mut positive = Vec::new();
            let mut negative = Vec::new();
            for term in &words {
                let term_level = if term.negated { BARE_LEVEL } else { level };
                let expression = Fts::Or(term_parts(term, &names, term_level));
                if term.negated {
                    negative.push(expression);
                } else {
                    positive.push(expression);
                }
            }
            let fts = index.text(&Fts::AndNot(Box::new(Fts::And(positive)), negative));
            if levels.last() != Some(&fts) {
                levels.push(fts);
            }
        }
    } else {
        // Numbers only: the excluded words become a condition of their own.
        let negative: Vec<Fts> = words
            .iter()
            .map(|term| Fts::Or(term_parts(term, &names, BARE_LEVEL)))
            .collect();
        excluded = (!negative.is_empty()).then(|| index.text(&Fts::Or(negative)));
    }
    for term in query.positive() {
        match single_word(term) {
            Some(word) => {
                let variants = fold::variants(word);
                let mut forms = vec![word.to_owned()];
                forms.extend(variants.bare);
                marks.push(Mark {
                    forms,
                    prefix: term.prefix,
                    stems: if term.prefix {
                        Vec::new()
                    } else {
                        variants.stems
                    },
                    keys: if term.prefix {
                        Vec::new()
                    } else {
                        variants.keys
                    },
                });
            }
            None => marks.extend(term.words.iter().map(|w| Mark::exact(w, term.prefix))),
        }
        if let Some(variants) = names.get(&term.words.join(" ")).filter(|_| !term.prefix) {
            for variant in variants {
                marks.extend(variant.iter().map(|w| Mark::exact(w, false)));
            }
        }
    }
    Ok(Expression {
        matching_ids: index.matching_ids(),
        levels,
        excluded,
        numbers,
        marks,
    })
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

/// The word of a term that gets weaker forms: an unquoted single word.
fn single_word(term: &crate::query::Term) -> Option<&str> {
    match term.words.as_slice() {
        [word] if !term.quoted => Some(word),
        _ => None,
    }
}

/// The alternatives of one term up to `level`.
fn term_parts(
    term: &crate::query::Term,
    names: &HashMap<String, Vec<Vec<String>>>,
    level: usize,
) -> Vec<Fts> {
    let mut parts = vec![Fts::phrase(Layer::Exact, &term.words, term.prefix)];
    if !term.prefix {
        if let Some(variants) = names.get(&term.words.join(" ")) {
            for variant in variants.iter().filter(|v| **v != term.words) {
                parts.push(Fts::phrase(Layer::Exact, variant, false));
            }
        }
    }
    let Some(word) = single_word(term) else {
        return parts;
    };
    let variants = fold::variants(word);
    let any = |layer: Layer, words: &[String], prefix: bool| -> Fts {
        Fts::Or(
            words
                .iter()
                .map(|w| Fts::phrase(layer, std::slice::from_ref(w), prefix))
                .collect(),
        )
    };
    if level >= BARE_LEVEL {
        let mut forms = vec![word.to_owned()];
        forms.extend(variants.bare.iter().cloned());
        if !variants.bare.is_empty() {
            parts.push(any(Layer::Exact, &variants.bare, term.prefix));
        }
        parts.push(any(Layer::Bare, &forms, term.prefix));
    }
    if level >= STEM_LEVEL && !term.prefix && !variants.stems.is_empty() {
        parts.push(any(Layer::Stems, &variants.stems, false));
    }
    if level >= NAME_LEVEL && !term.prefix && !variants.keys.is_empty() {
        parts.push(any(Layer::Names, &variants.keys, false));
    }
    parts
}

/// A full-text query, built once and written in the syntax of the engine's index.
#[derive(Debug, Clone, PartialEq)]
enum Fts {
    /// These words in a row (one word: that word) in a layer of the index; with `prefix`, the
    /// last word may go on.
    Phrase {
        layer: Layer,
        words: Vec<String>,
        prefix: bool,
    },
    Or(Vec<Fts>),
    And(Vec<Fts>),
    /// The first, without any of the others.
    AndNot(Box<Fts>, Vec<Fts>),
}

/// The layers of the index: the exact words of every field, then the weaker forms.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Layer {
    Exact,
    Bare,
    Stems,
    Names,
}

impl Fts {
    fn phrase(layer: Layer, words: &[String], prefix: bool) -> Fts {
        Fts::Phrase {
            layer,
            words: words.to_vec(),
            prefix,
        }
    }
}

/// How the engine's search index is queried: SQLite's FTS5 table, or a tsvector column.
pub(super) struct Index(SearchSyntax);

impl Index {
    pub(super) fn of(conn: &dyn Connection) -> Index {
        Index(conn.search_syntax())
    }

    pub(super) fn syntax(&self) -> SearchSyntax {
        self.0
    }

    /// A query for claims holding all of `words` among the exact words of their fields.
    pub(super) fn exact_words(&self, words: &[String]) -> String {
        self.text(&Fts::And(
            words
                .iter()
                .map(|w| Fts::phrase(Layer::Exact, std::slice::from_ref(w), false))
                .collect(),
        ))
    }

    /// The query in the index's syntax, every word quoted so that nothing typed is syntax.
    fn text(&self, query: &Fts) -> String {
        let join = |parts: &[Fts], fts5: &str, tsquery: &str| -> String {
            let texts: Vec<String> = parts.iter().map(|p| self.text(p)).collect();
            let separator = match self.0 {
                SearchSyntax::Fts5 => fts5,
                SearchSyntax::TsQuery => tsquery,
            };
            format!("({})", texts.join(separator))
        };
        match query {
            Fts::Phrase {
                layer,
                words,
                prefix,
            } => match self.0 {
                SearchSyntax::Fts5 => {
                    let columns = match layer {
                        Layer::Exact => EXACT,
                        Layer::Bare => "bare",
                        Layer::Stems => "stems",
                        Layer::Names => "names",
                    };
                    format!("{columns} : {}", phrase(words, *prefix))
                }
                SearchSyntax::TsQuery => {
                    let weight = match layer {
                        Layer::Exact => 'A',
                        Layer::Bare => 'B',
                        Layer::Stems => 'C',
                        Layer::Names => 'D',
                    };
                    let last = words.len().saturating_sub(1);
                    let lexemes: Vec<String> = words
                        .iter()
                        .enumerate()
                        .map(|(i, w)| {
                            let star = if *prefix && i == last { "*" } else { "" };
                            format!(
                                "'{}':{star}{weight}",
                                w.replace('\\', "\\\\").replace('\'', "''")
                            )
                        })
                        .collect();
                    format!("({})", lexemes.join(" <-> "))
                }
            },
            Fts::Or(parts) => join(parts, " OR ", " | "),
            Fts::And(parts) => join(parts, " AND ", " & "),
            Fts::AndNot(first, others) => {
                let mut text = self.text(first);
                for other in others {
                    match self.0 {
                        SearchSyntax::Fts5 => text.push_str(" NOT "),
                        SearchSyntax::TsQuery => text.push_str(" & !"),
                    }
                    text.push_str(&self.text(other));
                }
                match self.0 {
                    SearchSyntax::Fts5 => text,
                    SearchSyntax::TsQuery => format!("({text})"),
                }
            }
        }
    }

    /// The ids of the claims whose document matches the bound query.
    fn matching_ids(&self) -> &'static str {
        match self.0 {
            SearchSyntax::Fts5 => "SELECT rowid FROM claim_search WHERE claim_search MATCH ?",
            SearchSyntax::TsQuery => {
                "SELECT claim_id FROM claim_search WHERE doc @@ CAST(CAST(? AS TEXT) AS TSQUERY)"
            }
        }
    }

    /// The newest `?` claims that match the bound query and meet `numbers` and `condition`
    /// (SQL on `c`), as `id, score` (higher is better).
    fn candidates(&self, numbers: &str, condition: &str) -> String {
        match self.0 {
            SearchSyntax::Fts5 => format!(
                "SELECT c.id AS id, -{BM25} AS score
                 FROM claim_search JOIN claim c ON c.id = claim_search.rowid
                 WHERE claim_search MATCH ? AND {numbers} AND {condition}
                 ORDER BY claim_search.rowid DESC LIMIT ?"
            ),
            SearchSyntax::TsQuery => format!(
                "SELECT c.id AS id, ts_rank(claim_search.doc, q.q) AS score
                 FROM claim_search JOIN claim c ON c.id = claim_search.claim_id,
                      (SELECT CAST(CAST(? AS TEXT) AS TSQUERY) AS q) AS q
                 WHERE claim_search.doc @@ q.q AND {numbers} AND {condition}
                 ORDER BY claim_search.claim_id DESC LIMIT ?"
            ),
        }
    }

    /// [`Index::candidates`] of every claim shown (not merged, not archived), from the index
    /// alone.
    fn index_candidates(&self) -> String {
        match self.0 {
            SearchSyntax::Fts5 => index_candidates_sql(),
            SearchSyntax::TsQuery => "SELECT claim_id AS id, ts_rank(doc, q.q) AS score
                 FROM claim_search, (SELECT CAST(CAST(? AS TEXT) AS TSQUERY) AS q) AS q
                 WHERE doc @@ q.q
                   AND claim_id NOT IN (SELECT claim_id FROM claim_desk WHERE archived IS NOT NULL)
                 ORDER BY claim_id DESC LIMIT ?"
                .to_owned(),
        }
    }

    /// For a claim query on `c`: the join of the index, the condition that it match the query
    /// bound as `?1`, and the order best first.
    pub(super) fn ranked(&self) -> (&'static str, &'static str, String) {
        match self.0 {
            SearchSyntax::Fts5 => (
                "JOIN claim_search ON claim_search.rowid = c.id",
                "claim_search MATCH ?1",
                BM25.to_owned(),
            ),
            SearchSyntax::TsQuery => (
                "JOIN claim_search ON claim_search.claim_id = c.id",
                "claim_search.doc @@ CAST(CAST(?1 AS TEXT) AS TSQUERY)",
                "ts_rank(claim_search.doc, CAST(CAST(?1 AS TEXT) AS TSQUERY)) DESC".to_owned(),
            ),
        }
    }
}

/// Every source name and alias, folded, mapped to all the folded names of its source.
fn source_names(conn: &dyn Connection) -> anyhow::Result<HashMap<String, Vec<Vec<String>>>> {
    let mut stmt = conn.prepare_cached("SELECT source_id, name FROM source_name ORDER BY name")?;
    let mut by_source: HashMap<i64, Vec<Vec<String>>> = HashMap::new();
    let rows = stmt.query_map(params![], |r| Ok((r.get::<i64>(0)?, r.get::<String>(1)?)))?;
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

/// Words of a snippet on each side of the first match.
const SNIPPET_BEFORE: usize = 6;
const SNIPPET_WORDS: usize = 20;

/// The first field of `claim` (text first) with a matching word, and a snippet of it as stored;
/// else the figures that hold a number searched for.
fn best_snippet(claim: &Claim, words: &[Mark], numbers: &[f64]) -> (&'static str, String) {
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
fn snippet(original: &str, words: &[Mark]) -> Option<String> {
    let pieces: Vec<&str> = original.split_whitespace().collect();
    let matches: Vec<bool> = pieces
        .iter()
        .map(|piece| {
            fold::words(piece)
                .iter()
                .any(|folded| words.iter().any(|mark| mark.matches(folded)))
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
pub(super) fn merged_into(conn: &dyn Connection, id: i64) -> anyhow::Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT keep_id FROM claim_merge WHERE dup_id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

/// Whether a search filtered by `condition` (from `filter_sql`) needs nothing but the index:
/// true for the default filter, the claims neither merged nor archived.
fn reads_index_only(condition: &str) -> bool {
    condition == format!("{} AND {}", super::NOT_MERGED, super::desk::NOT_ARCHIVED)
}

/// The candidates of one kind of match, read from the index alone (see [`reads_index_only`]).
fn index_candidates_sql() -> String {
    format!(
        "SELECT rowid AS id, -{BM25} AS score FROM claim_search
         WHERE claim_search MATCH ?
           AND rowid NOT IN (SELECT claim_id FROM claim_desk WHERE archived IS NOT NULL)
         ORDER BY rowid DESC LIMIT ?"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_search_reads_the_index_and_the_archived_claims_never_the_claims() {
        let store = Store::open_in_memory().unwrap();
        let (condition, _) = store.filter_sql(&ClaimFilter::default()).unwrap();
        assert!(reads_index_only(&condition), "{condition}");
        let mut stmt = store
            .sqlite()
            .unwrap()
            .prepare(&format!("EXPLAIN QUERY PLAN {}", index_candidates_sql()))
            .unwrap();
        let mut rows = stmt.raw_query();
        let mut plan = Vec::new();
        while let Some(row) = rows.next().unwrap() {
            plan.push(row.get::<_, String>(3).unwrap());
        }
        assert!(
            plan.iter()
                .all(|l| !l.contains(" claim ") && !l.ends_with(" claim")),
            "{plan:?}"
        );
        assert!(
            plan.iter().any(|l| l.contains("claim_desk_archived")),
            "{plan:?}"
        );
    }

    #[test]
    fn snippets_mark_the_matching_words_of_the_stored_text() {
        let text = "تعتمد القيادة المالية تحديداً على مجموعة \"فاجنر\" الروسية";
        let s = snippet(text, &[Mark::exact("فاجنر", false)]).unwrap();
        assert_eq!(
            s,
            "تعتمد القيادة المالية تحديداً على مجموعة [\"فاجنر\"] الروسية"
        );
        let s = snippet(text, &[Mark::exact("روس", true)]).unwrap();
        assert!(s.ends_with("[الروسية]"), "{s}");
        assert_eq!(snippet(text, &[Mark::exact("wagner", false)]), None);
    }

    #[test]
    fn long_texts_are_cut_around_the_match() {
        let text = (1..=100)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let s = snippet(&text, &[Mark::exact("w50", false)]).unwrap();
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
