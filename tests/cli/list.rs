use crate::harness::Workdir;

fn ids(wd: &Workdir, args: &[&str]) -> Vec<i64> {
    let mut all = vec!["list", "--format", "json"];
    all.extend_from_slice(args);
    let json = wd.run(&all).ok().json();
    json.as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

fn setup() -> Workdir {
    let wd = Workdir::new();
    wd.run(&[
        "source",
        "add",
        "US State Department",
        "--kind",
        "government",
        "--alias",
        "State Dept",
    ])
    .ok();
    wd.add(&[
        "a",
        "--claimant",
        "Malian army",
        "--status",
        "disputed",
        "--tag",
        "moura",
    ]); // 1
    wd.add(&["b", "--claimant", "State Dept", "--tag", "money"]); // 2
    wd.add(&[
        "c",
        "--claimant",
        "CSIS",
        "--disputed-by",
        "US State Department",
    ]); // 3
    wd.add(&["d", "--claimant", "CSIS", "--status", "in_review"]); // 4
    wd.add(&[
        "e",
        "--claimant",
        "HRW",
        "--status",
        "verified",
        "--disputed-by",
        "Malian army",
    ]); // 5
    wd
}

#[test]
fn list_filters_by_status_source_tag_and_limit() {
    let wd = setup();
    assert_eq!(ids(&wd, &[]), [1, 2, 3, 4, 5]);
    assert_eq!(ids(&wd, &["--status", "disputed"]), [1]);
    assert_eq!(
        ids(&wd, &["--status", "in_review", "--status", "verified"]),
        [4, 5]
    );
    assert_eq!(ids(&wd, &["--status", "in_review,verified"]), [4, 5]);
    assert_eq!(ids(&wd, &["--source", "state dept"]), [2, 3]);
    assert_eq!(ids(&wd, &["--source", "Malian army"]), [1, 5]);
    assert_eq!(ids(&wd, &["--tag", "money"]), [2]);
    assert_eq!(ids(&wd, &["--limit", "2"]), [1, 2]);
    assert_eq!(
        ids(&wd, &["--source", "CSIS", "--status", "in_review"]),
        [4]
    );
    let run = wd.run(&["list", "--source", "Nobody", "--format", "csv"]);
    let run = run.fails(1, &["source \"Nobody\" does not exist"]);
    assert_eq!(run.stdout, "", "nothing is printed before the error");
    let run = wd
        .run(&["export", "--source", "Nobody"])
        .fails(1, &["does not exist"]);
    assert_eq!(run.stdout, "");
}

#[test]
fn disputed_shows_conflicts_before_a_verdict() {
    let wd = setup();
    assert_eq!(ids(&wd, &["--disputed"]), [1, 3]);
    assert_eq!(ids(&wd, &["--disputed", "--source", "CSIS"]), [3]);
}

#[test]
fn every_format_carries_the_same_claims() {
    let wd = setup();
    let csv = wd
        .run(&["list", "--format", "csv", "--tag", "money"])
        .ok()
        .stdout;
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("id,uid,text,translation,claimant,supported_by"));
    assert!(lines.next().unwrap().starts_with("2,"));
    assert_eq!(lines.next(), None);
    let jsonl = wd.run(&["list", "--format", "jsonl"]).ok().stdout;
    assert_eq!(jsonl.lines().count(), 5);
    for line in jsonl.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }
    let table = wd.run(&["list"]).ok().stdout;
    assert!(
        table.contains("US State Department") && !table.contains('\u{1b}'),
        "{table}"
    );
    let empty = wd.run(&["list", "--tag", "none"]).ok();
    assert_eq!(empty.stdout, "");
    assert!(empty.stderr.contains("no claims match"));
    assert_eq!(wd.json(&["list", "--tag", "none"]), serde_json::json!([]));
}

#[test]
fn the_seed_lists_its_disputed_claims() {
    let wd = Workdir::new();
    wd.import_seed();
    let disputed = wd.json(&["list", "--disputed"]);
    let listed: Vec<(&str, &str)> = disputed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["text"].as_str().unwrap(), c["why"].as_str().unwrap()))
        .collect();
    // The article contradicts itself on Moura: "hundreds" of civilians, then "dozens". No source
    // in it disputes another in words, so the conflict of figures is what the editor sees.
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(
        listed.iter().any(|(t, _)| t.contains("مئات مدنيين")),
        "{listed:?}"
    );
    assert!(
        listed.iter().any(|(t, _)| t.contains("عشرات المدنيين")),
        "{listed:?}"
    );
    assert!(
        listed
            .iter()
            .all(|(_, why)| why.contains("figures conflict")),
        "{listed:?}"
    );
}

#[test]
fn a_huge_table_or_search_holds_no_more_memory_than_a_streamed_csv() {
    let wd = Workdir::new();
    // 3,000 claims of 4 KB each: 12 MB of text, which a table that waits for every row holds.
    let mut csv = String::from("text,claimant\n");
    for i in 0..3000 {
        csv.push_str(&format!(
            "claim {i} match {},Source {}\n",
            "x".repeat(4000),
            i % 50
        ));
    }
    let file = wd.write("big.csv", csv);
    wd.run(&["import", "-q", file.to_str().unwrap()]).ok();
    let (code, streamed) = wd.peak_memory(&["list", "--format", "csv"]);
    assert_eq!(code, 0);
    // A pipe gets whole cells: nothing is cut to fit.
    for args in [
        &["list"][..],
        &["list", "--wide"],
        &["search", "match", "--limit", "100000"],
        &["search", "match", "--limit", "100000", "--format", "json"],
        &["search", "match", "--limit", "100000", "--format", "csv"],
    ] {
        let (code, peak) = wd.peak_memory(args);
        assert_eq!(code, 0, "{args:?}");
        assert!(
            peak <= streamed + 4096,
            "{args:?} peaked at {peak} KiB, the streamed CSV list at {streamed} KiB"
        );
    }
    // Every claim is there, a page at a time, each page with its header.
    let table = wd.run(&["list"]).ok().stdout;
    assert_eq!(table.matches(" match xxx").count(), 3000);
    assert!(
        table.matches("│ id ").count() > 1,
        "pages repeat the header"
    );
}
