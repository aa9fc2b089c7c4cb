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
