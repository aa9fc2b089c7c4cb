//! A claim's current state, recomputed from its history, to catch changes made to the tables
//! behind claimdb's back (a status set with SQL leaves no event, so its history disagrees).
//!
//! The event that creates a claim carries the claim's fields as they were created, as a JSON
//! object in `new_value` (field names and CSV text values, empty fields left out; hashed into the
//! chain like any other content). Every later change records its field's old and new value. The
//! state a claim's history leads to is the creation snapshot with each change applied in order;
//! `audit` compares it with the tables. A claim created before snapshots existed is checked on
//! the fields its history changed since.

use std::collections::BTreeMap;

use rusqlite::Connection;

use super::load_claim;
use crate::model::{Action, Claim, ClaimDraft, Field};

/// The state a snapshot holds: each field's CSV text, by field name.
type State = BTreeMap<String, String>;

/// The creation snapshot of a claim: its fields (the claimant by its canonical name) and the
/// sources stored with it, in citation order.
pub(super) fn snapshot(
    draft: &ClaimDraft,
    claimant: &str,
    supported_by: &[String],
    disputed_by: &[String],
) -> String {
    let mut draft = draft.clone();
    draft.claimant = claimant.to_owned();
    draft.normalize_tags();
    let fields: serde_json::Map<_, _> = state_of(&draft, supported_by, disputed_by)
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(field, value)| (field, serde_json::Value::String(value)))
        .collect();
    serde_json::Value::Object(fields).to_string()
}

/// Every field a snapshot covers, with its CSV text (empty when unset).
fn state_of(draft: &ClaimDraft, supported_by: &[String], disputed_by: &[String]) -> State {
    let mut state: State = draft
        .all_fields()
        .into_iter()
        .map(|(field, value)| (field.as_str().to_owned(), value))
        .collect();
    state.insert(Field::SupportedBy.as_str().into(), supported_by.join(";"));
    state.insert(Field::DisputedBy.as_str().into(), disputed_by.join(";"));
    state
}

fn current_state(claim: &Claim) -> State {
    state_of(&claim.draft(), &claim.supported_by, &claim.disputed_by)
}

/// A claim whose table row disagrees with its history.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Divergence {
    pub claim_id: i64,
    pub field: String,
    /// The value its history leads to.
    pub history: String,
    /// The value the tables hold.
    pub table: String,
}

/// Replays every claim's history (claim by claim, one claim in memory at a time) and returns
/// the fields whose stored value differs, at most `limit` of them, with their total count.
pub(super) fn divergences(
    conn: &Connection,
    limit: usize,
) -> anyhow::Result<(Vec<Divergence>, u64)> {
    let mut stmt = conn.prepare(
        "SELECT claim_id, action, field, old_value, new_value,
                claim_id IN (SELECT dup_id FROM claim_merge)
         FROM history ORDER BY claim_id, id",
    )?;
    let mut rows = stmt.query([])?;
    let mut found = Vec::new();
    let mut total = 0u64;
    let mut current: Option<Replay> = None;
    let mut finish = |replay: Replay| -> anyhow::Result<()> {
        for divergence in replay.compare(conn)? {
            total += 1;
            if found.len() < limit {
                found.push(divergence);
            }
        }
        Ok(())
    };
    while let Some(r) = rows.next()? {
        let claim_id: i64 = r.get(0)?;
        if current.as_ref().is_some_and(|c| c.claim_id != claim_id) {
            if let Some(done) = current.take() {
                finish(done)?;
            }
        }
        let replay = current.get_or_insert_with(|| Replay {
            claim_id,
            merged: false,
            complete: false,
            state: State::new(),
        });
        replay.merged = r.get(5)?;
        let action: String = r.get(1)?;
        let field: Option<String> = r.get(2)?;
        let old: Option<String> = r.get(3)?;
        let new: Option<String> = r.get(4)?;
        match field {
            None => {
                let creates =
                    action == Action::Create.as_str() || action == Action::Import.as_str();
                if let (true, Some(snapshot)) = (creates, new) {
                    replay.start(&snapshot);
                }
            }
            // An evidence-only citation records the source's name on both sides: no change.
            Some(field) if old != new => {
                replay.state.insert(field, new.unwrap_or_default());
            }
            Some(_) => {}
        }
    }
    if let Some(done) = current.take() {
        finish(done)?;
    }
    Ok((found, total))
}

struct Replay {
    claim_id: i64,
    /// Merged into another claim: its stances moved to the claim kept, without events of its
    /// own, so only its fields are compared.
    merged: bool,
    /// Started from a creation snapshot: every field is known, not only the changed ones.
    complete: bool,
    state: State,
}

impl Replay {
    fn start(&mut self, snapshot: &str) {
        let Ok(serde_json::Value::Object(fields)) = serde_json::from_str(snapshot) else {
            return;
        };
        self.state = fields
            .into_iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_owned())))
            .collect();
        self.complete = true;
    }

    fn compare(self, conn: &Connection) -> anyhow::Result<Vec<Divergence>> {
        let Some(claim) = load_claim(conn, self.claim_id)? else {
            return Ok(vec![Divergence {
                claim_id: self.claim_id,
                field: "(the claim)".into(),
                history: "exists".into(),
                table: "missing".into(),
            }]);
        };
        let table = current_state(&claim);
        let mut out = Vec::new();
        for (field, stored) in table {
            let stance =
                field == Field::SupportedBy.as_str() || field == Field::DisputedBy.as_str();
            if stance && self.merged {
                continue;
            }
            let history = match self.state.get(&field) {
                Some(value) => value.clone(),
                None if self.complete => String::new(),
                None => continue,
            };
            if history != stored {
                out.push(Divergence {
                    claim_id: self.claim_id,
                    field,
                    history,
                    table: stored,
                });
            }
        }
        Ok(out)
    }
}
