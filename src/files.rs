//! Files claimdb writes whole (backups, exports with `--output`): written beside their target
//! under a temporary name and renamed over it once complete, so that a reader never sees half a
//! file.
//!
//! The rules, the same for every such file:
//! - a new file gets the permissions the user's umask gives any new file; a file replaced keeps
//!   its mode;
//! - a symlink is written through: its target is replaced and the link stays a link;
//! - a folder, a pipe or a device is refused;
//! - temporary files left by a process that was killed are removed by the next run in the same
//!   folder (their name carries the id of the process that made them).

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::error::UserError;

/// Every temporary file claimdb makes starts with this, followed by the process id and `-`.
const TEMP_PREFIX: &str = ".claimdb-tmp-";

/// The file to replace when writing to `path`: `path` itself, or, for a symlink, the file it
/// points to. A folder or anything that is not a regular file is refused.
pub fn resolve_target(path: &Path) -> anyhow::Result<PathBuf> {
    let link = std::fs::symlink_metadata(path);
    let target = match link {
        Ok(meta) if meta.file_type().is_symlink() => std::fs::canonicalize(path).map_err(|_| {
            UserError::Refused(format!(
                "{} is a symbolic link to a file that does not exist; give the file itself",
                path.display()
            ))
        })?,
        _ => path.to_owned(),
    };
    match std::fs::metadata(&target) {
        Ok(meta) if meta.is_dir() => Err(UserError::Refused(format!(
            "{} is a directory; give the path of a file",
            path.display()
        ))
        .into()),
        Ok(meta) if !meta.is_file() => Err(UserError::Refused(format!(
            "{} is not a regular file (a pipe, a device or a socket); give the path of a file",
            path.display()
        ))
        .into()),
        _ => Ok(target),
    }
}

/// The folder a file at `target` lives in.
fn folder_of(target: &Path) -> &Path {
    target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// A new, empty temporary file in `target`'s folder, after removing the ones killed runs left
/// there. It gets the permissions a new file gets under the user's umask.
pub fn temp_beside(target: &Path) -> anyhow::Result<tempfile::NamedTempFile> {
    let dir = folder_of(target);
    remove_leftovers(dir);
    let mut builder = tempfile::Builder::new();
    let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
    builder.prefix(&prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir).with_context(|| {
        format!(
            "failed to create a file in {} (is the folder writable?)",
            dir.display()
        )
    })
}

/// Replaces `target` with the complete temporary file, keeping the mode of the file replaced.
pub fn persist(temp: tempfile::NamedTempFile, target: &Path) -> anyhow::Result<()> {
    if let Ok(meta) = std::fs::metadata(target) {
        std::fs::set_permissions(temp.path(), meta.permissions())
            .with_context(|| format!("failed to give the new {} its mode", target.display()))?;
    }
    temp.persist(target)
        .with_context(|| format!("failed to write {}", target.display()))?;
    Ok(())
}

/// Removes the temporary files in `dir` whose process is gone. Best effort: a file that cannot
/// be removed stays, and nothing here fails the command.
pub fn remove_leftovers(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(TEMP_PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !process_alive(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether process `pid` still runs. Where that cannot be known, it is assumed to run, so that a
/// file still being written is never removed.
fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// Whether `a` and `b` name the same file (through links, `..` or different spellings).
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_of_dead_processes_are_removed_and_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        // Process ids above the kernel's limit (2^22) never run.
        let dead = dir.path().join(format!("{TEMP_PREFIX}4194999-abc"));
        let mine = dir
            .path()
            .join(format!("{TEMP_PREFIX}{}-abc", std::process::id()));
        let other = dir.path().join(".claimdb-backup-notours");
        for f in [&dead, &mine, &other] {
            std::fs::write(f, "x").unwrap();
        }
        remove_leftovers(dir.path());
        assert!(!dead.exists() || !cfg!(target_os = "linux"));
        assert!(mine.exists());
        assert!(other.exists());
    }
}
