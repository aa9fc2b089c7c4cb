//! The embedded backend: one SQLite file.

use std::path::Path;

use anyhow::Context;
use rusqlite::types::{ToSqlOutput, ValueRef as SqliteValue};
use rusqlite::OpenFlags;

use std::io::IsTerminal;

use rusqlite::OptionalExtension;

pub(crate) mod fts;
pub mod schema;

use super::backend::{Deferred, SearchIndex};
use crate::error::UserError;
use schema::Upgrade;

use super::sql::{self, Connection, ErrorKind, Row, RowSource, ValueRef};

/// A claimdb database in an SQLite file (or in memory, for tests).
pub struct Sqlite {
    pub(crate) conn: rusqlite::Connection,
    /// The settings a bulk load in progress changed.
    bulk: std::cell::RefCell<BulkSettings>,
}

/// The parameters of a statement as SQLite binds them: borrowed, never copied.
struct Bind<'a>(ValueRef<'a>);

impl rusqlite::ToSql for Bind<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self.0 {
            ValueRef::Null => SqliteValue::Null,
            ValueRef::Integer(i) => SqliteValue::Integer(i),
            ValueRef::Real(f) => SqliteValue::Real(f),
            ValueRef::Text(t) => SqliteValue::Text(t.as_bytes()),
            ValueRef::Blob(b) => SqliteValue::Blob(b),
        }))
    }
}

fn bind<'a>(params: sql::Params<'a>) -> impl Iterator<Item = Bind<'a>> {
    params.iter().map(|p| Bind(p.to_sql()))
}

/// An SQLite error as the rules see it.
pub(crate) fn error(e: rusqlite::Error) -> sql::Error {
    let kind = match &e {
        rusqlite::Error::QueryReturnedNoRows => ErrorKind::NoRows,
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::InvalidColumnType(..)
        | rusqlite::Error::IntegralValueOutOfRange(..)
        | rusqlite::Error::Utf8Error(..) => ErrorKind::Conversion,
        _ => match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                ErrorKind::Busy
            }
            Some(rusqlite::ErrorCode::ConstraintViolation) => ErrorKind::Constraint,
            Some(rusqlite::ErrorCode::PermissionDenied | rusqlite::ErrorCode::ReadOnly) => {
                ErrorKind::Permission
            }
            _ => ErrorKind::Other,
        },
    };
    sql::Error::new(kind, e)
}

/// Whether `cause` is SQLite's own "database is busy" or "locked" (from the code that still
/// speaks rusqlite directly: opening and upgrading a file).
pub(crate) fn is_busy(cause: &(dyn std::error::Error + 'static)) -> bool {
    cause.downcast_ref::<rusqlite::Error>().is_some_and(|r| {
        matches!(
            r.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        )
    })
}

struct SqliteRow<'r, 's>(&'r rusqlite::Row<'s>);

impl RowSource for SqliteRow<'_, '_> {
    fn value(&self, index: usize) -> sql::Result<ValueRef<'_>> {
        Ok(match self.0.get_ref(index).map_err(error)? {
            SqliteValue::Null => ValueRef::Null,
            SqliteValue::Integer(i) => ValueRef::Integer(i),
            SqliteValue::Real(f) => ValueRef::Real(f),
            SqliteValue::Text(t) => ValueRef::Text(std::str::from_utf8(t).map_err(|e| {
                sql::Error::new(ErrorKind::Conversion, format!("column {index}: {e}"))
            })?),
            SqliteValue::Blob(b) => ValueRef::Blob(b),
        })
    }
}

impl Connection for rusqlite::Connection {
    fn execute_params(&self, sql: &str, params: sql::Params<'_>) -> sql::Result<usize> {
        let mut stmt = self.prepare_cached(sql).map_err(error)?;
        stmt.execute(rusqlite::params_from_iter(bind(params)))
            .map_err(error)
    }

    fn query_each(
        &self,
        sql: &str,
        params: sql::Params<'_>,
        each: &mut dyn FnMut(&Row<'_>) -> sql::Result<bool>,
    ) -> sql::Result<()> {
        let mut stmt = self.prepare_cached(sql).map_err(error)?;
        let mut rows = stmt
            .query(rusqlite::params_from_iter(bind(params)))
            .map_err(error)?;
        while let Some(row) = rows.next().map_err(error)? {
            if !each(&Row(&SqliteRow(row)))? {
                break;
            }
        }
        Ok(())
    }

    fn execute_batch(&self, sql: &str) -> sql::Result<()> {
        rusqlite::Connection::execute_batch(self, sql).map_err(error)
    }

    fn insert_returning_id(&self, insert: &str, params: sql::Params<'_>) -> sql::Result<i64> {
        // Not `RETURNING id`: SQLite runs a statement that returns rows through a result table
        // of its own and a statement journal, the larger part of inserting a claim.
        self.execute_params(insert, params)?;
        Ok(self.last_insert_rowid())
    }

    fn begin(&self, write: bool) -> sql::Result<()> {
        // IMMEDIATE takes the write lock up front, so two writers queue on the busy timeout
        // instead of one failing half-way when it upgrades a read lock.
        Connection::execute_batch(self, if write { "BEGIN IMMEDIATE" } else { "BEGIN" })
    }

    fn commit(&self) -> sql::Result<()> {
        Connection::execute_batch(self, "COMMIT")
    }

    fn rollback(&self) -> sql::Result<()> {
        Connection::execute_batch(self, "ROLLBACK")
    }

    fn embedded(&self) -> Option<&rusqlite::Connection> {
        Some(self)
    }

    fn begin_snapshot(&self) -> sql::Result<()> {
        Connection::execute_batch(self, "BEGIN DEFERRED")?;
        // A deferred transaction takes its snapshot at its first read: take it now.
        self.query_each("SELECT 1 FROM history LIMIT 1", &[], &mut |_| Ok(false))
    }

    fn defer_foreign_keys(&self) -> sql::Result<bool> {
        self.pragma_update(None, "defer_foreign_keys", true)
            .map_err(error)?;
        Ok(true)
    }

    fn broken_references(&self) -> sql::Result<u64> {
        let mut count = 0;
        self.query_each(
            "SELECT count(*) FROM pragma_foreign_key_check",
            &[],
            &mut |r| {
                count = r.get(0)?;
                Ok(false)
            },
        )?;
        Ok(count)
    }
}

impl super::backend::Backend for Sqlite {
    fn conn(&self) -> &dyn Connection {
        &self.conn
    }

    #[cfg(test)]
    fn embedded(&self) -> Option<&rusqlite::Connection> {
        Some(&self.conn)
    }

    fn set_busy_timeout(&mut self, timeout: std::time::Duration) -> anyhow::Result<()> {
        self.conn.busy_timeout(timeout)?;
        Ok(())
    }

    fn copies_into_files(&self) -> bool {
        true
    }

    fn search_index(&self) -> anyhow::Result<SearchIndex> {
        // Only a file opened read-only can have an index of another folding: opening it with
        // write access builds the index again.
        Ok(if fts::is_current(&self.conn)? {
            SearchIndex::Current
        } else {
            SearchIndex::RebuiltOnWrite
        })
    }

    fn begin_bulk_load(&self) -> anyhow::Result<()> {
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
        let empty: bool =
            self.conn
                .query_row("SELECT NOT EXISTS (SELECT 1 FROM claim)", [], |r| r.get(0))?;
        let journal = if empty { self.bulk_journal()? } else { None };
        // Into a database that holds claims, each statement whose triggers write more rows
        // keeps the pages it changes in a statement journal, to undo that statement alone; in a
        // temporary file that is a system call per page, a fifth of the import. In memory it
        // holds one statement's pages at a time. (Into an empty database the indexes are built
        // at the end, and their sort must stay free to spill to disk.)
        if !empty {
            self.conn.pragma_update(None, "temp_store", "MEMORY")?;
        }
        self.bulk.replace(BulkSettings {
            cache_size: Some(cache_size),
            journal,
        });
        Ok(())
    }

    fn end_bulk_load(&self) {
        let saved = self.bulk.take();
        if let Some(mode) = saved.journal {
            // Best effort: the import is committed (or rolled back) either way, and a database
            // left in rollback-journal mode is still correct, only less concurrent.
            let _ = self
                .conn
                .pragma_update_and_check(None, "journal_mode", &mode, |_| Ok(()));
        }
        let _ = self
            .conn
            .pragma_update(None, "ignore_check_constraints", false);
        let _ = self.conn.pragma_update(None, "temp_store", "DEFAULT");
        if let Some(cache_size) = saved.cache_size {
            let _ = self.conn.pragma_update(None, "cache_size", cache_size);
        }
    }

    fn defer_for_bulk_load(&self) -> anyhow::Result<Deferred> {
        defer_index_builds(&self.conn)
    }

    fn defer_search_for_bulk_load(&self) -> anyhow::Result<Deferred> {
        defer_search(&self.conn)
    }

    fn finish_bulk_load(&self, deferred: Deferred) -> anyhow::Result<()> {
        finish_deferred(&self.conn, deferred)
    }

    fn integrity_problems(&self, limit: usize) -> Vec<String> {
        let check = || -> rusqlite::Result<Vec<String>> {
            let mut stmt = self
                .conn
                .prepare(&format!("PRAGMA integrity_check({limit})"))?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            rows.collect()
        };
        match check() {
            Ok(rows) if rows.len() == 1 && rows[0] == "ok" => Vec::new(),
            Ok(rows) => rows,
            Err(e) => vec![e.to_string()],
        }
    }

    fn copy_into(&self, path: &str) -> anyhow::Result<()> {
        self.conn.execute("VACUUM INTO ?1", [path])?;
        Ok(())
    }

    fn close(self: Box<Self>) -> anyhow::Result<()> {
        self.conn.close().map_err(|(_, e)| e)?;
        Ok(())
    }
}

/// Opens (creating it and its folder if needed) the database file at `path`, upgrading an older
/// schema and refusing a newer one; with why it was opened read-only, if it was.
pub(crate) fn open(path: &Path) -> anyhow::Result<(Sqlite, Upgrade, Option<String>)> {
    check_db_path(path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("failed to create the folder {}", dir.display()))?;
    }
    // A database claimdb cannot write is opened read-only, so that reading works and a
    // write is refused with a clear message (rather than by SQLite half-way through).
    let read_only = read_only_reason(path)?;
    let conn = match &read_only {
        None => rusqlite::Connection::open_with_flags(
            path,
            // No SQLITE_OPEN_URI: the path is a file name, never a URI with options.
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        ),
        Some(_) => open_read_only(path),
    }
    .with_context(|| match &read_only {
        None => format!("failed to open the database {}", path.display()),
        Some(why) => format!(
            "failed to open the database {} read-only ({why})",
            path.display()
        ),
    })?;
    let (sqlite, upgrade) = prepare(conn, path, read_only.is_some())?;
    Ok((sqlite, upgrade, read_only))
}

/// A private database in memory, for tests and fuzzing.
pub(crate) fn open_in_memory() -> anyhow::Result<Sqlite> {
    let conn = rusqlite::Connection::open_in_memory()?;
    Ok(prepare(conn, Path::new(":memory:"), false)?.0)
}

/// Sets a connection up for claimdb: the busy timeout, foreign keys, the search functions, the
/// schema (created, upgraded or checked) and the journal.
fn prepare(
    mut conn: rusqlite::Connection,
    path: &Path,
    read_only: bool,
) -> anyhow::Result<(Sqlite, Upgrade)> {
    conn.busy_timeout(super::BUSY_TIMEOUT)?;
    // Every statement of the rules is prepared once and kept: an import runs a few dozen.
    conn.set_prepared_statement_cache_capacity(128);
    conn.pragma_update(None, "foreign_keys", true)?;
    fts::register_functions(&conn)?;
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
        Sqlite {
            conn,
            bulk: Default::default(),
        },
        upgrade,
    ))
}

/// Refuses a database path that would not keep what is written to it (empty, in memory, an SQLite
/// URI) or that is not a file claimdb can own (a folder, a pipe, a device).
fn check_db_path(path: &Path) -> Result<(), UserError> {
    let text = path.to_string_lossy();
    if text.trim().is_empty() {
        return Err(UserError::Refused(
            "the database path is empty; give the path of a database file (--db, CLAIMDB_PATH or \
             `db` in the config file)"
                .into(),
        ));
    }
    if text == ":memory:" || text.starts_with("file:") {
        return Err(UserError::Refused(format!(
            "{text:?} names an in-memory database or an SQLite URI, where claims would vanish when \
             the command ends; give the path of a database file (write ./{text} if a file's name \
             really starts like that)"
        )));
    }
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(UserError::Refused(format!(
            "{} is a directory; --db needs the path of a database file",
            path.display()
        ))),
        Ok(meta) if !meta.is_file() => Err(UserError::Refused(format!(
            "{} is not a regular file (a pipe, a device or a socket); --db needs the path of a \
             database file, or of one to create",
            path.display()
        ))),
        _ => Ok(()),
    }
}

/// Why claimdb cannot write the database at `path` (`None`: it can, or it is new). A file that
/// cannot be opened for writing (its mode, its owner, a read-only mount) or in a folder where
/// SQLite cannot create its journal is read-only. A new database in such a folder is refused.
fn read_only_reason(path: &Path) -> anyhow::Result<Option<String>> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let folder_writable = !std::fs::metadata(dir).is_ok_and(|m| m.permissions().readonly())
        && tempfile::tempfile_in(dir).is_ok();
    let Ok(meta) = std::fs::metadata(path) else {
        if !folder_writable {
            return Err(UserError::Refused(format!(
                "cannot create the database {}: the folder {} is not writable",
                path.display(),
                dir.display()
            ))
            .into());
        }
        return Ok(None);
    };
    if meta.permissions().readonly() {
        return Ok(Some("the file has no write permission".into()));
    }
    if let Err(e) = std::fs::OpenOptions::new().write(true).open(path) {
        return Ok(Some(match e.kind() {
            std::io::ErrorKind::PermissionDenied => {
                "the file has no write permission for this user".into()
            }
            _ => format!("the file cannot be opened for writing: {e}"),
        }));
    }
    if !folder_writable {
        return Ok(Some(format!(
            "its folder {} is not writable, and SQLite writes its journal there",
            dir.display()
        )));
    }
    Ok(None)
}

/// Opens a database that claimdb cannot write. Without a log left by a writer (`-wal`), it is
/// opened immutable: SQLite then reads the file alone and creates no `-wal` or `-shm` beside it
/// (which it could not in a read-only folder, and which would otherwise be left with the file's
/// read-only mode, blocking writes once the file is made writable again).
fn open_read_only(path: &Path) -> rusqlite::Result<rusqlite::Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let has_log = std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0);
    let uri = std::path::absolute(path)
        .ok()
        .and_then(|p| url::Url::from_file_path(p).ok());
    match uri {
        Some(mut uri) if !has_log => {
            uri.set_query(Some("immutable=1"));
            rusqlite::Connection::open_with_flags(uri.as_str(), flags | OpenFlags::SQLITE_OPEN_URI)
        }
        _ => rusqlite::Connection::open_with_flags(path, flags),
    }
}

/// The page cache of an import, in KiB (negative for SQLite: a size, not a page count).
const IMPORT_CACHE_KIB: i64 = -48 * 1024;

/// The cache while the deferred indexes are built: SQLite's sorter may use as much again, and
/// peak memory must stay under 100 MB whatever the file's size.
const INDEX_BUILD_CACHE_KIB: i64 = -16 * 1024;

/// Triggers that an import into an empty database sets aside, filling what they keep once at the
/// end: the search index, `claim_count`, and each claim's count of disputing sources. And the
/// guard against replacing a history row (`INSERT OR REPLACE`), which a bulk load cannot do: it
/// writes each event with a plain INSERT, which the primary key refuses on a taken id. The guard
/// makes SQLite keep a statement journal for every event; it is back before the load commits.
const DEFERRABLE_TRIGGERS: &[&str] = &[
    "claim_search_insert",
    "claim_search_update",
    "claim_search_stance_insert",
    "claim_search_name_insert",
    "claim_count_insert",
    "claim_count_update",
    "stance_disputes_insert",
    "history_is_append_only_replace",
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
    "figure_by_unit",
    "figure_by_low",
    "claim_by_status",
    "claim_by_claimant",
    "claim_tag_by_tag",
    "stance_by_source",
    "stance_by_kind",
];

/// Drops the [`DEFERRABLE_INDEXES`] and returns the statements that create them again, exactly as
/// the schema has them.
/// Drops what an import into an empty database builds faster once at the end: the secondary
/// indexes it never reads, and the triggers that fold each new claim into the search index.
fn defer_index_builds(tx: &rusqlite::Connection) -> anyhow::Result<Deferred> {
    let mut deferred = Deferred::default();
    for name in DEFERRABLE_INDEXES {
        deferred.indexes.extend(set_aside(tx, "index", name)?);
    }
    for name in DEFERRABLE_TRIGGERS {
        deferred.triggers.extend(set_aside(tx, "trigger", name)?);
    }
    Ok(deferred)
}

/// Drops the index or trigger `name`, if the schema has it, and returns the statement that
/// creates it again exactly as it was.
fn set_aside(tx: &rusqlite::Connection, kind: &str, name: &str) -> anyhow::Result<Option<String>> {
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
}

/// The triggers that keep the search index row by row. An import into a database that holds
/// claims sets them aside: every statement that writes to the index makes SQLite's full-text
/// index write its pending words out as a new segment, so an import that wrote the index at
/// each row spent most of its time merging thousands of one-claim segments.
const SEARCH_TRIGGERS: &[&str] = &[
    "claim_search_insert",
    "claim_search_update",
    "claim_search_stance_insert",
    "claim_search_stance_delete",
    "claim_search_stance_update",
    "claim_search_name_insert",
    "claim_search_name_delete",
];

/// In their place, for the import's transaction, triggers that note the claims whose index row
/// is to be made again (`new`: a claim the import added, which has no row yet). They are TEMP:
/// they live on this connection only and go with the transaction, whichever way it ends.
const NOTE_TOUCHED: &str = "
    CREATE TEMP TABLE claimdb_touched (id INTEGER PRIMARY KEY, new INTEGER NOT NULL);
    CREATE TEMP TRIGGER claimdb_touched_claim_insert AFTER INSERT ON main.claim
    BEGIN
        INSERT OR REPLACE INTO claimdb_touched (id, new) VALUES (NEW.id, 1);
    END;
    CREATE TEMP TRIGGER claimdb_touched_claim_update
        AFTER UPDATE OF text, translation, note, claimant_id, location ON main.claim
    BEGIN
        INSERT OR IGNORE INTO claimdb_touched (id, new) VALUES (NEW.id, 0);
    END;
    CREATE TEMP TRIGGER claimdb_touched_stance_insert AFTER INSERT ON main.stance
    BEGIN
        INSERT OR IGNORE INTO claimdb_touched (id, new) VALUES (NEW.claim_id, 0);
    END;
    CREATE TEMP TRIGGER claimdb_touched_stance_delete AFTER DELETE ON main.stance
    BEGIN
        INSERT OR IGNORE INTO claimdb_touched (id, new) VALUES (OLD.claim_id, 0);
    END;
    CREATE TEMP TRIGGER claimdb_touched_stance_update AFTER UPDATE OF claim_id, source_id
        ON main.stance
    BEGIN
        INSERT OR IGNORE INTO claimdb_touched (id, new) VALUES (OLD.claim_id, 0), (NEW.claim_id, 0);
    END;
    CREATE TEMP TRIGGER claimdb_touched_name_insert AFTER INSERT ON main.source_name
    BEGIN
        INSERT OR IGNORE INTO claimdb_touched (id, new)
        SELECT id, 0 FROM main.claim WHERE claimant_id = NEW.source_id
        UNION SELECT claim_id, 0 FROM main.stance WHERE source_id = NEW.source_id;
    END;
    CREATE TEMP TRIGGER claimdb_touched_name_delete AFTER DELETE ON main.source_name
    BEGIN
        INSERT OR IGNORE INTO claimdb_touched (id, new)
        SELECT id, 0 FROM main.claim WHERE claimant_id = OLD.source_id
        UNION SELECT claim_id, 0 FROM main.stance WHERE source_id = OLD.source_id;
    END;";

/// Sets aside the [`SEARCH_TRIGGERS`] and notes the touched claims instead ([`NOTE_TOUCHED`]).
fn defer_search(tx: &rusqlite::Connection) -> anyhow::Result<Deferred> {
    let mut deferred = Deferred {
        search_of_touched: true,
        ..Deferred::default()
    };
    for name in SEARCH_TRIGGERS {
        deferred.triggers.extend(set_aside(tx, "trigger", name)?);
    }
    tx.execute_batch(NOTE_TOUCHED)?;
    Ok(deferred)
}

/// Makes the search index rows of the claims the import touched again, in one pass, and puts
/// the triggers back.
fn finish_search(tx: &rusqlite::Connection, deferred: Deferred) -> anyhow::Result<()> {
    // A merged claim has no row; a new one has none yet.
    tx.execute(
        "DELETE FROM claim_search WHERE rowid IN
            (SELECT id FROM claimdb_touched WHERE NOT new
             AND id NOT IN (SELECT dup_id FROM claim_merge))",
        [],
    )?;
    fts::rebuild_index_of(tx, fts::Claims::Touched, false)?;
    // The temporary triggers outlive the transaction on this connection: they go now.
    let noting: Vec<String> = tx
        .prepare("SELECT name FROM temp.sqlite_schema WHERE type = 'trigger' AND name LIKE 'claimdb_touched_%'")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for name in noting {
        tx.execute_batch(&format!("DROP TRIGGER temp.\"{name}\""))?;
    }
    tx.execute_batch("DROP TABLE temp.claimdb_touched")?;
    for sql in &deferred.triggers {
        tx.execute_batch(sql)?;
    }
    Ok(())
}

/// Builds the indexes and the search index in one pass each, then restores the triggers;
/// inside the import's transaction, so the database never holds one without the other.
fn finish_deferred(tx: &rusqlite::Connection, deferred: Deferred) -> anyhow::Result<()> {
    if deferred.search_of_touched {
        return finish_search(tx, deferred);
    }
    if deferred.indexes.is_empty() && deferred.triggers.is_empty() {
        return Ok(());
    }
    tx.pragma_update(None, "cache_size", INDEX_BUILD_CACHE_KIB)?;
    for sql in &deferred.indexes {
        tx.execute_batch(sql)?;
    }
    if !deferred.triggers.is_empty() {
        fts::rebuild_index(tx, std::io::stderr().is_terminal())?;
        tx.execute_batch(REFILL_COUNTS)?;
        for sql in &deferred.triggers {
            tx.execute_batch(sql)?;
        }
    }
    Ok(())
}

/// What a bulk load changed in the connection's settings, to put back at its end.
#[derive(Default)]
pub(crate) struct BulkSettings {
    cache_size: Option<i64>,
    journal: Option<String>,
}

impl Sqlite {
    /// Before an import into a database without claims, leaves WAL for a rollback journal and
    /// returns the mode to go back to. In WAL every page of the load is written twice (to the
    /// log, then into the database at the checkpoint); a rollback journal saves only pages that
    /// existed before the transaction, so a load into an empty database is written once and is
    /// still all or nothing. Readers wait during such a load; there is nothing for them to read.
    /// When another connection holds the database, SQLite refuses the switch and the import
    /// stays in WAL.
    fn bulk_journal(&self) -> anyhow::Result<Option<String>> {
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
}
