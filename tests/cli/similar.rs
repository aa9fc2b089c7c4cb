use crate::harness::Workdir;

const ORIGINAL: &str = "تكبَّدت القوات الروسية خسائر كبيرة في معارك وسط مالي";
/// The same claim: other diacritics, other article prefixes, other word order.
const REPHRASED: &str = "في معارك وسط مالي تكبدت القواتُ الروسيه خسائرَ كبيره";
/// Most of it, a word more and a word less.
const CLOSE: &str = "تكبدت قوات روسية خسائر كبيرة جدا في معارك مالي";
const UNRELATED: &str = "أعلنت الأمم المتحدة فتح تحقيق في أحداث مورا";

#[test]
fn similar_lists_rephrased_claims_best_first_with_their_similarity() {
    let wd = Workdir::new();
    for text in [ORIGINAL, UNRELATED, CLOSE, REPHRASED] {
        wd.add(&[text, "--claimant", "AFP"]);
    }
    let similar = wd.json(&["similar", "1"]);
    let found: Vec<(i64, f64)> = similar
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_i64().unwrap(), s["similarity"].as_f64().unwrap()))
        .collect();
    assert_eq!(
        found.iter().map(|f| f.0).collect::<Vec<_>>(),
        [4, 3],
        "{found:?}"
    );
    assert_eq!(found[0].1, 1.0);
    assert!(found[1].1 >= 0.6 && found[1].1 < 1.0, "{found:?}");
    let limited = wd.json(&["similar", "1", "--limit", "1"]);
    assert_eq!(limited.as_array().unwrap().len(), 1);
    let none = wd.run(&["similar", "2"]).ok();
    assert!(
        none.stderr.contains("no claim looks like claim 2"),
        "{none:?}"
    );
    wd.run(&["similar", "99"])
        .fails(1, &["claim 99 does not exist"]);
    let csv = wd.run(&["similar", "1", "--format", "csv"]).ok();
    assert!(
        csv.stdout
            .starts_with("id,similarity,status,claimant,text,conflict\n4,1.00,"),
        "{csv:?}"
    );
}

#[test]
fn english_translations_count_too() {
    let wd = Workdir::new();
    wd.add(&[
        "نحو ألف مقاتل",
        "--claimant",
        "A",
        "--translation",
        "About 1000 Wagner fighters in Mali",
    ]);
    wd.add(&[
        "حوالي ألف عنصر",
        "--claimant",
        "B",
        "--translation",
        "about 1000 wagner FIGHTERS in Mali",
    ]);
    let similar = wd.json(&["similar", "1"]);
    assert_eq!(similar[0]["id"], 2);
}

#[test]
fn add_warns_about_likely_duplicates_and_still_adds() {
    let wd = Workdir::new();
    wd.add(&[ORIGINAL, "--claimant", "AFP"]);
    wd.add(&[UNRELATED, "--claimant", "AFP"]);
    let run = wd
        .run(&["add", REPHRASED, "--claimant", "Human Rights Watch"])
        .ok();
    assert_eq!(run.stdout.trim(), "3");
    assert!(
        run.stderr
            .contains("warning: the new claim looks like claim 1 (similarity 1.00)"),
        "{run:?}"
    );
    assert!(!run.stderr.contains("claim 2 "), "{run:?}");
    assert!(run.stderr.contains("claimdb merge 1 3"), "{run:?}");
    // An unrelated claim adds silently.
    let run = wd
        .run(&["add", "شيء مختلف تماما", "--claimant", "AFP"])
        .ok();
    assert!(!run.stderr.contains("looks like"), "{run:?}");
}

#[test]
fn add_no_duplicate_refuses_and_writes_nothing() {
    let wd = Workdir::new();
    wd.add(&[ORIGINAL, "--claimant", "AFP"]);
    let before = wd.export();
    wd.run(&[
        "add",
        REPHRASED,
        "--claimant",
        "New source",
        "--no-duplicate",
    ])
    .fails(
        1,
        &[
            "--no-duplicate",
            "claim 1 (similarity 1.00)",
            "nothing was written",
        ],
    );
    assert_eq!(wd.export(), before);
    let sources = wd.json(&["source", "list"]);
    assert_eq!(sources.as_array().unwrap().len(), 1);
    // Without a look-alike it adds.
    assert_eq!(
        wd.add(&[UNRELATED, "--claimant", "AFP", "--no-duplicate"]),
        2
    );
}

#[test]
fn import_dry_run_reports_rows_that_look_like_stored_claims() {
    let wd = Workdir::new();
    wd.add(&[ORIGINAL, "--claimant", "AFP"]);
    let file = wd.write(
        "new.csv",
        format!("text,claimant\n{UNRELATED},AFP\n{REPHRASED},HRW\n{CLOSE},HRW\n"),
    );
    let run = wd
        .run(&["import", "--dry-run", file.to_str().unwrap()])
        .ok();
    assert!(
        run.stderr
            .contains("new.csv line 3 looks like stored claim 1 (similarity 1.00)"),
        "{run:?}"
    );
    assert!(
        run.stderr
            .contains("new.csv line 4 looks like stored claim 1"),
        "{run:?}"
    );
    assert!(!run.stderr.contains("line 2 looks like"), "{run:?}");
    // Rows of the same file are not "stored claims".
    assert!(!run.stderr.contains("stored claim 3"), "{run:?}");
    assert!(run.stderr.contains("2 likely duplicate(s)"), "{run:?}");
    assert_eq!(wd.json(&["stats"])["claims"], 1);
}
