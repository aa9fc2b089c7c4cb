//! `claimdb team …`: set up a shared PostgreSQL database and say who is on its team, with which
//! role. The roles are enforced by the server itself, whatever program connects.

use std::io::Read;
use std::path::Path;

use crate::error::UserError;
use crate::output::Output;
use crate::store::postgres::{self, team};

const ABOUT_ROLES: &str = "\
Roles (each includes the ones above it):
  checker  adds and edits claims, cites sources, attaches evidence, proposes verdicts
  editor   also sets and withdraws verdicts, approves or returns proposed verdicts, merges
           claims and changes the rating map
  admin    also gives and takes the checker and editor roles";

/// `claimdb team init | add | list | remove`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create claimdb's tables and the team roles in a PostgreSQL database (run by the
    /// database's owner; running it again does no harm)
    #[command(after_help = "Example:\n  \
        createdb desk && claimdb --db postgres://postgres@localhost/desk team init")]
    Init,
    /// Give a login a role on the team, creating the login if it does not exist
    #[command(after_help = format!("Examples:\n  \
        claimdb team add amal --role checker\n  \
        printf '%s' \"$PASSWORD\" | claimdb team add amal --role editor --password-stdin\n\n\
        A login that already has a role gets this one instead.\n\n{ABOUT_ROLES}"))]
    Add(AddArgs),
    /// List the logins on the team and their roles
    #[command(after_help = "Examples:\n  claimdb team list\n  claimdb team list --format csv")]
    List,
    /// Take a login's team role away (the login itself is kept)
    #[command(after_help = "Example:\n  claimdb team remove amal")]
    Remove {
        /// The login
        login: String,
    },
}

/// `claimdb team add LOGIN --role ROLE`
#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The login (a PostgreSQL user name, as the person connects with it)
    pub login: String,
    /// The role on the team
    #[arg(long, value_enum, ignore_case = true)]
    pub role: team::Role,
    /// Set the login's password to what standard input holds (without its final newline)
    #[arg(long)]
    pub password_stdin: bool,
}

/// Runs the subcommand on the database at `db`, which must be a PostgreSQL address.
pub fn exec(command: Command, db: &Path, out: &mut Output) -> anyhow::Result<()> {
    let address = match db.to_str() {
        Some(address) if postgres::is_address(db) => address,
        _ => {
            return Err(UserError::Refused(format!(
                "`claimdb team` works on a shared PostgreSQL database, and {} is a database \
                 file: give the server's address with --db postgres://USER@HOST/DATABASE (or \
                 CLAIMDB_PATH)",
                db.display()
            ))
            .into())
        }
    };
    // Read before connecting, so that a missing password is refused before anything is done.
    let password = match &command {
        Command::Add(args) if args.password_stdin => Some(read_password()?),
        _ => None,
    };
    let mut client = postgres::connect(address)?;
    let shown = postgres::redacted(address);
    match command {
        Command::Init => match team::init(&mut client)? {
            team::Init::Created => out.note(format!(
                "created claimdb's tables in {shown}, with the roles claimdb_checker, \
                 claimdb_editor and claimdb_admin; add people with `claimdb team add LOGIN \
                 --role ROLE`"
            )),
            team::Init::AlreadyThere => out.note(format!(
                "{shown} already has claimdb's tables at this version; the team roles and \
                 their rights are in place"
            )),
            team::Init::Upgraded => out.note(format!(
                "upgraded claimdb's tables in {shown} to this version (imports load in bulk); \
                 the team roles and their rights are in place"
            )),
        },
        Command::Add(args) => {
            let login = &args.login;
            let role = args.role;
            match team::add(&mut client, login, role, password.as_deref())? {
                team::Added::Created => out.note(format!(
                    "created the login {login} with the role {role}{}",
                    if password.is_some() {
                        " and the password given"
                    } else {
                        " (no password: set one with --password-stdin, or connect as the server \
                         allows)"
                    }
                )),
                team::Added::Granted { before: Some(old) } => {
                    out.note(format!("{login} is now {role} (was {old})"))
                }
                team::Added::Granted { before: None } => out.note(format!("{login} is now {role}")),
                team::Added::Unchanged => out.note(format!(
                    "{login} already was {role}{}",
                    if password.is_some() {
                        "; the password was changed"
                    } else {
                        "; nothing changed"
                    }
                )),
            }
        }
        Command::List => {
            let members = team::list(&mut client)?;
            if members.is_empty() && out.format() == crate::output::Format::Table {
                out.note("no one is on the team yet: `claimdb team add LOGIN --role ROLE`");
                return Ok(());
            }
            out.records(&members, &["login", "role"], &[1], &[1], |m| {
                vec![m.login.clone(), m.role.to_string()]
            })?;
        }
        Command::Remove { login } => match team::remove(&mut client, &login)? {
            Some(role) => out.note(format!(
                "{login} is no longer on the team (was {role}); the login itself was kept"
            )),
            None => out.note(format!("{login} had no team role; nothing changed")),
        },
    }
    Ok(())
}

/// The password on standard input, without the newline that ends it.
fn read_password() -> anyhow::Result<String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|_| UserError::Refused("--password-stdin: standard input is not text".into()))?;
    let password = text
        .strip_suffix('\n')
        .map(|t| t.strip_suffix('\r').unwrap_or(t))
        .unwrap_or(&text);
    if password.is_empty() {
        return Err(UserError::Refused(
            "--password-stdin: standard input holds no password; nothing was written".into(),
        )
        .into());
    }
    Ok(password.to_owned())
}
