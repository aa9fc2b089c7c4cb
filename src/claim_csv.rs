//! claimdb's one CSV format, used by `import`, `export`, `list --format csv` and `claims.csv`.
//!
//! Columns (header required, any order on import): every [`Field`], in [`Field::columns`] order
//! on export. Multi-valued cells (`supported_by`, `disputed_by`, `tags`) are `;`-separated, and so
//! are the `figures` (in the figure syntax, see [`crate::figure`]). Older files with one figure in
//! `value`, `unit` and `qualifier` columns still import, as that one figure. Export then import
//! into an empty database then export gives the same bytes.

use std::io::{Read, Write};

use crate::error::InvalidValue;
use crate::figure::{self, Figure};
use crate::model::{self, Claim, ClaimDate, Field, Qualifier, Status};
use crate::store::ImportRow;

/// The CSV writer every command uses: `\n` line ends, quotes only where needed.
pub fn writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out)
}

/// The CSV writer of `export --bom`: every cell quoted, so that a cell holding the list
/// separator of any locale (`,` `;` tab) stays one cell in a spreadsheet that splits on it.
pub fn spreadsheet_writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(out)
}

/// Writes the header row.
pub fn write_header<W: Write>(out: &mut csv::Writer<W>) -> csv::Result<()> {
    out.write_record(Field::columns().iter().map(|f| f.as_str()))
}

/// Writes one claim as a row. With `spreadsheet_safe`, a cell that a spreadsheet would run as a
/// formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`;
/// the plain export stays exact for round trips.
pub fn write_claim<W: Write>(
    out: &mut csv::Writer<W>,
    claim: &Claim,
    spreadsheet_safe: bool,
) -> csv::Result<()> {
    write_claim_and(out, claim, spreadsheet_safe, None)
}

/// [`write_claim`] with one more cell at the end (`list --disputed` says why in a `why` column,
/// which import ignores).
pub fn write_claim_and<W: Write>(
    out: &mut csv::Writer<W>,
    claim: &Claim,
    spreadsheet_safe: bool,
    extra: Option<&str>,
) -> csv::Result<()> {
    use std::borrow::Cow;
    // Borrowed where the claim already holds the text: an export of a million claims would
    // otherwise copy every cell once more.
    fn opt(o: &Option<String>) -> Cow<'_, str> {
        Cow::Borrowed(o.as_deref().unwrap_or_default())
    }
    let cells: [Cow<'_, str>; 20] = [
        claim.id.to_string().into(),
        claim.uid.as_str().into(),
        claim.text.as_str().into(),
        opt(&claim.translation),
        claim.claimant.as_str().into(),
        claim.supported_by.join(";").into(),
        claim.disputed_by.join(";").into(),
        claim.status.as_str().into(),
        figure::format_list(&claim.figures).into(),
        opt(&claim.location),
        claim
            .claim_date
            .as_ref()
            .map(|d| d.to_string())
            .unwrap_or_default()
            .into(),
        opt(&claim.article_url),
        opt(&claim.article_title),
        claim.tags.join(";").into(),
        opt(&claim.note),
        claim.created_at.as_str().into(),
        claim.created_by.as_str().into(),
        claim.updated_at.as_str().into(),
        claim.updated_by.as_str().into(),
        opt(&claim.verdict_reason),
    ];
    let cells = cells.iter().map(|c| c.as_ref()).chain(extra);
    if spreadsheet_safe {
        out.write_record(cells.map(|c| neutralise_formula(c).into_owned()))
    } else {
        out.write_record(cells.map(|c| c.as_bytes()))
    }
}

/// What a cell may start with for a spreadsheet to run it as a formula, and the `'` that
/// neutralises it.
const FORMULA_STARTS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\''];

/// OWASP's advice against CSV formula injection: prefix a cell that starts like a formula with
/// `'`. A cell that already starts with `'` gets one more, so that [`restore_formula`] can undo
/// exactly what this did: a `--bom` export imports back exactly.
fn neutralise_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// The inverse of [`neutralise_formula`], for files that start with a byte order mark (the
/// spreadsheet form `export --bom` writes): a `'` before a formula start or another `'` is
/// dropped; any other cell is kept as it is.
fn restore_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

/// One problem in an imported file, located for the user.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub line: u64,
    pub column: Option<Field>,
    pub message: String,
}

impl Problem {
    fn at(line: u64, column: Field, message: impl Into<String>) -> Self {
        Problem {
            line,
            column: Some(column),
            message: message.into(),
        }
    }

    /// "claims.csv line 14, column status: …"
    pub fn describe(&self, file: &str) -> String {
        match self.column {
            Some(column) => format!(
                "{file} line {}, column {column}: {}",
                self.line, self.message
            ),
            None => format!("{file} line {}: {}", self.line, self.message),
        }
    }
}

/// Reads claims from a CSV file, one checked row at a time (memory does not grow with the file).
pub struct ClaimReader<R: Read> {
    reader: csv::Reader<CsvInput<R>>,
    /// The field of each column; `None` for a column dropped with `--rename OLD=`.
    columns: Vec<Option<Field>>,
    /// Values for fields the file lacks or leaves empty (`--default claimant=NAME`).
    defaults: Vec<(Field, String)>,
    record: csv::ByteRecord,
    /// The file starts with a byte order mark: the spreadsheet form of `export --bom`, whose
    /// neutralised cells are restored (see [`restore_formula`]).
    spreadsheet: bool,
    /// Folded source names by the name as written: a feed names the same few sources on every
    /// row, and folding (NFKC) each time would cost more than the rest of the row's checks.
    keys: SourceKeys,
}

/// What a CSV file's reader saw of its start: its first three bytes (the csv crate drops a
/// byte order mark silently, and whether there was one says whether the file is `export
/// --bom`'s form) and how its first line ends.
pub(crate) struct CsvInput<R> {
    inner: R,
    first: Vec<u8>,
    /// Whether the first line break is CRLF; `None` until one is seen.
    crlf: Option<bool>,
    last: u8,
}

impl<R: Read> Read for CsvInput<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.first.len() < 3 {
            let take = (3 - self.first.len()).min(n);
            self.first.extend_from_slice(&buf[..take]);
        }
        if self.crlf.is_none() {
            if let Some(at) = buf[..n].iter().position(|b| *b == b'\n') {
                let before = if at == 0 { self.last } else { buf[at - 1] };
                self.crlf = Some(before == b'\r');
            } else if n > 0 {
                self.last = buf[n - 1];
            }
        }
        Ok(n)
    }
}

/// A CSV reader as every claimdb import reads a file: no header handling (the caller checks
/// it), rows of any length (the caller names a short row's line).
pub(crate) fn csv_reader<R: Read>(input: R) -> csv::Reader<CsvInput<R>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(CsvInput {
            inner: input,
            first: Vec::new(),
            crlf: None,
            last: 0,
        })
}

/// The line of the file a record or error at `position` starts on. The csv crate counts a
/// line when it reads its `\n`, and a record of a CRLF file ends at the `\r`: every record after
/// the first would be numbered one line early (Excel writes CRLF files).
pub(crate) fn line_of<R: Read>(
    reader: &csv::Reader<CsvInput<R>>,
    position: Option<&csv::Position>,
) -> u64 {
    let line = position.map_or(0, |p| p.line());
    if line > 0 && reader.get_ref().crlf == Some(true) && position.is_some_and(|p| p.byte() > 0) {
        line + 1
    } else {
        line
    }
}

/// The problem with a file that starts with a UTF-16 byte order mark, if it does.
pub(crate) fn utf16_problem<R: Read>(reader: &csv::Reader<CsvInput<R>>) -> Option<Problem> {
    let first = &reader.get_ref().first;
    (first.starts_with(b"\xFF\xFE") || first.starts_with(b"\xFE\xFF")).then(|| Problem {
        line: 1,
        column: None,
        message: "the file is UTF-16 (it starts with a UTF-16 byte order mark); claimdb reads \
                  UTF-8: save it as UTF-8 (in Excel: \"CSV UTF-8\")"
            .into(),
    })
}

/// A bounded memo of [`model::source_key`].
#[derive(Default)]
struct SourceKeys(std::collections::HashMap<String, String>);

impl SourceKeys {
    /// Enough for any real set of sources; past it, names are folded without being kept.
    const MAX: usize = 10_000;

    fn key(&mut self, name: &str) -> String {
        if let Some(key) = self.0.get(name) {
            return key.clone();
        }
        let key = model::source_key(name);
        if self.0.len() < Self::MAX {
            self.0.insert(name.to_owned(), key.clone());
        }
        key
    }
}

/// How to read a file whose header is not claimdb's: columns renamed (`--rename claim_s=text`;
/// an empty new name drops the column) and values for required fields it lacks
/// (`--default claimant=NAME`, also used for empty cells of that column).
#[derive(Debug, Clone, Default)]
pub struct CsvOptions {
    pub renames: Vec<(String, String)>,
    pub defaults: Vec<(Field, String)>,
}

impl<R: Read> ClaimReader<R> {
    /// Reads and checks the header. A UTF-8 byte order mark and CRLF line ends are fine.
    pub fn new(input: R) -> Result<Self, Vec<Problem>> {
        Self::with_options(input, &CsvOptions::default())
    }

    /// Reads and checks the header (a UTF-8 byte order mark and CRLF line ends are fine), with
    /// columns renamed and defaults for missing fields.
    pub fn with_options(input: R, options: &CsvOptions) -> Result<Self, Vec<Problem>> {
        let mut reader = csv_reader(input);
        let mut header = csv::ByteRecord::new();
        let problem = |message: String| {
            vec![Problem {
                line: 1,
                column: None,
                message,
            }]
        };
        match reader.read_byte_record(&mut header) {
            Ok(true) => {}
            Ok(false) => {
                return Err(problem(format!(
                    "the file is empty; it needs a header row naming its columns (at least text \
                     and claimant; allowed: {})",
                    allowed_columns()
                )))
            }
            Err(e) => return Err(problem(csv_error(&e))),
        }
        let mut columns: Vec<Option<Field>> = Vec::with_capacity(header.len());
        let mut problems = Vec::new();
        let mut renamed = vec![false; options.renames.len()];
        if let Some(utf16) = utf16_problem(&reader) {
            return Err(vec![utf16]);
        }
        let first = &reader.get_ref().first;
        let spreadsheet = first.starts_with(b"\xEF\xBB\xBF");
        for (i, raw) in header.iter().enumerate() {
            let raw = if i == 0 {
                raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
            } else {
                raw
            };
            let mut name = String::from_utf8_lossy(raw).into_owned();
            if name.trim() == WHY_COLUMN {
                // Written by `list --disputed`: an explanation, not data.
                columns.push(None);
                continue;
            }
            if let Some(r) = options
                .renames
                .iter()
                .position(|(old, _)| old.trim() == name.trim())
            {
                renamed[r] = true;
                name = options.renames[r].1.clone();
                if name.trim().is_empty() {
                    columns.push(None);
                    continue;
                }
            }
            match name.parse::<Field>() {
                Ok(field) if columns.contains(&Some(field)) => problems.push(Problem {
                    line: 1,
                    column: None,
                    message: format!("the column {field} appears twice in the header"),
                }),
                Ok(field) => columns.push(Some(field)),
                Err(e) => {
                    problems.push(Problem {
                        line: 1,
                        column: None,
                        message: format!(
                        "unknown column {:?} (a typo would silently drop its data); allowed: {}{}",
                        name.trim(),
                        allowed_columns(),
                        e.suggestion.map(|s| format!("; did you mean {s}?")).unwrap_or_default()
                    ),
                    })
                }
            }
        }
        for ((old, _), found) in options.renames.iter().zip(renamed) {
            if !found {
                problems.push(Problem {
                    line: 1,
                    column: None,
                    message: format!("--rename names the column {old:?}, which the header lacks"),
                });
            }
        }
        let defaulted = |f: Field| options.defaults.iter().any(|(d, _)| *d == f);
        let has = |f: Field| columns.contains(&Some(f)) || defaulted(f);
        if has(Field::Figures) && ONE_FIGURE.iter().any(|f| has(*f)) {
            problems.push(Problem {
                line: 1,
                column: None,
                message: "the header has both figures and the older value, unit and qualifier \
                          columns; figures replaces those three (e.g. ~1000 fighters): keep one \
                          or the other"
                    .to_owned(),
            });
        }
        for required in [Field::Text, Field::Claimant] {
            if problems.is_empty() && !columns.contains(&Some(required)) && !defaulted(required) {
                problems.push(Problem {
                    line: 1,
                    column: None,
                    message: format!("the header has no column {required}, which is required"),
                });
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(ClaimReader {
            reader,
            columns,
            defaults: options.defaults.clone(),
            record: csv::ByteRecord::new(),
            spreadsheet,
            keys: SourceKeys::default(),
        })
    }

    /// How many rows are left, read without parsing them (at most what [`ClaimReader::next_row`]
    /// would give: counting stops at a row the CSV reader cannot read).
    pub fn count_rest(mut self) -> usize {
        let mut rows = 0;
        while let Ok(true) = self.reader.read_byte_record(&mut self.record) {
            rows += 1;
        }
        rows
    }

    /// The next row: `None` at the end, or the row with its line, or every problem found in it.
    pub fn next_row(&mut self) -> Option<(u64, Result<ImportRow, Vec<Problem>>)> {
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                let line = line_of(&self.reader, self.record.position());
                Some((line, self.parse_record(line)))
            }
            Err(e) => {
                let line = line_of(&self.reader, e.position());
                Some((
                    line,
                    Err(vec![Problem {
                        line,
                        column: None,
                        message: csv_error(&e),
                    }]),
                ))
            }
        }
    }

    fn parse_record(&mut self, line: u64) -> Result<ImportRow, Vec<Problem>> {
        let record = &self.record;
        if record.len() != self.columns.len() {
            // A blank line in the middle of a file reads as one empty field.
            let message = if record.len() == 1 && record.get(0) == Some(b"") {
                "the line is empty; remove it".to_owned()
            } else {
                format!(
                    "the row has {} fields but the header has {} (a missing or extra comma, or an \
                     unquoted comma inside a value?)",
                    record.len(),
                    self.columns.len()
                )
            };
            return Err(vec![Problem {
                line,
                column: None,
                message,
            }]);
        }
        let mut row = ImportRow::default();
        let mut one = OneFigure::default();
        let mut problems = Vec::new();
        let start = record.position().map_or(0, |p| p.byte());
        for (field, raw) in self.columns.iter().copied().zip(record.iter()) {
            let Some(field) = field else { continue };
            let cell = match std::str::from_utf8(raw) {
                Ok(cell) => cell,
                Err(e) => {
                    problems.push(Problem::at(
                        line,
                        field,
                        format!(
                            "the text is not valid UTF-8 (bad byte at offset {} of the cell; the \
                             row starts at byte {start} of the file); save the file as UTF-8 \
                             (in Excel: \"CSV UTF-8\")",
                            e.valid_up_to()
                        ),
                    ));
                    continue;
                }
            };
            let cell = if self.spreadsheet {
                restore_formula(cell)
            } else {
                cell
            };
            let cell = match self.defaults.iter().find(|(d, _)| *d == field) {
                Some((_, default)) if cell.trim().is_empty() => default.as_str(),
                _ => cell,
            };
            if let Err(message) = set_field(&mut row, &mut one, field, cell) {
                problems.push(Problem::at(line, field, message));
            }
        }
        for (field, value) in &self.defaults {
            if !self.columns.contains(&Some(*field)) {
                if let Err(message) = set_field(&mut row, &mut one, *field, value) {
                    problems.push(Problem::at(line, *field, message));
                }
            }
        }
        if problems.is_empty() {
            one.into_figure(&mut row, line, &mut problems);
            check_row(&row, line, &mut problems, &mut self.keys);
        }
        if problems.is_empty() {
            Ok(row)
        } else {
            Err(problems)
        }
    }
}

/// Rules that involve more than one cell.
fn check_row(row: &ImportRow, line: u64, problems: &mut Vec<Problem>, keys: &mut SourceKeys) {
    let claimant = row.patch.claimant.as_deref().map(|c| keys.key(c));
    // A row names a handful of sources: a short list beats hashing.
    let mut seen = Vec::new();
    for (field, names) in [
        (Field::SupportedBy, &row.supported_by),
        (Field::DisputedBy, &row.disputed_by),
    ] {
        for name in names {
            let key = keys.key(name);
            if Some(&key) == claimant.as_ref() {
                problems.push(Problem::at(
                    line,
                    field,
                    format!("{name:?} is this claim's claimant; a claimant cannot support or dispute its own claim"),
                ));
            } else if seen.contains(&key) {
                problems.push(Problem::at(
                    line,
                    field,
                    format!("{name:?} is listed more than once among supported_by and disputed_by"),
                ));
            } else {
                seen.push(key);
            }
        }
    }
    if let (Some(_), Some(status)) = (&row.verdict_reason, row.patch.status) {
        if !status.is_verdict() {
            problems.push(Problem::at(
                line,
                Field::VerdictReason,
                format!(
                    "a verdict reason explains a verdict, but the status is {status} (verdicts: \
                     verified, misleading, false, unverifiable); empty the cell"
                ),
            ));
        }
    }
}

/// The column `list --disputed` adds to say why a claim is listed; import skips it.
pub const WHY_COLUMN: &str = "why";

/// The columns of older files' one figure.
const ONE_FIGURE: [Field; 3] = [Field::Value, Field::Unit, Field::Qualifier];

/// An older file's one figure, from its value, unit and qualifier cells.
#[derive(Default)]
struct OneFigure {
    /// The row has at least one of the three columns.
    seen: bool,
    value: Option<f64>,
    unit: Option<String>,
    qualifier: Option<Qualifier>,
}

impl OneFigure {
    /// Sets the row's figures from the three cells: one figure, or none when all are empty.
    fn into_figure(self, row: &mut ImportRow, line: u64, problems: &mut Vec<Problem>) {
        if !self.seen {
            return;
        }
        let Some(value) = self.value else {
            for (field, given, what) in [
                (Field::Qualifier, self.qualifier.is_some(), "a qualifier"),
                (Field::Unit, self.unit.is_some(), "a unit"),
            ] {
                if given {
                    problems.push(Problem::at(
                        line,
                        field,
                        format!("{what} describes a value, but the value cell is empty"),
                    ));
                }
            }
            row.patch.figures = Some(Vec::new());
            return;
        };
        let figure = Figure {
            unit: self.unit,
            qualifier: self.qualifier.unwrap_or_default(),
            ..Figure::value(value)
        };
        match figure.validate() {
            Ok(()) => row.patch.figures = Some(vec![figure]),
            Err(e) => problems.push(Problem::at(line, Field::Unit, e.to_string())),
        }
    }
}

fn allowed_columns() -> String {
    Field::ALL
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn csv_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => format!("could not read the file: {io}"),
        _ => format!("not readable as CSV: {e}"),
    }
}

/// Empty cells mean "no value".
fn optional(cell: &str) -> Option<String> {
    (!cell.is_empty()).then(|| cell.to_owned())
}

fn text(what: &'static str, cell: &str) -> Result<Option<String>, InvalidValue> {
    model::check_text(what, cell)?;
    Ok(optional(cell))
}

fn list(what: &'static str, cell: &str) -> Result<Vec<String>, InvalidValue> {
    cell.split(';')
        .filter(|item| !item.trim().is_empty())
        .map(|item| model::list_item(what, item))
        .collect()
}

/// The largest claim id a file may carry: 2^53, the largest integer every JSON reader keeps
/// exact. Larger ids would print wrongly in JSON, and one at SQLite's own limit would make every
/// later claim take a random id.
pub const MAX_ID: i64 = 1 << 53;

/// Puts one cell's value into the row, or says what is wrong with it.
fn set_field(
    row: &mut ImportRow,
    one: &mut OneFigure,
    field: Field,
    cell: &str,
) -> Result<(), String> {
    let patch = &mut row.patch;
    let trimmed = cell.trim();
    let result: Result<(), InvalidValue> = (|| {
        match field {
            Field::Id => {
                if !trimmed.is_empty() {
                    row.id = Some(
                        trimmed
                            .parse::<i64>()
                            .ok()
                            .filter(|id| (1..=MAX_ID).contains(id))
                            .ok_or_else(|| {
                                InvalidValue::new(
                                    "an id",
                                    cell,
                                    format!(
                                        "expected a whole number from 1 to {MAX_ID} (2^53), or \
                                         an empty cell"
                                    ),
                                )
                            })?,
                    );
                }
            }
            Field::Uid => {
                if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    return Err(InvalidValue::new(
                        "a uid",
                        cell,
                        "it must not contain spaces or control characters",
                    ));
                }
                row.uid = optional(trimmed);
            }
            Field::Text => {
                if model::is_blank(cell) {
                    return Err(InvalidValue::new(
                        "claim text",
                        cell,
                        "it is required and must not be empty",
                    ));
                }
                model::check_text("claim text", cell)?;
                patch.text = Some(cell.to_owned());
            }
            Field::Claimant => {
                if trimmed.is_empty() {
                    return Err(InvalidValue::new(
                        "a claimant",
                        cell,
                        "it is required: the source that made the claim",
                    ));
                }
                patch.claimant = Some(model::list_item("a claimant", cell)?);
            }
            Field::SupportedBy => row.supported_by = list("a source name", cell)?,
            Field::DisputedBy => row.disputed_by = list("a source name", cell)?,
            Field::Status => {
                if !trimmed.is_empty() {
                    patch.status = Some(trimmed.parse::<Status>()?);
                }
            }
            Field::Figures => patch.figures = Some(figure::parse_list(cell)?),
            Field::Value => {
                one.seen = true;
                if !trimmed.is_empty() {
                    // `export --bom` guards a value such as -3 as '-3 (spreadsheets would read
                    // a formula); a number can carry no quote otherwise, so the guard comes off.
                    let value = match trimmed.strip_prefix('\'') {
                        Some(rest) if rest.starts_with(['-', '+']) => rest,
                        _ => cell,
                    };
                    one.value = Some(model::parse_value(value)?);
                }
            }
            Field::Qualifier => {
                one.seen = true;
                if !trimmed.is_empty() {
                    one.qualifier = Some(trimmed.parse::<Qualifier>()?);
                }
            }
            Field::ClaimDate => {
                patch.claim_date = Some(if trimmed.is_empty() {
                    None
                } else {
                    Some(trimmed.parse::<ClaimDate>()?)
                });
            }
            Field::ArticleUrl => {
                patch.article_url = Some(if trimmed.is_empty() {
                    None
                } else {
                    Some(model::check_url(cell)?)
                });
            }
            Field::Translation => patch.translation = Some(text("a translation", cell)?),
            Field::Unit => {
                one.seen = true;
                one.unit = text("a unit", cell)?.map(|u| u.trim().to_owned());
            }
            Field::Location => patch.location = Some(text("a location", cell)?),
            Field::ArticleTitle => patch.article_title = Some(text("an article title", cell)?),
            Field::Note => patch.note = Some(text("a note", cell)?),
            Field::Tags => patch.tags = Some(list("a tag", cell)?),
            Field::CreatedAt => row.created_at = timestamp(cell)?,
            Field::UpdatedAt => row.updated_at = timestamp(cell)?,
            Field::CreatedBy => row.created_by = text("a name", trimmed)?,
            Field::UpdatedBy => row.updated_by = text("a name", trimmed)?,
            Field::VerdictReason => row.verdict_reason = text("a verdict reason", cell)?,
        }
        Ok(())
    })();
    result.map_err(|e| e.to_string())
}

fn timestamp(cell: &str) -> Result<Option<String>, InvalidValue> {
    if cell.trim().is_empty() {
        Ok(None)
    } else {
        model::parse_timestamp(cell).map(Some)
    }
}

/// Makes a patch from a row, for tests and callers that build rows by hand.
#[cfg(test)]
fn parse(input: &str) -> Result<Vec<ImportRow>, Vec<Problem>> {
    let mut reader = ClaimReader::new(input.as_bytes())?;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    while let Some((_, row)) = reader.next_row() {
        match row {
            Ok(row) => rows.push(row),
            Err(p) => problems.extend(p),
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bom_and_crlf_are_accepted_and_text_is_kept_exactly() {
        let rows = parse("\u{feff}text,claimant\r\n\" نحو ألف \",Western estimates\r\n").unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].patch.text.as_deref(), Some(" نحو ألف "));
        assert_eq!(rows[0].patch.claimant.as_deref(), Some("Western estimates"));
    }

    #[test]
    fn unknown_duplicate_and_missing_columns_are_refused_with_line_1() {
        let p = parse("text,claimant,stauts\n").unwrap_err();
        assert_eq!(p[0].line, 1);
        assert!(
            p[0].message.contains("unknown column \"stauts\""),
            "{}",
            p[0].message
        );
        assert!(
            p[0].message.contains("did you mean status?"),
            "{}",
            p[0].message
        );
        let p = parse("text,claimant,text\n").unwrap_err();
        assert!(p[0].message.contains("appears twice"));
        let p = parse("text\nx\n").unwrap_err();
        assert!(p[0].message.contains("no column claimant"));
        let p = parse("").unwrap_err();
        assert!(p[0].message.contains("empty"));
    }

    #[test]
    fn every_bad_cell_is_reported_with_its_line_and_column() {
        let input = "text,claimant,status,value,qualifier,claim_date\n\
                     ok,A,unverified,1,exact,2022\n\
                     bad,A,verifed,1e309,about,2022-02-30\n";
        let problems = parse(input).unwrap_err();
        let described: Vec<String> = problems.iter().map(|p| p.describe("f.csv")).collect();
        assert_eq!(described.len(), 4, "{described:#?}");
        assert!(
            described[0].starts_with("f.csv line 3, column status: \"verifed\" is not a status")
        );
        assert!(described[1].starts_with("f.csv line 3, column value:"));
        assert!(described[2].starts_with("f.csv line 3, column qualifier:"));
        assert!(described[3].starts_with("f.csv line 3, column claim_date:"));
    }

    #[test]
    fn ragged_rows_and_invalid_utf8_name_their_line() {
        let p = parse("text,claimant\na,b,c\n").unwrap_err();
        assert_eq!((p[0].line, p[0].column), (2, None));
        assert!(p[0].message.contains("3 fields but the header has 2"));
        let mut bytes = b"text,claimant\nok,A\n".to_vec();
        bytes.extend_from_slice(b"caf\xE9,A\n");
        let mut reader = ClaimReader::new(&bytes[..]).unwrap();
        assert!(reader.next_row().unwrap().1.is_ok());
        let (line, result) = reader.next_row().unwrap();
        let p = result.unwrap_err();
        assert_eq!((line, p[0].column), (3, Some(Field::Text)));
        assert!(
            p[0].message.contains("offset 3 of the cell"),
            "{}",
            p[0].message
        );
    }

    #[test]
    fn quoted_newlines_keep_line_numbers_right() {
        let p = parse("text,claimant,status\n\"one\ntwo\",A,unverified\nx,A,nope\n").unwrap_err();
        assert_eq!(p[0].line, 4);
    }

    /// Excel writes CRLF: its lines are numbered as a text editor numbers them.
    #[test]
    fn crlf_files_name_the_same_lines_as_lf_files() {
        for file in [
            "text,claimant,status\r\na,A,unverified\r\nx,A,nope\r\n",
            "\u{feff}text,claimant,status\r\n\"one\r\ntwo\",A,unverified\r\nx,A,nope\r\n",
        ] {
            let lines = file.matches('\n').count() as u64;
            let p = parse(file).unwrap_err();
            assert_eq!(p[0].line, lines, "{file:?}");
        }
    }

    #[test]
    fn lists_split_on_semicolons_and_the_claimant_cannot_cite_itself() {
        let rows = parse("text,claimant,supported_by,tags\nx,A,B; C;,b;a\n").unwrap();
        assert_eq!(rows[0].supported_by, ["B", "C"]);
        assert_eq!(
            rows[0].patch.tags.as_deref(),
            Some(&["b".to_owned(), "a".to_owned()][..])
        );
        let p = parse("text,claimant,disputed_by\nx,HRW,hrw\n").unwrap_err();
        assert!(p[0].message.contains("claimant cannot support or dispute"));
    }

    #[test]
    fn formula_cells_are_neutralised_only_when_asked() {
        assert_eq!(neutralise_formula("=1+1"), "'=1+1");
        assert_eq!(neutralise_formula("-5"), "'-5");
        assert_eq!(neutralise_formula("نحو"), "نحو");
        for cell in [
            "=1+1", "-5", "'-5", "''=x", "'quoted'", "plain", "", "@a", "\tx",
        ] {
            assert_eq!(restore_formula(&neutralise_formula(cell)), cell, "{cell:?}");
        }
        assert_eq!(restore_formula("'quoted'"), "'quoted'");
    }
}
