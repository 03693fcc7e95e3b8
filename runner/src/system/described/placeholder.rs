//! Templates of a system description: text with `{placeholders}`, parsed once (an unknown
//! placeholder is an error naming it and the ones that exist there) and rendered for a node.
//!
//! `{{` and `}}` are a literal brace. `{peers:PATTERN}` repeats PATTERN for every node,
//! comma-separated, with `<id>`, `<name>`, `<ip>`, `<port>`, `<port+K>`, `<addr>`, `<addr+K>`
//! standing for that node's.

use super::super::NodeSpec;
use faults::NodeId;
use std::collections::BTreeMap;
use std::path::Path;

/// Where a template is used, which decides the placeholders it may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A node's command, files, setup, readiness, primaries and logs: every placeholder.
    Node,
    /// The driver's command: no node's own placeholders (`{dir}`, `{nodes}`, `{option.X}`).
    Driver,
}

/// One placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Slot {
    /// `{id}`: the node's index from 0.
    Id,
    /// `{name}`: its name in rift (`n0`).
    Name,
    /// `{ip}`.
    Ip,
    /// `{port}`, `{port+K}`.
    Port(u16),
    /// `{addr}`, `{addr+K}`: `ip:port`.
    Addr(u16),
    /// `{peers}`: every node's `ip:port`, comma-separated; `{peers:PATTERN}`: PATTERN per node.
    Peers(Vec<Piece>),
    /// `{data_dir}`.
    DataDir,
    /// `{restart}`: `true` on a restart on existing data, else `false`.
    Restart,
    /// `{nodes}`: how many nodes the cluster has.
    Nodes,
    /// `{dir}`: the description file's directory.
    Dir,
    /// `{option.NAME}`: an option's value.
    Option(String),
}

/// A piece of a template: text, or a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Slot(Slot),
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Template {
    pieces: Vec<Piece>,
}

/// What a template is rendered with.
pub struct Values<'a> {
    /// The node (none for the driver's command).
    pub node: Option<&'a NodeSpec>,
    /// How many nodes.
    pub nodes: usize,
    /// The description's directory.
    pub dir: &'a Path,
    /// The options, as text.
    pub options: &'a BTreeMap<String, String>,
}

/// The placeholders of `scope`, for messages.
pub fn known(scope: Scope) -> &'static str {
    match scope {
        Scope::Node => {
            "{id} {name} {ip} {port} {port+K} {addr} {addr+K} {peers} {peers:PATTERN} \
             {data_dir} {restart} {nodes} {dir} {option.NAME}"
        }
        Scope::Driver => "{nodes} {dir} {option.NAME}",
    }
}

/// Why a template could not be parsed, in words naming the placeholder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub String);

impl Template {
    /// Parses `text` for `scope`; `options` are the option names a description declares.
    pub fn parse(
        text: &str,
        scope: Scope,
        options: &BTreeMap<String, String>,
    ) -> Result<Template, TemplateError> {
        let mut pieces = Vec::new();
        let mut text_run = String::new();
        let mut rest = text;
        while let Some(i) = rest.find(['{', '}']) {
            text_run.push_str(&rest[..i]);
            let brace = rest.as_bytes()[i];
            rest = &rest[i..];
            if rest.starts_with("{{") || rest.starts_with("}}") {
                text_run.push(brace as char);
                rest = &rest[2..];
                continue;
            }
            if brace == b'}' {
                return Err(TemplateError(format!(
                    "a lone `}}` in {text:?} (write `}}}}` for a brace)"
                )));
            }
            let end = rest.find('}').ok_or_else(|| {
                TemplateError(format!(
                    "an unclosed `{{` in {text:?} (write `{{{{` for a brace)"
                ))
            })?;
            let slot = slot(&rest[1..end], scope, options)?;
            if !text_run.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut text_run)));
            }
            pieces.push(Piece::Slot(slot));
            rest = &rest[end + 1..];
        }
        text_run.push_str(rest);
        if !text_run.is_empty() {
            pieces.push(Piece::Text(text_run));
        }
        Ok(Template { pieces })
    }

    /// The template with every placeholder filled in.
    pub fn render(&self, values: &Values) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Slot(s) => fill(s, values, values.node, &mut out),
            }
        }
        out
    }
}

/// One placeholder's name, checked against `scope`.
fn slot(
    name: &str,
    scope: Scope,
    options: &BTreeMap<String, String>,
) -> Result<Slot, TemplateError> {
    let unknown = |why: &str| {
        TemplateError(format!(
            "unknown placeholder {{{name}}}{why}; the placeholders here are {}",
            known(scope)
        ))
    };
    if let Some(option) = name.strip_prefix("option.") {
        return if options.contains_key(option) {
            Ok(Slot::Option(option.to_string()))
        } else {
            let declared: Vec<&str> = options.keys().map(String::as_str).collect();
            Err(TemplateError(format!(
                "{{{name}}} names no option of the description's [options] ({})",
                if declared.is_empty() {
                    "it declares none".to_string()
                } else {
                    declared.join(", ")
                }
            )))
        };
    }
    let global = match name {
        "nodes" => Some(Slot::Nodes),
        "dir" => Some(Slot::Dir),
        _ => None,
    };
    if let Some(s) = global {
        return Ok(s);
    }
    if scope == Scope::Driver {
        return Err(unknown(
            " (a driver serves every node: no node's own placeholders)",
        ));
    }
    if let Some(pattern) = name.strip_prefix("peers:") {
        return Ok(Slot::Peers(peer_pattern(pattern).map_err(|w| unknown(&w))?));
    }
    node_slot(name).ok_or_else(|| unknown(""))
}

/// A node's own placeholder (in `{...}` or, in a peers pattern, `<...>`).
fn node_slot(name: &str) -> Option<Slot> {
    let offset = |base: &str| -> Option<u16> {
        match name.strip_prefix(base)? {
            "" => Some(0),
            k => k
                .strip_prefix('+')?
                .parse()
                .ok()
                .filter(|k| *k < super::super::PORTS_PER_NODE),
        }
    };
    Some(match name {
        "id" => Slot::Id,
        "name" => Slot::Name,
        "ip" => Slot::Ip,
        "peers" => Slot::Peers(Vec::new()),
        "data_dir" => Slot::DataDir,
        "restart" => Slot::Restart,
        _ => {
            if let Some(k) = offset("port") {
                Slot::Port(k)
            } else {
                Slot::Addr(offset("addr")?)
            }
        }
    })
}

/// A `{peers:PATTERN}` pattern: text and `<id>`, `<ip>`, `<port+K>`, ... of each node.
fn peer_pattern(pattern: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut rest = pattern;
    while let Some(i) = rest.find('<') {
        if i > 0 {
            pieces.push(Piece::Text(rest[..i].to_string()));
        }
        let end = rest[i..]
            .find('>')
            .ok_or_else(|| format!(" (an unclosed `<` in the pattern {pattern:?})"))?;
        let name = &rest[i + 1..i + end];
        match node_slot(name) {
            Some(s @ (Slot::Id | Slot::Name | Slot::Ip | Slot::Port(_) | Slot::Addr(_))) => {
                pieces.push(Piece::Slot(s))
            }
            _ => {
                return Err(format!(
                    " (<{name}> in its pattern: a peer has <id> <name> <ip> <port> <port+K> \
                     <addr> <addr+K>)"
                ))
            }
        }
        rest = &rest[i + end + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_string()));
    }
    Ok(pieces)
}

/// Appends `slot`'s value for `node` (the node a template is rendered for, or one of its peers).
fn fill(slot: &Slot, values: &Values, node: Option<&NodeSpec>, out: &mut String) {
    use std::fmt::Write;
    let Some(n) = node else {
        // Node placeholders are refused in the driver's scope when parsed.
        match slot {
            Slot::Nodes => out.push_str(&values.nodes.to_string()),
            Slot::Dir => out.push_str(&values.dir.display().to_string()),
            Slot::Option(o) => out.push_str(values.options.get(o).map_or("", String::as_str)),
            _ => {}
        }
        return;
    };
    let _ = match slot {
        Slot::Id => write!(out, "{}", n.id.0),
        Slot::Name => write!(out, "{}", n.id),
        Slot::Ip => write!(out, "{}", n.ip),
        Slot::Port(k) => write!(out, "{}", n.port + k),
        Slot::Addr(k) => write!(out, "{}", n.addr_at(*k)),
        Slot::DataDir => write!(out, "{}", n.data_dir.display()),
        Slot::Restart => write!(out, "{}", n.restart),
        Slot::Nodes | Slot::Dir | Slot::Option(_) => {
            fill(slot, values, None, out);
            Ok(())
        }
        Slot::Peers(pattern) => {
            for (i, addr) in n.peers.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if pattern.is_empty() {
                    let _ = write!(out, "{addr}");
                    continue;
                }
                let peer = NodeSpec {
                    id: NodeId(i),
                    ip: addr.ip(),
                    port: addr.port(),
                    peers: Vec::new(),
                    data_dir: Default::default(),
                    restart: false,
                };
                for piece in pattern {
                    match piece {
                        Piece::Text(t) => out.push_str(t),
                        Piece::Slot(s) => fill(s, values, Some(&peer), out),
                    }
                }
            }
            Ok(())
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr, SocketAddr};
    use std::path::PathBuf;

    fn spec(i: usize) -> NodeSpec {
        let ip = |k: usize| IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2 + k as u8));
        NodeSpec {
            id: NodeId(i),
            ip: ip(i),
            port: 2379,
            peers: (0..3).map(|k| SocketAddr::new(ip(k), 2379)).collect(),
            data_dir: PathBuf::from(format!("/w/n{i}")),
            restart: false,
        }
    }

    fn render(text: &str, scope: Scope) -> Result<String, TemplateError> {
        let options = BTreeMap::from([("read".to_string(), "serializable".to_string())]);
        let node = spec(1);
        let t = Template::parse(text, scope, &options)?;
        Ok(t.render(&Values {
            node: (scope == Scope::Node).then_some(&node),
            nodes: 3,
            dir: Path::new("/etc/kv"),
            options: &options,
        }))
    }

    #[test]
    fn a_nodes_placeholders_are_filled_in() {
        let s = render(
            "{name}@{addr} peer {addr+1} dir {data_dir} {id}/{nodes}",
            Scope::Node,
        );
        assert_eq!(
            s.unwrap(),
            "n1@10.0.0.3:2379 peer 10.0.0.3:2380 dir /w/n1 1/3"
        );
    }

    #[test]
    fn a_peers_pattern_repeats_for_every_node() {
        let s = render("{peers:<name>=http://<ip>:<port+1>}", Scope::Node).unwrap();
        assert_eq!(
            s,
            "n0=http://10.0.0.2:2380,n1=http://10.0.0.3:2380,n2=http://10.0.0.4:2380"
        );
        assert_eq!(
            render("{peers}", Scope::Node).unwrap(),
            "10.0.0.2:2379,10.0.0.3:2379,10.0.0.4:2379"
        );
    }

    #[test]
    fn double_braces_are_literal_braces() {
        assert_eq!(
            render(r#"{{"read": "{option.read}"}}"#, Scope::Node).unwrap(),
            r#"{"read": "serializable"}"#
        );
    }

    #[test]
    fn an_unknown_placeholder_is_named_with_the_known_ones() {
        let e = render("--dir {datadir}", Scope::Node).unwrap_err().0;
        assert!(e.contains("unknown placeholder {datadir}"), "{e}");
        assert!(e.contains("{data_dir}"), "{e}");
        let e = render("{port+10}", Scope::Node).unwrap_err().0;
        assert!(e.contains("{port+10}"), "{e}");
        let e = render("{option.mode}", Scope::Node).unwrap_err().0;
        assert!(e.contains("names no option") && e.contains("read"), "{e}");
        let e = render("{peers:<dir>}", Scope::Node).unwrap_err().0;
        assert!(e.contains("<dir>"), "{e}");
        assert!(render("{oops", Scope::Node)
            .unwrap_err()
            .0
            .contains("unclosed"));
    }

    #[test]
    fn a_driver_has_no_node_of_its_own() {
        let e = render("{addr}", Scope::Driver).unwrap_err().0;
        assert!(e.contains("no node's own placeholders"), "{e}");
        assert_eq!(
            render("{dir}/d.py {nodes}", Scope::Driver).unwrap(),
            "/etc/kv/d.py 3"
        );
    }
}
