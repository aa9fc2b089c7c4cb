//! Team mode: a desk on a shared PostgreSQL database. Everything that speaks PostgreSQL lives
//! here: the schema, the roles the server enforces, and the connection.

mod conn;
mod search;
mod server;
pub mod team;

pub use server::Server;

use std::path::Path;
use std::str::FromStr;

use anyhow::Context;

/// The schema of a team database (the PostgreSQL form of the SQLite schema).
pub const SCHEMA: &str = include_str!("schema.sql");

/// The team roles and their grants; safe to run again.
pub const ROLES: &str = include_str!("roles.sql");

/// The schema version this claimdb creates and uses: (major, minor), kept in `claimdb_meta`.
pub const VERSION: (i32, i32) = (1, 0);

/// Whether a `--db` value is the address of a PostgreSQL database (team mode) rather than a
/// file: `postgres://…` or `postgresql://…`.
pub fn is_address(db: &Path) -> bool {
    db.to_str()
        .is_some_and(|s| s.starts_with("postgres://") || s.starts_with("postgresql://"))
}

/// The address as it may be shown: without its password.
pub fn redacted(address: &str) -> String {
    match url::Url::parse(address) {
        Ok(mut url) if url.password().is_some() => {
            // Cannot fail: a URL with a password has a host.
            let _ = url.set_password(None);
            url.to_string()
        }
        Ok(_) => address.to_owned(),
        Err(_) => "the PostgreSQL address given".to_owned(),
    }
}

/// Connects to the database at `address`. The password comes from the address, else from
/// `PGPASSWORD`; it never appears in an error.
pub fn connect(address: &str) -> anyhow::Result<postgres::Client> {
    let shown = redacted(address);
    let mut config = postgres::Config::from_str(address).map_err(|e| {
        anyhow::anyhow!(
            "{shown} is not a PostgreSQL address claimdb can read ({e}); give one like \
             postgres://USER@HOST:5432/DATABASE"
        )
    })?;
    if config.get_ssl_mode() == postgres::config::SslMode::Require {
        return Err(crate::error::UserError::Refused(format!(
            "{shown} asks for an encrypted connection (sslmode=require), which this claimdb \
             cannot make yet; connect over a trusted network or an SSH tunnel, without sslmode"
        ))
        .into());
    }
    if config.get_password().is_none() {
        if let Some(password) = std::env::var_os("PGPASSWORD").filter(|p| !p.is_empty()) {
            config.password(password.as_encoded_bytes());
        }
    }
    if config.get_user().is_none() {
        config.user(&whoami::username());
    }
    config
        .connect(postgres::NoTls)
        .map_err(server_error)
        .with_context(|| format!("could not connect to {shown}"))
}

/// A PostgreSQL error as the server worded it (with its hint), instead of the client library's
/// "db error: ERROR: …"; other errors (the connection) pass through.
pub fn server_error(e: postgres::Error) -> anyhow::Error {
    match e.as_db_error() {
        Some(db) => {
            let mut message = db.message().to_owned();
            if let Some(hint) = db.hint() {
                message.push_str(&format!(" ({hint})"));
            }
            anyhow::anyhow!(message)
        }
        None => e.into(),
    }
}

/// `name` quoted as a PostgreSQL identifier: logins are user input and may hold any character.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `text` quoted as a PostgreSQL string literal (standard_conforming_strings, the default since
/// PostgreSQL 9.1: a backslash is an ordinary character).
pub fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_told_from_files_and_shown_without_their_password() {
        assert!(is_address(Path::new("postgres://amal@db.example/desk")));
        assert!(is_address(Path::new("postgresql://db.example/desk")));
        assert!(!is_address(Path::new("claims.db")));
        assert!(!is_address(Path::new("./postgres://x")));
        assert_eq!(
            redacted("postgres://amal:s3cret@db.example:5432/desk"),
            "postgres://amal@db.example:5432/desk"
        );
        assert_eq!(
            redacted("postgres://amal@db.example/desk"),
            "postgres://amal@db.example/desk"
        );
    }

    #[test]
    fn identifiers_and_literals_are_quoted_whatever_they_hold() {
        assert_eq!(quote_ident("amal"), "\"amal\"");
        assert_eq!(
            quote_ident("x\"; DROP TABLE claim; --"),
            "\"x\"\"; DROP TABLE claim; --\""
        );
        assert_eq!(quote_literal("it's"), "'it''s'");
    }
}
