use crate::harness::Workdir;

/// Arabic with harakat, bidi marks, quotes, commas, newlines and formula-like text.
const HOSTILE: &[&str] = &[
    "تكبَّدت المجموعة الروسية أولى خسائرها في 5 يناير",
    "\u{200F}«مرتزقة»\u{200E}, \"quoted\", and\nnew\r\nlines",
    "=HYPERLINK(\"http://evil\")",
    "-5 is a number at the start",
];

#[test]
fn export_import_export_is_byte_identical() {
    let wd = Workdir::new();
    wd.import_seed();
    for (i, text) in HOSTILE.iter().enumerate() {
        let value = format!("{}", 0.1 + i as f64);
        // `--` lets a claim start with "-".
        wd.add(&[
            "--claimant",
            "مصدر, \"محلي\"",
            "--value",
            &value,
            "--tag",
            "t",
            "--",
            text,
        ]);
    }
    wd.run(&["cite", "3", "Human Rights Watch", "--disputes"])
        .ok();
    wd.run(&["status", "4", "false", "--note", "x"]).ok();
    let first = wd.export();
    assert!(first.contains(HOSTILE[0]) && first.contains("\u{200F}«مرتزقة»\u{200E}"));

    let copy = Workdir::new();
    let file = copy.write("export.csv", &first);
    copy.run(&["import", file.to_str().unwrap()]).ok();
    assert_eq!(copy.export(), first);
    // And once more through stdin.
    let third = Workdir::new();
    third.run_stdin(&["import", "-"], &first).ok();
    assert_eq!(third.export(), first);
}

#[test]
fn bom_export_is_for_excel_and_neutralises_formulas() {
    let wd = Workdir::new();
    wd.add(&[HOSTILE[2], "--claimant", "A"]);
    wd.add(&[HOSTILE[0], "--claimant", "@B"]);
    let out = wd.run(&["export", "--bom"]).ok().stdout;
    assert!(out.starts_with('\u{feff}'));
    assert!(out.contains("\"'=HYPERLINK"), "{out}");
    assert!(out.contains(",'@B,"), "{out}");
    assert!(out.contains(HOSTILE[0]));
    let plain = wd.export();
    assert!(plain.contains("\"=HYPERLINK") && !plain.starts_with('\u{feff}'));
    wd.run(&["export", "--bom", "--format", "json"])
        .fails(1, &["CSV exports only"]);
}

#[test]
fn export_to_a_file_takes_the_list_filters() {
    let wd = Workdir::new();
    wd.add(&["a", "--claimant", "A", "--status", "disputed"]);
    wd.add(&["b", "--claimant", "B"]);
    let path = wd.path("out/../disputed.csv");
    wd.run(&["export", "--disputed", "--output", path.to_str().unwrap()])
        .fails(1, &["failed"]);
    let path = wd.path("disputed.csv");
    let run = wd
        .run(&["export", "--disputed", "--output", path.to_str().unwrap()])
        .ok();
    assert!(run.stderr.contains("exported 1 claim(s)"), "{run:?}");
    assert_eq!(run.stdout, "");
    let written = std::fs::read_to_string(&path).unwrap();
    assert_eq!(written.lines().count(), 2);
    assert!(written.lines().nth(1).unwrap().starts_with("1,"));
    let jsonl = wd.run(&["export", "--format", "jsonl"]).ok().stdout;
    assert_eq!(jsonl.lines().count(), 2);
}

#[test]
fn the_csv_export_carries_each_verdicts_reason_and_imports_it_back() {
    let wd = Workdir::new();
    wd.add(&["نحو ألف من مقاتلي فاجنر", "--claimant", "A"]);
    wd.add(&["500 killed", "--claimant", "B"]);
    wd.add(&["x", "--claimant", "C"]);
    wd.run(&[
        "status",
        "1",
        "false",
        "--note",
        "قالت هيومن رايتس ووتش إن العدد أقل",
    ])
    .ok();
    wd.run(&["status", "2", "verified", "--note", "first"]).ok();
    wd.run(&["status", "2", "misleading", "--note", "second look"])
        .ok();
    wd.run(&["status", "3", "in_review"]).ok();
    let first = wd.export();
    let mut reader = csv::Reader::from_reader(first.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(headers.iter().next_back(), Some("verdict_reason"));
    let reasons: Vec<String> = reader
        .records()
        .map(|r| r.unwrap().iter().next_back().unwrap().to_owned())
        .collect();
    assert_eq!(
        reasons,
        ["قالت هيومن رايتس ووتش إن العدد أقل", "second look", ""]
    );
    let copy = Workdir::new();
    let file = copy.write("export.csv", &first);
    copy.run(&["import", file.to_str().unwrap()]).ok();
    assert_eq!(copy.export(), first);
    // Importing it again records nothing more.
    let events = copy
        .json(&["activity", "--events"])
        .as_array()
        .unwrap()
        .len();
    copy.run(&["import", file.to_str().unwrap()]).ok();
    assert_eq!(
        copy.json(&["activity", "--events"])
            .as_array()
            .unwrap()
            .len(),
        events
    );
    copy.run(&["audit"]).ok();
    // A reason for a status that is not a verdict is refused, naming the cell.
    let bad = copy.write(
        "bad.csv",
        "text,claimant,status,verdict_reason\ny,D,in_review,why\n",
    );
    copy.run(&["import", bad.to_str().unwrap()])
        .fails(1, &["line 2", "verdict_reason", "in_review"]);
}
