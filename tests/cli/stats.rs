use crate::harness::Workdir;

#[test]
fn stats_count_by_status_and_claimant() {
    let wd = Workdir::new();
    wd.add(&["a", "--claimant", "A", "--status", "disputed"]);
    wd.add(&["b", "--claimant", "A"]);
    wd.add(&["c", "--claimant", "B", "--disputed-by", "A"]);
    let stats = wd.json(&["stats"]);
    assert_eq!(stats["claims"], 3);
    assert_eq!(stats["disputed"], 2);
    assert_eq!(stats["by_status"]["unverified"], 2);
    assert_eq!(stats["by_status"]["disputed"], 1);
    assert_eq!(stats["by_claimant"][0]["claimant"], "A");
    assert_eq!(stats["by_claimant"][0]["claims"], 2);
    let csv = wd.run(&["stats", "--format", "csv"]).ok().stdout;
    assert!(
        csv.starts_with("group,name,claims\ntotal,claims,3\ntotal,disputed,2\n"),
        "{csv}"
    );
}
