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
    assert!(out.contains(",\"'@B\","), "{out}");
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
    // The JSON forms are the dump of the whole desk, which filters would cut short.
    wd.run(&["export", "--disputed", "--format", "jsonl"])
        .fails(1, &["takes no filters", "list --format json"]);
    let jsonl = wd.run(&["export", "--format", "jsonl"]).ok().stdout;
    let claims = jsonl
        .lines()
        .filter(|l| l.starts_with("{\"record\":\"claim\""))
        .count();
    assert_eq!(claims, 2);
}

#[test]
fn a_bom_export_quotes_every_cell_and_imports_back_exactly() {
    let wd = Workdir::new();
    // A separator of another locale (;), a formula after it, a negative value, a source that
    // starts like a formula, and texts that already start with the neutralising quote.
    wd.add(&["plain text;=1+1", "--claimant", "A", "--value", "-3"]);
    wd.add(&["'quoted' text", "--claimant", "=CiteSrc()"]);
    wd.add(&["--claimant", "B", "--", "''=x"]);
    wd.add(&["--claimant", "C", "--tag", "=t", "--", "-5 fighters"]);
    let bom = wd.run(&["export", "--bom"]).ok().stdout;
    let row = bom.lines().nth(1).unwrap();
    assert!(row.contains("\"plain text;=1+1\""), "{row}");
    assert!(row.contains("\"'-3\""), "{row}");
    assert!(
        bom.lines()
            .skip(1)
            .all(|l| l.starts_with('"') && l.ends_with('"')),
        "every cell quoted: {bom}"
    );
    let copy = Workdir::new();
    let file = copy.write("for-excel.csv", &bom);
    copy.run(&["import", file.to_str().unwrap()]).ok();
    assert_eq!(copy.export(), wd.export());
    assert_eq!(copy.json(&["show", "2"])["claimant"], "=CiteSrc()");
    assert_eq!(copy.json(&["show", "3"])["text"], "''=x");
}
