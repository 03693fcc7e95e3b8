//! The anomaly catalogue, as data: the kinds of anomaly named as in Adya's thesis and Elle, and the
//! table of which consistency models each one rules out.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A kind of anomaly, named as in Adya (G0, G1a, G1b, G1c, G-single, G2-item) and Elle (the
/// `-process` and `-realtime` variants, and the anomalies that are not cycles).
///
/// A cycle anomaly is named by the dependency edges it needs: G0 only ww; G1c ww and wr (at least
/// one wr); G-single exactly one rw; G2-item two or more rw. A `-process` variant needs at least one
/// process-order edge too, a `-realtime` variant at least one real-time edge: such cycles violate
/// only the session ("strong session") and real-time ("strong", "strict") models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AnomalyKind {
    /// A cycle of write-write dependencies.
    #[serde(rename = "G0")]
    G0,
    /// G0 closed by process-order edges.
    #[serde(rename = "G0-process")]
    G0Process,
    /// G0 closed by real-time edges.
    #[serde(rename = "G0-realtime")]
    G0Realtime,
    /// Aborted read: a committed transaction read a value written by a transaction that failed.
    #[serde(rename = "G1a")]
    G1a,
    /// Intermediate read: a committed transaction read a value that its writer overwrote (for
    /// list-append: appended to again) within the same transaction.
    #[serde(rename = "G1b")]
    G1b,
    /// Circular information flow: a cycle of ww and wr edges with at least one wr.
    #[serde(rename = "G1c")]
    G1c,
    /// G1c closed by process-order edges.
    #[serde(rename = "G1c-process")]
    G1cProcess,
    /// G1c closed by real-time edges.
    #[serde(rename = "G1c-realtime")]
    G1cRealtime,
    /// Read skew: a cycle with exactly one rw (anti-dependency) edge.
    #[serde(rename = "G-single")]
    GSingle,
    /// G-single closed by process-order edges.
    #[serde(rename = "G-single-process")]
    GSingleProcess,
    /// G-single closed by real-time edges.
    #[serde(rename = "G-single-realtime")]
    GSingleRealtime,
    /// Write skew and friends: a cycle with two or more rw edges.
    #[serde(rename = "G2-item")]
    G2Item,
    /// G2-item closed by process-order edges.
    #[serde(rename = "G2-item-process")]
    G2ItemProcess,
    /// G2-item closed by real-time edges.
    #[serde(rename = "G2-item-realtime")]
    G2ItemRealtime,
    /// A transaction's reads disagree with its own earlier reads and writes.
    #[serde(rename = "internal")]
    Internal,
    /// A read of a list holds the same element twice (list-append).
    #[serde(rename = "duplicate-elements")]
    DuplicateElements,
    /// Two reads of one key are not prefixes of each other: no single version order explains both
    /// (list-append).
    #[serde(rename = "incompatible-order")]
    IncompatibleOrder,
    /// Two committed transactions read the same version of a key and both wrote it.
    #[serde(rename = "lost-update")]
    LostUpdate,
    /// A read of a value that no transaction ever wrote.
    #[serde(rename = "garbage-read")]
    GarbageRead,
}

impl AnomalyKind {
    /// Every kind, most severe first.
    pub const ALL: [AnomalyKind; 19] = [
        AnomalyKind::GarbageRead,
        AnomalyKind::DuplicateElements,
        AnomalyKind::IncompatibleOrder,
        AnomalyKind::Internal,
        AnomalyKind::G0,
        AnomalyKind::G1a,
        AnomalyKind::G1b,
        AnomalyKind::G1c,
        AnomalyKind::LostUpdate,
        AnomalyKind::GSingle,
        AnomalyKind::G2Item,
        AnomalyKind::G0Process,
        AnomalyKind::G1cProcess,
        AnomalyKind::GSingleProcess,
        AnomalyKind::G2ItemProcess,
        AnomalyKind::G0Realtime,
        AnomalyKind::G1cRealtime,
        AnomalyKind::GSingleRealtime,
        AnomalyKind::G2ItemRealtime,
    ];

    /// The name used in the literature and in reports (`G-single-realtime`, `lost-update`, ...).
    pub fn name(self) -> &'static str {
        match self {
            AnomalyKind::G0 => "G0",
            AnomalyKind::G0Process => "G0-process",
            AnomalyKind::G0Realtime => "G0-realtime",
            AnomalyKind::G1a => "G1a",
            AnomalyKind::G1b => "G1b",
            AnomalyKind::G1c => "G1c",
            AnomalyKind::G1cProcess => "G1c-process",
            AnomalyKind::G1cRealtime => "G1c-realtime",
            AnomalyKind::GSingle => "G-single",
            AnomalyKind::GSingleProcess => "G-single-process",
            AnomalyKind::GSingleRealtime => "G-single-realtime",
            AnomalyKind::G2Item => "G2-item",
            AnomalyKind::G2ItemProcess => "G2-item-process",
            AnomalyKind::G2ItemRealtime => "G2-item-realtime",
            AnomalyKind::Internal => "internal",
            AnomalyKind::DuplicateElements => "duplicate-elements",
            AnomalyKind::IncompatibleOrder => "incompatible-order",
            AnomalyKind::LostUpdate => "lost-update",
            AnomalyKind::GarbageRead => "garbage-read",
        }
    }

    /// The consistency models this anomaly rules out: the table at the heart of the checker.
    ///
    /// Following Adya and Elle: read uncommitted proscribes G0; read committed adds G1 (a, b, c);
    /// repeatable read adds G2-item (of which G-single is the one-rw case) and lost update; snapshot
    /// isolation proscribes G1, G-single and lost update but allows G2-item with two or more rw
    /// edges (write skew); serializable proscribes all of them. The strong-session models add the
    /// `-process` variants, the strong (real-time) models add the `-realtime` ones too.
    /// Anomalies that no version order can explain (internal inconsistency, duplicate elements,
    /// incompatible orders, garbage reads) rule out every model.
    pub fn rules_out(self) -> &'static [ConsistencyModel] {
        use ConsistencyModel::*;
        const EVERY: &[ConsistencyModel] = &ConsistencyModel::ALL;
        const ABOVE_READ_UNCOMMITTED: &[ConsistencyModel] = &[
            ReadCommitted,
            RepeatableRead,
            SnapshotIsolation,
            Serializable,
            StrongSessionSnapshotIsolation,
            StrongSnapshotIsolation,
            StrongSessionSerializable,
            StrictSerializable,
        ];
        const SI_AND_REPEATABLE_READ: &[ConsistencyModel] = &[
            RepeatableRead,
            SnapshotIsolation,
            Serializable,
            StrongSessionSnapshotIsolation,
            StrongSnapshotIsolation,
            StrongSessionSerializable,
            StrictSerializable,
        ];
        const REPEATABLE_READ_NOT_SI: &[ConsistencyModel] = &[
            RepeatableRead,
            Serializable,
            StrongSessionSerializable,
            StrictSerializable,
        ];
        const SESSION: &[ConsistencyModel] = &[
            StrongSessionSnapshotIsolation,
            StrongSnapshotIsolation,
            StrongSessionSerializable,
            StrictSerializable,
        ];
        const SESSION_SERIALIZABLE: &[ConsistencyModel] =
            &[StrongSessionSerializable, StrictSerializable];
        const REALTIME: &[ConsistencyModel] = &[StrongSnapshotIsolation, StrictSerializable];
        const STRICT: &[ConsistencyModel] = &[StrictSerializable];
        match self {
            AnomalyKind::G0
            | AnomalyKind::Internal
            | AnomalyKind::DuplicateElements
            | AnomalyKind::IncompatibleOrder
            | AnomalyKind::GarbageRead => EVERY,
            AnomalyKind::G1a | AnomalyKind::G1b | AnomalyKind::G1c => ABOVE_READ_UNCOMMITTED,
            AnomalyKind::GSingle | AnomalyKind::LostUpdate => SI_AND_REPEATABLE_READ,
            AnomalyKind::G2Item => REPEATABLE_READ_NOT_SI,
            AnomalyKind::G0Process | AnomalyKind::G1cProcess | AnomalyKind::GSingleProcess => {
                SESSION
            }
            AnomalyKind::G2ItemProcess => SESSION_SERIALIZABLE,
            AnomalyKind::G0Realtime | AnomalyKind::G1cRealtime | AnomalyKind::GSingleRealtime => {
                REALTIME
            }
            AnomalyKind::G2ItemRealtime => STRICT,
        }
    }
}

impl fmt::Display for AnomalyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A transactional consistency model a history can be checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConsistencyModel {
    /// Adya's PL-1: no G0.
    ReadUncommitted,
    /// Adya's PL-2: no G0, G1a, G1b, G1c.
    ReadCommitted,
    /// Adya's PL-2.99: read committed, and no G2-item (hence no G-single) and no lost update.
    RepeatableRead,
    /// Adya's PL-SI: read committed, no G-single, no lost update; write skew (G2-item) allowed.
    SnapshotIsolation,
    /// Adya's PL-3 on items: no G0, G1, G-single, G2-item.
    Serializable,
    /// Snapshot isolation that also respects each process's order.
    StrongSessionSnapshotIsolation,
    /// Snapshot isolation that also respects real-time order.
    StrongSnapshotIsolation,
    /// Serializability that also respects each process's order.
    StrongSessionSerializable,
    /// Serializability that also respects real-time order.
    StrictSerializable,
}

impl ConsistencyModel {
    /// Every model, weakest first.
    pub const ALL: [ConsistencyModel; 9] = [
        ConsistencyModel::ReadUncommitted,
        ConsistencyModel::ReadCommitted,
        ConsistencyModel::RepeatableRead,
        ConsistencyModel::SnapshotIsolation,
        ConsistencyModel::Serializable,
        ConsistencyModel::StrongSessionSnapshotIsolation,
        ConsistencyModel::StrongSnapshotIsolation,
        ConsistencyModel::StrongSessionSerializable,
        ConsistencyModel::StrictSerializable,
    ];

    /// The model's name as used on the command line and in reports (`strict-serializable`).
    pub fn name(self) -> &'static str {
        match self {
            ConsistencyModel::ReadUncommitted => "read-uncommitted",
            ConsistencyModel::ReadCommitted => "read-committed",
            ConsistencyModel::RepeatableRead => "repeatable-read",
            ConsistencyModel::SnapshotIsolation => "snapshot-isolation",
            ConsistencyModel::Serializable => "serializable",
            ConsistencyModel::StrongSessionSnapshotIsolation => "strong-session-snapshot-isolation",
            ConsistencyModel::StrongSnapshotIsolation => "strong-snapshot-isolation",
            ConsistencyModel::StrongSessionSerializable => "strong-session-serializable",
            ConsistencyModel::StrictSerializable => "strict-serializable",
        }
    }

    /// The model named `name` (as [`ConsistencyModel::name`] spells it).
    pub fn from_name(name: &str) -> Option<ConsistencyModel> {
        ConsistencyModel::ALL.into_iter().find(|m| m.name() == name)
    }

    /// True when an anomaly of this kind violates this model.
    pub fn forbids(self, kind: AnomalyKind) -> bool {
        kind.rules_out().contains(&self)
    }
}

impl fmt::Display for ConsistencyModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_skew_is_allowed_by_snapshot_isolation_but_not_by_repeatable_read() {
        let out = AnomalyKind::G2Item.rules_out();
        assert!(!out.contains(&ConsistencyModel::SnapshotIsolation));
        assert!(out.contains(&ConsistencyModel::RepeatableRead));
        assert!(out.contains(&ConsistencyModel::Serializable));
    }

    #[test]
    fn read_skew_rules_out_snapshot_isolation_but_not_read_committed() {
        assert!(ConsistencyModel::SnapshotIsolation.forbids(AnomalyKind::GSingle));
        assert!(!ConsistencyModel::ReadCommitted.forbids(AnomalyKind::GSingle));
    }

    #[test]
    fn realtime_cycles_only_violate_real_time_models() {
        for m in ConsistencyModel::ALL {
            let rt = m.forbids(AnomalyKind::GSingleRealtime);
            assert_eq!(
                rt,
                matches!(
                    m,
                    ConsistencyModel::StrongSnapshotIsolation
                        | ConsistencyModel::StrictSerializable
                ),
                "{m}"
            );
        }
    }

    #[test]
    fn every_anomaly_rules_out_strict_serializability() {
        for k in AnomalyKind::ALL {
            assert!(ConsistencyModel::StrictSerializable.forbids(k), "{k}");
        }
    }

    #[test]
    fn a_stronger_model_forbids_everything_a_weaker_one_does() {
        use ConsistencyModel::*;
        let pairs = [
            (ReadUncommitted, ReadCommitted),
            (ReadCommitted, RepeatableRead),
            (ReadCommitted, SnapshotIsolation),
            (RepeatableRead, Serializable),
            (SnapshotIsolation, Serializable),
            (SnapshotIsolation, StrongSessionSnapshotIsolation),
            (StrongSessionSnapshotIsolation, StrongSnapshotIsolation),
            (Serializable, StrongSessionSerializable),
            (StrongSessionSerializable, StrictSerializable),
            (StrongSnapshotIsolation, StrictSerializable),
        ];
        for (weak, strong) in pairs {
            for k in AnomalyKind::ALL {
                assert!(
                    !weak.forbids(k) || strong.forbids(k),
                    "{weak} < {strong} on {k}"
                );
            }
        }
    }

    #[test]
    fn model_names_round_trip() {
        for m in ConsistencyModel::ALL {
            assert_eq!(ConsistencyModel::from_name(m.name()), Some(m));
        }
    }
}
