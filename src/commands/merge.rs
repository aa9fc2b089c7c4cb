//! `claimdb merge`: fold a duplicate claim into the claim kept.

use super::Ctx;

/// `claimdb merge KEEP DUP [--note WHY]`
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  claimdb merge 3 17 --note 'same HRW figure, reported by AFP'\n\n\
    The kept claim gets the duplicate's tags, the fields it lacks, and the stances of sources\n\
    that have none on it yet; the duplicate's claimant supports it. The duplicate is then\n\
    hidden from list, export, stats and search, but keeps its history (shown with the kept\n\
    claim's), and importing its uid again updates the kept claim. All in one transaction."
)]
pub struct Args {
    /// The claim to keep
    pub keep: i64,
    /// The duplicate to fold into it
    pub dup: i64,
    /// Why they are the same claim, recorded in both histories
    #[arg(long, value_name = "WHY", allow_hyphen_values = true)]
    pub note: Option<String>,
}

/// Merges and says what moved.
pub fn exec(args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let merged = ctx
        .store
        .merge(args.keep, args.dup, args.note.as_deref(), &ctx.actor)?;
    let mut what = vec![format!(
        "claim {} merged into claim {}",
        args.dup, args.keep
    )];
    if !merged.changes.is_empty() {
        let fields: Vec<String> = merged.changes.iter().map(|c| c.field.to_string()).collect();
        what.push(format!("fields: {}", fields.join(", ")));
    }
    if !merged.moved_stances.is_empty() {
        what.push(format!("sources: {}", merged.moved_stances.join(", ")));
    }
    ctx.out.note(what.join("; "));
    ctx.out.value("id", args.keep)?;
    Ok(())
}
