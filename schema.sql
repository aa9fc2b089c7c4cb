-- claimdb schema: the current shape of a new database.
--
-- New databases are created from this file; older ones are brought here by the ordered migrations
-- in src/store/sqlite/schema.rs, and a test checks that both paths end with the same schema.
-- The version is kept in PRAGMA user_version (set by claimdb, not here).
-- Every enumerated column has a CHECK that mirrors the one text mapping in src/model.rs.

-- Who makes, supports or disputes claims: a ministry, an army, an NGO, a think tank, a news agency.
CREATE TABLE source (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL DEFAULT 'other'
               CHECK (kind IN ('government', 'military', 'intergovernmental', 'ngo',
                               'think_tank', 'media', 'other')),
    created_at TEXT NOT NULL
);

-- Every name a source answers to: its own name and its aliases ("State Dept",
-- "U.S. Department of State"). `key` is the folded form (NFKC, lower case, single spaces), so one
-- primary key keeps names and aliases unique across all sources.
CREATE TABLE source_name (
    key       TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    source_id INTEGER NOT NULL REFERENCES source (id) ON DELETE CASCADE,
    is_alias  INTEGER NOT NULL CHECK (is_alias IN (0, 1))
) WITHOUT ROWID;
CREATE INDEX source_name_by_source ON source_name (source_id);

-- A checkable claim, stored exactly as it was made.
CREATE TABLE claim (
    id            INTEGER PRIMARY KEY,
    uid           TEXT NOT NULL UNIQUE,
    text          TEXT NOT NULL CHECK (text <> ''),
    -- 64-bit hash of `text`: finds "the same text from the same claimant" on import without
    -- indexing the full text a second time.
    text_hash     INTEGER NOT NULL,
    translation   TEXT,
    claimant_id   INTEGER NOT NULL REFERENCES source (id),
    status        TEXT NOT NULL DEFAULT 'unverified'
                  CHECK (status IN ('unverified', 'in_review', 'verified', 'misleading', 'false',
                                    'disputed', 'unverifiable')),
    location      TEXT,
    claim_date    TEXT,
    article_url   TEXT,
    article_title TEXT,
    note          TEXT,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    -- Goes up by one with every change: `edit --if-version N` refuses to overwrite a claim that
    -- someone else changed since it was read.
    version       INTEGER NOT NULL DEFAULT 1,
    -- How many sources dispute the claim (kept by the stance triggers in "counts for stats").
    disputes      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX claim_by_status ON claim (status);
CREATE INDEX claim_by_claimant ON claim (claimant_id);
CREATE INDEX claim_by_text_hash ON claim (text_hash);

CREATE TABLE claim_tag (
    claim_id INTEGER NOT NULL REFERENCES claim (id) ON DELETE CASCADE,
    tag      TEXT NOT NULL,
    PRIMARY KEY (claim_id, tag)
) WITHOUT ROWID;
CREATE INDEX claim_tag_by_tag ON claim_tag (tag, claim_id);

-- The figures a claim states ("about 200 soldiers", "hundreds of civilians"), in the order given
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

-- A further source that supports or disputes a claim (its claimant is not one of them).
CREATE TABLE stance (
    id         INTEGER PRIMARY KEY,
    claim_id   INTEGER NOT NULL REFERENCES claim (id) ON DELETE CASCADE,
    source_id  INTEGER NOT NULL REFERENCES source (id),
    stance     TEXT NOT NULL CHECK (stance IN ('supports', 'disputes')),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    -- The import the stance came from ("claims.csv line 4"), by `created_by`; NULL when a person
    -- cited it (`cite`, `add`). Added by a migration, hence after the other columns.
    imported_from TEXT,
    UNIQUE (claim_id, source_id)
);
CREATE INDEX stance_by_source ON stance (source_id);
CREATE INDEX stance_by_kind ON stance (stance, claim_id);

-- Append-only log of everything that happened to a claim: who, when, which field, old and new
-- value (as they appear in the CSV format), and why. Each row's `hash` is SHA-256 over the
-- previous row's hash and this row's content, so a row changed behind claimdb's back breaks the
-- chain (`claimdb audit`); the triggers below refuse changes through SQL in the first place.
-- The event that creates a claim (field NULL) holds in new_value a snapshot of what the claim was
-- created with (its status, digests of its other fields and of its sources), which `audit`
-- checks the tables against.
CREATE TABLE history (
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
CREATE INDEX history_by_claim ON history (claim_id, id);
-- The claims an import creates are recorded in batches: one event, filed under the batch's
-- first claim with field 'batch', for up to a thousand claims with consecutive ids. Its
-- new_value names them, the line of the file each came from, and digests of what each was
-- created with; `history` shows each claim's creation from it. This index finds a claim's batch.
CREATE INDEX history_batch ON history (claim_id) WHERE field = 'batch';

CREATE TRIGGER history_is_append_only_update BEFORE UPDATE ON history
BEGIN
    SELECT RAISE(ABORT, 'history is append-only: its rows cannot be changed');
END;
CREATE TRIGGER history_is_append_only_delete BEFORE DELETE ON history
BEGIN
    SELECT RAISE(ABORT, 'history is append-only: its rows cannot be deleted');
END;
-- INSERT OR REPLACE deletes the row it replaces without firing the trigger above.
CREATE TRIGGER history_is_append_only_replace BEFORE INSERT ON history
    WHEN EXISTS (SELECT 1 FROM history WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'history is append-only: its rows cannot be replaced');
END;

-- A published fact-check of a claim by some organisation (Misbar, PolitiFact, AFP…), kept as it
-- was published: `rating` is the publisher's own words, verbatim, in any language, and `body` the
-- review's text when the format carries one. On its claim, a review is identified by its url, or,
-- without a url, by its publisher (`publisher_key` is the publisher folded like a source name).
CREATE TABLE review (
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
-- A claim's reviews (show, ClaimReview export, review imports): the partial indexes above cannot
-- serve `claim_id = ?` alone.
CREATE INDEX review_by_claim ON review (claim_id, id);

-- The user's entries of the rating map (the built-in ones live in src/ratings.rs): a publisher's
-- rating text, by its folded key, and the status it means. A user entry wins over a built-in one.
CREATE TABLE rating_map (
    key        TEXT PRIMARY KEY,
    rating     TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('unverified', 'in_review', 'verified', 'misleading',
                                               'false', 'disputed', 'unverifiable')),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
) WITHOUT ROWID;

-- ----- search and merged duplicates ------------------------------------------------------------

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


-- ----- evidence ---------------------------------------------------------------------------------

-- A file attached as evidence (a screenshot, a PDF, an image), stored once however many items
-- use it. `sha256` is the hex SHA-256 of `content`, computed while the file was streamed in and
-- recorded in the history event that attached it, so that `audit` finds a changed or missing file.
CREATE TABLE evidence_file (
    id      INTEGER PRIMARY KEY,
    sha256  TEXT NOT NULL UNIQUE,
    size    INTEGER NOT NULL,
    content BLOB NOT NULL
);

-- What a checker gathered for a claim: a page, an archived copy, a quote, a file. Tied, when
-- `source_id` is set, to that source (the claimant, or a source with a stance on the claim).
-- Removing an item marks it removed (with who, when and why) and keeps it, as history does.
-- `event_id` is the history event that recorded it; items moved from the quote and url of a
-- stance by the upgrade to evidence have none (their citation's event names them).
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

-- ----- the editor's desk ------------------------------------------------------------------------

-- Who a claim is assigned to, whether it was archived (and why), and a verdict proposed under the
-- review gate that waits for a second person. One row per claim that ever had any of these;
-- history records every change. An archived claim is hidden from list, export and report unless
-- they are asked for archived claims.
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
-- Activity across claims (`claimdb activity --since`) reads history by time.
CREATE INDEX history_by_time ON history (at);
