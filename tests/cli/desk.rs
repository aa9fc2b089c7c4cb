//! The editor's desk: assignment, archive, the review gate, activity, and the editor's views.

use crate::harness::{Run, Workdir};

fn ids(run: &Run) -> Vec<i64> {
    run.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

fn list(wd: &Workdir, args: &[&str]) -> Vec<i64> {
    let mut all = vec!["list"];
    all.extend_from_slice(args);
    all.extend(["--format", "json"]);
    ids(&wd.run(&all).ok())
}

fn three_claims() -> Workdir {
    let wd = Workdir::new();
    wd.add(&["نحو ألف من مقاتلي فاجنر", "--claimant", "Western estimates"]);
    wd.add(&["500 civilians killed in Moura", "--claimant", "HRW"]);
    wd.add(&["The army will win by spring", "--claimant", "Minister"]);
    wd
}

/// Runs as `who` (the person making the change), with the review gate on when `gate`.
fn run_as(wd: &Workdir, who: &str, gate: bool, args: &[&str]) -> Run {
    let mut all = vec!["--as", who];
    all.extend_from_slice(args);
    let mut cmd = wd.command(&all);
    let config = wd.write("config.toml", format!("review_gate = {gate}\n"));
    cmd.env("CLAIMDB_CONFIG", config);
    wd.run_command(cmd, args)
}

#[test]
fn assignment_filters_lists_and_is_recorded_in_history() {
    let wd = three_claims();
    run_as(&wd, "editor", false, &["assign", "1", "amal"]).ok();
    run_as(&wd, "editor", false, &["assign", "2", "omar"]).ok();
    assert_eq!(list(&wd, &["--assignee", "amal"]), [1]);
    assert_eq!(list(&wd, &["--unassigned"]), [3]);
    let mine = run_as(&wd, "omar", false, &["list", "--mine", "--format", "json"]).ok();
    assert_eq!(ids(&mine), [2]);
    assert_eq!(wd.json(&["show", "1"])["assignee"], "amal");
    // Assigning again to the same person changes nothing and records nothing.
    let again = run_as(&wd, "editor", false, &["assign", "1", "amal"]).ok();
    assert!(again.stderr.contains("already assigned"), "{again:?}");
    run_as(&wd, "editor", false, &["unassign", "1"]).ok();
    assert_eq!(list(&wd, &["--unassigned"]), [1, 3]);
    assert!(wd.json(&["show", "1"])["assignee"].is_null());
    let events: Vec<(String, String, String, String)> = wd
        .history(1)
        .iter()
        .filter(|e| e["action"] == "assign")
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            (s("actor"), s("field"), s("old_value"), s("new_value"))
        })
        .collect();
    assert_eq!(
        events,
        [
            ("editor".into(), "assignee".into(), "".into(), "amal".into()),
            ("editor".into(), "assignee".into(), "amal".into(), "".into()),
        ]
    );
    // Each change is a new version of the claim.
    assert_eq!(wd.json(&["show", "1"])["version"], 3);
    wd.run(&["assign", "9", "amal"])
        .fails(1, &["claim 9 does not exist"]);
    wd.run(&["audit"]).ok();
}

#[test]
fn archived_claims_leave_lists_and_exports_and_come_back_with_a_reason() {
    let wd = three_claims();
    let before = wd.export();
    wd.run(&["archive", "3", "--kind", "opinion"])
        .fails(2, &["--note"]);
    wd.run(&["archive", "3", "--kind", "opinion", "--note", " "])
        .fails(1, &["--note must say why"]);
    wd.run(&[
        "archive",
        "3",
        "--kind",
        "opinion",
        "--note",
        "A forecast, not a claim of fact",
    ])
    .ok();
    assert_eq!(list(&wd, &[]), [1, 2]);
    assert_eq!(list(&wd, &["--archived"]), [3]);
    let exported = wd.export();
    assert!(!exported.contains("The army will win"), "{exported}");
    assert!(wd
        .run(&["export", "--archived"])
        .ok()
        .stdout
        .contains("The army will win"));
    // Not a verdict: the status stays, and the reason is kept.
    let shown = wd.json(&["show", "3"]);
    assert_eq!(
        (&shown["status"], &shown["archived"], &shown["archive_note"]),
        (
            &serde_json::json!("unverified"),
            &serde_json::json!("opinion"),
            &serde_json::json!("A forecast, not a claim of fact")
        )
    );
    wd.run(&["unarchive", "3"]).fails(2, &["--note"]);
    wd.run(&["unarchive", "3", "--note", "Repeated as fact"])
        .ok();
    assert_eq!(list(&wd, &[]), [1, 2, 3]);
    let archive_events: Vec<(String, String, String)> = wd
        .history(3)
        .iter()
        .filter(|e| e["action"] == "archive")
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            (s("old_value"), s("new_value"), s("note"))
        })
        .collect();
    assert_eq!(
        archive_events,
        [
            (
                "".into(),
                "opinion".into(),
                "A forecast, not a claim of fact".into()
            ),
            ("opinion".into(), "".into(), "Repeated as fact".into()),
        ]
    );
    // Only the version and update stamp of claim 3 differ from before.
    let strip = |csv: &str| -> Vec<String> {
        csv.lines()
            .map(|l| l.split(',').take(17).collect::<Vec<_>>().join(","))
            .collect()
    };
    assert_eq!(strip(&wd.export()), strip(&before));
    wd.run(&["archive", "3", "--kind", "verdict", "--note", "x"])
        .fails(2, &["not_check_worthy"]);
}

#[test]
fn a_merged_claim_shows_where_it_went_and_is_never_listed_as_live() {
    let wd = three_claims();
    wd.add(&["نحو ألف مقاتل من فاجنر", "--claimant", "AFP"]);
    wd.run(&["merge", "1", "4", "--note", "same figure"]).ok();
    let shown = wd.run(&["show", "4"]).ok();
    assert!(
        shown.stderr.contains("merged into claim 1") && shown.stdout.contains("merged into"),
        "{shown:?}"
    );
    assert_eq!(wd.json(&["show", "4"])["merged_into"], 1);
    assert!(wd.json(&["show", "1"])["merged_into"].is_null());
    for filter in [
        &[][..],
        &["--unassigned"],
        &["--sort", "age"],
        &["--since", "1d"],
    ] {
        assert!(!list(&wd, filter).contains(&4), "{filter:?}");
    }
    wd.run(&["assign", "4", "amal"])
        .fails(1, &["merged into claim 1"]);
    wd.run(&["archive", "4", "--note", "x"])
        .fails(1, &["merged into claim 1"]);
}

#[test]
fn the_review_gate_proposes_and_a_second_person_approves_or_returns() {
    let wd = three_claims();
    // The proposal needs a reason, like any verdict.
    run_as(&wd, "amal", true, &["status", "2", "false"]).fails(1, &["--note"]);
    run_as(
        &wd,
        "amal",
        true,
        &["status", "2", "false", "--note", "HRW counted 500"],
    )
    .ok();
    let shown = wd.json(&["show", "2"]);
    assert_eq!(shown["status"], "unverified");
    assert_eq!(
        (&shown["proposed_status"], &shown["proposed_by"]),
        (&serde_json::json!("false"), &serde_json::json!("amal"))
    );
    // Nor can `edit` slip a verdict past the gate.
    run_as(
        &wd,
        "amal",
        true,
        &["edit", "2", "--status", "false", "--reason", "x"],
    )
    .fails(1, &["review gate"]);
    // The proposer cannot approve their own verdict, and nothing changes.
    run_as(&wd, "amal", true, &["approve", "2"]).fails(1, &["cannot approve their own"]);
    assert_eq!(wd.json(&["show", "2"])["status"], "unverified");
    run_as(&wd, "omar", true, &["approve", "2"]).ok();
    let shown = wd.json(&["show", "2"]);
    assert_eq!(shown["status"], "false");
    assert!(shown["proposed_status"].is_null());
    let last = wd.history(2).last().cloned().unwrap();
    assert_eq!(
        (&last["action"], &last["actor"], &last["new_value"]),
        (
            &serde_json::json!("approve"),
            &serde_json::json!("omar"),
            &serde_json::json!("false")
        )
    );
    assert!(last["note"].as_str().unwrap().contains("HRW counted 500"));
    // Nothing left to approve.
    run_as(&wd, "omar", true, &["approve", "2"]).fails(1, &["no proposed verdict"]);

    // Returned: the status stays, the reason is recorded.
    run_as(
        &wd,
        "amal",
        true,
        &["status", "1", "verified", "--note", "Two sources"],
    )
    .ok();
    run_as(&wd, "omar", true, &["return", "1"]).fails(2, &["--note"]);
    run_as(
        &wd,
        "omar",
        true,
        &["return", "1", "--note", "The sources are the same report"],
    )
    .ok();
    let shown = wd.json(&["show", "1"]);
    assert_eq!(shown["status"], "unverified");
    assert!(shown["proposed_status"].is_null());
    let last = wd.history(1).last().cloned().unwrap();
    assert_eq!(
        (&last["action"], &last["old_value"], &last["note"]),
        (
            &serde_json::json!("return"),
            &serde_json::json!("verified"),
            &serde_json::json!("The sources are the same report")
        )
    );
    run_as(&wd, "omar", true, &["approve", "1"]).fails(1, &["no proposed verdict"]);
    // With the gate off, a verdict is set at once.
    run_as(&wd, "amal", false, &["status", "3", "false", "--note", "x"]).ok();
    assert_eq!(wd.json(&["show", "3"])["status"], "false");
    wd.run(&["audit"]).ok();
}

#[test]
fn withdrawing_a_verdict_needs_a_reason() {
    let wd = three_claims();
    wd.run(&["status", "1", "false", "--note", "HRW"]).ok();
    let before = wd.export();
    wd.run(&["status", "1", "in_review"])
        .fails(1, &["withdrawing", "--note"]);
    wd.run(&["edit", "1", "--status", "unverified"])
        .fails(1, &["withdrawing", "--reason"]);
    assert_eq!(wd.export(), before);
    wd.run(&["status", "1", "in_review", "--note", "New footage"])
        .ok();
    assert_eq!(wd.json(&["show", "1"])["status"], "in_review");
    // One verdict for another is not a withdrawal, but still needs its reason.
    wd.run(&["status", "2", "false", "--note", "a"]).ok();
    wd.run(&["status", "2", "misleading", "--note", "b"]).ok();
}

#[test]
fn activity_counts_per_person_and_action_within_the_period() {
    let wd = three_claims();
    run_as(&wd, "amal", false, &["assign", "1", "amal"]).ok();
    run_as(&wd, "amal", false, &["status", "1", "in_review"]).ok();
    run_as(&wd, "omar", false, &["status", "2", "false", "--note", "x"]).ok();
    run_as(&wd, "omar", false, &["edit", "2", "--tag", "moura"]).ok();
    let rows = wd
        .run(&["activity", "--since", "today", "--format", "csv"])
        .ok()
        .stdout;
    assert_eq!(
        rows,
        "actor,action,events\n\
         amal,assign,1\namal,status,1\nomar,edit,1\nomar,status,1\ntester,create,3\n\
         amal,all,2\nomar,all,2\ntester,all,3\n\
         all,assign,1\nall,create,3\nall,edit,1\nall,status,2\nall,all,7\n"
    );
    let omar = wd.json(&["activity", "--by", "omar"]);
    let total = omar
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["actor"] == "all" && r["action"] == "all")
        .unwrap()
        .clone();
    assert_eq!(total["events"], 2);
    let events = wd.json(&["activity", "--by", "amal", "--events"]);
    let claims: Vec<i64> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["claim_id"].as_i64().unwrap())
        .collect();
    assert_eq!(claims, [1, 1]);
    // Nothing before the claims existed, nothing in the future.
    let empty = wd
        .run(&["activity", "--until", "2020-01-01", "--format", "csv"])
        .ok()
        .stdout;
    assert_eq!(empty, "actor,action,events\nall,all,0\n");
    wd.run(&["activity", "--since", "someday"])
        .fails(2, &["someday", "3d", "monday"]);
}

#[test]
fn sort_and_age_filters_order_and_select_by_time() {
    let wd = three_claims();
    // Claim 1 changes last, so it is the latest updated and the youngest by age.
    wd.run(&["edit", "3", "--note", "n"]).ok();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    wd.run(&["edit", "1", "--note", "n"]).ok();
    assert_eq!(list(&wd, &["--sort", "updated"])[0], 1);
    assert_eq!(*list(&wd, &["--sort", "age"]).last().unwrap(), 1);
    assert_eq!(list(&wd, &["--sort", "created"]), [3, 2, 1]);
    assert_eq!(list(&wd, &["--since", "today"]), [1, 2, 3]);
    assert_eq!(
        list(&wd, &["--since", "2020-01-01", "--until", "yesterday"]),
        [] as [i64; 0]
    );
    assert_eq!(list(&wd, &["--older-than", "3d"]), [] as [i64; 0]);
    assert_eq!(list(&wd, &["--older-than", "0m"]).len(), 3);
    assert_eq!(list(&wd, &["--until", "today"]), [1, 2, 3]);
    wd.run(&["list", "--older-than", "three days"])
        .fails(2, &["3d"]);
}

/// The ids `search` finds, in id order (its own order is by score).
fn search(wd: &Workdir, args: &[&str]) -> Vec<i64> {
    let mut all = vec!["search"];
    all.extend_from_slice(args);
    all.extend(["--format", "json"]);
    let mut found = ids(&wd.run(&all).ok());
    found.sort_unstable();
    found
}

#[test]
fn stats_leave_archived_claims_out_until_they_come_back() {
    let wd = three_claims();
    wd.run(&["cite", "--disputes", "2", "Army"]).ok();
    wd.run(&["status", "3", "in_review"]).ok();
    let stats = |wd: &Workdir| {
        let s = wd.json(&["stats"]);
        (
            s["claims"].as_i64().unwrap(),
            s["disputed"].as_i64().unwrap(),
            s["by_status"].clone(),
            s["by_claimant"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["claimant"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>(),
        )
    };
    let before = stats(&wd);
    assert_eq!((before.0, before.1), (3, 1), "{before:?}");
    wd.run(&["archive", "2", "--kind", "mistake", "--note", "Typed twice"])
        .ok();
    wd.run(&["archive", "3", "--kind", "opinion", "--note", "A forecast"])
        .ok();
    let archived = stats(&wd);
    assert_eq!((archived.0, archived.1), (1, 0), "{archived:?}");
    assert_eq!(archived.2, serde_json::json!({"unverified": 1}));
    assert_eq!(archived.3, ["Western estimates"]);
    // A verdict given while archived is counted under it once the claim is back.
    wd.run(&["status", "3", "unverifiable", "--note", "A forecast"])
        .ok();
    assert_eq!(stats(&wd).0, 1);
    wd.run(&["unarchive", "2", "--note", "Not a duplicate after all"])
        .ok();
    wd.run(&["unarchive", "3", "--note", "Repeated as fact"])
        .ok();
    let back = stats(&wd);
    assert_eq!((back.0, back.1), (3, 1), "{back:?}");
    assert_eq!(
        back.2,
        serde_json::json!({"unverified": 2, "unverifiable": 1})
    );
    assert_eq!(back.3.len(), 3, "{back:?}");
}

#[test]
fn an_archived_claim_merged_away_later_leaves_stats_once() {
    let wd = three_claims();
    wd.add(&["نحو ألف مقاتل من فاجنر", "--claimant", "AFP"]);
    wd.run(&["archive", "4", "--kind", "mistake", "--note", "Typed twice"])
        .ok();
    assert_eq!(wd.json(&["stats"])["claims"], 3);
    wd.run(&["merge", "1", "4", "--note", "same figure"]).ok();
    assert_eq!(wd.json(&["stats"])["claims"], 3);
}

#[test]
fn search_leaves_archived_claims_out_unless_asked_for_them() {
    let wd = three_claims();
    wd.add(&["Moura: 500 dead, says the army", "--claimant", "Army"]);
    // Words alone, words with a number, and a number alone take different paths.
    for query in ["Moura", "Moura 500", "500"] {
        assert_eq!(search(&wd, &[query]), [2, 4], "{query}");
        assert!(search(&wd, &[query, "--archived"]).is_empty(), "{query}");
    }
    wd.run(&["archive", "2", "--kind", "mistake", "--note", "Typed twice"])
        .ok();
    for query in ["Moura", "Moura 500", "500"] {
        assert_eq!(search(&wd, &[query]), [4], "{query}");
        assert_eq!(search(&wd, &[query, "--archived"]), [2], "{query}");
    }
    wd.run(&["unarchive", "2", "--note", "Not a duplicate after all"])
        .ok();
    assert_eq!(search(&wd, &["Moura"]), [2, 4]);
}

#[test]
fn an_archived_claim_is_never_proposed_as_a_duplicate() {
    let wd = three_claims();
    let again = wd.add(&["500 civilians were killed in Moura", "--claimant", "AFP"]);
    let similar = |wd: &Workdir| {
        ids(&wd
            .run(&["similar", &again.to_string(), "--format", "json"])
            .ok())
    };
    assert_eq!(similar(&wd), [2]);
    wd.run(&["archive", "2", "--kind", "mistake", "--note", "Typed twice"])
        .ok();
    assert!(similar(&wd).is_empty());
    let added = wd
        .run(&["add", "500 civilians killed in Moura", "--claimant", "UN"])
        .ok();
    assert!(!added.stderr.contains("looks like claim 2"), "{added:?}");
    assert!(added.stderr.contains("looks like claim 4"), "{added:?}");
    wd.run(&["unarchive", "2", "--note", "Not a duplicate after all"])
        .ok();
    assert_eq!(similar(&wd), [2, 5]);
}
