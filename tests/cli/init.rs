use crate::harness::Workdir;

#[test]
fn init_creates_the_database_and_is_idempotent() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Workdir::new();
    let run = wd.run(&["init"]).ok();
    assert_eq!(run.stdout.trim(), wd.db().display().to_string());
    assert!(wd.db().exists());
    wd.add(&["x", "--claimant", "A"]);
    wd.run(&["init"]).ok();
    assert_eq!(wd.json(&["stats"])["claims"], 1);
}

#[test]
fn any_command_creates_the_database_and_its_folder_and_says_where() {
    let wd = Workdir::new();
    let db = wd.path("nested/dir/new.db");
    let run = wd.run_command(
        {
            let mut c = wd.command(&["list"]);
            c.arg("--db").arg(&db);
            c
        },
        &["list", "--db", "nested/dir/new.db"],
    );
    let run = run.ok();
    assert!(db.exists());
    assert!(run.stderr.contains("created a new database at"), "{run:?}");
}

#[test]
fn a_database_from_a_newer_claimdb_is_refused_and_not_changed() {
    if crate::harness::skip_on_postgres("the database file itself") {
        return;
    }
    let wd = Workdir::new();
    wd.run(&["init"]).ok();
    {
        let conn = rusqlite::Connection::open(wd.db()).unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
    }
    let before = std::fs::read(wd.db()).unwrap();
    wd.run(&["add", "x", "--claimant", "A"])
        .fails(1, &["newer claimdb", "999", "upgrade claimdb"]);
    wd.run(&["list"]).fails(1, &["newer claimdb"]);
    assert_eq!(std::fs::read(wd.db()).unwrap(), before);
}

#[test]
fn a_file_that_is_not_a_database_or_is_a_directory_is_refused() {
    let wd = Workdir::new();
    let text = wd.write(
        "notes.txt",
        "these are my notes, not a database\n".repeat(100),
    );
    let run = wd.run_command(
        {
            let mut c = wd.command(&["list"]);
            c.arg("--db").arg(&text);
            c
        },
        &["list", "--db", "notes.txt"],
    );
    run.fails(1, &["not an SQLite database"]);
    assert!(std::fs::read_to_string(&text)
        .unwrap()
        .starts_with("these are my notes"));
    let run = wd.run_command(
        {
            let mut c = wd.command(&["list"]);
            c.arg("--db").arg(wd.path(""));
            c
        },
        &["list", "--db", "<dir>"],
    );
    run.fails(1, &["is a directory"]);
}

#[test]
fn a_foreign_sqlite_database_is_refused() {
    let wd = Workdir::new();
    let other = wd.path("other.sqlite");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE invoices (n)")
        .unwrap();
    let mut c = wd.command(&["list"]);
    c.arg("--db").arg(&other);
    wd.run_command(c, &["list", "--db", "other.sqlite"])
        .fails(1, &["not a claimdb one"]);
}

#[test]
fn the_readme_tour_runs_on_a_scratch_database() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let tour = readme
        .split_once("## A tour")
        .map(|(_, rest)| rest.split("\n## ").next().unwrap_or(rest))
        .expect("README has a tour");
    let scratch = tour
        .find("export CLAIMDB_PATH=$(mktemp -d)/")
        .expect("the tour sets a scratch database");
    let first_command = tour.find("$ claimdb").expect("the tour runs claimdb");
    assert!(
        scratch < first_command,
        "the scratch database is set before the first command of the tour"
    );
    // Said once, at the top.
    assert_eq!(tour.matches("CLAIMDB_PATH=").count(), 1, "{tour}");
}
