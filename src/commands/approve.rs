//! `claimdb approve` and `claimdb return`: the second person's half of the review gate.

use super::Ctx;
use crate::error::UserError;

/// `claimdb approve ID`
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  claimdb approve 7\n\n\
    With `review_gate = true` in the config file, `claimdb status ID VERDICT --note WHY` only\n\
    proposes the verdict. Someone other than the proposer approves it (the claim's status\n\
    becomes the verdict, recorded with the proposer's reason) or returns it with a reason.")]
pub struct Args {
    /// The claim's id
    pub id: i64,
}

/// `claimdb return ID --note WHY`
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  claimdb return 7 --note 'The satellite images are from 2021'")]
pub struct ReturnArgs {
    /// The claim's id
    pub id: i64,
    /// Why the verdict goes back, recorded in history (required)
    #[arg(long, value_name = "WHY", allow_hyphen_values = true)]
    pub note: String,
}

/// Approves the proposed verdict.
pub fn exec(args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let verdict = ctx.store.approve(args.id, &ctx.actor)?;
    ctx.out
        .note(format!("claim {}: {verdict} approved", args.id));
    Ok(())
}

/// Returns the proposed verdict.
pub fn exec_return(args: ReturnArgs, ctx: &mut Ctx) -> anyhow::Result<()> {
    crate::model::check_text("a note", &args.note)?;
    if args.note.trim().is_empty() {
        return Err(UserError::Refused(
            "--note must say why the verdict goes back (it is recorded in history); nothing was \
             written"
                .into(),
        )
        .into());
    }
    let verdict = ctx
        .store
        .return_verdict(args.id, args.note.trim(), &ctx.actor)?;
    ctx.out.note(format!(
        "claim {}: the proposed {verdict} went back to its proposer",
        args.id
    ));
    Ok(())
}
