#![doc = include_str!("models.md")]

use super::graph::EdgeKind;
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
    /// A cycle with two or more rw edges, no two of them adjacent (going round the cycle, an rw
    /// edge is never followed by another): G-single generalised; snapshot isolation forbids it.
    #[serde(rename = "G-nonadjacent")]
    GNonadjacent,
    /// G-nonadjacent closed by process-order edges.
    #[serde(rename = "G-nonadjacent-process")]
    GNonadjacentProcess,
    /// G-nonadjacent closed by real-time edges.
    #[serde(rename = "G-nonadjacent-realtime")]
    GNonadjacentRealtime,
    /// Write skew and friends: a cycle with two or more rw edges, two of them adjacent.
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
    /// A transaction read an element it appended only later in the same transaction
    /// (list-append): it saw its own future.
    #[serde(rename = "future-read")]
    FutureRead,
    /// A committed transaction appended to a key right after an aborted one, in the key's version
    /// order (with only indeterminate appends between): its write builds on a state that never
    /// committed (list-append).
    #[serde(rename = "dirty-update")]
    DirtyUpdate,
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
    pub const ALL: [AnomalyKind; 24] = [
        AnomalyKind::GarbageRead,
        AnomalyKind::DuplicateElements,
        AnomalyKind::IncompatibleOrder,
        AnomalyKind::Internal,
        AnomalyKind::FutureRead,
        AnomalyKind::G0,
        AnomalyKind::G1a,
        AnomalyKind::DirtyUpdate,
        AnomalyKind::G1b,
        AnomalyKind::G1c,
        AnomalyKind::LostUpdate,
        AnomalyKind::GSingle,
        AnomalyKind::GNonadjacent,
        AnomalyKind::G2Item,
        AnomalyKind::G0Process,
        AnomalyKind::G1cProcess,
        AnomalyKind::GSingleProcess,
        AnomalyKind::GNonadjacentProcess,
        AnomalyKind::G2ItemProcess,
        AnomalyKind::G0Realtime,
        AnomalyKind::G1cRealtime,
        AnomalyKind::GSingleRealtime,
        AnomalyKind::GNonadjacentRealtime,
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
            AnomalyKind::GNonadjacent => "G-nonadjacent",
            AnomalyKind::GNonadjacentProcess => "G-nonadjacent-process",
            AnomalyKind::GNonadjacentRealtime => "G-nonadjacent-realtime",
            AnomalyKind::G2Item => "G2-item",
            AnomalyKind::G2ItemProcess => "G2-item-process",
            AnomalyKind::G2ItemRealtime => "G2-item-realtime",
            AnomalyKind::Internal => "internal",
            AnomalyKind::FutureRead => "future-read",
            AnomalyKind::DirtyUpdate => "dirty-update",
            AnomalyKind::DuplicateElements => "duplicate-elements",
            AnomalyKind::IncompatibleOrder => "incompatible-order",
            AnomalyKind::LostUpdate => "lost-update",
            AnomalyKind::GarbageRead => "garbage-read",
        }
    }

    /// The order edge a cycle of this kind needs: process order for the `-process` kinds,
    /// real-time order for the `-realtime` ones, none for the others.
    pub fn order_edge(self) -> Option<EdgeKind> {
        use AnomalyKind::*;
        match self {
            G0Process | G1cProcess | GSingleProcess | GNonadjacentProcess | G2ItemProcess => {
                Some(EdgeKind::Process)
            }
            G0Realtime | G1cRealtime | GSingleRealtime | GNonadjacentRealtime | G2ItemRealtime => {
                Some(EdgeKind::Realtime)
            }
            _ => None,
        }
    }

    /// The kind named `name` (as [`AnomalyKind::name`] spells it).
    pub fn from_name(name: &str) -> Option<AnomalyKind> {
        AnomalyKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The kinds this one is a special case of, directly (Elle's implied anomalies, restricted to
    /// the kinds rift finds): a G-single is a G-nonadjacent with one rw edge, which is a
    /// G2-item; a cycle without order edges is trivially its `-process` variant, and a `-process`
    /// one its `-realtime` variant (a process runs one transaction at a time); a lost update is a
    /// G2-item; an incompatible order and a dirty update imply an aborted read (G1a); a future
    /// read is a cycle of one wr edge from a transaction to itself (G1c). Checking for a kind
    /// (`--anomalies`) also flags every kind that implies it.
    pub fn implies(self) -> &'static [AnomalyKind] {
        use AnomalyKind::*;
        match self {
            G0 => &[G1c, G0Process],
            G0Process => &[G1cProcess, G0Realtime],
            G0Realtime => &[G1cRealtime],
            G1c => &[G1cProcess],
            G1cProcess => &[G1cRealtime],
            GSingle => &[GNonadjacent, GSingleProcess],
            GSingleProcess => &[GNonadjacentProcess, GSingleRealtime],
            GSingleRealtime => &[GNonadjacentRealtime],
            GNonadjacent => &[G2Item, GNonadjacentProcess],
            GNonadjacentProcess => &[G2ItemProcess, GNonadjacentRealtime],
            GNonadjacentRealtime => &[G2ItemRealtime],
            G2Item => &[G2ItemProcess],
            G2ItemProcess => &[G2ItemRealtime],
            IncompatibleOrder | DirtyUpdate => &[G1a],
            FutureRead => &[G1c],
            LostUpdate => &[G2Item],
            G1a | G1b | G1cRealtime | G2ItemRealtime | Internal | DuplicateElements
            | GarbageRead => &[],
        }
    }

    /// This kind and every kind that implies it, directly or not (see [`AnomalyKind::implies`]).
    pub fn implied_by(self) -> Vec<AnomalyKind> {
        let mut out = vec![self];
        let mut i = 0;
        while let Some(&k) = out.get(i) {
            for other in AnomalyKind::ALL {
                if other.implies().contains(&k) && !out.contains(&other) {
                    out.push(other);
                }
            }
            i += 1;
        }
        out
    }

    /// The consistency models this anomaly rules out: the table at the heart of the checker,
    /// Elle's (`elle.consistency-model`) restricted to the models and anomalies rift knows. The
    /// table with the reasons, and where rift differs from Elle and why, is in the module's
    /// documentation ([`crate::txn::anomaly`]).
    pub fn rules_out(self) -> &'static [ConsistencyModel] {
        use ConsistencyModel::*;
        const EVERY: &[ConsistencyModel] = &ConsistencyModel::ALL;
        const ABOVE_READ_UNCOMMITTED: &[ConsistencyModel] = &[
            ReadCommitted,
            ReadAtomic,
            RepeatableRead,
            SnapshotIsolation,
            Serializable,
            StrongSessionSnapshotIsolation,
            StrongSnapshotIsolation,
            StrongSessionSerializable,
            StrictSerializable,
        ];
        const READ_ATOMIC_AND_ABOVE: &[ConsistencyModel] = &[
            ReadAtomic,
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
        use AnomalyKind::*;
        match self {
            G0 | DuplicateElements | GarbageRead => EVERY,
            G1a | G1b | G1c | IncompatibleOrder | FutureRead | DirtyUpdate => {
                ABOVE_READ_UNCOMMITTED
            }
            Internal => READ_ATOMIC_AND_ABOVE,
            GSingle | GNonadjacent | LostUpdate => SI_AND_REPEATABLE_READ,
            G2Item => REPEATABLE_READ_NOT_SI,
            G0Process | G1cProcess | GSingleProcess | GNonadjacentProcess => SESSION,
            G2ItemProcess => SESSION_SERIALIZABLE,
            G0Realtime | G1cRealtime | GSingleRealtime | GNonadjacentRealtime => REALTIME,
            G2ItemRealtime => STRICT,
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
    /// Cerone, Bernardi and Gotsman's read atomic: read committed, every transaction
    /// internally consistent, and no future reads.
    ReadAtomic,
    /// Adya's PL-2.99: read committed, and no G2-item (hence no G-single) and no lost update.
    RepeatableRead,
    /// Adya's PL-SI (in Elle's reading): read atomic, no G-single nor G-nonadjacent, no lost
    /// update; write skew (G2-item with adjacent rw edges) allowed.
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
    pub const ALL: [ConsistencyModel; 10] = [
        ConsistencyModel::ReadUncommitted,
        ConsistencyModel::ReadCommitted,
        ConsistencyModel::ReadAtomic,
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
            ConsistencyModel::ReadAtomic => "read-atomic",
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
            (ReadCommitted, ReadAtomic),
            (ReadAtomic, SnapshotIsolation),
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
    fn an_anomaly_rules_out_at_least_what_each_anomaly_it_implies_does() {
        for k in AnomalyKind::ALL {
            for &i in k.implies() {
                for m in i.rules_out() {
                    assert!(m.forbids(k), "{k} implies {i}, which rules out {m}");
                }
            }
        }
    }

    #[test]
    fn g_nonadjacent_rules_out_snapshot_isolation_as_g_single_does() {
        assert_eq!(
            AnomalyKind::GNonadjacent.rules_out(),
            AnomalyKind::GSingle.rules_out()
        );
        assert!(ConsistencyModel::StrongSessionSnapshotIsolation
            .forbids(AnomalyKind::GNonadjacentProcess));
        assert!(!ConsistencyModel::StrongSessionSnapshotIsolation
            .forbids(AnomalyKind::GNonadjacentRealtime));
        assert!(
            ConsistencyModel::StrongSnapshotIsolation.forbids(AnomalyKind::GNonadjacentRealtime)
        );
    }

    #[test]
    fn internal_inconsistency_rules_out_read_atomic_and_the_models_above_it() {
        use ConsistencyModel::*;
        let out = AnomalyKind::Internal.rules_out();
        for m in [ReadUncommitted, ReadCommitted, RepeatableRead] {
            assert!(!out.contains(&m), "{m}");
        }
        for m in [
            ReadAtomic,
            SnapshotIsolation,
            Serializable,
            StrictSerializable,
        ] {
            assert!(out.contains(&m), "{m}");
        }
    }

    #[test]
    fn checking_for_a_kind_also_flags_the_kinds_that_imply_it() {
        let by = AnomalyKind::G2Item.implied_by();
        for k in [
            AnomalyKind::G2Item,
            AnomalyKind::GNonadjacent,
            AnomalyKind::GSingle,
            AnomalyKind::LostUpdate,
        ] {
            assert!(by.contains(&k), "{k}");
        }
        assert!(!by.contains(&AnomalyKind::G1c));
        assert!(AnomalyKind::G1a
            .implied_by()
            .contains(&AnomalyKind::DirtyUpdate));
        assert!(AnomalyKind::G1c
            .implied_by()
            .contains(&AnomalyKind::FutureRead));
    }

    #[test]
    fn anomaly_names_round_trip() {
        for k in AnomalyKind::ALL {
            assert_eq!(AnomalyKind::from_name(k.name()), Some(k));
        }
    }

    #[test]
    fn model_names_round_trip() {
        for m in ConsistencyModel::ALL {
            assert_eq!(ConsistencyModel::from_name(m.name()), Some(m));
        }
    }
}
