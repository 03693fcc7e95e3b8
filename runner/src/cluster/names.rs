//! The names and addresses of one run's network: namespaces, links, the subnet. Every name
//! carries the run id; link names stay within Linux's 15 characters.
//!
//! ```text
//! root namespace            rift-<id>-br (bridge namespace)        rift-<id>-n<i> (node i)
//! rf<id>h 10.x.y.1/24 <-veth-> rf<id>g -- bridge rf<id>b -- rf<id>p<i> <-veth-> rf<id>n<i> 10.x.y.(10+i)/24
//! ```

use super::RunId;
use faults::NodeId;
use std::net::Ipv4Addr;

/// The names of one run's namespaces and links.
#[derive(Debug, Clone)]
pub struct Names {
    id: RunId,
}

impl Names {
    /// The names of run `id`.
    pub fn new(id: &RunId) -> Names {
        Names { id: id.clone() }
    }

    /// The prefix of every namespace of the run.
    pub fn namespace_prefix(&self) -> String {
        format!("rift-{}-", self.id)
    }

    /// The namespace holding the bridge.
    pub fn bridge_namespace(&self) -> String {
        format!("rift-{}-br", self.id)
    }

    /// Node `n`'s namespace.
    pub fn node_namespace(&self, n: NodeId) -> String {
        format!("rift-{}-n{}", self.id, n.0)
    }

    /// The bridge (in the bridge namespace).
    pub fn bridge(&self) -> String {
        format!("rf{}b", self.id)
    }

    /// The root namespace's end of the veth into the bridge namespace.
    pub fn host_link(&self) -> String {
        format!("rf{}h", self.id)
    }

    /// The bridge namespace's end of the host veth.
    pub fn gateway_link(&self) -> String {
        format!("rf{}g", self.id)
    }

    /// Node `n`'s end of its veth (in its namespace).
    pub fn node_link(&self, n: NodeId) -> String {
        format!("rf{}n{}", self.id, n.0)
    }

    /// The bridge's end of node `n`'s veth.
    pub fn port_link(&self, n: NodeId) -> String {
        format!("rf{}p{}", self.id, n.0)
    }
}

/// The run id in a root-namespace link name made by [`Names::host_link`], if it is one.
pub fn run_of_host_link(name: &str) -> Option<RunId> {
    let id = name.strip_prefix("rf")?.strip_suffix('h')?;
    RunId::parse(id).ok()
}

/// The run id in a namespace name made by [`Names`], if it is one.
pub fn run_of_namespace(name: &str) -> Option<RunId> {
    let rest = name.strip_prefix("rift-")?;
    let (id, _) = rest.split_once('-')?;
    RunId::parse(id).ok()
}

/// An IPv4 subnet: the root namespace's address is `.1`, node `i`'s is `.(10 + i)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Subnet {
    /// The network address.
    pub base: Ipv4Addr,
    /// The prefix length (8 to 24).
    pub prefix: u8,
}

impl Subnet {
    /// The subnet in `text`, e.g. `10.77.3.0/24`.
    pub fn parse(text: &str) -> Result<Subnet, String> {
        let (ip, len) = text
            .split_once('/')
            .ok_or_else(|| format!("{text:?} is not ADDRESS/PREFIX"))?;
        let base: Ipv4Addr = ip.parse().map_err(|e| format!("{ip:?}: {e}"))?;
        let prefix: u8 = len.parse().map_err(|e| format!("{len:?}: {e}"))?;
        if !(8..=24).contains(&prefix) {
            return Err(format!("the prefix must be 8 to 24, not {prefix}"));
        }
        let mask = u32::MAX << (32 - prefix);
        Ok(Subnet {
            base: Ipv4Addr::from(u32::from(base) & mask),
            prefix,
        })
    }

    /// The most nodes a run's default subnet (a /24) holds.
    pub const MAX_NODES: usize = Subnet::capacity_of(24);

    /// The default subnet of a run: a /24 in 10.128.0.0/9 chosen by the run id.
    pub fn for_run(id: &RunId, attempt: u32) -> Subnet {
        let n = id.number().wrapping_add(attempt.wrapping_mul(7919)) % (128 * 256);
        Subnet {
            base: Ipv4Addr::new(10, 128 + (n / 256) as u8, (n % 256) as u8, 0),
            prefix: 24,
        }
    }

    /// The root namespace's address.
    pub fn host(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.base) + 1)
    }

    /// Node `n`'s address.
    pub fn node(&self, n: NodeId) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.base) + 10 + n.0 as u32)
    }

    /// How many nodes fit.
    pub fn capacity(&self) -> usize {
        Subnet::capacity_of(self.prefix)
    }

    /// How many nodes fit in a subnet of `prefix` bits: all its addresses but the network's, the
    /// host's, eight kept free below the nodes', and the broadcast address.
    pub const fn capacity_of(prefix: u8) -> usize {
        (1usize << (32 - prefix)) - 12
    }

    /// Whether this subnet and `other` share an address.
    pub fn overlaps(&self, other: &Subnet) -> bool {
        let p = self.prefix.min(other.prefix);
        let mask = u32::MAX.checked_shl(32 - p as u32).unwrap_or(0);
        u32::from(self.base) & mask == u32::from(other.base) & mask
    }
}

impl std::fmt::Display for Subnet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.base, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_names_fit_in_fifteen_characters_and_carry_the_run_id() {
        let id = RunId::parse("0123abcd").unwrap();
        let names = Names::new(&id);
        for name in [
            names.bridge(),
            names.host_link(),
            names.gateway_link(),
            names.node_link(NodeId(999)),
            names.port_link(NodeId(999)),
        ] {
            assert!(name.len() <= 15, "{name}");
            assert!(name.contains("0123abcd"), "{name}");
        }
        assert_eq!(run_of_host_link(&names.host_link()), Some(id.clone()));
        assert_eq!(run_of_namespace(&names.node_namespace(NodeId(3))), Some(id));
        assert_eq!(run_of_host_link("eth0"), None);
    }

    #[test]
    fn subnets_parse_and_overlap_as_networks_do() {
        let a = Subnet::parse("10.1.2.7/24").unwrap();
        assert_eq!(a.to_string(), "10.1.2.0/24");
        assert_eq!(a.node(NodeId(2)), Ipv4Addr::new(10, 1, 2, 12));
        assert!(a.overlaps(&Subnet::parse("10.0.0.0/8").unwrap()));
        assert!(!a.overlaps(&Subnet::parse("10.1.3.0/24").unwrap()));
        assert!(Subnet::parse("10.0.0.0/30").is_err());
    }
}
