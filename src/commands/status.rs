//! `claimdb status`: move a claim through the workflow.

use super::Ctx;
use crate::error::UserError;
use crate::model::{Action, ClaimPatch, Status};
use crate::store::desk::Gate;

/// `claimdb status ID STATUS [--note WHY]`
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  claimdb status 7 in_review\n  \
    claimdb status 7 false --note 'HRW and satellite imagery contradict the toll'")]
pub struct Args {
    /// The claim's id
    pub id: i64,
    /// The new status (verified, misleading, false and unverifiable are verdicts)
    #[arg(value_enum, ignore_case = true)]
    pub status: Status,
    /// Why: required for a verdict and for taking one back, recorded in history
    #[arg(long, value_name = "WHY", allow_hyphen_values = true)]
    pub note: Option<String>,
    /// Refuse if the claim is no longer at this version (`show` gives it)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..))]
    pub if_version: Option<i64>,
}

/// Sets the status and records why; under the review gate, a verdict is only proposed.
pub fn exec(args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    if ctx.config.review_gate && args.status.is_verdict() {
        if let Some(expected) = args.if_version {
            let version = ctx.store.claim(args.id)?.version;
            if version != expected {
                return Err(UserError::Refused(format!(
                    "claim {} is at version {version}, you expected version {expected}; nothing \
                     was written",
                    args.id
                ))
                .into());
            }
        }
        let gate = ctx
            .store
            .propose(args.id, args.status, args.note.as_deref(), &ctx.actor)
            .map_err(|e| UserError::name_reason_flag(e, "--note"))?;
        ctx.out.note(match gate {
            Gate::Proposed => format!(
                "claim {}: {} proposed; it takes effect when someone else runs `claimdb approve \
                 {}` (the review gate is on)",
                args.id, args.status, args.id
            ),
            Gate::Unchanged => format!(
                "claim {}: {} was already proposed with this note; nothing changed",
                args.id, args.status
            ),
        });
        return Ok(());
    }
    let patch = ClaimPatch {
        status: Some(args.status),
        ..ClaimPatch::default()
    };
    let changes = ctx
        .store
        .update_claim(
            args.id,
            &patch,
            &ctx.actor,
            Action::Status,
            args.note.as_deref(),
            args.if_version,
        )
        .map_err(|e| UserError::name_reason_flag(e, "--note"))?;
    match changes.first() {
        Some(change) => ctx.out.note(format!(
            "claim {}: {} → {}",
            args.id, change.old, change.new
        )),
        None => ctx.out.note(format!(
            "claim {} is already {}; nothing changed",
            args.id, args.status
        )),
    }
    Ok(())
}
