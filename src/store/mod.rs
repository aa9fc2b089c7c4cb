//! The only place that speaks SQL.
//!
//! Commands see a narrow set of domain operations (add a claim, apply a patch, cite a source,
//! list with a filter, import rows) and never a connection, so that a second backend (PostgreSQL
//! for newsroom teams) can sit behind the same operations later. Every operation that writes is
//! one transaction, and every change to a claim writes its history rows in that transaction.

pub mod schema;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};

use crate::error::{InvalidValue, UserError};
use crate::model::{
    self, Action, Claim, ClaimDraft, ClaimPatch, Field, FieldChange, HistoryEvent, SourceKind,
    SourceSummary, Stance, StanceEntry, Status,
};

pub use schema::Upgrade;

/// Claims whose conflict an editor must see: status `disputed`, or no verdict yet and at least
/// one disputing source.
///
/// The unary `+` keeps SQLite from answering the OR with two index searches and a sort of every
/// match (seconds at a million claims); read in id order instead, `list --disputed --limit 50`
/// stops after a few hundred rows. EXISTS probes one claim's stances where `IN (SELECT …)` would
/// first collect every disputed claim id.
const DISPUTED: &str = "(+c.status = 'disputed' OR (+c.status IN ('unverified', 'in_review') AND \
                        EXISTS (SELECT 1 FROM stance d WHERE d.claim_id = c.id \
                        AND d.stance = 'disputes')))";

/// How many claims [`DISPUTED`] selects, counted through the status index rather than by reading
/// every claim.
const COUNT_DISPUTED: &str = "SELECT (SELECT count(*) FROM claim WHERE status = 'disputed') + \
    (SELECT count(*) FROM claim c WHERE c.status IN ('unverified', 'in_review') AND \
     EXISTS (SELECT 1 FROM stance d WHERE d.claim_id = c.id AND d.stance = 'disputes'))";

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
            ", c.note, c.created_at, c.created_by, c.updated_at, c.updated_by
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
    /// At most this many, in id order.
    pub limit: Option<u64>,
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
        let conn = Connection::open(path)
            .with_context(|| format!("failed to open the database {}", path.display()))?;
        Self::from_connection(conn, path)
    }

    /// A private database in memory, for tests.
    #[cfg(test)]
    pub fn open_in_memory() -> anyhow::Result<Store> {
        let conn = Connection::open_in_memory()?;
        Ok(Self::from_connection(conn, Path::new(":memory:"))?.0)
    }

    fn from_connection(mut conn: Connection, path: &Path) -> anyhow::Result<(Store, Upgrade)> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        let upgrade = schema::migrate(&mut conn, path)?;
        if upgrade == Upgrade::Created {
            // WAL lets readers work while one process writes; the mode is kept in the file, so it
            // is set once, when the database is made.
            conn.pragma_update_and_check(None, "journal_mode", "wal", |_| Ok(()))?;
        }
        // Safe with WAL: a crash can lose the last commit, never corrupt the database.
        conn.pragma_update(None, "synchronous", "normal")?;
        Ok((
            Store {
                conn,
                path: path.to_owned(),
            },
            upgrade,
        ))
    }

    /// Where the database lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn write(&mut self) -> anyhow::Result<Transaction<'_>> {
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

    /// Everything that happened to a claim, oldest first.
    pub fn history(&self, id: i64) -> anyhow::Result<Vec<HistoryEvent>> {
        self.claim(id)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, claim_id, at, actor, action, field, old_value, new_value, note
             FROM history WHERE claim_id = ?1 ORDER BY id",
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
            && filter.limit.is_none();
        if everything {
            return self.for_every_claim(visit);
        }
        let (condition, mut values) = self.filter_sql(filter)?;
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

    /// Every claim, in id order: three sequential reads (claims, stances, tags) merged by claim
    /// id, where the filtered path runs three subqueries per claim. An export of a million
    /// claims takes a third less time.
    fn for_every_claim(
        &self,
        mut visit: impl FnMut(Claim) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut claims = self
            .conn
            .prepare(&format!("{CLAIM_SELECT_BARE} ORDER BY c.id"))?;
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
        let mut conditions = vec!["1".to_owned()];
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
        Ok((conditions.join(" AND "), values))
    }

    /// Counts by status and by claimant, and how many claims are disputed.
    pub fn stats(&self) -> anyhow::Result<Stats> {
        let claims = self
            .conn
            .query_row("SELECT count(*) FROM claim", [], |r| r.get(0))?;
        let disputed = self.conn.query_row(COUNT_DISPUTED, [], |r| r.get(0))?;
        let mut stmt = self
            .conn
            .prepare("SELECT status, count(*) FROM claim GROUP BY status")?;
        let mut by_status: Vec<(Status, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        by_status.sort();
        let mut stmt = self.conn.prepare(
            "SELECT s.name, n FROM (SELECT claimant_id, count(*) AS n FROM claim GROUP BY claimant_id)
             JOIN source s ON s.id = claimant_id ORDER BY n DESC, s.name",
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
    pub fn update_claim(
        &mut self,
        id: i64,
        patch: &ClaimPatch,
        actor: &str,
        action: Action,
        reason: Option<&str>,
    ) -> anyhow::Result<Vec<FieldChange>> {
        let tx = self.write()?;
        let mut w = Writer::new(&tx, actor);
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
            defer_indexes(&tx)?
        } else {
            Vec::new()
        };
        let mut importer = Importer {
            w: Writer::new(&tx, actor),
            now: model::now(),
            added: was_empty.then(AddedFilter::new),
        };
        let (result, keep) = run(&mut importer)?;
        let new_sources = std::mem::take(&mut importer.w.new_sources);
        drop(importer);
        if keep {
            if !deferred.is_empty() {
                tx.pragma_update(None, "cache_size", INDEX_BUILD_CACHE_KIB)?;
            }
            for sql in &deferred {
                tx.execute_batch(sql)?;
            }
            tx.commit()?;
        } else {
            tx.rollback()?;
        }
        Ok((result, new_sources))
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
                    (SELECT count(*) FROM claim c WHERE c.claimant_id = s.id),
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
    /// When the database had no claims at the start: the text and claimant of every claim this
    /// import added, so that a row that matches none of them skips the lookup.
    added: Option<AddedFilter>,
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
        let existing = match (existing, &row.patch.text, &row.patch.claimant) {
            (Some(id), _, _) => Some(id),
            (None, Some(text), Some(claimant)) if row.uid.is_none() => {
                let claimant_id = self.w.source_id_if_exists(claimant)?;
                match claimant_id {
                    Some(cid)
                        if self
                            .added
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
                self.added = None;
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
                let id = self.w.insert_claim(
                    id,
                    row.uid.as_deref(),
                    &draft,
                    [(&created.0, &created.1), (&updated.0, &updated.1)],
                    Action::Import,
                    Some(&note),
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
                if let Some(added) = &mut self.added {
                    let (claimant_id, _) = self.w.resolve_source(&draft.claimant)?;
                    added.insert(&draft.text, claimant_id);
                }
                Imported::Added(id)
            }
        };
        Ok(imported)
    }
}

/// The write operations shared by single commands and imports, inside one transaction.
struct Writer<'t, 'c> {
    tx: &'t Transaction<'c>,
    actor: &'t str,
    /// Sources by folded name, so that a million-row import resolves each name once.
    source_cache: HashMap<String, (i64, String)>,
    /// The same by the name as written, which spares folding (NFKC) a name seen before.
    written_cache: HashMap<String, (i64, String)>,
    new_sources: Vec<String>,
}

impl<'t, 'c> Writer<'t, 'c> {
    fn new(tx: &'t Transaction<'c>, actor: &'t str) -> Self {
        Writer {
            tx,
            actor,
            source_cache: HashMap::new(),
            written_cache: HashMap::new(),
            new_sources: Vec::new(),
        }
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
        let mut stmt = self
            .tx
            .prepare_cached("SELECT id FROM claim WHERE uid = ?1")?;
        Ok(stmt.query_row([uid], |r| r.get(0)).optional()?)
    }

    fn claim_by_text(&self, text: &str, claimant_id: i64) -> anyhow::Result<Option<i64>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT id FROM claim WHERE text_hash = ?1 AND text = ?2 AND claimant_id = ?3
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
                 created_at, created_by, updated_at, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19)",
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
                     updated_at = ?15, updated_by = ?16
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
            .prepare_cached("UPDATE claim SET updated_at = ?2, updated_by = ?3 WHERE id = ?1")?
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
        &self,
        id: i64,
        action: Action,
        change: Option<&FieldChange>,
        note: Option<&str>,
    ) -> anyhow::Result<()> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO history (claim_id, at, actor, action, field, old_value, new_value, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        stmt.execute(params![
            id,
            model::now(),
            self.actor,
            action,
            change.map(|c| c.field),
            change.map(|c| c.old.as_str()),
            change.map(|c| c.new.as_str()),
            note,
        ])?;
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
fn defer_indexes(tx: &Transaction<'_>) -> anyhow::Result<Vec<String>> {
    let mut create = Vec::new();
    for name in DEFERRABLE_INDEXES {
        let sql: Option<String> = tx
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(sql) = sql {
            tx.execute_batch(&format!("DROP INDEX \"{name}\""))?;
            create.push(sql);
        }
    }
    Ok(create)
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
