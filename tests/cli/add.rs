use crate::harness::Workdir;

#[test]
fn add_prints_the_id_and_stores_every_field_exactly() {
    let wd = Workdir::new();
    let text = "تشير تقديرات غربية إلى انتشار نحو ألف من مقاتلي \"فاجنر\" حالياً في مالي.";
    let id = wd.add(&[
        text,
        "--claimant",
        "Western estimates",
        "--translation",
        "Western estimates put about 1,000 Wagner fighters in Mali.",
        "--value",
        "1000",
        "--unit",
        "fighters",
        "--qualifier",
        "approx",
        "--location",
        "Mali",
        "--date",
        "2022-04",
        "--article-url",
        "https://example.org/wagner-mali",
        "--article-title",
        "فاجنر في مالي",
        "--tag",
        "wagner",
        "--tag",
        "troops",
        "--note",
        "figure is an estimate",
    ]);
    assert_eq!(id, 1);
    let claim = wd.json(&["show", "1"]);
    assert_eq!(claim["text"], text);
    assert_eq!(claim["claimant"], "Western estimates");
    assert_eq!(
        claim["figures"],
        serde_json::json!([{"low": 1000.0, "high": 1000.0, "unit": "fighters",
                            "qualifier": "approx", "words": null}])
    );
    assert_eq!(claim["claim_date"], "2022-04");
    assert_eq!(claim["status"], "unverified");
    assert_eq!(claim["tags"], serde_json::json!(["troops", "wagner"]));
    assert_eq!(claim["created_by"], "tester");
    assert_eq!(claim["uid"].as_str().unwrap().len(), 36);
    assert_eq!(wd.add(&["second", "--claimant", "Western estimates"]), 2);
}

#[test]
fn a_new_source_is_created_and_announced_on_stderr() {
    let wd = Workdir::new();
    let run = wd.run(&["add", "x", "--claimant", "Malian army"]).ok();
    assert!(run.stderr.contains("new source \"Malian army\""), "{run:?}");
    let run = wd.run(&["add", "y", "--claimant", "malian  ARMY"]).ok();
    assert!(!run.stderr.contains("new source"), "{run:?}");
    let sources = wd.json(&["source", "list"]);
    assert_eq!(sources.as_array().unwrap().len(), 1);
    assert_eq!(sources[0]["claims"], 2);
}

#[test]
fn invalid_values_are_refused_with_what_is_allowed() {
    let wd = Workdir::new();
    let base = ["add", "x", "--claimant", "A"];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        wd.run(&args)
    };
    with(&["--status", "verifed"]).fails(2, &["verifed", "possible values", "verified"]);
    with(&["--qualifier", "about"]).fails(2, &["about", "exact", "approx", "at_least", "at_most"]);
    with(&["--date", "2022-02-30"]).fails(2, &["2022-02-30", "YYYY, YYYY-MM or YYYY-MM-DD"]);
    with(&["--date", "March 2022"]).fails(2, &["YYYY-MM"]);
    with(&["--value", "1,000"]).fails(2, &["1,000", "no thousands separators"]);
    with(&["--value", "NaN"]).fails(2, &["finite number"]);
    with(&["--article-url", "example.org"]).fails(2, &["http"]);
    with(&["--qualifier", "approx"]).fails(1, &["qualifier describes a value"]);
    wd.run(&["add", "  ", "--claimant", "A"])
        .fails(1, &["must not be empty"]);
    wd.run(&["add", "x", "--claimant", "A;B"])
        .fails(1, &["';'"]);
    assert_eq!(wd.json(&["stats"])["claims"], 0);
}

#[test]
fn arabic_indic_digits_are_read_as_numbers() {
    let wd = Workdir::new();
    wd.add(&["x", "--claimant", "A", "--value", "١٠٠٠"]);
    assert_eq!(wd.json(&["show", "1"])["figures"][0]["low"], 1000.0);
}

#[test]
fn add_with_sources_records_stances() {
    let wd = Workdir::new();
    wd.add(&[
        "203 مسلحين",
        "--claimant",
        "Malian army",
        "--status",
        "disputed",
        "--disputed-by",
        "Human Rights Watch",
        "--supported-by",
        "Malian Defence Ministry",
    ]);
    let claim = wd.json(&["show", "1"]);
    assert_eq!(
        claim["disputed_by"],
        serde_json::json!(["Human Rights Watch"])
    );
    assert_eq!(
        claim["supported_by"],
        serde_json::json!(["Malian Defence Ministry"])
    );
    assert_eq!(claim["stances"].as_array().unwrap().len(), 2);
}

#[test]
fn a_new_source_one_typo_or_one_spelling_from_a_stored_one_gets_a_did_you_mean() {
    let wd = Workdir::new();
    wd.add(&["203 مسلحين", "--claimant", "Human Rights Watch"]);
    wd.run(&["source", "alias", "Human Rights Watch", "هيومن رايتس ووتش"])
        .ok();
    let did_you_mean = "did you mean \"Human Rights Watch\"?";
    // add: a typo.
    let run = wd
        .run(&["add", "x", "--claimant", "Human Rigths Watch"])
        .ok();
    assert!(run.stderr.contains(did_you_mean), "{run:?}");
    // cite: another spelling of the Arabic alias.
    let run = wd
        .run(&["cite", "1", "هيومان رايتس وتش", "--disputes"])
        .ok();
    assert!(run.stderr.contains(did_you_mean), "{run:?}");
    // import: a letter missing.
    let file = wd.write(
        "new.csv",
        "text,claimant\ny,Human Right Watch\nz,Amnesty International\n",
    );
    let run = wd.run(&["import", file.to_str().unwrap()]).ok();
    assert!(run.stderr.contains(did_you_mean), "{run:?}");
    assert_eq!(run.stderr.matches("did you mean").count(), 1, "{run:?}");
    // A source that is only like itself gets no warning.
    let run = wd.run(&["add", "w", "--claimant", "Malian army"]).ok();
    assert!(!run.stderr.contains("did you mean"), "{run:?}");
    // The warning does not stop the write: each new name is a source of its own.
    assert_eq!(wd.json(&["stats"])["claims"], 5);
}
