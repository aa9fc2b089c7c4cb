//! The connection to a PostgreSQL server, as the rules see it: statements prepared once per
//! connection, values converted to and from the server's types, `?N` placeholders as `$N`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error as StdError;

use bytes::BytesMut;
use postgres::error::SqlState;
use postgres::types::{IsNull, ToSql, Type};

use crate::store::sql::{self, Connection, ErrorKind, Row, RowSource, ValueRef};

/// A connection to a claimdb database on a PostgreSQL server.
pub struct PgConnection {
    client: RefCell<postgres::Client>,
    statements: RefCell<HashMap<String, postgres::Statement>>,
    /// Whether the transaction in progress writes (its search documents are refreshed at the
    /// commit).
    writing: std::cell::Cell<bool>,
    /// Whether the documents this connection computes must be computed again by a claimdb
    /// with the database's (newer) folding: see [`super::search::refresh`].
    keep_marks: std::cell::Cell<bool>,
    /// Whether the schema counts a statement's new rows as one set (version 1.1), which loading
    /// rows in bulk needs: the row triggers of 1.0 take a time in the square of their number.
    bulk: bool,
    /// Which tables have row-level security (see [`PgConnection::has_row_security`]).
    row_security: RefCell<HashMap<String, bool>>,
}

impl PgConnection {
    pub fn new(client: postgres::Client, bulk: bool) -> Self {
        PgConnection {
            client: RefCell::new(client),
            statements: RefCell::new(HashMap::new()),
            writing: std::cell::Cell::new(false),
            keep_marks: std::cell::Cell::new(false),
            bulk,
            row_security: RefCell::new(HashMap::new()),
        }
    }

    /// Says that the database's search documents were made by a newer folding than this
    /// claimdb's: the claims it writes stay marked for one with that folding to compute again.
    pub fn keep_search_marks(&self) {
        self.keep_marks.set(true);
    }

    /// Ends the session.
    pub fn close(self) -> anyhow::Result<()> {
        self.client.into_inner().close().map_err(error)?;
        Ok(())
    }

    /// Whether row-level security applies to this user's rows of `table`: COPY does not apply it
    /// (and so refuses); the tables' owner is not bound by it.
    fn has_row_security(&self, table: &str) -> sql::Result<bool> {
        if let Some(known) = self.row_security.borrow().get(table) {
            return Ok(*known);
        }
        let row = self
            .client
            .borrow_mut()
            .query_one("SELECT row_security_active(CAST($1 AS TEXT))", &[&table])
            .map_err(error)?;
        let known: bool = row.get(0);
        self.row_security
            .borrow_mut()
            .insert(table.to_owned(), known);
        Ok(known)
    }

    /// Writes rows in one INSERT per few thousand, their values as one JSON array: for a table
    /// whose row-level security COPY would not apply.
    fn insert_as_set(&self, table: &str, columns: &[&str], rows: &[sql::Value]) -> sql::Result<()> {
        let listed = columns.join(", ");
        let sql = format!(
            "INSERT INTO {table} ({listed}) SELECT {listed} \
             FROM json_populate_recordset(NULL::{table}, CAST(CAST($1 AS TEXT) AS JSON))"
        );
        let statement = self.prepared(&sql)?;
        for chunk in rows.chunks(columns.len() * 5_000) {
            let objects: Vec<serde_json::Value> = chunk
                .chunks(columns.len())
                .map(|row| {
                    let fields = columns.iter().zip(row).map(|(column, value)| {
                        let value = match value {
                            sql::Value::Null => serde_json::Value::Null,
                            sql::Value::Integer(i) => (*i).into(),
                            sql::Value::Real(f) => (*f).into(),
                            sql::Value::Text(t) => t.clone().into(),
                            sql::Value::Blob(b) => format!("\\x{}", hex::encode(b)).into(),
                        };
                        ((*column).to_owned(), value)
                    });
                    serde_json::Value::Object(fields.collect())
                })
                .collect();
            let json = serde_json::Value::Array(objects).to_string();
            self.client
                .borrow_mut()
                .execute(&statement, &[&json])
                .map_err(error)?;
        }
        Ok(())
    }

    fn prepared(&self, sql: &str) -> sql::Result<postgres::Statement> {
        if let Some(statement) = self.statements.borrow().get(sql) {
            return Ok(statement.clone());
        }
        let statement = self
            .client
            .borrow_mut()
            .prepare(&translate(sql))
            .map_err(error)?;
        self.statements
            .borrow_mut()
            .insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}

/// The statement as PostgreSQL writes it: `?N` becomes `$N` (a bare `?` the next number), and
/// SQLite's planner hints (a unary `+` before a column, `CROSS JOIN … ON` to fix the order of a
/// join) are dropped; SQLite's `IS ?N` and `IS NOT ?N`, which compare NULL as a value, become
/// `IS NOT DISTINCT FROM $N` and `IS DISTINCT FROM $N`. Quoted text is left alone.
pub fn translate(sql: &str) -> String {
    let sql = sql.replace("CROSS JOIN", "JOIN");
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut next = 1;
    let mut quoted = false;
    let mut previous = ' ';
    while let Some(c) = chars.next() {
        if quoted {
            out.push(c);
            if c == '\'' {
                quoted = false;
            }
            previous = c;
            continue;
        }
        match c {
            '\'' => {
                quoted = true;
                out.push(c);
            }
            '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                    digits.push(d);
                    chars.next();
                }
                let number = if digits.is_empty() {
                    next
                } else {
                    digits.parse().unwrap_or(next)
                };
                next = next.max(number + 1);
                // SQLite's `IS` and `IS NOT` compare a value with NULL as with any other.
                if out.ends_with(" IS NOT ") {
                    out.truncate(out.len() - "NOT ".len());
                    out.push_str("DISTINCT FROM ");
                } else if out.ends_with(" IS ") {
                    out.push_str("NOT DISTINCT FROM ");
                }
                out.push('$');
                out.push_str(&number.to_string());
            }
            '+' if matches!(previous, ' ' | '(' | ',' | '\n' | '=')
                && chars
                    .peek()
                    .is_some_and(|n| n.is_ascii_alphabetic() || *n == '_') =>
            {
                // A unary plus on a column: SQLite's hint not to use an index.
            }
            _ => out.push(c),
        }
        previous = c;
    }
    out
}

/// A server error as the rules see it.
pub fn error(e: postgres::Error) -> sql::Error {
    let kind = match e.code() {
        Some(code)
            if *code == SqlState::T_R_SERIALIZATION_FAILURE
                || *code == SqlState::T_R_DEADLOCK_DETECTED =>
        {
            ErrorKind::Retry
        }
        Some(code) if *code == SqlState::INSUFFICIENT_PRIVILEGE => ErrorKind::Permission,
        Some(code) if *code == SqlState::LOCK_NOT_AVAILABLE => ErrorKind::Busy,
        Some(code) if code.code().starts_with("23") => ErrorKind::Constraint,
        _ => ErrorKind::Other,
    };
    // The server's own message (with its detail and hint) says what happened; the client's
    // wrapper adds only "db error:".
    match e.as_db_error() {
        Some(db) => {
            let mut message = db.message().to_owned();
            if let Some(detail) = db.detail() {
                message.push_str(&format!(" ({detail})"));
            }
            sql::Error::new(kind, message)
        }
        None => sql::Error::new(kind, e),
    }
}

/// A value bound to a statement, converted to the type the server expects there.
#[derive(Debug)]
struct Param<'a>(ValueRef<'a>);

impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match self.0 {
            ValueRef::Null => Ok(IsNull::Yes),
            ValueRef::Integer(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
                Type::BOOL => (i != 0).to_sql(ty, out),
                Type::FLOAT8 => (i as f64).to_sql(ty, out),
                Type::FLOAT4 => (i as f32).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
                    i.to_string().as_str().to_sql(ty, out)
                }
                _ => Err(format!("an integer cannot be stored as {ty}").into()),
            },
            ValueRef::Real(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                Type::FLOAT4 => (f as f32).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => f.to_string().as_str().to_sql(ty, out),
                _ => Err(format!("a real number cannot be stored as {ty}").into()),
            },
            ValueRef::Text(t) => match *ty {
                Type::BYTEA => t.as_bytes().to_sql(ty, out),
                _ => t.to_sql(&Type::TEXT, out),
            },
            ValueRef::Blob(b) => b.to_sql(&Type::BYTEA, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// A statement's parameters as the server takes them.
fn bind<'a>(params: sql::Params<'a>) -> Vec<Param<'a>> {
    params.iter().map(|p| Param(p.to_sql())).collect()
}

fn refs<'a>(bound: &'a [Param<'_>]) -> Vec<&'a (dyn ToSql + Sync)> {
    bound.iter().map(|p| p as _).collect()
}

struct PgRow<'r>(&'r postgres::Row);

impl RowSource for PgRow<'_> {
    fn value(&self, index: usize) -> sql::Result<ValueRef<'_>> {
        let row = self.0;
        let column = row
            .columns()
            .get(index)
            .ok_or_else(|| sql::Error::conversion(format!("the query has no column {index}")))?;
        let get_error = |e: postgres::Error| sql::Error::new(ErrorKind::Conversion, e);
        let value = match *column.type_() {
            Type::INT8 => row
                .try_get::<_, Option<i64>>(index)
                .map_err(get_error)?
                .map(ValueRef::Integer),
            Type::INT4 => row
                .try_get::<_, Option<i32>>(index)
                .map_err(get_error)?
                .map(|i| ValueRef::Integer(i64::from(i))),
            Type::INT2 => row
                .try_get::<_, Option<i16>>(index)
                .map_err(get_error)?
                .map(|i| ValueRef::Integer(i64::from(i))),
            Type::BOOL => row
                .try_get::<_, Option<bool>>(index)
                .map_err(get_error)?
                .map(|b| ValueRef::Integer(i64::from(b))),
            Type::FLOAT8 => row
                .try_get::<_, Option<f64>>(index)
                .map_err(get_error)?
                .map(ValueRef::Real),
            Type::FLOAT4 => row
                .try_get::<_, Option<f32>>(index)
                .map_err(get_error)?
                .map(|f| ValueRef::Real(f64::from(f))),
            Type::BYTEA => row
                .try_get::<_, Option<&[u8]>>(index)
                .map_err(get_error)?
                .map(ValueRef::Blob),
            _ => row
                .try_get::<_, Option<&str>>(index)
                .map_err(get_error)?
                .map(ValueRef::Text),
        };
        Ok(value.unwrap_or(ValueRef::Null))
    }
}

impl Connection for PgConnection {
    fn execute_params(&self, sql: &str, params: sql::Params<'_>) -> sql::Result<usize> {
        let statement = self.prepared(sql)?;
        let bound = bind(params);
        let refs = refs(&bound);
        let changed = self
            .client
            .borrow_mut()
            .execute(&statement, &refs)
            .map_err(error)?;
        Ok(usize::try_from(changed).unwrap_or(usize::MAX))
    }

    fn query_each(
        &self,
        sql: &str,
        params: sql::Params<'_>,
        each: &mut dyn FnMut(&Row<'_>) -> sql::Result<bool>,
    ) -> sql::Result<()> {
        let statement = self.prepared(sql)?;
        let bound = bind(params);
        let refs = refs(&bound);
        // Read in full before the rows are handed on, so that `each` may run statements of its
        // own on this connection.
        let rows = self
            .client
            .borrow_mut()
            .query(&statement, &refs)
            .map_err(error)?;
        for row in &rows {
            if !each(&Row(&PgRow(row)))? {
                break;
            }
        }
        Ok(())
    }

    fn execute_batch(&self, sql: &str) -> sql::Result<()> {
        self.client.borrow_mut().batch_execute(sql).map_err(error)
    }

    fn begin(&self, write: bool) -> sql::Result<()> {
        self.writing.set(write);
        self.execute_batch("BEGIN ISOLATION LEVEL READ COMMITTED")
    }

    fn commit(&self) -> sql::Result<()> {
        // The search documents of what a write changed go in with it.
        if self.writing.replace(false) {
            if let Err(e) = super::search::refresh(self, self.keep_marks.get()) {
                let _ = self.execute_batch("ROLLBACK");
                return Err(e);
            }
        }
        self.execute_batch("COMMIT")
    }

    fn rollback(&self) -> sql::Result<()> {
        self.writing.set(false);
        self.execute_batch("ROLLBACK")
    }

    fn chain_head_sql(&self) -> &'static str {
        // Writers run side by side until they append to history; the head row makes them take
        // turns from there to their commit, so the chain stays one sequence.
        "SELECT last_id, last_hash FROM history_head FOR UPDATE"
    }

    fn search_syntax(&self) -> sql::SearchSyntax {
        sql::SearchSyntax::TsQuery
    }

    fn writers_run_side_by_side(&self) -> bool {
        true
    }

    fn json_ids(&self) -> &'static str {
        "SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST(CAST(? AS TEXT) AS JSON))"
    }

    fn begin_snapshot(&self) -> sql::Result<()> {
        self.writing.set(false);
        // READ COMMITTED would see each statement's own moment; a dump needs one for all.
        self.execute_batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    }

    // The foreign keys of the team schema are not DEFERRABLE: each row's are checked as it is
    // written (the default answer, false).

    fn loads_in_bulk(&self) -> bool {
        self.bulk
    }

    fn copy_in(&self, table: &str, columns: &[&str], rows: &[sql::Value]) -> sql::Result<()> {
        if columns.is_empty() || rows.is_empty() {
            return Ok(());
        }
        if self.has_row_security(table)? {
            return self.insert_as_set(table, columns, rows);
        }
        // COPY's text form: every type reads its own text (a tsvector too), one round trip.
        let mut client = self.client.borrow_mut();
        let mut writer = client
            .copy_in(&format!("COPY {table} ({}) FROM STDIN", columns.join(", ")))
            .map_err(error)?;
        let mut buffer = String::with_capacity(1 << 16);
        let write_error = |e: std::io::Error| sql::Error::new(ErrorKind::Other, e);
        for row in rows.chunks(columns.len()) {
            for (i, value) in row.iter().enumerate() {
                if i > 0 {
                    buffer.push('\t');
                }
                copy_text(&mut buffer, value);
            }
            buffer.push('\n');
            if buffer.len() >= 1 << 16 {
                std::io::Write::write_all(&mut writer, buffer.as_bytes()).map_err(write_error)?;
                buffer.clear();
            }
        }
        std::io::Write::write_all(&mut writer, buffer.as_bytes()).map_err(write_error)?;
        writer.finish().map_err(error)?;
        Ok(())
    }

    fn reserve_ids(&self, table: &str, n: usize) -> sql::Result<Vec<i64>> {
        // From the id column's own sequence: another writer's rows never get one of them.
        let sql = format!(
            "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, CAST($1 AS BIGINT))",
            table = table.replace(['\'', '"'], "")
        );
        let count = i64::try_from(n).unwrap_or(i64::MAX);
        let rows = self
            .client
            .borrow_mut()
            .query(&sql, &[&count])
            .map_err(error)?;
        Ok(rows.iter().map(|r| r.get::<_, i64>(0)).collect())
    }

    fn search_document(&self, fields: &[Option<String>; 5]) -> Option<String> {
        Some(super::search::document(fields))
    }

    fn advance_ids(&self, tables: &[&str]) -> sql::Result<()> {
        for table in tables {
            // An identity column's sequence does not follow the ids written explicitly: set it
            // past the largest (is_called false: the next value is exactly max + 1).
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 COALESCE(max(id), 0) + 1, false) FROM {table}",
                table = table.replace(['\'', '"'], "")
            );
            self.client.borrow_mut().query(&sql, &[]).map_err(error)?;
        }
        Ok(())
    }
}

/// `value` as a field of COPY's text form: `\\N` for null; a backslash, tab, newline or carriage
/// return escaped.
fn copy_text(out: &mut String, value: &sql::Value) {
    match value {
        sql::Value::Null => out.push_str("\\N"),
        sql::Value::Integer(i) => out.push_str(&i.to_string()),
        // Rust writes the shortest text that reads back as the same double.
        sql::Value::Real(f) => out.push_str(&f.to_string()),
        sql::Value::Text(t) => {
            for c in t.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
        }
        sql::Value::Blob(b) => {
            out.push_str("\\\\x");
            out.push_str(&hex::encode(b));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{copy_text, translate};

    #[test]
    fn placeholders_and_hints_become_postgresql() {
        assert_eq!(
            translate("SELECT 1 FROM claim c WHERE +c.status = ?1 AND c.id > ?2"),
            "SELECT 1 FROM claim c WHERE c.status = $1 AND c.id > $2"
        );
        assert_eq!(translate("a = ? AND b = ?"), "a = $1 AND b = $2");
        assert_eq!(
            translate("version + 1 WHERE x = '?1'"),
            "version + 1 WHERE x = '?1'"
        );
        assert_eq!(translate("x IN (?3, ?)"), "x IN ($3, $4)");
        assert_eq!(
            translate("url IS ?3 AND quote IS NOT ?4 AND note IS NULL"),
            "url IS NOT DISTINCT FROM $3 AND quote IS DISTINCT FROM $4 AND note IS NULL"
        );
    }

    #[test]
    fn copy_fields_escape_what_copy_reads_as_its_own() {
        let mut out = String::new();
        for value in [
            crate::store::sql::Value::Null,
            crate::store::sql::Value::Text("a\tb\\c\nd\re".into()),
            crate::store::sql::Value::Integer(-4),
            crate::store::sql::Value::Real(0.1),
        ] {
            copy_text(&mut out, &value);
            out.push('|');
        }
        assert_eq!(out, "\\N|a\\tb\\\\c\\nd\\re|-4|0.1|");
    }
}
