//! `claimdb ratings map|list`, and how the map decides imported claims' statuses.

use crate::harness::Workdir;

fn entries(wd: &Workdir) -> Vec<serde_json::Value> {
    wd.json(&["ratings", "list"]).as_array().unwrap().clone()
}

#[test]
fn the_built_in_map_covers_english_and_arabic_labels() {
    let wd = Workdir::new();
    let all = entries(&wd);
    let status_of = |key: &str| {
        all.iter()
            .find(|e| e["rating"] == key)
            .unwrap_or_else(|| panic!("{key} is not built in"))["status"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    for (key, status) in [
        ("false", "false"),
        ("fake", "false"),
        ("misleading", "misleading"),
        ("mostly false", "misleading"),
        ("half true", "misleading"),
        ("true", "verified"),
        ("unproven", "unverifiable"),
        ("satire", "misleading"),
        ("خطأ", "false"),
        ("زائف", "false"),
        ("كاذب", "false"),
        ("مضلل", "misleading"),
        ("ملفق", "false"),
        ("صحيح", "verified"),
        ("غير دقيق", "misleading"),
        ("عنوان مضلل", "misleading"),
    ] {
        assert_eq!(status_of(key), status, "{key}");
    }
    assert!(all.iter().all(|e| e["origin"] == "built_in"));
    let csv = wd.run(&["ratings", "list", "--format", "csv"]).ok().stdout;
    assert!(csv.starts_with("rating,status,origin,key\n"), "{csv}");
    assert!(csv.contains("مضلل,misleading,built-in,مضلل\n"), "{csv}");
    assert!(csv.contains("خطأ,false,built-in,خطا\n"), "{csv}");
}

#[test]
fn a_user_entry_is_added_marked_and_wins_over_a_built_in_one() {
    let wd = Workdir::new();
    let run = wd.run(&["ratings", "map", "توضيح", "misleading"]).ok();
    assert!(run.stderr.contains("now means misleading"), "{run:?}");
    let run = wd.run(&["ratings", "map", "Satire", "unverifiable"]).ok();
    assert!(run.stderr.contains("now means unverifiable"), "{run:?}");
    let run = wd.run(&["ratings", "map", " SATIRE ", "unverifiable"]).ok();
    assert!(run.stderr.contains("already meant unverifiable"), "{run:?}");
    let run = wd.run(&["ratings", "map", "توضيح", "false"]).ok();
    assert!(run.stderr.contains("(was misleading)"), "{run:?}");
    let all = entries(&wd);
    let satire = all.iter().find(|e| e["key"] == "satire").unwrap();
    assert_eq!(satire["origin"], "user");
    assert_eq!(satire["overrides"], "misleading");
    assert_eq!(satire["status"], "unverifiable");
    let table = wd.run(&["ratings", "list"]).ok().stdout;
    assert!(table.contains("user (built-in: misleading)"), "{table}");
    wd.run(&["ratings", "map", "x", "maybe"])
        .fails(2, &["invalid value 'maybe'"]);
    wd.run(&["ratings", "map", "\u{064E}\u{0640}", "false"])
        .fails(1, &["it must have some visible text"]);
}

#[test]
fn mapping_an_unmapped_rating_settles_the_claims_and_importing_again_changes_nothing() {
    let wd = Workdir::new();
    let file = wd.write(
        "claims.json",
        r#"{"claims": [
            {"text": "one", "claimant": "A", "claimReview": [
                {"publisher": {"name": "P"}, "url": "https://p.example/1", "textualRating": "توضيــح"}]},
            {"text": "two", "claimant": "A", "claimReview": [
                {"publisher": {"name": "P"}, "url": "https://p.example/2", "textualRating": "توضيح"}]},
            {"text": "three", "claimant": "A", "claimReview": [
                {"publisher": {"name": "P"}, "url": "https://p.example/3", "textualRating": "مُضَلِّل"}]}
        ]}"#,
    );
    let path = file.to_str().unwrap();
    let run = wd.run(&["import", "--from", "factcheck-api", path]).ok();
    assert!(
        run.stderr
            .contains("unmapped ratings: 2 review(s), 2 distinct text(s)"),
        "{run:?}"
    );
    assert!(run.stderr.contains("\"توضيح\" ×1"), "{run:?}");
    let statuses = |wd: &Workdir| -> Vec<String> {
        wd.json(&["list"])
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["status"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(statuses(&wd), ["unverified", "unverified", "misleading"]);
    // Mapping settles the stored claims at once; importing again has nothing left to do.
    wd.run(&["ratings", "map", "توضيح", "misleading"]).ok();
    assert_eq!(statuses(&wd), ["misleading", "misleading", "misleading"]);
    let run = wd.run(&["import", "--from", "factcheck-api", path]).ok();
    assert!(
        run.stderr
            .contains("claims 0 added, 0 updated, 3 unchanged"),
        "{run:?}"
    );
    assert!(!run.stderr.contains("unmapped"), "{run:?}");
    // A status a person set is never overwritten by a review.
    wd.run(&["status", "1", "verified", "--note", "checked ourselves"])
        .ok();
    wd.run(&["ratings", "map", "توضيح", "false"]).ok();
    wd.run(&["import", "--from", "factcheck-api", path]).ok();
    assert_eq!(statuses(&wd)[0], "verified");
}

#[test]
fn unmapped_ratings_are_all_listed_and_mapping_one_rerates_stored_claims() {
    let wd = Workdir::new();
    let mut claims = Vec::new();
    // Seven distinct unmapped texts (more than an import's top five), one of them twice.
    for i in 0..8 {
        let rating = if i == 7 {
            "Rating 0".to_owned()
        } else {
            format!("Rating {i}")
        };
        claims.push(serde_json::json!({
            "text": format!("claim {i}"), "claimant": "A",
            "claimReview": [{"publisher": {"name": "P"}, "url": format!("https://p.example/{i}"),
                             "textualRating": rating}]
        }));
    }
    let file = wd.write(
        "claims.json",
        serde_json::json!({ "claims": claims }).to_string(),
    );
    wd.run(&["import", "--from", "factcheck-api", file.to_str().unwrap()])
        .ok();
    let unmapped = wd.json(&["ratings", "unmapped"]);
    let unmapped = unmapped.as_array().unwrap();
    assert_eq!(unmapped.len(), 7, "{unmapped:?}");
    assert_eq!(unmapped[0]["rating"], "Rating 0");
    assert_eq!(unmapped[0]["reviews"], 2);
    assert_eq!(unmapped[0]["claims"], 2);
    let before = wd.run(&["history", "1", "--format", "json"]).ok().json();
    // Mapping re-rates the stored claims at once: no import again.
    let run = wd.run(&["ratings", "map", "rating 0", "false"]).ok();
    assert!(run.stderr.contains("2 unverified claim(s)"), "{run:?}");
    let statuses: Vec<String> = wd
        .json(&["list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(statuses[0], "false");
    assert_eq!(statuses[7], "false");
    assert!(
        statuses[1..7].iter().all(|s| s == "unverified"),
        "{statuses:?}"
    );
    let history = wd.history(1);
    assert_eq!(history.len(), before.as_array().unwrap().len() + 1);
    let last = history.last().unwrap();
    assert_eq!(last["field"], "status");
    assert_eq!(last["new_value"], "false");
    assert!(
        last["note"]
            .as_str()
            .unwrap()
            .contains("rating map: \"rating 0\" now means false"),
        "{last}"
    );
    assert_eq!(
        wd.json(&["ratings", "unmapped"]).as_array().unwrap().len(),
        6
    );
    // A status a person set stays.
    wd.run(&["status", "2", "verified", "--note", "checked"])
        .ok();
    wd.run(&["ratings", "map", "Rating 1", "false"]).ok();
    assert_eq!(wd.json(&["show", "2"])["status"], "verified");
}
