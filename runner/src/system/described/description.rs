//! A system description file (TOML), as written: every table and field, unknown ones refused.
//! See `PROTOCOL.md` beside this file for a whole example.

use crate::workload::WorkloadKind;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Description {
    /// A short name: the test's name by default, and the system's in messages.
    pub name: String,
    /// The workloads the driver can run; the first is the default.
    pub workloads: Vec<WorkloadKind>,
    /// The first port each node listens on in the local backend, where every node has its own
    /// address (the loopback backend gives each node its own ports instead); 7000 by default.
    #[serde(default)]
    pub port: Option<u16>,
    /// The options a config's `[system]` table may set, with their defaults; given to the driver
    /// in its handshake and to templates as `{option.NAME}`.
    #[serde(default)]
    pub options: BTreeMap<String, toml::Value>,
    /// How a node runs.
    pub node: NodeDescription,
    /// The client driver's command (run once per run, in the description's directory).
    pub driver: CommandDescription,
}

/// A command: a program and its argument templates, with extra environment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandDescription {
    /// The program (a path, or a name looked up on the PATH).
    pub program: String,
    /// Argument templates.
    #[serde(default)]
    pub args: Vec<String>,
    /// Extra environment variables (values are templates).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

/// How a node runs, is made ready, is found primary, and stops.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeDescription {
    /// The program.
    pub program: String,
    /// Argument templates of every start.
    #[serde(default)]
    pub args: Vec<String>,
    /// Argument templates of a restart on existing data, when they differ from `args`.
    #[serde(default)]
    pub restart_args: Option<Vec<String>>,
    /// Extra environment variables (values are templates).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// The user the node runs as (rift's own when absent); it owns the node's directory.
    #[serde(default)]
    pub user: Option<String>,
    /// Files written into the node's directory before every start.
    #[serde(default)]
    pub files: Vec<FileDescription>,
    /// Commands run, in order and as the node's user, before the node's first start.
    #[serde(default)]
    pub setup: Vec<CommandDescription>,
    /// How the node shows it is ready.
    pub ready: ReadyDescription,
    /// A command that exits 0 where the node runs when the node is a primary (leader).
    #[serde(default)]
    pub primary: Option<CommandDescription>,
    /// Files the node writes as its logs (templates; relative to its directory), kept in the run.
    #[serde(default)]
    pub logs: Vec<String>,
    /// The signal that asks the node to stop (`SIGTERM` by default); SIGKILL follows a short
    /// grace, and a kill fault sends SIGKILL.
    #[serde(default)]
    pub stop_signal: Option<String>,
}

/// A file rendered into the node's directory.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileDescription {
    /// Its path, relative to the node's directory (a template).
    pub path: String,
    /// Its contents (a template).
    pub contents: String,
}

/// How a node shows it is ready: exactly one of these.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "lowercase")]
pub enum ReadyDescription {
    /// Its address (a template, `{addr}`) accepts a TCP connection.
    Tcp(String),
    /// `GET` of its URL (a template, `http://{addr}/health`) answers 200.
    Http(String),
    /// A command run where the node runs exits 0.
    Command(CommandDescription),
}
