//! claimdb: a command-line fact-check database.
//!
//! The binary (`src/main.rs`) parses the command line and reports errors; everything else lives
//! here, so that tests, benchmarks and fuzz targets can reach the same code.

pub mod claim_csv;
pub mod cli;
pub mod commands;
pub mod config;
pub mod conflicts;
pub mod dump;
pub mod duplicates;
pub mod error;
pub mod evidence;
pub mod extract;
pub mod figure;
pub mod files;
pub mod fold;
pub mod formats;
pub mod model;
pub mod output;
pub mod query;
pub mod ratings;
pub mod report;
pub mod review;
pub mod source_csv;
pub mod spreadsheet;
pub mod store;
pub mod table;
pub mod when;

use std::io;
use std::path::PathBuf;

use anyhow::Context;

use cli::{Cli, Command};
use commands::Ctx;
use config::Config;
use output::{Format, Output};
use store::{Store, Upgrade};

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    // These print what they are asked for and need no database.
    match cli.command {
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "claimdb", &mut io::stdout());
            return Ok(());
        }
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(command).render(&mut io::stdout())?;
            return Ok(());
        }
        _ => {}
    }
    let config = Config::load()?;
    let format = cli.format.unwrap_or(match cli.command {
        Command::Export(_) | Command::Extract(_) => Format::Csv,
        _ => Format::Table,
    });
    if format == Format::ClaimReview && !matches!(cli.command, Command::Export(_)) {
        return Err(error::UserError::Refused(
            "--format claimreview applies to `claimdb export` only; use json, jsonl, csv or \
             table here"
                .into(),
        )
        .into());
    }
    if matches!(format, Format::Html | Format::Md) && !matches!(cli.command, Command::Report(_)) {
        return Err(error::UserError::Refused(
            "--format html and md apply to `claimdb report` only; use json, jsonl, csv or table \
             here"
                .into(),
        )
        .into());
    }
    if format == Format::Xlsx && !matches!(cli.command, Command::Export(_)) {
        return Err(error::UserError::Refused(
            "--format xlsx applies to `claimdb export --output FILE.xlsx` only; use json, jsonl, \
             csv or table here"
                .into(),
        )
        .into());
    }
    let mut out = Output::new(format, cli.quiet);
    if cli.wide {
        out.set_wide();
    }
    if let Command::Copy(args) = cli.command {
        // Both databases are named by the command itself.
        commands::copy::exec(args, &mut out)?;
        out.finish()?;
        return Ok(());
    }
    let path = match cli.db.or(config.db.clone()) {
        Some(path) => path,
        None => default_db_path()?,
    };
    if let Command::Migrate(args) = cli.command {
        // Not through `Store::open`: a shared database too old to open is what it upgrades.
        commands::migrate::exec(args, &path, &mut out)?;
        out.finish()?;
        return Ok(());
    }
    if let Command::Team(command) = cli.command {
        commands::team::exec(command, &path, &mut out)?;
        out.finish()?;
        return Ok(());
    }
    // Read before opening, so that a bad value is refused before anything is created.
    let busy_timeout = busy_timeout_from_env()?;
    if let Command::Extract(args) = cli.command {
        // extract never creates or changes a database: it reads one only when it exists.
        let store = if path.exists() || (args.check && store::postgres::is_address(&path)) {
            Some(Store::open(&path)?.0)
        } else if store::postgres::is_address(&path) {
            // Without --check the team database only names sources: extract works without it.
            match Store::open(&path) {
                Ok((store, _)) => Some(store),
                Err(e) => {
                    out.note(format!(
                        "note: names are not matched to the team's sources ({e:#})"
                    ));
                    None
                }
            }
        } else if args.check {
            return Err(error::UserError::Refused(format!(
                "--check compares with the claims in the database, and there is none at {}; \
                 give one with --db",
                path.display()
            ))
            .into());
        } else {
            None
        };
        commands::extract::exec(args, store.as_ref(), &mut out)?;
        out.finish()?;
        return Ok(());
    }
    let (mut store, upgrade) = Store::open(&path)?;
    if let Some(timeout) = busy_timeout {
        store.set_busy_timeout(timeout)?;
    }
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
    let named = cli
        .actor
        .or(config.actor.clone())
        .filter(|a| !a.trim().is_empty())
        .map(|a| a.trim().to_owned());
    let actor = match (store.authenticated_user(), named) {
        // On a shared database, history records who logged in, never a name typed in.
        (Some(user), Some(named)) if named != user => {
            return Err(error::UserError::Refused(format!(
                "on a shared team database history records the login you connected as ({user}); \
                 --as (or CLAIMDB_USER, or `actor` in the config file) cannot name {named:?} \
                 instead: connect as that login to act as them"
            ))
            .into());
        }
        (Some(user), _) => user,
        (None, Some(named)) => named,
        (None, None) => whoami::username(),
    };
    let mut ctx = Ctx {
        store,
        out,
        actor,
        config,
    };
    commands::run(cli.command, &mut ctx)?;
    ctx.out.finish()?;
    Ok(())
}

/// `CLAIMDB_BUSY_TIMEOUT`: seconds to wait for another writer (default 10).
fn busy_timeout_from_env() -> anyhow::Result<Option<std::time::Duration>> {
    match std::env::var("CLAIMDB_BUSY_TIMEOUT") {
        Ok(text) => text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| (0.0..=store::MAX_BUSY_TIMEOUT.as_secs_f64()).contains(s))
            .map(|s| Some(std::time::Duration::from_secs_f64(s)))
            .ok_or_else(|| {
                error::UserError::Invalid(error::InvalidValue::new(
                    "a timeout",
                    text,
                    format!(
                        "CLAIMDB_BUSY_TIMEOUT must be a number of seconds from 0 to {}, e.g. 10 \
                         or 0.5",
                        store::MAX_BUSY_TIMEOUT.as_secs()
                    ),
                ))
                .into()
            }),
        Err(_) => Ok(None),
    }
}

/// `claims.db` in the platform's data directory (`~/.local/share/claimdb` on Linux).
fn default_db_path() -> anyhow::Result<PathBuf> {
    directories::ProjectDirs::from("", "", "claimdb")
        .map(|dirs| dirs.data_dir().join("claims.db"))
        .context("no home directory to keep the database in; give one with --db or CLAIMDB_PATH")
}
