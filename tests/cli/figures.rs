//! Figures: several per claim, entered as syntax or as written, kept exactly through CSV.

use crate::harness::Workdir;

const THREE: [&str; 3] = [
    "~200 soldiers [نحو 200 جندي]",
    "9 police officers [9 من عناصر الشرطة]",
    "<=1000 personnel [لا يتجاوز ألف عنصر]",
];

fn add_three(wd: &Workdir) -> i64 {
    wd.add(&[
        "نحو 200 جندي و9 من عناصر الشرطة، ولا يتجاوز ألف عنصر",
        "--claimant",
        "AFP",
        "--figure",
        THREE[0],
        "--figure",
        THREE[1],
        "--figure",
        THREE[2],
    ])
}

#[test]
fn a_claim_with_three_figures_survives_export_and_import_byte_for_byte() {
    let wd = Workdir::new();
    add_three(&wd);
    let exported = wd.export();
    assert!(
        exported.contains(&THREE.join("; ")),
        "the figures column holds all three: {exported}"
    );
    let file = wd.write("out.csv", &exported);
    let other = Workdir::new();
    other.run(&["import", file.to_str().unwrap()]).ok();
    assert_eq!(other.export(), exported);
    let figures = other.json(&["show", "1"])["figures"].clone();
    assert_eq!(
        figures,
        serde_json::json!([
            {"low": 200.0, "high": 200.0, "unit": "soldiers", "qualifier": "approx",
             "words": "نحو 200 جندي"},
            {"low": 9.0, "high": 9.0, "unit": "police officers", "qualifier": "exact",
             "words": "9 من عناصر الشرطة"},
            {"low": 1000.0, "high": 1000.0, "unit": "personnel", "qualifier": "at_most",
             "words": "لا يتجاوز ألف عنصر"},
        ])
    );
    let listed = other.json(&["list"]);
    assert_eq!(listed[0]["figures"], figures, "list carries them too");
}

#[test]
fn tables_show_every_figure_compactly() {
    let wd = Workdir::new();
    add_three(&wd);
    let run = wd.run(&["--wide", "list"]).ok();
    assert!(
        run.stdout
            .contains("≈ 200 soldiers; 9 police officers; ≤ 1000 personnel"),
        "{run:?}"
    );
}

#[test]
fn figures_are_read_as_written_and_keep_their_words() {
    let wd = Workdir::new();
    wd.add(&[
        "x",
        "--claimant",
        "A",
        "--figure",
        "نحو ألف من مقاتلي فاجنر",
        "--figure",
        "مئات المدنيين",
        "--figure",
        "more than 500 dead",
        "--figure",
        "مروحيتين",
    ]);
    let figures = wd.json(&["show", "1"])["figures"].clone();
    let read: Vec<(f64, f64, &str, &str, &str)> = figures
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["low"].as_f64().unwrap(),
                f["high"].as_f64().unwrap(),
                f["qualifier"].as_str().unwrap(),
                f["unit"].as_str().unwrap(),
                f["words"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            (
                1000.0,
                1000.0,
                "approx",
                "مقاتلي فاجنر",
                "نحو ألف من مقاتلي فاجنر"
            ),
            (200.0, 999.0, "exact", "المدنيين", "مئات المدنيين"),
            (500.0, 500.0, "more_than", "dead", "more than 500 dead"),
            (2.0, 2.0, "exact", "مروحية", "مروحيتين"),
        ]
    );
    wd.run(&["add", "y", "--claimant", "A", "--figure", "soldiers"])
        .fails(2, &["\"soldiers\" is not a figure", "~1000 fighters"]);
}

#[test]
fn edit_adds_and_removes_figures_by_position_or_text_with_history() {
    let wd = Workdir::new();
    add_three(&wd);
    wd.run(&[
        "edit",
        "1",
        "--remove-figure",
        "2",
        "--reason",
        "not the same count",
    ])
    .ok();
    wd.run(&["edit", "1", "--remove-figure", "<=1000 personnel"])
        .ok();
    wd.run(&["edit", "1", "--figure", "2 helicopters"]).ok();
    let claim = wd.json(&["show", "1"]);
    let texts: Vec<(f64, &str)> = claim["figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["low"].as_f64().unwrap(), f["unit"].as_str().unwrap()))
        .collect();
    assert_eq!(texts, [(200.0, "soldiers"), (2.0, "helicopters")]);
    assert_eq!(claim["version"], 4, "each change bumps the version");
    let changes: Vec<(String, String, String)> = wd
        .history(1)
        .iter()
        .filter(|e| e["field"] == "figures")
        .map(|e| {
            (
                e["old_value"].as_str().unwrap().to_owned(),
                e["new_value"].as_str().unwrap().to_owned(),
                e["note"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(changes.len(), 3);
    assert_eq!(changes[0].0, THREE.join("; "));
    assert_eq!(changes[0].1, format!("{}; {}", THREE[0], THREE[2]));
    assert_eq!(changes[0].2, "not the same count");
    assert_eq!(changes[2].1, "~200 soldiers [نحو 200 جندي]; 2 helicopters");
    let before = wd.export();
    wd.run(&["edit", "1", "--remove-figure", "7"])
        .fails(1, &["1: ~200 soldiers", "2: 2 helicopters"]);
    assert_eq!(wd.export(), before, "nothing was written");
}

#[test]
fn older_files_with_value_unit_and_qualifier_import_as_one_figure() {
    let wd = Workdir::new();
    let file = wd.write(
        "old.csv",
        "text,claimant,value,unit,qualifier\n\
         نحو ألف,Western estimates,1000,fighters,approx\n\
         none,A,,,\n",
    );
    wd.run(&["import", file.to_str().unwrap()]).ok();
    let claims = wd.json(&["list"]);
    assert_eq!(
        claims[0]["figures"],
        serde_json::json!([{"low": 1000.0, "high": 1000.0, "unit": "fighters",
                            "qualifier": "approx", "words": null}])
    );
    assert_eq!(claims[1]["figures"], serde_json::json!([]));
    let export = wd.export();
    assert!(export
        .lines()
        .next()
        .unwrap()
        .contains(",status,figures,location,"));
    assert!(export.contains(",~1000 fighters,"), "{export}");
    let both = wd.write("both.csv", "text,claimant,figures,value\nx,A,5,5\n");
    wd.run(&["import", both.to_str().unwrap()])
        .fails(1, &["both.csv line 1", "figures replaces those three"]);
    let bad = wd.write(
        "bad.csv",
        "text,claimant,figures\nx,A,~200 soldiers; lots\n",
    );
    wd.run(&["import", bad.to_str().unwrap()]).fails(
        1,
        &["bad.csv line 2, column figures: \"lots\" is not a figure"],
    );
}

#[test]
fn a_number_finds_the_claims_whose_figures_hold_it_as_well_as_the_words() {
    let wd = Workdir::new();
    wd.add(&[
        "تشير تقديرات غربية إلى انتشار نحو ألف من مقاتلي فاجنر في مالي",
        "--claimant",
        "Western reports",
        "--figure",
        "نحو ألف من مقاتلي فاجنر",
    ]);
    wd.add(&[
        "قتل مئات المدنيين",
        "--claimant",
        "A",
        "--figure",
        "مئات المدنيين",
    ]);
    wd.add(&["The army said 1000 men left", "--claimant", "B"]);
    wd.add(&["Nothing numeric about Wagner", "--claimant", "C"]);
    let ids = |query: &str| -> Vec<i64> {
        let mut found: Vec<i64> = wd
            .json(&["search", query])
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_i64().unwrap())
            .collect();
        found.sort_unstable();
        found
    };
    assert_eq!(ids("1000"), [1, 3], "ألف as a figure, 1000 as a word");
    assert_eq!(
        ids("١٠٠٠"),
        [1, 3],
        "Arabic-Indic digits are the same number"
    );
    assert_eq!(ids("450"), [2], "within the range of مئات");
    assert_eq!(ids("1000 فاجنر"), [1], "with words, all must match");
    assert_eq!(ids("1000 -army"), [1]);
    assert_eq!(ids("7"), Vec::<i64>::new());
    let hit = &wd.json(&["search", "450"])[0];
    assert_eq!(
        (hit["matched"].as_str(), hit["snippet"].as_str()),
        (Some("figures"), Some("[200-999 المدنيين] (مئات المدنيين)"))
    );
    let listed: Vec<i64> = wd
        .json(&["list", "--search", "1000"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, [1, 3]);
    // Beside words, list ranks by the words and keeps the number as a condition, with every
    // other filter; export takes the same query.
    let listed = |args: &[&str]| -> Vec<i64> {
        wd.json(args)
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(listed(&["list", "--search", "1000 فاجنر"]), [1]);
    assert_eq!(
        listed(&["list", "--search", "450 المدنيين", "--source", "A"]),
        [2]
    );
    assert_eq!(listed(&["list", "--search", "1000 army"]), [3]);
    assert_eq!(listed(&["list", "--search", "1000 -army"]), [1]);
    let csv = wd
        .run(&["export", "--search", "1000 فاجنر", "--format", "csv"])
        .ok()
        .stdout;
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.contains("نحو ألف من مقاتلي فاجنر"), "{csv}");
    let figures = &wd.json(&["list", "--search", "1000 فاجنر"])[0]["figures"];
    assert_eq!(figures.as_array().map(Vec::len), Some(1), "{figures}");
}
