use crate::harness::Workdir;

fn ids_of(value: &serde_json::Value) -> Vec<i64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

/// Claim 1 (kept) and claim 2 (its duplicate from another source, with more detail), and
/// claim 3, unrelated.
fn two_reports() -> Workdir {
    let wd = Workdir::new();
    wd.add(&[
        "تكبَّدت القوات الروسية خسائر في مالي",
        "--claimant",
        "AFP",
        "--tag",
        "losses",
        "--supported-by",
        "CSIS",
    ]);
    wd.add(&[
        "القوات الروسيه تكبدت خسائر في مالي",
        "--claimant",
        "Human Rights Watch",
        "--tag",
        "wagner",
        "--location",
        "Mali",
        "--note",
        "from the HRW report",
        "--supported-by",
        "CSIS",
        "--disputed-by",
        "Malian army",
    ]);
    wd.add(&["شيء آخر", "--claimant", "AFP"]);
    wd
}

#[test]
fn merge_moves_stances_tags_and_missing_fields_to_the_kept_claim() {
    let wd = two_reports();
    let run = wd
        .run(&["merge", "1", "2", "--note", "same HRW figure"])
        .ok();
    assert_eq!(run.stdout.trim(), "1");
    let kept = wd.json(&["show", "1"]);
    assert_eq!(kept["text"], "تكبَّدت القوات الروسية خسائر في مالي");
    assert_eq!(kept["claimant"], "AFP");
    assert_eq!(kept["tags"], serde_json::json!(["losses", "wagner"]));
    assert_eq!(kept["location"], "Mali");
    assert_eq!(kept["note"], "from the HRW report");
    // CSIS supported both (kept once); the duplicate's claimant now supports the kept claim.
    assert_eq!(
        kept["supported_by"],
        serde_json::json!(["CSIS", "Human Rights Watch"])
    );
    assert_eq!(kept["disputed_by"], serde_json::json!(["Malian army"]));
    let sources = wd.json(&["source", "show", "CSIS"]);
    let csis = if sources.is_array() {
        sources[0].clone()
    } else {
        sources
    };
    assert_eq!(csis["supports"], 1, "{csis}");
}

#[test]
fn the_duplicate_is_hidden_everywhere_but_keeps_its_history() {
    let wd = two_reports();
    wd.run(&["merge", "1", "2"]).ok();
    assert_eq!(ids_of(&wd.json(&["list"])), [1, 3]);
    let csv = wd.export();
    let exported: Vec<&str> = csv.lines().skip(1).map(|l| &l[..2]).collect();
    assert_eq!(exported, ["1,", "3,"]);
    // The dump keeps the duplicate, marked merged, for its history.
    let dump = wd.json(&["export"]);
    assert_eq!(ids_of(&dump["claims"]), [1, 2, 3]);
    assert_eq!(dump["merges"][0]["dup_id"], 2);
    assert_eq!(wd.json(&["stats"])["claims"], 2);
    assert_eq!(ids_of(&wd.json(&["search", "خسائر"])), [1]);
    assert_eq!(ids_of(&wd.json(&["list", "--tag", "wagner"])), [1]);
    // Its own history is intact and ends with the merge.
    let history = wd.json(&["history", "2"]);
    let last = history.as_array().unwrap().last().unwrap();
    assert_eq!(last["action"], "merge");
    assert!(last["note"]
        .as_str()
        .unwrap()
        .contains("merged into claim 1"));
    // The kept claim's history shows both, in order, each row naming its claim.
    let history = wd.json(&["history", "1"]);
    let events: Vec<(i64, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["claim_id"].as_i64().unwrap(),
                e["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(events.contains(&(2, "create".to_owned())), "{events:?}");
    assert!(events.contains(&(1, "merge".to_owned())), "{events:?}");
    let merge_fields: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "merge" && e["claim_id"] == 1)
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(
        merge_fields,
        ["location", "tags", "note", "supported_by", "disputed_by"]
    );
    // Changes go to the kept claim.
    wd.run(&["edit", "2", "--note", "x"])
        .fails(1, &["claim 2 was merged into claim 1"]);
    wd.run(&["cite", "2", "AFP", "--supports"])
        .fails(1, &["merged into claim 1"]);
}

#[test]
fn reimporting_the_duplicate_uid_updates_the_kept_claim() {
    let wd = two_reports();
    let dup_uid = wd.json(&["show", "2"])["uid"].as_str().unwrap().to_owned();
    let old_export = wd.write("old.csv", wd.export());
    wd.run(&["merge", "1", "2"]).ok();
    let file = wd.write(
        "again.csv",
        format!(
            "uid,text,claimant,status,tags,supported_by,claim_date\n\
             {dup_uid},القوات الروسيه تكبدت خسائر في مالي,Human Rights Watch,in_review,wagner;new,Reuters,2022-03\n"
        ),
    );
    wd.run(&["import", file.to_str().unwrap()]).ok();
    // Folded in as by merge: tags joined, missing fields filled, new sources cited; the kept
    // claim's own text, claimant and status stay.
    let kept = wd.json(&["show", "1"]);
    assert_eq!(kept["status"], "unverified");
    assert_eq!(kept["claimant"], "AFP");
    assert_eq!(kept["text"], "تكبَّدت القوات الروسية خسائر في مالي");
    assert_eq!(kept["tags"], serde_json::json!(["losses", "new", "wagner"]));
    assert_eq!(kept["claim_date"], "2022-03");
    assert_eq!(
        kept["supported_by"],
        serde_json::json!(["CSIS", "Human Rights Watch", "Reuters"])
    );
    let history = wd.json(&["history", "1"]);
    let last = history.as_array().unwrap().last().unwrap();
    assert!(
        last["note"]
            .as_str()
            .unwrap()
            .contains(&format!("uid {dup_uid} was merged")),
        "{last}"
    );
    assert_eq!(ids_of(&wd.json(&["list"])), [1, 3]);
    // An old export that still holds the duplicate adds nothing back.
    wd.run(&["import", old_export.to_str().unwrap()]).ok();
    assert_eq!(ids_of(&wd.json(&["list"])), [1, 3]);
}

#[test]
fn merged_chains_follow_the_last_kept_claim() {
    let wd = two_reports();
    wd.run(&["merge", "1", "2"]).ok();
    wd.run(&["merge", "3", "1"]).ok();
    let history = wd.json(&["history", "3"]);
    let claims: std::collections::BTreeSet<i64> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["claim_id"].as_i64().unwrap())
        .collect();
    assert_eq!(claims.into_iter().collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(ids_of(&wd.json(&["list"])), [3]);
}

#[test]
fn merge_refuses_what_cannot_be_merged() {
    let wd = two_reports();
    wd.run(&["merge", "1", "1"]).fails(1, &["into itself"]);
    wd.run(&["merge", "1", "9"])
        .fails(1, &["claim 9 does not exist"]);
    let before = wd.export();
    wd.run(&["merge", "9", "1"])
        .fails(1, &["claim 9 does not exist"]);
    assert_eq!(wd.export(), before);
    wd.run(&["merge", "1", "2"]).ok();
    wd.run(&["merge", "1", "2"])
        .fails(1, &["already merged into claim 1"]);
    wd.run(&["merge", "2", "3"])
        .fails(1, &["already merged into claim 1"]);
}
