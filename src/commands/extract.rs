//! `claimdb extract`: candidate claims from an article, in the CSV that `import` reads.

use std::io::Read;
use std::path::PathBuf;

use anyhow::Context;

use crate::error::{InvalidValue, UserError};
use crate::extract::{self, Candidate, Lang, Options, Row};
use crate::figure;
use crate::output::Output;
use crate::store::Store;

/// The language of the article's cues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LangArg {
    /// Arabic
    Ar,
    /// English
    En,
    /// Each sentence's script decides
    Auto,
}

/// `claimdb extract FILE|- [--lang ar|en|auto] [--published DATE] [--min-score S] [--check]`
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  claimdb extract article.txt --published 2022-04-10 > candidates.csv\n  \
    claimdb import --dry-run candidates.csv && claimdb import candidates.csv\n  \
    curl -s https://example.org/story.txt | claimdb extract - --lang en --format table\n  \
    claimdb extract article.txt --check --min-score 0.5\n\n\
    Each candidate is a sentence of the article, or a clause when a sentence gives two sources,\n\
    copied exactly. Its claimant follows the attribution words: بحسب، وفقاً لـ، قال، أكد،\n\
    أشار، ذكر، أفاد، نقل … عن، أعلن، اتهم، نفى، كشف، وصف، يعتقد…; according to, said, told,\n\
    reported, claimed, denied, estimated, accused…. \"The ministry\", المنظمة, \"it added\" mean\n\
    the source named last. With no such words the claimant is \"Article (unattributed)\". A\n\
    denial names the rebutted party in disputed_by when the sentence does. Figures are read as\n\
    `claimdb add --figure` reads them; claim_date comes from the sentence's date words, read\n\
    against --published (\"5 يناير الماضي\", \"أواخر مارس\", \"last March\", \"on Saturday\")\n\
    and never more precise than they are. The note says which words made each candidate and\n\
    its score: 0.3 for a statement, +0.4 with a named source, +0.2 with figures, +0.1 with a\n\
    date; a question scores 0.1.\n\n\
    extract never writes to the database. When the database exists, a claimant that is a\n\
    stored source or alias is written as that source. --check needs the database: it marks\n\
    candidates that look like a stored claim, or whose figures conflict with a similar stored\n\
    claim's, in the note (and in a `check` field in JSON)."
)]
pub struct Args {
    /// The article as plain text (UTF-8); - reads stdin
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The language of its attribution words
    #[arg(long, value_enum, default_value = "auto")]
    pub lang: LangArg,
    /// The article's publication date (YYYY-MM-DD), to resolve "last March" or "on Saturday"
    #[arg(long, value_name = "DATE")]
    pub published: Option<String>,
    /// The article's address, for the article_url column
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The article's title, for the article_title column
    #[arg(long, value_name = "TITLE")]
    pub title: Option<String>,
    /// Only candidates scoring at least this (0 to 1)
    #[arg(long, value_name = "S", default_value_t = 0.0)]
    pub min_score: f64,
    /// Mark candidates that look like stored claims or conflict with their figures
    #[arg(long)]
    pub check: bool,
}

/// Reads the article, extracts, resolves names against the store when there is one, prints.
pub fn exec(args: Args, store: Option<&Store>, out: &mut Output) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&args.min_score) {
        return Err(UserError::Invalid(InvalidValue::new(
            "--min-score",
            args.min_score.to_string(),
            "a score from 0 to 1, e.g. 0.5",
        ))
        .into());
    }
    let published = args
        .published
        .as_deref()
        .map(|text| {
            text.trim().parse::<jiff::civil::Date>().map_err(|_| {
                UserError::Invalid(InvalidValue::new(
                    "--published",
                    text,
                    "a date as YYYY-MM-DD, e.g. 2022-04-10",
                ))
            })
        })
        .transpose()?;
    let label = args.file.display().to_string();
    let mut bytes = Vec::new();
    if label == "-" {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("failed to read the article from stdin")?;
    } else {
        bytes = std::fs::read(&args.file)
            .with_context(|| format!("failed to read the article {label}"))?;
    }
    let article = String::from_utf8(bytes).map_err(|e| {
        UserError::Refused(format!(
            "{label} is not UTF-8 text (invalid bytes at byte {}); save the article as UTF-8",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let options = Options {
        lang: match args.lang {
            LangArg::Ar => Some(Lang::Ar),
            LangArg::En => Some(Lang::En),
            LangArg::Auto => None,
        },
        published,
    };
    if let (true, Some(store)) = (args.check, store) {
        if !store.has_word_index() {
            return Err(crate::store::not_in_team_mode());
        }
    }
    let candidates = extract::extract(&article, &options);
    let mut rows = Vec::new();
    for candidate in candidates.into_iter().filter(|c| c.score >= args.min_score) {
        let mut row = to_row(candidate.clone(), &args, store);
        if let (true, Some(store)) = (args.check, store) {
            row.check = check(store, &candidate)?;
            if let Some(found) = &row.check {
                row.note.push_str(&format!("; check: {found}"));
            }
        }
        rows.push(row);
    }
    if rows.is_empty() {
        out.note(format!(
            "no candidate claims in {label} (at --min-score {})",
            args.min_score
        ));
    }
    out.candidates(&rows)
}

/// What a stored claim says about a candidate: the most similar one, and whether their
/// figures conflict.
fn check(store: &Store, candidate: &Candidate) -> anyhow::Result<Option<String>> {
    let similar = store.similar_to_text(&candidate.text, None, &candidate.figures, 3)?;
    if let Some(s) = similar.iter().find(|s| s.conflict.is_some()) {
        return Ok(Some(format!(
            "figures conflict with claim {} ({})",
            s.claim.id,
            s.conflict.as_deref().unwrap_or_default()
        )));
    }
    Ok(similar.first().map(|s| {
        format!(
            "looks like claim {} (similarity {})",
            s.claim.id, s.similarity
        )
    }))
}

fn to_row(candidate: Candidate, args: &Args, store: Option<&Store>) -> Row {
    let resolve = |name: &str| -> String {
        let Some(store) = store else {
            return name.to_owned();
        };
        let bare: String = name
            .chars()
            .filter(|c| !matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}'))
            .collect();
        let found = [name, bare.as_str()]
            .into_iter()
            .find_map(|n| store.source(n).ok());
        found.map_or_else(|| name.to_owned(), |s| s.name)
    };
    let mut note = candidate.note;
    let claimant = resolve(&candidate.claimant);
    if claimant != candidate.claimant {
        note.push_str(&format!(
            "; {:?} is the stored source {claimant:?}",
            candidate.claimant
        ));
    }
    Row {
        text: candidate.text,
        translation: String::new(),
        claimant,
        supported_by: String::new(),
        disputed_by: candidate
            .disputed_by
            .iter()
            .map(|d| resolve(d))
            .collect::<Vec<_>>()
            .join(";"),
        status: "unverified".into(),
        figures: figure::format_list(&candidate.figures),
        location: String::new(),
        claim_date: candidate.claim_date.unwrap_or_default(),
        article_url: args.url.clone().unwrap_or_default(),
        article_title: args.title.clone().unwrap_or_default(),
        tags: String::new(),
        note,
        score: candidate.score,
        check: None,
    }
}
