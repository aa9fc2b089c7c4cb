//! claimdb: a command-line fact-check database.

mod claim_csv;
mod cli;
mod commands;
mod duplicates;
mod error;
mod fold;
mod model;
mod output;
mod query;
mod store;

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use cli::{Cli, Command};
use commands::Ctx;
use error::{exit, UserError};
use output::{Format, Output};
use store::{Store, Upgrade};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let busy = is_busy(&e);
            let e = if busy {
                anyhow::Error::new(UserError::Busy(store::BUSY_TIMEOUT.as_secs()))
            } else {
                e
            };
            #[allow(clippy::print_stderr)]
            {
                eprintln!("error: {e:#}");
            }
            ExitCode::from(if busy { exit::BUSY } else { exit::ERROR })
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let format = cli.format.unwrap_or(match cli.command {
        Command::Export(_) => Format::Csv,
        _ => Format::Table,
    });
    let out = Output::new(format, cli.quiet);
    let path = match cli.db {
        Some(path) => path,
        None => default_db_path()?,
    };
    let (store, upgrade) = Store::open(&path)?;
    match upgrade {
        Upgrade::Created if !matches!(cli.command, Command::Init(_)) => out.note(format!(
            "note: created a new database at {}",
            path.display()
        )),
        Upgrade::Migrated(from) => out.note(format!(
            "note: upgraded {} from schema version {from} to {}",
            path.display(),
            store::schema::VERSION
        )),
        _ => {}
    }
    let actor = match cli.actor.filter(|a| !a.trim().is_empty()) {
        Some(actor) => actor.trim().to_owned(),
        None => whoami::username(),
    };
    let mut ctx = Ctx { store, out, actor };
    commands::run(cli.command, &mut ctx)?;
    ctx.out.finish()?;
    Ok(())
}

/// `claims.db` in the platform's data directory (`~/.local/share/claimdb` on Linux).
fn default_db_path() -> anyhow::Result<PathBuf> {
    directories::ProjectDirs::from("", "", "claimdb")
        .map(|dirs| dirs.data_dir().join("claims.db"))
        .context("no home directory to keep the database in; give one with --db or CLAIMDB_PATH")
}

/// `claimdb list | head` closes the pipe early: that is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<csv::Error>()
                .is_some_and(|c| matches!(c.kind(), csv::ErrorKind::Io(io) if io.kind() == io::ErrorKind::BrokenPipe))
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(io::ErrorKind::BrokenPipe))
    })
}

/// Another process held the write lock for longer than the busy timeout.
fn is_busy(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause.downcast_ref::<rusqlite::Error>().is_some_and(|r| {
            matches!(
                r.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            )
        })
    })
}
