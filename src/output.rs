//! Everything claimdb prints as data goes through here: a table for people, CSV, JSON or JSON
//! Lines for scripts. Notes for people go to stderr, so that stdout stays clean for pipes.

use std::io::{self, IsTerminal, Write};

use comfy_table::{presets, Attribute, Cell, Color, ContentArrangement, Table};
use serde::Serialize;

use crate::claim_csv;
use crate::model::{Claim, HistoryEvent, SourceSummary, StanceEntry, Status};
use crate::store::search::SearchHit;
use crate::store::similar::SimilarClaim;
use crate::store::Stats;

/// How data is printed (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table sized for the terminal.
    Table,
    /// claimdb's CSV format (the import/export columns for claims).
    Csv,
    /// One JSON document.
    Json,
    /// One JSON object per line.
    Jsonl,
}

/// The printer for one command run.
pub struct Output {
    format: Format,
    out: io::BufWriter<io::StdoutLock<'static>>,
    quiet: bool,
}

impl Output {
    /// A printer in `format` on stdout; `quiet` silences notes on stderr.
    pub fn new(format: Format, quiet: bool) -> Self {
        Output {
            format,
            out: io::BufWriter::new(io::stdout().lock()),
            quiet,
        }
    }

    /// The format chosen for this run.
    pub fn format(&self) -> Format {
        self.format
    }

    /// A note for the person at the terminal (stderr), e.g. that a source was created.
    pub fn note(&self, message: impl AsRef<str>) {
        if !self.quiet {
            let _ = writeln!(io::stderr().lock(), "{}", message.as_ref());
        }
    }

    /// A warning (stderr), shown even with --quiet.
    pub fn warn(&self, message: impl AsRef<str>) {
        let _ = writeln!(io::stderr().lock(), "warning: {}", message.as_ref());
    }

    /// Writes everything still buffered; a closed pipe surfaces here as an error.
    pub fn finish(mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// A plain line of text on stdout (an id, a confirmation scripts may read).
    pub fn line(&mut self, text: impl AsRef<str>) -> io::Result<()> {
        writeln!(self.out, "{}", text.as_ref())
    }

    /// A value scripts read, such as a new claim's id: the bare value in table and CSV form, a
    /// JSON object otherwise.
    pub fn value<T: Serialize + std::fmt::Display>(
        &mut self,
        key: &str,
        value: T,
    ) -> anyhow::Result<()> {
        match self.format {
            Format::Table | Format::Csv => self.line(value.to_string())?,
            Format::Json | Format::Jsonl => {
                let object = serde_json::json!({ key: value });
                serde_json::to_writer(&mut self.out, &object)?;
                writeln!(self.out)?;
            }
        }
        Ok(())
    }

    /// Starts a list of claims on stdout; feed it with [`ClaimList::push`] so that a million
    /// claims stream.
    pub fn claims(&mut self) -> anyhow::Result<ClaimList<'_>> {
        ClaimList::new(&mut self.out, self.format, false)
    }

    /// Everything about one claim.
    pub fn claim_detail(&mut self, claim: &Claim, stances: &[StanceEntry]) -> anyhow::Result<()> {
        match self.format {
            Format::Table => {
                let mut table = new_table();
                table.set_header(["field", "value"]);
                let opt = |o: &Option<String>| o.clone().unwrap_or_default();
                let rows = [
                    ("id", claim.id.to_string()),
                    ("uid", claim.uid.clone()),
                    ("status", claim.status.to_string()),
                    ("text", claim.text.clone()),
                    ("translation", opt(&claim.translation)),
                    ("claimant", claim.claimant.clone()),
                    ("supported by", claim.supported_by.join("; ")),
                    ("disputed by", claim.disputed_by.join("; ")),
                    ("quantity", claim.quantity()),
                    ("location", opt(&claim.location)),
                    (
                        "date",
                        claim
                            .claim_date
                            .as_ref()
                            .map(|d| d.to_string())
                            .unwrap_or_default(),
                    ),
                    ("article", opt(&claim.article_title)),
                    ("article url", opt(&claim.article_url)),
                    ("tags", claim.tags.join("; ")),
                    ("note", opt(&claim.note)),
                    (
                        "created",
                        format!("{} by {}", claim.created_at, claim.created_by),
                    ),
                    (
                        "updated",
                        format!("{} by {}", claim.updated_at, claim.updated_by),
                    ),
                ];
                for (name, value) in rows.into_iter().filter(|(_, v)| !v.is_empty()) {
                    let cell = if name == "status" {
                        status_cell(claim.status)
                    } else {
                        Cell::new(value)
                    };
                    table.add_row(vec![Cell::new(name).add_attribute(Attribute::Bold), cell]);
                }
                writeln!(self.out, "{table}")?;
                if !stances.is_empty() {
                    let mut table = new_table();
                    table.set_header(["source", "stance", "quote", "url", "cited"]);
                    for s in stances {
                        table.add_row([
                            s.source.clone(),
                            s.stance.to_string(),
                            s.quote.clone().unwrap_or_default(),
                            s.url.clone().unwrap_or_default(),
                            format!("{} by {}", s.created_at, s.created_by),
                        ]);
                    }
                    writeln!(self.out, "{table}")?;
                }
            }
            Format::Csv => {
                let mut list = self.claims()?;
                list.push(claim.clone())?;
                list.finish()?;
            }
            Format::Json | Format::Jsonl => {
                #[derive(Serialize)]
                struct Detail<'a> {
                    #[serde(flatten)]
                    claim: &'a Claim,
                    stances: &'a [StanceEntry],
                }
                serde_json::to_writer(&mut self.out, &Detail { claim, stances })?;
                writeln!(self.out)?;
            }
        }
        Ok(())
    }

    /// A claim's history.
    pub fn history(&mut self, events: &[HistoryEvent]) -> anyhow::Result<()> {
        self.records(
            events,
            &["at", "actor", "action", "field", "old", "new", "note"],
            |e| {
                vec![
                    e.at.clone(),
                    e.actor.clone(),
                    e.action.to_string(),
                    e.field.clone().unwrap_or_default(),
                    e.old_value.clone().unwrap_or_default(),
                    e.new_value.clone().unwrap_or_default(),
                    e.note.clone().unwrap_or_default(),
                ]
            },
        )
    }

    /// Sources with their aliases and counts.
    pub fn sources(&mut self, sources: &[SourceSummary]) -> anyhow::Result<()> {
        self.records(
            sources,
            &["name", "kind", "aliases", "claims", "supports", "disputes"],
            |s| {
                vec![
                    s.name.clone(),
                    s.kind.to_string(),
                    s.aliases.join(";"),
                    s.claims.to_string(),
                    s.supports.to_string(),
                    s.disputes.to_string(),
                ]
            },
        )
    }

    /// Counts by status and claimant.
    pub fn stats(&mut self, stats: &Stats) -> anyhow::Result<()> {
        #[derive(Serialize)]
        struct Count {
            group: &'static str,
            name: String,
            claims: i64,
        }
        let mut rows = vec![
            Count {
                group: "total",
                name: "claims".into(),
                claims: stats.claims,
            },
            Count {
                group: "total",
                name: "disputed".into(),
                claims: stats.disputed,
            },
        ];
        rows.extend(stats.by_status.iter().map(|(s, n)| Count {
            group: "status",
            name: s.to_string(),
            claims: *n,
        }));
        rows.extend(stats.by_claimant.iter().map(|(c, n)| Count {
            group: "claimant",
            name: c.clone(),
            claims: *n,
        }));
        if self.format == Format::Json {
            #[derive(Serialize)]
            struct StatsJson<'a> {
                claims: i64,
                disputed: i64,
                by_status: serde_json::Map<String, serde_json::Value>,
                by_claimant: Vec<&'a Count>,
            }
            let json = StatsJson {
                claims: stats.claims,
                disputed: stats.disputed,
                by_status: stats
                    .by_status
                    .iter()
                    .map(|(s, n)| (s.to_string(), (*n).into()))
                    .collect(),
                by_claimant: rows.iter().filter(|r| r.group == "claimant").collect(),
            };
            serde_json::to_writer_pretty(&mut self.out, &json)?;
            writeln!(self.out)?;
            return Ok(());
        }
        self.records(&rows, &["group", "name", "claims"], |r| {
            vec![r.group.to_owned(), r.name.clone(), r.claims.to_string()]
        })
    }

    /// Search results, best first: a snippet per claim in a table and CSV, whole claims with
    /// their score and snippet in JSON.
    pub fn search_hits(&mut self, hits: &[SearchHit]) -> anyhow::Result<()> {
        self.records(
            hits,
            &["id", "score", "status", "claimant", "matched", "snippet"],
            |h| {
                vec![
                    h.claim.id.to_string(),
                    h.score.to_string(),
                    h.claim.status.to_string(),
                    h.claim.claimant.clone(),
                    h.matched.to_owned(),
                    h.snippet.clone(),
                ]
            },
        )
    }

    /// Likely duplicates, most similar first.
    pub fn similar_claims(&mut self, similar: &[SimilarClaim]) -> anyhow::Result<()> {
        let table = self.format == Format::Table;
        self.records(
            similar,
            &["id", "similarity", "status", "claimant", "text"],
            |s| {
                vec![
                    s.claim.id.to_string(),
                    format!("{:.2}", s.similarity),
                    s.claim.status.to_string(),
                    s.claim.claimant.clone(),
                    if table {
                        truncate(&s.claim.text, 80)
                    } else {
                        s.claim.text.clone()
                    },
                ]
            },
        )
    }

    /// Prints any list of records: a table or CSV from `cells`, JSON from `Serialize`.
    fn records<T: Serialize>(
        &mut self,
        items: &[T],
        headers: &[&str],
        cells: impl Fn(&T) -> Vec<String>,
    ) -> anyhow::Result<()> {
        match self.format {
            Format::Table => {
                let mut table = new_table();
                table.set_header(headers.to_vec());
                for item in items {
                    table.add_row(cells(item));
                }
                writeln!(self.out, "{table}")?;
            }
            Format::Csv => {
                let mut w = claim_csv::writer(&mut self.out);
                w.write_record(headers)?;
                for item in items {
                    w.write_record(cells(item))?;
                }
                w.flush()?;
            }
            Format::Json => {
                serde_json::to_writer_pretty(&mut self.out, items)?;
                writeln!(self.out)?;
            }
            Format::Jsonl => {
                for item in items {
                    serde_json::to_writer(&mut self.out, item)?;
                    writeln!(self.out)?;
                }
            }
        }
        Ok(())
    }
}

/// A list of claims being written: streamed row by row, except a table, which needs every row
/// to size its columns.
pub struct ClaimList<'a> {
    sink: Sink<'a>,
    count: u64,
}

enum Sink<'a> {
    Table(Table, &'a mut dyn Write),
    Csv(csv::Writer<&'a mut dyn Write>, bool),
    Json(&'a mut dyn Write),
    Jsonl(&'a mut dyn Write),
}

impl<'a> ClaimList<'a> {
    /// Starts a list on `out`. With `spreadsheet_safe`, CSV cells that a spreadsheet would run
    /// as formulas are neutralised (see `claim_csv::write_claim`).
    pub fn new(
        out: &'a mut dyn Write,
        format: Format,
        spreadsheet_safe: bool,
    ) -> anyhow::Result<Self> {
        let sink = match format {
            Format::Table => {
                let mut table = new_table();
                table.set_header(["id", "status", "claimant", "text", "quantity", "date"]);
                Sink::Table(table, out)
            }
            Format::Csv => {
                let mut w = claim_csv::writer(out);
                claim_csv::write_header(&mut w)?;
                Sink::Csv(w, spreadsheet_safe)
            }
            Format::Json => {
                write!(out, "[")?;
                Sink::Json(out)
            }
            Format::Jsonl => Sink::Jsonl(out),
        };
        Ok(ClaimList { sink, count: 0 })
    }

    /// Adds one claim.
    pub fn push(&mut self, claim: Claim) -> anyhow::Result<()> {
        match &mut self.sink {
            Sink::Table(table, _) => {
                table.add_row(vec![
                    Cell::new(claim.id),
                    status_cell(claim.status),
                    Cell::new(&claim.claimant),
                    Cell::new(truncate(&claim.text, 60)),
                    Cell::new(claim.quantity()),
                    Cell::new(
                        claim
                            .claim_date
                            .as_ref()
                            .map(|d| d.to_string())
                            .unwrap_or_default(),
                    ),
                ]);
            }
            Sink::Csv(w, safe) => claim_csv::write_claim(w, &claim, *safe)?,
            Sink::Json(w) => {
                let sep = if self.count == 0 { "\n" } else { ",\n" };
                write!(w, "{sep}")?;
                serde_json::to_writer(&mut *w, &claim)?;
            }
            Sink::Jsonl(w) => {
                serde_json::to_writer(&mut *w, &claim)?;
                writeln!(w)?;
            }
        }
        self.count += 1;
        Ok(())
    }

    /// Ends the list; returns how many claims it held. An empty table prints nothing.
    pub fn finish(self) -> anyhow::Result<u64> {
        match self.sink {
            Sink::Table(table, w) => {
                if self.count > 0 {
                    writeln!(w, "{table}")?;
                }
            }
            Sink::Csv(mut w, _) => w.flush()?,
            Sink::Json(w) => {
                let end = if self.count == 0 { "]" } else { "\n]" };
                writeln!(w, "{end}")?;
            }
            Sink::Jsonl(_) => {}
        }
        Ok(self.count)
    }
}

/// A table in claimdb's look, sized to the terminal when there is one. Colours only on a
/// terminal and never when NO_COLOR is set (https://no-color.org).
fn new_table() -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if no_color || !io::stdout().is_terminal() {
        table.force_no_tty();
    }
    table
}

fn status_cell(status: Status) -> Cell {
    let color = match status {
        Status::Unverified => None,
        Status::InReview => Some(Color::Cyan),
        Status::Verified => Some(Color::Green),
        Status::Misleading | Status::Disputed => Some(Color::Yellow),
        Status::False => Some(Color::Red),
        Status::Unverifiable => Some(Color::Magenta),
    };
    let cell = Cell::new(status);
    match color {
        Some(c) => cell.fg(c),
        None => cell,
    }
}

/// Cuts `text` to at most `max` characters, ending with `…` when it was cut; line breaks become
/// spaces so that one claim stays on one row.
pub fn truncate(text: &str, max: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    if flat.chars().count() <= max {
        return flat;
    }
    let mut cut: String = flat.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}
