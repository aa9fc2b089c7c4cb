//! The seam between claimdb's rules and a database engine.
//!
//! The rules (validation, versions, history and its chain, merge, all-or-nothing imports) are
//! written once, in SQL both engines run, over the narrow [`Connection`] trait: run a statement,
//! read its rows, begin and end a transaction. Each backend implements it for its engine and
//! adds what only it can do (its schema and upgrades, its search index, its bulk loads), behind
//! [`super::backend::Backend`].
//!
//! Statements number their parameters `?1`, `?2`…; values cross the seam as [`ValueRef`], five
//! kinds every SQL engine has (null, 64-bit integer, double, text, bytes), and rows are read
//! back by position with [`Row::get`].

use std::fmt;

/// A value read from or written to the database.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A borrowed [`Value`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

impl Value {
    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(t) => ValueRef::Text(t),
            Value::Blob(b) => ValueRef::Blob(b),
        }
    }
}

impl ValueRef<'_> {
    pub fn to_owned(self) -> Value {
        match self {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Integer(i),
            ValueRef::Real(f) => Value::Real(f),
            ValueRef::Text(t) => Value::Text(t.to_owned()),
            ValueRef::Blob(b) => Value::Blob(b.to_owned()),
        }
    }

    fn kind(self) -> &'static str {
        match self {
            ValueRef::Null => "null",
            ValueRef::Integer(_) => "an integer",
            ValueRef::Real(_) => "a real number",
            ValueRef::Text(_) => "text",
            ValueRef::Blob(_) => "bytes",
        }
    }
}

/// What went wrong in the database, by kind, so that the rules and the exit codes can tell a
/// missing row, a busy database, a refused permission and a broken constraint apart on any
/// engine. The engine's own error is kept as the source.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    source: Box<dyn std::error::Error + Send + Sync + 'static>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A query that must return a row returned none.
    NoRows,
    /// Another writer held the database for longer than the wait allowed.
    Busy,
    /// Two transactions collided (serialization failure, deadlock): running the transaction
    /// again is expected to succeed.
    Retry,
    /// The server refused the statement for lack of a privilege the user's role does not have.
    Permission,
    /// A constraint (unique, foreign key, check, trigger) refused the change.
    Constraint,
    /// A value read could not become the type asked for.
    Conversion,
    /// Anything else the engine reported.
    Other,
}

impl Error {
    pub fn new(
        kind: ErrorKind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        Error {
            kind,
            source: source.into(),
        }
    }

    pub fn conversion(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Conversion, message.into())
    }

    pub fn no_rows() -> Self {
        Error::new(ErrorKind::NoRows, "the query returned no rows")
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The engine's own error.
    pub fn engine_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.source
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.source.fmt(f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.source()
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `Ok(None)` for a query that found no row, as rusqlite's and postgres's own `optional`.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(e) if e.kind == ErrorKind::NoRows => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A value claimdb writes.
pub trait ToSql {
    fn to_sql(&self) -> ValueRef<'_>;
}

/// A value claimdb reads.
pub trait FromSql: Sized {
    fn from_sql(value: ValueRef<'_>) -> Result<Self>;
}

impl ToSql for Value {
    fn to_sql(&self) -> ValueRef<'_> {
        self.as_ref()
    }
}
impl ToSql for ValueRef<'_> {
    fn to_sql(&self) -> ValueRef<'_> {
        *self
    }
}
impl ToSql for i64 {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Integer(*self)
    }
}
impl ToSql for i32 {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Integer(i64::from(*self))
    }
}
impl ToSql for u32 {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Integer(i64::from(*self))
    }
}
impl ToSql for u64 {
    fn to_sql(&self) -> ValueRef<'_> {
        // Counts and sizes: far below i64::MAX in practice; saturate rather than wrap.
        ValueRef::Integer(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}
impl ToSql for usize {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Integer(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}
impl ToSql for f64 {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Real(*self)
    }
}
impl ToSql for bool {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Integer(i64::from(*self))
    }
}
impl ToSql for str {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
}
impl ToSql for String {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
}
impl ToSql for [u8] {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
}
impl ToSql for Vec<u8> {
    fn to_sql(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
}
impl<T: ToSql + ?Sized> ToSql for &T {
    fn to_sql(&self) -> ValueRef<'_> {
        (**self).to_sql()
    }
}
impl<T: ToSql + ?Sized> ToSql for Box<T> {
    fn to_sql(&self) -> ValueRef<'_> {
        (**self).to_sql()
    }
}
impl<T: ToSql> ToSql for Option<T> {
    fn to_sql(&self) -> ValueRef<'_> {
        match self {
            Some(value) => value.to_sql(),
            None => ValueRef::Null,
        }
    }
}

impl FromSql for Value {
    fn from_sql(value: ValueRef<'_>) -> Result<Self> {
        Ok(value.to_owned())
    }
}
impl FromSql for i64 {
    fn from_sql(value: ValueRef<'_>) -> Result<Self> {
        match value {
            ValueRef::Integer(i) => Ok(i),
            other => Err(Error::conversion(format!(
                "expected an integer, found {}",
                other.kind()
            ))),
        }
    }
}
impl FromSql for i32 {
    fn from_sql(value: ValueRef<'_>) -> Result<Self> {
        i32::try_from(i64::from_sql(value)?)
            .map_err(|_| Error::conversion("an integer out of range"))
    }
}
impl FromSql for u32 {
    fn from_sql(value: ValueRef<'_>) -> Result<Self> {
        u32::try_from(i64::from_sql(value)?)
            .map_err(|_| Error::conversion("an integer out of range"))
    }
}
impl FromSql for u64 {
    fn from_sql(value: ValueRef<'_>) -> Result<Self> {
        u64::try_from(i64::from_sql(value)?)
            .map_err(|_| Error::conversion("an integer out of range"))
    }
}
impl FromSql for usize {
    fn from_sql(value: ValueRef<'_>) -> Result<Self> {
        usize::try_from(i64::from_sql(value)?)
            .map_err(|_| Error::conversion("an integer out of range"))
    }
}
impl FromSql for f64 {
    fn from_sql(value: ValueRef<'_>) -> Result<Self> {
        match value {
            ValueRef::Real(f) => Ok(f),
            // An engine may answer a real-valued expression over integers with an integer.
            ValueRef::Integer(i) => Ok(i as f64),
            other => Err(Error::conversion(format!(
                "expected a real number, found {}",
                other.kind()
            ))),
        }
    }
}
impl FromSql for bool {
    fn from_sql(value: ValueRef<'_>) -> Result<Self> {
        Ok(i64::from_sql(value)? != 0)
    }
}
impl FromSql for String {
    fn from_sql(value: ValueRef<'_>) -> Result<Self> {
        match value {
            ValueRef::Text(t) => Ok(t.to_owned()),
            other => Err(Error::conversion(format!(
                "expected text, found {}",
                other.kind()
            ))),
        }
    }
}
impl FromSql for Vec<u8> {
    fn from_sql(value: ValueRef<'_>) -> Result<Self> {
        match value {
            ValueRef::Blob(b) => Ok(b.to_owned()),
            ValueRef::Text(t) => Ok(t.as_bytes().to_owned()),
            other => Err(Error::conversion(format!(
                "expected bytes, found {}",
                other.kind()
            ))),
        }
    }
}
impl<T: FromSql> FromSql for Option<T> {
    fn from_sql(value: ValueRef<'_>) -> Result<Self> {
        match value {
            ValueRef::Null => Ok(None),
            other => T::from_sql(other).map(Some),
        }
    }
}

/// Reads the text of `value` for a type stored as text (the model's enumerations).
pub fn text_of(value: ValueRef<'_>) -> Result<&str> {
    match value {
        ValueRef::Text(t) => Ok(t),
        other => Err(Error::conversion(format!(
            "expected text, found {}",
            other.kind()
        ))),
    }
}

/// One row of a result, read by column position (from 0).
pub trait RowSource {
    fn value(&self, index: usize) -> Result<ValueRef<'_>>;
}

/// One row of a result.
pub struct Row<'a>(pub &'a dyn RowSource);

impl Row<'_> {
    /// Column `index` (from 0) as `T`.
    pub fn get<T: FromSql>(&self, index: usize) -> Result<T> {
        let value = self.0.value(index)?;
        T::from_sql(value).map_err(|e| {
            Error::new(
                ErrorKind::Conversion,
                format!("column {index}: {}", e.engine_error()),
            )
        })
    }

    /// Column `index` as it is stored.
    pub fn get_ref(&self, index: usize) -> Result<ValueRef<'_>> {
        self.0.value(index)
    }
}

/// The parameters of one statement, `?1` first.
pub type Params<'p> = &'p [&'p dyn ToSql];

/// `params![a, b]`: the parameters of a statement, in order.
#[macro_export]
macro_rules! params {
    () => {
        &[] as &[&dyn $crate::store::sql::ToSql]
    };
    ($($value:expr),+ $(,)?) => {
        &[$(&$value as &dyn $crate::store::sql::ToSql),+] as &[&dyn $crate::store::sql::ToSql]
    };
}
pub use params;

/// Parameters from values built at run time (a filter's conditions).
pub fn params_of(values: &[Value]) -> Vec<&dyn ToSql> {
    values.iter().map(|v| v as &dyn ToSql).collect()
}

/// How an engine's search index is queried (see the store's search).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchSyntax {
    /// An FTS5 table with one column per field and layer.
    Fts5,
    /// A tsvector document, its layers as weights.
    TsQuery,
}

/// What the rules need of a database connection: run a statement, read rows. Statements are
/// prepared once and cached by the backend. Transactions are begun and ended with
/// [`Connection::begin`], [`Connection::commit`] and [`Connection::rollback`].
pub trait Connection {
    /// Runs a statement that returns no rows; the number of rows it changed.
    fn execute_params(&self, sql: &str, params: Params<'_>) -> Result<usize>;

    /// Runs a query and hands each row to `each`, which returns `false` to stop early.
    fn query_each(
        &self,
        sql: &str,
        params: Params<'_>,
        each: &mut dyn FnMut(&Row<'_>) -> Result<bool>,
    ) -> Result<()>;

    /// Runs statements separated by `;`, without parameters (schema, transaction control).
    fn execute_batch(&self, sql: &str) -> Result<()>;

    /// Runs `insert`, an INSERT of one row into a table keyed by an integer `id`, and returns
    /// the new row's id. By default the statement returns it (`RETURNING id`); an engine that
    /// keeps the id of the row it last inserted reads that instead.
    fn insert_returning_id(&self, insert: &str, params: Params<'_>) -> Result<i64> {
        let mut id = None;
        self.query_each(&format!("{insert} RETURNING id"), params, &mut |row| {
            id = Some(row.get(0)?);
            Ok(false)
        })?;
        id.ok_or_else(Error::no_rows)
    }

    /// Begins a transaction; `write` takes the write lock (or its equivalent) at once, so two
    /// writers queue instead of one failing half-way.
    fn begin(&self, write: bool) -> Result<()>;
    fn commit(&self) -> Result<()>;
    fn rollback(&self) -> Result<()>;

    /// The id and hash of the last history event, held for this transaction: no other writer
    /// appends to the chain until it ends (no row: the chain is empty).
    fn chain_head_sql(&self) -> &'static str {
        // The write lock SQLite took at BEGIN IMMEDIATE already holds every other writer off.
        "SELECT id, hash FROM history ORDER BY id DESC LIMIT 1"
    }

    /// How this engine's search index is queried.
    fn search_syntax(&self) -> SearchSyntax {
        SearchSyntax::Fts5
    }

    /// Whether several writers' transactions run at the same time (a server), rather than one
    /// after the other (a file's write lock): then two may create the same row at once.
    fn writers_run_side_by_side(&self) -> bool {
        false
    }

    /// A subquery of the integers in the JSON array bound to its one parameter (`[1, 5, 9]`):
    /// one bound value however many ids.
    fn json_ids(&self) -> &'static str {
        "SELECT value FROM json_each(?)"
    }

    /// The embedded file's own connection, for what is not yet written for every engine
    /// (streaming evidence files, the search index).
    fn embedded(&self) -> Option<&rusqlite::Connection> {
        None
    }

    /// Begins a read-only transaction that sees one moment of the database from its first
    /// statement to its end, whatever others commit meanwhile (a dump's sections agree).
    fn begin_snapshot(&self) -> Result<()> {
        self.begin(false)
    }

    /// Lets the rows of this transaction refer to rows that come later (foreign keys checked
    /// at the commit). False when the engine checks every reference as the row is written: the
    /// rows referred to must then be written first.
    fn defer_foreign_keys(&self) -> Result<bool> {
        Ok(false)
    }

    /// How many references of this transaction's rows point at nothing, for an engine that
    /// checks them at the commit (see [`Connection::defer_foreign_keys`]); 0 where each was
    /// checked as it was written.
    fn broken_references(&self) -> Result<u64> {
        Ok(0)
    }

    /// After rows were written with ids of their own (a restore), makes sure each of `tables`
    /// gives the next row written without one an id past every stored id. An engine whose new
    /// ids follow the largest stored one has nothing to do.
    fn advance_ids(&self, _tables: &[&str]) -> Result<()> {
        Ok(())
    }

    /// Whether new rows are best written many at a time with [`Connection::copy_in`] than one
    /// statement each: true on a server, where each statement is a round trip.
    fn loads_in_bulk(&self) -> bool {
        false
    }

    /// Writes `rows` (each `columns.len()` values, one after the other) into `table`. By default
    /// one prepared INSERT per row; a server loads them in one stream.
    fn copy_in(&self, table: &str, columns: &[&str], rows: &[Value]) -> Result<()> {
        if columns.is_empty() {
            return Ok(());
        }
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            columns.join(", "),
            placeholders.join(", ")
        );
        for row in rows.chunks(columns.len()) {
            let values: Vec<&dyn ToSql> = row.iter().map(|v| v as &dyn ToSql).collect();
            self.execute_params(&sql, &values)?;
        }
        Ok(())
    }

    /// `n` ids for new rows of `table` that no other writer will use, in one round trip. By
    /// default those after the largest stored id: right while the write lock holds every other
    /// writer off and nothing else is inserted before they are used.
    fn reserve_ids(&self, table: &str, n: usize) -> Result<Vec<i64>> {
        let mut last = 0_i64;
        self.query_each(
            &format!("SELECT coalesce(max(id), 0) FROM {table}"),
            &[],
            &mut |row| {
                last = row.get(0)?;
                Ok(false)
            },
        )?;
        Ok((1..=i64::try_from(n).unwrap_or(i64::MAX))
            .map(|i| last + i)
            .collect())
    }

    /// The search document the engine stores for a claim's searched fields (text, translation,
    /// note, its sources' names, location), for a claim written with
    /// [`Connection::copy_in`]; `None` where the engine builds its index itself.
    fn search_document(&self, _fields: &[Option<String>; 5]) -> Option<String> {
        None
    }
}

/// What can be passed as a statement's parameters: `params![…]`, an array of values of one
/// type, or values built at run time.
pub trait IntoParams {
    fn with<R>(self, f: impl FnOnce(Params<'_>) -> R) -> R;
}

impl IntoParams for &[&dyn ToSql] {
    fn with<R>(self, f: impl FnOnce(Params<'_>) -> R) -> R {
        f(self)
    }
}

impl<T: ToSql, const N: usize> IntoParams for [T; N] {
    fn with<R>(self, f: impl FnOnce(Params<'_>) -> R) -> R {
        (&self).with(f)
    }
}

impl<T: ToSql, const N: usize> IntoParams for &[T; N] {
    fn with<R>(self, f: impl FnOnce(Params<'_>) -> R) -> R {
        let refs: [&dyn ToSql; N] = std::array::from_fn(|i| &self[i] as &dyn ToSql);
        f(&refs)
    }
}

impl<T: ToSql> IntoParams for Vec<T> {
    fn with<R>(self, f: impl FnOnce(Params<'_>) -> R) -> R {
        let refs: Vec<&dyn ToSql> = self.iter().map(|v| v as &dyn ToSql).collect();
        f(&refs)
    }
}

impl<T: ToSql> IntoParams for &Vec<T> {
    fn with<R>(self, f: impl FnOnce(Params<'_>) -> R) -> R {
        let refs: Vec<&dyn ToSql> = self.iter().map(|v| v as &dyn ToSql).collect();
        f(&refs)
    }
}

/// A statement to run, perhaps several times (the backend keeps it prepared).
pub struct Statement<'c> {
    conn: &'c dyn Connection,
    sql: std::borrow::Cow<'c, str>,
}

impl Statement<'_> {
    pub fn execute(&mut self, params: impl IntoParams) -> Result<usize> {
        self.conn.execute(&self.sql, params)
    }

    pub fn query_row<T>(
        &mut self,
        params: impl IntoParams,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.conn.query_row(&self.sql, params, f)
    }

    /// Every row, mapped by `f` (read in full: for large results, read in pages by key).
    pub fn query_map<T>(
        &mut self,
        params: impl IntoParams,
        f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<std::vec::IntoIter<Result<T>>> {
        let rows = self.conn.query_map(&self.sql, params, f)?;
        Ok(rows
            .into_iter()
            .map(Ok)
            .collect::<Vec<Result<T>>>()
            .into_iter())
    }

    pub fn exists(&mut self, params: impl IntoParams) -> Result<bool> {
        self.conn.exists(&self.sql, params)
    }

    pub fn query_each(
        &mut self,
        params: impl IntoParams,
        each: &mut dyn FnMut(&Row<'_>) -> Result<bool>,
    ) -> Result<()> {
        params.with(|p| self.conn.query_each(&self.sql, p, each))
    }
}

impl<C: Connection + ?Sized> Connection for &C {
    fn execute_params(&self, sql: &str, params: Params<'_>) -> Result<usize> {
        (**self).execute_params(sql, params)
    }

    fn query_each(
        &self,
        sql: &str,
        params: Params<'_>,
        each: &mut dyn FnMut(&Row<'_>) -> Result<bool>,
    ) -> Result<()> {
        (**self).query_each(sql, params, each)
    }

    fn execute_batch(&self, sql: &str) -> Result<()> {
        (**self).execute_batch(sql)
    }

    fn insert_returning_id(&self, insert: &str, params: Params<'_>) -> Result<i64> {
        (**self).insert_returning_id(insert, params)
    }

    fn begin(&self, write: bool) -> Result<()> {
        (**self).begin(write)
    }

    fn commit(&self) -> Result<()> {
        (**self).commit()
    }

    fn rollback(&self) -> Result<()> {
        (**self).rollback()
    }

    fn embedded(&self) -> Option<&rusqlite::Connection> {
        (**self).embedded()
    }

    fn json_ids(&self) -> &'static str {
        (**self).json_ids()
    }

    fn chain_head_sql(&self) -> &'static str {
        (**self).chain_head_sql()
    }

    fn search_syntax(&self) -> SearchSyntax {
        (**self).search_syntax()
    }

    fn writers_run_side_by_side(&self) -> bool {
        (**self).writers_run_side_by_side()
    }

    fn begin_snapshot(&self) -> Result<()> {
        (**self).begin_snapshot()
    }

    fn defer_foreign_keys(&self) -> Result<bool> {
        (**self).defer_foreign_keys()
    }

    fn broken_references(&self) -> Result<u64> {
        (**self).broken_references()
    }

    fn advance_ids(&self, tables: &[&str]) -> Result<()> {
        (**self).advance_ids(tables)
    }

    fn loads_in_bulk(&self) -> bool {
        (**self).loads_in_bulk()
    }

    fn copy_in(&self, table: &str, columns: &[&str], rows: &[Value]) -> Result<()> {
        (**self).copy_in(table, columns, rows)
    }

    fn reserve_ids(&self, table: &str, n: usize) -> Result<Vec<i64>> {
        (**self).reserve_ids(table, n)
    }

    fn search_document(&self, fields: &[Option<String>; 5]) -> Option<String> {
        (**self).search_document(fields)
    }
}

impl dyn Connection + '_ {
    /// A statement to run with [`Statement::execute`] or a query to read.
    pub fn prepare(&self, sql: &str) -> Result<Statement<'_>> {
        Ok(Statement {
            conn: self,
            sql: sql.to_owned().into(),
        })
    }

    /// [`prepare`](Self::prepare), for a statement run often (every backend caches them): the
    /// statement's text is borrowed, not copied.
    pub fn prepare_cached<'c>(&'c self, sql: &'c str) -> Result<Statement<'c>> {
        Ok(Statement {
            conn: self,
            sql: sql.into(),
        })
    }

    /// Runs a statement that returns no rows; the number of rows it changed.
    pub fn execute(&self, sql: &str, params: impl IntoParams) -> Result<usize> {
        params.with(|p| self.execute_params(sql, p))
    }

    /// The first row of a query, mapped by `f`; an error of kind [`ErrorKind::NoRows`] without
    /// one.
    pub fn query_row<T>(
        &self,
        sql: &str,
        params: impl IntoParams,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut f = Some(f);
        let mut found = None;
        params.with(|p| {
            self.query_each(sql, p, &mut |row| {
                if let Some(f) = f.take() {
                    found = Some(f(row)?);
                }
                Ok(false)
            })
        })?;
        found.ok_or_else(Error::no_rows)
    }

    /// Every row of a query, mapped by `f`.
    pub fn query_map<T>(
        &self,
        sql: &str,
        params: impl IntoParams,
        mut f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut all = Vec::new();
        params.with(|p| {
            self.query_each(sql, p, &mut |row| {
                all.push(f(row)?);
                Ok(true)
            })
        })?;
        Ok(all)
    }

    /// Whether a query returns a row.
    pub fn exists(&self, sql: &str, params: impl IntoParams) -> Result<bool> {
        let mut found = false;
        params.with(|p| {
            self.query_each(sql, p, &mut |_| {
                found = true;
                Ok(false)
            })
        })?;
        Ok(found)
    }

    /// Runs `work` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    pub fn in_transaction<T>(
        &self,
        write: bool,
        work: impl FnOnce(&dyn Connection) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        self.begin(write)?;
        match work(self) {
            Ok(value) => {
                self.commit()?;
                Ok(value)
            }
            Err(e) => {
                // The error that stopped the work is the one to report.
                let _ = self.rollback();
                Err(e)
            }
        }
    }
}
