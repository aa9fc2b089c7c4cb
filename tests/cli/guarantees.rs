//! What claimdb promises when several people, crashes and broken files meet one database:
//! concurrent writers, lost updates, crashes mid-import, hostile input, tamper-evident history,
//! backups. Each test fails when the protection it checks is removed.

use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::harness::Workdir;

fn count(wd: &Workdir) -> u64 {
    wd.json(&["stats"])["claims"].as_u64().unwrap()
}

fn history_len(wd: &Workdir) -> i64 {
    wd.sql_rows("SELECT count(*) FROM history")[0][0]
        .as_i64()
        .unwrap()
}

fn integrity(wd: &Workdir) -> String {
    let conn = rusqlite::Connection::open(wd.db()).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn concurrent_writers_readers_and_status_changes_all_succeed() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Arc::new(Workdir::new());
    for i in 0..20 {
        wd.add(&[&format!("seed claim {i}"), "--claimant", "Seed"]);
    }
    let history_before = history_len(&wd);
    let done = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for worker in 0..8 {
        let wd = Arc::clone(&wd);
        writers.push(thread::spawn(move || {
            for i in 0..100 {
                let text = format!("worker {worker} claim {i}: نحو {i} مقاتل");
                let run = wd.run(&["add", &text, "--claimant", &format!("Source {}", i % 5)]);
                assert_eq!(run.code, 0, "{run:?}");
            }
        }));
    }
    let mut status_changes = Vec::new();
    for changer in 0..2 {
        let wd = Arc::clone(&wd);
        status_changes.push(thread::spawn(move || {
            let mut changes = 0;
            for round in 0..25 {
                let id = (changer * 10 + round % 10 + 1).to_string();
                let status = if round % 2 == 0 {
                    "in_review"
                } else {
                    "disputed"
                };
                let run = wd.run(&["status", &id, status]);
                assert_eq!(run.code, 0, "{run:?}");
                // Setting the status a claim already has changes nothing and records nothing.
                if !run.stderr.contains("already") {
                    changes += 1;
                }
            }
            changes
        }));
    }
    let mut readers = Vec::new();
    for reader in 0..2 {
        let wd = Arc::clone(&wd);
        let done = Arc::clone(&done);
        readers.push(thread::spawn(move || {
            let mut runs = 0;
            while !done.load(Ordering::Relaxed) {
                let args: &[&str] = if reader == 0 {
                    &["list", "--format", "csv"]
                } else {
                    &["export", "--format", "jsonl"]
                };
                let run = wd.run(args);
                assert_eq!(run.code, 0, "{run:?}");
                runs += 1;
            }
            runs
        }));
    }
    for w in writers {
        w.join().unwrap();
    }
    let status_events: i64 = status_changes.into_iter().map(|t| t.join().unwrap()).sum();
    done.store(true, Ordering::Relaxed);
    let reads: u64 = readers.into_iter().map(|t| t.join().unwrap()).sum();
    assert!(reads > 0);
    let claims = wd.json(&["list"]);
    let added = claims
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["text"].as_str().unwrap().starts_with("worker "))
        .count();
    assert_eq!(added, 800, "exactly the 800 claims added");
    assert_eq!(count(&wd), 820);
    // Each add records its creation, each status change its change: nothing lost.
    assert_eq!(history_len(&wd), history_before + 800 + status_events);
    wd.run(&["audit"]).ok();
    assert_eq!(integrity(&wd), "ok");
}

#[test]
fn a_lock_held_too_long_is_a_clear_busy_error_with_its_own_exit_code() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Workdir::new();
    wd.add(&["x", "--claimant", "A"]);
    let before = wd.export();
    let conn = rusqlite::Connection::open(wd.db()).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut cmd = wd.command(&["add", "y", "--claimant", "B"]);
    cmd.env("CLAIMDB_BUSY_TIMEOUT", "0.2");
    let run = wd.run_command(cmd, &["add", "y"]);
    run.fails(3, &["database is busy", "nothing was written", "try again"]);
    // Readers are not held up by a writer.
    wd.run(&["list"]).ok();
    conn.execute_batch("ROLLBACK").unwrap();
    assert_eq!(wd.export(), before);
    wd.run(&["add", "y", "--claimant", "B"]).ok();
}

#[test]
fn an_edit_based_on_a_stale_read_is_refused() {
    let wd = Workdir::new();
    wd.add(&[
        "نحو ألف",
        "--claimant",
        "Western estimates",
        "--value",
        "1000",
    ]);
    let version = wd.json(&["show", "1"])["version"].as_i64().unwrap();
    assert_eq!(version, 1);
    // Someone else changes the claim after we read it.
    wd.run(&[
        "--as",
        "other",
        "edit",
        "1",
        "--value",
        "1100",
        "--if-version",
        "1",
    ])
    .ok();
    let before = wd.export();
    wd.run(&["edit", "1", "--value", "1200", "--if-version", "1"])
        .fails(
            1,
            &[
                "changed since you read it",
                "version 2",
                "by other",
                "--if-version 2",
            ],
        );
    wd.run(&["status", "1", "false", "--note", "x", "--if-version", "1"])
        .fails(1, &["version 2"]);
    assert_eq!(wd.export(), before);
    wd.run(&["edit", "1", "--value", "1200", "--if-version", "2"])
        .ok();
    assert_eq!(wd.json(&["show", "1"])["version"], 3);
}

fn big_csv(rows: usize) -> String {
    let mut csv = String::from("text,claimant,disputed_by,value,tags\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "\"claim {i}: تشير تقديرات غربية إلى انتشار نحو {i} من المقاتلين, \"\"quoted\"\"\",Source {},Other {},{i},t{}\n",
            i % 20,
            i % 7,
            i % 3
        ));
    }
    csv
}

#[test]
fn a_killed_import_leaves_all_or_nothing_and_a_working_database() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let rows = 20_000;
    let csv = big_csv(rows);
    let mut outcomes = Vec::new();
    // Kill points from early (opening) to late (committing), in milliseconds.
    for delay in [2, 15, 40, 80, 150, 300, 600, 1200] {
        let wd = Workdir::new();
        wd.add(&["before the import", "--claimant", "A"]);
        let file = wd.write("big.csv", &csv);
        let mut child: Child = wd
            .command(&["import", file.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        thread::sleep(Duration::from_millis(delay));
        let _ = child.kill(); // SIGKILL on Unix
        let status = child.wait().unwrap();
        assert_eq!(integrity(&wd), "ok", "after a kill at {delay} ms");
        let claims = count(&wd);
        assert!(
            claims == 1 || claims == 1 + rows as u64,
            "{claims} claims after a kill at {delay} ms"
        );
        outcomes.push((delay, status.success(), claims));
        // The next command works without repair, and the history chain is whole.
        wd.run(&["audit"]).ok();
        wd.add(&["after the import", "--claimant", "A"]);
    }
    assert!(
        outcomes
            .iter()
            .any(|(_, finished, claims)| !finished && *claims == 1),
        "at least one kill landed mid-import: {outcomes:?}"
    );
}

#[test]
fn hostile_files_get_clear_errors_or_exact_storage_never_a_partial_write() {
    let wd = Workdir::new();
    wd.add(&["already here", "--claimant", "A"]);
    let before = wd.export();
    let refused: &[(&str, &[u8], &str)] = &[
        ("empty.csv", b"", "the file is empty"),
        (
            "ragged.csv",
            b"text,claimant\na,b\nc\n",
            "line 3: the row has 1 fields",
        ),
        (
            "dup-header.csv",
            b"text,claimant,claimant\na,b,c\n",
            "appears twice",
        ),
        (
            "unknown.csv",
            b"text,claimant,colour\na,b,c\n",
            "unknown column \"colour\"",
        ),
        ("nul.csv", b"text,claimant\n\"a\x00b\",A\n", "NUL byte"),
        (
            "date.csv",
            b"text,claimant,claim_date\na,A,2022-02-30\n",
            "not in the calendar",
        ),
        (
            "inf.csv",
            b"text,claimant,value\na,A,1e309\n",
            "finite number",
        ),
        (
            "nan.csv",
            b"text,claimant,value\na,A,NaN\n",
            "finite number",
        ),
        ("utf16.csv", b"\xff\xfet\x00e\x00x\x00t\x00\n\x00", "line 1"),
        (
            "latin1.csv",
            b"text,claimant\ncaf\xe9,A\n",
            "line 2, column text: the text is not valid UTF-8",
        ),
        ("quote.csv", b"text,claimant\n\"never closed,A\n", "line 2"),
    ];
    for (name, bytes, needle) in refused {
        let file = wd.write(name, bytes);
        let run = wd.run(&["import", file.to_str().unwrap()]);
        assert_eq!(run.code, 1, "{name}: {run:?}");
        assert!(
            run.stderr.contains(needle),
            "{name} should say {needle:?}: {run:?}"
        );
        assert!(!run.stderr.contains("panicked"), "{run:?}");
        assert_eq!(wd.export(), before, "{name} changed the database");
    }
    // Accepted, and stored exactly.
    let sql = "'; DROP TABLE claim; -- Robert\"); DELETE FROM history; --";
    let long_arabic = "تكبَّدت المجموعة الروسية ".repeat(200);
    assert!(long_arabic.chars().count() >= 5000);
    let huge = "x".repeat(10 * 1024 * 1024);
    let mut csv = String::from("\u{feff}text,claimant,value,note\r\n");
    csv.push_str(&format!(
        "\"{}\",A,١٠٠٠,\"quoted\nnewline\"\r\n",
        sql.replace('"', "\"\"")
    ));
    csv.push_str(&format!("{long_arabic},B,,\r\n"));
    csv.push_str(&format!("big,C,,{huge}\r\n"));
    let file = wd.write("hostile-ok.csv", &csv);
    wd.run(&["import", "-q", file.to_str().unwrap()]).ok();
    let claims = wd.json(&["list"]);
    assert_eq!(claims[1]["text"], sql);
    assert_eq!(claims[1]["figures"][0]["low"], 1000.0);
    assert_eq!(claims[1]["note"], "quoted\nnewline");
    assert_eq!(claims[2]["text"].as_str().unwrap(), long_arabic);
    assert_eq!(claims[3]["note"].as_str().unwrap().len(), huge.len());
    wd.run(&["audit"]).ok();
    // A header-only file is fine and changes nothing.
    let header_only = wd.write("header.csv", "text,claimant\n");
    let run = wd.run(&["import", header_only.to_str().unwrap()]).ok();
    assert!(run.stderr.contains("0 row(s)"), "{run:?}");
}

#[test]
fn a_read_only_database_reads_and_refuses_writes_clearly() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let wd = Workdir::new();
    wd.add(&["x", "--claimant", "A"]);
    let before = wd.export();
    std::fs::set_permissions(wd.db(), std::fs::Permissions::from_mode(0o444)).unwrap();
    wd.run(&["list"]).ok();
    wd.run(&["show", "1"]).ok();
    wd.run(&["audit"]).ok();
    wd.run(&["add", "y", "--claimant", "B"])
        .fails(1, &["read-only", "no write permission"]);
    wd.run(&["status", "1", "disputed"])
        .fails(1, &["read-only"]);
    let file = wd.write("one.csv", "text,claimant\nz,C\n");
    wd.run(&["import", file.to_str().unwrap()])
        .fails(1, &["read-only"]);
    assert_eq!(wd.export(), before);
    std::fs::set_permissions(wd.db(), std::fs::Permissions::from_mode(0o644)).unwrap();
}

#[test]
fn history_cannot_be_rewritten_and_a_rewrite_behind_claimdbs_back_is_caught() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Workdir::new();
    wd.add(&["203 مسلحين", "--claimant", "Malian army"]);
    wd.run(&[
        "status",
        "1",
        "false",
        "--note",
        "HRW documented civilian deaths",
    ])
    .ok();
    wd.run(&["cite", "1", "Human Rights Watch", "--disputes"])
        .ok();
    let head = wd.run(&["audit"]).ok().stdout;
    assert_eq!(head.trim().len(), 64);

    let conn = rusqlite::Connection::open(wd.db()).unwrap();
    let err = conn
        .execute("UPDATE history SET note = 'forged' WHERE id = 2", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = conn
        .execute("DELETE FROM history WHERE id = 3", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");

    // Behind claimdb's back: drop the guards and forge the verdict's reason.
    conn.execute_batch(
        "DROP TRIGGER history_is_append_only_update;
         DROP TRIGGER history_is_append_only_delete;
         UPDATE history SET note = 'no civilians were harmed' WHERE id = 2;",
    )
    .unwrap();
    wd.run(&["audit"]).fails(
        1,
        &[
            "history is broken at event 2 (claim 1)",
            "1 event(s) before it are intact",
        ],
    );
    // Putting the text back restores the chain; removing an event breaks it again.
    conn.execute(
        "UPDATE history SET note = 'HRW documented civilian deaths' WHERE id = 2",
        [],
    )
    .unwrap();
    wd.run(&["audit"]).ok();
    conn.execute("DELETE FROM history WHERE id = 2", [])
        .unwrap();
    wd.run(&["audit"]).fails(1, &["broken at event 3"]);
}

#[test]
fn a_backup_taken_while_others_write_is_consistent_and_passes_audit() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Arc::new(Workdir::new());
    wd.import_seed();
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let wd = Arc::clone(&wd);
            thread::spawn(move || {
                for i in 0..40 {
                    wd.run(&["add", &format!("writer {w} claim {i}"), "--claimant", "W"])
                        .ok();
                }
            })
        })
        .collect();
    thread::sleep(Duration::from_millis(100));
    let copy = wd.path("copy.db");
    wd.run(&["backup", copy.to_str().unwrap()]).ok();
    for w in writers {
        w.join().unwrap();
    }
    let copy_str = copy.to_str().unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_claimdb"));
    cmd.args(["--db", copy_str, "audit"]);
    wd.run_command(cmd, &["audit"]).ok();
    let conn = rusqlite::Connection::open(&copy).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let claims: i64 = conn
        .query_row("SELECT count(*) FROM claim", [], |r| r.get(0))
        .unwrap();
    // An event of its own, or its place in an import's batch.
    let creations: i64 = conn
        .query_row(
            "SELECT (SELECT count(*) FROM history WHERE field IS NULL)
                  + (SELECT coalesce(sum(new_value ->> 'last' - (new_value ->> 'first') + 1), 0)
                     FROM history WHERE field = 'batch')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        claims, creations,
        "every claim in the copy has its creation event"
    );
    assert!(claims >= 37, "{claims}");
    wd.run(&["backup", copy_str])
        .fails(1, &["exists", "--force"]);
    wd.run(&["backup", copy_str, "--force"]).ok();
}

#[test]
fn every_kind_of_write_extends_the_history_chain_intact() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Workdir::new();
    wd.import_seed();
    let keep = wd.add(&["claim about Tessalit airfield", "--claimant", "AFP"]);
    let dup = wd.add(&["claim about the Tessalit airfield", "--claimant", "AFP"]);
    wd.run(&["edit", &keep.to_string(), "--location", "Tessalit, Mali"])
        .ok();
    wd.run(&["cite", &keep.to_string(), "CSIS", "--supports"])
        .ok();
    wd.run(&[
        "status",
        &keep.to_string(),
        "verified",
        "--note",
        "two sources",
    ])
    .ok();
    let file = wd.write("photo.jpg", b"\xff\xd8 a photo of the airfield");
    wd.run(&[
        "evidence",
        "add",
        &dup.to_string(),
        "--file",
        file.to_str().unwrap(),
    ])
    .ok();
    wd.run(&[
        "evidence",
        "add",
        &keep.to_string(),
        "--note",
        "satellite image",
    ])
    .ok();
    wd.run(&["evidence", "remove", "2", "--note", "wrong airfield"])
        .ok();
    wd.run(&["merge", &keep.to_string(), &dup.to_string()]).ok();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats");
    for (format, file) in [("liar", "liar.tsv"), ("claimreview", "claimreview.jsonld")] {
        let path = fixtures.join(file);
        wd.run(&["import", "-q", "--from", format, path.to_str().unwrap()])
            .ok();
    }
    let events = history_len(&wd);
    let run = wd.run(&["audit"]).ok();
    assert!(
        run.stderr.contains(&format!("{events} event(s) checked")),
        "{run:?}"
    );
}

#[test]
fn ids_out_of_range_are_refused_and_a_large_id_costs_one_row() {
    let wd = Workdir::new();
    let before = wd.export();
    for id in ["9223372036854775807", "9007199254740993", "0", "-4"] {
        let file = wd.write("huge.csv", format!("id,text,claimant\n{id},a,A\n"));
        wd.run_within(60, &["import", file.to_str().unwrap()])
            .fails(
                1,
                &["huge.csv line 2, column id", "from 1 to 9007199254740992"],
            );
        assert_eq!(wd.export(), before);
    }
    // The largest id allowed, into an empty database: the search index is built from the rows
    // there are, not by walking the id range.
    let file = wd.write(
        "edge.csv",
        "id,text,claimant\n9007199254740992,far away,A\n3,near,B\n",
    );
    wd.run_within(60, &["import", "-q", file.to_str().unwrap()])
        .ok();
    let ids: Vec<i64> = wd
        .json(&["list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [3, 9007199254740992]);
    let found = wd.json(&["search", "far"]);
    assert_eq!(found[0]["id"], 9007199254740992_i64);
    // The round trip into a fresh database stays quick too.
    let copy = Workdir::new();
    let csv = copy.write("all.csv", wd.export());
    copy.run_within(60, &["import", "-q", csv.to_str().unwrap()])
        .ok();
    assert_eq!(copy.export(), wd.export());
    wd.run(&["audit"]).ok();
}

#[test]
fn database_paths_that_would_lose_writes_or_are_not_files_are_refused() {
    let wd = Workdir::new();
    let run_on = |db: &str, extra_env: Option<(&str, &str)>| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_claimdb"));
        cmd.current_dir(wd.path(""))
            .env_remove("CLAIMDB_PATH")
            .env("CLAIMDB_USER", "tester")
            .env("CLAIMDB_CONFIG", wd.path("none.toml"))
            .args(["--db", db, "add", "x", "--claimant", "A"]);
        if let Some((k, v)) = extra_env {
            cmd.env(k, v);
        }
        wd.run_command(cmd, &["--db", db, "add"])
    };
    for db in [":memory:", "file:x?mode=memory", "file:mem.db"] {
        run_on(db, None).fails(
            1,
            &[
                "in-memory database or an SQLite URI",
                "path of a database file",
            ],
        );
    }
    let run = run_on("", None);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(!run.stderr.contains("panicked"), "{run:?}");
    // The same from the config file.
    let config = wd.write("config.toml", "db = \"\"\n");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_claimdb"));
    cmd.current_dir(wd.path(""))
        .env_remove("CLAIMDB_PATH")
        .env("CLAIMDB_CONFIG", &config)
        .args(["add", "x", "--claimant", "A"]);
    wd.run_command(cmd, &["add"])
        .fails(1, &["database path is empty"]);
    // A pipe, a device.
    let fifo = wd.path("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    run_on(fifo.to_str().unwrap(), None).fails(1, &["pipe", "not a regular file"]);
    run_on("/dev/null", None).fails(1, &["/dev/null is not a regular file"]);
    assert!(!std::path::Path::new("/dev/null-journal").exists());
    // Nothing was created along the way.
    let names: Vec<String> = std::fs::read_dir(wd.path(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| n == "config.toml" || n == "pipe"),
        "{names:?}"
    );
}

#[test]
fn a_busy_timeout_out_of_range_is_a_clear_error_not_a_panic() {
    let wd = Workdir::new();
    for value in ["2147484", "1e20", "-1", "NaN", "inf", "ten"] {
        let mut cmd = wd.command(&["list"]);
        cmd.env("CLAIMDB_BUSY_TIMEOUT", value);
        wd.run_command(cmd, &["list"])
            .fails(1, &["CLAIMDB_BUSY_TIMEOUT", "from 0 to 86400"]);
    }
    let mut cmd = wd.command(&["list"]);
    cmd.env("CLAIMDB_BUSY_TIMEOUT", "86400");
    wd.run_command(cmd, &["list"]).ok();
}

/// Leaves beside `target` the `-wal` file of another database, as a writer killed before its
/// checkpoint leaves it: frames SQLite would replay into whatever file is at `target` next.
fn leave_stale_wal(target: &std::path::Path, scratch: &std::path::Path) {
    let conn = rusqlite::Connection::open(scratch).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = wal; PRAGMA wal_autocheckpoint = 0;
         CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);",
    )
    .unwrap();
    for i in 0..2000 {
        conn.execute(
            "INSERT INTO t (v) VALUES (?1)",
            [format!("row {i} {}", "x".repeat(200))],
        )
        .unwrap();
    }
    let wal = format!("{}-wal", scratch.display());
    let saved = std::fs::read(&wal).unwrap();
    drop(conn);
    std::fs::write(format!("{}-wal", target.display()), saved).unwrap();
}

#[test]
fn a_backup_over_a_file_with_a_leftover_log_is_sound_and_checked() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Workdir::new();
    wd.import_seed();
    for i in 0..30 {
        wd.add(&[&format!("claim {i}"), "--claimant", "A"]);
    }
    let target = wd.path("old.db");
    std::fs::copy(wd.db(), &target).unwrap();
    leave_stale_wal(&target, &wd.path("scratch.db"));
    wd.run(&["backup", "--force", target.to_str().unwrap()])
        .ok();
    for suffix in ["-wal", "-shm", "-journal"] {
        assert!(
            !wd.path(&format!("old.db{suffix}")).exists(),
            "old.db{suffix} is left beside the copy"
        );
    }
    let conn = rusqlite::Connection::open(&target).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    drop(conn);
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_claimdb"));
    cmd.args(["--db", target.to_str().unwrap(), "export"]);
    let copy = wd.run_command(cmd, &["export"]).ok().stdout;
    assert_eq!(copy, wd.export());
}

#[test]
fn audit_runs_the_files_own_integrity_check() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Workdir::new();
    wd.import_seed();
    wd.run(&["audit"]).ok();
    // An index that no longer matches its table: the history chain is intact, the file is not.
    let conn = rusqlite::Connection::open(wd.db()).unwrap();
    conn.execute_batch(
        "PRAGMA writable_schema = ON;
         UPDATE sqlite_schema SET sql = 'CREATE INDEX claim_by_text_hash ON claim (created_by)'
         WHERE name = 'claim_by_text_hash';",
    )
    .unwrap();
    drop(conn);
    wd.run(&["audit"])
        .fails(1, &["the database file is damaged", "claim_by_text_hash"]);
}

#[test]
fn a_backup_finishes_while_another_process_writes_all_the_time() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Arc::new(Workdir::new());
    let file = wd.write("big.csv", big_csv(2000));
    wd.run(&["import", "-q", file.to_str().unwrap()]).ok();
    // Bulk: 30 MB of rating texts, so that copying takes many steps.
    rusqlite::Connection::open(wd.db())
        .unwrap()
        .execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30)
             INSERT INTO rating_map (key, rating, status, created_at, created_by)
             SELECT 'bulk' || i, hex(randomblob(500000)), 'false', 'now', 'test' FROM n;",
        )
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (wd, stop) = (Arc::clone(&wd), Arc::clone(&stop));
        thread::spawn(move || {
            let conn = rusqlite::Connection::open(wd.db()).unwrap();
            conn.busy_timeout(Duration::from_secs(10)).unwrap();
            conn.pragma_update(None, "synchronous", "off").unwrap();
            let mut writes = 0;
            while !stop.load(Ordering::Relaxed) {
                // Each write changes the file (a row rewritten as it was leaves every page as
                // it was, which no copier notices).
                conn.execute(
                    "INSERT OR REPLACE INTO rating_map (key, rating, status, created_at, created_by)
                     VALUES (?1, 'x', 'false', ?2, 'writer')",
                    [format!("k{}", writes % 50), writes.to_string()],
                )
                .unwrap();
                writes += 1;
                // A commit every millisecond or so lands between any two steps of a copy made
                // page by page: SQLite's online backup (256 pages a step, 30 steps here) starts
                // over at each and never finishes, while a copy from one read transaction does.
                thread::sleep(Duration::from_millis(1));
            }
            writes
        })
    };
    thread::sleep(Duration::from_millis(200));
    let copy = wd.path("copy.db");
    let run = wd.run_within(60, &["backup", copy.to_str().unwrap()]);
    stop.store(true, Ordering::Relaxed);
    let writes = writer.join().unwrap();
    run.ok();
    assert!(writes > 10, "{writes}");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_claimdb"));
    cmd.args(["--db", copy.to_str().unwrap(), "stats", "--format", "json"]);
    let stats = wd.run_command(cmd, &["stats"]).ok().json();
    assert_eq!(stats["claims"], 2000);
}

#[test]
fn a_backup_onto_the_database_itself_is_refused_however_it_is_spelled() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Workdir::new();
    wd.add(&["x", "--claimant", "A"]);
    let before = wd.export();
    let link = wd.path("link.db");
    std::os::unix::fs::symlink(wd.db(), &link).unwrap();
    for target in ["./claims.db", "../claims.db", "link.db"] {
        let target = if target.starts_with("..") {
            format!("{}/{}", wd.path("sub").display(), target)
        } else {
            target.to_owned()
        };
        std::fs::create_dir_all(wd.path("sub")).unwrap();
        wd.run(&["backup", "--force", &target])
            .fails(1, &["is this database", "another file"]);
    }
    assert_eq!(wd.export(), before);
    wd.run(&["audit"]).ok();
}

fn mode_of(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn reading_a_read_only_database_leaves_no_files_that_block_writes_later() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Workdir::new();
    wd.add(&["x", "--claimant", "A"]);
    let before = names_in(&wd.path(""));
    set_mode(wd.db(), 0o444);
    wd.run(&["list"]).ok();
    wd.run(&["search", "x"]).ok();
    assert_eq!(names_in(&wd.path("")), before, "reading created files");
    set_mode(wd.db(), 0o644);
    wd.add(&["y", "--claimant", "B"]);
    wd.run(&["audit"]).ok();
}

#[test]
fn a_database_in_a_read_only_folder_can_be_read_and_says_why_it_cannot_be_written() {
    let wd = Workdir::new();
    let dir = wd.path("shelf");
    std::fs::create_dir(&dir).unwrap();
    let db = dir.join("claims.db");
    let db_str = db.to_str().unwrap();
    let on = |db: &str, args: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_claimdb"));
        cmd.env("CLAIMDB_USER", "tester")
            .args(["--db", db])
            .args(args);
        wd.run_command(cmd, args)
    };
    let run = |args: &[&str]| on(db_str, args);
    run(&["add", "x", "--claimant", "A"]).ok();
    let before = names_in(&dir);
    set_mode(&dir, 0o555);
    let listed = run(&["list", "--format", "csv"]);
    let refused = run(&["add", "y", "--claimant", "B"]);
    let created = on(dir.join("new.db").to_str().unwrap(), &["list"]);
    let after = names_in(&dir);
    set_mode(&dir, 0o755);
    let listed = listed.ok();
    assert!(listed.stdout.contains(",x,"), "{listed:?}");
    refused.fails(1, &["read-only", "folder", "not writable"]);
    created.fails(1, &["cannot create the database", "not writable"]);
    assert_eq!(after, before);
}

#[test]
fn written_files_honour_the_umask_keep_a_replaced_files_mode_and_write_through_links() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Workdir::new();
    wd.add(&["x", "--claimant", "A"]);
    let bin = env!("CARGO_BIN_EXE_claimdb");
    let db = wd.db().to_str().unwrap().to_owned();
    let with_umask = |umask: &str, args: &str| {
        let mut cmd = std::process::Command::new("sh");
        cmd.current_dir(wd.path(""))
            .env("CLAIMDB_USER", "tester")
            .args([
                "-c",
                &format!("umask {umask}; exec \"$0\" --db \"$1\" {args}"),
                bin,
                &db,
            ]);
        wd.run_command(cmd, &[args])
    };
    with_umask("022", "export --output new.csv").ok();
    assert_eq!(mode_of(&wd.path("new.csv")), 0o644);
    with_umask("027", "backup new-copy.db").ok();
    assert_eq!(mode_of(&wd.path("new-copy.db")), 0o640);
    // A file replaced keeps its mode.
    set_mode(&wd.path("new.csv"), 0o664);
    with_umask("077", "export --output new.csv").ok();
    assert_eq!(mode_of(&wd.path("new.csv")), 0o664);
    set_mode(&wd.path("new-copy.db"), 0o604);
    with_umask("077", "backup --force new-copy.db").ok();
    assert_eq!(mode_of(&wd.path("new-copy.db")), 0o604);
    // A symlink stays a link; the file it points to gets the content.
    std::fs::write(wd.path("real.csv"), "old").unwrap();
    std::os::unix::fs::symlink(wd.path("real.csv"), wd.path("link.csv")).unwrap();
    wd.run(&["export", "--output", "link.csv"]).ok();
    assert!(std::fs::symlink_metadata(wd.path("link.csv"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read_to_string(wd.path("real.csv")).unwrap(),
        wd.export()
    );
    // Exporting over the database itself is refused.
    let before = wd.export();
    wd.run(&["export", "--output", "claims.db"])
        .fails(1, &["the database itself"]);
    assert_eq!(wd.export(), before);
}

#[test]
fn temporary_files_left_by_killed_runs_are_removed_by_the_next() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Workdir::new();
    wd.add(&["x", "--claimant", "A"]);
    // Process ids above the kernel's limit (2^22) never run, so these were left by the dead.
    for name in [
        ".claimdb-tmp-4194999-a1b2c3",
        ".claimdb-tmp-4194999-d4e5f6-wal",
    ] {
        wd.write(name, "half a file");
    }
    wd.run(&["export", "--output", "out.csv"]).ok();
    wd.run(&["backup", "copy.db"]).ok();
    let left: Vec<String> = names_in(&wd.path(""))
        .into_iter()
        .filter(|n| n.starts_with(".claimdb"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn history_rows_cannot_be_replaced_either() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Workdir::new();
    wd.add(&["x", "--claimant", "A"]);
    wd.run(&["status", "1", "false", "--note", "checked"]).ok();
    let conn = rusqlite::Connection::open(wd.db()).unwrap();
    let err = conn
        .execute(
            "INSERT OR REPLACE INTO history (id, claim_id, at, actor, action, field, old_value,
                 new_value, note, hash)
             SELECT id, claim_id, at, actor, action, field, old_value, 'verified', note, hash
             FROM history WHERE id = 2",
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("cannot be replaced"), "{err}");
    drop(conn);
    assert_eq!(wd.json(&["show", "1"])["status"], "false");
    wd.run(&["audit"]).ok();
}

/// Runs `sql` on the database as someone with the file but without claimdb would.
fn behind_the_back(wd: &Workdir, sql: &str) {
    let conn = rusqlite::Connection::open(wd.db()).unwrap();
    // The search index's triggers call claimdb's folding function.
    claimdb::store::register_search_functions(&conn).unwrap();
    conn.execute_batch(sql).unwrap();
}

#[test]
fn audit_catches_tables_changed_without_history() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    // The claim added after the seed: its id follows the seed's.
    let added = {
        let wd = Workdir::new();
        wd.import_seed();
        wd.add(&["203 مسلحين", "--claimant", "Malian army"])
    };
    let setup = || {
        let wd = Workdir::new();
        wd.import_seed();
        assert_eq!(wd.add(&["203 مسلحين", "--claimant", "Malian army"]), added);
        wd.run(&[
            "cite",
            &added.to_string(),
            "Human Rights Watch",
            "--disputes",
        ])
        .ok();
        wd.run(&["status", &added.to_string(), "in_review"]).ok();
        wd.run(&["audit"]).ok();
        wd
    };
    let n = added.to_string();
    let on_added = |sql: &str| sql.replace("{added}", &n);
    let claim = |rest: &str| format!("claim {n}, {rest}");
    // A verdict set with SQL, on a claim imported and one added and changed.
    let cases: Vec<(String, Vec<String>)> = [
        (
            "UPDATE claim SET status = 'verified' WHERE id = 1",
            &["claim 1, status", "\"verified\"", "history leads to"][..],
        ),
        (
            "UPDATE claim SET status = 'verified' WHERE id = {added}",
            &["{claim}status", "\"in_review\""][..],
        ),
        (
            "DELETE FROM stance WHERE claim_id = {added}",
            &["{claim}disputed_by", "\"Human Rights Watch\""][..],
        ),
        (
            "UPDATE source SET name = 'Mali Army Press' WHERE name = 'Malian army'",
            &["{claim}the fields it was created with"][..],
        ),
        (
            "INSERT INTO claim_tag (claim_id, tag) VALUES (2, 'forged')",
            &["claim 2, the fields it was created with"][..],
        ),
        (
            "INSERT INTO stance (claim_id, source_id, stance, created_at, created_by)
             VALUES (5, 1, 'supports', 'now', 'x')",
            &["claim 5, "][..],
        ),
        (
            "INSERT INTO claim (uid, text, text_hash, claimant_id, created_at, created_by,
                 updated_at, updated_by) VALUES ('u-x', 'planted', 0, 1, 'now', 'x', 'now', 'x')",
            &["1 claim(s) have no history at all"][..],
        ),
        (
            "PRAGMA foreign_keys = OFF; DELETE FROM claim_tag WHERE claim_id = 37;
             DELETE FROM claim WHERE id = 37;",
            &["claim 37, (the claim)", "\"missing\""][..],
        ),
    ]
    .into_iter()
    .map(|(sql, needles)| {
        let needles = needles
            .iter()
            .map(|n| n.replace("{claim}", &claim("")))
            .collect();
        (on_added(sql), needles)
    })
    .collect();
    for (sql, needles) in cases {
        let wd = setup();
        behind_the_back(&wd, &sql);
        let mut all = vec!["changed behind claimdb's back"];
        all.extend(needles.iter().map(String::as_str));
        wd.run(&["audit"]).fails(1, &all);
    }
}

#[test]
fn audit_catches_reviews_and_merges_changed_without_history() {
    let fatabyyano = "https://fatabyyano.net/review-1";
    let setup = || {
        let wd = Workdir::new();
        // Three claims with four reviews (two of them on the first).
        let api = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/formats/factcheck-api.json");
        wd.run(&[
            "import",
            "--from",
            "factcheck-api",
            "--default",
            "claimant=Someone",
            api.to_str().unwrap(),
        ])
        .ok();
        let [x, y, z] = ["x", "y", "z"].map(|t| wd.add(&[t, "--claimant", t]));
        // y is merged into x, then x into z: y's row moves along to z.
        wd.run(&["merge", &x.to_string(), &y.to_string()]).ok();
        wd.run(&["merge", &z.to_string(), &x.to_string()]).ok();
        wd.run(&["audit"]).ok();
        (wd, y, z)
    };
    let (_, y, z) = setup();
    let cases: Vec<(String, Vec<String>)> = vec![
        (
            "INSERT INTO review (claim_id, publisher, publisher_key, url, created_at, created_by)
             VALUES (2, 'Forged', 'forged', 'https://forged.example/1', 'now', 'x')"
                .into(),
            vec![
                "claim 2, the review by Forged (https://forged.example/1)".into(),
                "holds \"this review\" but its history leads to \"no such review\"".into(),
            ],
        ),
        (
            format!("UPDATE review SET rating = 'True' WHERE url = '{fatabyyano}'"),
            vec![
                format!("claim 1, the review by Fatabyyano ({fatabyyano})"),
                "holds \"digest ".into(),
            ],
        ),
        (
            format!("DELETE FROM review WHERE url = '{fatabyyano}'"),
            vec![
                "claim 1, the review by Fatabyyano: \"False\"".into(),
                "holds \"no such review\" but its history leads to \"this review\"".into(),
            ],
        ),
        (
            "INSERT INTO claim_merge (dup_id, keep_id, merged_at, merged_by)
             VALUES (2, 3, 'now', 'x')"
                .into(),
            vec!["claim 2, merged into: the table holds \"claim 3\" but its history leads to \"not merged\"".into()],
        ),
        (
            format!("DELETE FROM claim_merge WHERE dup_id = {y}"),
            vec![format!(
                "claim {y}, merged into: the table holds \"not merged\" but its history leads to \"claim {z}\""
            )],
        ),
        (
            format!("UPDATE claim_merge SET keep_id = 1 WHERE dup_id = {y}"),
            vec![format!(
                "claim {y}, merged into: the table holds \"claim 1\" but its history leads to \"claim {z}\""
            )],
        ),
        (
            format!("UPDATE claim_merge SET merged_by = 'someone else' WHERE dup_id = {y}"),
            vec![format!("claim {y}, the merge: the table holds \"digest ")],
        ),
    ];
    for (sql, needles) in cases {
        let (wd, _, _) = setup();
        wd.execute_sql(&sql);
        let mut all = vec!["changed behind claimdb's back"];
        all.extend(needles.iter().map(String::as_str));
        wd.run(&["audit"]).fails(1, &all);
    }
}

#[test]
fn audit_catches_the_desk_and_the_review_gate_changed_without_history() {
    let setup = || {
        let wd = Workdir::new();
        for text in ["a", "b", "c"] {
            wd.add(&[text, "--claimant", "X"]);
        }
        let config = wd.write("config.toml", "review_gate = true\n");
        let as_with_gate = |who: &str, args: &[&str]| {
            let mut all = vec!["--as", who];
            all.extend_from_slice(args);
            let mut cmd = wd.command(&all);
            cmd.env("CLAIMDB_CONFIG", &config);
            wd.run_command(cmd, args).ok();
        };
        // Claim 1 waits for a second person; claim 2's verdict was approved; claim 3 was
        // archived, and assigned.
        as_with_gate("amal", &["status", "1", "false", "--note", "an old photo"]);
        as_with_gate("amal", &["status", "2", "verified", "--note", "the record"]);
        as_with_gate("omar", &["approve", "2"]);
        wd.run(&["archive", "3", "--kind", "opinion", "--note", "a view"])
            .ok();
        wd.run(&["assign", "3", "omar"]).ok();
        wd.run(&["audit"]).ok();
        wd
    };
    let cases: [(&str, &[&str]); 5] = [
        (
            "UPDATE claim_desk SET proposed_status = 'verified' WHERE claim_id = 1",
            &[
                "claim 1, the proposed verdict: the table holds \"verified proposed by amal: an \
                 old photo\" but its history leads to \"false proposed by amal: an old photo\"",
            ],
        ),
        (
            "UPDATE claim_desk SET proposed_status = NULL, proposed_by = NULL,
                 proposed_note = NULL WHERE claim_id = 1",
            &["claim 1, the proposed verdict: the table holds \"none\""],
        ),
        (
            "UPDATE claim_desk SET proposed_status = 'false', proposed_by = 'amal',
                 proposed_note = 'again' WHERE claim_id = 2",
            &[
                "claim 2, the proposed verdict: the table holds \"false proposed by amal: again\" \
               but its history leads to \"none\"",
            ],
        ),
        (
            "UPDATE claim_desk SET assignee = 'zed' WHERE claim_id = 3",
            &["claim 3, assignee: the table holds \"zed\" but its history leads to \"omar\""],
        ),
        (
            "DELETE FROM claim_desk WHERE claim_id = 3",
            &["claim 3, archived: the table holds \"none\" but its history leads to \"opinion\""],
        ),
    ];
    for (sql, needles) in cases {
        let wd = setup();
        wd.execute_sql(sql);
        let mut all = vec!["changed behind claimdb's back"];
        all.extend(needles);
        wd.run(&["audit"]).fails(1, &all);
    }
}

#[test]
fn a_head_recorded_earlier_proves_the_history_up_to_it_is_unchanged() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Workdir::new();
    wd.add(&["x", "--claimant", "A"]);
    wd.run(&["status", "1", "false", "--note", "checked"]).ok();
    let head = wd.run(&["audit", "--head"]).ok().stdout.trim().to_owned();
    assert_eq!(head.len(), 64);
    // Exports name the head they show, on stderr (the CSV itself stays importable).
    let export = wd.run(&["export"]).ok();
    assert!(export.stderr.contains(&head), "{export:?}");
    assert!(!export.stdout.contains(&head));
    wd.add(&["y", "--claimant", "B"]);
    wd.run(&["audit", "--expect", &head]).ok();
    // Cut the tail back behind claimdb's back: the chain that is left is intact, so only the
    // head recorded earlier shows what happened.
    behind_the_back(
        &wd,
        "DROP TRIGGER history_is_append_only_delete;
         DELETE FROM history WHERE id >= 2;
         UPDATE claim SET status = 'unverified' WHERE id = 1;
         DELETE FROM claim_tag; DELETE FROM claim WHERE id = 2;",
    );
    let run = wd.run(&["audit", "--expect", &head]);
    run.fails(1, &["the head you expected is not in the history"]);
    wd.run(&["audit", "--expect", "nonsense"])
        .fails(1, &["64 hexadecimal"]);
}

#[test]
fn smaller_traps_utf16_negative_versions_lost_precision_and_zero_scores() {
    let wd = Workdir::new();
    wd.add(&["common word one", "--claimant", "A"]);
    wd.add(&["common word two", "--claimant", "B"]);
    let before = wd.export();
    // UTF-16 is named as such, for CSV and for JSON.
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("text,claimant\n".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let file = wd.write("utf16.csv", &utf16);
    wd.run(&["import", file.to_str().unwrap()])
        .fails(1, &["utf16.csv line 1", "UTF-16", "save it as UTF-8"]);
    let file = wd.write("utf16.json", &utf16);
    wd.run(&["import", "--from", "factcheck-api", file.to_str().unwrap()])
        .fails(1, &["utf16.json is UTF-16"]);
    // A version is 1 or more.
    for bad in ["-1", "0"] {
        let run = wd.run(&["edit", "1", "--value", "5", "--if-version", bad]);
        assert_eq!(run.code, 2, "{run:?}");
        let run = wd.run(&["status", "1", "in_review", "--if-version", bad]);
        assert_eq!(run.code, 2, "{run:?}");
    }
    // Values that would be stored as something else are refused, saying what they would be (a
    // flag's value is a usage error, exit 2).
    wd.run(&["add", "x", "--claimant", "A", "--value", "1e-400"])
        .fails(2, &["\"1e-400\"", "would be stored as 0"]);
    wd.run(&["add", "x", "--claimant", "A", "--value", "9007199254740993"])
        .fails(2, &["would be stored as 9007199254740992"]);
    let file = wd.write("big.csv", "text,claimant,value\nx,A,12345678901234567890\n");
    wd.run(&["import", file.to_str().unwrap()])
        .fails(1, &["big.csv line 2, column value", "would be stored as"]);
    assert_eq!(wd.export(), before);
    wd.add(&["y", "--claimant", "A", "--value", "1e3"]);
    wd.add(&["z", "--claimant", "A", "--value", "0.50"]);
    // A word every claim holds still scores above zero.
    let hits = wd.json(&["search", "common"]);
    for hit in hits.as_array().unwrap() {
        assert!(hit["score"].as_f64().unwrap() > 0.0, "{hit}");
    }
}
