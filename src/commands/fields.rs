//! The claim fields `add` and `edit` share, and how they become a patch.

use crate::error::InvalidValue;
use crate::figure::{self, Figure};
use crate::model::{self, ClaimDate, ClaimPatch, Field, FigureEdit, Qualifier};

/// The figure syntax, for the help of `add` and `edit` (a macro so that `concat!` can join it).
macro_rules! figure_help {
    () => {
        "FIGURES: [QUAL]LOW[-HIGH] [UNIT] [[WORDS]]\n  \
        QUAL: none or = exact, ~ approx, > more than, >= at least, < less than, <= at most\n  \
        LOW-HIGH: a range (200-999); Arabic-Indic digits, 1,000 and 1/3 are read too\n  \
        UNIT: what is counted (soldiers, civilians killed, usd_per_month)\n  \
        [WORDS]: the claim's own words for the figure\n  \
        e.g. '~200 soldiers [نحو 200 جندي]', '>=100 men', '200-999 civilians [مئات المدنيين]'\n\
        Words as written are read too, and kept as WORDS: نحو، حوالي، قرابة، زهاء (about);\n\
        أكثر من، ما يزيد على (more than); لا يقل عن (at least); لا يتجاوز، لا يزيد على (at most);\n\
        أقل من (less than); ألف، آلاف، مليون، ملايين، مئة، ثلث، نصف; the dual (مروحيتين = 2);\n\
        about, more than, at least, up to, fewer than, a third, half, $10 million a month.\n\
        Vague counts are ranges: dozens/عشرات 24-99, hundreds/مئات 200-999, thousands/آلاف\n\
        2000-9999, tens of thousands/عشرات الآلاف 20000-99999."
    };
}
pub(crate) use figure_help as FIGURE_HELP;

/// Optional fields of a claim, as options.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ClaimFields {
    /// An English (or other) translation of the claim
    #[arg(long, allow_hyphen_values = true)]
    pub translation: Option<String>,
    /// A figure the claim states (repeat for more): '~200 soldiers', '>=100 men', '200-999
    /// civilians', or as written: 'نحو ألف مقاتل', 'more than 500 dead' (see FIGURES below)
    #[arg(long = "figure", value_name = "FIGURE", value_parser = figure::parse, allow_hyphen_values = true)]
    pub figures: Vec<Figure>,
    /// The value of the claim's first figure, e.g. 1000 (Arabic-Indic digits are fine)
    #[arg(long, value_parser = model::parse_value, allow_hyphen_values = true)]
    pub value: Option<f64>,
    /// What the first figure counts, e.g. fighters, usd_per_month
    #[arg(long)]
    pub unit: Option<String>,
    /// How the first figure was stated
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
        let mut figure_edits = Vec::new();
        let unit = text("a unit", &self.unit)?.map(|u| u.map(|u| u.trim().to_owned()));
        if self.value.is_some() || unit.is_some() || self.qualifier.is_some() {
            figure_edits.push(FigureEdit::First {
                value: self.value,
                unit,
                qualifier: self.qualifier,
            });
        }
        figure_edits.extend(self.figures.iter().cloned().map(FigureEdit::Add));
        Ok(ClaimPatch {
            translation: text("a translation", &self.translation)?,
            figure_edits,
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
            Field::Figures | Field::Value => patch.figures = Some(Vec::new()),
            Field::Unit => patch.figure_edits.push(FigureEdit::ResetFirst {
                unit: true,
                qualifier: false,
            }),
            Field::Qualifier => patch.figure_edits.push(FigureEdit::ResetFirst {
                unit: false,
                qualifier: true,
            }),
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
                    "expected one of: translation, figures (also value), unit, qualifier, \
                     location, claim_date, article_url, article_title, tags, note",
                ))
            }
        }
    }
    Ok(())
}
