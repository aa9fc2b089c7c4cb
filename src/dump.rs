//! The lossless dump: everything a desk holds, as JSON (one document) or JSON Lines (one typed
//! record per line), for moving or archiving a desk. `export --format json|jsonl` writes it and
//! `import --from json` reads either form back into an empty database.
//!
//! The JSON document:
//!
//! ```text
//! {"format":"claimdb-dump","version":1,
//! "sources":[ {…}, … ],
//! "rating_map":[ … ],
//! "claims":[ … ],
//! "merges":[ … ],
//! "history":[ … ],
//! "files":[ … ]
//! }
//! ```
//!
//! One item per line inside each section. JSON Lines carries the same items in the same order,
//! each tagged with `"record"`: a first `header` line, then `source`, `rating`, `claim`, `merge`,
//! `event` and `file` records.

use std::io::{BufRead, Write};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::error::UserError;
use crate::evidence::Evidence;
use crate::model::{Claim, HistoryEvent, SourceKind, StanceEntry, Status};
use crate::review::Review;

/// What the first line or key of a dump says it is.
pub const FORMAT: &str = "claimdb-dump";

/// The dump format's version: a reader refuses versions it does not know.
pub const VERSION: u32 = 1;

/// The sections of a JSON document, in order, with the record kind of their items in JSON Lines.
const SECTIONS: [(&str, &str); 6] = [
    ("sources", "source"),
    ("rating_map", "rating"),
    ("claims", "claim"),
    ("merges", "merge"),
    ("history", "event"),
    ("files", "file"),
];

/// A source with its kind and every other name it answers to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceRecord {
    pub name: String,
    pub kind: SourceKind,
    pub aliases: Vec<String>,
    pub created_at: String,
}

/// One of the user's entries of the rating map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingRecord {
    pub key: String,
    pub rating: String,
    pub status: Status,
    pub created_at: String,
    pub created_by: String,
}

/// The claim object of the dump: the model's own serde form of a claim (every field it has,
/// whatever is added to it later), with the stances, evidence items (removed ones too) and
/// reviews that belong to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimRecord {
    #[serde(flatten)]
    pub claim: Claim,
    pub stances: Vec<StanceEntry>,
    pub evidence: Vec<Evidence>,
    pub reviews: Vec<Review>,
}

/// A claim folded into another by `merge`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergeRecord {
    pub dup_id: i64,
    pub keep_id: i64,
    pub merged_at: String,
    pub merged_by: String,
    pub note: Option<String>,
}

/// A history event with its link in the hash chain, kept as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    #[serde(flatten)]
    pub event: HistoryEvent,
    pub hash: String,
}

/// An evidence file with its content in base64 (`export --with-files`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FileRecord {
    pub sha256: String,
    pub size: u64,
    pub content: String,
}

/// One item of a dump, whichever form it came in.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    Header { format: String, version: u32 },
    Source(SourceRecord),
    Rating(RatingRecord),
    Claim(Box<ClaimRecord>),
    Merge(MergeRecord),
    Event(EventRecord),
    File(FileRecord),
}

/// Writes a dump section by section: call [`DumpWriter::section`] for every section in order
/// (an empty one too), then its items.
pub struct DumpWriter<'a> {
    out: &'a mut dyn Write,
    lines: bool,
    /// The section being written (an index into [`SECTIONS`]), and whether it has items yet.
    at: Option<usize>,
    empty: bool,
}

impl<'a> DumpWriter<'a> {
    /// Starts a dump: JSON Lines with `lines`, else one JSON document.
    pub fn new(out: &'a mut dyn Write, lines: bool) -> std::io::Result<Self> {
        if lines {
            writeln!(
                out,
                "{{\"record\":\"header\",\"format\":\"{FORMAT}\",\"version\":{VERSION}}}"
            )?;
        } else {
            write!(out, "{{\"format\":\"{FORMAT}\",\"version\":{VERSION}")?;
        }
        Ok(DumpWriter {
            out,
            lines,
            at: None,
            empty: true,
        })
    }

    /// Starts the next section, which must be `name`.
    pub fn section(&mut self, name: &str) -> anyhow::Result<()> {
        let next = self.at.map_or(0, |i| i + 1);
        anyhow::ensure!(
            SECTIONS.get(next).is_some_and(|(n, _)| *n == name),
            "dump sections out of order at {name}"
        );
        if !self.lines {
            self.close_section()?;
            write!(self.out, ",\n\"{name}\":[")?;
        }
        self.at = Some(next);
        self.empty = true;
        Ok(())
    }

    fn close_section(&mut self) -> std::io::Result<()> {
        if self.at.is_some() {
            write!(self.out, "{}", if self.empty { "]" } else { "\n]" })?;
        }
        Ok(())
    }

    /// Starts an item of the current section: the separator or record tag before its fields.
    fn open_item(&mut self) -> anyhow::Result<()> {
        let at = self.at.context("an item before its section")?;
        if self.lines {
            write!(self.out, "{{\"record\":\"{}\"", SECTIONS[at].1)?;
        } else {
            write!(self.out, "{}{{", if self.empty { "\n" } else { ",\n" })?;
        }
        Ok(())
    }

    fn close_item(&mut self) -> std::io::Result<()> {
        self.empty = false;
        if self.lines {
            writeln!(self.out, "}}")
        } else {
            write!(self.out, "}}")
        }
    }

    /// Writes one item of the current section.
    pub fn item<T: Serialize>(&mut self, item: &T) -> anyhow::Result<()> {
        let json = serde_json::to_string(item)?;
        let fields = json
            .strip_prefix('{')
            .and_then(|j| j.strip_suffix('}'))
            .context("a dump item is a JSON object")?;
        self.open_item()?;
        if self.lines && !fields.is_empty() {
            self.out.write_all(b",")?;
        }
        self.out.write_all(fields.as_bytes())?;
        self.close_item()?;
        Ok(())
    }

    /// Writes a file item, its content streamed by `content` into a base64 encoder.
    pub fn file(
        &mut self,
        sha256: &str,
        size: u64,
        content: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        self.open_item()?;
        if self.lines {
            self.out.write_all(b",")?;
        }
        write!(
            self.out,
            "\"sha256\":{},\"size\":{size},\"content\":\"",
            serde_json::to_string(sha256)?
        )?;
        {
            let mut encoder = Base64Writer::new(&mut *self.out);
            content(&mut encoder)?;
            encoder.finish()?;
        }
        self.out.write_all(b"\"")?;
        self.close_item()?;
        Ok(())
    }

    /// Ends the dump.
    pub fn finish(mut self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.at == Some(SECTIONS.len() - 1),
            "a dump needs all its sections"
        );
        if !self.lines {
            self.close_section()?;
            writeln!(self.out, "\n}}")?;
        }
        Ok(())
    }
}

/// The whole JSON document, as read back.
#[derive(Deserialize)]
struct Document {
    format: String,
    version: u32,
    sources: Vec<SourceRecord>,
    rating_map: Vec<RatingRecord>,
    claims: Vec<ClaimRecord>,
    merges: Vec<MergeRecord>,
    history: Vec<EventRecord>,
    #[serde(default)]
    files: Vec<FileRecord>,
}

fn check_header(name: &str, format: &str, version: u32) -> anyhow::Result<()> {
    if format != FORMAT {
        return Err(UserError::Refused(format!(
            "{name} is not a claimdb dump (its format is {format:?}, expected {FORMAT:?}); \
             `claimdb export --format json` writes one"
        ))
        .into());
    }
    if version != VERSION {
        return Err(UserError::Refused(format!(
            "{name} is a claimdb dump of version {version}; this claimdb reads version {VERSION}: \
             use the claimdb that wrote it, or a newer one"
        ))
        .into());
    }
    Ok(())
}

/// Reads a dump in either form and hands each record to `each` with where it came from
/// ("desk.jsonl line 4", "desk.json claim 12").
pub fn read(
    mut input: impl BufRead,
    name: &str,
    mut each: impl FnMut(Record, &str) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut first = String::new();
    input.read_line(&mut first)?;
    let not_a_dump = || {
        UserError::Refused(format!(
            "{name} is not a claimdb dump: it starts with neither a JSON Lines header record nor \
             a JSON object with \"format\": {FORMAT:?} (`claimdb export --format json` writes one)"
        ))
    };
    if first.trim().is_empty() {
        return Err(not_a_dump().into());
    }
    if let Ok(Record::Header { format, version }) = serde_json::from_str::<Record>(&first) {
        check_header(name, &format, version)?;
        let mut line_number = 1u64;
        let mut line = String::new();
        loop {
            line.clear();
            if input.read_line(&mut line)? == 0 {
                break;
            }
            line_number += 1;
            if line.trim().is_empty() {
                continue;
            }
            let origin = format!("{name} line {line_number}");
            let record: Record = serde_json::from_str(&line)
                .map_err(|e| UserError::Refused(format!("{origin}: not a dump record ({e})")))?;
            if matches!(record, Record::Header { .. }) {
                return Err(UserError::Refused(format!("{origin}: a second header")).into());
            }
            each(record, &origin)?;
        }
        return Ok(());
    }
    if !first.trim_start().starts_with('{') {
        return Err(not_a_dump().into());
    }
    let mut text = first;
    input.read_to_string(&mut text)?;
    let document: Document = serde_json::from_str(&text).map_err(|e| {
        UserError::Refused(format!(
            "{name} line {}, column {}: not a claimdb dump ({e})",
            e.line(),
            e.column()
        ))
    })?;
    check_header(name, &document.format, document.version)?;
    for (i, source) in document.sources.into_iter().enumerate() {
        each(Record::Source(source), &format!("{name} source {}", i + 1))?;
    }
    for (i, rating) in document.rating_map.into_iter().enumerate() {
        each(Record::Rating(rating), &format!("{name} rating {}", i + 1))?;
    }
    for claim in document.claims {
        let origin = format!("{name} claim {}", claim.claim.id);
        each(Record::Claim(Box::new(claim)), &origin)?;
    }
    for merge in document.merges {
        let origin = format!("{name} merge of claim {}", merge.dup_id);
        each(Record::Merge(merge), &origin)?;
    }
    for event in document.history {
        let origin = format!("{name} history event {}", event.event.id);
        each(Record::Event(event), &origin)?;
    }
    for file in document.files {
        let origin = format!("{name} file {}", file.sha256);
        each(Record::File(file), &origin)?;
    }
    Ok(())
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Encodes what is written to it as standard base64 (with padding) into `out`, in constant
/// memory.
pub struct Base64Writer<'a> {
    out: &'a mut dyn Write,
    pending: [u8; 3],
    held: usize,
    line: Vec<u8>,
}

impl<'a> Base64Writer<'a> {
    pub fn new(out: &'a mut dyn Write) -> Self {
        Base64Writer {
            out,
            pending: [0; 3],
            held: 0,
            line: Vec::with_capacity(4096),
        }
    }

    fn push(&mut self, group: [u8; 3], n: usize) {
        let bits = (u32::from(group[0]) << 16) | (u32::from(group[1]) << 8) | u32::from(group[2]);
        for i in 0..4 {
            if i <= n {
                self.line
                    .push(ALPHABET[((bits >> (18 - 6 * i)) & 0x3f) as usize]);
            } else {
                self.line.push(b'=');
            }
        }
    }

    /// Writes the last, padded group.
    pub fn finish(mut self) -> std::io::Result<()> {
        if self.held > 0 {
            let mut group = [0u8; 3];
            group[..self.held].copy_from_slice(&self.pending[..self.held]);
            self.push(group, self.held);
        }
        self.out.write_all(&self.line)
    }
}

impl Write for Base64Writer<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for &byte in buf {
            self.pending[self.held] = byte;
            self.held += 1;
            if self.held == 3 {
                self.push(self.pending, 3);
                self.held = 0;
            }
        }
        if self.line.len() >= 4096 {
            self.out.write_all(&self.line)?;
            self.line.clear();
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Decodes standard base64 (with padding) in pieces of whole 4-character groups, handing each
/// decoded piece to `each`; returns the number of bytes decoded, or None when `text` is not
/// base64.
pub fn decode_base64(
    text: &str,
    mut each: impl FnMut(&[u8]) -> anyhow::Result<()>,
) -> anyhow::Result<Option<u64>> {
    fn value(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let bytes = text.as_bytes();
    if bytes.len() % 4 != 0 {
        return Ok(None);
    }
    let mut total = 0u64;
    let mut decoded = Vec::with_capacity(48 * 1024);
    let groups = bytes.len() / 4;
    for (g, group) in bytes.chunks_exact(4).enumerate() {
        let last = g + 1 == groups;
        let padding = group.iter().rev().take_while(|&&c| c == b'=').count();
        if padding > 2 || (padding > 0 && !last) {
            return Ok(None);
        }
        let mut bits = 0u32;
        for &c in &group[..4 - padding] {
            let Some(v) = value(c) else { return Ok(None) };
            bits = (bits << 6) | v;
        }
        bits <<= 6 * padding as u32;
        let three = [(bits >> 16) as u8, (bits >> 8) as u8, bits as u8];
        decoded.extend_from_slice(&three[..3 - padding]);
        if decoded.len() >= 48 * 1024 || last {
            total += decoded.len() as u64;
            each(&decoded)?;
            decoded.clear();
        }
    }
    Ok(Some(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(bytes: &[u8]) -> String {
        let mut out = Vec::new();
        let mut w = Base64Writer::new(&mut out);
        // In uneven pieces, as a blob is read.
        for piece in bytes.chunks(7) {
            w.write_all(piece).unwrap();
        }
        w.finish().unwrap();
        String::from_utf8(out).unwrap()
    }

    fn decode(text: &str) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        decode_base64(text, |piece| {
            out.extend_from_slice(piece);
            Ok(())
        })
        .unwrap()
        .map(|n| {
            assert_eq!(n as usize, out.len());
            out
        })
    }

    #[test]
    fn base64_matches_the_standard_and_round_trips() {
        // RFC 4648, section 10.
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), encoded);
            assert_eq!(decode(encoded).unwrap(), plain.as_bytes());
        }
        let all: Vec<u8> = (0..=255u8).cycle().take(200_003).collect();
        assert_eq!(decode(&encode(&all)).unwrap(), all);
        for bad in ["Zg=", "Z===", "Zg==Zg==", "Zm9*", "Zm 9"] {
            assert!(decode(bad).is_none(), "{bad}");
        }
    }
}
