//! Faults in words, for progress lines and reports.

use faults::{Fault, NodeId, Shape, Target};

fn nodes(ids: &[NodeId]) -> String {
    ids.iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn target(t: &Target) -> String {
    match t {
        Target::Nodes(ids) => nodes(ids),
        other => serde_json::to_string(other)
            .unwrap_or_default()
            .trim_matches('"')
            .to_string(),
    }
}

fn shape(s: &Shape) -> String {
    match s {
        Shape::Exact(g) => {
            g.0.iter()
                .filter(|(_, deaf)| !deaf.is_empty())
                .map(|(n, deaf)| {
                    let d: Vec<NodeId> = deaf.iter().copied().collect();
                    format!("{n}-x-{}", nodes(&d))
                })
                .collect::<Vec<_>>()
                .join(" ")
        }
        other => serde_json::to_string(other)
            .unwrap_or_default()
            .trim_matches('"')
            .to_string(),
    }
}

/// A fault in a few words: "pause n1", "partition n0-x-n1,n2 ...", "clock-bump +5000ms n2".
pub fn describe(f: &Fault) -> String {
    match f {
        Fault::Pause { target: t } => format!("pause {}", target(t)),
        Fault::Resume { target: t } => format!("resume {}", target(t)),
        Fault::Kill { target: t } => format!("kill {}", target(t)),
        Fault::Restart { target: t } => format!("restart {}", target(t)),
        Fault::Partition { shape: s } => format!("partition {}", shape(s)),
        Fault::Heal => "heal".to_string(),
        Fault::PacketLoss {
            target: t,
            probability,
        } => format!("packet-loss {probability} {}", target(t)),
        Fault::ClockBump {
            target: t,
            delta_ms,
        } => {
            format!("clock-bump {delta_ms:+}ms {}", target(t))
        }
        Fault::ClockStrobe {
            target: t,
            delta_ms,
            ..
        } => format!("clock-strobe {delta_ms:+}ms {}", target(t)),
        Fault::ClockReset { target: t } => format!("clock-reset {}", target(t)),
    }
}
