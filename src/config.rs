//! The optional config file: settings a user gives once instead of on every command.
//!
//! It lives at `config.toml` in the platform config directory (`~/.config/claimdb/` on Linux), or
//! where `CLAIMDB_CONFIG` points. Flags win over environment variables, which win over the
//! file, which wins over the defaults.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

/// Everything the config file may set.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The database file.
    pub db: Option<PathBuf>,
    /// Who is acting, for history.
    pub actor: Option<String>,
    /// The organisation that publishes this desk's verdicts (for exports to other formats).
    pub publisher: Option<String>,
    /// Its web site.
    pub publisher_url: Option<String>,
    /// The largest evidence file `evidence add --file` takes, in MB (1 MB = 1,000,000 bytes).
    pub evidence_max_mb: Option<u64>,
    /// The review gate: a verdict set with `status` is only proposed, and becomes the claim's
    /// status when someone else approves it (`approve`) rather than returns it (`return`).
    #[serde(default)]
    pub review_gate: bool,
}

impl Config {
    /// Where the config file is looked for.
    pub fn path() -> Option<PathBuf> {
        match std::env::var_os("CLAIMDB_CONFIG") {
            Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
            _ => directories::ProjectDirs::from("", "", "claimdb")
                .map(|dirs| dirs.config_dir().join("config.toml")),
        }
    }

    /// Reads the config file; no file means no settings. A file that does not parse is an
    /// error naming the file, the line and the problem.
    pub fn load() -> anyhow::Result<Config> {
        match Self::path() {
            Some(path) if path.exists() => Self::read(&path),
            _ => Ok(Config::default()),
        }
    }

    fn read(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("failed to read the config file {}", path.display()))?;
        toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            let at = line.map(|l| format!(" line {l}")).unwrap_or_default();
            anyhow::anyhow!("config file {}{at}: {}", path.display(), e.message())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_file_sets_known_keys_and_refuses_others_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "db = \"/data/desk.db\"\nactor = \"amal\"\n").unwrap();
        let config = Config::read(&path).unwrap();
        assert_eq!(config.db.as_deref(), Some(Path::new("/data/desk.db")));
        assert_eq!(config.actor.as_deref(), Some("amal"));
        std::fs::write(&path, "db = \"x\"\nactr = \"amal\"\n").unwrap();
        let err = Config::read(&path).unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("actr"), "{err}");
    }
}
