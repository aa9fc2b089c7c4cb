//! `claimdb source …`: the bodies that make, support and dispute claims.

use super::Ctx;
use crate::model::SourceKind;

/// `claimdb source list | add | alias | show | edit`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List every source with its aliases and counts
    #[command(after_help = "Example:\n  claimdb source list --format csv")]
    List,
    /// Create a source
    #[command(
        after_help = "Example:\n  claimdb source add 'US State Department' --kind government \
        --alias 'State Dept' --alias 'U.S. Department of State'"
    )]
    Add {
        /// Its name
        name: String,
        /// What kind of body it is
        #[arg(long, value_enum, ignore_case = true, default_value_t = SourceKind::Other)]
        kind: SourceKind,
        /// Another name it goes by (repeat for more)
        #[arg(long = "alias", value_name = "ALIAS")]
        aliases: Vec<String>,
    },
    /// Let another name stand for a source
    #[command(after_help = "Example:\n  claimdb source alias 'Human Rights Watch' HRW")]
    Alias {
        /// The source (name or alias)
        name: String,
        /// The new alias
        alias: String,
    },
    /// Show one source
    #[command(after_help = "Example:\n  claimdb source show 'State Dept'")]
    Show {
        /// The source (name or alias)
        name: String,
    },
    /// Change a source's kind
    #[command(after_help = "Example:\n  claimdb source edit CSIS --kind think_tank")]
    Edit {
        /// The source (name or alias)
        name: String,
        /// What kind of body it is
        #[arg(long, value_enum, ignore_case = true)]
        kind: SourceKind,
    },
}

/// Runs the source command.
pub fn exec(command: Command, ctx: &mut Ctx) -> anyhow::Result<()> {
    match command {
        Command::List => {
            let sources = ctx.store.sources()?;
            ctx.out.sources(&sources)
        }
        Command::Add {
            name,
            kind,
            aliases,
        } => {
            ctx.store.add_source(&name, kind, &aliases)?;
            super::warn_about_new_sources(ctx, std::slice::from_ref(&name));
            ctx.out.note(format!("source {name:?} added ({kind})"));
            Ok(())
        }
        Command::Alias { name, alias } => {
            let added = ctx.store.add_alias(&name, &alias)?;
            let what = if added { "now names" } else { "already named" };
            ctx.out.note(format!("{alias:?} {what} {name:?}"));
            Ok(())
        }
        Command::Show { name } => {
            let source = ctx.store.source(&name)?;
            ctx.out.sources(&[source])
        }
        Command::Edit { name, kind } => {
            ctx.store.set_source_kind(&name, kind)?;
            ctx.out.note(format!("source {name:?} is now {kind}"));
            Ok(())
        }
    }
}
