//! Partitions as data: a [`Shape`] names a kind of partition, a [`Grudge`] is one resolved
//! partition: for each node, the nodes it cannot hear.

use crate::NodeId;
use rand::seq::SliceRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A resolved partition: each node maps to the nodes whose packets it drops. A node that is not
/// a key hears everyone. Directions are explicit: `a -> {b}` alone is a one-way partition.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Grudge(pub BTreeMap<NodeId, BTreeSet<NodeId>>);

impl Grudge {
    /// A grudge where no node in `a` hears any node in `b` and no node in `b` hears any in `a`.
    pub fn between(a: &[NodeId], b: &[NodeId]) -> Grudge {
        let mut g = Grudge::default();
        for &x in a {
            for &y in b {
                g.drop_from(x, y);
                g.drop_from(y, x);
            }
        }
        g
    }

    /// Makes `node` drop the packets of `from`.
    pub fn drop_from(&mut self, node: NodeId, from: NodeId) {
        if node != from {
            self.0.entry(node).or_default().insert(from);
        }
    }

    /// Whether `node` drops the packets of `from`.
    pub fn drops(&self, node: NodeId, from: NodeId) -> bool {
        self.0.get(&node).is_some_and(|s| s.contains(&from))
    }

    /// The nodes `node` cannot hear.
    pub fn unheard_by(&self, node: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        self.0.get(&node).into_iter().flatten().copied()
    }

    /// Whether the grudge cuts nothing.
    pub fn is_empty(&self) -> bool {
        self.0.values().all(|s| s.is_empty())
    }
}

/// A kind of partition, resolved to a [`Grudge`] over the cluster's nodes with a seeded RNG.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// One random node cut off from all others, both ways.
    IsolateOne,
    /// The nodes in id order cut in two: the first `n/2` against the rest.
    Halves,
    /// The nodes shuffled, then cut in two halves.
    RandomHalves,
    /// The nodes in a random ring; each hears the nodes within a fixed distance of it on the
    /// ring, a majority, and no two nodes hear the same majority. Needs at least 5 nodes.
    MajoritiesRing,
    /// Two halves that cannot hear each other, joined by one bridge node that hears both.
    /// Needs at least 3 nodes.
    Bridge,
    /// One random node whose packets every other node drops, while it still hears them.
    OneWay,
    /// Exactly this grudge.
    Exact(Grudge),
}

impl Shape {
    /// The grudge this shape gives over `nodes`, or why the shape does not fit the cluster.
    pub fn resolve(&self, nodes: &[NodeId], rng: &mut impl Rng) -> Result<Grudge, String> {
        let n = nodes.len();
        let need = |min: usize, what: &str| {
            if n < min {
                Err(format!(
                    "{what} needs at least {min} nodes, the cluster has {n}"
                ))
            } else {
                Ok(())
            }
        };
        let mut shuffled = || {
            let mut v = nodes.to_vec();
            v.shuffle(rng);
            v
        };
        match self {
            Shape::IsolateOne => {
                need(2, "isolating one node")?;
                let one = *nodes.choose(rng).expect("n >= 2");
                let rest: Vec<NodeId> = nodes.iter().copied().filter(|&x| x != one).collect();
                Ok(Grudge::between(&[one], &rest))
            }
            Shape::Halves => {
                need(2, "a partition into halves")?;
                let (a, b) = nodes.split_at(n / 2);
                Ok(Grudge::between(a, b))
            }
            Shape::RandomHalves => {
                need(2, "a partition into random halves")?;
                let v = shuffled();
                let (a, b) = v.split_at(n / 2);
                Ok(Grudge::between(a, b))
            }
            Shape::MajoritiesRing => {
                need(5, "a majorities ring")?;
                Ok(majorities_ring(&shuffled()))
            }
            Shape::Bridge => {
                need(3, "a bridge")?;
                let v = shuffled();
                let (a, rest) = v.split_at((n - 1) / 2);
                let b = &rest[1..];
                Ok(Grudge::between(a, b))
            }
            Shape::OneWay => {
                need(2, "a one-way partition")?;
                let src = *nodes.choose(rng).expect("n >= 2");
                let mut g = Grudge::default();
                for &x in nodes {
                    g.drop_from(x, src);
                }
                Ok(g)
            }
            Shape::Exact(g) => {
                let unknown = g.0.iter().flat_map(|(k, v)| std::iter::once(k).chain(v));
                if let Some(x) = unknown.into_iter().find(|x| !nodes.contains(x)) {
                    return Err(format!(
                        "the grudge names node {x}, which is not in the cluster"
                    ));
                }
                Ok(g.clone())
            }
        }
    }
}

/// Each node on the ring hears the nodes within distance `r` of it, where `2r + 1` is the
/// smallest odd number that is a majority; symmetric, and (with `2r + 1 < n`) every node's
/// majority is its own.
fn majorities_ring(ring: &[NodeId]) -> Grudge {
    let n = ring.len();
    let majority = n / 2 + 1;
    let r = majority / 2; // 2r + 1 >= majority, the smallest such odd window
    let mut g = Grudge::default();
    for i in 0..n {
        for j in 0..n {
            let d = (i + n - j) % n;
            let dist = d.min(n - d);
            if dist > r {
                g.drop_from(ring[i], ring[j]);
            }
        }
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn nodes(n: usize) -> Vec<NodeId> {
        (0..n).map(NodeId).collect()
    }

    fn heard_by(g: &Grudge, all: &[NodeId], x: NodeId) -> BTreeSet<NodeId> {
        all.iter().copied().filter(|&y| !g.drops(x, y)).collect()
    }

    #[test]
    fn isolating_one_cuts_that_node_from_all_others_both_ways() {
        let all = nodes(5);
        let g = Shape::IsolateOne
            .resolve(&all, &mut ChaCha8Rng::seed_from_u64(3))
            .unwrap();
        let isolated: Vec<_> = all
            .iter()
            .filter(|&&x| heard_by(&g, &all, x).len() == 1)
            .collect();
        assert_eq!(isolated.len(), 1);
        let one = *isolated[0];
        for &x in &all {
            if x != one {
                assert!(g.drops(x, one) && g.drops(one, x));
                assert_eq!(heard_by(&g, &all, x).len(), 4);
            }
        }
    }

    #[test]
    fn halves_split_in_id_order() {
        let g = Shape::Halves
            .resolve(&nodes(5), &mut ChaCha8Rng::seed_from_u64(0))
            .unwrap();
        assert_eq!(
            g,
            Grudge::between(&nodes(2), &[NodeId(2), NodeId(3), NodeId(4)])
        );
    }

    #[test]
    fn majorities_ring_gives_every_node_its_own_majority() {
        for n in 5..10 {
            for seed in 0..10 {
                let all = nodes(n);
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                let g = Shape::MajoritiesRing.resolve(&all, &mut rng).unwrap();
                let views: BTreeSet<_> = all.iter().map(|&x| heard_by(&g, &all, x)).collect();
                assert_eq!(views.len(), n, "every view distinct for n={n}");
                for v in &views {
                    assert!(v.len() * 2 > n, "a majority for n={n}: {v:?}");
                }
                for &a in &all {
                    for &b in &all {
                        assert_eq!(g.drops(a, b), g.drops(b, a), "symmetric");
                    }
                }
            }
        }
    }

    #[test]
    fn a_majorities_ring_of_three_is_refused_with_the_reason() {
        let why = Shape::MajoritiesRing.resolve(&nodes(3), &mut ChaCha8Rng::seed_from_u64(0));
        assert_eq!(
            why.unwrap_err(),
            "a majorities ring needs at least 5 nodes, the cluster has 3"
        );
    }

    #[test]
    fn a_bridge_node_hears_both_halves_that_cannot_hear_each_other() {
        for seed in 0..10 {
            let all = nodes(5);
            let g = Shape::Bridge
                .resolve(&all, &mut ChaCha8Rng::seed_from_u64(seed))
                .unwrap();
            let bridges: Vec<_> = all
                .iter()
                .filter(|&&x| heard_by(&g, &all, x).len() == 5)
                .collect();
            assert_eq!(bridges.len(), 1, "{g:?}");
            let cut = all
                .iter()
                .filter(|&&x| heard_by(&g, &all, x).len() < 5)
                .count();
            assert_eq!(cut, 4);
        }
    }

    #[test]
    fn one_way_drops_one_nodes_packets_while_it_still_hears_the_rest() {
        let all = nodes(3);
        let g = Shape::OneWay
            .resolve(&all, &mut ChaCha8Rng::seed_from_u64(5))
            .unwrap();
        let src = all
            .iter()
            .copied()
            .find(|&x| heard_by(&g, &all, x).len() == 3)
            .unwrap();
        for &x in &all {
            assert_eq!(g.drops(x, src), x != src);
            assert!(!g.drops(src, x));
        }
    }

    #[test]
    fn a_grudge_round_trips_through_json() {
        let g = Grudge::between(&[NodeId(0)], &[NodeId(1), NodeId(2)]);
        let text = serde_json::to_string(&Shape::Exact(g.clone())).unwrap();
        assert_eq!(text, r#"{"exact":{"0":[1,2],"1":[0],"2":[0]}}"#);
        assert_eq!(
            serde_json::from_str::<Shape>(&text).unwrap(),
            Shape::Exact(g)
        );
    }
}
