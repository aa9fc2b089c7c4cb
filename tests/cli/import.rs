use crate::harness::Workdir;

const HEADER: &str = "text,claimant,status,value,qualifier,claim_date,tags\n";

#[test]
fn the_seed_imports_and_a_second_import_adds_nothing() {
    let wd = Workdir::new();
    wd.import_seed();
    let first = wd.export();
    let count = first.lines().count() - 1;
    assert!(
        count > 20,
        "the seed has well over 20 claims, found {count}"
    );
    let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("claims.csv");
    let run = wd.run(&["import", seed.to_str().unwrap()]).ok();
    assert!(run.stderr.contains("0 added, 0 updated"), "{run:?}");
    assert_eq!(wd.export(), first);
}

#[test]
fn every_bad_row_is_reported_with_its_line_and_nothing_is_written() {
    let wd = Workdir::new();
    wd.add(&["already here", "--claimant", "A"]);
    let before = wd.export();
    let file = wd.write(
        "bad.csv",
        format!(
            "{HEADER}\
             good,A,unverified,1,exact,2022,a\n\
             bad status,A,verifed,,,,\n\
             bad value,A,,1e309,,,\n\
             bad qualifier,A,,5,about,,\n\
             bad date,A,,,,2022-02-30,\n\
             ,A,,,,,\n\
             no claimant,,,,,,\n\
             lone qualifier,A,,,approx,,\n\
             ragged,A\n\
             \"multi\nline\",A,nope,,,,\n"
        ),
    );
    let run = wd.run(&["import", file.to_str().unwrap()]).fails(
        1,
        &[
            "bad.csv line 3, column status: \"verifed\" is not a status (expected one of: unverified, in_review",
            "did you mean \"verified\"",
            "bad.csv line 4, column value: \"1e309\" is not a number",
            "bad.csv line 5, column qualifier: \"about\" is not a qualifier (expected one of: exact, approx, more_than, at_least, at_most, less_than)",
            "bad.csv line 6, column claim_date: \"2022-02-30\" is not a date",
            "bad.csv line 7, column text: ",
            "bad.csv line 8, column claimant: ",
            "bad.csv line 9, column qualifier: a qualifier describes a value",
            "bad.csv line 10: the row has 2 fields but the header has 7",
            "bad.csv line 11, column status: \"nope\"",
            "nothing was written",
        ],
    );
    assert!(
        !run.stderr.contains("line 2"),
        "the good row is fine: {run:?}"
    );
    assert_eq!(wd.export(), before);
    assert_eq!(wd.json(&["source", "list"]).as_array().unwrap().len(), 1);
}

#[test]
fn headers_must_name_known_columns_once() {
    let wd = Workdir::new();
    for (content, needle) in [
        (
            "text,claimant,stauts\nx,A,unverified\n",
            "unknown column \"stauts\"",
        ),
        ("text,claimant,text\nx,A,y\n", "appears twice"),
        ("claimant\nA\n", "no column text"),
        ("", "the file is empty"),
    ] {
        let file = wd.write("h.csv", content);
        wd.run(&["import", file.to_str().unwrap()])
            .fails(1, &["h.csv line 1", needle]);
    }
    let file = wd.write("only-header.csv", "text,claimant\n");
    let run = wd.run(&["import", file.to_str().unwrap()]).ok();
    assert!(run.stderr.contains("0 row(s)"), "{run:?}");
    wd.run(&["import", "missing.csv"])
        .fails(1, &["failed to open missing.csv"]);
    wd.run(&["import", "."]).fails(1, &["is a directory"]);
}

#[test]
fn dry_run_validates_and_reports_without_writing() {
    let wd = Workdir::new();
    let file = wd.write("new.csv", format!("{HEADER}a,A,,,,,\nb,B,,,,,\n"));
    let run = wd
        .run(&["import", "--dry-run", file.to_str().unwrap()])
        .ok();
    assert!(run.stderr.contains("2 would be added"), "{run:?}");
    assert!(run.stderr.contains("nothing was written"), "{run:?}");
    assert_eq!(wd.export().lines().count(), 1);
    let bad = wd.write("bad.csv", format!("{HEADER}a,A,wrong,,,,\n"));
    wd.run(&["import", "--dry-run", bad.to_str().unwrap()])
        .fails(1, &["line 2, column status"]);
}

#[test]
fn a_bom_crlf_and_stdin_are_accepted() {
    let wd = Workdir::new();
    let run = wd.run_stdin(
        &["import", "-"],
        "\u{feff}text,claimant,tags\r\n\"مجموعة \"\"فاجنر\"\" الروسية\",Western estimates,wagner\r\n",
    );
    run.ok();
    let claim = wd.json(&["show", "1"]);
    assert_eq!(claim["text"], "مجموعة \"فاجنر\" الروسية");
    assert_eq!(claim["claimant"], "Western estimates");
}

#[test]
fn invalid_utf8_is_refused_with_line_and_offset() {
    let wd = Workdir::new();
    let mut bytes = b"text,claimant\nok,A\n".to_vec();
    bytes.extend_from_slice(b"\xC7\xE1\xCC\xED\xD4,A\n"); // Windows-1256 Arabic
    let file = wd.write("cp1256.csv", bytes);
    wd.run(&["import", file.to_str().unwrap()]).fails(
        1,
        &[
            "cp1256.csv line 3, column text",
            "not valid UTF-8",
            "offset 0",
            "CSV UTF-8",
        ],
    );
    assert_eq!(wd.export().lines().count(), 1);
}

#[test]
fn a_row_with_a_known_uid_updates_the_claim_and_records_it() {
    let wd = Workdir::new();
    wd.add(&[
        "نحو ألف",
        "--claimant",
        "Western estimates",
        "--value",
        "1000",
    ]);
    let exported = wd.export();
    let edited =
        exported
            .replacen(",1000,", ",1200,", 1)
            .replacen(",unverified,", ",in_review,", 1);
    assert_ne!(edited, exported);
    let file = wd.write("edited.csv", &edited);
    let run = wd
        .run(&["--as", "importer", "import", file.to_str().unwrap()])
        .ok();
    assert!(run.stderr.contains("1 updated"), "{run:?}");
    let claim = wd.json(&["show", "1"]);
    assert_eq!(
        (
            claim["figures"][0]["low"].as_f64(),
            claim["status"].as_str()
        ),
        (Some(1200.0), Some("in_review"))
    );
    assert_eq!(claim["updated_by"], "importer");
    let history = wd.json(&["history", "1"]);
    let imports: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "import")
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(imports, ["status", "figures"]);
    assert!(history[1]["note"]
        .as_str()
        .unwrap()
        .contains("edited.csv line 2"));
    let again = wd.run(&["import", file.to_str().unwrap()]).ok();
    assert!(again.stderr.contains("1 unchanged"), "{again:?}");
}

#[test]
fn without_uid_the_same_text_and_claimant_is_the_same_claim() {
    let wd = Workdir::new();
    wd.run(&["source", "add", "Human Rights Watch", "--alias", "HRW"])
        .ok();
    wd.add(&["أكثر من 100 رجل روسي", "--claimant", "Human Rights Watch"]);
    let file = wd.write(
        "f.csv",
        "text,claimant,disputed_by\nأكثر من 100 رجل روسي,HRW,Malian army\n",
    );
    let run = wd.run(&["import", file.to_str().unwrap()]).ok();
    assert!(run.stderr.contains("1 updated"), "{run:?}");
    let claim = wd.json(&["show", "1"]);
    assert_eq!(claim["disputed_by"], serde_json::json!(["Malian army"]));
    assert_eq!(wd.export().lines().count(), 2);
}

#[test]
fn a_claimant_citing_itself_through_an_alias_rejects_the_import() {
    let wd = Workdir::new();
    wd.run(&["source", "add", "Human Rights Watch", "--alias", "HRW"])
        .ok();
    let file = wd.write(
        "f.csv",
        "text,claimant,disputed_by\nx,Human Rights Watch,HRW\ny,A,\n",
    );
    wd.run(&["import", file.to_str().unwrap()])
        .fails(1, &["f.csv line 2", "own claim"]);
    assert_eq!(wd.export().lines().count(), 1);
}

#[test]
fn an_import_into_an_empty_database_leaves_the_search_index_and_wal_working() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Workdir::new();
    wd.import_seed();
    let ids = |query: &str| -> Vec<i64> {
        let hits = wd.json(&["search", query]);
        hits.as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_i64().unwrap())
            .collect()
    };
    assert!(ids("مجموعة").len() >= 3, "the import filled the index");
    // The triggers the bulk path set aside are back: new and changed claims are indexed.
    let id = wd.add(&["Tessalit airfield handed over", "--claimant", "AFP"]);
    assert_eq!(ids("tessalit"), [id]);
    wd.run(&[
        "edit",
        &id.to_string(),
        "--text",
        "Gao airfield handed over",
    ])
    .ok();
    assert_eq!(ids("tessalit"), Vec::<i64>::new());
    assert_eq!(ids("gao"), [id]);
    let conn = rusqlite::Connection::open(wd.db()).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn imported_stances_say_which_file_they_came_from_and_who_imported_it() {
    let wd = Workdir::new();
    let first = wd.write(
        "first.csv",
        "text,claimant,supported_by\nThe camp was built,Article,CSIS\n",
    );
    wd.run(&["--as", "amal", "import", first.to_str().unwrap()])
        .ok();
    // A later file adds a disputing source to the claim now stored.
    let second = wd.write(
        "second.csv",
        "text,claimant,disputed_by\nThe camp was built,Article,Ministry\n",
    );
    wd.run(&["--as", "badr", "import", second.to_str().unwrap()])
        .ok();
    wd.run(&["--as", "amal", "cite", "1", "HRW", "--disputes"])
        .ok();
    let stances = wd.json(&["show", "1"])["stances"].clone();
    let by_source = |name: &str| {
        stances
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["source"] == name)
            .unwrap_or_else(|| panic!("{name}: {stances}"))
            .clone()
    };
    let csis = by_source("CSIS");
    assert_eq!(
        csis["imported_from"],
        format!("{} line 2", first.to_str().unwrap())
    );
    assert_eq!(csis["created_by"], "amal");
    let ministry = by_source("Ministry");
    assert_eq!(
        ministry["imported_from"],
        format!("{} line 2", second.to_str().unwrap())
    );
    assert_eq!(ministry["created_by"], "badr");
    assert_eq!(by_source("HRW")["imported_from"], serde_json::Value::Null);
    // History: the imported stance is an import event, the citation a cite event.
    let history = wd.history(1);
    let ministry_event = history
        .iter()
        .find(|e| {
            e["new_value"]
                .as_str()
                .is_some_and(|v| v.contains("Ministry"))
        })
        .unwrap();
    assert_eq!(ministry_event["action"], "import", "{ministry_event}");
    assert_eq!(ministry_event["actor"], "badr");
    let hrw_event = history
        .iter()
        .find(|e| e["new_value"].as_str().is_some_and(|v| v.contains("HRW")))
        .unwrap();
    assert_eq!(hrw_event["action"], "cite", "{hrw_event}");
    // And the table says so.
    let mut cmd = wd.command(&["show", "1"]);
    cmd.env("COLUMNS", "300");
    let table = wd.run_command(cmd, &["show", "1"]).ok().stdout;
    assert!(table.contains("imported from"), "{table}");
    assert!(table.contains("cited by amal"), "{table}");
}

#[test]
fn two_rows_for_one_claim_are_refused_naming_both_lines_so_a_reimport_is_unchanged() {
    let wd = Workdir::new();
    wd.add(&["stored", "--claimant", "S"]);
    let before = wd.export();
    let file = wd.write(
        "dup.csv",
        "text,claimant,note\nsame,A,one\nother,B,\nsame, A ,two\nstored,S,x\nstored,S,y\n",
    );
    wd.run(&["import", file.to_str().unwrap()]).fails(
        1,
        &[
            "dup.csv line 4: this row names the same claim as line 2",
            "dup.csv line 6: this row names the same claim as line 5 (claim 1",
        ],
    );
    assert_eq!(wd.export(), before);
    // By uid too: an export imported twice is unchanged the second time.
    let export = wd.write("all.csv", wd.export());
    let run = wd.run(&["import", export.to_str().unwrap()]).ok();
    assert!(run.stderr.contains("0 updated, 1 unchanged"), "{run:?}");
    let twice = format!("{}{}", wd.export(), wd.export().lines().nth(1).unwrap());
    let file = wd.write("twice.csv", twice);
    wd.run(&["import", file.to_str().unwrap()]).fails(
        1,
        &["line 3: this row names the same claim as line 2 (claim 1: the same uid)"],
    );
}

/// On a server, memory stays flat however long the file: its rows are read as they are
/// imported (an import run again after a collision reads the file again). On a file, the page
/// cache grows towards its bound as the database does, which hides the rows: the benchmark
/// measures that import's peak at a million claims.
#[test]
#[allow(clippy::print_stderr)] // the notice says why the test did not run
fn an_imports_memory_on_a_server_does_not_grow_with_the_file() {
    if !crate::harness::on_postgres() {
        eprintln!("note: an_imports_memory_on_a_server_does_not_grow_with_the_file runs on PostgreSQL only");
        return;
    }
    let file = |rows: usize| {
        let mut csv = String::from("text,claimant,disputed_by,figures,tags,note\n");
        for i in 0..rows {
            csv.push_str(&format!(
                "claim {i}: some {} fighters arrived in the north,Source {},Source {},{} fighters,\
                 tag{};north,a note that makes the row longer than most rows are\n",
                i % 97,
                i % 4,
                4 + i % 3,
                i % 97,
                i % 11
            ));
        }
        csv
    };
    let peak = |rows: usize| {
        let wd = Workdir::new();
        let path = wd.write("claims.csv", file(rows));
        let (code, peak) = wd.peak_memory(&["import", path.to_str().unwrap()]);
        assert_eq!(code, 0, "the import of {rows} rows failed");
        peak
    };
    // Both past the 5,000 new claims a server import holds before it writes them.
    let (small, large) = (peak(6_000), peak(30_000));
    // Held in memory, 24,000 more rows would take some 20 MB more.
    assert!(
        large < small + 10 * 1024,
        "peak {small} KB for 6,000 rows, {large} KB for 30,000"
    );
}
