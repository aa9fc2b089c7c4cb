//! `claimdb cite`: a source supports or disputes a claim; its quote and url become an evidence
//! item beside the ones it already has.

use super::Ctx;
use crate::model::{self, Stance};
use crate::store::Cited;

/// `claimdb cite ID SOURCE (--supports | --disputes) [--quote Q] [--url U]`
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("stance").required(true).args(["supports", "disputes"]))]
#[command(
    after_help = "Example:\n  claimdb cite 9 'Human Rights Watch' --disputes \
    --quote 'the worst single atrocity' --url https://www.hrw.org/\n\n\
    A quote or url is added as an evidence item of the source (`claimdb evidence list ID`);\n\
    citing the source again with another quote adds another item and keeps the first."
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
    /// What the source said (added as an evidence item)
    #[arg(long, allow_hyphen_values = true)]
    pub quote: Option<String>,
    /// Where it said it (added as an evidence item)
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
    let (cited, evidence, new_sources) = ctx.store.cite(
        args.id,
        &args.source,
        stance,
        args.quote.as_deref(),
        args.url.as_deref(),
        &ctx.actor,
    )?;
    super::announce_new_sources(ctx, &new_sources);
    let what = match (cited, evidence) {
        (Cited::Added, _) => "recorded".to_owned(),
        (Cited::Changed, _) => "changed".to_owned(),
        (Cited::Unchanged, Some(_)) => "already recorded".to_owned(),
        (Cited::Unchanged, None) => "already recorded; nothing changed".to_owned(),
    };
    let evidence = evidence
        .map(|e| format!("; evidence {e} added"))
        .unwrap_or_default();
    ctx.out.note(format!(
        "claim {}: {:?} {stance} it ({what}){evidence}",
        args.id, args.source
    ));
    Ok(())
}
