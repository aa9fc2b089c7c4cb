//! `claimdb copy --from SRC --to DST`: a whole desk from a file or a team database into a new
//! file or an empty team database, exactly (the same export, the same history head).
//!
//! The tests with a PostgreSQL server need `CLAIMDB_TEST_POSTGRES` (see `crate::pg`); without
//! it they print a notice and pass.

use crate::dump::busy_desk;
use crate::harness::{Run, Workdir};
use crate::pg::{run_on, TestDb};

/// The desk of the dump tests (every feature of a claim), with the desk's own state on top: a
/// claim assigned to someone, a verdict proposed under the review gate, and a claim archived
/// with a reason.
fn desk_with_assignments() -> Workdir {
    let wd = busy_desk();
    wd.run(&["assign", "1", "amal"]).ok();
    let proposed = wd.add(&["About 40 trucks crossed", "--claimant", "HRW"]);
    let args = [
        "status",
        &proposed.to_string(),
        "misleading",
        "--note",
        "the trucks were empty",
    ];
    let mut gated = wd.command(&args);
    gated.env(
        "CLAIMDB_CONFIG",
        wd.write("gate.toml", "review_gate = true\n"),
    );
    wd.run_command(gated, &args).ok();
    let set_aside = wd.add(&["A rumour about the market", "--claimant", "HRW"]);
    wd.run(&[
        "archive",
        &set_aside.to_string(),
        "--kind",
        "opinion",
        "--note",
        "an opinion piece",
    ])
    .ok();
    wd
}

/// The desk at `db` as a lossless dump, files included.
fn export_of(db: &str) -> String {
    run_on(db, &["export", "--format", "json", "--with-files"], None)
        .ok()
        .stdout
}

/// The head `audit` prints for the desk at `db`, after checking it in full.
fn audited_head(db: &str) -> String {
    let run = run_on(db, &["audit"], None).ok();
    assert!(
        run.stderr.contains("every claim matches its history"),
        "{run:?}"
    );
    run.stdout.trim().to_owned()
}

fn copy(wd: &Workdir, from: &str, to: &str) -> Run {
    wd.run(&["copy", "--from", from, "--to", to])
}

#[test]
fn a_desk_copied_into_a_new_file_is_the_same_desk() {
    let wd = desk_with_assignments();
    let from = wd.db().to_str().unwrap().to_owned();
    let to = wd.path("copy.db").to_str().unwrap().to_owned();
    let run = copy(&wd, &from, &to).ok();
    assert!(run.stderr.contains("copied 7 claim(s)"), "{run:?}");
    let original = export_of(&from);
    assert_eq!(export_of(&to), original);
    // The desk's own state travels: the assignment and the archive reason.
    let dump: serde_json::Value = serde_json::from_str(&original).unwrap();
    let desks: Vec<&serde_json::Value> = dump["claims"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c.get("desk"))
        .collect();
    assert!(desks.iter().any(|d| d["assignee"] == "amal"), "{desks:?}");
    assert!(
        desks
            .iter()
            .any(|d| d["archived"] == "opinion" && d["archive_note"] == "an opinion piece"),
        "{desks:?}"
    );
    assert!(
        desks.iter().any(|d| d["proposed_status"] == "misleading"
            && d["proposed_by"] == "tester"
            && d["proposed_note"] == "the trucks were empty"),
        "{desks:?}"
    );
    let head = audited_head(&from);
    assert_eq!(head.len(), 64, "{head}");
    assert_eq!(audited_head(&to), head);
    // New rows in the copy get new ids after the copied ones.
    let next = run_on(&to, &["add", "Another claim", "--claimant", "HRW"], None);
    assert_eq!(next.ok().stdout.trim(), "8");
}

#[test]
fn a_copy_is_refused_into_a_used_database_from_a_missing_one_and_onto_itself() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = busy_desk();
    let from = wd.db().to_str().unwrap().to_owned();
    let used = Workdir::new();
    used.add(&["Something else", "--claimant", "Army"]);
    let used_db = used.db().to_str().unwrap().to_owned();
    let before = std::fs::read(used.db()).unwrap();
    copy(&wd, &from, &used_db).fails(1, &["is not empty", "--to"]);
    assert_eq!(std::fs::read(used.db()).unwrap(), before);

    let missing = wd.path("nowhere.db");
    let target = wd.path("target.db");
    copy(&wd, missing.to_str().unwrap(), target.to_str().unwrap())
        .fails(1, &["nowhere.db does not exist", "--from"]);
    assert!(!missing.exists() && !target.exists());

    let folder = wd.path("");
    copy(&wd, &from, folder.to_str().unwrap()).fails(1, &["--to", "is a folder"]);

    copy(&wd, &from, &from).fails(1, &["both name", "another database"]);
    let same = format!("{}/./claims.db", wd.path("").display());
    copy(&wd, &from, &same).fails(1, &["both name"]);
    wd.run(&["copy", "--help"])
        .ok()
        .stdout
        .contains("Examples:");
}

#[test]
fn a_desk_whose_file_was_changed_is_not_copied_and_no_file_appears() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = busy_desk();
    let conn = rusqlite::Connection::open(wd.db()).unwrap();
    conn.execute("UPDATE evidence_file SET content = zeroblob(size)", [])
        .unwrap();
    drop(conn);
    let to = wd.path("copies/copy.db");
    copy(&wd, wd.db().to_str().unwrap(), to.to_str().unwrap())
        .fails(1, &["was changed after it was attached", "not kept"]);
    let left: Vec<_> = std::fs::read_dir(wd.path("copies"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_desk_copied_to_postgresql_and_back_is_the_same_desk() {
    let Some(pg) = TestDb::new() else { return };
    run_on(&pg.address, &["team", "init"], None).ok();
    let wd = desk_with_assignments();
    let file = wd.db().to_str().unwrap().to_owned();
    let original = export_of(&file);
    let head = audited_head(&file);

    copy(&wd, &file, &pg.address).ok();
    let on_server = run_on(
        &pg.address,
        &["export", "--format", "json", "--with-files"],
        None,
    )
    .ok();
    assert_eq!(on_server.stdout, original);
    let audit = run_on(&pg.address, &["audit"], None).ok();
    assert_eq!(audit.stdout.trim(), head, "{audit:?}");
    // An evidence file comes back from the server byte for byte.
    let dump: serde_json::Value = serde_json::from_str(&original).unwrap();
    let id = dump["claims"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["evidence"].as_array().unwrap())
        .find(|e| !e["file"].is_null())
        .map(|e| e["id"].to_string())
        .expect("the desk has an evidence file");
    let pdf = wd.path("back.pdf");
    run_on(
        &pg.address,
        &["evidence", "get", &id, "--output", pdf.to_str().unwrap()],
        None,
    )
    .ok();
    assert_eq!(
        std::fs::read(&pdf).unwrap(),
        std::fs::read(wd.path("report.pdf")).unwrap()
    );

    let back = wd.path("back.db").to_str().unwrap().to_owned();
    copy(&wd, &pg.address, &back).ok();
    assert_eq!(export_of(&back), original);
    assert_eq!(audited_head(&back), head);

    // The team database now holds a desk: a second copy into it is refused, and changes nothing.
    copy(&wd, &file, &pg.address).fails(1, &["is not empty"]);
    let after = run_on(
        &pg.address,
        &["export", "--format", "json", "--with-files"],
        None,
    )
    .ok();
    assert_eq!(after.stdout, original);

    // The chain's head stands at the last event copied: the team's next change extends it.
    run_on(&pg.address, &["edit", "1", "--note", "checked again"], None).ok();
    let extended = run_on(&pg.address, &["audit"], None).ok();
    assert!(
        extended.stderr.contains("every claim matches its history"),
        "{extended:?}"
    );
    assert_ne!(extended.stdout.trim(), head);
    let history = run_on(&pg.address, &["--format", "json", "history", "1"], None)
        .ok()
        .json();
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["new_value"], "checked again", "{history}");
}

#[test]
fn only_the_owner_of_a_team_database_can_copy_a_desk_into_it() {
    let Some(mut pg) = TestDb::new() else { return };
    run_on(&pg.address, &["team", "init"], None).ok();
    let checker = pg.login("checker");
    run_on(
        &pg.address,
        &["team", "add", &checker, "--role", "checker"],
        None,
    )
    .ok();
    let wd = busy_desk();
    let mut as_checker = url::Url::parse(&pg.address).unwrap();
    as_checker.set_username(&checker).unwrap();
    copy(&wd, wd.db().to_str().unwrap(), as_checker.as_str())
        .fails(4, &["nothing was copied", "owner"]);
    let empty = run_on(&pg.address, &["--format", "json", "list"], None).ok();
    assert_eq!(empty.json(), serde_json::json!([]));
}

#[test]
fn every_export_of_a_team_database_matches_the_file_it_was_copied_from() {
    let Some(pg) = TestDb::new() else { return };
    run_on(&pg.address, &["team", "init"], None).ok();
    let wd = desk_with_assignments();
    let file = wd.db().to_str().unwrap().to_owned();
    copy(&wd, &file, &pg.address).ok();
    for args in [
        &["export"][..],
        &["export", "--bom", "--disputed"],
        &["export", "--format", "jsonl", "--with-files"],
        &["export", "--format", "claimreview", "--publisher", "Desk"],
    ] {
        assert_eq!(
            run_on(&pg.address, args, None).ok().stdout,
            run_on(&file, args, None).ok().stdout,
            "{args:?}"
        );
    }
    let (from_file, from_server) = (wd.path("file.xlsx"), wd.path("server.xlsx"));
    for (db, out) in [(&file, &from_file), (&pg.address, &from_server)] {
        let args = [
            "export",
            "--format",
            "xlsx",
            "--output",
            out.to_str().unwrap(),
        ];
        run_on(db, &args, None).ok();
    }
    // Every part of the workbook but the moment it was written (docProps/core.xml).
    let parts = |path: &std::path::Path| -> Vec<(String, Vec<u8>)> {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
        let mut parts = Vec::new();
        for i in 0..zip.len() {
            let mut part = zip.by_index(i).unwrap();
            if part.name() == "docProps/core.xml" {
                continue;
            }
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut part, &mut bytes).unwrap();
            parts.push((part.name().to_owned(), bytes));
        }
        parts
    };
    assert_eq!(parts(&from_server), parts(&from_file));
}

#[test]
fn a_dump_cut_short_is_refused_by_a_team_database_and_nothing_is_written() {
    let Some(pg) = TestDb::new() else { return };
    run_on(&pg.address, &["team", "init"], None).ok();
    let wd = busy_desk();
    let dump = run_on(
        wd.db().to_str().unwrap(),
        &["export", "--format", "jsonl", "--with-files"],
        None,
    )
    .ok()
    .stdout;
    // Without its history, the evidence items name events the dump does not carry.
    let cut: String = dump
        .lines()
        .filter(|l| !l.starts_with("{\"record\":\"event\""))
        .map(|l| format!("{l}\n"))
        .collect();
    let path = wd.write("cut.jsonl", cut);
    run_on(
        &pg.address,
        &["import", "--from", "json", path.to_str().unwrap()],
        None,
    )
    .fails(1, &["does not carry", "nothing was written"]);
    let empty = run_on(&pg.address, &["export", "--format", "json"], None).ok();
    assert!(empty.stdout.contains("\"claims\":[]"), "{empty:?}");
    assert!(empty.stdout.contains("\"files\":[]"), "{empty:?}");
}

#[test]
fn a_team_database_is_backed_up_by_copying_it_into_a_file() {
    let Some(pg) = TestDb::new() else { return };
    run_on(&pg.address, &["team", "init"], None).ok();
    let wd = Workdir::new();
    let target = wd.path("desk.db");
    run_on(&pg.address, &["backup", target.to_str().unwrap()], None)
        .fails(1, &["claimdb copy --from", "nothing was written"]);
    assert!(!target.exists());
    copy(&wd, &pg.address, target.to_str().unwrap()).ok();
    assert!(target.exists());
}
