//! schema.org ClaimReview in JSON-LD: what fact-checkers publish and aggregators read.
//!
//! Export writes the desk's own verdicts as its reviews, one object per claim whose verdict a
//! person at the desk set (verdicts taken from other publishers' reviews are theirs, not the
//! desk's); import reads one object, an array, or a `@graph` (nested freely), and is the inverse
//! of the export, so that export → import into an empty database → export gives the same bytes.
//!
//! The mapping, both ways:
//!
//! | ClaimReview                          | claimdb                                          |
//! |--------------------------------------|--------------------------------------------------|
//! | `claimReviewed`                      | claim text                                       |
//! | `itemReviewed.author.name`           | claimant                                         |
//! | `itemReviewed.datePublished`         | claim date (date part)                           |
//! | `itemReviewed.appearance.url`        | article url                                      |
//! | `itemReviewed.appearance.headline`   | article title                                    |
//! | `author.name` / `author.url`         | review publisher / site                          |
//! | `url`, `headline`, `inLanguage`      | review url, title, language (export: `--review-url`, `--lang`) |
//! | `datePublished`                      | review date (export: when the verdict was given) |
//! | `reviewRating.alternateName`         | review rating text, verbatim (export: the label in `--lang`) |
//! | `reviewBody`                         | review body (export: the verdict's history note) |
//! | `reviewRating.ratingValue`           | from the status: false 1, misleading 2, verified 3 (worst 1, best 3); none for unverifiable |

use serde::Serialize;
use serde_json::Value;

use super::{as_str, claim_row, first, name_of, text_value, Defaults, Parsed, Problems, Record};
use crate::model::{self, Claim};
use crate::ratings::{self, RatingMap};
use crate::review::{self, Review, ReviewDraft};
use crate::store::Verdict;

/// Flattens a JSON-LD document into its nodes: arrays and `@graph`s are opened, objects kept.
pub fn nodes(document: Value) -> Vec<Value> {
    let mut out = Vec::new();
    collect(document, &mut out);
    out
}

fn collect(value: Value, out: &mut Vec<Value>) {
    match value {
        Value::Array(items) => items.into_iter().for_each(|v| collect(v, out)),
        Value::Object(mut o) if o.contains_key("@graph") => {
            if let Some(graph) = o.remove("@graph") {
                collect(graph, out);
            }
        }
        other => out.push(other),
    }
}

/// Whether a node is a ClaimReview (`@type` a string or a list; `schema:` prefixes allowed).
pub fn is_claim_review(node: &Value) -> bool {
    let is = |t: &Value| {
        t.as_str().is_some_and(|s| {
            s.rsplit(['/', ':', '#'])
                .next()
                .is_some_and(|last| last == "ClaimReview")
        })
    };
    match node.get("@type") {
        Some(Value::Array(types)) => types.iter().any(is),
        Some(t) => is(t),
        None => false,
    }
}

/// Reads ClaimReview node number `number` (from 1, among the document's nodes).
pub fn record(number: u64, node: &Value, defaults: &Defaults) -> Parsed {
    let mut p = Problems::new("record", number);
    let item = first(node.get("itemReviewed"));
    let claimant = item.and_then(|i| name_of(i.get("author")));
    let mut row = claim_row(
        &mut p,
        ("claimReviewed", as_str(node.get("claimReviewed"))),
        ("itemReviewed.author", claimant),
        defaults,
    );
    if let Some(item) = item {
        if let Some(date) = as_str(item.get("datePublished")).filter(|d| !d.trim().is_empty()) {
            row.patch.claim_date = p
                .check("itemReviewed.datePublished", review::claim_date_from(date))
                .map(Some);
        }
        let appearance = first(item.get("appearance")).or(first(item.get("firstAppearance")));
        let (url, headline) = match appearance {
            Some(Value::String(url)) => (Some(url.as_str()), None),
            Some(Value::Object(o)) => (as_str(o.get("url")), as_str(o.get("headline"))),
            _ => (None, None),
        };
        if let Some(url) = url.filter(|u| !u.trim().is_empty()) {
            row.patch.article_url = p
                .check("itemReviewed.appearance.url", model::check_url(url))
                .map(Some);
        }
        if let Some(title) = text_value(&mut p, "itemReviewed.appearance.headline", headline) {
            row.patch.article_title = Some(Some(title));
        }
    }
    let author = first(node.get("author"));
    let mut reviews = Vec::new();
    match name_of(author).filter(|n| !n.trim().is_empty()) {
        None => p.add(
            "author",
            "the ClaimReview has no author (the organisation that published it)",
        ),
        Some(publisher) => {
            let site = author.and_then(|a| as_str(a.get("url")));
            let url = as_str(node.get("url"))
                .filter(|u| !u.trim().is_empty())
                .and_then(|u| p.check("url", model::check_url(u)));
            let review_date = as_str(node.get("datePublished"))
                .filter(|d| !d.trim().is_empty())
                .and_then(|d| p.check("datePublished", review::check_review_date(d)));
            let rating = first(node.get("reviewRating"));
            let rating_text = rating
                .and_then(|r| as_str(r.get("alternateName")).or_else(|| as_str(r.get("name"))));
            let language = match first(node.get("inLanguage")) {
                Some(Value::String(code)) => Some(code.as_str()),
                Some(Value::Object(o)) => {
                    as_str(o.get("alternateName")).or_else(|| as_str(o.get("name")))
                }
                _ => None,
            };
            reviews.push(ReviewDraft {
                publisher: publisher.trim().to_owned(),
                site: text_value(&mut p, "author.url", site),
                url,
                title: text_value(
                    &mut p,
                    "headline",
                    as_str(node.get("headline")).or_else(|| as_str(node.get("name"))),
                ),
                review_date,
                rating: text_value(&mut p, "reviewRating.alternateName", rating_text),
                language: text_value(&mut p, "inLanguage", language),
                body: text_value(&mut p, "reviewBody", as_str(node.get("reviewBody"))),
            });
        }
    }
    p.finish(Record {
        claim: row,
        reviews,
    })
}

/// The desk whose verdicts are exported: `--publisher`, `--publisher-url`, `--review-url` and
/// `--lang`.
#[derive(Debug, Clone)]
pub struct Desk {
    pub name: String,
    pub url: Option<String>,
    /// The address of the desk's fact-check of a claim, with `{id}` or `{uid}` in it.
    pub review_url: Option<String>,
    /// The language the desk publishes in.
    pub lang: Lang,
}

impl Desk {
    /// The desk's fact-check url for `claim`, from the template.
    fn review_url_for(&self, claim: &Claim) -> Option<String> {
        self.review_url.as_ref().map(|t| {
            t.replace("{id}", &claim.id.to_string())
                .replace("{uid}", &claim.uid)
        })
    }
}

/// Checks a `--review-url` template: a web address with `{id}` or `{uid}` where the claim goes.
pub fn check_review_url(template: &str) -> Result<String, String> {
    if !template.contains("{id}") && !template.contains("{uid}") {
        return Err(format!(
            "{template:?} has no {{id}} or {{uid}}: each claim needs its own fact-check url, \
             e.g. 'https://desk.example/checks/{{id}}'"
        ));
    }
    model::check_url(&template.replace("{id}", "1").replace("{uid}", "u"))
        .map_err(|e| e.to_string())?;
    Ok(template.trim().to_owned())
}

/// The languages the desk's rating labels are written in (`--lang`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    /// English: True, Misleading, False, Unverifiable
    #[default]
    En,
    /// Arabic: صحيح، مضلل، زائف، غير قابل للتحقق
    Ar,
}

impl Lang {
    /// The BCP 47 code written as `inLanguage`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ar => "ar",
        }
    }

    /// A verdict's rating label in this language. Each label is in the built-in rating map with
    /// the same status, so that importing the export gives the same verdicts back.
    pub fn label(self, status: crate::model::Status) -> &'static str {
        use crate::model::Status;
        match self {
            Lang::En => ratings::verdict_label(status),
            Lang::Ar => match status {
                Status::Verified => "صحيح",
                Status::Misleading => "مضلل",
                Status::False => "زائف",
                Status::Unverifiable => "غير قابل للتحقق",
                Status::Disputed => "متنازع عليه",
                Status::InReview => "قيد التحقق",
                Status::Unverified => "لم يتحقق منه",
            },
        }
    }
}

/// Why a claim with a verdict is not exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skipped {
    /// The verdict is not the desk's: it was taken from another publisher's review or an import.
    NotTheDesks,
    /// It lacks what the format needs (each item names the field).
    Missing(Vec<String>),
}

/// A schema.org ClaimReview as claimdb writes it. Field order is the output order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimReview {
    #[serde(rename = "@context")]
    pub context: &'static str,
    #[serde(rename = "@type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub claim_reviewed: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    pub author: Organization,
    pub date_published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_language: Option<String>,
    pub review_rating: Rating,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_body: Option<String>,
    pub item_reviewed: ItemReviewed,
}

/// `author` of a review or of a claim.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Organization {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// `reviewRating`: the words always, the number where claimdb's scale has one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rating {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    pub alternate_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating_value: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub best_rating: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worst_rating: Option<u8>,
}

/// `itemReviewed`: the claim as made.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemReviewed {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    pub author: Organization,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appearance: Option<Appearance>,
}

/// Where the claim appeared: the article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Appearance {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
}

/// The length above which aggregators cut `claimReviewed` (Google's guideline).
pub const CLAIM_REVIEWED_MAX: usize = 75;

/// Builds the desk's ClaimReview of a claim with a verdict, or says why it is not exported.
///
/// Only the desk's own verdicts are published. When the desk's own review of the claim is
/// stored (it came in by an earlier import of the desk's ClaimReview) and its rating still means
/// the claim's status, that review is the one published: its url, headline, date, rating words,
/// language and body are written as stored. Otherwise the verdict must have been set by a person
/// (`status`, `edit` or `add`), and is written from the status and its history: the status's
/// label in the desk's language as rating, the time it was given as date, its note as body, and
/// the desk's fact-check url (a stored review's, or `--review-url`). A verdict taken from
/// another publisher's review, or from an imported file, is not the desk's and is not exported.
pub fn build(
    claim: &Claim,
    desk: &Desk,
    reviews: &[Review],
    verdict: &Verdict,
    map: &RatingMap,
) -> Result<ClaimReview, Skipped> {
    let mut missing = Vec::new();
    let visible = claim
        .text
        .chars()
        .any(|c| !c.is_whitespace() && !is_direction_mark(c));
    if !visible {
        missing.push("claimReviewed: the claim text has no visible characters".to_owned());
    }
    if !claim.status.is_verdict() {
        missing.push(format!(
            "reviewRating: status {} is not a verdict",
            claim.status
        ));
    }
    let desk_key = model::source_key(&desk.name);
    let by_desk: Vec<&ReviewDraft> = reviews
        .iter()
        .map(|r| &r.review)
        .filter(|r| model::source_key(&r.publisher) == desk_key)
        .collect();
    let published = by_desk.iter().copied().find(|r| {
        r.rating
            .as_deref()
            .is_some_and(|t| map.status_for(t) == Some(claim.status))
    });
    let (url, headline, date, rating, language, body) = match published {
        Some(r) => (
            r.url.clone().or_else(|| desk.review_url_for(claim)),
            r.title.clone(),
            r.review_date.clone().unwrap_or_else(|| verdict.at.clone()),
            r.rating.clone().unwrap_or_default(),
            r.language
                .clone()
                .or_else(|| Some(desk.lang.code().to_owned())),
            r.body.clone(),
        ),
        None if verdict.by_person => (
            by_desk
                .iter()
                .find_map(|r| r.url.clone())
                .or_else(|| desk.review_url_for(claim)),
            None,
            verdict.at.clone(),
            desk.lang.label(claim.status).to_owned(),
            Some(desk.lang.code().to_owned()),
            verdict.note.clone().filter(|n| !n.trim().is_empty()),
        ),
        None => return Err(Skipped::NotTheDesks),
    };
    if url.is_none() {
        missing.push(
            "url: the desk's fact-check url is unknown (give --review-url, e.g. \
             'https://desk.example/checks/{id}')"
                .to_owned(),
        );
    }
    if date.trim().is_empty() {
        missing.push("datePublished: the date of the verdict is unknown".to_owned());
    }
    if !missing.is_empty() {
        return Err(Skipped::Missing(missing));
    }
    let value = ratings::rating_value(claim.status);
    let appearance =
        (claim.article_url.is_some() || claim.article_title.is_some()).then(|| Appearance {
            kind: "CreativeWork",
            url: claim.article_url.clone(),
            headline: claim.article_title.clone(),
        });
    Ok(ClaimReview {
        context: "https://schema.org",
        kind: "ClaimReview",
        url,
        claim_reviewed: claim.text.clone(),
        headline,
        author: Organization {
            kind: "Organization",
            name: desk.name.clone(),
            url: desk.url.clone(),
        },
        date_published: date,
        in_language: language,
        review_rating: Rating {
            kind: "Rating",
            alternate_name: rating,
            rating_value: value,
            best_rating: value.map(|_| ratings::BEST_RATING),
            worst_rating: value.map(|_| ratings::WORST_RATING),
        },
        review_body: body,
        item_reviewed: ItemReviewed {
            kind: "Claim",
            author: Organization {
                kind: "Organization",
                name: claim.claimant.clone(),
                url: None,
            },
            date_published: claim.claim_date.as_ref().map(|d| d.to_string()),
            appearance,
        },
    })
}

fn is_direction_mark(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Writes ClaimReview objects as one JSON array, one object per line, as they come.
pub struct ClaimReviewList<'a> {
    out: &'a mut dyn std::io::Write,
    count: u64,
}

impl<'a> ClaimReviewList<'a> {
    /// Starts the array.
    pub fn new(out: &'a mut dyn std::io::Write) -> std::io::Result<Self> {
        write!(out, "[")?;
        Ok(ClaimReviewList { out, count: 0 })
    }

    /// Adds one object.
    pub fn push(&mut self, review: &ClaimReview) -> anyhow::Result<()> {
        let sep = if self.count == 0 { "\n" } else { ",\n" };
        write!(self.out, "{sep}")?;
        serde_json::to_writer(&mut *self.out, review)?;
        self.count += 1;
        Ok(())
    }

    /// Closes the array; returns how many objects it holds.
    pub fn finish(self) -> std::io::Result<u64> {
        let end = if self.count == 0 { "]" } else { "\n]" };
        writeln!(self.out, "{end}")?;
        Ok(self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    #[test]
    fn every_verdict_label_reads_back_as_its_verdict_in_each_language() {
        let map = RatingMap::new(Vec::new());
        for lang in [Lang::En, Lang::Ar] {
            for status in Status::ALL.iter().copied().filter(|s| s.is_verdict()) {
                assert_eq!(
                    map.status_for(lang.label(status)),
                    Some(status),
                    "{lang:?} {status}"
                );
            }
        }
    }

    #[test]
    fn a_review_url_template_needs_a_place_for_the_claim() {
        assert!(check_review_url("https://desk.example/checks/{id}").is_ok());
        assert!(check_review_url("https://desk.example/{uid}.html").is_ok());
        assert!(check_review_url("https://desk.example/checks").is_err());
        assert!(check_review_url("not a url {id}").is_err());
    }
}
