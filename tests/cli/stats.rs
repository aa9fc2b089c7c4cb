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

/// The counts `stats` keeps, recomputed the slow way from the claims themselves.
fn counted_the_slow_way(wd: &Workdir) -> serde_json::Value {
    let visible = "c.id NOT IN (SELECT dup_id FROM claim_merge)";
    let count = |condition: &str| -> i64 {
        wd.sql_rows(&format!(
            "SELECT count(*) FROM claim c WHERE {visible} AND {condition}"
        ))[0][0]
            .as_i64()
            .unwrap()
    };
    let claims = count("1 = 1");
    let disputed = count(
        "(c.status = 'disputed' OR (c.status IN ('unverified', 'in_review') AND EXISTS \
         (SELECT 1 FROM stance s WHERE s.claim_id = c.id AND s.stance = 'disputes')))",
    );
    let mut by_status = serde_json::Map::new();
    for row in wd.sql_rows(&format!(
        "SELECT status, count(*) FROM claim c WHERE {visible} GROUP BY status"
    )) {
        by_status.insert(row[0].as_str().unwrap().to_owned(), row[1].clone());
    }
    let by_claimant: Vec<serde_json::Value> = wd
        .sql_rows(&format!(
            "SELECT s.name, count(*) AS n FROM claim c JOIN source s ON s.id = c.claimant_id
             WHERE {visible} GROUP BY s.id ORDER BY n DESC, s.name"
        ))
        .into_iter()
        .map(|row| serde_json::json!({ "claimant": row[0], "claims": row[1] }))
        .collect();
    serde_json::json!({
        "claims": claims,
        "disputed": disputed,
        "by_status": by_status,
        "by_claimant": by_claimant,
    })
}

#[test]
fn the_kept_counts_match_the_claims_after_every_kind_of_write() {
    let wd = Workdir::new();
    let check = |after: &str| {
        assert_eq!(
            wd.json(&["stats"]),
            counted_the_slow_way(&wd),
            "after {after}"
        );
    };
    wd.import_seed();
    check("a bulk import into an empty database");
    let a = wd
        .add(&["claim about Tessalit airfield", "--claimant", "AFP"])
        .to_string();
    let b = wd
        .add(&["claim about the Tessalit airfield", "--claimant", "AFP"])
        .to_string();
    check("add");
    wd.run(&["cite", &a, "CSIS", "--disputes"]).ok();
    wd.run(&["cite", &a, "HRW", "--disputes"]).ok();
    check("citations that dispute");
    wd.run(&["cite", &a, "CSIS", "--supports"]).ok();
    wd.run(&["cite", &a, "HRW", "--supports"]).ok();
    check("disputing sources that change their stance");
    wd.run(&["cite", &b, "HRW", "--disputes"]).ok();
    wd.run(&["status", &b, "in_review"]).ok();
    wd.run(&["edit", &b, "--claimant", "Reuters"]).ok();
    check("status and claimant changes");
    wd.run(&["merge", &a, &b]).ok();
    check("a merge, whose duplicate's disputing stance moves to the kept claim");
    wd.run(&["status", "28", "false", "--note", "x"]).ok();
    let file = wd.write(
        "more.csv",
        "text,claimant,disputed_by,status\nnew one,AFP,CSIS,unverified\n",
    );
    wd.run(&["import", file.to_str().unwrap()]).ok();
    check("an import into a database with claims");
}
