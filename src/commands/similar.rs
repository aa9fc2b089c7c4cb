//! `claimdb similar`: likely duplicates of a claim.

use super::Ctx;
use crate::output::Format;

/// `claimdb similar ID [--limit N]`
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  claimdb similar 12\n  claimdb similar 12 --format json\n\n\
    Claims are compared by their folded words (the folding search uses: diacritics, article\n\
    prefixes and word order do not matter), text with text and translation with translation.\n\
    similarity is the cosine of the two word sets, from 0 to 1; claims from 0.6 on are listed.\n\
    Fold a duplicate into the claim to keep with `claimdb merge KEEP DUP`.\n\
    A claim whose figures cannot both be true with this one's (\"5 civilians killed in X\" and\n\
    \"50 civilians killed in X\") is listed with the conflict: it is not a duplicate to merge."
)]
pub struct Args {
    /// The claim's id
    pub id: i64,
    /// At most this many claims
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub limit: usize,
}

/// Prints the likely duplicates, most similar first.
pub fn exec(args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    if !ctx.store.has_word_index() {
        return Err(crate::store::not_in_team_mode());
    }
    let similar = ctx.store.similar(args.id, args.limit)?;
    if similar.is_empty() && ctx.out.format() == Format::Table {
        ctx.out
            .note(format!("no claim looks like claim {}", args.id));
        return Ok(());
    }
    for s in similar.iter().filter(|s| s.conflict.is_some()) {
        ctx.out.warn(format!(
            "claim {} reads like claim {} but their figures conflict ({}): a conflict to \
             check, not a duplicate to merge",
            s.claim.id,
            args.id,
            s.conflict.as_deref().unwrap_or_default()
        ));
    }
    ctx.out.similar_claims(&similar)
}
