//! Published fact-checks of a claim: who reviewed it, where, when, and in their own words.

use serde::Serialize;

use crate::error::InvalidValue;
use crate::model;

/// A review as a file describes it, before it is stored on a claim. Every text is kept exactly
/// as published (direction marks, line breaks, a 3,000-character rating paragraph).
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct ReviewDraft {
    /// The organisation that published the review ("Misbar", "PolitiFact").
    pub publisher: String,
    /// Its web site, as the file gives it ("misbar.com" or "https://misbar.com").
    pub site: Option<String>,
    /// The address of the published review; identifies the review on its claim.
    pub url: Option<String>,
    /// The review's headline.
    pub title: Option<String>,
    /// When it was published, as the file gives it (an RFC 3339 time or a date).
    pub review_date: Option<String>,
    /// The publisher's rating, verbatim ("مضلل", "pants-fire", a paragraph).
    pub rating: Option<String>,
    /// The review's language code ("ar", "en").
    pub language: Option<String>,
    /// The review's text or the reason for its verdict, when the format carries one.
    pub body: Option<String>,
}

impl ReviewDraft {
    /// Checks what a stored review needs: a publisher, an http(s) url if any, no NUL bytes.
    pub fn validate(&self) -> Result<(), InvalidValue> {
        if self.publisher.trim().is_empty() {
            return Err(InvalidValue::new(
                "a publisher",
                &self.publisher,
                "a review needs the name (or site) of the organisation that published it",
            ));
        }
        model::check_text("a publisher", &self.publisher)?;
        if let Some(url) = &self.url {
            model::check_url(url)?;
        }
        for text in [
            &self.site,
            &self.title,
            &self.review_date,
            &self.rating,
            &self.language,
            &self.body,
        ]
        .into_iter()
        .flatten()
        {
            model::check_text("a review field", text)?;
        }
        Ok(())
    }
}

/// A review stored on a claim.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Review {
    #[serde(flatten)]
    pub review: ReviewDraft,
    pub created_at: String,
    pub created_by: String,
}

/// Reads a date or time from a fact-check file as claimdb's claim date: `2025-04-28`,
/// `2025-04`, `2025`, or the date part of an RFC 3339 time (`2025-04-28T19:23:46Z`).
pub fn claim_date_from(raw: &str) -> Result<model::ClaimDate, InvalidValue> {
    let text = raw.trim();
    let date = match text.find('T') {
        Some(t) if text.len() > 10 => &text[..t],
        _ => text,
    };
    date.parse()
}

/// Checks a review date: an RFC 3339 time or a claim-style date, kept as written.
pub fn check_review_date(raw: &str) -> Result<String, InvalidValue> {
    let text = raw.trim();
    if text.parse::<jiff::Timestamp>().is_ok() || text.parse::<model::ClaimDate>().is_ok() {
        Ok(text.to_owned())
    } else {
        Err(InvalidValue::new(
            "a review date",
            raw,
            "expected an RFC 3339 time such as 2025-04-28T19:23:46Z or a date such as 2025-04-28",
        ))
    }
}
