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
use crate::formats::claimreview::{self, ClaimReviewList, Desk, Skipped};
use crate::model::{self, Status};
use crate::output::{ClaimList, Format};
use crate::spreadsheet::{ClaimRows, Sheets};
use crate::table::Style;

/// `claimdb export [--output FILE] [--bom] [filters]`
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  claimdb export --output all.csv\n  \
    claimdb export --bom --disputed --output for-excel.csv\n  \
    claimdb export --format json --with-files --output desk.json\n\n\
    Which export when: CSV (the default) for spreadsheets and reports, claims only; JSON or\n\
    JSON Lines to move or archive a desk, everything: claims (merged duplicates too), stances,\n\
    evidence (files by SHA-256; --with-files embeds them in base64), reviews, assignments,\n\
    archive reasons and proposed verdicts, sources with kinds and aliases, the rating map,\n\
    merges, and the history with its hash chain. `claimdb copy` moves a desk between a file\n\
    and a team database without a dump in between.\n\
    `claimdb import --from json` restores a dump into an empty database, exactly.\n\n\
    --bom writes a UTF-8 byte order mark so that Excel shows Arabic correctly, quotes every cell\n\
    (a ; or tab inside a cell stays in it whatever the locale's list separator), and neutralises\n\
    cells that a spreadsheet would run as formulas (a leading ' before =, +, -, @, tab, CR or ').\n\
    Both forms import back exactly: importing into an empty database and exporting again gives\n\
    the same bytes (a file that starts with a byte order mark has that ' removed on import). Reviews are not CSV columns (a claim has any number of them, and no\n\
    cell format would keep them exact): they travel in `show --format json` and ClaimReview.\n\n\
    --format claimreview writes a JSON-LD array of schema.org ClaimReview objects, one per\n\
    claim whose verdict (verified, misleading, false, unverifiable) the desk set itself, with\n\
    `claimdb status` or `edit` (verdicts taken from other publishers' reviews or from imports\n\
    are theirs, not the desk's, and are left out), authored by --publisher:\n\
      claimdb export --format claimreview --publisher 'Our Desk' --publisher-url https://desk.example \\\n\
        --review-url 'https://desk.example/checks/{id}' --lang ar\n\
    url: the desk's fact-check of the claim, from --review-url ({id} the claim's id, {uid} its\n\
    uid). inLanguage: --lang (en unless given). reviewRating: alternateName always (the desk's\n\
    stored rating words, or the verdict's label in --lang: True, Misleading, False,\n\
    Unverifiable; صحيح، مضلل، زائف، غير قابل للتحقق); ratingValue false 1, misleading 2,\n\
    verified 3 (worstRating 1, bestRating 3), none for unverifiable. Claims that lack what the\n\
    format needs are skipped with a warning each. `claimdb import --from claimreview` reads it\n\
    back.")]
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
    /// ClaimReview: the address of the desk's fact-check of each claim, {id} or {uid} standing
    /// for the claim (a stored review of the desk's keeps its own url)
    #[arg(long, value_name = "TEMPLATE", env = "CLAIMDB_REVIEW_URL",
          value_parser = claimreview::check_review_url)]
    pub review_url: Option<String>,
    /// ClaimReview: the language the desk publishes in: inLanguage, and the rating labels
    #[arg(long, value_enum, ignore_case = true, value_name = "LANG")]
    pub lang: Option<claimreview::Lang>,
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
    if format != Format::ClaimReview {
        let flags = [
            ("--publisher-url", args.publisher_url.is_some()),
            ("--review-url", args.review_url.is_some()),
            ("--lang", args.lang.is_some()),
        ];
        if let Some((flag, _)) = flags.iter().find(|(_, given)| *given) {
            return Err(
                UserError::Refused(format!("{flag} applies to --format claimreview only")).into(),
            );
        }
    }
    if let Some(path) = &args.output {
        if path.exists() && crate::files::same_file(path, ctx.store.path()) {
            return Err(UserError::Refused(format!(
                "{} is the database itself; give --output another file",
                path.display()
            ))
            .into());
        }
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
    if format == Format::Xlsx {
        return export_xlsx(&args, ctx);
    }
    let mut filter = args.filter.to_filter(&ctx.actor)?;
    for note in filter.search.iter().flat_map(|q| &q.notes) {
        ctx.out.note(note);
    }
    ctx.store.check_filter(&filter)?;
    ctx.store.include_conflicts(&mut filter)?;
    // Counting costs a query, so only when someone is watching the bar.
    let progress = ctx.out.progress(Some(0), "claims");
    if !progress.is_hidden() {
        progress.set_length(ctx.store.count_claims(&filter)?);
    }
    let (count, head) = ctx.store.reading(|store, head| {
        let write = |out: &mut dyn Write| -> anyhow::Result<u64> {
            if args.bom {
                out.write_all("\u{feff}".as_bytes())?;
            }
            let mut list = ClaimList::new(out, format, args.bom, Style::detect(false))?;
            store.for_each_claim(&filter, |claim| {
                progress.inc(1);
                list.push(claim)
            })?;
            list.finish()
        };
        Ok((write_to(args.output.as_deref(), write)?, head))
    })?;
    progress.finish_and_clear();
    note_head(ctx, head.as_deref());
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
        review_url: args.review_url.clone(),
        lang: args.lang.unwrap_or_default(),
    };
    let mut filter = args.filter.to_filter(&ctx.actor)?;
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
    let mut not_ours = 0u64;
    let mut long = Vec::new();
    let store = &ctx.store;
    let out = &ctx.out;
    let write = |w: &mut dyn Write| -> anyhow::Result<u64> {
        let mut list = ClaimReviewList::new(w)?;
        store.for_each_claim(&filter, |claim| {
            let reviews = store.reviews(claim.id)?;
            let verdict = store.verdict(&claim)?;
            match claimreview::build(&claim, &desk, &reviews, &verdict, &map) {
                Ok(review) => {
                    let length = review.claim_reviewed.chars().count();
                    if length > claimreview::CLAIM_REVIEWED_MAX {
                        long.push((claim.id, length));
                    }
                    list.push(&review)
                }
                Err(Skipped::NotTheDesks) => {
                    not_ours += 1;
                    Ok(())
                }
                Err(Skipped::Missing(missing)) => {
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
    let (count, head) =
        store.reading(|_, head| Ok((write_to(args.output.as_deref(), write)?, head)))?;
    note_head(ctx, head.as_deref());
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
    if not_ours > 0 {
        out.note(format!(
            "note: {not_ours} claim(s) not exported: their verdicts came from other publishers' \
             reviews or from imports, not from the desk (`claimdb status` records a verdict of \
             the desk's own)"
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

/// Writes the workbook: the claims the filter selects, their stances, and their history in the
/// period (`--since`, `--until`; all of it without them).
fn export_xlsx(args: &Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let Some(path) = &args.output else {
        return Err(UserError::Refused(
            "--format xlsx writes a file: give --output FILE.xlsx".into(),
        )
        .into());
    };
    let filter = args.filter.to_filter(&ctx.actor)?;
    for note in filter.search.iter().flat_map(|q| &q.notes) {
        ctx.out.note(note);
    }
    ctx.store.check_filter(&filter)?;
    let (since, until) = (args.filter.since.as_deref(), args.filter.until.as_deref());
    let in_period = |at: &str| since.is_none_or(|s| at >= s) && until.is_none_or(|u| at < u);
    let (written, head) = ctx.store.reading(|store, head| {
        let mut sheets = Sheets::new()?;
        store.for_each_claim(&filter, |claim| {
            let desk = store.desk(claim.id)?;
            let stances = store.stances(claim.id)?;
            let mut history = store.history(claim.id)?;
            history.retain(|e| in_period(&e.at));
            sheets.push(&ClaimRows {
                claim: &claim,
                desk: &desk,
                stances: &stances,
                history: &history,
            })
        })?;
        let target = crate::files::resolve_target(path)?;
        let mut temp = crate::files::temp_beside(&target)?;
        let written = {
            let mut out = BufWriter::new(temp.as_file_mut());
            let written = sheets.finish(&mut out)?;
            out.flush()
                .with_context(|| format!("failed to write {}", path.display()))?;
            written
        };
        crate::files::persist(temp, &target)?;
        Ok((written, head))
    })?;
    note_head(ctx, head.as_deref());
    ctx.out.note(format!(
        "exported {} claim(s), {} stance(s) and {} history event(s) to {}",
        written.claims,
        written.stances,
        written.events,
        path.display()
    ));
    Ok(())
}

/// Says on stderr which state of the history the export shows: `claimdb audit --expect HEAD`
/// later proves that the history up to it is unchanged. (Not in the file: a CSV export must
/// import back exactly.)
fn note_head(ctx: &Ctx, head: Option<&str>) {
    if let Some(head) = head {
        ctx.out.note(format!(
            "history head at this export: {head} (check later with `claimdb audit --expect`)"
        ));
    }
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
            // export never leaves a half-written report behind (see `files` for modes, links
            // and leftovers).
            let target = crate::files::resolve_target(path)?;
            let mut temp = crate::files::temp_beside(&target)?;
            let count = {
                let mut out = BufWriter::new(temp.as_file_mut());
                let count = write(&mut out)?;
                out.flush()
                    .with_context(|| format!("failed to write {}", path.display()))?;
                count
            };
            crate::files::persist(temp, &target)?;
            Ok(count)
        }
    }
}
