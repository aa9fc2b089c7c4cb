//! `claimdb show`: everything about one claim.

use super::Ctx;

/// `claimdb show ID`
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  claimdb show 12 --format json")]
pub struct Args {
    /// The claim's id (as `list` shows it)
    pub id: i64,
}

/// Prints the claim, its stances, its evidence and its reviews, and where it stands on the desk.
pub fn exec(args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let claim = ctx.store.claim(args.id)?;
    let stances = ctx.store.stances(args.id)?;
    let evidence = ctx.store.evidence(args.id, false)?;
    let reviews = ctx.store.reviews(args.id)?;
    let desk = ctx.store.desk(args.id)?;
    if let Some(keep) = desk.merged_into {
        ctx.out.note(format!(
            "note: claim {} was merged into claim {keep}; it is kept for its history only \
             (`claimdb show {keep}` shows the claim kept)",
            args.id
        ));
    }
    if let Some(kind) = desk.archived {
        ctx.out
            .note(format!("note: claim {} is archived ({kind})", args.id));
    }
    ctx.out
        .claim_detail(&claim, &stances, &evidence, &reviews, &desk)
}
