//! `claimdb report`: the desk's report for a period, as one self-contained HTML file or as
//! Markdown.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use super::list::FilterArgs;
use super::Ctx;
use crate::error::UserError;
use crate::output::Format;
use crate::report;

/// `claimdb report [--since DATE] [--until DATE] [filters] [--output FILE]`
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  claimdb report --since monday --output report.html\n  \
    claimdb report --since 2026-11-01 --until 2026-11-30 --tag wagner --output november.html\n  \
    claimdb report --since monday --format md\n\n\
    --since and --until set the period (default: from the Monday four weeks back to now): the\n\
    weeks charted, the verdicts listed and each person's throughput. The other filters choose\n\
    the claims the report covers (archived ones only with --archived).\n\n\
    The HTML needs no network: no scripts, fonts or images are fetched, the charts are drawn\n\
    in the page, every number in a chart is also in a table, and it prints on A4.\n\
    --format md prints the same as Markdown, --format json as data."
)]
pub struct Args {
    /// Write to this file (replaced only once it is complete) instead of stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub filter: FilterArgs,
}

/// Gathers the numbers and writes the report.
pub fn exec(args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let format = match ctx.out.format() {
        Format::Table | Format::Html => Format::Html,
        Format::Md => Format::Md,
        Format::Json => Format::Json,
        other => {
            return Err(UserError::Refused(format!(
                "a report is html (the default), md or json, not {}",
                clap::ValueEnum::to_possible_value(&other)
                    .map(|v| v.get_name().to_owned())
                    .unwrap_or_default()
            ))
            .into())
        }
    };
    let mut filter = args.filter.to_filter(&ctx.actor)?;
    // The period is the report's, not a filter on when claims were created.
    filter.desk.created_since = None;
    filter.desk.created_until = None;
    ctx.store.check_filter(&filter)?;
    let (since, until) =
        report::period(args.filter.since.as_deref(), args.filter.until.as_deref())?;
    if since >= until {
        return Err(UserError::Refused(format!(
            "the period is empty: it starts at {since} and ends at {until}"
        ))
        .into());
    }
    let report = ctx
        .store
        .reading(|store, head| report::gather(store, &filter, (&since, &until), head))?;
    let text = match format {
        Format::Md => report::markdown(&report),
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
        _ => report::html(&report),
    };
    match &args.output {
        None => {
            ctx.out.text(&text)?;
        }
        Some(path) => {
            let target = crate::files::resolve_target(path)?;
            let mut temp = crate::files::temp_beside(&target)?;
            temp.as_file_mut()
                .write_all(text.as_bytes())
                .with_context(|| format!("failed to write {}", path.display()))?;
            crate::files::persist(temp, &target)?;
            ctx.out.note(format!(
                "report on {} claim(s) written to {}",
                report.claims,
                path.display()
            ));
        }
    }
    Ok(())
}
