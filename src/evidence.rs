//! Evidence a checker gathers for a claim: the source's page, an archived copy, a quote, a note,
//! a file (screenshot, PDF, image). A claim has any number of items; each may be tied to a
//! source (the claimant, or a source that supports or disputes the claim).

use serde::{Deserialize, Serialize};

use crate::error::InvalidValue;
use crate::model::{self, Stance};

/// The largest file `evidence add --file` takes unless told otherwise: 100 MB.
pub const DEFAULT_MAX_FILE_MB: u64 = 100;

/// An evidence item as the user gives it, before it is stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvidenceDraft {
    /// The source it comes from (name or alias).
    pub source: Option<String>,
    pub url: Option<String>,
    pub archived_url: Option<String>,
    pub quote: Option<String>,
    pub note: Option<String>,
    /// When it was captured (RFC 3339); now when not given.
    pub captured_at: Option<String>,
    /// Who captured it; the actor when not given.
    pub captured_by: Option<String>,
}

impl EvidenceDraft {
    /// Checks the item: http(s) addresses, no NUL bytes, and something to keep.
    pub fn validate(&self, has_file: bool) -> Result<(), InvalidValue> {
        for url in [&self.url, &self.archived_url].into_iter().flatten() {
            model::check_url(url)?;
        }
        for text in [&self.quote, &self.note, &self.captured_by]
            .into_iter()
            .flatten()
        {
            model::check_text("an evidence field", text)?;
        }
        if let Some(at) = &self.captured_at {
            model::parse_timestamp(at)?;
        }
        let empty = |o: &Option<String>| o.as_deref().is_none_or(|t| t.trim().is_empty());
        if !has_file
            && empty(&self.url)
            && empty(&self.archived_url)
            && empty(&self.quote)
            && empty(&self.note)
        {
            return Err(InvalidValue::new(
                "evidence",
                "",
                "an evidence item needs at least one of --url, --archived-url, --quote, --note \
                 or --file",
            ));
        }
        Ok(())
    }
}

/// A file attached to an evidence item, known by the SHA-256 of its content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceFile {
    /// Hex SHA-256 of the content: how the file is stored and verified.
    pub sha256: String,
    /// The file's name when it was attached.
    pub name: Option<String>,
    /// Its size in bytes; absent when the stored file is missing.
    #[serde(default)]
    pub size: Option<u64>,
}

/// Who removed an evidence item, when and why (it is kept, marked removed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Removal {
    pub at: String,
    pub by: String,
    pub note: String,
}

/// A stored evidence item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub id: i64,
    pub claim_id: i64,
    /// The source it comes from.
    pub source: Option<String>,
    /// That source's stance on the claim (none for the claimant).
    pub stance: Option<Stance>,
    pub url: Option<String>,
    pub archived_url: Option<String>,
    pub quote: Option<String>,
    pub note: Option<String>,
    pub file: Option<EvidenceFile>,
    pub captured_at: String,
    pub captured_by: String,
    /// The history event that recorded the item (none for items an upgrade moved from a
    /// citation, whose own event names them).
    pub event: Option<i64>,
    pub removed: Option<Removal>,
}

impl Evidence {
    /// What history records about the item: every part of it, the file first and by its hash
    /// (where `audit` looks for it: see [`recorded_file`]). Texts are quoted as JSON
    /// strings, which keeps Arabic, harakat and bidi marks as written.
    pub fn describe(&self) -> String {
        let quoted = |t: &str| serde_json::Value::from(t).to_string();
        let mut parts = vec![match &self.file {
            Some(file) => format!(
                "{}({} bytes, {})",
                recorded_file(self.id, &file.sha256),
                file.size.unwrap_or_default(),
                quoted(file.name.as_deref().unwrap_or_default())
            ),
            None => format!("evidence {}", self.id),
        }];
        if let Some(source) = &self.source {
            parts.push(format!("source {}", quoted(source)));
        }
        for (label, value) in [
            ("url", &self.url),
            ("archived", &self.archived_url),
            ("quote", &self.quote),
            ("note", &self.note),
        ] {
            if let Some(value) = value {
                parts.push(format!("{label} {}", quoted(value)));
            }
        }
        parts.push(format!(
            "captured {} by {}",
            self.captured_at, self.captured_by
        ));
        parts.join("; ")
    }

    /// The file's cell in a table: its name, size and the start of its hash.
    pub fn file_summary(&self) -> String {
        match &self.file {
            None => String::new(),
            Some(f) => format!(
                "{} ({} bytes, sha256 {}…)",
                f.name.as_deref().unwrap_or("file"),
                f.size.map_or("missing".to_owned(), |s| s.to_string()),
                &f.sha256[..f.sha256.len().min(12)]
            ),
        }
    }
}

/// How the history event that attached a file to item `evidence_id` starts: the item, then the
/// file's hash, then a space. A fixed place, so that no quote or file name can pose as the hash.
pub fn recorded_file(evidence_id: i64, sha256: &str) -> String {
    format!("evidence {evidence_id}; file sha256:{sha256} ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_needs_something_to_keep_and_valid_addresses() {
        assert!(EvidenceDraft::default().validate(false).is_err());
        assert!(EvidenceDraft::default().validate(true).is_ok());
        let quote = EvidenceDraft {
            quote: Some("أسوأ الفظائع".into()),
            ..EvidenceDraft::default()
        };
        assert!(quote.validate(false).is_ok());
        let bad = EvidenceDraft {
            archived_url: Some("web.archive.org/x".into()),
            ..quote
        };
        assert!(bad
            .validate(false)
            .unwrap_err()
            .to_string()
            .contains("http"));
    }

    #[test]
    fn the_description_names_the_file_by_its_hash() {
        let item = Evidence {
            id: 3,
            claim_id: 1,
            source: Some("HRW".into()),
            stance: Some(Stance::Disputes),
            url: Some("https://www.hrw.org/".into()),
            archived_url: None,
            quote: None,
            note: None,
            file: Some(EvidenceFile {
                sha256: "ab".repeat(32),
                name: Some("report.pdf".into()),
                size: Some(10),
            }),
            captured_at: "2026-11-29T10:00:00Z".into(),
            captured_by: "amal".into(),
            event: None,
            removed: None,
        };
        let text = item.describe();
        assert!(
            text.starts_with(&format!(
                "evidence 3; file sha256:{} (10 bytes",
                "ab".repeat(32)
            )),
            "{text}"
        );
        assert!(text.contains("; source \"HRW\";"), "{text}");
        let arabic = Evidence {
            quote: Some("تكبَّدت\u{200F} «خسائر»".into()),
            ..item
        };
        assert!(
            arabic
                .describe()
                .contains("quote \"تكبَّدت\u{200F} «خسائر»\""),
            "harakat and marks stay as written: {}",
            arabic.describe()
        );
    }
}
