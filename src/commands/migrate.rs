//! `claimdb migrate`: bring a database to this claimdb's schema version.

use std::path::Path;

use crate::output::Output;
use crate::store::Store;

/// `claimdb migrate` takes no options.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  claimdb migrate
  claimdb --db postgres://owner@db.example/desk migrate --format json

A database file is upgraded whenever claimdb opens it with write access; `migrate` does just that
and says which versions it went from and to.

A shared team database is upgraded by `migrate` only, run by the database's owner (anyone else is
refused with exit code 4), all in one transaction. Its version is major.minor: a claimdb keeps
working on any minor of its own major, so people can upgrade claimdb in their own time after an
additive change; another major is refused until the owner migrates (or the person upgrades
claimdb).

When the team database's search documents were built by an older version of claimdb's folding
rules, `migrate` builds them all again. Until then everything keeps working, searches included,
but a claim written before may not be found by words the newer rules spell differently; `search`
says so. Claims written meanwhile by a claimdb with older rules than the database's are computed
again by the next writer with the database's rules, or by its `migrate`.")]
pub struct Args {}

/// Upgrades the database at `db` and reports the versions.
pub fn exec(_args: Args, db: &Path, out: &mut Output) -> anyhow::Result<()> {
    let done = Store::migrate(db)?;
    if done.newer_search_folding {
        out.note(
            "note: the search documents were built by a newer claimdb's folding rules and were \
             left as they are",
        );
    }
    out.migration(&done)
}
