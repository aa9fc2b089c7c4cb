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

/// A cell of a sheet read back, as the test compares it.
#[derive(Debug, PartialEq)]
enum Cell {
    Text(String),
    Number(f64),
    /// Excel's serial day number.
    Date(f64),
    Empty,
}

fn sheet(path: &std::path::Path, name: &str) -> Vec<Vec<Cell>> {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let range = book.worksheet_range(name).unwrap();
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::String(s) => Cell::Text(s.clone()),
                    Data::Float(f) => Cell::Number(*f),
                    Data::Int(i) => Cell::Number(*i as f64),
                    Data::DateTime(d) => Cell::Date(d.as_f64()),
                    Data::Empty => Cell::Empty,
                    other => panic!("unexpected cell {other:?}"),
                })
                .collect()
        })
        .collect()
}

fn serial(time: &str) -> f64 {
    rust_xlsxwriter::ExcelDateTime::parse_from_str(time)
        .unwrap()
        .to_excel()
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_owned())
}

/// The file inside the workbook's zip.
fn part(path: &std::path::Path, name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut xml).unwrap();
    xml
}

#[test]
fn the_xlsx_export_reads_back_cell_by_cell_with_types_and_arabic_right_to_left() {
    let wd = Workdir::new();
    let arabic = "نحو ألف من مقاتلي فاجنر في مالي";
    wd.add(&[
        arabic,
        "--claimant",
        "تقديرات غربية",
        "--value",
        "1000",
        "--qualifier",
        "approx",
        "--unit",
        "fighters",
        "--date",
        "2022-03-27",
        "--tag",
        "wagner",
        "--supported-by",
        "CSIS",
    ]);
    wd.add(&[
        "=1+1 looks like a formula",
        "--claimant",
        "B",
        "--date",
        "2022-03",
    ]);
    wd.run(&[
        "cite",
        "1",
        "Human Rights Watch",
        "--disputes",
        "--quote",
        "أقل من ذلك",
        "--url",
        "https://hrw.example/report",
    ])
    .ok();
    wd.run(&[
        "status",
        "1",
        "false",
        "--note",
        "السبب: تقرير هيومن رايتس ووتش",
    ])
    .ok();
    wd.run(&["assign", "1", "amal"]).ok();
    wd.run(&["archive", "2", "--kind", "mistake", "--note", "test entry"])
        .ok();
    let claim = wd.json(&["show", "1"]);
    let out = wd.path("desk.xlsx");
    wd.run(&[
        "export",
        "--format",
        "xlsx",
        "--output",
        out.to_str().unwrap(),
    ])
    .ok();

    let claims = sheet(&out, "Claims");
    let header: Vec<Cell> = [
        "id",
        "uid",
        "text",
        "translation",
        "claimant",
        "supported_by",
        "disputed_by",
        "status",
        "figures",
        "location",
        "claim_date",
        "article_url",
        "article_title",
        "tags",
        "note",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "verdict_reason",
        "assignee",
        "figure_low",
        "figure_high",
    ]
    .iter()
    .map(|h| text(h))
    .collect();
    assert_eq!(claims[0], header);
    // The archived claim is left out.
    assert_eq!(claims.len(), 2, "{claims:?}");
    let s = |k: &str| claim[k].as_str().unwrap().to_owned();
    assert_eq!(
        claims[1],
        [
            Cell::Number(1.0),
            text(&s("uid")),
            text(arabic),
            Cell::Empty,
            text("تقديرات غربية"),
            text("CSIS"),
            text("Human Rights Watch"),
            text("false"),
            text("~1000 fighters"),
            Cell::Empty,
            Cell::Date(serial("2022-03-27")),
            Cell::Empty,
            Cell::Empty,
            text("wagner"),
            Cell::Empty,
            Cell::Date(serial(&s("created_at"))),
            text("tester"),
            Cell::Date(serial(&s("updated_at"))),
            text("tester"),
            text("السبب: تقرير هيومن رايتس ووتش"),
            text("amal"),
            Cell::Number(1000.0),
            Cell::Number(1000.0),
        ]
    );
    let stances = sheet(&out, "Stances");
    assert_eq!(stances.len(), 3, "{stances:?}");
    assert_eq!(
        stances[2][..3],
        [
            Cell::Number(1.0),
            text("Human Rights Watch"),
            text("disputes"),
        ]
    );
    let history = sheet(&out, "History");
    let actions: Vec<&Cell> = history[1..].iter().map(|row| &row[4]).collect();
    assert_eq!(
        actions,
        [
            &text("create"),
            &text("cite"),
            // The citation: its stance, then its quote and url as an evidence item.
            &text("cite"),
            &text("cite"),
            &text("status"),
            &text("assign")
        ]
    );
    // An archived claim comes with --archived; a partial date stays text, a formula stays text.
    wd.run(&[
        "export",
        "--format",
        "xlsx",
        "--archived",
        "--output",
        out.to_str().unwrap(),
    ])
    .ok();
    let archived = sheet(&out, "Claims");
    assert_eq!(
        (&archived[1][2], &archived[1][10]),
        (&text("=1+1 looks like a formula"), &text("2022-03"))
    );
    // A period that ends before the claims were created selects none of them.
    wd.run(&[
        "export",
        "--format",
        "xlsx",
        "--until",
        "2020-01-01",
        "--output",
        out.to_str().unwrap(),
    ])
    .ok();
    assert_eq!(sheet(&out, "Claims").len(), 1);

    // The look: a frozen header row, a filter over every sheet, Arabic cells right to left
    // and Latin ones not.
    wd.run(&[
        "export",
        "--format",
        "xlsx",
        "--output",
        out.to_str().unwrap(),
    ])
    .ok();
    let xml = part(&out, "xl/worksheets/sheet1.xml");
    assert!(xml.contains(r#"state="frozen""#) && xml.contains("<autoFilter ref=\"A1:W2\""));
    let styles = part(&out, "xl/styles.xml");
    let xfs = styles.split("<cellXfs").nth(1).unwrap();
    let xfs: Vec<&str> = xfs
        .split("</cellXfs>")
        .next()
        .unwrap()
        .split("<xf ")
        .skip(1)
        .collect();
    let style_of = |cell: &str| -> &str {
        let start = xml.find(&format!("<c r=\"{cell}\"")).unwrap();
        let tag = &xml[start..start + xml[start..].find('>').unwrap()];
        let index = tag
            .split("s=\"")
            .nth(1)
            .map(|s| s[..s.find('"').unwrap()].parse::<usize>().unwrap())
            .unwrap_or(0);
        xfs[index]
    };
    assert!(
        style_of("C2").contains(r#"readingOrder="2""#),
        "{}",
        style_of("C2")
    );
    assert!(style_of("E2").contains(r#"readingOrder="2""#));
    assert!(!style_of("F2").contains("readingOrder"));
    assert!(!part(&out, "xl/worksheets/sheet2.xml").is_empty());
    // Only claimdb's export writes it.
    wd.run(&["list", "--format", "xlsx"])
        .fails(1, &["export --output"]);
    wd.run(&["export", "--format", "xlsx"])
        .fails(1, &["--output FILE.xlsx"]);
}

#[test]
fn a_bom_export_with_guarded_negative_figures_imports_back() {
    let wd = Workdir::new();
    wd.add(&["a drop of 3", "--claimant", "A", "--value", "-3"]);
    wd.add(&["a rise", "--claimant", "B", "--value", "+4.5"]);
    let out = wd.path("excel.csv");
    wd.run(&["export", "--bom", "--output", out.to_str().unwrap()])
        .ok();
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.contains(r#","'-3","#), "{written}");
    let copy = Workdir::new();
    copy.run(&["import", out.to_str().unwrap()]).ok();
    let values: Vec<f64> = copy
        .json(&["list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["figures"][0]["low"].as_f64().unwrap())
        .collect();
    assert_eq!(values, [-3.0, 4.5]);
    // A quote before anything but a sign is still not a number.
    let bad = copy.write("bad.csv", "text,claimant,value\nx,C,'3\n");
    copy.run(&["import", bad.to_str().unwrap()])
        .fails(1, &["line 2", "value"]);
}

#[test]
fn the_xlsx_export_and_the_report_hold_no_more_memory_than_a_streamed_csv() {
    let wd = Workdir::new();
    // 3,000 claims of 4 KB each: 12 MB of text, which a workbook built in memory would hold
    // (several times over, as cells and then as XML).
    let mut csv = String::from("text,claimant,status,verdict_reason\n");
    for i in 0..3000 {
        csv.push_str(&format!(
            "claim {i} {},Source {},false,reason {i}\n",
            "ج".repeat(2000),
            i % 50
        ));
    }
    let file = wd.write("big.csv", csv);
    wd.run(&["import", "-q", file.to_str().unwrap()]).ok();
    let (code, streamed) = wd.peak_memory(&["export"]);
    assert_eq!(code, 0);
    let out = wd.path("big.xlsx");
    for args in [
        &[
            "export",
            "--format",
            "xlsx",
            "--output",
            out.to_str().unwrap(),
        ][..],
        &["report", "--output", "report.html"],
    ] {
        let (code, peak) = wd.peak_memory(args);
        assert_eq!(code, 0, "{args:?}");
        assert!(
            peak <= streamed + 6144,
            "{args:?} peaked at {peak} KiB, the streamed CSV export at {streamed} KiB"
        );
    }
}
