//! The command line: global options and one `Args` struct per command (in `commands/`).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::commands;
use crate::output::Format;

const EXAMPLES: &str = "\
Examples:
  claimdb import claims.csv
  claimdb list --disputed
  claimdb add 'نحو ألف من مقاتلي فاجنر' --claimant 'Western reports' --figure '~1000 fighters [نحو ألف]'
  claimdb conflicts --tag moura
  claimdb status 3 verified --note 'Confirmed by two independent sources'
  claimdb export --bom --output report.csv";

/// A fact-check database: claims from news articles, who made them, which sources support or
/// dispute them, and where each stands in verification.
#[derive(Debug, Parser)]
#[command(name = "claimdb", version, about, after_help = EXAMPLES)]
pub struct Cli {
    /// The database file, or a shared PostgreSQL database's address (postgres://USER@HOST/DB)
    /// [default: the config file's db, else claims.db in the platform data directory]
    #[arg(
        long,
        global = true,
        env = "CLAIMDB_PATH",
        value_name = "PATH",
        help_heading = "Global options"
    )]
    pub db: Option<PathBuf>,

    /// Who is making the changes, for history [default: the config file's actor, else the OS
    /// user name]
    #[arg(
        long = "as",
        global = true,
        env = "CLAIMDB_USER",
        value_name = "NAME",
        help_heading = "Global options"
    )]
    pub actor: Option<String>,

    /// How to print data [default: table; csv for export]
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "FORMAT",
        help_heading = "Global options"
    )]
    pub format: Option<Format>,

    /// Show whole table cells instead of fitting the table to the terminal
    #[arg(long, global = true, help_heading = "Global options")]
    pub wide: bool,

    /// Print no notes on stderr (errors and warnings still show)
    #[arg(long, short, global = true, help_heading = "Global options")]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

/// Every command claimdb has.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database (running it again does no harm)
    Init(commands::init::Args),
    /// Record a new claim; prints its id
    Add(commands::add::Args),
    /// Show everything about one claim, with the sources for and against it
    Show(commands::show::Args),
    /// List claims, filtered
    List(commands::list::Args),
    /// Find claims by words, in Arabic or English, best match first
    Search(commands::search::Args),
    /// List claims that look like a claim (likely duplicates), most similar first
    Similar(commands::similar::Args),
    /// List claims whose figures cannot both be true: the same count, the same event
    Conflicts(commands::conflicts::Args),
    /// Move a claim through the workflow; verdicts need --note
    Status(commands::status::Args),
    /// Change fields of a claim
    Edit(commands::edit::Args),
    /// Record that a source supports or disputes a claim
    Cite(commands::cite::Args),
    /// Add, list, get and remove a claim's evidence: urls, archived copies, quotes, files
    #[command(subcommand)]
    Evidence(commands::evidence::Command),
    /// Fold a duplicate claim into the claim kept
    Merge(commands::merge::Args),
    /// Show every change made to a claim
    History(commands::history::Args),
    /// List, add, alias and show sources
    #[command(subcommand)]
    Source(commands::source::Command),
    /// Map publishers' rating texts to statuses, and list the map
    #[command(subcommand)]
    Ratings(commands::ratings::Command),
    /// Print candidate claims from an article as CSV for import (never writes)
    Extract(commands::extract::Args),
    /// Import claims (all or nothing): claimdb's CSV, ClaimReview, Fact Check API JSON, LIAR,
    /// or restore a claimdb dump
    Import(commands::import::Args),
    /// Export claims as CSV (--bom for Excel) or ClaimReview, or the whole desk as a JSON or
    /// JSON Lines dump
    Export(commands::export::Args),
    /// Count claims by status and by claimant
    Stats(commands::stats::Args),
    /// Verify that no history event was changed or removed after it was written
    Audit(commands::audit::Args),
    /// Copy the database consistently while others keep working
    Backup(commands::backup::Args),
    /// Copy a whole desk into a new file or an empty team database (or back), history and all
    Copy(commands::copy::Args),
    /// Give a claim to someone to check
    Assign(commands::assign::Args),
    /// Take a claim back from whoever had it
    Unassign(commands::assign::UnassignArgs),
    /// Set a claim aside with a reason (a mistake, not check-worthy, an opinion), without a
    /// verdict
    Archive(commands::archive::Args),
    /// Bring an archived claim back
    Unarchive(commands::archive::UnarchiveArgs),
    /// Approve the verdict someone else proposed (the review gate)
    Approve(commands::approve::Args),
    /// Send a proposed verdict back with a reason (the review gate)
    Return(commands::approve::ReturnArgs),
    /// Who did what across all claims over a period, counted per person and per action
    Activity(commands::activity::Args),
    /// The desk's report for a period: one self-contained HTML file, or Markdown
    Report(commands::report::Args),
    /// Set up a shared PostgreSQL database and manage who is on its team, with which role
    #[command(subcommand)]
    Team(commands::team::Command),
    /// Upgrade the database to this claimdb's schema version (on a shared database, run by its
    /// owner: no other command upgrades one)
    Migrate(commands::migrate::Args),
    /// Print a shell completion script
    #[command(
        after_help = "Examples:\n  claimdb completions bash > ~/.local/share/bash-completion/completions/claimdb\n  \
        claimdb completions zsh > ~/.zfunc/_claimdb\n  \
        claimdb completions fish > ~/.config/fish/completions/claimdb.fish"
    )]
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff)
    #[command(
        after_help = "Example:\n  claimdb man > ~/.local/share/man/man1/claimdb.1 && man claimdb"
    )]
    Man,
}
