//! `claimdb audit`: check that the database file is sound and that no history event was changed
//! or removed since it was written.

use super::Ctx;
use crate::error::UserError;

/// `claimdb audit`
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  claimdb audit\n\n\
    audit first runs SQLite's own integrity check on the file. Then, as every history event\n\
    carries a SHA-256 hash over its content and the previous event's hash, it recomputes the\n\
    chain and names the first event that does not match (exit 1). Keep the printed head hash\n\
    somewhere else to detect events removed from the end later.")]
pub struct Args {}

/// Verifies the file and the chain, and reports its head, or what is wrong.
pub fn exec(_args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let audit = ctx.store.audit()?;
    if let Some(problem) = audit.problem() {
        return Err(UserError::Refused(problem).into());
    }
    ctx.out
        .note(format!("history intact: {} event(s) checked", audit.events));
    ctx.out.value(
        "head",
        audit.head.unwrap_or_else(|| "(no events yet)".into()),
    )
}
