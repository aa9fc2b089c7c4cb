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
    let conn = rusqlite::Connection::open(wd.db()).unwrap();
    conn.query_row("SELECT count(*) FROM history", [], |r| r.get(0))
        .unwrap()
}

fn integrity(wd: &Workdir) -> String {
    let conn = rusqlite::Connection::open(wd.db()).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn concurrent_writers_readers_and_status_changes_all_succeed() {
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
    assert_eq!(claims[1]["value"], 1000.0);
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
    let creations: i64 = conn
        .query_row(
            "SELECT count(*) FROM history WHERE field IS NULL",
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
