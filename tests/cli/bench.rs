//! The benchmark's generator and script, and the import fast paths they exercise. Nothing here
//! times anything: figures belong in bench/RESULTS.md, not in pass/fail tests.

use std::path::{Path, PathBuf};
use std::process::Command;

use claimdb::model::Status;

use crate::harness::Workdir;

/// The gen-claims example: the one `cargo test` built, else built now.
fn generator() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_claimdb"));
    let dir = bin.parent().expect("the binary lies in a target folder");
    let example = dir
        .join("examples")
        .join(format!("gen-claims{}", std::env::consts::EXE_SUFFIX));
    if !example.exists() {
        let status = Command::new(option_env!("CARGO").unwrap_or("cargo"))
            .args(["build", "--quiet", "--example", "gen-claims"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building gen-claims failed");
    }
    example
}

fn generate(args: &[&str]) -> Vec<u8> {
    let output = Command::new(generator())
        .args(args)
        .output()
        .expect("gen-claims runs");
    assert!(
        output.status.success(),
        "gen-claims {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

#[test]
fn the_generator_gives_the_same_bytes_for_the_same_seed_and_others_for_another() {
    let a = generate(&["300", "--seed", "7"]);
    assert_eq!(a, generate(&["300", "--seed", "7"]));
    assert_ne!(a, generate(&["300", "--seed", "8"]));
    // A smaller count is a prefix of the same stream, so N/10 files match the first rows of N.
    let head = generate(&["30", "--seed", "7"]);
    assert!(a.starts_with(&head));
    let text = String::from_utf8(a).unwrap();
    assert!(text.starts_with(
        "text,translation,claimant,supported_by,disputed_by,status,value,unit,qualifier,\
         location,claim_date,tags,note\n"
    ));
    // The quoting paths of the CSV format: quotes, commas and line breaks inside cells.
    assert!(text.contains("\"\""), "no embedded quote");
    assert!(
        text.contains("،") && text.contains("troops"),
        "not mixed Arabic and English"
    );
    let rows = csv::Reader::from_reader(text.as_bytes())
        .records()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    assert_eq!(rows.len(), 300);
    assert!(
        rows.iter().any(|r| r[0].contains('\n')),
        "no embedded line break"
    );
    // Every status but the rarest shows up in 300 claims.
    for status in Status::ALL.iter().filter(|s| **s != Status::Unverifiable) {
        assert!(
            rows.iter().any(|r| &r[5] == status.as_str()),
            "no {status} claim"
        );
    }
    for row in &rows {
        let claimant = &row[2];
        let cited: Vec<&str> = row[3]
            .split(';')
            .chain(row[4].split(';'))
            .filter(|s| !s.is_empty())
            .collect();
        assert!(
            !cited.contains(&claimant),
            "a claimant cites itself: {row:?}"
        );
        let mut unique = cited.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), cited.len(), "a source cited twice: {row:?}");
    }
}

#[test]
fn generated_claims_import_cleanly_and_round_trip() {
    let wd = Workdir::new();
    let file = wd.write("claims.csv", generate(&["300", "--seed", "3"]));
    let run = wd.run(&["import", file.to_str().unwrap()]).ok();
    assert!(run.stderr.contains("300 row(s): 300 added"), "{run:?}");
    let stats = wd.run(&["--format", "json", "stats"]).ok().json();
    assert_eq!(stats["claims"], 300);
    // One history row per created claim.
    let history = wd.run(&["--format", "json", "history", "150"]).ok().json();
    assert_eq!(history.as_array().unwrap().len(), 1);
    assert_eq!(history[0]["action"], "import");
    let exported = wd.export();
    // Every claim is read by merging three sorted reads; a filter takes the per-claim path.
    let mut filtered = vec!["export"];
    for status in Status::ALL {
        filtered.extend(["--status", status.as_str()]);
    }
    assert_eq!(wd.run(&filtered).ok().stdout, exported);
    let copy = Workdir::new();
    copy.run_stdin(&["import", "-"], &exported).ok();
    assert_eq!(copy.export(), exported);
}

#[test]
fn an_import_into_an_empty_database_still_finds_repeated_and_renamed_claims() {
    let wd = Workdir::new();
    // Row 3 repeats row 2 (same text and claimant): found, so refused as a second naming of the
    // claim, not stored as a second claim.
    let file = wd.write(
        "repeats.csv",
        "uid,text,claimant,status,tags\n\
         u-1,\"نحو ألف, troops\",Reuters,unverified,a\n\
         ,\"نحو ألف, troops\",Reuters,in_review,a\n",
    );
    wd.run(&["import", file.to_str().unwrap()])
        .fails(1, &["line 3: this row names the same claim as line 2"]);
    // Stored by a load into the empty database, renamed by its uid, then named by its new text:
    // found as an update.
    let file = wd.write(
        "repeats.csv",
        "uid,text,claimant,status,tags\n\
         u-1,\"نحو ألف, troops\",Reuters,unverified,a\n\
         ,other,AFP,disputed,\n",
    );
    wd.run(&["import", file.to_str().unwrap()]).ok();
    let file = wd.write(
        "renames.csv",
        "uid,text,claimant,status,tags\n\
         u-1,renamed,Reuters,in_review,a\n",
    );
    wd.run(&["import", file.to_str().unwrap()]).ok();
    let file = wd.write(
        "renames.csv",
        "uid,text,claimant,status,tags\n\
         ,renamed,Reuters,false,b\n\
         ,other,AFP,disputed,\n",
    );
    let run = wd.run(&["import", file.to_str().unwrap()]).ok();
    assert!(
        run.stderr.contains("0 added, 1 updated, 1 unchanged"),
        "{run:?}"
    );
    let list = wd.run(&["--format", "json", "list"]).ok().json();
    let claims = list.as_array().unwrap();
    assert_eq!(claims.len(), 2);
    assert_eq!(claims[0]["text"], "renamed");
    assert_eq!(claims[0]["status"], "false");
    assert_eq!(claims[0]["tags"], serde_json::json!(["b"]));
    // The indexes built at the end of the load serve the filters.
    let disputed = wd
        .run(&["--format", "json", "list", "--disputed"])
        .ok()
        .json();
    assert_eq!(disputed.as_array().unwrap().len(), 1);
    let tagged = wd
        .run(&["--format", "json", "list", "--tag", "b"])
        .ok()
        .json();
    assert_eq!(tagged.as_array().unwrap().len(), 1);
    // A second import into the now non-empty database takes the ordinary path.
    let more = wd.write("more.csv", "text,claimant\nrenamed,Reuters\nthird,AFP\n");
    let run = wd.run(&["import", more.to_str().unwrap()]).ok();
    assert!(
        run.stderr.contains("1 added, 0 updated, 1 unchanged"),
        "{run:?}"
    );
}

/// Runs bench/run.sh on 300 generated claims with `path` as its PATH (None: the test's own) and
/// returns its stdout and stderr, failing the test with both when the script fails.
fn run_bench_script(path: Option<&std::ffi::OsStr>, extra: &[(&str, &str)]) -> (String, String) {
    let work = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/run.sh");
    let mut command = Command::new("bash");
    command
        .arg(&script)
        .env("N", "300")
        .env("CLAIMDB", env!("CARGO_BIN_EXE_claimdb"))
        .env("GEN", generator())
        .env("WORK", work.path())
        .env("SQLITE_UTILS", "0")
        .env("RUNS", "2")
        .env("IMPORT_RUNS", "2")
        .env_remove("CSV")
        .env_remove("RESULTS")
        .env_remove("TIME_CMD");
    if let Some(path) = path {
        command.env("PATH", path);
    }
    for (key, value) in extra {
        command.env(key, value);
    }
    let output = command.output().expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "bench/run.sh failed\n--- stdout:\n{stdout}\n--- stderr:\n{stderr}"
    );
    for needle in [
        "## claimdb benchmark: 300 claims",
        "| claimdb | reference | ratio | target | |",
        "| import 300 claims |",
        "| import 30 new claims into 30 |",
        "| peak RSS, import of 300 |",
        "| `list --disputed --limit 50` on 300 claims |",
        "| `stats` on 300 claims |",
        "| export 300 claims |",
        "| `claimdb --version` |",
        "| `extract` of a 256 KB article |",
        "| database size |",
    ] {
        assert!(
            stdout.contains(needle),
            "no {needle:?} in\n{stdout}\n{stderr}"
        );
    }
    assert!(!stdout.contains("failed"), "{stdout}\n{stderr}");
    (stdout, stderr)
}

/// A folder of links to every program on this PATH except `missing`: the PATH of a machine
/// that lacks those tools, whatever this one has installed.
fn path_without(missing: &[&str]) -> (tempfile::TempDir, std::ffi::OsString) {
    let farm = tempfile::tempdir().unwrap();
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let link = farm.path().join(&name);
            if missing.iter().any(|m| name == *m) || link.exists() {
                continue;
            }
            let _ = std::os::unix::fs::symlink(entry.path(), link);
        }
    }
    let farm_path = farm.path().as_os_str().to_owned();
    (farm, farm_path)
}

/// A new machine has no hyperfine (nor need it have sqlite3 or GNU time): the script says what
/// it skips and still prints every row, timing with its own loop; an earlier binary given as
/// BEFORE is timed beside the current one.
#[test]
fn the_bench_script_runs_without_its_optional_tools() {
    let (_farm, path) = path_without(&["hyperfine", "sqlite3"]);
    let (stdout, stderr) = run_bench_script(
        Some(&path),
        &[
            ("TIME_CMD", "/nonexistent/time"),
            ("BEFORE", env!("CARGO_BIN_EXE_claimdb")),
        ],
    );
    assert!(stderr.contains("hyperfine is not installed"), "{stderr}");
    // An earlier binary is timed beside it: a column of its own, filled for the imports and
    // the queries.
    assert!(
        stdout.contains("| measure | before | claimdb | reference | ratio | target | |"),
        "{stdout}"
    );
    for measure in [
        "| import 30 new claims into 30 |",
        "| `stats` on 300 claims |",
    ] {
        let line = stdout.lines().find(|l| l.starts_with(measure)).unwrap();
        let before = line.split('|').nth(2).unwrap().trim();
        assert!(before.ends_with(" ms"), "no time before in {line:?}");
    }
    assert!(stderr.contains("sqlite3 is not installed"), "{stderr}");
    assert!(stderr.contains("peak memory is skipped"), "{stderr}");
    assert!(stdout.contains("a shell loop"), "{stdout}");
    assert!(stdout.contains("skipped: no sqlite3"), "{stdout}");
}

/// With hyperfine present (CI installs it), the script times with it.
#[test]
fn the_bench_script_times_with_hyperfine_when_present() {
    let (_farm, path) = path_without(&[]);
    let has_hyperfine = std::env::split_paths(&path).any(|dir| dir.join("hyperfine").is_file());
    if !has_hyperfine {
        eprintln!(
            "note: hyperfine is not installed; skipping the hyperfine half of the bench test"
        );
        return;
    }
    let (stdout, _) = run_bench_script(None, &[]);
    assert!(stdout.contains("with hyperfine"), "{stdout}");
}
