//! `claimdb extract`: candidates from an article, in the CSV import reads.

use std::path::Path;

use crate::harness::Workdir;

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/extract")
        .join(name)
        .to_str()
        .expect("a UTF-8 path")
        .to_owned()
}

/// The seed article's candidates as JSON.
fn seed_candidates(w: &Workdir, extra: &[&str]) -> Vec<serde_json::Value> {
    let article = fixture("article.ar.txt");
    let mut args = vec![
        "extract",
        article.as_str(),
        "--published",
        "2022-04-10",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    w.run(&args).ok().json().as_array().unwrap().clone()
}

fn field<'a>(row: &'a serde_json::Value, name: &str) -> &'a str {
    row[name].as_str().unwrap_or_default()
}

#[test]
fn the_seed_article_extracts_to_rows_that_import_dry_run_accepts_every_one_of() {
    let w = Workdir::new();
    let article = fixture("article.ar.txt");
    let run = w
        .run(&["extract", &article, "--published", "2022-04-10"])
        .ok();
    let rows = csv::Reader::from_reader(run.stdout.as_bytes())
        .records()
        .count();
    assert!(rows >= 40, "{run:?}");
    let file = w.write("candidates.csv", &run.stdout);
    let dry = w.run(&["import", "--dry-run", file.to_str().unwrap()]).ok();
    assert!(
        dry.stderr
            .contains(&format!("{rows} row(s): {rows} would be added")),
        "{dry:?}"
    );
    // And the import takes them as they are: text exactly as the article writes it.
    w.run(&["import", file.to_str().unwrap()]).ok();
    let stored = w.json(&["list", "--limit", "1000"]);
    let text = std::fs::read_to_string(&article).unwrap();
    for claim in stored.as_array().unwrap() {
        assert!(text.contains(field(claim, "text")), "{claim}");
    }
}

#[test]
fn extract_never_creates_or_changes_a_database() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let w = Workdir::new();
    let article = w.write(
        "a.txt",
        "The ministry said 300 soldiers were killed on Saturday.\n",
    );
    w.run(&["extract", article.to_str().unwrap()]).ok();
    assert!(!w.db().exists(), "extract created {}", w.db().display());
    w.import_seed();
    let before = w.export();
    w.run(&["extract", article.to_str().unwrap(), "--check"])
        .ok();
    assert_eq!(w.export(), before);
}

/// Recall, claimant and figures accuracy and precision on the seed article, against the
/// reviewed claims: a claim is recalled when a candidate's text overlaps its text with the same
/// claimant. The reviewed claimants are English names; the article's Arabic names are mapped to
/// them as a desk does, with source aliases in the database.
#[test]
fn measured_on_the_seed_article_recall_claimants_and_figures_meet_the_aims() {
    let w = Workdir::new();
    let reviewed_path = fixture("reviewed.csv");
    w.run(&["import", &reviewed_path]).ok();
    for (source, alias) in [
        ("Western reports", "تقارير غربية"),
        ("French government sources", "مصادر الحكومة الفرنسية"),
        ("CSIS", "مركز الدراسات الاستراتيجية والدولية الأميركي"),
        ("Western estimates", "تقديرات غربية"),
        ("Unnamed earlier reports", "تقارير سابقة"),
        ("US State Department", "وزارة الخارجية الأميركية"),
        ("Malian Defence Ministry", "وزارة الدفاع المالية"),
        ("Military sources (via AFP)", "مصدران عسكريان"),
        ("Unnamed allegations", "مزاعم"),
        ("Unnamed reports", "تقارير"),
        ("Malian army", "الجيش المالي"),
        ("Local sources (via Human Rights Watch)", "مصادر محلية"),
        ("Human Rights Watch", "منظمة هيومن رايتس ووتش"),
        ("Eyewitnesses", "شهود عيان"),
        ("Malian and Russian governments", "بامكو وموسكو"),
        ("Russian Foreign Ministry", "وزارة الخارجية الروسية"),
    ] {
        w.run(&["source", "alias", source, alias]).ok();
    }
    let article = std::fs::read_to_string(fixture("article.ar.txt")).unwrap();
    let span = |text: &str| {
        let start = article
            .find(text)
            .unwrap_or_else(|| panic!("not in the article: {text}"));
        start..start + text.len()
    };
    let mut reviewed = Vec::new();
    for record in csv::Reader::from_path(&reviewed_path).unwrap().records() {
        let record = record.unwrap();
        reviewed.push((span(&record[0]), record[2].to_owned(), figures(&record[6])));
    }
    let candidates: Vec<_> = seed_candidates(&w, &[])
        .iter()
        .map(|c| {
            (
                span(field(c, "text")),
                field(c, "claimant").to_owned(),
                figures(field(c, "figures")),
            )
        })
        .collect();
    let overlaps =
        |a: &std::ops::Range<usize>, b: &std::ops::Range<usize>| a.start < b.end && b.start < a.end;
    let mut recalled = 0;
    let mut figures_right = 0;
    let mut missed = Vec::new();
    for (range, claimant, figs) in &reviewed {
        let found: Vec<_> = candidates
            .iter()
            .filter(|(r, c, _)| overlaps(r, range) && c == claimant)
            .collect();
        if found.is_empty() {
            missed.push(format!("{claimant}: {}", &article[range.clone()]));
            continue;
        }
        recalled += 1;
        if found.iter().any(|(_, _, f)| f == figs) {
            figures_right += 1;
        } else {
            missed.push(format!(
                "figures {figs:?} against {:?}: {}",
                found.iter().map(|(_, _, f)| f).collect::<Vec<_>>(),
                &article[range.clone()]
            ));
        }
    }
    let overlapping = reviewed
        .iter()
        .filter(|(range, _, _)| candidates.iter().any(|(r, _, _)| overlaps(r, range)))
        .count();
    let claimant_right = recalled;
    let precise = candidates
        .iter()
        .filter(|(r, c, _)| {
            reviewed
                .iter()
                .any(|(range, claimant, _)| overlaps(r, range) && c == claimant)
        })
        .count();
    let recall = recalled as f64 / reviewed.len() as f64;
    let claimant_accuracy = claimant_right as f64 / overlapping as f64;
    let figures_accuracy = figures_right as f64 / recalled as f64;
    let precision = precise as f64 / candidates.len() as f64;
    eprintln!(
        "seed: {} reviewed claims, {} candidates; recall {recalled}/{} = {recall:.3}; \
         claimant right on {claimant_right}/{overlapping} overlapped = {claimant_accuracy:.3}; \
         figures right on {figures_right}/{recalled} recalled = {figures_accuracy:.3}; \
         precision {precise}/{} = {precision:.3}\nmissed:\n{}",
        reviewed.len(),
        candidates.len(),
        reviewed.len(),
        candidates.len(),
        missed.join("\n")
    );
    assert!(recall >= 0.90, "recall {recall}");
    assert!(claimant_accuracy >= 0.85, "claimants {claimant_accuracy}");
    assert!(figures_accuracy >= 0.95, "figures {figures_accuracy}");
}

/// A claim's figures as (qualifier, low, high), rounded so that "~0.3333" and a third agree;
/// what they count is left out (the reviewed units are English words, the article's Arabic).
fn figures(cell: &str) -> Vec<(String, i64, i64)> {
    let mut list: Vec<_> = claimdb::figure::parse_list(cell)
        .unwrap_or_else(|e| panic!("{cell}: {e}"))
        .iter()
        .map(|f| {
            (
                f.qualifier.as_str().to_owned(),
                (f.low * 1000.0).round() as i64,
                (f.high * 1000.0).round() as i64,
            )
        })
        .collect();
    list.sort();
    list
}

#[test]
fn an_english_article_with_headings_quotes_crlf_and_a_bom() {
    let w = Workdir::new();
    let article = "\u{feff}Fighting in the north\r\n\
        According to the Health Ministry, 42 civilians were killed on Saturday.\r\n\
        \u{201c}We will not stop,\u{201d} the ministry said. It added that about 300 people were wounded.\r\n\
        The army denied Amnesty International's claims that it shelled the market last March.\r\n\
        Mr. Smith, a local official, told Reuters that dozens of homes burned.\r\n";
    let file = w.write("en.txt", article);
    let rows = w
        .run(&[
            "extract",
            file.to_str().unwrap(),
            "--published",
            "2022-04-10",
            "--format",
            "json",
        ])
        .ok()
        .json();
    let rows = rows.as_array().unwrap();
    let by_text = |start: &str| {
        rows.iter()
            .find(|r| field(r, "text").starts_with(start))
            .unwrap_or_else(|| panic!("no candidate starting {start:?}: {rows:#?}"))
    };
    assert!(rows
        .iter()
        .all(|r| !field(r, "text").starts_with("Fighting")));
    let first = by_text("According to the Health Ministry");
    assert_eq!(field(first, "claimant"), "Health Ministry");
    assert_eq!(field(first, "figures"), "42 civilians [42 civilians]");
    assert_eq!(field(first, "claim_date"), "2022-04-09");
    let quote = by_text("\u{201c}We will not stop");
    assert_eq!(field(quote, "claimant"), "Health Ministry");
    let added = by_text("It added");
    assert_eq!(field(added, "claimant"), "Health Ministry");
    assert_eq!(field(added, "figures"), "~300 people [about 300 people]");
    let denial = by_text("The army denied");
    assert_eq!(field(denial, "claimant"), "army");
    assert_eq!(field(denial, "disputed_by"), "Amnesty International");
    assert_eq!(field(denial, "claim_date"), "2022-03");
    let smith = by_text("Mr. Smith");
    assert_eq!(field(smith, "claimant"), "Mr. Smith, a local official");
    for row in rows {
        assert!(article.contains(field(row, "text")), "{row}");
    }
}

#[test]
fn arabic_clauses_back_references_and_a_denial() {
    let w = Workdir::new();
    let article =
        "وقالت منظمة «العفو الدولية» إن 12 مدنياً قتلوا أمس، مشيرة إلى أن القصف استمر ساعات.\n\
        ونفت وزارة الدفاع ما ذكرته صحيفة الوطن عن مقتل خمسة جنود في 3 مارس الماضي.\n\
        وأكدت المنظمة أن ٢٠ منزلاً دُمرت، حيث تحدثت مصادر محلية عن نزوح مئات العائلات.\n";
    let file = w.write("ar.txt", article);
    let rows = w
        .run(&[
            "extract",
            file.to_str().unwrap(),
            "--published",
            "2022-04-10",
            "--format",
            "json",
        ])
        .ok()
        .json();
    let rows = rows.as_array().unwrap();
    let got: Vec<(&str, &str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                field(r, "text"),
                field(r, "claimant"),
                field(r, "disputed_by"),
                field(r, "figures"),
                field(r, "claim_date"),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "وقالت منظمة «العفو الدولية» إن 12 مدنياً قتلوا أمس",
                "منظمة العفو الدولية",
                "",
                "12 مدنياً [12 مدنياً]",
                "2022-04-09"
            ),
            (
                "مشيرة إلى أن القصف استمر ساعات.",
                "منظمة العفو الدولية",
                "",
                "",
                ""
            ),
            (
                "ونفت وزارة الدفاع ما ذكرته صحيفة الوطن عن مقتل خمسة جنود في 3 مارس الماضي.",
                "وزارة الدفاع",
                "صحيفة الوطن",
                "5 جنود [خمسة جنود]",
                "2022-03-03"
            ),
            (
                "وأكدت المنظمة أن ٢٠ منزلاً دُمرت",
                "منظمة العفو الدولية",
                "",
                "20 منزلاً [٢٠ منزلاً]",
                ""
            ),
            (
                "حيث تحدثت مصادر محلية عن نزوح مئات العائلات.",
                "مصادر محلية",
                "",
                "200-999 العائلات [مئات العائلات]",
                ""
            ),
        ]
    );
}

#[test]
fn a_stored_source_or_alias_names_the_claimant_and_check_marks_stored_claims() {
    let w = Workdir::new();
    w.import_seed();
    w.run(&[
        "source",
        "alias",
        "Human Rights Watch",
        "منظمة هيومن رايتس ووتش",
    ])
    .ok();
    let rows = seed_candidates(&w, &["--check"]);
    let hrw = rows
        .iter()
        .find(|r| field(r, "text").starts_with("والتي وصفتها المنظمة"))
        .unwrap();
    assert_eq!(field(hrw, "claimant"), "Human Rights Watch");
    let wagner = rows
        .iter()
        .find(|r| field(r, "text").starts_with("وفي المجمل تشير تقديرات غربية"))
        .unwrap();
    assert!(
        field(wagner, "check").starts_with("looks like claim"),
        "{wagner}"
    );
    assert!(field(wagner, "note").contains("check: looks like claim"));
}

#[test]
fn min_score_filters_and_stdin_reads_the_article() {
    let w = Workdir::new();
    let article = "The weather was mild and people walked in the park.\n\
        The ministry said 40 soldiers were killed.\n";
    let all = w
        .run_stdin(&["extract", "-", "--format", "json"], article)
        .ok()
        .json();
    assert_eq!(all.as_array().unwrap().len(), 2);
    let strong = w
        .run_stdin(
            &["extract", "-", "--format", "json", "--min-score", "0.5"],
            article,
        )
        .ok()
        .json();
    let strong = strong.as_array().unwrap();
    assert_eq!(strong.len(), 1);
    assert_eq!(field(&strong[0], "claimant"), "ministry");
}

#[test]
fn bad_input_is_refused_with_a_clear_message() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let w = Workdir::new();
    let file = w.write("a.txt", "The ministry said 40 soldiers were killed.\n");
    let path = file.to_str().unwrap();
    w.run(&["extract", path, "--published", "last week"])
        .fails(1, &["--published", "YYYY-MM-DD"]);
    w.run(&["extract", path, "--min-score", "2"])
        .fails(1, &["--min-score", "0 to 1"]);
    w.run(&["extract", path, "--check"])
        .fails(1, &["--check", "--db"]);
    let latin1 = w.write("b.txt", b"caf\xe9 said 3\n");
    w.run(&["extract", latin1.to_str().unwrap()])
        .fails(1, &["b.txt", "UTF-8"]);
    w.run(&["extract", "missing.txt"])
        .fails(1, &["missing.txt"]);
    assert!(!w.db().exists());
}

#[test]
fn check_tells_a_stored_duplicate_from_a_conflicting_figure() {
    let w = Workdir::new();
    w.add(&[
        "وتشير تقديرات غربية إلى انتشار نحو ألف من مقاتلي فاجنر في مالي",
        "--claimant",
        "Western estimates",
    ]);
    let article = "وتشير تقديرات غربية إلى انتشار نحو 5000 من مقاتلي فاجنر في مالي.\n\
        وتشير تقديرات غربية إلى انتشار نحو ألف من مقاتلي فاجنر في مالي.\n\
        وقالت الشرطة إن الطقس كان معتدلاً في العاصمة أمس.\n";
    let rows = w
        .run_stdin(&["extract", "-", "--check", "--format", "json"], article)
        .ok()
        .json();
    let checks: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| field(r, "check"))
        .collect();
    assert!(
        checks[0].starts_with("figures conflict with claim 1"),
        "{checks:?}"
    );
    assert!(checks[1].starts_with("looks like claim 1"), "{checks:?}");
    assert_eq!(checks[2], "");
    // In CSV the finding is in the note, so the row still imports as it is.
    let csv = w
        .run_stdin(&["extract", "-", "--check"], article)
        .ok()
        .stdout;
    assert!(csv.starts_with(
        "text,translation,claimant,supported_by,disputed_by,status,figures,location,claim_date,article_url,article_title,tags,note\n"
    ));
    assert!(csv.contains("check: figures conflict with claim 1"));
}

#[test]
fn a_table_shows_text_claimant_and_score_and_url_and_title_fill_their_columns() {
    let w = Workdir::new();
    let article = "The ministry said 40 soldiers were killed.\n";
    let table = w
        .run_stdin(&["extract", "-", "--format", "table"], article)
        .ok()
        .stdout;
    assert!(
        table.contains("ministry") && table.contains("0.9"),
        "{table}"
    );
    let rows = w
        .run_stdin(
            &[
                "extract",
                "-",
                "--format",
                "json",
                "--url",
                "https://example.org/a",
                "--title",
                "Soldiers killed",
            ],
            article,
        )
        .ok()
        .json();
    assert_eq!(field(&rows[0], "article_url"), "https://example.org/a");
    assert_eq!(field(&rows[0], "article_title"), "Soldiers killed");
}

#[test]
fn lang_chooses_the_cues_and_auto_goes_by_each_sentences_script() {
    let w = Workdir::new();
    let article =
        "وقالت الشرطة إن 3 أشخاص قتلوا في الحادث.\nThe police said 3 people died in the crash.\n";
    let claimants = |lang: &str| -> Vec<String> {
        w.run_stdin(
            &["extract", "-", "--lang", lang, "--format", "json"],
            article,
        )
        .ok()
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| field(r, "claimant").to_owned())
        .collect()
    };
    assert_eq!(claimants("auto"), ["الشرطة", "police"]);
    assert_eq!(claimants("ar"), ["الشرطة", "Article (unattributed)"]);
    assert_eq!(claimants("en"), ["Article (unattributed)", "police"]);
}

#[test]
fn a_very_long_paragraph_is_cut_into_its_sentences() {
    let w = Workdir::new();
    let sentence = "وقالت الوزارة إن 5 جنود قتلوا، مشيرة إلى أن «القتال» مستمر. ";
    let article = sentence.repeat(5000);
    let rows = w
        .run_stdin(&["extract", "-", "--format", "jsonl"], &article)
        .ok()
        .stdout;
    assert_eq!(rows.lines().count(), 10_000);
    for line in rows.lines().take(4) {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(article.contains(field(&row, "text")));
        assert_eq!(field(&row, "claimant"), "الوزارة");
    }
}
