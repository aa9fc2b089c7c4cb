-- The team's roles and what each may touch, run by `claimdb team init` after schema.sql, in the
-- same transaction, and again on every `team init` (it only adds what is missing).
--
--   claimdb_checker  reads everything; adds and edits claims, sources, stances, evidence,
--                    reviews; moves claims to in_review; proposes verdicts; adds history
--   claimdb_editor   a checker who also sets and withdraws verdicts, approves or returns
--                    proposed verdicts, merges claims and changes the rating map
--   claimdb_admin    an editor who also gives and takes the checker and editor roles
--
-- Nobody, the owner included, may change or delete history (schema.sql's triggers).
--
-- Roles belong to the whole PostgreSQL cluster, not to one database, so they may already exist
-- (another database of the same cluster, a second `team init`), or be being created right now by
-- another `team init`: each step checks first and tolerates losing that race.

DO $$
DECLARE
    wanted TEXT;
    step RECORD;
BEGIN
    FOREACH wanted IN ARRAY ARRAY['claimdb_checker', 'claimdb_editor', 'claimdb_admin'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = wanted) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', wanted);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL; -- another team init created it meanwhile
            END;
        END IF;
    END LOOP;

    -- Each editor is a checker, each admin an editor; admins may give (and take) the checker
    -- and editor roles. Only the owner gives claimdb_admin (a role cannot administer itself).
    FOR step IN
        SELECT * FROM (VALUES ('claimdb_checker', 'claimdb_editor', false),
                              ('claimdb_editor', 'claimdb_admin', false),
                              ('claimdb_checker', 'claimdb_admin', true),
                              ('claimdb_editor', 'claimdb_admin', true)) AS s (role, member, admin)
    LOOP
        IF NOT EXISTS (
            SELECT 1 FROM pg_auth_members m
            WHERE m.roleid = step.role::regrole AND m.member = step.member::regrole
              AND (m.admin_option OR NOT step.admin)
        ) THEN
            BEGIN
                EXECUTE format('GRANT %I TO %I', step.role, step.member)
                    || CASE WHEN step.admin THEN ' WITH ADMIN OPTION' ELSE '' END;
            EXCEPTION WHEN unique_violation THEN
                NULL; -- another team init granted it meanwhile
            END;
        END IF;
    END LOOP;
END $$;

-- Everyone on the team reads everything.
GRANT SELECT ON claimdb_meta, source, source_name, claim, claim_tag, figure, stance, history,
    history_head, review, rating_map, claim_merge, claim_search, claim_count, evidence_file,
    evidence, claim_desk, claim_search_text, claim_search_stale
    TO claimdb_checker;

-- What a checker writes. Tags, figures and the search document are replaced as a whole when a
-- claim changes, hence DELETE on them.
GRANT INSERT, UPDATE ON source, source_name, claim, stance, review, evidence_file, evidence,
    claim_desk
    TO claimdb_checker;
GRANT INSERT, UPDATE, DELETE ON claim_tag, figure, claim_search TO claimdb_checker;
-- The search documents marked stale by a change are recomputed by the one who made it.
GRANT DELETE ON claim_search_stale TO claimdb_checker;
-- An import reserves the ids of the claims it loads in bulk before it writes them.
GRANT USAGE ON SEQUENCE claim_id_seq TO claimdb_checker;

-- History: add only, under one's own name (row-level security), after locking the chain's head
-- (FOR UPDATE needs UPDATE; the head's trigger refuses a direct UPDATE).
GRANT INSERT ON history TO claimdb_checker;
GRANT UPDATE ON history_head TO claimdb_checker;

-- Merging and the rating map are an editor's, and their triggers (schema.sql) refuse anyone
-- else with a message naming the role needed. They are granted to checkers too, so that a
-- checker who tries gets that message rather than a bare "permission denied".
GRANT INSERT, UPDATE ON claim_merge TO claimdb_checker;
GRANT INSERT, UPDATE, DELETE ON rating_map TO claimdb_checker;
-- A merge moves the duplicate's stances to the kept claim.
GRANT DELETE ON stance TO claimdb_editor;
