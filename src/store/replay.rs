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
//!
//! Reviews and merges are checked the same way. The event that adds or completes a review
//! records which review it is and a digest of its row; every review row must be the last one
//! its claim's history gave it, and every review its history records must be there. The event
//! on a duplicate that a merge folds away records the claim it was merged into and a digest of
//! the merge row; every merge row must follow from those events (a later merge of the claim
//! kept moves its duplicates along), and every merge they record must have its row. Reviews and
//! merges recorded before these digests existed are checked as far as their events say: a
//! merge's claim kept (its note names it), and no more reviews on a claim than its history
//! added.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::sql::{self, params, Row};
use super::Store;
use crate::model::{Action, Claim, ClaimDraft, Field};
use crate::review::Review;

/// Each field's CSV text, by field name, with `supported_by` and `disputed_by`.
type State = BTreeMap<String, String>;

/// What a creation event records about the claim it creates.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(super) struct Snapshot {
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
    snapshot_of(draft, claimant, supported_by, disputed_by).json()
}

impl Snapshot {
    /// As the creation event records it.
    pub(super) fn json(&self) -> String {
        format!(
            r#"{{"status":"{}","fields":"{}","sources":"{}"}}"#,
            self.status, self.fields, self.sources
        )
    }

    /// What a batch of imported claims keeps of it (see [`super::batch`]).
    pub(super) fn batch_digests(&self) -> Option<String> {
        super::batch::digests_of(&self.status, &self.fields, &self.sources)
    }
}

/// [`snapshot`], before it is written out.
pub(super) fn snapshot_of(
    draft: &ClaimDraft,
    claimant: &str,
    supported_by: &[String],
    disputed_by: &[String],
) -> Snapshot {
    fn opt(o: &Option<String>) -> &str {
        o.as_deref().unwrap_or("")
    }
    let mut tags: Vec<&str> = draft.tags.iter().map(String::as_str).collect();
    tags.sort_unstable();
    tags.dedup();
    let (claim_date, figures, tags) = (
        draft
            .claim_date
            .as_ref()
            .map(|d| d.to_string())
            .unwrap_or_default(),
        crate::figure::format_list(&draft.figures),
        tags.join(";"),
    );
    // In field name order, as a `State` iterates.
    let fields: [(&str, &str); 10] = [
        (Field::ArticleTitle.as_str(), opt(&draft.article_title)),
        (Field::ArticleUrl.as_str(), opt(&draft.article_url)),
        (Field::ClaimDate.as_str(), &claim_date),
        (Field::Claimant.as_str(), claimant),
        (Field::Figures.as_str(), &figures),
        (Field::Location.as_str(), opt(&draft.location)),
        (Field::Note.as_str(), opt(&draft.note)),
        (Field::Tags.as_str(), &tags),
        (Field::Text.as_str(), &draft.text),
        (Field::Translation.as_str(), opt(&draft.translation)),
    ];
    let (supported, disputed) = (supported_by.join(";"), disputed_by.join(";"));
    let sources = [
        (Field::DisputedBy.as_str(), disputed.as_str()),
        (Field::SupportedBy.as_str(), supported.as_str()),
    ];
    Snapshot {
        status: draft.status.as_str().to_owned(),
        fields: digest(fields.into_iter()),
        sources: digest(sources.into_iter()),
    }
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

/// A field of a row for [`digest`]: a NULL differs from every text, the empty one included.
fn column(value: Option<&str>) -> String {
    value.map_or_else(String::new, |v| format!("={v}"))
}

/// What the event that adds or completes a review records about it (in `new_value`): which
/// review of its claim it is, and a digest of its row as it was written.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct ReviewSnapshot {
    /// Digest of the url, or, for a review without one, of its publisher's key: what makes a
    /// review one of a kind on its claim.
    review: String,
    /// Digest of every column of the row but its id, its claim and its publisher's key (which
    /// is made from the publisher).
    digest: String,
}

fn review_snapshot_of(review: &Review, publisher_key: &str) -> ReviewSnapshot {
    let identity = match &review.review.url {
        Some(url) => digest([("url", url.as_str())].into_iter()),
        None => digest([("publisher", publisher_key)].into_iter()),
    };
    let r = &review.review;
    let columns = [
        ("publisher", column(Some(&r.publisher))),
        ("site", column(r.site.as_deref())),
        ("url", column(r.url.as_deref())),
        ("title", column(r.title.as_deref())),
        ("review_date", column(r.review_date.as_deref())),
        ("rating", column(r.rating.as_deref())),
        ("language", column(r.language.as_deref())),
        ("body", column(r.body.as_deref())),
        ("created_at", column(Some(&review.created_at))),
        ("created_by", column(Some(&review.created_by))),
    ];
    ReviewSnapshot {
        review: identity,
        digest: digest(columns.iter().map(|(k, v)| (*k, v.as_str()))),
    }
}

/// The snapshot the event that adds or completes `review` records, as JSON.
pub(super) fn review_snapshot(review: &Review, publisher_key: &str) -> String {
    let snapshot = review_snapshot_of(review, publisher_key);
    format!(
        r#"{{"review":"{}","digest":"{}"}}"#,
        snapshot.review, snapshot.digest
    )
}

/// What the event on a merged duplicate records (in `new_value`): the claim it was merged into
/// and a digest of the rest of its merge row.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct MergeSnapshot {
    merged_into: i64,
    merge: String,
}

fn merge_digest(dup: i64, merged_at: &str, merged_by: &str, note: Option<&str>) -> String {
    let dup = dup.to_string();
    let columns = [
        ("dup_id", column(Some(&dup))),
        ("merged_at", column(Some(merged_at))),
        ("merged_by", column(Some(merged_by))),
        ("note", column(note)),
    ];
    digest(columns.iter().map(|(k, v)| (*k, v.as_str())))
}

/// The snapshot the event on duplicate `dup`, merged into `keep`, records, as JSON.
pub(super) fn merge_snapshot(
    dup: i64,
    keep: i64,
    merged_at: &str,
    merged_by: &str,
    note: Option<&str>,
) -> String {
    format!(
        r#"{{"merged_into":{keep},"merge":"{}"}}"#,
        merge_digest(dup, merged_at, merged_by, note)
    )
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
    action: String,
    field: Option<String>,
    old: Option<String>,
    new: Option<String>,
    /// Why, read only for the review and merge events that name no field, and for archiving
    /// and proposing.
    note: Option<String>,
    merged: bool,
    /// Who, read only for a proposed verdict.
    actor: Option<String>,
}

/// A review row, as the replay needs it.
struct ReviewRow {
    review: Review,
    publisher_key: String,
}

/// How many rows the replay reads at a time.
const PAGE: i64 = 5000;

/// History in the order of its claims.
const EVENTS_BY_CLAIM: &str = "SELECT claim_id, id, action, field, old_value, new_value,
        CASE WHEN (field IS NULL AND action IN ('review', 'merge'))
                  OR field IN ('archived', 'proposed_status') THEN note END,
        claim_id IN (SELECT dup_id FROM claim_merge),
        CASE WHEN action = 'propose' THEN actor END
 FROM history
 WHERE (claim_id, id) > (?1, ?2)
 ORDER BY claim_id, id LIMIT ?3";

fn event_from_row(r: &Row<'_>) -> sql::Result<Event> {
    Ok(Event {
        action: r.get(2)?,
        field: r.get(3)?,
        old: r.get(4)?,
        new: r.get(5)?,
        note: r.get(6)?,
        merged: r.get(7)?,
        actor: r.get(8)?,
    })
}

/// Reviews in the order of their claims (through `review_by_claim`).
const REVIEWS_BY_CLAIM: &str = "SELECT claim_id, id, publisher, site, url, title, review_date,
        rating, language, body, created_at, created_by, publisher_key
 FROM review
 WHERE (claim_id, id) > (?1, ?2)
 ORDER BY claim_id, id LIMIT ?3";

fn review_from_row(r: &Row<'_>) -> sql::Result<ReviewRow> {
    Ok(ReviewRow {
        review: Review {
            review: crate::review::ReviewDraft {
                publisher: r.get(2)?,
                site: r.get(3)?,
                url: r.get(4)?,
                title: r.get(5)?,
                review_date: r.get(6)?,
                rating: r.get(7)?,
                language: r.get(8)?,
                body: r.get(9)?,
            },
            created_at: r.get(10)?,
            created_by: r.get(11)?,
        },
        publisher_key: r.get(12)?,
    })
}

/// Where a claim stands on the desk: its assignee, archive and verdict proposed under the
/// review gate, as its row holds them or as its history leads to (empty texts for none).
#[derive(Debug, Default, PartialEq)]
struct Desk {
    assignee: String,
    archived: String,
    archive_note: Option<String>,
    /// The verdict, who proposed it, and why.
    proposal: Option<(String, String, String)>,
}

/// Desk rows by claim (the claim is the row's key).
const DESKS_BY_CLAIM: &str = "SELECT claim_id, claim_id, assignee, archived, archive_note,
        proposed_status, proposed_by, proposed_note
 FROM claim_desk
 WHERE claim_id > ?1 AND claim_id > ?2
 ORDER BY claim_id LIMIT ?3";

fn desk_from_row(r: &Row<'_>) -> sql::Result<Desk> {
    let archived: Option<String> = r.get(3)?;
    let proposal: [Option<String>; 3] = [r.get(5)?, r.get(6)?, r.get(7)?];
    Ok(Desk {
        assignee: r.get::<Option<String>>(2)?.unwrap_or_default(),
        archive_note: archived.as_ref().and(r.get(4)?),
        archived: archived.unwrap_or_default(),
        proposal: match proposal {
            [None, None, None] => None,
            [status, by, note] => Some((
                status.unwrap_or_default(),
                by.unwrap_or_default(),
                note.unwrap_or_default(),
            )),
        },
    })
}

/// Compares claim `claim_id`'s desk row (none: nothing on the desk) with its history.
fn compare_desk(claim_id: i64, history: &Desk, table: Option<Desk>) -> Vec<Divergence> {
    let table = table.unwrap_or_default();
    let proposal = |p: &Option<(String, String, String)>| match p {
        Some((status, by, note)) => format!("{status} proposed by {by}: {note}"),
        None => String::new(),
    };
    [
        ("assignee", &history.assignee, &table.assignee),
        ("archived", &history.archived, &table.archived),
        (
            "the archive note",
            &history.archive_note.clone().unwrap_or_default(),
            &table.archive_note.clone().unwrap_or_default(),
        ),
        (
            "the proposed verdict",
            &proposal(&history.proposal),
            &proposal(&table.proposal),
        ),
    ]
    .into_iter()
    .filter(|(_, history, table)| history != table)
    .map(|(field, history, table)| {
        let shown = |value: &String| match value.as_str() {
            "" => "none".to_owned(),
            _ => value.clone(),
        };
        Divergence {
            claim_id,
            field: field.into(),
            history: shown(history),
            table: shown(table),
        }
    })
    .collect()
}

/// The rows of one table in the order of their claims, read a page at a time (by claim, then
/// row id), so that no engine keeps a cursor open while the claims are read beside it.
struct ByClaim<'s, T> {
    store: &'s Store,
    /// Reads at most ?3 rows after claim ?1 and row id ?2, in that order; its first two columns
    /// are the claim and the row id.
    sql: &'static str,
    read: fn(&Row<'_>) -> sql::Result<T>,
    page: std::collections::VecDeque<(i64, i64, T)>,
    /// The claim and row id of the last row read; none when every row was read.
    after: Option<(i64, i64)>,
}

impl<'s, T> ByClaim<'s, T> {
    fn new(store: &'s Store, sql: &'static str, read: fn(&Row<'_>) -> sql::Result<T>) -> Self {
        ByClaim {
            store,
            sql,
            read,
            page: Default::default(),
            after: Some((i64::MIN, i64::MIN)),
        }
    }

    /// The claim of the next row; none at the end.
    fn peek(&mut self) -> anyhow::Result<Option<i64>> {
        if self.page.is_empty() {
            let Some((claim_id, id)) = self.after else {
                return Ok(None);
            };
            let read = self.read;
            let rows: Vec<(i64, i64, T)> =
                self.store
                    .db()
                    .query_map(self.sql, params![claim_id, id, PAGE], |r| {
                        Ok((r.get(0)?, r.get(1)?, read(r)?))
                    })?;
            self.after = rows.last().map(|(claim_id, id, _)| (*claim_id, *id));
            self.page = rows.into();
        }
        Ok(self.page.front().map(|(claim_id, _, _)| *claim_id))
    }

    /// The next row if it belongs to claim `claim_id`.
    fn next_of(&mut self, claim_id: i64) -> anyhow::Result<Option<T>> {
        if self.peek()? != Some(claim_id) {
            return Ok(None);
        }
        Ok(self.page.pop_front().map(|(_, _, row)| row))
    }

    /// The claim of the next row, if it comes before claim `claim_id` (or `claim_id` is none).
    fn claim_before(&mut self, claim_id: Option<i64>) -> anyhow::Result<Option<i64>> {
        Ok(self
            .peek()?
            .filter(|&next| claim_id.is_none_or(|c| next < c)))
    }
}

/// Compares every claim with its history: claims in id order, and history and reviews by
/// claim, read side by side (sequential reads, one claim in memory at a time); then every merge
/// row with the merges history records (a map as large as the merges).
pub(super) fn divergences(store: &Store, limit: usize) -> anyhow::Result<Found> {
    let mut events = ByClaim::new(store, EVENTS_BY_CLAIM, event_from_row);
    let mut reviews = ByClaim::new(store, REVIEWS_BY_CLAIM, review_from_row);
    let mut desks = ByClaim::new(store, DESKS_BY_CLAIM, desk_from_row);
    // Each merged duplicate, as its history records it: the claim it was merged into and the
    // digest of its merge row (none for merges recorded before digests existed).
    let mut merges: BTreeMap<i64, (i64, Option<String>)> = BTreeMap::new();
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
    // A claim found missing both by its own events and by its import batch is told once.
    let told_missing = std::cell::RefCell::new(std::collections::BTreeSet::new());
    let report_missing = |found: &mut Found, claim_id: i64| {
        if told_missing.borrow_mut().insert(claim_id) {
            report(found, missing(claim_id));
        }
    };
    // The import batch whose claims are being read: the next claim it holds, and its record.
    let mut batch: Option<(i64, super::batch::Record)> = None;
    // Every claim after the last one read of a batch is missing.
    let end_batch = |found: &mut Found, batch: Option<(i64, super::batch::Record)>| {
        if let Some((next, record)) = batch {
            for id in next..=record.last {
                report_missing(found, id);
            }
        }
    };
    // What is recorded about claims the tables do not hold, up to claim `before`.
    let orphans = |found: &mut Found,
                   events: &mut ByClaim<'_, Event>,
                   reviews: &mut ByClaim<'_, ReviewRow>,
                   desks: &mut ByClaim<'_, Desk>,
                   before: Option<i64>|
     -> anyhow::Result<()> {
        while let Some(id) = desks.claim_before(before)? {
            for divergence in compare_desk(id, &Desk::default(), desks.next_of(id)?) {
                report(found, divergence);
            }
        }
        while let Some(id) = events.claim_before(before)? {
            report_missing(found, id);
            while events.next_of(id)?.is_some() {}
        }
        while let Some(id) = reviews.claim_before(before)? {
            let mut rows = Vec::new();
            while let Some(row) = reviews.next_of(id)? {
                rows.push(row);
            }
            for divergence in compare_reviews(id, ReviewsSeen::default(), rows) {
                report(found, divergence);
            }
        }
        Ok(())
    };
    store.every_claim_where("TRUE", |claim| {
        orphans(
            &mut found,
            &mut events,
            &mut reviews,
            &mut desks,
            Some(claim.id),
        )?;
        let mut replay = Replay {
            claim_id: claim.id,
            merged: false,
            snapshot: None,
            batch: None,
            changes: Vec::new(),
            reviews: ReviewsSeen::default(),
            merge: None,
            desk: Desk::default(),
        };
        let mut recorded = 0;
        while let Some(event) = events.next_of(claim.id)? {
            recorded += 1;
            replay.apply(event);
        }
        if let Some(new) = replay.batch.take() {
            end_batch(&mut found, batch.take());
            match super::batch::Record::parse(&new) {
                Some(record) => batch = Some((record.first, record)),
                None => report(
                    &mut found,
                    Divergence {
                        claim_id: claim.id,
                        field: "(its import batch)".into(),
                        history: "a record of the claims imported".into(),
                        table: "unreadable".into(),
                    },
                ),
            }
        }
        if let Some((next, record)) = &mut batch {
            // Claims of the batch that the tables no longer hold.
            while *next < claim.id && *next <= record.last {
                report_missing(&mut found, *next);
                *next += 1;
            }
            if let Some(created) = record.created(claim.id) {
                replay.snapshot = Some(Snapshot {
                    status: created.status.to_owned(),
                    fields: created.fields.to_owned(),
                    sources: created.sources.to_owned(),
                });
                recorded += 1;
                *next = claim.id + 1;
            }
        }
        let mut rows = Vec::new();
        while let Some(row) = reviews.next_of(claim.id)? {
            rows.push(row);
        }
        let seen = std::mem::take(&mut replay.reviews);
        let desk = std::mem::take(&mut replay.desk);
        if let Some(merge) = replay.merge.take() {
            merges.insert(claim.id, merge);
        }
        if recorded == 0 {
            found.without_history += 1;
        } else {
            for divergence in replay.compare(&claim) {
                report(&mut found, divergence);
            }
        }
        for divergence in compare_reviews(claim.id, seen, rows) {
            report(&mut found, divergence);
        }
        for divergence in compare_desk(claim.id, &desk, desks.next_of(claim.id)?) {
            report(&mut found, divergence);
        }
        Ok(())
    })?;
    end_batch(&mut found, batch.take());
    orphans(&mut found, &mut events, &mut reviews, &mut desks, None)?;
    for divergence in compare_merges(store, &merges)? {
        report(&mut found, divergence);
    }
    Ok(found)
}

/// The reviews a claim's history added, as far as it records them.
#[derive(Default)]
struct ReviewsSeen {
    /// By which review it is: the digest of its row as last written, and what its event's note
    /// calls it.
    recorded: BTreeMap<String, (String, String)>,
    /// Reviews added by events from before digests were recorded.
    unrecorded: u64,
}

/// What a review is called in a divergence.
fn review_name(review: &Review) -> String {
    let r = &review.review;
    let name = match &r.url {
        Some(url) => format!("the review by {} ({url})", r.publisher),
        None => format!("the review by {}", r.publisher),
    };
    crate::table::truncate(&name, 100)
}

/// Compares the review rows of claim `claim_id` with what its history recorded.
fn compare_reviews(claim_id: i64, seen: ReviewsSeen, rows: Vec<ReviewRow>) -> Vec<Divergence> {
    let ReviewsSeen {
        mut recorded,
        unrecorded,
    } = seen;
    let mut out = Vec::new();
    let mut unexplained = Vec::new();
    for row in rows {
        let snapshot = review_snapshot_of(&row.review, &row.publisher_key);
        match recorded.remove(&snapshot.review) {
            Some((digest, _)) if digest == snapshot.digest => {}
            Some((digest, _)) => out.push(Divergence {
                claim_id,
                field: review_name(&row.review),
                history: format!("digest {digest}"),
                table: format!("digest {}", snapshot.digest),
            }),
            None => unexplained.push(row),
        }
    }
    // Reviews added before digests were recorded account for as many rows.
    for row in unexplained
        .iter()
        .skip(usize::try_from(unrecorded).unwrap_or(usize::MAX))
    {
        out.push(Divergence {
            claim_id,
            field: review_name(&row.review),
            history: "no such review".into(),
            table: "this review".into(),
        });
    }
    for (_, (_, name)) in recorded {
        out.push(Divergence {
            claim_id,
            field: crate::table::truncate(&format!("the {name}"), 100),
            history: "this review".into(),
            table: "no such review".into(),
        });
    }
    out
}

/// A merge row.
struct MergeRow {
    dup: i64,
    keep: i64,
    merged_at: String,
    merged_by: String,
    note: Option<String>,
}

/// Compares every merge row with the merges history records (`merges`: each duplicate, the
/// claim it was merged into and the digest of its row).
fn compare_merges(
    store: &Store,
    merges: &BTreeMap<i64, (i64, Option<String>)>,
) -> anyhow::Result<Vec<Divergence>> {
    // A later merge of the claim kept moves its duplicates to the claim that keeps it.
    let kept_by = |mut keep: i64| {
        for _ in 0..merges.len() {
            match merges.get(&keep) {
                Some((next, _)) => keep = *next,
                None => break,
            }
        }
        keep
    };
    let mut out = Vec::new();
    let mut rows_seen = std::collections::BTreeSet::new();
    let mut after = i64::MIN;
    loop {
        let page: Vec<MergeRow> = store.db().query_map(
            "SELECT dup_id, keep_id, merged_at, merged_by, note FROM claim_merge
             WHERE dup_id > ?1 ORDER BY dup_id LIMIT ?2",
            params![after, PAGE],
            |r| {
                Ok(MergeRow {
                    dup: r.get(0)?,
                    keep: r.get(1)?,
                    merged_at: r.get(2)?,
                    merged_by: r.get(3)?,
                    note: r.get(4)?,
                })
            },
        )?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.dup;
        for row in page {
            rows_seen.insert(row.dup);
            let Some((into, digest)) = merges.get(&row.dup) else {
                out.push(Divergence {
                    claim_id: row.dup,
                    field: "merged into".into(),
                    history: "not merged".into(),
                    table: format!("claim {}", row.keep),
                });
                continue;
            };
            let keep = kept_by(*into);
            if keep != row.keep {
                out.push(Divergence {
                    claim_id: row.dup,
                    field: "merged into".into(),
                    history: format!("claim {keep}"),
                    table: format!("claim {}", row.keep),
                });
            }
            let stored = merge_digest(row.dup, &row.merged_at, &row.merged_by, row.note.as_deref());
            if let Some(digest) = digest.as_ref().filter(|d| **d != stored) {
                out.push(Divergence {
                    claim_id: row.dup,
                    field: "the merge".into(),
                    history: format!("digest {digest}"),
                    table: format!("digest {stored}"),
                });
            }
        }
    }
    for (dup, (into, _)) in merges {
        if !rows_seen.contains(dup) {
            out.push(Divergence {
                claim_id: *dup,
                field: "merged into".into(),
                history: format!("claim {}", kept_by(*into)),
                table: "not merged".into(),
            });
        }
    }
    Ok(out)
}

/// What the note of a review's event calls the review: "review by Misbar: "False" (URL)".
fn review_note_name(note: &str) -> String {
    let name = note
        .rsplit_once(", import of ")
        .map_or(note, |(name, _)| name);
    let name = name
        .split_once(" completed (")
        .map_or(name, |(name, _)| name);
    name.to_owned()
}

struct Replay {
    claim_id: i64,
    /// Merged into another claim: its stances moved to the claim kept, without events of its
    /// own, so only its fields are compared.
    merged: bool,
    /// What it was created with; `None` for claims created before snapshots existed, and for
    /// claims created in an import's batch.
    snapshot: Option<Snapshot>,
    /// The record of the import batch its history files under it (it is the batch's first
    /// claim), as written.
    batch: Option<String>,
    /// Each change in order: field, old value, new value.
    changes: Vec<(String, String, String)>,
    /// The reviews its history added.
    reviews: ReviewsSeen,
    /// The claim it was merged into, with the digest of its merge row, when its history says
    /// it was merged.
    merge: Option<(i64, Option<String>)>,
    /// Where it stands on the desk.
    desk: Desk,
}

impl Replay {
    fn apply(&mut self, event: Event) {
        self.merged = event.merged;
        let new = || event.new.clone().unwrap_or_default();
        match (event.action.as_str(), event.field.as_deref()) {
            (_, Some("assignee")) => self.desk.assignee = new(),
            (_, Some("archived")) => {
                self.desk.archived = new();
                self.desk.archive_note = event.note.clone().filter(|_| !new().is_empty());
            }
            (action, Some("proposed_status")) if action == Action::Propose.as_str() => {
                self.desk.proposal = Some((
                    new(),
                    event.actor.clone().unwrap_or_default(),
                    event.note.clone().unwrap_or_default(),
                ));
            }
            // Returning or approving a verdict closes its proposal.
            (action, _)
                if action == Action::Return.as_str() || action == Action::Approve.as_str() =>
            {
                self.desk.proposal = None;
            }
            _ => {}
        }
        match event.field {
            None if event.action == Action::Review.as_str() => {
                let note = event.note.unwrap_or_default();
                match event
                    .new
                    .and_then(|new| serde_json::from_str::<ReviewSnapshot>(&new).ok())
                {
                    Some(snapshot) => {
                        self.reviews
                            .recorded
                            .insert(snapshot.review, (snapshot.digest, review_note_name(&note)));
                    }
                    // Completing a review recorded before digests adds none.
                    None if !note.contains(" completed (") => self.reviews.unrecorded += 1,
                    None => {}
                }
            }
            None if event.action == Action::Merge.as_str() => {
                match event
                    .new
                    .and_then(|new| serde_json::from_str::<MergeSnapshot>(&new).ok())
                {
                    Some(snapshot) => {
                        self.merge = Some((snapshot.merged_into, Some(snapshot.merge)));
                    }
                    // Before digests, the duplicate's note named the claim kept.
                    None => {
                        if let Some(keep) = event
                            .note
                            .as_deref()
                            .and_then(|n| n.strip_prefix("merged into claim "))
                            .and_then(|n| n.split(|c: char| !c.is_ascii_digit()).next())
                            .and_then(|n| n.parse().ok())
                        {
                            self.merge = Some((keep, None));
                        }
                    }
                }
            }
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
            Some(field)
                if field == super::batch::FIELD && event.action == Action::Import.as_str() =>
            {
                self.batch = event.new;
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

    fn review(publisher: &str, url: Option<&str>, rating: &str) -> ReviewRow {
        ReviewRow {
            review: Review {
                review: crate::review::ReviewDraft {
                    publisher: publisher.into(),
                    url: url.map(Into::into),
                    rating: Some(rating.into()),
                    ..Default::default()
                },
                created_at: "2026-01-01T00:00:00Z".into(),
                created_by: "amal".into(),
            },
            publisher_key: publisher.to_lowercase(),
        }
    }

    #[test]
    fn reviews_are_matched_by_url_or_publisher_and_compared_by_digest() {
        let stored = review("Misbar", Some("https://misbar.com/1"), "False");
        let snapshot: ReviewSnapshot =
            serde_json::from_str(&review_snapshot(&stored.review, &stored.publisher_key)).unwrap();
        let seen = || ReviewsSeen {
            recorded: [(
                snapshot.review.clone(),
                (snapshot.digest.clone(), "review by Misbar".into()),
            )]
            .into(),
            unrecorded: 0,
        };
        assert!(compare_reviews(1, seen(), vec![stored]).is_empty());
        // A rating changed, NULL made empty, a review removed: each differs.
        let changed = review("Misbar", Some("https://misbar.com/1"), "True");
        assert_eq!(compare_reviews(1, seen(), vec![changed]).len(), 1);
        let mut emptied = review("Misbar", Some("https://misbar.com/1"), "False");
        emptied.review.review.site = Some(String::new());
        assert_eq!(compare_reviews(1, seen(), vec![emptied]).len(), 1);
        let gone = compare_reviews(1, seen(), Vec::new());
        assert_eq!(gone[0].field, "the review by Misbar");
        assert_eq!(gone[0].table, "no such review");
        // Reviews added before digests were recorded account for as many rows, no more.
        let old = |unrecorded| ReviewsSeen {
            recorded: Default::default(),
            unrecorded,
        };
        let rows = || vec![review("A", None, "x"), review("B", None, "y")];
        assert!(compare_reviews(1, old(2), rows()).is_empty());
        let extra = compare_reviews(1, old(1), rows());
        assert_eq!(extra.len(), 1);
        assert_eq!(extra[0].field, "the review by B");
    }

    #[test]
    fn the_replay_reads_each_table_through_its_claims_index() {
        let store = Store::open_in_memory().unwrap();
        let conn = store.sqlite().unwrap();
        for (sql, index) in [
            (EVENTS_BY_CLAIM, "INDEX history_by_claim"),
            (REVIEWS_BY_CLAIM, "INDEX review_by_claim"),
            (DESKS_BY_CLAIM, "INTEGER PRIMARY KEY"),
        ] {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let plan: Vec<String> = stmt
                .query_map([1, 1, 1], |r| r.get(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let plan = plan.join("\n");
            assert!(plan.contains(index), "{sql}\n{plan}");
            assert!(!plan.contains("TEMP B-TREE"), "{sql}\n{plan}");
        }
    }

    #[test]
    fn a_review_is_named_by_its_events_note() {
        assert_eq!(
            review_note_name(
                "review by Misbar: \"False\" (https://m/1), import of a.json record 1"
            ),
            "review by Misbar: \"False\" (https://m/1)"
        );
        assert_eq!(
            review_note_name(
                "review by P: \"\" completed (rating, body), import of x, import of y"
            ),
            "review by P: \"\""
        );
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
