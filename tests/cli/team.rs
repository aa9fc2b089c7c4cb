//! `claimdb team init|add|list|remove`, and what the PostgreSQL server itself enforces for each
//! role, whatever program connects (these tests connect directly, as a person with psql would).
//!
//! They need a PostgreSQL server: `CLAIMDB_TEST_POSTGRES` holds the address of a superuser's
//! connection (postgres://postgres@127.0.0.1:5432/postgres); without it they print a notice and
//! pass. Each test works in a database of its own, with logins of its own, dropped at its end.

use claimdb::model::Status;
use postgres::error::SqlState;
use postgres::Client;

use crate::pg::{run_on, TestDb};

impl TestDb {
    /// `team init`, then one source and one unverified claim (id 1) written by the owner, and
    /// a checker, an editor and an admin: their logins, in that order.
    fn team_with_a_claim(&mut self) -> [String; 3] {
        self.run(&["team", "init"]).ok();
        self.owner()
            .batch_execute(
                "INSERT INTO source (name, created_at) VALUES ('Army', '2026-01-01T00:00:00Z');
                 INSERT INTO claim (uid, text, text_hash, claimant_id, created_at, created_by,
                                    updated_at, updated_by)
                 VALUES ('u1', 'About 200 soldiers', 1, 1, '2026-01-01T00:00:00Z', 'owner',
                         '2026-01-01T00:00:00Z', 'owner');",
            )
            .unwrap();
        let logins = [
            self.login("checker"),
            self.login("editor"),
            self.login("admin"),
        ];
        for (login, role) in logins.iter().zip(["checker", "editor", "admin"]) {
            self.run(&["team", "add", login, "--role", role]).ok();
        }
        logins
    }
}

/// The SQLSTATE and message of a statement the server refused; panics if it was accepted.
#[track_caller]
fn refused(client: &mut Client, sql: &str) -> (SqlState, String) {
    match client.batch_execute(sql) {
        Ok(()) => panic!("the server accepted: {sql}"),
        Err(e) => {
            let db = e
                .as_db_error()
                .unwrap_or_else(|| panic!("not a server error: {e}"));
            (db.code().clone(), db.message().to_owned())
        }
    }
}

fn status_of(client: &mut Client, id: i64) -> String {
    client
        .query_one("SELECT status FROM claim WHERE id = $1", &[&id])
        .unwrap()
        .get(0)
}

/// The logins `team list --format json` shows, with their roles.
fn team(db: &TestDb) -> Vec<(String, String)> {
    db.run(&["team", "list", "--format", "json"])
        .ok()
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["login"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn team_init_creates_the_schema_and_roles_and_running_it_again_does_no_harm() {
    let Some(db) = TestDb::new() else { return };
    db.run(&["team", "init"])
        .ok()
        .stderr
        .contains("created claimdb's tables")
        .then_some(())
        .expect("init says what it created");
    let mut owner = db.owner();
    let tables: Vec<String> = owner
        .query(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = 'public' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    for table in [
        "claim",
        "claim_count",
        "claim_desk",
        "claim_merge",
        "claim_search",
        "claim_tag",
        "claimdb_meta",
        "evidence",
        "evidence_file",
        "figure",
        "history",
        "history_head",
        "rating_map",
        "review",
        "source",
        "source_name",
        "stance",
    ] {
        assert!(tables.iter().any(|t| t == table), "{table} in {tables:?}");
    }
    let version = owner
        .query_one("SELECT major, minor FROM claimdb_meta", &[])
        .unwrap();
    assert_eq!(
        (version.get::<_, i32>(0), version.get::<_, i32>(1)),
        claimdb::store::postgres::VERSION
    );
    let head = owner
        .query_one("SELECT last_id, last_hash FROM history_head", &[])
        .unwrap();
    assert_eq!(
        (head.get::<_, i64>(0), head.get::<_, String>(1)),
        (0, "".into())
    );
    let roles = owner
        .query_one(
            "SELECT count(*) FROM pg_roles
             WHERE rolname IN ('claimdb_checker', 'claimdb_editor', 'claimdb_admin')",
            &[],
        )
        .unwrap();
    assert_eq!(roles.get::<_, i64>(0), 3);

    // Again: nothing is created twice, nothing is lost.
    owner
        .batch_execute(
            "INSERT INTO source (name, created_at) VALUES ('Army', '2026-01-01T00:00:00Z')",
        )
        .unwrap();
    let again = db.run(&["team", "init"]).ok();
    assert!(
        again.stderr.contains("already has claimdb's tables"),
        "{again:?}"
    );
    let sources: i64 = owner
        .query_one("SELECT count(*) FROM source", &[])
        .unwrap()
        .get(0);
    assert_eq!(sources, 1);
}

#[test]
fn team_init_refuses_a_database_with_other_tables_of_the_same_names_or_another_version() {
    let Some(db) = TestDb::new() else { return };
    let mut owner = db.owner();
    owner.batch_execute("CREATE TABLE claim (id INT)").unwrap();
    db.run(&["team", "init"]).fails(
        1,
        &[
            "already has tables named like claimdb's (claim)",
            "nothing was written",
        ],
    );
    let meta: Option<String> = owner
        .query_one("SELECT to_regclass('claimdb_meta')::text", &[])
        .unwrap()
        .get(0);
    assert_eq!(meta, None, "nothing was written");

    owner.batch_execute("DROP TABLE claim").unwrap();
    db.run(&["team", "init"]).ok();
    let newer = claimdb::store::postgres::VERSION.0 + 1;
    owner
        .execute("UPDATE claimdb_meta SET major = $1, minor = 0", &[&newer])
        .unwrap();
    db.run(&["team", "init"]).fails(
        1,
        &[&format!("schema version {newer}.0"), "nothing was written"],
    );
}

#[test]
fn team_commands_refuse_a_database_file_and_a_database_without_a_team() {
    let wd = crate::harness::Workdir::new();
    wd.run(&["team", "list"]).fails(
        1,
        &["works on a shared PostgreSQL database", "--db postgres://"],
    );
    assert!(!wd.db().exists(), "no database file was created");
    // Checking the server's certificate is refused by name, before connecting.
    let verify = run_on(
        "postgres://amal:s3cret@127.0.0.1:1/desk?sslmode=verify-full",
        &["team", "list"],
        None,
    )
    .fails(
        1,
        &[
            "postgres://amal@127.0.0.1:1/desk",
            "sslmode=verify-full, which claimdb does not understand",
        ],
    );
    assert!(!verify.stderr.contains("s3cret"), "{verify:?}");
    let unreachable = run_on(
        "postgres://amal:s3cret@127.0.0.1:1/desk",
        &["team", "init"],
        None,
    )
    .fails(
        1,
        &["could not connect to postgres://amal@127.0.0.1:1/desk"],
    );
    assert!(!unreachable.stderr.contains("s3cret"), "{unreachable:?}");
    run_on("postgres://amal@127.0.0.1:1/desk", &["list"], None).fails(
        1,
        &["could not connect to postgres://amal@127.0.0.1:1/desk"],
    );
    // extract reads no database unless asked to --check.
    let article = wd.write("article.txt", "The army said 200 soldiers were killed.");
    let article = article.to_str().unwrap();
    let extracted = run_on(
        "postgres://amal@127.0.0.1:1/desk",
        &["extract", article],
        None,
    )
    .ok();
    assert!(extracted.stdout.contains("200 soldiers"), "{extracted:?}");
    let Some(db) = TestDb::new() else { return };
    db.run(&["team", "list"])
        .fails(1, &["no claimdb team yet", "claimdb team init"]);
}

#[test]
fn team_add_list_and_remove_give_and_take_roles_and_keep_the_login() {
    let Some(mut db) = TestDb::new() else { return };
    db.run(&["team", "init"]).ok();
    let amal = db.login("amal");
    // Logins are user input: a quote in one is part of the name, not of the SQL.
    let odd = db.login("o\"brien; DROP TABLE claim; --");
    db.run(&["team", "add", &amal, "--role", "checker"]).ok();
    db.run(&["team", "add", &odd, "--role", "editor"]).ok();
    let members = team(&db);
    assert!(
        members.contains(&(amal.clone(), "checker".into())),
        "{members:?}"
    );
    assert!(
        members.contains(&(odd.clone(), "editor".into())),
        "{members:?}"
    );

    // Adding again changes the role; the same role again changes nothing.
    let promoted = db.run(&["team", "add", &amal, "--role", "admin"]).ok();
    assert!(
        promoted.stderr.contains("now admin (was checker)"),
        "{promoted:?}"
    );
    assert!(team(&db).contains(&(amal.clone(), "admin".into())));
    let same = db.run(&["team", "add", &amal, "--role", "admin"]).ok();
    assert!(same.stderr.contains("already was admin"), "{same:?}");

    let csv = db.run(&["team", "list", "--format", "csv"]).ok();
    assert!(csv.stdout.starts_with("login,role\n"), "{csv:?}");
    assert!(csv.stdout.contains(&format!("{amal},admin\n")), "{csv:?}");

    db.run(&["team", "remove", &amal]).ok();
    let members = team(&db);
    assert!(
        !members.iter().any(|(login, _)| *login == amal),
        "{members:?}"
    );
    let kept: i64 = db
        .owner()
        .query_one("SELECT count(*) FROM pg_roles WHERE rolname = $1", &[&amal])
        .unwrap()
        .get(0);
    assert_eq!(kept, 1, "the login itself is kept");
    // Still a login, but no longer able to read the desk.
    let (code, _) = refused(&mut db.connect_as(&amal), "SELECT * FROM claim");
    assert_eq!(code, SqlState::INSUFFICIENT_PRIVILEGE);

    let nobody = db.login("nobody");
    db.run(&["team", "remove", &nobody])
        .fails(1, &["there is no login", &nobody]);
    db.run(&["team", "add", "claimdb_editor", "--role", "admin"])
        .fails(1, &["one of claimdb's team roles", "nothing was written"]);
    db.run(&["team", "add", &"x".repeat(64), "--role", "checker"])
        .fails(1, &["at most 63 bytes"]);
}

#[test]
fn an_admin_gives_and_takes_the_checker_and_editor_roles_and_a_checker_cannot() {
    let Some(mut db) = TestDb::new() else { return };
    let [checker, editor, admin] = db.team_with_a_claim();
    let newcomer = db.login("newcomer");
    db.owner()
        .batch_execute(&format!("CREATE ROLE {newcomer} LOGIN"))
        .unwrap();
    db.run_as(&admin, &["team", "add", &newcomer, "--role", "editor"])
        .ok();
    assert!(team(&db).contains(&(newcomer.clone(), "editor".into())));
    db.run_as(&admin, &["team", "add", &newcomer, "--role", "checker"])
        .ok();
    assert!(team(&db).contains(&(newcomer.clone(), "checker".into())));
    db.run_as(&admin, &["team", "add", &newcomer, "--role", "admin"])
        .fails(1, &["giving the admin role needs", "nothing was written"]);
    db.run_as(&admin, &["team", "remove", &newcomer]).ok();
    assert!(!team(&db).iter().any(|(login, _)| *login == newcomer));

    for someone in [&checker, &editor] {
        db.run_as(someone, &["team", "add", &newcomer, "--role", "editor"])
            .fails(1, &["could not give", "nothing was written"]);
    }
    assert!(!team(&db).iter().any(|(login, _)| *login == newcomer));
    db.run_as(&checker, &["team", "init"])
        .fails(1, &["must be run by the owner", "nothing was written"]);
}

#[test]
fn team_add_sets_a_password_from_stdin_without_ever_showing_it() {
    let Some(mut db) = TestDb::new() else { return };
    db.run(&["team", "init"]).ok();
    let amal = db.login("amal");
    let password = "correct horse 'battery' staple";
    let run = db
        .run_stdin(
            &[
                "team",
                "add",
                &amal,
                "--role",
                "checker",
                "--password-stdin",
            ],
            Some(&format!("{password}\n")),
        )
        .ok();
    assert!(
        !run.stdout.contains("horse") && !run.stderr.contains("horse"),
        "{run:?}"
    );
    let stored: String = db
        .owner()
        .query_one(
            "SELECT rolpassword FROM pg_authid WHERE rolname = $1",
            &[&amal],
        )
        .unwrap()
        .get(0);
    assert!(stored.starts_with("SCRAM-SHA-256$"), "{stored}");
    assert!(!stored.contains("horse"));

    let other = db.login("other");
    db.run_stdin(
        &[
            "team",
            "add",
            &other,
            "--role",
            "checker",
            "--password-stdin",
        ],
        Some("\n"),
    )
    .fails(1, &["holds no password", "nothing was written"]);
    let created: i64 = db
        .owner()
        .query_one(
            "SELECT count(*) FROM pg_roles WHERE rolname = $1",
            &[&other],
        )
        .unwrap()
        .get(0);
    assert_eq!(created, 0);
}

#[test]
fn a_checker_setting_a_verdict_with_plain_sql_is_refused_by_the_server() {
    let Some(mut db) = TestDb::new() else { return };
    let [checker, ..] = db.team_with_a_claim();
    let mut conn = db.connect_as(&checker);
    let (code, message) = refused(
        &mut conn,
        "UPDATE claim SET status = 'verified' WHERE id = 1",
    );
    assert_eq!(code, SqlState::INSUFFICIENT_PRIVILEGE, "{message}");
    assert!(
        message.contains("needs the claimdb_editor role"),
        "{message}"
    );
    assert!(message.contains("ask an editor"), "{message}");
    // Even when the checker signs the change as the rules want.
    let (code, message) = refused(
        &mut conn,
        "UPDATE claim SET status = 'false', updated_by = session_user WHERE id = 1",
    );
    assert_eq!(code, SqlState::INSUFFICIENT_PRIVILEGE, "{message}");
    // Nor may a checker record a new claim that already has a verdict.
    let (code, message) = refused(
        &mut conn,
        &format!(
            "INSERT INTO claim (uid, text, text_hash, claimant_id, status, created_at, created_by,
                                updated_at, updated_by)
             VALUES ('u2', 'x', 2, 1, 'misleading', 't', '{checker}', 't', '{checker}')"
        ),
    );
    assert_eq!(code, SqlState::INSUFFICIENT_PRIVILEGE, "{message}");
    assert!(message.contains("claimdb_editor"), "{message}");
    assert_eq!(status_of(&mut conn, 1), "unverified");
}

#[test]
fn a_checker_edits_claims_and_moves_them_along_the_workflow_in_their_own_name() {
    let Some(mut db) = TestDb::new() else { return };
    let [checker, ..] = db.team_with_a_claim();
    let mut conn = db.connect_as(&checker);
    conn.batch_execute(
        "UPDATE claim SET note = 'two sources', updated_by = session_user WHERE id = 1;
         UPDATE claim SET status = 'in_review', updated_by = session_user WHERE id = 1;
         UPDATE claim SET status = 'disputed', updated_by = session_user WHERE id = 1;",
    )
    .unwrap();
    let row = conn
        .query_one(
            "SELECT note, status, updated_by FROM claim WHERE id = 1",
            &[],
        )
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "two sources");
    assert_eq!(row.get::<_, String>(1), "disputed");
    assert_eq!(row.get::<_, String>(2), checker);

    // A change signed with someone else's name, or left under the last person's, is refused.
    db.owner()
        .batch_execute("UPDATE claim SET updated_by = 'owner' WHERE id = 1")
        .unwrap();
    for sql in [
        "UPDATE claim SET note = 'x', updated_by = 'someone else' WHERE id = 1",
        "UPDATE claim SET note = 'x' WHERE id = 1",
    ] {
        let (code, message) = refused(&mut conn, sql);
        assert_eq!(code, SqlState::INSUFFICIENT_PRIVILEGE, "{message}");
        assert!(
            message.contains("claim.updated_by must be the login you are connected as"),
            "{message}"
        );
    }
    let (code, message) = refused(
        &mut conn,
        "INSERT INTO stance (claim_id, source_id, stance, created_at, created_by)
         VALUES (1, 1, 'supports', 't', 'someone else')",
    );
    assert_eq!(code, SqlState::INSUFFICIENT_PRIVILEGE, "{message}");

    // A disputing stance in the checker's own name counts on the claim and in the stats.
    conn.batch_execute(&format!(
        "INSERT INTO source (name, created_at) VALUES ('NGO', 't');
         INSERT INTO stance (claim_id, source_id, stance, created_at, created_by)
         VALUES (1, 2, 'disputes', 't', '{checker}')"
    ))
    .unwrap();
    let disputes: i64 = conn
        .query_one("SELECT disputes FROM claim WHERE id = 1", &[])
        .unwrap()
        .get(0);
    assert_eq!(disputes, 1);
    let counted: i64 = conn
        .query_one(
            "SELECT n FROM claim_count WHERE claimant_id = 1 AND status = 'disputed'
             AND disputed = 1",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(counted, 1);
}

#[test]
fn an_editor_sets_and_withdraws_verdicts_merges_and_maps_ratings_and_a_checker_cannot() {
    let Some(mut db) = TestDb::new() else { return };
    let [checker, editor, admin] = db.team_with_a_claim();
    db.owner()
        .batch_execute(
            "INSERT INTO claim (uid, text, text_hash, claimant_id, created_at, created_by,
                                updated_at, updated_by)
             VALUES ('u2', 'About 200 soldiers.', 2, 1, 't', 'owner', 't', 'owner')",
        )
        .unwrap();
    let mut as_checker = db.connect_as(&checker);
    let mut as_editor = db.connect_as(&editor);

    // The review gate: a checker proposes, only an editor approves (or returns).
    as_checker
        .batch_execute(&format!(
            "INSERT INTO claim_desk (claim_id, proposed_status, proposed_by, proposed_note)
             VALUES (1, 'verified', '{checker}', 'two sources')"
        ))
        .unwrap();
    let (code, message) = refused(
        &mut as_checker,
        "UPDATE claim_desk SET proposed_status = NULL, proposed_by = NULL WHERE claim_id = 1",
    );
    assert_eq!(code, SqlState::INSUFFICIENT_PRIVILEGE, "{message}");
    assert!(message.contains("claimdb_editor"), "{message}");
    as_editor
        .batch_execute(
            "UPDATE claim SET status = 'verified', updated_by = session_user WHERE id = 1;
             UPDATE claim_desk SET proposed_status = NULL, proposed_by = NULL,
                 proposed_note = NULL WHERE claim_id = 1;",
        )
        .unwrap();
    assert_eq!(status_of(&mut as_editor, 1), "verified");

    // Withdrawing a verdict is an editor's too.
    let (code, message) = refused(
        &mut as_checker,
        "UPDATE claim SET status = 'in_review', updated_by = session_user WHERE id = 1",
    );
    assert_eq!(code, SqlState::INSUFFICIENT_PRIVILEGE, "{message}");
    assert!(
        message.contains("withdrawing the verdict verified"),
        "{message}"
    );
    as_editor
        .batch_execute(
            "UPDATE claim SET status = 'in_review', updated_by = session_user WHERE id = 1",
        )
        .unwrap();
    // An admin is an editor.
    db.connect_as(&admin)
        .batch_execute("UPDATE claim SET status = 'false', updated_by = session_user WHERE id = 1")
        .unwrap();

    // Merging and the rating map.
    for sql in [
        format!("INSERT INTO claim_merge (dup_id, keep_id, merged_at, merged_by) VALUES (2, 1, 't', '{checker}')"),
        format!("INSERT INTO rating_map (key, rating, status, created_at, created_by) VALUES ('fake', 'Fake', 'false', 't', '{checker}')"),
    ] {
        let (code, message) = refused(&mut as_checker, &sql);
        assert_eq!(code, SqlState::INSUFFICIENT_PRIVILEGE, "{message}");
        assert!(message.contains("needs the claimdb_editor role"), "{message}");
    }
    as_editor
        .batch_execute(&format!(
            "INSERT INTO claim_merge (dup_id, keep_id, merged_at, merged_by)
             VALUES (2, 1, 't', '{editor}');
             INSERT INTO rating_map (key, rating, status, created_at, created_by)
             VALUES ('fake', 'Fake', 'false', 't', '{editor}');"
        ))
        .unwrap();
}

#[test]
fn nobody_changes_or_deletes_history_and_events_are_added_in_ones_own_name_and_in_sequence() {
    let Some(mut db) = TestDb::new() else { return };
    let [checker, editor, admin] = db.team_with_a_claim();
    let event = |id: i64, actor: &str| {
        format!(
            "INSERT INTO history (id, claim_id, at, actor, action, field, old_value, new_value,
                                  note, hash)
             VALUES ({id}, 1, 't', '{actor}', 'edit', 'note', '', 'x', NULL, 'hash{id}')"
        )
    };
    let mut as_checker = db.connect_as(&checker);
    let (code, message) = refused(&mut as_checker, &event(1, &editor));
    assert_eq!(code, SqlState::INSUFFICIENT_PRIVILEGE, "{message}");
    assert!(
        message.contains("history.actor must be the login"),
        "{message}"
    );
    // Out of sequence: the chain's next event is 1.
    refused(&mut as_checker, &event(2, &checker));
    as_checker
        .batch_execute(&format!(
            "BEGIN; SELECT last_id, last_hash FROM history_head FOR UPDATE; {}; COMMIT;",
            event(1, &checker)
        ))
        .unwrap();
    let head = as_checker
        .query_one("SELECT last_id, last_hash FROM history_head", &[])
        .unwrap();
    assert_eq!(
        (head.get::<_, i64>(0), head.get::<_, String>(1)),
        (1, "hash1".into())
    );
    // The head moves only with history.
    refused(&mut as_checker, "UPDATE history_head SET last_id = 5");

    let mut everyone = vec![
        db.connect_as(&checker),
        db.connect_as(&editor),
        db.connect_as(&admin),
        db.owner(),
    ];
    for conn in &mut everyone {
        for sql in [
            "UPDATE history SET note = 'rewritten' WHERE id = 1",
            "DELETE FROM history WHERE id = 1",
            "TRUNCATE history CASCADE",
        ] {
            refused(conn, sql);
        }
    }
    let events: i64 = db
        .owner()
        .query_one("SELECT count(*) FROM history WHERE note IS NULL", &[])
        .unwrap()
        .get(0);
    assert_eq!(events, 1);
}

#[test]
fn the_servers_verdicts_are_claimdbs_verdicts() {
    let Some(db) = TestDb::new() else { return };
    db.run(&["team", "init"]).ok();
    let mut owner = db.owner();
    for status in Status::ALL {
        let is_verdict: bool = owner
            .query_one("SELECT claimdb_is_verdict($1)", &[&status.as_str()])
            .unwrap()
            .get(0);
        assert_eq!(is_verdict, status.is_verdict(), "{status}");
    }
}

#[test]
fn the_team_schema_has_the_tables_columns_checks_and_indexes_of_a_database_file() {
    let Some(db) = TestDb::new() else { return };
    db.run(&["team", "init"]).ok();
    let wd = crate::harness::Workdir::new();
    wd.run(&["init"]).ok();
    let file = rusqlite::Connection::open(wd.db()).unwrap();
    let mut owner = db.owner();
    let columns_in_postgres = |owner: &mut Client, table: &str| -> Vec<String> {
        owner
            .query(
                "SELECT column_name::text FROM information_schema.columns
                 WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
                &[&table],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    };
    // Every ordinary table of the file, except the ones search keeps differently (FTS5 there,
    // a folded document per claim here).
    let tables: Vec<String> = file
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'
             AND name NOT LIKE 'claim_search%' AND name NOT LIKE 'sqlite_%'
             AND name <> 'search_folding' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(tables.len() >= 14, "{tables:?}");
    for table in &tables {
        let in_file: Vec<String> = file
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(columns_in_postgres(&mut owner, table), in_file, "{table}");
    }
    // The same CHECKs: the values each table's checks allow, as quoted in them.
    for table in &tables {
        let sql: String = file
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE name = ?1",
                [table],
                |r| r.get(0),
            )
            .unwrap();
        let in_file = quoted_in_checks(&sql);
        let in_postgres = owner
            .query(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint
                 WHERE conrelid = $1::text::regclass AND contype = 'c'",
                &[&table],
            )
            .unwrap()
            .iter()
            .flat_map(|r| quoted_in_checks(r.get(0)))
            .collect::<Vec<_>>();
        let mut in_postgres = in_postgres;
        in_postgres.sort();
        assert_eq!(in_postgres, in_file, "{table}");
    }
    // And every index of the file, by name.
    let indexes_in_postgres: Vec<String> = owner
        .query(
            "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let indexes_in_file: Vec<String> = file
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(indexes_in_file.len() >= 19, "{indexes_in_file:?}");
    for index in &indexes_in_file {
        assert!(indexes_in_postgres.contains(index), "{index}");
    }
}

/// The quoted values inside the CHECK (…) clauses of `sql`, sorted.
fn quoted_in_checks(sql: &str) -> Vec<String> {
    let mut values = Vec::new();
    for (start, _) in sql.match_indices("CHECK (") {
        let mut depth = 0;
        let mut end = start;
        for (i, c) in sql[start..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' if depth == 1 => {
                    end = start + i;
                    break;
                }
                ')' => depth -= 1,
                _ => {}
            }
        }
        values.extend(
            sql[start..end]
                .split('\'')
                .skip(1)
                .step_by(2)
                .map(str::to_owned),
        );
    }
    values.sort();
    values
}

#[test]
fn writers_that_lock_the_head_first_extend_one_chain_however_many_write_at_once() {
    let Some(mut db) = TestDb::new() else { return };
    let [checker, editor, admin] = db.team_with_a_claim();
    let writers: Vec<_> = [&checker, &editor, &admin, &checker, &editor, &admin]
        .into_iter()
        .map(|login| {
            let mut conn = db.connect_as(login);
            let login = login.clone();
            std::thread::spawn(move || {
                for _ in 0..10 {
                    let mut tx = conn.transaction().unwrap();
                    let head = tx
                        .query_one(
                            "SELECT last_id, last_hash FROM history_head FOR UPDATE",
                            &[],
                        )
                        .unwrap();
                    let (id, previous): (i64, String) = (head.get::<_, i64>(0) + 1, head.get(1));
                    tx.execute(
                        "INSERT INTO history (id, claim_id, at, actor, action, hash)
                         VALUES ($1, 1, 't', $2, 'edit', $3)",
                        &[&id, &login, &format!("{previous}>{id}")],
                    )
                    .unwrap();
                    tx.commit().unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let rows = db
        .owner()
        .query("SELECT id, hash FROM history ORDER BY id", &[])
        .unwrap();
    let mut previous = String::new();
    for (n, row) in rows.iter().enumerate() {
        let id: i64 = row.get(0);
        assert_eq!(id, n as i64 + 1);
        let hash: String = row.get(1);
        assert_eq!(hash, format!("{previous}>{id}"));
        previous = hash;
    }
    assert_eq!(rows.len(), 60);
}

#[test]
fn many_people_writing_at_once_lose_nothing_and_keep_one_chain() {
    use std::sync::{Arc, Mutex};
    let Some(mut db) = TestDb::new() else { return };
    db.run(&["team", "init"]).ok();
    let checkers: Vec<String> = (0..8).map(|i| db.login(&format!("w{i}"))).collect();
    let editors: Vec<String> = (0..2).map(|i| db.login(&format!("s{i}"))).collect();
    for login in &checkers {
        db.run(&["team", "add", login, "--role", "checker"]).ok();
    }
    for login in &editors {
        db.run(&["team", "add", login, "--role", "editor"]).ok();
    }
    let db = Arc::new(db);
    let added: Arc<Mutex<Vec<i64>>> = Arc::default();
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for (w, login) in checkers.iter().enumerate() {
        let (db, added, login) = (db.clone(), added.clone(), login.clone());
        writers.push(std::thread::spawn(move || {
            for i in 0..100 {
                // Three claimants shared by everyone: new sources are created side by side.
                let claimant = format!("Ministry {}", (w + i) % 3);
                let text = format!("Writer {w} says {i} soldiers were seen near the base");
                let run = db
                    .run_as(&login, &["add", &text, "--claimant", &claimant])
                    .ok();
                let id = run.stdout.trim().parse::<i64>().expect("add prints the id");
                added.lock().unwrap().push(id);
            }
        }));
    }
    let mut movers = Vec::new();
    for (m, login) in editors.iter().enumerate() {
        let (db, added, done, login) = (db.clone(), added.clone(), done.clone(), login.clone());
        movers.push(std::thread::spawn(move || {
            let mut changes = 0_u64;
            let mut turn = m;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let id = {
                    let ids = added.lock().unwrap();
                    match ids.len() {
                        0 => None,
                        n => Some(ids[(turn * 7919) % n]),
                    }
                };
                turn += 1;
                let Some(id) = id else { continue };
                let status = if turn % 2 == 0 {
                    "in_review"
                } else {
                    "unverified"
                };
                let run = db.run_as(&login, &["status", &id.to_string(), status]).ok();
                if run.stderr.contains('→') {
                    changes += 1;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            changes
        }));
    }
    let mut readers = Vec::new();
    for login in editors.clone() {
        let (db, done) = (db.clone(), done.clone());
        readers.push(std::thread::spawn(move || {
            let mut reads = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                db.run_as(&login, &["list", "--limit", "20", "--format", "csv"])
                    .ok();
                db.run_as(&login, &["stats", "--format", "json"]).ok();
                reads += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            reads
        }));
    }
    for writer in writers {
        writer.join().expect("every add succeeded");
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let changes: u64 = movers.into_iter().map(|m| m.join().expect("status")).sum();
    let reads: u64 = readers.into_iter().map(|r| r.join().expect("reads")).sum();
    assert!(reads > 0);

    let mut owner = db.owner();
    let mut count = |sql: &str| -> i64 { owner.query_one(sql, &[]).unwrap().get(0) };
    assert_eq!(count("SELECT count(*) FROM claim"), 800);
    assert_eq!(
        count("SELECT count(*) FROM history WHERE action = 'create'"),
        800
    );
    assert_eq!(
        count("SELECT count(*) FROM history WHERE action = 'status'"),
        i64::try_from(changes).unwrap()
    );
    assert_eq!(
        count("SELECT count(*) FROM source"),
        3,
        "each claimant once"
    );
    assert_eq!(
        count("SELECT count(DISTINCT text) FROM claim"),
        800,
        "no claim written twice"
    );
    let stats = db.run(&["stats", "--format", "json"]).ok().json();
    assert_eq!(stats["claims"], 800, "{stats}");
    db.run(&["audit"]).ok();
}

#[test]
fn imports_running_at_once_on_a_team_database_all_land() {
    let Some(mut db) = TestDb::new() else { return };
    db.run(&["team", "init"]).ok();
    let dir = tempfile::tempdir().unwrap();
    let people: Vec<String> = (0..4).map(|i| db.login(&format!("i{i}"))).collect();
    let mut files = Vec::new();
    for (p, login) in people.iter().enumerate() {
        db.run(&["team", "add", login, "--role", "checker"]).ok();
        // The same claimants in every file, met in another order: the writers take the same
        // rows of the counts in different orders, which PostgreSQL may answer with a deadlock.
        let mut csv = String::from("text,claimant,supported_by\n");
        for i in 0..60 {
            let claimant = ["Army", "Ministry", "Agency"][(i + p) % 3];
            csv.push_str(&format!(
                "Importer {p} reports {i} soldiers,{claimant},Source {}\n",
                (i * (p + 1)) % 5
            ));
        }
        let file = dir.path().join(format!("part{p}.csv"));
        std::fs::write(&file, csv).unwrap();
        files.push(file);
    }
    let db = std::sync::Arc::new(db);
    let runs: Vec<_> = people
        .iter()
        .zip(&files)
        .map(|(login, file)| {
            let (db, login, file) = (db.clone(), login.clone(), file.clone());
            std::thread::spawn(move || db.run_as(&login, &["import", file.to_str().unwrap()]))
        })
        .collect();
    for run in runs {
        run.join().unwrap().ok();
    }
    let mut owner = db.owner();
    let count: i64 = owner
        .query_one("SELECT count(*) FROM claim", &[])
        .unwrap()
        .get(0);
    assert_eq!(count, 240);
    let sources: i64 = owner
        .query_one("SELECT count(*) FROM source", &[])
        .unwrap()
        .get(0);
    assert_eq!(sources, 8, "three claimants and five sources, each once");
    db.run(&["audit"]).ok();
}

/// The search documents' folding and the documents themselves, as the server has them.
fn search_state(owner: &mut Client) -> (Option<i64>, Vec<String>) {
    let folding = owner
        .query_one("SELECT search_folding FROM claimdb_meta", &[])
        .unwrap()
        .get(0);
    let docs = owner
        .query("SELECT doc::text FROM claim_search ORDER BY claim_id", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    (folding, docs)
}

#[test]
fn only_migrate_rebuilds_search_documents_an_older_folding_made_and_twice_changes_nothing() {
    let Some(mut db) = TestDb::new() else { return };
    db.team_with_a_claim();
    // Through claimdb, which computes the search documents (of both claims) as it writes.
    db.run(&["add", "About 300 tanks", "--claimant", "Army"])
        .ok();
    let mut owner = db.owner();
    let current: Vec<String> = search_state(&mut owner).1;
    assert_eq!(current.len(), 2);
    // As an older claimdb would have left it: its folding's number, documents that no longer
    // hold the words this folding makes.
    owner
        .batch_execute(
            "UPDATE claimdb_meta SET search_folding = 1;
             UPDATE claim_search SET doc = 'old'::tsvector",
        )
        .unwrap();
    let stale = (Some(1), vec!["'old'".to_owned(); 2]);
    let found = db.run(&["search", "soldiers", "--format", "json"]).ok();
    assert_eq!(found.json(), serde_json::json!([]));
    assert!(
        found
            .stderr
            .contains("its owner rebuilds them with `claimdb migrate`"),
        "{found:?}"
    );
    // Reading (and listing) works and changes nothing.
    for args in [&["list", "--format", "csv"][..], &["stats"], &["show", "1"]] {
        db.run(args).ok();
        assert_eq!(search_state(&mut owner), stale, "{args:?}");
    }

    let done = db.run(&["migrate", "--format", "json"]).ok().json();
    let (major, minor) = claimdb::store::postgres::VERSION;
    let version = format!("{major}.{minor}");
    assert_eq!(done["from"], version.as_str());
    assert_eq!(done["to"], version.as_str());
    assert_eq!(done["upgraded"], false);
    assert_eq!(done["search_documents"], 2);
    let folding = Some(claimdb::fold::VERSION);
    assert_eq!(search_state(&mut owner), (folding, current.clone()));
    let found = db.run(&["search", "soldiers", "--format", "json"]).ok();
    assert_eq!(found.json()[0]["id"], 1, "{found:?}");
    assert!(!found.stderr.contains("migrate"), "{found:?}");

    let again = db.run(&["migrate"]).ok();
    assert!(
        again
            .stdout
            .contains(&format!("is already current (schema version {version})")),
        "{again:?}"
    );
    assert!(!again.stdout.contains("rebuilt"), "{again:?}");
    assert_eq!(search_state(&mut owner), (folding, current));
}

#[test]
fn migrate_is_refused_to_anyone_but_the_databases_owner_as_by_role() {
    let Some(mut db) = TestDb::new() else { return };
    let [checker, editor, admin] = db.team_with_a_claim();
    let mut owner = db.owner();
    owner
        .batch_execute("UPDATE claimdb_meta SET search_folding = 1")
        .unwrap();
    for login in [&checker, &editor, &admin] {
        db.run_as(login, &["migrate"]).fails(
            4,
            &[
                "must be run by the owner of the database",
                login,
                "nothing was changed",
            ],
        );
    }
    let folding: Option<i64> = owner
        .query_one("SELECT search_folding FROM claimdb_meta", &[])
        .unwrap()
        .get(0);
    assert_eq!(folding, Some(1), "nothing was changed");
}

#[test]
fn any_minor_of_claimdbs_major_is_used_as_it_is_and_another_major_is_refused() {
    let Some(mut db) = TestDb::new() else { return };
    db.team_with_a_claim();
    let mut owner = db.owner();
    let (major, minor) = claimdb::store::postgres::VERSION;
    // A newer minor only added what this claimdb does not know of.
    owner
        .execute("UPDATE claimdb_meta SET minor = $1", &[&(minor + 1)])
        .unwrap();
    db.run(&["list", "--format", "csv"]).ok();
    db.run(&["status", "1", "in_review"]).ok();
    db.run(&["migrate"]).ok();
    let version: (i32, i32) = {
        let row = owner
            .query_one("SELECT major, minor FROM claimdb_meta", &[])
            .unwrap();
        (row.get(0), row.get(1))
    };
    assert_eq!(version, (major, minor + 1), "migrate never goes back");

    owner
        .execute(
            "UPDATE claimdb_meta SET major = $1, minor = 0",
            &[&(major - 1)],
        )
        .unwrap();
    let older = format!("schema version {}.0", major - 1);
    db.run(&["list"]).fails(
        1,
        &[
            &older,
            "its owner runs `claimdb migrate",
            "nothing was changed",
        ],
    );
    owner
        .execute("UPDATE claimdb_meta SET major = $1", &[&(major + 1)])
        .unwrap();
    db.run(&["list"])
        .fails(1, &["made by a newer claimdb", "nothing was changed"]);
    db.run(&["migrate"])
        .fails(1, &["made by a newer claimdb", "nothing was changed"]);
}

/// Whether the server's session on `client` is encrypted, as the server itself reports it.
fn encrypted(client: &mut Client) -> bool {
    client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0)
}

/// `address` with `sslmode=mode` in place of any it had.
fn with_ssl_mode(address: &str, mode: Option<&str>) -> String {
    let mut url = url::Url::parse(address).unwrap();
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "sslmode")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.set_query(None);
    if !kept.is_empty() || mode.is_some() {
        let mut pairs = url.query_pairs_mut();
        pairs.extend_pairs(kept);
        if let Some(mode) = mode {
            pairs.append_pair("sslmode", mode);
        }
    }
    url.to_string()
}

#[test]
#[allow(clippy::print_stderr)] // the notice that the test did not run
fn a_team_database_is_reached_encrypted_when_sslmode_requires_it_or_by_default() {
    let Some(db) = TestDb::new() else { return };
    let ssl: String = db.owner().query_one("SHOW ssl", &[]).unwrap().get(0);
    if ssl != "on" {
        eprintln!("skipped: the test server does not offer encryption (ssl = {ssl})");
        return;
    }
    let require = with_ssl_mode(&db.address, Some("require"));
    run_on(&require, &["team", "init"], None).ok();
    run_on(
        &require,
        &["add", "About 200 soldiers", "--claimant", "Army"],
        None,
    )
    .ok();
    let stats = run_on(&require, &["stats", "--format", "json"], None).ok();
    assert_eq!(stats.json()["claims"], 1, "{stats:?}");
    run_on(&require, &["team", "list"], None).ok();

    let connect = claimdb::store::postgres::connect;
    assert!(encrypted(&mut connect(&require).unwrap()));
    // Like PostgreSQL's own tools, claimdb encrypts whenever the server offers it…
    let default = with_ssl_mode(&db.address, None);
    assert!(encrypted(&mut connect(&default).unwrap()));
    // …unless told not to.
    let disable = with_ssl_mode(&db.address, Some("disable"));
    assert!(!encrypted(&mut connect(&disable).unwrap()));
    run_on(&disable, &["stats"], None).ok();
}

/// The claims marked for their search documents to be computed again.
fn marked(owner: &mut Client) -> Vec<i64> {
    owner
        .query("SELECT claim_id FROM claim_search_stale ORDER BY 1", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[test]
fn an_older_folding_leaves_what_it_writes_marked_for_the_databases_newer_one() {
    let Some(mut db) = TestDb::new() else { return };
    db.team_with_a_claim();
    let mut owner = db.owner();
    // A newer claimdb migrated the database to its folding.
    let newer = claimdb::fold::VERSION + 1;
    owner
        .execute("UPDATE claimdb_meta SET search_folding = $1", &[&newer])
        .unwrap();
    db.run(&["add", "About 300 tanks", "--claimant", "Army"])
        .ok();
    db.run(&["edit", "1", "--text", "About 250 soldiers"]).ok();
    // Computed, so that they can be found, and still marked for the newer folding.
    assert_eq!(marked(&mut owner), [1, 2]);
    let found = db.run(&["search", "tanks", "--format", "json"]).ok();
    assert_eq!(found.json()[0]["id"], 2, "{found:?}");
    assert!(
        found.stderr.contains("newer claimdb's folding"),
        "{found:?}"
    );
    // This claimdb's migrate leaves the newer folding's marks and documents alone.
    let done = db.run(&["migrate", "--format", "json"]).ok();
    assert_eq!(done.json()["search_documents"], 0);
    assert!(done.stderr.contains("newer claimdb's folding"), "{done:?}");
    assert_eq!(marked(&mut owner), [1, 2]);

    // A writer with the database's folding computes them again, and takes the marks.
    owner
        .execute(
            "UPDATE claimdb_meta SET search_folding = $1",
            &[&claimdb::fold::VERSION],
        )
        .unwrap();
    db.run(&["edit", "2", "--note", "seen on video"]).ok();
    assert_eq!(marked(&mut owner), Vec::<i64>::new());
}

/// A claims file of `rows` rows from `from`: uids on every tenth row, supporting and disputing
/// sources, verdicts with reasons, figures and tags, so that every table an import writes gets
/// rows. `changed` rewrites the status and note of every third row.
fn claims_file(from: usize, rows: usize, changed: bool) -> String {
    let mut csv = String::from(
        "uid,text,claimant,supported_by,disputed_by,status,verdict_reason,value,unit,tags,note\n",
    );
    for i in from..from + rows {
        let uid = if i % 10 == 0 {
            format!("uid-{i}")
        } else {
            String::new()
        };
        let claimant = ["Army", "Ministry", "Agency", "Reuters"][i % 4];
        let supported = if i % 3 == 0 {
            format!("Source {}", i % 5)
        } else {
            String::new()
        };
        let disputed = if i % 4 == 1 {
            format!("Witness {}", i % 3)
        } else {
            String::new()
        };
        let mut status = ["unverified", "false", "verified", "disputed", "in_review"][i % 5];
        let mut note = format!("seen on day {}", i % 7);
        if changed && i % 3 == 0 {
            status = ["in_review", "misleading", "disputed"][i % 2];
            note = format!("checked again {i}");
        }
        let reason = if matches!(status, "false" | "verified" | "misleading") && i % 2 == 0 {
            format!("reason {i}")
        } else {
            String::new()
        };
        let (value, unit) = if i % 2 == 0 {
            ((i * 10).to_string(), "soldiers")
        } else {
            (String::new(), "")
        };
        csv.push_str(&format!(
            "{uid},\"Report {i}: soldiers seen near town {}, \"\"quoted\"\"\",{claimant},{supported},\
             {disputed},{status},{reason},{value},{unit},t{};shared,{note}\n",
            i % 13,
            i % 4
        ));
    }
    csv
}

/// The export and the audit of a database, without what depends on who imported and when:
/// times, logins, the hashes that cover them, and the uids made up for rows without one.
fn comparable(export: &str, audit: &str) -> (serde_json::Value, serde_json::Value) {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                for key in [
                    "at",
                    "actor",
                    "hash",
                    "head",
                    "created_at",
                    "created_by",
                    "updated_at",
                    "updated_by",
                ] {
                    map.remove(key);
                }
                if map
                    .get("uid")
                    .and_then(|u| u.as_str())
                    .is_some_and(|u| !u.starts_with("uid-"))
                {
                    map.remove("uid");
                }
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut export: serde_json::Value = serde_json::from_str(export).unwrap();
    let mut audit: serde_json::Value = serde_json::from_str(audit).unwrap();
    strip(&mut export);
    strip(&mut audit);
    (export, audit)
}

#[test]
fn an_import_into_a_team_database_writes_what_it_writes_into_a_file() {
    let Some(db) = TestDb::new() else { return };
    db.run(&["team", "init"]).ok();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("claims.db");
    let file = file.to_str().unwrap();
    // New claims into an empty database; then a file of updates (by uid, and by text and
    // claimant), unchanged rows and new claims, one after the other.
    let first = dir.path().join("first.csv");
    std::fs::write(&first, claims_file(0, 300, false)).unwrap();
    let second = dir.path().join("second.csv");
    // (New claims and updates take turns, so that staged claims are written before each
    // update and after it.)
    let rows = claims_file(150, 300, true);
    let lines: Vec<&str> = rows.lines().collect();
    let mut mixed = format!("{}\n", lines[0]);
    for (update, new) in lines[1..151].iter().zip(&lines[151..]) {
        mixed.push_str(&format!("{new}\n{update}\n"));
    }
    // And a new claim with a uid of its own.
    mixed.push_str("uid-7,A claim kept by its uid,Army,,,unverified,,,,,\n");
    std::fs::write(&second, mixed).unwrap();
    for csv in [&first, &second] {
        let csv = csv.to_str().unwrap();
        run_on(&db.address, &["import", csv], None).ok();
        run_on(file, &["import", csv], None).ok();
    }
    let on = |address: &str| {
        comparable(
            &run_on(address, &["export", "--format", "json"], None)
                .ok()
                .stdout,
            &run_on(address, &["--format", "json", "audit"], None)
                .ok()
                .stdout,
        )
    };
    let (server, local) = (on(&db.address), on(file));
    assert_eq!(server.1, local.1, "the audits differ");
    let claims = server.0["claims"].as_array().unwrap();
    assert_eq!(
        claims.len(),
        451,
        "300 claims, 150 new ones and one by a new uid"
    );
    assert!(claims
        .iter()
        .any(|c| c["disputed_by"].as_array().is_some_and(|d| !d.is_empty())));
    assert!(claims.iter().any(|c| !c["verdict_reason"].is_null()));
    for section in ["claims", "history", "sources"] {
        let (on_server, on_file) = (&server.0[section], &local.0[section]);
        let differs = on_server
            .as_array()
            .unwrap()
            .iter()
            .zip(on_file.as_array().unwrap())
            .find(|(a, b)| a != b);
        assert_eq!(differs, None, "{section} differ");
    }
    assert_eq!(server.0, local.0, "the exports differ");
    // The search finds the claims the imports loaded: all but the one by a new uid.
    let found = run_on(
        &db.address,
        &["--format", "json", "search", "quoted", "--limit", "1000"],
        None,
    )
    .ok()
    .json();
    assert_eq!(found.as_array().unwrap().len(), 450);
}

#[test]
fn a_bad_row_late_in_a_large_file_leaves_a_team_database_untouched() {
    let Some(db) = TestDb::new() else { return };
    db.run(&["team", "init"]).ok();
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.csv");
    std::fs::write(&first, claims_file(0, 50, false)).unwrap();
    run_on(&db.address, &["import", first.to_str().unwrap()], None).ok();
    let before = run_on(&db.address, &["export", "--format", "json"], None)
        .ok()
        .stdout;
    let counts = || -> Vec<i64> {
        let row = db
            .owner()
            .query_one(
                "SELECT (SELECT count(*) FROM claim), (SELECT count(*) FROM history),
                        (SELECT last_id FROM history_head), (SELECT count(*) FROM claim_search),
                        (SELECT count(*) FROM claim_search_stale),
                        (SELECT count(*) FROM pg_indexes WHERE indexname = 'claim_search_doc')",
                &[],
            )
            .unwrap();
        (0..6).map(|i| row.get(i)).collect()
    };
    let counted = counts();
    // 50 claims, each event of history in the chain's head, a search document per claim.
    assert_eq!(
        [
            counted[0],
            counted[2] - counted[1],
            counted[3],
            counted[4],
            counted[5]
        ],
        [50, 0, 50, 0, 1]
    );
    // Far more rows than are staged at a time, and the last one names its claimant as a
    // supporting source.
    let mut csv = claims_file(1_000, 12_000, false);
    csv.push_str(",The last claim,Army,Army,,unverified,,,,,\n");
    let large = dir.path().join("large.csv");
    std::fs::write(&large, csv).unwrap();
    run_on(&db.address, &["import", large.to_str().unwrap()], None).fails(
        1,
        &["line 12002", "cannot support or dispute its own claim"],
    );
    let after = run_on(&db.address, &["export", "--format", "json"], None)
        .ok()
        .stdout;
    assert_eq!(before, after, "nothing was written");
    assert_eq!(counts(), counted, "no claim, event or document was added");
}

#[test]
fn migrate_brings_a_database_of_schema_1_0_to_bulk_loads_whose_imports_go_on_counting_right() {
    let Some(db) = TestDb::new() else { return };
    db.run(&["team", "init"]).ok();
    // The row triggers of schema 1.0, in place of the statement triggers of 1.1.
    db.owner()
        .batch_execute(
            "DROP TRIGGER history_chain_next ON history;
             DROP TRIGGER claim_count_add ON claim;
             DROP TRIGGER stance_disputes_add ON stance;
             DROP TRIGGER claim_count_move ON claim;
             DROP TRIGGER stance_disputes ON stance;
             DROP TRIGGER claim_search_mark_stance ON stance;
             CREATE OR REPLACE FUNCTION history_chain_next() RETURNS trigger LANGUAGE plpgsql AS $$
             DECLARE
                 head history_head%ROWTYPE;
             BEGIN
                 SELECT * INTO head FROM history_head FOR UPDATE;
                 IF NEW.id IS DISTINCT FROM head.last_id + 1 THEN
                     RAISE EXCEPTION 'history event % is out of sequence', NEW.id;
                 END IF;
                 UPDATE history_head SET last_id = NEW.id, last_hash = NEW.hash;
                 RETURN NEW;
             END $$;
             CREATE TRIGGER history_chain_next BEFORE INSERT ON history
                 FOR EACH ROW EXECUTE FUNCTION history_chain_next();
             CREATE TRIGGER claim_search_mark_insert AFTER INSERT ON claim
                 FOR EACH ROW EXECUTE FUNCTION claim_search_mark();
             CREATE TRIGGER claim_search_mark_stance
                 AFTER INSERT OR DELETE OR UPDATE OF claim_id, source_id
                 ON stance FOR EACH ROW EXECUTE FUNCTION claim_search_mark();
             CREATE TRIGGER stance_disputes AFTER INSERT OR DELETE OR UPDATE OF stance, claim_id
                 ON stance FOR EACH ROW EXECUTE FUNCTION stance_disputes();
             CREATE TRIGGER claim_count_move
                 AFTER INSERT OR DELETE OR UPDATE OF status, claimant_id, disputes
                 ON claim FOR EACH ROW EXECUTE FUNCTION claim_count_move();
",
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.csv");
    std::fs::write(&first, claims_file(0, 40, false)).unwrap();
    run_on(&db.address, &["import", first.to_str().unwrap()], None).ok();
    // Then the database says it is at 1.0, which a claimdb of another major does not write.
    db.owner()
        .batch_execute(
            "DROP INDEX history_batch;
             UPDATE claimdb_meta SET major = 1, minor = 0;",
        )
        .unwrap();
    // Only its owner's migrate upgrades it: team init says so and changes nothing.
    db.run(&["team", "init"]).fails(
        1,
        &[
            "schema version 1.0",
            "claimdb migrate",
            "nothing was written",
        ],
    );
    let done = db.run(&["migrate", "--format", "json"]).ok().json();
    let (major, minor) = claimdb::store::postgres::VERSION;
    let latest = format!("{major}.{minor}");
    assert_eq!(
        (done["from"].as_str(), done["to"].as_str()),
        (Some("1.0"), Some(latest.as_str()))
    );
    let mut owner = db.owner();
    let version = owner
        .query_one("SELECT major, minor FROM claimdb_meta", &[])
        .unwrap();
    assert_eq!(
        (version.get::<_, i32>(0), version.get::<_, i32>(1)),
        (major, minor)
    );
    let triggers: Vec<String> = owner
        .query(
            "SELECT tgname::text || CASE WHEN tgtype & 1 = 1 THEN ' per row' ELSE '' END
             FROM pg_trigger
             WHERE tgrelid IN ('claim'::regclass, 'stance'::regclass, 'history'::regclass)
               AND tgname IN ('history_chain_next', 'claim_search_mark_insert',
                              'claim_count_add', 'stance_disputes_add', 'claim_count_move')
             ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        triggers,
        [
            "claim_count_add",
            "claim_count_move per row",
            "history_chain_next",
            "stance_disputes_add"
        ]
    );
    let second = dir.path().join("second.csv");
    std::fs::write(&second, claims_file(20, 60, true)).unwrap();
    run_on(&db.address, &["import", second.to_str().unwrap()], None).ok();
    run_on(&db.address, &["audit"], None).ok();
    let stats = run_on(&db.address, &["--format", "json", "stats"], None)
        .ok()
        .json();
    let disputed: i64 = owner
        .query_one(
            "SELECT count(*) FROM claim c WHERE c.status = 'disputed'
                OR (c.status IN ('unverified', 'in_review')
                    AND EXISTS (SELECT 1 FROM stance s WHERE s.claim_id = c.id
                                AND s.stance = 'disputes'))",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(
        (stats["claims"].as_i64(), stats["disputed"].as_i64()),
        (Some(80), Some(disputed))
    );
}

/// The rules on who records what as schema 1.1 had them: a row trigger for each rule, on every
/// row added or changed (in place of the statement triggers of 1.2 for added rows). Their
/// functions were those of 1.0: see [`permission_functions_1_0`].
const PERMISSION_TRIGGERS_1_1: &str = "
    DROP TRIGGER claim_added_needs_editor_for_verdicts ON claim;
    DROP TRIGGER claim_added_stamped ON claim;
    DROP TRIGGER stance_added_stamped ON stance;
    DROP FUNCTION claim_added_verdicts_need_editor();
    DROP FUNCTION claimdb_added_stamped_by_session_user();
    DROP TRIGGER claim_needs_editor_for_verdicts ON claim;
    CREATE TRIGGER claim_needs_editor_for_verdicts BEFORE INSERT OR UPDATE OF status ON claim
        FOR EACH ROW EXECUTE FUNCTION claim_verdict_needs_editor();
    DROP TRIGGER claim_stamped ON claim;
    CREATE TRIGGER claim_stamped BEFORE INSERT OR UPDATE ON claim FOR EACH ROW
        EXECUTE FUNCTION claimdb_stamped_by_session_user('created_by', '!updated_by');
    DROP TRIGGER stance_stamped ON stance;
    CREATE TRIGGER stance_stamped BEFORE INSERT OR UPDATE ON stance FOR EACH ROW
        EXECUTE FUNCTION claimdb_stamped_by_session_user('created_by');
    DROP TRIGGER history_actor_stamped ON history;
    CREATE TRIGGER history_actor_stamped BEFORE INSERT ON history FOR EACH ROW
        EXECUTE FUNCTION claimdb_stamped_by_session_user('actor');
";

/// Schema 1.1 (with [`PERMISSION_TRIGGERS_1_1`] in place): what 2.0 added is not there yet.
const VERSION_1_1: &str = "
    DROP INDEX history_batch;
    UPDATE claimdb_meta SET major = 1, minor = 1;";

/// The two functions behind the permission triggers as the first release (and 1.1) had them,
/// taken from the frozen 1.0 schema.
fn permission_functions_1_0() -> String {
    const SCHEMA_1_0: &str = include_str!("../fixtures/pg-schema-1.0.sql");
    [
        "claim_verdict_needs_editor()",
        "claimdb_stamped_by_session_user()",
    ]
    .iter()
    .map(|name| {
        let start = SCHEMA_1_0
            .find(&format!("CREATE FUNCTION {name}"))
            .unwrap_or_else(|| panic!("{name} is in the 1.0 schema"));
        let end = start + SCHEMA_1_0[start..].find("END $$;").unwrap() + "END $$;".len();
        SCHEMA_1_0[start..end].replacen("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
    })
    .collect::<Vec<_>>()
    .join("\n")
}

/// A claims file a checker may import: `rows` rows from `from`, none with a verdict, with
/// supporting and disputing sources.
fn checkers_file(from: usize, rows: usize) -> String {
    let mut csv = String::from("text,claimant,supported_by,disputed_by,status\n");
    for i in from..from + rows {
        let status = ["unverified", "in_review", "disputed"][i % 3];
        csv.push_str(&format!(
            "Checked report {i} of a convoy,Agency,Source {},Witness {},{status}\n",
            i % 2,
            i % 3
        ));
    }
    csv
}

/// The permission triggers of claims, stances and history, each with when it fires and for
/// what.
fn permission_triggers(owner: &mut Client) -> Vec<String> {
    owner
        .query(
            "SELECT t.tgname::text || ' ' || CASE WHEN t.tgtype & 1 = 1 THEN 'row' ELSE 'statement' END
                    || CASE WHEN t.tgtype & 2 = 2 THEN ' before' ELSE ' after' END
                    || CASE WHEN t.tgtype & 4 = 4 THEN ' insert' ELSE '' END
                    || CASE WHEN t.tgtype & 16 = 16 THEN ' update' ELSE '' END
             FROM pg_trigger t
             WHERE t.tgrelid IN ('claim'::regclass, 'stance'::regclass, 'history'::regclass)
               AND NOT t.tgisinternal
               AND (t.tgname::text LIKE '%stamped' OR t.tgname::text LIKE '%needs_editor%')
             ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// Every trigger and function of a database, as the server prints them.
fn triggers_and_functions(owner: &mut Client) -> Vec<String> {
    owner
        .query(
            "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t
             JOIN pg_class c ON c.oid = t.tgrelid
             WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace
             UNION ALL
             SELECT pg_get_functiondef(oid) FROM pg_proc
             WHERE pronamespace = 'public'::regnamespace
             ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[test]
fn migrate_brings_a_database_of_schema_1_1_to_checks_of_added_rows_as_a_set_with_its_chain_intact()
{
    let Some(mut db) = TestDb::new() else { return };
    db.run(&["team", "init"]).ok();
    let checker = db.login("checker");
    db.run(&["team", "add", &checker, "--role", "checker"]).ok();
    let mut owner = db.owner();
    owner.batch_execute(PERMISSION_TRIGGERS_1_1).unwrap();
    owner.batch_execute(&permission_functions_1_0()).unwrap();
    let at_1_1 = permission_triggers(&mut owner);
    assert!(
        at_1_1.contains(&"claim_stamped row before insert update".to_owned()),
        "{at_1_1:?}"
    );

    // Claims, stances and history written by claimdb at 1.1: the owner's import, then a
    // checker's import and edit in their own name.
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.csv");
    std::fs::write(&first, claims_file(0, 40, false)).unwrap();
    db.run(&["import", first.to_str().unwrap()]).ok();
    let theirs_csv = dir.path().join("theirs.csv");
    std::fs::write(&theirs_csv, checkers_file(0, 12)).unwrap();
    db.run_as(&checker, &["import", theirs_csv.to_str().unwrap()])
        .ok();
    db.run_as(&checker, &["edit", "2", "--note", "seen again"])
        .ok();
    let actors: i64 = owner
        .query_one(
            "SELECT count(DISTINCT actor) FROM history WHERE actor = $1",
            &[&checker],
        )
        .unwrap()
        .get(0);
    assert_eq!(actors, 1, "the checker's events are in the chain");

    let audit = || db.run(&["--format", "json", "audit"]).ok().stdout;
    let export = || db.run(&["export", "--format", "json"]).ok().stdout;
    let (audit_before, export_before) = (audit(), export());
    let head = serde_json::from_str::<serde_json::Value>(&audit_before).unwrap()["head"]
        .as_str()
        .map(str::to_owned);
    assert!(head.is_some_and(|h| h.len() == 64), "{audit_before}");
    // The database says it is at 1.1, which a claimdb of another major only migrates.
    owner.batch_execute(VERSION_1_1).unwrap();

    let done = db.run(&["migrate", "--format", "json"]).ok().json();
    let (major, minor) = claimdb::store::postgres::VERSION;
    let latest = format!("{major}.{minor}");
    assert_eq!(
        (done["from"].as_str(), done["to"].as_str()),
        (Some("1.1"), Some(latest.as_str()))
    );
    assert_eq!(audit(), audit_before, "the audit names another head");
    assert_eq!(export(), export_before, "the export changed");

    // New claims and stances are checked as a set; changes and history's actor row by row.
    assert_eq!(
        permission_triggers(&mut owner),
        [
            "claim_added_needs_editor_for_verdicts statement after insert",
            "claim_added_stamped statement after insert",
            "claim_needs_editor_for_verdicts row before update",
            "claim_stamped row before update",
            "history_actor_stamped row before insert",
            "stance_added_stamped statement after insert",
            "stance_stamped row before update",
        ]
    );
    // As a new database has them.
    let Some(new) = TestDb::new() else { return };
    new.run(&["team", "init"]).ok();
    assert_eq!(
        triggers_and_functions(&mut owner),
        triggers_and_functions(&mut new.owner())
    );

    // The rules hold as before, with the same words, for the first offending row of a set.
    let mut as_checker = db.connect_as(&checker);
    let (code, message) = refused(
        &mut as_checker,
        &format!(
            "INSERT INTO claim (uid, text, text_hash, claimant_id, status, created_at, created_by,
                                updated_at, updated_by)
             VALUES ('s1', 'x', 2, 1, 'unverified', 't', '{checker}', 't', '{checker}'),
                    ('s2', 'y', 3, 1, 'misleading', 't', '{checker}', 't', '{checker}'),
                    ('s3', 'z', 4, 1, 'false', 't', '{checker}', 't', '{checker}')"
        ),
    );
    assert_eq!(code, SqlState::INSUFFICIENT_PRIVILEGE, "{message}");
    assert_eq!(
        message,
        format!(
            "recording a claim with the verdict misleading needs the claimdb_editor role, which \
             {checker} does not have; record it unverified and propose the verdict for an editor \
             to approve"
        )
    );
    let (code, message) = refused(
        &mut as_checker,
        &format!(
            "INSERT INTO claim (uid, text, text_hash, claimant_id, created_at, created_by,
                                updated_at, updated_by)
             VALUES ('s1', 'x', 2, 1, 't', '{checker}', 't', '{checker}'),
                    ('s2', 'y', 3, 1, 't', '{checker}', 't', 'someone else'),
                    ('s3', 'z', 4, 1, 't', 'another', 't', '{checker}')"
        ),
    );
    assert_eq!(code, SqlState::INSUFFICIENT_PRIVILEGE, "{message}");
    assert_eq!(
        message,
        format!(
            "claim.updated_by must be the login you are connected as ({checker}), not 'someone \
             else': the database records every change under the login that made it"
        )
    );
    let (code, message) = refused(
        &mut as_checker,
        &format!(
            "INSERT INTO source (name, created_at) VALUES ('A new witness', 't');
             INSERT INTO stance (claim_id, source_id, stance, created_at, created_by)
             SELECT claim, (SELECT id FROM source WHERE name = 'A new witness'), 'supports',
                    't', login
             FROM (VALUES (3, '{checker}'), (4, 'someone'), (5, 'another')) AS v (claim, login)"
        ),
    );
    assert_eq!(code, SqlState::INSUFFICIENT_PRIVILEGE, "{message}");
    assert!(
        message.starts_with(&format!(
            "stance.created_by must be the login you are connected as ({checker}), not 'someone'"
        )),
        "{message}"
    );
    // Through claimdb: a checker's import of a verdict is refused, one without goes in.
    let verdict = dir.path().join("verdict.csv");
    std::fs::write(
        &verdict,
        "text,claimant,status\nA convoy seen at dawn,Agency,unverified\nNo convoy at all,Agency,false\n",
    )
    .unwrap();
    db.run_as(&checker, &["import", verdict.to_str().unwrap()])
        .fails(
            4,
            &["recording a claim with the verdict false needs the claimdb_editor role"],
        );
    assert_eq!(export(), export_before, "nothing was written");
    let more = dir.path().join("more.csv");
    std::fs::write(&more, checkers_file(12, 30)).unwrap();
    db.run_as(&checker, &["import", more.to_str().unwrap()])
        .ok();
    db.run(&["import", first.to_str().unwrap()]).ok();
    db.run(&["audit"]).ok();
    let claims: i64 = owner
        .query_one("SELECT count(*) FROM claim", &[])
        .unwrap()
        .get(0);
    assert_eq!(claims, 40 + 12 + 30);
}
