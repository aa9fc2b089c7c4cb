//! Creating and upgrading databases.
//!
//! A new database is made from `schema.sql`. An older one is brought up to date by
//! [`MIGRATIONS`], an ordered, append-only list, all in one exclusive transaction so that a
//! half-upgraded database never exists. A database from a newer claimdb is refused untouched.

use std::path::Path;

use anyhow::Context;
use rusqlite::{Connection, TransactionBehavior};

use crate::error::UserError;

/// The current schema, as a new database gets it.
pub const SCHEMA: &str = include_str!("../../schema.sql");

/// `MIGRATIONS[i]` upgrades a database at version `i + 1` to version `i + 2`. Append only: a
/// released migration is never edited, since databases out there have already run it.
pub const MIGRATIONS: &[&str] = &[
    // 1 → 2: published reviews of claims and the user's rating map (fact-check formats).
    "CREATE TABLE review (
        id            INTEGER PRIMARY KEY,
        claim_id      INTEGER NOT NULL REFERENCES claim (id) ON DELETE CASCADE,
        publisher     TEXT NOT NULL CHECK (publisher <> ''),
        publisher_key TEXT NOT NULL,
        site          TEXT,
        url           TEXT,
        title         TEXT,
        review_date   TEXT,
        rating        TEXT,
        language      TEXT,
        body          TEXT,
        created_at    TEXT NOT NULL,
        created_by    TEXT NOT NULL
    );
    CREATE UNIQUE INDEX review_by_url ON review (claim_id, url) WHERE url IS NOT NULL;
    CREATE UNIQUE INDEX review_by_publisher ON review (claim_id, publisher_key) WHERE url IS NULL;
    CREATE INDEX review_by_publisher_key ON review (publisher_key, claim_id);
    CREATE TABLE rating_map (
        key        TEXT PRIMARY KEY,
        rating     TEXT NOT NULL,
        status     TEXT NOT NULL CHECK (status IN ('unverified', 'in_review', 'verified',
                                                   'misleading', 'false', 'disputed',
                                                   'unverifiable')),
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL
    ) WITHOUT ROWID;",
];

/// The version of [`SCHEMA`]: one more than the number of migrations.
pub const VERSION: i64 = MIGRATIONS.len() as i64 + 1;

/// What opening did to the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upgrade {
    /// It was already current.
    None,
    /// It was empty and got the current schema.
    Created,
    /// It was at this older version and was migrated.
    Migrated(i64),
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Brings the database at `path` to [`VERSION`], or refuses it.
pub fn migrate(conn: &mut Connection, path: &Path) -> anyhow::Result<Upgrade> {
    let version = user_version(conn)
        .with_context(|| format!("{} is not an SQLite database", path.display()))?;
    check_not_newer(version, path)?;
    if version == VERSION {
        return Ok(Upgrade::None);
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Exclusive)
        .with_context(|| format!("failed to lock {} to upgrade it", path.display()))?;
    // Another process may have upgraded it while we waited for the lock.
    let version = user_version(&tx)?;
    check_not_newer(version, path)?;
    let outcome = if version == 0 {
        let tables: i64 = tx.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        if tables > 0 {
            return Err(UserError::NotClaimdb(path.to_owned()).into());
        }
        tx.execute_batch(SCHEMA)
            .context("failed to create the claimdb schema")?;
        Upgrade::Created
    } else if version == VERSION {
        Upgrade::None
    } else {
        for (i, migration) in MIGRATIONS.iter().enumerate().skip(version as usize - 1) {
            tx.execute_batch(migration)
                .with_context(|| format!("failed to upgrade the database to version {}", i + 2))?;
        }
        Upgrade::Migrated(version)
    };
    tx.pragma_update(None, "user_version", VERSION)?;
    tx.commit()
        .with_context(|| format!("failed to upgrade {}", path.display()))?;
    Ok(outcome)
}

/// For a database opened read-only, which cannot be upgraded: it must already be current.
pub fn check_current(conn: &Connection, path: &Path) -> anyhow::Result<()> {
    let version = user_version(conn)
        .with_context(|| format!("{} is not an SQLite database", path.display()))?;
    check_not_newer(version, path)?;
    if version != VERSION {
        return Err(UserError::Refused(format!(
            "{} is read-only and was made by an older claimdb (schema version {version}); it \
             must be upgraded to version {VERSION} before use, which needs write access",
            path.display()
        ))
        .into());
    }
    Ok(())
}

fn check_not_newer(version: i64, path: &Path) -> Result<(), UserError> {
    if version > VERSION {
        return Err(UserError::SchemaTooNew {
            path: path.to_owned(),
            found: version,
            known: VERSION,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schema as SQLite reports it, in a form where two databases compare equal when their
    /// tables, columns, constraints, indexes and triggers are the same: comments dropped and
    /// white space normalised, since `ALTER TABLE … ADD COLUMN` rewrites the stored text.
    fn schema_of(conn: &Connection) -> Vec<(String, String, String)> {
        let mut stmt = conn
            .prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
            .unwrap();
        stmt.query_map([], |r| {
            let sql: Option<String> = r.get(2)?;
            Ok((
                r.get(0)?,
                r.get(1)?,
                normalise_sql(sql.as_deref().unwrap_or("")),
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    fn normalise_sql(sql: &str) -> String {
        let without_comments: Vec<&str> = sql
            .lines()
            .map(|line| line.split("--").next().unwrap_or(""))
            .collect();
        let spaced = without_comments.join(" ");
        let mut words = spaced.split_whitespace().collect::<Vec<_>>().join(" ");
        for punctuation in ["(", ")", ","] {
            words = words
                .replace(&format!(" {punctuation}"), punctuation)
                .replace(&format!("{punctuation} "), punctuation);
        }
        words
    }

    #[test]
    fn normalising_ignores_comments_and_layout_only() {
        assert_eq!(
            normalise_sql("CREATE TABLE t (\n  a TEXT, -- why\n  b INT\n)"),
            normalise_sql("CREATE TABLE t (a TEXT,b INT)")
        );
        assert_ne!(
            normalise_sql("CREATE TABLE t (a TEXT)"),
            normalise_sql("CREATE TABLE t (a INT)")
        );
    }

    /// The first released schema, frozen: what the oldest databases out there look like.
    const VERSION_1: &str = include_str!("../../tests/fixtures/schema-v1.sql");

    #[test]
    fn an_upgraded_database_ends_with_the_same_schema_as_a_new_one() {
        let mut fresh = Connection::open_in_memory().unwrap();
        assert_eq!(
            migrate(&mut fresh, Path::new("fresh")).unwrap(),
            Upgrade::Created
        );

        let mut old = Connection::open_in_memory().unwrap();
        old.execute_batch(VERSION_1).unwrap();
        old.pragma_update(None, "user_version", 1).unwrap();
        let expected = if VERSION == 1 {
            Upgrade::None
        } else {
            Upgrade::Migrated(1)
        };
        assert_eq!(migrate(&mut old, Path::new("old")).unwrap(), expected);

        assert_eq!(schema_of(&old), schema_of(&fresh));
        assert_eq!(user_version(&old).unwrap(), VERSION);
    }

    #[test]
    fn migrating_twice_changes_nothing() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, Path::new("db")).unwrap();
        let before = schema_of(&conn);
        assert_eq!(migrate(&mut conn, Path::new("db")).unwrap(), Upgrade::None);
        assert_eq!(schema_of(&conn), before);
    }

    #[test]
    fn a_newer_database_is_refused_and_left_untouched() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 999;")
            .unwrap();
        let err = migrate(&mut conn, Path::new("future.db")).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("newer claimdb") && msg.contains("999"),
            "{msg}"
        );
        assert_eq!(user_version(&conn).unwrap(), 999);
        assert_eq!(schema_of(&conn).len(), 1);
    }

    #[test]
    fn a_foreign_sqlite_database_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE mine (x)").unwrap();
        let err = migrate(&mut conn, Path::new("other.db")).unwrap_err();
        assert!(err.to_string().contains("not a claimdb one"), "{err}");
    }
}
