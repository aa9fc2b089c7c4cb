//! A claimdb database on a PostgreSQL server (team mode), as a [`Backend`].

use crate::error::UserError;
use crate::store::backend::Backend;
use crate::store::sql::Connection;

use super::conn::PgConnection;
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
            .query_one("SELECT major, minor FROM public.claimdb_meta", &[])
            .map_err(server_error)?;
        let (major, minor): (i32, i32) = (row.get(0), row.get(1));
        if major != VERSION.0 {
            return Err(UserError::Refused(format!(
                "{shown} has claimdb's schema version {major}.{minor}, and this claimdb knows \
                 version {}.{}: {}; nothing was changed",
                VERSION.0,
                VERSION.1,
                if major > VERSION.0 {
                    "it was made by a newer claimdb, so use that one"
                } else {
                    "its owner upgrades it with `claimdb migrate`"
                }
            ))
            .into());
        }
        // Statements name claimdb's tables unqualified: they live in `public`, whatever the
        // login's own search_path says.
        client
            .batch_execute("SET search_path = public")
            .map_err(server_error)?;
        Ok(Server {
            // A database of schema 1.0 works as it did, row by row, until its owner runs `team init`.
            conn: PgConnection::new(client, (major, minor) >= (1, 1)),
            user,
        })
    }
}

impl Backend for Server {
    fn conn(&self) -> &dyn Connection {
        &self.conn
    }

    fn authenticated_user(&self) -> Option<String> {
        Some(self.user.clone())
    }

    fn search_index_is_current(&self) -> anyhow::Result<bool> {
        // The documents are computed as claims are written, by the folding the schema records.
        let conn: &dyn Connection = &self.conn;
        let folding: Option<i64> = conn.query_row(
            "SELECT search_folding FROM claimdb_meta",
            crate::store::sql::params![],
            |r| r.get(0),
        )?;
        Ok(folding == Some(crate::fold::VERSION))
    }

    fn close(self: Box<Self>) -> anyhow::Result<()> {
        self.conn.close()
    }
}
