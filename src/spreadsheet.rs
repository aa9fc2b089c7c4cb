//! The spreadsheet export (`export --format xlsx`): a workbook an editor opens as it is, with no
//! byte order mark and no formula guard. Three sheets: the claims (one row each, the CSV
//! format's columns and the assignee), their stances with evidence, and their history in the
//! period. Cells keep their types: ids and figures are numbers, times and full dates are dates,
//! and text in a right-to-left script reads right to left.
//!
//! Each sheet is written row by row to a temporary file (rust_xlsxwriter's constant memory
//! mode), so a million claims do not sit in memory.

use std::io::Write;

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

use crate::model::{self, Claim, Field, HistoryEvent, StanceEntry};
use crate::store::desk::Desk;

/// Column widths, in characters, by the kind of content.
const NARROW: f64 = 8.0;
const NAME: f64 = 18.0;
const TIME: f64 = 19.0;
const LONG: f64 = 50.0;

/// What one claim brings to the workbook.
pub struct ClaimRows<'a> {
    pub claim: &'a Claim,
    pub desk: &'a Desk,
    pub stances: &'a [StanceEntry],
    /// Its history in the period.
    pub history: &'a [HistoryEvent],
}

/// A workbook being written, sheet by sheet in step.
pub struct Sheets {
    book: Workbook,
    claims: Worksheet,
    stances: Worksheet,
    history: Worksheet,
    rows: [u32; 3],
    formats: Formats,
}

struct Formats {
    header: Format,
    time: Format,
    date: Format,
    rtl: Format,
}

/// How many rows each sheet got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub claims: u64,
    pub stances: u64,
    pub events: u64,
}

/// After the CSV columns: the assignee, and the first figure's bounds as numbers (the `figures`
/// column holds every figure as text).
const CLAIM_EXTRA: &[&str] = &["assignee", "figure_low", "figure_high"];
const STANCE_COLUMNS: &[(&str, f64)] = &[
    ("claim_id", NARROW),
    ("source", NAME),
    ("stance", 10.0),
    ("recorded_at", TIME),
    ("recorded_by", NAME),
    ("imported_from", NAME),
];
const HISTORY_COLUMNS: &[(&str, f64)] = &[
    ("event", NARROW),
    ("claim_id", NARROW),
    ("at", TIME),
    ("actor", NAME),
    ("action", 10.0),
    ("field", 14.0),
    ("old_value", 30.0),
    ("new_value", 30.0),
    ("note", LONG),
];

impl Sheets {
    /// A new workbook with its three sheets and their headers.
    pub fn new() -> anyhow::Result<Sheets> {
        let mut book = Workbook::new();
        let formats = Formats {
            header: Format::new().set_bold(),
            time: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            rtl: Format::new().set_reading_direction(2),
        };
        let mut claims = book.new_worksheet_with_constant_memory();
        claims.set_name("Claims")?;
        let mut stances = book.new_worksheet_with_constant_memory();
        stances.set_name("Stances")?;
        let mut history = book.new_worksheet_with_constant_memory();
        history.set_name("History")?;
        let claim_columns: Vec<(&str, f64)> = Field::columns()
            .iter()
            .map(|f| (f.as_str(), claim_width(*f)))
            .chain(CLAIM_EXTRA.iter().map(|name| (*name, NAME)))
            .collect();
        for (sheet, columns) in [
            (&mut claims, &claim_columns[..]),
            (&mut stances, STANCE_COLUMNS),
            (&mut history, HISTORY_COLUMNS),
        ] {
            for (col, (name, width)) in (0u16..).zip(columns) {
                sheet.set_column_width(col, *width)?;
                sheet.write_string_with_format(0, col, *name, &formats.header)?;
            }
            sheet.set_freeze_panes(1, 0)?;
        }
        Ok(Sheets {
            book,
            claims,
            stances,
            history,
            rows: [0; 3],
            formats,
        })
    }

    /// Adds a claim, its stances and its events.
    pub fn push(&mut self, rows: &ClaimRows<'_>) -> anyhow::Result<()> {
        let claim = rows.claim;
        self.rows[0] += 1;
        let row = self.rows[0];
        let f = &self.formats;
        let sheet = &mut self.claims;
        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
        for (col, field) in (0u16..).zip(Field::columns()) {
            match field {
                Field::Id => number(sheet, row, col, claim.id as f64)?,
                Field::Figures => text(
                    sheet,
                    f,
                    row,
                    col,
                    &crate::figure::format_list(&claim.figures),
                )?,
                // Older files' columns, never written.
                Field::Value | Field::Unit | Field::Qualifier => {}
                Field::ClaimDate => {
                    if let Some(date) = &claim.claim_date {
                        // Only a full date is a day; "2022-03" stays as the article gave it.
                        let day = date.to_string();
                        match (day.len() == 10).then(|| ExcelDateTime::parse_from_str(&day)) {
                            Some(Ok(when)) => {
                                sheet.write_datetime_with_format(row, col, when, &f.date)?;
                            }
                            _ => text(sheet, f, row, col, &day)?,
                        }
                    }
                }
                Field::CreatedAt => time(sheet, f, row, col, &claim.created_at)?,
                Field::UpdatedAt => time(sheet, f, row, col, &claim.updated_at)?,
                Field::Uid => text(sheet, f, row, col, &claim.uid)?,
                Field::Text => text(sheet, f, row, col, &claim.text)?,
                Field::Translation => text(sheet, f, row, col, &opt(&claim.translation))?,
                Field::Claimant => text(sheet, f, row, col, &claim.claimant)?,
                Field::SupportedBy => text(sheet, f, row, col, &claim.supported_by.join("; "))?,
                Field::DisputedBy => text(sheet, f, row, col, &claim.disputed_by.join("; "))?,
                Field::Status => text(sheet, f, row, col, claim.status.as_str())?,
                Field::Location => text(sheet, f, row, col, &opt(&claim.location))?,
                Field::ArticleUrl => text(sheet, f, row, col, &opt(&claim.article_url))?,
                Field::ArticleTitle => text(sheet, f, row, col, &opt(&claim.article_title))?,
                Field::Tags => text(sheet, f, row, col, &claim.tags.join("; "))?,
                Field::Note => text(sheet, f, row, col, &opt(&claim.note))?,
                Field::CreatedBy => text(sheet, f, row, col, &claim.created_by)?,
                Field::UpdatedBy => text(sheet, f, row, col, &claim.updated_by)?,
                Field::VerdictReason => text(sheet, f, row, col, &opt(&claim.verdict_reason))?,
            }
        }
        let assignee = col_after_fields(0);
        text(sheet, f, row, assignee, &opt(&rows.desk.assignee))?;
        if let Some(first) = claim.figures.first() {
            number(sheet, row, col_after_fields(1), first.low)?;
            number(sheet, row, col_after_fields(2), first.high)?;
        }

        for stance in rows.stances {
            self.rows[1] += 1;
            let row = self.rows[1];
            let sheet = &mut self.stances;
            number(sheet, row, 0, claim.id as f64)?;
            text(sheet, f, row, 1, &stance.source)?;
            text(sheet, f, row, 2, stance.stance.as_str())?;
            time(sheet, f, row, 3, &stance.created_at)?;
            text(sheet, f, row, 4, &stance.created_by)?;
            text(sheet, f, row, 5, &opt(&stance.imported_from))?;
        }
        for event in rows.history {
            self.rows[2] += 1;
            let row = self.rows[2];
            let sheet = &mut self.history;
            number(sheet, row, 0, event.id as f64)?;
            number(sheet, row, 1, event.claim_id as f64)?;
            time(sheet, f, row, 2, &event.at)?;
            text(sheet, f, row, 3, &event.actor)?;
            text(sheet, f, row, 4, event.action.as_str())?;
            text(sheet, f, row, 5, &opt(&event.field))?;
            text(sheet, f, row, 6, &opt(&event.old_value))?;
            text(sheet, f, row, 7, &opt(&event.new_value))?;
            text(sheet, f, row, 8, &opt(&event.note))?;
        }
        Ok(())
    }

    /// Adds the filters over each sheet's rows and writes the workbook to `out`.
    pub fn finish(mut self, out: &mut (dyn Write + Send)) -> anyhow::Result<Written> {
        let [claims, stances, events] = self.rows;
        for (sheet, rows, columns) in [
            (
                &mut self.claims,
                claims,
                col_after_fields(0) + CLAIM_EXTRA.len() as u16,
            ),
            (&mut self.stances, stances, STANCE_COLUMNS.len() as u16),
            (&mut self.history, events, HISTORY_COLUMNS.len() as u16),
        ] {
            sheet.autofilter(0, 0, rows.max(1), columns - 1)?;
        }
        self.book.push_worksheet(self.claims);
        self.book.push_worksheet(self.stances);
        self.book.push_worksheet(self.history);
        self.book.save_to_writer(out)?;
        Ok(Written {
            claims: u64::from(claims),
            stances: u64::from(stances),
            events: u64::from(events),
        })
    }
}

/// The column `n` places after the CSV format's.
fn col_after_fields(n: u16) -> u16 {
    Field::columns().len() as u16 + n
}

fn claim_width(field: Field) -> f64 {
    match field {
        Field::Id | Field::Qualifier => NARROW,
        Field::Value | Field::Status | Field::Unit | Field::ClaimDate | Field::Tags => 12.0,
        Field::Figures => 30.0,
        Field::Text | Field::VerdictReason => LONG,
        Field::Translation | Field::Note | Field::ArticleTitle | Field::ArticleUrl => 30.0,
        Field::Uid => 38.0,
        Field::CreatedAt | Field::UpdatedAt => TIME,
        _ => NAME,
    }
}

fn number(sheet: &mut Worksheet, row: u32, col: u16, value: f64) -> anyhow::Result<()> {
    sheet.write_number(row, col, value)?;
    Ok(())
}

/// A text cell; empty text leaves the cell blank, and text with right-to-left letters (Arabic,
/// Hebrew, Persian…) reads right to left.
fn text(sheet: &mut Worksheet, f: &Formats, row: u32, col: u16, value: &str) -> anyhow::Result<()> {
    if value.is_empty() {
        return Ok(());
    }
    if has_rtl(value) {
        sheet.write_string_with_format(row, col, value, &f.rtl)?;
    } else {
        sheet.write_string(row, col, value)?;
    }
    Ok(())
}

/// A stored time (`2026-11-29T11:06:45Z`) as an Excel date and time; anything else as text.
fn time(sheet: &mut Worksheet, f: &Formats, row: u32, col: u16, value: &str) -> anyhow::Result<()> {
    match model::parse_timestamp(value)
        .ok()
        .and_then(|t| ExcelDateTime::parse_from_str(&t).ok())
    {
        Some(when) => {
            sheet.write_datetime_with_format(row, col, when, &f.time)?;
        }
        None => text(sheet, f, row, col, value)?,
    }
    Ok(())
}

/// Whether the text has letters of a right-to-left script.
pub fn has_rtl(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c as u32,
            0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF)
    })
}
