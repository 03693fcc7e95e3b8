//! The faults rift can inject, as serialisable values.

use crate::{Shape, Target};
use serde::{Deserialize, Serialize};

/// One fault, as data: what to do and to which nodes. Targets and partition shapes are resolved
/// to concrete nodes when the fault is applied (see [`Injector`](crate::Injector)), and the
/// resolution is recorded, so a seed and a recorded schedule replay the same faults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "fault", rename_all = "snake_case")]
pub enum Fault {
    /// SIGSTOP the process group of each targeted node.
    Pause {
        /// The nodes.
        target: Target,
    },
    /// SIGCONT the process group of each targeted node.
    Resume {
        /// The nodes.
        target: Target,
    },
    /// SIGKILL each targeted node.
    Kill {
        /// The nodes.
        target: Target,
    },
    /// Start each targeted (killed) node again on the same data directory.
    Restart {
        /// The nodes.
        target: Target,
    },
    /// Cut the network as the shape says, replacing any partition in force.
    Partition {
        /// The partition's shape.
        shape: Shape,
    },
    /// Remove every partition and packet loss rift installed.
    Heal,
    /// Drop packets between each targeted node and every other node at random, each way, with
    /// probability `probability` (iptables' statistic match).
    PacketLoss {
        /// The nodes whose traffic is lossy.
        target: Target,
        /// The probability that a packet is dropped, in (0, 1].
        probability: f64,
    },
    /// Shift each targeted node's wall clock by `delta_ms` more (negative goes back).
    ClockBump {
        /// The nodes.
        target: Target,
        /// The shift, in milliseconds, added to the node's current offset.
        delta_ms: i64,
    },
    /// Flip each targeted node's wall clock between its offset and its offset plus `delta_ms`,
    /// every `period_ms`, for `duration_ms`; then leave it at its offset.
    ClockStrobe {
        /// The nodes.
        target: Target,
        /// The size of each jump, in milliseconds.
        delta_ms: i64,
        /// The time between jumps, in milliseconds.
        period_ms: u64,
        /// How long the strobe lasts, in milliseconds.
        duration_ms: u64,
    },
    /// Set each targeted node's wall-clock offset back to zero.
    ClockReset {
        /// The nodes.
        target: Target,
    },
}

impl Fault {
    /// The fault's name as a history's nemesis ops record it (`f`) and reports show it
    /// (`pause`, `packet-loss`, `clock-bump`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Fault::Pause { .. } => "pause",
            Fault::Resume { .. } => "resume",
            Fault::Kill { .. } => "kill",
            Fault::Restart { .. } => "restart",
            Fault::Partition { .. } => "partition",
            Fault::Heal => "heal",
            Fault::PacketLoss { .. } => "packet-loss",
            Fault::ClockBump { .. } => "clock-bump",
            Fault::ClockStrobe { .. } => "clock-strobe",
            Fault::ClockReset { .. } => "clock-reset",
        }
    }
}

/// The kinds of faults, for asking a backend which ones it supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Pause and resume.
    Pause,
    /// Kill and restart.
    Kill,
    /// Partitions and heal.
    Partition,
    /// Packet loss.
    PacketLoss,
    /// Clock bump, strobe and reset.
    Clock,
}

impl FaultKind {
    /// Every kind, in a fixed order.
    pub const ALL: [FaultKind; 5] = [
        FaultKind::Pause,
        FaultKind::Kill,
        FaultKind::Partition,
        FaultKind::PacketLoss,
        FaultKind::Clock,
    ];
}

impl Fault {
    /// The kind of this fault.
    pub fn kind(&self) -> FaultKind {
        match self {
            Fault::Pause { .. } | Fault::Resume { .. } => FaultKind::Pause,
            Fault::Kill { .. } | Fault::Restart { .. } => FaultKind::Kill,
            Fault::Partition { .. } | Fault::Heal => FaultKind::Partition,
            Fault::PacketLoss { .. } => FaultKind::PacketLoss,
            Fault::ClockBump { .. } | Fault::ClockStrobe { .. } | Fault::ClockReset { .. } => {
                FaultKind::Clock
            }
        }
    }

    /// The nodes this fault is aimed at, if it aims at nodes (partitions and heal do not).
    pub fn target(&self) -> Option<&Target> {
        match self {
            Fault::Pause { target }
            | Fault::Resume { target }
            | Fault::Kill { target }
            | Fault::Restart { target }
            | Fault::PacketLoss { target, .. }
            | Fault::ClockBump { target, .. }
            | Fault::ClockStrobe { target, .. }
            | Fault::ClockReset { target } => Some(target),
            Fault::Partition { .. } | Fault::Heal => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NodeId;

    #[test]
    fn faults_read_as_tagged_json() {
        let f = Fault::ClockBump {
            target: Target::Nodes(vec![NodeId(1)]),
            delta_ms: 5000,
        };
        let text = serde_json::to_string(&f).unwrap();
        assert_eq!(
            text,
            r#"{"fault":"clock_bump","target":{"nodes":[1]},"delta_ms":5000}"#
        );
        assert_eq!(serde_json::from_str::<Fault>(&text).unwrap(), f);
        let p: Fault =
            serde_json::from_str(r#"{"fault":"partition","shape":"majorities_ring"}"#).unwrap();
        assert_eq!(
            p,
            Fault::Partition {
                shape: Shape::MajoritiesRing
            }
        );
        let h: Fault = serde_json::from_str(r#"{"fault":"heal"}"#).unwrap();
        assert_eq!(h, Fault::Heal);
    }
}
