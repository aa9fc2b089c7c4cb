//! The only place that speaks SQL.
//!
//! Commands see a narrow set of domain operations (add a claim, apply a patch, cite a source,
//! list with a filter, import rows) and never a connection, so that a second backend (PostgreSQL
//! for newsroom teams) can sit behind the same operations later. Every operation that writes is
//! one transaction, and every change to a claim writes its history rows in that transaction.

mod backend;
mod batch;
mod chain;
pub mod desk;
pub mod dump;
pub mod evidence;
pub mod merge;
pub mod postgres;
pub mod replay;
pub mod reviews;
pub mod search;
pub mod similar;
pub mod sources;
pub mod sql;
mod sqlite;

use backend::{Backend, Tx};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;

use sql::{params, Connection, OptionalExtension, Row, Value};

use crate::error::{InvalidValue, UserError};
use crate::model::{
    self, Action, Claim, ClaimDraft, ClaimPatch, Field, FieldChange, Figure, HistoryEvent,
    SourceKind, SourceSummary, Stance, StanceEntry, Status,
};

pub use backend::SearchIndex;
pub use reviews::{Mapped, ReviewImported, UnmappedRating, Verdict};
pub use sqlite::fts::register_functions as register_search_functions;
pub use sqlite::schema;
pub use sqlite::schema::Upgrade;

/// Claims whose conflict an editor must see: status `disputed`, or no verdict yet and at least
/// one disputing source.
///
/// The unary `+` keeps SQLite from answering the OR with two index searches and a sort of every
/// match (seconds at a million claims); read in id order instead, `list --disputed --limit 50`
/// stops after a few hundred rows. `disputes` is kept on the claim by triggers, so no stance is
/// read.
const DISPUTED: &str = "(+c.status = 'disputed' OR (+c.status IN ('unverified', 'in_review') AND \
                        c.disputes > 0))";

/// Claims not folded into another by a merge: the ones list, export, stats and search show.
pub(super) const NOT_MERGED: &str = "c.id NOT IN (SELECT dup_id FROM claim_merge)";

/// The `;`-joined names of the sources with one stance on claim `c`, in citation order.
macro_rules! stance_names {
    ($stance:literal) => {
        concat!(
            "(SELECT string_agg(s.name, ';' ORDER BY st.id) FROM stance st
              JOIN source s ON s.id = st.source_id
              WHERE st.claim_id = c.id AND st.stance = '",
            $stance,
            "')"
        )
    };
}

/// The reason recorded with claim `c`'s current verdict: the note of its latest status event
/// that set it (one step back along `history_by_claim`).
macro_rules! verdict_reason {
    () => {
        "(CASE WHEN c.status IN ('verified', 'misleading', 'false', 'unverifiable') THEN
             (SELECT h.note FROM history h
              WHERE h.claim_id = c.id AND h.field = 'status' AND h.new_value = c.status
              ORDER BY h.id DESC LIMIT 1) END)"
    };
}

/// Every column of a [`Claim`], in the order [`claim_from_row`] reads them, with the given
/// expressions for the supporting and disputing sources and the tags.
macro_rules! claim_select {
    ($supports:expr, $disputes:expr, $tags:expr) => {
        concat!(
            "SELECT c.id, c.uid, c.text, c.translation, cs.name, ",
            $supports,
            ", ",
            $disputes,
            ", c.status, c.location, c.claim_date, c.article_url, c.article_title, ",
            $tags,
            ", c.note, c.created_at, c.created_by, c.updated_at, c.updated_by, c.version, ",
            verdict_reason!(),
            " FROM claim c JOIN source cs ON cs.id = c.claimant_id"
        )
    };
}

/// Every column of a [`Claim`] with its lists, in the order [`claim_from_row`] reads them.
macro_rules! claim_select_full {
    () => {
        claim_select!(
            stance_names!("supports"),
            stance_names!("disputes"),
            "(SELECT string_agg(tag, ';' ORDER BY tag) FROM claim_tag t WHERE t.claim_id = c.id)"
        )
    };
}

/// Every column of a [`Claim`], in the order [`claim_from_row`] reads them.
const CLAIM_SELECT: &str = claim_select_full!();

/// One claim by id, read for every claim a filtered list shows.
const CLAIM_BY_ID: &str = concat!(claim_select_full!(), " WHERE c.id = ?1");

/// [`CLAIM_SELECT`] without its three lists, which [`Store::for_each_claim`] merges in from
/// [`ALL_STANCES`] and [`ALL_TAGS`] when it reads every claim.
const CLAIM_SELECT_BARE: &str = claim_select!("NULL", "NULL", "NULL");

/// Stores a new claim, which the database numbers (run with
/// [`Connection::insert_returning_id`]).
macro_rules! insert_claim {
    ($id_column:literal, $id_value:literal) => {
        concat!(
            "INSERT INTO claim (",
            $id_column,
            "uid, text, text_hash, translation, claimant_id, status, location, claim_date,
                 article_url, article_title, note, created_at, created_by, updated_at, updated_by,
                 disputes)
             VALUES (",
            $id_value,
            "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
        )
    };
}
const INSERT_CLAIM: &str = insert_claim!("", "");
/// [`INSERT_CLAIM`] with the id given (an import that keeps the ids of its file).
const INSERT_CLAIM_WITH_ID: &str = insert_claim!("id, ", "?17, ");

/// How many claims a full read holds in memory at a time.
const PAGE: usize = 1_000;

/// Every stance of the claims from id ?1 to ?2, by claim, in citation order.
const ALL_STANCES: &str = "SELECT st.claim_id, st.stance, s.name FROM stance st
                           JOIN source s ON s.id = st.source_id
                           WHERE st.claim_id BETWEEN ?1 AND ?2 ORDER BY st.claim_id, st.id";

/// Every tag of the claims from id ?1 to ?2, by claim, in tag order.
const ALL_TAGS: &str =
    "SELECT claim_id, tag FROM claim_tag WHERE claim_id BETWEEN ?1 AND ?2 ORDER BY claim_id, tag";

/// The columns of a [`Figure`] in the order [`figure_from_row`] reads them.
macro_rules! figure_columns {
    () => {
        "low, high, unit, qualifier, words"
    };
}

/// One claim's figures, in order.
const FIGURES_OF_CLAIM: &str = concat!(
    "SELECT ",
    figure_columns!(),
    " FROM figure WHERE claim_id = ?1 ORDER BY position"
);

/// Every figure of the claims from id ?1 to ?2, by claim, in order.
const ALL_FIGURES: &str = "SELECT claim_id, low, high, unit, qualifier, words FROM figure
                           WHERE claim_id BETWEEN ?1 AND ?2 ORDER BY claim_id, position";

/// `claim_count` less the archived claims (each counted there unless it was merged since), for
/// `stats`: the archived claims are read through their partial index, never the whole table.
const LIVE_COUNT: &str = "WITH live (claimant_id, status, disputed, n) AS (
        SELECT claimant_id, status, disputed, n FROM claim_count
        UNION ALL
        SELECT c.claimant_id, c.status, CASE WHEN c.disputes > 0 THEN 1 ELSE 0 END, -1
        FROM claim_desk d CROSS JOIN claim c ON c.id = d.claim_id
        WHERE d.archived IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM claim_merge m WHERE m.dup_id = d.claim_id))";

/// How many conflicts of figures `list --disputed` names per claim.
const REASONS_SHOWN: usize = 3;

/// Why each claim that [`Store::include_conflicts`] added is in a conflict: the first
/// [`REASONS_SHOWN`] of its clashes, written out only for the claims asked about.
pub struct ConflictReasons(Option<crate::conflicts::Found>);

impl ConflictReasons {
    /// Why claim `id` is in a conflict, or `None` when it is in none.
    pub fn get(&self, id: i64) -> Option<Vec<String>> {
        let clashes = self.0.as_ref()?.of(id);
        if clashes.is_empty() {
            return None;
        }
        let mut list: Vec<String> = clashes.iter().map(|c| c.reason()).collect();
        if list.len() >= REASONS_SHOWN {
            list.push("and maybe more (`claimdb conflicts`)".to_owned());
        }
        Some(list)
    }
}

/// How long a command waits for another writer before it gives up with "database is busy".
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest wait [`Store::set_busy_timeout`] accepts: a day. SQLite counts the wait in
/// milliseconds in a 32-bit integer (under 25 days), and a longer wait is surely a typo.
pub const MAX_BUSY_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// How many times a write that collided with another is tried in all.
const WRITE_ATTEMPTS: u32 = 8;

/// Whether an error says the database stayed locked by another writer for longer than the busy
/// timeout, on any engine.
pub fn is_busy(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<sql::Error>()
            .is_some_and(|e| e.kind() == sql::ErrorKind::Busy)
            || sqlite::is_busy(cause)
    })
}

/// Runs `attempt` until it succeeds, fails for another reason than a collision with another
/// writer, or has collided [`WRITE_ATTEMPTS`] times; after a collision it waits a short random
/// while, so that the writers that collided do not collide again in step.
fn retrying<T>(mut attempt: impl FnMut() -> anyhow::Result<T>) -> anyhow::Result<T> {
    let mut collisions: u32 = 0;
    loop {
        match attempt() {
            Err(e) if collisions < WRITE_ATTEMPTS && is_collision(&e) => {
                collisions += 1;
                let wait = 5_u64 << collisions.min(6);
                std::thread::sleep(Duration::from_millis(wait + fastrand_ms(wait)));
            }
            other => return other,
        }
    }
}

/// Whether an error is a collision with another writer that running again resolves.
fn is_collision(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<sql::Error>()
            .is_some_and(|e| e.kind() == sql::ErrorKind::Retry)
    })
}

/// A pseudo-random wait of up to `max` milliseconds, so that writers that collided do not
/// collide again in step.
fn fastrand_ms(max: u64) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_nanos()));
    (nanos ^ u64::from(std::process::id()).wrapping_mul(0x9E37_79B9)) % max.max(1)
}

/// A command that needs what a shared server database does not offer yet.
pub(crate) fn not_in_team_mode() -> anyhow::Error {
    UserError::Refused(
        "this command is not available on a shared team database yet; run it on a database file"
            .into(),
    )
    .into()
}

/// An open claimdb database.
pub struct Store {
    backend: Box<dyn Backend>,
    path: PathBuf,
    /// Why the database was opened read-only (the file or its folder is not writable): reads
    /// work, writes are refused with this reason.
    read_only: Option<String>,
    busy_timeout: Duration,
}

/// What `audit` found.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Audit {
    /// History events checked.
    pub events: u64,
    /// The hash of the last event: write it down to detect later truncation.
    pub head: Option<String>,
    /// The first event whose hash does not match its content and predecessor.
    pub broken: Option<BrokenLink>,
    /// What SQLite's integrity check found wrong with the file itself (empty when sound).
    pub damage: Vec<String>,
    /// Whether the head asked for was found in the chain (`None`: none was asked for).
    pub expect_found: Option<bool>,
    /// Fields whose stored value differs from what the claim's history leads to (the first
    /// [`DIVERGENCES_SHOWN`]).
    pub divergences: Vec<replay::Divergence>,
    /// How many such fields there are in all.
    pub divergent: u64,
    /// Claims that have no history at all (inserted behind claimdb's back).
    pub without_history: u64,
}

/// How many problems of a damaged file `audit` reports.
const DAMAGE_SHOWN: usize = 10;

/// How many fields that differ from their history `audit` names.
const DIVERGENCES_SHOWN: usize = 10;

impl Audit {
    /// The first thing wrong, in words; `None` when the database passed.
    pub fn problem(&self) -> Option<String> {
        if !self.damage.is_empty() {
            return Some(format!(
                "the database file is damaged: {}",
                self.damage.join("; ")
            ));
        }
        if let Some(b) = &self.broken {
            return Some(format!(
                "history is broken at event {} (claim {}): it was changed, removed or reordered \
                 after it was written; the {} event(s) before it are intact",
                b.event, b.claim_id, self.events
            ));
        }
        if self.expect_found == Some(false) {
            return Some(
                "the head you expected is not in the history: events recorded up to it were \
                 rewritten or removed since it was printed (or it belongs to another database)"
                    .into(),
            );
        }
        if self.divergent > 0 || self.without_history > 0 {
            let mut shown: Vec<String> = self
                .divergences
                .iter()
                .map(|d| {
                    format!(
                        "claim {}, {}: the table holds {:?} but its history leads to {:?}",
                        d.claim_id,
                        d.field,
                        crate::table::truncate(&d.table, 60),
                        crate::table::truncate(&d.history, 60)
                    )
                })
                .collect();
            if self.divergent > self.divergences.len() as u64 {
                shown.push(format!(
                    "… and {} more",
                    self.divergent - self.divergences.len() as u64
                ));
            }
            if self.without_history > 0 {
                shown.push(format!(
                    "{} claim(s) have no history at all",
                    self.without_history
                ));
            }
            return Some(format!(
                "the tables were changed behind claimdb's back ({} field(s) differ from what \
                 history records): {}",
                self.divergent,
                shown.join("; ")
            ));
        }
        None
    }
}

/// A history event whose hash does not follow from its content.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BrokenLink {
    pub event: i64,
    pub claim_id: i64,
}

/// Which claims `list`, `export` and `stats` look at. Every condition must hold.
#[derive(Debug, Clone, Default)]
pub struct ClaimFilter {
    /// Any of these statuses (all when empty).
    pub statuses: Vec<model::Status>,
    /// Disputed, or without a verdict and disputed by at least one source.
    pub disputed: bool,
    /// Made, supported or disputed by this source (name or alias).
    pub source: Option<String>,
    /// Carrying this tag.
    pub tag: Option<String>,
    /// Reviewed by this publisher (its name, folded like a source name, or its site).
    pub reviewed_by: Option<String>,
    /// At most this many, in id order.
    pub limit: Option<u64>,
    /// Matching this search query (then best match first instead of id order).
    pub search: Option<crate::query::Query>,
    /// With a figure of this unit (folded), whose value or range reaches into `min..=max`.
    pub unit: Option<String>,
    /// With a figure (of `unit`, if given) that reaches this value or more.
    pub min: Option<f64>,
    /// With a figure (of `unit`, if given) that reaches this value or less.
    pub max: Option<f64>,
    /// With a figure that says what it counts (the claims conflicts are looked for among).
    pub counted: bool,
    /// With `disputed`: these claims too (the ones in a conflict of figures).
    pub also_disputed: Vec<i64>,
    /// The editor's desk: assignee, archived claims, creation period and order.
    pub desk: desk::DeskFilter,
}

impl ClaimFilter {
    fn by_figure(&self) -> bool {
        self.unit.is_some() || self.min.is_some() || self.max.is_some() || self.counted
    }
}

/// What `add` did.
#[derive(Debug, Clone)]
pub struct Added {
    pub id: i64,
    /// Sources that did not exist and were created for this claim.
    pub new_sources: Vec<String>,
}

/// What a citation did to the source's stance.
#[derive(Debug, Clone, PartialEq)]
pub enum Cited {
    Added,
    /// The source already had a stance on the claim and it changed.
    Changed,
    Unchanged,
}

/// Counts for `stats`.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Stats {
    pub claims: i64,
    pub disputed: i64,
    pub by_status: Vec<(Status, i64)>,
    pub by_claimant: Vec<(String, i64)>,
}

/// One row of an import, already checked field by field (see `claim_csv`).
#[derive(Debug, Clone, Default)]
pub struct ImportRow {
    /// The id the claim had where it was exported; kept when it is free here.
    pub id: Option<i64>,
    pub uid: Option<String>,
    /// The columns the file has, as values to set.
    pub patch: ClaimPatch,
    pub supported_by: Vec<String>,
    pub disputed_by: Vec<String>,
    pub created_at: Option<String>,
    pub created_by: Option<String>,
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
    /// Why the claim has its verdict (recorded in history with the verdict).
    pub verdict_reason: Option<String>,
}

/// What `claimdb migrate` did to a database.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Migrated {
    /// The database, as it may be shown (an address without its password).
    pub database: String,
    /// Its schema version before, as its engine numbers them (a file's `9`, a shared
    /// database's `1.0`).
    pub from: String,
    /// Its schema version now.
    pub to: String,
    /// Whether the schema changed.
    pub upgraded: bool,
    /// On a shared database, how many claims' search documents were computed again because an
    /// older folding had made them (a file's index is rebuilt whole when it opens, whenever
    /// needed).
    pub search_documents: Option<u64>,
    /// The shared database's search documents were made by a newer claimdb and left alone.
    #[serde(skip)]
    pub newer_search_folding: bool,
}

/// What importing one row did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    Added(i64),
    Updated(i64),
    Unchanged(i64),
}

impl Store {
    /// Opens (creating it and its folder if needed) the database at `path`, upgrading an older
    /// schema and refusing a newer one.
    pub fn open(path: &Path) -> anyhow::Result<(Store, Upgrade)> {
        if postgres::is_address(path) {
            let address = path.to_string_lossy();
            let server = postgres::Server::open(&address)?;
            let store = Store {
                backend: Box::new(server),
                path: PathBuf::from(postgres::redacted(&address)),
                read_only: None,
                busy_timeout: BUSY_TIMEOUT,
            };
            return Ok((store, Upgrade::None));
        }
        let (sqlite, upgrade, read_only) = sqlite::open(path)?;
        let store = Store {
            backend: Box::new(sqlite),
            path: path.to_owned(),
            read_only,
            busy_timeout: BUSY_TIMEOUT,
        };
        Ok((store, upgrade))
    }

    /// Brings the database at `path` to this claimdb's schema: a file as opening it does (see
    /// [`Store::open`]); a shared database by its migrations, which nothing else runs, and its
    /// search documents computed again when an older folding made them. Refuses a database that
    /// does not exist yet rather than creating one.
    pub fn migrate(path: &Path) -> anyhow::Result<Migrated> {
        if postgres::is_address(path) {
            let address = path.to_string_lossy();
            let client = postgres::connect(&address)?;
            let done = postgres::migrate::migrate(client)?;
            let version = |(major, minor): (i32, i32)| format!("{major}.{minor}");
            return Ok(Migrated {
                database: postgres::redacted(&address),
                from: version(done.from),
                to: version(done.to),
                upgraded: done.from != done.to,
                search_documents: Some(done.documents),
                newer_search_folding: done.newer_folding,
            });
        }
        if !path.exists() {
            return Err(UserError::Refused(format!(
                "there is no database at {}: `claimdb init` creates one (at the current \
                 version); nothing was changed",
                path.display()
            ))
            .into());
        }
        let (store, upgrade) = Store::open(path)?;
        store.backend.close()?;
        let from = match upgrade {
            Upgrade::Migrated(from) => from,
            Upgrade::None | Upgrade::Created => schema::VERSION,
        };
        Ok(Migrated {
            database: path.display().to_string(),
            from: from.to_string(),
            to: schema::VERSION.to_string(),
            upgraded: from != schema::VERSION,
            search_documents: None,
            newer_search_folding: false,
        })
    }

    /// How long to wait for another process's write lock before giving up (default
    /// [`BUSY_TIMEOUT`]).
    pub fn set_busy_timeout(&mut self, timeout: Duration) -> anyhow::Result<()> {
        if timeout > MAX_BUSY_TIMEOUT {
            return Err(UserError::Refused(format!(
                "a busy timeout of {} seconds is too long (at most {})",
                timeout.as_secs(),
                MAX_BUSY_TIMEOUT.as_secs()
            ))
            .into());
        }
        self.backend.set_busy_timeout(timeout)?;
        self.busy_timeout = timeout;
        Ok(())
    }

    /// The wait [`Store::set_busy_timeout`] set.
    pub fn busy_timeout(&self) -> Duration {
        self.busy_timeout
    }

    /// A private database in memory, for tests and fuzzing.
    pub fn open_in_memory() -> anyhow::Result<Store> {
        Ok(Store {
            backend: Box::new(sqlite::open_in_memory()?),
            path: PathBuf::from(":memory:"),
            read_only: None,
            busy_timeout: BUSY_TIMEOUT,
        })
    }

    /// In team mode, the login the server authenticated: history records it for every change.
    pub fn authenticated_user(&self) -> Option<String> {
        self.backend.authenticated_user()
    }

    /// Where the database lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn write(&self) -> anyhow::Result<Tx<'_>> {
        self.check_writable()?;
        Ok(Tx::begin(self.backend.conn(), true)?)
    }

    /// Refuses to write a database opened read-only, saying why it was.
    fn check_writable(&self) -> anyhow::Result<()> {
        if let Some(why) = &self.read_only {
            return Err(UserError::Refused(format!(
                "{} is read-only ({why}): reading works, but this command changes the database; \
                 ask for write access or use a copy",
                self.path.display()
            ))
            .into());
        }
        Ok(())
    }

    /// Runs `work` in one write transaction with a [`Writer`] for `actor` and commits what it
    /// did (an error rolls everything back). On a server, where people write side by side, a
    /// transaction that collided with another one (a deadlock, a serialization failure) is run
    /// again from the start, a few times, after a short random wait; so `work` must not have
    /// effects outside the transaction.
    fn writing<T>(
        &self,
        actor: &str,
        mut work: impl FnMut(&mut Writer<'_>) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        retrying(|| {
            let tx = self.write()?;
            let value = work(&mut Writer::new(&*tx, actor))?;
            tx.commit()?;
            Ok(value)
        })
    }

    /// The connection the rules run on.
    fn db(&self) -> &dyn sql::Connection {
        self.backend.conn()
    }

    /// The embedded file's own connection, for tests of what SQLite does with it.
    #[cfg(test)]
    pub(crate) fn sqlite(&self) -> anyhow::Result<&rusqlite::Connection> {
        self.backend.embedded().ok_or_else(not_in_team_mode)
    }

    // ----- claims: reading -------------------------------------------------------------------

    /// One claim, or `ClaimNotFound`.
    pub fn claim(&self, id: i64) -> anyhow::Result<Claim> {
        load_claim(self.db(), id)?.ok_or_else(|| UserError::ClaimNotFound(id).into())
    }

    /// The sources that support or dispute a claim, oldest first.
    pub fn stances(&self, id: i64) -> anyhow::Result<Vec<StanceEntry>> {
        let mut stmt = self.db().prepare_cached(
            "SELECT s.name, st.stance, st.created_at, st.created_by, st.imported_from
             FROM stance st JOIN source s ON s.id = st.source_id
             WHERE st.claim_id = ?1 ORDER BY st.id",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(StanceEntry {
                source: r.get(0)?,
                stance: r.get(1)?,
                created_at: r.get(2)?,
                created_by: r.get(3)?,
                imported_from: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Everything that happened to a claim, oldest first, with the history of the duplicates
    /// merged into it (each row names its claim).
    pub fn history(&self, id: i64) -> anyhow::Result<Vec<HistoryEvent>> {
        // Only whether it exists: an export asks for every claim's history.
        if !self
            .db()
            .prepare_cached("SELECT 1 FROM claim WHERE id = ?1")?
            .exists([id])?
        {
            return Err(UserError::ClaimNotFound(id).into());
        }
        // The events filed under the claim and its duplicates, but for an import batch's event
        // (of which each claim shows its own creation, below).
        let mut stmt = self.db().prepare_cached(
            "SELECT id, claim_id, at, actor, action, field, old_value, new_value, note
             FROM history
             WHERE (claim_id = ?1 OR claim_id IN (SELECT dup_id FROM claim_merge WHERE keep_id = ?1))
               AND (field IS NULL OR field <> 'batch')
             ORDER BY id",
        )?;
        let rows = stmt.query_map([id], history_event_from_row)?;
        let mut events: Vec<HistoryEvent> = rows.collect::<Result<_, _>>()?;
        let duplicates: Vec<i64> = self
            .db()
            .prepare_cached("SELECT dup_id FROM claim_merge WHERE keep_id = ?1")?
            .query_map([id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut created = Vec::new();
        for claim in std::iter::once(id).chain(duplicates) {
            created.extend(self.batch_creation(claim)?);
        }
        if !created.is_empty() {
            events.extend(created);
            events.sort_by_key(|e| e.id);
        }
        Ok(events)
    }

    /// Claim `id`'s creation, when an import created it in a batch (see [`batch`]).
    fn batch_creation(&self, id: i64) -> anyhow::Result<Option<HistoryEvent>> {
        let event = self
            .db()
            .prepare_cached(
                "SELECT id, claim_id, at, actor, action, field, old_value, new_value, note
                 FROM history
                 WHERE field = 'batch' AND claim_id <= ?1 AND claim_id > ?2
                 ORDER BY claim_id DESC LIMIT 1",
            )?
            .query_row(params![id, id - batch::MAX_CLAIMS], stored_history_event)
            .optional()?;
        Ok(event.and_then(|event| {
            let record = batch::Record::parse(event.new_value.as_deref()?)?;
            (batch::is_batch(&event) && record.covers(id)).then(|| record.creation(&event, id))
        }))
    }

    /// Calls `visit` with each claim the filter selects, in id order, without holding them all
    /// in memory (export of a million claims streams).
    pub fn for_each_claim(
        &self,
        filter: &ClaimFilter,
        mut visit: impl FnMut(Claim) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let everything = filter.statuses.is_empty()
            && !filter.disputed
            && filter.source.is_none()
            && filter.tag.is_none()
            && filter.reviewed_by.is_none()
            && filter.search.is_none()
            && !filter.by_figure()
            && filter.limit.is_none()
            && filter.desk.is_default();
        if everything {
            return self.for_every_claim(visit);
        }
        let (condition, mut values) = self.filter_sql(filter)?;
        let mut sql = format!(
            "{CLAIM_SELECT} WHERE {condition} ORDER BY {}",
            filter.desk.order_by()
        );
        if let Some(query) = &filter.search {
            let plan = self.search_plan(query)?;
            values = plan.values.into_iter().chain(values).collect();
            if plan.kinds.is_empty() {
                // Only numbers to look for: no words to rank by, so in id order.
                sql = format!(
                    "{CLAIM_SELECT} WHERE {} AND {condition} ORDER BY c.id",
                    plan.condition
                );
            } else {
                // One kind of match after the other (see `search`), each ranked by bm25.
                let (join, matches, best_first) = search::Index::of(self.db()).ranked();
                let sql = format!(
                    "{CLAIM_SELECT} {join}
                     WHERE {matches} AND {} AND {condition}
                     ORDER BY {best_first}, c.id LIMIT ?",
                    plan.condition,
                );
                let mut stmt = self.db().prepare(&sql)?;
                let mut remaining = filter
                    .limit
                    .map_or(i64::MAX, |l| i64::try_from(l).unwrap_or(i64::MAX));
                for kind in plan.kinds {
                    if remaining <= 0 {
                        break;
                    }
                    let mut kind_values = values.clone();
                    kind_values.insert(0, Value::Text(kind));
                    kind_values.push(Value::Integer(remaining));
                    self.visit_rows(&mut stmt, kind_values, &mut |claim| {
                        remaining -= 1;
                        visit(claim)
                    })?;
                }
                return Ok(());
            }
        }
        if let Some(limit) = filter.limit {
            sql.push_str(" LIMIT ?");
            values.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        }
        let mut stmt = self.db().prepare(&sql)?;
        self.visit_rows(&mut stmt, values, &mut visit)
    }

    /// Reads the claims a [`CLAIM_SELECT`] query returns, one at a time, with their figures.
    fn visit_rows(
        &self,
        stmt: &mut sql::Statement<'_>,
        values: Vec<Value>,
        visit: &mut dyn FnMut(Claim) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut failed = None;
        stmt.query_each(values, &mut |row| {
            let mut claim = claim_from_row(row)?;
            let visited = load_figures(self.db(), claim.id).and_then(|figures| {
                claim.figures = figures;
                visit(claim)
            });
            match visited {
                Ok(()) => Ok(true),
                Err(e) => {
                    failed = Some(e);
                    Ok(false)
                }
            }
        })?;
        failed.map_or(Ok(()), Err)
    }

    /// Checks that a filter can run (its source exists), so a command can refuse it before it
    /// prints anything.
    pub fn check_filter(&self, filter: &ClaimFilter) -> anyhow::Result<()> {
        self.filter_sql(filter).map(|_| ())
    }

    /// How many claims the filter selects (its limit aside).
    pub fn count_claims(&self, filter: &ClaimFilter) -> anyhow::Result<u64> {
        let (condition, values) = self.filter_sql(filter)?;
        let sql = format!("SELECT count(*) FROM claim c WHERE {condition}");
        let count: i64 = self.db().query_row(&sql, values, |r| r.get(0))?;
        let count = u64::try_from(count).unwrap_or(0);
        Ok(filter.limit.map_or(count, |limit| count.min(limit)))
    }

    /// Every claim, in id order: three sequential reads (claims, stances, tags) merged by claim
    /// id, where the filtered path runs three subqueries per claim. An export of a million
    /// claims takes a third less time.
    fn for_every_claim(
        &self,
        visit: impl FnMut(Claim) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        self.every_claim_where(&format!("{NOT_MERGED} AND {}", desk::NOT_ARCHIVED), visit)
    }

    /// [`Store::for_every_claim`] over the claims that meet `condition` (SQL on `c`; `"1"` for
    /// all, merged duplicates included).
    pub(super) fn every_claim_where(
        &self,
        condition: &str,
        mut visit: impl FnMut(Claim) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let claims_sql = format!(
            "{CLAIM_SELECT_BARE} WHERE ({condition}) AND c.id > ?1 ORDER BY c.id LIMIT {PAGE}"
        );
        let mut after = 0_i64;
        loop {
            let mut page: Vec<Claim> = self.db().query_map(&claims_sql, [after], claim_from_row)?;
            let (Some(first), Some(last)) = (page.first(), page.last()) else {
                return Ok(());
            };
            let range = [first.id, last.id];
            after = last.id;
            let index: HashMap<i64, usize> =
                page.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
            self.db()
                .query_each(ALL_STANCES, params![range[0], range[1]], &mut |r| {
                    if let Some(&i) = index.get(&r.get::<i64>(0)?) {
                        let name = r.get::<String>(2)?;
                        match r.get::<Stance>(1)? {
                            Stance::Supports => page[i].supported_by.push(name),
                            Stance::Disputes => page[i].disputed_by.push(name),
                        }
                    }
                    Ok(true)
                })?;
            self.db()
                .query_each(ALL_TAGS, params![range[0], range[1]], &mut |r| {
                    if let Some(&i) = index.get(&r.get::<i64>(0)?) {
                        page[i].tags.push(r.get(1)?);
                    }
                    Ok(true)
                })?;
            self.db()
                .query_each(ALL_FIGURES, params![range[0], range[1]], &mut |r| {
                    if let Some(&i) = index.get(&r.get::<i64>(0)?) {
                        page[i].figures.push(figure_from_row(r, 1)?);
                    }
                    Ok(true)
                })?;
            for claim in page {
                visit(claim)?;
            }
        }
    }

    /// The claims the filter selects, in id order.
    #[cfg(test)]
    pub fn claims(&self, filter: &ClaimFilter) -> anyhow::Result<Vec<Claim>> {
        let mut all = Vec::new();
        self.for_each_claim(filter, |c| {
            all.push(c);
            Ok(())
        })?;
        Ok(all)
    }

    /// Builds the WHERE clause of a filter, with its values bound rather than spliced.
    fn filter_sql(&self, filter: &ClaimFilter) -> anyhow::Result<(String, Vec<Value>)> {
        // A claim merged into another is hidden everywhere (see `claim_merge` in schema.sql).
        let mut conditions = vec![NOT_MERGED.to_owned()];
        let mut values = Vec::new();
        if !filter.statuses.is_empty() {
            let marks = vec!["?"; filter.statuses.len()].join(", ");
            conditions.push(format!("c.status IN ({marks})"));
            values.extend(filter.statuses.iter().map(|s| Value::Text(s.to_string())));
        }
        if filter.disputed && filter.also_disputed.is_empty() {
            conditions.push(DISPUTED.to_owned());
        } else if filter.disputed {
            // One bound value, however many claims: a JSON array read by json_each.
            conditions.push(format!(
                "({DISPUTED} OR c.id IN ({}))",
                self.db().json_ids()
            ));
            values.push(Value::Text(serde_json::to_string(&filter.also_disputed)?));
        }
        if filter.by_figure() {
            let mut figure = vec!["f.claim_id = c.id".to_owned()];
            if let Some(unit) = &filter.unit {
                figure.push("f.unit_key = ?".to_owned());
                values.push(Value::Text(crate::figure::unit_key(unit)));
            } else if filter.counted {
                figure.push("f.unit_key <> ''".to_owned());
            }
            if let Some(min) = filter.min {
                figure.push("f.high >= ?".to_owned());
                values.push(Value::Real(min));
            }
            if let Some(max) = filter.max {
                figure.push("f.low <= ?".to_owned());
                values.push(Value::Real(max));
            }
            conditions.push(format!(
                "EXISTS (SELECT 1 FROM figure f WHERE {})",
                figure.join(" AND ")
            ));
        }
        if let Some(name) = &filter.source {
            let id = find_source(self.db(), name)?
                .ok_or_else(|| UserError::SourceNotFound(name.clone()))?
                .0;
            conditions.push(
                "(c.claimant_id = ? OR c.id IN (SELECT claim_id FROM stance WHERE source_id = ?))"
                    .to_owned(),
            );
            values.extend([Value::Integer(id), Value::Integer(id)]);
        }
        if let Some(tag) = &filter.tag {
            conditions.push("c.id IN (SELECT claim_id FROM claim_tag WHERE tag = ?)".to_owned());
            values.push(Value::Text(tag.trim().to_owned()));
        }
        if let Some(publisher) = &filter.reviewed_by {
            let (condition, publisher_values) = reviews::publisher_condition(self.db(), publisher)?;
            conditions.push(condition);
            values.extend(publisher_values);
        }
        filter.desk.conditions(&mut conditions, &mut values);
        Ok((conditions.join(" AND "), values))
    }

    /// Conflicting figures among the claims the filter selects (its limit counts conflicts, not
    /// claims): see [`crate::conflicts`].
    pub fn conflicts(
        &self,
        filter: &ClaimFilter,
    ) -> anyhow::Result<Vec<crate::conflicts::Conflict>> {
        // Each pair once, from its lower id's side; in order, so a limit keeps the first.
        let subjects = self.conflict_subjects(filter)?;
        let found = match filter.limit {
            Some(limit) => crate::conflicts::Found::first_pairs(
                subjects,
                usize::try_from(limit).unwrap_or(usize::MAX),
            ),
            None => crate::conflicts::Found::among(subjects, None),
        };
        let clashes = found.first(None);
        let mut sides = HashMap::new();
        for clash in &clashes {
            for id in [clash.claim, clash.other] {
                if let std::collections::hash_map::Entry::Vacant(e) = sides.entry(id) {
                    e.insert(crate::conflicts::side(&self.claim(id)?));
                }
            }
        }
        Ok(crate::conflicts::pairs(&clashes, |id| {
            sides.get(&id).cloned()
        }))
    }

    /// The claims the filter selects that can be in a conflict: with a figure that says what it
    /// counts, and a tag or a location and a date to place it in an event. Read in two
    /// sequential passes (claims with their counted figures, then tags), not claim by claim.
    /// The figures come without their words, which conflicts do not show.
    fn conflict_subjects(
        &self,
        filter: &ClaimFilter,
    ) -> anyhow::Result<Vec<crate::conflicts::Subject>> {
        use crate::conflicts::Subject;
        let filter = ClaimFilter {
            counted: true,
            limit: None,
            ..filter.clone()
        };
        if filter.search.is_some() {
            let mut subjects = Vec::new();
            self.for_each_claim(&filter, |claim| {
                subjects.push(Subject::from(&claim));
                Ok(())
            })?;
            return Ok(subjects);
        }
        // The join reads only counted figures: the filter need not ask for one again unless it
        // bounds their numbers.
        let filter = ClaimFilter {
            counted: filter.min.is_some() || filter.max.is_some(),
            ..filter
        };
        let (condition, values) = self.filter_sql(&filter)?;
        let mut stmt = self.db().prepare(&format!(
            "SELECT c.id, c.location, c.claim_date, fig.low, fig.high, fig.unit, fig.qualifier
             FROM claim c JOIN figure fig ON fig.claim_id = c.id AND fig.unit_key <> ''
             WHERE {condition}
               AND ((c.location IS NOT NULL AND c.claim_date IS NOT NULL)
                    OR EXISTS (SELECT 1 FROM claim_tag t WHERE t.claim_id = c.id))
             ORDER BY c.id, fig.position"
        ))?;
        let mut subjects: Vec<Subject> = Vec::new();
        stmt.query_each(values, &mut |r| {
            let id: i64 = r.get(0)?;
            if subjects.last().is_none_or(|s| s.id != id) {
                subjects.push(Subject {
                    id,
                    tags: Vec::new(),
                    location: r.get(1)?,
                    date: r.get(2)?,
                    figures: Vec::new(),
                });
            }
            if let Some(subject) = subjects.last_mut() {
                subject.figures.push(Figure {
                    low: r.get(3)?,
                    high: r.get(4)?,
                    unit: r.get(5)?,
                    qualifier: r.get(6)?,
                    words: None,
                });
            }
            Ok(true)
        })?;
        let (Some(first), Some(last)) = (subjects.first(), subjects.last()) else {
            return Ok(subjects);
        };
        // Both in order of claim id: each tag goes to the subject at or after the last one's.
        let range = [first.id, last.id];
        let mut at = 0;
        self.db()
            .query_each(ALL_TAGS, params![range[0], range[1]], &mut |r| {
                let id: i64 = r.get(0)?;
                at += subjects[at..].partition_point(|s| s.id < id);
                if let Some(subject) = subjects.get_mut(at).filter(|s| s.id == id) {
                    subject.tags.push(r.get(1)?);
                }
                Ok(true)
            })?;
        Ok(subjects)
    }

    /// For a filter on disputed claims: adds the claims whose figures conflict with another
    /// claim's (among all claims: the other of a pair may be one the filter leaves out), and
    /// returns why each of those is in a conflict.
    pub fn include_conflicts(&self, filter: &mut ClaimFilter) -> anyhow::Result<ConflictReasons> {
        if !filter.disputed {
            return Ok(ConflictReasons(None));
        }
        // A claim's first few conflicts say why it is listed; looking no further keeps this
        // quick when a broad tag holds thousands of claims that all disagree.
        let found = crate::conflicts::Found::among(
            self.conflict_subjects(&ClaimFilter::default())?,
            Some(REASONS_SHOWN),
        );
        filter.also_disputed = found.ids();
        Ok(ConflictReasons(Some(found)))
    }

    /// Counts by status and by claimant, and how many claims are disputed. Archived claims are
    /// left out.
    pub fn stats(&self) -> anyhow::Result<Stats> {
        // All from `claim_count`, a few rows per claimant kept exact by triggers, less the
        // archived claims (read through their own index, one row each).
        let claims = self.db().query_row(
            &format!("{LIVE_COUNT} SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM live"),
            params![],
            |r| r.get(0),
        )?;
        let disputed = self.db().query_row(
            &format!(
                "{LIVE_COUNT} SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM live
                 WHERE status = 'disputed' OR (status IN ('unverified', 'in_review') AND disputed <> 0)"
            ),
            params![],
            |r| r.get(0),
        )?;
        let mut stmt = self.db().prepare(&format!(
            "{LIVE_COUNT} SELECT status, CAST(sum(n) AS BIGINT) FROM live GROUP BY status
             HAVING sum(n) > 0"
        ))?;
        let mut by_status: Vec<(Status, i64)> = stmt
            .query_map(params![], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        by_status.sort();
        let mut stmt = self.db().prepare(&format!(
            "{LIVE_COUNT} SELECT s.name, t.n FROM (SELECT claimant_id, CAST(sum(n) AS BIGINT) AS n FROM live
                                                   GROUP BY claimant_id HAVING sum(n) > 0) t
             JOIN source s ON s.id = t.claimant_id ORDER BY t.n DESC, s.name"
        ))?;
        let by_claimant = stmt
            .query_map(params![], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(Stats {
            claims,
            disputed,
            by_status,
            by_claimant,
        })
    }

    // ----- claims: writing -------------------------------------------------------------------

    /// Stores a new claim with its supporting and disputing sources.
    pub fn add_claim(
        &mut self,
        draft: &ClaimDraft,
        stances: &[(String, Stance)],
        actor: &str,
    ) -> anyhow::Result<Added> {
        draft.validate()?;
        self.writing(actor, |w| {
            let now = model::now();
            let id = w.insert_claim(
                None,
                NewUid::Fresh,
                draft,
                [(&now, actor), (&now, actor)],
                0,
            )?;
            w.record_creation(id, (Action::Create, None), draft, [&[], &[]])?;
            for (name, stance) in stances {
                w.cite(id, name, *stance, None, None, Why::default())?;
            }
            let new_sources = std::mem::take(&mut w.new_sources);
            Ok(Added { id, new_sources })
        })
    }

    /// Applies `patch` to claim `id` as it is at the moment of writing, records each changed
    /// field in history with `reason`, and returns the changes (none: nothing was written).
    /// A verdict needs a reason.
    /// With `expected_version`, the claim must still be at that version (nobody changed it
    /// since the caller read it), or nothing is written.
    pub fn update_claim(
        &mut self,
        id: i64,
        patch: &ClaimPatch,
        actor: &str,
        action: Action,
        reason: Option<&str>,
        expected_version: Option<i64>,
    ) -> anyhow::Result<Vec<FieldChange>> {
        self.writing(actor, |w| {
            if let Some(expected) = expected_version {
                w.check_version(id, expected)?;
            }
            w.update_claim(id, patch, action, reason, true)
        })
    }

    /// Records that `source` supports or disputes claim `id`; a quote or url becomes a new
    /// evidence item of that source (returned), beside the ones it already has.
    pub fn cite(
        &mut self,
        id: i64,
        source: &str,
        stance: Stance,
        quote: Option<&str>,
        url: Option<&str>,
        actor: &str,
    ) -> anyhow::Result<(Cited, Option<i64>, Vec<String>)> {
        self.writing(actor, |w| {
            let (cited, evidence) = w.cite(id, source, stance, quote, url, Why::default())?;
            Ok((cited, evidence, std::mem::take(&mut w.new_sources)))
        })
    }

    /// Runs an import in one transaction. `run` feeds rows to the [`Importer`] and returns
    /// whether to keep them: all or nothing.
    /// [`Store::import`], run again from the start when it collided with another writer on a
    /// server (see [`Store::writing`]); `run` must then feed the same rows again.
    pub fn import_retrying<T>(
        &mut self,
        actor: &str,
        mut run: impl FnMut(&mut Importer<'_>) -> anyhow::Result<(T, bool)>,
    ) -> anyhow::Result<(T, Vec<String>)> {
        retrying(|| self.import(actor, &mut run))
    }

    pub fn import<T>(
        &mut self,
        actor: &str,
        run: impl FnOnce(&mut Importer<'_>) -> anyhow::Result<(T, bool)>,
    ) -> anyhow::Result<(T, Vec<String>)> {
        self.backend.begin_bulk_load()?;
        let result = self.import_in_transaction(actor, run);
        self.backend.end_bulk_load();
        result
    }

    fn import_in_transaction<T>(
        &mut self,
        actor: &str,
        run: impl FnOnce(&mut Importer<'_>) -> anyhow::Result<(T, bool)>,
    ) -> anyhow::Result<(T, Vec<String>)> {
        let tx = self.write()?;
        // Where new claims are staged and loaded in bulk, the chain's head is locked first: no
        // one else adds claims with history until this import ends, so that "the database had
        // no claims" stays true of everything but this import's own claims.
        let staging = tx.loads_in_bulk();
        let head = if staging {
            Some(
                tx.query_row(tx.chain_head_sql(), params![], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?
                .unwrap_or((0, String::new())),
            )
        } else {
            None
        };
        let was_empty: bool =
            tx.query_row("SELECT NOT EXISTS (SELECT 1 FROM claim)", params![], |r| {
                r.get(0)
            })?;
        // Into an empty database, the indexes the import never reads are built once at the end
        // (a sort, and full pages) instead of row by row; the DDL is part of the transaction, so
        // a failed or dry-run import leaves them as they were.
        // Into one that holds claims, the search index is brought up to date once at the end,
        // for the claims the import touched, instead of at every row.
        let deferred = if was_empty {
            self.backend.defer_for_bulk_load()?
        } else {
            self.backend.defer_search_for_bulk_load()?
        };
        let mut w = Writer::new(&*tx, actor);
        w.chain_head = head;
        let mut importer = Importer {
            w,
            loads_in_bulk: staging,
            now: model::now(),
            named: Named::default(),
            added_filter: was_empty.then(AddedFilter::new),
            counts_disputes: deferred
                .triggers
                .iter()
                .any(|sql| sql.contains("stance_disputes_insert")),
        };
        let (result, keep) = run(&mut importer)?;
        if keep {
            importer.w.close_batch()?;
            importer.w.flush()?;
        }
        let new_sources = std::mem::take(&mut importer.w.new_sources);
        drop(importer);
        if keep {
            self.backend.finish_bulk_load(deferred)?;
            tx.commit()?;
        } else {
            tx.rollback()?;
        }
        Ok((result, new_sources))
    }

    // ----- integrity ---------------------------------------------------------------------------

    /// Runs `read` in one read transaction, with the head of the history chain at that moment:
    /// what it reads and the head are one state of the database, whatever others write
    /// meanwhile (an export names the head it shows).
    pub fn reading<T>(
        &self,
        read: impl FnOnce(&Store, Option<String>) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        // One moment for every statement: a server's default (read committed) would give each
        // statement its own.
        self.db().begin_snapshot()?;
        let result = self.head().and_then(|head| read(self, head));
        let end = self
            .db()
            .execute_batch(if result.is_ok() { "COMMIT" } else { "ROLLBACK" });
        let value = result?;
        end?;
        Ok(value)
    }

    /// The hash of the last history event as stored (not checked: `audit` checks it).
    pub fn head(&self) -> anyhow::Result<Option<String>> {
        Ok(self
            .db()
            .query_row(
                "SELECT hash FROM history ORDER BY id DESC LIMIT 1",
                params![],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Checks the database file (SQLite's integrity check), then the history's hash chain from
    /// the first event to the last.
    pub fn audit(&self) -> anyhow::Result<Audit> {
        self.audit_with(None, true)
    }

    /// [`Store::audit`], also looking for `expect` (a head recorded earlier) in the chain, and,
    /// with `full`, running the integrity check and replaying every claim's history against the
    /// tables (without, only the chain is checked: enough to print its head).
    pub fn audit_with(&self, expect: Option<&str>, full: bool) -> anyhow::Result<Audit> {
        let mut audit = self.audit_chain(expect)?;
        if full {
            audit.damage = self.integrity_problems();
            if audit.damage.is_empty() && audit.broken.is_none() {
                let found = replay::divergences(self, DIVERGENCES_SHOWN)?;
                audit.divergences = found.shown;
                audit.divergent = found.total;
                audit.without_history = found.without_history;
            }
        }
        Ok(audit)
    }

    /// What `PRAGMA integrity_check` finds wrong with the file (at most [`DAMAGE_SHOWN`]
    /// problems); empty when it is sound. A file too damaged to check is one problem.
    fn integrity_problems(&self) -> Vec<String> {
        self.backend.integrity_problems(DAMAGE_SHOWN)
    }

    fn audit_chain(&self, expect: Option<&str>) -> anyhow::Result<Audit> {
        let mut expect_found = expect.map(|_| false);
        let mut stmt = self.db().prepare(
            "SELECT id, claim_id, at, actor, action, field, old_value, new_value, note, hash
             FROM history ORDER BY id",
        )?;
        let mut previous = String::new();
        let mut events = 0;
        let mut expected_id = 1;
        let mut broken = None;
        stmt.query_each(params![], &mut |r| {
            let id: i64 = r.get(0)?;
            let claim_id: i64 = r.get(1)?;
            let strings: [Option<String>; 8] = [
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
            ];
            let [at, actor, action, field, old_value, new_value, note, hash] = &strings;
            let event = chain::Event {
                id,
                claim_id,
                at: at.as_deref().unwrap_or_default(),
                actor: actor.as_deref().unwrap_or_default(),
                action: action.as_deref().unwrap_or_default(),
                field: field.as_deref(),
                old_value: old_value.as_deref(),
                new_value: new_value.as_deref(),
                note: note.as_deref(),
            };
            let recomputed = chain::link(&previous, &event);
            // A missing event (a gap in the ids) breaks the chain as surely as a changed one.
            if id != expected_id || hash.as_deref() != Some(recomputed.as_str()) {
                broken = Some(BrokenLink {
                    event: id,
                    claim_id,
                });
                return Ok(false);
            }
            if expect == Some(recomputed.as_str()) {
                expect_found = Some(true);
            }
            previous = recomputed;
            events += 1;
            expected_id = id + 1;
            Ok(true)
        })?;
        Ok(Audit {
            events,
            head: Some(previous).filter(|p| !p.is_empty()),
            broken,
            expect_found,
            ..Audit::default()
        })
    }

    /// Writes a consistent copy of the database to `target` while other processes go on
    /// writing, checks it, and only then puts it under its name.
    ///
    /// The copy is one `VACUUM INTO` from a single read transaction: in WAL mode writers are not
    /// held up, and the copy cannot be restarted by their commits (SQLite's online backup starts
    /// over on every change, and never finishes under steady writes). It goes to a new file
    /// beside the target, is opened and audited (integrity check and history chain), and is
    /// renamed over the target after the target's own `-wal`, `-shm` and `-journal` files are
    /// removed, which would otherwise be mixed into the copy by the next reader.
    pub fn backup(&self, target: &Path) -> anyhow::Result<Audit> {
        if !self.backend.copies_into_files() {
            return Err(UserError::Refused(format!(
                "{} is a shared team database: copy it into a file with `claimdb copy --from                  ADDRESS --to FILE` (or use the server's own backups); nothing was written",
                self.path.display()
            ))
            .into());
        }
        let target = crate::files::resolve_target(target)?;
        if target.exists() && crate::files::same_file(&target, &self.path) {
            return Err(UserError::Refused(format!(
                "{} is this database; the backup must go to another file",
                target.display()
            ))
            .into());
        }
        let temp = crate::files::temp_beside(&target)?;
        let temp_name = temp.path().to_str().ok_or_else(|| {
            UserError::Refused(format!(
                "{} is not a UTF-8 path, which SQLite cannot write a copy to; choose another name",
                target.display()
            ))
        })?;
        self.backend
            .copy_into(temp_name)
            .with_context(|| format!("failed to copy the database to {}", target.display()))?;
        let audit = {
            let (copy, _) = Store::open(temp.path())?;
            let audit = copy.audit()?;
            // Closing the copy folds its log back into the file, so it is complete on its own.
            copy.backend.close().context("failed to close the copy")?;
            audit
        };
        if let Some(problem) = audit.problem() {
            return Err(UserError::Refused(format!(
                "the copy failed its check ({problem}); {} was left as it was",
                target.display()
            ))
            .into());
        }
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut sidecar = target.clone().into_os_string();
            sidecar.push(suffix);
            match std::fs::remove_file(&sidecar) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(anyhow::Error::new(e).context(format!(
                        "failed to remove {}, a leftover of the file being replaced",
                        Path::new(&sidecar).display()
                    )))
                }
            }
        }
        crate::files::persist(temp, &target)?;
        Ok(audit)
    }

    // ----- sources ---------------------------------------------------------------------------

    /// Creates a source with its aliases; every name must be new.
    pub fn add_source(
        &mut self,
        name: &str,
        kind: SourceKind,
        aliases: &[String],
    ) -> anyhow::Result<()> {
        let name = model::list_item("a source name", name)?;
        // Run again when another writer made one of the names meanwhile (a server runs writers
        // side by side): the second run finds it and says so.
        match self.add_source_once(&name, kind, aliases) {
            Err(e) if broke_a_constraint(&e) => self.add_source_once(&name, kind, aliases),
            done => done,
        }
    }

    fn add_source_once(
        &mut self,
        name: &str,
        kind: SourceKind,
        aliases: &[String],
    ) -> anyhow::Result<()> {
        let tx = self.write()?;
        if let Some((_, existing)) = find_source(&*tx, name)? {
            return Err(UserError::Refused(format!(
                "source {name:?} already exists (as {existing:?}); change its kind with \
                 `claimdb source edit`"
            ))
            .into());
        }
        let id = insert_source(&*tx, name, kind)?;
        for alias in aliases {
            insert_alias(&*tx, id, alias)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Lets `alias` name the source `name` from now on.
    pub fn add_alias(&mut self, name: &str, alias: &str) -> anyhow::Result<bool> {
        // As in `add_source`: a second run finds the alias another writer made meanwhile.
        match self.add_alias_once(name, alias) {
            Err(e) if broke_a_constraint(&e) => self.add_alias_once(name, alias),
            done => done,
        }
    }

    fn add_alias_once(&mut self, name: &str, alias: &str) -> anyhow::Result<bool> {
        let tx = self.write()?;
        let (id, _) =
            find_source(&*tx, name)?.ok_or_else(|| UserError::SourceNotFound(name.to_owned()))?;
        let added = insert_alias(&*tx, id, alias)?;
        tx.commit()?;
        Ok(added)
    }

    /// Changes what kind of body a source is.
    pub fn set_source_kind(&mut self, name: &str, kind: SourceKind) -> anyhow::Result<()> {
        let tx = self.write()?;
        let (id, _) =
            find_source(&*tx, name)?.ok_or_else(|| UserError::SourceNotFound(name.to_owned()))?;
        tx.execute(
            "UPDATE source SET kind = ?1 WHERE id = ?2",
            params![kind, id],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Every source with its aliases and counts, by name.
    pub fn sources(&self) -> anyhow::Result<Vec<SourceSummary>> {
        self.source_summaries(None)
    }

    /// One source, found by its name or an alias.
    pub fn source(&self, name: &str) -> anyhow::Result<SourceSummary> {
        let (id, _) = find_source(self.db(), name)?
            .ok_or_else(|| UserError::SourceNotFound(name.to_owned()))?;
        self.source_summaries(Some(id))?
            .pop()
            .ok_or_else(|| UserError::SourceNotFound(name.to_owned()).into())
    }

    fn source_summaries(&self, only: Option<i64>) -> anyhow::Result<Vec<SourceSummary>> {
        let mut stmt = self.db().prepare(
            "SELECT s.name, s.kind,
                    (SELECT string_agg(n.name, ';' ORDER BY n.name) FROM source_name n
                      WHERE n.source_id = s.id AND n.is_alias = 1),
                    (SELECT count(*) FROM claim c WHERE c.claimant_id = s.id
                      AND c.id NOT IN (SELECT dup_id FROM claim_merge)),
                    (SELECT count(*) FROM stance t WHERE t.source_id = s.id AND t.stance = 'supports'),
                    (SELECT count(*) FROM stance t WHERE t.source_id = s.id AND t.stance = 'disputes')
             FROM source s WHERE CAST(?1 AS BIGINT) IS NULL OR s.id = ?1 ORDER BY lower(s.name), s.name",
        )?;
        let rows = stmt.query_map([only], |r| {
            Ok(SourceSummary {
                name: r.get(0)?,
                kind: r.get(1)?,
                aliases: split_list(r.get(2)?),
                claims: r.get(3)?,
                supports: r.get(4)?,
                disputes: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Feeds import rows into the one transaction of an import.
pub struct Importer<'t> {
    w: Writer<'t>,
    now: String,
    /// The claims this import created (which are not "stored claims" a row can duplicate), and
    /// the line of the file that named each claim, for imports that check that no two rows
    /// resolve to one claim ([`Importer::upsert_line`]).
    named: Named,
    /// When the database had no claims at the start: the text and claimant of every claim this
    /// import added, so that a row that matches none of them skips the lookup.
    added_filter: Option<AddedFilter>,
    /// The trigger that counts disputing sources is set aside: new claims carry their count.
    counts_disputes: bool,
    /// Whether new claims may be staged and written in bulk (see [`Importer::expect_rows`]).
    loads_in_bulk: bool,
}

/// The claims an import has named so far: for each, whether the import added it and which line
/// named it. Claims added in id order (nearly all of a large import's) sit in a sorted vector at
/// 16 bytes each, so that a million-row import holds 16 MB here, not a hash table's 50; any
/// other claim sits in a map.
#[derive(Default)]
struct Named {
    in_order: Vec<(i64, u64)>,
    others: HashMap<i64, u64>,
}

impl Named {
    /// Flags beside the line number in each entry.
    const ADDED: u64 = 1 << 63;
    const HAS_LINE: u64 = 1 << 62;

    fn entry(&mut self, id: i64) -> &mut u64 {
        let at = match self.in_order.last() {
            Some(&(last, _)) if last == id => Ok(self.in_order.len() - 1),
            Some(&(last, _)) if last < id => Err(self.in_order.len()),
            None => Err(0),
            Some(_) => self.in_order.binary_search_by_key(&id, |&(k, _)| k),
        };
        match at {
            Ok(i) => &mut self.in_order[i].1,
            Err(i) if i == self.in_order.len() => {
                self.in_order.push((id, 0));
                &mut self.in_order[i].1
            }
            Err(_) => self.others.entry(id).or_insert(0),
        }
    }

    fn get(&self, id: i64) -> u64 {
        match self.in_order.binary_search_by_key(&id, |&(k, _)| k) {
            Ok(i) => self.in_order[i].1,
            Err(_) => self.others.get(&id).copied().unwrap_or(0),
        }
    }

    /// Records that this import added claim `id`.
    fn add(&mut self, id: i64) {
        *self.entry(id) |= Self::ADDED;
    }

    fn was_added(&self, id: i64) -> bool {
        self.get(id) & Self::ADDED != 0
    }

    /// Records that `line` named claim `id`, or returns the line that named it before.
    fn name(&mut self, id: i64, line: u64) -> Option<u64> {
        let entry = self.entry(id);
        if *entry & Self::HAS_LINE != 0 {
            return Some(*entry & !(Self::ADDED | Self::HAS_LINE));
        }
        *entry |= Self::HAS_LINE | (line & !(Self::ADDED | Self::HAS_LINE));
        None
    }
}

/// A one-hash Bloom filter over (text, claimant) of a fixed 8 MB, whatever the file's size: "no"
/// is certain, "maybe" is checked in the database. At a million claims about 1.5% of rows get a
/// false "maybe".
struct AddedFilter(Vec<u64>);

impl AddedFilter {
    const BITS: u32 = 26;

    fn new() -> Self {
        AddedFilter(vec![0; (1 << Self::BITS) / 64])
    }

    fn bit(text: &str, claimant_id: i64) -> usize {
        let mixed =
            (text_hash(text) as u64) ^ (claimant_id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (mixed.wrapping_mul(0xFF51_AFD7_ED55_8CCD) >> (64 - Self::BITS)) as usize
    }

    fn insert(&mut self, text: &str, claimant_id: i64) {
        let bit = Self::bit(text, claimant_id);
        self.0[bit / 64] |= 1 << (bit % 64);
    }

    fn may_contain(&self, text: &str, claimant_id: i64) -> bool {
        let bit = Self::bit(text, claimant_id);
        self.0[bit / 64] & (1 << (bit % 64)) != 0
    }
}

/// The claimant id under which [`AddedFilter`] keeps the uids of the claims an import added
/// (no source has it).
const UID_KEY: i64 = 0;

/// New claims an import writes many at a time, on an engine where each statement is a round
/// trip ([`Connection::loads_in_bulk`]): their rows wait here, with their history events
/// already chained, until [`Writer::flush`] copies them in, one stream per table. Ids come
/// from [`Connection::reserve_ids`], so no other writer takes them meanwhile.
#[derive(Default)]
struct Staging {
    /// Rows of [`STAGED_CLAIM`], [`STAGED_FIGURE`]… one value after the other.
    claims: Vec<Value>,
    figures: Vec<Value>,
    tags: Vec<Value>,
    stances: Vec<Value>,
    history: Vec<Value>,
    /// Search documents, where the engine stores documents claimdb computes.
    search: Vec<Value>,
    /// The ids of the staged claims, in order.
    ids: Vec<i64>,
    /// The staged claims by uid, and by claimant and text hash, so that a later row naming one
    /// of them is settled against the database (after a flush), not added twice.
    uids: std::collections::HashSet<String>,
    texts: std::collections::HashSet<(i64, i64)>,
    /// Ids reserved and not used yet, the next one last.
    reserved: Vec<i64>,
    /// How many rows are still to come, at most, when the import knows: ids are reserved no
    /// further ahead, so that a file of new claims leaves no gap in the ids.
    rows_left: Option<usize>,
    /// How many ids the last reservation took (doubling, up to [`Staging::RESERVE`]).
    reserving: usize,
    /// Each source's names and aliases, space-separated, for search documents.
    names: HashMap<i64, String>,
    /// Whether history events go to `history` instead of the database.
    capturing: bool,
}

const STAGED_CLAIM: [&str; 17] = [
    "id",
    "uid",
    "text",
    "text_hash",
    "translation",
    "claimant_id",
    "status",
    "location",
    "claim_date",
    "article_url",
    "article_title",
    "note",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "disputes",
];
const STAGED_FIGURE: [&str; 8] = [
    "claim_id",
    "position",
    "low",
    "high",
    "unit",
    "unit_key",
    "qualifier",
    "words",
];
const STAGED_TAG: [&str; 2] = ["claim_id", "tag"];
const STAGED_STANCE: [&str; 6] = [
    "claim_id",
    "source_id",
    "stance",
    "created_at",
    "created_by",
    "imported_from",
];
const STAGED_EVENT: [&str; 10] = [
    "id",
    "claim_id",
    "at",
    "actor",
    "action",
    "field",
    "old_value",
    "new_value",
    "note",
    "hash",
];

impl Staging {
    /// Claims staged at most before they are written: memory stays flat however long the file.
    const ROWS: usize = 5_000;
    /// Ids reserved at most in one round trip.
    const RESERVE: usize = 4_096;

    /// Where each buffer ends, to go back to after a row found wrong half-way.
    fn mark(&self) -> [usize; 7] {
        [
            self.claims.len(),
            self.figures.len(),
            self.tags.len(),
            self.stances.len(),
            self.history.len(),
            self.search.len(),
            self.ids.len(),
        ]
    }

    fn truncate(&mut self, mark: [usize; 7]) {
        self.claims.truncate(mark[0]);
        self.figures.truncate(mark[1]);
        self.tags.truncate(mark[2]);
        self.stances.truncate(mark[3]);
        self.history.truncate(mark[4]);
        self.search.truncate(mark[5]);
        self.ids.truncate(mark[6]);
        self.capturing = false;
    }
}

impl Importer<'_> {
    /// [`Importer::upsert`] for line `line` of a file in which each claim may appear once: a
    /// row that resolves to the claim an earlier line named (the same uid, or the same text and
    /// claimant) is refused naming both lines. Two such rows would update the claim twice on
    /// every import of the file, so it would never be unchanged.
    pub fn upsert_line(
        &mut self,
        row: &ImportRow,
        origin: &str,
        line: u64,
    ) -> anyhow::Result<Imported> {
        // A row of a claim merged into another is folded into the claim kept, as by merge (an
        // old export holds both): that is the documented rule for it, not a second naming.
        let folded = match &row.uid {
            Some(uid) if self.uid_may_be_stored(uid) => self.w.uid_was_merged(uid)?,
            _ => false,
        };
        let imported = self.upsert(row, origin)?;
        if folded {
            return Ok(imported);
        }
        let id = match imported {
            Imported::Added(id) | Imported::Updated(id) | Imported::Unchanged(id) => id,
        };
        if let Some(earlier) = self.named.name(id, line) {
            let by = if row.uid.is_some() {
                "the same uid"
            } else {
                "the same text and claimant"
            };
            return Err(UserError::Refused(format!(
                "this row names the same claim as line {earlier} (claim {id}: {by}); a file may \
                 name each claim once, so keep one of the two rows (or merge them)"
            ))
            .into());
        }
        Ok(imported)
    }

    /// Adds the row as a new claim, or updates the claim it names (by uid, else by the same text
    /// and claimant). `origin` says where the row came from, for history ("claims.csv line 4").
    pub fn upsert(&mut self, row: &ImportRow, origin: &str) -> anyhow::Result<Imported> {
        let note = format!("import of {origin}");
        if let Some(left) = self.w.staging.as_mut().and_then(|s| s.rows_left.as_mut()) {
            // The rows after this one.
            *left = left.saturating_sub(1);
        }
        // A row that names a claim still staged is settled against the database: the staged
        // rows go in first.
        if self.names_staged(row)? {
            self.w.flush()?;
        }
        let existing = match &row.uid {
            Some(uid) if self.uid_may_be_stored(uid) => self.w.claim_by_uid(uid)?,
            _ => None,
        };
        if let (Some(uid), Some(keep)) = (&row.uid, existing) {
            if self.w.uid_was_merged(uid)? {
                let note = format!("{note} (uid {uid} was merged into this claim)");
                return Ok(
                    if merge::fold_row_into(&mut self.w, keep, row, &note, origin)? {
                        Imported::Updated(keep)
                    } else {
                        Imported::Unchanged(keep)
                    },
                );
            }
        }
        let existing = match (existing, &row.patch.text, &row.patch.claimant) {
            (Some(id), _, _) => Some(id),
            (None, Some(text), Some(claimant)) if row.uid.is_none() => {
                let claimant_id = self.w.source_id_if_exists(claimant)?;
                match claimant_id {
                    Some(cid)
                        if self
                            .added_filter
                            .as_ref()
                            .is_none_or(|added| added.may_contain(text, cid)) =>
                    {
                        self.w.claim_by_text(text, cid)?
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        let imported = match existing {
            Some(id) => {
                // Changes to a stored claim are written one by one, after the staged rows, so
                // that history keeps its order.
                self.w.flush()?;
                // The claim's text or claimant may change: the filter would no longer cover it.
                self.added_filter = None;
                let changed = !self
                    .w
                    .update_claim(id, &row.patch, Action::Import, Some(&note), false)?
                    .is_empty();
                let mut cited = false;
                for (names, stance) in [
                    (&row.supported_by, Stance::Supports),
                    (&row.disputed_by, Stance::Disputes),
                ] {
                    for name in names {
                        cited |= self
                            .w
                            .cite(id, name, stance, None, None, Why::imported(&note, origin))?
                            .0
                            != Cited::Unchanged;
                    }
                }
                let reason = self
                    .w
                    .record_verdict_reason(id, row.verdict_reason.as_deref())?;
                if changed || cited || reason {
                    Imported::Updated(id)
                } else {
                    Imported::Unchanged(id)
                }
            }
            None => {
                let mut draft = ClaimDraft::default();
                row.patch.apply_to(&mut draft)?;
                draft.validate()?;
                let actor = self.w.actor.to_owned();
                let created = (
                    row.created_at.as_deref().unwrap_or(&self.now).to_owned(),
                    row.created_by.as_deref().unwrap_or(&actor).to_owned(),
                );
                let updated = (
                    row.updated_at.as_deref().unwrap_or(&created.0).to_owned(),
                    row.updated_by.as_deref().unwrap_or(&created.1).to_owned(),
                );
                let id = match row.id {
                    Some(id) if !(1..=crate::claim_csv::MAX_ID).contains(&id) => {
                        return Err(UserError::Refused(format!(
                            "id {id} is out of range: ids go from 1 to {}",
                            crate::claim_csv::MAX_ID
                        ))
                        .into());
                    }
                    Some(id) if !self.w.claim_exists(id)? => Some(id),
                    _ => None,
                };
                if id.is_none() && self.w.staging.is_some() {
                    let id = self.stage_claim(row, origin, &note, &draft, [&created, &updated])?;
                    return Ok(Imported::Added(id));
                }
                self.w.flush()?;
                // With the stance triggers set aside, the claim is stored with the number of
                // sources disputing it, which are added just below.
                let disputes = if self.counts_disputes {
                    i64::try_from(row.disputed_by.len()).unwrap_or(i64::MAX)
                } else {
                    0
                };
                // No stored claim had the row's uid: it was looked up above, or the filter
                // answered for it. On a server another writer may have stored it since.
                let uid = row.uid.clone().unwrap_or_else(new_uid);
                let stored_as = if row.uid.is_some() && self.w.tx.writers_run_side_by_side() {
                    NewUid::Given(&uid)
                } else {
                    NewUid::Free(&uid)
                };
                let id = self.w.insert_claim(
                    id,
                    stored_as,
                    &draft,
                    [(&created.0, &created.1), (&updated.0, &updated.1)],
                    disputes,
                )?;
                let mut cited: [Vec<String>; 2] = Default::default();
                for (names, stance, canonical) in [
                    (&row.supported_by, Stance::Supports, 0),
                    (&row.disputed_by, Stance::Disputes, 1),
                ] {
                    for name in names {
                        let name = self.w.add_stance(
                            id,
                            &draft.claimant,
                            name,
                            stance,
                            &updated,
                            origin,
                        )?;
                        cited[canonical].push(name);
                    }
                }
                let (_, claimant) = self.w.resolve_source(&draft.claimant)?;
                let snapshot = replay::snapshot_of(&draft, &claimant, &cited[0], &cited[1]);
                self.w.record_imported(id, origin, &note, &snapshot)?;
                self.w
                    .record_verdict_reason(id, row.verdict_reason.as_deref())?;
                self.named.add(id);
                if let Some(added) = &mut self.added_filter {
                    let (claimant_id, _) = self.w.resolve_source(&draft.claimant)?;
                    added.insert(&draft.text, claimant_id);
                    added.insert(&uid, UID_KEY);
                }
                Imported::Added(id)
            }
        };
        Ok(imported)
    }

    /// Says that at most `rows` rows are to come. Where the engine loads rows in bulk, new
    /// claims are then staged ([`Staging`]), their ids reserved no further ahead than that: an
    /// import that does not know its rows, or settles each one against the database at once
    /// (reviews), writes them one by one.
    pub fn expect_rows(&mut self, rows: usize) {
        if self.loads_in_bulk {
            self.w
                .staging
                .get_or_insert_with(Staging::default)
                .rows_left = Some(rows);
        }
    }

    /// Whether a claim with `uid` may be stored: always, unless this import runs into a
    /// database that had none, and added none with that uid.
    fn uid_may_be_stored(&self, uid: &str) -> bool {
        self.added_filter
            .as_ref()
            .is_none_or(|added| added.may_contain(uid, UID_KEY))
    }

    /// Whether `row` names a claim that is staged, not yet in the database: by uid, by text and
    /// claimant, or by id (which is looked up in the database).
    fn names_staged(&mut self, row: &ImportRow) -> anyhow::Result<bool> {
        let Some(staging) = &self.w.staging else {
            return Ok(false);
        };
        if staging.claims.is_empty() {
            return Ok(false);
        }
        if row.id.is_some() || row.uid.as_ref().is_some_and(|u| staging.uids.contains(u)) {
            return Ok(true);
        }
        let (Some(text), Some(claimant)) = (&row.patch.text, &row.patch.claimant) else {
            return Ok(false);
        };
        // The claimant of a staged claim is stored (sources are written at once), and known.
        Ok(match self.w.source_id_if_exists(claimant)? {
            Some(cid) => self
                .w
                .staging
                .as_ref()
                .is_some_and(|s| s.texts.contains(&(cid, text_hash(text)))),
            None => false,
        })
    }

    /// Stages the new claim of `row` (see [`Staging`]): the same rows, history events and
    /// checks as a claim inserted at once, written at the next [`Writer::flush`]. A row found
    /// wrong leaves nothing staged.
    fn stage_claim(
        &mut self,
        row: &ImportRow,
        origin: &str,
        note: &str,
        draft: &ClaimDraft,
        [created, updated]: [&(String, String); 2],
    ) -> anyhow::Result<i64> {
        let mark = self.w.staging.as_ref().map(Staging::mark);
        let head = self.w.chain_head.clone();
        match self.stage_claim_rows(row, origin, note, draft, [created, updated]) {
            Ok(id) => Ok(id),
            Err(e) => {
                if let (Some(staging), Some(mark)) = (&mut self.w.staging, mark) {
                    staging.truncate(mark);
                }
                self.w.chain_head = head;
                Err(e)
            }
        }
    }

    fn stage_claim_rows(
        &mut self,
        row: &ImportRow,
        origin: &str,
        note: &str,
        draft: &ClaimDraft,
        [(created_at, created_by), (updated_at, updated_by)]: [&(String, String); 2],
    ) -> anyhow::Result<i64> {
        let id = self.w.reserved_id()?;
        let (claimant_id, claimant) = self.w.resolve_source(&draft.claimant)?;
        let mut cited: [Vec<String>; 2] = Default::default();
        let mut stances: Vec<(i64, Stance)> = Vec::new();
        for (names, stance, canonical) in [
            (&row.supported_by, Stance::Supports, 0),
            (&row.disputed_by, Stance::Disputes, 1),
        ] {
            for name in names {
                let (source_id, name) = self.w.resolve_source(name)?;
                if source_id == claimant_id {
                    return Err(cites_itself(&name, id));
                }
                if stances.iter().any(|(other, _)| *other == source_id) {
                    return Err(listed_twice(&name));
                }
                stances.push((source_id, stance));
                cited[canonical].push(name);
            }
        }
        let uid = row.uid.clone().unwrap_or_else(new_uid);
        let disputes = i64::try_from(cited[1].len()).unwrap_or(i64::MAX);
        let document = match self.w.staging.as_ref() {
            Some(_) => {
                let mut names = self.w.source_names(claimant_id)?;
                for (source_id, _) in &stances {
                    names.push(' ');
                    names.push_str(&self.w.source_names(*source_id)?);
                }
                self.w.tx.search_document(&[
                    Some(draft.text.clone()),
                    draft.translation.clone(),
                    draft.note.clone(),
                    Some(names),
                    draft.location.clone(),
                ])
            }
            None => None,
        };
        let staging = self.w.staging.as_mut().context("a staged import")?;
        let value = |v: &dyn sql::ToSql| v.to_sql().to_owned();
        staging.claims.extend([
            Value::Integer(id),
            Value::Text(uid.clone()),
            Value::Text(draft.text.clone()),
            Value::Integer(text_hash(&draft.text)),
            value(&draft.translation),
            Value::Integer(claimant_id),
            value(&draft.status),
            value(&draft.location),
            value(&draft.claim_date),
            value(&draft.article_url),
            value(&draft.article_title),
            value(&draft.note),
            Value::Text(created_at.clone()),
            Value::Text(created_by.clone()),
            Value::Text(updated_at.clone()),
            Value::Text(updated_by.clone()),
            Value::Integer(disputes),
        ]);
        let mut tags: Vec<&String> = draft.tags.iter().collect();
        tags.sort();
        tags.dedup();
        for tag in tags {
            staging
                .tags
                .extend([Value::Integer(id), Value::Text(tag.clone())]);
        }
        for (position, f) in (1_i64..).zip(&draft.figures) {
            staging.figures.extend(figure_row(id, position, f));
        }
        for (source_id, stance) in &stances {
            staging.stances.extend([
                Value::Integer(id),
                Value::Integer(*source_id),
                value(stance),
                Value::Text(updated_at.clone()),
                Value::Text(updated_by.clone()),
                Value::Text(origin.to_owned()),
            ]);
        }
        if let Some(document) = document {
            staging
                .search
                .extend([Value::Integer(id), Value::Text(document)]);
        }
        staging.ids.push(id);
        staging.capturing = true;
        let snapshot = replay::snapshot_of(draft, &claimant, &cited[0], &cited[1]);
        let events = self
            .w
            .record_imported(id, origin, note, &snapshot)
            .and_then(|()| match row.verdict_reason.as_deref() {
                // A new claim has no reason for its verdict yet: the file's is recorded.
                Some(reason) if draft.status.is_verdict() && !reason.trim().is_empty() => {
                    let status = draft.status.as_str();
                    self.w.record_named(
                        id,
                        Action::Import,
                        (Some(Field::Status.as_str()), Some(status)),
                        Some(status),
                        Some(reason),
                    )
                }
                _ => Ok(()),
            });
        let staging = self.w.staging.as_mut().context("a staged import")?;
        staging.capturing = false;
        events?;
        staging.uids.insert(uid.clone());
        staging.texts.insert((claimant_id, text_hash(&draft.text)));
        let full = staging.ids.len() >= Staging::ROWS;
        self.named.add(id);
        if let Some(added) = &mut self.added_filter {
            added.insert(&draft.text, claimant_id);
            added.insert(&uid, UID_KEY);
        }
        if full {
            self.w.flush()?;
        }
        Ok(id)
    }

    /// Claims stored before this import that look like claim `id` (just imported), most
    /// similar first, with their similarity and how their figures conflict, if they do.
    pub fn similar_stored(
        &mut self,
        id: i64,
        limit: usize,
    ) -> anyhow::Result<Vec<(i64, f64, Option<String>)>> {
        self.w.flush()?;
        let claim = load_claim(self.w.tx, id)?.ok_or(UserError::ClaimNotFound(id))?;
        let found = similar::similar_claims(
            self.w.tx,
            &claim.text,
            claim.translation.as_deref(),
            &|other| self.named.was_added(other),
            limit,
        )?;
        found
            .into_iter()
            .map(|(other, similarity)| {
                let stored =
                    load_claim(self.w.tx, other)?.ok_or(UserError::ClaimNotFound(other))?;
                let conflict = similar::figure_conflict(
                    (&claim.figures, &claim.text),
                    (&stored.figures, &stored.text),
                );
                Ok((other, similarity, conflict))
            })
            .collect()
    }
}

/// The uid a new claim is stored under.
#[derive(Clone, Copy)]
enum NewUid<'a> {
    /// A fresh one, which no claim can have yet.
    Fresh,
    /// One given, refused when a claim has it already.
    Given(&'a str),
    /// One that no claim has: the caller looked it up, or made it.
    Free(&'a str),
}

/// The claim a uid names: the claim that has it, or the claim it was merged into, so that
/// re-importing a merged duplicate updates the claim kept.
const MERGED_UID_LOOKUP: &str =
    "SELECT coalesce((SELECT keep_id FROM claim_merge WHERE dup_id = c.id), c.id)
     FROM claim c WHERE uid = ?1";

/// The claim with this text (by its hash) and claimant, for imports. The unary `+` keeps SQLite
/// from reading it through `claim_by_claimant`, which it otherwise picks after a bulk load (all
/// of one claimant's claims per row: an import into a database started by a bulk import was
/// quadratic); the text hash is nearly unique, so its index is always the right one.
pub(crate) const CLAIM_BY_TEXT: &str =
    "SELECT coalesce((SELECT keep_id FROM claim_merge WHERE dup_id = c.id), c.id)
     FROM claim c WHERE text_hash = ?1 AND text = ?2 AND +claimant_id = ?3
     ORDER BY +id LIMIT 1";
/// Why a stance is written: the note for its history event, and the import it comes from (none
/// when a person cites it).
#[derive(Debug, Clone, Copy, Default)]
struct Why<'a> {
    note: Option<&'a str>,
    imported_from: Option<&'a str>,
}

impl<'a> Why<'a> {
    /// A stance read from a file: `note` for history, `origin` ("claims.csv line 4") kept with it.
    fn imported(note: &'a str, origin: &'a str) -> Self {
        Why {
            note: Some(note),
            imported_from: Some(origin),
        }
    }
}

/// The write operations shared by single commands and imports, inside one transaction.
struct Writer<'t> {
    tx: &'t dyn Connection,
    actor: &'t str,
    /// Sources by folded name, so that a million-row import resolves each name once.
    source_cache: HashMap<String, (i64, String)>,
    /// The same by the name as written, which spares folding (NFKC) a name seen before.
    written_cache: HashMap<String, (i64, String)>,
    new_sources: Vec<String>,
    /// The id and hash of the last history event, read once per transaction (the write lock
    /// guarantees nobody else appends meanwhile).
    chain_head: Option<(i64, String)>,
    /// New claims waiting to be written in bulk (an import on a server).
    staging: Option<Staging>,
    /// The claims an import created whose batch event is not written yet (see [`batch`]).
    batch: Option<batch::Open>,
}

impl<'t> Writer<'t> {
    fn new(tx: &'t dyn Connection, actor: &'t str) -> Self {
        Writer {
            tx,
            actor,
            source_cache: HashMap::new(),
            written_cache: HashMap::new(),
            new_sources: Vec::new(),
            chain_head: None,
            staging: None,
            batch: None,
        }
    }

    /// Records the creation of claim `id` by an import, with its `snapshot` (see [`replay`]):
    /// in the open batch when `origin` names a file's line ("claims.csv line 4"), else as an
    /// event of its own.
    fn record_imported(
        &mut self,
        id: i64,
        origin: &str,
        note: &str,
        snapshot: &replay::Snapshot,
    ) -> anyhow::Result<()> {
        let (Some((file, line)), Some(digests)) =
            (batch::file_and_line(origin), snapshot.batch_digests())
        else {
            let snapshot = snapshot.json();
            return self.record_event(id, Action::Import, None, Some(&snapshot), Some(note));
        };
        if let Some(open) = &mut self.batch {
            if open.push(id, file, line, &digests) {
                return Ok(());
            }
            self.close_batch()?;
        }
        self.batch = Some(batch::Open::new(id, file, line, &digests));
        Ok(())
    }

    /// Writes the open batch's event (see [`batch`]), where staged events go when claims are
    /// staged.
    fn close_batch(&mut self) -> anyhow::Result<()> {
        let Some(open) = self.batch.take() else {
            return Ok(());
        };
        let (new_value, note) = open.event();
        // While claims wait to be staged in, their batch waits with them.
        let capturing = self
            .staging
            .as_mut()
            .filter(|s| !s.ids.is_empty())
            .map(|s| std::mem::replace(&mut s.capturing, true));
        let written = self.append_event(
            open.first(),
            Action::Import,
            Some((batch::FIELD, None)),
            Some(&new_value),
            Some(&note),
        );
        if let (Some(staging), Some(was)) = (self.staging.as_mut(), capturing) {
            staging.capturing = was;
        }
        written.map(|_| ())
    }

    /// Writes the staged claims, their figures, tags, stances, history events and search
    /// documents, one stream per table, in the order their references need.
    fn flush(&mut self) -> anyhow::Result<()> {
        let Some(staging) = &mut self.staging else {
            return Ok(());
        };
        if !self.tx.writers_run_side_by_side() {
            // Ids after the largest stored one are ours only until something else is stored.
            staging.reserved.clear();
        }
        if staging.ids.is_empty() {
            return Ok(());
        }
        let tx = self.tx;
        tx.copy_in("claim", &STAGED_CLAIM, &staging.claims)?;
        tx.copy_in("figure", &STAGED_FIGURE, &staging.figures)?;
        tx.copy_in("claim_tag", &STAGED_TAG, &staging.tags)?;
        tx.copy_in("stance", &STAGED_STANCE, &staging.stances)?;
        tx.copy_in("history", &STAGED_EVENT, &staging.history)?;
        if !staging.search.is_empty() {
            tx.copy_in("claim_search", &["claim_id", "doc"], &staging.search)?;
            // Their documents are written: nothing is left to compute for them at the commit.
            for chunk in staging.ids.chunks(10_000) {
                let ids = serde_json::to_string(chunk)?;
                tx.execute(
                    &format!(
                        "DELETE FROM claim_search_stale WHERE claim_id IN ({})",
                        tx.json_ids()
                    ),
                    params![ids],
                )?;
            }
        }
        let reserved = std::mem::take(&mut staging.reserved);
        let reserving = staging.reserving;
        let names = std::mem::take(&mut staging.names);
        let rows_left = staging.rows_left;
        *staging = Staging {
            reserved,
            reserving,
            rows_left,
            names,
            ..Staging::default()
        };
        Ok(())
    }

    /// A reserved id for a new staged claim.
    fn reserved_id(&mut self) -> anyhow::Result<i64> {
        let staging = self.staging.as_mut().context("a staged import")?;
        if staging.reserved.is_empty() {
            staging.reserving = (staging.reserving * 2).clamp(64, Staging::RESERVE);
            let wanted = staging
                .rows_left
                .map_or(staging.reserving, |left| staging.reserving.min(left + 1));
            let mut ids = self.tx.reserve_ids("claim", wanted)?;
            ids.reverse();
            staging.reserved = ids;
        }
        staging
            .reserved
            .pop()
            .context("an id reserved for a new claim")
    }

    /// The names and aliases of source `id`, space-separated, as a search document has them.
    fn source_names(&mut self, id: i64) -> anyhow::Result<String> {
        let staging = self.staging.as_mut().context("a staged import")?;
        if let Some(names) = staging.names.get(&id) {
            return Ok(names.clone());
        }
        let names: Vec<String> = self.tx.query_map(
            "SELECT name FROM source_name WHERE source_id = ?1 ORDER BY is_alias, key",
            [id],
            |r| r.get(0),
        )?;
        let names = names.join(" ");
        staging.names.insert(id, names.clone());
        Ok(names)
    }

    fn check_version(&self, id: i64, expected: i64) -> anyhow::Result<()> {
        let (version, by, at): (i64, String, String) = self
            .tx
            .query_row(
                "SELECT version, updated_by, updated_at FROM claim WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .ok_or(UserError::ClaimNotFound(id))?;
        if version != expected {
            return Err(UserError::Refused(format!(
                "claim {id} changed since you read it: it is at version {version} (last changed by \
                 {by} at {at}), you expected version {expected}; nothing was written. See \
                 `claimdb history {id}`, then retry with --if-version {version}"
            ))
            .into());
        }
        Ok(())
    }

    fn source_id_if_exists(&mut self, name: &str) -> anyhow::Result<Option<i64>> {
        if let Some((id, _)) = self.written_cache.get(name) {
            return Ok(Some(*id));
        }
        let key = model::source_key(name);
        if let Some((id, _)) = self.source_cache.get(&key) {
            return Ok(Some(*id));
        }
        let found = find_source(self.tx, name)?;
        if let Some(found) = &found {
            self.source_cache.insert(key, found.clone());
        }
        Ok(found.map(|(id, _)| id))
    }

    /// The source's id and canonical name, creating it (kind `other`) when the name is new.
    fn resolve_source(&mut self, written: &str) -> anyhow::Result<(i64, String)> {
        if let Some(found) = self.written_cache.get(written) {
            return Ok(found.clone());
        }
        let found = self.resolve_source_by_key(written)?;
        // Bounded: a file with endless distinct names must not grow the cache without end.
        if self.written_cache.len() < 100_000 {
            self.written_cache.insert(written.to_owned(), found.clone());
        }
        Ok(found)
    }

    fn resolve_source_by_key(&mut self, name: &str) -> anyhow::Result<(i64, String)> {
        let name = model::list_item("a source name", name)?;
        let key = model::source_key(&name);
        if let Some(found) = self.source_cache.get(&key) {
            return Ok(found.clone());
        }
        let found = match find_source(self.tx, &name)? {
            Some(found) => found,
            None => match self.insert_new_source(&name)? {
                Some(id) => {
                    self.new_sources.push(name.clone());
                    (id, name)
                }
                // Another writer made the same name meanwhile: it is theirs, and now ours.
                None => find_source(self.tx, &name)?.context("a source name made meanwhile")?,
            },
        };
        self.source_cache.insert(key, found.clone());
        Ok(found)
    }

    /// Creates the source `name` and returns its id, or none when another writer made the same
    /// name between our look and our insert. On a server, writers run side by side until their
    /// first event, so two may make one new name at once: the second's insert waits for the
    /// first to commit, then breaks the name's uniqueness and is undone alone, and the name,
    /// committed now, is found. A file has one writer at a time: nothing to undo, and an import
    /// of many new names pays for no savepoints.
    fn insert_new_source(&self, name: &str) -> anyhow::Result<Option<i64>> {
        if !self.tx.writers_run_side_by_side() {
            return insert_source(self.tx, name, SourceKind::Other).map(Some);
        }
        self.tx.execute_batch("SAVEPOINT new_source")?;
        match insert_source(self.tx, name, SourceKind::Other) {
            Ok(id) => {
                self.tx.execute_batch("RELEASE SAVEPOINT new_source")?;
                Ok(Some(id))
            }
            Err(e) if broke_a_constraint(&e) => {
                self.tx.execute_batch(
                    "ROLLBACK TO SAVEPOINT new_source; RELEASE SAVEPOINT new_source",
                )?;
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    fn claim_exists(&self, id: i64) -> anyhow::Result<bool> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT 1 FROM claim WHERE id = ?1")?;
        Ok(stmt.exists([id])?)
    }

    fn claim_by_uid(&self, uid: &str) -> anyhow::Result<Option<i64>> {
        let mut stmt = self.tx.prepare_cached(MERGED_UID_LOOKUP)?;
        Ok(stmt.query_row([uid], |r| r.get(0)).optional()?)
    }

    /// Whether `uid` belongs to a claim merged into another.
    fn uid_was_merged(&self, uid: &str) -> anyhow::Result<bool> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT 1 FROM claim c JOIN claim_merge m ON m.dup_id = c.id WHERE c.uid = ?1",
        )?;
        Ok(stmt.exists([uid])?)
    }

    fn claim_by_text(&self, text: &str, claimant_id: i64) -> anyhow::Result<Option<i64>> {
        let mut stmt = self.tx.prepare_cached(CLAIM_BY_TEXT)?;
        Ok(stmt
            .query_row(params![text_hash(text), text, claimant_id], |r| r.get(0))
            .optional()?)
    }

    /// Stores a new claim under `uid` (see [`NewUid`]).
    fn insert_claim(
        &mut self,
        id: Option<i64>,
        uid: NewUid<'_>,
        draft: &ClaimDraft,
        [(created_at, created_by), (updated_at, updated_by)]: [(&str, &str); 2],
        disputes: i64,
    ) -> anyhow::Result<i64> {
        let (claimant_id, _) = self.resolve_source(&draft.claimant)?;
        let fresh;
        let uid = match uid {
            NewUid::Free(uid) => uid,
            NewUid::Given(uid) => {
                if self.claim_by_uid(uid)?.is_some() {
                    return Err(UserError::Refused(format!(
                        "uid {uid:?} is already used by another claim"
                    ))
                    .into());
                }
                uid
            }
            NewUid::Fresh => {
                fresh = new_uid();
                &fresh
            }
        };
        // Without an id the database gives the next one; both forms return it.
        let insert = if id.is_some() {
            INSERT_CLAIM_WITH_ID
        } else {
            INSERT_CLAIM
        };
        let hash = text_hash(&draft.text);
        let row: [&dyn sql::ToSql; 17] = [
            &uid,
            &draft.text,
            &hash,
            &draft.translation,
            &claimant_id,
            &draft.status,
            &draft.location,
            &draft.claim_date,
            &draft.article_url,
            &draft.article_title,
            &draft.note,
            &created_at,
            &created_by,
            &updated_at,
            &updated_by,
            &disputes,
            &id,
        ];
        let id = self
            .tx
            .insert_returning_id(insert, &row[..if id.is_some() { 17 } else { 16 }])?;
        // A new claim has no tags or figures to replace.
        self.insert_tags(id, &draft.tags)?;
        self.insert_figures(id, &draft.figures)?;
        Ok(id)
    }

    /// Records a claim's creation, with the snapshot of what it was created with (see
    /// [`replay`]): its fields and the sources stored with it, by canonical name.
    fn record_creation(
        &mut self,
        id: i64,
        (action, note): (Action, Option<&str>),
        draft: &ClaimDraft,
        [supported_by, disputed_by]: [&[String]; 2],
    ) -> anyhow::Result<()> {
        let (_, claimant) = self.resolve_source(&draft.claimant)?;
        let snapshot = replay::snapshot(draft, &claimant, supported_by, disputed_by);
        self.record_event(id, action, None, Some(&snapshot), note)
    }

    fn set_tags(&self, id: i64, tags: &[String]) -> anyhow::Result<()> {
        self.tx
            .prepare_cached("DELETE FROM claim_tag WHERE claim_id = ?1")?
            .execute([id])?;
        self.insert_tags(id, tags)
    }

    fn set_figures(&self, id: i64, figures: &[Figure]) -> anyhow::Result<()> {
        self.tx
            .prepare_cached("DELETE FROM figure WHERE claim_id = ?1")?
            .execute([id])?;
        self.insert_figures(id, figures)
    }

    fn insert_figures(&self, id: i64, figures: &[Figure]) -> anyhow::Result<()> {
        if figures.is_empty() {
            return Ok(());
        }
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO figure (claim_id, position, low, high, unit, unit_key, qualifier, words)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for (position, f) in (1_i64..).zip(figures) {
            insert.execute(params![
                id,
                position,
                f.low,
                f.high,
                f.unit,
                f.unit_key(),
                f.qualifier,
                f.words
            ])?;
        }
        Ok(())
    }

    fn insert_tags(&self, id: i64, tags: &[String]) -> anyhow::Result<()> {
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO claim_tag (claim_id, tag) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        )?;
        for tag in tags {
            insert.execute(params![id, tag])?;
        }
        Ok(())
    }

    fn update_claim(
        &mut self,
        id: i64,
        patch: &ClaimPatch,
        action: Action,
        reason: Option<&str>,
        verdict_needs_reason: bool,
    ) -> anyhow::Result<Vec<FieldChange>> {
        self.check_not_merged(id)?;
        let before = load_claim(self.tx, id)?.ok_or(UserError::ClaimNotFound(id))?;
        let mut after = before.draft();
        patch.apply_to(&mut after)?;
        let (claimant_id, claimant) = self.resolve_source(&after.claimant)?;
        after.claimant = claimant;
        after.validate()?;
        let changes = after.changes_from(&before.draft());
        if changes.is_empty() {
            return Ok(changes);
        }
        if verdict_needs_reason
            && after.status != before.status
            && after.status.is_verdict()
            && reason.is_none_or(|r| r.trim().is_empty())
        {
            return Err(UserError::VerdictNeedsReason(after.status.as_str()).into());
        }
        if verdict_needs_reason
            && before.status.is_verdict()
            && !after.status.is_verdict()
            && reason.is_none_or(|r| r.trim().is_empty())
        {
            return Err(UserError::WithdrawalNeedsReason(before.status.as_str()).into());
        }
        if after.claimant != before.claimant {
            let stance: Option<String> = self
                .tx
                .query_row(
                    "SELECT stance FROM stance WHERE claim_id = ?1 AND source_id = ?2",
                    params![id, claimant_id],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(stance) = stance {
                return Err(UserError::Refused(format!(
                    "{:?} already {stance} claim {id}; a source cannot be both its claimant and a \
                     citation",
                    after.claimant
                ))
                .into());
            }
        }
        let now = model::now();
        self.tx
            .prepare_cached(
                "UPDATE claim SET text = ?2, text_hash = ?3, translation = ?4, claimant_id = ?5,
                     status = ?6, location = ?7, claim_date = ?8, article_url = ?9,
                     article_title = ?10, note = ?11, updated_at = ?12, updated_by = ?13,
                     version = version + 1
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                after.text,
                text_hash(&after.text),
                after.translation,
                claimant_id,
                after.status,
                after.location,
                after.claim_date,
                after.article_url,
                after.article_title,
                after.note,
                now,
                self.actor,
            ])?;
        if after.tags != before.tags {
            self.set_tags(id, &after.tags)?;
        }
        if after.figures != before.figures {
            self.set_figures(id, &after.figures)?;
        }
        for change in &changes {
            self.record(id, action, Some(change), reason)?;
        }
        Ok(changes)
    }

    /// Records `reason` as the reason for claim `id`'s verdict (an import's `verdict_reason`
    /// cell), unless it already is, or the claim has no verdict; true when it was recorded.
    fn record_verdict_reason(&mut self, id: i64, reason: Option<&str>) -> anyhow::Result<bool> {
        let Some(reason) = reason.filter(|r| !r.trim().is_empty()) else {
            return Ok(false);
        };
        let claim = load_claim(self.tx, id)?.ok_or(UserError::ClaimNotFound(id))?;
        if !claim.status.is_verdict() || claim.verdict_reason.as_deref() == Some(reason) {
            return Ok(false);
        }
        // The status does not change: the event only carries the reason.
        let status = claim.status.as_str();
        self.record_named(
            id,
            Action::Import,
            (Some(Field::Status.as_str()), Some(status)),
            Some(status),
            Some(reason),
        )?;
        Ok(true)
    }

    /// Adds a stance from an imported row to claim `id`, just created by `claimant` and last
    /// updated at `updated` (which the stance takes as its own creation).
    fn add_stance(
        &mut self,
        id: i64,
        claimant: &str,
        name: &str,
        stance: Stance,
        (updated_at, updated_by): &(String, String),
        imported_from: &str,
    ) -> anyhow::Result<String> {
        let (claimant_id, _) = self.resolve_source(claimant)?;
        let (source_id, canonical) = self.resolve_source(name)?;
        if claimant_id == source_id {
            return Err(cites_itself(&canonical, id));
        }
        let inserted = self
            .tx
            .prepare_cached(
                "INSERT INTO stance (claim_id, source_id, stance, created_at, created_by,
                     imported_from)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (claim_id, source_id) DO NOTHING",
            )?
            .execute(params![
                id,
                source_id,
                stance,
                updated_at,
                updated_by,
                imported_from
            ])?;
        if inserted == 0 {
            return Err(listed_twice(&canonical));
        }
        Ok(canonical)
    }

    /// A merged duplicate is kept for its history only: changes go to the claim kept.
    fn check_not_merged(&self, id: i64) -> anyhow::Result<()> {
        if let Some(keep) = search::merged_into(self.tx, id)? {
            return Err(UserError::Refused(format!(
                "claim {id} was merged into claim {keep}; change claim {keep} instead"
            ))
            .into());
        }
        Ok(())
    }

    fn check_not_claimant(&self, id: i64, source_id: i64, name: &str) -> anyhow::Result<()> {
        let claimant: i64 = self
            .tx
            .prepare_cached("SELECT claimant_id FROM claim WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?
            .ok_or(UserError::ClaimNotFound(id))?;
        if claimant == source_id {
            return Err(cites_itself(name, id));
        }
        Ok(())
    }

    /// Records a stance (new, changed, or the same) and, with a quote or url, an evidence item
    /// of the source (unless the same item is there already), with their history.
    fn cite(
        &mut self,
        id: i64,
        name: &str,
        stance: Stance,
        quote: Option<&str>,
        url: Option<&str>,
        why: Why<'_>,
    ) -> anyhow::Result<(Cited, Option<i64>)> {
        let Why {
            note,
            imported_from,
        } = why;
        self.check_not_merged(id)?;
        let (source_id, canonical) = self.resolve_source(name)?;
        self.check_not_claimant(id, source_id, &canonical)?;
        let before_lists = self.stance_lists(id)?;
        let existing: Option<Stance> = self
            .tx
            .prepare_cached("SELECT stance FROM stance WHERE claim_id = ?1 AND source_id = ?2")?
            .query_row(params![id, source_id], |r| r.get(0))
            .optional()?;
        let now = model::now();
        let cited =
            match existing {
                None => {
                    self.tx
                    .prepare_cached(
                        "INSERT INTO stance (claim_id, source_id, stance, created_at, created_by,
                             imported_from) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )?
                    .execute(params![id, source_id, stance, now, self.actor, imported_from])?;
                    Cited::Added
                }
                Some(old) if old == stance => Cited::Unchanged,
                Some(_) => {
                    self.tx
                        .prepare_cached(
                            "UPDATE stance SET stance = ?3 WHERE claim_id = ?1 AND source_id = ?2",
                        )?
                        .execute(params![id, source_id, stance])?;
                    Cited::Changed
                }
            };
        let after_lists = self.stance_lists(id)?;
        let why = note.map(str::to_owned).or_else(|| {
            let evidence: Vec<&str> = [quote, url].into_iter().flatten().collect();
            (!evidence.is_empty()).then(|| evidence.join(" — "))
        });
        // A stance that came from a file is the file's, recorded as an import, not a citation
        // the importing user made.
        let action = if imported_from.is_some() {
            Action::Import
        } else {
            Action::Cite
        };
        for (field, (old, new)) in [Field::SupportedBy, Field::DisputedBy]
            .into_iter()
            .zip(before_lists.into_iter().zip(after_lists))
        {
            if old != new {
                let change = FieldChange { field, old, new };
                self.record(id, action, Some(&change), why.as_deref())?;
            }
        }
        // Evidence given now is added beside the source's earlier items, never over them.
        let evidence = if quote.is_some() || url.is_some() {
            let draft = crate::evidence::EvidenceDraft {
                source: Some(canonical),
                quote: quote.map(str::to_owned),
                url: url.map(str::to_owned),
                ..Default::default()
            };
            self.add_evidence(id, &draft, None, note)?
        } else {
            None
        };
        if cited == Cited::Unchanged && evidence.is_none() {
            return Ok((cited, None));
        }
        self.touch(id, &now)?;
        Ok((cited, evidence))
    }

    /// Every change to a claim ends here: its version goes up, and it was updated now by the
    /// actor.
    fn touch(&self, id: i64, now: &str) -> anyhow::Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE claim SET updated_at = ?2, updated_by = ?3, version = version + 1
                 WHERE id = ?1",
            )?
            .execute(params![id, now, self.actor])?;
        Ok(())
    }

    fn stance_lists(&self, id: i64) -> anyhow::Result<[String; 2]> {
        let mut stmt = self.tx.prepare_cached(concat!(
            "SELECT ",
            stance_names!("supports"),
            ", ",
            stance_names!("disputes"),
            " FROM claim c WHERE c.id = ?1"
        ))?;
        Ok(stmt.query_row([id], |r| {
            Ok([
                r.get::<Option<String>>(0)?.unwrap_or_default(),
                r.get::<Option<String>>(1)?.unwrap_or_default(),
            ])
        })?)
    }

    fn record(
        &mut self,
        id: i64,
        action: Action,
        change: Option<&FieldChange>,
        note: Option<&str>,
    ) -> anyhow::Result<()> {
        match change {
            Some(c) => self.record_event(id, action, Some((c.field, &c.old)), Some(&c.new), note),
            None => self.record_event(id, action, None, None, note),
        }
    }

    /// Appends one event to the history chain: `change` is the field and its old value,
    /// `new_value` the field's new value (or, for a creation, the claim's snapshot).
    fn record_event(
        &mut self,
        id: i64,
        action: Action,
        change: Option<(Field, &str)>,
        new_value: Option<&str>,
        note: Option<&str>,
    ) -> anyhow::Result<()> {
        self.append_event(
            id,
            action,
            change.map(|(f, old)| (f.as_str(), Some(old))),
            new_value,
            note,
        )
        .map(|_| ())
    }

    /// [`Writer::record_event`] for a field that is not a column of the CSV format (the desk's
    /// assignee, archive and proposed verdict).
    fn record_named(
        &mut self,
        id: i64,
        action: Action,
        (field, old_value): (Option<&str>, Option<&str>),
        new_value: Option<&str>,
        note: Option<&str>,
    ) -> anyhow::Result<()> {
        self.append_event(id, action, field.map(|f| (f, old_value)), new_value, note)
            .map(|_| ())
    }

    /// Appends one history event to the chain and returns its id. `change` is the field it
    /// names with its old and new value, for events about more than the claim's CSV columns
    /// (evidence items).
    fn record_raw(
        &mut self,
        id: i64,
        action: Action,
        change: Option<(&str, Option<&str>, Option<&str>)>,
        note: Option<&str>,
    ) -> anyhow::Result<i64> {
        self.append_event(
            id,
            action,
            change.map(|(field, old, _)| (field, old)),
            change.and_then(|(_, _, new)| new),
            note,
        )
    }

    /// The one place that appends to the history chain: `field` with its old value, the new
    /// value (or a creation's snapshot), and why. Returns the new event's id.
    fn append_event(
        &mut self,
        id: i64,
        action: Action,
        change: Option<(&str, Option<&str>)>,
        new_value: Option<&str>,
        note: Option<&str>,
    ) -> anyhow::Result<i64> {
        // Every event comes after the creations of the claims before it.
        self.close_batch()?;
        let (last_id, last_hash) = match self.chain_head.take() {
            Some(head) => head,
            None => self
                .tx
                .query_row(self.tx.chain_head_sql(), params![], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?
                .unwrap_or((0, String::new())),
        };
        let event_id = last_id + 1;
        let at = model::now();
        let field = change.map(|(f, _)| f);
        let event = chain::Event {
            id: event_id,
            claim_id: id,
            at: &at,
            actor: self.actor,
            action: action.as_str(),
            field,
            old_value: change.and_then(|(_, old)| old),
            new_value,
            note,
        };
        let hash = chain::link(&last_hash, &event);
        if let Some(staging) = self.staging.as_mut().filter(|s| s.capturing) {
            let text = |v: Option<&str>| v.map_or(Value::Null, |v| Value::Text(v.to_owned()));
            staging.history.extend([
                Value::Integer(event_id),
                Value::Integer(id),
                Value::Text(at.clone()),
                Value::Text(self.actor.to_owned()),
                Value::Text(action.as_str().to_owned()),
                text(field),
                text(event.old_value),
                text(event.new_value),
                text(note),
                Value::Text(hash.clone()),
            ]);
            self.chain_head = Some((event_id, hash));
            return Ok(event_id);
        }
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO history (id, claim_id, at, actor, action, field, old_value, new_value,
                 note, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        stmt.execute(params![
            event_id,
            id,
            at,
            self.actor,
            action,
            field,
            event.old_value,
            event.new_value,
            note,
            hash,
        ])?;
        self.chain_head = Some((event_id, hash));
        Ok(event_id)
    }
}

/// A history row as `history` and `activity` show it (`id, claim_id, at, actor, action, field,
/// old_value, new_value, note`). A creation's snapshot is for `audit`; the claim itself shows
/// what it was created with.
fn history_event_from_row(r: &Row<'_>) -> sql::Result<HistoryEvent> {
    let mut event = stored_history_event(r)?;
    if event.field.is_none() {
        event.new_value = None;
    }
    Ok(event)
}

/// A history row as stored (`id, claim_id, at, actor, action, field, old_value, new_value,
/// note`), a creation's snapshot included.
pub(super) fn stored_history_event(r: &Row<'_>) -> sql::Result<HistoryEvent> {
    Ok(HistoryEvent {
        id: r.get(0)?,
        claim_id: r.get(1)?,
        at: r.get(2)?,
        actor: r.get(3)?,
        action: r.get(4)?,
        field: r.get(5)?,
        old_value: r.get(6)?,
        new_value: r.get(7)?,
        note: r.get(8)?,
    })
}

fn claim_from_row(r: &Row<'_>) -> sql::Result<Claim> {
    Ok(Claim {
        id: r.get(0)?,
        uid: r.get(1)?,
        text: r.get(2)?,
        translation: r.get(3)?,
        claimant: r.get(4)?,
        supported_by: split_list(r.get(5)?),
        disputed_by: split_list(r.get(6)?),
        status: r.get(7)?,
        figures: Vec::new(),
        location: r.get(8)?,
        claim_date: r.get(9)?,
        article_url: r.get(10)?,
        article_title: r.get(11)?,
        tags: split_list(r.get(12)?),
        note: r.get(13)?,
        created_at: r.get(14)?,
        created_by: r.get(15)?,
        updated_at: r.get(16)?,
        updated_by: r.get(17)?,
        version: r.get(18)?,
        verdict_reason: r.get(19)?,
    })
}

/// A figure from the columns of `figure_columns!` starting at column `at`.
fn figure_from_row(r: &Row<'_>, at: usize) -> sql::Result<Figure> {
    Ok(Figure {
        low: r.get(at)?,
        high: r.get(at + 1)?,
        unit: r.get(at + 2)?,
        qualifier: r.get(at + 3)?,
        words: r.get(at + 4)?,
    })
}

/// A claim's figures, in order.
fn load_figures(conn: &dyn Connection, id: i64) -> anyhow::Result<Vec<Figure>> {
    Ok(conn.query_map(FIGURES_OF_CLAIM, [id], |r| figure_from_row(r, 0))?)
}

fn load_claim(conn: &dyn Connection, id: i64) -> anyhow::Result<Option<Claim>> {
    let Some(mut claim) = conn
        .query_row(CLAIM_BY_ID, [id], claim_from_row)
        .optional()?
    else {
        return Ok(None);
    };
    claim.figures = load_figures(conn, id)?;
    Ok(Some(claim))
}

/// `;`-joined names from SQL back into a list (names and tags cannot contain `;`).
fn split_list(joined: Option<String>) -> Vec<String> {
    joined
        .filter(|j| !j.is_empty())
        .map(|j| j.split(';').map(str::to_owned).collect())
        .unwrap_or_default()
}

impl Store {
    /// The stored sources, other than the one named `name`, that one of whose names or aliases
    /// is one typo or one spelling away from `name` (see [`crate::fold::near_names`]): a new
    /// source that is probably a second way of writing one of them.
    pub fn sources_near(&self, name: &str) -> anyhow::Result<Vec<String>> {
        let key = model::source_key(name);
        let mut stmt = self.db().prepare_cached(
            "SELECT s.name, n.name FROM source_name n JOIN source s ON s.id = n.source_id
             WHERE s.id NOT IN (SELECT source_id FROM source_name WHERE key = ?1)
             ORDER BY s.name",
        )?;
        let mut near: Vec<String> = Vec::new();
        let rows = stmt.query_map([key], |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)))?;
        for row in rows {
            let (source, other) = row?;
            if near.last() != Some(&source) && crate::fold::near_names(name, &other) {
                near.push(source);
            }
        }
        Ok(near)
    }
}

/// Whether the database refused a change for breaking a constraint (a name made twice).
/// A claim's figure as the `figure` table stores it, in the column order of both its INSERT and
/// a staged import's COPY.
fn figure_row(claim_id: i64, position: i64, f: &Figure) -> [Value; 8] {
    let value = |v: &dyn sql::ToSql| v.to_sql().to_owned();
    [
        Value::Integer(claim_id),
        Value::Integer(position),
        Value::Real(f.low),
        Value::Real(f.high),
        value(&f.unit),
        Value::Text(f.unit_key()),
        value(&f.qualifier),
        value(&f.words),
    ]
}

/// The refusal of a source among the sources of the claim it made.
fn cites_itself(name: &str, id: i64) -> anyhow::Error {
    UserError::Refused(format!(
        "{name:?} made claim {id}; a claimant cannot support or dispute its own claim"
    ))
    .into()
}

/// The refusal of a source named twice among a claim's supporting and disputing sources.
fn listed_twice(name: &str) -> anyhow::Error {
    UserError::Refused(format!(
        "{name:?} is listed more than once among the supporting and disputing sources"
    ))
    .into()
}

fn broke_a_constraint(e: &anyhow::Error) -> bool {
    e.downcast_ref::<sql::Error>()
        .is_some_and(|e| e.kind() == sql::ErrorKind::Constraint)
}

fn find_source(conn: &dyn Connection, name: &str) -> anyhow::Result<Option<(i64, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.name FROM source_name n JOIN source s ON s.id = n.source_id
         WHERE n.key = ?1",
    )?;
    Ok(stmt
        .query_row([model::source_key(name)], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

fn insert_source(conn: &dyn Connection, name: &str, kind: SourceKind) -> anyhow::Result<i64> {
    let id: i64 = conn.query_row(
        "INSERT INTO source (name, kind, created_at) VALUES (?1, ?2, ?3) RETURNING id",
        params![name, kind, model::now()],
        |r| r.get(0),
    )?;
    conn.prepare_cached(
        "INSERT INTO source_name (key, name, source_id, is_alias) VALUES (?1, ?2, ?3, 0)",
    )?
    .execute(params![model::source_key(name), name, id])?;
    Ok(id)
}

/// Adds an alias; false when it already named this source, an error when it names another.
fn insert_alias(conn: &dyn Connection, id: i64, alias: &str) -> anyhow::Result<bool> {
    let alias = model::list_item("an alias", alias)?;
    if let Some((other, other_name)) = find_source(conn, &alias)? {
        if other == id {
            return Ok(false);
        }
        return Err(UserError::Invalid(InvalidValue::new(
            "a free alias",
            alias,
            format!("it already names the source {other_name:?}"),
        ))
        .into());
    }
    conn.prepare_cached(
        "INSERT INTO source_name (key, name, source_id, is_alias) VALUES (?1, ?2, ?3, 1)",
    )?
    .execute(params![model::source_key(&alias), alias, id])?;
    Ok(true)
}

fn text_hash(text: &str) -> i64 {
    // Stored, so the algorithm must never change: xxh3 is specified and stable.
    xxhash_rust::xxh3::xxh3_64(text.as_bytes()) as i64
}

/// A new claim's stable id: a UUIDv7, so ids sort by creation time.
fn new_uid() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod tests;
