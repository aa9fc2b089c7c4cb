-- The triggers that look at the rows one statement added as one set: part of the schema since
-- version 1.1 (team init runs this file after schema.sql), and the whole upgrade from 1.0 (team
-- init runs it alone); safe to run again.
--
-- An import adds its claims, stances and events by the hundred thousand in one statement (COPY).
-- A row trigger that moved a shared row for each one (the history head, a count of claims per
-- claimant and status) left the transaction a new version of that row per row added, to step
-- over on every next one: an import's time grew with the square of its size. These triggers
-- move each shared row once per statement instead.

-- The history chain's head (history_head, in schema.sql) moves to the last event a statement
-- added; the events must follow the head without a gap, checked under the same lock writers take
-- first.
CREATE OR REPLACE FUNCTION history_chain_next() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head history_head%ROWTYPE;
    first_event BIGINT;
    last_event BIGINT;
    events BIGINT;
BEGIN
    SELECT * INTO head FROM history_head FOR UPDATE;
    SELECT min(id), max(id), count(*) INTO first_event, last_event, events FROM added_events;
    IF events = 0 THEN
        RETURN NULL;
    END IF;
    -- The ids are the table's primary key, so distinct: as many as the span means no gap.
    IF first_event IS DISTINCT FROM head.last_id + 1 OR last_event - first_event + 1 <> events THEN
        RAISE EXCEPTION 'history events % to % are out of sequence: the next event must be %',
            first_event, last_event, head.last_id + 1
            USING HINT = 'lock the chain first: SELECT last_id, last_hash FROM history_head FOR UPDATE';
    END IF;
    UPDATE history_head
    SET last_id = e.id, last_hash = e.hash
    FROM added_events e WHERE e.id = last_event;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS history_chain_next ON history;
CREATE TRIGGER history_chain_next AFTER INSERT ON history
    REFERENCING NEW TABLE AS added_events
    FOR EACH STATEMENT EXECUTE FUNCTION history_chain_next();

-- New claims are counted per claimant, status and whether some source disputes them.
CREATE OR REPLACE FUNCTION claim_count_add() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO claim_count (claimant_id, status, disputed, n)
    SELECT claimant_id, status, (disputes > 0)::int, count(*)
    FROM added_claims GROUP BY 1, 2, 3
    ON CONFLICT (claimant_id, status, disputed) DO UPDATE SET n = claim_count.n + EXCLUDED.n;
    INSERT INTO claim_search_stale SELECT id FROM added_claims ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS claim_search_mark_insert ON claim;
DROP TRIGGER IF EXISTS claim_count_add ON claim;
CREATE TRIGGER claim_count_add AFTER INSERT ON claim
    REFERENCING NEW TABLE AS added_claims
    FOR EACH STATEMENT EXECUTE FUNCTION claim_count_add();
DROP TRIGGER IF EXISTS claim_count_move ON claim;
CREATE TRIGGER claim_count_move AFTER DELETE OR UPDATE OF status, claimant_id, disputes
    ON claim FOR EACH ROW EXECUTE FUNCTION claim_count_move();

-- A claim's count of disputing sources is set to what its stances say: a claim written with its
-- count already right (an import's) is not written again.
CREATE OR REPLACE FUNCTION stance_disputes_add() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE claim c SET disputes = counted.n
    FROM (SELECT s.claim_id, count(*) AS n FROM stance s
          WHERE s.stance = 'disputes'
            AND s.claim_id IN (SELECT claim_id FROM added_stances WHERE stance = 'disputes')
          GROUP BY s.claim_id) AS counted
    WHERE c.id = counted.claim_id AND c.disputes <> counted.n;
    INSERT INTO claim_search_stale SELECT DISTINCT claim_id FROM added_stances
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS stance_disputes_add ON stance;
CREATE TRIGGER stance_disputes_add AFTER INSERT ON stance
    REFERENCING NEW TABLE AS added_stances
    FOR EACH STATEMENT EXECUTE FUNCTION stance_disputes_add();
DROP TRIGGER IF EXISTS stance_disputes ON stance;
CREATE TRIGGER stance_disputes AFTER DELETE OR UPDATE OF stance, claim_id ON stance
    FOR EACH ROW EXECUTE FUNCTION stance_disputes();
DROP TRIGGER IF EXISTS claim_search_mark_stance ON stance;
CREATE TRIGGER claim_search_mark_stance AFTER DELETE OR UPDATE OF claim_id, source_id
    ON stance FOR EACH ROW EXECUTE FUNCTION claim_search_mark();

UPDATE claimdb_meta SET minor = 1 WHERE major = 1 AND minor < 1;
