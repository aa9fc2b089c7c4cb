//! A claimdb database on a PostgreSQL server (team mode), as a [`Backend`].

use crate::error::UserError;
use crate::store::backend::{Backend, Deferred, SearchIndex};
use crate::store::sql::{params, Connection};

use super::conn::PgConnection;
use super::migrate::check_usable;
use super::{connect, redacted, server_error, VERSION};

/// The indexes an import into a database without claims builds at its end: none the import
/// reads (a claim by uid, by text, its history are looked up as rows come).
const DEFERRED_INDEXES: [&str; 9] = [
    "claim_by_status",
    "claim_by_claimant",
    "figure_by_unit",
    "figure_by_low",
    "claim_tag_by_tag",
    "stance_by_source",
    "stance_by_kind",
    "history_by_time",
    "claim_search_doc",
];

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
        let (major, minor): (i32, i32) = (row.get(0), row.get(1));
        check_usable((major, minor), VERSION, address)?;
        let folding: Option<i64> = row.get(2);
        // Statements name claimdb's tables unqualified: they live in `public`, whatever the
        // login's own search_path says.
        client
            .batch_execute("SET search_path = public")
            .map_err(server_error)?;
        // A database of schema 1.0 works as it did, row by row, until its owner migrates it.
        let conn = PgConnection::new(client, (major, minor) >= (1, 1));
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

    /// Into a database without claims, an import by the tables' owner builds the indexes it
    /// never reads once at the end (a sort, where the search index's GIN would otherwise take
    /// every document word by word). Dropping an index locks its table until the import ends:
    /// in a database that has no claims yet, nobody has anything to read there meanwhile. The
    /// DDL is part of the import's transaction: a failed or dry run leaves them as they were.
    fn defer_for_bulk_load(&self) -> anyhow::Result<Deferred> {
        let conn: &dyn Connection = &self.conn;
        if !conn.loads_in_bulk() {
            return Ok(Deferred::default());
        }
        let owner: bool = conn.query_row("SELECT claimdb_is_owner()", params![], |r| r.get(0))?;
        if !owner {
            return Ok(Deferred::default());
        }
        let names = serde_json::to_string(&DEFERRED_INDEXES)?;
        let indexes: Vec<(String, String)> = conn.query_map(
            "SELECT indexname::text, indexdef FROM pg_indexes
             WHERE schemaname = 'public'
               AND indexname IN (SELECT json_array_elements_text(CAST(CAST(?1 AS TEXT) AS JSON)))
             ORDER BY indexname",
            params![names],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let mut deferred = Deferred::default();
        for (name, definition) in indexes {
            conn.execute_batch(&format!("DROP INDEX {}", super::quote_ident(&name)))?;
            deferred.indexes.push(definition);
        }
        Ok(deferred)
    }

    fn finish_bulk_load(&self, deferred: Deferred) -> anyhow::Result<()> {
        for definition in deferred.indexes {
            self.conn.execute_batch(&definition)?;
        }
        Ok(())
    }

    fn close(self: Box<Self>) -> anyhow::Result<()> {
        self.conn.close()
    }
}
