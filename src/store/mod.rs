//! The only place that speaks SQL.
//!
//! Commands see a narrow set of domain operations (add a claim, apply a patch, cite a source,
//! list with a filter, import rows) and never a connection, so that a second backend (PostgreSQL
//! for newsroom teams) can sit behind the same operations later. Every operation that writes is
//! one transaction, and every change to a claim writes its history rows in that transaction.

mod chain;
pub mod merge;
pub mod reviews;
pub mod schema;
pub mod search;
pub mod similar;

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use rusqlite::types::Value;
use rusqlite::{
    params, Connection, OpenFlags, OptionalExtension, Row, Transaction, TransactionBehavior,
};

use crate::error::{InvalidValue, UserError};
use crate::model::{
    self, Action, Claim, ClaimDraft, ClaimPatch, Field, FieldChange, HistoryEvent, SourceKind,
    SourceSummary, Stance, StanceEntry, Status,
};

pub use reviews::{Mapped, ReviewImported};
pub use schema::Upgrade;

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
            "(SELECT group_concat(s.name, ';' ORDER BY st.id) FROM stance st
              JOIN source s ON s.id = st.source_id
              WHERE st.claim_id = c.id AND st.stance = '",
            $stance,
            "')"
        )
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
            ", c.status, c.value, c.unit, c.qualifier, c.location, c.claim_date, c.article_url,
             c.article_title, ",
            $tags,
            ", c.note, c.created_at, c.created_by, c.updated_at, c.updated_by, c.version
             FROM claim c JOIN source cs ON cs.id = c.claimant_id"
        )
    };
}

/// Every column of a [`Claim`], in the order [`claim_from_row`] reads them.
const CLAIM_SELECT: &str = claim_select!(
    stance_names!("supports"),
    stance_names!("disputes"),
    "(SELECT group_concat(tag, ';' ORDER BY tag) FROM claim_tag t WHERE t.claim_id = c.id)"
);

/// [`CLAIM_SELECT`] without its three lists, which [`Store::for_each_claim`] merges in from
/// [`ALL_STANCES`] and [`ALL_TAGS`] when it reads every claim.
const CLAIM_SELECT_BARE: &str = claim_select!("NULL", "NULL", "NULL");

/// Every stance by claim, in citation order.
const ALL_STANCES: &str = "SELECT st.claim_id, st.stance, s.name FROM stance st
                           JOIN source s ON s.id = st.source_id ORDER BY st.claim_id, st.id";

/// Every tag by claim, in tag order.
const ALL_TAGS: &str = "SELECT claim_id, tag FROM claim_tag ORDER BY claim_id, tag";

/// The page cache of an import, in KiB (negative for SQLite: a size, not a page count).
const IMPORT_CACHE_KIB: i64 = -48 * 1024;

/// The cache while the deferred indexes are built: SQLite's sorter may use as much again, and
/// peak memory must stay under 100 MB whatever the file's size.
const INDEX_BUILD_CACHE_KIB: i64 = -16 * 1024;

/// Triggers that an import into an empty database sets aside, filling what they keep once at the
/// end: the search index, `claim_count`, and each claim's count of disputing sources.
const DEFERRABLE_TRIGGERS: &[&str] = &[
    "claim_search_insert",
    "claim_search_update",
    "claim_search_stance_insert",
    "claim_search_name_insert",
    "claim_count_insert",
    "claim_count_update",
    "stance_disputes_insert",
];

/// Counts every visible claim into `claim_count` (after its triggers were set aside). New claims
/// were stored with the number of their disputing sources; a claim the same import changed later
/// may have gained one, so those counts are checked first (rewriting only what differs).
const REFILL_COUNTS: &str = "UPDATE claim SET disputes =
        (SELECT count(*) FROM stance s WHERE s.claim_id = claim.id AND s.stance = 'disputes')
    WHERE id IN (SELECT claim_id FROM stance WHERE stance = 'disputes')
      AND disputes <>
        (SELECT count(*) FROM stance s WHERE s.claim_id = claim.id AND s.stance = 'disputes');
    DELETE FROM claim_count;
    INSERT INTO claim_count (claimant_id, status, disputed, n)
    SELECT claimant_id, status, disputes > 0, count(*) FROM claim
    WHERE id NOT IN (SELECT dup_id FROM claim_merge)
    GROUP BY claimant_id, status, disputes > 0;";

/// Secondary indexes that an import never reads (it finds claims by uid, id and text hash, and
/// stances by claim): an import into an empty database builds them at the end.
const DEFERRABLE_INDEXES: &[&str] = &[
    "claim_by_status",
    "claim_by_claimant",
    "claim_tag_by_tag",
    "stance_by_source",
    "stance_by_kind",
];

/// How long a command waits for another writer before it gives up with "database is busy".
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// An open claimdb database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Opened read-only because the file is not writable: reads work, writes are refused.
    read_only: bool,
    busy_timeout: Duration,
}

/// What `audit` found.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Audit {
    /// History events checked.
    pub events: u64,
    /// The hash of the last event: write it down to detect later truncation.
    pub head: Option<String>,
    /// The first event whose hash does not match its content and predecessor.
    pub broken: Option<BrokenLink>,
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
}

/// What `add` did.
#[derive(Debug, Clone)]
pub struct Added {
    pub id: i64,
    /// Sources that did not exist and were created for this claim.
    pub new_sources: Vec<String>,
}

/// What a citation did.
#[derive(Debug, Clone, PartialEq)]
pub enum Cited {
    Added,
    /// The source already had a stance on the claim and it changed (or its quote or url did).
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
        if path.is_dir() {
            return Err(UserError::Refused(format!(
                "{} is a directory; --db needs the path of a database file",
                path.display()
            ))
            .into());
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("failed to create the folder {}", dir.display()))?;
        }
        // A file without write permission is opened read-only, so that reading works and a
        // write is refused with a clear message (rather than by SQLite half-way through).
        let read_only = std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly());
        let flags = if read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
        } else {
            OpenFlags::default()
        };
        let conn = Connection::open_with_flags(path, flags)
            .with_context(|| format!("failed to open the database {}", path.display()))?;
        let (mut store, upgrade) = Self::from_connection(conn, path, read_only)?;
        store.read_only = read_only;
        Ok((store, upgrade))
    }

    /// How long to wait for another process's write lock before giving up (default
    /// [`BUSY_TIMEOUT`]).
    pub fn set_busy_timeout(&mut self, timeout: Duration) -> anyhow::Result<()> {
        self.conn.busy_timeout(timeout)?;
        self.busy_timeout = timeout;
        Ok(())
    }

    /// The wait [`Store::set_busy_timeout`] set.
    pub fn busy_timeout(&self) -> Duration {
        self.busy_timeout
    }

    /// A private database in memory, for tests and fuzzing.
    pub fn open_in_memory() -> anyhow::Result<Store> {
        let conn = Connection::open_in_memory()?;
        Ok(Self::from_connection(conn, Path::new(":memory:"), false)?.0)
    }

    fn from_connection(
        mut conn: Connection,
        path: &Path,
        read_only: bool,
    ) -> anyhow::Result<(Store, Upgrade)> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        search::register_functions(&conn)?;
        let upgrade = if read_only {
            schema::check_current(&conn, path)?;
            Upgrade::None
        } else {
            schema::migrate(&mut conn, path)?
        };
        if upgrade == Upgrade::Created {
            // WAL lets readers work while one process writes; the mode is kept in the file, so it
            // is set once, when the database is made.
            conn.pragma_update_and_check(None, "journal_mode", "wal", |_| Ok(()))?;
        } else if !read_only {
            // A bulk import into an empty database runs under a rollback journal and switches
            // back at the end; if it was killed before that, the next open puts WAL back (when
            // no one else has the database open; otherwise a later one will).
            let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                let _ = conn.pragma_update_and_check(None, "journal_mode", "wal", |_| Ok(()));
            }
        }
        if !read_only {
            // Safe with WAL: a crash can lose the last commit, never corrupt the database.
            conn.pragma_update(None, "synchronous", "normal")?;
        }
        Ok((
            Store {
                conn,
                path: path.to_owned(),
                read_only,
                busy_timeout: BUSY_TIMEOUT,
            },
            upgrade,
        ))
    }

    /// Where the database lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn write(&mut self) -> anyhow::Result<Transaction<'_>> {
        if self.read_only {
            return Err(UserError::Refused(format!(
                "{} is read-only (the file has no write permission): reading works, but this \
                 command changes the database; ask for write access or use a copy",
                self.path.display()
            ))
            .into());
        }
        // IMMEDIATE takes the write lock up front, so two writers queue on the busy timeout
        // instead of one failing half-way when it upgrades a read lock.
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    // ----- claims: reading -------------------------------------------------------------------

    /// One claim, or `ClaimNotFound`.
    pub fn claim(&self, id: i64) -> anyhow::Result<Claim> {
        load_claim(&self.conn, id)?.ok_or_else(|| UserError::ClaimNotFound(id).into())
    }

    /// The sources that support or dispute a claim, oldest first.
    pub fn stances(&self, id: i64) -> anyhow::Result<Vec<StanceEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.name, st.stance, st.quote, st.url, st.created_at, st.created_by
             FROM stance st JOIN source s ON s.id = st.source_id
             WHERE st.claim_id = ?1 ORDER BY st.id",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(StanceEntry {
                source: r.get(0)?,
                stance: r.get(1)?,
                quote: r.get(2)?,
                url: r.get(3)?,
                created_at: r.get(4)?,
                created_by: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Everything that happened to a claim, oldest first, with the history of the duplicates
    /// merged into it (each row names its claim).
    pub fn history(&self, id: i64) -> anyhow::Result<Vec<HistoryEvent>> {
        self.claim(id)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, claim_id, at, actor, action, field, old_value, new_value, note
             FROM history
             WHERE claim_id = ?1 OR claim_id IN (SELECT dup_id FROM claim_merge WHERE keep_id = ?1)
             ORDER BY id",
        )?;
        let rows = stmt.query_map([id], |r| {
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
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
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
            && filter.limit.is_none();
        if everything {
            return self.for_every_claim(visit);
        }
        let (condition, mut values) = self.filter_sql(filter)?;
        if let Some(query) = &filter.search {
            // One kind of match after the other (see `search`), each ranked by bm25.
            let sql = format!(
                "{CLAIM_SELECT} JOIN claim_search ON claim_search.rowid = c.id
                 WHERE claim_search MATCH ? AND {condition} ORDER BY {}, c.id LIMIT ?",
                search::BM25
            );
            let mut stmt = self.conn.prepare(&sql)?;
            let mut remaining = filter
                .limit
                .map_or(i64::MAX, |l| i64::try_from(l).unwrap_or(i64::MAX));
            for kind in self.fts_kinds(query)? {
                if remaining <= 0 {
                    break;
                }
                let mut kind_values = values.clone();
                kind_values.insert(0, Value::Text(kind));
                kind_values.push(Value::Integer(remaining));
                let mut rows = stmt.query(rusqlite::params_from_iter(kind_values))?;
                while let Some(row) = rows.next()? {
                    visit(claim_from_row(row)?)?;
                    remaining -= 1;
                }
            }
            return Ok(());
        }
        let mut sql = format!("{CLAIM_SELECT} WHERE {condition} ORDER BY c.id");
        if let Some(limit) = filter.limit {
            sql.push_str(" LIMIT ?");
            values.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        }
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(values))?;
        while let Some(row) = rows.next()? {
            visit(claim_from_row(row)?)?;
        }
        Ok(())
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
        let count: i64 = self
            .conn
            .query_row(&sql, rusqlite::params_from_iter(values), |r| r.get(0))?;
        let count = u64::try_from(count).unwrap_or(0);
        Ok(filter.limit.map_or(count, |limit| count.min(limit)))
    }

    /// Every claim, in id order: three sequential reads (claims, stances, tags) merged by claim
    /// id, where the filtered path runs three subqueries per claim. An export of a million
    /// claims takes a third less time.
    fn for_every_claim(
        &self,
        mut visit: impl FnMut(Claim) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut claims = self.conn.prepare(&format!(
            "{CLAIM_SELECT_BARE} WHERE {NOT_MERGED} ORDER BY c.id"
        ))?;
        let mut stances = self.conn.prepare(ALL_STANCES)?;
        let mut tags = self.conn.prepare(ALL_TAGS)?;
        let mut claims = claims.query([])?;
        let mut stances = stances.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Stance>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut tags = tags.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        let (mut stance, mut tag) = (stances.next().transpose()?, tags.next().transpose()?);
        while let Some(row) = claims.next()? {
            let mut claim = claim_from_row(row)?;
            while let Some((claim_id, kind, name)) = stance.take() {
                if claim_id > claim.id {
                    stance = Some((claim_id, kind, name));
                    break;
                }
                if claim_id == claim.id {
                    match kind {
                        Stance::Supports => claim.supported_by.push(name),
                        Stance::Disputes => claim.disputed_by.push(name),
                    }
                }
                stance = stances.next().transpose()?;
            }
            while let Some((claim_id, name)) = tag.take() {
                if claim_id > claim.id {
                    tag = Some((claim_id, name));
                    break;
                }
                if claim_id == claim.id {
                    claim.tags.push(name);
                }
                tag = tags.next().transpose()?;
            }
            visit(claim)?;
        }
        Ok(())
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
        if filter.disputed {
            conditions.push(DISPUTED.to_owned());
        }
        if let Some(name) = &filter.source {
            let id = find_source(&self.conn, name)?
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
            conditions.push(
                "c.id IN (SELECT claim_id FROM review WHERE publisher_key = ? OR lower(site) = ?)"
                    .to_owned(),
            );
            values.push(Value::Text(model::source_key(publisher)));
            values.push(Value::Text(publisher.trim().to_lowercase()));
        }
        Ok((conditions.join(" AND "), values))
    }

    /// Counts by status and by claimant, and how many claims are disputed.
    pub fn stats(&self) -> anyhow::Result<Stats> {
        // All from `claim_count`, a few rows per claimant kept exact by triggers.
        let claims =
            self.conn
                .query_row("SELECT coalesce(sum(n), 0) FROM claim_count", [], |r| {
                    r.get(0)
                })?;
        let disputed = self.conn.query_row(
            "SELECT coalesce(sum(n), 0) FROM claim_count
             WHERE status = 'disputed' OR (status IN ('unverified', 'in_review') AND disputed)",
            [],
            |r| r.get(0),
        )?;
        let mut stmt = self
            .conn
            .prepare("SELECT status, sum(n) FROM claim_count GROUP BY status HAVING sum(n) > 0")?;
        let mut by_status: Vec<(Status, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        by_status.sort();
        let mut stmt = self.conn.prepare(
            "SELECT s.name, t.n FROM (SELECT claimant_id, sum(n) AS n FROM claim_count
                                      GROUP BY claimant_id HAVING sum(n) > 0) t
             JOIN source s ON s.id = t.claimant_id ORDER BY t.n DESC, s.name",
        )?;
        let by_claimant = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
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
        let tx = self.write()?;
        let mut w = Writer::new(&tx, actor);
        let now = model::now();
        let id = w.insert_claim(
            None,
            None,
            draft,
            [(&now, actor), (&now, actor)],
            Action::Create,
            None,
            0,
        )?;
        for (name, stance) in stances {
            w.cite(id, name, *stance, None, None, None)?;
        }
        let new_sources = w.new_sources;
        tx.commit()?;
        Ok(Added { id, new_sources })
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
        let tx = self.write()?;
        let mut w = Writer::new(&tx, actor);
        if let Some(expected) = expected_version {
            w.check_version(id, expected)?;
        }
        let changes = w.update_claim(id, patch, action, reason, true)?;
        tx.commit()?;
        Ok(changes)
    }

    /// Records that `source` supports or disputes claim `id`, with optional evidence.
    pub fn cite(
        &mut self,
        id: i64,
        source: &str,
        stance: Stance,
        quote: Option<&str>,
        url: Option<&str>,
        actor: &str,
    ) -> anyhow::Result<(Cited, Vec<String>)> {
        let tx = self.write()?;
        let mut w = Writer::new(&tx, actor);
        let cited = w.cite(id, source, stance, quote, url, None)?;
        let new_sources = w.new_sources;
        tx.commit()?;
        Ok((cited, new_sources))
    }

    /// Runs an import in one transaction. `run` feeds rows to the [`Importer`] and returns
    /// whether to keep them: all or nothing.
    pub fn import<T>(
        &mut self,
        actor: &str,
        run: impl FnOnce(&mut Importer<'_, '_>) -> anyhow::Result<(T, bool)>,
    ) -> anyhow::Result<(T, Vec<String>)> {
        // A bulk load touches far more pages than the default 2 MB cache holds; a bounded
        // 48 MB cache keeps the hot index pages in memory without growing with the file.
        let cache_size: i64 = self
            .conn
            .pragma_query_value(None, "cache_size", |r| r.get(0))?;
        self.conn
            .pragma_update(None, "cache_size", IMPORT_CACHE_KIB)?;
        // Every CHECKed column of an imported row is written from a typed value (Status,
        // Qualifier, Stance, Action) or a validated draft, so the CHECKs cannot fail here; SQLite
        // evaluates each `IN (…)` list through a temporary b-tree per row, a tenth of the import.
        self.conn
            .pragma_update(None, "ignore_check_constraints", true)?;
        let journal = self.bulk_journal()?;
        let result = self.import_in_transaction(actor, run);
        if let Some(mode) = journal {
            // Best effort: the import is committed (or rolled back) either way, and a database
            // left in rollback-journal mode is still correct, only less concurrent.
            let _ = self
                .conn
                .pragma_update_and_check(None, "journal_mode", &mode, |_| Ok(()));
        }
        self.conn
            .pragma_update(None, "ignore_check_constraints", false)?;
        self.conn.pragma_update(None, "cache_size", cache_size)?;
        result
    }

    /// Before an import into a database without claims, leaves WAL for a rollback journal and
    /// returns the mode to go back to. In WAL every page of the load is written twice (to the
    /// log, then into the database at the checkpoint); a rollback journal saves only pages that
    /// existed before the transaction, so a load into an empty database is written once and is
    /// still all or nothing. Readers wait during such a load; there is nothing for them to read.
    /// When another connection holds the database, SQLite refuses the switch and the import
    /// stays in WAL.
    fn bulk_journal(&mut self) -> anyhow::Result<Option<String>> {
        let empty: bool =
            self.conn
                .query_row("SELECT NOT EXISTS (SELECT 1 FROM claim)", [], |r| r.get(0))?;
        if !empty {
            return Ok(None);
        }
        let mode: String = self
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Ok(None);
        }
        let switched = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "delete", |r| r.get::<_, String>(0))
            .is_ok_and(|now| now.eq_ignore_ascii_case("delete"));
        Ok(switched.then_some(mode))
    }

    fn import_in_transaction<T>(
        &mut self,
        actor: &str,
        run: impl FnOnce(&mut Importer<'_, '_>) -> anyhow::Result<(T, bool)>,
    ) -> anyhow::Result<(T, Vec<String>)> {
        let tx = self.write()?;
        let was_empty: bool =
            tx.query_row("SELECT NOT EXISTS (SELECT 1 FROM claim)", [], |r| r.get(0))?;
        // Into an empty database, the indexes the import never reads are built once at the end
        // (a sort, and full pages) instead of row by row; the DDL is part of the transaction, so
        // a failed or dry-run import leaves them as they were.
        let deferred = if was_empty {
            defer_index_builds(&tx)?
        } else {
            Deferred::default()
        };
        let mut importer = Importer {
            w: Writer::new(&tx, actor),
            now: model::now(),
            added: Default::default(),
            added_filter: was_empty.then(AddedFilter::new),
            counts_disputes: deferred
                .triggers
                .iter()
                .any(|sql| sql.contains("stance_disputes_insert")),
        };
        let (result, keep) = run(&mut importer)?;
        let new_sources = std::mem::take(&mut importer.w.new_sources);
        drop(importer);
        if keep {
            deferred.finish(&tx)?;
            tx.commit()?;
        } else {
            tx.rollback()?;
        }
        Ok((result, new_sources))
    }

    // ----- integrity ---------------------------------------------------------------------------

    /// Checks the history's hash chain from the first event to the last.
    pub fn audit(&self) -> anyhow::Result<Audit> {
        let mut stmt = self.conn.prepare(
            "SELECT id, claim_id, at, actor, action, field, old_value, new_value, note, hash
             FROM history ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        let mut previous = String::new();
        let mut events = 0;
        let mut expected_id = 1;
        while let Some(r) = rows.next()? {
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
                return Ok(Audit {
                    events,
                    head: Some(previous).filter(|p| !p.is_empty()),
                    broken: Some(BrokenLink {
                        event: id,
                        claim_id,
                    }),
                });
            }
            previous = recomputed;
            events += 1;
            expected_id = id + 1;
        }
        Ok(Audit {
            events,
            head: Some(previous).filter(|p| !p.is_empty()),
            broken: None,
        })
    }

    /// Writes a consistent copy of the database to `target` with SQLite's online backup, while
    /// other processes go on writing. The copy appears under its name only once complete.
    pub fn backup(&self, target: &Path, mut progress: impl FnMut(u64, u64)) -> anyhow::Result<()> {
        let dir = target
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let temp = tempfile::Builder::new()
            .prefix(".claimdb-backup")
            .tempfile_in(dir)
            .with_context(|| format!("failed to create a file in {}", dir.display()))?;
        {
            let mut copy = Connection::open(temp.path())?;
            let backup = rusqlite::backup::Backup::new(&self.conn, &mut copy)?;
            // Small steps release the read lock often, so writers are never held up for long;
            // a step that finds the source busy or changed is simply retried.
            loop {
                use rusqlite::backup::StepResult;
                match backup.step(256)? {
                    StepResult::Done => break,
                    StepResult::More | StepResult::Busy | StepResult::Locked => {
                        let p = backup.progress();
                        let total = u64::try_from(p.pagecount).unwrap_or(0);
                        let left = u64::try_from(p.remaining).unwrap_or(0);
                        progress(total - left.min(total), total);
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    _ => std::thread::sleep(Duration::from_millis(1)),
                }
            }
            drop(backup);
            copy.execute_batch("PRAGMA journal_mode = wal")?;
        }
        temp.persist(target)
            .with_context(|| format!("failed to write {}", target.display()))?;
        Ok(())
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
        let tx = self.write()?;
        if let Some((_, existing)) = find_source(&tx, &name)? {
            return Err(UserError::Refused(format!(
                "source {name:?} already exists (as {existing:?}); change its kind with \
                 `claimdb source edit`"
            ))
            .into());
        }
        let id = insert_source(&tx, &name, kind)?;
        for alias in aliases {
            insert_alias(&tx, id, alias)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Lets `alias` name the source `name` from now on.
    pub fn add_alias(&mut self, name: &str, alias: &str) -> anyhow::Result<bool> {
        let tx = self.write()?;
        let (id, _) =
            find_source(&tx, name)?.ok_or_else(|| UserError::SourceNotFound(name.to_owned()))?;
        let added = insert_alias(&tx, id, alias)?;
        tx.commit()?;
        Ok(added)
    }

    /// Changes what kind of body a source is.
    pub fn set_source_kind(&mut self, name: &str, kind: SourceKind) -> anyhow::Result<()> {
        let tx = self.write()?;
        let (id, _) =
            find_source(&tx, name)?.ok_or_else(|| UserError::SourceNotFound(name.to_owned()))?;
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
        let (id, _) = find_source(&self.conn, name)?
            .ok_or_else(|| UserError::SourceNotFound(name.to_owned()))?;
        self.source_summaries(Some(id))?
            .pop()
            .ok_or_else(|| UserError::SourceNotFound(name.to_owned()).into())
    }

    fn source_summaries(&self, only: Option<i64>) -> anyhow::Result<Vec<SourceSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT s.name, s.kind,
                    (SELECT group_concat(n.name, ';' ORDER BY n.name) FROM source_name n
                      WHERE n.source_id = s.id AND n.is_alias = 1),
                    (SELECT count(*) FROM claim c WHERE c.claimant_id = s.id
                      AND c.id NOT IN (SELECT dup_id FROM claim_merge)),
                    (SELECT count(*) FROM stance t WHERE t.source_id = s.id AND t.stance = 'supports'),
                    (SELECT count(*) FROM stance t WHERE t.source_id = s.id AND t.stance = 'disputes')
             FROM source s WHERE ?1 IS NULL OR s.id = ?1 ORDER BY s.name COLLATE NOCASE",
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
pub struct Importer<'t, 'c> {
    w: Writer<'t, 'c>,
    now: String,
    /// Claims this import created, which are not "stored claims" a row can duplicate.
    added: std::collections::HashSet<i64>,
    /// When the database had no claims at the start: the text and claimant of every claim this
    /// import added, so that a row that matches none of them skips the lookup.
    added_filter: Option<AddedFilter>,
    /// The trigger that counts disputing sources is set aside: new claims carry their count.
    counts_disputes: bool,
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

impl Importer<'_, '_> {
    /// Adds the row as a new claim, or updates the claim it names (by uid, else by the same text
    /// and claimant). `origin` says where the row came from, for history ("claims.csv line 4").
    pub fn upsert(&mut self, row: &ImportRow, origin: &str) -> anyhow::Result<Imported> {
        let note = format!("import of {origin}");
        let existing = match &row.uid {
            Some(uid) => self.w.claim_by_uid(uid)?,
            None => None,
        };
        if let (Some(uid), Some(keep)) = (&row.uid, existing) {
            if self.w.uid_was_merged(uid)? {
                let note = format!("{note} (uid {uid} was merged into this claim)");
                return Ok(if merge::fold_row_into(&mut self.w, keep, row, &note)? {
                    Imported::Updated(keep)
                } else {
                    Imported::Unchanged(keep)
                });
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
                        cited |= self.w.cite(id, name, stance, None, None, Some(&note))?
                            != Cited::Unchanged;
                    }
                }
                if changed || cited {
                    Imported::Updated(id)
                } else {
                    Imported::Unchanged(id)
                }
            }
            None => {
                let mut draft = ClaimDraft::default();
                row.patch.apply_to(&mut draft);
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
                    Some(id) if !self.w.claim_exists(id)? => Some(id),
                    _ => None,
                };
                // With the stance triggers set aside, the claim is stored with the number of
                // sources disputing it, which are added just below.
                let disputes = if self.counts_disputes {
                    i64::try_from(row.disputed_by.len()).unwrap_or(i64::MAX)
                } else {
                    0
                };
                let id = self.w.insert_claim(
                    id,
                    row.uid.as_deref(),
                    &draft,
                    [(&created.0, &created.1), (&updated.0, &updated.1)],
                    Action::Import,
                    Some(&note),
                    disputes,
                )?;
                for (names, stance) in [
                    (&row.supported_by, Stance::Supports),
                    (&row.disputed_by, Stance::Disputes),
                ] {
                    for name in names {
                        self.w
                            .add_stance(id, &draft.claimant, name, stance, &updated)?;
                    }
                }
                self.added.insert(id);
                if let Some(added) = &mut self.added_filter {
                    let (claimant_id, _) = self.w.resolve_source(&draft.claimant)?;
                    added.insert(&draft.text, claimant_id);
                }
                Imported::Added(id)
            }
        };
        Ok(imported)
    }

    /// Claims stored before this import that look like claim `id` (just imported), most
    /// similar first, with their similarity.
    pub fn similar_stored(&self, id: i64, limit: usize) -> anyhow::Result<Vec<(i64, f64)>> {
        let claim = load_claim(self.w.tx, id)?.ok_or(UserError::ClaimNotFound(id))?;
        similar::similar_claims(
            self.w.tx,
            &claim.text,
            claim.translation.as_deref(),
            &|other| self.added.contains(&other),
            limit,
        )
    }
}

/// The claim a uid names: the claim that has it, or the claim it was merged into, so that
/// re-importing a merged duplicate updates the claim kept.
const MERGED_UID_LOOKUP: &str =
    "SELECT coalesce((SELECT keep_id FROM claim_merge WHERE dup_id = c.id), c.id)
     FROM claim c WHERE uid = ?1";

/// The write operations shared by single commands and imports, inside one transaction.
struct Writer<'t, 'c> {
    tx: &'t Transaction<'c>,
    actor: &'t str,
    /// Sources by folded name, so that a million-row import resolves each name once.
    source_cache: HashMap<String, (i64, String)>,
    /// The same by the name as written, which spares folding (NFKC) a name seen before.
    written_cache: HashMap<String, (i64, String)>,
    new_sources: Vec<String>,
    /// The id and hash of the last history event, read once per transaction (the write lock
    /// guarantees nobody else appends meanwhile).
    chain_head: Option<(i64, String)>,
}

impl<'t, 'c> Writer<'t, 'c> {
    fn new(tx: &'t Transaction<'c>, actor: &'t str) -> Self {
        Writer {
            tx,
            actor,
            source_cache: HashMap::new(),
            written_cache: HashMap::new(),
            new_sources: Vec::new(),
            chain_head: None,
        }
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
            None => {
                let id = insert_source(self.tx, &name, SourceKind::Other)?;
                self.new_sources.push(name.clone());
                (id, name)
            }
        };
        self.source_cache.insert(key, found.clone());
        Ok(found)
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
        let mut stmt = self.tx.prepare_cached(
            "SELECT coalesce((SELECT keep_id FROM claim_merge WHERE dup_id = c.id), c.id)
             FROM claim c WHERE text_hash = ?1 AND text = ?2 AND claimant_id = ?3
             ORDER BY id LIMIT 1",
        )?;
        Ok(stmt
            .query_row(params![text_hash(text), text, claimant_id], |r| r.get(0))
            .optional()?)
    }

    /// Stores a new claim; without `uid` it gets a fresh one (which no claim can have yet, so it
    /// is not looked up).
    #[allow(clippy::too_many_arguments)]
    fn insert_claim(
        &mut self,
        id: Option<i64>,
        uid: Option<&str>,
        draft: &ClaimDraft,
        [(created_at, created_by), (updated_at, updated_by)]: [(&str, &str); 2],
        action: Action,
        note: Option<&str>,
        disputes: i64,
    ) -> anyhow::Result<i64> {
        let (claimant_id, _) = self.resolve_source(&draft.claimant)?;
        let fresh;
        let uid = match uid {
            Some(uid) => {
                if self.claim_by_uid(uid)?.is_some() {
                    return Err(UserError::Refused(format!(
                        "uid {uid:?} is already used by another claim"
                    ))
                    .into());
                }
                uid
            }
            None => {
                fresh = new_uid();
                &fresh
            }
        };
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO claim (id, uid, text, text_hash, translation, claimant_id, status, value,
                 unit, qualifier, location, claim_date, article_url, article_title, note,
                 created_at, created_by, updated_at, updated_by, disputes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19, ?20)",
        )?;
        stmt.execute(params![
            id,
            uid,
            draft.text,
            text_hash(&draft.text),
            draft.translation,
            claimant_id,
            draft.status,
            draft.value,
            draft.unit,
            draft.qualifier,
            draft.location,
            draft.claim_date,
            draft.article_url,
            draft.article_title,
            draft.note,
            created_at,
            created_by,
            updated_at,
            updated_by,
            disputes,
        ])?;
        let id = self.tx.last_insert_rowid();
        // A new claim has no tags to replace.
        self.insert_tags(id, &draft.tags)?;
        self.record(id, action, None, note)?;
        Ok(id)
    }

    fn set_tags(&self, id: i64, tags: &[String]) -> anyhow::Result<()> {
        self.tx
            .prepare_cached("DELETE FROM claim_tag WHERE claim_id = ?1")?
            .execute([id])?;
        self.insert_tags(id, tags)
    }

    fn insert_tags(&self, id: i64, tags: &[String]) -> anyhow::Result<()> {
        let mut insert = self
            .tx
            .prepare_cached("INSERT OR IGNORE INTO claim_tag (claim_id, tag) VALUES (?1, ?2)")?;
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
        patch.apply_to(&mut after);
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
            return Err(UserError::Refused(format!(
                "{:?} is a verdict and needs a reason: add --note \"why\" (e.g. the evidence that \
                 settles it)",
                after.status.as_str()
            ))
            .into());
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
                     status = ?6, value = ?7, unit = ?8, qualifier = ?9, location = ?10,
                     claim_date = ?11, article_url = ?12, article_title = ?13, note = ?14,
                     updated_at = ?15, updated_by = ?16, version = version + 1
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                after.text,
                text_hash(&after.text),
                after.translation,
                claimant_id,
                after.status,
                after.value,
                after.unit,
                after.qualifier,
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
        for change in &changes {
            self.record(id, action, Some(change), reason)?;
        }
        Ok(changes)
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
    ) -> anyhow::Result<()> {
        let (claimant_id, _) = self.resolve_source(claimant)?;
        let (source_id, canonical) = self.resolve_source(name)?;
        if claimant_id == source_id {
            return Err(UserError::Refused(format!(
                "{canonical:?} made claim {id}; a claimant cannot support or dispute its own claim"
            ))
            .into());
        }
        let inserted = self
            .tx
            .prepare_cached(
                "INSERT INTO stance (claim_id, source_id, stance, created_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (claim_id, source_id) DO NOTHING",
            )?
            .execute(params![id, source_id, stance, updated_at, updated_by])?;
        if inserted == 0 {
            return Err(UserError::Refused(format!(
                "{canonical:?} is listed more than once among the supporting and disputing sources"
            ))
            .into());
        }
        Ok(())
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
            return Err(UserError::Refused(format!(
                "{name:?} made claim {id}; a claimant cannot support or dispute its own claim"
            ))
            .into());
        }
        Ok(())
    }

    /// Records a stance (new, changed, or the same), with its history.
    fn cite(
        &mut self,
        id: i64,
        name: &str,
        stance: Stance,
        quote: Option<&str>,
        url: Option<&str>,
        note: Option<&str>,
    ) -> anyhow::Result<Cited> {
        self.check_not_merged(id)?;
        let (source_id, canonical) = self.resolve_source(name)?;
        self.check_not_claimant(id, source_id, &canonical)?;
        let before_lists = self.stance_lists(id)?;
        let existing: Option<(Stance, Option<String>, Option<String>)> = self
            .tx
            .prepare_cached(
                "SELECT stance, quote, url FROM stance WHERE claim_id = ?1 AND source_id = ?2",
            )?
            .query_row(params![id, source_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        let now = model::now();
        let cited = match existing {
            None => {
                self.tx
                    .prepare_cached(
                        "INSERT INTO stance (claim_id, source_id, stance, quote, url, created_at,
                             created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    )?
                    .execute(params![id, source_id, stance, quote, url, now, self.actor])?;
                Cited::Added
            }
            Some((old_stance, old_quote, old_url)) => {
                // Evidence given now replaces the old; evidence not given is kept.
                let quote = quote.map(str::to_owned).or(old_quote.clone());
                let url = url.map(str::to_owned).or(old_url.clone());
                if (old_stance, &old_quote, &old_url) == (stance, &quote, &url) {
                    return Ok(Cited::Unchanged);
                }
                self.tx
                    .prepare_cached(
                        "UPDATE stance SET stance = ?3, quote = ?4, url = ?5
                         WHERE claim_id = ?1 AND source_id = ?2",
                    )?
                    .execute(params![id, source_id, stance, quote, url])?;
                Cited::Changed
            }
        };
        let after_lists = self.stance_lists(id)?;
        let mut changes = Vec::new();
        for (field, (old, new)) in [Field::SupportedBy, Field::DisputedBy]
            .into_iter()
            .zip(before_lists.into_iter().zip(after_lists))
        {
            if old != new {
                changes.push(FieldChange { field, old, new });
            }
        }
        let why = note.map(str::to_owned).or_else(|| {
            let evidence: Vec<&str> = [quote, url].into_iter().flatten().collect();
            (!evidence.is_empty()).then(|| evidence.join(" — "))
        });
        if changes.is_empty() {
            // Only the evidence changed.
            changes.push(FieldChange {
                field: if stance == Stance::Supports {
                    Field::SupportedBy
                } else {
                    Field::DisputedBy
                },
                old: canonical.clone(),
                new: canonical.clone(),
            });
        }
        for change in &changes {
            self.record(id, Action::Cite, Some(change), why.as_deref())?;
        }
        self.tx
            .prepare_cached(
                "UPDATE claim SET updated_at = ?2, updated_by = ?3, version = version + 1
                 WHERE id = ?1",
            )?
            .execute(params![id, now, self.actor])?;
        Ok(cited)
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
                r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
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
        let (last_id, last_hash) = match self.chain_head.take() {
            Some(head) => head,
            None => self
                .tx
                .query_row(
                    "SELECT id, hash FROM history ORDER BY id DESC LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?
                .unwrap_or((0, String::new())),
        };
        let event_id = last_id + 1;
        let at = model::now();
        let field = change.map(|c| c.field.as_str());
        let event = chain::Event {
            id: event_id,
            claim_id: id,
            at: &at,
            actor: self.actor,
            action: action.as_str(),
            field,
            old_value: change.map(|c| c.old.as_str()),
            new_value: change.map(|c| c.new.as_str()),
            note,
        };
        let hash = chain::link(&last_hash, &event);
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
        Ok(())
    }
}

fn claim_from_row(r: &Row<'_>) -> rusqlite::Result<Claim> {
    Ok(Claim {
        id: r.get(0)?,
        uid: r.get(1)?,
        text: r.get(2)?,
        translation: r.get(3)?,
        claimant: r.get(4)?,
        supported_by: split_list(r.get(5)?),
        disputed_by: split_list(r.get(6)?),
        status: r.get(7)?,
        value: r.get(8)?,
        unit: r.get(9)?,
        qualifier: r.get(10)?,
        location: r.get(11)?,
        claim_date: r.get(12)?,
        article_url: r.get(13)?,
        article_title: r.get(14)?,
        tags: split_list(r.get(15)?),
        note: r.get(16)?,
        created_at: r.get(17)?,
        created_by: r.get(18)?,
        updated_at: r.get(19)?,
        updated_by: r.get(20)?,
        version: r.get(21)?,
    })
}

fn load_claim(conn: &Connection, id: i64) -> anyhow::Result<Option<Claim>> {
    let mut stmt = conn.prepare_cached(&format!("{CLAIM_SELECT} WHERE c.id = ?1"))?;
    Ok(stmt.query_row([id], claim_from_row).optional()?)
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
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.name, n.name FROM source_name n JOIN source s ON s.id = n.source_id
             WHERE s.id NOT IN (SELECT source_id FROM source_name WHERE key = ?1)
             ORDER BY s.name",
        )?;
        let mut near: Vec<String> = Vec::new();
        let rows = stmt.query_map([key], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        for row in rows {
            let (source, other) = row?;
            if near.last() != Some(&source) && crate::fold::near_names(name, &other) {
                near.push(source);
            }
        }
        Ok(near)
    }
}

fn find_source(conn: &Connection, name: &str) -> anyhow::Result<Option<(i64, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.name FROM source_name n JOIN source s ON s.id = n.source_id
         WHERE n.key = ?1",
    )?;
    Ok(stmt
        .query_row([model::source_key(name)], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

fn insert_source(conn: &Connection, name: &str, kind: SourceKind) -> anyhow::Result<i64> {
    conn.prepare_cached("INSERT INTO source (name, kind, created_at) VALUES (?1, ?2, ?3)")?
        .execute(params![name, kind, model::now()])?;
    let id = conn.last_insert_rowid();
    conn.prepare_cached(
        "INSERT INTO source_name (key, name, source_id, is_alias) VALUES (?1, ?2, ?3, 0)",
    )?
    .execute(params![model::source_key(name), name, id])?;
    Ok(id)
}

/// Adds an alias; false when it already named this source, an error when it names another.
fn insert_alias(conn: &Connection, id: i64, alias: &str) -> anyhow::Result<bool> {
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

/// Drops the [`DEFERRABLE_INDEXES`] and returns the statements that create them again, exactly as
/// the schema has them.
/// Drops what an import into an empty database builds faster once at the end: the secondary
/// indexes it never reads, and the triggers that fold each new claim into the search index.
fn defer_index_builds(tx: &Transaction<'_>) -> anyhow::Result<Deferred> {
    let mut deferred = Deferred::default();
    let stored_sql = |kind: &str, name: &str| -> anyhow::Result<Option<String>> {
        let sql: Option<String> = tx
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE type = ?1 AND name = ?2",
                [kind, name],
                |r| r.get(0),
            )
            .optional()?;
        if sql.is_some() {
            tx.execute_batch(&format!("DROP {} \"{name}\"", kind.to_uppercase()))?;
        }
        Ok(sql)
    };
    for name in DEFERRABLE_INDEXES {
        deferred.indexes.extend(stored_sql("index", name)?);
    }
    for name in DEFERRABLE_TRIGGERS {
        deferred.triggers.extend(stored_sql("trigger", name)?);
    }
    Ok(deferred)
}

/// What [`defer_index_builds`] dropped, as the SQL that makes it again.
#[derive(Default)]
struct Deferred {
    indexes: Vec<String>,
    triggers: Vec<String>,
}

impl Deferred {
    /// Builds the indexes and the search index in one pass each, then restores the triggers;
    /// inside the import's transaction, so the database never holds one without the other.
    fn finish(self, tx: &Transaction<'_>) -> anyhow::Result<()> {
        if self.indexes.is_empty() && self.triggers.is_empty() {
            return Ok(());
        }
        tx.pragma_update(None, "cache_size", INDEX_BUILD_CACHE_KIB)?;
        for sql in &self.indexes {
            tx.execute_batch(sql)?;
        }
        if !self.triggers.is_empty() {
            search::rebuild_index(tx, std::io::stderr().is_terminal())?;
            tx.execute_batch(REFILL_COUNTS)?;
            for sql in &self.triggers {
                tx.execute_batch(sql)?;
            }
        }
        Ok(())
    }
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
