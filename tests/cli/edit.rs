use crate::harness::Workdir;

#[test]
fn edit_changes_only_the_named_fields_and_records_each_with_the_reason() {
    let wd = Workdir::new();
    wd.add(&[
        "نحو ألف",
        "--claimant",
        "Western estimates",
        "--value",
        "1000",
        "--unit",
        "fighters",
        "--tag",
        "wagner",
    ]);
    wd.run(&[
        "edit",
        "1",
        "--value",
        "1200",
        "--location",
        "Mali",
        "--reason",
        "later estimate",
    ])
    .ok();
    let claim = wd.json(&["show", "1"]);
    assert_eq!(
        (
            claim["figures"][0]["low"].as_f64(),
            claim["figures"][0]["unit"].as_str()
        ),
        (Some(1200.0), Some("fighters"))
    );
    assert_eq!(claim["location"], "Mali");
    let history = wd.json(&["history", "1"]);
    let edits: Vec<(String, String, String, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "edit")
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["old_value"].as_str().unwrap().to_owned(),
                e["new_value"].as_str().unwrap().to_owned(),
                e["note"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        edits,
        [
            (
                "figures".into(),
                "1000 fighters".into(),
                "1200 fighters".into(),
                "later estimate".into()
            ),
            (
                "location".into(),
                "".into(),
                "Mali".into(),
                "later estimate".into()
            ),
        ]
    );
}

#[test]
fn clear_empties_fields_and_tags_add() {
    let wd = Workdir::new();
    wd.add(&[
        "x",
        "--claimant",
        "A",
        "--value",
        "5",
        "--qualifier",
        "exact",
        "--tag",
        "a",
    ]);
    wd.run(&[
        "edit",
        "1",
        "--clear",
        "value",
        "--clear",
        "qualifier",
        "--tag",
        "b",
        "--tag",
        "c",
    ])
    .ok();
    let claim = wd.json(&["show", "1"]);
    assert_eq!(claim["figures"], serde_json::json!([]));
    assert_eq!(claim["tags"], serde_json::json!(["a", "b", "c"]));
    wd.run(&["edit", "1", "--clear", "tags", "--tag", "d"]).ok();
    assert_eq!(wd.json(&["show", "1"])["tags"], serde_json::json!(["d"]));
    wd.run(&["edit", "1", "--clear", "text"])
        .fails(1, &["not a field that can be cleared"]);
    wd.run(&["edit", "1", "--clear", "unit"]).ok();
}

#[test]
fn edit_refuses_nothing_to_do_a_verdict_without_reason_and_a_lone_qualifier() {
    let wd = Workdir::new();
    wd.add(&["x", "--claimant", "A"]);
    wd.run(&["edit", "1"]).fails(1, &["nothing to change"]);
    // `edit` names its own flag: following the advice must work.
    let run = wd
        .run(&["edit", "1", "--status", "verified"])
        .fails(1, &["needs a reason", "add --reason"]);
    assert!(!run.stderr.contains("--note"), "{run:?}");
    wd.run(&["edit", "1", "--qualifier", "approx"])
        .fails(1, &["qualifier describes a value"]);
    wd.run(&[
        "edit",
        "1",
        "--status",
        "verified",
        "--reason",
        "two sources",
    ])
    .ok();
    let run = wd.run(&["edit", "1", "--claimant", "a"]).ok();
    assert!(run.stderr.contains("nothing changed"), "{run:?}");
}

#[test]
fn changing_the_claimant_resolves_aliases() {
    let wd = Workdir::new();
    wd.run(&["source", "add", "Human Rights Watch", "--alias", "HRW"])
        .ok();
    wd.add(&["x", "--claimant", "A"]);
    wd.run(&["edit", "1", "--claimant", "hrw"]).ok();
    assert_eq!(wd.json(&["show", "1"])["claimant"], "Human Rights Watch");
}

#[test]
fn text_flags_take_values_that_begin_with_a_dash() {
    let wd = Workdir::new();
    let id = wd.add(&["-5 soldiers were seen", "--claimant", "-A", "--note", "-x"]);
    wd.run(&[
        "edit",
        &id.to_string(),
        "--status",
        "verified",
        "--reason",
        "-1 radar unit",
    ])
    .ok();
    wd.run(&[
        "status",
        &id.to_string(),
        "false",
        "--note",
        "-2 radar units",
    ])
    .ok();
    wd.run(&[
        "cite",
        &id.to_string(),
        "B",
        "--disputes",
        "--quote",
        "-- none --",
    ])
    .ok();
    let claim = wd.json(&["show", &id.to_string()]);
    assert_eq!(claim["text"], "-5 soldiers were seen");
    assert_eq!(claim["claimant"], "-A");
    assert_eq!(claim["note"], "-x");
    assert_eq!(claim["evidence"][0]["quote"], "-- none --", "{claim}");
    let history = wd.history(id);
    let notes: Vec<&str> = history.iter().filter_map(|e| e["note"].as_str()).collect();
    assert!(
        notes.contains(&"-1 radar unit") && notes.contains(&"-2 radar units"),
        "{notes:?}"
    );
}
