//! The team of a shared database: creating claimdb's schema and roles (`team init`), and giving
//! logins their roles (`team add`, `team list`, `team remove`).
//!
//! The roles are PostgreSQL roles, so that the server itself enforces them (roles.sql and the
//! triggers of schema.sql); claimdb only grants and revokes them. Roles belong to the whole
//! cluster: a login given a role here has it in every claimdb database of the same server.

use anyhow::Context;
use postgres::{Client, Transaction};
use serde::Serialize;

use super::{quote_ident, quote_literal, server_error, ROLES, SCHEMA, UPGRADE_TO_1_1, VERSION};
use crate::error::UserError;

/// A role on the team, from least to most trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Adds and edits claims, cites sources, attaches evidence, proposes verdicts
    Checker,
    /// A checker who also sets and withdraws verdicts, approves, merges, maps ratings
    Editor,
    /// An editor who also gives and takes the checker and editor roles
    Admin,
}

impl Role {
    /// Every role, least trusted first.
    pub const ALL: [Role; 3] = [Role::Checker, Role::Editor, Role::Admin];

    /// The role's name on the command line and in lists.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Checker => "checker",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    /// The PostgreSQL group role behind it.
    pub fn group(self) -> &'static str {
        match self {
            Role::Checker => "claimdb_checker",
            Role::Editor => "claimdb_editor",
            Role::Admin => "claimdb_admin",
        }
    }

    fn from_group(group: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.group() == group)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What `team init` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Init {
    /// The schema was created (and the roles, where missing).
    Created,
    /// The schema was already there at this version; roles and grants were checked.
    AlreadyThere,
    /// The schema was there at an older minor version, and was brought to this one.
    Upgraded,
}

/// What `team add` changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    /// A new login was created with the role.
    Created,
    /// An existing login got the role (it had this one before, or none).
    Granted { before: Option<Role> },
    /// The login already had exactly this role.
    Unchanged,
}

/// A login on the team and its role (the highest, if it was given several).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub login: String,
    pub role: Role,
}

/// The tables schema.sql creates: one of them already there means this database is not empty.
const TABLES: &[&str] = &[
    "claimdb_meta",
    "source",
    "source_name",
    "claim",
    "claim_tag",
    "figure",
    "stance",
    "history",
    "history_head",
    "review",
    "rating_map",
    "claim_merge",
    "claim_search",
    "claim_count",
    "evidence_file",
    "evidence",
    "claim_desk",
];

/// An arbitrary constant: the advisory lock that keeps two `team init` on one database from
/// both creating the schema.
const INIT_LOCK: i64 = 0x0063_6c61_696d_6462; // "claimdb" in ASCII

/// Creates claimdb's schema and the team roles in the connected database, in one transaction.
/// Must be run by the database's owner. On a database that already has the schema at this
/// version, only checks the roles and grants (it does no harm to run it again); any other
/// version, or tables of the same names without claimdb's version, is refused.
pub fn init(client: &mut Client) -> anyhow::Result<Init> {
    let mut tx = client.transaction()?;
    // Everything goes in the public schema, whatever the session's search_path says.
    tx.batch_execute("SET LOCAL search_path = public")?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&INIT_LOCK])?;
    let row = tx.query_one(
        "SELECT current_database()::text, pg_get_userbyid(datdba)::text, current_user::text,
                pg_has_role(current_user, datdba, 'USAGE')
         FROM pg_database WHERE datname = current_database()",
        &[],
    )?;
    let (database, owner, user, is_owner): (String, String, String, bool) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    if !is_owner {
        return Err(UserError::Refused(format!(
            "team init must be run by the owner of the database {database} ({owner}), or a \
             superuser; you are connected as {user}; nothing was written"
        ))
        .into());
    }
    let outcome = match schema_version(&mut tx)? {
        Some(version) if version == VERSION => Init::AlreadyThere,
        Some((1, 0)) => {
            tx.batch_execute(UPGRADE_TO_1_1)
                .map_err(server_error)
                .context("could not upgrade claimdb's tables to schema version 1.1")?;
            Init::Upgraded
        }
        Some((major, minor)) => {
            return Err(UserError::Refused(format!(
                "the database {database} has claimdb's schema version {major}.{minor}, and this \
                 claimdb creates version {}.{}: use a claimdb of that version (or `claimdb \
                 migrate` when it exists for these versions); nothing was written",
                VERSION.0, VERSION.1
            ))
            .into())
        }
        None => {
            let existing: Vec<String> = tx
                .query(
                    "SELECT c.relname::text FROM pg_class c
                     JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = 'public' AND c.relname = ANY($1) ORDER BY 1",
                    &[&TABLES],
                )?
                .iter()
                .map(|r| r.get(0))
                .collect();
            if !existing.is_empty() {
                return Err(UserError::Refused(format!(
                    "the database {database} already has tables named like claimdb's ({}) but \
                     no claimdb schema version: give team init an empty database (createdb \
                     NAME); nothing was written",
                    existing.join(", ")
                ))
                .into());
            }
            tx.batch_execute(SCHEMA)
                .map_err(server_error)
                .context("could not create claimdb's tables")?;
            // Search documents are computed as claims are written, by this folding.
            tx.execute(
                "UPDATE claimdb_meta SET search_folding = $1",
                &[&crate::fold::VERSION],
            )?;
            Init::Created
        }
    };
    tx.batch_execute(ROLES).map_err(server_error).context(
        "could not create the team roles (claimdb_checker, claimdb_editor, claimdb_admin) or \
         grant them their rights: creating roles needs a superuser or the CREATEROLE attribute",
    )?;
    tx.commit()?;
    Ok(outcome)
}

/// The schema version of the connected database, or none when it has no claimdb schema.
fn schema_version(tx: &mut Transaction<'_>) -> anyhow::Result<Option<(i32, i32)>> {
    let has_meta: bool = tx
        .query_one("SELECT to_regclass('public.claimdb_meta') IS NOT NULL", &[])?
        .get(0);
    if !has_meta {
        return Ok(None);
    }
    let row = tx.query_one("SELECT major, minor FROM public.claimdb_meta", &[])?;
    Ok(Some((row.get(0), row.get(1))))
}

/// Refuses unless `team init` has been run on the connected database.
fn require_team(tx: &mut Transaction<'_>) -> anyhow::Result<()> {
    if schema_version(tx)?.is_none() {
        let database: String = tx.query_one("SELECT current_database()::text", &[])?.get(0);
        return Err(UserError::Refused(format!(
            "the database {database} has no claimdb team yet: its owner runs `claimdb team \
             init` first"
        ))
        .into());
    }
    Ok(())
}

/// Refuses a login name PostgreSQL would not keep as given.
fn check_login(login: &str) -> anyhow::Result<()> {
    let problem = if login.is_empty() {
        Some("a login cannot be empty".to_owned())
    } else if login.contains('\0') {
        Some("a login cannot contain a NUL character".to_owned())
    } else if login.len() > 63 {
        // PostgreSQL would silently cut it to 63 bytes: another name than the one asked for.
        Some(format!(
            "a login is at most 63 bytes long, and {login:?} has {}",
            login.len()
        ))
    } else if Role::from_group(login).is_some() {
        Some(format!(
            "{login} is one of claimdb's team roles, not a person's login"
        ))
    } else {
        None
    };
    match problem {
        Some(problem) => Err(UserError::Refused(format!("{problem}; nothing was written")).into()),
        None => Ok(()),
    }
}

/// The claimdb roles `login` was given directly, and whether it exists at all.
fn roles_of(tx: &mut Transaction<'_>, login: &str) -> anyhow::Result<Option<Vec<Role>>> {
    let exists = tx
        .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&login])?
        .is_some();
    if !exists {
        return Ok(None);
    }
    let mut roles: Vec<Role> = tx
        .query(
            "SELECT g.rolname::text FROM pg_auth_members m
             JOIN pg_roles g ON g.oid = m.roleid
             JOIN pg_roles l ON l.oid = m.member
             WHERE l.rolname = $1",
            &[&login],
        )?
        .iter()
        .filter_map(|r| Role::from_group(r.get(0)))
        .collect();
    roles.sort();
    Ok(Some(roles))
}

/// Gives `login` exactly `role` on the team (taking away any other claimdb role it had directly),
/// creating the login if it does not exist. A `password` is sent only as a SCRAM-SHA-256 verifier
/// computed here, so that it never crosses the connection or lands in the server's log.
pub fn add(
    client: &mut Client,
    login: &str,
    role: Role,
    password: Option<&str>,
) -> anyhow::Result<Added> {
    check_login(login)?;
    let mut tx = client.transaction()?;
    require_team(&mut tx)?;
    let quoted = quote_ident(login);
    let password_clause = password
        .map(|p| {
            let verifier = postgres_protocol::password::scram_sha_256(p.as_bytes());
            format!(" PASSWORD {}", quote_literal(&verifier))
        })
        .unwrap_or_default();
    let outcome = match roles_of(&mut tx, login)? {
        None => {
            tx.batch_execute(&format!(
                "CREATE ROLE {quoted} LOGIN{password_clause} IN ROLE {}",
                role.group()
            ))
            .map_err(server_error)
            .with_context(|| {
                format!(
                    "could not create the login {login:?}: creating logins needs a superuser or \
                     the CREATEROLE attribute (or create the login first, then add it); nothing \
                     was written"
                )
            })?;
            Added::Created
        }
        Some(roles) => {
            if !password_clause.is_empty() {
                tx.batch_execute(&format!("ALTER ROLE {quoted}{password_clause}"))
                    .map_err(server_error)
                    .with_context(|| {
                        format!("could not set the password of {login:?}; nothing was written")
                    })?;
            }
            let mut changes = Vec::new();
            if !roles.contains(&role) {
                changes.push(format!("GRANT {} TO {quoted}", role.group()));
            }
            for other in roles.iter().filter(|r| **r != role) {
                changes.push(format!("REVOKE {} FROM {quoted}", other.group()));
            }
            if changes.is_empty() {
                Added::Unchanged
            } else {
                tx.batch_execute(&changes.join(";\n"))
                    .map_err(server_error)
                    .with_context(|| {
                        let who = match role {
                            Role::Admin => "giving the admin role needs",
                            _ => "giving roles needs a claimdb admin,",
                        };
                        format!(
                            "could not give {login:?} the role {role}: {who} a superuser or the \
                             CREATEROLE attribute; nothing was written"
                        )
                    })?;
                Added::Granted {
                    before: roles.last().copied(),
                }
            }
        }
    };
    tx.commit()?;
    Ok(outcome)
}

/// Everyone given a claimdb role, by login, with their highest role.
pub fn list(client: &mut Client) -> anyhow::Result<Vec<Member>> {
    let mut tx = client.transaction()?;
    require_team(&mut tx)?;
    let groups: Vec<&str> = Role::ALL.iter().map(|r| r.group()).collect();
    let rows = tx.query(
        "SELECT l.rolname::text, g.rolname::text FROM pg_auth_members m
         JOIN pg_roles g ON g.oid = m.roleid
         JOIN pg_roles l ON l.oid = m.member
         WHERE g.rolname = ANY($1) AND NOT l.rolname = ANY($1)
         ORDER BY 1",
        &[&groups],
    )?;
    let mut members: Vec<Member> = Vec::new();
    for row in rows {
        let login: String = row.get(0);
        let Some(role) = Role::from_group(row.get(1)) else {
            continue;
        };
        match members.last_mut() {
            Some(last) if last.login == login => last.role = last.role.max(role),
            _ => members.push(Member { login, role }),
        }
    }
    tx.commit()?;
    Ok(members)
}

/// Takes every claimdb role away from `login` (the login itself stays); returns the role it
/// had, none when it had none.
pub fn remove(client: &mut Client, login: &str) -> anyhow::Result<Option<Role>> {
    check_login(login)?;
    let mut tx = client.transaction()?;
    require_team(&mut tx)?;
    let Some(roles) = roles_of(&mut tx, login)? else {
        return Err(UserError::Refused(format!(
            "there is no login {login:?} on this server (`claimdb team list` shows the team)"
        ))
        .into());
    };
    if roles.is_empty() {
        return Ok(None);
    }
    let quoted = quote_ident(login);
    let revokes: Vec<String> = roles
        .iter()
        .map(|r| format!("REVOKE {} FROM {quoted}", r.group()))
        .collect();
    tx.batch_execute(&revokes.join(";\n"))
        .map_err(server_error)
        .with_context(|| {
            format!(
                "could not take the team role away from {login:?}: that needs a claimdb admin, a \
                 superuser or the CREATEROLE attribute; nothing was written"
            )
        })?;
    tx.commit()?;
    Ok(roles.last().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_postgresql_would_change_or_that_are_roles_are_refused() {
        assert!(check_login("amal").is_ok());
        assert!(check_login("o'brien \"the checker\"").is_ok());
        for bad in ["", "a\0b", &"x".repeat(64), "claimdb_editor"] {
            assert!(check_login(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn roles_are_ordered_by_trust_and_map_to_their_groups() {
        assert!(Role::Checker < Role::Editor && Role::Editor < Role::Admin);
        for role in Role::ALL {
            assert_eq!(Role::from_group(role.group()), Some(role));
            assert_eq!(role.group(), format!("claimdb_{role}"));
        }
    }
}
