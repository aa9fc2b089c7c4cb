//! How claimdb behaves on a terminal and in pipes: fitted tables, bidi isolation, colour rules,
//! broken pipes, completions, the manual page, suggestions and progress.

use std::io::Read;
use std::process::Stdio;

use crate::harness::Workdir;

/// Claims that are hard to lay out: Arabic with harakat, emoji, CJK, a combining accent.
fn hard_claims() -> Workdir {
    let wd = Workdir::new();
    wd.add(&[
        "وفي هذه المنطقة تكبَّدت المجموعة الروسية أولى خسائرها في 5 يناير الماضي",
        "--claimant",
        "Malian army",
        "--value",
        "203",
        "--unit",
        "militants",
        "--date",
        "2022-01-05",
    ]);
    wd.add(&[
        "Wagner 🪖 fighters 🇷🇺 seen near the base 😀😀",
        "--claimant",
        "Eyewitnesses",
    ]);
    wd.add(&[
        "瓦格纳集团在马里部署了大约一千名战斗人员",
        "--claimant",
        "Western estimates",
        "--value",
        "1000",
        "--qualifier",
        "approx",
        "--unit",
        "fighters",
    ]);
    wd.add(&[
        "Se\u{301}gou: about 200 Wagner men",
        "--claimant",
        "Centre for Strategic and International Studies",
    ]);
    wd
}

fn table_at(wd: &Workdir, columns: usize) -> String {
    let mut cmd = wd.command(&["list"]);
    cmd.env("COLUMNS", columns.to_string());
    wd.run_command(cmd, &["list"]).ok().stdout
}

fn width(line: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(line)
}

#[test]
fn tables_fit_40_80_and_200_columns() {
    let wd = hard_claims();
    for columns in [40, 80, 200] {
        let table = table_at(&wd, columns);
        for line in table.lines() {
            assert!(
                width(line) <= columns,
                "line wider than {columns}: {line:?}\n{table}"
            );
        }
        insta::assert_snapshot!(format!("list_at_{columns}_columns"), table);
    }
}

#[test]
fn cuts_never_split_a_letter_from_its_marks() {
    let wd = hard_claims();
    let table = table_at(&wd, 60);
    // The shadda and fatha of تكبَّدت travel with their letter or not at all.
    for line in table.lines() {
        let after_ellipsis_mark = line
            .split('…')
            .skip(1)
            .any(|rest| rest.starts_with(|c: char| ('\u{064B}'..='\u{065F}').contains(&c)));
        assert!(!after_ellipsis_mark, "a mark after the cut: {line:?}");
    }
    assert!(
        table.contains('…'),
        "something was cut at 60 columns:\n{table}"
    );
}

#[test]
fn right_to_left_cells_are_isolated_in_tables_only() {
    let wd = hard_claims();
    let table = table_at(&wd, 200);
    assert!(table.contains("\u{2068}وفي هذه المنطقة تكبَّدت"), "{table}");
    assert!(table.contains("\u{2069}"), "{table}");
    assert!(
        !table.contains("\u{2068}Wagner"),
        "only right-to-left text is isolated"
    );
    let csv = wd.run(&["list", "--format", "csv"]).ok().stdout;
    assert!(!csv.contains('\u{2068}') && !csv.contains('\u{2069}'));
}

#[test]
fn wide_shows_whole_cells_and_translated_shows_translations() {
    let wd = hard_claims();
    wd.run(&[
        "edit",
        "1",
        "--translation",
        "In this region the Russian group suffered its first losses",
    ])
    .ok();
    let mut cmd = wd.command(&["list", "--wide"]);
    cmd.env("COLUMNS", "40");
    let wide = wd.run_command(cmd, &["list", "--wide"]).ok().stdout;
    assert!(wide.contains("أولى خسائرها في 5 يناير الماضي"), "{wide}");
    let mut cmd = wd.command(&["list", "--translated", "--wide"]);
    cmd.env("COLUMNS", "40");
    let translated = wd.run_command(cmd, &["list", "--translated"]).ok().stdout;
    assert!(
        translated.contains("suffered its first losses"),
        "{translated}"
    );
    assert!(
        translated.contains("瓦格纳集团"),
        "untranslated claims show their text: {translated}"
    );
}

#[test]
fn colour_only_when_wanted_and_never_with_no_color() {
    let wd = Workdir::new();
    wd.add(&["x", "--claimant", "A", "--status", "disputed"]);
    let run_with = |vars: &[(&str, &str)]| {
        let mut cmd = wd.command(&["list"]);
        cmd.env_remove("NO_COLOR");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        wd.run_command(cmd, &["list"]).ok().stdout
    };
    assert!(!run_with(&[]).contains('\u{1b}'), "piped output is plain");
    assert!(
        run_with(&[("CLICOLOR_FORCE", "1")]).contains('\u{1b}'),
        "colour can be forced"
    );
    assert!(
        !run_with(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).contains('\u{1b}'),
        "NO_COLOR wins"
    );
}

#[test]
fn a_closed_pipe_ends_quietly_with_success() {
    let wd = Workdir::new();
    let mut csv = String::from("text,claimant\n");
    for i in 0..3000 {
        csv.push_str(&format!(
            "claim number {i} with some padding text to make it longer,Source {}\n",
            i % 7
        ));
    }
    wd.run_stdin(&["import", "-", "-q"], csv).ok();
    for format in ["csv", "table", "jsonl"] {
        let mut child = wd
            .command(&["list", "--format", format])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 100];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        // The read end is dropped here, as `| head` does.
        let output = child.wait_with_output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{format}: {:?}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{format}");
    }
}

#[test]
fn completions_generate_for_every_shell_and_the_man_page_renders() {
    let wd = Workdir::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = wd.run(&["completions", shell]).ok();
        assert!(
            run.stdout.contains("claimdb") && run.stdout.contains("import"),
            "{shell}"
        );
    }
    wd.run(&["completions", "tcsh"])
        .fails(2, &["possible values"]);
    let man = wd.run(&["man"]).ok().stdout;
    assert!(
        man.contains(".TH claimdb 1") && man.contains("disputed"),
        "{man}"
    );
    assert!(!wd.db().exists(), "completions and man need no database");
}

#[test]
fn typos_get_suggestions() {
    let wd = Workdir::new();
    wd.run(&["lst"]).fails(
        2,
        &[
            "unrecognized subcommand 'lst'",
            "similar subcommand exists: 'list'",
        ],
    );
    wd.add(&["x", "--claimant", "A"]);
    wd.run(&["status", "1", "verifed"])
        .fails(2, &["a similar value exists: 'verified'"]);
    wd.run(&["list", "--disputd"])
        .fails(2, &["similar argument exists: '--disputed'"]);
}

#[test]
fn every_command_help_has_an_example() {
    let wd = Workdir::new();
    let commands: &[&[&str]] = &[
        &["init"],
        &["add"],
        &["show"],
        &["list"],
        &["status"],
        &["edit"],
        &["cite"],
        &["history"],
        &["source", "list"],
        &["source", "add"],
        &["source", "alias"],
        &["source", "show"],
        &["source", "edit"],
        &["import"],
        &["export"],
        &["stats"],
        &["completions"],
        &["man"],
    ];
    for command in commands {
        let mut args = command.to_vec();
        args.push("--help");
        let run = wd.run(&args).ok();
        assert!(
            run.stdout.contains("Example"),
            "`{}` has no example:\n{}",
            command.join(" "),
            run.stdout
        );
    }
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let wd = Workdir::new();
    let mut csv = String::from("text,claimant\n");
    for i in 0..500 {
        csv.push_str(&format!("claim {i},A\n"));
    }
    let file = wd.write("many.csv", csv);
    let run = wd.run(&["import", file.to_str().unwrap()]).ok();
    assert!(
        !run.stderr.contains('\r') && !run.stderr.contains('\u{1b}'),
        "{run:?}"
    );
    assert!(
        run.stderr.contains("500 added"),
        "the summary is always there: {run:?}"
    );
    let quiet = wd
        .run(&[
            "export",
            "-q",
            "--output",
            wd.path("out.csv").to_str().unwrap(),
        ])
        .ok();
    assert_eq!(quiet.stderr, "");
}

#[test]
fn the_config_file_gives_defaults_that_flags_and_environment_override() {
    let wd = Workdir::new();
    let db = wd.path("from-config.db");
    let config = wd.write(
        "config.toml",
        format!("db = {:?}\nactor = \"config-user\"\n", db.to_str().unwrap()),
    );
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_claimdb"));
    cmd.env("CLAIMDB_CONFIG", &config)
        .env_remove("CLAIMDB_PATH")
        .env_remove("CLAIMDB_USER")
        .args(["add", "x", "--claimant", "A"]);
    wd.run_command(cmd, &["add"]).ok();
    assert!(db.exists(), "the database named in the config was used");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_claimdb"));
    cmd.env("CLAIMDB_CONFIG", &config)
        .env_remove("CLAIMDB_PATH")
        .env("CLAIMDB_USER", "env-user")
        .args(["history", "1", "--format", "json"]);
    let history = wd.run_command(cmd, &["history"]).ok().json();
    assert_eq!(history[0]["actor"], "config-user");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_claimdb"));
    cmd.env("CLAIMDB_CONFIG", &config)
        .env("CLAIMDB_USER", "env-user")
        .args(["status", "1", "in_review"]);
    wd.run_command(cmd, &["status"]).ok();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_claimdb"));
    cmd.env("CLAIMDB_CONFIG", &config).args([
        "--as",
        "flag-user",
        "history",
        "1",
        "--format",
        "json",
    ]);
    let history = wd.run_command(cmd, &["history"]).ok().json();
    assert_eq!(history[1]["actor"], "env-user");
    let bad = wd.write("bad.toml", "databse = \"x\"\n");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_claimdb"));
    cmd.env("CLAIMDB_CONFIG", &bad).args(["list"]);
    wd.run_command(cmd, &["list"])
        .fails(1, &["bad.toml line 1", "databse", "expected one of `db`"]);
}
