//! The editor's desk: assignment, archiving, and the review gate (a verdict proposed by one
//! person and approved or returned by another). Each change is one transaction, bumps the
//! claim's version and is recorded in history like any other change.

use super::sql::{params, Connection, OptionalExtension, Value};
use serde::Serialize;

use super::{load_claim, Store, Writer};
use crate::error::UserError;
use crate::model::{self, Action, ArchiveKind, ClaimPatch, HistoryEvent, Status};

/// Claims not archived: the ones list, export and report show unless asked for archived ones.
pub(super) const NOT_ARCHIVED: &str =
    "c.id NOT IN (SELECT claim_id FROM claim_desk WHERE archived IS NOT NULL)";

/// The order `list --sort` gives claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Sort {
    /// Newest first
    Created,
    /// Most recently changed first
    Updated,
    /// Waiting longest first: the longest since anyone changed them
    Age,
}

/// The desk's part of a claim filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeskFilter {
    /// Assigned to this person.
    pub assignee: Option<String>,
    /// Assigned to nobody.
    pub unassigned: bool,
    /// Only archived claims (otherwise they are hidden).
    pub archived: bool,
    /// Created at or after this stored timestamp.
    pub created_since: Option<String>,
    /// Created before this stored timestamp.
    pub created_until: Option<String>,
    /// The order (id order when none).
    pub sort: Option<Sort>,
}

impl DeskFilter {
    /// True when it selects what a filter without it would: every claim not archived, in id
    /// order.
    pub fn is_default(&self) -> bool {
        *self == DeskFilter::default()
    }

    pub(super) fn conditions(&self, conditions: &mut Vec<String>, values: &mut Vec<Value>) {
        if self.archived {
            conditions.push(
                "c.id IN (SELECT claim_id FROM claim_desk WHERE archived IS NOT NULL)".into(),
            );
        } else {
            conditions.push(NOT_ARCHIVED.into());
        }
        if let Some(name) = &self.assignee {
            conditions.push("c.id IN (SELECT claim_id FROM claim_desk WHERE assignee = ?)".into());
            values.push(Value::Text(name.trim().to_owned()));
        }
        if self.unassigned {
            conditions.push(
                "c.id NOT IN (SELECT claim_id FROM claim_desk WHERE assignee IS NOT NULL)".into(),
            );
        }
        if let Some(since) = &self.created_since {
            conditions.push("c.created_at >= ?".into());
            values.push(Value::Text(since.clone()));
        }
        if let Some(until) = &self.created_until {
            conditions.push("c.created_at < ?".into());
            values.push(Value::Text(until.clone()));
        }
    }

    pub(super) fn order_by(&self) -> &'static str {
        match self.sort {
            None => "c.id",
            Some(Sort::Created) => "c.created_at DESC, c.id DESC",
            Some(Sort::Updated) => "c.updated_at DESC, c.id DESC",
            Some(Sort::Age) => "c.updated_at, c.id",
        }
    }
}

/// Where a claim stands on the desk, for `show`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Desk {
    /// The claim this one was merged into: it is kept for its history only.
    pub merged_into: Option<i64>,
    pub assignee: Option<String>,
    /// Why it was archived; none while it is live.
    pub archived: Option<ArchiveKind>,
    pub archive_note: Option<String>,
    /// A verdict waiting for a second person under the review gate.
    pub proposed_status: Option<Status>,
    pub proposed_by: Option<String>,
    pub proposed_note: Option<String>,
}

/// What the review gate did with a verdict.
#[derive(Debug, Clone, PartialEq)]
pub enum Gate {
    /// Proposed; the claim's status stays until someone else approves it.
    Proposed,
    /// The same verdict with the same reason was already proposed.
    Unchanged,
}

impl Store {
    /// The desk's state of claim `id` (which must exist).
    pub fn desk(&self, id: i64) -> anyhow::Result<Desk> {
        let exists = self
            .db()
            .prepare_cached("SELECT 1 FROM claim WHERE id = ?1")?
            .exists([id])?;
        if !exists {
            return Err(UserError::ClaimNotFound(id).into());
        }
        let mut desk = read_desk(&self.db(), id)?;
        desk.merged_into = super::search::merged_into(&self.db(), id)?;
        Ok(desk)
    }

    /// Assigns claim `id` to `assignee`, or to nobody; false when that was already so.
    pub fn assign(&mut self, id: i64, assignee: Option<&str>, actor: &str) -> anyhow::Result<bool> {
        self.writing(actor, |w| {
            w.check_not_merged(id)?;
            let before = w.desk_row(id)?;
            let old = before.assignee.unwrap_or_default();
            let new = assignee.unwrap_or_default();
            if old == new {
                return Ok(false);
            }
            w.tx.execute(
                "INSERT INTO claim_desk (claim_id, assignee) VALUES (?1, ?2)
                 ON CONFLICT (claim_id) DO UPDATE SET assignee = excluded.assignee",
                params![id, assignee],
            )?;
            w.touch(id, &model::now())?;
            w.record_named(
                id,
                Action::Assign,
                (Some("assignee"), Some(&old)),
                Some(new),
                None,
            )?;
            Ok(true)
        })
    }

    /// Archives claim `id` as `kind` (or brings it back with `None`), with the reason in `note`;
    /// false when it already was so.
    pub fn archive(
        &mut self,
        id: i64,
        kind: Option<ArchiveKind>,
        note: &str,
        actor: &str,
    ) -> anyhow::Result<bool> {
        self.writing(actor, |w| {
            w.check_not_merged(id)?;
            let before = w.desk_row(id)?;
            if before.archived == kind {
                return Ok(false);
            }
            w.tx.execute(
                "INSERT INTO claim_desk (claim_id, archived, archive_note) VALUES (?1, ?2, ?3)
                 ON CONFLICT (claim_id) DO UPDATE SET archived = excluded.archived,
                     archive_note = excluded.archive_note",
                params![id, kind, kind.map(|_| note)],
            )?;
            w.touch(id, &model::now())?;
            let old = before.archived.map(|k| k.as_str()).unwrap_or_default();
            let new = kind.map(|k| k.as_str()).unwrap_or_default();
            w.record_named(
                id,
                Action::Archive,
                (Some("archived"), Some(old)),
                Some(new),
                Some(note),
            )?;
            Ok(true)
        })
    }

    /// Proposes `verdict` for claim `id` under the review gate: the status stays until a second
    /// person approves it.
    pub fn propose(
        &mut self,
        id: i64,
        verdict: Status,
        note: Option<&str>,
        actor: &str,
    ) -> anyhow::Result<Gate> {
        let note = match note.map(str::trim).filter(|n| !n.is_empty()) {
            Some(note) => note,
            None => return Err(UserError::VerdictNeedsReason(verdict.as_str()).into()),
        };
        self.writing(actor, |w| {
            w.check_not_merged(id)?;
            let before = w.desk_row(id)?;
            if before.proposed_status == Some(verdict)
                && before.proposed_note.as_deref() == Some(note)
                && before.proposed_by.as_deref() == Some(actor)
            {
                return Ok(Gate::Unchanged);
            }
            w.tx.execute(
                "INSERT INTO claim_desk (claim_id, proposed_status, proposed_by, proposed_note)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (claim_id) DO UPDATE SET proposed_status = excluded.proposed_status,
                     proposed_by = excluded.proposed_by, proposed_note = excluded.proposed_note",
                params![id, verdict, actor, note],
            )?;
            w.touch(id, &model::now())?;
            let old = before
                .proposed_status
                .map(|s| s.as_str())
                .unwrap_or_default();
            w.record_named(
                id,
                Action::Propose,
                (Some("proposed_status"), Some(old)),
                Some(verdict.as_str()),
                Some(note),
            )?;
            Ok(Gate::Proposed)
        })
    }

    /// Approves the verdict proposed for claim `id`: the status becomes the verdict, recorded
    /// with the proposer's reason. The proposer cannot approve their own verdict. Returns the
    /// verdict.
    pub fn approve(&mut self, id: i64, actor: &str) -> anyhow::Result<Status> {
        self.writing(actor, |w| {
            w.check_not_merged(id)?;
            let before = w.desk_row(id)?;
            let (Some(verdict), Some(by)) = (before.proposed_status, before.proposed_by.as_deref())
            else {
                return Err(no_proposal(id));
            };
            if by == actor {
                return Err(UserError::Refused(format!(
                    "claim {id}: {actor} proposed {verdict:?} and cannot approve their own verdict; \
                     someone else must approve it (or return it with `claimdb return {id} --note \
                     WHY`); nothing was written"
                ))
                .into());
            }
            let note = format!(
                "{} (proposed by {by}, approved by {actor})",
                before.proposed_note.as_deref().unwrap_or_default()
            );
            let patch = ClaimPatch {
                status: Some(verdict),
                ..ClaimPatch::default()
            };
            // Approving a verdict the claim already has still closes the proposal.
            let changes = w.update_claim(id, &patch, Action::Approve, Some(&note), true)?;
            if changes.is_empty() {
                w.touch(id, &model::now())?;
                w.record_named(
                    id,
                    Action::Approve,
                    (Some("status"), Some(verdict.as_str())),
                    Some(verdict.as_str()),
                    Some(&note),
                )?;
            }
            w.clear_proposal(id)?;
            Ok(verdict)
        })
    }

    /// Sends the verdict proposed for claim `id` back with a reason; the status stays as it
    /// was. Returns the verdict returned.
    pub fn return_verdict(&mut self, id: i64, note: &str, actor: &str) -> anyhow::Result<Status> {
        self.writing(actor, |w| {
            w.check_not_merged(id)?;
            let before = w.desk_row(id)?;
            let Some(verdict) = before.proposed_status else {
                return Err(no_proposal(id));
            };
            w.clear_proposal(id)?;
            w.touch(id, &model::now())?;
            w.record_named(
                id,
                Action::Return,
                (Some("proposed_status"), Some(verdict.as_str())),
                Some(""),
                Some(note),
            )?;
            Ok(verdict)
        })
    }

    /// History across all claims, oldest first: events at or after `since`, before `until`,
    /// by `actor`.
    pub fn activity(
        &self,
        since: Option<&str>,
        until: Option<&str>,
        actor: Option<&str>,
        mut visit: impl FnMut(HistoryEvent) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let sql = activity_sql(since.is_some(), until.is_some(), actor.is_some());
        let mut stmt = self.db().prepare_cached(&sql)?;
        let values: Vec<&str> = [since, until, actor].into_iter().flatten().collect();
        let events = stmt.query_map(values, super::history_event_from_row)?;
        // A batch of imported claims counts as each claim's creation.
        for event in events {
            super::batch::expand(event?, &mut visit)?;
        }
        Ok(())
    }
}

/// History in a period, by a person: only the conditions given, so that a period reads
/// `history_by_time` instead of the whole history. Events are appended in time order, so the
/// time order is the event order.
fn activity_sql(since: bool, until: bool, actor: bool) -> String {
    let mut conditions = vec!["1 = 1"];
    if since {
        conditions.push("at >= ?");
    }
    if until {
        conditions.push("at < ?");
    }
    if actor {
        conditions.push("actor = ?");
    }
    let order = if since || until { "at, id" } else { "id" };
    format!(
        "SELECT id, claim_id, at, actor, action, field, old_value, new_value, note
         FROM history WHERE {} ORDER BY {order}",
        conditions.join(" AND ")
    )
}

/// The desk's row of claim `id`, empty when it has none.
fn read_desk(conn: &dyn Connection, id: i64) -> anyhow::Result<Desk> {
    Ok(conn
        .prepare_cached(
            "SELECT assignee, archived, archive_note, proposed_status, proposed_by,
                    proposed_note
             FROM claim_desk WHERE claim_id = ?1",
        )?
        .query_row([id], |r| {
            Ok(Desk {
                merged_into: None,
                assignee: r.get(0)?,
                archived: r.get(1)?,
                archive_note: r.get(2)?,
                proposed_status: r.get(3)?,
                proposed_by: r.get(4)?,
                proposed_note: r.get(5)?,
            })
        })
        .optional()?
        .unwrap_or_default())
}

fn no_proposal(id: i64) -> anyhow::Error {
    UserError::Refused(format!(
        "claim {id} has no proposed verdict to decide on (`claimdb show {id}` shows where it \
         stands); nothing was written"
    ))
    .into()
}

impl Writer<'_> {
    /// The desk's row of claim `id` (empty when it has none); the claim must exist.
    fn desk_row(&self, id: i64) -> anyhow::Result<Desk> {
        load_claim(self.tx, id)?.ok_or(UserError::ClaimNotFound(id))?;
        read_desk(self.tx, id)
    }

    fn clear_proposal(&self, id: i64) -> anyhow::Result<()> {
        self.tx.execute(
            "UPDATE claim_desk SET proposed_status = NULL, proposed_by = NULL,
                 proposed_note = NULL
             WHERE claim_id = ?1",
            [id],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(store: &Store, sql: &str) -> String {
        let mut stmt = store
            .sqlite()
            .unwrap()
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let mut rows = stmt.raw_query();
        let mut lines = Vec::new();
        while let Some(row) = rows.next().unwrap() {
            lines.push(row.get::<_, String>(3).unwrap());
        }
        lines.join("\n")
    }

    #[test]
    fn a_period_of_activity_reads_history_by_time_and_a_verdicts_reason_by_claim() {
        let store = Store::open_in_memory().unwrap();
        for (since, until) in [(true, false), (false, true), (true, true)] {
            let plan = plan(&store, &activity_sql(since, until, true));
            assert!(plan.contains("INDEX history_by_time"), "{plan}");
        }
        let plan = plan(
            &store,
            &format!("{} WHERE c.id = 1", super::super::CLAIM_SELECT),
        );
        assert!(
            plan.contains("INDEX history_by_claim (claim_id=?)"),
            "{plan}"
        );
    }
}
