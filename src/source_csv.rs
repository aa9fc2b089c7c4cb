//! The sources file: a desk's list of the bodies that make, support and dispute claims, what
//! kind each is and the other names it goes by (`claimdb source import`). Its columns are those
//! `claimdb source list --format csv` prints, so a listing imports back: `name` (required),
//! `kind` and `aliases` (`;`-separated); the counts `claims`, `supports` and `disputes` are
//! computed from the claims and ignored on import.

use std::io::Read;

use crate::claim_csv::{self, Problem};
use crate::model::{self, SourceKind};

/// One row of a sources file.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRow {
    /// The row's line in the file, for messages.
    pub line: u64,
    pub name: String,
    /// `None` when the file has no `kind` column or leaves the cell empty: a new source is then
    /// `other`, and a stored one keeps its kind.
    pub kind: Option<SourceKind>,
    pub aliases: Vec<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Column {
    Name,
    Kind,
    Aliases,
    /// A count `source list` prints: computed, so ignored.
    Count,
}

const COLUMNS: [(&str, Column); 6] = [
    ("name", Column::Name),
    ("kind", Column::Kind),
    ("aliases", Column::Aliases),
    ("claims", Column::Count),
    ("supports", Column::Count),
    ("disputes", Column::Count),
];

/// Reads every row of a sources file, or every problem in it (each with its line and column).
/// A name given twice is one source: the rows' aliases add up, and their kinds must agree.
pub fn read(input: impl Read) -> Result<Vec<SourceRow>, Vec<Problem>> {
    let mut reader = claim_csv::csv_reader(input);
    let problem = |line: u64, message: String| Problem {
        line,
        column: None,
        message,
    };
    let allowed = COLUMNS.map(|(name, _)| name).join(", ");
    let mut record = csv::ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(true) => {}
        Ok(false) => {
            return Err(vec![problem(
                1,
                format!("the file is empty; it needs a header row naming its columns ({allowed})"),
            )])
        }
        Err(e) => return Err(vec![problem(1, read_error(&e))]),
    }
    if let Some(utf16) = claim_csv::utf16_problem(&reader) {
        return Err(vec![utf16]);
    }
    let mut columns = Vec::new();
    let mut problems = Vec::new();
    for (i, raw) in record.iter().enumerate() {
        let mut name = String::from_utf8_lossy(raw).into_owned();
        if i == 0 {
            name = name.trim_start_matches('\u{feff}').to_owned();
        }
        let name = name.trim().to_lowercase();
        match COLUMNS.iter().find(|(known, _)| *known == name) {
            Some((_, column)) if *column != Column::Count && columns.contains(column) => {
                problems.push(problem(1, format!("column {name:?} is named twice")));
            }
            Some((_, column)) => columns.push(*column),
            None => problems.push(problem(
                1,
                format!("{name:?} is not a column of a sources file (expected: {allowed})"),
            )),
        }
    }
    if problems.is_empty() && !columns.contains(&Column::Name) {
        problems.push(problem(1, "the header has no name column".to_owned()));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut rows = Vec::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = claim_csv::line_of(&reader, e.position());
                problems.push(problem(line, read_error(&e)));
                break;
            }
        }
        let line = claim_csv::line_of(&reader, record.position());
        if record.len() != columns.len() {
            problems.push(problem(
                line,
                format!(
                    "{} cells where the header names {} columns",
                    record.len(),
                    columns.len()
                ),
            ));
            continue;
        }
        let mut row = SourceRow {
            line,
            name: String::new(),
            kind: None,
            aliases: Vec::new(),
        };
        for (column, raw) in columns.iter().zip(record.iter()) {
            let Ok(cell) = std::str::from_utf8(raw) else {
                problems.push(problem(line, "the line is not UTF-8 text".to_owned()));
                continue;
            };
            let located = |label: &str, message: String| Problem {
                line,
                column: None,
                message: format!("column {label}: {message}"),
            };
            match column {
                Column::Name => match model::list_item("a source name", cell) {
                    Ok(name) => row.name = name,
                    Err(e) => problems.push(located("name", e.to_string())),
                },
                Column::Kind if cell.trim().is_empty() => {}
                Column::Kind => match cell.parse::<SourceKind>() {
                    Ok(kind) => row.kind = Some(kind),
                    Err(e) => problems.push(located("kind", e.to_string())),
                },
                Column::Aliases => {
                    for alias in cell.split(';').filter(|a| !a.trim().is_empty()) {
                        match model::list_item("an alias", alias) {
                            Ok(alias) => row.aliases.push(alias),
                            Err(e) => problems.push(located("aliases", e.to_string())),
                        }
                    }
                }
                Column::Count => {}
            }
        }
        rows.push(row);
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

fn read_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(e) => format!("could not be read: {e}"),
        _ => format!("is not CSV claimdb can read: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(input: &str) -> Vec<String> {
        read(input.as_bytes())
            .expect_err("problems")
            .iter()
            .map(|p| p.describe("sources.csv"))
            .collect()
    }

    #[test]
    fn a_listing_reads_back_with_kinds_and_aliases_and_ignores_the_counts() {
        let rows = read(
            "\u{feff}name,kind,aliases,claims,supports,disputes\r\n\
             Human Rights Watch,ngo,HRW;هيومن رايتس ووتش,1,0,0\r\n\
             CSIS,,,4,0,0\r\n"
                .as_bytes(),
        )
        .expect("rows");
        assert_eq!(
            rows,
            vec![
                SourceRow {
                    line: 2,
                    name: "Human Rights Watch".into(),
                    kind: Some(SourceKind::Ngo),
                    aliases: vec!["HRW".into(), "هيومن رايتس ووتش".into()],
                },
                SourceRow {
                    line: 3,
                    name: "CSIS".into(),
                    kind: None,
                    aliases: vec![],
                },
            ]
        );
    }

    #[test]
    fn bad_headers_and_cells_name_their_line_and_column() {
        assert_eq!(
            messages("name,colour\n"),
            [
                "sources.csv line 1: \"colour\" is not a column of a sources file (expected: \
                 name, kind, aliases, claims, supports, disputes)"
            ]
        );
        assert_eq!(
            messages("kind,aliases\n"),
            ["sources.csv line 1: the header has no name column"]
        );
        assert_eq!(messages(""), ["sources.csv line 1: the file is empty; it needs a header row naming its columns (name, kind, aliases, claims, supports, disputes)"]);
        let problems = messages("name,kind\nCSIS,thinktank\n\u{200b},ngo\nA\n");
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("sources.csv line 2: column kind: "));
        assert!(problems[0].contains("think_tank"), "{problems:?}");
        assert!(problems[1].starts_with("sources.csv line 3: column name: "));
        assert!(problems[2].starts_with("sources.csv line 4: 1 cells"));
        let utf16: Vec<u8> = [0xFF, 0xFE, b'n', 0].to_vec();
        let problems = read(&utf16[..]).expect_err("UTF-16");
        assert!(problems[0].message.contains("UTF-16"), "{problems:?}");
    }
}
