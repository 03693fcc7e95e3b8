//! The node side of a described system: its templates, parsed when the description is loaded,
//! rendered for each node into the [`Adapter`] the cluster runs.

use super::description::{CommandDescription, Description, ReadyDescription};
use super::placeholder::{Scope, Template, TemplateError, Values};
use crate::system::{Adapter, NodeCommand, NodeFile, NodeSpec, Shell};
use faults::NodeId;
use nix::sys::signal::Signal;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// How long one readiness or primary question may take.
const PROBE_TIMEOUT: Duration = Duration::from_millis(500);

/// A command's templates.
#[derive(Debug, Clone)]
pub struct CommandTemplate {
    program: Template,
    args: Vec<Template>,
    env: Vec<(String, Template)>,
}

/// How readiness shows, with its templates.
#[derive(Debug, Clone)]
enum Ready {
    Tcp(Template),
    Http(Template),
    Command(CommandTemplate),
}

/// A described system's node side, for one set of options.
#[derive(Debug, Clone)]
pub struct DescribedAdapter {
    name: String,
    port: u16,
    dir: PathBuf,
    options: BTreeMap<String, String>,
    command: CommandTemplate,
    restart_args: Option<Vec<Template>>,
    user: Option<String>,
    files: Vec<(Template, Template)>,
    setup: Vec<CommandTemplate>,
    ready: Ready,
    primary: Option<CommandTemplate>,
    logs: Vec<Template>,
    stop_signal: Signal,
}

/// Parses the templates of `field` (a name for messages, e.g. `node.args`).
pub fn templates(
    field: &str,
    texts: &[String],
    scope: Scope,
    options: &BTreeMap<String, String>,
) -> Result<Vec<Template>, String> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| parse(&format!("{field}[{i}]"), t, scope, options))
        .collect()
}

/// Parses one template of `field`.
pub fn parse(
    field: &str,
    text: &str,
    scope: Scope,
    options: &BTreeMap<String, String>,
) -> Result<Template, String> {
    Template::parse(text, scope, options).map_err(|TemplateError(e)| format!("{field}: {e}"))
}

impl CommandTemplate {
    /// Parses `c`'s templates; `field` names it in messages.
    pub fn parse(
        field: &str,
        c: &CommandDescription,
        scope: Scope,
        options: &BTreeMap<String, String>,
    ) -> Result<CommandTemplate, String> {
        let env = c
            .env
            .iter()
            .map(|(k, v)| {
                Ok((
                    k.clone(),
                    parse(&format!("{field}.env.{k}"), v, scope, options)?,
                ))
            })
            .collect::<Result<_, String>>()?;
        Ok(CommandTemplate {
            program: parse(&format!("{field}.program"), &c.program, scope, options)?,
            args: templates(&format!("{field}.args"), &c.args, scope, options)?,
            env,
        })
    }

    /// The command rendered with `values`, as `user`.
    pub fn render(&self, values: &Values, user: Option<&String>) -> NodeCommand {
        NodeCommand {
            program: self.program.render(values).into(),
            args: self.args.iter().map(|a| a.render(values)).collect(),
            env: self
                .env
                .iter()
                .map(|(k, v)| (k.clone(), v.render(values)))
                .collect(),
            user: user.cloned(),
        }
    }
}

impl DescribedAdapter {
    /// The node side of `d` (found in `dir`) with `options` (as text), every template parsed.
    pub fn new(
        d: &Description,
        dir: PathBuf,
        options: BTreeMap<String, String>,
    ) -> Result<DescribedAdapter, String> {
        let n = &d.node;
        let o = &options;
        let node = Scope::Node;
        let command = CommandDescription {
            program: n.program.clone(),
            args: n.args.clone(),
            env: n.env.clone(),
        };
        let files = n
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let field = format!("node.files[{i}]");
                Ok((
                    parse(&format!("{field}.path"), &f.path, node, o)?,
                    parse(&format!("{field}.contents"), &f.contents, node, o)?,
                ))
            })
            .collect::<Result<_, String>>()?;
        let setup = n
            .setup
            .iter()
            .enumerate()
            .map(|(i, c)| CommandTemplate::parse(&format!("node.setup[{i}]"), c, node, o))
            .collect::<Result<_, String>>()?;
        let ready = match &n.ready {
            ReadyDescription::Tcp(t) => Ready::Tcp(parse("node.ready.tcp", t, node, o)?),
            ReadyDescription::Http(t) => Ready::Http(parse("node.ready.http", t, node, o)?),
            ReadyDescription::Command(c) => {
                Ready::Command(CommandTemplate::parse("node.ready.command", c, node, o)?)
            }
        };
        let stop_signal = match &n.stop_signal {
            None => Signal::SIGTERM,
            Some(s) => Signal::from_str(s).map_err(|_| {
                format!("node.stop_signal: {s:?} is not a signal's name (SIGTERM, SIGINT, SIGQUIT, ...)")
            })?,
        };
        Ok(DescribedAdapter {
            name: d.name.clone(),
            port: d.port.unwrap_or(7000),
            command: CommandTemplate::parse("node", &command, node, o)?,
            restart_args: n
                .restart_args
                .as_ref()
                .map(|a| templates("node.restart_args", a, node, o))
                .transpose()?,
            user: n.user.clone(),
            files,
            setup,
            ready,
            primary: n
                .primary
                .as_ref()
                .map(|c| CommandTemplate::parse("node.primary", c, node, o))
                .transpose()?,
            logs: templates("node.logs", &n.logs, node, o)?,
            stop_signal,
            dir,
            options,
        })
    }

    fn values<'a>(&'a self, node: &'a NodeSpec) -> Values<'a> {
        Values {
            node: Some(node),
            nodes: node.peers.len(),
            dir: &self.dir,
            options: &self.options,
        }
    }
}

impl Adapter for DescribedAdapter {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn port(&self) -> u16 {
        self.port
    }

    fn command(&self, node: &NodeSpec) -> Result<NodeCommand, String> {
        let values = self.values(node);
        let mut command = self.command.render(&values, self.user.as_ref());
        if let (true, Some(args)) = (node.restart, &self.restart_args) {
            command.args = args.iter().map(|a| a.render(&values)).collect();
        }
        Ok(command)
    }

    fn files(&self, node: &NodeSpec) -> Result<Vec<NodeFile>, String> {
        let values = self.values(node);
        Ok(self
            .files
            .iter()
            .map(|(path, contents)| NodeFile {
                path: path.render(&values).into(),
                contents: contents.render(&values),
            })
            .collect())
    }

    fn setup(&self, node: &NodeSpec) -> Result<Vec<NodeCommand>, String> {
        let values = self.values(node);
        Ok(self
            .setup
            .iter()
            .map(|c| c.render(&values, self.user.as_ref()))
            .collect())
    }

    fn probe(&self, node: &NodeSpec, shell: &dyn Shell) -> Result<(), String> {
        let values = self.values(node);
        match &self.ready {
            Ready::Tcp(t) => {
                let text = t.render(&values);
                let addr: SocketAddr = text
                    .parse()
                    .map_err(|e| format!("node.ready.tcp: {text:?} is not ip:port: {e}"))?;
                TcpStream::connect_timeout(&addr, PROBE_TIMEOUT)
                    .map(|_| ())
                    .map_err(|e| format!("{addr}: {e}"))
            }
            Ready::Http(t) => http_ok(&t.render(&values)),
            Ready::Command(c) => exits_zero(shell, node.id, &c.render(&values, self.user.as_ref())),
        }
    }

    fn stop_signal(&self) -> Signal {
        self.stop_signal
    }

    fn primaries(&self, nodes: &[NodeSpec], shell: &dyn Shell) -> Option<Vec<NodeId>> {
        let primary = self.primary.as_ref()?;
        let found: Vec<NodeId> = nodes
            .iter()
            .filter(|n| {
                let c = primary.render(&self.values(n), self.user.as_ref());
                exits_zero(shell, n.id, &c).is_ok()
            })
            .map(|n| n.id)
            .collect();
        (!found.is_empty()).then_some(found)
    }

    fn log_files(&self, node: &NodeSpec) -> Vec<PathBuf> {
        let values = self.values(node);
        self.logs.iter().map(|l| l.render(&values).into()).collect()
    }
}

/// `Ok` when `command` exits 0 where `node` runs, within [`PROBE_TIMEOUT`] (a command may take
/// longer to start: 4 times that).
fn exits_zero(shell: &dyn Shell, node: NodeId, command: &NodeCommand) -> Result<(), String> {
    let out = shell.run(node, command, PROBE_TIMEOUT * 4)?;
    if out.success {
        Ok(())
    } else {
        Err(format!(
            "`{}`: {}: {}",
            command.line(),
            out.status,
            out.stderr.trim()
        ))
    }
}

/// `Ok` when `GET url` (plain `http://host:port/path`) answers 200 within [`PROBE_TIMEOUT`].
fn http_ok(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("node.ready.http: {url:?} is not an http:// URL"))?;
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let addr: SocketAddr = host
        .parse()
        .map_err(|e| format!("node.ready.http: {host:?} in {url:?} is not ip:port: {e}"))?;
    let io = |e: std::io::Error| format!("{url}: {e}");
    let mut s = TcpStream::connect_timeout(&addr, PROBE_TIMEOUT).map_err(io)?;
    s.set_read_timeout(Some(PROBE_TIMEOUT)).map_err(io)?;
    s.set_write_timeout(Some(PROBE_TIMEOUT)).map_err(io)?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").map_err(io)?;
    let mut answer = String::new();
    let _ = s.take(64 << 10).read_to_string(&mut answer);
    let status = answer.split_whitespace().nth(1).unwrap_or("no answer");
    if status == "200" {
        Ok(())
    } else {
        Err(format!("{url}: HTTP {status}"))
    }
}
