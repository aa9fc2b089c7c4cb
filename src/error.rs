//! Errors a user can fix. Everything else travels as `anyhow::Error` with context.

use std::path::PathBuf;

/// A value that is not one of the allowed ones, with the allowed ones named.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{value:?} is not {what} ({expected}){suggestion}", suggestion = suggestion_text(.suggestion))]
pub struct InvalidValue {
    /// What the value was meant to be, with its article: "a status", "a date".
    pub what: &'static str,
    /// The value as the user gave it.
    pub value: String,
    /// What is allowed, in words: "expected one of: a, b" or "expected YYYY, YYYY-MM or YYYY-MM-DD".
    pub expected: String,
    /// The closest allowed value, when one is close enough to be a likely typo.
    pub suggestion: Option<&'static str>,
}

fn suggestion_text(suggestion: &Option<&'static str>) -> String {
    match suggestion {
        Some(s) => format!("; did you mean {s:?}?"),
        None => String::new(),
    }
}

impl InvalidValue {
    /// An invalid value with no suggestion.
    pub fn new(what: &'static str, value: impl Into<String>, expected: impl Into<String>) -> Self {
        InvalidValue {
            what,
            value: value.into(),
            expected: expected.into(),
            suggestion: None,
        }
    }
}

/// Errors caused by what the user asked for; each says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("claim {0} does not exist (`claimdb list` shows the claims there are)")]
    ClaimNotFound(i64),
    #[error("source {0:?} does not exist (`claimdb source list` shows the sources there are)")]
    SourceNotFound(String),
    #[error(transparent)]
    Invalid(#[from] InvalidValue),
    /// A verdict was asked for without a reason. The store cannot know the flag that gives the
    /// reason (`status --note`, `edit --reason`), so the command words the message: see
    /// [`UserError::name_reason_flag`].
    #[error("{0:?} is a verdict and needs a reason (e.g. the evidence that settles it)")]
    VerdictNeedsReason(&'static str),
    /// A verdict was taken back (the status left it) without a reason; worded by the command
    /// like [`UserError::VerdictNeedsReason`].
    #[error("withdrawing the verdict {0:?} needs a reason")]
    WithdrawalNeedsReason(&'static str),
    /// An operation refused for a reason stated in full.
    #[error("{0}")]
    Refused(String),
    #[error(
        "{path} was written by a newer claimdb (schema version {found}; this claimdb knows up to \
         version {known}): upgrade claimdb to use it. The database was not changed."
    )]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error(
        "{0} is an SQLite database but not a claimdb one (it has tables claimdb did not create); \
         give another path with --db or CLAIMDB_PATH"
    )]
    NotClaimdb(PathBuf),
    #[error("the import found {0} problem(s) (listed above); nothing was written")]
    ImportRejected(usize),
    #[error(
        "the database is busy: another process kept it locked for longer than the busy timeout \
         (CLAIMDB_BUSY_TIMEOUT, 10 seconds unless set); nothing was written, try again"
    )]
    Busy,
}

impl UserError {
    /// Words a [`UserError::VerdictNeedsReason`] in `err` with the flag of the command that
    /// asked, e.g. `--note`; any other error passes through unchanged.
    pub fn name_reason_flag(err: anyhow::Error, flag: &str) -> anyhow::Error {
        match err.downcast_ref::<UserError>() {
            Some(UserError::VerdictNeedsReason(status)) => UserError::Refused(format!(
                "{status:?} is a verdict and needs a reason: add {flag} \"why\" (e.g. the \
                 evidence that settles it); nothing was written"
            ))
            .into(),
            Some(UserError::WithdrawalNeedsReason(status)) => UserError::Refused(format!(
                "the claim's verdict is {status:?}: withdrawing it needs a reason: add {flag} \
                 \"why\" (e.g. the evidence that reopened it); nothing was written"
            ))
            .into(),
            _ => err,
        }
    }
}

/// Exit codes claimdb documents (README, "Exit codes").
pub mod exit {
    /// A user error: bad input, unknown claim, refused operation, I/O failure.
    pub const ERROR: u8 = 1;
    /// The database stayed locked by another writer for longer than the busy timeout.
    pub const BUSY: u8 = 3;
    /// On a team database, the server refused the change: the user's role does not allow it.
    pub const ROLE: u8 = 4;
}
