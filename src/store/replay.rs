//! A claim's current state, checked against its history, to catch changes made to the tables
//! behind claimdb's back (a status set with SQL leaves no event, so its history disagrees).
//!
//! The event that creates a claim records, in `new_value`, a compact snapshot of what the claim
//! was created with: its status in clear, and 64-bit digests (truncated SHA-256) of its other
//! fields and of its supporting and disputing sources. Digests rather than values keep the
//! history small: a copy of every claim's text would grow a database by half. Every later change
//! records its field's old and new value. `audit` takes the claim as the tables hold it, checks
//! that each changed field holds the last value its history gave it, undoes the changes in
//! reverse (each records the old value), and compares what is left with the snapshot. A claim
//! created before snapshots existed is checked on the fields its history changed since.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::sql::params;
use super::Store;
use crate::model::{Action, Claim, ClaimDraft, Field};

/// Each field's CSV text, by field name, with `supported_by` and `disputed_by`.
type State = BTreeMap<String, String>;

/// What a creation event records about the claim it creates.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Snapshot {
    status: String,
    /// Digest of every other field.
    fields: String,
    /// Digest of the supporting and disputing sources.
    sources: String,
}

/// The creation snapshot of a claim (the claimant by its canonical name; the sources stored with
/// it by canonical name, in citation order), as the creation event records it. Computed straight
/// from the draft, without building its state, as a bulk import makes one per row.
pub(super) fn snapshot(
    draft: &ClaimDraft,
    claimant: &str,
    supported_by: &[String],
    disputed_by: &[String],
) -> String {
    let opt = |o: &Option<String>| o.as_deref().unwrap_or("").to_owned();
    let mut tags = draft.tags.clone();
    tags.sort();
    tags.dedup();
    // In field name order, as a `State` iterates.
    let fields: [(&str, String); 10] = [
        (Field::ArticleTitle.as_str(), opt(&draft.article_title)),
        (Field::ArticleUrl.as_str(), opt(&draft.article_url)),
        (
            Field::ClaimDate.as_str(),
            draft
                .claim_date
                .as_ref()
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
        (Field::Claimant.as_str(), claimant.to_owned()),
        (
            Field::Figures.as_str(),
            crate::figure::format_list(&draft.figures),
        ),
        (Field::Location.as_str(), opt(&draft.location)),
        (Field::Note.as_str(), opt(&draft.note)),
        (Field::Tags.as_str(), tags.join(";")),
        (Field::Text.as_str(), draft.text.clone()),
        (Field::Translation.as_str(), opt(&draft.translation)),
    ];
    let (supported, disputed) = (supported_by.join(";"), disputed_by.join(";"));
    let sources = [
        (Field::DisputedBy.as_str(), disputed.as_str()),
        (Field::SupportedBy.as_str(), supported.as_str()),
    ];
    format!(
        r#"{{"status":"{}","fields":"{}","sources":"{}"}}"#,
        draft.status.as_str(),
        digest(fields.iter().map(|(k, v)| (*k, v.as_str()))),
        digest(sources.into_iter()),
    )
}

/// 64 bits of SHA-256 over names and values, each ended by a NUL (which no stored text holds).
fn digest<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut hasher = Sha256::new();
    for (name, value) in pairs {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(value.as_bytes());
        hasher.update([0]);
    }
    hex::encode(&hasher.finalize()[..8])
}

fn is_source(field: &str) -> bool {
    field == Field::SupportedBy.as_str() || field == Field::DisputedBy.as_str()
}

/// The snapshot a claim in state `state` would have.
fn digests(state: &State) -> Snapshot {
    Snapshot {
        status: state
            .get(Field::Status.as_str())
            .cloned()
            .unwrap_or_default(),
        fields: digest(
            state
                .iter()
                .filter(|(k, _)| k.as_str() != Field::Status.as_str() && !is_source(k))
                .map(|(k, v)| (k.as_str(), v.as_str())),
        ),
        sources: digest(
            state
                .iter()
                .filter(|(k, _)| is_source(k))
                .map(|(k, v)| (k.as_str(), v.as_str())),
        ),
    }
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

/// What comparing every claim with its history found.
pub(super) struct Found {
    /// The first differences, at most the limit asked for.
    pub shown: Vec<Divergence>,
    /// How many differences there are in all.
    pub total: u64,
    /// Claims with no history at all.
    pub without_history: u64,
}

/// One history event, as the replay needs it.
struct Event {
    claim_id: i64,
    action: String,
    field: Option<String>,
    old: Option<String>,
    new: Option<String>,
    merged: bool,
}

/// How many history events the replay reads at a time.
const PAGE: i64 = 5000;

/// History in the order of its claims, read a page at a time (by claim, then event id), so
/// that no engine keeps a cursor open while the claims are read beside it.
struct EventsByClaim<'s> {
    store: &'s Store,
    page: std::collections::VecDeque<(i64, Event)>,
    /// The claim id and event id of the last event read; none when everything was read.
    after: Option<(i64, i64)>,
}

impl EventsByClaim<'_> {
    fn next(&mut self) -> anyhow::Result<Option<Event>> {
        if self.page.is_empty() {
            let Some((claim_id, id)) = self.after else {
                return Ok(None);
            };
            let rows: Vec<(i64, Event)> = self.store.db().query_map(
                "SELECT id, claim_id, action, field, old_value, new_value,
                        claim_id IN (SELECT dup_id FROM claim_merge)
                 FROM history
                 WHERE (claim_id, id) > (?1, ?2)
                 ORDER BY claim_id, id LIMIT ?3",
                params![claim_id, id, PAGE],
                |r| {
                    Ok((
                        r.get(0)?,
                        Event {
                            claim_id: r.get(1)?,
                            action: r.get(2)?,
                            field: r.get(3)?,
                            old: r.get(4)?,
                            new: r.get(5)?,
                            merged: r.get(6)?,
                        },
                    ))
                },
            )?;
            self.after = rows.last().map(|(id, e)| (e.claim_id, *id));
            self.page = rows.into();
        }
        Ok(self.page.pop_front().map(|(_, event)| event))
    }
}

/// Compares every claim with its history: claims in id order and history by claim, read side by
/// side (two sequential reads, one claim in memory at a time).
pub(super) fn divergences(store: &Store, limit: usize) -> anyhow::Result<Found> {
    let mut events = EventsByClaim {
        store,
        page: Default::default(),
        after: Some((i64::MIN, i64::MIN)),
    };
    let mut next = move || events.next();
    let mut found = Found {
        shown: Vec::new(),
        total: 0,
        without_history: 0,
    };
    let report = |found: &mut Found, divergence: Divergence| {
        found.total += 1;
        if found.shown.len() < limit {
            found.shown.push(divergence);
        }
    };
    let missing = |claim_id: i64| Divergence {
        claim_id,
        field: "(the claim)".into(),
        history: "exists".into(),
        table: "missing".into(),
    };
    let mut pending = next()?;
    store.every_claim_where("TRUE", |claim| {
        // History of a claim the tables no longer hold.
        while let Some(event) = pending.take_if(|e| e.claim_id < claim.id) {
            report(&mut found, missing(event.claim_id));
            pending = next()?;
            while pending
                .as_ref()
                .is_some_and(|e| e.claim_id == event.claim_id)
            {
                pending = next()?;
            }
        }
        let mut replay = Replay {
            claim_id: claim.id,
            merged: false,
            snapshot: None,
            changes: Vec::new(),
        };
        let mut events = 0;
        while let Some(event) = pending.take_if(|e| e.claim_id == claim.id) {
            events += 1;
            replay.apply(event);
            pending = next()?;
        }
        if events == 0 {
            found.without_history += 1;
        } else {
            for divergence in replay.compare(&claim) {
                report(&mut found, divergence);
            }
        }
        Ok(())
    })?;
    while let Some(event) = pending.take() {
        report(&mut found, missing(event.claim_id));
        pending = next()?;
        while pending
            .as_ref()
            .is_some_and(|e| e.claim_id == event.claim_id)
        {
            pending = next()?;
        }
    }
    Ok(found)
}

struct Replay {
    claim_id: i64,
    /// Merged into another claim: its stances moved to the claim kept, without events of its
    /// own, so only its fields are compared.
    merged: bool,
    /// What it was created with; `None` for claims created before snapshots existed.
    snapshot: Option<Snapshot>,
    /// Each change in order: field, old value, new value.
    changes: Vec<(String, String, String)>,
}

impl Replay {
    fn apply(&mut self, event: Event) {
        self.merged = event.merged;
        match event.field {
            None => {
                let creates = event.action == Action::Create.as_str()
                    || event.action == Action::Import.as_str();
                if let (true, Some(snapshot)) = (creates, event.new) {
                    self.snapshot = serde_json::from_str(&snapshot).ok();
                }
            }
            // An evidence-only citation records the source's name on both sides: no change.
            // Events about what is not a field of the claim (evidence items) are checked
            // elsewhere (`audit` reads every file).
            Some(field) if event.old != event.new && field.parse::<Field>().is_ok() => {
                self.changes.push((
                    field,
                    event.old.unwrap_or_default(),
                    event.new.unwrap_or_default(),
                ));
            }
            Some(_) => {}
        }
    }

    fn compare(self, claim: &Claim) -> Vec<Divergence> {
        let is_source =
            |f: &str| f == Field::SupportedBy.as_str() || f == Field::DisputedBy.as_str();
        let mut state = current_state(claim);
        let mut out = Vec::new();
        // The last change of each field must be what the table holds.
        let mut seen = std::collections::BTreeSet::new();
        for (field, _, new) in self.changes.iter().rev() {
            if !seen.insert(field.as_str()) || (self.merged && is_source(field)) {
                continue;
            }
            let stored = state.get(field).cloned().unwrap_or_default();
            if &stored != new {
                out.push(Divergence {
                    claim_id: self.claim_id,
                    field: field.clone(),
                    history: new.clone(),
                    table: stored,
                });
            }
        }
        let Some(snapshot) = self.snapshot else {
            return out;
        };
        // Undo every change: what is left is the claim as it was created.
        for (field, old, _) in self.changes.iter().rev() {
            state.insert(field.clone(), old.clone());
        }
        let created = digests(&state);
        if created.status != snapshot.status && !out.iter().any(|d| d.field == "status") {
            out.push(Divergence {
                claim_id: self.claim_id,
                field: Field::Status.as_str().into(),
                history: snapshot.status.clone(),
                table: created.status.clone(),
            });
        }
        if created.fields != snapshot.fields {
            out.push(Divergence {
                claim_id: self.claim_id,
                field: "the fields it was created with".into(),
                history: format!("digest {}", snapshot.fields),
                table: format!("digest {}", created.fields),
            });
        }
        if created.sources != snapshot.sources && !self.merged {
            out.push(Divergence {
                claim_id: self.claim_id,
                field: "the sources it was created with".into(),
                history: format!("digest {}", snapshot.sources),
                table: format!("digest {}", created.sources),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    #[test]
    fn a_snapshot_matches_the_state_it_was_made_from() {
        let draft = ClaimDraft {
            text: "t".into(),
            claimant: "as typed".into(),
            status: Status::InReview,
            figures: crate::figure::parse_list("~1000.5 men; 9 police officers [9 من الشرطة]")
                .unwrap(),
            tags: vec!["b".into(), "a".into(), "b".into()],
            note: Some("n".into()),
            ..ClaimDraft::default()
        };
        let made = snapshot(
            &draft,
            "Canonical",
            &["S".into()],
            &["D".into(), "E".into()],
        );
        let mut canonical = draft.clone();
        canonical.claimant = "Canonical".into();
        canonical.normalize_tags();
        let state = state_of(&canonical, &["S".into()], &["D".into(), "E".into()]);
        let expected = digests(&state);
        let parsed: Snapshot = serde_json::from_str(&made).unwrap();
        assert_eq!(parsed, expected);
        // Every field counts.
        let mut other = state.clone();
        other.insert("figures".into(), "~1000.5 women".into());
        assert_ne!(digests(&other).fields, expected.fields);
    }

    #[test]
    fn a_snapshot_is_small_and_names_the_status() {
        let draft = ClaimDraft {
            text: "نحو ألف ".repeat(100),
            claimant: "x".into(),
            status: Status::False,
            ..ClaimDraft::default()
        };
        let snapshot = snapshot(&draft, "Reuters", &["A".into()], &[]);
        assert!(snapshot.len() < 80, "{snapshot}");
        assert!(snapshot.contains("\"status\":\"false\""), "{snapshot}");
    }
}
