//! Everything claimdb prints as data goes through here: a table for people, CSV, JSON or JSON
//! Lines for scripts. Notes for people go to stderr, so that stdout stays clean for pipes.

use std::io::{self, IsTerminal, Write};

use serde::Serialize;

use crate::claim_csv;
use crate::evidence::Evidence;
use crate::model::{Claim, Field, HistoryEvent, SourceSummary, StanceEntry, Status};
use crate::ratings::{Origin, RatingEntry};
use crate::review::Review;
use crate::store::desk::Desk;
use crate::store::search::SearchHit;
use crate::store::similar::SimilarClaim;
use crate::store::{Stats, UnmappedRating};
use crate::table::{self, Cell, Style};

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
    /// schema.org ClaimReview JSON-LD (`export` only)
    #[value(name = "claimreview")]
    ClaimReview,
    /// An Excel workbook: claims, stances and history sheets (`export --output FILE.xlsx` only)
    Xlsx,
    /// A self-contained web page (`report` only, its default)
    Html,
    /// Markdown (`report` only)
    Md,
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

    /// Text as it is on stdout (a report).
    pub fn text(&mut self, text: &str) -> io::Result<()> {
        self.out.write_all(text.as_bytes())
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
            Format::Json
            | Format::Jsonl
            | Format::ClaimReview
            | Format::Xlsx
            | Format::Html
            | Format::Md => {
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
        evidence: &[Evidence],
        reviews: &[Review],
        desk: &Desk,
    ) -> anyhow::Result<()> {
        match self.format {
            Format::Table => {
                let opt = |o: &Option<String>| o.clone().unwrap_or_default();
                let merged = desk
                    .merged_into
                    .map(|keep| format!("claim {keep} (this one is kept for its history only)"))
                    .unwrap_or_default();
                let archived = desk
                    .archived
                    .map(|kind| format!("{kind}: {}", opt(&desk.archive_note)))
                    .unwrap_or_default();
                let proposed = desk
                    .proposed_status
                    .map(|verdict| {
                        format!(
                            "{verdict} by {}, awaiting approval: {}",
                            opt(&desk.proposed_by),
                            opt(&desk.proposed_note)
                        )
                    })
                    .unwrap_or_default();
                // Everything but the id, version, status and the two stamps is the user's text.
                let rows = [
                    ("id", claim.id.to_string(), false),
                    ("merged into", merged, false),
                    ("archived", archived, true),
                    ("uid", claim.uid.clone(), false),
                    ("version", claim.version.to_string(), false),
                    ("status", claim.status.to_string(), false),
                    ("proposed", proposed, true),
                    ("assignee", opt(&desk.assignee), true),
                    ("text", claim.text.clone(), true),
                    ("translation", opt(&claim.translation), true),
                    ("claimant", claim.claimant.clone(), true),
                    ("supported by", claim.supported_by.join("; "), true),
                    ("disputed by", claim.disputed_by.join("; "), true),
                    ("figures", claim.quantity(), true),
                    ("location", opt(&claim.location), true),
                    (
                        "date",
                        claim
                            .claim_date
                            .as_ref()
                            .map(|d| d.to_string())
                            .unwrap_or_default(),
                        false,
                    ),
                    ("article", opt(&claim.article_title), true),
                    ("article url", opt(&claim.article_url), true),
                    ("tags", claim.tags.join("; "), true),
                    ("note", opt(&claim.note), true),
                    (
                        "created",
                        format!("{} by {}", claim.created_at, claim.created_by),
                        true,
                    ),
                    (
                        "updated",
                        format!("{} by {}", claim.updated_at, claim.updated_by),
                        true,
                    ),
                ];
                let room = self.style.room_after(&[12]);
                let mut cells = Vec::new();
                for (name, value, user) in rows.into_iter().filter(|(_, v, _)| !v.is_empty()) {
                    let value = Style::wrap(&value, room.unwrap_or(usize::MAX));
                    let cell = if name == "status" {
                        table::status_cell(claim.status)
                    } else if user {
                        self.style.user(value)
                    } else {
                        Cell::plain(value)
                    };
                    cells.push(vec![Cell::plain(name).bold(), cell]);
                }
                self.style
                    .print(&mut self.out, &["field", "value"], &cells)?;
                if !stances.is_empty() {
                    let headers = ["source", "stance", "recorded"];
                    let mut rows: Vec<Vec<String>> = stances
                        .iter()
                        .map(|s| {
                            vec![
                                s.source.clone(),
                                s.stance.to_string(),
                                match &s.imported_from {
                                    Some(from) => format!(
                                        "imported from {from} by {} at {}",
                                        s.created_by, s.created_at
                                    ),
                                    None => {
                                        format!("cited by {} at {}", s.created_by, s.created_at)
                                    }
                                },
                            ]
                        })
                        .collect();
                    self.style.fit_evenly(&headers, &mut rows, &[1]);
                    self.print_user_rows(&headers, rows, &[1])?;
                }
                if !evidence.is_empty() {
                    self.print_evidence_table(evidence)?;
                }
                if !reviews.is_empty() {
                    let headers = ["reviewed by", "rating", "date", "url", "title"];
                    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
                    let mut rows: Vec<Vec<String>> = reviews
                        .iter()
                        .map(|r| &r.review)
                        .map(|r| {
                            vec![
                                r.publisher.clone(),
                                opt(&r.rating),
                                opt(&r.review_date),
                                opt(&r.url),
                                opt(&r.title),
                            ]
                        })
                        .collect();
                    self.style.fit_evenly(&headers, &mut rows, &[2]);
                    self.print_user_rows(&headers, rows, &[2])?;
                }
            }
            Format::Csv => {
                let mut list = self.claims()?;
                list.push(claim.clone())?;
                list.finish()?;
            }
            Format::Json
            | Format::Jsonl
            | Format::ClaimReview
            | Format::Xlsx
            | Format::Html
            | Format::Md => {
                #[derive(Serialize)]
                struct Detail<'a> {
                    #[serde(flatten)]
                    claim: &'a Claim,
                    stances: &'a [StanceEntry],
                    evidence: &'a [Evidence],
                    reviews: &'a [Review],
                    #[serde(flatten)]
                    desk: &'a Desk,
                }
                let detail = Detail {
                    desk,
                    claim,
                    stances,
                    evidence,
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
            &[0, 2, 3],
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

    /// A claim's evidence items.
    pub fn evidence(&mut self, items: &[Evidence]) -> anyhow::Result<()> {
        if self.format == Format::Table {
            if !items.is_empty() {
                self.print_evidence_table(items)?;
            }
            return Ok(());
        }
        let (headers, _) = evidence_rows(&[]);
        self.records(items, &headers, &[], &[], |e| {
            evidence_rows(std::slice::from_ref(e)).1.remove(0)
        })
    }

    /// Evidence items for people: one row each, its parts on lines of their own.
    fn print_evidence_table(&mut self, items: &[Evidence]) -> io::Result<()> {
        let sources: Vec<String> = items
            .iter()
            .map(|e| {
                let source = table::truncate(e.source.as_deref().unwrap_or(""), 24);
                match e.stance {
                    Some(stance) => format!("{source}\n{stance}"),
                    None => source,
                }
            })
            .collect();
        let id_width = items
            .iter()
            .map(|e| e.id.to_string().len())
            .max()
            .unwrap_or(0);
        let source_width = sources
            .iter()
            .flat_map(|s| s.lines())
            .map(table::width)
            .max()
            .unwrap_or(0)
            .max("source".len());
        let room = self
            .style
            .room_after(&[id_width.max(2), source_width])
            .unwrap_or(usize::MAX);
        let mut rows: Vec<Vec<Cell>> = Vec::with_capacity(items.len());
        for (e, source) in items.iter().zip(sources) {
            let mut lines = Vec::new();
            if let Some(url) = &e.url {
                lines.push(format!("url: {url}"));
            }
            if let Some(url) = &e.archived_url {
                lines.push(format!("archived: {url}"));
            }
            if let Some(quote) = &e.quote {
                lines.push(format!("quote: «{quote}»"));
            }
            if let Some(note) = &e.note {
                lines.push(format!("note: {note}"));
            }
            if e.file.is_some() {
                lines.push(format!("file: {}", e.file_summary()));
            }
            lines.push(format!("captured {} by {}", e.captured_at, e.captured_by));
            if let Some(removed) = &e.removed {
                lines.push(format!(
                    "REMOVED {} by {}: {}",
                    removed.at, removed.by, removed.note
                ));
            }
            let text: Vec<String> = lines.iter().map(|l| Style::wrap(l, room)).collect();
            rows.push(vec![
                Cell::plain(e.id.to_string()),
                self.style.user(source),
                self.style.user(text.join("\n")),
            ]);
        }
        self.style
            .print(&mut self.out, &["id", "source", "evidence"], &rows)
    }

    /// Sources with their aliases and counts.
    pub fn sources(&mut self, sources: &[SourceSummary]) -> anyhow::Result<()> {
        self.records(
            sources,
            &["name", "kind", "aliases", "claims", "supports", "disputes"],
            &[1, 3, 4, 5],
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
        self.records(&rows, &["group", "name", "claims"], &[0, 2], &[0, 2], |r| {
            vec![r.group.to_owned(), r.name.clone(), r.claims.to_string()]
        })
    }

    /// The rating map: built-in entries and the user's, marked.
    pub fn ratings(&mut self, entries: &[RatingEntry]) -> anyhow::Result<()> {
        self.records(
            entries,
            &["rating", "status", "origin", "key"],
            &[1, 2],
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
            return self.records(rows, &headers, &[4, 5], &[5], |r| {
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
            &[],
            crate::extract::Row::cells,
        )
    }

    /// Rating texts the map does not know, most frequent first.
    pub fn unmapped_ratings(&mut self, unmapped: &[UnmappedRating]) -> anyhow::Result<()> {
        self.records(
            unmapped,
            &["rating", "reviews", "claims"],
            &[1, 2],
            &[1, 2],
            |u| {
                vec![
                    u.rating.clone(),
                    u.reviews.to_string(),
                    u.claims.to_string(),
                ]
            },
        )
    }

    /// Search results, best first: a snippet per claim in a table and CSV, whole claims with
    /// their score and snippet in JSON. Feed it with [`RecordList::push`]: hits stream.
    pub fn search_hits(&mut self) -> anyhow::Result<RecordList<'_, SearchHit>> {
        RecordList::new(
            &mut self.out,
            self.format,
            self.style,
            &["id", "score", "status", "claimant", "matched", "snippet"],
            &[0, 1, 2, 4],
            &[0, 1, 2, 4],
            |h: &SearchHit| {
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
            // Ids, dates and statuses are claimdb's own text; names and figures are the user's.
            self.print_user_rows(&headers, rows, &[0, 3, 4, 5, 8, 9])?;
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
            &[],
            |c: &crate::conflicts::Conflict| {
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

    /// A table of fitted `rows` in which every cell but those of the `plain` columns (ids,
    /// counts, statuses, times: claimdb's own text) is user text, isolated on a terminal.
    fn print_user_rows(
        &mut self,
        headers: &[&str],
        rows: Vec<Vec<String>>,
        plain: &[usize],
    ) -> io::Result<()> {
        let cells = user_cells(self.style, rows, plain);
        self.style.print(&mut self.out, headers, &cells)
    }

    /// What `claimdb migrate` did: a sentence in a table's place, one row of CSV, one JSON
    /// object.
    pub fn migration(&mut self, done: &crate::store::Migrated) -> anyhow::Result<()> {
        match self.format {
            Format::Table => {
                let documents = match done.search_documents {
                    Some(n) if n > 0 => format!("; {n} search document(s) rebuilt"),
                    _ => String::new(),
                };
                let text = if done.upgraded {
                    format!(
                        "upgraded {} from schema version {} to {}{documents}",
                        done.database, done.from, done.to
                    )
                } else {
                    format!(
                        "{} is already current (schema version {}){documents}",
                        done.database, done.from
                    )
                };
                self.line(text)?;
            }
            Format::Csv => {
                let mut w = claim_csv::writer(&mut self.out);
                w.write_record(["database", "from", "to", "upgraded", "search_documents"])?;
                w.write_record([
                    done.database.clone(),
                    done.from.clone(),
                    done.to.clone(),
                    done.upgraded.to_string(),
                    done.search_documents
                        .map(|n| n.to_string())
                        .unwrap_or_default(),
                ])?;
                w.flush()?;
            }
            Format::Jsonl => {
                serde_json::to_writer(&mut self.out, done)?;
                writeln!(self.out)?;
            }
            Format::Json | Format::ClaimReview | Format::Xlsx | Format::Html | Format::Md => {
                serde_json::to_writer_pretty(&mut self.out, done)?;
                writeln!(self.out)?;
            }
        }
        Ok(())
    }

    /// Prints any list of records: a table or CSV from `cells`, JSON from `Serialize`. In a
    /// table, the columns in `whole` are never cut and those in `plain` are not user text.
    pub fn records<T: Serialize>(
        &mut self,
        items: &[T],
        headers: &[&str],
        whole: &[usize],
        plain: &[usize],
        cells: impl Fn(&T) -> Vec<String>,
    ) -> anyhow::Result<()> {
        match self.format {
            Format::Table => {
                let mut rows: Vec<Vec<String>> = items.iter().map(&cells).collect();
                self.style.fit_evenly(headers, &mut rows, whole);
                self.print_user_rows(headers, rows, plain)?;
            }
            Format::Csv => {
                let mut w = claim_csv::writer(&mut self.out);
                w.write_record(headers)?;
                for item in items {
                    w.write_record(cells(item))?;
                }
                w.flush()?;
            }
            Format::Json | Format::ClaimReview | Format::Xlsx | Format::Html | Format::Md => {
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

/// The CSV columns of evidence items, and one row per item: every part in a column of its own,
/// the file's full hash included, for scripts.
fn evidence_rows(items: &[Evidence]) -> ([&'static str; 16], Vec<Vec<String>>) {
    let headers = [
        "id",
        "claim_id",
        "source",
        "stance",
        "url",
        "archived_url",
        "quote",
        "note",
        "file_name",
        "file_size",
        "sha256",
        "captured_at",
        "captured_by",
        "removed_at",
        "removed_by",
        "removed_note",
    ];
    let rows = items
        .iter()
        .map(|e| {
            let opt = |o: &Option<String>| o.clone().unwrap_or_default();
            let file = e.file.as_ref();
            let removed = e.removed.as_ref();
            vec![
                e.id.to_string(),
                e.claim_id.to_string(),
                opt(&e.source),
                e.stance.map(|s| s.to_string()).unwrap_or_default(),
                opt(&e.url),
                opt(&e.archived_url),
                opt(&e.quote),
                opt(&e.note),
                file.and_then(|f| f.name.clone()).unwrap_or_default(),
                file.and_then(|f| f.size)
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
                file.map(|f| f.sha256.clone()).unwrap_or_default(),
                e.captured_at.clone(),
                e.captured_by.clone(),
                removed.map(|r| r.at.clone()).unwrap_or_default(),
                removed.map(|r| r.by.clone()).unwrap_or_default(),
                removed.map(|r| r.note.clone()).unwrap_or_default(),
            ]
        })
        .collect();
    (headers, rows)
}

/// A list of claims being written: streamed row by row; a table, which needs its rows to size
/// its columns, a page at a time (see [`PAGE_ROWS`]).
pub struct ClaimList<'a> {
    sink: Sink<'a>,
    count: u64,
    /// In a table, show the translation instead of the original text.
    translated: bool,
    /// Each claim comes with why it is listed (a `why` column or field).
    why: bool,
}

/// A table longer than this many rows, or holding more than [`PAGE_BYTES`] of text, is printed
/// in pages, each with its header, so that a list of a million claims does not hold them all.
const PAGE_ROWS: usize = 1000;
/// See [`PAGE_ROWS`].
const PAGE_BYTES: usize = 1 << 20;

/// Rows of a table waiting to be printed: one page at most.
struct Page<R> {
    rows: Vec<R>,
    bytes: usize,
}

impl<R> Page<R> {
    fn new() -> Self {
        Page {
            rows: Vec::new(),
            bytes: 0,
        }
    }

    /// Adds a row of `bytes` bytes; returns the full page when it is time to print one.
    fn add(&mut self, row: R, bytes: usize) -> Option<Vec<R>> {
        self.rows.push(row);
        self.bytes += bytes;
        (self.rows.len() >= PAGE_ROWS || self.bytes >= PAGE_BYTES).then(|| self.take())
    }

    fn take(&mut self) -> Vec<R> {
        self.bytes = 0;
        std::mem::take(&mut self.rows)
    }
}

fn cell_bytes(cells: &[String]) -> usize {
    cells.iter().map(String::len).sum()
}

enum Sink<'a> {
    Table(Page<(Status, Vec<String>)>, Style, &'a mut dyn Write),
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
            Format::Table => Sink::Table(Page::new(), style, out),
            Format::Csv => {
                let mut w = if spreadsheet_safe {
                    claim_csv::spreadsheet_writer(out)
                } else {
                    claim_csv::writer(out)
                };
                claim_csv::write_header(&mut w)?;
                Sink::Csv(Box::new(w), spreadsheet_safe)
            }
            Format::Json | Format::ClaimReview | Format::Xlsx | Format::Html | Format::Md => {
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
            Sink::Table(page, style, w) => {
                let text = match (&claim.translation, self.translated) {
                    (Some(t), true) => t.as_str(),
                    _ => claim.text.as_str(),
                };
                let mut cells = vec![
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
                ];
                if with_why {
                    cells.push(why.to_owned());
                }
                let bytes = cell_bytes(&cells);
                if let Some(full) = page.add((claim.status, cells), bytes) {
                    print_claim_table(&mut **w, *style, full, with_why)?;
                }
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
            Sink::Table(mut page, style, w) => {
                let rows = page.take();
                if !rows.is_empty() {
                    print_claim_table(w, style, rows, self.why)?;
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

/// Prints claims as a table fitted to the terminal. The claim text gets at least half of the
/// width: on a narrow terminal the date goes first, then the figures, then the claimant, and
/// the claimant, figures and why are shortened before the text goes below half. `why`: the
/// rows hold a last cell saying why each claim is listed.
fn print_claim_table(
    w: &mut dyn Write,
    style: Style,
    rows: Vec<(Status, Vec<String>)>,
    why: bool,
) -> io::Result<()> {
    const TEXT: usize = 3;
    let (statuses, mut cells): (Vec<Status>, Vec<Vec<String>>) = rows.into_iter().unzip();
    let headers_all = &LIST_HEADERS[..if why { 7 } else { 6 }];
    // The id, status and date are never shortened (usize::MAX: their full width).
    let narrowest = [usize::MAX, usize::MAX, 10, 10, 8, usize::MAX, 12];
    let keep = style.columns_that_fit(headers_all, &cells, TEXT, &narrowest, &[5, 4, 2]);
    let headers: Vec<&str> = keep.iter().map(|&i| LIST_HEADERS[i]).collect();
    for row in &mut cells {
        *row = keep.iter().map(|&i| std::mem::take(&mut row[i])).collect();
    }
    let position = |column: usize| keep.iter().position(|&k| k == column);
    let shrink: Vec<(usize, usize)> = [6, 2, 4]
        .into_iter()
        .filter_map(|c| position(c).map(|p| (p, narrowest[c])))
        .collect();
    let text = position(TEXT).unwrap_or(0);
    style.fit(&headers, &mut cells, text, &shrink);
    let table: Vec<Vec<Cell>> = statuses
        .into_iter()
        .zip(cells)
        .map(|(status, row)| {
            row.into_iter()
                .zip(&keep)
                .map(|(cell, &column)| match column {
                    0 => Cell::plain(cell),
                    1 => table::status_cell(status),
                    _ => style.user(cell),
                })
                .collect()
        })
        .collect();
    style.print(w, &headers, &table)
}

/// A list of records being written as they come (search hits): CSV and JSON row by row, a
/// table a page at a time (see [`PAGE_ROWS`]).
pub struct RecordList<'a, T> {
    sink: RecordSink<'a>,
    headers: &'static [&'static str],
    plain: &'static [usize],
    whole: &'static [usize],
    cells: fn(&T) -> Vec<String>,
    count: u64,
}

enum RecordSink<'a> {
    Table(Page<Vec<String>>, Style, &'a mut dyn Write),
    Csv(Box<csv::Writer<&'a mut dyn Write>>),
    Json(&'a mut dyn Write),
    Jsonl(&'a mut dyn Write),
}

impl<'a, T: Serialize> RecordList<'a, T> {
    fn new(
        out: &'a mut dyn Write,
        format: Format,
        style: Style,
        headers: &'static [&'static str],
        whole: &'static [usize],
        plain: &'static [usize],
        cells: fn(&T) -> Vec<String>,
    ) -> anyhow::Result<Self> {
        let sink = match format {
            Format::Table => RecordSink::Table(Page::new(), style, out),
            Format::Csv => {
                let mut w = claim_csv::writer(out);
                w.write_record(headers)?;
                RecordSink::Csv(Box::new(w))
            }
            Format::Json | Format::ClaimReview | Format::Xlsx | Format::Html | Format::Md => {
                write!(out, "[")?;
                RecordSink::Json(out)
            }
            Format::Jsonl => RecordSink::Jsonl(out),
        };
        Ok(RecordList {
            sink,
            headers,
            plain,
            whole,
            cells,
            count: 0,
        })
    }

    /// Adds one record.
    pub fn push(&mut self, item: T) -> anyhow::Result<()> {
        match &mut self.sink {
            RecordSink::Table(page, style, w) => {
                let cells = (self.cells)(&item);
                let bytes = cell_bytes(&cells);
                if let Some(rows) = page.add(cells, bytes) {
                    print_record_table(
                        &mut **w,
                        *style,
                        self.headers,
                        self.whole,
                        self.plain,
                        rows,
                    )?;
                }
            }
            RecordSink::Csv(w) => w.write_record((self.cells)(&item))?,
            RecordSink::Json(w) => {
                // The same bytes as the whole list pretty-printed at once: each record indented
                // one level inside the array.
                let sep = if self.count == 0 { "\n" } else { ",\n" };
                write!(w, "{sep}")?;
                let pretty = serde_json::to_string_pretty(&item)?;
                for (i, line) in pretty.lines().enumerate() {
                    let newline = if i == 0 { "" } else { "\n" };
                    write!(w, "{newline}  {line}")?;
                }
            }
            RecordSink::Jsonl(w) => {
                serde_json::to_writer(&mut **w, &item)?;
                writeln!(w)?;
            }
        }
        self.count += 1;
        Ok(())
    }

    /// Ends the list; returns how many records it held. An empty table prints nothing.
    pub fn finish(self) -> anyhow::Result<u64> {
        match self.sink {
            RecordSink::Table(mut page, style, w) => {
                let rows = page.take();
                if !rows.is_empty() {
                    print_record_table(w, style, self.headers, self.whole, self.plain, rows)?;
                }
            }
            RecordSink::Csv(mut w) => w.flush()?,
            RecordSink::Json(w) => {
                let end = if self.count == 0 { "]" } else { "\n]" };
                writeln!(w, "{end}")?;
            }
            RecordSink::Jsonl(_) => {}
        }
        Ok(self.count)
    }
}

/// Prints one page of records as a table fitted to the terminal: the columns in `whole` are
/// never cut, those in `plain` are claimdb's own text, every other cell user text.
fn print_record_table(
    w: &mut dyn Write,
    style: Style,
    headers: &[&str],
    whole: &[usize],
    plain: &[usize],
    mut rows: Vec<Vec<String>>,
) -> io::Result<()> {
    style.fit_evenly(headers, &mut rows, whole);
    style.print(w, headers, &user_cells(style, rows, plain))
}

/// The cells of `rows`: those of the `plain` columns claimdb's own text, every other one user
/// text (isolated on a terminal).
fn user_cells(style: Style, rows: Vec<Vec<String>>, plain: &[usize]) -> Vec<Vec<Cell>> {
    rows.into_iter()
        .map(|row| {
            row.into_iter()
                .enumerate()
                .map(|(i, text)| {
                    if plain.contains(&i) {
                        Cell::plain(text)
                    } else {
                        style.user(text)
                    }
                })
                .collect()
        })
        .collect()
}
