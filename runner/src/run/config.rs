//! `RunConfig`: everything a run is asked to do, typed and serialisable (TOML in, JSON in
//! run.json), kept apart from the runtime handles of a run ([`super::RunContext`]).

use crate::cluster::Backend;
use crate::nemesis::NemesisConfig;
use crate::workload::{WorkloadConfig, WorkloadKind};
use crate::RunError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The system under test and its strategy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SystemConfig {
    /// The system: `booking` (built in), `etcd`, `redis`.
    pub name: String,
    /// How writes replicate: booking sync, async, log, raft, gossip; redis async, wait (`WAIT`
    /// for 1 replica after each write); not an option for etcd (Raft).
    pub replication: String,
    /// Where reads go: booking one, majority, all; etcd linearizable, serializable; redis
    /// primary, local.
    pub read: String,
}

impl Default for SystemConfig {
    fn default() -> Self {
        SystemConfig {
            name: "booking".into(),
            replication: "async".into(),
            read: "one".into(),
        }
    }
}

impl SystemConfig {
    /// "booking async/one", "etcd serializable", "redis wait/primary".
    pub fn describe(&self) -> String {
        if self.name == "etcd" {
            format!("etcd {}", self.read)
        } else {
            format!("{} {}/{}", self.name, self.replication, self.read)
        }
    }
}

/// Everything a run is asked to do. Every field has a default; `rift run` with no arguments is
/// the default config: the booking service, 3 nodes, async writes, reads from one replica,
/// partitions and pauses, 30 s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunConfig {
    /// The test's name: runs are stored under `<store>/<test>/`.
    pub test: String,
    /// The system under test.
    pub system: SystemConfig,
    /// Number of nodes.
    pub nodes: usize,
    /// Where the nodes run: auto (local namespaces when root, else loopback), local, loopback.
    pub backend: Backend,
    /// The workload.
    pub workload: WorkloadConfig,
    /// Concurrent clients.
    pub concurrency: usize,
    /// Ops per second over all clients; 0: as fast as the clients go.
    pub rate: f64,
    /// Seconds of workload and faults before the final phase.
    pub time_limit_s: f64,
    /// A call with no answer after this many ms is recorded as info.
    pub op_timeout_ms: u64,
    /// The fault schedule.
    pub nemesis: NemesisConfig,
    /// Seconds of quiet between healing and the final reads.
    pub quiet_s: f64,
    /// Seconds after the quiet period during which the final reads are repeated until every node
    /// returns the same state (eventual convergence, given a bounded time to happen).
    pub settle_s: f64,
    /// The seed every random choice derives from; drawn at random (and printed) when absent.
    pub seed: Option<u64>,
    /// The run store's root directory.
    pub store: PathBuf,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            test: "booking".into(),
            system: SystemConfig::default(),
            nodes: 3,
            backend: Backend::Auto,
            workload: WorkloadConfig::default(),
            concurrency: 6,
            rate: 200.0,
            time_limit_s: 30.0,
            op_timeout_ms: 1000,
            nemesis: NemesisConfig::default(),
            quiet_s: 2.0,
            settle_s: 5.0,
            seed: None,
            store: PathBuf::from("store"),
        }
    }
}

const REPLICATIONS: [&str; 5] = ["sync", "async", "log", "raft", "gossip"];
const READS: [&str; 3] = ["one", "majority", "all"];
const ETCD_READS: [&str; 2] = ["linearizable", "serializable"];
const REDIS_REPLICATIONS: [&str; 2] = ["async", "wait"];
const REDIS_READS: [&str; 2] = ["primary", "local"];
const SYSTEMS: [&str; 3] = ["booking", "etcd", "redis"];

/// `value` of `system`'s `option` if it is one of `choices`, else the error naming them.
fn one_of(
    system: &str,
    option: &'static str,
    value: &str,
    choices: &[&str],
) -> Result<(), RunError> {
    if choices.contains(&value) {
        return Ok(());
    }
    Err(RunError::Invalid {
        option,
        message: format!(
            "{value:?} is not one of {} for {system}",
            choices.join(", ")
        ),
    })
}

impl RunConfig {
    /// Reads a config from a TOML file; absent fields keep their defaults.
    pub fn load(path: &Path) -> Result<RunConfig, RunError> {
        let text = std::fs::read_to_string(path).map_err(|source| RunError::ConfigRead {
            path: path.to_path_buf(),
            source,
        })?;
        RunConfig::from_toml(&text).map_err(|message| RunError::ConfigParse {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Parses a config from TOML text; the error is toml's message with line and column.
    pub fn from_toml(text: &str) -> Result<RunConfig, String> {
        toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())
    }

    /// The config as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a RunConfig serialises to TOML")
    }

    /// Checks every option, naming the first that is wrong.
    pub fn validate(&self) -> Result<(), RunError> {
        let invalid = |option, message: String| Err(RunError::Invalid { option, message });
        if self.test.is_empty() || self.test.contains(['/', '\\']) || self.test.starts_with('.') {
            return invalid(
                "test",
                format!("{:?} is not a usable directory name", self.test),
            );
        }
        if self.nodes == 0 {
            return invalid("nodes", "a cluster needs at least 1 node".into());
        }
        if self.concurrency == 0 {
            return invalid("concurrency", "at least 1 client is needed".into());
        }
        if !(self.rate.is_finite() && self.rate >= 0.0) {
            return invalid(
                "rate",
                format!("{} is not a rate (0 means no limit)", self.rate),
            );
        }
        if !(self.time_limit_s.is_finite() && self.time_limit_s > 0.0) {
            return invalid(
                "time-limit",
                format!("{} is not a positive number of seconds", self.time_limit_s),
            );
        }
        if !(self.quiet_s.is_finite() && self.quiet_s >= 0.0) {
            return invalid(
                "quiet",
                format!("{} is not a number of seconds", self.quiet_s),
            );
        }
        if !(self.settle_s.is_finite() && self.settle_s >= 0.0) {
            return invalid(
                "settle",
                format!("{} is not a number of seconds", self.settle_s),
            );
        }
        if self.op_timeout_ms == 0 {
            return invalid("op-timeout", "must be at least 1 ms".into());
        }
        self.validate_system()?;
        self.workload.validate()?;
        self.nemesis.validate(self.nodes)?;
        Ok(())
    }

    /// Checks the system, its strategy and that it has the workload: booking (any workload but
    /// counter), etcd (register; reads linearizable or serializable; Raft is not an option),
    /// redis (register or set; replication async or wait; reads from the primary or local).
    fn validate_system(&self) -> Result<(), RunError> {
        let s = &self.system;
        let kind = self.workload.kind;
        let workloads: &[WorkloadKind] = match s.name.as_str() {
            "booking" => {
                one_of(&s.name, "replication", &s.replication, &REPLICATIONS)?;
                one_of(&s.name, "read", &s.read, &READS)?;
                &[
                    WorkloadKind::Register,
                    WorkloadKind::Booking,
                    WorkloadKind::Set,
                    WorkloadKind::Append,
                ]
            }
            "etcd" => {
                if s.replication != SystemConfig::default().replication {
                    return Err(RunError::Invalid {
                        option: "replication",
                        message: format!(
                            "etcd replicates by Raft; {:?} is not an option for it (leave it out)",
                            s.replication
                        ),
                    });
                }
                one_of(&s.name, "read", &s.read, &ETCD_READS)?;
                &[WorkloadKind::Register]
            }
            "redis" => {
                one_of(&s.name, "replication", &s.replication, &REDIS_REPLICATIONS)?;
                one_of(&s.name, "read", &s.read, &REDIS_READS)?;
                &[WorkloadKind::Register, WorkloadKind::Set]
            }
            other => {
                return Err(RunError::Invalid {
                    option: "system",
                    message: format!("{other:?} is not one of {}", SYSTEMS.join(", ")),
                })
            }
        };
        if !workloads.contains(&kind) {
            let names: Vec<String> = workloads
                .iter()
                .map(|w| format!("{w:?}").to_lowercase())
                .collect();
            return Err(RunError::Invalid {
                option: "workload",
                message: format!(
                    "{} has no {:?} workload in rift; use {}",
                    s.name,
                    format!("{kind:?}").to_lowercase(),
                    names.join(" or ")
                ),
            });
        }
        Ok(())
    }

    /// The time limit in ns.
    pub fn time_limit_ns(&self) -> u64 {
        (self.time_limit_s * 1e9) as u64
    }

    /// The model the history is checked against, as the checker names it.
    pub fn model(&self) -> &'static str {
        match self.workload.kind {
            WorkloadKind::Register => "cas-register",
            WorkloadKind::Booking => "booking",
            WorkloadKind::Set => "set",
            WorkloadKind::Append => "list-append",
            WorkloadKind::Counter => "counter",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_config_is_the_booking_service_async_read_one_under_partitions_and_pauses() {
        let c = RunConfig::default();
        c.validate().unwrap();
        assert_eq!(
            (c.system.replication.as_str(), c.system.read.as_str()),
            ("async", "one")
        );
        assert_eq!(c.nodes, 3);
        assert_eq!(c.time_limit_s, 30.0);
        assert_eq!(
            c.nemesis.faults,
            vec![faults::FaultKind::Partition, faults::FaultKind::Pause]
        );
    }

    #[test]
    fn a_config_round_trips_through_toml() {
        let mut c = RunConfig {
            seed: Some(7),
            ..RunConfig::default()
        };
        c.workload.mix.insert("book".into(), 3);
        let back = RunConfig::from_toml(&c.to_toml()).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn a_partial_toml_keeps_the_defaults_for_the_rest() {
        let c = RunConfig::from_toml("nodes = 5\n[system]\nreplication = \"raft\"\n").unwrap();
        assert_eq!(c.nodes, 5);
        assert_eq!(c.system.replication, "raft");
        assert_eq!(c.system.read, "one");
        assert_eq!(c.concurrency, RunConfig::default().concurrency);
    }

    #[test]
    fn an_unknown_toml_field_is_refused_with_its_line() {
        let e = RunConfig::from_toml("nodes = 3\nnodse = 4\n").unwrap_err();
        assert!(e.contains("nodse") && e.contains("line 2"), "{e}");
    }

    #[test]
    fn an_unknown_replication_is_refused_with_the_choices() {
        let mut c = RunConfig::default();
        c.system.replication = "paxos".into();
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("paxos") && e.contains("raft"), "{e}");
    }

    #[test]
    fn etcd_and_redis_run_their_workloads_and_refuse_the_others_by_name() {
        let with = |name: &str, replication: &str, read: &str, kind| {
            let mut c = RunConfig {
                system: SystemConfig {
                    name: name.into(),
                    replication: replication.into(),
                    read: read.into(),
                },
                ..RunConfig::default()
            };
            c.workload.kind = kind;
            c.validate().map_err(|e| e.to_string())
        };
        let async_ = "async";
        with("etcd", async_, "serializable", WorkloadKind::Register).unwrap();
        with("redis", "wait", "local", WorkloadKind::Set).unwrap();
        with("redis", async_, "primary", WorkloadKind::Register).unwrap();
        let e = with("etcd", async_, "linearizable", WorkloadKind::Set).unwrap_err();
        assert!(
            e.contains("etcd has no \"set\" workload") && e.contains("register"),
            "{e}"
        );
        let e = with("etcd", async_, "one", WorkloadKind::Register).unwrap_err();
        assert!(
            e.contains("read") && e.contains("linearizable, serializable"),
            "{e}"
        );
        let e = with("etcd", "raft", "linearizable", WorkloadKind::Register).unwrap_err();
        assert!(e.contains("replication") && e.contains("Raft"), "{e}");
        let e = with("redis", "sync", "primary", WorkloadKind::Set).unwrap_err();
        assert!(e.contains("\"sync\"") && e.contains("async, wait"), "{e}");
        let e = with("redis", async_, "primary", WorkloadKind::Append).unwrap_err();
        assert!(e.contains("redis has no \"append\" workload"), "{e}");
        let e = with("nats", async_, "one", WorkloadKind::Register).unwrap_err();
        assert!(
            e.contains("\"nats\"") && e.contains("booking, etcd, redis"),
            "{e}"
        );
    }
}
