//! `claimdb add`: record a new claim.

use super::fields::ClaimFields;
use super::Ctx;
use crate::error::UserError;
use crate::model::{self, ClaimDraft, Stance, Status};

/// `claimdb add TEXT --claimant SOURCE [fields]`
#[derive(Debug, clap::Args)]
#[command(
    after_help = concat!(
        "Examples:\n  claimdb add 'أكثر من 100 رجل روسي شاركوا في العملية' \
        --claimant 'Human Rights Watch' --figure '>100 men [أكثر من 100 رجل]' --location 'Moura, Mali'\n  \
        claimdb add 'نحو 200 جندي و9 من عناصر الشرطة' --claimant AFP \
        --figure '~200 soldiers' --figure '9 police officers'\n  \
        claimdb add '...' --claimant X --figure 'نحو ألف من مقاتلي فاجنر'\n\n",
        super::fields::FIGURE_HELP!()
    )
)]
pub struct Args {
    /// The claim exactly as it was made, in its own language
    #[arg(allow_hyphen_values = true)]
    pub text: String,
    /// The source that made the claim (a name or an alias; a new name creates the source)
    #[arg(long, allow_hyphen_values = true)]
    pub claimant: String,
    /// Its status in the workflow
    #[arg(long, value_enum, ignore_case = true, default_value_t = Status::Unverified)]
    pub status: Status,
    #[command(flatten)]
    pub fields: ClaimFields,
    /// A source that supports the claim (repeat for more)
    #[arg(long = "supported-by", value_name = "SOURCE")]
    pub supported_by: Vec<String>,
    /// A source that disputes the claim (repeat for more)
    #[arg(long = "disputed-by", value_name = "SOURCE")]
    pub disputed_by: Vec<String>,
    /// Refuse (exit 1, nothing written) when the claim looks like a stored one
    #[arg(long)]
    pub no_duplicate: bool,
}

/// How many likely duplicates `add` names.
const DUPLICATES_SHOWN: usize = 3;

/// Stores the claim and prints its id.
pub fn exec(args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let mut draft = ClaimDraft {
        text: args.text,
        claimant: model::list_item("a claimant", &args.claimant)?,
        status: args.status,
        ..ClaimDraft::default()
    };
    args.fields.to_patch()?.apply_to(&mut draft)?;
    let stances: Vec<(String, Stance)> = args
        .supported_by
        .into_iter()
        .map(|s| (s, Stance::Supports))
        .chain(args.disputed_by.into_iter().map(|s| (s, Stance::Disputes)))
        .collect();
    // A team database cannot find similar claims yet: the claim is added without the warnings,
    // and --no-duplicate, which promises the check, is refused before anything is written.
    if args.no_duplicate && !ctx.store.has_word_index() {
        return Err(crate::store::not_in_team_mode());
    }
    let candidates = if ctx.store.has_word_index() {
        ctx.store.similar_to_text(
            &draft.text,
            draft.translation.as_deref(),
            &draft.figures,
            DUPLICATES_SHOWN,
        )?
    } else {
        Vec::new()
    };
    let (similar, conflicting): (Vec<_>, Vec<_>) =
        candidates.into_iter().partition(|s| s.conflict.is_none());
    // Two claims that read alike but whose figures cannot both be true are a conflict to
    // check, never a duplicate to merge.
    for s in &conflicting {
        ctx.out.warn(format!(
            "the new claim reads like claim {} (similarity {:.2}) but their figures conflict \
             ({}): a conflict to check, not a duplicate (`claimdb conflicts`, `claimdb show {}`)",
            s.claim.id,
            s.similarity,
            s.conflict.as_deref().unwrap_or_default(),
            s.claim.id
        ));
    }
    let described: Vec<String> = similar
        .iter()
        .map(|s| {
            format!(
                "claim {} (similarity {:.2}): {}",
                s.claim.id,
                s.similarity,
                crate::table::truncate(&s.claim.text, 60)
            )
        })
        .collect();
    if args.no_duplicate && !similar.is_empty() {
        return Err(UserError::Refused(format!(
            "the claim looks like {} stored claim(s), so --no-duplicate refused it; nothing was \
             written:\n  {}\n(`claimdb show ID` to compare; add without --no-duplicate to keep both)",
            similar.len(),
            described.join("\n  ")
        ))
        .into());
    }
    for line in &described {
        ctx.out.warn(format!("the new claim looks like {line}"));
    }
    let added = ctx.store.add_claim(&draft, &stances, &ctx.actor)?;
    if let Some(first) = similar.first() {
        ctx.out.note(format!(
            "note: if claim {} is the same claim, fold it in with `claimdb merge {} {}`",
            added.id, first.claim.id, added.id
        ));
    }
    super::announce_new_sources(ctx, &added.new_sources);
    ctx.out.value("id", added.id)?;
    Ok(())
}
