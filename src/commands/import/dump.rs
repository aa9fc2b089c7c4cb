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
    if !args.dry_run {
        // The chain was restored as written: say whether it holds, as `audit` would.
        let audit = ctx.store.audit()?;
        let files = ctx.store.audit_files()?;
        match (&audit.broken, files.len()) {
            (None, 0) => ctx.out.note(format!(
                "history intact: {} event(s) checked, as `claimdb audit` does",
                audit.events
            )),
            (Some(broken), _) => ctx.out.warn(format!(
                "the restored history is broken at event {} (claim {}), as it was in {name}; \
                 `claimdb audit` will say so",
                broken.event, broken.claim_id
            )),
            (None, n) => ctx.out.warn(format!(
                "{n} restored evidence file(s) do not match their history events, as in \
                 {name}; `claimdb audit` lists them"
            )),
        }
    }
    Ok(())
}
