//! What a storage engine provides beyond running SQL: where it is, and the operations only it
//! can do. The rules in [`super::Store`] reach the database through [`Backend::conn`] only.

use super::sql::{Connection, Result};

/// One database engine behind claimdb.
pub trait Backend {
    /// The connection the rules run their statements on.
    fn conn(&self) -> &dyn Connection;

    /// The user the server authenticated, whom history records for every change (team mode);
    /// `None` for a file, where the user names themselves.
    fn authenticated_user(&self) -> Option<String> {
        None
    }

    /// The embedded file's own connection, for tests of what SQLite does with it.
    #[cfg(test)]
    fn embedded(&self) -> Option<&rusqlite::Connection> {
        None
    }

    /// How long to wait for another writer's lock before giving up.
    fn set_busy_timeout(&mut self, _timeout: std::time::Duration) -> anyhow::Result<()> {
        Ok(())
    }

    /// Whether [`Backend::copy_into`] can write the database into a file.
    fn copies_into_files(&self) -> bool {
        false
    }

    /// Whether the search index was built by this claimdb's folding rules, and if not, what
    /// builds it again.
    fn search_index(&self) -> anyhow::Result<SearchIndex>;

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

    /// Inside an import into a database that holds claims: sets aside keeping the search index
    /// row by row, noting instead which claims the import touches, whose rows
    /// [`Backend::finish_bulk_load`] makes again at the end.
    fn defer_search_for_bulk_load(&self) -> anyhow::Result<Deferred> {
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

/// Whether a database's search index was built by this claimdb's folding rules (src/fold.rs).
/// Searching works either way, but a claim whose words another folding wrote differently may
/// not be found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchIndex {
    /// Built by this claimdb's folding.
    Current,
    /// Built by another folding, in a file opened read-only: opening it with write access
    /// builds it again.
    RebuiltOnWrite,
    /// Built by an older folding, on a shared database: its owner's `claimdb migrate` builds
    /// it again (no other command changes a shared database's schema or index wholesale).
    RebuiltByMigrate,
    /// Built by a newer claimdb's folding, on a shared database.
    Newer,
}

/// What an import set aside, as the statements that make it again.
#[derive(Debug, Default)]
pub struct Deferred {
    pub indexes: Vec<String>,
    pub triggers: Vec<String>,
    /// Only the search index rows of the claims the import touched are to be made again (an
    /// import into a database that holds claims), not the whole index.
    pub search_of_touched: bool,
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

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open {
            // Nothing to report to: the error that ended the transaction early is on its way.
            let _ = self.conn.rollback();
        }
    }
}
