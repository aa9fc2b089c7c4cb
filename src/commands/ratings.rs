//! `claimdb ratings …`: the map from publishers' rating texts to claimdb statuses.

use super::Ctx;
use crate::model::Status;
use crate::store::Mapped;

/// `claimdb ratings map TEXT STATUS | list`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Let a publisher's rating text mean a status (every spelling that folds like it, too)
    #[command(after_help = "Examples:\n  claimdb ratings map 'توضيح' misleading\n  \
        claimdb ratings map Satire unverifiable\n\n\
        Texts are compared folded: case, width, Arabic diacritics and tatweel, alef forms,\n\
        direction marks and runs of spaces do not matter. An entry of yours wins over a\n\
        built-in one. Stored claims still unverified that have a review in this rating get the\n\
        status their reviews now mean at once, recorded in their history; no import needed.")]
    Map {
        /// The rating text, as publishers write it
        text: String,
        /// The status it means
        #[arg(value_enum, ignore_case = true)]
        status: Status,
    },
    /// List the map: built-in entries and yours, marked
    #[command(after_help = "Example:\n  claimdb ratings list --format csv")]
    List,
    /// List the rating texts of stored reviews that the map does not know, with counts
    #[command(
        after_help = "Examples:\n  claimdb ratings unmapped\n  claimdb ratings unmapped --format csv"
    )]
    Unmapped,
}

/// Runs the subcommand.
pub fn exec(command: Command, ctx: &mut Ctx) -> anyhow::Result<()> {
    match command {
        Command::Map { text, status } => {
            let (outcome, rerated) = ctx.store.map_rating(&text, status, &ctx.actor)?;
            let message = match outcome {
                Mapped::Added => format!("\"{text}\" now means {status}"),
                Mapped::Changed(old) => format!("\"{text}\" now means {status} (was {old})"),
                Mapped::Unchanged => format!("\"{text}\" already meant {status}"),
            };
            ctx.out.note(message);
            if rerated > 0 {
                ctx.out.note(format!(
                    "{rerated} unverified claim(s) with a review in this rating got the status \
                     their reviews now mean (see `claimdb history ID`)"
                ));
            }
            Ok(())
        }
        Command::List => {
            let map = ctx.store.rating_map()?;
            let entries: Vec<_> = map.entries().cloned().collect();
            ctx.out.ratings(&entries)
        }
        Command::Unmapped => {
            let unmapped = ctx.store.unmapped_ratings()?;
            if unmapped.is_empty() && ctx.out.format() == crate::output::Format::Table {
                ctx.out.note(
                    "every rating of the stored reviews is in the map (`claimdb ratings list`)",
                );
                return Ok(());
            }
            ctx.out.unmapped_ratings(&unmapped)
        }
    }
}
