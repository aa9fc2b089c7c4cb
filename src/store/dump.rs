//! The SQL behind the lossless dump: reading everything a desk holds in a stable order, and
//! restoring it into an empty database exactly as it was (ids, versions, times, the history
//! chain as written, never re-hashed).

use std::collections::HashMap;
use std::io::Write;

use anyhow::Context;
use sha2::{Digest, Sha256};

use super::evidence::{file_rowid, stream_blob, FileSink};
use super::sql::{params, Connection, ErrorKind};
use super::{split_list, Store};
use crate::dump::{
    decode_base64, ClaimRecord, DeskRecord, EventRecord, FileRecord, MergeRecord, RatingRecord,
    Record, SourceRecord,
};
use crate::error::UserError;
use crate::evidence::Evidence;
use crate::model::{self, Claim, StanceEntry};

/// How many claims a dump reads the parts of (stances, evidence, desk rows) at a time.
const CLAIM_BATCH: usize = 500;

/// How many rows a dump reads at a time, in key order: no engine holds a cursor open across a
/// whole table, and memory stays flat.
const PAGE: i64 = 1000;

/// The tables with generated ids that a restore fills: rows added later must get ids after the
/// restored ones.
const TABLES_WITH_IDS: [&str; 6] = [
    "source",
    "claim",
    "stance",
    "review",
    "evidence_file",
    "evidence",
];

/// What a restore brought in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Restored {
    pub sources: u64,
    pub ratings: u64,
    pub claims: u64,
    pub evidence: u64,
    pub reviews: u64,
    pub merges: u64,
    pub events: u64,
    pub files: u64,
}

impl Store {
    /// Runs `read` on one snapshot of the database, so that a dump taken while others write is
    /// consistent: every section sees the same moment.
    pub fn snapshot<T>(&self, read: impl FnOnce(&Store) -> anyhow::Result<T>) -> anyhow::Result<T> {
        self.db().begin_snapshot()?;
        let result = read(self);
        let end = self.db().commit();
        let value = result?;
        end?;
        Ok(value)
    }

    /// Every source with its aliases, in the order they were created.
    pub fn dump_sources(
        &self,
        mut visit: impl FnMut(SourceRecord) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut after = 0_i64;
        loop {
            let page: Vec<(i64, SourceRecord)> = self.db().query_map(
                "SELECT s.id, s.name, s.kind,
                        (SELECT string_agg(n.name, ';') FROM source_name n
                          WHERE n.source_id = s.id AND n.is_alias = 1),
                        s.created_at
                 FROM source s WHERE s.id > ?1 ORDER BY s.id LIMIT ?2",
                params![after, PAGE],
                |r| {
                    let mut aliases = split_list(r.get(3)?);
                    // In the order of their bytes, whatever the engine's collation.
                    aliases.sort();
                    Ok((
                        r.get(0)?,
                        SourceRecord {
                            name: r.get(1)?,
                            kind: r.get(2)?,
                            aliases,
                            created_at: r.get(4)?,
                        },
                    ))
                },
            )?;
            let Some((last, _)) = page.last() else {
                return Ok(());
            };
            after = *last;
            for (_, source) in page {
                visit(source)?;
            }
        }
    }

    /// The user's entries of the rating map, by key (a few dozen: read at once).
    pub fn dump_ratings(
        &self,
        mut visit: impl FnMut(RatingRecord) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut ratings: Vec<RatingRecord> = self.db().query_map(
            "SELECT key, rating, status, created_at, created_by FROM rating_map",
            params![],
            |r| {
                Ok(RatingRecord {
                    key: r.get(0)?,
                    rating: r.get(1)?,
                    status: r.get(2)?,
                    created_at: r.get(3)?,
                    created_by: r.get(4)?,
                })
            },
        )?;
        // In the order of the keys' bytes, whatever the engine's collation.
        ratings.sort_by(|a, b| a.key.cmp(&b.key));
        for rating in ratings {
            visit(rating)?;
        }
        Ok(())
    }

    /// Every claim, merged duplicates included, in id order, with its stances, evidence items
    /// (removed ones too), reviews and desk row.
    pub fn dump_claims(
        &self,
        mut visit: impl FnMut(ClaimRecord) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut batch = Vec::new();
        self.every_claim_where("TRUE", |claim| {
            batch.push(claim);
            if batch.len() == CLAIM_BATCH {
                self.dump_batch(std::mem::take(&mut batch), &mut visit)?;
            }
            Ok(())
        })?;
        self.dump_batch(batch, &mut visit)
    }

    /// The claims of one batch (in id order) with their parts, read for the whole batch at
    /// once: one query per part instead of one per claim and part, which a server would answer
    /// one round trip at a time.
    fn dump_batch(
        &self,
        claims: Vec<Claim>,
        visit: &mut impl FnMut(ClaimRecord) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let (Some(first), Some(last)) = (claims.first(), claims.last()) else {
            return Ok(());
        };
        let range = [first.id, last.id];
        let mut stances: HashMap<i64, Vec<StanceEntry>> = HashMap::new();
        self.db().query_each(
            "SELECT st.claim_id, s.name, st.stance, st.created_at, st.created_by,
                    st.imported_from
             FROM stance st JOIN source s ON s.id = st.source_id
             WHERE st.claim_id BETWEEN ?1 AND ?2 ORDER BY st.claim_id, st.id",
            params![range[0], range[1]],
            &mut |r| {
                stances.entry(r.get(0)?).or_default().push(StanceEntry {
                    source: r.get(1)?,
                    stance: r.get(2)?,
                    created_at: r.get(3)?,
                    created_by: r.get(4)?,
                    imported_from: r.get(5)?,
                });
                Ok(true)
            },
        )?;
        let mut evidence = self.evidence_between(range[0], range[1])?;
        let mut desks: HashMap<i64, DeskRecord> = HashMap::new();
        self.db().query_each(
            "SELECT claim_id, assignee, archived, archive_note, proposed_status, proposed_by,
                    proposed_note
             FROM claim_desk WHERE claim_id BETWEEN ?1 AND ?2",
            params![range[0], range[1]],
            &mut |r| {
                desks.insert(
                    r.get(0)?,
                    DeskRecord {
                        assignee: r.get(1)?,
                        archived: r.get(2)?,
                        archive_note: r.get(3)?,
                        proposed_status: r.get(4)?,
                        proposed_by: r.get(5)?,
                        proposed_note: r.get(6)?,
                    },
                );
                Ok(true)
            },
        )?;
        // Few claims have reviews: theirs are read claim by claim.
        let reviewed: std::collections::HashSet<i64> = self
            .db()
            .query_map(
                "SELECT DISTINCT claim_id FROM review WHERE claim_id BETWEEN ?1 AND ?2",
                params![range[0], range[1]],
                |r| r.get(0),
            )?
            .into_iter()
            .collect();
        for claim in claims {
            let id = claim.id;
            visit(ClaimRecord {
                claim,
                stances: stances.remove(&id).unwrap_or_default(),
                evidence: evidence.remove(&id).unwrap_or_default(),
                reviews: if reviewed.contains(&id) {
                    self.reviews(id)?
                } else {
                    Vec::new()
                },
                desk: desks.remove(&id),
            })?;
        }
        Ok(())
    }

    /// Every merge, by duplicate.
    pub fn dump_merges(
        &self,
        mut visit: impl FnMut(MergeRecord) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut after = 0_i64;
        loop {
            let page: Vec<MergeRecord> = self.db().query_map(
                "SELECT dup_id, keep_id, merged_at, merged_by, note FROM claim_merge
                 WHERE dup_id > ?1 ORDER BY dup_id LIMIT ?2",
                params![after, PAGE],
                |r| {
                    Ok(MergeRecord {
                        dup_id: r.get(0)?,
                        keep_id: r.get(1)?,
                        merged_at: r.get(2)?,
                        merged_by: r.get(3)?,
                        note: r.get(4)?,
                    })
                },
            )?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            after = last.dup_id;
            for merge in page {
                visit(merge)?;
            }
        }
    }

    /// Every history event with its hash, in the order of the chain.
    pub fn dump_history(
        &self,
        mut visit: impl FnMut(EventRecord) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut after = 0_i64;
        loop {
            let page: Vec<EventRecord> = self.db().query_map(
                "SELECT id, claim_id, at, actor, action, field, old_value, new_value, note, hash
                 FROM history WHERE id > ?1 ORDER BY id LIMIT ?2",
                params![after, PAGE],
                |r| {
                    Ok(EventRecord {
                        event: super::stored_history_event(r)?,
                        hash: r.get(9)?,
                    })
                },
            )?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            after = last.event.id;
            for event in page {
                visit(event)?;
            }
        }
    }

    /// How many evidence files there are.
    pub fn count_files(&self) -> anyhow::Result<u64> {
        let n: i64 = self
            .db()
            .query_row("SELECT count(*) FROM evidence_file", params![], |r| {
                r.get(0)
            })?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Every evidence file by hash: `visit` gets its hash, its size and a function that streams
    /// its content (checked against the hash) into a writer.
    pub fn dump_files(
        &self,
        mut visit: impl FnMut(
            &str,
            u64,
            &mut dyn FnMut(&mut dyn Write) -> anyhow::Result<()>,
        ) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let files: Vec<(i64, String, i64)> = self.db().query_map(
            "SELECT id, sha256, size FROM evidence_file ORDER BY sha256",
            params![],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        for (rowid, sha256, size) in files {
            let conn = self.db();
            let mut stream = |out: &mut dyn Write| -> anyhow::Result<()> {
                let found = stream_blob(conn, rowid, out)?;
                if found != sha256 {
                    return Err(UserError::Refused(format!(
                        "the evidence file {sha256} was changed after it was attached (run \
                         `claimdb audit`); the dump or copy stopped there and was not kept"
                    ))
                    .into());
                }
                Ok(())
            };
            visit(&sha256, u64::try_from(size).unwrap_or(0), &mut stream)?;
        }
        Ok(())
    }

    /// Restores a dump into this database, which must be empty, in one transaction: `run` feeds
    /// the records; any error leaves the database as it was.
    /// With `dry_run`, everything is checked and nothing kept.
    pub fn restore(
        &mut self,
        dry_run: bool,
        run: impl FnOnce(&mut Restorer<'_>) -> anyhow::Result<()>,
    ) -> anyhow::Result<Restored> {
        let path = self.path.display().to_string();
        let tx = self.write()?;
        if !is_empty(&*tx)? {
            return Err(UserError::Refused(format!(
                "{path} is not empty: a dump restores a whole desk, ids and history chain \
                 included, into an empty database only; give a new database with --db (to add \
                 claims to this one, import a CSV export instead)"
            ))
            .into());
        }
        // Items refer to each other across records (evidence to history events and files,
        // merges to claims): where the engine allows, the references are checked once
        // everything is in; elsewhere the evidence items' references are set at the end.
        let deferred_references = tx.defer_foreign_keys()?;
        // What the triggers keep (the search index, the counts for stats) and the indexes a
        // restore never reads are built once at the end, as for a CSV import into an empty
        // database (in a database file; a server keeps them as rows come).
        let deferred = self.backend.defer_for_bulk_load()?;
        let mut restorer = Restorer {
            tx: &*tx,
            sources: HashMap::new(),
            counts: Restored::default(),
            links: (!deferred_references).then(Vec::new),
        };
        run(&mut restorer)?;
        restorer.check_files()?;
        restorer.link_evidence()?;
        let counts = restorer.counts;
        tx.advance_ids(&TABLES_WITH_IDS)?;
        if dry_run {
            // The deferred references are checked now, as a commit would.
            if tx.broken_references()? > 0 {
                return Err(dangling_references().into());
            }
            tx.rollback()?;
            return Ok(counts);
        }
        self.backend.finish_bulk_load(deferred)?;
        tx.commit().map_err(|e| match e.kind() {
            ErrorKind::Constraint => anyhow::Error::new(dangling_references()),
            _ => e.into(),
        })?;
        Ok(counts)
    }

    /// Whether the database holds no desk at all: no claim, source, history event, rating or
    /// evidence file (what a restore or a copy may go into).
    pub fn is_empty(&self) -> anyhow::Result<bool> {
        is_empty(self.db())
    }
}

fn is_empty(conn: &dyn Connection) -> anyhow::Result<bool> {
    let used: i64 = conn.query_row(
        "SELECT (SELECT count(*) FROM claim) + (SELECT count(*) FROM source)
              + (SELECT count(*) FROM history) + (SELECT count(*) FROM rating_map)
              + (SELECT count(*) FROM evidence_file)",
        params![],
        |r| r.get(0),
    )?;
    Ok(used == 0)
}

/// A statement's error, or the message for a reference to a row the dump does not carry when
/// the engine refused it for that (engines that check references as rows come).
fn or_dangling(e: super::sql::Error) -> anyhow::Error {
    match e.kind() {
        ErrorKind::Constraint => anyhow::Error::new(dangling_references()),
        _ => e.into(),
    }
}

fn dangling_references() -> UserError {
    UserError::Refused(
        "the dump refers to claims or history events it does not carry (it was cut short or \
         edited); nothing was written"
            .into(),
    )
}

/// Feeds the records of a dump into the one transaction of a restore.
pub struct Restorer<'t> {
    tx: &'t dyn Connection,
    /// Source ids by folded name and alias.
    sources: HashMap<String, i64>,
    counts: Restored,
    /// Where references are checked as each row is written: each evidence item's file and
    /// history event, set once they are in (evidence id, file hash, event id).
    links: Option<Vec<EvidenceLinks>>,
}

/// An evidence item's id, the hash of its file and the id of the history event that added it.
type EvidenceLinks = (i64, Option<String>, Option<i64>);

impl Restorer<'_> {
    /// Stores one record; `origin` names it in messages.
    pub fn add(&mut self, record: Record, origin: &str) -> anyhow::Result<()> {
        let result = match record {
            Record::Header { .. } => Ok(()),
            Record::Source(source) => self.source(&source),
            Record::Rating(rating) => self.rating(&rating),
            Record::Claim(claim) => self.claim(&claim),
            Record::Merge(merge) => self.merge(&merge),
            Record::Event(event) => self.event(&event),
            Record::File(file) => self.file(&file),
        };
        result.with_context(|| origin.to_owned())
    }

    fn source(&mut self, source: &SourceRecord) -> anyhow::Result<()> {
        let name = model::list_item("a source name", &source.name)?;
        let id: i64 = self.tx.query_row(
            "INSERT INTO source (name, kind, created_at) VALUES (?1, ?2, ?3) RETURNING id",
            params![name, source.kind, source.created_at],
            |r| r.get(0),
        )?;
        let names = std::iter::once((name, false)).chain(
            source
                .aliases
                .iter()
                .map(|a| model::list_item("an alias", a).map(|a| (a, true)))
                .collect::<Result<Vec<_>, _>>()?,
        );
        for (name, is_alias) in names {
            let key = model::source_key(&name);
            if self.sources.insert(key.clone(), id).is_some() {
                return Err(UserError::Refused(format!(
                    "the name {name:?} is given to two sources"
                ))
                .into());
            }
            self.tx.execute(
                "INSERT INTO source_name (key, name, source_id, is_alias) VALUES (?1, ?2, ?3, ?4)",
                params![key, name, id, is_alias],
            )?;
        }
        self.counts.sources += 1;
        Ok(())
    }

    fn source_id(&self, name: &str) -> anyhow::Result<i64> {
        self.sources
            .get(&model::source_key(name))
            .copied()
            .ok_or_else(|| {
                UserError::Refused(format!(
                    "it names the source {name:?}, which is not among the dump's sources"
                ))
                .into()
            })
    }

    fn rating(&mut self, rating: &RatingRecord) -> anyhow::Result<()> {
        model::check_text("a rating", &rating.rating)?;
        self.tx.execute(
            "INSERT INTO rating_map (key, rating, status, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                rating.key,
                rating.rating,
                rating.status,
                rating.created_at,
                rating.created_by
            ],
        )?;
        self.counts.ratings += 1;
        Ok(())
    }

    /// Stores a claim as the dump has it, with its tags, stances, evidence and reviews. The
    /// one place that turns the claim object of a dump into rows: a field added to the claim
    /// model is restored here.
    fn claim(&mut self, record: &ClaimRecord) -> anyhow::Result<()> {
        let claim = &record.claim;
        claim.draft().validate()?;
        let claimant_id = self.source_id(&claim.claimant)?;
        self.tx
            .prepare_cached(
                "INSERT INTO claim (id, uid, text, text_hash, translation, claimant_id, status,
                     location, claim_date, article_url, article_title,
                     note, created_at, created_by, updated_at, updated_by, version)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                     ?17)",
            )?
            .execute(params![
                claim.id,
                claim.uid,
                claim.text,
                super::text_hash(&claim.text),
                claim.translation,
                claimant_id,
                claim.status,
                claim.location,
                claim.claim_date,
                claim.article_url,
                claim.article_title,
                claim.note,
                claim.created_at,
                claim.created_by,
                claim.updated_at,
                claim.updated_by,
                claim.version,
            ])
            .map_err(|e| match e.kind() {
                ErrorKind::Constraint => anyhow::Error::new(UserError::Refused(format!(
                    "claim {} (uid {}) is in the dump twice",
                    claim.id, claim.uid
                ))),
                _ => e.into(),
            })?;
        for tag in &claim.tags {
            self.tx
                .prepare_cached("INSERT INTO claim_tag (claim_id, tag) VALUES (?1, ?2)")?
                .execute(params![claim.id, model::list_item("a tag", tag)?])?;
        }
        for (position, figure) in (1_i64..).zip(&claim.figures) {
            figure.validate()?;
            self.tx
                .prepare_cached(
                    "INSERT INTO figure (claim_id, position, low, high, unit, unit_key, qualifier,
                         words)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![
                    claim.id,
                    position,
                    figure.low,
                    figure.high,
                    figure.unit,
                    figure.unit_key(),
                    figure.qualifier.as_str(),
                    figure.words
                ])?;
        }
        for stance in &record.stances {
            let source_id = self.source_id(&stance.source)?;
            self.tx
                .prepare_cached(
                    "INSERT INTO stance (claim_id, source_id, stance, created_at, created_by,
                         imported_from)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    claim.id,
                    source_id,
                    stance.stance,
                    stance.created_at,
                    stance.created_by,
                    stance.imported_from
                ])?;
        }
        for item in &record.evidence {
            self.evidence(claim.id, item)?;
        }
        for review in &record.reviews {
            let r = &review.review;
            r.validate()?;
            self.tx
                .prepare_cached(
                    "INSERT INTO review (claim_id, publisher, publisher_key, site, url, title,
                         review_date, rating, language, body, created_at, created_by)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )?
                .execute(params![
                    claim.id,
                    r.publisher.trim(),
                    model::source_key(r.publisher.trim()),
                    r.site,
                    r.url,
                    r.title,
                    r.review_date,
                    r.rating,
                    r.language,
                    r.body,
                    review.created_at,
                    review.created_by,
                ])?;
            self.counts.reviews += 1;
        }
        if let Some(desk) = &record.desk {
            self.tx
                .prepare_cached(
                    "INSERT INTO claim_desk (claim_id, assignee, archived, archive_note,
                         proposed_status, proposed_by, proposed_note)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![
                    claim.id,
                    desk.assignee,
                    desk.archived,
                    desk.archive_note,
                    desk.proposed_status,
                    desk.proposed_by,
                    desk.proposed_note,
                ])?;
        }
        self.counts.claims += 1;
        Ok(())
    }

    fn evidence(&mut self, claim_id: i64, item: &Evidence) -> anyhow::Result<()> {
        for url in [&item.url, &item.archived_url].into_iter().flatten() {
            model::check_url(url)?;
        }
        let source_id = item
            .source
            .as_deref()
            .map(|s| self.source_id(s))
            .transpose()?;
        let removed = item.removed.as_ref();
        let file = item.file.as_ref().map(|f| &f.sha256);
        let (file, event) = match &mut self.links {
            Some(links) => {
                if file.is_some() || item.event.is_some() {
                    links.push((item.id, file.cloned(), item.event));
                }
                (None, None)
            }
            None => (file, item.event),
        };
        self.tx
            .prepare_cached(
                "INSERT INTO evidence (id, claim_id, source_id, url, archived_url, quote, note,
                     file_sha256, file_name, captured_at, captured_by, event_id, removed_at,
                     removed_by, removed_note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?
            .execute(params![
                item.id,
                claim_id,
                source_id,
                item.url,
                item.archived_url,
                item.quote,
                item.note,
                file,
                item.file.as_ref().and_then(|f| f.name.as_ref()),
                item.captured_at,
                item.captured_by,
                event,
                removed.map(|r| &r.at),
                removed.map(|r| &r.by),
                removed.map(|r| &r.note),
            ])?;
        self.counts.evidence += 1;
        Ok(())
    }

    fn merge(&mut self, merge: &MergeRecord) -> anyhow::Result<()> {
        self.tx
            .execute(
                "INSERT INTO claim_merge (dup_id, keep_id, merged_at, merged_by, note)
             VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    merge.dup_id,
                    merge.keep_id,
                    merge.merged_at,
                    merge.merged_by,
                    merge.note
                ],
            )
            .map_err(or_dangling)?;
        self.counts.merges += 1;
        Ok(())
    }

    /// Stores a history event exactly as written, its hash included: `audit` then checks the
    /// restored chain as it checked the original.
    fn event(&mut self, record: &EventRecord) -> anyhow::Result<()> {
        let e = &record.event;
        self.tx
            .prepare_cached(
                "INSERT INTO history (id, claim_id, at, actor, action, field, old_value,
                     new_value, note, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                e.id,
                e.claim_id,
                e.at,
                e.actor,
                e.action,
                e.field,
                e.old_value,
                e.new_value,
                e.note,
                record.hash,
            ])
            .map_err(or_dangling)?;
        self.counts.events += 1;
        Ok(())
    }

    /// Streams a file's base64 content into the database, checking it against its hash.
    fn file(&mut self, file: &FileRecord) -> anyhow::Result<()> {
        self.file_from(&file.sha256, file.size, |out| {
            let mut written = 0u64;
            let decoded = decode_base64(&file.content, |piece| {
                written += piece.len() as u64;
                // Past its size, the content is wrong: counted, not stored, and refused below.
                if written <= file.size {
                    out.write_all(piece)?;
                }
                Ok(())
            })?;
            Ok(decoded)
        })
    }

    /// Stores the file of that hash and size with the content `fill` writes (which returns the
    /// number of bytes the content had, or none when it could not be read), checking it
    /// against the hash.
    pub fn file_from(
        &mut self,
        sha256: &str,
        size: u64,
        fill: impl FnOnce(&mut dyn Write) -> anyhow::Result<Option<u64>>,
    ) -> anyhow::Result<()> {
        if file_rowid(self.tx, sha256)?.is_some() {
            return Err(
                UserError::Refused(format!("the file {sha256} is in the dump twice")).into(),
            );
        }
        let mut sink = Hashing {
            out: FileSink::new(self.tx, sha256, size)?,
            hasher: Sha256::new(),
        };
        let given = fill(&mut sink)?;
        let Hashing { out, hasher } = sink;
        let written = out.finish()?;
        if given != Some(size) || written != size || hex::encode(hasher.finalize()) != sha256 {
            return Err(UserError::Refused(format!(
                "the content of file {sha256} is not the file of that SHA-256 and size ({size} \
                 bytes)"
            ))
            .into());
        }
        self.counts.files += 1;
        Ok(())
    }

    /// Every evidence item's file must have come with the dump.
    fn check_files(&self) -> anyhow::Result<()> {
        let mut missing: i64 = self.tx.query_row(
            "SELECT count(*) FROM evidence e WHERE e.file_sha256 IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM evidence_file f WHERE f.sha256 = e.file_sha256)",
            params![],
            |r| r.get(0),
        )?;
        for (_, file, _) in self.links.iter().flatten() {
            if let Some(sha256) = file {
                if file_rowid(self.tx, sha256)?.is_none() {
                    missing += 1;
                }
            }
        }
        if missing > 0 {
            return Err(UserError::Refused(format!(
                "{missing} evidence item(s) name a file by its hash that the dump does not \
                 carry; export the desk again with `--with-files`. Nothing was written"
            ))
            .into());
        }
        Ok(())
    }

    /// Sets the files and history events of the evidence items held back (see `links`), now
    /// that both are in.
    fn link_evidence(&mut self) -> anyhow::Result<()> {
        for (id, file, event) in self.links.take().unwrap_or_default() {
            self.tx
                .prepare_cached(
                    "UPDATE evidence SET file_sha256 = ?2, event_id = ?3 WHERE id = ?1",
                )?
                .execute(params![id, file, event])
                .map_err(or_dangling)?;
        }
        Ok(())
    }
}

/// A writer that hashes what passes through it.
struct Hashing<W> {
    out: W,
    hasher: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
