//! `claimdb source …`: the bodies that make, support and dispute claims.

use super::Ctx;
use crate::model::SourceKind;

/// `claimdb source list | add | alias | show | edit | import`
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
    /// Create and update sources from a CSV file: name, kind, aliases
    #[command(
        long_about = "Create and update sources from a CSV file with the columns `source list         --format csv` prints: name (required), kind and aliases (separated by ';'); the counts         claims, supports and disputes are ignored, so a listing imports back.\n\n\
        A name that is a stored source or alias updates that source: it gets the row's kind (an \
        empty kind keeps the stored one) and every alias the row lists that it lacks; no alias \
        is removed. Every other name creates a source. The whole file is one transaction: an \
        alias that already names another source, or any bad cell, is reported with its line \
        and nothing is written.",
        after_help = "Example:\n  claimdb source import sources.csv\n  \
        claimdb source list --format csv > sources.csv   # the same columns"
    )]
    Import {
        /// The CSV file, or - for standard input
        file: std::path::PathBuf,
        /// Check the file and say what it would change, without writing
        #[arg(long)]
        dry_run: bool,
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
        Command::Import { file, dry_run } => import(&file, dry_run, ctx),
        Command::Edit { name, kind } => {
            ctx.store.set_source_kind(&name, kind)?;
            ctx.out.note(format!("source {name:?} is now {kind}"));
            Ok(())
        }
    }
}

/// `claimdb source import FILE`: every problem reported with its line, or the file applied in
/// one transaction.
fn import(file: &std::path::Path, dry_run: bool, ctx: &mut Ctx) -> anyhow::Result<()> {
    use anyhow::Context;
    let (name, input): (String, Box<dyn std::io::Read>) = if file.as_os_str() == "-" {
        ("stdin".to_owned(), Box::new(std::io::stdin().lock()))
    } else {
        if file.is_dir() {
            return Err(crate::error::UserError::Refused(format!(
                "{} is a directory; give the path of a file",
                file.display()
            ))
            .into());
        }
        let opened = std::fs::File::open(file)
            .with_context(|| format!("failed to open {}", file.display()))?;
        (file.display().to_string(), Box::new(opened))
    };
    let rejected = |problems: Vec<crate::claim_csv::Problem>| {
        for problem in &problems {
            ctx.out.warn(problem.describe(&name));
        }
        Err(crate::error::UserError::ImportRejected(problems.len()).into())
    };
    let rows = match crate::source_csv::read(std::io::BufReader::new(input)) {
        Ok(rows) => rows,
        Err(problems) => return rejected(problems),
    };
    let done = ctx.store.import_sources(&rows, dry_run)?;
    if !done.problems.is_empty() {
        return rejected(done.problems);
    }
    let verb = if dry_run { "would be" } else { "were" };
    ctx.out.note(format!(
        "{name}: {} source(s) {verb} added, {} changed, {} unchanged{}",
        done.added,
        done.changed,
        done.unchanged,
        if dry_run {
            " (dry run: nothing was written)"
        } else {
            ""
        }
    ));
    Ok(())
}
