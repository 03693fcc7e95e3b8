//! The local backend's network: a bridge in a namespace of the run's own, one namespace per node
//! on it, and a veth from the root namespace so rift's clients reach every node. Nothing of the
//! host's own firewall or interfaces is touched: the only root-namespace change is the run's
//! veth, whose address brings the route to the run's subnet.

use super::at_once::at_once;
use super::{Names, RunId, Subnet};
use crate::RunError;
use faults::iptables::RuleSet;
use faults::NodeId;
use std::process::Command;

/// Runs `ip` with `args`.
fn ip(args: &[&str]) -> Result<(), RunError> {
    faults::run_command(Command::new("ip").args(args), None)?;
    Ok(())
}

/// The subnet to use: the configured one, or the run's default, skipping any subnet that
/// overlaps a route the host already has (bounded: 64 candidates).
pub fn choose_subnet(
    id: &RunId,
    configured: Option<Subnet>,
    nodes: usize,
) -> Result<Subnet, RunError> {
    let routed = routed_subnets();
    let fits = |s: &Subnet| !routed.iter().any(|r| r.overlaps(s));
    let subnet = match configured {
        Some(s) if fits(&s) => s,
        Some(s) => {
            return Err(RunError::Cluster(format!(
                "subnet {s} overlaps a route the host already has"
            )))
        }
        None => (0..64)
            .map(|attempt| Subnet::for_run(id, attempt))
            .find(fits)
            .ok_or_else(|| {
                RunError::Cluster("no free /24 in 10.128.0.0/9 after 64 tries".into())
            })?,
    };
    if nodes > subnet.capacity() {
        return Err(RunError::Cluster(format!(
            "{nodes} nodes do not fit in {subnet}"
        )));
    }
    Ok(subnet)
}

/// The destinations of the root namespace's IPv4 routes (the default route excluded).
fn routed_subnets() -> Vec<Subnet> {
    let Ok(out) = Command::new("ip")
        .args(["-4", "route", "show", "table", "all"])
        .output()
    else {
        return Vec::new();
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let dst = l
                .split_whitespace()
                .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))?;
            let dst = if dst.contains('/') {
                dst.to_string()
            } else {
                format!("{dst}/32")
            };
            let (ip, len) = dst.split_once('/')?;
            let prefix: u8 = len.parse().ok()?;
            Some(Subnet {
                base: ip.parse().ok()?,
                prefix,
            })
        })
        .collect()
}

/// Creates the bridge namespace, the bridge and the root namespace's veth into it.
pub fn create_bridge(names: &Names, subnet: &Subnet) -> Result<(), RunError> {
    let br_ns = names.bridge_namespace();
    let (bridge, host, gateway) = (names.bridge(), names.host_link(), names.gateway_link());
    let host_addr = format!("{}/{}", subnet.host(), subnet.prefix);
    ip(&["netns", "add", &br_ns])?;
    ip(&["-n", &br_ns, "link", "add", &bridge, "type", "bridge"])?;
    ip(&["-n", &br_ns, "link", "set", &bridge, "up"])?;
    ip(&[
        "link", "add", &host, "type", "veth", "peer", "name", &gateway, "netns", &br_ns,
    ])?;
    ip(&["addr", "add", &host_addr, "dev", &host])?;
    ip(&["link", "set", &host, "up"])?;
    ip(&[
        "-n", &br_ns, "link", "set", &gateway, "master", &bridge, "up",
    ])
}

/// Creates node `n`'s namespace, its veth onto the bridge, its address and rift's empty iptables
/// chain in it.
pub fn create_node(
    names: &Names,
    subnet: &Subnet,
    rules: &RuleSet,
    n: NodeId,
) -> Result<(), RunError> {
    let (br_ns, ns) = (names.bridge_namespace(), names.node_namespace(n));
    let (port, link) = (names.port_link(n), names.node_link(n));
    let addr = format!("{}/{}", subnet.node(n), subnet.prefix);
    ip(&["netns", "add", &ns])?;
    ip(&["-n", &ns, "link", "set", "lo", "up"])?;
    ip(&[
        "-n", &br_ns, "link", "add", &port, "type", "veth", "peer", "name", &link, "netns", &ns,
    ])?;
    ip(&[
        "-n",
        &br_ns,
        "link",
        "set",
        &port,
        "master",
        &names.bridge(),
        "up",
    ])?;
    ip(&["-n", &ns, "addr", "add", &addr, "dev", &link])?;
    ip(&["-n", &ns, "link", "set", &link, "up"])?;
    faults::iptables::restore(&ns, &rules.setup_script())?;
    Ok(())
}

/// Creates every node's namespace, one thread per node.
pub fn create_nodes(
    names: &Names,
    subnet: &Subnet,
    rules: &RuleSet,
    count: usize,
) -> Result<(), RunError> {
    at_once(0..count, |i| create_node(names, subnet, rules, NodeId(i)))
        .into_iter()
        .collect()
}

/// Why the local backend cannot run here, or `None` if it can.
pub fn local_unavailable() -> Option<String> {
    if !nix::unistd::geteuid().is_root() {
        return Some("rift is not root: network namespaces and iptables need root (or CAP_NET_ADMIN and CAP_SYS_ADMIN)".into());
    }
    if Command::new("ip")
        .arg("-V")
        .output()
        .map(|o| !o.status.success())
        .unwrap_or(true)
    {
        return Some("the ip command (iproute2) cannot be run".into());
    }
    faults::iptables::available().err()
}
