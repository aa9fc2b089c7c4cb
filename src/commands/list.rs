//! `claimdb list`: claims, filtered.

use super::Ctx;
use crate::error::UserError;
use crate::model::Status;
use crate::output::Format;
use crate::query;
use crate::store::ClaimFilter;

/// Filters shared by `list` and `export`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FilterArgs {
    /// Only claims with this status (repeat, or separate with commas, for several)
    #[arg(long, value_enum, ignore_case = true, value_delimiter = ',')]
    pub status: Vec<Status>,
    /// Only disputed claims: status disputed, or no verdict yet and disputed by a source
    #[arg(long)]
    pub disputed: bool,
    /// Only claims this source made, supports or disputes (name or alias)
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// Only claims with this tag
    #[arg(long)]
    pub tag: Option<String>,
    /// Only claims reviewed by this publisher (its name or site, e.g. Misbar or misbar.com)
    #[arg(long, value_name = "NAME")]
    pub reviewed_by: Option<String>,
    /// At most this many claims
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Only claims matching this search query, best match first (syntax: `claimdb search --help`)
    #[arg(long, value_name = "QUERY", allow_hyphen_values = true)]
    pub search: Option<String>,
}

impl FilterArgs {
    /// The store's filter; a search query that has nothing to find is an error.
    pub fn to_filter(&self) -> Result<ClaimFilter, UserError> {
        Ok(ClaimFilter {
            statuses: self.status.clone(),
            disputed: self.disputed,
            source: self.source.clone(),
            tag: self.tag.clone(),
            reviewed_by: self.reviewed_by.clone(),
            limit: self.limit,
            search: self.search.as_deref().map(query::parse).transpose()?,
        })
    }
}

/// `claimdb list [filters]`
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  claimdb list --disputed\n  \
    claimdb list --status unverified,in_review --source 'State Dept' --limit 20\n  \
    claimdb list --tag moura --format json\n  \
    claimdb list --search 'فاجنر مالي' --status unverified")]
pub struct Args {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Show each claim's translation instead of its original text (in the table)
    #[arg(long)]
    pub translated: bool,
}

/// Prints the claims, streaming.
pub fn exec(args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let filter = args.filter.to_filter()?;
    let Ctx { store, out, .. } = ctx;
    store.check_filter(&filter)?;
    for note in filter.search.iter().flat_map(|q| &q.notes) {
        out.note(note);
    }
    let mut list = if args.translated {
        out.translated_claims()?
    } else {
        out.claims()?
    };
    store.for_each_claim(&filter, |claim| list.push(claim))?;
    if list.finish()? == 0 && out.format() == Format::Table {
        out.note("no claims match (`claimdb stats` shows what there is)");
    }
    Ok(())
}
