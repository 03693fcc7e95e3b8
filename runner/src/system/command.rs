//! What a node runs: a command line with its environment and user, and the files it needs.

use std::path::PathBuf;

/// How to start one process of a node: a program, its arguments, extra environment, and the user
/// it runs as.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NodeCommand {
    /// The program (a path, or a name looked up on the PATH).
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
    /// The user it runs as (its uid, primary group and supplementary groups); rift's own user
    /// when `None`. Some programs refuse to run as root (PostgreSQL).
    pub user: Option<String>,
}

impl NodeCommand {
    /// `program` with `args`, as rift's user, with no extra environment.
    pub fn new<I, S>(program: impl Into<PathBuf>, args: I) -> NodeCommand
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        NodeCommand {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
            ..NodeCommand::default()
        }
    }

    /// The command line as one string, for messages.
    pub fn line(&self) -> String {
        let mut s = self.program.display().to_string();
        for a in &self.args {
            s.push(' ');
            s.push_str(a);
        }
        s
    }
}

/// A file written into a node's data directory before it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeFile {
    /// Its path, relative to the node's data directory.
    pub path: PathBuf,
    /// Its contents.
    pub contents: String,
}
