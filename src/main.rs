//! The `claimdb` binary: parse, run, print the error chain once, exit with a documented code.

use std::io;
use std::process::ExitCode;

use clap::Parser;

use claimdb::cli::Cli;
use claimdb::error::{exit, UserError};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match claimdb::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let busy = is_busy(&e);
            let e = if busy {
                anyhow::Error::new(UserError::Busy)
            } else {
                e
            };
            #[allow(clippy::print_stderr)]
            {
                eprintln!("error: {e:#}");
            }
            ExitCode::from(if busy {
                exit::BUSY
            } else if is_refused_by_role(&e) {
                exit::ROLE
            } else {
                exit::ERROR
            })
        }
    }
}

/// `claimdb list | head` closes the pipe early: that is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<csv::Error>()
                .is_some_and(|c| matches!(c.kind(), csv::ErrorKind::Io(io) if io.kind() == io::ErrorKind::BrokenPipe))
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(io::ErrorKind::BrokenPipe))
    })
}

/// The team database's server refused the change: the user's role does not allow it.
fn is_refused_by_role(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<claimdb::store::sql::Error>()
            .is_some_and(|e| e.kind() == claimdb::store::sql::ErrorKind::Permission)
    })
}

/// Another process held the write lock for longer than the busy timeout.
fn is_busy(e: &anyhow::Error) -> bool {
    claimdb::store::is_busy(e)
}
