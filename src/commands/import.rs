//! `claimdb import`: claims from claimdb's CSV format, all or nothing.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::PathBuf;

use anyhow::Context;

use super::Ctx;
use crate::claim_csv::{ClaimReader, Problem};
use crate::duplicates;
use crate::error::{InvalidValue, UserError};
use crate::store::Imported;

/// `claimdb import FILE|- [--dry-run]`
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  claimdb import claims.csv\n  claimdb import --dry-run new.csv\n  \
    claimdb export | claimdb --db copy.db import -\n\n\
    Columns (header required, any order): id, uid, text, translation, claimant, supported_by,\n\
    disputed_by, status, value, unit, qualifier, location, claim_date, article_url, article_title,\n\
    tags, note, created_at, created_by, updated_at, updated_by. text and claimant are required.\n\
    A row whose uid exists (or, without uid, whose text and claimant match) updates that claim."
)]
pub struct Args {
    /// The CSV file, or - for standard input
    pub file: PathBuf,
    /// Check every row and report what would happen (and rows that look like stored claims),
    /// writing nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Default)]
struct Counts {
    added: u64,
    updated: u64,
    unchanged: u64,
    problems: usize,
    /// Likely duplicates of stored claims (reported by --dry-run).
    duplicates: u64,
}

/// How many likely duplicates a dry run names per row.
const DUPLICATES_SHOWN: usize = 3;

/// Imports the file in one transaction, or reports every problem and writes nothing.
pub fn exec(args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let (name, input): (String, Box<dyn Read>) = if args.file.as_os_str() == "-" {
        ("stdin".to_owned(), Box::new(io::stdin().lock()))
    } else {
        let path = &args.file;
        if path.is_dir() {
            return Err(UserError::Refused(format!(
                "{} is a directory; give the path of a CSV file",
                path.display()
            ))
            .into());
        }
        let file =
            File::open(path).with_context(|| format!("failed to open {}", path.display()))?;
        (path.display().to_string(), Box::new(file))
    };
    let report = |problem: &Problem| ctx.out.warn(problem.describe(&name));
    let report_duplicate = |line: u64, other: i64, similarity: f64| {
        ctx.out.warn(format!(
            "{name} line {line} looks like stored claim {other} (similarity {:.2}); \
             `claimdb show {other}` to compare",
            duplicates::round(similarity)
        ))
    };
    let mut reader = match ClaimReader::new(BufReader::with_capacity(1 << 16, input)) {
        Ok(reader) => reader,
        Err(problems) => {
            problems.iter().for_each(report);
            return Err(UserError::ImportRejected(problems.len()).into());
        }
    };
    let dry_run = args.dry_run;
    let (counts, new_sources) = ctx.store.import(&ctx.actor, |importer| {
        let mut counts = Counts::default();
        while let Some((line, row)) = reader.next_row() {
            let row = match row {
                Ok(row) => row,
                Err(problems) => {
                    counts.problems += problems.len();
                    problems.iter().for_each(report);
                    continue;
                }
            };
            match importer.upsert(&row, &format!("{name} line {line}")) {
                Ok(Imported::Added(id)) => {
                    counts.added += 1;
                    if dry_run {
                        for (other, similarity) in importer.similar_stored(id, DUPLICATES_SHOWN)? {
                            counts.duplicates += 1;
                            report_duplicate(line, other, similarity);
                        }
                    }
                }
                Ok(Imported::Updated(_)) => counts.updated += 1,
                Ok(Imported::Unchanged(_)) => counts.unchanged += 1,
                Err(e) if is_user_error(&e) => {
                    counts.problems += 1;
                    report(&Problem {
                        line,
                        column: None,
                        message: format!("{e:#}"),
                    });
                }
                Err(e) => return Err(e.context(format!("{name} line {line}"))),
            }
        }
        let keep = counts.problems == 0 && !dry_run;
        Ok((counts, keep))
    })?;
    if counts.problems > 0 {
        return Err(UserError::ImportRejected(counts.problems).into());
    }
    let verb = if dry_run { "would be" } else { "" };
    if !new_sources.is_empty() {
        ctx.out.note(format!(
            "note: {} new source(s) {}created (kind other): {}",
            new_sources.len(),
            if dry_run { "would be " } else { "" },
            new_sources.join(", ")
        ));
    }
    let total = counts.added + counts.updated + counts.unchanged;
    ctx.out.note(
        format!(
            "{name}: {total} row(s): {} {verb} added, {} {verb} updated, {} unchanged{}",
            counts.added,
            counts.updated,
            counts.unchanged,
            if dry_run {
                format!(
                    "{} (dry run: nothing was written)",
                    if counts.duplicates > 0 {
                        format!(
                            "; {} likely duplicate(s) of stored claims",
                            counts.duplicates
                        )
                    } else {
                        String::new()
                    }
                )
            } else {
                String::new()
            }
        )
        .replace("  ", " "),
    );
    Ok(())
}

/// A problem with one row, as opposed to a failure of the database or the disk.
fn is_user_error(e: &anyhow::Error) -> bool {
    e.downcast_ref::<UserError>().is_some() || e.downcast_ref::<InvalidValue>().is_some()
}
