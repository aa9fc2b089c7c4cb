//! The SQLite file's search index (FTS5): the folding functions its triggers call, and building
//! the index in full (a new or upgraded database, or one built by another folding).

use std::io::{IsTerminal, Write};

use rusqlite::functions::FunctionFlags;
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection};

use crate::fold;

/// Claims are indexed in batches this large when the index is built for an existing database,
/// with progress shown on stderr after each batch once there are more than one.
const REBUILD_BATCH: i64 = 50_000;

/// Makes `claimdb_fold(text)` and `claimdb_layer(n, texts…)` available to SQL on `conn`: the
/// index and its triggers call them.
pub fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "claimdb_fold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            Ok(match ctx.get_raw(0) {
                ValueRef::Text(bytes) => Some(fold::fold(&String::from_utf8_lossy(bytes))),
                _ => None,
            })
        },
    )?;
    // claimdb_layer(n, texts…): layer n (0 bare forms, 1 stems, 2 name keys) of the texts. The
    // index asks for the three layers of the same texts one after the other, so the last
    // texts' layers are kept and the words are folded once per claim, not three times.
    conn.create_scalar_function(
        "claimdb_layer",
        -1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            use std::cell::RefCell;
            thread_local! {
                static LAST: RefCell<(Vec<String>, [String; 3])> = RefCell::default();
            }
            let layer: usize = ctx.get::<i64>(0)?.clamp(0, 2) as usize;
            let texts: Vec<String> = (1..ctx.len())
                .filter_map(|i| match ctx.get_raw(i) {
                    ValueRef::Text(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
                    _ => None,
                })
                .collect();
            Ok(LAST.with(|last| {
                let mut last = last.borrow_mut();
                if last.0 != texts {
                    let layers = fold::layers(texts.iter().map(String::as_str));
                    *last = (texts, layers);
                }
                last.1[layer].clone()
            }))
        },
    )
}

/// Whether the search index was built by this version of the folding.
pub(crate) fn is_current(conn: &Connection) -> rusqlite::Result<bool> {
    use rusqlite::OptionalExtension;
    let stored: Option<i64> = conn
        .query_row("SELECT version FROM search_folding", [], |r| r.get(0))
        .optional()?;
    Ok(stored == Some(fold::VERSION))
}

/// Rebuilds the search index when another version of the folding built it (or none did: a new
/// or upgraded database), and records this version; inside the caller's transaction.
pub(crate) fn ensure_current(conn: &Connection) -> anyhow::Result<()> {
    if is_current(conn)? {
        return Ok(());
    }
    conn.execute(
        "INSERT INTO claim_search (claim_search) VALUES ('delete-all')",
        [],
    )?;
    rebuild_index(conn, true)?;
    conn.execute("DELETE FROM search_folding", [])?;
    conn.execute(
        "INSERT INTO search_folding (version) VALUES (?1)",
        [fold::VERSION],
    )?;
    Ok(())
}

/// Fills the (empty) search index with every visible claim.
///
/// Claims are read in id order a batch at a time, each batch starting after the last id seen, so
/// the work follows the number of claims and never the range of their ids (a claim with id
/// 2^53 among three others is four rows, not 2^53 / batch steps).
///
/// The folding runs on a second thread, a batch behind the reads and ahead of the writes: while
/// the index takes one batch's words, the next batch is folded. Batches are small, so memory
/// stays flat however many claims there are.
pub(crate) fn rebuild_index(conn: &Connection, report: bool) -> anyhow::Result<()> {
    rebuild_index_of(conn, Claims::All, report)
}

/// Which claims an index build is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Claims {
    /// Every visible claim.
    All,
    /// The visible claims an import touched (noted in the temporary table `claimdb_touched`),
    /// whose rows were removed from the index.
    Touched,
}

/// [`rebuild_index`] of `claims`.
pub(crate) fn rebuild_index_of(
    conn: &Connection,
    claims: Claims,
    report: bool,
) -> anyhow::Result<()> {
    let (count, only) = match claims {
        Claims::All => ("SELECT count(*) FROM claim", ""),
        Claims::Touched => (
            "SELECT count(*) FROM claimdb_touched",
            "AND id IN (SELECT id FROM claimdb_touched)",
        ),
    };
    let total: i64 = conn.query_row(count, [], |r| r.get(0))?;
    let show_progress = report && total > REBUILD_BATCH;
    let mut select = conn.prepare(&format!(
        "SELECT id, text, translation, note, sources, location FROM claim_search_text
         WHERE id > ?1 {only} ORDER BY id LIMIT ?2"
    ))?;
    let mut insert = conn.prepare(
        "INSERT INTO claim_search (rowid, text, translation, note, sources, location, bare, stems,
                                   names)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut read = |after: i64| -> rusqlite::Result<Vec<Fields>> {
        select
            .query_map(params![after, PIPELINE_BATCH], |r| {
                Ok((
                    r.get(0)?,
                    [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?],
                ))
            })?
            .collect()
    };
    let mut write = |batch: Vec<Folded>| -> rusqlite::Result<usize> {
        let n = batch.len();
        for (id, [text, translation, note, sources, location, bare, stems, names]) in batch {
            insert.execute(params![
                id,
                text,
                translation,
                note,
                sources,
                location,
                bare,
                stems,
                names
            ])?;
        }
        Ok(n)
    };
    if total <= PIPELINE_BATCH {
        // A few claims (a restore, an import of a handful): folded here, without a thread
        // and the memory it reserves.
        let mut after = i64::MIN;
        loop {
            let batch = read(after)?;
            let last = batch.len() < PIPELINE_BATCH as usize;
            if let Some((id, _)) = batch.last() {
                after = *id;
            }
            write(batch.into_iter().map(fold_row).collect())?;
            if last {
                return Ok(());
            }
        }
    }
    // Batches on their way to the folding and back: enough to keep both threads busy.
    const IN_FLIGHT: usize = 2;
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let (to_fold, folding) = std::sync::mpsc::sync_channel::<Vec<Fields>>(IN_FLIGHT);
        let (to_write, folded) = std::sync::mpsc::sync_channel::<Vec<Folded>>(IN_FLIGHT);
        scope.spawn(move || {
            for batch in folding {
                if to_write
                    .send(batch.into_iter().map(fold_row).collect())
                    .is_err()
                {
                    return;
                }
            }
        });
        let lost = || anyhow::anyhow!("the search index build stopped half-way");
        let (mut done, mut reported, mut sent) = (0_i64, 0_i64, 0_usize);
        let mut after = i64::MIN;
        loop {
            let batch = read(after)?;
            let last = batch.len() < PIPELINE_BATCH as usize;
            if let Some((id, _)) = batch.last() {
                after = *id;
                to_fold.send(batch).map_err(|_| lost())?;
                sent += 1;
            }
            while sent > 0 && (sent >= IN_FLIGHT || last) {
                let n = write(folded.recv().map_err(|_| lost())?)?;
                done += i64::try_from(n).unwrap_or(i64::MAX);
                sent -= 1;
                if show_progress && (done - reported >= REBUILD_BATCH || (last && sent == 0)) {
                    progress(done, total, last && sent == 0);
                    reported = done;
                }
            }
            if last {
                return Ok(());
            }
        }
    })
}

/// Claims folded for the index one batch at a time by the second thread.
const PIPELINE_BATCH: i64 = 1_000;

/// A claim's id and its searched fields as stored: text, translation, note, sources, location.
type Fields = (i64, [Option<String>; 5]);

/// A claim's id and its index row: the five fields folded, then the three weaker layers.
type Folded = (i64, [Option<String>; 8]);

/// The index row of a claim: the same as `claim_search_row`, with each field folded once for
/// both its exact words and the weaker layers.
fn fold_row((id, fields): Fields) -> Folded {
    let fields = fields.map(|f| f.map(|t| fold::fold(&t)));
    let [bare, stems, names] = fold::layers_of_folded(fields.iter().flatten().map(String::as_str));
    let [text, translation, note, sources, location] = fields;
    (
        id,
        [
            text,
            translation,
            note,
            sources,
            location,
            Some(bare),
            Some(stems),
            Some(names),
        ],
    )
}

/// Progress of a long index build, on stderr (a line that rewrites itself on a terminal).
fn progress(done: i64, total: i64, last: bool) {
    let mut err = std::io::stderr().lock();
    let line = format!("building the search index: {done} of {total} claims");
    let _ = if err.is_terminal() {
        write!(err, "\r{line}{}", if last { "\n" } else { "" })
    } else {
        writeln!(err, "{line}")
    };
}
