//! `claimdb migrate` on a database file (on a shared database: tests/cli/team.rs).

use crate::harness::{skip_on_postgres, Workdir};

#[test]
fn migrate_upgrades_an_old_file_says_from_and_to_and_then_that_it_is_current() {
    if skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Workdir::new();
    drop(wd.old_database_v1());
    let current = claimdb::store::schema::VERSION.to_string();
    let done = wd.run(&["migrate", "--format", "json"]).ok();
    let db = wd.db().display().to_string();
    assert_eq!(
        done.json(),
        serde_json::json!({
            "database": db,
            "from": "1",
            "to": current,
            "upgraded": true,
            "search_documents": null,
        })
    );
    let version: i64 = rusqlite::Connection::open(wd.db())
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version.to_string(), current);

    let again = wd.run(&["migrate"]).ok();
    assert_eq!(
        again.stdout,
        format!("{db} is already current (schema version {current})\n")
    );
    let csv = wd.run(&["migrate", "--format", "csv"]).ok();
    assert_eq!(
        csv.stdout,
        format!("database,from,to,upgraded,search_documents\n{db},{current},{current},false,\n")
    );
}

#[test]
fn migrate_creates_no_database_where_there_is_none() {
    if skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Workdir::new();
    wd.run(&["migrate"])
        .fails(1, &["there is no database at", "`claimdb init`"]);
    assert!(!wd.db().exists());
}

/// The rows of a database that claimdb wrote at schema version 11, the last before imports
/// recorded their claims in batches (an event per imported claim): the seed imported, a claim
/// added, cited and merged, a verdict, an edit and a second import.
const HISTORY_V11: &str = include_str!("../fixtures/history-v11.sql");

#[test]
fn a_database_of_version_11_upgrades_with_its_claims_history_and_chain_intact() {
    if skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Workdir::new();
    wd.run(&["init"]).ok();
    // Version 11's schema is this one without the index of import batches.
    wd.execute_sql("DROP INDEX history_batch; PRAGMA user_version = 11;");
    wd.execute_sql(HISTORY_V11);
    let done = wd.run(&["migrate", "--format", "json"]).ok().json();
    let current = claimdb::store::schema::VERSION.to_string();
    assert_eq!(
        (done["from"].as_str(), done["to"].as_str()),
        (Some("11"), Some(current.as_str()))
    );
    // The chain is the one version 11 wrote, head and all, and every claim matches it.
    let audit = wd.run(&["audit"]).ok();
    assert_eq!(
        audit.stdout.trim(),
        "a96c22990641d125076896b34944f030c71b19cc3b56d405c42e402b104c60c0"
    );
    assert!(
        audit
            .stderr
            .contains("56 event(s) checked, every claim matches"),
        "{}",
        audit.stderr
    );
    let notes = |id: i64| -> Vec<String> {
        wd.history(id)
            .iter()
            .map(|e| {
                format!(
                    "{} {}",
                    e["action"].as_str().unwrap(),
                    e["note"].as_str().unwrap_or("")
                )
            })
            .collect()
    };
    assert_eq!(notes(1), ["import import of claims.csv line 2"]);
    assert_eq!(
        notes(3),
        ["import import of claims.csv line 4", "status older footage"]
    );
    let ids: Vec<i64> = wd
        .json(&["list", "--limit", "100"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 47, "48 claims, one merged away");

    // An import on top records its claims in a batch: the chain goes on, the audit passes.
    let file = wd.write(
        "next.csv",
        "text,claimant\nthird claim,Reuters\nfourth claim,AFP\n",
    );
    wd.run(&["import", file.to_str().unwrap()]).ok();
    assert_eq!(notes(49).len(), 1);
    assert!(notes(50)[0].ends_with("next.csv line 3"), "{:?}", notes(50));
    assert_eq!(notes(1), ["import import of claims.csv line 2"]);
    let audit = wd.run(&["audit"]).ok();
    assert!(
        audit
            .stderr
            .contains("57 event(s) checked, every claim matches"),
        "{}",
        audit.stderr
    );
}
