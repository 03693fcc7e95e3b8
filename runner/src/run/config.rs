//! `RunConfig`: everything a run is asked to do, typed and serialisable (TOML in, JSON in
//! run.json), kept apart from the runtime handles of a run ([`super::RunContext`]).

use crate::cluster::host::SshConfig;
use crate::cluster::{Backend, Subnet};
use crate::nemesis::NemesisConfig;
use crate::system::{Registry, SystemUnderTest};
use crate::workload::WorkloadConfig;
use crate::RunError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The system under test: a name the registry knows (empty: its default system) and the
/// system's own options (every other field of the `[system]` table, read by the system into its
/// typed options).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SystemConfig {
    /// The system's name.
    #[serde(default)]
    pub name: String,
    /// Its options, e.g. `replication = "raft"`.
    #[serde(flatten)]
    pub options: Map<String, Value>,
}

impl SystemConfig {
    /// A description file named relative to a file in `dir` (a campaign, a config), made
    /// relative to the current directory instead; other names unchanged.
    pub fn relative_to(&mut self, dir: &Path) {
        if crate::system::described::is_description(&self.name)
            && Path::new(&self.name).is_relative()
        {
            self.name = dir.join(&self.name).display().to_string();
        }
    }

    /// The system `name` with `options` given as `(option, value)` pairs of text.
    pub fn named(name: &str, options: &[(&str, &str)]) -> SystemConfig {
        SystemConfig {
            name: name.into(),
            options: options
                .iter()
                .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
                .collect(),
        }
    }
}

/// Everything a run is asked to do. Every field has a default; `rift run` with no arguments is
/// the default config: the registry's default system with its default options and its first
/// workload, 3 nodes, partitions and pauses, 30 s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunConfig {
    /// The test's name: runs are stored under `<store>/<test>/`; the system's name when empty.
    pub test: String,
    /// The system under test.
    pub system: SystemConfig,
    /// Number of nodes.
    pub nodes: usize,
    /// Where the nodes run: auto (local namespaces when root, else loopback), local, loopback,
    /// ssh (the hosts of the `[ssh]` table).
    pub backend: Backend,
    /// The hosts of the ssh backend, and how to reach them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssh: Option<SshConfig>,
    /// The workload.
    pub workload: WorkloadConfig,
    /// Concurrent clients.
    pub concurrency: usize,
    /// Ops per second over all clients.
    pub rate: f64,
    /// Seconds of workload and faults before the final phase.
    pub time_limit_s: f64,
    /// A call with no answer after this many ms is recorded as info.
    pub op_timeout_ms: u64,
    /// Seconds a node may take to become ready (its setup commands included: `initdb`, a base
    /// backup, a state transfer), at the start and after each restart.
    pub ready_timeout_s: f64,
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
            test: String::new(),
            system: SystemConfig::default(),
            nodes: 3,
            backend: Backend::Auto,
            ssh: None,
            workload: WorkloadConfig::default(),
            concurrency: 6,
            rate: 200.0,
            time_limit_s: 30.0,
            op_timeout_ms: 1000,
            ready_timeout_s: 10.0,
            nemesis: NemesisConfig::default(),
            quiet_s: 2.0,
            settle_s: 5.0,
            seed: None,
            store: PathBuf::from("store"),
        }
    }
}

impl RunConfig {
    /// Reads a config from a TOML file; absent fields keep their defaults.
    pub fn load(path: &Path) -> Result<RunConfig, RunError> {
        let text = std::fs::read_to_string(path).map_err(|source| RunError::ConfigRead {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config = RunConfig::from_toml(&text).map_err(|message| RunError::ConfigParse {
            path: path.to_path_buf(),
            message,
        })?;
        let dir = path.parent().unwrap_or(Path::new(""));
        config.system.relative_to(dir);
        if let Some(ssh) = &mut config.ssh {
            ssh.relative_to(dir);
        }
        Ok(config)
    }

    /// Parses a config from TOML text; the error is toml's message with line and column.
    pub fn from_toml(text: &str) -> Result<RunConfig, String> {
        toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())
    }

    /// The config as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a RunConfig serialises to TOML")
    }

    /// Completes the config with the registry's defaults — the default system when none is
    /// named, the system's options with every field present, its first workload when none is
    /// chosen, the system's name as the test's — and checks it; returns the configured system.
    pub fn resolve(&mut self, registry: &Registry) -> Result<Arc<dyn SystemUnderTest>, RunError> {
        let system = registry.configure(&self.system.name, &self.system.options)?;
        self.system.name = system.name().to_string();
        self.system.options = system.options();
        if self.workload.kind.is_none() {
            self.workload.kind = system.workloads().first().copied();
        }
        if self.test.is_empty() {
            self.test = system.test_name();
        }
        self.validate()?;
        system.validate(self)?;
        Ok(system)
    }

    /// Checks every option but the system's, naming the first that is wrong.
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
        if self.nodes > Subnet::MAX_NODES {
            return invalid(
                "nodes",
                format!(
                    "{} nodes do not fit: a run's subnet holds at most {}",
                    self.nodes,
                    Subnet::MAX_NODES
                ),
            );
        }
        if self.concurrency == 0 {
            return invalid("concurrency", "at least 1 client is needed".into());
        }
        if !(self.rate.is_finite() && self.rate > 0.0) {
            return invalid(
                "rate",
                format!(
                    "{} is not a rate: give the ops per second of all clients together, above 0",
                    self.rate
                ),
            );
        }
        if !(self.time_limit_s.is_finite() && self.time_limit_s > 0.0) {
            return invalid(
                "time-limit",
                format!("{} is not a positive number of seconds", self.time_limit_s),
            );
        }
        if !(self.ready_timeout_s.is_finite() && self.ready_timeout_s > 0.0) {
            return invalid(
                "ready_timeout_s",
                format!(
                    "{} is not a positive number of seconds",
                    self.ready_timeout_s
                ),
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
        self.workload.validate()?;
        self.nemesis.validate(self.nodes)?;
        Ok(())
    }

    /// The time limit in ns.
    pub fn time_limit_ns(&self) -> u64 {
        (self.time_limit_s * 1e9) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::system::{Adapter, Driver, DriverContext, System};
    use crate::workload::WorkloadKind;

    /// How the test system replicates.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Replication {
        #[default]
        Sync,
        Async,
    }

    /// The test system's options.
    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(deny_unknown_fields, default)]
    struct KvOptions {
        replication: Replication,
    }

    /// A system that is only ever configured here, never started.
    struct Kv;

    impl System for Kv {
        type Options = KvOptions;

        fn name(&self) -> &str {
            "kv"
        }

        fn workloads(&self, _options: &KvOptions) -> Vec<WorkloadKind> {
            vec![WorkloadKind::Register, WorkloadKind::Set]
        }

        fn adapter(&self, _options: &KvOptions) -> Result<Arc<dyn Adapter>, RunError> {
            Err(RunError::Cluster("kv only exists in config tests".into()))
        }

        fn driver(
            &self,
            _options: &KvOptions,
            _context: &DriverContext,
        ) -> Result<Arc<dyn Driver>, RunError> {
            Err(RunError::Cluster("kv only exists in config tests".into()))
        }
    }

    fn registry() -> Registry {
        Registry::new().with(Kv)
    }

    #[test]
    fn the_default_config_is_the_default_system_with_its_first_workload_under_partitions_and_pauses(
    ) {
        let mut c = RunConfig::default();
        let system = c.resolve(&registry()).unwrap();
        assert_eq!(system.name(), "kv");
        assert_eq!(c.system.name, "kv");
        assert_eq!(c.test, "kv");
        assert_eq!(
            c.system.options["replication"], "sync",
            "options are filled in"
        );
        assert_eq!(c.workload.kind, Some(WorkloadKind::Register));
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
            system: SystemConfig::named("kv", &[("replication", "async")]),
            ..RunConfig::default()
        };
        c.workload.mix.insert("write".into(), 3);
        let back = RunConfig::from_toml(&c.to_toml()).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn a_partial_toml_keeps_the_defaults_for_the_rest() {
        let mut c = RunConfig::from_toml("nodes = 5\n[system]\nreplication = \"async\"\n").unwrap();
        assert_eq!(c.nodes, 5);
        assert_eq!(c.concurrency, RunConfig::default().concurrency);
        c.resolve(&registry()).unwrap();
        assert_eq!(c.system.options["replication"], "async");
    }

    #[test]
    fn an_unknown_toml_field_is_refused_with_its_line() {
        let e = RunConfig::from_toml("nodes = 3\nnodse = 4\n").unwrap_err();
        assert!(e.contains("nodse") && e.contains("line 2"), "{e}");
    }

    #[test]
    fn an_unknown_system_option_or_value_is_refused_with_the_choices() {
        let mut c = RunConfig {
            system: SystemConfig::named("kv", &[("replicaton", "async")]),
            ..RunConfig::default()
        };
        let e = c.resolve(&registry()).unwrap_err().to_string();
        assert!(
            e.contains("kv") && e.contains("replicaton") && e.contains("replication"),
            "{e}"
        );
        c.system = SystemConfig::named("kv", &[("replication", "paxos")]);
        let e = c.resolve(&registry()).unwrap_err().to_string();
        assert!(
            e.contains("paxos") && e.contains("sync") && e.contains("async"),
            "{e}"
        );
    }

    #[test]
    fn a_misspelt_system_is_refused_with_the_registered_ones_and_never_falls_back() {
        let mut c = RunConfig {
            system: SystemConfig::named("kvv", &[]),
            ..RunConfig::default()
        };
        let e = c.resolve(&registry()).unwrap_err().to_string();
        assert!(e.contains("\"kvv\"") && e.contains("registered: kv"), "{e}");
    }

    #[test]
    fn a_workload_the_system_has_no_client_for_is_refused_by_name() {
        let mut c = RunConfig::default();
        c.workload.kind = Some(WorkloadKind::Append);
        let e = c.resolve(&registry()).unwrap_err().to_string();
        assert!(
            e.contains("kv has no \"append\" workload") && e.contains("register, set"),
            "{e}"
        );
    }
}
