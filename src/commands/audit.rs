//! `claimdb audit`: check that the database file is sound, that no history event was changed or
//! removed since it was written, and that the tables hold what the history says.

use super::Ctx;
use crate::error::UserError;

/// `claimdb audit [--head] [--expect HEAD]`
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  claimdb audit\n  claimdb audit --head > head.txt\n  \
    claimdb audit --expect \"$(cat head.txt)\"\n\n\
    audit runs SQLite's integrity check on a database file (a team database's server checks its\n\
    own storage), then recomputes the history's hash chain (every event's SHA-256 covers its\n\
    content and the previous event's hash) and names the first event that does not match, then\n\
    replays each claim's history and names the claims whose fields or sources differ from what\n\
    their history records, and reads every evidence file and checks it against the SHA-256 that\n\
    the event attaching it recorded (exit 1 for any of these).\n\n\
    The chain uses no secret: someone who can write the file can rewrite all of it. Keep the\n\
    head printed now somewhere else (a ticket, an email, a printed report); `--expect HEAD` later\n\
    proves that the history up to it is still there, unchanged."
)]
pub struct Args {
    /// Print only the head of the chain (after checking the chain), to keep elsewhere
    #[arg(long, conflicts_with = "expect")]
    pub head: bool,
    /// Fail unless this head, printed earlier, is still in the history chain
    #[arg(long, value_name = "HEAD")]
    pub expect: Option<String>,
}

/// Verifies the file, the chain and the tables, and reports the head, or what is wrong.
pub fn exec(args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let expect = args.expect.as_deref().map(str::trim);
    if let Some(head) = expect {
        if head.len() != 64 || !head.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(UserError::Refused(format!(
                "--expect {head:?}: a head is the 64 hexadecimal characters `claimdb audit` \
                 prints"
            ))
            .into());
        }
    }
    let expect = expect.map(str::to_ascii_lowercase);
    let audit = ctx.store.audit_with(expect.as_deref(), !args.head)?;
    if let Some(problem) = audit.problem() {
        return Err(UserError::Refused(problem).into());
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
    if !args.head {
        ctx.out.note(format!(
            "history intact: {} event(s) checked, every claim matches its history{}",
            audit.events,
            if expect.is_some() {
                "; the expected head is in the chain"
            } else {
                ""
            }
        ));
    }
    ctx.out.value(
        "head",
        audit.head.unwrap_or_else(|| "(no events yet)".into()),
    )
}
