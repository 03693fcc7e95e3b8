//! A system described by a command-line template, for any program that needs no Rust code:
//! `{id}`, `{ip}`, `{port}`, `{addr}`, `{peers}` (comma-separated) and `{data_dir}` are replaced
//! in each argument.

use super::{Adapter, NodeCommand, NodeSpec, Shell};
use std::net::TcpStream;
use std::time::Duration;

/// How a [`CommandAdapter`]'s node shows it is ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// Ready once started (the cluster still checks that it did not exit).
    Started,
    /// Ready once its address accepts a TCP connection.
    Tcp,
}

/// A system given as a program and an argument template.
#[derive(Debug, Clone)]
pub struct CommandAdapter {
    /// A short name.
    pub name: String,
    /// The program.
    pub program: String,
    /// The argument templates.
    pub args: Vec<String>,
    /// How readiness shows.
    pub readiness: Readiness,
}

impl CommandAdapter {
    /// A system running `program` with `args` (templates), ready as `readiness` says.
    pub fn new(name: &str, program: &str, args: &[&str], readiness: Readiness) -> CommandAdapter {
        CommandAdapter {
            name: name.into(),
            program: program.into(),
            args: args.iter().map(|a| a.to_string()).collect(),
            readiness,
        }
    }

    fn fill(&self, template: &str, node: &NodeSpec) -> String {
        let peers: Vec<String> = node.peers.iter().map(|p| p.to_string()).collect();
        template
            .replace("{id}", &node.id.0.to_string())
            .replace("{ip}", &node.ip.to_string())
            .replace("{port}", &node.port.to_string())
            .replace("{addr}", &node.addr().to_string())
            .replace("{peers}", &peers.join(","))
            .replace("{data_dir}", &node.data_dir.display().to_string())
    }
}

impl Adapter for CommandAdapter {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn command(&self, node: &NodeSpec) -> Result<NodeCommand, String> {
        let args = self.args.iter().map(|a| self.fill(a, node));
        Ok(NodeCommand::new(&self.program, args))
    }

    fn probe(&self, node: &NodeSpec, _shell: &dyn Shell) -> Result<(), String> {
        match self.readiness {
            Readiness::Started => Ok(()),
            Readiness::Tcp => TcpStream::connect_timeout(&node.addr(), Duration::from_millis(200))
                .map(|_| ())
                .map_err(|e| format!("{}: {e}", node.addr())),
        }
    }
}
