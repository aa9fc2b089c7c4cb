//! Team mode: a desk on a shared PostgreSQL database. Everything that speaks PostgreSQL lives
//! here: the schema, the roles the server enforces, and the connection.

mod conn;
pub mod migrate;
mod search;
mod server;
pub mod team;
mod tls;

pub use server::Server;

use std::path::Path;
use std::str::FromStr;

use crate::error::UserError;

/// The schema of a team database (the PostgreSQL form of the SQLite schema).
pub const SCHEMA: &str = concat!(
    include_str!("schema.sql"),
    include_str!("set_triggers.sql"),
    include_str!("set_checks.sql")
);

/// The team roles and their grants; safe to run again.
pub const ROLES: &str = include_str!("roles.sql");

/// The schema version this claimdb creates and uses: (major, minor), kept in `claimdb_meta`;
/// where the last of [`migrate::MIGRATIONS`] leads.
pub const VERSION: (i32, i32) = migrate::latest(migrate::MIGRATIONS);

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

/// Connects to the database at `address`, encrypted as its `sslmode` says (see [`tls`]). The
/// password comes from the address, else from `PGPASSWORD`, else the password file; it never
/// appears in an error.
pub fn connect(address: &str) -> anyhow::Result<postgres::Client> {
    let shown = redacted(address);
    tls::check_ssl_mode(address, &shown)?;
    let mut config = postgres::Config::from_str(address).map_err(|e| {
        anyhow::anyhow!(
            "{shown} is not a PostgreSQL address claimdb can read ({e}); give one like \
             postgres://USER@HOST:5432/DATABASE"
        )
    })?;
    if config.get_user().is_none() {
        config.user(&whoami::username());
    }
    if config.get_password().is_none() {
        if let Some(password) = std::env::var_os("PGPASSWORD").filter(|p| !p.is_empty()) {
            config.password(password.as_encoded_bytes());
        } else if let Some(password) = password_file_entry(&config) {
            config.password(password);
        }
    }
    let require = config.get_ssl_mode() == postgres::config::SslMode::Require;
    config.connect(tls::connector()?).map_err(|e| {
        // The client library's words for it: "error performing TLS handshake", caused by
        // "server does not support TLS".
        let refused_tls = std::iter::successors(Some(&e as &dyn std::error::Error), |e| e.source())
            .any(|e| e.to_string().contains("does not support TLS"));
        if require && refused_tls {
            return UserError::Refused(format!(
                "{shown} asks for an encrypted connection (sslmode=require), and the server \
                 does not offer one: its administrator turns on ssl in postgresql.conf, or \
                 connect without sslmode=require over a network you trust"
            ))
            .into();
        }
        server_error(e).context(format!("could not connect to {shown}"))
    })
}

/// The password for this connection in the password file PostgreSQL's own tools read
/// (`PGPASSFILE`, else `~/.pgpass`): the first line `host:port:database:user:password` that
/// matches, `*` matching anything, `\:` and `\\` standing for `:` and `\`.
fn password_file_entry(config: &postgres::Config) -> Option<String> {
    let path = match std::env::var_os("PGPASSFILE") {
        Some(path) => std::path::PathBuf::from(path),
        None => directories::BaseDirs::new()?.home_dir().join(".pgpass"),
    };
    let text = std::fs::read_to_string(path).ok()?;
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(host)) => host.clone(),
        _ => "localhost".to_owned(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let user = config.get_user().unwrap_or_default();
    let database = config.get_dbname().unwrap_or(user);
    password_for(&text, [&host, &port, database, user])
}

/// The password of the first line of a password file matching `wanted` (host, port, database,
/// user).
fn password_for(text: &str, wanted: [&str; 4]) -> Option<String> {
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .find_map(|line| {
            let mut fields = Vec::new();
            let mut field = String::new();
            let mut chars = line.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => field.extend(chars.next()),
                    ':' if fields.len() < 4 => fields.push(std::mem::take(&mut field)),
                    _ => field.push(c),
                }
            }
            fields.push(field);
            let [host, port, database, user, password] = <[String; 5]>::try_from(fields).ok()?;
            let matches = [host, port, database, user]
                .iter()
                .zip(wanted)
                .all(|(pattern, value)| pattern == "*" || pattern == value);
            matches.then_some(password)
        })
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

    /// What a client sent: its first message, and the first bytes of its next one.
    type Sent = std::thread::JoinHandle<(Vec<u8>, Vec<u8>)>;

    /// A server that answers a client's request for encryption with "no", then takes the next
    /// message's first 8 bytes (none if the client hung up) and hangs up: what the client sent.
    fn server_without_encryption() -> (u16, Sent) {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = vec![0; 8];
            stream.read_exact(&mut request).unwrap();
            stream.write_all(b"N").unwrap();
            let mut next = vec![0; 8];
            if stream.read_exact(&mut next).is_err() {
                next.clear();
            }
            (request, next)
        });
        (port, server)
    }

    /// PostgreSQL's SSLRequest: length 8, code 80877103.
    const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];

    #[test]
    fn a_server_that_does_not_encrypt_is_refused_when_required_and_used_when_preferred() {
        let (port, server) = server_without_encryption();
        let address = format!("postgres://amal:s3cret@127.0.0.1:{port}/desk?sslmode=require");
        let Err(error) = connect(&address) else {
            panic!("connected without encryption")
        };
        let error = format!("{error:#}");
        let (request, next) = server.join().unwrap();
        assert_eq!(request, SSL_REQUEST);
        assert!(next.is_empty(), "nothing is sent in the clear: {next:?}");
        assert!(
            error.contains("asks for an encrypted connection (sslmode=require)")
                && error.contains("does not offer one"),
            "{error}"
        );
        assert!(!error.contains("s3cret"), "{error}");

        // The default asks too, then goes on in the clear: the startup message (protocol 3.0).
        let (port, server) = server_without_encryption();
        let _ = connect(&format!("postgres://amal@127.0.0.1:{port}/desk"));
        let (request, next) = server.join().unwrap();
        assert_eq!(request, SSL_REQUEST);
        assert_eq!(next[4..], [0, 3, 0, 0]);
    }

    #[test]
    fn the_password_file_is_read_as_postgresql_reads_it() {
        let file = "# a comment\n\
                    db.example:5432:other:amal:wrong\n\
                    db.example:5432:*:amal:pa\\:ss\n\
                    *:*:*:*:fallback\n";
        let wanted = ["db.example", "5432", "desk", "amal"];
        assert_eq!(password_for(file, wanted).as_deref(), Some("pa:ss"));
        let other = ["elsewhere", "5432", "desk", "nour"];
        assert_eq!(password_for(file, other).as_deref(), Some("fallback"));
        assert_eq!(password_for("db:1:x:y", wanted), None);
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
