use crate::harness::Workdir;

#[test]
fn show_gives_the_claim_its_stances_and_its_evidence() {
    let wd = Workdir::new();
    wd.add(&[
        "نحو 200 جندي",
        "--claimant",
        "Russian Foreign Ministry",
        "--value",
        "200",
    ]);
    wd.run(&[
        "cite",
        "1",
        "CSIS",
        "--supports",
        "--quote",
        "imagery",
        "--url",
        "https://csis.org/x",
    ])
    .ok();
    let json = wd.json(&["show", "1"]);
    assert_eq!(json["stances"][0]["source"], "CSIS");
    assert_eq!(json["stances"][0]["stance"], "supports");
    assert_eq!(json["evidence"][0]["source"], "CSIS");
    assert_eq!(json["evidence"][0]["stance"], "supports");
    assert_eq!(json["evidence"][0]["quote"], "imagery");
    assert_eq!(json["evidence"][0]["url"], "https://csis.org/x");
    let table = wd.run(&["show", "1"]).ok().stdout;
    assert!(table.contains("نحو 200 جندي") && table.contains("CSIS") && table.contains("imagery"));
    let csv = wd.run(&["show", "1", "--format", "csv"]).ok().stdout;
    assert!(csv.starts_with("id,uid,text,"), "{csv}");
}

#[test]
fn a_missing_claim_says_how_to_find_claims() {
    let wd = Workdir::new();
    wd.run(&["show", "999"])
        .fails(1, &["claim 999 does not exist", "claimdb list"]);
    wd.run(&["show", "abc"]).fails(2, &["invalid value"]);
}
