use crate::harness::Workdir;

#[test]
fn cite_records_a_stance_with_evidence_and_history() {
    let wd = Workdir::new();
    wd.add(&["203 مسلحين", "--claimant", "Malian army"]);
    let run = wd
        .run(&[
            "cite",
            "1",
            "Human Rights Watch",
            "--disputes",
            "--quote",
            "أسوأ الفظائع",
        ])
        .ok();
    assert!(run.stderr.contains("new source"), "{run:?}");
    let claim = wd.json(&["show", "1"]);
    assert_eq!(
        claim["disputed_by"],
        serde_json::json!(["Human Rights Watch"])
    );
    assert_eq!(claim["evidence"][0]["quote"], "أسوأ الفظائع");
    assert_eq!(claim["evidence"][0]["source"], "Human Rights Watch");
    let history = wd.history(1);
    // The stance, then the evidence item that holds the quote.
    let [.., stance, evidence] = &history[..] else {
        panic!("two events for the citation: {history:?}")
    };
    assert_eq!(
        (stance["action"].as_str(), stance["field"].as_str()),
        (Some("cite"), Some("disputed_by"))
    );
    assert_eq!(stance["new_value"], "Human Rights Watch");
    assert_eq!(
        (evidence["action"].as_str(), evidence["field"].as_str()),
        (Some("cite"), Some("evidence"))
    );
    assert!(evidence["new_value"]
        .as_str()
        .unwrap()
        .contains("أسوأ الفظائع"));
    assert_eq!(
        wd.json(&["list", "--disputed"]).as_array().unwrap().len(),
        1
    );
}

#[test]
fn cite_needs_exactly_one_stance_and_refuses_the_claimant() {
    let wd = Workdir::new();
    wd.add(&["x", "--claimant", "Malian army"]);
    wd.run(&["cite", "1", "HRW"])
        .fails(2, &["--supports", "--disputes"]);
    wd.run(&["cite", "1", "HRW", "--supports", "--disputes"])
        .fails(2, &["cannot be used with"]);
    wd.run(&["cite", "1", "malian army", "--disputes"])
        .fails(1, &["own claim"]);
    wd.run(&["cite", "7", "HRW", "--disputes"])
        .fails(1, &["claim 7 does not exist"]);
    wd.run(&["cite", "1", "HRW", "--disputes", "--url", "not a url"])
        .fails(2, &["http"]);
    assert_eq!(wd.history(1).len(), 1);
}
