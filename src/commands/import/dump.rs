//! `claimdb import --from json`: a claimdb dump restored into an empty database.

use std::io::{BufReader, Read};

use super::Args;
use crate::commands::Ctx;
use crate::dump;
use crate::error::UserError;

/// Restores the dump in one transaction, or writes nothing.
pub(super) fn exec(
    args: &Args,
    name: String,
    input: Box<dyn Read>,
    ctx: &mut Ctx,
) -> anyhow::Result<()> {
    if !args.rename.is_empty() {
        return Err(UserError::Refused("--rename applies to --from csv only".into()).into());
    }
    let input = BufReader::with_capacity(1 << 16, input);
    let restored = ctx.store.restore(args.dry_run, |restorer| {
        dump::read(input, &name, |record, origin| restorer.add(record, origin))
    })?;
    ctx.out.note(format!(
        "{name}: {} {} claim(s), {} source(s), {} rating(s), {} evidence item(s), {} file(s), \
         {} review(s), {} merge(s), {} history event(s){}",
        if args.dry_run {
            "would restore"
        } else {
            "restored"
        },
        restored.claims,
        restored.sources,
        restored.ratings,
        restored.evidence,
        restored.files,
        restored.reviews,
        restored.merges,
        restored.events,
        if args.dry_run {
            " (dry run: nothing was written)"
        } else {
            ""
        }
    ));
    Ok(())
}
