//! `claimdb edit`: change fields of a claim.

use super::fields::{self, ClaimFields};
use super::Ctx;
use crate::error::UserError;
use crate::model::{self, Action, Field, Status};

/// `claimdb edit ID [fields]`
#[derive(Debug, clap::Args)]
#[command(
    after_help = concat!(
        "Examples:\n  claimdb edit 4 --figure '9 police officers [9 من عناصر الشرطة]'\n  \
        claimdb edit 4 --remove-figure 2 --reason 'Not in the article'\n  \
        claimdb edit 4 --value 1200 --reason 'Corrected from the original'\n  \
        claimdb edit 4 --clear figures\n  \
        claimdb edit 4 --tag wagner --untag draft\n\n\
        --figure adds a figure (a figure the claim already has is not added twice); --value,\n\
        --unit and --qualifier change the first figure.\n\n",
        super::fields::FIGURE_HELP!()
    )
)]
pub struct Args {
    /// The claim's id
    pub id: i64,
    /// New text for the claim
    #[arg(long, allow_hyphen_values = true)]
    pub text: Option<String>,
    /// A different claimant (name or alias)
    #[arg(long, allow_hyphen_values = true)]
    pub claimant: Option<String>,
    /// A new status (a verdict needs --reason)
    #[arg(long, value_enum, ignore_case = true)]
    pub status: Option<Status>,
    #[command(flatten)]
    pub fields: ClaimFields,
    /// Remove a figure, by its position (1 for the first, as `show` lists them) or as printed
    /// (repeat for more)
    #[arg(long, value_name = "POSITION|FIGURE", allow_hyphen_values = true)]
    pub remove_figure: Vec<String>,
    /// Empty an optional field (repeat for more), e.g. --clear figures; --clear tags removes
    /// every tag (--tag adds one, --untag removes one)
    #[arg(long, value_name = "FIELD")]
    pub clear: Vec<Field>,
    /// Remove a tag (repeat for more)
    #[arg(long, value_name = "TAG")]
    pub untag: Vec<String>,
    /// Why the change was made, recorded in history
    #[arg(long, value_name = "WHY", allow_hyphen_values = true)]
    pub reason: Option<String>,
    /// Refuse if the claim is no longer at this version (`show` gives it): nobody else's
    /// change is overwritten
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(1..))]
    pub if_version: Option<i64>,
}

/// Applies the changes and lists them.
pub fn exec(args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let mut patch = args.fields.to_patch()?;
    if let Some(text) = &args.text {
        model::check_text("claim text", text)?;
        patch.text = Some(text.clone());
    }
    if let Some(claimant) = &args.claimant {
        patch.claimant = Some(model::list_item("a claimant", claimant)?);
    }
    patch.status = args.status;
    if args.status.is_some_and(Status::is_verdict) && ctx.config.review_gate {
        return Err(UserError::Refused(format!(
            "the review gate is on: a verdict is proposed with `claimdb status {} {} --note \
             WHY` and approved by someone else; nothing was written",
            args.id,
            args.status.map(Status::as_str).unwrap_or_default()
        ))
        .into());
    }
    // --tag adds to the claim's tags and --untag takes away; only --clear tags empties them
    // (then --tag gives the new ones).
    let added = patch.tags.take();
    fields::clear(&mut patch, &args.clear)?;
    // Removals first, so that positions are the ones `show` printed.
    let removals = args
        .remove_figure
        .iter()
        .map(|which| model::FigureEdit::Remove(which.clone()));
    patch.figure_edits.splice(0..0, removals);
    if added.is_some() || !args.untag.is_empty() {
        let untag: Vec<String> = args
            .untag
            .iter()
            .map(|t| model::list_item("a tag", t))
            .collect::<Result<_, _>>()?;
        let mut tags = match patch.tags.take() {
            Some(cleared) => cleared,
            None => ctx.store.claim(args.id)?.tags,
        };
        tags.extend(added.unwrap_or_default());
        tags.retain(|t| !untag.contains(t));
        patch.tags = Some(tags);
    }
    if patch.is_empty() {
        return Err(UserError::Refused(
            "nothing to change: give at least one field, e.g. --figure '~1200 fighters' (see \
             `claimdb edit --help`)"
                .into(),
        )
        .into());
    }
    let changes = ctx
        .store
        .update_claim(
            args.id,
            &patch,
            &ctx.actor,
            Action::Edit,
            args.reason.as_deref(),
            args.if_version,
        )
        .map_err(|e| UserError::name_reason_flag(e, "--reason"))?;
    if changes.is_empty() {
        ctx.out.note(format!("claim {}: nothing changed", args.id));
    }
    for change in changes {
        ctx.out.note(format!(
            "claim {}: {} {:?} → {:?}",
            args.id, change.field, change.old, change.new
        ));
    }
    Ok(())
}
