//! `claimdb backup`: a consistent copy of the database, made while others keep working.

use std::path::PathBuf;

use super::Ctx;
use crate::error::UserError;

/// `claimdb backup FILE [--force]`
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  claimdb backup ~/backups/claims-$(date +%F).db\n\n\
    The copy is taken in one read transaction while other claimdb processes read and write, so\n\
    it finishes however busy the database is. It is checked (`claimdb audit`: the file's\n\
    integrity and the history chain) before it appears under its name; a file it replaces keeps\n\
    its permissions, and that file's leftover -wal, -shm and -journal files are removed."
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
    let audit = ctx.store.backup(&args.file)?;
    ctx.out.note(format!(
        "backed up to {} (checked: {} history event(s) intact)",
        args.file.display(),
        audit.events
    ));
    Ok(())
}
