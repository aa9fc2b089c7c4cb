//! The report: its charts' numbers against the database, self-containment, right-to-left
//! cells, Markdown, and (where Chromium is installed) how it renders and prints.

use std::collections::BTreeMap;

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::harness::{Run, Workdir};

/// What the test reads from the page.
#[derive(Debug, Default)]
struct Page {
    /// chart → (label, series) → value.
    charts: BTreeMap<String, BTreeMap<(String, String), u64>>,
    /// Every table cell's text, by section id, row by row.
    tables: BTreeMap<String, Vec<Vec<String>>>,
    /// Cells holding user text, and whether each has dir="auto".
    text_cells: Vec<(String, bool)>,
    /// Elements that load something, and attributes that point away.
    external: Vec<String>,
    style: String,
}

fn attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name.as_bytes())
        .map(|a| {
            String::from_utf8(a.value.to_vec())
                .unwrap()
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
}

/// Parses the page as XML (it is written well-formed), which also proves it is.
fn parse(html: &str) -> Page {
    let mut reader = Reader::from_str(html);
    let mut page = Page::default();
    let (mut chart, mut section) = (String::new(), String::new());
    let (mut in_cell, mut in_style, mut cell_is_text) = (false, false, false);
    let mut cell = String::new();
    loop {
        let event = reader.read_event().unwrap();
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let tag = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
            if [
                "script", "link", "img", "iframe", "object", "embed", "audio", "video", "base",
            ]
            .contains(&tag.as_str())
            {
                page.external.push(tag.clone());
            }
            for a in e.attributes().flatten() {
                let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
                if key == "src" || key == "srcset" || key == "xlink:href" {
                    page.external.push(key);
                }
            }
            match tag.as_str() {
                "svg" => chart = attr(&e, "data-chart").unwrap(),
                "section" => section = attr(&e, "id").unwrap(),
                "g" => {
                    let key = (
                        attr(&e, "data-label").unwrap(),
                        attr(&e, "data-series").unwrap(),
                    );
                    let value = attr(&e, "data-value").unwrap().parse().unwrap();
                    page.charts
                        .entry(chart.clone())
                        .or_default()
                        .insert(key, value);
                }
                "tr" => page
                    .tables
                    .entry(section.clone())
                    .or_default()
                    .push(Vec::new()),
                "td" if !empty => {
                    in_cell = true;
                    cell.clear();
                    cell_is_text = attr(&e, "class").as_deref() == Some("text");
                    if cell_is_text {
                        let auto = attr(&e, "dir").as_deref() == Some("auto");
                        page.text_cells.push((String::new(), auto));
                    }
                }
                "style" => in_style = true,
                _ => {}
            }
        }
        match event {
            Event::Text(t) => {
                let t = t.xml_content().unwrap();
                if in_cell {
                    cell.push_str(&t);
                }
                if in_style {
                    page.style.push_str(&t);
                }
            }
            Event::GeneralRef(r) if in_cell => {
                let name = String::from_utf8(r.to_vec()).unwrap();
                cell.push_str(match name.as_str() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "#39" => "'",
                    _ => "?",
                });
            }
            Event::End(e) => match e.name().as_ref() {
                b"td" => {
                    in_cell = false;
                    if cell_is_text {
                        page.text_cells.last_mut().unwrap().0 = cell.clone();
                    }
                    let rows = page.tables.get_mut(&section).unwrap();
                    rows.last_mut().unwrap().push(cell.clone());
                }
                b"style" => in_style = false,
                b"svg" => chart.clear(),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    page
}

fn as_user(wd: &Workdir, who: &str, args: &[&str]) -> Run {
    let mut all = vec!["--as", who];
    all.extend_from_slice(args);
    wd.run(&all)
}

/// A desk's week: Arabic and English claims, verdicts by two people, a disputed claim, an
/// archived one.
fn desk_week() -> Workdir {
    let wd = Workdir::new();
    wd.import_seed();
    as_user(
        &wd,
        "amal",
        &["status", "1", "false", "--note", "تقرير هيومن رايتس ووتش"],
    )
    .ok();
    as_user(
        &wd,
        "amal",
        &["status", "2", "misleading", "--note", "context missing"],
    )
    .ok();
    as_user(
        &wd,
        "omar",
        &["status", "3", "verified", "--note", "two sources"],
    )
    .ok();
    as_user(&wd, "omar", &["status", "4", "in_review"]).ok();
    as_user(
        &wd,
        "omar",
        &[
            "cite",
            "1",
            "Human Rights Watch",
            "--disputes",
            "--url",
            "https://hrw.example/r",
        ],
    )
    .ok();
    as_user(
        &wd,
        "amal",
        &["archive", "5", "--kind", "mistake", "--note", "typed twice"],
    )
    .ok();
    wd
}

/// How many claims the seed file holds.
fn seed_claims() -> u64 {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("claims.csv");
    csv::Reader::from_path(path).unwrap().records().count() as u64
}

fn count_by_status(wd: &Workdir) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for claim in wd.json(&["list"]).as_array().unwrap() {
        *counts
            .entry(claim["status"].as_str().unwrap().to_owned())
            .or_insert(0) += 1;
    }
    counts
}

#[test]
fn the_report_charts_the_databases_numbers_references_nothing_outside_and_marks_direction() {
    let wd = desk_week();
    let out = wd.path("report.html");
    wd.run(&[
        "report",
        "--since",
        "monday",
        "--output",
        out.to_str().unwrap(),
    ])
    .ok();
    let html = std::fs::read_to_string(&out).unwrap();
    let page = parse(&html);

    // Status: every status, as many claims as `list` has (archived left out).
    let listed = count_by_status(&wd);
    let charted = &page.charts["status"];
    for ((status, _), n) in charted {
        assert_eq!(*n, listed.get(status).copied().unwrap_or(0), "{status}");
    }
    assert_eq!(charted.values().sum::<u64>(), listed.values().sum::<u64>());
    assert_eq!(
        listed.values().sum::<u64>(),
        seed_claims() - 1,
        "one is archived"
    );
    // The same numbers in the table.
    let table: Vec<(String, u64)> = page.tables["status"]
        .iter()
        .skip(1)
        .map(|r| (r[0].clone(), r[1].parse().unwrap()))
        .collect();
    let from_chart: Vec<(String, u64)> =
        charted.iter().map(|((s, _), n)| (s.clone(), *n)).collect();
    let mut sorted = table.clone();
    sorted.sort();
    assert_eq!(sorted, from_chart);

    // This week: every claim in scope opened, three verdicts closed.
    let weeks = &page.charts["weeks"];
    let this_week = weeks.keys().map(|(w, _)| w.clone()).max().unwrap();
    assert_eq!(
        weeks[&(this_week.clone(), "opened".into())],
        seed_claims() - 1
    );
    assert_eq!(weeks[&(this_week, "closed".into())], 3);
    // Ageing: every open claim is under a day old.
    let open = listed
        .iter()
        .filter(|(s, _)| !["verified", "misleading", "false", "unverifiable"].contains(&s.as_str()))
        .map(|(_, n)| n)
        .sum::<u64>();
    assert_eq!(
        page.charts["ageing"][&("under 1 day".into(), "claims".into())],
        open
    );
    assert_eq!(page.charts["ageing"].values().sum::<u64>(), open);
    // Throughput: verdicts per person, as history has them.
    let checkers = &page.charts["checkers"];
    assert_eq!(checkers[&("amal".into(), "verdicts".into())], 2);
    assert_eq!(checkers[&("omar".into(), "verdicts".into())], 1);
    assert_eq!(checkers[&("tester".into(), "verdicts".into())], 0);

    // The verdicts list their reasons and evidence links.
    let verdicts = &page.tables["verdicts"];
    assert_eq!(verdicts.len(), 4, "{verdicts:?}");
    assert!(verdicts[1..]
        .iter()
        .any(|r| r[4] == "تقرير هيومن رايتس ووتش" && r[5].contains("Human Rights Watch")));
    assert!(html.contains("href=\"https://hrw.example/r\""));

    // Nothing loads from outside: no scripts, stylesheets, images or fonts.
    assert!(page.external.is_empty(), "{:?}", page.external);
    assert!(!page.style.contains("url(") && !page.style.contains("@import"));
    assert!(!html.contains("<script"));
    // Every cell holding claim text or a name says dir="auto", Arabic ones included.
    assert!(page.text_cells.iter().all(|(_, auto)| *auto));
    assert!(page
        .text_cells
        .iter()
        .any(|(text, _)| text.contains("روسيا")));
    // Print: A4 pages.
    assert!(page.style.contains("size: A4") && page.style.contains("@media print"));
}

#[test]
fn the_markdown_report_has_the_same_numbers() {
    let wd = desk_week();
    let md = wd
        .run(&["report", "--since", "monday", "--format", "md"])
        .ok()
        .stdout;
    let listed = count_by_status(&wd);
    for (status, n) in &listed {
        assert!(
            md.contains(&format!("| {status} | {n} |")),
            "{status} {n}\n{md}"
        );
    }
    assert!(md.contains("| amal | 2 |"), "{md}");
    // The seed's own contradiction on Moura, as `conflicts` finds it.
    let conflicts = wd.json(&["conflicts"]);
    assert_eq!(conflicts.as_array().unwrap().len(), 1, "{conflicts}");
    assert!(md.contains("## Conflicting figures"), "{md}");
    for side in ["a", "b"] {
        let figure = conflicts[0][side]["figure"].as_str().unwrap();
        assert!(md.contains(figure), "{figure}\n{md}");
    }
    assert!(md.contains("[Human Rights Watch](https://hrw.example/r)"));
    // The JSON form carries the same counts for scripts.
    let json = wd.json(&["report", "--since", "monday"]);
    assert_eq!(json["claims"], seed_claims() - 1);
    wd.run(&["report", "--format", "csv"])
        .fails(1, &["html", "md"]);
    wd.run(&["report", "--since", "today", "--until", "yesterday"])
        .fails(1, &["period is empty"]);
    wd.run(&["list", "--format", "md"]).fails(1, &["report"]);
}

/// Renders the seed's report in headless Chromium to a screenshot and a PDF, and checks the
/// PDF's pages and text. Needs Debian's `chromium` and `poppler-utils` (pdfinfo, pdftotext);
/// skipped with a notice where they are missing.
#[test]
#[allow(clippy::print_stderr)]
fn the_report_renders_and_prints_in_chromium() {
    let chromium = std::path::Path::new("/usr/bin/chromium");
    let tools = ["/usr/bin/pdftotext", "/usr/bin/pdfinfo"];
    if !chromium.exists() || tools.iter().any(|t| !std::path::Path::new(t).exists()) {
        eprintln!(
            "note: skipping the Chromium rendering test: it needs /usr/bin/chromium and \
             poppler-utils (pdftotext, pdfinfo)"
        );
        return;
    }
    let wd = desk_week();
    let html = wd.path("report.html");
    wd.run(&[
        "report",
        "--since",
        "monday",
        "--output",
        html.to_str().unwrap(),
    ])
    .ok();
    let url = format!("file://{}", html.display());
    let png = wd.path("report.png");
    let pdf = wd.path("report.pdf");
    for args in [
        vec![
            format!("--screenshot={}", png.display()),
            "--window-size=800,1200".to_owned(),
        ],
        vec![
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".to_owned(),
        ],
    ] {
        // Chromium logs its missing desktop services (D-Bus, UPower) on every start: kept, and
        // shown only when it fails.
        let run = std::process::Command::new(chromium)
            .args(["--headless", "--no-sandbox", "--disable-gpu"])
            .args(&args)
            .arg(&url)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    assert!(std::fs::metadata(&png).unwrap().len() > 10_000);
    let info = std::process::Command::new(tools[1])
        .arg(&pdf)
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    let pages: u32 = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!((1..=12).contains(&pages), "{info}");
    assert!(info.contains("A4"), "A4 pages: {info}");
    let text = std::process::Command::new(tools[0])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Claims by status") && text.contains("Opened and closed per week"));
    // pdftotext may give Arabic as presentation forms, or in visual order.
    use unicode_normalization::UnicodeNormalization;
    let text: String = text.nfkc().collect();
    let word = "هيومن";
    let reversed: String = word.chars().rev().collect();
    assert!(
        text.contains(word) || text.contains(&reversed),
        "no Arabic claim text in the PDF: {text}"
    );
}
