//! One file per command: each takes its `Args`, the store and the output. No SQL here, no
//! printing except through `Output`.

pub mod activity;
pub mod add;
pub mod approve;
pub mod archive;
pub mod assign;
pub mod audit;
pub mod backup;
pub mod cite;
pub mod conflicts;
pub mod copy;
pub mod edit;
pub mod evidence;
pub mod export;
pub mod extract;
pub mod fields;

pub mod history;
pub mod import;
pub mod init;
pub mod list;
pub mod merge;
pub mod migrate;
pub mod ratings;
pub mod report;
pub mod search;
pub mod show;
pub mod similar;
pub mod source;
pub mod stats;
pub mod status;
pub mod team;

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
        Command::Evidence(command) => evidence::exec(command, ctx),
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
        Command::Assign(args) => assign::exec(args, ctx),
        Command::Unassign(args) => assign::exec_unassign(args, ctx),
        Command::Archive(args) => archive::exec(args, ctx),
        Command::Unarchive(args) => archive::exec_unarchive(args, ctx),
        Command::Approve(args) => approve::exec(args, ctx),
        Command::Return(args) => approve::exec_return(args, ctx),
        Command::Activity(args) => activity::exec(args, ctx),
        Command::Report(args) => report::exec(args, ctx),
        // Run by `claimdb::run` before any database is opened.
        Command::Completions { .. }
        | Command::Man
        | Command::Extract(_)
        | Command::Team(_)
        | Command::Migrate(_)
        | Command::Copy(_) => Ok(()),
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
    warn_about_new_sources(ctx, names);
}

/// Warns about new source names that are probably another source in disguise: a look-alike
/// that mixes scripts, or a name one typo or one spelling away from a stored source.
pub fn warn_about_new_sources(ctx: &Ctx, names: &[String]) {
    warn_mixed_scripts(ctx, names);
    warn_near_sources(ctx, names);
}

/// Warns about new source names with a word that mixes scripts (a Cyrillic а in a Latin
/// word): such a name prints like another source's and is usually a look-alike.
fn warn_mixed_scripts(ctx: &Ctx, names: &[String]) {
    for name in names {
        if let Some(word) = crate::model::mixed_script_word(name) {
            ctx.out.warn(format!(
                "the new source {name:?} mixes scripts in the word {word:?} (letters that look \
                 alike from different alphabets); if it means a known source, fix the name or \
                 make it an alias with `claimdb source alias`"
            ));
        }
    }
}

/// Warns about each new source that is one typo or one spelling away from a stored one: most
/// likely the same organisation, which would otherwise get a second source without a word.
fn warn_near_sources(ctx: &Ctx, names: &[String]) {
    for name in names {
        // A failed look-up only loses a warning; the write itself is done.
        let near = ctx.store.sources_near(name).unwrap_or_default();
        if !near.is_empty() {
            let quoted: Vec<String> = near.iter().map(|n| format!("{n:?}")).collect();
            ctx.out.warn(format!(
                "the new source {name:?} is one letter or one spelling away from a stored one: \
                 did you mean {}?",
                quoted.join(" or ")
            ));
        }
    }
}
