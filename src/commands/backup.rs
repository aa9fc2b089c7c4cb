//! `claimdb backup`: a consistent copy of the database, made while others keep working.

use std::path::PathBuf;

use super::Ctx;
use crate::error::UserError;

/// `claimdb backup FILE [--force]`
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  claimdb backup ~/backups/claims-$(date +%F).db\n\n\
    The copy is taken with SQLite's online backup while other claimdb processes read and write;\n\
    it appears under its name only once complete, and passes `claimdb --db FILE audit`."
)]
pub struct Args {
    /// Where to write the copy
    pub file: PathBuf,
    /// Replace the file if it exists
    #[arg(long)]
    pub force: bool,
}

/// Copies the database.
pub fn exec(args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    if args.file.exists() && !args.force {
        return Err(UserError::Refused(format!(
            "{} exists; give another name, or --force to replace it",
            args.file.display()
        ))
        .into());
    }
    if args.file == ctx.store.path() {
        return Err(UserError::Refused("the backup must go to another file".into()).into());
    }
    let progress = ctx.out.progress(Some(0), "pages");
    ctx.store.backup(&args.file, |done, total| {
        progress.set_length(total);
        progress.set_position(done);
    })?;
    progress.finish_and_clear();
    ctx.out
        .note(format!("backed up to {}", args.file.display()));
    Ok(())
}
