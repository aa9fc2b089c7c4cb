//! `claimdb assign` and `claimdb unassign`: who is working on a claim.

use super::Ctx;
use crate::model;

/// `claimdb assign ID NAME`
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  claimdb assign 7 amal\n  claimdb list --assignee amal\n  \
    claimdb list --mine --sort age"
)]
pub struct Args {
    /// The claim's id
    pub id: i64,
    /// Who checks it
    #[arg(allow_hyphen_values = true)]
    pub name: String,
}

/// `claimdb unassign ID`
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  claimdb unassign 7")]
pub struct UnassignArgs {
    /// The claim's id
    pub id: i64,
}

/// Assigns the claim and says so.
pub fn exec(args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let name = model::list_item("a name", &args.name)?;
    let changed = ctx.store.assign(args.id, Some(&name), &ctx.actor)?;
    ctx.out.note(match changed {
        true => format!("claim {}: assigned to {name}", args.id),
        false => format!(
            "claim {} was already assigned to {name}; nothing changed",
            args.id
        ),
    });
    Ok(())
}

/// Takes the claim back from whoever had it.
pub fn exec_unassign(args: UnassignArgs, ctx: &mut Ctx) -> anyhow::Result<()> {
    let changed = ctx.store.assign(args.id, None, &ctx.actor)?;
    ctx.out.note(match changed {
        true => format!("claim {}: assigned to nobody", args.id),
        false => format!("claim {} was assigned to nobody; nothing changed", args.id),
    });
    Ok(())
}
