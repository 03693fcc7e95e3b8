//! Galera's node side, a rift [`Adapter`]: node 0 bootstraps the cluster, the others join it
//! once it is ready, and a node is ready when it is a synced member of a primary component.

use crate::node;
use crate::options::GaleraOptions;
use faults::NodeId;
use runner::system::{Adapter, NodeCommand, NodeFile, NodeSpec, Shell};
use std::collections::BTreeMap;
use std::time::Duration;

/// How long one readiness query may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// The wsrep status variables readiness looks at.
const STATUS: &str = "SHOW GLOBAL STATUS WHERE Variable_name IN \
     ('wsrep_ready', 'wsrep_cluster_status', 'wsrep_local_state_comment', 'wsrep_cluster_size')";

/// Three MariaDB servers replicating through Galera, with `options` in their configuration.
#[derive(Debug, Clone, Default)]
pub struct GaleraAdapter {
    /// The options every node's configuration file carries.
    pub options: GaleraOptions,
}

impl Adapter for GaleraAdapter {
    fn name(&self) -> String {
        "galera".into()
    }

    fn port(&self) -> u16 {
        3306
    }

    fn command(&self, node: &NodeSpec) -> Result<NodeCommand, String> {
        Ok(node::command(node))
    }

    fn files(&self, node: &NodeSpec) -> Result<Vec<NodeFile>, String> {
        Ok(node::files(node, &self.options))
    }

    fn setup(&self, node: &NodeSpec) -> Result<Vec<NodeCommand>, String> {
        Ok(node::setup(node))
    }

    /// One after the other: node 0 bootstraps the cluster, then each joins once the one before
    /// it is a synced member (a member sends one snapshot at a time, and a joiner waiting for
    /// another's would use up its own ready timeout).
    fn starts_after(&self, node: &NodeSpec) -> Vec<NodeId> {
        match node.id.0 {
            0 => Vec::new(),
            i => vec![NodeId(i - 1)],
        }
    }

    /// Ready when the server answers on its socket with `wsrep_ready` ON, in a primary
    /// component, synced; node `i`'s first start also waits until the cluster has at least
    /// `i + 1` members (itself and those started before it).
    fn probe(&self, node: &NodeSpec, shell: &dyn Shell) -> Result<(), String> {
        let out = shell.run(node.id, &node::query(node, STATUS), PROBE_TIMEOUT)?;
        if !out.success {
            return Err(format!("{}: {}", out.status, out.stderr.trim()));
        }
        let status = parse_status(&out.stdout);
        let get = |k: &str| status.get(k).map(String::as_str).unwrap_or("(absent)");
        let want = |k: &str, v: &str| {
            if get(k) == v {
                Ok(())
            } else {
                Err(format!("{k} is {}, not {v}", get(k)))
            }
        };
        want("wsrep_ready", "ON")?;
        want("wsrep_cluster_status", "Primary")?;
        want("wsrep_local_state_comment", "Synced")?;
        let size: usize = get("wsrep_cluster_size").parse().unwrap_or(0);
        if !node.restart && size <= node.id.0 {
            return Err(format!(
                "wsrep_cluster_size is {size}, not yet {} or more",
                node.id.0 + 1
            ));
        }
        Ok(())
    }
}

/// `name\tvalue` lines as a map.
fn parse_status(out: &str) -> BTreeMap<String, String> {
    out.lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_are_read_as_name_and_value() {
        let s = parse_status("wsrep_ready\tON\nwsrep_cluster_size\t3\n");
        assert_eq!(s["wsrep_ready"], "ON");
        assert_eq!(s["wsrep_cluster_size"], "3");
    }
}
