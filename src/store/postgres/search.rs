//! The search document of a claim on PostgreSQL: claimdb's folded words as a tsvector, written
//! word by word so that no text search configuration re-parses them.

use crate::fold;
use crate::store::sql::{params, Connection, Result};

/// Positions between two fields, so that a phrase never runs from one field into the next.
const FIELD_GAP: usize = 1000;

/// PostgreSQL's highest position in a tsvector; later words share it.
const MAX_POSITION: usize = 16_383;

/// Longest lexeme PostgreSQL keeps (bytes); a longer "word" is not searchable anyway.
const MAX_LEXEME: usize = 2_000;

/// The tsvector of a claim's searched fields (text, translation, note, sources, location): exact
/// words at weight A, the bare forms at B, stems at C, name keys at D.
pub fn document(fields: &[Option<String>; 5]) -> String {
    let folded: Vec<String> = fields
        .iter()
        .map(|f| f.as_deref().map(fold::fold).unwrap_or_default())
        .collect();
    let mut out = String::new();
    let mut push = |word: &str, position: usize, weight: char| {
        if word.is_empty() || word.len() > MAX_LEXEME {
            return;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push('\'');
        for c in word.chars() {
            if c == '\'' || c == '\\' {
                out.push(c);
            }
            out.push(c);
        }
        out.push_str(&format!("':{}{weight}", position.clamp(1, MAX_POSITION)));
    };
    for (field, text) in folded.iter().enumerate() {
        for (i, word) in text.split(' ').filter(|w| !w.is_empty()).enumerate() {
            push(word, field * FIELD_GAP + i + 1, 'A');
        }
    }
    let layers = fold::layers_of_folded(folded.iter().map(String::as_str));
    for (layer, weight) in layers.iter().zip(['B', 'C', 'D']) {
        for (i, word) in layer.split(' ').filter(|w| !w.is_empty()).enumerate() {
            push(word, i + 1, weight);
        }
    }
    out
}

/// Recomputes the search documents of the claims the schema's triggers marked stale in this
/// transaction (and removes those of claims no longer shown: merged or deleted).
///
/// With `keep_marks` (the database's documents were made by a newer folding than this
/// claimdb's), the documents are computed all the same, so that the claims can be found, but
/// the marks stay: the next writer with the database's folding, or its `claimdb migrate`,
/// computes them again, so that an older claimdb never leaves its folding behind for good.
/// Until then this claimdb computes the marked claims again at each of its commits.
pub fn refresh(conn: &dyn Connection, keep_marks: bool) -> Result<()> {
    let stale: Vec<i64> = conn.query_map(
        if keep_marks {
            "SELECT claim_id FROM claim_search_stale"
        } else {
            "DELETE FROM claim_search_stale RETURNING claim_id"
        },
        params![],
        |r| r.get(0),
    )?;
    for chunk in stale.chunks(1_000) {
        let ids = serde_json::to_string(chunk).unwrap_or_else(|_| "[]".into());
        let rows: Vec<(i64, [Option<String>; 5])> = conn.query_map(
            &format!(
                "SELECT id, text, translation, note, sources, location FROM claim_search_text
                 WHERE id IN ({})",
                conn.json_ids()
            ),
            params![ids],
            |r| {
                Ok((
                    r.get(0)?,
                    [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?],
                ))
            },
        )?;
        conn.execute(
            &format!(
                "DELETE FROM claim_search WHERE claim_id IN ({})",
                conn.json_ids()
            ),
            params![ids],
        )?;
        // One statement for the whole chunk: the documents travel as one JSON array of
        // [id, document] pairs.
        let documents: Vec<(i64, String)> = rows
            .into_iter()
            .map(|(id, fields)| (id, document(&fields)))
            .collect();
        conn.execute(
            "INSERT INTO claim_search (claim_id, doc)
             SELECT CAST(pair->>0 AS BIGINT), CAST(pair->>1 AS TSVECTOR)
             FROM json_array_elements(CAST(CAST(?1 AS TEXT) AS JSON)) AS pair",
            params![serde_json::to_string(&documents).unwrap_or_else(|_| "[]".into())],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::document;

    #[test]
    fn the_document_keeps_each_fields_words_at_their_own_positions() {
        let doc = document(&[
            Some("Wagner's 1,000 fighters".into()),
            None,
            None,
            Some("O'Brien".into()),
            None,
        ]);
        assert!(
            doc.starts_with("'wagner':1A 's':2A '1':3A '000':4A 'fighters':5A"),
            "{doc}"
        );
        assert!(doc.contains("'o':3001A 'brien':3002A"), "{doc}");
        assert!(doc.contains('B') || doc.contains('C'), "{doc}");
    }
}
