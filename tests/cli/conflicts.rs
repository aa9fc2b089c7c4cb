//! Conflicting figures: `conflicts`, `list --disputed`, and duplicates that are not.

use crate::harness::Workdir;

/// Moura as sources told it: the same count told four ways, and one count of something else.
fn moura(wd: &Workdir) {
    for (text, claimant, figure, extra) in [
        (
            "قتل مئات المدنيين في مورا",
            "Article",
            "مئات المدنيين",
            "--tag=moura",
        ),
        (
            "قتل عشرات المدنيين في مورا",
            "Article, later",
            "عشرات المدنيين",
            "--tag=moura",
        ),
        (
            "203 militants neutralised",
            "Malian army",
            "203 militants",
            "--tag=moura",
        ),
        (
            "More than 500 dead civilians",
            "UN report",
            ">500 المدنيين",
            "--tag=moura",
        ),
        (
            "About 290 civilians",
            "Witnesses",
            "~290 civilians",
            "--tag=elsewhere",
        ),
    ] {
        wd.add(&[text, "--claimant", claimant, "--figure", figure, extra]);
    }
}

#[test]
fn conflicts_pair_claims_that_count_the_same_thing_about_one_event() {
    let wd = Workdir::new();
    moura(&wd);
    let found = wd.json(&["conflicts"]);
    let pairs: Vec<(i64, i64, &str, &str, &str)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["a"]["id"].as_i64().unwrap(),
                c["b"]["id"].as_i64().unwrap(),
                c["a"]["figure"].as_str().unwrap(),
                c["b"]["figure"].as_str().unwrap(),
                c["why"].as_str().unwrap(),
            )
        })
        .collect();
    // 1 and 4 overlap (500-999); 3 counts militants; 5 is about another event.
    assert_eq!(
        pairs,
        [
            (1, 2, "200-999 المدنيين", "24-99 المدنيين", "tag moura"),
            (2, 4, "24-99 المدنيين", ">500 المدنيين", "tag moura"),
        ]
    );
    assert_eq!(found[0]["a"]["claimant"], "Article");
    assert_eq!(found[0]["b"]["status"], "unverified");
    let csv = wd.run(&["conflicts", "--format", "csv"]).ok().stdout;
    assert_eq!(
        csv.lines().next().unwrap(),
        "unit,a_id,a_claimant,a_figure,a_date,a_status,b_id,b_claimant,b_figure,b_date,b_status,why"
    );
    assert_eq!(csv.lines().count(), 3);
    let jsonl = wd.run(&["conflicts", "--format", "jsonl"]).ok().stdout;
    assert_eq!(jsonl.lines().count(), 2);
    // Filters choose the claims compared.
    assert_eq!(
        wd.json(&["conflicts", "--source", "UN report"]),
        serde_json::json!([])
    );
}

#[test]
fn overlapping_figures_and_other_events_are_no_conflict() {
    let wd = Workdir::new();
    for (figure, place, date) in [
        ("~300 civilians", "Moura, Mali", "2022-03"),
        ("290-320 civilians", "moura, mali", "2022-03-27"),
        (">=250 civilians", "Moura, Mali", "2022"),
        ("20 civilians", "Moura, Mali", "2023"),
        ("20 civilians", "Ségou", "2022-03"),
    ] {
        wd.add(&[
            "x",
            "--claimant",
            "A",
            "--figure",
            figure,
            "--location",
            place,
            "--date",
            date,
        ]);
    }
    assert_eq!(wd.json(&["conflicts"]), serde_json::json!([]));
    let run = wd.run(&["conflicts"]).ok();
    assert!(run.stderr.contains("no conflicting figures"), "{run:?}");
    // The same place and month, and a number outside every range: a conflict with each.
    wd.add(&[
        "y",
        "--claimant",
        "B",
        "--figure",
        "12 civilians",
        "--location",
        "Moura, Mali",
        "--date",
        "2022-03-28",
    ]);
    let found = wd.json(&["conflicts"]);
    let ids: Vec<(i64, i64)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["a"]["id"].as_i64().unwrap(),
                c["b"]["id"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(ids, [(1, 6), (3, 6)]);
    assert_eq!(found[0]["why"], "location Moura, Mali, 2022-03");
}

#[test]
fn list_disputed_includes_conflicts_and_says_why() {
    let wd = Workdir::new();
    moura(&wd);
    wd.add(&[
        "disputed by a source",
        "--claimant",
        "A",
        "--disputed-by",
        "B",
    ]);
    let listed = wd.json(&["list", "--disputed"]);
    let why: Vec<(i64, &str)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_i64().unwrap(), c["why"].as_str().unwrap()))
        .collect();
    assert_eq!(
        why,
        [
            (
                1,
                "figures conflict with claim 2: 200-999 المدنيين against 24-99 المدنيين (tag moura)"
            ),
            (
                2,
                "figures conflict with claim 1: 24-99 المدنيين against 200-999 المدنيين (tag \
                 moura); figures conflict with claim 4: 24-99 المدنيين against >500 المدنيين \
                 (tag moura)"
            ),
            (
                4,
                "figures conflict with claim 2: >500 المدنيين against 24-99 المدنيين (tag moura)"
            ),
            (6, "disputed by B"),
        ]
    );
    let csv = wd
        .run(&["list", "--disputed", "--format", "csv"])
        .ok()
        .stdout;
    assert!(csv.lines().next().unwrap().ends_with(",why"));
    // The CSV imports back: the why column is an explanation, not data.
    let file = wd.write("disputed.csv", &csv);
    let other = Workdir::new();
    other.run(&["import", file.to_str().unwrap()]).ok();
    assert_eq!(other.json(&["list"]).as_array().unwrap().len(), 4);
    assert_eq!(
        wd.run(&["export", "--disputed"])
            .ok()
            .stdout
            .lines()
            .count(),
        5,
        "export --disputed selects the same claims"
    );
}

#[test]
fn list_filters_by_a_figures_unit_and_range() {
    let wd = Workdir::new();
    wd.add(&[
        "a",
        "--claimant",
        "A",
        "--figure",
        "~200 soldiers",
        "--figure",
        "9 police officers",
    ]);
    wd.add(&["b", "--claimant", "A", "--figure", "1000 Soldiers"]);
    wd.add(&["c", "--claimant", "A", "--figure", "200-999 civilians"]);
    wd.add(&["d", "--claimant", "A"]);
    let ids = |args: &[&str]| -> Vec<i64> {
        let mut all = vec!["list"];
        all.extend_from_slice(args);
        wd.json(&all)
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids(&["--unit", "soldiers"]), [1, 2]);
    assert_eq!(ids(&["--unit", "SOLDIERS", "--max", "500"]), [1]);
    assert_eq!(ids(&["--unit", "soldiers", "--min", "500"]), [2]);
    assert_eq!(
        ids(&["--min", "900", "--max", "950"]),
        [3],
        "a range reaches in"
    );
    assert_eq!(
        ids(&["--unit", "police officers", "--min", "10"]),
        Vec::<i64>::new()
    );
    assert_eq!(ids(&["--min", "5"]), [1, 2, 3]);
}

#[test]
fn a_conflict_of_figures_is_never_offered_as_a_merge() {
    let wd = Workdir::new();
    wd.add(&["5 civilians killed in Xanadu", "--claimant", "A"]);
    let run = wd
        .run(&["add", "50 civilians killed in Xanadu", "--claimant", "B"])
        .ok();
    assert!(
        run.stderr
            .contains("figures conflict (50 civilians against 5 civilians)"),
        "{run:?}"
    );
    assert!(!run.stderr.contains("merge"), "{run:?}");
    let similar = wd.json(&["similar", "2"]);
    assert_eq!(similar[0]["id"], 1);
    assert_eq!(similar[0]["conflict"], "50 civilians against 5 civilians");
    let run = wd.run(&["similar", "2"]).ok();
    assert!(run.stderr.contains("not a duplicate to merge"), "{run:?}");
    // The same words and the same figure: a duplicate, and merge is proposed.
    let run = wd
        .run(&[
            "add",
            "5 civilians were killed in Xanadu",
            "--claimant",
            "C",
        ])
        .ok();
    assert!(run.stderr.contains("claimdb merge 1 3"), "{run:?}");
    let file = wd.write(
        "new.csv",
        "text,claimant\n500 civilians killed in Xanadu,D\n",
    );
    let run = wd
        .run(&["import", "--dry-run", file.to_str().unwrap()])
        .ok();
    assert!(
        run.stderr
            .contains("but their figures conflict (500 civilians against 5 civilians)"),
        "{run:?}"
    );
    assert!(run.stderr.contains("conflict(s) of figures"), "{run:?}");
}
