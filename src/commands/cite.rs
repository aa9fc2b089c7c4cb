//! `claimdb cite`: a source supports or disputes a claim.

use super::Ctx;
use crate::model::{self, Stance};
use crate::store::Cited;

/// `claimdb cite ID SOURCE (--supports | --disputes) [--quote Q] [--url U]`
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("stance").required(true).args(["supports", "disputes"]))]
#[command(
    after_help = "Example:\n  claimdb cite 9 'Human Rights Watch' --disputes \
    --quote 'the worst single atrocity' --url https://www.hrw.org/"
)]
pub struct Args {
    /// The claim's id
    pub id: i64,
    /// The source (name or alias; a new name creates the source)
    pub source: String,
    /// The source backs the claim
    #[arg(long)]
    pub supports: bool,
    /// The source contradicts the claim
    #[arg(long)]
    pub disputes: bool,
    /// What the source said
    #[arg(long, allow_hyphen_values = true)]
    pub quote: Option<String>,
    /// Where it said it
    #[arg(long, value_parser = model::check_url)]
    pub url: Option<String>,
}

/// Records the stance.
pub fn exec(args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let stance = if args.supports {
        Stance::Supports
    } else {
        Stance::Disputes
    };
    if let Some(quote) = &args.quote {
        model::check_text("a quote", quote)?;
    }
    let (cited, new_sources) = ctx.store.cite(
        args.id,
        &args.source,
        stance,
        args.quote.as_deref(),
        args.url.as_deref(),
        &ctx.actor,
    )?;
    super::announce_new_sources(ctx, &new_sources);
    let what = match cited {
        Cited::Added => "recorded",
        Cited::Changed => "updated",
        Cited::Unchanged => "already recorded; nothing changed",
    };
    ctx.out.note(format!(
        "claim {}: {:?} {stance} it ({what})",
        args.id, args.source
    ));
    Ok(())
}
