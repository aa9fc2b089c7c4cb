//! `claimdb activity`: who did what across all claims over a period, counted per person and per
//! action, or (`--events`) every event.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Ctx;
use crate::when::{self, Bound};

/// `claimdb activity [--since DATE] [--until DATE] [--by NAME] [--events]`
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  claimdb activity --since monday\n  \
    claimdb activity --since 2026-11-01 --until 2026-11-30 --format csv\n  \
    claimdb activity --since 3d --by amal --events\n\n\
    Counts come one row per person and action, then each person's total (action \"all\"),\n\
    each action's total (actor \"all\") and the grand total. Dates: a weekday (the last one,\n\
    today included), today, yesterday, an age such as 3d or 2w, a date such as 2026-11-02, or\n\
    a UTC time; an --until day counts in full.")]
pub struct Args {
    /// From this date or time on
    #[arg(long, value_name = "DATE", value_parser = since)]
    pub since: Option<String>,
    /// Up to the end of this day (or this time)
    #[arg(long, value_name = "DATE", value_parser = until)]
    pub until: Option<String>,
    /// Only what this person did
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    /// List every event instead of counting them
    #[arg(long)]
    pub events: bool,
}

fn since(raw: &str) -> Result<String, crate::error::InvalidValue> {
    when::parse(raw, Bound::Start)
}

fn until(raw: &str) -> Result<String, crate::error::InvalidValue> {
    when::parse(raw, Bound::End)
}

/// One count: what `actor` did (`action`), `events` times; "all" stands for a total.
#[derive(Debug, Serialize)]
struct Count {
    actor: String,
    action: String,
    events: u64,
}

/// Counts (or lists) the events.
pub fn exec(args: Args, ctx: &mut Ctx) -> anyhow::Result<()> {
    let (since, until, by) = (
        args.since.as_deref(),
        args.until.as_deref(),
        args.by.as_deref().map(str::trim),
    );
    if args.events {
        let mut events = Vec::new();
        ctx.store.activity(since, until, by, |e| {
            events.push(e);
            Ok(())
        })?;
        return ctx.out.history(&events);
    }
    let mut pairs: BTreeMap<(String, String), u64> = BTreeMap::new();
    ctx.store.activity(since, until, by, |e| {
        *pairs.entry((e.actor, e.action.to_string())).or_default() += 1;
        Ok(())
    })?;
    let mut people: BTreeMap<String, u64> = BTreeMap::new();
    let mut actions: BTreeMap<String, u64> = BTreeMap::new();
    for ((actor, action), n) in &pairs {
        *people.entry(actor.clone()).or_default() += n;
        *actions.entry(action.clone()).or_default() += n;
    }
    let all = || "all".to_owned();
    let mut rows: Vec<Count> = pairs
        .into_iter()
        .map(|((actor, action), events)| Count {
            actor,
            action,
            events,
        })
        .collect();
    rows.extend(people.into_iter().map(|(actor, events)| Count {
        actor,
        action: all(),
        events,
    }));
    let total = actions.values().sum();
    rows.extend(actions.into_iter().map(|(action, events)| Count {
        actor: all(),
        action,
        events,
    }));
    rows.push(Count {
        actor: all(),
        action: all(),
        events: total,
    });
    ctx.out.records(
        &rows,
        &["actor", "action", "events"],
        &[1, 2],
        &[1, 2],
        |c| vec![c.actor.clone(), c.action.clone(), c.events.to_string()],
    )
}
