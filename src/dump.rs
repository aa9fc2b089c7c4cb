//! The lossless dump: everything a desk holds, as JSON (one document) or JSON Lines (one typed
//! record per line), for moving or archiving a desk. `export --format json|jsonl` writes it and
//! `import --from json` reads either form back into an empty database.
//!
//! The JSON document:
//!
//! ```text
//! {"format":"claimdb-dump","version":2,
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

use std::io::{BufRead, Read, Write};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::error::UserError;
use crate::evidence::Evidence;
use crate::model::{ArchiveKind, Claim, HistoryEvent, SourceKind, StanceEntry, Status};
use crate::review::Review;

/// What the first line or key of a dump says it is.
pub const FORMAT: &str = "claimdb-dump";

/// The dump format's version: a reader refuses versions it does not know. Version 2 may hold
/// the history events in which an import recorded many claims at once (a claimdb that reads
/// only version 1 would find those claims without history); a version 1 dump is read as it is.
pub const VERSION: u32 = 2;

/// The oldest version this claimdb reads.
const OLDEST_READ: u32 = 1;

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
    /// Who it is assigned to, whether it was archived, and a verdict waiting for approval;
    /// none when the desk has nothing on it (and in dumps written before desks were dumped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desk: Option<DeskRecord>,
}

/// The editor's desk's state of a claim, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeskRecord {
    pub assignee: Option<String>,
    pub archived: Option<ArchiveKind>,
    pub archive_note: Option<String>,
    pub proposed_status: Option<Status>,
    pub proposed_by: Option<String>,
    pub proposed_note: Option<String>,
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

fn check_header(name: &str, format: &str, version: u32) -> anyhow::Result<()> {
    if format != FORMAT {
        return Err(UserError::Refused(format!(
            "{name} is not a claimdb dump (its format is {format:?}, expected {FORMAT:?}); \
             `claimdb export --format json` writes one"
        ))
        .into());
    }
    if !(OLDEST_READ..=VERSION).contains(&version) {
        return Err(UserError::Refused(format!(
            "{name} is a claimdb dump of version {version}; this claimdb reads versions \
             {OLDEST_READ} to {VERSION}: use the claimdb that wrote it, or a newer one"
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
            if let Some(file) = file_line(&mut line) {
                each(Record::File(file), &origin)?;
                continue;
            }
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
    // The document is read as a stream too: each item of each section is handed on as soon as
    // it is parsed, so a desk of any size restores in bounded memory.
    let reader = std::io::BufReader::new(std::io::Cursor::new(first).chain(input));
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut failure = None;
    let visitor = DocumentVisitor {
        name,
        each: &mut each,
        failure: &mut failure,
    };
    let parsed = serde::Deserializer::deserialize_map(&mut de, visitor).and_then(|()| de.end());
    if let Some(e) = failure {
        return Err(e);
    }
    parsed.map_err(|e| {
        UserError::Refused(format!(
            "{name} line {}, column {}: not a claimdb dump ({e})",
            e.line(),
            e.column()
        ))
    })?;
    Ok(())
}

/// A `file` line of JSON Lines turned into its record without copying its content: the line's
/// own buffer becomes the content (base64 needs no escapes, so it lies in the line as is). An
/// evidence file is then held once, as base64, not twice. None for any other line.
fn file_line(line: &mut String) -> Option<FileRecord> {
    #[derive(Deserialize)]
    struct Borrowed<'a> {
        record: &'a str,
        sha256: String,
        size: u64,
        content: &'a str,
    }
    if !line.starts_with("{\"record\":\"file\"") {
        return None;
    }
    let parsed: Borrowed<'_> = serde_json::from_str(line).ok()?;
    if parsed.record != "file" {
        return None;
    }
    let start = parsed.content.as_ptr() as usize - line.as_ptr() as usize;
    let end = start + parsed.content.len();
    let (sha256, size) = (parsed.sha256, parsed.size);
    let mut content = std::mem::take(line);
    content.truncate(end);
    content.drain(..start);
    Some(FileRecord {
        sha256,
        size,
        content,
    })
}

/// Walks the JSON document's keys: the header first, then each section's items, one at a time.
struct DocumentVisitor<'a, F> {
    name: &'a str,
    each: &'a mut F,
    /// An error from `each` (the database's, or a record's), kept whole: serde errors are text.
    failure: &'a mut Option<anyhow::Error>,
}

impl<'de, F> serde::de::Visitor<'de> for DocumentVisitor<'_, F>
where
    F: FnMut(Record, &str) -> anyhow::Result<()>,
{
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "a claimdb dump (a JSON object with \"format\": {FORMAT:?})"
        )
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        use serde::de::Error;
        let (mut format, mut version) = (None::<String>, None::<u32>);
        let mut checked = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => format = Some(map.next_value()?),
                "version" => version = Some(map.next_value()?),
                section => {
                    if !checked {
                        let outcome = match (&format, version) {
                            (Some(f), Some(v)) => check_header(self.name, f, v),
                            _ => Err(UserError::Refused(format!(
                                "{}: a claimdb dump starts with its \"format\" and \"version\"",
                                self.name
                            ))
                            .into()),
                        };
                        if let Err(e) = outcome {
                            *self.failure = Some(e);
                            return Err(A::Error::custom("refused"));
                        }
                        checked = true;
                    }
                    let name = self.name;
                    let each = &mut *self.each;
                    let failure = &mut *self.failure;
                    match section {
                        "sources" => map.next_value_seed(Section {
                            each,
                            failure,
                            item: std::marker::PhantomData,
                            wrap: |s: SourceRecord, i| {
                                (Record::Source(s), format!("{name} source {i}"))
                            },
                        })?,
                        "rating_map" => map.next_value_seed(Section {
                            each,
                            failure,
                            item: std::marker::PhantomData,
                            wrap: |r: RatingRecord, i| {
                                (Record::Rating(r), format!("{name} rating {i}"))
                            },
                        })?,
                        "claims" => map.next_value_seed(Section {
                            each,
                            failure,
                            item: std::marker::PhantomData,
                            wrap: |c: ClaimRecord, _| {
                                let origin = format!("{name} claim {}", c.claim.id);
                                (Record::Claim(Box::new(c)), origin)
                            },
                        })?,
                        "merges" => map.next_value_seed(Section {
                            each,
                            failure,
                            item: std::marker::PhantomData,
                            wrap: |m: MergeRecord, _| {
                                let origin = format!("{name} merge of claim {}", m.dup_id);
                                (Record::Merge(m), origin)
                            },
                        })?,
                        "history" => map.next_value_seed(Section {
                            each,
                            failure,
                            item: std::marker::PhantomData,
                            wrap: |e: EventRecord, _| {
                                let origin = format!("{name} history event {}", e.event.id);
                                (Record::Event(e), origin)
                            },
                        })?,
                        "files" => map.next_value_seed(Section {
                            each,
                            failure,
                            item: std::marker::PhantomData,
                            wrap: |f: FileRecord, _| {
                                let origin = format!("{name} file {}", f.sha256);
                                (Record::File(f), origin)
                            },
                        })?,
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
            }
        }
        if !checked {
            return Err(A::Error::custom("a claimdb dump has sections"));
        }
        Ok(())
    }
}

/// One section of the document: an array whose items are handed on one by one.
struct Section<'a, F, W, T> {
    each: &'a mut F,
    failure: &'a mut Option<anyhow::Error>,
    wrap: W,
    item: std::marker::PhantomData<fn() -> T>,
}

impl<'de, F, W, T> serde::de::DeserializeSeed<'de> for Section<'_, F, W, T>
where
    F: FnMut(Record, &str) -> anyhow::Result<()>,
    W: Fn(T, u64) -> (Record, String),
    T: Deserialize<'de>,
{
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F, W, T> serde::de::Visitor<'de> for Section<'_, F, W, T>
where
    F: FnMut(Record, &str) -> anyhow::Result<()>,
    W: Fn(T, u64) -> (Record, String),
    T: Deserialize<'de>,
{
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of dump items")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut number = 0u64;
        while let Some(item) = seq.next_element::<T>()? {
            number += 1;
            let (record, origin) = (self.wrap)(item, number);
            if let Err(e) = (self.each)(record, &origin) {
                *self.failure = Some(e);
                return Err(serde::de::Error::custom("refused"));
            }
        }
        Ok(())
    }
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
