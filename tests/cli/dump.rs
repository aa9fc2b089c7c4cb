//! The lossless dump: `export --format json|jsonl` and `import --from json`.

use std::path::Path;

use crate::harness::Workdir;

/// A desk that uses every feature: sources with kinds and aliases, tags, figures, stances,
/// evidence with a file (and a removed item), published reviews, a merge, the rating map, a
/// verdict with its reason, an Arabic text with bidi marks.
pub(crate) fn busy_desk() -> Workdir {
    let wd = Workdir::new();
    let reviews =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats/claimreview.jsonld");
    wd.run(&["import", "--from", "claimreview", reviews.to_str().unwrap()])
        .ok();
    wd.run(&[
        "source",
        "add",
        "Human Rights Watch",
        "--kind",
        "ngo",
        "--alias",
        "HRW",
    ])
    .ok();
    let moura = wd
        .add(&[
            "\u{200F}ما اعتبره الجيش المالي «تحييد» 203 مسلحين",
            "--claimant",
            "Malian army",
            "--figure",
            "203 militants [تحييد 203 مسلحين]",
            "--figure",
            "~1.5 days",
            "--figure",
            "200-999 civilians killed [مئات مدنيين]",
            "--date",
            "2022-03",
            "--location",
            "Moura",
            "--tag",
            "moura",
        ])
        .to_string();
    let dup_a = wd
        .add(&["نحو 300 مدني", "--claimant", "HRW", "--tag", "moura"])
        .to_string();
    let dup_b = wd
        .add(&["نحو 300 مدني أعدموا", "--claimant", "HRW"])
        .to_string();
    wd.run(&[
        "cite",
        &moura,
        "HRW",
        "--disputes",
        "--quote",
        "the worst single atrocity",
        "--url",
        "https://www.hrw.org/a",
    ])
    .ok();
    wd.run(&[
        "cite",
        &moura,
        "UN",
        "--disputes",
        "--quote",
        "more than 500",
    ])
    .ok();
    wd.run(&["cite", &dup_b, "Reuters", "--supports"]).ok();
    let pdf: Vec<u8> = (0..70_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let file = wd.write("report.pdf", &pdf);
    wd.run(&[
        "evidence",
        "add",
        &moura,
        "--source",
        "Human Rights Watch",
        "--file",
        file.to_str().unwrap(),
        "--archived-url",
        "https://web.archive.org/web/2022/https://www.hrw.org/a",
    ])
    .ok();
    wd.run(&["evidence", "add", &dup_b, "--note", "a clip from 2019"])
        .ok();
    let last = wd.json(&["evidence", "list", &dup_b])[0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    wd.run(&["evidence", "remove", &last, "--note", "wrong event"])
        .ok();
    wd.run(&[
        "status",
        &moura,
        "false",
        "--note",
        "UN report: more than 500 dead",
    ])
    .ok();
    wd.run(&["merge", &dup_a, &dup_b, "--note", "same report"])
        .ok();
    wd.run(&["ratings", "map", "Pants on Fire!!", "misleading"])
        .ok();
    wd
}

fn dump(wd: &Workdir, format: &str) -> String {
    wd.run(&["export", "--format", format, "--with-files"])
        .ok()
        .stdout
}

#[test]
fn a_dump_restored_into_an_empty_database_exports_the_same_bytes_and_passes_audit() {
    if crate::harness::skip_on_postgres(
        "restoring into a team database is its owner's (copy is tested there)",
    ) {
        return;
    }
    let wd = busy_desk();
    for format in ["json", "jsonl"] {
        let first = dump(&wd, format);
        let copy = Workdir::new();
        let file = copy.write("desk.dump", &first);
        let run = copy
            .run(&["import", "--from", "json", file.to_str().unwrap()])
            .ok();
        assert!(run.stderr.contains("1 merge(s)"), "{run:?}");
        assert!(run.stderr.contains("history intact"), "{run:?}");
        assert_eq!(dump(&copy, format), first, "{format}");
        // The chain was kept as written, not re-hashed: the same head.
        assert_eq!(
            copy.run(&["audit"]).ok().stdout,
            wd.run(&["audit"]).ok().stdout
        );
        // And what is derived from it is rebuilt: search, counts, the CSV export.
        assert_eq!(copy.export(), wd.export());
        assert_eq!(copy.json(&["stats"]), wd.json(&["stats"]));
        // (Scores follow the index's statistics, which a rebuilt index keeps without the
        // traces of earlier deletions: the hits and their order are what must match.)
        let hits = |wd: &Workdir, query: &str| -> Vec<serde_json::Value> {
            let found = wd.json(&["search", query]);
            found
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["id"].clone())
                .collect()
        };
        for query in ["مسلحين", "مدني", "wagner", "moura"] {
            assert_eq!(hits(&copy, query), hits(&wd, query), "{query}");
        }
        assert!(!hits(&copy, "مسلحين").is_empty());
        for claim in copy.json(&["export"])["claims"].as_array().unwrap() {
            let id = claim["id"].to_string();
            assert_eq!(copy.json(&["show", &id]), wd.json(&["show", &id]));
            assert_eq!(copy.json(&["history", &id]), wd.json(&["history", &id]));
            for item in copy.json(&["evidence", "list", &id]).as_array().unwrap() {
                if item["file"].is_null() {
                    continue;
                }
                let out = copy.path("report.pdf");
                let item = item["id"].to_string();
                copy.run(&["evidence", "get", &item, "--output", out.to_str().unwrap()])
                    .ok();
                assert_eq!(
                    std::fs::read(out).unwrap(),
                    std::fs::read(wd.path("report.pdf")).unwrap()
                );
            }
        }
    }
}

#[test]
fn the_dump_carries_every_part_of_the_desk() {
    let wd = busy_desk();
    let dump = wd.json(&["export", "--with-files"]);
    assert_eq!(dump["format"], "claimdb-dump");
    assert_eq!(dump["version"], 2);
    let hrw = dump["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Human Rights Watch")
        .unwrap();
    assert_eq!(
        (hrw["kind"].as_str(), hrw["aliases"][0].as_str()),
        (Some("ngo"), Some("HRW"))
    );
    assert_eq!(dump["rating_map"][0]["rating"], "Pants on Fire!!");
    let moura = dump["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["claimant"] == "Malian army")
        .unwrap();
    assert_eq!(moura["status"], "false");
    assert_eq!(moura["stances"].as_array().unwrap().len(), 2);
    assert_eq!(moura["evidence"].as_array().unwrap().len(), 3);
    assert!(dump["claims"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| !c["reviews"].as_array().unwrap().is_empty()));
    assert_eq!(dump["merges"].as_array().unwrap().len(), 1);
    let events = dump["history"].as_array().unwrap();
    assert!(events
        .iter()
        .all(|e| e["hash"].as_str().unwrap().len() == 64));
    assert!(events
        .iter()
        .any(|e| e["note"] == "UN report: more than 500 dead"));
    assert_eq!(dump["files"].as_array().unwrap().len(), 1);
    // Without --with-files the files are named by hash only, and the user is told.
    let run = wd.run(&["export", "--format", "json"]).ok();
    assert!(run.stderr.contains("--with-files"), "{run:?}");
    assert_eq!(run.json()["files"], serde_json::json!([]));
    wd.run(&["export", "--with-files"])
        .fails(1, &["--with-files applies to the JSON dump only"]);
}

#[test]
fn a_restore_is_refused_into_a_used_database_and_is_all_or_nothing() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = busy_desk();
    let full = dump(&wd, "json");

    // Into a database that holds anything.
    let used = Workdir::new();
    used.add(&["x", "--claimant", "A"]);
    let before = used.export();
    let file = used.write("desk.json", &full);
    used.run(&["import", "--from", "json", file.to_str().unwrap()])
        .fails(1, &["is not empty", "--db"]);
    assert_eq!(used.export(), before);

    let empty_after = |wd: &Workdir| {
        let conn = rusqlite::Connection::open(wd.db()).unwrap();
        let n: i64 = conn
            .query_row(
                "SELECT (SELECT count(*) FROM claim) + (SELECT count(*) FROM source)
                      + (SELECT count(*) FROM history) + (SELECT count(*) FROM evidence_file)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 0, "nothing was written");
    };

    // Without the files its evidence names.
    let copy = Workdir::new();
    let file = copy.write("desk.json", dump_without_files(&wd));
    copy.run(&["import", "--from", "json", file.to_str().unwrap()])
        .fails(
            1,
            &["does not carry", "--with-files", "Nothing was written"],
        );
    empty_after(&copy);

    // A file whose content does not match its hash.
    let content_start = full.find("\"content\":\"").unwrap() + 11;
    let mut forged = full.clone().into_bytes();
    forged[content_start + 10] = if forged[content_start + 10] == b'A' {
        b'B'
    } else {
        b'A'
    };
    let file = copy.write("forged.json", &forged);
    copy.run(&["import", "--from", "json", file.to_str().unwrap()])
        .fails(1, &["forged.json file", "is not the file of that SHA-256"]);
    empty_after(&copy);

    // A JSON Lines dump cut short before its history: evidence points at missing events.
    let lines = dump(&wd, "jsonl");
    let cut: String = lines
        .lines()
        .filter(|l| !l.starts_with("{\"record\":\"event\""))
        .map(|l| format!("{l}\n"))
        .collect();
    let file = copy.write("cut.jsonl", cut);
    copy.run(&["import", "--from", "json", file.to_str().unwrap()])
        .fails(1, &["refers to claims or history events it does not carry"]);
    empty_after(&copy);

    // A broken line names itself.
    let broken = lines.replacen("{\"record\":\"claim\"", "{\"record\":\"claim\",", 1);
    let file = copy.write("broken.jsonl", broken);
    copy.run(&["import", "--from", "json", file.to_str().unwrap()])
        .fails(1, &["broken.jsonl line"]);
    empty_after(&copy);

    // A document of another kind, or cut short.
    let file = copy.write(
        "other.json",
        "{\"format\": \"desk-notes\", \"version\": 1, \"claims\": []}",
    );
    copy.run(&["import", "--from", "json", file.to_str().unwrap()])
        .fails(
            1,
            &["other.json is not a claimdb dump (its format is \"desk-notes\""],
        );
    let file = copy.write("short.json", &full.as_bytes()[..full.len() / 2]);
    copy.run(&["import", "--from", "json", file.to_str().unwrap()])
        .fails(1, &["short.json line", "column"]);
    empty_after(&copy);

    // Not a dump at all.
    let file = copy.write("claims.csv", "text,claimant\nx,A\n");
    copy.run(&["import", "--from", "json", file.to_str().unwrap()])
        .fails(1, &["claims.csv is not a claimdb dump"]);
    empty_after(&copy);

    // A dry run checks everything and writes nothing.
    let file = copy.write("desk.json", &full);
    let run = copy
        .run(&[
            "import",
            "--from",
            "json",
            "--dry-run",
            file.to_str().unwrap(),
        ])
        .ok();
    assert!(run.stderr.contains("would restore"), "{run:?}");
    empty_after(&copy);
}

fn dump_without_files(wd: &Workdir) -> String {
    wd.run(&["export", "--format", "json"]).ok().stdout
}

#[test]
fn merging_moves_the_duplicates_evidence_to_the_claim_kept() {
    let wd = Workdir::new();
    wd.add(&["a", "--claimant", "A"]);
    wd.add(&["a again", "--claimant", "B"]);
    wd.run(&["evidence", "add", "2", "--url", "https://example.org/b"])
        .ok();
    wd.run(&["merge", "1", "2"]).ok();
    let kept = wd.json(&["evidence", "list", "1"]);
    assert_eq!(kept[0]["url"], "https://example.org/b");
    assert_eq!(kept[0]["claim_id"], 1);
    let moved = wd
        .history(1)
        .into_iter()
        .find(|e| e["claim_id"] == 1 && e["field"] == "evidence")
        .expect("the move is in the kept claim's history");
    assert_eq!(moved["new_value"], "evidence 1 moved from claim 2");
    assert_eq!(moved["action"], "merge");
    wd.run(&["evidence", "add", "2", "--note", "x"])
        .fails(1, &["merged into claim 1"]);
}

/// A JSON Lines restore turns a file's line into its content without a copy: a 32 MB file
/// (43 MB of base64) restores under a 100 MB address-space limit, where holding its base64 twice
/// would not fit.
#[test]
fn a_json_lines_restore_holds_an_embedded_file_once() {
    if crate::harness::skip_on_postgres("files in bounded memory are a database file's") {
        return;
    }
    let wd = Workdir::new();
    wd.add(&["x", "--claimant", "A"]);
    let mut state: u32 = 1;
    let big: Vec<u8> = (0..32_000_000)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 24) as u8
        })
        .collect();
    let path = wd.write("big.bin", &big);
    wd.run(&["evidence", "add", "1", "--file", path.to_str().unwrap()])
        .ok();
    let dump = wd.path("desk.jsonl");
    wd.run(&[
        "export",
        "--format",
        "jsonl",
        "--with-files",
        "--output",
        dump.to_str().unwrap(),
    ])
    .ok();
    let copy = Workdir::new();
    let mut cmd = std::process::Command::new("bash");
    cmd.env("CLAIMDB_USER", "tester")
        .env_remove("CLAIMDB_PATH")
        .args(["-c", "ulimit -v 100000 && exec \"$@\"", "bash"])
        .arg(env!("CARGO_BIN_EXE_claimdb"))
        .arg("--db")
        .arg(copy.db())
        .args(["import", "--from", "json", dump.to_str().unwrap()]);
    copy.run_command(cmd, &["import", "--from", "json", "desk.jsonl"])
        .ok();
    copy.run(&["audit"]).ok();
    let out = copy.path("big.bin");
    copy.run(&["evidence", "get", "1", "--output", out.to_str().unwrap()])
        .ok();
    assert!(
        std::fs::read(out).unwrap() == big,
        "the restored file differs"
    );
}

#[test]
fn a_dump_with_a_broken_chain_is_restored_as_it_is_and_said_so() {
    if crate::harness::skip_on_postgres(
        "restoring into a team database is its owner's (copy is tested there)",
    ) {
        return;
    }
    let wd = Workdir::new();
    wd.add(&["x", "--claimant", "A"]);
    wd.run(&["status", "1", "false", "--note", "the real reason"])
        .ok();
    let forged = dump(&wd, "jsonl").replace("the real reason", "a forged reason");
    let copy = Workdir::new();
    let file = copy.write("forged.jsonl", forged);
    let run = copy
        .run(&["import", "--from", "json", file.to_str().unwrap()])
        .ok();
    assert!(
        run.stderr
            .contains("the restored history is broken at event 2 (claim 1)"),
        "{run:?}"
    );
    copy.run(&["audit"]).fails(1, &["broken at event 2"]);
}

mod property {
    //! Any claims (any Unicode, any finite figure, stances, evidence) survive dump → restore →
    //! dump byte for byte, through the library, in both forms.

    use claimdb::dump::{self, DumpWriter};
    use claimdb::evidence::EvidenceDraft;
    use claimdb::model::{ClaimDraft, Stance};
    use claimdb::store::Store;
    use proptest::prelude::*;

    fn write(store: &Store, lines: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let mut w = DumpWriter::new(&mut out, lines).unwrap();
        w.section("sources").unwrap();
        store.dump_sources(|s| w.item(&s)).unwrap();
        w.section("rating_map").unwrap();
        store.dump_ratings(|r| w.item(&r)).unwrap();
        w.section("claims").unwrap();
        store.dump_claims(|c| w.item(&c)).unwrap();
        w.section("merges").unwrap();
        store.dump_merges(|m| w.item(&m)).unwrap();
        w.section("history").unwrap();
        store.dump_history(|e| w.item(&e)).unwrap();
        w.section("files").unwrap();
        w.finish().unwrap();
        out
    }

    fn text() -> impl Strategy<Value = String> {
        let hostile = "[\u{0621}-\u{064A}\u{064B}-\u{0652}\u{0660}-\u{0669}a-zA-Zé \",;\n\r\t'\\\\{}\\[\\]\u{200E}\u{200F}\u{202A}-\u{202E}\u{2066}-\u{2069}\u{FEFF}😀]{1,40}";
        prop_oneof![
            4 => proptest::string::string_regex(hostile).unwrap(),
            1 => any::<String>(),
        ]
        .prop_map(|s| s.replace('\0', ""))
        .prop_filter("not blank", |s| !s.trim().is_empty())
    }

    fn name() -> impl Strategy<Value = String> {
        "[\u{0621}-\u{064A}a-zA-Z0-9 .'\"()-]{1,16}"
            .prop_map(|s| s.trim().to_owned())
            .prop_filter("a name is not empty", |s| !s.is_empty())
    }

    type Case = (
        String,
        String,
        Option<f64>,
        Vec<(String, bool)>,
        Option<String>,
    );

    fn case() -> impl Strategy<Value = Case> {
        (
            text(),
            name(),
            prop::option::of(any::<f64>().prop_filter("finite", |v| v.is_finite())),
            prop::collection::vec((name(), any::<bool>()), 0..3),
            prop::option::of(text()),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn dump_restore_dump_is_byte_identical(cases in prop::collection::vec(case(), 1..5)) {
            let mut store = Store::open_in_memory().unwrap();
            for (text, claimant, value, cites, quote) in &cases {
                let figures = value.map(claimdb::figure::Figure::value).into_iter().collect();
                let draft = ClaimDraft { text: text.clone(), claimant: claimant.clone(), figures, ..ClaimDraft::default() };
                let Ok(added) = store.add_claim(&draft, &[], "tester") else {
                    prop_assume!(false);
                    unreachable!()
                };
                for (source, supports) in cites {
                    let stance = if *supports { Stance::Supports } else { Stance::Disputes };
                    if store.cite(added.id, source, stance, quote.as_deref(), None, "tester").is_err() {
                        prop_assume!(false);
                    }
                }
                if let Some(note) = quote {
                    let item = EvidenceDraft { note: Some(note.clone()), ..EvidenceDraft::default() };
                    store.add_evidence(added.id, &item, None, "tester").unwrap();
                }
            }
            for lines in [false, true] {
                let first = write(&store, lines);
                let mut copy = Store::open_in_memory().unwrap();
                copy.restore(false, |restorer| {
                    dump::read(&first[..], "dump", |record, origin| restorer.add(record, origin))
                })
                .unwrap();
                let second = write(&copy, lines);
                prop_assert_eq!(String::from_utf8_lossy(&second), String::from_utf8_lossy(&first));
                prop_assert!(copy.audit().unwrap().broken.is_none());
            }
        }
    }
}

#[test]
fn a_dump_of_version_1_is_restored_and_one_of_a_newer_version_refused() {
    if crate::harness::skip_on_postgres(
        "restoring into a team database is its owner's (copy is tested there)",
    ) {
        return;
    }
    // A desk with no import: its dump is the same in versions 1 and 2.
    let wd = Workdir::new();
    wd.add(&["203 مسلحين", "--claimant", "Malian army"]);
    wd.run(&["status", "1", "false", "--note", "older footage"])
        .ok();
    let full = dump(&wd, "json");
    let header = "{\"format\":\"claimdb-dump\",\"version\":2";
    assert!(full.starts_with(header), "{}", &full[..80]);
    for (version, restored) in [(1, true), (3, false)] {
        let copy = Workdir::new();
        let file = copy.write(
            "desk.json",
            full.replacen(
                header,
                &format!("{}{version}", &header[..header.len() - 1]),
                1,
            ),
        );
        let run = copy.run(&["import", "--from", "json", file.to_str().unwrap()]);
        if restored {
            run.ok();
            copy.run(&["audit"]).ok();
            assert_eq!(dump(&copy, "json"), full);
        } else {
            run.fails(1, &["dump of version 3", "reads versions 1 to 2"]);
            assert_eq!(copy.export().lines().count(), 1, "nothing but the header");
        }
    }
}
