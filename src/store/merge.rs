//! Folding a duplicate claim into the claim kept.
//!
//! History is append-only (triggers forbid changing or deleting its rows), so the duplicate is
//! not deleted: its row stays, with its history, and a `claim_merge` row marks it as merged
//! into the claim kept. From then on it is hidden from list, export, stats, search and
//! `similar`; edits to it are refused; its uid resolves to the kept claim on import; and
//! `history KEEP` shows the duplicate's history interleaved with the kept claim's.

use super::sql::params;

use super::{load_claim, search, Store, Writer};
use crate::error::UserError;
use crate::model::{self, Action, Claim, ClaimDraft, ClaimPatch, Field, FieldChange, Stance};

/// What a merge did to the claim kept.
#[derive(Debug, Clone, Default)]
pub struct Merged {
    /// Fields of the kept claim that changed (filled from the duplicate, tags joined).
    pub changes: Vec<FieldChange>,
    /// Sources whose stance moved to the kept claim (the duplicate's claimant among them, as
    /// a supporter).
    pub moved_stances: Vec<String>,
}

impl Store {
    /// Folds claim `dup` into claim `keep` in one transaction: the kept claim gets the
    /// duplicate's tags, the fields it lacks, and the stances of sources that have none on it
    /// yet; the duplicate's claimant, when another source, supports the kept claim. Both claims
    /// record the merge in their history with `note`.
    pub fn merge(
        &mut self,
        keep: i64,
        dup: i64,
        note: Option<&str>,
        actor: &str,
    ) -> anyhow::Result<Merged> {
        if keep == dup {
            return Err(UserError::Refused(format!(
                "claim {keep} cannot be merged into itself; give the claim to keep and its duplicate"
            ))
            .into());
        }
        let tx = self.write()?;
        let mut w = Writer::new(&*tx, actor);
        for id in [keep, dup] {
            if let Some(into) = search::merged_into(w.tx, id)? {
                return Err(UserError::Refused(format!(
                    "claim {id} was already merged into claim {into}; merge with claim {into} instead"
                ))
                .into());
            }
        }
        let kept = load_claim(w.tx, keep)?.ok_or(UserError::ClaimNotFound(keep))?;
        let duplicate = load_claim(w.tx, dup)?.ok_or(UserError::ClaimNotFound(dup))?;
        let why = |text: String| match note {
            Some(n) if !n.trim().is_empty() => format!("{text}: {}", n.trim()),
            _ => text,
        };
        let changes = w.update_claim(
            keep,
            &fill_from(&kept, &duplicate.draft()),
            Action::Merge,
            Some(&why(format!("from claim {dup}"))),
            false,
        )?;
        let moved_stances =
            move_stances(&mut w, &kept, &duplicate, &why(format!("from claim {dup}")))?;
        // The duplicate's evidence now documents the claim kept (the events that recorded it
        // stay on the duplicate, where `history KEEP` shows them); the move is an event too.
        let moved: Vec<String> =
            w.tx.prepare("SELECT id FROM evidence WHERE claim_id = ?1 ORDER BY id")?
                .query_map([dup], |r| r.get::<i64>(0))?
                .map(|id| id.map(|id| id.to_string()))
                .collect::<Result<_, _>>()?;
        if !moved.is_empty() {
            w.tx.execute(
                "UPDATE evidence SET claim_id = ?1 WHERE claim_id = ?2",
                params![keep, dup],
            )?;
            w.record_raw(
                keep,
                Action::Merge,
                Some((
                    "evidence",
                    None,
                    Some(&format!(
                        "evidence {} moved from claim {dup}",
                        moved.join(", ")
                    )),
                )),
                Some(&why(format!("from claim {dup}"))),
            )?;
        }
        let now = model::now();
        w.tx.execute(
            "UPDATE claim_merge SET keep_id = ?1 WHERE keep_id = ?2",
            params![keep, dup],
        )?;
        w.tx.execute(
            "INSERT INTO claim_merge (dup_id, keep_id, merged_at, merged_by, note)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![dup, keep, now, actor, note],
        )?;
        w.record(
            keep,
            Action::Merge,
            None,
            Some(&why(format!(
                "claim {dup} (uid {}) merged into this claim",
                duplicate.uid
            ))),
        )?;
        // The duplicate's event records its merge row, for `audit`.
        w.append_event(
            dup,
            Action::Merge,
            None,
            Some(&super::replay::merge_snapshot(dup, keep, &now, actor, note)),
            Some(&why(format!("merged into claim {keep} (uid {})", kept.uid))),
        )?;
        w.tx.execute(
            "UPDATE claim SET updated_at = ?2, updated_by = ?3 WHERE id = ?1",
            params![keep, now, actor],
        )?;
        tx.commit()?;
        Ok(Merged {
            changes,
            moved_stances,
        })
    }
}

/// The duplicate's tags joined to the kept claim's, and its values for the fields the kept
/// claim lacks. A figure (value, unit, qualifier) is taken whole or not at all.
pub(super) fn fill_from(kept: &Claim, dup: &ClaimDraft) -> ClaimPatch {
    let mut patch = ClaimPatch::from(dup).gaps_in(&kept.draft());
    let mut tags = kept.tags.clone();
    tags.extend(dup.tags.iter().cloned());
    patch.tags = Some(tags);
    patch
}

/// Folds an imported row whose uid names a merged duplicate into the kept claim `keep`, the way
/// `merge` did: tags joined, missing fields filled, and its sources (its claimant as a
/// supporter) cited where they have no stance yet. The kept claim's text, claimant and status
/// stay. Returns whether anything changed.
pub(super) fn fold_row_into(
    w: &mut Writer<'_>,
    keep: i64,
    row: &super::ImportRow,
    note: &str,
    imported_from: &str,
) -> anyhow::Result<bool> {
    let kept = load_claim(w.tx, keep)?.ok_or(UserError::ClaimNotFound(keep))?;
    let mut other = ClaimDraft::default();
    row.patch.apply_to(&mut other)?;
    let mut changed = !w
        .update_claim(
            keep,
            &fill_from(&kept, &other),
            Action::Merge,
            Some(note),
            false,
        )?
        .is_empty();
    let kept_claimant = w.resolve_source(&kept.claimant)?.0;
    let cited = row
        .supported_by
        .iter()
        .map(|n| (n, Stance::Supports))
        .chain(row.disputed_by.iter().map(|n| (n, Stance::Disputes)))
        .chain(row.patch.claimant.iter().map(|n| (n, Stance::Supports)));
    for (name, stance) in cited {
        let source = w.resolve_source(name)?.0;
        let has_stance =
            w.tx.prepare_cached("SELECT 1 FROM stance WHERE claim_id = ?1 AND source_id = ?2")?
                .exists(params![keep, source])?;
        if source != kept_claimant && !has_stance {
            w.cite(
                keep,
                name,
                stance,
                None,
                None,
                super::Why::imported(note, imported_from),
            )?;
            changed = true;
        }
    }
    Ok(changed)
}

/// Moves the duplicate's stances to the kept claim where the source has none there yet (and is
/// not its claimant), drops the others, and lets the duplicate's claimant support the kept
/// claim. Records the changed source lists in the kept claim's history.
fn move_stances(
    w: &mut Writer<'_>,
    kept: &Claim,
    dup: &Claim,
    why: &str,
) -> anyhow::Result<Vec<String>> {
    let before = w.stance_lists(kept.id)?;
    let kept_claimant = w.resolve_source(&kept.claimant)?.0;
    let stances: Vec<(i64, i64, String)> = {
        let mut stmt = w.tx.prepare(
            "SELECT st.id, st.source_id, s.name FROM stance st JOIN source s ON s.id = st.source_id
             WHERE st.claim_id = ?1 ORDER BY st.id",
        )?;
        let rows = stmt.query_map([dup.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let has_stance = |w: &Writer<'_>, source: i64| -> anyhow::Result<bool> {
        Ok(w.tx
            .prepare_cached("SELECT 1 FROM stance WHERE claim_id = ?1 AND source_id = ?2")?
            .exists(params![kept.id, source])?)
    };
    let mut moved = Vec::new();
    for (stance_id, source, name) in stances {
        if source != kept_claimant && !has_stance(w, source)? {
            w.tx.execute(
                "UPDATE stance SET claim_id = ?1 WHERE id = ?2",
                params![kept.id, stance_id],
            )?;
            moved.push(name);
        } else {
            w.tx.execute("DELETE FROM stance WHERE id = ?1", [stance_id])?;
        }
    }
    let (dup_claimant, name) = w.resolve_source(&dup.claimant)?;
    if dup_claimant != kept_claimant && !has_stance(w, dup_claimant)? {
        w.tx.execute(
            "INSERT INTO stance (claim_id, source_id, stance, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                kept.id,
                dup_claimant,
                Stance::Supports,
                dup.created_at,
                dup.created_by
            ],
        )?;
        moved.push(name);
    }
    let after = w.stance_lists(kept.id)?;
    for (field, (old, new)) in [Field::SupportedBy, Field::DisputedBy]
        .into_iter()
        .zip(before.into_iter().zip(after))
    {
        if old != new {
            w.record(
                kept.id,
                Action::Merge,
                Some(&FieldChange { field, old, new }),
                Some(why),
            )?;
        }
    }
    Ok(moved)
}
