//! `claimdb import --from claimreview|factcheck-api|liar`: claims with their published reviews.

use std::collections::HashMap;
use std::io::{BufReader, Read};

use super::{is_user_error, Args, From};
use crate::claim_csv::CsvOptions;
use crate::commands::Ctx;
use crate::error::UserError;
use crate::formats::stream::{self, Shape, Stopped};
use crate::formats::{
    claimreview, factcheck_api, liar, Defaults, Parsed, RecordProblem, CLAIMANT_MISSING,
};
use crate::model::Field;
use crate::store::{Imported, ReviewImported};
use crate::table::truncate;

#[derive(Debug, Default)]
struct Counts {
    records: u64,
    added: u64,
    updated: u64,
    unchanged: u64,
    reviews_added: u64,
    reviews_filled: u64,
    duplicates: u64,
    /// Duplicates whose values differ from the stored review: (where, fields), the first
    /// [`CONFLICTS_SHOWN`] of them.
    conflicts: Vec<(String, Vec<&'static str>)>,
    /// How many duplicates differ from the stored review.
    conflicting: u64,
    /// JSON-LD nodes that are not ClaimReviews.
    ignored: usize,
    /// Reviews whose rating text the map does not know, by text.
    unmapped: HashMap<String, u64>,
    problems: usize,
}

/// How many problems an import prints; the rest are counted.
const PROBLEMS_SHOWN: usize = 100;

/// How many differing duplicates the summary names.
const CONFLICTS_SHOWN: usize = 5;

/// Imports a fact-check file in one transaction, or reports every problem and writes nothing.
pub fn exec(
    args: &Args,
    options: CsvOptions,
    name: String,
    input: Box<dyn Read>,
    ctx: &mut Ctx,
) -> anyhow::Result<()> {
    let defaults = Defaults {
        claimant: options
            .defaults
            .into_iter()
            .find(|(f, _)| *f == Field::Claimant)
            .map(|(_, v)| v),
    };
    let mut input = BufReader::with_capacity(1 << 16, input);
    let start = std::io::BufRead::fill_buf(&mut input)?;
    if start.starts_with(b"\xFF\xFE") || start.starts_with(b"\xFE\xFF") {
        return Err(UserError::Refused(format!(
            "{name} is UTF-16 (it starts with a UTF-16 byte order mark); claimdb reads UTF-8: \
             save it as UTF-8"
        ))
        .into());
    }
    let map = ctx.store.rating_map()?;
    let mut log = ProblemLog::default();
    let out = &ctx.out;
    let mut report = |problem: &RecordProblem| log.report(out, &name, problem);
    let dry_run = args.dry_run;
    let unit = if args.from == From::Liar {
        "line"
    } else {
        "record"
    };
    let (counts, new_sources) = ctx.store.import(&ctx.actor, |importer| {
        let mut counts = Counts::default();
        // One record into the import: its claim, its reviews, the status they settle.
        let mut take = |number: u64, parsed: Parsed, counts: &mut Counts| -> anyhow::Result<()> {
            counts.records += 1;
            let record = match parsed {
                Ok(record) => record,
                Err(problems) => {
                    counts.problems += problems.len();
                    problems.iter().for_each(&mut report);
                    return Ok(());
                }
            };
            let origin = format!("{name} {unit} {number}");
            let mut one = |counts: &mut Counts| -> anyhow::Result<()> {
                let imported = importer.fill(&record.claim, &origin)?;
                let id = match imported {
                    Imported::Added(id) | Imported::Updated(id) | Imported::Unchanged(id) => id,
                };
                for review in &record.reviews {
                    if let Some(rating) = review.rating.as_deref() {
                        if map.status_for(rating).is_none() {
                            *counts.unmapped.entry(rating.to_owned()).or_default() += 1;
                        }
                    }
                    match importer.add_review(id, review, &origin)? {
                        ReviewImported::Added => counts.reviews_added += 1,
                        ReviewImported::Filled => counts.reviews_filled += 1,
                        ReviewImported::Duplicate => counts.duplicates += 1,
                        ReviewImported::Conflict(fields) => {
                            counts.duplicates += 1;
                            if counts.conflicts.len() < CONFLICTS_SHOWN {
                                counts.conflicts.push((origin.clone(), fields));
                            }
                            counts.conflicting += 1;
                        }
                    }
                }
                let settled = importer.settle_status(id, &map, &origin)?.is_some();
                match imported {
                    Imported::Added(_) => counts.added += 1,
                    Imported::Updated(_) => counts.updated += 1,
                    Imported::Unchanged(_) if settled => counts.updated += 1,
                    Imported::Unchanged(_) => counts.unchanged += 1,
                }
                Ok(())
            };
            match one(counts) {
                Ok(()) => Ok(()),
                Err(e) if is_user_error(&e) => {
                    counts.problems += 1;
                    report(&RecordProblem {
                        unit,
                        number,
                        field: None,
                        message: format!("{e:#}"),
                    });
                    Ok(())
                }
                Err(e) => Err(e.context(origin)),
            }
        };
        match args.from {
            From::Liar => {
                for (number, parsed) in liar::LiarReader::new(input, defaults.clone()) {
                    take(number, parsed, &mut counts)?;
                }
            }
            From::ClaimReview | From::FactcheckApi => {
                // Streamed: one record in memory at a time, whatever the file's size.
                let shape = if args.from == From::ClaimReview {
                    Shape::JsonLd
                } else {
                    Shape::FactcheckApi
                };
                let mut number = 0;
                let read = stream::for_each_record(input, shape, &mut |value| {
                    number += 1;
                    let parsed = if shape == Shape::JsonLd {
                        if !claimreview::is_claim_review(&value) {
                            counts.ignored += 1;
                            return Ok(());
                        }
                        claimreview::record(number, &value, &defaults)
                    } else {
                        factcheck_api::record(number, &value, &defaults)
                    };
                    take(number, parsed, &mut counts)
                });
                match read {
                    Ok(()) => {}
                    Err(Stopped::Visit(e)) => return Err(e),
                    Err(Stopped::Json(e)) => {
                        return Err(UserError::Refused(format!(
                            "{name} line {}, column {}: not readable as {}: {e}; nothing was \
                             written",
                            e.line(),
                            e.column(),
                            if shape == Shape::JsonLd {
                                "JSON-LD"
                            } else {
                                "Fact Check API JSON"
                            }
                        ))
                        .into())
                    }
                }
            }
            From::Csv | From::Json => unreachable!("CSV and dumps are imported by import::exec"),
        }
        let keep = counts.problems == 0 && !dry_run;
        Ok((counts, keep))
    })?;
    if counts.problems > 0 {
        log.finish(&ctx.out, &name);
        if log.claimant_missing > 0 {
            return Err(UserError::Refused(format!(
                "the import found {} problem(s) (listed above); nothing was written. {} \
                 record(s) have no claimant: add --default claimant=NAME to import them",
                counts.problems, log.claimant_missing
            ))
            .into());
        }
        return Err(UserError::ImportRejected(counts.problems).into());
    }
    summarise(ctx, &name, &counts, &new_sources, counts.ignored, dry_run);
    Ok(())
}

/// Problems as they are reported: each kind of problem (the same field and message) is shown
/// for its first few records, and counted after that, so that a file of a thousand records
/// without a claimant prints five lines and a count, not a thousand lines.
#[derive(Default)]
struct ProblemLog {
    /// Records with each (field, message), in the order first seen.
    seen: Vec<((Option<String>, String), u64)>,
    claimant_missing: u64,
    /// Problems listed so far, of every kind: a file of many kinds of bad records must not
    /// flood the terminal either.
    shown: usize,
    /// Problems that were not listed because `shown` reached its limit.
    unshown: usize,
}

impl ProblemLog {
    /// How many records of one kind of problem are listed.
    const SHOWN: u64 = 5;

    fn report(&mut self, out: &crate::output::Output, file: &str, problem: &RecordProblem) {
        if problem.message == CLAIMANT_MISSING {
            self.claimant_missing += 1;
        }
        let kind = (problem.field.clone(), problem.message.clone());
        let count = match self.seen.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                // Bounded: past a thousand kinds, each new kind is shown but not tracked.
                if self.seen.len() < 1000 {
                    self.seen.push((kind, 1));
                }
                1
            }
        };
        if count <= Self::SHOWN {
            if self.shown < PROBLEMS_SHOWN {
                self.shown += 1;
                out.warn(problem.describe(file));
            } else {
                self.unshown += 1;
            }
        }
    }

    /// Counts the problems that were not listed, one line per kind.
    fn finish(&self, out: &crate::output::Output, file: &str) {
        for ((field, message), n) in &self.seen {
            if *n > Self::SHOWN {
                let field = field
                    .as_ref()
                    .map(|f| format!("field {f}: "))
                    .unwrap_or_default();
                out.warn(format!(
                    "{file}: … and {} more record(s) with the same problem ({field}{message})",
                    n - Self::SHOWN
                ));
            }
        }
        if self.unshown > 0 {
            out.warn(format!(
                "{file}: … and {} more problem(s) not shown",
                self.unshown
            ));
        }
    }
}

fn summarise(
    ctx: &Ctx,
    name: &str,
    counts: &Counts,
    new_sources: &[String],
    ignored: usize,
    dry_run: bool,
) {
    let would = if dry_run { "would be " } else { "" };
    if !new_sources.is_empty() {
        ctx.out.note(format!(
            "note: {} new source(s) {would}created (kind other)",
            new_sources.len()
        ));
        crate::commands::warn_about_new_sources(ctx, new_sources);
    }
    if ignored > 0 {
        ctx.out.note(format!(
            "note: {ignored} JSON-LD node(s) that are not a ClaimReview were ignored"
        ));
    }
    for (origin, fields) in counts.conflicts.iter().take(5) {
        ctx.out.note(format!(
            "note: {origin}: a review already stored differs in {}; the stored one is kept",
            fields.join(", ")
        ));
    }
    if counts.conflicting > counts.conflicts.len() as u64 {
        ctx.out.note(format!(
            "note: … and {} more such review(s)",
            counts.conflicting - counts.conflicts.len() as u64
        ));
    }
    ctx.out.note(format!(
        "{name}: {} record(s): claims {} {would}added, {} {would}updated, {} unchanged; reviews \
         {} {would}added, {} {would}completed, {} duplicate(s) ({} differing from the stored \
         review){}",
        counts.records,
        counts.added,
        counts.updated,
        counts.unchanged,
        counts.reviews_added,
        counts.reviews_filled,
        counts.duplicates,
        counts.conflicting,
        if dry_run {
            " (dry run: nothing was written)"
        } else {
            ""
        }
    ));
    let unmapped: u64 = counts.unmapped.values().sum();
    if unmapped > 0 {
        let mut top: Vec<(&String, &u64)> = counts.unmapped.iter().collect();
        top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let shown: Vec<String> = top
            .iter()
            .take(5)
            .map(|(text, n)| format!("{:?} ×{n}", truncate(text, 50)))
            .collect();
        ctx.out.note(format!(
            "unmapped ratings: {unmapped} review(s), {} distinct text(s), kept verbatim (their \
             claims stay unverified); most frequent: {}. `claimdb ratings unmapped` lists them all; \
             `claimdb ratings map TEXT STATUS` maps one and re-rates the stored claims.",
            counts.unmapped.len(),
            shown.join(", ")
        ));
    }
}
