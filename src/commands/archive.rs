//! `claimdb archive` and `claimdb unarchive`: set a claim aside without a verdict, or bring it
//! back. An archived claim keeps its history and is left out of list, export and report unless
//! they are given `--archived`.

use super::Ctx;
use crate::error::UserError;
use crate::model::{self, ArchiveKind};

/// `claimdb archive ID --note WHY [--kind KIND]`
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  claimdb archive 12 --kind opinion --note 'A forecast, not a claim of fact'\n  \
    claimdb archive 13 --kind mistake --note 'Typed twice'\n  claimdb list --archived\n\n\
    Kinds: mistake (entered by mistake), not_check_worthy, opinion (an opinion or prediction),\n\
    other (say which in the note). None of them is a verdict: the claim's status stays."
)]
pub struct Args {
    /// The claim's id
    pub id: i64,
    /// Why it is set aside
    #[arg(long, value_enum, ignore_case = true, default_value = "other")]
    pub kind: ArchiveKind,
    /// The reason, recorded in history (required)
    #[arg(long, value_name = "WHY", allow_hyphen_values = true)]
    pub note: String,
}

/// `claimdb unarchive ID --note WHY`
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  claimdb unarchive 12 --note 'The minister repeated it as fact'"
)]
pub struct UnarchiveArgs {
    /// The claim's id
    pub id: i64,
    /// Why it comes back, recorded in history (required)
    #[arg(long, value_name = "WHY", allow_hyphen_values = true)]
    pub note: String,
}

fn reason(note: &str) -> anyhow::Result<&str> {
    model::check_text("a note", note)?;
    match note.trim() {
        "" => Err(UserError::Refused(
            "--note must say why (it is recorded in history); nothing was written".into(),
        )
        .into()),
        note => Ok(note),
    }
}

/// Archives the claim.
pub fn exec(args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let note = reason(&args.note)?;
    let changed = ctx
        .store
        .archive(args.id, Some(args.kind), note, &ctx.actor)?;
    ctx.out.note(match changed {
        true => format!("claim {}: archived ({})", args.id, args.kind),
        false => format!(
            "claim {} was already archived as {}; nothing changed",
            args.id, args.kind
        ),
    });
    Ok(())
}

/// Brings the claim back.
pub fn exec_unarchive(args: UnarchiveArgs, ctx: &mut Ctx) -> anyhow::Result<()> {
    let note = reason(&args.note)?;
    let changed = ctx.store.archive(args.id, None, note, &ctx.actor)?;
    ctx.out.note(match changed {
        true => format!("claim {}: back from the archive", args.id),
        false => format!("claim {} is not archived; nothing changed", args.id),
    });
    Ok(())
}
