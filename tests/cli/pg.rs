//! A database of its own on a PostgreSQL test server, for the tests of team mode.
//!
//! The server is the one `CLAIMDB_TEST_POSTGRES` names, as the address of a superuser's
//! connection (postgres://postgres@127.0.0.1:5432/postgres); without it [`TestDb::new`] prints
//! a notice and gives none, and the test passes without running. Each test works in a database
//! of its own, with logins of its own, dropped at its end.

use std::process::Command;

use postgres::{Client, NoTls};

use crate::harness::Run;

/// A fresh database on the test server, with the logins a test created, dropped when done.
pub struct TestDb {
    server: String,
    pub name: String,
    pub address: String,
    logins: Vec<String>,
}

impl TestDb {
    /// A new empty database, or none (with a notice) when no test server is configured.
    #[allow(clippy::print_stderr)] // the notice that this half of the tests did not run
    pub fn new() -> Option<TestDb> {
        TestDb::created_with("")
    }

    /// A new empty database created with `options` (CREATE DATABASE's), or none (with a
    /// notice) when no test server is configured or it cannot make such a database.
    #[allow(clippy::print_stderr)] // the notice that this half of the tests did not run
    pub fn created_with(options: &str) -> Option<TestDb> {
        let Some(server) = std::env::var("CLAIMDB_TEST_POSTGRES")
            .ok()
            .filter(|s| !s.is_empty())
        else {
            eprintln!("skipped: CLAIMDB_TEST_POSTGRES is not set");
            return None;
        };
        let name = format!("claimdb_t_{:016x}", fastrand::u64(..));
        let mut client = Client::connect(&server, NoTls).expect("connect to the test server");
        if let Err(e) = client.batch_execute(&format!("CREATE DATABASE {name} {options}")) {
            assert!(!options.is_empty(), "create a test database: {e}");
            eprintln!("skipped: the test server cannot create a database {options}: {e}");
            return None;
        }
        let mut url = url::Url::parse(&server).expect("CLAIMDB_TEST_POSTGRES is a URL");
        url.set_path(&name);
        Some(TestDb {
            server,
            name,
            address: url.to_string(),
            logins: Vec::new(),
        })
    }

    /// A login name no other test uses (logins belong to the whole server), dropped at the end.
    pub fn login(&mut self, base: &str) -> String {
        let login = format!("{base}_{}", &self.name["claimdb_t_".len()..]);
        self.logins.push(login.clone());
        login
    }

    /// A connection to this database as its owner (the superuser of the test server).
    pub fn owner(&self) -> Client {
        Client::connect(&self.address, NoTls).expect("connect as the owner")
    }

    /// A connection to this database as `login`.
    pub fn connect_as(&self, login: &str) -> Client {
        let mut config: postgres::Config = self.address.parse().expect("a PostgreSQL address");
        config.user(login);
        config.connect(NoTls).expect("connect as a team member")
    }

    /// Runs claimdb on this database, as its owner.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_stdin(args, None)
    }

    /// Runs claimdb on this database, connected as `login`.
    pub fn run_as(&self, login: &str, args: &[&str]) -> Run {
        let mut url = url::Url::parse(&self.address).unwrap();
        url.set_username(login).unwrap();
        run_on(url.as_str(), args, None)
    }

    pub fn run_stdin(&self, args: &[&str], stdin: Option<&str>) -> Run {
        run_on(&self.address, args, stdin)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Cleaning up must not hide the failure that may be unwinding through here.
        let Ok(mut client) = Client::connect(&self.server, NoTls) else {
            return;
        };
        let _ = client.batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ));
        for login in &self.logins {
            let _ = client.batch_execute(&format!(
                "DROP ROLE IF EXISTS \"{}\"",
                login.replace('"', "\"\"")
            ));
        }
    }
}

/// Runs claimdb on the database at `address`, with `stdin` as its standard input.
pub fn run_on(address: &str, args: &[&str], stdin: Option<&str>) -> Run {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_claimdb"))
        .env_remove("CLAIMDB_PATH")
        .env("CLAIMDB_CONFIG", "/nonexistent/claimdb-config.toml")
        .env("NO_COLOR", "1")
        .arg("--db")
        .arg(address)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("claimdb starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).expect("write stdin");
    }
    drop(input);
    let output = child.wait_with_output().expect("claimdb runs");
    Run::from_output(args, output)
}
