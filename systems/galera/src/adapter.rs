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

    /// The joiners start once node 0 has bootstrapped the cluster.
    fn starts_after(&self, node: &NodeSpec) -> Vec<NodeId> {
        if node.id.0 == 0 {
            Vec::new()
        } else {
            vec![NodeId(0)]
        }
    }

    /// Ready when the server answers on its socket with `wsrep_ready` ON, in a primary
    /// component, synced; a joiner's first start also waits until every node is a member.
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
        if node.id.0 != 0 && !node.restart {
            want("wsrep_cluster_size", &node.peers.len().to_string())?;
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
