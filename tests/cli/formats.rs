//! `import --from claimreview|factcheck-api|liar`, `export --format claimreview`, reviews in
//! `show`, `list --reviewed-by`, and the CSV import's `--rename`/`--default`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::harness::Workdir;

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats")
        .join(name)
        .to_str()
        .unwrap()
        .to_owned()
}

/// A file of the shared data sets, or `None` (with a notice) when ../shared is not there.
fn shared(path: &str) -> Option<PathBuf> {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(path);
    if full.is_file() {
        Some(full)
    } else {
        // The notice is the point: a run without ../shared says what it did not test.
        #[allow(clippy::print_stdout)]
        {
            println!("skipped: {} is absent", full.display());
        }
        None
    }
}

/// A claimant as claimdb compares source names (NFKC, case, runs of spaces).
fn fold(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let folded = name.nfkc().collect::<String>().to_lowercase();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn claims(wd: &Workdir) -> Vec<Value> {
    wd.json(&["list"]).as_array().unwrap().clone()
}

fn show(wd: &Workdir, id: i64) -> Value {
    wd.json(&["show", &id.to_string()])
}

fn id_of(wd: &Workdir, text: &str) -> i64 {
    claims(wd)
        .iter()
        .find(|c| c["text"] == text)
        .unwrap_or_else(|| panic!("no claim {text:?}"))["id"]
        .as_i64()
        .unwrap()
}

/// The aggregators' requirements, checked strictly on every exported object.
fn check_claim_review(object: &Value) {
    let o = object.as_object().expect("an object");
    assert_eq!(o["@context"], "https://schema.org", "{object}");
    assert_eq!(o["@type"], "ClaimReview", "{object}");
    let reviewed = o["claimReviewed"].as_str().expect("claimReviewed");
    assert!(!reviewed.trim().is_empty(), "{object}");
    let rating = o["reviewRating"].as_object().expect("reviewRating");
    assert_eq!(rating["@type"], "Rating");
    let name = rating["alternateName"].as_str().expect("alternateName");
    assert!(!name.trim().is_empty(), "{object}");
    if let Some(value) = rating.get("ratingValue") {
        let (v, best, worst) = (
            value.as_u64().unwrap(),
            rating["bestRating"].as_u64().unwrap(),
            rating["worstRating"].as_u64().unwrap(),
        );
        assert!(worst <= v && v <= best, "{object}");
    }
    assert_eq!(o["author"]["@type"], "Organization");
    assert!(!o["author"]["name"].as_str().unwrap().is_empty());
    assert!(o["datePublished"].as_str().is_some_and(|d| !d.is_empty()));
    let item = o["itemReviewed"].as_object().expect("itemReviewed");
    assert_eq!(item["@type"], "Claim");
    assert!(item["author"]["name"]
        .as_str()
        .is_some_and(|n| !n.is_empty()));
    // Every review carries the desk's fact-check url and its language.
    let url = o["url"].as_str().expect("url");
    assert!(url.starts_with("http"), "{object}");
    assert!(
        o["inLanguage"].as_str().is_some_and(|l| !l.is_empty()),
        "{object}"
    );
    let allowed = [
        "@context",
        "@type",
        "url",
        "claimReviewed",
        "headline",
        "author",
        "datePublished",
        "inLanguage",
        "reviewRating",
        "reviewBody",
        "itemReviewed",
    ];
    for key in o.keys() {
        assert!(allowed.contains(&key.as_str()), "unexpected {key}");
    }
}

#[test]
fn fact_check_api_json_brings_claims_with_reviews_byte_for_byte() {
    let wd = Workdir::new();
    let file = fixture("factcheck-api.json");
    let source: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let run = wd
        .run(&[
            "import",
            "--from",
            "factcheck-api",
            "--default",
            "claimant=unknown",
            &file,
        ])
        .ok();
    assert!(
        run.stderr.contains(
            "3 record(s): claims 3 added, 0 updated, 0 unchanged; reviews 4 added, 0 completed, 0 duplicate(s)"
        ),
        "{run:?}"
    );
    assert!(
        run.stderr
            .contains("unmapped ratings: 1 review(s), 1 distinct"),
        "{run:?}"
    );
    let first = &source["claims"][0];
    let text = first["text"].as_str().unwrap();
    let id = id_of(&wd, text);
    let detail = show(&wd, id);
    assert_eq!(detail["text"], first["text"]);
    assert_eq!(detail["claimant"], "منشورات فيسبوك");
    assert_eq!(detail["claim_date"], "2025-04-28");
    // مضلّل (misleading) and False (false) disagree: an editor must look.
    assert_eq!(detail["status"], "disputed");
    let reviews = detail["reviews"].as_array().unwrap();
    assert_eq!(reviews.len(), 2);
    for (stored, given) in reviews.iter().zip(first["claimReview"].as_array().unwrap()) {
        assert_eq!(stored["publisher"], given["publisher"]["name"]);
        assert_eq!(stored["site"], given["publisher"]["site"]);
        assert_eq!(stored["url"], given["url"]);
        assert_eq!(stored["title"], given["title"]);
        assert_eq!(stored["review_date"], given["reviewDate"]);
        assert_eq!(stored["rating"], given["textualRating"]);
        assert_eq!(stored["language"], given["languageCode"]);
    }

    let second = &source["claims"][1];
    let detail = show(&wd, id_of(&wd, second["text"].as_str().unwrap()));
    assert_eq!(
        detail["status"], "unverified",
        "an unmapped rating decides nothing"
    );
    let rating = detail["reviews"][0]["rating"].as_str().unwrap();
    assert_eq!(rating.chars().count(), 3000);
    assert_eq!(rating, second["claimReview"][0]["textualRating"]);
    assert_eq!(detail["reviews"][0]["publisher"], "yoopyup.com");

    let third = show(&wd, id_of(&wd, "الليرة ارتفعت ١٠٪ في يوم واحد"));
    assert_eq!(third["claimant"], "unknown");
    assert_eq!(third["status"], "verified");

    // A second import changes nothing.
    let before = wd.export();
    let run = wd
        .run(&[
            "import",
            "--from",
            "factcheck-api",
            "--default",
            "claimant=unknown",
            &file,
        ])
        .ok();
    assert!(
        run.stderr.contains(
            "claims 0 added, 0 updated, 3 unchanged; reviews 0 added, 0 completed, 4 duplicate(s)"
        ),
        "{run:?}"
    );
    assert_eq!(wd.export(), before);
}

#[test]
fn a_missing_claimant_is_a_problem_unless_a_default_is_given() {
    let wd = Workdir::new();
    let file = fixture("factcheck-api.json");
    wd.run(&["import", "--from", "factcheck-api", &file]).fails(
        1,
        &[
            "factcheck-api.json record 3, field claimant: the claimant is missing",
            "--default claimant=NAME",
            "nothing was written",
        ],
    );
    assert_eq!(claims(&wd).len(), 0);
}

#[test]
fn repeated_missing_claimants_are_capped_and_end_with_the_flag_that_fixes_them() {
    let wd = Workdir::new();
    let records: Vec<serde_json::Value> = (0..99)
        .map(|i| serde_json::json!({"text": format!("claim {i}"), "claimReview": []}))
        .collect();
    let file = wd.write(
        "many.json",
        serde_json::json!({ "claims": records }).to_string(),
    );
    let run = wd
        .run(&["import", "--from", "factcheck-api", file.to_str().unwrap()])
        .fails(
            1,
            &[
                "… and 94 more record(s) with the same problem",
                "nothing was written",
            ],
        );
    let missing = run.stderr.matches("the claimant is missing").count();
    assert_eq!(missing, 6, "five listed and one count: {run:?}");
    let last = run.stderr.trim_end().lines().last().unwrap();
    assert!(
        last.contains("99 record(s) have no claimant: add --default claimant=NAME"),
        "{run:?}"
    );
    assert_eq!(claims(&wd).len(), 0);
}

#[test]
fn every_bad_record_is_reported_with_its_number_and_nothing_is_written() {
    let wd = Workdir::new();
    let file = wd.write(
        "bad.json",
        r#"[
          {"text": "fine", "claimant": "A", "claimReview": [{"publisher": {"name": "P"}, "textualRating": "false"}]},
          {"text": "", "claimant": "A"},
          {"text": "bad date", "claimant": "A", "claimDate": "28/04/2025"},
          {"text": "bad review", "claimant": "A", "claimReview": [
              {"publisher": {"name": "P"}, "url": "not a url", "reviewDate": "yesterday"},
              {"url": "https://x.example/1"}]},
          "nonsense"
        ]"#,
    );
    wd.run(&["import", "--from", "factcheck-api", file.to_str().unwrap()])
        .fails(
            1,
            &[
                "bad.json record 2, field text: the claim text is missing or empty",
                "bad.json record 3, field claimDate: \"28/04/2025\" is not a date",
                "bad.json record 4, field claimReview[0].url: \"not a url\" is not a URL",
                "bad.json record 4, field claimReview[0].reviewDate: \"yesterday\" is not a review date",
                "bad.json record 4, field claimReview[1].publisher: the review has no publisher",
                "bad.json record 5: expected a claim object",
                "found 6 problem(s)",
                "nothing was written",
            ],
        );
    assert_eq!(claims(&wd).len(), 0);
    let broken = wd.write("broken.json", "[{\"text\": \"x\",\n  \"claimant\": }]");
    wd.run(&["import", "--from", "claimreview", broken.to_str().unwrap()])
        .fails(1, &["broken.json line 2, column 15: not readable as JSON"]);
    let wrong = wd.write("wrong.json", "{\"items\": []}");
    wd.run(&["import", "--from", "factcheck-api", wrong.to_str().unwrap()])
        .fails(1, &["an object with a \"claims\" array"]);
}

#[test]
fn claimreview_json_ld_reads_a_graph_and_ignores_other_nodes() {
    let wd = Workdir::new();
    let run = wd
        .run(&[
            "import",
            "--from",
            "claimreview",
            &fixture("claimreview.jsonld"),
        ])
        .ok();
    assert!(
        run.stderr
            .contains("1 JSON-LD node(s) that are not a ClaimReview were ignored"),
        "{run:?}"
    );
    assert!(run.stderr.contains("claims 2 added"), "{run:?}");
    let wagner = show(&wd, id_of(&wd, "نحو ألف من مقاتلي فاجنر في مالي"));
    assert_eq!(wagner["claimant"], "Western estimates");
    assert_eq!(wagner["claim_date"], "2022-03");
    assert_eq!(wagner["article_url"], "https://news.example/wagner");
    assert_eq!(wagner["article_title"], "Wagner in Mali");
    assert_eq!(wagner["status"], "unverifiable");
    let review = &wagner["reviews"][0];
    assert_eq!(review["publisher"], "Desk");
    assert_eq!(review["site"], "https://desk.example");
    assert_eq!(review["url"], "https://desk.example/checks/1");
    assert_eq!(review["title"], "لا دليل على الرقم");
    assert_eq!(review["review_date"], "2024-02-01T10:00:00Z");
    assert_eq!(review["rating"], "Unproven");
    assert_eq!(review["language"], "ar");
    assert_eq!(review["body"], "Two sources, neither with evidence.");
    let bridge = show(&wd, id_of(&wd, "Says the bridge was built in 1999"));
    assert_eq!(bridge["claimant"], "Jane Doe");
    assert_eq!(bridge["status"], "false");
    assert_eq!(bridge["reviews"][0]["publisher"], "PolitiFact");
    assert_eq!(bridge["reviews"][0]["rating"], "Pants on Fire");
    // Without a url, the publisher identifies the review on its claim.
    let run = wd
        .run(&[
            "import",
            "--from",
            "claimreview",
            &fixture("claimreview.jsonld"),
        ])
        .ok();
    assert!(
        run.stderr
            .contains("reviews 0 added, 0 completed, 2 duplicate(s)"),
        "{run:?}"
    );
    // History says who reviewed and why the status changed.
    let history = wd
        .run(&["history", &bridge["id"].to_string(), "--format", "json"])
        .ok()
        .json();
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["import", "review", "review"]);
}

#[test]
fn liar_lines_keep_their_quotes_and_labels_map_to_statuses() {
    let wd = Workdir::new();
    let run = wd
        .run(&["import", "--from", "liar", &fixture("liar.tsv")])
        .ok();
    assert!(
        run.stderr.contains("4 record(s): claims 4 added"),
        "{run:?}"
    );
    let all = claims(&wd);
    assert_eq!(all.len(), 4);
    assert_eq!(all[0]["text"], "\"As a state rep, I cut taxes");
    assert_eq!(all[0]["status"], "false");
    assert_eq!(all[0]["tags"], serde_json::json!(["state-budget", "taxes"]));
    assert_eq!(
        all[0]["note"],
        "LIAR 1653.json; job: State representative; state: Ohio; party: republican; context: a “debate”"
    );
    assert_eq!(all[1]["text"], "\"Fifty-six percent of voters agree");
    assert_eq!(all[1]["status"], "false");
    assert_eq!(all[2]["text"], "Says unemployment fell by half ");
    assert_eq!(all[2]["claimant"], "john-doe");
    assert_eq!(all[2]["status"], "verified");
    assert_eq!(all[3]["claimant"], "Díaz");
    assert_eq!(all[3]["status"], "misleading");
    let detail = show(&wd, all[3]["id"].as_i64().unwrap());
    assert_eq!(detail["reviews"][0]["publisher"], "PolitiFact");
    assert_eq!(detail["reviews"][0]["rating"], "half-true");

    let bad = wd.write(
        "bad.tsv",
        "1.json\tfalse\tok\tx\tspeaker\t\t\tnone\t0\t0\t0\t0\t0\t\n\
         2.json\tfibbing\tbad label\tx\tspeaker\t\t\tnone\t0\t0\t0\t0\t0\t\n\
         3.json\ttrue\ttoo few\tx\tspeaker\n\
         4.json\ttrue\t\tx\t\t\t\tnone\t0\t0\t0\t0\t0\t\n",
    );
    wd.run(&["import", "--from", "liar", bad.to_str().unwrap()]).fails(
        1,
        &[
            "bad.tsv line 2, field label: \"fibbing\" is not a LIAR label (expected one of: pants-fire, false, barely-true, half-true, mostly-true, true)",
            "bad.tsv line 3: the line has 5 tab-separated columns; LIAR lines have 14",
            "bad.tsv line 4, field statement: the claim text is missing",
            "bad.tsv line 4, field speaker: the claimant is missing",
            "nothing was written",
        ],
    );
    assert_eq!(claims(&wd).len(), 4);
}

/// A database with verdicts whose texts carry what breaks naive writers.
fn desk_database(wd: &Workdir) {
    let tricky = "\u{200f}قال: \"لن ننسحب\"\nقبل الهجوم 🚀 بيومين \u{2067}x\u{2069}";
    let a = wd.add(&[
        tricky,
        "--claimant",
        "منشورات فيسبوك",
        "--date",
        "2025-04-28",
        "--article-url",
        "https://news.example/a?x=1&y=2",
        "--article-title",
        "Headline, with \"quotes\"",
    ]);
    wd.run(&[
        "status",
        &a.to_string(),
        "false",
        "--note",
        "Old photo.\nSee the archive.",
    ])
    .ok();
    let b = wd.add(&[
        "Unemployment halved",
        "--claimant",
        "Minister",
        "--date",
        "2024",
    ]);
    wd.run(&[
        "status",
        &b.to_string(),
        "misleading",
        "--note",
        "Only one region",
    ])
    .ok();
    let c = wd.add(&["The bridge opened in 1999", "--claimant", "Mayor"]);
    wd.run(&[
        "status",
        &c.to_string(),
        "verified",
        "--note",
        "Archive photos",
    ])
    .ok();
    let d = wd.add(&["Nobody knows the toll", "--claimant", "Mayor"]);
    wd.run(&[
        "status",
        &d.to_string(),
        "unverifiable",
        "--note",
        "No records",
    ])
    .ok();
    wd.add(&["Still open", "--claimant", "Mayor"]);
    // The desk's own published review, imported earlier: its url and words are kept.
    wd.run(&[
        "import",
        "--from",
        "claimreview",
        &fixture("claimreview.jsonld"),
    ])
    .ok();
}

#[test]
fn claimreview_export_import_export_is_identical() {
    let a = Workdir::new();
    desk_database(&a);
    let args = [
        "export",
        "--format",
        "claimreview",
        "--publisher",
        "Desk",
        "--publisher-url",
        "https://desk.example",
        "--review-url",
        "https://desk.example/checks/{id}",
    ];
    let first = a.run(&args).ok();
    let exported: Value = first.json();
    let objects = exported.as_array().unwrap();
    // Four desk verdicts and the Desk-reviewed Wagner claim; the bridge claim's verdict is
    // PolitiFact's, and "Still open" has no verdict.
    assert_eq!(objects.len(), 5, "{first:?}");
    let b = Workdir::new();
    let file = b.write("desk.jsonld", &first.stdout);
    b.run(&["import", "--from", "claimreview", file.to_str().unwrap()])
        .ok();
    let second = b.run(&args).ok();
    assert_eq!(second.stdout, first.stdout);
    // And once more, from the copy.
    let c = Workdir::new();
    let file = c.write("desk.jsonld", &second.stdout);
    c.run(&["import", "--from", "claimreview", file.to_str().unwrap()])
        .ok();
    assert_eq!(c.run(&args).ok().stdout, first.stdout);
    // Texts survive byte for byte.
    let tricky = objects
        .iter()
        .find(|o| o["itemReviewed"]["author"]["name"] == "منشورات فيسبوك")
        .unwrap();
    assert_eq!(
        tricky["claimReviewed"],
        "\u{200f}قال: \"لن ننسحب\"\nقبل الهجوم 🚀 بيومين \u{2067}x\u{2069}"
    );
    assert_eq!(tricky["reviewBody"], "Old photo.\nSee the archive.");
    assert_eq!(
        tricky["itemReviewed"]["appearance"]["headline"],
        "Headline, with \"quotes\""
    );
}

#[test]
fn exported_claimreview_has_what_aggregators_require() {
    let wd = Workdir::new();
    desk_database(&wd);
    let run = wd
        .run(&[
            "export",
            "--format",
            "claimreview",
            "--publisher",
            "Desk",
            "--review-url",
            "https://desk.example/checks/{id}",
        ])
        .ok();
    let exported = run.json();
    for object in exported.as_array().unwrap() {
        check_claim_review(object);
    }
    let by_text = |text: &str| {
        exported
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["claimReviewed"] == text)
            .unwrap()
            .clone()
    };
    let wagner = by_text("نحو ألف من مقاتلي فاجنر في مالي");
    assert_eq!(wagner["url"], "https://desk.example/checks/1");
    assert_eq!(wagner["reviewRating"]["alternateName"], "Unproven");
    assert_eq!(wagner["datePublished"], "2024-02-01T10:00:00Z");
    assert!(wagner["reviewRating"].get("ratingValue").is_none());
    let halved = by_text("Unemployment halved");
    assert_eq!(
        halved["reviewRating"],
        serde_json::json!({"@type": "Rating", "alternateName": "Misleading", "ratingValue": 2,
                           "bestRating": 3, "worstRating": 1})
    );
    assert_eq!(halved["itemReviewed"]["datePublished"], "2024");
    assert_eq!(halved["reviewBody"], "Only one region");
    assert_eq!(
        halved["url"],
        format!(
            "https://desk.example/checks/{}",
            id_of(&wd, "Unemployment halved")
        )
    );
    assert_eq!(halved["inLanguage"], "en");
    assert_eq!(
        by_text("The bridge opened in 1999")["reviewRating"]["ratingValue"],
        3
    );
    // PolitiFact's verdict is PolitiFact's, not the desk's: it is not published as the desk's.
    assert!(
        !exported
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["claimReviewed"] == "Says the bridge was built in 1999"),
        "{run:?}"
    );
    assert!(
        run.stderr
            .contains("1 claim(s) not exported: their verdicts came from other"),
        "{run:?}"
    );
}

#[test]
fn claimreview_exports_only_the_desks_verdicts_in_its_language_and_no_local_path() {
    let wd = Workdir::new();
    // Verdicts that came in by import: a CSV with statuses and a Fact Check API file.
    let csv = wd.write(
        "imported-verdicts.csv",
        "text,claimant,status\nThe dam burst,Ministry,false\nThe road opened,Mayor,verified\n",
    );
    wd.run(&["import", csv.to_str().unwrap()]).ok();
    let api = fixture("factcheck-api.json");
    wd.run(&[
        "import",
        "--from",
        "factcheck-api",
        "--default",
        "claimant=unknown",
        &api,
    ])
    .ok();
    assert!(
        wd.json(&["list", "--status", "false,misleading,verified"])
            .as_array()
            .unwrap()
            .len()
            >= 3
    );
    // One verdict the desk sets itself, on an imported claim.
    wd.run(&[
        "status",
        "1",
        "misleading",
        "--note",
        "Only the upper road opened",
    ])
    .ok();
    let run = wd
        .run(&[
            "export",
            "--format",
            "claimreview",
            "--publisher",
            "Desk",
            "--review-url",
            "https://desk.example/checks/{id}",
            "--lang",
            "ar",
        ])
        .ok();
    let exported = run.json();
    let objects = exported.as_array().unwrap();
    assert_eq!(objects.len(), 1, "{run:?}");
    let o = &objects[0];
    check_claim_review(o);
    assert_eq!(o["claimReviewed"], "The dam burst");
    assert_eq!(o["url"], "https://desk.example/checks/1");
    assert_eq!(o["inLanguage"], "ar");
    assert_eq!(o["reviewRating"]["alternateName"], "مضلل");
    assert_eq!(o["reviewBody"], "Only the upper road opened");
    // No local path anywhere: not the files', not their folder's.
    let folder = csv.parent().unwrap().to_str().unwrap();
    assert!(!run.stdout.contains(folder), "{}", run.stdout);
    assert!(
        !run.stdout.contains("imported-verdicts.csv"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("factcheck-api.json"), "{}", run.stdout);
    // The Arabic labels read back as the same verdicts.
    let copy = Workdir::new();
    let file = copy.write("desk.jsonld", &run.stdout);
    copy.run(&["import", "--from", "claimreview", file.to_str().unwrap()])
        .ok();
    assert_eq!(copy.json(&["show", "1"])["status"], "misleading");
    // A template without a place for the claim gives every claim one url: refused.
    wd.run(&[
        "export",
        "--format",
        "claimreview",
        "--publisher",
        "Desk",
        "--review-url",
        "https://desk.example/checks",
    ])
    .fails(2, &["has no {id} or {uid}"]);
    wd.run(&["export", "--lang", "ar"])
        .fails(1, &["--lang applies to --format claimreview only"]);
}

#[test]
fn claims_missing_what_claimreview_needs_are_skipped_with_a_warning() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Workdir::new();
    // Invisible-only text is refused now; a database from before may still hold such a claim.
    let blank = wd.add(&["placeholder", "--claimant", "A"]);
    wd.run(&["status", &blank.to_string(), "false", "--note", "x"])
        .ok();
    let conn = rusqlite::Connection::open(wd.db()).unwrap();
    claimdb::store::register_search_functions(&conn).unwrap();
    conn.execute("UPDATE claim SET text = '\u{200f}' WHERE id = ?1", [blank])
        .unwrap();
    drop(conn);
    let long = "x".repeat(76);
    let long_id = wd.add(&[&long, "--claimant", "A"]);
    wd.run(&["status", &long_id.to_string(), "false", "--note", "x"])
        .ok();
    let run = wd
        .run(&["export", "--format", "claimreview", "--publisher", "Desk"])
        .ok();
    // Without --review-url the desk's fact-check url is unknown: named, with the flag.
    assert!(
        run.stderr.contains(&format!(
            "warning: claim {long_id} skipped: url: the desk's fact-check url is unknown (give --review-url"
        )),
        "{run:?}"
    );
    let run = wd
        .run(&[
            "export",
            "--format",
            "claimreview",
            "--publisher",
            "Desk",
            "--review-url",
            "https://desk.example/{uid}",
        ])
        .ok();
    assert!(
        run.stderr.contains(&format!(
            "warning: claim {blank} skipped: claimReviewed: the claim text has no visible characters"
        )),
        "{run:?}"
    );
    assert!(run.stderr.contains("1 claim(s) skipped"), "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "claim {long_id}: claimReviewed has 76 characters; aggregators show at most 75"
        )),
        "{run:?}"
    );
    assert_eq!(run.json().as_array().unwrap().len(), 1);
}

#[test]
fn claimreview_is_an_export_format_only_and_needs_a_publisher() {
    let wd = Workdir::new();
    wd.add(&["x", "--claimant", "A"]);
    wd.run(&["list", "--format", "claimreview"]).fails(
        1,
        &["--format claimreview applies to `claimdb export` only"],
    );
    wd.run(&["export", "--format", "claimreview"])
        .fails(1, &["give --publisher NAME"]);
    wd.run(&["export", "--publisher-url", "https://x.example"])
        .fails(1, &["--publisher-url applies to --format claimreview only"]);
    wd.run(&[
        "export",
        "--format",
        "claimreview",
        "--publisher",
        "D",
        "--status",
        "unverified",
    ])
    .fails(1, &["ClaimReview carries verdicts only"]);
    let run = wd
        .run(&["export", "--format", "claimreview", "--publisher", "D"])
        .ok();
    assert_eq!(run.stdout, "[]\n");
}

#[test]
fn list_and_export_filter_by_reviewer_name_or_site() {
    let wd = Workdir::new();
    wd.run(&[
        "import",
        "--from",
        "factcheck-api",
        "--default",
        "claimant=unknown",
        &fixture("factcheck-api.json"),
    ])
    .ok();
    let count = |args: &[&str]| wd.run(args).ok().json().as_array().unwrap().len();
    assert_eq!(
        count(&["list", "--reviewed-by", "مسبار", "--format", "json"]),
        2
    );
    assert_eq!(
        count(&["list", "--reviewed-by", "MISBAR.com", "--format", "json"]),
        2
    );
    assert_eq!(
        count(&["list", "--reviewed-by", "fatabyyano", "--format", "json"]),
        1
    );
    // The help's own example: Misbar is the name of the site of the publisher named مسبار.
    assert_eq!(
        count(&["list", "--reviewed-by", "Misbar", "--format", "json"]),
        2
    );
    assert_eq!(
        count(&[
            "list",
            "--reviewed-by",
            "https://www.misbar.com/",
            "--format",
            "json"
        ]),
        2
    );
    // Publishers resolve through source aliases as sources do.
    wd.run(&["source", "add", "مسبار", "--alias", "Misbar Arabic"])
        .ok();
    assert_eq!(
        count(&["list", "--reviewed-by", "misbar arabic", "--format", "json"]),
        2
    );
    assert_eq!(
        count(&["list", "--reviewed-by", "nobody", "--format", "json"]),
        0
    );
    let csv = wd
        .run(&["export", "--reviewed-by", "yoopyup.com"])
        .ok()
        .stdout;
    assert_eq!(csv.lines().count(), 2, "{csv}");
    // The table of `show` lists reviews too.
    let table = wd.run(&["show", "1"]).ok().stdout;
    assert!(
        table.contains("reviewed by") && table.contains("Fatabyyano"),
        "{table}"
    );
}

#[test]
fn csv_import_renames_columns_and_fills_defaults() {
    let wd = Workdir::new();
    let file = wd.write(
        "other.csv",
        "claim_s,fake_flag\n\u{0627}\u{0644}\u{0644}\u{064a}\u{0631}\u{0629} ، ارتفعت ,1\nخبر ثان,0\n",
    );
    let path = file.to_str().unwrap();
    wd.run(&["import", path])
        .fails(1, &["unknown column \"claim_s\""]);
    wd.run(&["import", "--rename", "claim_s=text", path])
        .fails(1, &["unknown column \"fake_flag\""]);
    wd.run(&[
        "import",
        "--rename",
        "claim_s=text",
        "--rename",
        "fake_flag=",
        path,
    ])
    .fails(1, &["the header has no column claimant"]);
    wd.run(&[
        "import",
        "--rename",
        "claim=text",
        "--rename",
        "fake_flag=",
        path,
    ])
    .fails(
        1,
        &["--rename names the column \"claim\", which the header lacks"],
    );
    wd.run(&["import", "--rename", "claim_s=txt", path])
        .fails(1, &["\"txt\" is not a column"]);
    wd.run(&["import", "--default", "uid=x", path])
        .fails(1, &["--default uid"]);
    let run = wd
        .run(&[
            "import",
            "--rename",
            "claim_s=text",
            "--rename",
            "fake_flag=",
            "--default",
            "claimant=ANS",
            "--default",
            "tags=ans",
            path,
        ])
        .ok();
    assert!(run.stderr.contains("2 row(s): 2 added"), "{run:?}");
    let all = claims(&wd);
    assert_eq!(
        all[0]["text"],
        "\u{0627}\u{0644}\u{0644}\u{064a}\u{0631}\u{0629} ، ارتفعت "
    );
    assert_eq!(all[0]["claimant"], "ANS");
    assert_eq!(all[1]["tags"], serde_json::json!(["ans"]));
    wd.run(&["import", "--from", "liar", "--rename", "a=text", path])
        .fails(1, &["--rename applies to --from csv only"]);
    wd.run(&["import", "--from", "liar", "--default", "tags=x", path])
        .fails(1, &["take a default claimant only"]);
}

// ----- the real data sets in ../shared/data, when present ------------------------------------

#[test]
fn the_liar_test_split_imports_all_1283_rows() {
    let Some(file) = shared("liar/test.tsv") else {
        return;
    };
    let wd = Workdir::new();
    let path = file.to_str().unwrap();
    let run = wd.run(&["import", "--from", "liar", path]).ok();
    assert!(
        run.stderr.contains(
            "1283 record(s): claims 1283 added, 0 updated, 0 unchanged; reviews 1283 added"
        ),
        "{run:?}"
    );
    assert!(!run.stderr.contains("unmapped"), "{run:?}");
    let stats = wd.json(&["stats"]);
    assert_eq!(stats["claims"], 1283);
    // pants-fire 92 + false 250; barely-true 214 + half-true 267; mostly-true 249 + true 211.
    assert_eq!(stats["by_status"]["false"], 342);
    assert_eq!(stats["by_status"]["misleading"], 481);
    assert_eq!(stats["by_status"]["verified"], 460);
    let all = claims(&wd);
    // The unbalanced quotes did not swallow the following rows.
    assert!(all
        .iter()
        .any(|c| c["text"].as_str().unwrap().starts_with("\"As a state rep,")));
    assert!(all.iter().any(|c| c["text"]
        .as_str()
        .unwrap()
        .starts_with("\"Fifty-six percent")));
    let before = wd.export();
    let run = wd.run(&["import", "--from", "liar", path]).ok();
    assert!(
        run.stderr
            .contains("claims 0 added, 0 updated, 1283 unchanged"),
        "{run:?}"
    );
    assert_eq!(wd.export(), before);
}

#[test]
fn the_arabic_claimreview_set_imports_with_every_text_intact() {
    let Some(file) = shared("arabic-factcheck-claimreview/claim_reviews.json") else {
        return;
    };
    let source: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let records = source.as_array().unwrap();
    assert_eq!(records.len(), 1762);
    let wd = Workdir::new();
    let path = file.to_str().unwrap();
    // 99 records have no claimant: the first few are shown, the rest counted, the flag that
    // fixes them named, and nothing is written.
    let run = wd.run(&["import", "--from", "factcheck-api", path]).fails(
        1,
        &[
            "found 99 problem(s)",
            "record 20, field claimant",
            "… and 94 more record(s) with the same problem",
            "99 record(s) have no claimant: add --default claimant=NAME",
        ],
    );
    // Beside the note that a database file was created, where one was.
    let lines = run
        .stderr
        .lines()
        .filter(|l| !l.starts_with("note: created a new database"))
        .count();
    assert_eq!(lines, 7, "{run:?}");
    let run = wd
        .run(&[
            "import",
            "--from",
            "factcheck-api",
            "--default",
            "claimant=unknown",
            path,
        ])
        .ok();
    // 1,276 distinct (text, claimant) pairs; 1,293 distinct reviews on them out of 1,776.
    assert!(
        run.stderr.contains(
            "1762 record(s): claims 1276 added, 0 updated, 486 unchanged; reviews 1293 added, 0 completed, 483 duplicate(s)"
        ),
        "{run:?}"
    );
    assert!(
        run.stderr
            .contains("unmapped ratings: 40 review(s), 26 distinct"),
        "{run:?}"
    );
    let all = claims(&wd);
    assert_eq!(all.len(), 1276);
    let ids: std::collections::HashMap<(String, String), i64> = all
        .iter()
        .map(|c| {
            (
                (
                    c["text"].as_str().unwrap().to_owned(),
                    fold(c["claimant"].as_str().unwrap()),
                ),
                c["id"].as_i64().unwrap(),
            )
        })
        .collect();
    // Every claim text is there exactly as written (bidi controls, newlines, quotes, emoji).
    for r in records {
        let key = (
            r["text"].as_str().unwrap().to_owned(),
            fold(r["claimant"].as_str().unwrap_or("unknown")),
        );
        assert!(ids.contains_key(&key), "missing {key:?}");
    }
    // The 64 distinct rating texts, the tricky claims, and the longest rating, checked on `show`.
    let mut checked = std::collections::HashSet::new();
    for r in records {
        let text = r["text"].as_str().unwrap();
        let tricky = text.contains(['\u{200f}', '\u{200e}', '\u{202b}', '\u{2067}', '\n'])
            || text.chars().any(|c| c as u32 > 0xFFFF);
        let new_rating = r["claimReview"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| !checked.contains(v["textualRating"].as_str().unwrap()));
        if !tricky && !new_rating {
            continue;
        }
        let key = (
            text.to_owned(),
            fold(r["claimant"].as_str().unwrap_or("unknown")),
        );
        let detail = show(&wd, ids[&key]);
        assert_eq!(detail["text"], r["text"]);
        let stored: Vec<&Value> = detail["reviews"].as_array().unwrap().iter().collect();
        for given in r["claimReview"].as_array().unwrap() {
            let found = stored
                .iter()
                .find(|s| s["url"] == given["url"])
                .unwrap_or_else(|| panic!("review {} missing", given["url"]));
            assert_eq!(found["rating"], given["textualRating"]);
            checked.insert(given["textualRating"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(checked.len(), 64);
    assert!(checked.iter().any(|t| t.chars().count() == 3372));
    // A second import writes nothing.
    let before = wd.export();
    let run = wd
        .run(&[
            "import",
            "--from",
            "factcheck-api",
            "--default",
            "claimant=unknown",
            path,
        ])
        .ok();
    assert!(
        run.stderr
            .contains("claims 0 added, 0 updated, 1762 unchanged; reviews 0 added"),
        "{run:?}"
    );
    assert_eq!(wd.export(), before);
    // Exported as ClaimReview, every object passes the strict check, and it reads back the same.
    let args = [
        "export",
        "--format",
        "claimreview",
        "--publisher",
        "مسبار",
        "--review-url",
        "https://misbar.com/checks/{uid}",
    ];
    let exported = wd.run(&args).ok();
    let objects = exported.json();
    assert!(!objects.as_array().unwrap().is_empty());
    for o in objects.as_array().unwrap() {
        check_claim_review(o);
    }
    let copy = Workdir::new();
    let file = copy.write("all.jsonld", &exported.stdout);
    copy.run(&["import", "--from", "claimreview", file.to_str().unwrap()])
        .ok();
    assert_eq!(copy.run(&args).ok().stdout, exported.stdout);
}

#[test]
fn the_ans_arabic_csv_imports_with_renamed_columns_and_a_default_claimant() {
    let Some(file) = shared("ans-arabic-claims/test.csv") else {
        return;
    };
    let wd = Workdir::new();
    let path = file.to_str().unwrap();
    let args = [
        "import",
        "--rename",
        "claim_s=text",
        "--rename",
        "fake_flag=",
        "--default",
        "claimant=ANS corpus",
        path,
    ];
    let run = wd.run(&args).ok();
    assert!(run.stderr.contains("456 row(s): 456 added"), "{run:?}");
    let source = std::fs::read_to_string(&file).unwrap();
    let texts: Vec<&str> = source
        .lines()
        .skip(1)
        .map(|l| l.rsplit_once(',').unwrap().0)
        .collect();
    let all = claims(&wd);
    assert_eq!(all.len(), 456);
    for (claim, text) in all.iter().zip(&texts) {
        assert_eq!(
            claim["text"], *text,
            "kept exactly, spaces and diacritics too"
        );
    }
    let run = wd.run(&args).ok();
    assert!(
        run.stderr.contains("0 added, 0 updated, 456 unchanged"),
        "{run:?}"
    );
}

/// Runs claimdb with its address space capped at `limit_mb` (the shell's `ulimit -v`): an
/// allocation past the cap fails, so a command that holds the whole file cannot pass.
fn run_capped(wd: &Workdir, limit_mb: u64, args: &[&str]) -> crate::harness::Run {
    let mut cmd = std::process::Command::new("sh");
    cmd.current_dir(wd.path(""))
        .env("CLAIMDB_USER", "tester")
        .arg("-c")
        .arg(format!(
            "ulimit -v {}; db=$1; shift; exec \"$0\" --db \"$db\" \"$@\"",
            limit_mb * 1024
        ))
        .arg(env!("CARGO_BIN_EXE_claimdb"))
        .arg(wd.db())
        .args(args);
    wd.run_command(cmd, args)
}

#[test]
fn a_large_json_file_of_bad_records_is_read_in_bounded_memory_with_bounded_messages() {
    let wd = Workdir::new();
    wd.add(&["before", "--claimant", "A"]);
    let before = wd.export();
    // 8 MB of records with every field of the wrong type: some seven problems each.
    let record = r#"{"text":1,"claimant":2,"claimDate":3,"claimReview":[{"publisher":4,"url":5,"textualRating":6}]}"#;
    let n = 8_000_000 / (record.len() + 1);
    let file = wd.write("bad.json", format!("[{}]", vec![record; n].join(",")));
    let run = run_capped(
        &wd,
        160,
        &["import", "--from", "factcheck-api", file.to_str().unwrap()],
    );
    let run = run.fails(
        1,
        &[
            "bad.json record 1, field text",
            "more record(s) with the same problem",
        ],
    );
    let problems: usize = run
        .stderr
        .lines()
        .last()
        .and_then(|l| l.split("found ").nth(1))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a count of problems: {run:?}"));
    assert!(problems >= 6 * n, "{problems} problems for {n} records");
    assert!(
        run.stderr.lines().count() < 120,
        "{} lines",
        run.stderr.lines().count()
    );
    assert_eq!(wd.export(), before);
    // A wrong value is quoted in part, however large.
    let big = format!(
        r#"[{{"text":"t","claimant":"c","claimReview":{{"x":"{}"}}}}]"#,
        "y".repeat(100_000)
    );
    let file = wd.write("big.json", big);
    let run = wd
        .run(&["import", "--from", "factcheck-api", file.to_str().unwrap()])
        .fails(
            1,
            &["expected an array, found {\"x\":\"yyy", "(100008 bytes)"],
        );
    assert!(run.stderr.len() < 1000, "{run:?}");
}
