//! `claimdb export`: claims in claimdb's CSV format, for spreadsheets and reports; the whole desk
//! as a lossless JSON or JSON Lines dump, for moving or archiving it; or the desk's verdicts as
//! schema.org ClaimReview for fact-check aggregators.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;

use super::list::FilterArgs;
use super::Ctx;
use crate::dump::DumpWriter;
use crate::error::UserError;
use crate::formats::claimreview::{self, ClaimReviewList, Desk};
use crate::model::{self, Status};
use crate::output::{ClaimList, Format};
use crate::table::Style;

/// `claimdb export [--output FILE] [--bom] [filters]`
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  claimdb export --output all.csv\n  \
    claimdb export --bom --disputed --output for-excel.csv\n  \
    claimdb export --format json --with-files --output desk.json\n\n\
    Which export when: CSV (the default) for spreadsheets and reports, claims only; JSON or\n\
    JSON Lines to move or archive a desk, everything: claims (merged duplicates too), stances,\n\
    evidence (files by SHA-256; --with-files embeds them in base64), reviews, sources with\n\
    kinds and aliases, the rating map, merges, and the history with its hash chain.\n\
    `claimdb import --from json` restores a dump into an empty database, exactly.\n\n\
    --bom writes a UTF-8 byte order mark so that Excel shows Arabic correctly, and neutralises\n\
    cells that a spreadsheet would run as formulas (a leading ' before =, +, -, @, tab, CR).\n\
    Without --bom the export is exact: importing it into an empty database and exporting again\n\
    gives the same bytes. Reviews are not CSV columns (a claim has any number of them, and no\n\
    cell format would keep them exact): they travel in `show --format json` and ClaimReview.\n\n\
    --format claimreview writes a JSON-LD array of schema.org ClaimReview objects, one per\n\
    claim with a verdict (verified, misleading, false, unverifiable), authored by --publisher:\n\
      claimdb export --format claimreview --publisher 'Our Desk' --publisher-url https://desk.example\n\
    reviewRating: alternateName always (the desk's stored rating words, or True, Misleading,\n\
    False, Unverifiable); ratingValue false 1, misleading 2, verified 3 (worstRating 1,\n\
    bestRating 3), none for unverifiable. Claims that lack what the format needs are skipped\n\
    with a warning each. `claimdb import --from claimreview` reads it back.")]
pub struct Args {
    /// Write to this file (replaced only once the export is complete) instead of stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// For Excel: a UTF-8 byte order mark, and formula-like cells neutralised
    #[arg(long)]
    pub bom: bool,
    /// ClaimReview: the organisation publishing the verdicts (its author)
    #[arg(long, value_name = "NAME", env = "CLAIMDB_PUBLISHER")]
    pub publisher: Option<String>,
    /// ClaimReview: the publishing organisation's web address
    #[arg(long, value_name = "URL")]
    pub publisher_url: Option<String>,
    /// JSON dump: embed evidence files (base64) instead of naming them by hash only
    #[arg(long)]
    pub with_files: bool,
    #[command(flatten)]
    pub filter: FilterArgs,
}

/// Streams the claims to the file or stdout.
pub fn exec(args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let format = match ctx.out.format() {
        Format::Table => Format::Csv,
        other => other,
    };
    if args.bom && format != Format::Csv {
        return Err(UserError::Refused("--bom applies to CSV exports only".into()).into());
    }
    if format != Format::ClaimReview && args.publisher_url.is_some() {
        return Err(UserError::Refused(
            "--publisher-url applies to --format claimreview only".into(),
        )
        .into());
    }
    if args.with_files && !matches!(format, Format::Json | Format::Jsonl) {
        return Err(UserError::Refused(
            "--with-files applies to the JSON dump only (--format json or jsonl)".into(),
        )
        .into());
    }
    if format == Format::ClaimReview {
        return export_claimreview(&args, ctx);
    }
    if matches!(format, Format::Json | Format::Jsonl) {
        return export_dump(&args, format == Format::Jsonl, ctx);
    }
    let filter = args.filter.to_filter()?;
    for note in filter.search.iter().flat_map(|q| &q.notes) {
        ctx.out.note(note);
    }
    ctx.store.check_filter(&filter)?;
    // Counting costs a query, so only when someone is watching the bar.
    let progress = ctx.out.progress(Some(0), "claims");
    if !progress.is_hidden() {
        progress.set_length(ctx.store.count_claims(&filter)?);
    }
    let write = |out: &mut dyn Write| -> anyhow::Result<u64> {
        if args.bom {
            out.write_all("\u{feff}".as_bytes())?;
        }
        let mut list = ClaimList::new(out, format, args.bom, Style::detect(false))?;
        ctx.store.for_each_claim(&filter, |claim| {
            progress.inc(1);
            list.push(claim)
        })?;
        list.finish()
    };
    let count = write_to(args.output.as_deref(), write)?;
    progress.finish_and_clear();
    if let Some(path) = &args.output {
        ctx.out
            .note(format!("exported {count} claim(s) to {}", path.display()));
    }
    Ok(())
}

/// Writes the whole desk as a lossless dump (see `crate::dump`).
fn export_dump(args: &Args, lines: bool, ctx: &mut Ctx) -> anyhow::Result<()> {
    let f = &args.filter;
    if !f.status.is_empty()
        || f.disputed
        || f.source.is_some()
        || f.tag.is_some()
        || f.reviewed_by.is_some()
        || f.limit.is_some()
        || f.search.is_some()
    {
        return Err(UserError::Refused(
            "a JSON export is a dump of the whole desk and takes no filters; for some claims \
             use `claimdb list --format json` with the filters, or the CSV export"
                .into(),
        )
        .into());
    }
    let mut claims = 0u64;
    let write = |out: &mut dyn Write| -> anyhow::Result<u64> {
        ctx.store
            .snapshot(|store| dump_desk(store, out, lines, args.with_files, &mut claims))
    };
    let count = write_to(args.output.as_deref(), write)?;
    let files = ctx.store.count_files()?;
    if files > 0 && !args.with_files {
        ctx.out.note(format!(
            "note: {files} evidence file(s) are named by their SHA-256 only; add --with-files to \
             carry them (a restore needs them)"
        ));
    }
    if let Some(path) = &args.output {
        ctx.out.note(format!(
            "exported the desk ({count} claim(s)) to {}",
            path.display()
        ));
    }
    Ok(())
}

/// Writes every section of the dump from `store`, counting the claims.
fn dump_desk(
    store: &crate::store::Store,
    out: &mut dyn Write,
    lines: bool,
    with_files: bool,
    claims: &mut u64,
) -> anyhow::Result<u64> {
    let mut dump = DumpWriter::new(out, lines)?;
    dump.section("sources")?;
    store.dump_sources(|s| dump.item(&s))?;
    dump.section("rating_map")?;
    store.dump_ratings(|r| dump.item(&r))?;
    dump.section("claims")?;
    store.dump_claims(|c| {
        *claims += 1;
        dump.item(&c)
    })?;
    dump.section("merges")?;
    store.dump_merges(|m| dump.item(&m))?;
    dump.section("history")?;
    store.dump_history(|e| dump.item(&e))?;
    dump.section("files")?;
    if with_files {
        store.dump_files(|sha256, size, content| dump.file(sha256, size, content))?;
    }
    dump.finish()?;
    Ok(*claims)
}

/// Writes the desk's verdicts as ClaimReview, skipping (with a warning each) claims that lack
/// what the format needs.
fn export_claimreview(args: &Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let name = args
        .publisher
        .as_deref()
        .or(ctx.config.publisher.as_deref())
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            UserError::Refused(
                "a ClaimReview needs its author: give --publisher NAME (your organisation; or \
                 set CLAIMDB_PUBLISHER, or `publisher` in the config file)"
                    .into(),
            )
        })?;
    let desk = Desk {
        name: name.to_owned(),
        url: args
            .publisher_url
            .as_deref()
            .or(ctx.config.publisher_url.as_deref())
            .map(model::check_url)
            .transpose()
            .map_err(UserError::Invalid)?,
    };
    let mut filter = args.filter.to_filter()?;
    let verdicts: Vec<Status> = Status::ALL
        .iter()
        .copied()
        .filter(|s| s.is_verdict())
        .collect();
    if filter.statuses.is_empty() {
        filter.statuses = verdicts;
    } else {
        filter.statuses.retain(|s| s.is_verdict());
        if filter.statuses.is_empty() {
            return Err(UserError::Refused(
                "ClaimReview carries verdicts only: --status must name verified, misleading, \
                 false or unverifiable"
                    .into(),
            )
            .into());
        }
    }
    let map = ctx.store.rating_map()?;
    let mut skipped = 0u64;
    let mut long = Vec::new();
    let store = &ctx.store;
    let out = &ctx.out;
    let write = |w: &mut dyn Write| -> anyhow::Result<u64> {
        let mut list = ClaimReviewList::new(w)?;
        store.for_each_claim(&filter, |claim| {
            let reviews = store.reviews(claim.id)?;
            let verdict = store.verdict(&claim)?;
            match claimreview::build(&claim, &desk, &reviews, verdict, &map) {
                Ok(review) => {
                    let length = review.claim_reviewed.chars().count();
                    if length > claimreview::CLAIM_REVIEWED_MAX {
                        long.push((claim.id, length));
                    }
                    list.push(&review)
                }
                Err(missing) => {
                    skipped += 1;
                    out.warn(format!(
                        "claim {} skipped: {}",
                        claim.id,
                        missing.join("; ")
                    ));
                    Ok(())
                }
            }
        })?;
        Ok(list.finish()?)
    };
    let count = write_to(args.output.as_deref(), write)?;
    for (id, length) in long.iter().take(10) {
        out.warn(format!(
            "claim {id}: claimReviewed has {length} characters; aggregators show at most {} \
             (shorten the claim text, or keep its gist in `translation`)",
            claimreview::CLAIM_REVIEWED_MAX
        ));
    }
    if long.len() > 10 {
        out.warn(format!(
            "… and {} more claim(s) longer than {} characters ({} in all)",
            long.len() - 10,
            claimreview::CLAIM_REVIEWED_MAX,
            long.len()
        ));
    }
    if skipped > 0 {
        out.warn(format!(
            "{skipped} claim(s) skipped: they lack what ClaimReview needs (listed above)"
        ));
    }
    let target = args
        .output
        .as_ref()
        .map(|p| format!(" to {}", p.display()))
        .unwrap_or_default();
    out.note(format!(
        "exported {count} ClaimReview(s){target} as {:?}",
        desk.name
    ));
    Ok(())
}

/// Streams `write` to stdout, or to a file replaced only once the export is complete.
fn write_to(
    output: Option<&std::path::Path>,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<u64>,
) -> anyhow::Result<u64> {
    match output {
        None => {
            let mut out = BufWriter::new(io::stdout().lock());
            let count = write(&mut out)?;
            out.flush()?;
            Ok(count)
        }
        Some(path) => {
            // Write beside the target and rename at the end, so that a failed or interrupted
            // export never leaves a half-written report behind.
            let dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            let mut temp = tempfile::NamedTempFile::new_in(dir)
                .with_context(|| format!("failed to create a file in {}", dir.display()))?;
            let count = {
                let mut out = BufWriter::new(temp.as_file_mut());
                let count = write(&mut out)?;
                out.flush()
                    .with_context(|| format!("failed to write {}", path.display()))?;
                count
            };
            temp.persist(path)
                .with_context(|| format!("failed to write {}", path.display()))?;
            Ok(count)
        }
    }
}
