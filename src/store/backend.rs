//! What a storage engine provides beyond running SQL: where it is, and the operations only it
//! can do. The rules in [`super::Store`] reach the database through [`Backend::conn`] only.

use super::sql::{Connection, Params, Result, Row};

/// One database engine behind claimdb.
pub trait Backend {
    /// The connection the rules run their statements on.
    fn conn(&self) -> &dyn Connection;

    /// The user the server authenticated, whom history records for every change (team mode);
    /// `None` for a file, where the user names themselves.
    fn authenticated_user(&self) -> Option<String> {
        None
    }

    /// The embedded file, for the operations not yet written for every engine (search index,
    /// upgrades, backups, evidence files and reviews); `None` on a server.
    fn embedded(&self) -> Option<&rusqlite::Connection> {
        None
    }

    fn embedded_mut(&mut self) -> Option<&mut rusqlite::Connection> {
        None
    }

    /// Before an import: settings that make a load of many rows faster (put back by
    /// [`Backend::end_bulk_load`], whatever the import's outcome).
    fn begin_bulk_load(&self) -> anyhow::Result<()> {
        Ok(())
    }

    fn end_bulk_load(&self) {}

    /// Inside an import into a database without claims: sets aside what is faster built once
    /// at the end (secondary indexes, the triggers that keep counts and the search index), and
    /// returns how to make it again.
    fn defer_for_bulk_load(&self) -> anyhow::Result<Deferred> {
        Ok(Deferred::default())
    }

    /// Builds what [`Backend::defer_for_bulk_load`] set aside, inside the same transaction.
    fn finish_bulk_load(&self, _deferred: Deferred) -> anyhow::Result<()> {
        Ok(())
    }

    /// What the engine's own check finds wrong with the database's storage (at most `limit`
    /// problems); empty when it is sound, or when the engine checks its storage itself.
    fn integrity_problems(&self, _limit: usize) -> Vec<String> {
        Vec::new()
    }

    /// Writes a consistent copy of the whole database into the new file `path`, in one read
    /// transaction, while others go on writing.
    fn copy_into(&self, _path: &str) -> anyhow::Result<()> {
        Err(super::not_in_team_mode())
    }

    /// Closes the connection, reporting what closing it found.
    fn close(self: Box<Self>) -> anyhow::Result<()>;
}

/// What an import into an empty database set aside, as the statements that make it again.
#[derive(Debug, Default)]
pub struct Deferred {
    pub indexes: Vec<String>,
    pub triggers: Vec<String>,
}

/// A transaction in progress: rolled back when dropped without [`Tx::commit`].
pub struct Tx<'c> {
    conn: &'c dyn Connection,
    open: bool,
}

impl<'c> Tx<'c> {
    pub fn begin(conn: &'c dyn Connection, write: bool) -> Result<Self> {
        conn.begin(write)?;
        Ok(Tx { conn, open: true })
    }

    pub fn commit(mut self) -> Result<()> {
        self.open = false;
        self.conn.commit()
    }

    pub fn rollback(mut self) -> Result<()> {
        self.open = false;
        self.conn.rollback()
    }
}

impl<'c> std::ops::Deref for Tx<'c> {
    type Target = dyn Connection + 'c;

    fn deref(&self) -> &Self::Target {
        self.conn
    }
}

/// Statements inside the transaction run on its connection.
impl super::sql::Connection for Tx<'_> {
    fn execute_params(&self, sql: &str, params: Params<'_>) -> Result<usize> {
        self.conn.execute_params(sql, params)
    }

    fn query_each(
        &self,
        sql: &str,
        params: Params<'_>,
        each: &mut dyn FnMut(&Row<'_>) -> Result<bool>,
    ) -> Result<()> {
        self.conn.query_each(sql, params, each)
    }

    fn execute_batch(&self, sql: &str) -> Result<()> {
        self.conn.execute_batch(sql)
    }

    fn begin(&self, write: bool) -> Result<()> {
        self.conn.begin(write)
    }

    fn commit(&self) -> Result<()> {
        self.conn.commit()
    }

    fn rollback(&self) -> Result<()> {
        self.conn.rollback()
    }

    fn embedded(&self) -> Option<&rusqlite::Connection> {
        self.conn.embedded()
    }

    fn json_ids(&self) -> &'static str {
        self.conn.json_ids()
    }

    fn chain_head_sql(&self) -> &'static str {
        self.conn.chain_head_sql()
    }

    fn search_syntax(&self) -> super::sql::SearchSyntax {
        self.conn.search_syntax()
    }

    fn begin_snapshot(&self) -> Result<()> {
        self.conn.begin_snapshot()
    }

    fn defer_foreign_keys(&self) -> Result<bool> {
        self.conn.defer_foreign_keys()
    }

    fn broken_references(&self) -> Result<u64> {
        self.conn.broken_references()
    }

    fn advance_ids(&self, tables: &[&str]) -> Result<()> {
        self.conn.advance_ids(tables)
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open {
            // Nothing to report to: the error that ended the transaction early is on its way.
            let _ = self.conn.rollback();
        }
    }
}
