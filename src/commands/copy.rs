//! `claimdb copy --from SRC --to DST`: a whole desk from one database into another, a file or a
//! shared PostgreSQL database on either side, in one pass (a dump read from the one and restored
//! into the other as it is read, with no file in between).

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::dump::Record;
use crate::error::UserError;
use crate::output::Output;
use crate::store::dump::{Restored, Restorer};
use crate::store::{postgres, Store};

/// `claimdb copy --from SRC --to DST`
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    claimdb copy --from claims.db --to postgres://amal@db.example/desk\n  \
    claimdb copy --from postgres://amal@db.example/desk --to desk-copy.db\n  \
    claimdb copy --from claims.db --to claims-2026.db\n\n\
    Everything the desk holds is copied, exactly: claims (merged duplicates and archived ones\n\
    too) with their figures, tags, stances, evidence items and files, and reviews; sources with\n\
    their kinds and aliases; the rating map; assignments, archive reasons and proposed verdicts;\n\
    merges; and the history with its hash chain, as written. Ids, versions, times and the names\n\
    recorded stay as they were, so `claimdb audit` on the copy prints the same head.\n\n\
    --from is read in one snapshot: others may go on writing to it meanwhile. --to must be a new\n\
    file, an empty database file (`claimdb init`), or an empty team database that its owner set\n\
    up with `claimdb team init`; the copy is written in one transaction, so an error leaves it as\n\
    it was. On a team database the copy writes history and claims under the names recorded in\n\
    --from, which only the database's owner may do: run it as the owner.\n\n\
    The copy is checked as `claimdb audit` checks a database, and the head of its history chain\n\
    is printed (the same as --from's). --db is not used: both databases are named here.")]
pub struct Args {
    /// The database to copy: a file, or a team database's address (postgres://USER@HOST/DB)
    #[arg(long, value_name = "PATH|ADDRESS")]
    pub from: PathBuf,
    /// Where to copy it: a new or empty file, or an empty team database's address
    #[arg(long, value_name = "PATH|ADDRESS")]
    pub to: PathBuf,
}

/// Copies the desk at `--from` into `--to`, then checks the copy as `audit` does.
pub fn exec(args: Args, out: &mut Output) -> anyhow::Result<()> {
    let (from, to) = (&args.from, &args.to);
    let shown_from = shown(from);
    let shown_to = shown(to);
    if same_database(from, to) {
        return Err(UserError::Refused(format!(
            "--from and --to both name {shown_from}; a copy goes into another database"
        ))
        .into());
    }
    if !postgres::is_address(from) && !from.exists() {
        return Err(UserError::Refused(format!(
            "{shown_from} does not exist, so there is nothing to copy; give --from the database \
             file (or the team database's address) to copy"
        ))
        .into());
    }
    for (flag, db) in [("--from", from), ("--to", to)] {
        if db.is_dir() {
            return Err(UserError::Refused(format!(
                "{flag} {} is a folder; give the path of a database file",
                db.display()
            ))
            .into());
        }
    }
    let (source, _) =
        Store::open(from).with_context(|| format!("cannot copy from {shown_from}"))?;
    // A new file is made beside its name and takes that name only once the copy is complete
    // and checked: nobody sees half a desk under it, and a failed copy leaves nothing behind.
    let new_file = if !postgres::is_address(to) && !to.exists() {
        let to = crate::files::resolve_target(to)?;
        if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("failed to create the folder {}", dir.display()))?;
        }
        Some((crate::files::temp_beside(&to)?, to))
    } else {
        None
    };
    let into = match &new_file {
        Some((temp, _)) => temp.path().to_owned(),
        None => to.clone(),
    };
    let (mut target, _) =
        Store::open(&into).with_context(|| format!("cannot copy into {shown_to}"))?;
    if !target.is_empty()? {
        return Err(UserError::Refused(format!(
            "{shown_to} is not empty: a copy goes into a new file or an empty database only (it \
             keeps ids and the history chain as they are); give --to a new file, or a team \
             database just set up with `claimdb team init`"
        ))
        .into());
    }
    let restored = source
        .snapshot(|source| {
            target.restore(false, |restorer| copy_desk(source, restorer, &shown_from))
        })
        .map_err(|e| {
            if refused_for_lack_of_a_role(&e) {
                e.context(format!(
                    "nothing was copied: a copy writes the names and verdicts recorded in \
                     {shown_from}, which only the owner of {shown_to} may write; run it connected \
                     as the database's owner"
                ))
            } else {
                e
            }
        })?;
    let audit = target.audit()?;
    let files = target.audit_files()?;
    drop(target);
    if let Some((temp, to)) = new_file {
        // The new file's own log was folded back in when it was closed; leftovers of an earlier
        // database under that name must not be mixed into it.
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut sidecar = to.clone().into_os_string();
            sidecar.push(suffix);
            let _ = std::fs::remove_file(&sidecar);
        }
        temp.persist_noclobber(&to).map_err(|e| {
            anyhow::Error::new(e.error).context(format!(
                "failed to put the copy under {} (did something else create that file \
                 meanwhile?); nothing was written there",
                to.display()
            ))
        })?;
    }
    out.note(summary(&restored, &shown_from, &shown_to));
    match (audit.problem(), files.len()) {
        (None, 0) => out.note(format!(
            "history intact: {} event(s) checked, every claim matches its history",
            audit.events
        )),
        (Some(problem), _) => out.warn(format!(
            "the copy holds the history as it was in {shown_from}, and `claimdb audit` finds \
             there: {problem}"
        )),
        (None, n) => out.warn(format!(
            "{n} evidence file(s) do not match their history events, as in {shown_from}; \
             `claimdb audit` lists them"
        )),
    }
    if let Some(head) = audit.head {
        out.value("head", head)?;
    }
    Ok(())
}

/// Whether the server refused a write for lack of a role.
fn refused_for_lack_of_a_role(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<crate::store::sql::Error>()
            .is_some_and(|e| e.kind() == crate::store::sql::ErrorKind::Permission)
    })
}

/// Hands every record of the desk in `source` to the restore, in the order of a dump.
fn copy_desk(source: &Store, restorer: &mut Restorer<'_>, from: &str) -> anyhow::Result<()> {
    source.dump_sources(|s| {
        let origin = format!("{from}, source {:?}", s.name);
        restorer.add(Record::Source(s), &origin)
    })?;
    source.dump_ratings(|r| {
        let origin = format!("{from}, rating {:?}", r.rating);
        restorer.add(Record::Rating(r), &origin)
    })?;
    source.dump_claims(|c| {
        let origin = format!("{from}, claim {}", c.claim.id);
        restorer.add(Record::Claim(Box::new(c)), &origin)
    })?;
    source.dump_merges(|m| {
        let origin = format!("{from}, merge of claim {}", m.dup_id);
        restorer.add(Record::Merge(m), &origin)
    })?;
    source.dump_history(|e| {
        let origin = format!("{from}, history event {}", e.event.id);
        restorer.add(Record::Event(e), &origin)
    })?;
    source.dump_files(|sha256, size, content| {
        restorer.file_from(sha256, size, |out| {
            content(out)?;
            Ok(Some(size))
        })
    })
}

fn summary(r: &Restored, from: &str, to: &str) -> String {
    format!(
        "copied {} claim(s), {} source(s), {} rating(s), {} evidence item(s), {} file(s), {} \
         review(s), {} merge(s) and {} history event(s) from {from} to {to}",
        r.claims, r.sources, r.ratings, r.evidence, r.files, r.reviews, r.merges, r.events
    )
}

/// A database as messages name it: a file's path, or an address without its password.
fn shown(db: &Path) -> String {
    if postgres::is_address(db) {
        postgres::redacted(&db.to_string_lossy())
    } else {
        db.display().to_string()
    }
}

/// Whether `a` and `b` name the same database: the same file, or the same database on the same
/// server (whoever connects to it).
fn same_database(a: &Path, b: &Path) -> bool {
    match (postgres::is_address(a), postgres::is_address(b)) {
        (true, true) => {
            let key = |db: &Path| {
                let url = url::Url::parse(&db.to_string_lossy()).ok()?;
                let name = url.path().trim_start_matches('/').to_owned();
                let name = if name.is_empty() {
                    url.username().to_owned()
                } else {
                    name
                };
                Some((
                    url.host_str().unwrap_or("localhost").to_ascii_lowercase(),
                    url.port().unwrap_or(5432),
                    name,
                ))
            };
            key(a).is_some() && key(a) == key(b)
        }
        (false, false) => a == b || (b.exists() && crate::files::same_file(a, b)),
        _ => false,
    }
}
