//! Upgrading a team database: `claimdb migrate`.
//!
//! The schema version is kept in `claimdb_meta` as (major, minor). A minor step only adds (a
//! table, a column with a default, an index, a grant), so a claimdb that knows an older minor
//! keeps working on the upgraded database; a major step changes what older claimdbs rely on, so
//! they are refused until they are upgraded themselves. Nothing but `claimdb migrate` changes
//! the schema of a shared database: an upgrade is its owner's decision, never a side effect of
//! someone's `list`.

use anyhow::Context;

use super::conn::PgConnection;
use super::team::INIT_LOCK;
use super::{redacted, ROLES};
use crate::error::UserError;
use crate::store::backend::Tx;
use crate::store::sql::{self, params, Connection, ErrorKind};

/// A schema version: (major, minor).
pub type Version = (i32, i32);

/// The version `team init` created before any migration existed: where [`MIGRATIONS`] starts.
pub const BASE: Version = (1, 0);

/// One step of the schema: the SQL that brings the version before it (the previous step's
/// [`Migration::to`], or [`BASE`] for the first) to `to`.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// The version the database has once `sql` has run.
    pub to: Version,
    /// The statements, run in the upgrade's one transaction.
    pub sql: &'static str,
}

/// Every step from [`BASE`] to the schema this claimdb creates, in order. Append only: a
/// released step is never edited, since databases out there have already run it. A step that
/// only adds raises the minor; one that changes or removes raises the major (minor 0).
/// `schema.sql` is always the result of all of them, and says so in its `claimdb_meta` row.
pub const MIGRATIONS: &[Migration] = &[
    // 1.1: triggers that see a statement's new rows as one set, so that a bulk load (COPY)
    // takes a time in proportion to its size.
    Migration {
        to: (1, 1),
        sql: include_str!("set_triggers.sql"),
    },
    // 1.2: the rules on who records what check the claims and stances a statement adds as one
    // set, so that they no longer take a third of an import's time.
    Migration {
        to: (1, 2),
        sql: include_str!("set_checks.sql"),
    },
    // 2.0: the claims an import creates are recorded in batches, one history event for many
    // claims; each claim finds its batch through this index. A major step: a claimdb of 1.x
    // would read those claims as created without history (its audit would fail), so it is
    // refused by the database instead.
    Migration {
        to: (2, 0),
        sql: "CREATE INDEX history_batch ON history (claim_id) WHERE field = 'batch';",
    },
];

/// The version a list of migrations ends at.
pub const fn latest(list: &[Migration]) -> Version {
    match list.last() {
        Some(step) => step.to,
        None => BASE,
    }
}

/// What `claimdb migrate` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migrated {
    /// The version the database had.
    pub from: Version,
    /// The version it has now (`from` when nothing was to do).
    pub to: Version,
    /// How many claims' search documents were computed again (the database's were made by an
    /// older folding).
    pub documents: u64,
    /// The database's search documents were made by a newer claimdb's folding: they were left
    /// alone.
    pub newer_folding: bool,
}

/// Whether a claimdb that knows `known` may work on a database at `found`. Any minor of the same
/// major works: a newer minor only adds what this claimdb does not know of, and an older one
/// lacks only additions, which its owner brings with `claimdb migrate`. Another major is
/// refused, saying who must do what.
pub fn check_usable(found: Version, known: Version, address: &str) -> Result<(), UserError> {
    let shown = redacted(address);
    let (major, minor) = found;
    if major == known.0 {
        return Ok(());
    }
    let what = if major < known.0 {
        format!("its owner runs `claimdb migrate --db {shown}` to upgrade it")
    } else {
        "it was made by a newer claimdb, so use that one (or a newer one)".to_owned()
    };
    Err(UserError::Refused(format!(
        "{shown} has claimdb's schema version {major}.{minor}, and this claimdb knows version \
         {}.{}: {what}; nothing was changed",
        known.0, known.1
    )))
}

/// The steps of `list` a database at `found` still needs: none when it is current (or at a
/// newer minor); refused when it is at a newer major, or at a version `list` does not pass by.
pub fn pending(found: Version, list: &[Migration]) -> Result<&[Migration], UserError> {
    let target = latest(list);
    if found.0 > target.0 {
        return Err(UserError::Refused(format!(
            "the database has claimdb's schema version {}.{}, made by a newer claimdb than this \
             one (which knows version {}.{}): use that one; nothing was changed",
            found.0, found.1, target.0, target.1
        )));
    }
    if found >= target {
        return Ok(&[]);
    }
    if found == BASE {
        return Ok(list);
    }
    match list.iter().position(|step| step.to == found) {
        Some(i) => Ok(&list[i + 1..]),
        None => Err(UserError::Refused(format!(
            "the database has claimdb's schema version {}.{}, which is not one this claimdb can \
             upgrade from (it upgrades {}.{} and later to {}.{}); nothing was changed",
            found.0, found.1, BASE.0, BASE.1, target.0, target.1
        ))),
    }
}

/// Brings the team database on `client` to this claimdb's version with [`MIGRATIONS`].
pub fn migrate(client: postgres::Client) -> anyhow::Result<Migrated> {
    migrate_with(client, MIGRATIONS)
}

/// Brings the team database on `client` to the version `list` ends at, in one transaction, and
/// computes again the search documents made by an older folding than this claimdb's. Only the
/// database's owner (or a superuser) may; anyone else gets the role refusal.
pub fn migrate_with(client: postgres::Client, list: &[Migration]) -> anyhow::Result<Migrated> {
    // Row by row, as a database of any version can be written.
    let conn = PgConnection::new(client, false);
    let outcome = run(&conn, list);
    // The outcome says what happened; a failure to say goodbye to the server changes nothing.
    let _ = conn.close();
    outcome
}

fn run(pg: &PgConnection, list: &[Migration]) -> anyhow::Result<Migrated> {
    let conn: &dyn Connection = pg;
    conn.execute_batch("SET search_path = public")?;
    // A write transaction: its commit computes the search documents of the claims marked stale.
    let tx = Tx::begin(conn, true)?;
    // One upgrade at a time, and never beside a `team init`.
    tx.query_row(
        "SELECT pg_advisory_xact_lock(?1)",
        params![INIT_LOCK],
        |_| Ok(()),
    )?;
    let (database, owner, user, is_owner): (String, String, String, bool) = tx.query_row(
        "SELECT current_database()::text, pg_get_userbyid(datdba)::text, current_user::text,
                pg_has_role(current_user, datdba, 'USAGE')
         FROM pg_database WHERE datname = current_database()",
        params![],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    if !is_owner {
        // A refusal by role, like the server's own: the exit code tells scripts so.
        return Err(sql::Error::new(
            ErrorKind::Permission,
            format!(
                "claimdb migrate must be run by the owner of the database {database} ({owner}), \
                 or a superuser; you are connected as {user}; nothing was changed"
            ),
        )
        .into());
    }
    let has_meta: bool = tx.query_row(
        "SELECT to_regclass('public.claimdb_meta') IS NOT NULL",
        params![],
        |r| r.get(0),
    )?;
    if !has_meta {
        return Err(UserError::Refused(format!(
            "the database {database} has no claimdb team yet: its owner runs `claimdb team \
             init` first"
        ))
        .into());
    }
    let (major, minor, folding): (i32, i32, Option<i64>) = tx.query_row(
        "SELECT major, minor, search_folding FROM claimdb_meta FOR UPDATE",
        params![],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let from = (major, minor);
    let steps = pending(from, list)?;
    let mut to = from;
    for step in steps {
        tx.execute_batch(step.sql).with_context(|| {
            format!(
                "could not upgrade the database {database} from version {}.{} to {}.{}; nothing \
                 was changed",
                to.0, to.1, step.to.0, step.to.1
            )
        })?;
        to = step.to;
    }
    if !steps.is_empty() {
        tx.execute(
            "UPDATE claimdb_meta SET major = ?1, minor = ?2",
            params![to.0, to.1],
        )?;
        // What the steps added is granted to the team as `team init` grants it.
        tx.execute_batch(ROLES)
            .context("could not grant the team its rights on the upgraded tables")?;
    }
    let newer_folding = folding.is_some_and(|f| f > crate::fold::VERSION);
    if newer_folding {
        // Claims marked for the newer folding stay marked for it.
        pg.keep_search_marks();
    }
    let mut documents = 0;
    if folding.is_none_or(|f| f < crate::fold::VERSION) {
        // Every visible claim's document is computed again at the commit, by this folding.
        documents = u64::try_from(tx.execute(
            "INSERT INTO claim_search_stale (claim_id) SELECT id FROM claim_search_text
             ON CONFLICT DO NOTHING",
            params![],
        )?)
        .unwrap_or(0);
        tx.execute(
            "UPDATE claimdb_meta SET search_folding = ?1",
            params![crate::fold::VERSION],
        )?;
    }
    tx.commit()?;
    Ok(Migrated {
        from,
        to,
        documents,
        newer_folding,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEPS: &[Migration] = &[
        Migration {
            to: (1, 1),
            sql: "CREATE TABLE a ()",
        },
        Migration {
            to: (2, 0),
            sql: "CREATE TABLE b ()",
        },
        Migration {
            to: (2, 1),
            sql: "CREATE TABLE c ()",
        },
    ];

    #[test]
    fn the_migrations_go_up_one_step_at_a_time_from_the_base() {
        let mut previous = BASE;
        for step in MIGRATIONS {
            let next_minor = (previous.0, previous.1 + 1);
            let next_major = (previous.0 + 1, 0);
            assert!(
                step.to == next_minor || step.to == next_major,
                "{previous:?} → {:?}",
                step.to
            );
            previous = step.to;
        }
        assert_eq!(previous, super::super::VERSION);
    }

    #[test]
    fn only_the_steps_past_the_databases_version_are_pending() {
        let tos = |steps: &[Migration]| steps.iter().map(|s| s.to).collect::<Vec<_>>();
        assert_eq!(
            tos(pending((1, 0), STEPS).unwrap()),
            [(1, 1), (2, 0), (2, 1)]
        );
        assert_eq!(tos(pending((2, 0), STEPS).unwrap()), [(2, 1)]);
        assert!(pending((2, 1), STEPS).unwrap().is_empty());
        // A newer minor: nothing to do, and nothing undone.
        assert!(pending((2, 5), STEPS).unwrap().is_empty());
        assert!(pending((1, 0), &[]).unwrap().is_empty());
        let newer = pending((3, 0), STEPS).unwrap_err().to_string();
        assert!(newer.contains("newer claimdb"), "{newer}");
        let unknown = pending((1, 7), STEPS).unwrap_err().to_string();
        assert!(
            unknown.contains("not one this claimdb can upgrade from"),
            "{unknown}"
        );
    }

    #[test]
    fn any_minor_of_the_same_major_is_usable_and_another_major_is_refused() {
        let address = "postgres://amal:s3cret@db.example/desk";
        assert!(check_usable((1, 0), (1, 2), address).is_ok());
        assert!(check_usable((1, 4), (1, 2), address).is_ok());
        let older = check_usable((1, 3), (2, 0), address)
            .unwrap_err()
            .to_string();
        assert!(older.contains("its owner runs `claimdb migrate"), "{older}");
        assert!(!older.contains("s3cret"), "{older}");
        let newer = check_usable((3, 0), (2, 0), address)
            .unwrap_err()
            .to_string();
        assert!(newer.contains("made by a newer claimdb"), "{newer}");
    }
}

/// Tests on a real server: the one `CLAIMDB_TEST_POSTGRES` names (a superuser's address); each
/// test skips with a notice without it.
#[cfg(test)]
mod server_tests {
    use super::*;
    use crate::store::postgres::{connect, team, VERSION};

    /// A database of its own on the test server, dropped at the end.
    struct TestDb {
        server: String,
        name: String,
        address: String,
    }

    impl TestDb {
        #[allow(clippy::print_stderr)] // the notice that the test did not run
        fn new() -> Option<TestDb> {
            let Some(server) = std::env::var("CLAIMDB_TEST_POSTGRES")
                .ok()
                .filter(|s| !s.is_empty())
            else {
                eprintln!("skipped: CLAIMDB_TEST_POSTGRES is not set");
                return None;
            };
            let name = format!("claimdb_u_{:016x}", fastrand::u64(..));
            connect(&server)
                .unwrap()
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .unwrap();
            let mut url = url::Url::parse(&server).unwrap();
            url.set_path(&name);
            Some(TestDb {
                server,
                name,
                address: url.to_string(),
            })
        }

        fn client(&self) -> postgres::Client {
            connect(&self.address).unwrap()
        }

        /// A database as `team init` makes it today.
        fn new_team() -> Option<TestDb> {
            let db = TestDb::new()?;
            team::init(&mut db.client()).unwrap();
            Some(db)
        }

        /// Everything the schema consists of, one line per object, in a fixed order: what two
        /// databases must share to be the same desk to claimdb and to the server's rules.
        fn schema(&self) -> Vec<String> {
            self.client()
                .query(
                    "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type
                            || ' ' || is_nullable || ' ' || coalesce(column_default, '')
                            || ' ' || coalesce(collation_name, '') || ' ' || is_identity
                            || ' ' || ordinal_position
                     FROM information_schema.columns WHERE table_schema = 'public'
                     UNION ALL
                     SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' '
                            || pg_get_constraintdef(oid)
                     FROM pg_constraint WHERE connamespace = 'public'::regnamespace
                     UNION ALL
                     SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
                     UNION ALL
                     SELECT 'trigger ' || pg_get_triggerdef(t.oid) FROM pg_trigger t
                     JOIN pg_class c ON c.oid = t.tgrelid
                     WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace
                     UNION ALL
                     SELECT 'function ' || pg_get_functiondef(oid) || ' '
                            || coalesce(array_to_string(proacl, ','), '')
                     FROM pg_proc WHERE pronamespace = 'public'::regnamespace
                     UNION ALL
                     SELECT 'view ' || viewname || ' ' || definition
                     FROM pg_views WHERE schemaname = 'public'
                     UNION ALL
                     SELECT 'policy ' || tablename || ' ' || policyname || ' ' || cmd || ' '
                            || coalesce(qual, '') || ' ' || coalesce(with_check, '')
                     FROM pg_policies WHERE schemaname = 'public'
                     UNION ALL
                     SELECT 'table ' || relname || ' ' || relkind::text || ' ' || relrowsecurity
                            || ' ' || coalesce(array_to_string(relacl, ','), '')
                     FROM pg_class WHERE relnamespace = 'public'::regnamespace
                     UNION ALL
                     SELECT 'column grant ' || table_name || '.' || column_name || ' '
                            || grantee || ' ' || privilege_type
                     FROM information_schema.column_privileges WHERE table_schema = 'public'
                     UNION ALL
                     SELECT 'meta ' || major || '.' || minor || ' '
                            || coalesce(search_folding::text, '')
                     FROM claimdb_meta
                     ORDER BY 1",
                    &[],
                )
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect()
        }

        fn version(&self) -> Version {
            let row = self
                .client()
                .query_one("SELECT major, minor FROM claimdb_meta", &[])
                .unwrap();
            (row.get(0), row.get(1))
        }

        fn has_table(&self, name: &str) -> bool {
            self.client()
                .query_one("SELECT to_regclass($1) IS NOT NULL", &[&name])
                .unwrap()
                .get(0)
        }
    }

    impl Drop for TestDb {
        fn drop(&mut self) {
            // Cleaning up must not hide the failure that may be unwinding through here.
            if let Ok(mut client) = connect(&self.server) {
                let _ = client.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ));
            }
        }
    }

    fn same(left: &[String], right: &[String]) {
        let only_left: Vec<_> = left.iter().filter(|l| !right.contains(l)).collect();
        let only_right: Vec<_> = right.iter().filter(|r| !left.contains(r)).collect();
        assert!(
            only_left.is_empty() && only_right.is_empty(),
            "only in the upgraded database: {only_left:#?}\nonly in the new one: {only_right:#?}"
        );
        assert_eq!(left, right);
    }

    /// This claimdb's steps and two more past them: a table and a column added, then an index.
    fn steps() -> Vec<Migration> {
        let (major, minor) = VERSION;
        let mut steps = MIGRATIONS.to_vec();
        steps.push(Migration {
            to: (major, minor + 1),
            sql: "CREATE TABLE claim_label (
                      claim_id BIGINT NOT NULL REFERENCES claim (id),
                      label    TEXT COLLATE \"C\" NOT NULL
                  );
                  ALTER TABLE claim ADD COLUMN label_count INT NOT NULL DEFAULT 0;",
        });
        steps.push(Migration {
            to: (major, minor + 2),
            sql: "CREATE INDEX claim_label_by_label ON claim_label (label);",
        });
        steps
    }

    /// The two test steps past this claimdb's version, and the versions they lead to.
    fn beyond() -> (Vec<Migration>, Version, Version) {
        let steps = steps();
        let extra = steps[steps.len() - 2..].to_vec();
        let (one, two) = (extra[0].to, extra[1].to);
        (extra, one, two)
    }

    #[test]
    fn a_database_made_at_the_base_version_ends_like_a_new_one() {
        let Some(old) = TestDb::new() else { return };
        let Some(new) = TestDb::new_team() else {
            return;
        };
        // The base schema as the first `team init` made it, with its roles and grants.
        let mut client = old.client();
        client
            .batch_execute(include_str!("../../../tests/fixtures/pg-schema-1.0.sql"))
            .unwrap();
        client
            .execute(
                "UPDATE claimdb_meta SET search_folding = $1",
                &[&crate::fold::VERSION],
            )
            .unwrap();
        client.batch_execute(ROLES).unwrap();
        let done = migrate(old.client()).unwrap();
        assert_eq!((done.from, done.to), (BASE, VERSION));
        same(&old.schema(), &new.schema());
    }

    #[test]
    fn each_pending_step_runs_once_and_the_result_is_the_same_as_running_it_on_a_new_one() {
        let Some(old) = TestDb::new_team() else {
            return;
        };
        let (extra, one, two) = beyond();
        let steps = steps();
        let done = migrate_with(old.client(), &steps).unwrap();
        assert_eq!((done.from, done.to), (VERSION, two));
        assert_eq!(old.version(), two);
        assert!(old.has_table("claim_label"));

        // Twice is a no-op (a step run again would fail: its table exists).
        let again = migrate_with(old.client(), &steps).unwrap();
        assert_eq!((again.from, again.to, again.documents), (two, two, 0));

        // The same steps by hand on a new database give the same schema.
        let Some(new) = TestDb::new_team() else {
            return;
        };
        let mut client = new.client();
        for step in &extra {
            client.batch_execute(step.sql).unwrap();
        }
        client
            .execute(
                "UPDATE claimdb_meta SET major = $1, minor = $2",
                &[&two.0, &two.1],
            )
            .unwrap();
        same(&old.schema(), &new.schema());

        // A database at the first step gets only the second.
        let Some(halfway) = TestDb::new_team() else {
            return;
        };
        migrate_with(halfway.client(), &steps[..steps.len() - 1]).unwrap();
        assert_eq!(halfway.version(), one);
        let done = migrate_with(halfway.client(), &steps).unwrap();
        assert_eq!((done.from, done.to), (one, two));
        same(&halfway.schema(), &old.schema());
    }

    #[test]
    fn a_failing_step_leaves_the_database_as_it_was() {
        let Some(db) = TestDb::new_team() else { return };
        let before = db.schema();
        let (_, one, two) = beyond();
        let mut broken = steps();
        broken.pop();
        broken.push(Migration {
            to: two,
            sql: "CREATE INDEX ON no_such_table (x);",
        });
        let error = format!("{:#}", migrate_with(db.client(), &broken).unwrap_err());
        assert!(
            error.contains(&format!(
                "from version {}.{} to {}.{}",
                one.0, one.1, two.0, two.1
            )) && error.contains("no_such_table"),
            "{error}"
        );
        assert_eq!(db.version(), VERSION);
        assert!(!db.has_table("claim_label"));
        same(&db.schema(), &before);
    }

    #[test]
    fn a_newer_major_is_refused_untouched_and_a_newer_minor_left_alone() {
        let Some(db) = TestDb::new_team() else { return };
        let (major, minor) = VERSION;
        db.client()
            .execute(
                "UPDATE claimdb_meta SET major = $1, minor = 0",
                &[&(major + 1)],
            )
            .unwrap();
        let error = migrate_with(db.client(), &steps()).unwrap_err().to_string();
        assert!(error.contains("newer claimdb"), "{error}");
        assert_eq!(db.version(), (major + 1, 0));
        assert!(!db.has_table("claim_label"));
        db.client()
            .execute(
                "UPDATE claimdb_meta SET major = $1, minor = $2",
                &[&major, &(minor + 5)],
            )
            .unwrap();
        let done = migrate_with(db.client(), &steps()).unwrap();
        assert_eq!(
            (done.from, done.to),
            ((major, minor + 5), (major, minor + 5))
        );
        assert!(!db.has_table("claim_label"));
    }
}
