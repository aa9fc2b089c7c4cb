//! `claimdb init`: create the database. Opening already did the work; this says where it is.

use super::Ctx;

/// `claimdb init` takes no options.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  claimdb init\n  claimdb --db ~/desk/claims.db init")]
pub struct Args {}

/// Confirms where the database is.
pub fn exec(_args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let path = ctx.store.path().display().to_string();
    ctx.out.value("database", path)?;
    Ok(())
}
