//! `claimdb evidence`: what a checker gathered for a claim (pages, archived copies, quotes,
//! notes, files), item by item.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;

use super::Ctx;
use crate::error::UserError;
use crate::evidence::{EvidenceDraft, DEFAULT_MAX_FILE_MB};
use crate::model;
use crate::store::evidence::FileToAttach;

/// `claimdb evidence add|list|get|remove`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Add an evidence item to a claim: a url, an archived copy, a quote, a note, a file
    #[command(after_help = "Examples:\n  \
        claimdb evidence add 9 --source HRW --url https://www.hrw.org/news/2022/04/05/mali \\\n    \
        --archived-url https://web.archive.org/web/2022/https://www.hrw.org/news/2022/04/05/mali\n  \
        claimdb evidence add 9 --file moura-report.pdf --note 'HRW report, page 3'\n\n\
        A file (screenshot, PDF, image) is stored inside the database, once per content, and\n\
        known by its SHA-256, which history records; `claimdb audit` checks every file against it.\n\
        Files over the limit (100 MB unless --max-size or `evidence_max_mb` in the config file\n\
        says otherwise) are refused. --source must be the claimant or a source that supports or\n\
        disputes the claim (`claimdb cite`).")]
    Add(AddArgs),
    /// List a claim's evidence items
    #[command(after_help = "Example:\n  claimdb evidence list 9 --format json")]
    List(ListArgs),
    /// Write an evidence item's file, checked against its SHA-256
    #[command(
        after_help = "Example:\n  claimdb evidence get 4 --output moura-report.pdf\n\n\
        The file is written only if its content matches the SHA-256 recorded when it was\n\
        attached; otherwise nothing is written and the exit code is 1."
    )]
    Get(GetArgs),
    /// Mark an evidence item removed; the reason is recorded in history
    #[command(
        after_help = "Example:\n  claimdb evidence remove 4 --note 'the page was a parody site'\n\n\
        The item is kept, marked removed with who, when and why (`evidence list ID --removed`\n\
        shows it); its file stays for the record."
    )]
    Remove(RemoveArgs),
}

/// `claimdb evidence add ID [--source S] [--url U] [--archived-url A] [--quote Q] [--note N]
/// [--file PATH]`
#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The claim's id
    pub id: i64,
    /// The source the evidence comes from (the claimant, or a source with a stance on the claim)
    #[arg(long)]
    pub source: Option<String>,
    /// Where it was found
    #[arg(long, value_parser = model::check_url)]
    pub url: Option<String>,
    /// An archived copy of that page (e.g. the Wayback Machine)
    #[arg(long, value_parser = model::check_url)]
    pub archived_url: Option<String>,
    /// What it says, word for word
    #[arg(long)]
    pub quote: Option<String>,
    /// What the checker notes about it
    #[arg(long)]
    pub note: Option<String>,
    /// A file to keep with it (screenshot, PDF, image)
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// When it was captured (RFC 3339, e.g. 2026-11-29T09:30:00Z) [default: now]
    #[arg(long, value_name = "TIME")]
    pub captured_at: Option<String>,
    /// Who captured it [default: who is acting]
    #[arg(long, value_name = "NAME")]
    pub captured_by: Option<String>,
    /// The largest file to take, in MB [default: the config file's evidence_max_mb, else 100]
    #[arg(long, value_name = "MB")]
    pub max_size: Option<u64>,
}

/// `claimdb evidence list ID [--removed]`
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// The claim's id
    pub id: i64,
    /// Include removed items
    #[arg(long)]
    pub removed: bool,
}

/// `claimdb evidence get EVIDENCE_ID --output PATH`
#[derive(Debug, clap::Args)]
pub struct GetArgs {
    /// The evidence item's id (as `evidence list` shows it)
    pub evidence_id: i64,
    /// Where to write the file (- for stdout)
    #[arg(long, short, value_name = "PATH")]
    pub output: PathBuf,
}

/// `claimdb evidence remove EVIDENCE_ID --note WHY`
#[derive(Debug, clap::Args)]
pub struct RemoveArgs {
    /// The evidence item's id (as `evidence list` shows it)
    pub evidence_id: i64,
    /// Why it is removed (recorded in history)
    #[arg(long, value_name = "WHY")]
    pub note: String,
}

/// Runs the subcommand.
pub fn exec(command: Command, ctx: &mut Ctx) -> anyhow::Result<()> {
    match command {
        Command::Add(args) => add(args, ctx),
        Command::List(args) => {
            let items = ctx.store.evidence(args.id, args.removed)?;
            ctx.out.evidence(&items)
        }
        Command::Get(args) => get(args, ctx),
        Command::Remove(args) => {
            let item = ctx
                .store
                .remove_evidence(args.evidence_id, &args.note, &ctx.actor)?;
            ctx.out.note(format!(
                "evidence {} of claim {} removed (kept in history)",
                item.id, item.claim_id
            ));
            Ok(())
        }
    }
}

fn add(args: AddArgs, ctx: &mut Ctx) -> anyhow::Result<()> {
    for text in [&args.quote, &args.note].into_iter().flatten() {
        model::check_text("an evidence field", text)?;
    }
    let max_mb = args
        .max_size
        .or(ctx.config.evidence_max_mb)
        .unwrap_or(DEFAULT_MAX_FILE_MB);
    let draft = EvidenceDraft {
        source: args.source,
        url: args.url,
        archived_url: args.archived_url,
        quote: args.quote,
        note: args.note,
        captured_at: args.captured_at,
        captured_by: args.captured_by,
    };
    let file = args.file.as_deref().map(|path| FileToAttach {
        path,
        max_bytes: max_mb.saturating_mul(1_000_000),
    });
    let (item, added) = ctx.store.add_evidence(args.id, &draft, file, &ctx.actor)?;
    if !added {
        ctx.out.note(format!(
            "claim {}: the same evidence is there already (evidence {}); nothing changed",
            item.claim_id, item.id
        ));
    } else if let Some(file) = &item.file {
        ctx.out.note(format!(
            "claim {}: evidence {} added with its file ({} bytes, sha256 {})",
            item.claim_id,
            item.id,
            file.size.unwrap_or_default(),
            file.sha256
        ));
    }
    ctx.out.value("evidence", item.id)
}

fn get(args: GetArgs, ctx: &mut Ctx) -> anyhow::Result<()> {
    if args.output.as_os_str() == "-" {
        // Checked before a byte reaches stdout, which cannot be taken back.
        ctx.store
            .write_evidence_file(args.evidence_id, &mut std::io::sink())?;
        let mut out = BufWriter::new(std::io::stdout().lock());
        ctx.store.write_evidence_file(args.evidence_id, &mut out)?;
        out.flush()?;
        return Ok(());
    }
    let path = &args.output;
    if path.is_dir() {
        return Err(UserError::Refused(format!(
            "{} is a directory; --output needs the path of a file",
            path.display()
        ))
        .into());
    }
    // Written beside the target and renamed once verified: a file that fails its check never
    // appears under the name asked for.
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".claimdb-evidence");
    // A fetched file is an ordinary file: readable as the user's umask allows, not private as
    // temporary files are made.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut temp = builder
        .tempfile_in(dir)
        .with_context(|| format!("failed to create a file in {}", dir.display()))?;
    let file = {
        let mut out = BufWriter::new(temp.as_file_mut());
        let file = ctx.store.write_evidence_file(args.evidence_id, &mut out)?;
        out.flush()
            .with_context(|| format!("failed to write {}", path.display()))?;
        file
    };
    temp.persist(path)
        .with_context(|| format!("failed to write {}", path.display()))?;
    ctx.out.note(format!(
        "wrote {} ({} bytes, sha256 {} verified)",
        path.display(),
        file.size.unwrap_or_default(),
        file.sha256
    ));
    Ok(())
}
