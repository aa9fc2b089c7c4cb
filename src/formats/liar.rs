//! The LIAR data set (PolitiFact statements): 14 tab-separated columns, no header, no quoting
//! (`"` is a literal character). Read line by line, so memory does not grow with the file.
//!
//! Columns: id, label, statement, subjects, speaker, speaker's job title, state, party, five
//! credit-history counts, context. The statement becomes the claim (verbatim), the speaker its
//! claimant, the subjects its tags; id, job title, state, party and context go into the note
//! (`LIAR 11972.json; job: Governor; state: Texas; party: republican; context: Radio
//! interview`); the label becomes a PolitiFact review with that rating. The credit-history
//! counts describe the speaker at collection time, not the claim, and are not kept.

use std::io::BufRead;

use super::{claim_row, Defaults, Parsed, Problems, Record};
use crate::model;
use crate::review::ReviewDraft;

/// PolitiFact's six labels, worst to best, as LIAR writes them.
pub const LABELS: &[&str] = &[
    "pants-fire",
    "false",
    "barely-true",
    "half-true",
    "mostly-true",
    "true",
];

const COLUMNS: usize = 14;

/// Reads a LIAR file one line at a time.
pub struct LiarReader<R: BufRead> {
    input: R,
    line: u64,
    buf: Vec<u8>,
    defaults: Defaults,
}

impl<R: BufRead> LiarReader<R> {
    /// A reader over `input`.
    pub fn new(input: R, defaults: Defaults) -> Self {
        LiarReader {
            input,
            line: 0,
            buf: Vec::new(),
            defaults,
        }
    }
}

impl<R: BufRead> Iterator for LiarReader<R> {
    type Item = (u64, Parsed);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buf.clear();
            self.line += 1;
            let mut p = Problems::new("line", self.line);
            match self.input.read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => {
                    p.add("", format!("could not read the file: {e}"));
                    return Some((self.line, p.finish(Record::default())));
                }
            }
            let line = self.buf.strip_suffix(b"\n").unwrap_or(&self.buf);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() {
                // A trailing blank line is no record.
                continue;
            }
            let parsed = match std::str::from_utf8(line) {
                Ok(text) => parse(text, p, &self.defaults),
                Err(e) => {
                    p.add(
                        "",
                        format!(
                            "the line is not valid UTF-8 (bad byte at offset {}); save the file \
                             as UTF-8",
                            e.valid_up_to()
                        ),
                    );
                    p.finish(Record::default())
                }
            };
            return Some((self.line, parsed));
        }
    }
}

fn parse(line: &str, mut p: Problems, defaults: &Defaults) -> Parsed {
    let cells: Vec<&str> = line.split('\t').collect();
    if cells.len() != COLUMNS {
        p.add(
            "",
            format!(
                "the line has {} tab-separated columns; LIAR lines have {COLUMNS} (id, label, \
                 statement, subjects, speaker, job title, state, party, 5 counts, context)",
                cells.len()
            ),
        );
        return p.finish(Record::default());
    }
    let [id, label, statement, subjects, speaker, job, state, party, .., context] = cells[..]
    else {
        return p.finish(Record::default());
    };
    let mut row = claim_row(
        &mut p,
        ("statement", Some(statement)),
        ("speaker", Some(speaker.trim())),
        defaults,
    );
    if !LABELS.contains(&label.trim()) {
        p.add(
            "label",
            format!(
                "{label:?} is not a LIAR label (expected one of: {})",
                LABELS.join(", ")
            ),
        );
    }
    let tags: Result<Vec<String>, _> = subjects
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| model::list_item("a tag", s))
        .collect();
    if let Some(tags) = p.check("subjects", tags) {
        if !tags.is_empty() {
            row.patch.tags = Some(tags);
        }
    }
    let mut note = vec![format!("LIAR {}", id.trim())];
    for (name, value) in [
        ("job", job),
        ("state", state),
        ("party", party),
        ("context", context),
    ] {
        if !value.trim().is_empty() {
            note.push(format!("{name}: {}", value.trim()));
        }
    }
    row.patch.note = Some(Some(note.join("; ")));
    let review = ReviewDraft {
        publisher: "PolitiFact".to_owned(),
        site: Some("politifact.com".to_owned()),
        rating: Some(label.trim().to_owned()),
        language: Some("en".to_owned()),
        ..ReviewDraft::default()
    };
    p.finish(Record {
        claim: row,
        reviews: vec![review],
    })
}
