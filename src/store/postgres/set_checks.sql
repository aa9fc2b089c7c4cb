-- Who may record what, by the values written: only an editor records or changes a verdict, and
-- every row records the login that wrote it. Part of the schema since version 1.2 (team init
-- runs this file after set_triggers.sql), and the whole upgrade from 1.1; safe to run again.
-- The database owner is not bound by these rules (see schema.sql's "who may do what").
--
-- An import adds its claims and stances by the hundred thousand in one statement (COPY). A row
-- trigger for each rule asked for each row who is connected and turned the row into JSON, and
-- took a third of an import's time. New claims and stances are therefore checked once per
-- statement, as one set, by the triggers below that see the rows the statement added; they fire
-- at the end of the statement, and a refusal undoes all of it. Changes, made one row at a time,
-- are checked row by row as before. History's actor stays checked row by row, so that its
-- message comes before the refusal of its row-level security, but only for an event in another
-- name than the login's.
--
-- PostgreSQL fires a table's triggers of the same kind in the order of their names: the verdict's
-- trigger comes before the stamp's (claim_needs_editor_for_verdicts before claim_stamped, and
-- claim_added_needs_editor_for_verdicts before claim_added_stamped), so that a checker's verdict
-- is refused for what it is; and the checks of added rows come before the counts of
-- set_triggers.sql (claim_count_add, stance_disputes_add), so that nothing is counted for rows
-- that are refused.

-- ----- verdicts ---------------------------------------------------------------------------------

-- Only an editor sets a verdict or takes one back.
CREATE OR REPLACE FUNCTION claim_verdict_needs_editor() RETURNS trigger LANGUAGE plpgsql
    SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status
       AND (claimdb_is_verdict(NEW.status) OR claimdb_is_verdict(OLD.status))
       AND NOT claimdb_is_editor() THEN
        IF claimdb_is_verdict(NEW.status) THEN
            RAISE EXCEPTION 'claim %: setting a verdict (%) needs the claimdb_editor role, which '
                '% does not have; propose it and ask an editor to approve it',
                NEW.id, NEW.status, session_user
                USING ERRCODE = '42501';
        ELSE
            RAISE EXCEPTION 'claim %: withdrawing the verdict % needs the claimdb_editor role, '
                'which % does not have; ask an editor to reopen it', NEW.id, OLD.status,
                session_user
                USING ERRCODE = '42501';
        END IF;
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS claim_needs_editor_for_verdicts ON claim;
CREATE TRIGGER claim_needs_editor_for_verdicts BEFORE UPDATE OF status ON claim
    FOR EACH ROW EXECUTE FUNCTION claim_verdict_needs_editor();

-- Nor does anyone else record a claim that has one: the first such claim a statement added is
-- refused.
CREATE OR REPLACE FUNCTION claim_added_verdicts_need_editor() RETURNS trigger LANGUAGE plpgsql
    SET search_path = public, pg_temp AS $$
DECLARE
    verdict TEXT;
BEGIN
    IF claimdb_is_editor() THEN
        RETURN NULL;
    END IF;
    SELECT status INTO verdict FROM added_claims WHERE claimdb_is_verdict(status) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'recording a claim with the verdict % needs the claimdb_editor role, '
            'which % does not have; record it unverified and propose the verdict for an '
            'editor to approve', verdict, session_user
            USING ERRCODE = '42501';
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS claim_added_needs_editor_for_verdicts ON claim;
CREATE TRIGGER claim_added_needs_editor_for_verdicts AFTER INSERT ON claim
    REFERENCING NEW TABLE AS added_claims
    FOR EACH STATEMENT EXECUTE FUNCTION claim_added_verdicts_need_editor();

-- ----- who did it -------------------------------------------------------------------------------

-- Who did something is the login that did it, never a name typed in. Each argument names a
-- column that records a person: on INSERT it must be the session user; on UPDATE too when it
-- changes, and on every UPDATE when the name starts with '!' (`updated_by`). NULL is left to the
-- column's own constraints.
CREATE OR REPLACE FUNCTION claimdb_stamped_by_session_user() RETURNS trigger LANGUAGE plpgsql
    SET search_path = public, pg_temp AS $$
DECLARE
    arg TEXT;
    col TEXT;
    value TEXT;
    new_row JSONB;
    old_row JSONB;
BEGIN
    IF claimdb_is_owner() THEN
        RETURN NEW;
    END IF;
    new_row := to_jsonb(NEW);
    IF TG_OP = 'UPDATE' THEN
        old_row := to_jsonb(OLD);
    END IF;
    FOREACH arg IN ARRAY TG_ARGV LOOP
        col := ltrim(arg, '!');
        value := new_row ->> col;
        CONTINUE WHEN value IS NULL;
        CONTINUE WHEN TG_OP = 'UPDATE' AND left(arg, 1) <> '!'
                      AND value IS NOT DISTINCT FROM old_row ->> col;
        IF value IS DISTINCT FROM session_user::text THEN
            RAISE EXCEPTION '%.% must be the login you are connected as (%), not %: the '
                'database records every change under the login that made it',
                TG_TABLE_NAME, col, session_user, quote_literal(value)
                USING ERRCODE = '42501';
        END IF;
    END LOOP;
    RETURN NEW;
END $$;

-- The same rule for the rows a statement added, seen as one set (`added_rows`): the first row
-- that records another login in one of the columns named is refused, with the same words.
CREATE OR REPLACE FUNCTION claimdb_added_stamped_by_session_user() RETURNS trigger
    LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    col TEXT;
    other TEXT;
    found_row JSONB;
BEGIN
    IF claimdb_is_owner() THEN
        RETURN NULL;
    END IF;
    SELECT string_agg(format('%I <> session_user::text', c), ' OR ') INTO other
    FROM unnest(TG_ARGV) AS c;
    EXECUTE format('SELECT to_jsonb(r) FROM added_rows r WHERE %s LIMIT 1', other)
        INTO found_row;
    IF found_row IS NULL THEN
        RETURN NULL;
    END IF;
    FOREACH col IN ARRAY TG_ARGV LOOP
        IF found_row ->> col <> session_user::text THEN
            RAISE EXCEPTION '%.% must be the login you are connected as (%), not %: the '
                'database records every change under the login that made it',
                TG_TABLE_NAME, col, session_user, quote_literal(found_row ->> col)
                USING ERRCODE = '42501';
        END IF;
    END LOOP;
    RETURN NULL;
END $$;

-- Claims and stances, which imports add in bulk: their new rows as a set, their changes row by
-- row.
DROP TRIGGER IF EXISTS claim_stamped ON claim;
CREATE TRIGGER claim_stamped BEFORE UPDATE ON claim FOR EACH ROW
    EXECUTE FUNCTION claimdb_stamped_by_session_user('created_by', '!updated_by');
DROP TRIGGER IF EXISTS claim_added_stamped ON claim;
CREATE TRIGGER claim_added_stamped AFTER INSERT ON claim
    REFERENCING NEW TABLE AS added_rows
    FOR EACH STATEMENT EXECUTE FUNCTION claimdb_added_stamped_by_session_user('created_by',
                                                                              'updated_by');
DROP TRIGGER IF EXISTS stance_stamped ON stance;
CREATE TRIGGER stance_stamped BEFORE UPDATE ON stance FOR EACH ROW
    EXECUTE FUNCTION claimdb_stamped_by_session_user('created_by');
DROP TRIGGER IF EXISTS stance_added_stamped ON stance;
CREATE TRIGGER stance_added_stamped AFTER INSERT ON stance
    REFERENCING NEW TABLE AS added_rows
    FOR EACH STATEMENT EXECUTE FUNCTION claimdb_added_stamped_by_session_user('created_by');

-- The rest, written a row at a time.
DROP TRIGGER IF EXISTS review_stamped ON review;
CREATE TRIGGER review_stamped BEFORE INSERT OR UPDATE ON review FOR EACH ROW
    EXECUTE FUNCTION claimdb_stamped_by_session_user('created_by');
DROP TRIGGER IF EXISTS rating_map_stamped ON rating_map;
CREATE TRIGGER rating_map_stamped BEFORE INSERT OR UPDATE ON rating_map FOR EACH ROW
    EXECUTE FUNCTION claimdb_stamped_by_session_user('created_by');
DROP TRIGGER IF EXISTS claim_merge_stamped ON claim_merge;
CREATE TRIGGER claim_merge_stamped BEFORE INSERT OR UPDATE ON claim_merge FOR EACH ROW
    EXECUTE FUNCTION claimdb_stamped_by_session_user('merged_by');
DROP TRIGGER IF EXISTS evidence_stamped ON evidence;
CREATE TRIGGER evidence_stamped BEFORE INSERT OR UPDATE ON evidence FOR EACH ROW
    EXECUTE FUNCTION claimdb_stamped_by_session_user('captured_by', 'removed_by');
DROP TRIGGER IF EXISTS claim_desk_stamped ON claim_desk;
CREATE TRIGGER claim_desk_stamped BEFORE INSERT OR UPDATE ON claim_desk FOR EACH ROW
    EXECUTE FUNCTION claimdb_stamped_by_session_user('proposed_by');

-- History's actor: before row-level security refuses an event in another name (schema.sql), the
-- trigger says why in words. It runs only for such an event (the owner's, who moves desks in
-- with their recorded names, passes), not for the events in the login's own name an import adds.
DROP TRIGGER IF EXISTS history_actor_stamped ON history;
CREATE TRIGGER history_actor_stamped BEFORE INSERT ON history FOR EACH ROW
    WHEN (NEW.actor <> session_user::text)
    EXECUTE FUNCTION claimdb_stamped_by_session_user('actor');

UPDATE claimdb_meta SET minor = 2 WHERE major = 1 AND minor < 2;
