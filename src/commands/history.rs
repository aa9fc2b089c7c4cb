//! `claimdb history`: every change made to a claim.

use super::Ctx;

/// `claimdb history ID`
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  claimdb history 9 --format csv")]
pub struct Args {
    /// The claim's id
    pub id: i64,
}

/// Prints the claim's events, oldest first.
pub fn exec(args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let events = ctx.store.history(args.id)?;
    ctx.out.history(&events)
}
