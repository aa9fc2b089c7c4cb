//! The fact-checking world's formats: schema.org ClaimReview (JSON-LD) in and out, the Google
//! Fact Check Tools `claims:search` JSON, and the LIAR data set (PolitiFact, TSV).
//!
//! Each reader turns a file into numbered [`Record`]s, a claim and its reviews, checked field by
//! field; `commands/import.rs` feeds them to the store in one transaction.

pub mod claimreview;
pub mod factcheck_api;
pub mod liar;
pub mod stream;

use serde_json::Value;

use crate::error::InvalidValue;
use crate::model;
use crate::review::ReviewDraft;
use crate::store::ImportRow;

/// One claim of a fact-check file with the reviews the file gives for it.
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// The claim's fields the file has (text and claimant always).
    pub claim: ImportRow,
    pub reviews: Vec<ReviewDraft>,
}

/// A problem with one record, located for the user: the record (or line) and the field.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordProblem {
    /// "record" for JSON formats (the n-th claim object), "line" for line-based ones.
    pub unit: &'static str,
    pub number: u64,
    /// The field, as the file names it: `claimReview[1].url`, `statement`.
    pub field: Option<String>,
    pub message: String,
}

impl RecordProblem {
    /// "claims.json record 12, field claimReview[0].url: …"
    pub fn describe(&self, file: &str) -> String {
        match &self.field {
            Some(field) => format!(
                "{file} {} {}, field {field}: {}",
                self.unit, self.number, self.message
            ),
            None => format!("{file} {} {}: {}", self.unit, self.number, self.message),
        }
    }
}

/// The problem of a record without a claimant: the one problem a flag fixes for every record.
pub const CLAIMANT_MISSING: &str =
    "the claimant is missing; it is required (give one for such records with --default \
     claimant=NAME)";

/// Values a file lacks, given on the command line (`--default claimant=NAME`).
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    pub claimant: Option<String>,
}

/// A record's outcome: the record, or every problem found in it.
pub type Parsed = Result<Record, Vec<RecordProblem>>;

/// Collects the problems of one record.
struct Problems {
    unit: &'static str,
    number: u64,
    list: Vec<RecordProblem>,
}

impl Problems {
    fn new(unit: &'static str, number: u64) -> Self {
        Problems {
            unit,
            number,
            list: Vec::new(),
        }
    }

    fn add(&mut self, field: &str, message: impl ToString) {
        self.list.push(RecordProblem {
            unit: self.unit,
            number: self.number,
            field: (!field.is_empty()).then(|| field.to_owned()),
            message: message.to_string(),
        });
    }

    /// The value, or `None` with the problem noted.
    fn check<T>(&mut self, field: &str, result: Result<T, InvalidValue>) -> Option<T> {
        result.map_err(|e| self.add(field, e)).ok()
    }

    fn finish(self, record: Record) -> Parsed {
        if self.list.is_empty() {
            Ok(record)
        } else {
            Err(self.list)
        }
    }
}

/// The claim part of a record: its text (kept exactly) and claimant (or the default).
fn claim_row(
    problems: &mut Problems,
    (text_field, text): (&str, Option<&str>),
    (claimant_field, claimant): (&str, Option<&str>),
    defaults: &Defaults,
) -> ImportRow {
    let mut row = ImportRow::default();
    match text {
        Some(text) if !text.trim().is_empty() => {
            if problems
                .check(text_field, model::check_text("claim text", text))
                .is_some()
            {
                row.patch.text = Some(text.to_owned());
            }
        }
        _ => problems.add(
            text_field,
            "the claim text is missing or empty; it is required",
        ),
    }
    let claimant = claimant
        .filter(|c| !c.trim().is_empty())
        .or(defaults.claimant.as_deref());
    match claimant {
        Some(name) => {
            row.patch.claimant =
                problems.check(claimant_field, model::list_item("a claimant", name));
        }
        None => problems.add(claimant_field, CLAIMANT_MISSING),
    }
    row
}

/// A text field kept exactly as written; an empty text is no value.
fn text_value(problems: &mut Problems, field: &str, value: Option<&str>) -> Option<String> {
    let text = value.filter(|t| !t.is_empty())?;
    problems
        .check(field, model::check_text("a text field", text))
        .map(|_| text.to_owned())
}

/// The string in a JSON value, if it is one.
fn as_str(value: Option<&Value>) -> Option<&str> {
    value.and_then(Value::as_str)
}

/// A JSON-LD value that may be one thing or a list of them: the first.
fn first(value: Option<&Value>) -> Option<&Value> {
    match value? {
        Value::Array(items) => items.first(),
        other => Some(other),
    }
}

/// The name of a person or organisation: a plain string, or an object's `name`.
fn name_of(value: Option<&Value>) -> Option<&str> {
    match first(value)? {
        Value::String(s) => Some(s),
        Value::Object(o) => o.get("name").and_then(Value::as_str),
        _ => None,
    }
}

/// A JSON value that should be a string but is not, for messages.
fn wrong_type(problems: &mut Problems, field: &str, value: Option<&Value>) {
    if let Some(v) = value.filter(|v| !v.is_null() && !v.is_string()) {
        problems.add(field, format!("expected a string, found {}", shown(v)));
    }
}

/// How much of a wrong value a message quotes.
const SHOWN_CHARS: usize = 80;

/// A JSON value for a message, cut to [`SHOWN_CHARS`]: a wrong value may be a whole nested
/// document, and a message per record must stay small.
fn shown(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{}… ({} bytes)", &text[..cut], text.len()),
        None => text,
    }
}
