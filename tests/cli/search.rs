use crate::harness::{Run, Workdir};

/// The ids a search printed, best first.
fn ids(run: &Run) -> Vec<i64> {
    run.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect()
}

fn search(wd: &Workdir, query: &str) -> Vec<i64> {
    ids(&wd.run(&["search", query, "--format", "json"]).ok())
}

/// A database with claims whose words differ only in what folding removes.
fn folded_claims() -> Workdir {
    let wd = Workdir::new();
    for text in [
        "تكبَّدت القوات الروسية خسائر",         // 1: shadda, ta marbuta
        "أنشطة المجموعة في مالي",             // 2: article
        "اتصالات والمجموعة مستمرة",            // 3: wa + article
        "الإعجاب بالمجموعة كبير",              // 4: bi + article
        "تمويل للمجموعة من الخارج",           // 5: li + article
        "وصل ٢٠٠ مقاتل إلى سيجو",             // 6: Arabic-Indic digits, alef maqsura
        "Wagner fighters reached S\u{e9}gou", // 7: accent
        "القاعدة الجوية 101 في باماكو",       // 8
        "فاج\u{200F}نر في مالي",              // 9: an RLM inside a word
    ] {
        wd.add(&[text, "--claimant", "Article"]);
    }
    wd
}

#[test]
fn diacritics_ta_marbuta_and_alef_forms_do_not_matter() {
    let wd = folded_claims();
    assert_eq!(search(&wd, "تكبدت"), [1]);
    assert_eq!(search(&wd, "الروسيه"), [1]);
    assert_eq!(search(&wd, "انشطة"), [2]);
    assert_eq!(search(&wd, "الى سيجو"), [6]);
    assert_eq!(search(&wd, "200"), [6]);
    assert_eq!(search(&wd, "فاجنر"), [9]);
}

#[test]
fn a_word_finds_it_with_the_article_and_attached_prefixes() {
    let wd = folded_claims();
    let mut found = search(&wd, "مجموعة");
    found.sort();
    assert_eq!(found, [2, 3, 4, 5]);
    let mut found = search(&wd, "بالمجموعة");
    found.sort();
    assert_eq!(found, [2, 3, 4, 5]);
}

#[test]
fn latin_case_and_accents_do_not_matter() {
    let wd = folded_claims();
    assert_eq!(search(&wd, "segou"), [7]);
    assert_eq!(search(&wd, "SÉGOU"), [7]);
    assert_eq!(search(&wd, "wagner FIGHTERS"), [7]);
}

#[test]
fn each_query_form() {
    let wd = folded_claims();
    // Plain words: all must match.
    assert_eq!(search(&wd, "مالي أنشطة"), [2]);
    assert!(search(&wd, "مالي باماكو").is_empty());
    // Phrase: next to each other, in order.
    assert_eq!(search(&wd, "\"القاعدة الجوية\""), [8]);
    assert!(search(&wd, "\"الجوية القاعدة\"").is_empty());
    // Prefix.
    assert_eq!(search(&wd, "fight*"), [7]);
    assert_eq!(search(&wd, "الروس*"), [1]);
    // Exclusion.
    let mut found = search(&wd, "مالي");
    found.sort();
    assert_eq!(found, [2, 9]);
    assert_eq!(search(&wd, "مالي -فاجنر"), [2]);
    assert_eq!(search(&wd, "مالي -\"أنشطة المجموعة\""), [9]);
}

#[test]
fn results_are_ranked_and_limited_with_a_snippet_of_the_stored_text() {
    let wd = Workdir::new();
    wd.add(&["فاجنر فاجنر فاجنر في مالي", "--claimant", "A"]);
    wd.add(&[
        "نص طويل جداً عن أمور كثيرة أخرى ثم ذكر فاجنر مرة واحدة في آخره بعد كلام كثير",
        "--claimant",
        "A",
    ]);
    for other in ["مالي", "باماكو", "سيجو"] {
        wd.add(&[other, "--claimant", "A"]);
    }
    let hits = wd.json(&["search", "فاجنر"]);
    assert_eq!(hits[0]["id"], 1);
    assert!(hits[0]["score"].as_f64().unwrap() > hits[1]["score"].as_f64().unwrap());
    assert_eq!(hits[1]["matched"], "text");
    assert!(
        hits[1]["snippet"].as_str().unwrap().contains("[فاجنر]"),
        "{hits}"
    );
    let limited = wd.run(&["search", "فاجنر", "--limit", "1", "--format", "json"]);
    assert_eq!(ids(&limited.ok()), [1]);
    // The stored text itself is never folded.
    let claim = wd.json(&["show", "2"]);
    assert!(claim["text"].as_str().unwrap().contains("جداً"));
}

#[test]
fn translation_note_claimant_and_location_are_searched() {
    let wd = Workdir::new();
    wd.add(&[
        "أ",
        "--claimant",
        "A",
        "--translation",
        "about a thousand fighters",
    ]);
    wd.add(&[
        "ب",
        "--claimant",
        "A",
        "--note",
        "figure from satellite imagery",
    ]);
    wd.add(&["ج", "--claimant", "Human Rights Watch"]);
    wd.add(&["د", "--claimant", "A", "--location", "Moura, Mali"]);
    assert_eq!(search(&wd, "thousand"), [1]);
    assert_eq!(search(&wd, "satellite"), [2]);
    assert_eq!(search(&wd, "rights watch"), [3]);
    assert_eq!(search(&wd, "moura"), [4]);
    let hit = &wd.json(&["search", "moura"])[0];
    assert_eq!(hit["matched"], "location");
}

#[test]
fn every_output_format_works() {
    let wd = folded_claims();
    let table = wd.run(&["search", "مجموعة"]).ok();
    assert!(table.stdout.contains("snippet") && table.stdout.contains("[المجموعة]"));
    let csv = wd.run(&["search", "مجموعة", "--format", "csv"]).ok();
    assert!(csv
        .stdout
        .starts_with("id,score,status,claimant,matched,snippet\n"));
    assert_eq!(csv.stdout.lines().count(), 5);
    let jsonl = wd.run(&["search", "مجموعة", "--format", "jsonl"]).ok();
    assert_eq!(jsonl.stdout.lines().count(), 4);
    for line in jsonl.stdout.lines() {
        let hit: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(hit["snippet"].is_string() && hit["text"].is_string());
    }
    let none = wd.run(&["search", "nothing-like-this"]).ok();
    assert!(none.stderr.contains("no claims match"), "{none:?}");
    assert_eq!(wd.json(&["search", "zzz"]), serde_json::json!([]));
}

#[test]
fn hostile_queries_end_cleanly() {
    let wd = folded_claims();
    let long = "فاجنر \"NEAR( * - OR ) ".repeat(600);
    let noisy: String = (0..3000)
        .map(|i| {
            [
                "\"", "*", "-", "(", ")", "^", ":", "{text}", "NEAR(", "AND", "مالي",
            ][i % 11]
        })
        .collect::<Vec<_>>()
        .join(" ");
    for query in [
        "\"",
        "*",
        "AND OR NOT",
        "NEAR(",
        "-",
        "",
        "   ",
        "\"\"",
        "-\"",
        "مالي OR",
        "NEAR(مالي باماكو, 2)",
        "text:مالي",
        "{text}: x",
        "^مالي",
        "مالي*)",
        "'; DROP TABLE claim; --",
        &long[..(0..=10 * 1024)
            .rev()
            .find(|i| long.is_char_boundary(*i))
            .unwrap()],
        &noisy,
    ] {
        let run = wd.run(&["search", query, "--format", "json"]);
        assert!(run.code == 0 || run.code == 1, "{run:?}");
        for bad in ["panicked", "fts5", "syntax error", "SQL"] {
            assert!(!run.stderr.contains(bad), "{bad}: {run:?}");
        }
        if run.code == 0 {
            run.json();
        } else {
            assert!(run.stderr.starts_with("error: the query"), "{run:?}");
        }
    }
    wd.run(&["search", ""])
        .fails(1, &["no words to search for"]);
    wd.run(&["search", "-مالي"]).fails(1, &["only excludes"]);
    // The claims are all still there.
    assert_eq!(wd.json(&["stats"])["claims"], 9);
}

#[test]
fn list_and_export_take_search_with_every_other_filter() {
    let wd = Workdir::new();
    wd.add(&["المجموعة في مالي", "--claimant", "A", "--tag", "mali"]);
    wd.add(&["بالمجموعة في النيجر", "--claimant", "B", "--tag", "niger"]);
    wd.add(&["شيء آخر", "--claimant", "A", "--tag", "mali"]);
    wd.run(&["status", "2", "in_review"]).ok();
    let list = |extra: &[&str]| -> Vec<i64> {
        let mut args = vec!["list", "--search", "مجموعة", "--format", "json"];
        args.extend_from_slice(extra);
        let mut found = ids(&wd.run(&args).ok());
        found.sort();
        found
    };
    assert_eq!(list(&[]), [1, 2]);
    assert_eq!(list(&["--tag", "mali"]), [1]);
    assert_eq!(list(&["--status", "in_review"]), [2]);
    assert_eq!(list(&["--source", "A"]), [1]);
    assert_eq!(list(&["--limit", "1"]).len(), 1);
    let csv = wd
        .run(&["export", "--search", "مجموعة", "--tag", "niger"])
        .ok();
    assert_eq!(csv.stdout.lines().count(), 2, "{csv:?}");
    wd.run(&["list", "--search", "*"])
        .fails(1, &["no words to search for"]);
}

#[test]
fn source_aliases_find_the_claims_of_their_source() {
    let wd = Workdir::new();
    wd.run(&[
        "source",
        "add",
        "Wagner Group",
        "--alias",
        "فاغنر",
        "--alias",
        "فاجنر",
    ])
    .ok();
    wd.add(&[
        "Russian instructors arrived in Mali",
        "--claimant",
        "Wagner Group",
    ]);
    wd.add(&["وصلت قوات فاجنر إلى مالي", "--claimant", "AFP"]);
    wd.add(&["Nothing to do with it", "--claimant", "AFP"]);
    let mut found = search(&wd, "فاغنر");
    found.sort();
    assert_eq!(found, [1, 2]);
    // An alias added later applies at once: nothing needs reindexing.
    assert!(search(&wd, "Вагнер").is_empty());
    wd.run(&["source", "alias", "Wagner Group", "Вагнер"]).ok();
    let mut found = search(&wd, "вагнер");
    found.sort();
    assert_eq!(found, [1, 2]);
}

#[test]
fn the_index_follows_edits_status_changes_citations_and_imports() {
    let wd = Workdir::new();
    wd.add(&["قوات فاجنر في مالي", "--claimant", "A"]);
    assert_eq!(search(&wd, "فاجنر"), [1]);
    wd.run(&[
        "edit",
        "1",
        "--text",
        "قوات روسية في مالي",
        "--reason",
        "typo",
    ])
    .ok();
    assert!(search(&wd, "فاجنر").is_empty());
    assert_eq!(search(&wd, "روسية"), [1]);
    wd.run(&["edit", "1", "--note", "satellite", "--location", "Ségou"])
        .ok();
    assert_eq!(search(&wd, "satellite segou"), [1]);
    wd.run(&["edit", "1", "--clear", "note"]).ok();
    assert!(search(&wd, "satellite").is_empty());
    wd.run(&["edit", "1", "--claimant", "Human Rights Watch"])
        .ok();
    assert_eq!(search(&wd, "rights"), [1]);
    wd.run(&["status", "1", "in_review"]).ok();
    wd.run(&["cite", "1", "AFP", "--supports"]).ok();
    assert_eq!(search(&wd, "روسية"), [1]);
    // An import that adds one claim and updates the other.
    let uid = wd.json(&["show", "1"])["uid"].as_str().unwrap().to_owned();
    let csv = format!(
        "uid,text,claimant\n{uid},قوات فاغنر الروسية في مالي,Human Rights Watch\n,المجموعة في موبتي,B\n"
    );
    let file = wd.write("new.csv", csv);
    wd.run(&["import", file.to_str().unwrap()]).ok();
    assert_eq!(search(&wd, "فاغنر"), [1]);
    assert_eq!(search(&wd, "موبتي"), [2]);
    // A dry run leaves the index as it was.
    let file = wd.write("dry.csv", "text,claimant\nتمبكتو,B\n");
    wd.run(&["import", "--dry-run", file.to_str().unwrap()])
        .ok();
    assert!(search(&wd, "تمبكتو").is_empty());
}

#[test]
fn the_seed_is_searchable() {
    let wd = Workdir::new();
    wd.import_seed();
    assert!(search(&wd, "مجموعة").len() >= 3);
    assert!(!search(&wd, "\"القاعدة الجوية\"").is_empty());
    assert!(!search(&wd, "تكبدت").is_empty());
}
