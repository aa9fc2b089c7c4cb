//! Everything claimdb prints as data goes through here: a table for people, CSV, JSON or JSON
//! Lines for scripts. Notes for people go to stderr, so that stdout stays clean for pipes.

use std::io::{self, IsTerminal, Write};

use comfy_table::{Attribute, Cell};
use serde::Serialize;

use crate::claim_csv;
use crate::model::{Claim, Field, HistoryEvent, SourceSummary, StanceEntry, Status};
use crate::ratings::{Origin, RatingEntry};
use crate::review::Review;
use crate::store::search::SearchHit;
use crate::store::similar::SimilarClaim;
use crate::store::Stats;
use crate::table::{self, Style};

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
    /// schema.org ClaimReview JSON-LD, for `export` only (refused for other commands in
    /// main.rs; elsewhere it prints as JSON).
    #[value(name = "claimreview")]
    ClaimReview,
}

/// The printer for one command run.
pub struct Output {
    format: Format,
    out: io::BufWriter<io::StdoutLock<'static>>,
    quiet: bool,
    style: Style,
}

impl Output {
    /// A printer in `format` on stdout; `quiet` silences notes on stderr.
    pub fn new(format: Format, quiet: bool) -> Self {
        Output {
            format,
            out: io::BufWriter::new(io::stdout().lock()),
            quiet,
            style: Style::detect(false),
        }
    }

    /// Shows table cells in full instead of fitting the terminal (`--wide`).
    pub fn set_wide(&mut self) {
        self.style = Style::detect(true);
    }

    /// A progress bar on stderr for `len` units (bytes or claims; unknown: a spinner), drawn
    /// only when stderr is a terminal and notes are not silenced.
    pub fn progress(&self, len: Option<u64>, what: &str) -> indicatif::ProgressBar {
        use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
        if self.quiet || !io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let template = match (len, what) {
            (Some(_), "bytes") => "{wide_bar} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            (Some(_), _) => "{wide_bar} {human_pos}/{human_len} {per_sec} eta {eta}",
            (None, _) => "{spinner} {bytes} {bytes_per_sec}",
        };
        let bar = match len {
            Some(len) => ProgressBar::new(len),
            None => ProgressBar::new_spinner(),
        };
        bar.set_draw_target(ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        bar
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
            Format::Json | Format::Jsonl | Format::ClaimReview => {
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
        ClaimList::new(&mut self.out, self.format, false, self.style)
    }

    /// Like [`Output::claims`], each claim with why it is listed: a `why` column in a table and
    /// in CSV (which import skips), a `why` field in JSON.
    pub fn claims_with_why(&mut self, translated: bool) -> anyhow::Result<ClaimList<'_>> {
        let format = self.format;
        let style = self.style;
        let out: &mut dyn Write = &mut self.out;
        if format == Format::Csv {
            let mut w = claim_csv::writer(out);
            w.write_record(
                Field::columns()
                    .iter()
                    .map(|f| f.as_str())
                    .chain([claim_csv::WHY_COLUMN]),
            )?;
            return Ok(ClaimList {
                sink: Sink::Csv(Box::new(w), false),
                count: 0,
                translated,
                why: true,
            });
        }
        let mut list = ClaimList::new(out, format, false, style)?;
        list.translated = translated;
        list.why = true;
        Ok(list)
    }

    /// Like [`Output::claims`], showing translations instead of the original text in a table
    /// (the original where there is no translation).
    pub fn translated_claims(&mut self) -> anyhow::Result<ClaimList<'_>> {
        let mut list = self.claims()?;
        list.translated = true;
        Ok(list)
    }

    /// Everything about one claim.
    pub fn claim_detail(
        &mut self,
        claim: &Claim,
        stances: &[StanceEntry],
        reviews: &[Review],
    ) -> anyhow::Result<()> {
        match self.format {
            Format::Table => {
                let mut table = self.style.table();
                table.set_header(["field", "value"]);
                let opt = |o: &Option<String>| o.clone().unwrap_or_default();
                let rows = [
                    ("id", claim.id.to_string()),
                    ("uid", claim.uid.clone()),
                    ("version", claim.version.to_string()),
                    ("status", claim.status.to_string()),
                    ("text", claim.text.clone()),
                    ("translation", opt(&claim.translation)),
                    ("claimant", claim.claimant.clone()),
                    ("supported by", claim.supported_by.join("; ")),
                    ("disputed by", claim.disputed_by.join("; ")),
                    ("figures", claim.quantity()),
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
                let room = self.style.room_after(&[12]);
                for (name, value) in rows.into_iter().filter(|(_, v)| !v.is_empty()) {
                    let cell = if name == "status" {
                        table::status_cell(claim.status)
                    } else {
                        Cell::new(Style::wrap(&value, room.unwrap_or(usize::MAX)))
                    };
                    table.add_row(vec![Cell::new(name).add_attribute(Attribute::Bold), cell]);
                }
                writeln!(self.out, "{table}")?;
                if !stances.is_empty() {
                    let headers = ["source", "stance", "quote", "url", "cited"];
                    let mut rows: Vec<Vec<String>> = stances
                        .iter()
                        .map(|s| {
                            vec![
                                s.source.clone(),
                                s.stance.to_string(),
                                s.quote.clone().unwrap_or_default(),
                                s.url.clone().unwrap_or_default(),
                                format!("{} by {}", s.created_at, s.created_by),
                            ]
                        })
                        .collect();
                    self.style.fit_evenly(&headers, &mut rows, &[1, 4]);
                    let mut table = self.style.table();
                    table.set_header(headers);
                    for row in rows {
                        table.add_row(row.iter().map(|c| table::text_cell(c)).collect::<Vec<_>>());
                    }
                    writeln!(self.out, "{table}")?;
                }
                if !reviews.is_empty() {
                    let mut table = self.style.table();
                    table.set_header(["reviewed by", "rating", "date", "url", "title"]);
                    for r in reviews.iter().map(|r| &r.review) {
                        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
                        table.add_row([
                            r.publisher.clone(),
                            table::truncate(&opt(&r.rating), 80),
                            opt(&r.review_date),
                            opt(&r.url),
                            table::truncate(&opt(&r.title), 80),
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
            Format::Json | Format::Jsonl | Format::ClaimReview => {
                #[derive(Serialize)]
                struct Detail<'a> {
                    #[serde(flatten)]
                    claim: &'a Claim,
                    stances: &'a [StanceEntry],
                    reviews: &'a [Review],
                }
                let detail = Detail {
                    claim,
                    stances,
                    reviews,
                };
                serde_json::to_writer(&mut self.out, &detail)?;
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
            &[0, 1, 2, 3],
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
            &[1, 3, 4, 5],
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
            struct ClaimantCount<'a> {
                claimant: &'a str,
                claims: i64,
            }
            #[derive(Serialize)]
            struct StatsJson<'a> {
                claims: i64,
                disputed: i64,
                by_status: serde_json::Map<String, serde_json::Value>,
                by_claimant: Vec<ClaimantCount<'a>>,
            }
            let json = StatsJson {
                claims: stats.claims,
                disputed: stats.disputed,
                by_status: stats
                    .by_status
                    .iter()
                    .map(|(s, n)| (s.to_string(), (*n).into()))
                    .collect(),
                by_claimant: stats
                    .by_claimant
                    .iter()
                    .map(|(claimant, claims)| ClaimantCount {
                        claimant,
                        claims: *claims,
                    })
                    .collect(),
            };
            serde_json::to_writer_pretty(&mut self.out, &json)?;
            writeln!(self.out)?;
            return Ok(());
        }
        self.records(&rows, &["group", "name", "claims"], &[0, 2], |r| {
            vec![r.group.to_owned(), r.name.clone(), r.claims.to_string()]
        })
    }

    /// The rating map: built-in entries and the user's, marked.
    pub fn ratings(&mut self, entries: &[RatingEntry]) -> anyhow::Result<()> {
        self.records(
            entries,
            &["rating", "status", "origin", "key"],
            &[1, 2],
            |e| {
                let origin = match (e.origin, e.overrides) {
                    (Origin::BuiltIn, _) => "built-in".to_owned(),
                    (Origin::User, None) => "user".to_owned(),
                    (Origin::User, Some(old)) => format!("user (built-in: {old})"),
                };
                vec![
                    e.rating.clone(),
                    e.status.to_string(),
                    origin,
                    e.key.clone(),
                ]
            },
        )
    }

    /// Candidate claims from an article: the columns import reads in CSV and JSON, the text,
    /// who and why in a table.
    pub fn candidates(&mut self, rows: &[crate::extract::Row]) -> anyhow::Result<()> {
        if self.format == Format::Table {
            let headers = [
                "text",
                "claimant",
                "disputed_by",
                "figures",
                "claim_date",
                "score",
            ];
            return self.records(rows, &headers, &[4, 5], |r| {
                vec![
                    r.text.clone(),
                    r.claimant.clone(),
                    r.disputed_by.clone(),
                    r.figures.clone(),
                    r.claim_date.clone(),
                    r.score.to_string(),
                ]
            });
        }
        self.records(
            rows,
            crate::extract::Row::HEADERS,
            &[0],
            crate::extract::Row::cells,
        )
    }

    /// Search results, best first: a snippet per claim in a table and CSV, whole claims with
    /// their score and snippet in JSON.
    pub fn search_hits(&mut self, hits: &[SearchHit]) -> anyhow::Result<()> {
        self.records(
            hits,
            &["id", "score", "status", "claimant", "matched", "snippet"],
            &[0, 1, 2, 4],
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

    /// Conflicting figures, two claims side by side per row.
    pub fn conflicts(&mut self, conflicts: &[crate::conflicts::Conflict]) -> anyhow::Result<()> {
        if self.format == Format::Table {
            let headers = [
                "id",
                "claimant",
                "figure",
                "date",
                "status",
                "id",
                "claimant",
                "figure",
                "date",
                "status",
                "same event",
            ];
            let mut rows: Vec<Vec<String>> = conflicts
                .iter()
                .map(|c| {
                    let mut row = Vec::new();
                    for side in [&c.a, &c.b] {
                        row.extend([
                            side.id.to_string(),
                            side.claimant.clone(),
                            side.figure.clone(),
                            side.date.clone().unwrap_or_default(),
                            side.status.to_string(),
                        ]);
                    }
                    row.push(c.why.clone());
                    row
                })
                .collect();
            self.style
                .fit_evenly(&headers, &mut rows, &[0, 3, 4, 5, 8, 9]);
            let mut table = self.style.table();
            table.set_header(headers);
            for row in rows {
                table.add_row(row.iter().map(|c| table::text_cell(c)).collect::<Vec<_>>());
            }
            writeln!(self.out, "{table}")?;
            return Ok(());
        }
        self.records(
            conflicts,
            &[
                "unit",
                "a_id",
                "a_claimant",
                "a_figure",
                "a_date",
                "a_status",
                "b_id",
                "b_claimant",
                "b_figure",
                "b_date",
                "b_status",
                "why",
            ],
            &[],
            |c| {
                let mut row = vec![c.unit.clone()];
                for side in [&c.a, &c.b] {
                    row.extend([
                        side.id.to_string(),
                        side.claimant.clone(),
                        side.figure.clone(),
                        side.date.clone().unwrap_or_default(),
                        side.status.to_string(),
                    ]);
                }
                row.push(c.why.clone());
                row
            },
        )
    }

    /// Likely duplicates, most similar first.
    pub fn similar_claims(&mut self, similar: &[SimilarClaim]) -> anyhow::Result<()> {
        self.records(
            similar,
            &["id", "similarity", "status", "claimant", "text", "conflict"],
            &[0, 1, 2],
            |s| {
                vec![
                    s.claim.id.to_string(),
                    format!("{:.2}", s.similarity),
                    s.claim.status.to_string(),
                    s.claim.claimant.clone(),
                    s.claim.text.clone(),
                    s.conflict
                        .as_ref()
                        .map(|c| format!("figures conflict: {c}"))
                        .unwrap_or_default(),
                ]
            },
        )
    }

    /// Prints any list of records: a table or CSV from `cells`, JSON from `Serialize`.
    fn records<T: Serialize>(
        &mut self,
        items: &[T],
        headers: &[&str],
        whole: &[usize],
        cells: impl Fn(&T) -> Vec<String>,
    ) -> anyhow::Result<()> {
        match self.format {
            Format::Table => {
                let mut rows: Vec<Vec<String>> = items.iter().map(&cells).collect();
                self.style.fit_evenly(headers, &mut rows, whole);
                let mut table = self.style.table();
                table.set_header(headers.to_vec());
                for row in rows {
                    table.add_row(row.iter().map(|c| table::text_cell(c)).collect::<Vec<_>>());
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
            Format::Json | Format::ClaimReview => {
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
    /// In a table, show the translation instead of the original text.
    translated: bool,
    /// Each claim comes with why it is listed (a `why` column or field).
    why: bool,
}

enum Sink<'a> {
    Table(Vec<(Status, Vec<String>)>, Style, &'a mut dyn Write),
    Csv(Box<csv::Writer<&'a mut dyn Write>>, bool),
    Json(&'a mut dyn Write),
    Jsonl(&'a mut dyn Write),
}

/// The columns an editor needs to scan a list of claims.
const LIST_HEADERS: [&str; 7] = ["id", "status", "claimant", "text", "figures", "date", "why"];

impl<'a> ClaimList<'a> {
    /// Starts a list on `out`. With `spreadsheet_safe`, CSV cells that a spreadsheet would run
    /// as formulas are neutralised (see `claim_csv::write_claim`).
    pub fn new(
        out: &'a mut dyn Write,
        format: Format,
        spreadsheet_safe: bool,
        style: Style,
    ) -> anyhow::Result<Self> {
        let sink = match format {
            Format::Table => Sink::Table(Vec::new(), style, out),
            Format::Csv => {
                let mut w = claim_csv::writer(out);
                claim_csv::write_header(&mut w)?;
                Sink::Csv(Box::new(w), spreadsheet_safe)
            }
            Format::Json | Format::ClaimReview => {
                write!(out, "[")?;
                Sink::Json(out)
            }
            Format::Jsonl => Sink::Jsonl(out),
        };
        Ok(ClaimList {
            sink,
            count: 0,
            translated: false,
            why: false,
        })
    }

    /// Adds one claim.
    pub fn push(&mut self, claim: Claim) -> anyhow::Result<()> {
        self.push_why(claim, "")
    }

    /// Adds one claim with why it is listed (shown when the list was made by
    /// [`Output::claims_with_why`]).
    pub fn push_why(&mut self, claim: Claim, why: &str) -> anyhow::Result<()> {
        #[derive(Serialize)]
        struct WithWhy<'c> {
            #[serde(flatten)]
            claim: &'c Claim,
            why: &'c str,
        }
        let with_why = self.why;
        match &mut self.sink {
            Sink::Table(rows, _, _) => {
                let text = match (&claim.translation, self.translated) {
                    (Some(t), true) => t.as_str(),
                    _ => claim.text.as_str(),
                };
                rows.push((
                    claim.status,
                    vec![
                        claim.id.to_string(),
                        claim.status.to_string(),
                        claim.claimant.clone(),
                        table::truncate(text, usize::MAX),
                        claim.quantity(),
                        claim
                            .claim_date
                            .as_ref()
                            .map(|d| d.to_string())
                            .unwrap_or_default(),
                        why.to_owned(),
                    ],
                ));
            }
            Sink::Csv(w, safe) => {
                claim_csv::write_claim_and(w, &claim, *safe, with_why.then_some(why))?
            }
            Sink::Json(w) => {
                let sep = if self.count == 0 { "\n" } else { ",\n" };
                write!(w, "{sep}")?;
                if with_why {
                    serde_json::to_writer(&mut *w, &WithWhy { claim: &claim, why })?;
                } else {
                    serde_json::to_writer(&mut *w, &claim)?;
                }
            }
            Sink::Jsonl(w) => {
                if with_why {
                    serde_json::to_writer(&mut *w, &WithWhy { claim: &claim, why })?;
                } else {
                    serde_json::to_writer(&mut *w, &claim)?;
                }
                writeln!(w)?;
            }
        }
        self.count += 1;
        Ok(())
    }

    /// Ends the list; returns how many claims it held. An empty table prints nothing.
    pub fn finish(self) -> anyhow::Result<u64> {
        match self.sink {
            Sink::Table(rows, style, w) => {
                if self.count > 0 {
                    let (statuses, mut cells): (Vec<Status>, Vec<Vec<String>>) =
                        rows.into_iter().unzip();
                    // On a narrow terminal the date and quantity go, then the claimant: the
                    // id, status and some of the text always show.
                    let keep: &[usize] = match (style.width, self.why) {
                        (Some(w), _) if w < 48 => &[0, 1, 3],
                        (Some(w), _) if w < 72 => &[0, 1, 2, 3],
                        (_, false) => &[0, 1, 2, 3, 4, 5],
                        (_, true) => &[0, 1, 2, 3, 4, 5, 6],
                    };
                    let headers: Vec<&str> = keep.iter().map(|&i| LIST_HEADERS[i]).collect();
                    for row in &mut cells {
                        *row = keep.iter().map(|&i| std::mem::take(&mut row[i])).collect();
                    }
                    // The text gives way first, then the claimant, then the quantity.
                    let position = |column: usize| keep.iter().position(|&k| k == column);
                    let shrink: Vec<(usize, usize)> = [(3, 10), (6, 12), (2, 10), (4, 8)]
                        .into_iter()
                        .filter_map(|(c, min)| position(c).map(|p| (p, min)))
                        .collect();
                    style.fit(&headers, &mut cells, &shrink);
                    let mut table = style.table();
                    table.set_header(headers);
                    for (status, row) in statuses.into_iter().zip(cells) {
                        let mut row: Vec<Cell> = row.iter().map(|c| table::text_cell(c)).collect();
                        row[1] = table::status_cell(status);
                        table.add_row(row);
                    }
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
