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

/// `claimdb list` drawn as on a terminal `columns` wide (isolates included).
fn table_at(wd: &Workdir, columns: usize) -> String {
    terminal(wd, &["list"], columns)
}

/// A command's output drawn as on a terminal `columns` wide.
fn terminal(wd: &Workdir, args: &[&str], columns: usize) -> String {
    let mut cmd = wd.command(args);
    cmd.env("COLUMNS", columns.to_string())
        .env("CLAIMDB_ISOLATES", "1");
    wd.run_command(cmd, args).ok().stdout
}

/// The cells a terminal gives a line: one per code point (two for wide ones, none for marks),
/// never unicode-width's one cell for a lam-alef pair.
fn width(line: &str) -> usize {
    line.chars()
        .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
        .sum()
}

/// The width of each column of a table, read from its top border.
fn column_widths(table: &str) -> Vec<usize> {
    let top = table.lines().next().unwrap_or_default();
    top.trim_start_matches('┌')
        .trim_end_matches('┐')
        .split('┬')
        .map(|c| c.chars().count() - 2)
        .collect()
}

/// The headers of a table, in order.
fn headers(table: &str) -> Vec<String> {
    let line = table.lines().nth(1).unwrap_or_default();
    line.trim_matches('│')
        .split('┆')
        .map(|h| h.trim().to_owned())
        .collect()
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
fn user_cells_are_isolated_on_a_terminal_only() {
    let wd = hard_claims();
    let table = table_at(&wd, 200);
    assert!(table.contains("\u{2068}وفي هذه المنطقة تكبَّدت"), "{table}");
    assert!(
        table.contains("\u{2068}Wagner"),
        "every claim text: {table}"
    );
    assert!(
        table.contains("\u{2068}Malian army\u{2069}"),
        "names too: {table}"
    );
    assert!(
        !table.contains("\u{2068}1 "),
        "ids are not user text: {table}"
    );
    // `list > out.txt`: no invisible characters in a file.
    let mut cmd = wd.command(&["list"]);
    cmd.env("COLUMNS", "200").env_remove("CLAIMDB_ISOLATES");
    let piped = wd.run_command(cmd, &["list"]).ok().stdout;
    assert!(piped.contains("Malian army"), "{piped}");
    assert!(
        !piped.contains('\u{2068}') && !piped.contains('\u{2069}'),
        "{piped}"
    );
    let csv = wd.run(&["list", "--format", "csv"]).ok().stdout;
    assert!(!csv.contains('\u{2068}') && !csv.contains('\u{2069}'));
}

#[test]
fn a_bidi_override_in_a_name_stays_inside_its_cell() {
    let wd = Workdir::new();
    wd.add(&["the toll was 40", "--claimant", "Ministry\u{202e}"]);
    wd.add(&["another", "--claimant", "Agency\u{2069}\u{202e}"]);
    let table = table_at(&wd, 120);
    // The override ends where the cell's isolate ends, before the next border.
    assert!(
        table.contains("\u{2068}Ministry\u{202e}\u{2069} ┆"),
        "{table}"
    );
    // A closing PDI of the name's own would end the isolate early: it is dropped.
    assert!(
        table.contains("\u{2068}Agency\u{202e}\u{2069}   ┆"),
        "{table}"
    );
    for args in [&["source", "list"][..], &["stats"], &["show", "1"]] {
        let out = terminal(&wd, args, 120);
        assert!(
            out.contains("\u{2068}Ministry\u{202e}\u{2069}"),
            "{args:?}: {out}"
        );
    }
}

#[test]
fn the_seed_fits_80_columns_with_half_for_the_text() {
    let wd = Workdir::new();
    wd.import_seed();
    let table = table_at(&wd, 80);
    let mut lam_alef = false;
    for line in table.lines() {
        lam_alef |= line.contains("لا") || line.contains("لأ") || line.contains("لإ");
        assert_eq!(
            width(line),
            80,
            "every line is as wide as the terminal: {line:?}\n{table}"
        );
    }
    assert!(
        lam_alef,
        "the seed has rows holding a lam-alef pair:\n{table}"
    );
    let headers = headers(&table);
    let text = headers.iter().position(|h| h == "text").unwrap();
    assert!(
        column_widths(&table)[text] >= 40,
        "the text gets half the width: {:?}\n{table}",
        column_widths(&table)
    );
    // Every other table too.
    for args in [
        &["stats"][..],
        &["source", "list"],
        &["history", "28"],
        &["show", "28"],
    ] {
        let out = terminal(&wd, args, 80);
        for line in out.lines() {
            assert!(width(line) <= 80, "{args:?}: {line:?}\n{out}");
        }
    }
}

#[test]
fn show_cuts_long_cells() {
    let wd = Workdir::new();
    wd.add(&["x", "--claimant", "A", "--note", &"a long note ".repeat(40)]);
    let url = format!("https://example.org/{}", "a".repeat(400));
    wd.run(&["cite", "1", "B", "--supports", "--url", &url])
        .ok();
    let review = wd.write(
        "review.json",
        serde_json::json!({
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": url,
            "claimReviewed": "x",
            "author": {"@type": "Organization", "name": "Desk"},
            "reviewRating": {"@type": "Rating", "alternateName": "False"},
            "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "A"}}
        })
        .to_string(),
    );
    wd.run(&["import", "--from", "claimreview", review.to_str().unwrap()])
        .ok();
    let out = terminal(&wd, &["show", "1"], 80);
    assert!(out.contains("reviewed by"), "{out}");
    for line in out.lines() {
        assert!(width(line) <= 80, "{line:?}\n{out}");
    }
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
        &["ratings", "list"],
        &["ratings", "unmapped"],
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
fn help_names_no_source_file_and_groups_the_global_options() {
    let wd = Workdir::new();
    let commands: &[&[&str]] = &[
        &[],
        &["init"],
        &["add"],
        &["show"],
        &["list"],
        &["search"],
        &["similar"],
        &["status"],
        &["edit"],
        &["cite"],
        &["merge"],
        &["history"],
        &["source", "add"],
        &["ratings", "map"],
        &["ratings", "unmapped"],
        &["import"],
        &["export"],
        &["stats"],
        &["audit"],
        &["backup"],
        &["assign"],
        &["unassign"],
        &["archive"],
        &["unarchive"],
        &["approve"],
        &["return"],
        &["activity"],
        &["report"],
    ];
    // A flag as a whole word: --as is not --assignee.
    let has = |text: &str, flag: &str| {
        text.match_indices(flag).any(|(at, _)| {
            !text[at + flag.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '-')
        })
    };
    for command in commands {
        let mut args = command.to_vec();
        args.push("--help");
        let help = wd.run(&args).ok().stdout;
        assert!(!help.contains(".rs"), "{command:?}: {help}");
        let (own, global) = help
            .split_once("Global options:")
            .unwrap_or_else(|| panic!("{command:?} has no global options heading: {help}"));
        for flag in ["--db", "--as", "--format", "--wide", "--quiet"] {
            assert!(has(global, flag), "{command:?}: {flag} is global: {help}");
            // A flag is defined on a line of its own; its name may still appear in prose.
            assert!(
                !own.lines().any(|l| {
                    let l = l.trim_start();
                    l.starts_with(&format!("{flag} ")) || l.contains(&format!(", {flag} "))
                }),
                "{command:?}: {flag} among the command's own: {help}"
            );
        }
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
