//! The embedded backend: one SQLite file.

use rusqlite::types::{ToSqlOutput, ValueRef as SqliteValue};

use super::sql::{self, Connection, ErrorKind, Row, RowSource, ValueRef};

/// A claimdb database in an SQLite file (or in memory, for tests).
pub struct Sqlite {
    pub(crate) conn: rusqlite::Connection,
}

/// The parameters of a statement as SQLite binds them: borrowed, never copied.
struct Bind<'a>(ValueRef<'a>);

impl rusqlite::ToSql for Bind<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self.0 {
            ValueRef::Null => SqliteValue::Null,
            ValueRef::Integer(i) => SqliteValue::Integer(i),
            ValueRef::Real(f) => SqliteValue::Real(f),
            ValueRef::Text(t) => SqliteValue::Text(t.as_bytes()),
            ValueRef::Blob(b) => SqliteValue::Blob(b),
        }))
    }
}

fn bind<'a>(params: sql::Params<'a>) -> impl Iterator<Item = Bind<'a>> {
    params.iter().map(|p| Bind(p.to_sql()))
}

/// An SQLite error as the rules see it.
pub(crate) fn error(e: rusqlite::Error) -> sql::Error {
    let kind = match &e {
        rusqlite::Error::QueryReturnedNoRows => ErrorKind::NoRows,
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::InvalidColumnType(..)
        | rusqlite::Error::IntegralValueOutOfRange(..)
        | rusqlite::Error::Utf8Error(..) => ErrorKind::Conversion,
        _ => match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                ErrorKind::Busy
            }
            Some(rusqlite::ErrorCode::ConstraintViolation) => ErrorKind::Constraint,
            Some(rusqlite::ErrorCode::PermissionDenied | rusqlite::ErrorCode::ReadOnly) => {
                ErrorKind::Permission
            }
            _ => ErrorKind::Other,
        },
    };
    sql::Error::new(kind, e)
}

struct SqliteRow<'r, 's>(&'r rusqlite::Row<'s>);

impl RowSource for SqliteRow<'_, '_> {
    fn value(&self, index: usize) -> sql::Result<ValueRef<'_>> {
        Ok(match self.0.get_ref(index).map_err(error)? {
            SqliteValue::Null => ValueRef::Null,
            SqliteValue::Integer(i) => ValueRef::Integer(i),
            SqliteValue::Real(f) => ValueRef::Real(f),
            SqliteValue::Text(t) => ValueRef::Text(std::str::from_utf8(t).map_err(|e| {
                sql::Error::new(ErrorKind::Conversion, format!("column {index}: {e}"))
            })?),
            SqliteValue::Blob(b) => ValueRef::Blob(b),
        })
    }
}

impl Connection for rusqlite::Connection {
    fn execute_params(&self, sql: &str, params: sql::Params<'_>) -> sql::Result<usize> {
        let mut stmt = self.prepare_cached(sql).map_err(error)?;
        stmt.execute(rusqlite::params_from_iter(bind(params)))
            .map_err(error)
    }

    fn query_each(
        &self,
        sql: &str,
        params: sql::Params<'_>,
        each: &mut dyn FnMut(&Row<'_>) -> sql::Result<bool>,
    ) -> sql::Result<()> {
        let mut stmt = self.prepare_cached(sql).map_err(error)?;
        let mut rows = stmt
            .query(rusqlite::params_from_iter(bind(params)))
            .map_err(error)?;
        while let Some(row) = rows.next().map_err(error)? {
            if !each(&Row(&SqliteRow(row)))? {
                break;
            }
        }
        Ok(())
    }

    fn execute_batch(&self, sql: &str) -> sql::Result<()> {
        rusqlite::Connection::execute_batch(self, sql).map_err(error)
    }

    fn begin(&self, write: bool) -> sql::Result<()> {
        // IMMEDIATE takes the write lock up front, so two writers queue on the busy timeout
        // instead of one failing half-way when it upgrades a read lock.
        Connection::execute_batch(self, if write { "BEGIN IMMEDIATE" } else { "BEGIN" })
    }

    fn commit(&self) -> sql::Result<()> {
        Connection::execute_batch(self, "COMMIT")
    }

    fn rollback(&self) -> sql::Result<()> {
        Connection::execute_batch(self, "ROLLBACK")
    }

    fn embedded(&self) -> Option<&rusqlite::Connection> {
        Some(self)
    }

    fn begin_snapshot(&self) -> sql::Result<()> {
        Connection::execute_batch(self, "BEGIN DEFERRED")?;
        // A deferred transaction takes its snapshot at its first read: take it now.
        self.query_each("SELECT 1 FROM history LIMIT 1", &[], &mut |_| Ok(false))
    }

    fn defer_foreign_keys(&self) -> sql::Result<bool> {
        self.pragma_update(None, "defer_foreign_keys", true)
            .map_err(error)?;
        Ok(true)
    }

    fn broken_references(&self) -> sql::Result<u64> {
        let mut count = 0;
        self.query_each(
            "SELECT count(*) FROM pragma_foreign_key_check",
            &[],
            &mut |r| {
                count = r.get(0)?;
                Ok(false)
            },
        )?;
        Ok(count)
    }
}

impl super::backend::Backend for Sqlite {
    fn conn(&self) -> &dyn Connection {
        &self.conn
    }

    fn embedded(&self) -> Option<&rusqlite::Connection> {
        Some(&self.conn)
    }

    fn embedded_mut(&mut self) -> Option<&mut rusqlite::Connection> {
        Some(&mut self.conn)
    }

    fn close(self: Box<Self>) -> anyhow::Result<()> {
        self.conn.close().map_err(|(_, e)| e)?;
        Ok(())
    }
}
