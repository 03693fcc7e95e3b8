//! Which nodes a fault hits, as data, resolved to concrete nodes with a seeded RNG.

use crate::NodeId;
use rand::seq::SliceRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The nodes a fault is aimed at, before resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// One node chosen at random.
    One,
    /// A random minority: the largest set smaller than half (at least one node).
    Minority,
    /// A random majority: the smallest set larger than half.
    Majority,
    /// Every node.
    All,
    /// The nodes the system under test names as primaries (leaders); only where the adapter can tell.
    Primaries,
    /// Exactly these nodes.
    Nodes(Vec<NodeId>),
}

impl Target {
    /// The concrete nodes, sorted, drawn from `nodes` with `rng`; `primaries` is what the system
    /// under test reports, if it can tell. Returns why not when the target cannot be resolved.
    pub fn resolve(
        &self,
        nodes: &[NodeId],
        primaries: Option<&[NodeId]>,
        rng: &mut impl Rng,
    ) -> Result<Vec<NodeId>, String> {
        let n = nodes.len();
        let mut picked: Vec<NodeId> = match self {
            Target::One => pick(nodes, 1, rng),
            Target::Minority => pick(nodes, ((n.saturating_sub(1)) / 2).max(1), rng),
            Target::Majority => pick(nodes, n / 2 + 1, rng),
            Target::All => nodes.to_vec(),
            Target::Primaries => match primaries {
                Some(p) if !p.is_empty() => p.to_vec(),
                Some(_) => return Err("the system under test reports no primary now".into()),
                None => {
                    return Err("the system under test cannot tell which node is primary".into())
                }
            },
            Target::Nodes(named) => {
                if let Some(missing) = named.iter().find(|x| !nodes.contains(x)) {
                    return Err(format!("node {missing} is not in the cluster"));
                }
                named.clone()
            }
        };
        if n == 0 {
            return Err("the cluster has no nodes".into());
        }
        picked.sort();
        picked.dedup();
        Ok(picked)
    }
}

fn pick(nodes: &[NodeId], count: usize, rng: &mut impl Rng) -> Vec<NodeId> {
    nodes
        .choose_multiple(rng, count.min(nodes.len()))
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn five() -> Vec<NodeId> {
        (0..5).map(NodeId).collect()
    }

    #[test]
    fn minority_and_majority_have_the_sizes_their_names_promise() {
        for seed in 0..20 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            for n in 1..8 {
                let nodes: Vec<NodeId> = (0..n).map(NodeId).collect();
                let min = Target::Minority.resolve(&nodes, None, &mut rng).unwrap();
                let maj = Target::Majority.resolve(&nodes, None, &mut rng).unwrap();
                assert!(min.len() * 2 < n || n <= 2, "minority {min:?} of {n}");
                assert!(!min.is_empty());
                assert!(maj.len() * 2 > n, "majority {maj:?} of {n}");
            }
        }
    }

    #[test]
    fn the_same_seed_resolves_the_same_nodes() {
        let a = Target::Majority.resolve(&five(), None, &mut ChaCha8Rng::seed_from_u64(7));
        let b = Target::Majority.resolve(&five(), None, &mut ChaCha8Rng::seed_from_u64(7));
        assert_eq!(a, b);
    }

    #[test]
    fn primaries_unknown_to_the_adapter_cannot_be_resolved() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let why = Target::Primaries
            .resolve(&five(), None, &mut rng)
            .unwrap_err();
        assert!(why.contains("cannot tell"), "{why}");
        let p = [NodeId(3)];
        assert_eq!(
            Target::Primaries
                .resolve(&five(), Some(&p), &mut rng)
                .unwrap(),
            p
        );
    }

    #[test]
    fn named_nodes_outside_the_cluster_are_refused() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let why = Target::Nodes(vec![NodeId(9)])
            .resolve(&five(), None, &mut rng)
            .unwrap_err();
        assert_eq!(why, "node n9 is not in the cluster");
    }
}
