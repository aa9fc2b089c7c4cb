//! A temporary working directory with its own database, and a runner that shows the command,
//! stdout, stderr and exit code whenever an assertion about them fails.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A scratch directory with a database path, removed when dropped.
pub struct Workdir {
    dir: tempfile::TempDir,
    db: PathBuf,
}

/// What one run of claimdb did.
pub struct Run {
    pub args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl fmt::Debug for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "\n$ claimdb {}\n--- exit code: {}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        )
    }
}

impl Run {
    /// Asserts success and returns self.
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(self.code, 0, "expected success: {self:?}");
        self
    }

    /// Asserts failure with `code` and that stderr mentions each of `needles`.
    #[track_caller]
    pub fn fails(self, code: i32, needles: &[&str]) -> Self {
        assert_eq!(self.code, code, "expected exit code {code}: {self:?}");
        for needle in needles {
            assert!(
                self.stderr.contains(needle),
                "stderr lacks {needle:?}: {self:?}"
            );
        }
        self
    }

    /// stdout parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:?}"))
    }
}

impl Workdir {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = dir.path().join("claims.db");
        Workdir { dir, db }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn db(&self) -> &Path {
        &self.db
    }

    /// Writes a file in the workdir and returns its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, contents).expect("write a test file");
        path
    }

    /// A command on this workdir's database, as user "tester" (unless `--as` says otherwise).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_claimdb"));
        cmd.current_dir(self.dir.path())
            .env_remove("CLAIMDB_PATH")
            .env("CLAIMDB_USER", "tester")
            .env("NO_COLOR", "1")
            .arg("--db")
            .arg(&self.db)
            .args(args);
        cmd
    }

    /// Runs claimdb with `args` and collects what it did.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_command(self.command(args), args)
    }

    /// Runs claimdb with `stdin` as standard input.
    pub fn run_stdin(&self, args: &[&str], stdin: impl AsRef<[u8]>) -> Run {
        use std::io::Write;
        let mut cmd = self.command(args);
        cmd.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("claimdb starts");
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(stdin.as_ref())
            .expect("write stdin");
        let output = child.wait_with_output().expect("claimdb runs");
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs claimdb with `args`, killing it and failing the test if it has not finished after
    /// `seconds`: for commands that once never finished (a deadline, not a speed test).
    #[track_caller]
    pub fn run_within(&self, seconds: u64, args: &[&str]) -> Run {
        use std::io::Read;
        let mut child = self
            .command(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("claimdb starts");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
        // Drain the pipes on threads so that a chatty child cannot block on a full pipe.
        let mut stdout = child.stdout.take().expect("stdout is piped");
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let out = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stdout.read_to_string(&mut s);
            s
        });
        let err = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for claimdb") {
                break status;
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "claimdb {} did not finish within {seconds} s",
                    args.join(" ")
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            code: status.code().unwrap_or(-1),
            stdout: out.join().expect("stdout reader"),
            stderr: err.join().expect("stderr reader"),
        }
    }

    pub fn run_command(&self, mut cmd: Command, args: &[&str]) -> Run {
        let output = cmd.output().expect("claimdb runs");
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs claimdb with `args`, its stdout thrown away, and returns its exit code and the most
    /// memory it held (peak resident set, KiB), as the kernel counted it for that process alone.
    // The child is reaped by wait4 below, which also gives its resource usage; std's wait
    // cannot, so clippy's check for a child never waited on does not see it.
    #[allow(clippy::zombie_processes)]
    pub fn peak_memory(&self, args: &[&str]) -> (i32, u64) {
        let child = self
            .command(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("claimdb starts");
        let pid = libc::pid_t::try_from(child.id()).expect("a pid");
        let mut status = 0;
        // SAFETY: an all-zero rusage is a valid value of this plain C struct.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `pid` is our own child, not yet waited for; both pointers are valid.
        let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        assert_eq!(
            waited,
            pid,
            "wait4 failed: {}",
            std::io::Error::last_os_error()
        );
        let code = if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -1
        };
        (code, u64::try_from(usage.ru_maxrss).unwrap_or(0))
    }

    /// Adds a claim and returns its id.
    pub fn add(&self, args: &[&str]) -> i64 {
        let mut all = vec!["add"];
        all.extend_from_slice(args);
        let run = self.run(&all).ok();
        run.stdout
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("add prints an id: {run:?}"))
    }

    /// Runs a command that prints data, with `--format json`, and returns what it printed.
    #[track_caller]
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        self.run(&all).ok().json()
    }

    /// The history events of one claim, oldest first.
    #[track_caller]
    pub fn history(&self, id: i64) -> Vec<serde_json::Value> {
        match self.json(&["history", &id.to_string()]) {
            serde_json::Value::Array(events) => events,
            other => panic!("history is a JSON array, got {other}"),
        }
    }

    /// The whole database as exported CSV: what "unchanged" is checked against.
    pub fn export(&self) -> String {
        self.run(&["export"]).ok().stdout
    }

    /// Imports the project's seed file.
    pub fn import_seed(&self) {
        let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("claims.csv");
        self.run(&["import", seed.to_str().expect("a UTF-8 path")])
            .ok();
    }
}
