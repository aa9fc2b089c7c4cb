//! The claim fields `add` and `edit` share, and how they become a patch.

use crate::error::InvalidValue;
use crate::model::{self, ClaimDate, ClaimPatch, Field, Qualifier};

/// Optional fields of a claim, as options.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ClaimFields {
    /// An English (or other) translation of the claim
    #[arg(long, allow_hyphen_values = true)]
    pub translation: Option<String>,
    /// The figure claimed, e.g. 1000 (Arabic-Indic digits are fine)
    #[arg(long, value_parser = model::parse_value, allow_hyphen_values = true)]
    pub value: Option<f64>,
    /// What the figure counts, e.g. fighters, usd_per_month
    #[arg(long)]
    pub unit: Option<String>,
    /// How the figure was stated
    #[arg(long, value_enum, ignore_case = true)]
    pub qualifier: Option<Qualifier>,
    /// Where it happened, e.g. "Moura, Mali"
    #[arg(long, allow_hyphen_values = true)]
    pub location: Option<String>,
    /// When it happened: YYYY, YYYY-MM or YYYY-MM-DD
    #[arg(long)]
    pub date: Option<ClaimDate>,
    /// The article the claim appeared in
    #[arg(long, value_parser = model::check_url)]
    pub article_url: Option<String>,
    /// The article's title
    #[arg(long, allow_hyphen_values = true)]
    pub article_title: Option<String>,
    /// A tag (repeat for more)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// A note on the claim
    #[arg(long, allow_hyphen_values = true)]
    pub note: Option<String>,
}

impl ClaimFields {
    /// The fields given, as a patch (for add, on top of an empty claim).
    pub fn to_patch(&self) -> Result<ClaimPatch, InvalidValue> {
        let text = |what: &'static str, v: &Option<String>| -> Result<_, InvalidValue> {
            match v {
                Some(s) => {
                    model::check_text(what, s)?;
                    Ok(Some((!s.is_empty()).then(|| s.clone())))
                }
                None => Ok(None),
            }
        };
        Ok(ClaimPatch {
            translation: text("a translation", &self.translation)?,
            value: self.value.map(Some),
            unit: text("a unit", &self.unit)?,
            qualifier: self.qualifier.map(Some),
            location: text("a location", &self.location)?,
            claim_date: self.date.clone().map(Some),
            article_url: self.article_url.clone().map(Some),
            article_title: text("an article title", &self.article_title)?,
            tags: if self.tags.is_empty() {
                None
            } else {
                Some(
                    self.tags
                        .iter()
                        .map(|t| model::list_item("a tag", t))
                        .collect::<Result<_, _>>()?,
                )
            },
            note: text("a note", &self.note)?,
            ..ClaimPatch::default()
        })
    }
}

/// Clears optional fields named by `edit --clear`.
pub fn clear(patch: &mut ClaimPatch, fields: &[Field]) -> Result<(), InvalidValue> {
    for field in fields {
        match field {
            Field::Translation => patch.translation = Some(None),
            Field::Value => patch.value = Some(None),
            Field::Unit => patch.unit = Some(None),
            Field::Qualifier => patch.qualifier = Some(None),
            Field::Location => patch.location = Some(None),
            Field::ClaimDate => patch.claim_date = Some(None),
            Field::ArticleUrl => patch.article_url = Some(None),
            Field::ArticleTitle => patch.article_title = Some(None),
            Field::Tags => patch.tags = Some(Vec::new()),
            Field::Note => patch.note = Some(None),
            other => {
                return Err(InvalidValue::new(
                    "a field that can be cleared",
                    other.as_str(),
                    "expected one of: translation, value, unit, qualifier, location, claim_date, \
                     article_url, article_title, tags, note",
                ))
            }
        }
    }
    Ok(())
}
