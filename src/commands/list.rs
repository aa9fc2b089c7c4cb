//! `claimdb list`: claims, filtered.

use super::Ctx;
use crate::error::UserError;
use crate::model::{self, Status};
use crate::output::Format;
use crate::query;
use crate::store::desk::{DeskFilter, Sort};
use crate::store::ClaimFilter;
use crate::when::{self, Bound};

/// Filters shared by `list` and `export`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FilterArgs {
    /// Only claims with this status (repeat, or separate with commas, for several)
    #[arg(long, value_enum, ignore_case = true, value_delimiter = ',')]
    pub status: Vec<Status>,
    /// Only disputed claims: status disputed, or no verdict yet and disputed by a source, or
    /// with figures that conflict with another claim's (see `claimdb conflicts`); `list` says why
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
    /// Only claims with a figure that counts this (folded: case, spaces and Arabic letter forms
    /// do not matter), e.g. --unit soldiers
    #[arg(long, value_name = "UNIT")]
    pub unit: Option<String>,
    /// Only claims with a figure (of --unit, if given) whose value or range reaches N or more
    #[arg(long, value_name = "N", value_parser = model::parse_value, allow_hyphen_values = true)]
    pub min: Option<f64>,
    /// Only claims with a figure (of --unit, if given) whose value or range reaches N or less
    #[arg(long, value_name = "N", value_parser = model::parse_value, allow_hyphen_values = true)]
    pub max: Option<f64>,
    /// At most this many claims
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Only claims matching this search query, best match first (syntax: `claimdb search --help`)
    #[arg(long, value_name = "QUERY", allow_hyphen_values = true)]
    pub search: Option<String>,
    /// Only claims assigned to this person
    #[arg(long, value_name = "NAME", conflicts_with_all = ["mine", "unassigned"])]
    pub assignee: Option<String>,
    /// Only claims assigned to you (the person making the changes, as for history)
    #[arg(long, conflicts_with = "unassigned")]
    pub mine: bool,
    /// Only claims assigned to nobody
    #[arg(long)]
    pub unassigned: bool,
    /// Only archived claims (otherwise they are left out)
    #[arg(long)]
    pub archived: bool,
    /// Only claims created at or after this: monday, today, 3d, 2026-11-02, or a UTC time
    #[arg(long, value_name = "DATE", value_parser = since)]
    pub since: Option<String>,
    /// Only claims created before the end of this day (or before this time, or this age)
    #[arg(long, value_name = "DATE", value_parser = until)]
    pub until: Option<String>,
    /// Only claims created longer ago than this, e.g. 3d or 2w
    #[arg(long, value_name = "AGE", value_parser = since)]
    pub older_than: Option<String>,
    /// The order: created (newest first), updated (latest change first) or age (waiting
    /// longest first) [default: by id]
    #[arg(long, value_enum, ignore_case = true)]
    pub sort: Option<Sort>,
}

fn since(raw: &str) -> Result<String, crate::error::InvalidValue> {
    when::parse(raw, Bound::Start)
}

fn until(raw: &str) -> Result<String, crate::error::InvalidValue> {
    when::parse(raw, Bound::End)
}

impl FilterArgs {
    /// The store's filter, `actor` being who `--mine` means; a search query that has nothing to
    /// find is an error.
    pub fn to_filter(&self, actor: &str) -> Result<ClaimFilter, UserError> {
        let until = match (&self.until, &self.older_than) {
            (Some(a), Some(b)) => Some(a.min(b).clone()),
            (a, b) => a.clone().or(b.clone()),
        };
        Ok(ClaimFilter {
            statuses: self.status.clone(),
            disputed: self.disputed,
            source: self.source.clone(),
            tag: self.tag.clone(),
            reviewed_by: self.reviewed_by.clone(),
            limit: self.limit,
            search: self.search.as_deref().map(query::parse).transpose()?,
            unit: self.unit.clone(),
            min: self.min,
            max: self.max,
            counted: false,
            also_disputed: Vec::new(),
            desk: DeskFilter {
                assignee: match self.mine {
                    true => Some(actor.to_owned()),
                    false => self.assignee.clone(),
                },
                unassigned: self.unassigned,
                archived: self.archived,
                created_since: self.since.clone(),
                created_until: until,
                sort: self.sort,
            },
        })
    }
}

/// `claimdb list [filters]`
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  claimdb list --disputed\n  \
    claimdb list --status unverified,in_review --source 'State Dept' --limit 20\n  \
    claimdb list --tag moura --format json\n  \
    claimdb list --unit 'civilians killed' --min 100 --max 500\n  \
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
    let mut filter = args.filter.to_filter(&ctx.actor)?;
    let Ctx { store, out, .. } = ctx;
    store.check_filter(&filter)?;
    for note in filter.search.iter().flat_map(|q| &q.notes) {
        out.note(note);
    }
    if filter.disputed {
        let conflicts = store.include_conflicts(&mut filter)?;
        let mut list = out.claims_with_why(args.translated)?;
        store.for_each_claim(&filter, |claim| {
            let why = why_disputed(&claim, conflicts.get(claim.id));
            list.push_why(claim, &why)
        })?;
        if list.finish()? == 0 && out.format() == Format::Table {
            out.note("no claims match (`claimdb stats` shows what there is)");
        }
        return Ok(());
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

/// Why a claim is among the disputed ones: its status, the sources that dispute it, and the
/// claims whose figures conflict with its own.
fn why_disputed(claim: &crate::model::Claim, conflicts: Option<Vec<String>>) -> String {
    let mut reasons = Vec::new();
    if claim.status == Status::Disputed {
        reasons.push("status disputed".to_owned());
    } else if !claim.status.is_verdict() && !claim.disputed_by.is_empty() {
        reasons.push(format!("disputed by {}", claim.disputed_by.join(", ")));
    }
    reasons.extend(conflicts.into_iter().flatten());
    reasons.join("; ")
}
