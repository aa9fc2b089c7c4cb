use crate::harness::Workdir;

#[test]
fn history_records_every_change_with_its_actor_in_order() {
    let wd = Workdir::new();
    wd.run(&["--as", "amal", "add", "x", "--claimant", "A"])
        .ok();
    wd.run(&["--as", "badr", "edit", "1", "--unit", "men", "--value", "3"])
        .ok();
    wd.run(&["--as", "chadi", "cite", "1", "B", "--supports"])
        .ok();
    wd.run(&[
        "--as", "dina", "status", "1", "verified", "--note", "checked",
    ])
    .ok();
    let history = wd.json(&["history", "1"]);
    let rows: Vec<(String, String, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
                e["field"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String, String)> = [
        ("amal", "create", ""),
        ("badr", "edit", "figures"),
        ("chadi", "cite", "supported_by"),
        ("dina", "status", "status"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(rows, expected);
    for event in history.as_array().unwrap() {
        assert!(event["at"].as_str().unwrap().ends_with('Z'));
    }
    let claim = wd.json(&["show", "1"]);
    assert_eq!(
        (claim["created_by"].as_str(), claim["updated_by"].as_str()),
        (Some("amal"), Some("dina"))
    );
}

#[test]
fn the_actor_comes_from_the_environment_when_not_given() {
    if crate::harness::skip_on_postgres("naming the actor: a team database records the login") {
        return;
    }
    let wd = Workdir::new();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_claimdb"));
    cmd.arg("--db")
        .arg(wd.db())
        .args(["add", "x", "--claimant", "A"])
        .env("CLAIMDB_USER", "from-env");
    wd.run_command(cmd, &["add"]).ok();
    let history = wd.json(&["history", "1"]);
    assert_eq!(history[0]["actor"], "from-env");
}

/// A file of `n` new claims, one line each but for claim `tall`, whose text runs over two lines;
/// every third is disputed, every fourth has a verdict.
fn claims_file(n: usize, tall: usize) -> String {
    let mut csv = String::from("text,claimant,disputed_by,status,verdict_reason,tags\n");
    for i in 1..=n {
        let text = match i == tall {
            true => format!("\"claim {i}\nover two lines\""),
            false => format!("claim {i}"),
        };
        let disputed = if i % 3 == 0 { "Human Rights Watch" } else { "" };
        let (status, reason) = match i % 4 {
            0 => ("false", "the footage is older"),
            _ => ("unverified", ""),
        };
        csv.push_str(&format!(
            "{text},Source {},{disputed},{status},{reason},t{}\n",
            i % 5,
            i % 7
        ));
    }
    csv
}

#[test]
fn an_import_records_its_claims_in_batches_and_each_claim_shows_its_own_creation() {
    let wd = Workdir::new();
    let file = wd.write("many.csv", claims_file(2100, 1500));
    wd.run(&["import", file.to_str().unwrap()]).ok();
    // Claim i is on line i + 1, and one line further after the row of two lines.
    for (id, line) in [
        (1, 2),
        (999, 1000),
        (1000, 1001),
        (1001, 1002),
        (1500, 1501),
        (1501, 1503),
        (2100, 2102),
    ] {
        let history = wd.history(id);
        let creation = &history[0];
        assert_eq!(creation["action"], "import", "{history:?}");
        assert_eq!(creation["claim_id"], id);
        assert_eq!(creation["field"], serde_json::Value::Null);
        let note = creation["note"].as_str().unwrap();
        assert!(
            note.starts_with("import of ") && note.ends_with(&format!("many.csv line {line}")),
            "claim {id}: {note}"
        );
        // A verdict's reason follows its claim's creation.
        let verdicts: Vec<_> = history[1..]
            .iter()
            .map(|e| (e["field"].as_str(), e["note"].as_str()))
            .collect();
        match id % 4 {
            0 => assert_eq!(verdicts, [(Some("status"), Some("the footage is older"))]),
            _ => assert_eq!(verdicts, []),
        }
    }
    // A thousand claims or fewer to an event, but for the verdicts' own events.
    let creations = wd.sql_rows("SELECT count(*) FROM history WHERE field = 'batch'");
    let events = wd.sql_rows("SELECT count(*) FROM history");
    assert!(creations[0][0].as_i64().unwrap() >= 3, "{creations:?}");
    assert_eq!(
        events[0][0].as_i64().unwrap() - creations[0][0].as_i64().unwrap(),
        2100 / 4,
        "one event per verdict's reason"
    );
    // Later changes come after the creation; the week's report counts every claim added.
    wd.run(&["status", "1001", "in_review"]).ok();
    let history = wd.history(1001);
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["field"], "status");
    let report = wd.json(&["report", "--since", "today"]);
    let added: u64 = report["checkers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["claims_added"].as_u64().unwrap())
        .sum();
    assert_eq!(added, 2100, "{report}");
    wd.run(&["audit"]).ok();
}

#[test]
fn audit_finds_the_one_claim_of_an_import_batch_changed_behind_claimdbs_back() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    for (sql, needles) in [
        (
            "UPDATE claim SET text = 'claim 1234, changed' WHERE id = 1234",
            &["claim 1234, the fields it was created with"][..],
        ),
        (
            "UPDATE claim SET status = 'verified' WHERE id = 1001",
            &["claim 1001, status", "\"verified\""][..],
        ),
        (
            "DELETE FROM stance WHERE claim_id = 999",
            &["claim 999, the sources it was created with"][..],
        ),
        (
            "PRAGMA foreign_keys = OFF; DELETE FROM claim_tag WHERE claim_id = 1700;
             DELETE FROM claim WHERE id = 1700;",
            &["claim 1700, (the claim)", "\"missing\""][..],
        ),
        (
            "PRAGMA foreign_keys = OFF; DELETE FROM claim_tag WHERE claim_id = 2100;
             DELETE FROM claim WHERE id = 2100;",
            &["claim 2100, (the claim)", "\"missing\""][..],
        ),
    ] {
        let wd = Workdir::new();
        let file = wd.write("many.csv", claims_file(2100, 1500));
        wd.run(&["import", file.to_str().unwrap()]).ok();
        wd.execute_sql(sql);
        let mut all = vec!["changed behind claimdb's back", "(1 field(s) differ"];
        all.extend(needles);
        wd.run(&["audit"]).fails(1, &all);
    }
}
