//! Google Fact Check Tools `claims:search` JSON: `{"claims": [...]}` or a bare array of claim
//! objects, each with `text`, `claimant`, `claimDate` and `claimReview[]` (`publisher{name,site}`,
//! `url`, `title`, `reviewDate`, `textualRating`, `languageCode`).

use serde_json::Value;

use super::{as_str, claim_row, text_value, wrong_type, Defaults, Parsed, Problems, Record};
use crate::model;
use crate::review::{self, ReviewDraft};

/// The claim objects of a parsed file, or why the file is not in this shape.
pub fn claims(document: Value) -> Result<Vec<Value>, String> {
    match document {
        Value::Array(items) => Ok(items),
        Value::Object(mut o) => match o.remove("claims") {
            Some(Value::Array(items)) => Ok(items),
            _ => Err(
                "expected a JSON array of claims or an object with a \"claims\" array \
                      (the Fact Check Tools claims:search answer)"
                    .to_owned(),
            ),
        },
        _ => Err("expected a JSON array of claims or an object with a \"claims\" array".to_owned()),
    }
}

/// Reads claim object number `number` (from 1).
pub fn record(number: u64, claim: &Value, defaults: &Defaults) -> Parsed {
    let mut p = Problems::new("record", number);
    let Some(obj) = claim.as_object() else {
        p.add(
            "",
            format!("expected a claim object, found {}", super::shown(claim)),
        );
        return p.finish(Record::default());
    };
    for field in ["text", "claimant", "claimDate"] {
        wrong_type(&mut p, field, obj.get(field));
    }
    let mut row = claim_row(
        &mut p,
        ("text", as_str(obj.get("text"))),
        ("claimant", as_str(obj.get("claimant"))),
        defaults,
    );
    if let Some(date) = as_str(obj.get("claimDate")).filter(|d| !d.trim().is_empty()) {
        row.patch.claim_date = p
            .check("claimDate", review::claim_date_from(date))
            .map(Some);
    }
    let mut reviews = Vec::new();
    match obj.get("claimReview") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                if let Some(r) = read_review(&mut p, &format!("claimReview[{i}]"), item) {
                    reviews.push(r);
                }
            }
        }
        Some(other) => p.add(
            "claimReview",
            format!("expected an array, found {}", super::shown(other)),
        ),
    }
    p.finish(Record {
        claim: row,
        reviews,
    })
}

fn read_review(p: &mut Problems, at: &str, item: &Value) -> Option<ReviewDraft> {
    let Some(r) = item.as_object() else {
        p.add(
            at,
            format!("expected a review object, found {}", super::shown(item)),
        );
        return None;
    };
    for field in [
        "url",
        "title",
        "reviewDate",
        "textualRating",
        "languageCode",
    ] {
        wrong_type(p, &format!("{at}.{field}"), r.get(field));
    }
    let publisher = r.get("publisher").and_then(Value::as_object);
    let name = publisher.and_then(|o| as_str(o.get("name")));
    let site = publisher.and_then(|o| as_str(o.get("site")));
    let Some(publisher_name) = name.or(site).filter(|n| !n.trim().is_empty()) else {
        p.add(
            &format!("{at}.publisher"),
            "the review has no publisher name or site",
        );
        return None;
    };
    let url = as_str(r.get("url"))
        .filter(|u| !u.trim().is_empty())
        .and_then(|u| p.check(&format!("{at}.url"), model::check_url(u)));
    let review_date = as_str(r.get("reviewDate"))
        .filter(|d| !d.trim().is_empty())
        .and_then(|d| p.check(&format!("{at}.reviewDate"), review::check_review_date(d)));
    Some(ReviewDraft {
        publisher: publisher_name.trim().to_owned(),
        site: text_value(p, &format!("{at}.publisher.site"), site),
        url,
        title: text_value(p, &format!("{at}.title"), as_str(r.get("title"))),
        review_date,
        rating: text_value(
            p,
            &format!("{at}.textualRating"),
            as_str(r.get("textualRating")),
        ),
        language: text_value(
            p,
            &format!("{at}.languageCode"),
            as_str(r.get("languageCode")),
        ),
        body: None,
    })
}
