//! The nemesis options.

use crate::RunError;
use faults::{FaultKind, NodeId, Shape, Target};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// The nemesis options: which faults, how often, against which nodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NemesisConfig {
    /// The kinds of fault drawn from, uniformly (pause, kill, partition, packet_loss, clock);
    /// empty: no faults.
    pub faults: Vec<FaultKind>,
    /// Mean seconds between nemesis steps: a fault starts, lasts about this long, ends, and the
    /// cluster stays healthy about this long before the next one. Each gap is jittered uniformly
    /// in [0.5, 1.5] of the mean.
    pub interval_s: f64,
    /// Targets drawn from, uniformly, for pause, kill, packet-loss and clock faults (one,
    /// minority, majority, all, primaries, {nodes = [..]}).
    pub targets: Vec<Target>,
    /// Partition shapes drawn from, uniformly (isolate_one, halves, random_halves,
    /// majorities_ring, bridge, one_way).
    pub partitions: Vec<Shape>,
    /// Largest clock offset in ms; each offset is drawn in [max/2, max] with a random sign.
    pub clock_offset_ms: u64,
    /// The probability a packet is dropped under a packet-loss fault.
    pub packet_loss: f64,
}

impl Default for NemesisConfig {
    fn default() -> Self {
        NemesisConfig {
            faults: vec![FaultKind::Partition, FaultKind::Pause],
            interval_s: 3.0,
            targets: vec![Target::One, Target::Minority],
            partitions: vec![Shape::IsolateOne, Shape::RandomHalves],
            clock_offset_ms: 10_000,
            packet_loss: 0.5,
        }
    }
}

impl NemesisConfig {
    /// No faults at all.
    pub fn none() -> NemesisConfig {
        NemesisConfig {
            faults: vec![],
            ..NemesisConfig::default()
        }
    }

    /// Checks the options against a cluster of `nodes` nodes.
    pub fn validate(&self, nodes: usize) -> Result<(), RunError> {
        if self.faults.is_empty() {
            return Ok(());
        }
        if !(self.interval_s.is_finite() && self.interval_s > 0.0) {
            return Err(RunError::Interval(self.interval_s));
        }
        let ids: Vec<NodeId> = (0..nodes).map(NodeId).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        for &fault in &self.faults {
            if fault == FaultKind::Partition {
                if self.partitions.is_empty() {
                    return Err(RunError::NothingToFault {
                        fault,
                        what: "partition shape",
                    });
                }
                for s in &self.partitions {
                    s.resolve(&ids, &mut rng)
                        .map_err(|reason| RunError::DoesNotFit {
                            what: "partition shape",
                            value: json(s),
                            nodes,
                            reason,
                        })?;
                }
            } else if self.targets.is_empty() {
                return Err(RunError::NothingToFault {
                    fault,
                    what: "target",
                });
            }
            if fault == FaultKind::PacketLoss
                && !(self.packet_loss > 0.0 && self.packet_loss <= 1.0)
            {
                return Err(RunError::PacketLoss(self.packet_loss));
            }
        }
        for t in &self.targets {
            if *t == Target::Primaries {
                continue; // resolved when applied, where the adapter can tell
            }
            t.resolve(&ids, None, &mut rng)
                .map_err(|reason| RunError::DoesNotFit {
                    what: "target",
                    value: json(t),
                    nodes,
                    reason,
                })?;
        }
        Ok(())
    }

    /// A short description, e.g. "partition+pause every 3s".
    pub fn describe(&self) -> String {
        if self.faults.is_empty() {
            return "none".to_string();
        }
        let kinds: Vec<String> = self
            .faults
            .iter()
            .map(|f| json(f).trim_matches('"').to_string())
            .collect();
        format!("{} every {}s", kinds.join("+"), self.interval_s)
    }
}

/// A value as compact JSON, for messages.
fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_majorities_ring_on_three_nodes_is_refused_with_the_reason() {
        let c = NemesisConfig {
            partitions: vec![Shape::MajoritiesRing],
            ..NemesisConfig::default()
        };
        let e = c.validate(3).unwrap_err().to_string();
        assert!(
            e.contains("majorities_ring") && e.contains("at least 5"),
            "{e}"
        );
        assert!(c.validate(5).is_ok());
    }

    #[test]
    fn a_zero_interval_is_refused() {
        let c = NemesisConfig {
            interval_s: 0.0,
            ..NemesisConfig::default()
        };
        assert!(matches!(c.validate(3), Err(RunError::Interval(i)) if i == 0.0));
    }

    #[test]
    fn the_config_reads_from_toml() {
        let c: NemesisConfig = toml::from_str(
            "faults = [\"kill\", \"clock\"]\ninterval_s = 2\ntargets = [\"one\", {nodes = [0, 2]}]\n",
        )
        .unwrap();
        assert_eq!(c.faults, vec![FaultKind::Kill, FaultKind::Clock]);
        assert_eq!(c.targets[1], Target::Nodes(vec![NodeId(0), NodeId(2)]));
        assert_eq!(c.describe(), "kill+clock every 2s");
    }
}
