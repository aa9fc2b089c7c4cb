//! `claimdb import --from claimreview|factcheck-api|liar`: claims with their published reviews.

use std::collections::HashMap;
use std::io::{BufReader, Read};

use super::{is_user_error, Args, From};
use crate::claim_csv::CsvOptions;
use crate::commands::Ctx;
use crate::error::UserError;
use crate::formats::{claimreview, factcheck_api, liar, Defaults, Parsed, RecordProblem};
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
    /// Duplicates whose values differ from the stored review: (where, fields).
    conflicts: Vec<(String, Vec<&'static str>)>,
    /// Reviews whose rating text the map does not know, by text.
    unmapped: HashMap<String, u64>,
    problems: usize,
}

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
    let input = BufReader::with_capacity(1 << 16, input);
    let mut ignored = 0usize;
    let (unit, records): (&str, Box<dyn Iterator<Item = (u64, Parsed)>>) = match args.from {
        From::Liar => ("line", Box::new(liar::LiarReader::new(input, defaults))),
        From::ClaimReview => {
            let nodes = claimreview::nodes(read_json(&name, input)?);
            let total = nodes.len();
            let records: Vec<(u64, Parsed)> = nodes
                .iter()
                .enumerate()
                .filter(|(_, n)| claimreview::is_claim_review(n))
                .map(|(i, n)| {
                    let number = i as u64 + 1;
                    (number, claimreview::record(number, n, &defaults))
                })
                .collect();
            ignored = total - records.len();
            ("record", Box::new(records.into_iter()))
        }
        From::FactcheckApi => {
            let claims = factcheck_api::claims(read_json(&name, input)?)
                .map_err(|why| UserError::Refused(format!("{name}: {why}")))?;
            let records: Vec<(u64, Parsed)> = claims
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let number = i as u64 + 1;
                    (number, factcheck_api::record(number, c, &defaults))
                })
                .collect();
            ("record", Box::new(records.into_iter()))
        }
        From::Csv => unreachable!("CSV is imported by import::exec"),
    };
    let map = ctx.store.rating_map()?;
    let report = |problem: &RecordProblem| ctx.out.warn(problem.describe(&name));
    let dry_run = args.dry_run;
    let (counts, new_sources) = ctx.store.import(&ctx.actor, |importer| {
        let mut counts = Counts::default();
        for (number, parsed) in records {
            counts.records += 1;
            let record = match parsed {
                Ok(record) => record,
                Err(problems) => {
                    counts.problems += problems.len();
                    problems.iter().for_each(report);
                    continue;
                }
            };
            let origin = format!("{name} {unit} {number}");
            let mut one = || -> anyhow::Result<()> {
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
                            counts.conflicts.push((origin.clone(), fields));
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
            match one() {
                Ok(()) => {}
                Err(e) if is_user_error(&e) => {
                    counts.problems += 1;
                    report(&RecordProblem {
                        unit: if unit == "line" { "line" } else { "record" },
                        number,
                        field: None,
                        message: format!("{e:#}"),
                    });
                }
                Err(e) => return Err(e.context(origin)),
            }
        }
        let keep = counts.problems == 0 && !dry_run;
        Ok((counts, keep))
    })?;
    if counts.problems > 0 {
        return Err(UserError::ImportRejected(counts.problems).into());
    }
    summarise(ctx, &name, &counts, &new_sources, ignored, dry_run);
    Ok(())
}

fn read_json(name: &str, input: impl Read) -> anyhow::Result<serde_json::Value> {
    serde_json::from_reader(input).map_err(|e| {
        UserError::Refused(format!(
            "{name} line {}, column {}: not readable as JSON: {e}",
            e.line(),
            e.column()
        ))
        .into()
    })
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
        crate::commands::warn_near_sources(ctx, new_sources);
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
    if counts.conflicts.len() > 5 {
        ctx.out.note(format!(
            "note: … and {} more such review(s)",
            counts.conflicts.len() - 5
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
        counts.conflicts.len(),
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
             claims stay unverified); most frequent: {}. Map one with `claimdb ratings map TEXT \
             STATUS` and import again.",
            counts.unmapped.len(),
            shown.join(", ")
        ));
    }
}
