//! Likely duplicates: claims whose folded words are close to another claim's.

use super::sql::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::search::{phrase, Index};
use super::sql::SearchSyntax;
use super::Store;
use crate::conflicts;
use crate::duplicates::{self, claim_similarity, word_set};
use crate::model::{Claim, Figure};

/// How many index candidates are compared word by word when looking for duplicates.
const CANDIDATES: usize = 200;

/// At most this many distinct words of a claim go into the query for its duplicates: the
/// rarest, by how many claims hold them.
const RARE_WORDS: usize = 6;

/// A claim that looks like another one.
#[derive(Debug, Clone, Serialize)]
pub struct SimilarClaim {
    #[serde(flatten)]
    pub claim: Claim,
    /// Cosine similarity of the folded words, 0 to 1.
    pub similarity: f64,
    /// When the two claims' figures cannot both be true ("5 civilians against 50 civilians"):
    /// then they are a conflict to check, never a duplicate to merge.
    pub conflict: Option<String>,
}

/// How two claims' figures conflict, if they do: their stored figures, or for a claim without
/// any, the figures its text states.
pub fn figure_conflict(
    (figures, text): (&[Figure], &str),
    (other_figures, other_text): (&[Figure], &str),
) -> Option<String> {
    let mine = conflicts::stated(figures, text);
    let theirs = conflicts::stated(other_figures, other_text);
    conflicts::figures_conflict(&mine, &theirs)
        .map(|(a, b)| format!("{} against {}", a.display(), b.display()))
}

impl Store {
    /// Claims that look like claim `id`, most similar first.
    pub fn similar(&self, id: i64, limit: usize) -> anyhow::Result<Vec<SimilarClaim>> {
        let claim = self.claim(id)?;
        let found = similar_claims(
            self.db(),
            &claim.text,
            claim.translation.as_deref(),
            &|other| other == id,
            limit,
        )?;
        self.with_claims(found, (&claim.figures, &claim.text))
    }

    /// Stored claims that look like a claim about to be added, most similar first.
    pub fn similar_to_text(
        &self,
        text: &str,
        translation: Option<&str>,
        figures: &[Figure],
        limit: usize,
    ) -> anyhow::Result<Vec<SimilarClaim>> {
        let found = similar_claims(self.db(), text, translation, &|_| false, limit)?;
        self.with_claims(found, (figures, text))
    }

    fn with_claims(
        &self,
        found: Vec<(i64, f64)>,
        probe: (&[Figure], &str),
    ) -> anyhow::Result<Vec<SimilarClaim>> {
        found
            .into_iter()
            .map(|(id, similarity)| {
                let claim = self.claim(id)?;
                Ok(SimilarClaim {
                    conflict: figure_conflict(probe, (&claim.figures, &claim.text)),
                    claim,
                    similarity: duplicates::round(similarity),
                })
            })
            .collect()
    }
}

/// Visible claims, not archived, whose words look like `text` (or `translation`), with their similarity, at
/// least [`duplicates::THRESHOLD`], best first. The index proposes candidates that share words;
/// the folded word sets decide.
pub(super) fn similar_claims(
    conn: &dyn Connection,
    text: &str,
    translation: Option<&str>,
    skip: &dyn Fn(i64) -> bool,
    limit: usize,
) -> anyhow::Result<Vec<(i64, f64)>> {
    let words = word_set(text);
    let translation_words = translation.map(word_set);
    let mut query_words: Vec<&String> = words
        .iter()
        .chain(translation_words.iter().flatten())
        .filter(|w| w.chars().count() > 2)
        .collect();
    if query_words.is_empty() {
        query_words = words.iter().collect();
    }
    // Longest first (ties in a fixed order): a claim's long words are its rare ones.
    query_words.sort();
    query_words.dedup();
    // The rarest words find a duplicate as surely as all of them (a duplicate shares most of
    // its words) and keep the candidate search small: a word that half the claims hold would
    // make every one of them a candidate to score.
    let index = Index::of(conn);
    let tsquery = index.syntax() == SearchSyntax::TsQuery;
    let mut frequency = conn.prepare_cached(if tsquery {
        // Counted up to a bound: past it, a word is common whatever its exact count.
        "SELECT count(*) FROM (SELECT 1 FROM claim_search
                               WHERE doc @@ CAST(CAST(?1 AS TEXT) AS TSQUERY) LIMIT 10000) AS hits"
    } else {
        "SELECT doc FROM claim_search_vocab WHERE term = ?1"
    })?;
    let mut rare: Vec<(i64, &String)> = Vec::with_capacity(query_words.len());
    for word in query_words {
        let term = if tsquery {
            index.exact_words(std::slice::from_ref(word))
        } else {
            word.clone()
        };
        let claims: Option<i64> = frequency.query_row([term], |r| r.get(0)).optional()?;
        // A word no claim holds cannot find a candidate.
        if let Some(claims) = claims.filter(|n| *n > 0) {
            rare.push((claims, word));
        }
    }
    rare.sort();
    let query_words: Vec<&String> = rare.into_iter().take(RARE_WORDS).map(|(_, w)| w).collect();
    if query_words.is_empty() {
        return Ok(Vec::new());
    }
    // Candidates: the claims holding the rarest words together (a duplicate shares most of its
    // words), then those holding any one of them. Each query stops after a fixed number of rows
    // and reads no ranking, so the cost does not grow with the database.
    let words_of = |words: &[&String]| -> String {
        if tsquery {
            let owned: Vec<String> = words.iter().map(|w| (*w).clone()).collect();
            index.exact_words(&owned)
        } else {
            let quoted: Vec<String> = words.iter().map(|w| phrase(&[w], false)).collect();
            format!("{{text translation}} : ({})", quoted.join(" AND "))
        }
    };
    let mut queries: Vec<(String, usize)> = Vec::new();
    if query_words.len() > 1 {
        queries.push((
            words_of(&query_words[..query_words.len().min(3)]),
            CANDIDATES,
        ));
    }
    queries.extend(query_words.iter().map(|w| (words_of(&[w]), CANDIDATES / 4)));
    let mut matching = conn.prepare_cached(if tsquery {
        "SELECT claim_id FROM claim_search WHERE doc @@ CAST(CAST(?1 AS TEXT) AS TSQUERY) LIMIT ?2"
    } else {
        "SELECT rowid FROM claim_search WHERE claim_search MATCH ?1 LIMIT ?2"
    })?;
    let mut candidates: Vec<i64> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (fts, limit) in queries {
        let ids = matching.query_map(params![fts, limit as i64], |r| r.get::<i64>(0))?;
        for id in ids {
            let id = id?;
            if !skip(id) && seen.insert(id) {
                candidates.push(id);
            }
        }
    }
    // An archived claim (one entered by mistake, say) is never proposed as a duplicate.
    let mut load = conn.prepare_cached(
        "SELECT id, text, translation FROM claim c WHERE id = ?1 AND NOT EXISTS
             (SELECT 1 FROM claim_desk d WHERE d.claim_id = c.id AND d.archived IS NOT NULL)",
    )?;
    let mut found = Vec::new();
    for id in candidates {
        let Some((other_text, other_translation)) = load
            .query_row([id], |r| {
                Ok((r.get::<String>(1)?, r.get::<Option<String>>(2)?))
            })
            .optional()?
        else {
            continue;
        };
        let other_translation = other_translation.as_deref().map(word_set);
        let similarity = claim_similarity(
            (&words, translation_words.as_ref()),
            (&word_set(&other_text), other_translation.as_ref()),
        );
        if similarity >= duplicates::THRESHOLD {
            found.push((id, similarity));
        }
    }
    found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    found.truncate(limit);
    Ok(found)
}
