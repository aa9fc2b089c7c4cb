use std::process::Command;

use sha2::{Digest, Sha256};

use crate::harness::Workdir;

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Bytes that look like nothing in particular (no two chunks alike), `len` of them.
fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

fn items(wd: &Workdir, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["evidence", "list"];
    all.extend_from_slice(args);
    wd.json(&all).as_array().unwrap().clone()
}

/// A claim disputed by HRW, as a desk starts the Moura story.
fn moura() -> Workdir {
    let wd = Workdir::new();
    wd.add(&["203 مسلحين", "--claimant", "Malian army"]);
    wd.run(&["cite", "1", "Human Rights Watch", "--disputes"])
        .ok();
    wd
}

#[test]
fn evidence_items_are_added_listed_fetched_and_removed_on_the_record() {
    let wd = moura();
    let pdf = noise(300_000);
    let path = wd.write("report.pdf", &pdf);
    let run = wd
        .run(&[
            "evidence",
            "add",
            "1",
            "--source",
            "hrw", // any spelling that folds like a name or alias
            "--url",
            "https://www.hrw.org/news/2022/04/05/mali",
            "--archived-url",
            "https://web.archive.org/web/2022/https://www.hrw.org/news/2022/04/05/mali",
            "--quote",
            "the worst single atrocity",
            "--file",
            path.to_str().unwrap(),
        ])
        .fails(1, &["\"hrw\" does not exist"]);
    assert!(run.stdout.is_empty());
    wd.run(&["source", "alias", "Human Rights Watch", "HRW"])
        .ok();
    let id = wd
        .run(&[
            "evidence",
            "add",
            "1",
            "--source",
            "hrw",
            "--url",
            "https://www.hrw.org/news/2022/04/05/mali",
            "--archived-url",
            "https://web.archive.org/web/2022/https://www.hrw.org/news/2022/04/05/mali",
            "--quote",
            "the worst single atrocity",
            "--file",
            path.to_str().unwrap(),
        ])
        .ok()
        .stdout;
    assert_eq!(id.trim(), "1");
    wd.run(&[
        "evidence",
        "add",
        "1",
        "--note",
        "Malian army communiqué, read on state TV",
    ])
    .ok();

    let list = items(&wd, &["1"]);
    assert_eq!(list.len(), 2);
    let first = &list[0];
    assert_eq!(first["source"], "Human Rights Watch");
    assert_eq!(first["stance"], "disputes");
    assert_eq!(first["quote"], "the worst single atrocity");
    assert_eq!(
        first["archived_url"],
        "https://web.archive.org/web/2022/https://www.hrw.org/news/2022/04/05/mali"
    );
    assert_eq!(first["file"]["sha256"], sha256(&pdf));
    assert_eq!(first["file"]["name"], "report.pdf");
    assert_eq!(first["file"]["size"], 300_000);
    assert_eq!(first["captured_by"], "tester");
    assert!(list[1]["source"].is_null() && list[1]["file"].is_null());
    // CSV for scripts: every part in its own column, the whole hash.
    let csv = wd
        .run(&["evidence", "list", "1", "--format", "csv"])
        .ok()
        .stdout;
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let row = reader.records().next().unwrap().unwrap();
    let cell = |name: &str| &row[headers.iter().position(|h| h == name).unwrap()];
    assert_eq!(cell("sha256"), sha256(&pdf));
    assert_eq!(cell("file_size"), "300000");
    assert_eq!(cell("quote"), "the worst single atrocity");
    assert_eq!(cell("stance"), "disputes");
    // `show` lists them too.
    assert_eq!(
        wd.json(&["show", "1"])["evidence"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // The history event that attached the file names it by its hash.
    let events = wd.history(1);
    let attached = events
        .iter()
        .find(|e| e["field"] == "evidence")
        .expect("an evidence event");
    assert!(attached["new_value"]
        .as_str()
        .unwrap()
        .contains(&format!("sha256:{}", sha256(&pdf))));

    let out = wd.path("copy.pdf");
    let mut cmd = Command::new("bash");
    cmd.env("CLAIMDB_USER", "tester")
        .args(["-c", "umask 022 && exec \"$@\"", "bash"])
        .arg(env!("CARGO_BIN_EXE_claimdb"))
        .arg("--db")
        .arg(wd.db())
        .args(["evidence", "get", "1", "--output", out.to_str().unwrap()]);
    wd.run_command(cmd, &["evidence", "get", "1"]).ok();
    assert_eq!(std::fs::read(&out).unwrap(), pdf);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "an ordinary file, as the umask allows");
    }
    let piped = wd
        .command(&["evidence", "get", "1", "--output", "-"])
        .output()
        .unwrap();
    assert_eq!(piped.stdout, pdf);
    wd.run(&["evidence", "get", "2", "--output", "x"])
        .fails(1, &["evidence 2 has no file"]);

    // Removal needs a reason, is recorded, and keeps the item for the record.
    wd.run(&["evidence", "remove", "2"]).fails(2, &["--note"]);
    wd.run(&["evidence", "remove", "2", "--note", "  "])
        .fails(1, &["needs a reason"]);
    wd.run(&[
        "evidence",
        "remove",
        "2",
        "--note",
        "the clip was from 2019",
    ])
    .ok();
    assert_eq!(items(&wd, &["1"]).len(), 1);
    let all = items(&wd, &["1", "--removed"]);
    assert_eq!(all[1]["removed"]["note"], "the clip was from 2019");
    assert_eq!(all[1]["removed"]["by"], "tester");
    let last = wd.history(1).pop().unwrap();
    assert_eq!(last["field"], "evidence");
    assert_eq!(last["note"], "the clip was from 2019");
    assert!(last["old_value"]
        .as_str()
        .unwrap()
        .starts_with("evidence 2;"));
    wd.run(&["evidence", "remove", "2", "--note", "again"])
        .fails(1, &["already removed"]);
    wd.run(&["evidence", "remove", "9", "--note", "x"])
        .fails(1, &["evidence 9 does not exist"]);
    wd.run(&["audit"]).ok();
}

#[test]
fn evidence_needs_content_and_a_source_that_takes_part_in_the_claim() {
    let wd = moura();
    let before = wd.history(1).len();
    wd.run(&["evidence", "add", "1"])
        .fails(1, &["needs at least one of --url"]);
    wd.run(&["evidence", "add", "1", "--url", "hrw.org"])
        .fails(2, &["http"]);
    wd.run(&["source", "add", "Reuters", "--kind", "media"])
        .ok();
    wd.run(&["evidence", "add", "1", "--source", "Reuters", "--note", "x"])
        .fails(
            1,
            &[
                "neither made claim 1 nor supports or disputes it",
                "claimdb cite",
            ],
        );
    wd.run(&["evidence", "add", "7", "--note", "x"])
        .fails(1, &["claim 7 does not exist"]);
    wd.run(&["evidence", "add", "1", "--file", "nowhere.pdf"])
        .fails(1, &["nowhere.pdf"]);
    assert_eq!(wd.history(1).len(), before, "nothing was written");
    // The claimant's own words are evidence too.
    wd.run(&[
        "evidence",
        "add",
        "1",
        "--source",
        "Malian army",
        "--quote",
        "203 terrorists neutralised",
    ])
    .ok();
    let list = items(&wd, &["1"]);
    assert_eq!(list[0]["source"], "Malian army");
    assert!(list[0]["stance"].is_null());
}

#[test]
fn a_second_citation_of_a_source_keeps_the_first_quote_and_url() {
    let wd = Workdir::new();
    wd.add(&["203 مسلحين", "--claimant", "Malian army"]);
    wd.run(&[
        "cite",
        "1",
        "HRW",
        "--disputes",
        "--quote",
        "about 300 civilian men",
        "--url",
        "https://www.hrw.org/a",
    ])
    .ok();
    let run = wd
        .run(&[
            "cite",
            "1",
            "HRW",
            "--disputes",
            "--quote",
            "the worst single atrocity",
        ])
        .ok();
    assert!(run.stderr.contains("evidence 2 added"), "{run:?}");
    // The same citation again adds nothing.
    let run = wd
        .run(&[
            "cite",
            "1",
            "HRW",
            "--disputes",
            "--quote",
            "the worst single atrocity",
        ])
        .ok();
    assert!(run.stderr.contains("nothing changed"), "{run:?}");
    let shown = wd.json(&["show", "1"]);
    let evidence = shown["evidence"].as_array().unwrap();
    let quotes: Vec<&str> = evidence
        .iter()
        .map(|e| e["quote"].as_str().unwrap())
        .collect();
    assert_eq!(
        quotes,
        ["about 300 civilian men", "the worst single atrocity"]
    );
    assert_eq!(evidence[0]["url"], "https://www.hrw.org/a");
    assert!(evidence
        .iter()
        .all(|e| e["source"] == "HRW" && e["stance"] == "disputes"));
    assert_eq!(shown["stances"].as_array().unwrap().len(), 1);
}

#[test]
fn audit_names_the_claim_and_evidence_of_a_changed_or_missing_file() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = moura();
    let pdf = noise(200_000);
    let path = wd.write("report.pdf", &pdf);
    wd.add(&["second claim", "--claimant", "Malian army"]);
    // A note that names another file's hash cannot vouch for that file later.
    let forged = b"forged".to_vec();
    let decoy = format!("evidence 1; file sha256:{} ", sha256(&forged));
    wd.run(&[
        "evidence",
        "add",
        "2",
        "--file",
        path.to_str().unwrap(),
        "--note",
        &decoy,
    ])
    .ok();
    wd.run(&["audit"]).ok();

    // One byte flipped behind claimdb's back.
    let conn = rusqlite::Connection::open(wd.db()).unwrap();
    conn.pragma_update(None, "foreign_keys", false).unwrap();
    let mut content: Vec<u8> = conn
        .query_row("SELECT content FROM evidence_file", [], |r| r.get(0))
        .unwrap();
    content[123_456] ^= 0x01;
    conn.execute("UPDATE evidence_file SET content = ?1", [&content])
        .unwrap();
    wd.run(&["audit"]).fails(
        1,
        &[
            "claim 2, evidence 1: its file was changed after it was attached",
            &sha256(&pdf),
        ],
    );
    // A changed file is never handed out.
    let out = wd.path("out.pdf");
    wd.run(&["evidence", "get", "1", "--output", out.to_str().unwrap()])
        .fails(1, &["does not match its SHA-256", "nothing was written"]);
    assert!(!out.exists());
    wd.run(&["evidence", "get", "1", "--output", "-"])
        .fails(1, &["does not match"]);

    // A file swapped for another along with its key is caught by the history event.
    conn.execute(
        "UPDATE evidence_file SET content = ?1, sha256 = ?2, size = 6",
        rusqlite::params![forged, sha256(&forged)],
    )
    .unwrap();
    conn.execute("UPDATE evidence SET file_sha256 = ?1", [sha256(&forged)])
        .unwrap();
    wd.run(&["audit"]).fails(
        1,
        &["claim 2, evidence 1: history event", "records another file"],
    );

    // A file deleted.
    conn.execute("UPDATE evidence SET file_sha256 = ?1", [sha256(&pdf)])
        .unwrap();
    conn.execute("DELETE FROM evidence_file", []).unwrap();
    wd.run(&["audit"])
        .fails(1, &["claim 2, evidence 1: its file is missing"]);
}

#[test]
fn a_file_over_the_limit_is_refused_and_nothing_is_written() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = moura();
    let path = wd.write("video.mp4", noise(1_500_000));
    let before = wd.history(1).len();
    wd.run(&[
        "evidence",
        "add",
        "1",
        "--file",
        path.to_str().unwrap(),
        "--max-size",
        "1",
    ])
    .fails(
        1,
        &[
            "video.mp4 is 1500000 bytes, over the limit",
            "--max-size",
            "evidence_max_mb",
        ],
    );
    // The config file sets the limit too.
    let config = wd.write("config.toml", "evidence_max_mb = 1\n");
    let mut cmd = wd.command(&["evidence", "add", "1", "--file", path.to_str().unwrap()]);
    cmd.env("CLAIMDB_CONFIG", &config);
    wd.run_command(cmd, &["evidence", "add"])
        .fails(1, &["over the limit for evidence files of 1000000 bytes"]);
    assert_eq!(wd.history(1).len(), before);
    assert!(items(&wd, &["1"]).is_empty());
    let conn = rusqlite::Connection::open(wd.db()).unwrap();
    let files: i64 = conn
        .query_row("SELECT count(*) FROM evidence_file", [], |r| r.get(0))
        .unwrap();
    assert_eq!(files, 0);
    // A flag above the config's limit wins.
    let mut cmd = wd.command(&[
        "evidence",
        "add",
        "1",
        "--file",
        path.to_str().unwrap(),
        "--max-size",
        "2",
    ]);
    cmd.env("CLAIMDB_CONFIG", &config);
    wd.run_command(cmd, &["evidence", "add"]).ok();
}

/// A 60 MB file goes in and out under a 50 MB address-space limit: it is streamed, never held
/// in memory whole.
#[test]
fn a_large_file_is_streamed_in_and_out_without_being_held_in_memory() {
    if crate::harness::skip_on_postgres("files in bounded memory are a database file's") {
        return;
    }
    let wd = moura();
    let big = noise(60_000_000);
    let path = wd.write("big.pdf", &big);
    let limited = |args: &[&str]| {
        let mut cmd = Command::new("bash");
        cmd.current_dir(wd.path(""))
            .env("CLAIMDB_USER", "tester")
            .env_remove("CLAIMDB_PATH")
            .args(["-c", "ulimit -v 50000 && exec \"$@\"", "bash"])
            .arg(env!("CARGO_BIN_EXE_claimdb"))
            .arg("--db")
            .arg(wd.db())
            .args(args);
        wd.run_command(cmd, args)
    };
    limited(&["evidence", "add", "1", "--file", path.to_str().unwrap()]).ok();
    let out = wd.path("out.pdf");
    limited(&["evidence", "get", "1", "--output", out.to_str().unwrap()]).ok();
    let copy = std::fs::read(&out).unwrap();
    assert!(copy == big, "the copy differs from the original");
    limited(&["audit"]).ok();
    assert_eq!(items(&wd, &["1"])[0]["file"]["sha256"], sha256(&big));
}

/// A database from before evidence: each stance's quote and url become its first item, and
/// citing again adds beside it.
#[test]
fn an_old_database_keeps_its_quotes_and_urls_as_evidence() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Workdir::new();
    {
        let conn = wd.old_database_v1();
        conn.execute_batch(
            "INSERT INTO source (id, name, created_at) VALUES (1, 'Malian army', 'then'),
                                                              (2, 'HRW', 'then');
             INSERT INTO source_name (key, name, source_id, is_alias)
             VALUES ('malian army', 'Malian army', 1, 0), ('hrw', 'HRW', 2, 0);
             INSERT INTO claim (id, uid, text, text_hash, claimant_id, created_at, created_by,
                                updated_at, updated_by)
             VALUES (1, 'u1', '203 مسلحين', 0, 1, '2022-04-01T00:00:00Z', 'amal',
                     '2022-04-01T00:00:00Z', 'amal');
             INSERT INTO stance (claim_id, source_id, stance, quote, url, created_at, created_by)
             VALUES (1, 2, 'disputes', 'أسوأ الفظائع', 'https://www.hrw.org/a',
                     '2022-04-02T00:00:00Z', 'amal');",
        )
        .unwrap();
    }
    let run = wd.run(&["show", "1", "--format", "json"]).ok();
    assert!(run.stderr.contains("upgraded"), "{run:?}");
    let shown = run.json();
    let item = &shown["evidence"][0];
    assert_eq!(item["quote"], "أسوأ الفظائع");
    assert_eq!(item["url"], "https://www.hrw.org/a");
    assert_eq!(
        (item["source"].as_str(), item["stance"].as_str()),
        (Some("HRW"), Some("disputes"))
    );
    assert_eq!(
        (item["captured_at"].as_str(), item["captured_by"].as_str()),
        (Some("2022-04-02T00:00:00Z"), Some("amal"))
    );
    assert!(shown["stances"][0].get("quote").is_none());
    wd.run(&[
        "cite",
        "1",
        "HRW",
        "--disputes",
        "--quote",
        "the worst single atrocity",
    ])
    .ok();
    assert_eq!(items(&wd, &["1"]).len(), 2);
    wd.run(&["audit"]).ok();
}

/// On a team database a file is stored in one statement and read back in slices (1 MiB each):
/// a file of several slices comes back whole, and `audit` reads it there too.
#[test]
fn evidence_files_on_a_team_database_go_in_and_come_back_whole() {
    use crate::pg::{run_on, TestDb};
    let Some(pg) = TestDb::new() else { return };
    run_on(&pg.address, &["team", "init"], None).ok();
    let wd = Workdir::new();
    let id = wd
        .add(&["About 200 soldiers", "--claimant", "Army"])
        .to_string();
    let db = wd.db().to_str().unwrap().to_owned();
    run_on(&db, &["copy", "--from", &db, "--to", &pg.address], None).ok();
    let content = noise(3_500_000);
    let file = wd.write("report.pdf", &content);
    run_on(
        &pg.address,
        &["evidence", "add", &id, "--file", file.to_str().unwrap()],
        None,
    )
    .ok();
    let items = run_on(
        &pg.address,
        &["--format", "json", "evidence", "list", &id],
        None,
    )
    .ok()
    .json();
    let item = items[0]["id"].to_string();
    assert_eq!(items[0]["file"]["sha256"], sha256(&content), "{items}");
    let back = wd.path("back.pdf");
    run_on(
        &pg.address,
        &["evidence", "get", &item, "--output", back.to_str().unwrap()],
        None,
    )
    .ok();
    assert!(std::fs::read(&back).unwrap() == content);
    run_on(&pg.address, &["audit"], None).ok();

    // Changed behind claimdb's back, by someone with the owner's rights.
    pg.owner()
        .batch_execute(
            "UPDATE evidence_file SET content = overlay(content PLACING '\\x00' FROM 2000000)",
        )
        .unwrap();
    run_on(&pg.address, &["audit"], None).fails(1, &["its file was changed after it was attached"]);
    run_on(
        &pg.address,
        &["evidence", "get", &item, "--output", back.to_str().unwrap()],
        None,
    )
    .fails(1, &["does not match its SHA-256"]);
}
