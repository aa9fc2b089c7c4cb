//! `claimdb conflicts`: claims whose figures cannot both be true.

use super::list::FilterArgs;
use super::Ctx;
use crate::output::Format;

/// `claimdb conflicts [filters]`
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  claimdb conflicts --tag moura\n  \
    claimdb conflicts --unit civilians --format csv\n\n\
    Two claims conflict when they count the same thing (their figures' units fold to the same\n\
    words: case, spaces and Arabic letter forms do not matter), are about the same event (they\n\
    share a tag, or have the same location and dates of which one contains the other: 2022-03\n\
    contains 2022-03-27), and their figures cannot both be true: the ranges do not overlap.\n\
    An approximate figure (~300, نحو 300) reaches 10% either side (270-330); >5 excludes 5,\n\
    >=5 includes it; a vague count is its range (مئات / hundreds: 200-999).\n\
    The filters choose the claims compared; --limit counts conflicts.\n\
    `claimdb list --disputed` lists these claims too, saying why.")]
pub struct Args {
    #[command(flatten)]
    pub filter: FilterArgs,
}

/// Prints each conflicting pair side by side.
pub fn exec(args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let filter = args.filter.to_filter(&ctx.actor)?;
    ctx.store.check_filter(&filter)?;
    let conflicts = ctx.store.conflicts(&filter)?;
    if conflicts.is_empty() && ctx.out.format() == Format::Table {
        ctx.out.note(
            "no conflicting figures (claims are compared when they count the same thing about \
             the same event: a shared tag, or the same location and date)",
        );
        return Ok(());
    }
    ctx.out.conflicts(&conflicts)
}
