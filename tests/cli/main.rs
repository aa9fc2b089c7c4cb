//! End-to-end tests: the real `claimdb` binary on temporary databases, one file per command.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed: the panic says where

mod harness;

mod add;
mod bench;
mod cite;
mod conflicts;
mod copy;
mod desk;
mod dump;
mod edit;
mod evidence;
mod export;
mod extract;
mod figures;
mod formats;
mod guarantees;
mod history;
mod import;
mod init;
mod list;
mod merge;
mod migrate;
mod pg;
mod ratings;
mod report;
mod roundtrip;
mod search;
mod show;
mod similar;
mod source;
mod stats;
mod status;
mod team;
mod terminal;

/// The whole suite again, each test on a database of its own on the PostgreSQL server (team
/// mode), so that every command is checked on both backends. It reports how many tests ran
/// there and which were skipped (and why), and fails if any failed. `team::` is left out: those
/// tests run on the server in either half.
#[test]
fn every_end_to_end_test_also_runs_on_postgresql() {
    use std::io::Write;
    const ME: &str = "every_end_to_end_test_also_runs_on_postgresql";
    if harness::on_postgres() {
        return; // the run on PostgreSQL itself
    }
    // Written past the test's output capture, so that the summary shows in every run.
    let mut stderr = std::io::stderr();
    let Some(server) = std::env::var(harness::SERVER_VAR)
        .ok()
        .filter(|s| !s.is_empty())
    else {
        let _ = writeln!(
            stderr,
            "notice: {} is not set, so the suite did not also run on PostgreSQL",
            harness::SERVER_VAR
        );
        return;
    };
    let skips = tempfile::NamedTempFile::new().unwrap();
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .env(harness::BACKEND_VAR, "postgres")
        .env(harness::SERVER_VAR, &server)
        .env(harness::SKIPS_VAR, skips.path())
        .args(["--skip", ME, "--skip", "team::"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with("test result:"))
        .unwrap_or_else(|| {
            panic!(
                "the run on PostgreSQL gave no summary:\n{stdout}\n{}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
    let count = |what: &str| -> usize {
        summary
            .split([';', '.'])
            .find_map(|part| part.trim().strip_suffix(what)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {what:?} count in {summary:?}"))
    };
    let (passed, failed) = (count(" passed"), count(" failed"));
    let skipped: Vec<(String, String)> = std::fs::read_to_string(skips.path())
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(test, reason)| (test.to_owned(), reason.to_owned()))
        .collect();
    let mut by_reason = std::collections::BTreeMap::<&str, usize>::new();
    for (_, reason) in &skipped {
        *by_reason.entry(reason.as_str()).or_default() += 1;
    }
    let _ = writeln!(
        stderr,
        "on PostgreSQL: {} tests ran: {} in full, {} skipped there (below), {failed} failed",
        passed + failed,
        passed + failed - skipped.len(),
        skipped.len()
    );
    for (reason, n) in &by_reason {
        let _ = writeln!(stderr, "  skipped on PostgreSQL ({reason}): {n}");
    }
    assert!(
        output.status.success() && failed == 0,
        "tests failed on PostgreSQL:\n{stdout}"
    );
    assert!(passed > skipped.len(), "no test really ran on PostgreSQL");
}
