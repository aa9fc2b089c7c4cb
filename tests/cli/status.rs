use crate::harness::Workdir;

#[test]
fn a_verdict_needs_a_note_and_records_it() {
    let wd = Workdir::new();
    wd.add(&["x", "--claimant", "A"]);
    wd.run(&["status", "1", "in_review"]).ok();
    let run = wd
        .run(&["status", "1", "false"])
        .fails(1, &["verdict", "add --note"]);
    assert!(!run.stderr.contains("--reason"), "{run:?}");
    assert_eq!(wd.json(&["show", "1"])["status"], "in_review");
    wd.run(&[
        "--as",
        "editor",
        "status",
        "1",
        "false",
        "--note",
        "contradicted by HRW",
    ])
    .ok();
    let history = wd.json(&["history", "1"]);
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["actor"], "editor");
    assert_eq!(last["action"], "status");
    assert_eq!(last["old_value"], "in_review");
    assert_eq!(last["new_value"], "false");
    assert_eq!(last["note"], "contradicted by HRW");
}

#[test]
fn non_verdicts_need_no_note_and_the_same_status_changes_nothing() {
    let wd = Workdir::new();
    wd.add(&["x", "--claimant", "A"]);
    wd.run(&["status", "1", "disputed"]).ok();
    let run = wd.run(&["status", "1", "disputed"]).ok();
    assert!(run.stderr.contains("already disputed"), "{run:?}");
    assert_eq!(wd.history(1).len(), 2);
}

#[test]
fn a_mistyped_status_is_a_usage_error_naming_the_allowed_ones() {
    let wd = Workdir::new();
    wd.add(&["x", "--claimant", "A"]);
    wd.run(&["status", "1", "verifed"])
        .fails(2, &["possible values", "unverified", "in_review"]);
    wd.run(&["status", "2", "disputed"])
        .fails(1, &["claim 2 does not exist"]);
}
