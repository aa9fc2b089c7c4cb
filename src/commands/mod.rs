//! One file per command: each takes its `Args`, the store and the output. No SQL here, no
//! printing except through `Output`.

pub mod add;
pub mod audit;
pub mod backup;
pub mod cite;
pub mod conflicts;
pub mod edit;
pub mod export;
pub mod extract;
pub mod fields;

pub mod history;
pub mod import;
pub mod init;
pub mod list;
pub mod merge;
pub mod ratings;
pub mod search;
pub mod show;
pub mod similar;
pub mod source;
pub mod stats;
pub mod status;

use crate::cli::Command;
use crate::output::Output;
use crate::store::Store;

/// What every command runs with.
pub struct Ctx {
    pub store: Store,
    pub out: Output,
    /// Who is acting, for history.
    pub actor: String,
    /// Settings from the config file that commands use as defaults.
    pub config: crate::config::Config,
}

/// Runs the command.
pub fn run(command: Command, ctx: &mut Ctx) -> anyhow::Result<()> {
    match command {
        Command::Init(args) => init::exec(args, ctx),
        Command::Add(args) => add::exec(args, ctx),
        Command::Show(args) => show::exec(args, ctx),
        Command::List(args) => list::exec(args, ctx),
        Command::Status(args) => status::exec(args, ctx),
        Command::Edit(args) => edit::exec(args, ctx),
        Command::Cite(args) => cite::exec(args, ctx),
        Command::History(args) => history::exec(args, ctx),
        Command::Source(command) => source::exec(command, ctx),
        Command::Import(args) => import::exec(args, ctx),
        Command::Export(args) => export::exec(args, ctx),
        Command::Stats(args) => stats::exec(args, ctx),
        Command::Search(args) => search::exec(args, ctx),
        Command::Similar(args) => similar::exec(args, ctx),
        Command::Conflicts(args) => conflicts::exec(args, ctx),
        Command::Merge(args) => merge::exec(args, ctx),
        Command::Ratings(command) => ratings::exec(command, ctx),
        Command::Audit(args) => audit::exec(args, ctx),
        Command::Backup(args) => backup::exec(args, ctx),
        // Run by `claimdb::run` before any database is opened.
        Command::Completions { .. } | Command::Man | Command::Extract(_) => Ok(()),
    }
}

/// Tells the user about sources created on the fly, so a typo does not pass unnoticed.
pub fn announce_new_sources(ctx: &Ctx, names: &[String]) {
    for name in names {
        ctx.out.note(format!(
            "note: new source {name:?} created (kind other); if it is a variant of a known \
             source, see `claimdb source alias`"
        ));
    }
}
