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
