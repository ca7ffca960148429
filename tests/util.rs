//! Test helpers: a scratch directory with a corpus and an index, and the binary to run in it.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The article shipped in `corpus/`.
pub const ARTICLE: &str = include_str!("../corpus/afghanistan-pakistan-relations.txt");

/// A temporary directory holding `corpus/` and (once built) `index/`.
pub struct TestDir {
    pub tmp: tempfile::TempDir,
}

impl TestDir {
    /// An empty scratch directory with an empty `corpus/`.
    pub fn new() -> TestDir {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(tmp.path().join("corpus")).expect("mkdir corpus");
        TestDir { tmp }
    }

    /// A scratch directory whose corpus is the bundled article.
    pub fn with_article() -> TestDir {
        let dir = TestDir::new();
        dir.write("afghanistan-pakistan-relations.txt", ARTICLE);
        dir
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    pub fn corpus(&self) -> PathBuf {
        self.path().join("corpus")
    }

    pub fn index(&self) -> PathBuf {
        self.path().join("index")
    }

    /// Writes a corpus file (parent directories created).
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.corpus().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, contents).expect("write corpus file");
    }

    /// `afsearch` run inside this directory, with no `AFSEARCH_*`/colour settings leaking in.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_afsearch"));
        cmd.current_dir(self.path())
            .env_remove("AFSEARCH_INDEX")
            .env_remove("AFSEARCH_CORPUS")
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE");
        cmd
    }

    /// Runs a search with `--json` and returns the parsed hit lines.
    pub fn json(&self, args: &[&str]) -> Vec<serde_json::Value> {
        let output = self.cmd().arg("--json").args(args).output().expect("run");
        assert!(
            output.status.code() == Some(0) || output.status.code() == Some(1),
            "afsearch {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout)
            .expect("utf8")
            .lines()
            .map(|line| serde_json::from_str(line).expect("JSON line"))
            .collect()
    }
}

/// Stdout and stderr of a finished command, as strings.
pub fn outputs(output: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The `text` of each JSON hit.
pub fn texts(hits: &[serde_json::Value]) -> Vec<String> {
    hits.iter()
        .map(|h| h["text"].as_str().unwrap_or_default().to_string())
        .collect()
}
