//! `claimdb stats`: counts by status and by claimant.

use super::Ctx;

/// `claimdb stats`
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  claimdb stats --format json")]
pub struct Args {}

/// Prints the counts.
pub fn exec(_args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let stats = ctx.store.stats()?;
    ctx.out.stats(&stats)
}
