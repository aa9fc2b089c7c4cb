//! The desk's report (`claimdb report`): what an editor brings to the weekly meeting, as one
//! self-contained HTML file (inline SVG charts, no network) or as Markdown for email and chat.
//!
//! The numbers are gathered here from the store's claims and history; `html` and `markdown`
//! only lay them out. Every number a chart shows is in a table too.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use serde::Serialize;

use crate::model::{Action, Claim, HistoryEvent, Stance, Status};
use crate::store::{ClaimFilter, Store};

/// Claims without a verdict, by how long ago they were created.
pub const AGE_BUCKETS: &[(&str, i64)] = &[
    ("under 1 day", 1),
    ("1 to 3 days", 3),
    ("3 to 7 days", 7),
    ("1 to 2 weeks", 14),
    ("2 to 4 weeks", 28),
    ("over 4 weeks", i64::MAX),
];

/// Below this many verdicts, a claimant's share is marked as too few to read as a trend.
pub const FEW_VERDICTS: u64 = 5;

/// At most this many disputed claims are listed (the count says how many there are).
const DISPUTED_SHOWN: usize = 100;

/// Everything the report shows.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The period: from this time, up to (not including) `until`.
    pub since: String,
    pub until: String,
    pub generated_at: String,
    /// The history head the report reflects (`claimdb audit --expect` checks it later).
    pub head: Option<String>,
    /// How many claims are in scope (the filters', not archived, not merged).
    pub claims: u64,
    pub by_status: Vec<(Status, u64)>,
    pub weeks: Vec<Week>,
    pub ageing: Vec<(&'static str, u64)>,
    pub verdicts: Vec<VerdictRow>,
    pub disputed: Vec<DisputedRow>,
    pub disputed_total: u64,
    /// Claims whose figures conflict; `None` where this build cannot tell.
    pub conflicts: Option<Vec<ConflictRow>>,
    pub checkers: Vec<Checker>,
    pub claimants: Vec<ClaimantRow>,
}

/// One week of the period (from Monday).
#[derive(Debug, Clone, Serialize)]
pub struct Week {
    pub start: String,
    /// Claims created that week.
    pub opened: u64,
    /// Verdicts set that week.
    pub closed: u64,
}

/// A verdict set in the period, with its reason and evidence.
#[derive(Debug, Clone, Serialize)]
pub struct VerdictRow {
    pub id: i64,
    pub text: String,
    pub claimant: String,
    pub verdict: Status,
    pub reason: String,
    pub by: String,
    pub at: String,
    /// Sources for and against, with their links.
    pub evidence: Vec<Evidence>,
}

/// A source's stance on a claim and where it says so.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub source: String,
    pub stance: Stance,
    pub url: Option<String>,
}

/// A disputed claim with who backs and who contradicts it.
#[derive(Debug, Clone, Serialize)]
pub struct DisputedRow {
    pub id: i64,
    pub text: String,
    pub claimant: String,
    pub status: Status,
    pub supported_by: Vec<String>,
    pub disputed_by: Vec<String>,
}

/// Claims about the same thing whose figures disagree.
#[derive(Debug, Clone, Serialize)]
pub struct ConflictRow {
    pub what: String,
    pub claims: Vec<(i64, String)>,
}

/// What one person did in the period.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Checker {
    pub name: String,
    /// Verdicts set (directly, or by approving someone's proposal).
    pub verdicts: u64,
    pub proposed: u64,
    pub returned: u64,
    /// Other status changes (e.g. to in_review).
    pub status_changes: u64,
    pub claims_added: u64,
    pub citations: u64,
    /// Every event, these and the rest (edits, assignments, archiving).
    pub events: u64,
}

/// A claimant's verdicts: how many, and how many found false or misleading.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimantRow {
    pub claimant: String,
    pub verdicts: u64,
    pub false_or_misleading: u64,
    /// Percent, rounded.
    pub share: u64,
}

/// The period a report covers: `since` (default: the Monday four weeks back) up to `until`
/// (default: the end of today), both stored timestamps.
pub fn period(since: Option<&str>, until: Option<&str>) -> anyhow::Result<(String, String)> {
    let until = match until {
        Some(u) => u.to_owned(),
        None => crate::when::parse("today", crate::when::Bound::End)?,
    };
    let since = match since {
        Some(s) => s.to_owned(),
        None => {
            let monday = crate::when::parse("monday", crate::when::Bound::Start)?;
            let monday: Timestamp = monday.parse()?;
            crate::model::format_timestamp(monday.checked_sub(Span::new().hours(21 * 24))?)
        }
    };
    Ok((since, until))
}

/// Gathers the report over the claims `filter` selects and the history in the period.
pub fn gather(
    store: &Store,
    filter: &ClaimFilter,
    (since, until): (&str, &str),
    head: Option<String>,
) -> anyhow::Result<Report> {
    let end: Timestamp = until.parse()?;
    let mut in_scope: HashSet<i64> = HashSet::new();
    let mut by_status: BTreeMap<Status, u64> = Status::ALL.iter().map(|s| (*s, 0)).collect();
    let mut ageing = vec![0u64; AGE_BUCKETS.len()];
    let mut claimants: HashMap<String, (u64, u64)> = HashMap::new();
    let mut disputed = Vec::new();
    let mut disputed_total = 0u64;
    store.for_each_claim(filter, |claim| {
        in_scope.insert(claim.id);
        *by_status.entry(claim.status).or_default() += 1;
        if claim.status.is_verdict() {
            let entry = claimants.entry(claim.claimant.clone()).or_default();
            entry.0 += 1;
            if matches!(claim.status, Status::False | Status::Misleading) {
                entry.1 += 1;
            }
        } else if let Ok(created) = claim.created_at.parse::<Timestamp>() {
            let days = (end.as_second() - created.as_second()).max(0) / 86_400;
            let bucket = AGE_BUCKETS
                .iter()
                .position(|(_, under)| days < *under)
                .unwrap_or(AGE_BUCKETS.len() - 1);
            ageing[bucket] += 1;
        }
        let is_disputed = claim.status == Status::Disputed
            || (matches!(claim.status, Status::Unverified | Status::InReview)
                && !claim.disputed_by.is_empty());
        if is_disputed {
            disputed_total += 1;
            if disputed.len() < DISPUTED_SHOWN {
                disputed.push(DisputedRow {
                    id: claim.id,
                    text: claim.text.clone(),
                    claimant: claim.claimant.clone(),
                    status: claim.status,
                    supported_by: claim.supported_by.clone(),
                    disputed_by: claim.disputed_by.clone(),
                });
            }
        }
        Ok(())
    })?;

    let weeks_start = monday_of(since)?;
    let mut weeks: Vec<Week> = Vec::new();
    let mut day = weeks_start;
    let end_date: Date = last_day(until).parse()?;
    while day <= end_date && weeks.len() < 530 {
        weeks.push(Week {
            start: day.to_string(),
            opened: 0,
            closed: 0,
        });
        day = day.checked_add(Span::new().days(7))?;
    }
    let week_of = |at: &str| -> Option<usize> {
        let date: Date = at.get(..10)?.parse().ok()?;
        let days = (date - weeks_start).get_days();
        usize::try_from(days / 7).ok().filter(|w| *w < weeks.len())
    };
    let mut checkers: BTreeMap<String, Checker> = BTreeMap::new();
    let mut last_verdict: HashMap<i64, HistoryEvent> = HashMap::new();
    let mut week_counts: Vec<(u64, u64)> = vec![(0, 0); weeks.len()];
    store.activity(Some(since), Some(until), None, |event| {
        // Events of a merged duplicate count for nothing here: it is not in scope.
        if !in_scope.contains(&event.claim_id) {
            return Ok(());
        }
        let checker = checkers
            .entry(event.actor.clone())
            .or_insert_with(|| Checker {
                name: event.actor.clone(),
                ..Checker::default()
            });
        checker.events += 1;
        let created =
            event.field.is_none() && matches!(event.action, Action::Create | Action::Import);
        let to_status = (event.field.as_deref() == Some("status"))
            .then(|| {
                event
                    .new_value
                    .as_deref()
                    .and_then(|v| v.parse::<Status>().ok())
            })
            .flatten()
            .filter(|_| event.old_value != event.new_value);
        match (event.action, to_status) {
            _ if created => {
                checker.claims_added += 1;
                if let Some(w) = week_of(&event.at) {
                    week_counts[w].0 += 1;
                }
            }
            (Action::Propose, _) => checker.proposed += 1,
            (Action::Return, _) => checker.returned += 1,
            (Action::Cite, _) => checker.citations += 1,
            (_, Some(status)) if status.is_verdict() => {
                checker.verdicts += 1;
                if let Some(w) = week_of(&event.at) {
                    week_counts[w].1 += 1;
                }
                last_verdict.insert(event.claim_id, event);
            }
            (_, Some(_)) => checker.status_changes += 1,
            _ => {}
        }
        Ok(())
    })?;
    for (week, (opened, closed)) in weeks.iter_mut().zip(week_counts) {
        week.opened = opened;
        week.closed = closed;
    }
    let mut verdicts: Vec<VerdictRow> = Vec::new();
    // Read again only the claims with a verdict in the period: holding every claim with a
    // verdict from the first pass would grow with the database.
    for (id, event) in last_verdict {
        let claim: Claim = store.claim(id)?;
        if event.new_value.as_deref() != Some(claim.status.as_str()) {
            continue;
        }
        // Each source's stance, with the first link its evidence items give.
        let items = store.evidence(id, false)?;
        let evidence = store
            .stances(id)?
            .into_iter()
            .map(|s| {
                let url = items
                    .iter()
                    .filter(|e| e.source.as_deref() == Some(s.source.as_str()))
                    .find_map(|e| e.url.clone().or_else(|| e.archived_url.clone()));
                Evidence {
                    source: s.source,
                    stance: s.stance,
                    url,
                }
            })
            .collect();
        verdicts.push(VerdictRow {
            id,
            text: claim.text.clone(),
            claimant: claim.claimant.clone(),
            verdict: claim.status,
            reason: claim.verdict_reason.clone().unwrap_or_default(),
            by: event.actor,
            at: event.at,
            evidence,
        });
    }
    verdicts.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
    let mut claimants: Vec<ClaimantRow> = claimants
        .into_iter()
        .map(|(claimant, (verdicts, fm))| ClaimantRow {
            claimant,
            verdicts,
            false_or_misleading: fm,
            share: (fm * 100 + verdicts / 2) / verdicts.max(1),
        })
        .collect();
    claimants.sort_by(|a, b| {
        (b.false_or_misleading * a.verdicts)
            .cmp(&(a.false_or_misleading * b.verdicts))
            .then(b.verdicts.cmp(&a.verdicts))
            .then(a.claimant.cmp(&b.claimant))
    });
    let mut checkers: Vec<Checker> = checkers.into_values().collect();
    checkers.sort_by(|a, b| b.verdicts.cmp(&a.verdicts).then(a.name.cmp(&b.name)));
    Ok(Report {
        since: since.to_owned(),
        until: until.to_owned(),
        generated_at: crate::model::now(),
        head,
        claims: in_scope.len() as u64,
        by_status: by_status.into_iter().collect(),
        weeks,
        ageing: AGE_BUCKETS
            .iter()
            .zip(ageing)
            .map(|((label, _), n)| (*label, n))
            .collect(),
        verdicts,
        disputed,
        disputed_total,
        conflicts: conflicting_figures(store, filter)?,
        checkers,
        claimants,
    })
}

/// Claims that count the same thing about the same event with figures that cannot both be
/// true (`claimdb conflicts`), among the claims the report covers.
fn conflicting_figures(
    store: &Store,
    filter: &ClaimFilter,
) -> anyhow::Result<Option<Vec<ConflictRow>>> {
    let rows = store
        .conflicts(filter)?
        .into_iter()
        .map(|c| ConflictRow {
            what: format!("{} ({})", c.unit, c.why),
            claims: [c.a, c.b]
                .into_iter()
                .map(|side| (side.id, format!("{} says {}", side.claimant, side.figure)))
                .collect(),
        })
        .collect();
    Ok(Some(rows))
}

fn monday_of(at: &str) -> anyhow::Result<Date> {
    let t: Timestamp = at.parse()?;
    let date = t.to_zoned(TimeZone::UTC).date();
    let back = i64::from(date.weekday().to_monday_zero_offset());
    Ok(date.checked_sub(Span::new().days(back))?)
}

// ----- HTML ------------------------------------------------------------------------------------

/// Escapes text for HTML (and XML: the report is well-formed, so a test can parse it).
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A cell holding claim text or a name: its direction follows its own first strong letter.
fn user_cell(text: &str) -> String {
    format!("<td class=\"text\" dir=\"auto\">{}</td>", esc(text))
}

/// A number or a date: always left to right, so a bidi neighbour cannot reorder it.
fn num_cell(value: impl std::fmt::Display) -> String {
    format!(
        "<td class=\"num\" dir=\"ltr\">{}</td>",
        esc(&value.to_string())
    )
}

const CSS: &str = "
:root { color-scheme: light; }
body { font-family: system-ui, 'Segoe UI', 'Noto Sans', 'Noto Sans Arabic', 'Noto Naskh Arabic',
       Tahoma, 'Geeza Pro', 'Arial Unicode MS', Arial, sans-serif;
       margin: 0 auto; max-width: 60rem; padding: 1rem; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; border-bottom: 1px solid #ccc;
     break-after: avoid; page-break-after: avoid; }
p.meta { color: #555; margin: 0; font-size: .9rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #ddd; padding: .3rem .45rem; vertical-align: top; text-align: start; }
th { background: #f3f3f3; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.text { unicode-bidi: plaintext; }
.scroll { overflow-x: auto; }
svg { max-width: 100%; height: auto; }
svg text { font-size: 12px; fill: #1a1a1a; }
rect.s0 { fill: #3a6ea5; }
rect.s1 { fill: #d9822b; }
.legend span { display: inline-block; margin-inline-end: 1rem; }
.legend i { display: inline-block; width: .8rem; height: .8rem; margin-inline-end: .3rem; }
.note { color: #555; font-size: .85rem; }
section { margin-bottom: 1rem; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  section { break-inside: avoid; page-break-inside: avoid; }
  section.long { break-inside: auto; page-break-inside: auto; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  .scroll { overflow: visible; }
}
";

/// A horizontal bar chart: one group per row, one bar per series. Each bar carries its label,
/// series and value as data attributes, and shows its value as text.
fn bar_chart(chart: &str, title: &str, series: &[&str], rows: &[(String, Vec<u64>)]) -> String {
    const LABEL: u32 = 150;
    const BARS: u32 = 300;
    const BAR: u32 = 16;
    let max = rows
        .iter()
        .flat_map(|(_, values)| values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let group = BAR * series.len() as u32 + 8;
    let height = group * rows.len().max(1) as u32 + 4;
    let width = LABEL + BARS + 60;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" data-chart=\"{chart}\" role=\"img\" \
         aria-label=\"{}\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" \
         height=\"{height}\">",
        esc(title)
    );
    for (i, (label, values)) in rows.iter().enumerate() {
        let top = 4 + group * i as u32;
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            LABEL - 6,
            top + BAR - 4,
            esc(label)
        );
        for (j, (name, value)) in series.iter().zip(values).enumerate() {
            let y = top + BAR * j as u32;
            let w = (u64::from(BARS) * value / max) as u32;
            let _ = write!(
                svg,
                "<g data-label=\"{}\" data-series=\"{name}\" data-value=\"{value}\">\
                 <rect class=\"s{j}\" x=\"{LABEL}\" y=\"{y}\" width=\"{w}\" height=\"{}\"/>\
                 <text x=\"{}\" y=\"{}\">{value}</text></g>",
                esc(label),
                BAR - 3,
                LABEL + w + 4,
                y + BAR - 5
            );
        }
    }
    svg.push_str("</svg>");
    if series.len() > 1 {
        svg.push_str("<p class=\"legend\">");
        for (j, name) in series.iter().enumerate() {
            let colour = ["#3a6ea5", "#d9822b"][j % 2];
            let _ = write!(
                svg,
                "<span><i style=\"background: {colour}\"></i>{}</span>",
                esc(name)
            );
        }
        svg.push_str("</p>");
    }
    svg
}

// ----- tables, for both renderings ------------------------------------------------------------

/// One cell of a report table, as the HTML and the Markdown both read it.
enum Cell<'r> {
    /// Claim text or a name: its direction follows its own first strong letter.
    Text(String),
    /// A number or a date: always left to right.
    Num(String),
    /// One of claimdb's own words (a status, an age bucket).
    Word(String),
    /// Sources with their stances, each linked to its evidence where it has a url.
    Evidence(&'r [Evidence]),
}

fn num(value: impl std::fmt::Display) -> Cell<'static> {
    Cell::Num(value.to_string())
}

/// A table of the report: its headers and its rows, written once for both renderings.
struct Table<'r> {
    headers: &'static [&'static str],
    rows: Vec<Vec<Cell<'r>>>,
}

fn status_table(report: &Report) -> Table<'_> {
    Table {
        headers: &["status", "claims"],
        rows: report
            .by_status
            .iter()
            .map(|(s, n)| vec![Cell::Word(s.to_string()), num(n)])
            .collect(),
    }
}

fn weeks_table(report: &Report) -> Table<'_> {
    Table {
        headers: &["week of", "opened", "closed"],
        rows: report
            .weeks
            .iter()
            .map(|w| vec![num(&w.start), num(w.opened), num(w.closed)])
            .collect(),
    }
}

fn ageing_table(report: &Report) -> Table<'_> {
    Table {
        headers: &["waiting", "claims"],
        rows: report
            .ageing
            .iter()
            .map(|(label, n)| vec![Cell::Word((*label).to_owned()), num(n)])
            .collect(),
    }
}

fn verdicts_table(report: &Report) -> Table<'_> {
    Table {
        headers: &[
            "id", "claim", "claimant", "verdict", "reason", "evidence", "by", "on",
        ],
        rows: report
            .verdicts
            .iter()
            .map(|v| {
                vec![
                    num(v.id),
                    Cell::Text(v.text.clone()),
                    Cell::Text(v.claimant.clone()),
                    Cell::Word(v.verdict.to_string()),
                    Cell::Text(v.reason.clone()),
                    Cell::Evidence(&v.evidence),
                    Cell::Text(v.by.clone()),
                    num(day(&v.at)),
                ]
            })
            .collect(),
    }
}

fn disputed_table(report: &Report) -> Table<'_> {
    Table {
        headers: &["id", "claim", "claimant", "status", "for", "against"],
        rows: report
            .disputed
            .iter()
            .map(|d| {
                vec![
                    num(d.id),
                    Cell::Text(d.text.clone()),
                    Cell::Text(d.claimant.clone()),
                    Cell::Word(d.status.to_string()),
                    Cell::Text(d.supported_by.join("; ")),
                    Cell::Text(d.disputed_by.join("; ")),
                ]
            })
            .collect(),
    }
}

fn conflicts_table(conflicts: &[ConflictRow]) -> Table<'_> {
    Table {
        headers: &["about", "claims and figures"],
        rows: conflicts
            .iter()
            .map(|c| {
                let claims: Vec<String> = c
                    .claims
                    .iter()
                    .map(|(id, fig)| format!("{id}: {fig}"))
                    .collect();
                vec![Cell::Text(c.what.clone()), Cell::Text(claims.join("; "))]
            })
            .collect(),
    }
}

fn checkers_table(report: &Report) -> Table<'_> {
    Table {
        headers: &[
            "person",
            "verdicts",
            "proposed",
            "returned",
            "other status changes",
            "claims added",
            "citations",
            "all events",
        ],
        rows: report
            .checkers
            .iter()
            .map(|c| {
                vec![
                    Cell::Text(c.name.clone()),
                    num(c.verdicts),
                    num(c.proposed),
                    num(c.returned),
                    num(c.status_changes),
                    num(c.claims_added),
                    num(c.citations),
                    num(c.events),
                ]
            })
            .collect(),
    }
}

fn claimants_table(report: &Report) -> Table<'_> {
    Table {
        headers: &["claimant", "verdicts", "false or misleading", "share"],
        rows: report
            .claimants
            .iter()
            .map(|c| {
                let few = if c.verdicts < FEW_VERDICTS {
                    " (few)"
                } else {
                    ""
                };
                vec![
                    Cell::Text(c.claimant.clone()),
                    num(c.verdicts),
                    num(c.false_or_misleading),
                    Cell::Num(format!("{}%{few}", c.share)),
                ]
            })
            .collect(),
    }
}

fn html_cell(cell: &Cell<'_>) -> String {
    match cell {
        Cell::Text(text) => user_cell(text),
        Cell::Num(text) => num_cell(text),
        Cell::Word(text) => format!("<td>{}</td>", esc(text)),
        Cell::Evidence(items) => {
            let mut evidence = String::new();
            for e in *items {
                let name = esc(&e.source);
                let _ = match &e.url {
                    Some(url) => write!(
                        evidence,
                        "<div>{} <a href=\"{}\" dir=\"auto\">{name}</a></div>",
                        e.stance,
                        esc(url)
                    ),
                    None => write!(evidence, "<div>{} <bdi>{name}</bdi></div>", e.stance),
                };
            }
            format!("<td class=\"text\" dir=\"auto\">{evidence}</td>")
        }
    }
}

fn table(t: &Table<'_>) -> String {
    let mut html = String::from("<div class=\"scroll\"><table><thead><tr>");
    for h in t.headers {
        let _ = write!(html, "<th scope=\"col\">{}</th>", esc(h));
    }
    html.push_str("</tr></thead><tbody>");
    for row in &t.rows {
        html.push_str("<tr>");
        for cell in row {
            html.push_str(&html_cell(cell));
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></div>");
    html
}

fn day(at: &str) -> &str {
    at.get(..10).unwrap_or(at)
}

/// The last day of a period that ends (exclusive) at `until`.
fn last_day(until: &str) -> String {
    until
        .parse::<Timestamp>()
        .ok()
        .and_then(|t| t.checked_sub(Span::new().seconds(1)).ok())
        .map(|t| t.to_zoned(TimeZone::UTC).date().to_string())
        .unwrap_or_else(|| day(until).to_owned())
}

/// The report as one self-contained HTML page.
pub fn html(report: &Report) -> String {
    let mut h = String::new();
    let period = format!("{} to {}", day(&report.since), last_day(&report.until));
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\
         <title>claimdb report, {}</title><style>{CSS}</style></head><body>\
         <h1>Fact-check desk report</h1>\
         <p class=\"meta\">Period: <bdi dir=\"ltr\">{}</bdi> (UTC) · generated \
         <bdi dir=\"ltr\">{}</bdi> · {} claim(s) in scope</p>",
        esc(&period),
        esc(&period),
        esc(&report.generated_at),
        report.claims
    );
    if let Some(head) = &report.head {
        let _ = write!(
            h,
            "<p class=\"meta\">History head: <bdi dir=\"ltr\"><code>{}</code></bdi></p>",
            esc(head)
        );
    }

    // Status.
    let rows: Vec<(String, Vec<u64>)> = report
        .by_status
        .iter()
        .map(|(s, n)| (s.to_string(), vec![*n]))
        .collect();
    h.push_str("<section id=\"status\"><h2>Claims by status</h2>");
    h.push_str(&bar_chart("status", "Claims by status", &["claims"], &rows));
    h.push_str(&table(&status_table(report)));
    h.push_str("</section>");

    // Weeks.
    let rows: Vec<(String, Vec<u64>)> = report
        .weeks
        .iter()
        .map(|w| (w.start.clone(), vec![w.opened, w.closed]))
        .collect();
    h.push_str("<section id=\"weeks\"><h2>Opened and closed per week</h2>");
    h.push_str(
        "<p class=\"note\">Opened: claims added that week. Closed: verdicts set that week. \
         Weeks start on Monday.</p>",
    );
    h.push_str(&bar_chart(
        "weeks",
        "Claims opened and closed per week",
        &["opened", "closed"],
        &rows,
    ));
    h.push_str(&table(&weeks_table(report)));
    h.push_str("</section>");

    // Ageing.
    let rows: Vec<(String, Vec<u64>)> = report
        .ageing
        .iter()
        .map(|(label, n)| ((*label).to_owned(), vec![*n]))
        .collect();
    h.push_str("<section id=\"ageing\"><h2>How long open claims have waited</h2>");
    h.push_str(
        "<p class=\"note\">Claims without a verdict, by time since they were added, at the end \
         of the period.</p>",
    );
    h.push_str(&bar_chart(
        "ageing",
        "Open claims by age",
        &["claims"],
        &rows,
    ));
    h.push_str(&table(&ageing_table(report)));
    h.push_str("</section>");

    // Verdicts.
    h.push_str("<section id=\"verdicts\" class=\"long\"><h2>Verdicts in the period</h2>");
    if report.verdicts.is_empty() {
        h.push_str("<p>No verdict was set in the period.</p>");
    } else {
        h.push_str(&table(&verdicts_table(report)));
    }
    h.push_str("</section>");

    // Disputed.
    h.push_str("<section id=\"disputed\" class=\"long\"><h2>Disputed claims</h2>");
    if report.disputed.is_empty() {
        h.push_str("<p>No claim is disputed.</p>");
    } else {
        if report.disputed_total > report.disputed.len() as u64 {
            let _ = write!(
                h,
                "<p class=\"note\">The first {} of {} disputed claims (`claimdb list \
                 --disputed` lists them all).</p>",
                report.disputed.len(),
                report.disputed_total
            );
        }
        h.push_str(&table(&disputed_table(report)));
    }
    h.push_str("</section>");

    if let Some(conflicts) = &report.conflicts {
        h.push_str("<section id=\"conflicts\"><h2>Conflicting figures</h2>");
        h.push_str(&table(&conflicts_table(conflicts)));
        h.push_str("</section>");
    }

    // Checkers.
    let rows: Vec<(String, Vec<u64>)> = report
        .checkers
        .iter()
        .map(|c| (c.name.clone(), vec![c.verdicts]))
        .collect();
    h.push_str("<section id=\"checkers\"><h2>Throughput per checker</h2>");
    h.push_str(&bar_chart(
        "checkers",
        "Verdicts set per person",
        &["verdicts"],
        &rows,
    ));
    h.push_str(&table(&checkers_table(report)));
    h.push_str("</section>");

    // Claimants.
    h.push_str(
        "<section id=\"claimants\"><h2>Claimants by share of false or misleading verdicts</h2>",
    );
    let _ = write!(
        h,
        "<p class=\"note\">Over every claim in scope with a verdict. Shares from fewer than \
         {FEW_VERDICTS} verdicts are marked: too few to read as a trend.</p>"
    );
    h.push_str(&table(&claimants_table(report)));
    h.push_str("</section></body></html>\n");
    h
}

// ----- Markdown --------------------------------------------------------------------------------

fn md_cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

fn md_text(cell: &Cell<'_>) -> String {
    match cell {
        Cell::Text(text) | Cell::Num(text) | Cell::Word(text) => text.clone(),
        Cell::Evidence(items) => items
            .iter()
            .map(|e| match &e.url {
                Some(url) => format!("{} [{}]({url})", e.stance, e.source),
                None => format!("{} {}", e.stance, e.source),
            })
            .collect::<Vec<_>>()
            .join("; "),
    }
}

fn md_table(out: &mut String, t: &Table<'_>) {
    let _ = writeln!(out, "| {} |", t.headers.join(" | "));
    let _ = writeln!(
        out,
        "|{}",
        t.headers.iter().map(|_| "---|").collect::<String>()
    );
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(|c| md_cell(&md_text(c))).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

/// The report as Markdown, for email and chat: the same sections, tables for charts.
pub fn markdown(report: &Report) -> String {
    let mut m = String::new();
    let _ = writeln!(
        m,
        "# Fact-check desk report\n\nPeriod: {} to {} (UTC) · generated {} · {} claim(s) in \
         scope\n",
        day(&report.since),
        last_day(&report.until),
        report.generated_at,
        report.claims
    );
    m.push_str("## Claims by status\n\n");
    md_table(&mut m, &status_table(report));
    m.push_str("## Opened and closed per week\n\n");
    md_table(&mut m, &weeks_table(report));
    m.push_str("## How long open claims have waited\n\n");
    md_table(&mut m, &ageing_table(report));
    m.push_str("## Verdicts in the period\n\n");
    if report.verdicts.is_empty() {
        m.push_str("No verdict was set in the period.\n\n");
    } else {
        md_table(&mut m, &verdicts_table(report));
    }
    m.push_str("## Disputed claims\n\n");
    if report.disputed.is_empty() {
        m.push_str("No claim is disputed.\n\n");
    } else {
        md_table(&mut m, &disputed_table(report));
    }
    if let Some(conflicts) = &report.conflicts {
        m.push_str("## Conflicting figures\n\n");
        md_table(&mut m, &conflicts_table(conflicts));
    }
    m.push_str("## Throughput per checker\n\n");
    md_table(&mut m, &checkers_table(report));
    m.push_str("## Claimants by share of false or misleading verdicts\n\n");
    let _ = writeln!(
        m,
        "Shares from fewer than {FEW_VERDICTS} verdicts are marked (few): too few to read as a \
         trend.\n"
    );
    md_table(&mut m, &claimants_table(report));
    m
}
