//! Evidence items and their files: the SQL behind `claimdb evidence`, citations and `audit`.
//!
//! A file is stored inside the database, once per content, in `evidence_file`, keyed by its
//! SHA-256. In a database file it is streamed in and out with SQLite's incremental blob I/O in
//! fixed-size chunks and hashed on the way, so a 50 MB PDF is never held in memory, let alone
//! twice. A server stores it in one statement (files are capped by `evidence_max_mb`) and sends
//! it back in slices.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use anyhow::Context;
use rusqlite::MAIN_DB;

use super::sql::{self, params, Connection, OptionalExtension, Row};
use sha2::{Digest, Sha256};

use super::{find_source, Store, Writer};
use crate::error::UserError;
use crate::evidence::{recorded_file, Evidence, EvidenceDraft, EvidenceFile, Removal};
use crate::model::{self, Action};

/// The chunk files are streamed in: small enough to keep memory flat, large enough to be fast.
const CHUNK: usize = 64 * 1024;

/// The history field of evidence events.
const FIELD: &str = "evidence";

/// Every column of an [`Evidence`], in the order [`evidence_from_row`] reads them.
const EVIDENCE_SELECT: &str = "SELECT e.id, e.claim_id, s.name, st.stance, e.url, e.archived_url,
        e.quote, e.note, e.file_sha256, e.file_name, f.size, e.captured_at, e.captured_by,
        e.event_id, e.removed_at, e.removed_by, e.removed_note
    FROM evidence e
    LEFT JOIN source s ON s.id = e.source_id
    LEFT JOIN stance st ON st.claim_id = e.claim_id AND st.source_id = e.source_id
    LEFT JOIN evidence_file f ON f.sha256 = e.file_sha256";

fn evidence_from_row(r: &Row<'_>) -> sql::Result<Evidence> {
    let sha256: Option<String> = r.get(8)?;
    let removed_at: Option<String> = r.get(14)?;
    Ok(Evidence {
        id: r.get(0)?,
        claim_id: r.get(1)?,
        source: r.get(2)?,
        stance: r.get(3)?,
        url: r.get(4)?,
        archived_url: r.get(5)?,
        quote: r.get(6)?,
        note: r.get(7)?,
        file: match sha256 {
            Some(sha256) => Some(EvidenceFile {
                sha256,
                name: r.get(9)?,
                size: r.get::<Option<i64>>(10)?.map(|s| s.max(0) as u64),
            }),
            None => None,
        },
        captured_at: r.get(11)?,
        captured_by: r.get(12)?,
        event: r.get(13)?,
        removed: match removed_at {
            Some(at) => Some(Removal {
                at,
                by: r.get::<Option<String>>(15)?.unwrap_or_default(),
                note: r.get::<Option<String>>(16)?.unwrap_or_default(),
            }),
            None => None,
        },
    })
}

pub(super) fn load_evidence(conn: &dyn Connection, id: i64) -> anyhow::Result<Option<Evidence>> {
    let mut stmt = conn.prepare(&format!("{EVIDENCE_SELECT} WHERE e.id = ?1"))?;
    Ok(stmt.query_row([id], evidence_from_row).optional()?)
}

/// A file to attach, and the largest size allowed.
#[derive(Debug, Clone, Copy)]
pub struct FileToAttach<'a> {
    pub path: &'a Path,
    pub max_bytes: u64,
}

/// A stored file whose content no longer matches what was attached.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FileProblem {
    pub evidence: i64,
    pub claim_id: i64,
    pub sha256: String,
    /// What is wrong, in words.
    pub problem: String,
}

impl Store {
    /// Adds an evidence item to claim `id`, with its file streamed into the database. Returns
    /// the item, and false when the very same item was there already (nothing written).
    pub fn add_evidence(
        &mut self,
        id: i64,
        draft: &EvidenceDraft,
        file: Option<FileToAttach<'_>>,
        actor: &str,
    ) -> anyhow::Result<(Evidence, bool)> {
        draft.validate(file.is_some())?;
        let tx = self.write()?;
        let mut w = Writer::new(&*tx, actor);
        let added = w.add_evidence(id, draft, file, None)?;
        let evidence_id = match added {
            Some(e) => e,
            None => w
                .same_evidence(id, draft)?
                .context("the same evidence item is stored")?,
        };
        if added.is_some() {
            w.touch(id, &model::now())?;
        }
        let evidence =
            load_evidence(&*tx, evidence_id)?.context("the evidence item was just stored")?;
        tx.commit()?;
        Ok((evidence, added.is_some()))
    }

    /// One evidence item, by its id.
    pub fn evidence_item(&self, evidence_id: i64) -> anyhow::Result<Evidence> {
        load_evidence(self.db(), evidence_id)?.ok_or_else(|| not_found(evidence_id))
    }

    /// The evidence items of claim `id`, oldest first; removed ones only with `removed`.
    pub fn evidence(&self, id: i64, removed: bool) -> anyhow::Result<Vec<Evidence>> {
        self.claim(id)?;
        self.evidence_of(id, removed)
    }

    /// [`Store::evidence`] of a claim known to exist.
    pub(super) fn evidence_of(&self, id: i64, removed: bool) -> anyhow::Result<Vec<Evidence>> {
        let mut stmt = self.db().prepare(&format!(
            "{EVIDENCE_SELECT} WHERE e.claim_id = ?1 AND (?2 OR e.removed_at IS NULL) ORDER BY e.id"
        ))?;
        let rows = stmt.query_map(params![id, removed], evidence_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The evidence items of the claims from id `first` to `last`, removed ones too, by claim,
    /// each claim's oldest first.
    pub(super) fn evidence_between(
        &self,
        first: i64,
        last: i64,
    ) -> anyhow::Result<HashMap<i64, Vec<Evidence>>> {
        let mut by_claim: HashMap<i64, Vec<Evidence>> = HashMap::new();
        self.db().query_each(
            &format!("{EVIDENCE_SELECT} WHERE e.claim_id BETWEEN ?1 AND ?2 ORDER BY e.id"),
            params![first, last],
            &mut |r| {
                let item = evidence_from_row(r)?;
                by_claim.entry(item.claim_id).or_default().push(item);
                Ok(true)
            },
        )?;
        Ok(by_claim)
    }

    /// Marks an evidence item removed, with who, when and why; history records it.
    pub fn remove_evidence(
        &mut self,
        evidence_id: i64,
        why: &str,
        actor: &str,
    ) -> anyhow::Result<Evidence> {
        if why.trim().is_empty() {
            return Err(UserError::Refused(
                "removing evidence needs a reason: add --note \"why\"".into(),
            )
            .into());
        }
        model::check_text("a note", why)?;
        let tx = self.write()?;
        let mut w = Writer::new(&*tx, actor);
        let item = load_evidence(w.tx, evidence_id)?.ok_or_else(|| not_found(evidence_id))?;
        if let Some(removed) = &item.removed {
            return Err(UserError::Refused(format!(
                "evidence {evidence_id} was already removed by {} at {}: {}",
                removed.by, removed.at, removed.note
            ))
            .into());
        }
        w.check_not_merged(item.claim_id)?;
        let now = model::now();
        w.tx.execute(
            "UPDATE evidence SET removed_at = ?2, removed_by = ?3, removed_note = ?4
             WHERE id = ?1",
            params![evidence_id, now, actor, why.trim()],
        )?;
        let description = item.describe();
        w.record_raw(
            item.claim_id,
            Action::Cite,
            Some((FIELD, Some(&description), None)),
            Some(why.trim()),
        )?;
        w.touch(item.claim_id, &now)?;
        let item = load_evidence(w.tx, evidence_id)?.context("the evidence item is stored")?;
        tx.commit()?;
        Ok(item)
    }

    /// Writes the file of evidence item `evidence_id` to `out`, checking on the way that it is
    /// exactly the file that was attached (its SHA-256). On a mismatch `out` has received bytes
    /// that must be thrown away: the caller writes to a temporary file.
    pub fn write_evidence_file(
        &self,
        evidence_id: i64,
        out: &mut dyn Write,
    ) -> anyhow::Result<EvidenceFile> {
        let item = self.evidence_item(evidence_id)?;
        let file = item.file.ok_or_else(|| {
            UserError::Refused(format!(
                "evidence {evidence_id} has no file (see `claimdb evidence list {}`)",
                item.claim_id
            ))
        })?;
        let rowid = file_rowid(self.db(), &file.sha256)?.ok_or_else(|| {
            UserError::Refused(format!(
                "the file of evidence {evidence_id} (claim {}, sha256 {}) is missing from the \
                 database; run `claimdb audit`",
                item.claim_id, file.sha256
            ))
        })?;
        let found = stream_blob(self.db(), rowid, out)?;
        if found != file.sha256 {
            return Err(UserError::Refused(format!(
                "the stored file of evidence {evidence_id} (claim {}) does not match its SHA-256 \
                 {}: it was changed after it was attached; nothing was written",
                item.claim_id, file.sha256
            ))
            .into());
        }
        Ok(file)
    }

    /// Checks every evidence file: it is there, its content hashes to its key, and that hash is
    /// the one the history event that attached it recorded.
    pub fn audit_files(&self) -> anyhow::Result<Vec<FileProblem>> {
        let mut stmt = self.db().prepare(
            "SELECT e.id, e.claim_id, e.file_sha256, h.new_value, f.id, e.event_id
             FROM evidence e
             LEFT JOIN history h ON h.id = e.event_id
             LEFT JOIN evidence_file f ON f.sha256 = e.file_sha256
             WHERE e.file_sha256 IS NOT NULL ORDER BY e.id",
        )?;
        type Row = (i64, i64, String, Option<String>, Option<i64>, Option<i64>);
        let rows: Vec<Row> = stmt
            .query_map(params![], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        // One hash per stored file, however many items use it.
        let mut hashes: HashMap<i64, String> = HashMap::new();
        let mut problems = Vec::new();
        for (evidence, claim_id, sha256, recorded, rowid, event) in rows {
            let mut problem = |text: String| {
                problems.push(FileProblem {
                    evidence,
                    claim_id,
                    sha256: sha256.clone(),
                    problem: text,
                })
            };
            let expected = recorded_file(evidence, &sha256);
            match recorded {
                Some(text) if text.starts_with(&expected) => {}
                _ => {
                    problem(match event {
                        Some(event) => format!(
                            "history event {event}, which attached it, records another file"
                        ),
                        None => "no history event records its file".to_owned(),
                    });
                    continue;
                }
            }
            let Some(rowid) = rowid else {
                problem("its file is missing from the database".to_owned());
                continue;
            };
            let found = match hashes.get(&rowid) {
                Some(found) => found.clone(),
                None => {
                    let found = stream_blob(self.db(), rowid, &mut std::io::sink())?;
                    hashes.insert(rowid, found.clone());
                    found
                }
            };
            if found != sha256 {
                problem("its file was changed after it was attached".to_owned());
            }
        }
        Ok(problems)
    }
}

impl Writer<'_> {
    /// Stores an evidence item on claim `id` (its file streamed in) and records it in history
    /// with `note`. Returns its id, or None when an item with the same content is there already.
    pub(super) fn add_evidence(
        &mut self,
        id: i64,
        draft: &EvidenceDraft,
        file: Option<FileToAttach<'_>>,
        note: Option<&str>,
    ) -> anyhow::Result<Option<i64>> {
        self.check_not_merged(id)?;
        let claimant: i64 = self
            .tx
            .prepare_cached("SELECT claimant_id FROM claim WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?
            .ok_or(UserError::ClaimNotFound(id))?;
        let source_id = match &draft.source {
            None => None,
            Some(name) => {
                let (source_id, canonical) = find_source(self.tx, name)?
                    .ok_or_else(|| UserError::SourceNotFound(name.clone()))?;
                let has_stance = self
                    .tx
                    .prepare_cached("SELECT 1 FROM stance WHERE claim_id = ?1 AND source_id = ?2")?
                    .exists(params![id, source_id])?;
                if source_id != claimant && !has_stance {
                    return Err(UserError::Refused(format!(
                        "{canonical:?} neither made claim {id} nor supports or disputes it: \
                         record its stance first (`claimdb cite {id} {canonical:?} --supports` \
                         or `--disputes`), or leave out --source"
                    ))
                    .into());
                }
                Some(source_id)
            }
        };
        let stored = match file {
            Some(file) => Some(store_file(self.tx, file)?),
            None => None,
        };
        let file_name = file
            .and_then(|f| f.path.file_name())
            .map(|n| n.to_string_lossy().into_owned());
        // The same item again adds nothing; an item with a file is always new (its content is
        // known only once stored, and attaching the same file twice is the user's call).
        if file.is_none() && self.same_evidence(id, draft)?.is_some() {
            return Ok(None);
        }
        let now = model::now();
        let captured_at = match &draft.captured_at {
            Some(at) => model::parse_timestamp(at)?,
            None => now,
        };
        let captured_by = draft
            .captured_by
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .unwrap_or(self.actor)
            .to_owned();
        let evidence_id = self
            .tx
            .prepare_cached(
                "INSERT INTO evidence (claim_id, source_id, url, archived_url, quote, note,
                     file_sha256, file_name, captured_at, captured_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 RETURNING id",
            )?
            .query_row(
                params![
                    id,
                    source_id,
                    trimmed(&draft.url),
                    trimmed(&draft.archived_url),
                    kept_text(&draft.quote),
                    kept_text(&draft.note),
                    stored,
                    file_name,
                    captured_at,
                    captured_by,
                ],
                |r| r.get::<i64>(0),
            )?;
        let item =
            load_evidence(self.tx, evidence_id)?.context("the evidence item was just stored")?;
        let description = item.describe();
        let event = self.record_raw(
            id,
            Action::Cite,
            Some((FIELD, None, Some(&description))),
            note,
        )?;
        self.tx
            .prepare_cached("UPDATE evidence SET event_id = ?2 WHERE id = ?1")?
            .execute(params![evidence_id, event])?;
        Ok(Some(evidence_id))
    }

    /// An item of claim `id` without a file, not removed, with the same content as `draft`.
    fn same_evidence(&self, id: i64, draft: &EvidenceDraft) -> anyhow::Result<Option<i64>> {
        let source_id = match &draft.source {
            Some(name) => find_source(self.tx, name)?.map(|(id, _)| id),
            None => None,
        };
        Ok(self
            .tx
            .prepare_cached(
                "SELECT id FROM evidence WHERE claim_id = ?1 AND removed_at IS NULL
                   AND source_id IS ?2 AND url IS ?3 AND archived_url IS ?4 AND quote IS ?5
                   AND note IS ?6 AND file_sha256 IS NULL
                 ORDER BY id LIMIT 1",
            )?
            .query_row(
                params![
                    id,
                    source_id,
                    trimmed(&draft.url),
                    trimmed(&draft.archived_url),
                    kept_text(&draft.quote),
                    kept_text(&draft.note),
                ],
                |r| r.get(0),
            )
            .optional()?)
    }
}

/// An address as stored: trimmed, and none when blank.
fn trimmed(o: &Option<String>) -> Option<String> {
    o.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// A quote or note as stored: exactly as written, and none when blank.
fn kept_text(o: &Option<String>) -> Option<&str> {
    o.as_deref().filter(|t| !t.trim().is_empty())
}

/// Streams the file into `evidence_file` in chunks (see [`FileSink`]), hashing on the way, and returns its hash.
/// The same content stored before is kept once.
fn store_file(tx: &dyn Connection, file: FileToAttach<'_>) -> anyhow::Result<String> {
    let path = file.path;
    if path.is_dir() {
        return Err(UserError::Refused(format!(
            "{} is a directory; --file needs the path of a file",
            path.display()
        ))
        .into());
    }
    let mut input =
        File::open(path).with_context(|| format!("failed to open {}", path.display()))?;
    let size = input
        .metadata()
        .with_context(|| format!("failed to read {}", path.display()))?
        .len();
    if size > file.max_bytes {
        return Err(UserError::Refused(format!(
            "{} is {} bytes, over the limit for evidence files of {} bytes ({} MB); give a \
             higher --max-size MB, or set `evidence_max_mb` in the config file",
            path.display(),
            size,
            file.max_bytes,
            file.max_bytes / 1_000_000
        ))
        .into());
    }
    // Two passes: the hash first, so that the row is written once under its final key (SQLite
    // rewrites a whole row, blob included, to change any of its columns), and content already
    // stored is not written again; then the content, hashed again to catch a file changed in
    // between.
    let mut buffer = vec![0u8; CHUNK];
    let (sha256, _) = hash_stream(&mut input, &mut buffer, path, |_| Ok(()))?;
    if file_rowid(tx, &sha256)?.is_some() {
        return Ok(sha256);
    }
    let mut input =
        File::open(path).with_context(|| format!("failed to open {}", path.display()))?;
    let mut sink = FileSink::new(tx, &sha256, size)?;
    let mut written: u64 = 0;
    let (again, read) = hash_stream(&mut input, &mut buffer, path, |chunk| {
        // A file that grew since it was hashed is refused below, in words.
        written += chunk.len() as u64;
        if written <= size {
            sink.write_all(chunk)?;
        }
        Ok(())
    })?;
    if again != sha256 || read != size {
        return Err(UserError::Refused(format!(
            "{} changed while it was read; attach it again once nothing writes to it",
            path.display()
        ))
        .into());
    }
    sink.finish()?;
    Ok(sha256)
}

/// Reads `input` to its end in chunks, handing each to `each`; returns the SHA-256 and the
/// number of bytes read.
fn hash_stream(
    input: &mut dyn Read,
    buffer: &mut [u8],
    path: &Path,
    mut each: impl FnMut(&[u8]) -> anyhow::Result<()>,
) -> anyhow::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut read: u64 = 0;
    loop {
        let n = input
            .read(buffer)
            .with_context(|| format!("failed to read {}", path.display()))?;
        if n == 0 {
            break;
        }
        read += n as u64;
        hasher.update(&buffer[..n]);
        each(&buffer[..n])?;
    }
    Ok((hex::encode(hasher.finalize()), read))
}

pub(super) fn file_rowid(conn: &dyn Connection, sha256: &str) -> anyhow::Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM evidence_file WHERE sha256 = ?1")?
        .query_row([sha256], |r| r.get(0))
        .optional()?)
}

/// Where a new evidence file's content goes as it is read, under its final key.
///
/// In a database file, the row is made first with room for the whole content, which is then
/// written in place in chunks (SQLite's incremental blob I/O): memory stays flat whatever the
/// size. On a server the content is gathered and stored in one statement at
/// [`FileSink::finish`]: files are capped by `evidence_max_mb`, and a server has no such I/O
/// for a value of a row.
pub(super) struct FileSink<'c> {
    size: u64,
    written: u64,
    to: Sink<'c>,
}

enum Sink<'c> {
    Blob(rusqlite::blob::Blob<'c>),
    Buffer {
        conn: &'c dyn Connection,
        sha256: String,
        content: Vec<u8>,
    },
}

impl<'c> FileSink<'c> {
    /// Starts storing the file of that hash and size (`size` bytes are expected: more are
    /// refused, fewer leave the rest zero, so the caller compares what it wrote).
    pub(super) fn new(tx: &'c dyn Connection, sha256: &str, size: u64) -> anyhow::Result<Self> {
        let size_sql = i64::try_from(size).context("the file is too large")?;
        let to = match tx.embedded() {
            Some(conn) => {
                let rowid: i64 = conn.query_row(
                    "INSERT INTO evidence_file (sha256, size, content) VALUES (?1, ?2, zeroblob(?2))
                     RETURNING id",
                    rusqlite::params![sha256, size_sql],
                    |r| r.get(0),
                )?;
                Sink::Blob(conn.blob_open(MAIN_DB, "evidence_file", "content", rowid, false)?)
            }
            None => Sink::Buffer {
                conn: tx,
                sha256: sha256.to_owned(),
                content: Vec::with_capacity(usize::try_from(size).unwrap_or(0).min(1 << 26)),
            },
        };
        Ok(FileSink {
            size,
            written: 0,
            to,
        })
    }

    /// Stores what was written; the number of bytes it was.
    pub(super) fn finish(self) -> anyhow::Result<u64> {
        match self.to {
            Sink::Blob(blob) => blob.close()?,
            Sink::Buffer {
                conn,
                sha256,
                content,
            } => {
                conn.execute(
                    "INSERT INTO evidence_file (sha256, size, content) VALUES (?1, ?2, ?3)",
                    params![sha256, self.size, content],
                )?;
            }
        }
        Ok(self.written)
    }
}

impl Write for FileSink<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.written + buf.len() as u64 > self.size {
            return Err(std::io::Error::other(format!(
                "the file has more than the {} bytes it was announced with",
                self.size
            )));
        }
        match &mut self.to {
            Sink::Blob(blob) => blob.write_all(buf)?,
            Sink::Buffer { content, .. } => content.extend_from_slice(buf),
        }
        self.written += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// How much of a file a server sends at a time when it is read out.
const SERVER_CHUNK: i64 = 1 << 20;

/// Streams a stored file to `out` in chunks and returns the SHA-256 of what it read.
pub(super) fn stream_blob(
    conn: &dyn Connection,
    rowid: i64,
    out: &mut dyn Write,
) -> anyhow::Result<String> {
    let mut hasher = Sha256::new();
    if let Some(conn) = conn.embedded() {
        let mut blob = conn.blob_open(MAIN_DB, "evidence_file", "content", rowid, true)?;
        let mut buffer = vec![0u8; CHUNK];
        loop {
            let n = blob.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            out.write_all(&buffer[..n])?;
        }
        return Ok(hex::encode(hasher.finalize()));
    }
    // A server sends the value a slice at a time (substr counts bytes from 1 on a blob).
    let size: i64 = conn
        .prepare_cached("SELECT octet_length(content) FROM evidence_file WHERE id = ?1")?
        .query_row([rowid], |r| r.get(0))?;
    let mut from = 1_i64;
    while from <= size {
        let chunk: Vec<u8> = conn
            .prepare_cached("SELECT substr(content, ?2, ?3) FROM evidence_file WHERE id = ?1")?
            .query_row(params![rowid, from, SERVER_CHUNK], |r| r.get(0))?;
        if chunk.is_empty() {
            break;
        }
        hasher.update(&chunk);
        out.write_all(&chunk)?;
        from += chunk.len() as i64;
    }
    Ok(hex::encode(hasher.finalize()))
}

fn not_found(evidence_id: i64) -> anyhow::Error {
    UserError::Refused(format!(
        "evidence {evidence_id} does not exist (`claimdb evidence list CLAIM` shows a claim's \
         items)"
    ))
    .into()
}
