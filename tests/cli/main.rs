//! End-to-end tests: the real `claimdb` binary on temporary databases, one file per command.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed: the panic says where

mod harness;

mod add;
mod bench;
mod cite;
mod conflicts;
mod copy;
mod desk;
mod dump;
mod edit;
mod evidence;
mod export;
mod extract;
mod figures;
mod formats;
mod guarantees;
mod history;
mod import;
mod init;
mod list;
mod merge;
mod pg;
mod ratings;
mod report;
mod roundtrip;
mod search;
mod show;
mod similar;
mod source;
mod stats;
mod status;
mod team;
mod terminal;
