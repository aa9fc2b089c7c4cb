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
pub const SCHEMA: &str = include_str!("../../../schema.sql");

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
    // 2 → 3: search index and merged duplicates. The index is filled by
    // `search::rebuild_index` once the SQL has run (see `migrate`).
    r#"
-- A claim folded into another by `claimdb merge`. The duplicate's row stays (its history is
-- append-only and still points at it) but it is hidden from list, export, stats and search, and
-- its uid resolves to the kept claim on import. `keep_id` is always a claim that is not merged
-- itself: merging the kept claim again moves these rows along.
CREATE TABLE claim_merge (
    dup_id    INTEGER PRIMARY KEY REFERENCES claim (id),
    keep_id   INTEGER NOT NULL REFERENCES claim (id),
    merged_at TEXT NOT NULL,
    merged_by TEXT NOT NULL,
    note      TEXT
);
CREATE INDEX claim_merge_by_keep ON claim_merge (keep_id);

-- The search index: each searchable field folded by claimdb_fold (src/fold.rs, registered on
-- every connection claimdb opens), one row per visible claim, rowid = claim id. Contentless: the
-- claims table already holds the text, so the index stores only its folded words. The folding
-- decides what a word is; the ascii tokenizer then only splits on the spaces it leaves.
CREATE VIRTUAL TABLE claim_search USING fts5 (
    text, translation, note, claimant, location,
    content = '', contentless_delete = 1, tokenize = 'ascii'
);

-- How many claims hold each indexed word: `similar` and `add` look for likely duplicates through
-- a claim's rarest words, which keeps the search small however common its other words are.
CREATE VIRTUAL TABLE claim_search_vocab USING fts5vocab (claim_search, 'row');

-- Triggers keep the index exact under every write, whichever code path makes it.
CREATE TRIGGER claim_search_insert AFTER INSERT ON claim
BEGIN
    INSERT INTO claim_search (rowid, text, translation, note, claimant, location)
    VALUES (NEW.id, claimdb_fold(NEW.text), claimdb_fold(NEW.translation),
            claimdb_fold(NEW.note),
            claimdb_fold((SELECT name FROM source WHERE id = NEW.claimant_id)),
            claimdb_fold(NEW.location));
END;
CREATE TRIGGER claim_search_update AFTER UPDATE OF text, translation, note, claimant_id, location
    ON claim
    WHEN NEW.id NOT IN (SELECT dup_id FROM claim_merge)
         AND (OLD.text IS NOT NEW.text OR OLD.translation IS NOT NEW.translation
              OR OLD.note IS NOT NEW.note OR OLD.claimant_id IS NOT NEW.claimant_id
              OR OLD.location IS NOT NEW.location)
BEGIN
    DELETE FROM claim_search WHERE rowid = OLD.id;
    INSERT INTO claim_search (rowid, text, translation, note, claimant, location)
    VALUES (NEW.id, claimdb_fold(NEW.text), claimdb_fold(NEW.translation),
            claimdb_fold(NEW.note),
            claimdb_fold((SELECT name FROM source WHERE id = NEW.claimant_id)),
            claimdb_fold(NEW.location));
END;
CREATE TRIGGER claim_search_delete AFTER DELETE ON claim
BEGIN
    DELETE FROM claim_search WHERE rowid = OLD.id;
END;
CREATE TRIGGER claim_search_merge AFTER INSERT ON claim_merge
BEGIN
    DELETE FROM claim_search WHERE rowid = NEW.dup_id;
END;
"#,
    // 3 → 4: counts for stats, kept by triggers, filled here for the claims already stored.
    r#"
ALTER TABLE claim ADD COLUMN disputes INTEGER NOT NULL DEFAULT 0;
-- Filled before the triggers exist, so that they do not count it twice.
UPDATE claim SET disputes =
    (SELECT count(*) FROM stance WHERE claim_id = claim.id AND stance = 'disputes')
WHERE id IN (SELECT claim_id FROM stance WHERE stance = 'disputes');
-- ----- counts for stats -------------------------------------------------------------------------

-- How many visible claims there are per claimant, status, and whether some source disputes them:
-- `stats` reads this small table instead of counting a million claims. `claim.disputes` (kept by
-- the stance triggers) says how many sources dispute a claim; the claim triggers move claims
-- between rows here. A bulk import into an empty database refills the table at the end instead.
CREATE TABLE claim_count (
    claimant_id INTEGER NOT NULL,
    status      TEXT NOT NULL,
    disputed    INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (claimant_id, status, disputed)
) WITHOUT ROWID;

CREATE TRIGGER stance_disputes_insert AFTER INSERT ON stance WHEN NEW.stance = 'disputes'
BEGIN
    UPDATE claim SET disputes = disputes + 1 WHERE id = NEW.claim_id;
END;
CREATE TRIGGER stance_disputes_delete AFTER DELETE ON stance WHEN OLD.stance = 'disputes'
BEGIN
    UPDATE claim SET disputes = disputes - 1 WHERE id = OLD.claim_id;
END;
CREATE TRIGGER stance_disputes_update AFTER UPDATE OF stance, claim_id ON stance
BEGIN
    UPDATE claim SET disputes = disputes - 1 WHERE id = OLD.claim_id AND OLD.stance = 'disputes';
    UPDATE claim SET disputes = disputes + 1 WHERE id = NEW.claim_id AND NEW.stance = 'disputes';
END;

CREATE TRIGGER claim_count_insert AFTER INSERT ON claim
BEGIN
    INSERT INTO claim_count (claimant_id, status, disputed, n)
    VALUES (NEW.claimant_id, NEW.status, NEW.disputes > 0, 1)
    ON CONFLICT (claimant_id, status, disputed) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER claim_count_update AFTER UPDATE OF status, claimant_id, disputes ON claim
    WHEN (OLD.status IS NOT NEW.status OR OLD.claimant_id IS NOT NEW.claimant_id
          OR (OLD.disputes > 0) IS NOT (NEW.disputes > 0))
         AND NEW.id NOT IN (SELECT dup_id FROM claim_merge)
BEGIN
    UPDATE claim_count SET n = n - 1
    WHERE claimant_id = OLD.claimant_id AND status = OLD.status AND disputed = (OLD.disputes > 0);
    INSERT INTO claim_count (claimant_id, status, disputed, n)
    VALUES (NEW.claimant_id, NEW.status, NEW.disputes > 0, 1)
    ON CONFLICT (claimant_id, status, disputed) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER claim_count_delete AFTER DELETE ON claim
    WHEN OLD.id NOT IN (SELECT dup_id FROM claim_merge)
BEGIN
    UPDATE claim_count SET n = n - 1
    WHERE claimant_id = OLD.claimant_id AND status = OLD.status AND disputed = (OLD.disputes > 0);
END;
CREATE TRIGGER claim_count_merge AFTER INSERT ON claim_merge
BEGIN
    UPDATE claim_count SET n = n - 1
    WHERE (claimant_id, status, disputed) =
          (SELECT claimant_id, status, disputes > 0 FROM claim WHERE id = NEW.dup_id);
END;

INSERT INTO claim_count (claimant_id, status, disputed, n)
SELECT claimant_id, status, disputes > 0, count(*) FROM claim
WHERE id NOT IN (SELECT dup_id FROM claim_merge)
GROUP BY claimant_id, status, disputes > 0;
"#,
    // 4 → 5: a claim's reviews by claim. The partial unique indexes cannot serve
    // `claim_id = ?` alone, so every review look-up read the whole table.
    "CREATE INDEX review_by_claim ON review (claim_id, id);",
    // 5 → 6: where a stance came from, so that an imported stance is not shown as a citation
    // the importing user made. Stances imported before it stay NULL (their history says).
    "ALTER TABLE stance ADD COLUMN imported_from TEXT;",
    // 6 → 7: `INSERT OR REPLACE` deletes the row it replaces without firing the delete trigger.
    "CREATE TRIGGER history_is_append_only_replace BEFORE INSERT ON history
    WHEN EXISTS (SELECT 1 FROM history WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'history is append-only: its rows cannot be replaced');
END;",
    // 7 → 8: several figures per claim. Each claim's one figure (value, unit, qualifier) becomes
    // its first figure, and the three columns go: a claim's figures live in one place only.
    r#"-- The figures a claim states ("about 200 soldiers", "hundreds of civilians"), in the order given
-- (`position` counts from 1). A single value has `low` = `high`; `qualifier` says how it was
-- stated and `words` how the claim wrote it. `unit_key` is the unit folded as search folds text:
-- figures are compared by it (`conflicts`, `list --unit`).
CREATE TABLE figure (
    claim_id  INTEGER NOT NULL REFERENCES claim (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    low       REAL NOT NULL,
    high      REAL NOT NULL CHECK (high >= low),
    unit      TEXT,
    unit_key  TEXT NOT NULL DEFAULT '',
    qualifier TEXT NOT NULL DEFAULT 'exact'
              CHECK (qualifier IN ('exact', 'approx', 'more_than', 'at_least', 'at_most',
                                   'less_than')),
    words     TEXT,
    PRIMARY KEY (claim_id, position)
) WITHOUT ROWID;
CREATE INDEX figure_by_unit ON figure (unit_key, low);
CREATE INDEX figure_by_low ON figure (low);
INSERT INTO figure (claim_id, position, low, high, unit, unit_key, qualifier)
SELECT id, 1, value, value, nullif(trim(unit), ''), coalesce(claimdb_fold(nullif(trim(unit), '')), ''),
       coalesce(qualifier, 'exact')
FROM claim WHERE value IS NOT NULL;
ALTER TABLE claim DROP COLUMN value;
ALTER TABLE claim DROP COLUMN unit;
ALTER TABLE claim DROP COLUMN qualifier;
"#,
    // 8 → 9: evidence items and their files; the quote and url of each stance become its first
    // evidence item (a citation now adds an item instead of replacing the last one).
    r#"
CREATE TABLE evidence_file (
    id      INTEGER PRIMARY KEY,
    sha256  TEXT NOT NULL UNIQUE,
    size    INTEGER NOT NULL,
    content BLOB NOT NULL
);
CREATE TABLE evidence (
    id           INTEGER PRIMARY KEY,
    claim_id     INTEGER NOT NULL REFERENCES claim (id),
    source_id    INTEGER REFERENCES source (id),
    url          TEXT,
    archived_url TEXT,
    quote        TEXT,
    note         TEXT,
    file_sha256  TEXT REFERENCES evidence_file (sha256),
    file_name    TEXT,
    captured_at  TEXT NOT NULL,
    captured_by  TEXT NOT NULL,
    event_id     INTEGER REFERENCES history (id),
    removed_at   TEXT,
    removed_by   TEXT,
    removed_note TEXT
);
CREATE INDEX evidence_by_claim ON evidence (claim_id, id);
INSERT INTO evidence (claim_id, source_id, url, quote, captured_at, captured_by)
SELECT claim_id, source_id, url, quote, created_at, created_by FROM stance
WHERE quote IS NOT NULL OR url IS NOT NULL ORDER BY id;
ALTER TABLE stance DROP COLUMN quote;
ALTER TABLE stance DROP COLUMN url;
"#,
    // 9 → 10: the editor's desk. History gains the desk's actions, which its CHECK must list: the
    // table is rebuilt with the rows copied unchanged (their hashes still chain), and its guards
    // are made again. The copy is made under a new name and takes the old name once the old
    // table is gone, so that what refers to history (evidence items name the event that
    // recorded them) keeps referring to it; foreign keys are checked at commit. Dropping a table
    // deletes its rows without firing triggers.
    r#"
CREATE TABLE history_new (
    id        INTEGER PRIMARY KEY,
    claim_id  INTEGER NOT NULL REFERENCES claim (id),
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL CHECK (action IN ('create', 'edit', 'status', 'cite', 'import', 'merge',
                                         'review', 'assign', 'archive', 'propose', 'approve',
                                         'return')),
    field     TEXT,
    old_value TEXT,
    new_value TEXT,
    note      TEXT,
    hash      TEXT NOT NULL
);
INSERT INTO history_new (id, claim_id, at, actor, action, field, old_value, new_value, note, hash)
SELECT id, claim_id, at, actor, action, field, old_value, new_value, note, hash
FROM history ORDER BY id;
DROP TABLE history;
ALTER TABLE history_new RENAME TO history;
CREATE INDEX history_by_claim ON history (claim_id, id);
CREATE TRIGGER history_is_append_only_update BEFORE UPDATE ON history
BEGIN
    SELECT RAISE(ABORT, 'history is append-only: its rows cannot be changed');
END;
CREATE TRIGGER history_is_append_only_delete BEFORE DELETE ON history
BEGIN
    SELECT RAISE(ABORT, 'history is append-only: its rows cannot be deleted');
END;
CREATE TRIGGER history_is_append_only_replace BEFORE INSERT ON history
    WHEN EXISTS (SELECT 1 FROM history WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'history is append-only: its rows cannot be replaced');
END;
CREATE TABLE claim_desk (
    claim_id        INTEGER PRIMARY KEY REFERENCES claim (id) ON DELETE CASCADE,
    assignee        TEXT,
    archived        TEXT CHECK (archived IN ('mistake', 'not_check_worthy', 'opinion', 'other')),
    archive_note    TEXT,
    proposed_status TEXT CHECK (proposed_status IN ('verified', 'misleading', 'false',
                                                    'unverifiable')),
    proposed_by     TEXT,
    proposed_note   TEXT
);
CREATE INDEX claim_desk_by_assignee ON claim_desk (assignee) WHERE assignee IS NOT NULL;
CREATE INDEX claim_desk_archived ON claim_desk (claim_id) WHERE archived IS NOT NULL;
CREATE INDEX history_by_time ON history (at);
"#,
    // 10 → 11: the search index gains the weaker forms of words, every name of a claim's sources,
    // and the version of the folding that built it; `search::ensure_current` fills it.
    r#"
DROP TRIGGER claim_search_insert;
DROP TRIGGER claim_search_update;
DROP TRIGGER claim_search_delete;
DROP TRIGGER claim_search_merge;
DROP TABLE claim_search_vocab;
DROP TABLE claim_search;
-- The search index: one row per visible claim, rowid = claim id, filled from
-- `claim_search_row`. Contentless: the claims table already holds the text, so the index stores
-- only words. The first five columns hold the exact folded words of each field (`sources`: every
-- name and alias of the claimant and of the sources that support or dispute the claim); the
-- last three hold the weaker forms of all of them, which search ranks after exact words: words
-- without their attached letters, stems, and name keys. claimdb_fold and claimdb_layer are
-- claimdb's folding, registered on every connection claimdb opens; `search_folding` says which
-- version of it built the index, and a database built by another one is rebuilt on open. The
-- folding decides what a word is; the ascii tokenizer then only splits on the spaces it leaves.
CREATE VIRTUAL TABLE claim_search USING fts5 (
    text, translation, note, sources, location, bare, stems, names,
    content = '', contentless_delete = 1, tokenize = 'ascii'
);
CREATE TABLE search_folding (
    version INTEGER NOT NULL
);

-- What the index is made from for each visible claim: its searched fields as stored, and the
-- names and aliases of its claimant and stance sources.
CREATE VIEW claim_search_text (id, text, translation, note, sources, location) AS
SELECT c.id, c.text, c.translation, c.note,
       (SELECT group_concat(n.name, ' ') FROM source_name n
        WHERE n.source_id = c.claimant_id
           OR n.source_id IN (SELECT source_id FROM stance WHERE claim_id = c.id)),
       c.location
FROM claim c WHERE c.id NOT IN (SELECT dup_id FROM claim_merge);

-- What the index holds for each visible claim (the triggers insert it; a full build computes the
-- same from `claim_search_text` in one pass, folding each field once).
CREATE VIEW claim_search_row (id, text, translation, note, sources, location, bare, stems, names)
AS SELECT id, claimdb_fold(text), claimdb_fold(translation), claimdb_fold(note),
          claimdb_fold(sources), claimdb_fold(location),
          claimdb_layer(0, text, translation, note, sources, location),
          claimdb_layer(1, text, translation, note, sources, location),
          claimdb_layer(2, text, translation, note, sources, location)
FROM claim_search_text;

-- How many claims hold each indexed word: `similar` and `add` look for likely duplicates through
-- a claim's rarest words, which keeps the search small however common its other words are.
CREATE VIRTUAL TABLE claim_search_vocab USING fts5vocab (claim_search, 'row');

-- Triggers keep the index exact under every write, whichever code path makes it: a claim's
-- fields, its sources, and the names of those sources.
CREATE TRIGGER claim_search_insert AFTER INSERT ON claim
BEGIN
    INSERT INTO claim_search (rowid, text, translation, note, sources, location, bare, stems, names)
    SELECT * FROM claim_search_row WHERE id = NEW.id;
END;
CREATE TRIGGER claim_search_update AFTER UPDATE OF text, translation, note, claimant_id, location
    ON claim
    WHEN NEW.id NOT IN (SELECT dup_id FROM claim_merge)
         AND (OLD.text IS NOT NEW.text OR OLD.translation IS NOT NEW.translation
              OR OLD.note IS NOT NEW.note OR OLD.claimant_id IS NOT NEW.claimant_id
              OR OLD.location IS NOT NEW.location)
BEGIN
    DELETE FROM claim_search WHERE rowid = OLD.id;
    INSERT INTO claim_search (rowid, text, translation, note, sources, location, bare, stems, names)
    SELECT * FROM claim_search_row WHERE id = NEW.id;
END;
CREATE TRIGGER claim_search_delete AFTER DELETE ON claim
BEGIN
    DELETE FROM claim_search WHERE rowid = OLD.id;
END;
CREATE TRIGGER claim_search_merge AFTER INSERT ON claim_merge
BEGIN
    DELETE FROM claim_search WHERE rowid = NEW.dup_id;
END;
CREATE TRIGGER claim_search_stance_insert AFTER INSERT ON stance
BEGIN
    DELETE FROM claim_search WHERE rowid = NEW.claim_id;
    INSERT INTO claim_search (rowid, text, translation, note, sources, location, bare, stems, names)
    SELECT * FROM claim_search_row WHERE id = NEW.claim_id;
END;
CREATE TRIGGER claim_search_stance_delete AFTER DELETE ON stance
BEGIN
    DELETE FROM claim_search WHERE rowid = OLD.claim_id;
    INSERT INTO claim_search (rowid, text, translation, note, sources, location, bare, stems, names)
    SELECT * FROM claim_search_row WHERE id = OLD.claim_id;
END;
CREATE TRIGGER claim_search_stance_update AFTER UPDATE OF claim_id, source_id ON stance
BEGIN
    DELETE FROM claim_search WHERE rowid IN (OLD.claim_id, NEW.claim_id);
    INSERT INTO claim_search (rowid, text, translation, note, sources, location, bare, stems, names)
    SELECT * FROM claim_search_row WHERE id IN (OLD.claim_id, NEW.claim_id);
END;
CREATE TRIGGER claim_search_name_insert AFTER INSERT ON source_name
BEGIN
    DELETE FROM claim_search WHERE rowid IN
        (SELECT id FROM claim WHERE claimant_id = NEW.source_id
         UNION SELECT claim_id FROM stance WHERE source_id = NEW.source_id);
    INSERT INTO claim_search (rowid, text, translation, note, sources, location, bare, stems, names)
    SELECT * FROM claim_search_row WHERE id IN
        (SELECT id FROM claim WHERE claimant_id = NEW.source_id
         UNION SELECT claim_id FROM stance WHERE source_id = NEW.source_id);
END;
CREATE TRIGGER claim_search_name_delete AFTER DELETE ON source_name
BEGIN
    DELETE FROM claim_search WHERE rowid IN
        (SELECT id FROM claim WHERE claimant_id = OLD.source_id
         UNION SELECT claim_id FROM stance WHERE source_id = OLD.source_id);
    INSERT INTO claim_search (rowid, text, translation, note, sources, location, bare, stems, names)
    SELECT * FROM claim_search_row WHERE id IN
        (SELECT id FROM claim WHERE claimant_id = OLD.source_id
         UNION SELECT claim_id FROM stance WHERE source_id = OLD.source_id);
END;
"#,
    // The claims an import creates are recorded in batches, one event for many claims: each
    // claim finds its batch through this index.
    "CREATE INDEX history_batch ON history (claim_id) WHERE field = 'batch';",
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
    if version == VERSION && super::fts::is_current(conn)? {
        return Ok(Upgrade::None);
    }
    // A migration that rebuilds a table (drop the old, rename the copy) would trip the foreign
    // keys that point at it, so they are off while it runs, as SQLite advises for schema
    // changes, and every reference is checked before the upgrade commits.
    let foreign_keys: bool = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let upgraded = upgrade(conn, path);
    conn.pragma_update(None, "foreign_keys", foreign_keys)?;
    upgraded
}

/// [`migrate`] with the foreign keys off: one exclusive transaction.
fn upgrade(conn: &mut Connection, path: &Path) -> anyhow::Result<Upgrade> {
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
        // Migrations fold text (figure units) with the same function the search index uses.
        super::fts::register_functions(&tx)?;
        for (i, migration) in MIGRATIONS.iter().enumerate().skip(version as usize - 1) {
            tx.execute_batch(migration)
                .with_context(|| format!("failed to upgrade the database to version {}", i + 2))?;
        }
        Upgrade::Migrated(version)
    };
    // A new or upgraded index, or one built by an older folding, is (re)built here.
    super::fts::ensure_current(&tx).context("failed to build the search index")?;
    let broken: i64 = tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
        r.get(0)
    })?;
    if broken > 0 {
        anyhow::bail!(
            "upgrading {} would leave {broken} reference(s) between its tables broken; it was \
             left as it was",
            path.display()
        );
    }
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

    /// An empty database in memory with claimdb's SQL functions, as every connection has them.
    fn open() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        super::super::fts::register_functions(&conn).unwrap();
        conn
    }

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
        // A table renamed by an upgrade has its name quoted by SQLite ("history"): the same name.
        let spaced = without_comments.join(" ").replace('"', "");
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
    const VERSION_1: &str = include_str!("../../../tests/fixtures/schema-v1.sql");

    #[test]
    fn an_upgraded_database_ends_with_the_same_schema_as_a_new_one() {
        let mut fresh = open();
        assert_eq!(
            migrate(&mut fresh, Path::new("fresh")).unwrap(),
            Upgrade::Created
        );

        let mut old = open();
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
    fn upgrading_builds_the_search_index_for_the_claims_already_stored() {
        let mut old = open();
        old.execute_batch(VERSION_1).unwrap();
        old.pragma_update(None, "user_version", 1).unwrap();
        old.execute_batch(
            "INSERT INTO source (id, name, created_at) VALUES (1, 'Wagner Group', 'now');
             INSERT INTO source_name (key, name, source_id, is_alias)
             VALUES ('wagner group', 'Wagner Group', 1, 0);
             INSERT INTO claim (id, uid, text, text_hash, claimant_id, created_at, created_by,
                                updated_at, updated_by)
             VALUES (7, 'u7', 'أنشطة المجموعة الروسيَّة', 0, 1, 'now', 't', 'now', 't'),
                    (9, 'u9', 'Ségou', 0, 1, 'now', 't', 'now', 't');",
        )
        .unwrap();
        super::super::fts::register_functions(&old).unwrap();
        migrate(&mut old, Path::new("old")).unwrap();
        let find = |q: &str| -> Vec<i64> {
            let mut stmt = old
                .prepare(
                    "SELECT rowid FROM claim_search WHERE claim_search MATCH ?1 ORDER BY rowid",
                )
                .unwrap();
            stmt.query_map([q], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        assert_eq!(find("مجموعه AND روسيه"), [7]);
        assert_eq!(find("segou"), [9]);
        assert_eq!(find("wagner"), [7, 9]);
        // The triggers keep it exact from then on.
        old.execute("UPDATE claim SET text = 'باماكو' WHERE id = 7", [])
            .unwrap();
        assert!(find("مجموعه").is_empty());
        assert_eq!(find("باماكو"), [7]);
    }

    #[test]
    fn upgrading_counts_the_claims_already_stored() {
        let mut old = open();
        old.execute_batch(VERSION_1).unwrap();
        old.pragma_update(None, "user_version", 1).unwrap();
        old.execute_batch(
            "INSERT INTO source (id, name, created_at) VALUES (1, 'A', 'now'), (2, 'B', 'now');
             INSERT INTO claim (id, uid, text, text_hash, claimant_id, status, created_at,
                                created_by, updated_at, updated_by)
             VALUES (1, 'u1', 'x', 0, 1, 'unverified', 'now', 't', 'now', 't'),
                    (2, 'u2', 'y', 0, 1, 'disputed', 'now', 't', 'now', 't'),
                    (3, 'u3', 'z', 0, 2, 'in_review', 'now', 't', 'now', 't');
             INSERT INTO stance (claim_id, source_id, stance, created_at, created_by)
             VALUES (1, 2, 'disputes', 'now', 't'), (3, 1, 'supports', 'now', 't');",
        )
        .unwrap();
        super::super::fts::register_functions(&old).unwrap();
        migrate(&mut old, Path::new("old")).unwrap();
        let counts: Vec<(i64, String, i64, i64)> = old
            .prepare("SELECT claimant_id, status, disputed, n FROM claim_count ORDER BY 1, 2")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            counts,
            [
                (1, "disputed".into(), 0, 1),
                (1, "unverified".into(), 1, 1),
                (2, "in_review".into(), 0, 1)
            ]
        );
        // The triggers keep them from then on.
        old.execute("DELETE FROM stance WHERE claim_id = 1", [])
            .unwrap();
        let n: i64 = old
            .query_row(
                "SELECT n FROM claim_count WHERE claimant_id = 1 AND status = 'unverified'
                 AND disputed = 0",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn upgrading_moves_each_claims_one_quantity_into_its_first_figure() {
        let mut old = Connection::open_in_memory().unwrap();
        old.execute_batch(VERSION_1).unwrap();
        old.pragma_update(None, "user_version", 1).unwrap();
        old.execute_batch(
            "INSERT INTO source (id, name, created_at) VALUES (1, 'A', 'now');
             INSERT INTO claim (id, uid, text, text_hash, claimant_id, value, unit, qualifier,
                                created_at, created_by, updated_at, updated_by)
             VALUES (1, 'u1', 'نحو ألف', 0, 1, 1000, 'Fighters', 'approx', 'now', 't', 'now', 't'),
                    (2, 'u2', 'y', 0, 1, 203, NULL, NULL, 'now', 't', 'now', 't'),
                    (3, 'u3', 'z', 0, 1, NULL, NULL, NULL, 'now', 't', 'now', 't');",
        )
        .unwrap();
        migrate(&mut old, Path::new("old")).unwrap();
        type Row = (i64, i64, f64, f64, Option<String>, String, String);
        let figures: Vec<Row> = old
            .prepare(
                "SELECT claim_id, position, low, high, unit, unit_key, qualifier FROM figure
                 ORDER BY claim_id",
            )
            .unwrap()
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            figures,
            [
                (
                    1,
                    1,
                    1000.0,
                    1000.0,
                    Some("Fighters".into()),
                    "fighters".into(),
                    "approx".into()
                ),
                (2, 1, 203.0, 203.0, None, String::new(), "exact".into()),
            ]
        );
        let columns: Vec<String> = old
            .prepare("SELECT name FROM pragma_table_info('claim')")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            !columns.iter().any(|c| c == "value" || c == "qualifier"),
            "{columns:?}"
        );
    }

    #[test]
    fn migrating_twice_changes_nothing() {
        let mut conn = open();
        migrate(&mut conn, Path::new("db")).unwrap();
        let before = schema_of(&conn);
        assert_eq!(migrate(&mut conn, Path::new("db")).unwrap(), Upgrade::None);
        assert_eq!(schema_of(&conn), before);
    }

    #[test]
    fn a_newer_database_is_refused_and_left_untouched() {
        let mut conn = open();
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
        let mut conn = open();
        conn.execute_batch("CREATE TABLE mine (x)").unwrap();
        let err = migrate(&mut conn, Path::new("other.db")).unwrap_err();
        assert!(err.to_string().contains("not a claimdb one"), "{err}");
    }

    #[test]
    fn upgrading_moves_each_stances_quote_and_url_into_an_evidence_item() {
        let mut old = Connection::open_in_memory().unwrap();
        old.execute_batch(VERSION_1).unwrap();
        old.pragma_update(None, "user_version", 1).unwrap();
        old.execute_batch(
            "INSERT INTO source (id, name, created_at) VALUES (1, 'A', 'now'), (2, 'HRW', 'now'),
                                                              (3, 'UN', 'now');
             INSERT INTO claim (id, uid, text, text_hash, claimant_id, created_at, created_by,
                                updated_at, updated_by)
             VALUES (1, 'u1', 'x', 0, 1, 'now', 't', 'now', 't');
             INSERT INTO stance (claim_id, source_id, stance, quote, url, created_at, created_by)
             VALUES (1, 2, 'disputes', 'the worst atrocity', 'https://hrw.org/a', 'then', 'amal'),
                    (1, 3, 'supports', NULL, NULL, 'then', 'amal');",
        )
        .unwrap();
        super::super::fts::register_functions(&old).unwrap();
        migrate(&mut old, Path::new("old")).unwrap();
        type Item = (i64, i64, Option<String>, Option<String>, String, String);
        let items: Vec<Item> = old
            .prepare(
                "SELECT claim_id, source_id, quote, url, captured_at, captured_by FROM evidence",
            )
            .unwrap()
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            items,
            [(
                1,
                2,
                Some("the worst atrocity".into()),
                Some("https://hrw.org/a".into()),
                "then".into(),
                "amal".into()
            )]
        );
        let stances: i64 = old
            .query_row("SELECT count(*) FROM stance", [], |r| r.get(0))
            .unwrap();
        assert_eq!(stances, 2, "the stances stay");
    }

    #[test]
    fn upgrading_keeps_every_history_row_and_its_guards_and_allows_the_desk_actions() {
        let mut old = Connection::open_in_memory().unwrap();
        old.execute_batch(VERSION_1).unwrap();
        old.pragma_update(None, "user_version", 1).unwrap();
        old.execute_batch(
            "INSERT INTO source (id, name, created_at) VALUES (1, 'A', 'now');
             INSERT INTO claim (id, uid, text, text_hash, claimant_id, status, created_at,
                                created_by, updated_at, updated_by)
             VALUES (1, 'u1', 'x', 0, 1, 'unverified', 'now', 't', 'now', 't');
             INSERT INTO history (id, claim_id, at, actor, action, field, old_value, new_value,
                                  note, hash)
             VALUES (1, 1, 'now', 't', 'create', NULL, NULL, '{}', NULL, 'h1'),
                    (2, 1, 'now', 't', 'edit', 'note', '', 'n', 'why', 'h2');",
        )
        .unwrap();
        super::super::fts::register_functions(&old).unwrap();
        migrate(&mut old, Path::new("old")).unwrap();
        let rows: Vec<(i64, String, Option<String>, String)> = old
            .prepare("SELECT id, action, note, hash FROM history ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            rows,
            [
                (1, "create".into(), None, "h1".into()),
                (2, "edit".into(), Some("why".into()), "h2".into())
            ]
        );
        old.execute(
            "INSERT INTO history (id, claim_id, at, actor, action, hash)
             VALUES (3, 1, 'now', 't', 'assign', 'h3')",
            [],
        )
        .unwrap();
        for sql in [
            "UPDATE history SET note = 'x' WHERE id = 1",
            "DELETE FROM history WHERE id = 1",
            "INSERT OR REPLACE INTO history (id, claim_id, at, actor, action, hash)
             VALUES (1, 1, 'now', 't', 'edit', 'h')",
        ] {
            let err = old.execute(sql, []).unwrap_err().to_string();
            assert!(err.contains("append-only"), "{sql}: {err}");
        }
    }

    #[test]
    fn rebuilding_history_keeps_the_evidence_that_names_its_events() {
        // A database at version 9 (evidence, before the desk), with an evidence item that names
        // the event that recorded it, opened with foreign keys on as claimdb opens every one.
        let mut old = Connection::open_in_memory().unwrap();
        super::super::fts::register_functions(&old).unwrap();
        old.pragma_update(None, "foreign_keys", true).unwrap();
        old.execute_batch(VERSION_1).unwrap();
        for migration in &MIGRATIONS[..8] {
            old.execute_batch(migration).unwrap();
        }
        old.pragma_update(None, "user_version", 9).unwrap();
        old.execute_batch(
            "INSERT INTO source (id, name, created_at) VALUES (1, 'A', 'now');
             INSERT INTO claim (id, uid, text, text_hash, claimant_id, created_at, created_by,
                                updated_at, updated_by)
             VALUES (1, 'u1', 'x', 0, 1, 'now', 't', 'now', 't');
             INSERT INTO history (id, claim_id, at, actor, action, field, new_value, hash)
             VALUES (1, 1, 'now', 't', 'create', NULL, '{}', 'h1'),
                    (2, 1, 'now', 't', 'cite', 'evidence', 'evidence 1', 'h2');
             INSERT INTO evidence (id, claim_id, quote, captured_at, captured_by, event_id)
             VALUES (1, 1, 'a quote', 'now', 't', 2);",
        )
        .unwrap();
        migrate(&mut old, Path::new("old")).unwrap();
        let event: i64 = old
            .query_row("SELECT event_id FROM evidence WHERE id = 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(event, 2);
        let problems: i64 = old
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(problems, 0);
        let references: String = old
            .query_row(
                "SELECT \"table\" FROM pragma_foreign_key_list('evidence') WHERE \"from\" = 'event_id'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(references, "history");
    }

    #[test]
    fn a_claims_index_row_is_read_through_indexes_only() {
        let mut conn = open();
        migrate(&mut conn, Path::new("db")).unwrap();
        // The triggers read one claim's row; with many claims or sources a scan would make
        // every write slow.
        let plan: Vec<String> = conn
            .prepare("EXPLAIN QUERY PLAN SELECT * FROM claim_search_row WHERE id = 1")
            .unwrap()
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(!plan.is_empty());
        for step in &plan {
            assert!(
                !step.starts_with("SCAN") || step.contains("CONSTANT ROW"),
                "{plan:#?}"
            );
        }
    }
}
