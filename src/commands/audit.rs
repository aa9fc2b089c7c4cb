//! `claimdb audit`: check that no history event was changed or removed since it was written.

use super::Ctx;
use crate::error::UserError;

/// `claimdb audit`
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  claimdb audit\n\n\
    Every history event carries a SHA-256 hash over its content and the previous event's hash.\n\
    audit recomputes the chain and names the first event that does not match (exit 1). Keep the\n\
    printed head hash somewhere else to detect events removed from the end later.\n\
    It also reads every evidence file and checks it against the SHA-256 that the history event\n\
    attaching it recorded, naming each changed or missing file with its claim (exit 1).")]
pub struct Args {}

/// Verifies the chain and the evidence files, and reports the chain's head, or what is broken.
pub fn exec(_args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let audit = ctx.store.audit()?;
    if let Some(broken) = &audit.broken {
        return Err(UserError::Refused(format!(
            "history is broken at event {} (claim {}): it was changed, removed or reordered \
             after it was written; the {} event(s) before it are intact",
            broken.event, broken.claim_id, audit.events
        ))
        .into());
    }
    let files = ctx.store.audit_files()?;
    if !files.is_empty() {
        for f in &files {
            ctx.out.warn(format!(
                "claim {}, evidence {}: {} (sha256 {})",
                f.claim_id, f.evidence, f.problem, f.sha256
            ));
        }
        return Err(UserError::Refused(format!(
            "{} evidence file(s) do not match what was attached (listed above); the history \
             chain of {} event(s) is intact",
            files.len(),
            audit.events
        ))
        .into());
    }
    ctx.out
        .note(format!("history intact: {} event(s) checked", audit.events));
    ctx.out.value(
        "head",
        audit.head.unwrap_or_else(|| "(no events yet)".into()),
    )
}
