//! A desk's list of sources brought in at once (`claimdb source import`): new sources created,
//! stored ones given the kinds and aliases the file names, all in one transaction.

use std::collections::HashMap;

use super::sql::params;
use super::{find_source, insert_alias, insert_source, retrying, Store};
use crate::claim_csv::Problem;
use crate::error::{InvalidValue, UserError};
use crate::model::SourceKind;
use crate::source_csv::SourceRow;

/// What a sources import did (or, on a dry run, would do).
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize)]
pub struct SourcesImported {
    /// Sources the file created.
    pub added: u64,
    /// Stored sources that got a new kind or a new alias.
    pub changed: u64,
    /// Stored sources the file named as they were.
    pub unchanged: u64,
    /// The file's problems with what is stored (an alias that names another source); when
    /// there is one, nothing was written.
    #[serde(skip)]
    pub problems: Vec<Problem>,
}

impl Store {
    /// Creates each source of `rows` that does not exist, and gives each the kind (when the row
    /// names one) and the aliases the row names. A row whose alias already names another source
    /// is a problem; with any problem, or on a dry run, nothing is written.
    pub fn import_sources(
        &mut self,
        rows: &[SourceRow],
        dry_run: bool,
    ) -> anyhow::Result<SourcesImported> {
        retrying(|| {
            let tx = self.write()?;
            // Per source, not per row: a source the file names twice is counted once.
            let mut outcomes: HashMap<i64, Outcome> = HashMap::new();
            let mut problems = Vec::new();
            for row in rows {
                let applied = (|| -> anyhow::Result<(i64, Outcome)> {
                    let Some((id, _)) = find_source(&*tx, &row.name)? else {
                        let kind = row.kind.unwrap_or(SourceKind::Other);
                        let id = insert_source(&*tx, &row.name, kind)?;
                        for alias in &row.aliases {
                            insert_alias(&*tx, id, alias)?;
                        }
                        return Ok((id, Outcome::Added));
                    };
                    let kind: SourceKind =
                        tx.query_row("SELECT kind FROM source WHERE id = ?1", params![id], |r| {
                            r.get(0)
                        })?;
                    let mut changed = false;
                    if let Some(new_kind) = row.kind.filter(|k| *k != kind) {
                        tx.execute(
                            "UPDATE source SET kind = ?1 WHERE id = ?2",
                            params![new_kind, id],
                        )?;
                        changed = true;
                    }
                    for alias in &row.aliases {
                        changed |= insert_alias(&*tx, id, alias)?;
                    }
                    Ok((
                        id,
                        if changed {
                            Outcome::Changed
                        } else {
                            Outcome::Unchanged
                        },
                    ))
                })();
                match applied {
                    Ok((id, outcome)) => {
                        let seen = outcomes.entry(id).or_insert(outcome);
                        *seen = (*seen).max(outcome);
                    }
                    Err(e)
                        if e.downcast_ref::<UserError>().is_some()
                            || e.downcast_ref::<InvalidValue>().is_some() =>
                    {
                        problems.push(Problem {
                            line: row.line,
                            column: None,
                            message: format!("{e:#}"),
                        });
                    }
                    Err(e) => return Err(e),
                }
            }
            if dry_run || !problems.is_empty() {
                tx.rollback()?;
            } else {
                tx.commit()?;
            }
            let count = |which: Outcome| outcomes.values().filter(|o| **o == which).count() as u64;
            Ok(SourcesImported {
                added: count(Outcome::Added),
                changed: count(Outcome::Changed),
                unchanged: count(Outcome::Unchanged),
                problems,
            })
        })
    }
}

/// What the file did to one source, in the order a source named twice keeps the strongest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Unchanged,
    Changed,
    Added,
}
