//! `claimdb export`: claims in claimdb's CSV format (or JSON), for reports and other databases.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;

use super::list::FilterArgs;
use super::Ctx;
use crate::error::UserError;
use crate::output::{ClaimList, Format};

/// `claimdb export [--output FILE] [--bom] [filters]`
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  claimdb export --output all.csv\n  \
    claimdb export --bom --disputed --output for-excel.csv\n  claimdb export --format jsonl\n\n\
    --bom writes a UTF-8 byte order mark so that Excel shows Arabic correctly, and neutralises\n\
    cells that a spreadsheet would run as formulas (a leading ' before =, +, -, @, tab, CR).\n\
    Without --bom the export is exact: importing it into an empty database and exporting again\n\
    gives the same bytes.")]
pub struct Args {
    /// Write to this file (replaced only once the export is complete) instead of stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// For Excel: a UTF-8 byte order mark, and formula-like cells neutralised
    #[arg(long)]
    pub bom: bool,
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
    let filter = args.filter.to_filter()?;
    for note in filter.search.iter().flat_map(|q| &q.notes) {
        ctx.out.note(note);
    }
    let write = |out: &mut dyn Write| -> anyhow::Result<u64> {
        if args.bom {
            out.write_all("\u{feff}".as_bytes())?;
        }
        let mut list = ClaimList::new(out, format, args.bom)?;
        ctx.store
            .for_each_claim(&filter, |claim| list.push(claim))?;
        list.finish()
    };
    match &args.output {
        None => {
            let mut out = BufWriter::new(io::stdout().lock());
            write(&mut out)?;
            out.flush()?;
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
            ctx.out
                .note(format!("exported {count} claim(s) to {}", path.display()));
        }
    }
    Ok(())
}
