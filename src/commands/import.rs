//! `claimdb import`: claims from claimdb's CSV format or a fact-check format, all or nothing.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::PathBuf;

use anyhow::Context;

mod dump;
mod reviews;

use super::Ctx;
use crate::claim_csv::{ClaimReader, CsvOptions, Problem};
use crate::duplicates;
use crate::error::{InvalidValue, UserError};
use crate::model::Field;
use crate::store::{ImportRow, Imported};

/// The formats `import --from` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum From {
    /// claimdb's CSV format (header required; see --rename and --default)
    Csv,
    /// schema.org ClaimReview JSON-LD: one object, an array, or a @graph
    #[value(name = "claimreview")]
    ClaimReview,
    /// Google Fact Check Tools claims:search JSON (a "claims" array, or a bare array)
    FactcheckApi,
    /// The LIAR data set: 14 tab-separated columns, no header
    Liar,
    /// A claimdb dump (`export --format json` or `jsonl`), restored into an empty database
    Json,
}

/// `claimdb import FILE|- [--dry-run]`
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  claimdb import claims.csv\n  claimdb import --dry-run new.csv\n  \
    claimdb export | claimdb --db copy.db import -\n  \
    claimdb import --rename claim_s=text --rename fake_flag= --default claimant=ANS test.csv\n  \
    claimdb import --from factcheck-api --default claimant='unknown' claim_reviews.json\n  \
    claimdb import --from claimreview desk.jsonld\n  claimdb import --from liar test.tsv\n  \
    claimdb --db new.db import --from json desk.json\n\n\
    Columns (header required, any order): id, uid, text, translation, claimant, supported_by,\n\
    disputed_by, status, figures, location, claim_date, article_url, article_title, tags, note,\n\
    created_at, created_by, updated_at, updated_by. text and claimant are required. figures holds\n\
    a claim's figures separated by '; ' (see `claimdb add --help`); older files with value, unit\n\
    and qualifier columns import as one figure.\n\
    A row whose uid exists (or, without uid, whose text and claimant match) updates that claim.\n\n\
    Fact-check formats (claimreview, factcheck-api, liar) bring claims with their published\n\
    reviews. A claim already there (same text and claimant) only gets the fields it lacks; a\n\
    review already there (same url on the claim, or same publisher when there is no url) is a\n\
    duplicate. A claim still unverified takes the status its reviews' ratings mean (see\n\
    `claimdb ratings list`); unmapped ratings are kept verbatim and counted in the summary.\n\n\
    --from json restores a claimdb dump (`claimdb export --format json` or `jsonl`; either form\n\
    is recognised) into an empty database: ids, history with its hash chain, evidence files.\n\
    A database that already holds anything is refused."
)]
pub struct Args {
    /// The file, or - for standard input
    pub file: PathBuf,
    /// The file's format
    #[arg(long, value_enum, default_value = "csv", value_name = "FORMAT")]
    pub from: From,
    /// Check every row and report what would happen (and rows that look like stored claims),
    /// writing nothing
    #[arg(long)]
    pub dry_run: bool,
    /// CSV: read column OLD as claimdb's column NEW; an empty NEW drops the column (repeatable)
    #[arg(long, value_name = "OLD=NEW")]
    pub rename: Vec<String>,
    /// A value for a field the file lacks or leaves empty, e.g. claimant=NAME (repeatable; the
    /// fact-check formats take claimant only)
    #[arg(long, value_name = "FIELD=VALUE")]
    pub default: Vec<String>,
}

#[derive(Debug, Default)]
struct Counts {
    added: u64,
    updated: u64,
    unchanged: u64,
    problems: usize,
    /// Likely duplicates of stored claims (reported by --dry-run).
    duplicates: u64,
    /// Rows that read like a stored claim but whose figures conflict with it (--dry-run).
    conflicts: u64,
    /// The problems found, reported once the import has run.
    found: Vec<Problem>,
    /// The likely duplicates found by a dry run: line, stored claim, similarity, conflict.
    likely: Vec<(u64, i64, f64, Option<String>)>,
}

/// A row of the file as read: its line, and the row or what is wrong with it.
type ReadRow = (u64, Result<ImportRow, Vec<Problem>>);

/// Rows read and checked on the reading thread, per batch handed to the import.
const ROWS_AHEAD: usize = 512;

/// How many likely duplicates a dry run names per row.
const DUPLICATES_SHOWN: usize = 3;

/// Imports the file in one transaction, or reports every problem and writes nothing.
pub fn exec(args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let options = csv_options(&args)?;
    let (name, input, len) = open(&args)?;
    let progress = ctx.out.progress(len, "bytes");
    let input: Box<dyn Read + Send> = Box::new(progress.wrap_read(input));
    if args.from == From::Json {
        let result = dump::exec(&args, name, input, ctx);
        progress.finish_and_clear();
        return result;
    }
    if args.from != From::Csv {
        let result = reviews::exec(&args, options, name, input, ctx);
        progress.finish_and_clear();
        return result;
    }
    let report = |problem: &Problem| ctx.out.warn(problem.describe(&name));
    let report_duplicate = |line: u64, other: i64, similarity: f64, conflict: Option<String>| {
        ctx.out.warn(match conflict {
            None => format!(
                "{name} line {line} looks like stored claim {other} (similarity {:.2}); \
                 `claimdb show {other}` to compare",
                duplicates::round(similarity)
            ),
            Some(figures) => format!(
                "{name} line {line} reads like stored claim {other} (similarity {:.2}) but \
                 their figures conflict ({figures}): a conflict to check, not a duplicate; \
                 `claimdb show {other}` to compare",
                duplicates::round(similarity)
            ),
        })
    };
    let mut reader = match claims_reader(input, &options) {
        Ok(reader) => reader,
        Err(problems) => {
            problems.iter().for_each(report);
            return Err(UserError::ImportRejected(problems.len()).into());
        }
    };
    let dry_run = args.dry_run;
    // A file's rows are read, parsed and checked on a second thread, a batch at a time, while
    // the first writes the rows before them; a bounded queue keeps memory flat. On a shared team
    // database a write can collide with someone else's and be run again from the start: the file
    // is then read again from its first row (stdin, which cannot be, is read in full first), and
    // its rows are counted beforehand, so that the new claims are loaded in bulk.
    let team = ctx.store.authenticated_user().is_some();
    let path = (args.file.as_os_str() != "-").then(|| args.file.clone());
    let in_memory: Option<Vec<ReadRow>> =
        (team && path.is_none()).then(|| std::iter::from_fn(|| reader.next_row()).collect());
    let reopen = |path: &PathBuf| -> anyhow::Result<Reader> {
        claims_reader(Box::new(open_file(path)?), &options)
            .map_err(|_| anyhow::anyhow!("{} changed while it was being imported", path.display()))
    };
    let rows_known = match (&in_memory, &path) {
        (Some(rows), _) => Some(rows.len()),
        (None, Some(path)) if team => Some(reopen(path)?.count_rest()),
        _ => None,
    };
    let mut first = in_memory.is_none().then_some(reader);
    let mut reading = Vec::new();
    let imported = ctx.store.import_retrying(&ctx.actor, |importer| {
        // From the first row again when the import is run again.
        let mut next_row: Box<dyn Iterator<Item = ReadRow>> = match &in_memory {
            Some(rows) => Box::new(rows.iter().cloned()),
            None => {
                let reader = match (first.take(), &path) {
                    (Some(reader), _) => reader,
                    (None, Some(path)) => reopen(path)?,
                    (None, None) => anyhow::bail!("stdin cannot be read a second time"),
                };
                let (rows, thread) = read_ahead(reader);
                reading.push(thread);
                Box::new(rows.into_iter().flatten())
            }
        };
        if let Some(rows) = rows_known {
            importer.expect_rows(rows);
        }
        let mut counts = Counts::default();
        let mut problems = Vec::new();
        for (line, row) in &mut next_row {
            let row = match row {
                Ok(row) => row,
                Err(found) => {
                    counts.problems += found.len();
                    problems.extend(found);
                    continue;
                }
            };
            match importer.upsert_line(&row, &format!("{name} line {line}"), line) {
                Ok(Imported::Added(id)) => {
                    counts.added += 1;
                    if dry_run {
                        for (other, similarity, conflict) in
                            importer.similar_stored(id, DUPLICATES_SHOWN)?
                        {
                            if conflict.is_some() {
                                counts.conflicts += 1;
                            } else {
                                counts.duplicates += 1;
                            }
                            counts.likely.push((line, other, similarity, conflict));
                        }
                    }
                }
                Ok(Imported::Updated(_)) => counts.updated += 1,
                Ok(Imported::Unchanged(_)) => counts.unchanged += 1,
                Err(e) if is_user_error(&e) => {
                    counts.problems += 1;
                    problems.push(Problem {
                        line,
                        column: None,
                        message: format!("{e:#}"),
                    });
                }
                Err(e) => return Err(e.context(format!("{name} line {line}"))),
            }
        }
        counts.found = problems;
        let keep = counts.problems == 0 && !dry_run;
        Ok((counts, keep))
    });
    for thread in reading {
        if thread.join().is_err() {
            anyhow::bail!("reading {name} stopped half-way");
        }
    }
    let (counts, new_sources) = imported?;
    counts.found.iter().for_each(report);
    for (line, other, similarity, conflict) in &counts.likely {
        report_duplicate(*line, *other, *similarity, conflict.clone());
    }
    progress.finish_and_clear();
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
        super::warn_about_new_sources(ctx, &new_sources);
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
                    "{}{} (dry run: nothing was written)",
                    if counts.duplicates > 0 {
                        format!(
                            "; {} likely duplicate(s) of stored claims",
                            counts.duplicates
                        )
                    } else {
                        String::new()
                    },
                    if counts.conflicts > 0 {
                        format!(
                            "; {} conflict(s) of figures with stored claims",
                            counts.conflicts
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

/// A claims file being read.
type Reader = ClaimReader<BufReader<Box<dyn Read + Send>>>;

/// Reads claims from `input` in large blocks; refused with every problem of its header.
fn claims_reader(
    input: Box<dyn Read + Send>,
    options: &CsvOptions,
) -> Result<Reader, Vec<Problem>> {
    ClaimReader::with_options(BufReader::with_capacity(1 << 16, input), options)
}

/// Reads `reader`'s rows on a thread of its own, [`ROWS_AHEAD`] at a time, two batches ahead at
/// most; the rows end when the file does, or when the receiver is dropped (the import stopped).
fn read_ahead(
    mut reader: Reader,
) -> (
    std::sync::mpsc::Receiver<Vec<ReadRow>>,
    std::thread::JoinHandle<()>,
) {
    let (to_import, rows) = std::sync::mpsc::sync_channel::<Vec<ReadRow>>(2);
    let thread = std::thread::spawn(move || loop {
        let batch: Vec<ReadRow> = std::iter::from_fn(|| reader.next_row())
            .take(ROWS_AHEAD)
            .collect();
        let last = batch.len() < ROWS_AHEAD;
        if to_import.send(batch).is_err() || last {
            return;
        }
    });
    (rows, thread)
}

/// Reads `--rename OLD=NEW` and `--default FIELD=VALUE`.
fn csv_options(args: &Args) -> anyhow::Result<CsvOptions> {
    let split = |flag: &str, raw: &str| -> anyhow::Result<(String, String)> {
        raw.split_once('=')
            .map(|(a, b)| (a.trim().to_owned(), b.to_owned()))
            .filter(|(a, _)| !a.is_empty())
            .ok_or_else(|| {
                UserError::Refused(format!(
                    "--{flag} {raw:?}: expected {} (with an = sign)",
                    if flag == "rename" {
                        "OLD=NEW, e.g. claim_s=text"
                    } else {
                        "FIELD=VALUE, e.g. claimant=NAME"
                    }
                ))
                .into()
            })
    };
    let mut options = CsvOptions::default();
    for raw in &args.rename {
        let (old, new) = split("rename", raw)?;
        if !new.trim().is_empty() {
            new.trim().parse::<Field>().map_err(UserError::Invalid)?;
        }
        options.renames.push((old, new.trim().to_owned()));
    }
    if args.from == From::Json && !args.default.is_empty() {
        return Err(UserError::Refused(
            "--default does not apply to --from json: a dump is restored exactly as written".into(),
        )
        .into());
    }
    if !options.renames.is_empty() && args.from != From::Csv {
        return Err(UserError::Refused("--rename applies to --from csv only".into()).into());
    }
    for raw in &args.default {
        let (field, value) = split("default", raw)?;
        let field = field.parse::<Field>().map_err(UserError::Invalid)?;
        if matches!(
            field,
            Field::Id | Field::Uid | Field::CreatedAt | Field::UpdatedAt
        ) {
            return Err(UserError::Refused(format!(
                "--default {field}=…: a default gives every row the same value, which {field} \
                 cannot have"
            ))
            .into());
        }
        if args.from != From::Csv && field != Field::Claimant {
            return Err(UserError::Refused(format!(
                "--default {field}=…: the fact-check formats take a default claimant only"
            ))
            .into());
        }
        options.defaults.push((field, value));
    }
    Ok(options)
}

/// The input named on the command line, and its name for messages.
/// The input's name for messages, the input, and its size when known (for the progress bar).
fn open(args: &Args) -> anyhow::Result<(String, Box<dyn Read + Send>, Option<u64>)> {
    let opened: (String, Box<dyn Read + Send>, Option<u64>) = if args.file.as_os_str() == "-" {
        // Unlocked: the rows are read on a thread of their own (a BufReader reads in large
        // blocks, so the lock taken per read costs nothing).
        ("stdin".to_owned(), Box::new(io::stdin()), None)
    } else {
        let path = &args.file;
        let file = open_file(path)?;
        let len = file.metadata().ok().map(|m| m.len());
        (path.display().to_string(), Box::new(file), len)
    };
    Ok(opened)
}

/// The file at `path`, or why it cannot be read.
fn open_file(path: &std::path::Path) -> anyhow::Result<File> {
    if path.is_dir() {
        return Err(UserError::Refused(format!(
            "{} is a directory; give the path of a file",
            path.display()
        ))
        .into());
    }
    File::open(path).with_context(|| format!("failed to open {}", path.display()))
}

/// A problem with one row, as opposed to a failure of the database or the disk.
pub(super) fn is_user_error(e: &anyhow::Error) -> bool {
    e.downcast_ref::<UserError>().is_some() || e.downcast_ref::<InvalidValue>().is_some()
}
