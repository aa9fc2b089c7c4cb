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

/// The seed's claims by a distinctive piece of their text, so that the table below does not
/// depend on the order of the seed file.
fn seed_ids(wd: &Workdir) -> impl Fn(&str) -> i64 {
    let claims: Vec<(i64, String)> = wd
        .json(&["list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_i64().unwrap(),
                c["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    move |fragment: &str| {
        let matching: Vec<i64> = claims
            .iter()
            .filter(|(_, text)| text.contains(fragment))
            .map(|(id, _)| *id)
            .collect();
        assert_eq!(matching.len(), 1, "{fragment:?} should name one seed claim");
        matching[0]
    }
}

/// What a journalist types, and which seed claims it must and must not find. `first` claims must
/// come before every other claim found (the exact form ranks first).
struct Case {
    query: &'static str,
    first: &'static [&'static str],
    found: &'static [&'static str],
    not_found: &'static [&'static str],
}

const SEED_CASES: &[Case] = &[
    // Attached letters: ب، ل، و taken off the stored word, the exact form first.
    Case {
        query: "مورا",
        first: &[
            "ارتكبها الجيش المالي",
            "عرقلت روسيا السبت",
            "آخرها في بلدة مورا",
        ],
        found: &["رجل روسي شاركوا"],
        not_found: &["موزمبيق"],
    },
    Case {
        query: "مجلس",
        first: &["لتعليق عضوية روسيا"],
        found: &["عرقلت روسيا السبت"],
        not_found: &[],
    },
    Case {
        query: "أوكرانيا",
        first: &["ساديو كامارا"],
        found: &["دان الغزو الروسي"],
        not_found: &[],
    },
    Case {
        query: "تدريب",
        first: &[],
        found: &["بتدريب قوات الجيش", "و9 ضباط"],
        not_found: &[],
    },
    Case {
        query: "عبوة",
        first: &[],
        found: &["بعبوة ناسفة"],
        not_found: &["ألف من مقاتلي"],
    },
    Case {
        query: "قاعدة",
        first: &["أخرى وصلت على متن", "جنوب غربي القاعدة", "التابعة لتنظيم"],
        found: &["لقاعدة عمليات"],
        not_found: &[],
    },
    Case {
        query: "مالي",
        first: &[],
        found: &["عرقلت روسيا السبت", "شمل أيضاً وسط مالي"],
        not_found: &[],
    },
    Case {
        query: "9",
        first: &[],
        found: &["و9 ضباط"],
        not_found: &["ألف من مقاتلي"],
    },
    // Numbers: in the words (exact or behind an attached letter) and in the figures, where a
    // claim that writes the number out (نحو ألف) or gives a range (مئات) holds it too.
    Case {
        query: "1000",
        first: &[],
        found: &["ألف من مقاتلي", "لا يتجاوز 1000"],
        not_found: &["و9 ضباط"],
    },
    Case {
        query: "450",
        first: &[],
        found: &["ارتكبها الجيش المالي"],
        not_found: &["عرقلت روسيا السبت"],
    },
    Case {
        query: "1000 فاجنر",
        first: &[],
        found: &["ألف من مقاتلي"],
        not_found: &["لا يتجاوز 1000"],
    },
    // The same stripping on the query word.
    Case {
        query: "وقوات",
        first: &[],
        found: &["بتدريب قوات الجيش", "بدأت قوات"],
        not_found: &["ألف من مقاتلي"],
    },
    Case {
        query: "لباماكو",
        first: &[],
        found: &["أقمار اصطناعية"],
        not_found: &["يتمركزون في بلدة"],
    },
    // Exclusion uses the same forms.
    Case {
        query: "روسيا -أوكرانيا",
        first: &[],
        found: &["عرقلت روسيا السبت"],
        not_found: &["دان الغزو الروسي", "ساديو كامارا"],
    },
    // Name spellings, after exact matches.
    Case {
        query: "فاغنر",
        first: &[],
        found: &["يتمركزون في بلدة", "ألف من مقاتلي"],
        not_found: &["عرقلت روسيا السبت"],
    },
    Case {
        query: "سيغو",
        first: &[],
        found: &["يتمركزون في بلدة"],
        not_found: &["ألف من مقاتلي"],
    },
    Case {
        query: "باندياغارا",
        first: &[],
        found: &["بعبوة ناسفة"],
        not_found: &["يتمركزون في بلدة"],
    },
    Case {
        query: "تومبوكتو",
        first: &[],
        found: &["في مدينة تمبكتو"],
        not_found: &["والتي سلمتها القوات"],
    },
    Case {
        query: "كمارا",
        first: &[],
        found: &["ساديو كامارا"],
        not_found: &["وناقش القائدان"],
    },
    Case {
        query: "الأمريكية",
        first: &[],
        found: &["الخارجية الأميركية", "لقاعدة عمليات"],
        not_found: &["عرقلت روسيا السبت"],
    },
    Case {
        query: "باماكو",
        first: &[],
        found: &["وسبق لبامكو"],
        not_found: &["يتمركزون في بلدة"],
    },
    // Word forms, after exact matches.
    Case {
        query: "مروحية",
        first: &[],
        found: &["مروحيتين", "أربع مروحيات", "مروحيات قتالية"],
        not_found: &["يتمركزون في بلدة"],
    },
    Case {
        query: "helicopter",
        first: &[],
        found: &["مروحيتين", "أربع مروحيات", "مروحيات قتالية"],
        not_found: &["بتدريب قوات الجيش"],
    },
    Case {
        query: "تدريبات",
        first: &["و9 ضباط"],
        found: &["بتدريب قوات الجيش"],
        not_found: &["ساديو كامارا"],
    },
    // Broken plurals are not word forms for the stemmer; the name key happens to join جندي and
    // جنود (both جند), as its weakest match, after the exact one.
    Case {
        query: "جندي",
        first: &["و9 ضباط"],
        found: &["شهود عيان عن جنود"],
        not_found: &["ألف من مقاتلي"],
    },
];

#[test]
fn the_seed_answers_what_a_journalist_types() {
    let wd = Workdir::new();
    wd.import_seed();
    let id = seed_ids(&wd);
    let mut failures = Vec::new();
    for case in SEED_CASES {
        let found = ids(&wd
            .run(&["search", case.query, "--limit", "100", "--format", "json"])
            .ok());
        let first: Vec<i64> = case.first.iter().map(|f| id(f)).collect();
        for fragment in case.first.iter().chain(case.found) {
            if !found.contains(&id(fragment)) {
                failures.push(format!("{}: should find {fragment:?}", case.query));
            }
        }
        for fragment in case.not_found {
            if found.contains(&id(fragment)) {
                failures.push(format!("{}: should not find {fragment:?}", case.query));
            }
        }
        if !first.is_empty() {
            let mut top = found[..first.len().min(found.len())].to_vec();
            top.sort();
            let mut expected = first.clone();
            expected.sort();
            if top != expected {
                failures.push(format!(
                    "{}: {:?} should come first",
                    case.query, case.first
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn attached_letters_rank_after_the_exact_word_and_never_make_a_short_common_word() {
    let wd = Workdir::new();
    wd.add(&["مجزرة بمورا", "--claimant", "A"]); // 1
    wd.add(&["مجزرة في مورا", "--claimant", "A"]); // 2
    wd.add(&["الرقم فعلي وليس تقديراً", "--claimant", "A"]); // 3
    wd.add(&["وصلت على متن طائرة", "--claimant", "A"]); // 4
    wd.add(&["وفلمورا شيء آخر", "--claimant", "A"]); // 5: no such prefix as وفل
    assert_eq!(search(&wd, "مورا"), [2, 1]);
    assert_eq!(search(&wd, "بمورا"), [1, 2]);
    // list --search ranks the same way, and its --limit counts across the kinds of match.
    let listed = |extra: &[&str]| {
        let mut args = vec!["list", "--search", "مورا", "--format", "json"];
        args.extend_from_slice(extra);
        ids(&wd.run(&args).ok())
    };
    assert_eq!(listed(&[]), [2, 1]);
    assert_eq!(listed(&["--limit", "1"]), [2]);
    // Even when the exact word is so common that bm25 gives it almost no weight and the
    // attached form is rare.
    for _ in 0..4 {
        wd.add(&["مورا", "--claimant", "A"]);
    }
    for found in [search(&wd, "مورا"), listed(&[])] {
        assert_eq!(found.len(), 6, "{found:?}");
        assert_eq!(found[5], 1, "{found:?}");
    }
    // فعلي ("actual") is not ف + على.
    assert_eq!(search(&wd, "على"), [4]);
    assert_eq!(search(&wd, "فعلي"), [3]);
    // Exclusion takes the same forms off.
    assert_eq!(search(&wd, "مجزرة -مورا"), Vec::<i64>::new());
    assert_eq!(search(&wd, "مجزرة -بمورا"), Vec::<i64>::new());
}

#[test]
fn a_claim_is_found_through_any_name_of_its_claimant_or_of_its_sources() {
    let wd = Workdir::new();
    wd.add(&[
        "Moscow denies any role",
        "--claimant",
        "Russian Foreign Ministry",
    ]); // 1
    wd.add(&[
        "Instructors, not mercenaries",
        "--claimant",
        "Malian government",
    ]); // 2
    wd.add(&["Nothing about Russia", "--claimant", "AFP"]); // 3
    wd.run(&["cite", "2", "Russian Foreign Ministry", "--supports"])
        .ok();
    let query = "وزارة الخارجية الروسية";
    assert!(search(&wd, query).is_empty());
    // An alias added later reaches every claim of the source, as claimant or as a stance.
    wd.run(&["source", "alias", "Russian Foreign Ministry", query])
        .ok();
    let mut found = search(&wd, query);
    found.sort();
    assert_eq!(found, [1, 2]);
    assert_eq!(search(&wd, "الخارجية الروسية mercenaries"), [2]);
    // A claim that gains a stance later is found through that source too.
    wd.run(&["cite", "3", "Russian Foreign Ministry", "--disputes"])
        .ok();
    let mut found = search(&wd, "الخارجية");
    found.sort();
    assert_eq!(found, [1, 2, 3]);
    // The claimant's own names still match, and words of the claim still rank first.
    assert_eq!(search(&wd, "AFP"), [3]);
}

#[test]
fn an_index_built_by_older_folding_rules_is_rebuilt_on_open() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Workdir::new();
    wd.add(&["مجزرة بمورا", "--claimant", "A"]);
    assert_eq!(search(&wd, "مورا"), [1]);
    // What an older claimdb left: exact words only, and its own folding version.
    {
        let conn = rusqlite::Connection::open(wd.db()).unwrap();
        conn.execute_batch(
            "INSERT INTO claim_search (claim_search) VALUES ('delete-all');
             INSERT INTO claim_search (rowid, text, sources) VALUES (1, 'مجزره بمورا', 'a');
             UPDATE search_folding SET version = 1;",
        )
        .unwrap();
    }
    // Opening rebuilds it with the current rules: the bare form is found again.
    assert_eq!(search(&wd, "مورا"), [1]);
    let conn = rusqlite::Connection::open(wd.db()).unwrap();
    let version: i64 = conn
        .query_row("SELECT version FROM search_folding", [], |r| r.get(0))
        .unwrap();
    assert!(version > 1);
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM claim_search", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 1);
}

#[test]
fn a_read_only_database_with_an_older_index_says_so_when_searched() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let wd = Workdir::new();
    wd.add(&["مجزرة بمورا", "--claimant", "A"]);
    let note = "built by another version of claimdb's folding rules";
    assert!(!wd.run(&["search", "مورا"]).ok().stderr.contains(note));
    rusqlite::Connection::open(wd.db())
        .unwrap()
        .execute("UPDATE search_folding SET version = 1", [])
        .unwrap();
    std::fs::set_permissions(wd.db(), std::fs::Permissions::from_mode(0o444)).unwrap();
    let run = wd.run(&["search", "مورا"]).ok();
    assert!(run.stderr.contains(note), "{run:?}");
    std::fs::set_permissions(wd.db(), std::fs::Permissions::from_mode(0o644)).unwrap();
    // With write access, the index is rebuilt and the note goes.
    let run = wd.run(&["search", "مورا"]).ok();
    assert!(!run.stderr.contains(note), "{run:?}");
}

/// The ids a search finds, in id order.
fn found(wd: &Workdir, query: &str) -> Vec<i64> {
    let mut ids = search(wd, query);
    ids.sort_unstable();
    ids
}

/// An import into a database that already holds claims brings the search index up to date once,
/// at its end, for the claims it added, changed or cited: it finds what a full build of the index
/// finds. An import that fails or is only tried leaves the index kept row by row, as before.
#[test]
fn an_import_into_a_database_with_claims_indexes_what_it_added_changed_and_cited() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Workdir::new();
    let first = wd.write(
        "first.csv",
        "text,claimant,location,tags\n\
         \"About 1,000 Wagner fighters are deployed in Mali\",Western officials,Mali,wagner\n\
         203 militants were neutralised in Moura,Malian army,\"Moura, Mali\",moura\n\
         Hundreds of civilians were executed in Moura,Human Rights Watch,\"Moura, Mali\",moura\n\
         قتل 300 مدني في مورا,هيومن رايتس ووتش,مورا,moura\n",
    );
    wd.run(&["import", first.to_str().unwrap()]).ok();
    let triggers = "SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name";
    let stored_triggers = wd.sql_rows(triggers);
    // Claim 2 gains a disputing source and a note; claim 1 a supporting source; two are new.
    let second = wd.write(
        "second.csv",
        "text,claimant,supported_by,disputed_by,location,tags,note\n\
         203 militants were neutralised in Moura,Malian army,,Amnesty,\"Moura, Mali\",moura,\
         witnesses disagree\n\
         \"About 1,000 Wagner fighters are deployed in Mali\",Western officials,CSIS,,Mali,wagner,\n\
         Wagner is paid US$10 million a month,US State Department,,Kremlin,Mali,wagner,\n\
         مرتزقة فاغنر في باماكو,الجيش المالي,,Amnesty,باماكو,wagner,\n",
    );
    wd.run(&["import", second.to_str().unwrap()]).ok();
    assert_eq!(found(&wd, "Amnesty"), [2, 6]);
    assert_eq!(found(&wd, "witnesses"), [2]);
    assert_eq!(found(&wd, "CSIS"), [1]);
    assert_eq!(found(&wd, "Kremlin"), [5]);
    assert_eq!(found(&wd, "باماكو"), [6]);
    let queries = [
        "wagner",
        "Moura",
        "مورا",
        "Mali",
        "militants",
        "Amnesty",
        "Western",
        "month",
    ];
    let incremental: Vec<Vec<i64>> = queries.iter().map(|q| found(&wd, q)).collect();
    assert_eq!(wd.sql_rows(triggers), stored_triggers);

    // A full build of the index (as after an upgrade of the folding) finds the same claims.
    wd.execute_sql("UPDATE search_folding SET version = 1");
    let full: Vec<Vec<i64>> = queries.iter().map(|q| found(&wd, q)).collect();
    assert_eq!(incremental, full);

    // A failed import and a dry run leave the row-by-row triggers in place.
    let bad = wd.write(
        "bad.csv",
        "text,claimant,disputed_by,status\n\
         Claim seven about Timbuktu,Reuters,Amnesty,unverified\n\
         Claim eight,Reuters,,no-such-status\n",
    );
    wd.run(&["import", bad.to_str().unwrap()])
        .fails(1, &["no-such-status"]);
    let tried = wd.write(
        "tried.csv",
        "text,claimant,disputed_by\nClaim seven about Timbuktu,Reuters,Amnesty\n",
    );
    wd.run(&["import", "--dry-run", tried.to_str().unwrap()])
        .ok();
    assert_eq!(wd.sql_rows(triggers), stored_triggers);
    assert_eq!(found(&wd, "Timbuktu"), Vec::<i64>::new());
    let id = wd.add(&["Fighters seen near Timbuktu", "--claimant", "Reuters"]);
    assert_eq!(found(&wd, "Timbuktu"), [id]);
}
