use crate::harness::Workdir;

#[test]
fn aliases_resolve_everywhere_a_source_name_is_taken() {
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
    wd.run(&["source", "alias", "state dept", "U.S. Department of State"])
        .ok();
    wd.add(&[
        "10 ملايين دولار شهرياً",
        "--claimant",
        "U.S. Department of State",
    ]);
    wd.add(&["y", "--claimant", "CSIS", "--supported-by", "STATE DEPT"]);
    let sources = wd.json(&["source", "list"]);
    let state = sources
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "US State Department")
        .unwrap();
    assert_eq!(state["kind"], "government");
    assert_eq!(
        state["aliases"],
        serde_json::json!(["State Dept", "U.S. Department of State"])
    );
    assert_eq!(
        (state["claims"].as_i64(), state["supports"].as_i64()),
        (Some(1), Some(1))
    );
    let one = wd
        .run(&[
            "source",
            "show",
            "u.s. department of state",
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(one[0]["name"], "US State Department");
}

#[test]
fn names_and_aliases_stay_unique_and_kinds_are_checked() {
    let wd = Workdir::new();
    wd.run(&["source", "add", "CSIS", "--kind", "think_tank"])
        .ok();
    wd.run(&["source", "add", "csis"])
        .fails(1, &["already exists"]);
    wd.run(&["source", "add", "HRW", "--alias", "CSIS"])
        .fails(1, &["already names the source \"CSIS\""]);
    assert_eq!(wd.json(&["source", "list"]).as_array().unwrap().len(), 1);
    wd.run(&["source", "add", "X", "--kind", "thinktank"])
        .fails(2, &["think_tank"]);
    wd.run(&["source", "alias", "Nobody", "N"])
        .fails(1, &["does not exist"]);
    wd.run(&["source", "edit", "csis", "--kind", "media"]).ok();
    assert_eq!(wd.json(&["source", "show", "CSIS"])[0]["kind"], "media");
}

#[test]
fn invisible_characters_do_not_make_a_second_source_and_look_alikes_are_warned_about() {
    let wd = Workdir::new();
    wd.add(&["a", "--claimant", "Human Rights Watch"]);
    // LRM, ZWSP, RLO … PDF, and an isolate pair: prints like the name above.
    let hidden = "\u{200E}Human\u{200B} Rights \u{202E}Watch\u{202C}\u{2066}\u{2069}";
    wd.add(&["b", "--claimant", hidden]);
    let sources = wd.json(&["source", "list"]);
    assert_eq!(sources.as_array().unwrap().len(), 1, "{sources}");
    let found = wd.json(&["list", "--source", "Human Rights Watch"]);
    assert_eq!(found.as_array().unwrap().len(), 2);
    // A Cyrillic а in a Latin word: a new source, with a warning naming the word.
    let run = wd
        .run(&["add", "c", "--claimant", "Humаn Rights Watch"])
        .ok();
    assert!(
        run.stderr.contains("mixes scripts in the word \"Humаn\""),
        "{run:?}"
    );
    let run = wd
        .run(&["add", "d", "--claimant", "وزارة الدفاع Ministry"])
        .ok();
    assert!(!run.stderr.contains("mixes scripts"), "{run:?}");
    // Text or a name made only of invisible characters is empty.
    let before = wd.export();
    wd.run(&[
        "add",
        "\u{200B}\u{200E} \u{2066}\u{2069}",
        "--claimant",
        "A",
    ])
    .fails(1, &["must not be empty", "invisible characters"]);
    wd.run(&["add", "x", "--claimant", "\u{200F}\u{FEFF}"])
        .fails(1, &["must not be empty"]);
    let file = wd.write("blank.csv", "text,claimant\n\u{200B}\u{200C},A\n");
    wd.run(&["import", file.to_str().unwrap()])
        .fails(1, &["blank.csv line 2, column text", "must not be empty"]);
    assert_eq!(wd.export(), before);
}

#[test]
fn every_way_of_creating_a_source_warns_of_look_alikes_and_near_names_even_when_quiet() {
    let wd = Workdir::new();
    wd.add(&["a", "--claimant", "Human Rights Watch"]);
    let did_you_mean = "did you mean \"Human Rights Watch\"";
    // A Cyrillic а: a look-alike, and one letter away; both warnings, each said once.
    let run = wd
        .run(&["--quiet", "add", "b", "--claimant", "Humаn Rights Watch"])
        .ok();
    assert!(
        run.stderr
            .contains("warning: the new source \"Humаn Rights Watch\" mixes scripts"),
        "{run:?}"
    );
    assert!(
        run.stderr
            .contains("warning: the new source \"Humаn Rights Watch\" is one letter"),
        "{run:?}"
    );
    assert!(run.stderr.contains(did_you_mean), "{run:?}");
    assert!(!run.stderr.contains("warning: warning"), "{run:?}");
    // source add, claims import and review import warn the same way.
    let run = wd
        .run(&[
            "--quiet",
            "source",
            "add",
            "Human Rights Wach",
            "--kind",
            "ngo",
        ])
        .ok();
    assert!(run.stderr.contains(did_you_mean), "{run:?}");
    let claims = wd.write("claims.csv", "text,claimant\nc,Human Right Watch\n");
    let run = wd
        .run(&["--quiet", "import", claims.to_str().unwrap()])
        .ok();
    assert!(run.stderr.contains(did_you_mean), "{run:?}");
    let reviews = wd.write(
        "reviews.json",
        r#"[{"text": "d", "claimant": "Humann Rights Watch",
             "claimReview": [{"publisher": {"name": "P"}, "textualRating": "false"}]}]"#,
    );
    let run = wd
        .run(&[
            "--quiet",
            "import",
            "--from",
            "factcheck-api",
            reviews.to_str().unwrap(),
        ])
        .ok();
    assert!(run.stderr.contains(did_you_mean), "{run:?}");
}

#[test]
fn writers_making_the_same_new_source_at_once_all_succeed_and_share_it() {
    let wd = Workdir::new();
    let rounds = 5;
    let writers = 6;
    for round in 0..rounds {
        std::thread::scope(|s| {
            for writer in 0..writers {
                let wd = &wd;
                s.spawn(move || {
                    let text = format!("claim {round}.{writer} about the airfield");
                    let claimant = format!("New claimant {round}");
                    let supporter = format!("New supporter {round}");
                    wd.run(&[
                        "add",
                        &text,
                        "--claimant",
                        &claimant,
                        "--supported-by",
                        &supporter,
                    ])
                    .ok();
                });
            }
        });
    }
    let sources = wd.json(&["source", "list"]);
    let sources = sources.as_array().unwrap();
    assert_eq!(sources.len(), 2 * rounds, "{sources:#?}");
    for source in sources {
        let name = source["name"].as_str().unwrap();
        let (claims, supports) = if name.starts_with("New claimant") {
            (writers, 0)
        } else {
            (0, writers)
        };
        assert_eq!(
            (source["claims"].as_u64(), source["supports"].as_u64()),
            (Some(claims), Some(supports)),
            "{source}"
        );
    }
}

#[test]
fn the_same_source_or_alias_added_by_several_people_at_once_is_made_once() {
    let wd = Workdir::new();
    wd.run(&["source", "add", "Reuters"]).ok();
    let writers = 6;
    let (sources, aliases): (Vec<_>, Vec<_>) = std::thread::scope(|s| {
        let sources: Vec<_> = (0..writers)
            .map(|_| s.spawn(|| wd.run(&["source", "add", "Agence France-Presse"])))
            .collect();
        let aliases: Vec<_> = (0..writers)
            .map(|_| s.spawn(|| wd.run(&["source", "alias", "Reuters", "رويترز"])))
            .collect();
        (
            sources.into_iter().map(|t| t.join().unwrap()).collect(),
            aliases.into_iter().map(|t| t.join().unwrap()).collect(),
        )
    });
    let (made, refused): (Vec<_>, Vec<_>) = sources.into_iter().partition(|run| run.code == 0);
    assert_eq!(made.len(), 1, "{made:?}");
    for run in refused {
        run.fails(1, &["source \"Agence France-Presse\" already exists"]);
    }
    let named: Vec<_> = aliases.into_iter().map(|run| run.ok().stderr).collect();
    let first = named.iter().filter(|e| e.contains("now names")).count();
    let again = named.iter().filter(|e| e.contains("already named")).count();
    assert_eq!((first, again), (1, writers - 1), "{named:?}");
    let sources = wd.json(&["source", "list"]);
    assert_eq!(sources.as_array().unwrap().len(), 2, "{sources:#}");
    assert_eq!(sources[1]["aliases"], serde_json::json!(["رويترز"]));
}

/// The seed's sources file gives the article's own names as aliases: an Arabic query finds the
/// claims of a source stored under its English name, through its claimant as well as its text.
#[test]
fn the_seed_sources_file_gives_the_articles_arabic_names_and_kinds() {
    let wd = Workdir::new();
    let sources = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sources.csv");
    let sources = sources.to_str().unwrap();
    wd.run(&["source", "import", sources])
        .ok()
        .stderr_has(&["added"]);
    wd.import_seed();
    // Again: nothing changes.
    wd.run(&["source", "import", sources])
        .ok()
        .stderr_has(&["0 source(s) were added, 0 changed"]);
    let listed = wd.json(&["source", "list"]);
    let hrw = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Human Rights Watch")
        .unwrap();
    assert_eq!(hrw["kind"], "ngo");
    assert!(hrw["aliases"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("هيومن رايتس ووتش")));
    // Every claimant of the seed is in the sources file, so the file creates no source the
    // claims did not already name, and the claims name none the file lacks.
    let claimants: std::collections::BTreeSet<String> = wd
        .json(&["list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["claimant"].as_str().unwrap().to_owned())
        .collect();
    let names: std::collections::BTreeSet<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(claimants.is_subset(&names), "{claimants:?} {names:?}");
    // An Arabic name finds the claims of the ministry stored as "Russian Foreign Ministry",
    // whether or not their text spells it out.
    let found = wd.json(&["search", "وزارة الخارجية الروسية", "--limit", "100"]);
    let by_ministry = wd.json(&["list", "--source", "Russian Foreign Ministry"]);
    for claim in by_ministry.as_array().unwrap() {
        assert!(
            found
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["id"] == claim["id"]),
            "claim {} of the ministry not found by its Arabic name",
            claim["id"]
        );
    }
}

/// A sources file applies in one transaction: a listing imports back, kinds and aliases are
/// added (never removed), and a bad row leaves everything as it was, naming its line.
#[test]
fn a_sources_file_imports_all_or_nothing_and_a_listing_imports_back() {
    let wd = Workdir::new();
    wd.run(&[
        "source",
        "add",
        "CSIS",
        "--alias",
        "Center for Strategic and International Studies",
    ])
    .ok();
    wd.run(&["source", "add", "HRW"]).ok();
    let file = wd.write(
        "desk.csv",
        "name,kind,aliases\n\
         csis,think_tank,مركز الدراسات الاستراتيجية والدولية\n\
         Malian army,military,الجيش المالي;FAMa\n",
    );
    wd.run(&["source", "import", file.to_str().unwrap(), "--dry-run"])
        .ok()
        .stderr_has(&[
            "1 source(s) would be added, 1 changed",
            "nothing was written",
        ]);
    assert_eq!(wd.json(&["source", "list"]).as_array().unwrap().len(), 2);
    wd.run(&["source", "import", file.to_str().unwrap()])
        .ok()
        .stderr_has(&["1 source(s) were added, 1 changed, 0 unchanged"]);
    let before = wd.run(&["source", "list", "--format", "csv"]).ok().stdout;
    assert!(
        before.contains("CSIS,think_tank,Center for Strategic and International Studies;مركز الدراسات الاستراتيجية والدولية,"),
        "{before}"
    );
    // An alias that already names another source, and a bad kind: both reported, nothing written.
    let bad = wd.write(
        "bad.csv",
        "name,kind,aliases\nNew body,ngo,\nHRW,ngo,FAMa\nCSIS,thinktank,\n",
    );
    wd.run(&["source", "import", bad.to_str().unwrap()])
        .fails(1, &["bad.csv line 4: column kind", "nothing was written"]);
    let bad = wd.write(
        "bad2.csv",
        "name,kind,aliases\nNew body,ngo,\nHRW,ngo,FAMa\n",
    );
    wd.run(&["source", "import", bad.to_str().unwrap()]).fails(
        1,
        &[
            "bad2.csv line 3",
            "FAMa",
            "Malian army",
            "nothing was written",
        ],
    );
    assert_eq!(
        wd.run(&["source", "list", "--format", "csv"]).ok().stdout,
        before
    );
    // The listing, counts and all, imports back into another database unchanged.
    let listing = wd.write("listing.csv", &before);
    let other = Workdir::new();
    other
        .run(&["source", "import", listing.to_str().unwrap()])
        .ok();
    assert_eq!(
        other
            .run(&["source", "list", "--format", "csv"])
            .ok()
            .stdout,
        before
    );
}
