//! A claimdb database on a PostgreSQL server (team mode), as a [`Backend`].

use crate::error::UserError;
use crate::store::backend::{Backend, SearchIndex};
use crate::store::sql::Connection;

use super::conn::PgConnection;
use super::migrate::check_usable;
use super::{connect, redacted, server_error, VERSION};

/// An open team database.
pub struct Server {
    conn: PgConnection,
    user: String,
}

impl Server {
    /// Connects to the team database at `address`, which `claimdb team init` set up at a
    /// schema version this claimdb knows.
    pub fn open(address: &str) -> anyhow::Result<Server> {
        let shown = redacted(address);
        let mut client = connect(address)?;
        let row = client
            .query_one(
                "SELECT to_regclass('public.claimdb_meta') IS NOT NULL, session_user::text",
                &[],
            )
            .map_err(server_error)?;
        let (has_schema, user): (bool, String) = (row.get(0), row.get(1));
        if !has_schema {
            return Err(UserError::Refused(format!(
                "{shown} has no claimdb team yet: the database's owner runs `claimdb team init \
                 --db {shown}` first"
            ))
            .into());
        }
        let row = client
            .query_one(
                "SELECT major, minor, search_folding FROM public.claimdb_meta",
                &[],
            )
            .map_err(server_error)?;
        // Never upgraded here: that is the owner's `claimdb migrate`.
        check_usable((row.get(0), row.get(1)), VERSION, address)?;
        let folding: Option<i64> = row.get(2);
        // Statements name claimdb's tables unqualified: they live in `public`, whatever the
        // login's own search_path says.
        client
            .batch_execute("SET search_path = public")
            .map_err(server_error)?;
        let conn = PgConnection::new(client);
        if folding.is_some_and(|f| f > crate::fold::VERSION) {
            conn.keep_search_marks();
        }
        Ok(Server { conn, user })
    }
}

impl Backend for Server {
    fn conn(&self) -> &dyn Connection {
        &self.conn
    }

    fn authenticated_user(&self) -> Option<String> {
        Some(self.user.clone())
    }

    fn search_index(&self) -> anyhow::Result<SearchIndex> {
        // The documents are computed as claims are written, by the writer's folding; the one
        // recorded is the one `team init` or the last `claimdb migrate` computed all of them by.
        let conn: &dyn Connection = &self.conn;
        let folding: Option<i64> = conn.query_row(
            "SELECT search_folding FROM claimdb_meta",
            crate::store::sql::params![],
            |r| r.get(0),
        )?;
        Ok(match folding {
            Some(f) if f == crate::fold::VERSION => SearchIndex::Current,
            Some(f) if f > crate::fold::VERSION => SearchIndex::Newer,
            _ => SearchIndex::RebuiltByMigrate,
        })
    }

    fn close(self: Box<Self>) -> anyhow::Result<()> {
        self.conn.close()
    }
}
