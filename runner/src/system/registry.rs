//! Systems under test by name: the [`System`] trait a system implements (with its own typed
//! options), the [`SystemUnderTest`] it becomes once configured, and the [`Registry`] a run looks
//! names up in.

use super::adapter::Adapter;
use super::client::{Driver, DriverContext};
use super::described::{self, Described};
use crate::campaign::Expect;
use crate::run::RunConfig;
use crate::workload::WorkloadKind;
use crate::RunError;
use faults::FaultKind;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

/// A system under test: its name, its typed options, and from them both halves — the node side
/// ([`Adapter`]) and the client side ([`Driver`]) — and the workloads its clients can run.
///
/// A config names the system in `[system] name = "..."`; the table's other fields are the
/// system's options, read into [`System::Options`] (unknown fields refused, absent ones
/// defaulted).
pub trait System: Send + Sync + 'static {
    /// The options a config can give, e.g. `replication` and `read`.
    type Options: Serialize + DeserializeOwned + Default + Clone + fmt::Debug + Send + Sync;

    /// Its name in configs and on the command line.
    fn name(&self) -> &str;

    /// The workloads its clients can run with `options`; the first is the default.
    fn workloads(&self, options: &Self::Options) -> Vec<WorkloadKind>;

    /// The system and its options in a few words, e.g. `booking async/one`.
    fn describe(&self, _options: &Self::Options) -> String {
        self.name().to_string()
    }

    /// Named sets of options worth comparing side by side (`rift demo` runs each under each kind
    /// of fault); by default, the default options alone.
    fn variants(&self) -> Vec<(String, Self::Options)> {
        vec![("default".into(), Self::Options::default())]
    }

    /// The verdict the system promises with `options` under one kind of fault (`rift demo` shows
    /// it beside what a run found); by default it promises nothing.
    fn expect(&self, _options: &Self::Options, _fault: FaultKind) -> Expect {
        Expect::Any
    }

    /// Refuses options that do not go together, or with the run (`Err` says which and why).
    fn validate(&self, _options: &Self::Options, _run: &RunConfig) -> Result<(), String> {
        Ok(())
    }

    /// The node side: how the cluster starts, probes and stops its nodes.
    fn adapter(&self, options: &Self::Options) -> Result<Arc<dyn Adapter>, RunError>;

    /// The client side for one run on the nodes `context` names.
    fn driver(
        &self,
        options: &Self::Options,
        context: &DriverContext,
    ) -> Result<Arc<dyn Driver>, RunError>;
}

/// A system with its options read and checked: what a run uses.
pub trait SystemUnderTest: Send + Sync {
    /// The system's name.
    fn name(&self) -> &str;

    /// The test's name when a config gives none: the system's name by default.
    fn test_name(&self) -> String {
        self.name().to_string()
    }

    /// Its options as a config stores them, every field present.
    fn options(&self) -> Map<String, Value>;

    /// The workloads its clients can run; the first is the default.
    fn workloads(&self) -> Vec<WorkloadKind>;

    /// The system and its options in a few words.
    fn describe(&self) -> String;

    /// The verdict it promises under one kind of fault.
    fn expect(&self, fault: FaultKind) -> Expect;

    /// Refuses a run the system cannot do: options that do not go together, or a workload its
    /// clients do not have.
    fn validate(&self, run: &RunConfig) -> Result<(), RunError>;

    /// The node side.
    fn adapter(&self) -> Result<Arc<dyn Adapter>, RunError>;

    /// The client side for one run.
    fn driver(&self, context: &DriverContext) -> Result<Arc<dyn Driver>, RunError>;
}

impl fmt::Debug for dyn SystemUnderTest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// A [`System`] and its options.
struct Configured<S: System> {
    system: Arc<S>,
    options: S::Options,
}

impl<S: System> SystemUnderTest for Configured<S> {
    fn name(&self) -> &str {
        self.system.name()
    }

    fn options(&self) -> Map<String, Value> {
        stored(&self.options)
    }

    fn workloads(&self) -> Vec<WorkloadKind> {
        self.system.workloads(&self.options)
    }

    fn describe(&self) -> String {
        self.system.describe(&self.options)
    }

    fn expect(&self, fault: FaultKind) -> Expect {
        self.system.expect(&self.options, fault)
    }

    fn validate(&self, run: &RunConfig) -> Result<(), RunError> {
        let system = self.name().to_string();
        self.system
            .validate(&self.options, run)
            .map_err(|message| RunError::SystemOptions {
                system: system.clone(),
                message,
            })?;
        let workloads = self.workloads();
        match run.workload.kind {
            Some(kind) if !workloads.contains(&kind) => Err(RunError::NoSuchWorkload {
                system,
                workload: kind,
                workloads: names(&workloads),
            }),
            _ => Ok(()),
        }
    }

    fn adapter(&self) -> Result<Arc<dyn Adapter>, RunError> {
        self.system.adapter(&self.options)
    }

    fn driver(&self, context: &DriverContext) -> Result<Arc<dyn Driver>, RunError> {
        self.system.driver(&self.options, context)
    }
}

fn names(workloads: &[WorkloadKind]) -> String {
    workloads
        .iter()
        .map(|w| w.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Named sets of a system's options, as a config stores them.
pub type Variants = Vec<(String, Map<String, Value>)>;

/// Options as a config stores them.
fn stored<O: Serialize>(options: &O) -> Map<String, Value> {
    match serde_json::to_value(options) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// Reads a config's options into a system's typed options.
trait Factory: Send + Sync {
    fn name(&self) -> &str;
    fn variants(&self) -> Variants;
    fn configure(&self, options: &Map<String, Value>)
        -> Result<Arc<dyn SystemUnderTest>, RunError>;
}

impl<S: System> Factory for Arc<S> {
    fn name(&self) -> &str {
        S::name(self)
    }

    fn variants(&self) -> Variants {
        S::variants(self)
            .into_iter()
            .map(|(name, options)| (name, stored(&options)))
            .collect()
    }

    fn configure(
        &self,
        options: &Map<String, Value>,
    ) -> Result<Arc<dyn SystemUnderTest>, RunError> {
        let options: S::Options =
            serde_json::from_value(Value::Object(options.clone())).map_err(|e| {
                RunError::SystemOptions {
                    system: S::name(self).to_string(),
                    message: e.to_string(),
                }
            })?;
        Ok(Arc::new(Configured {
            system: self.clone(),
            options,
        }))
    }
}

/// The systems a `rift` binary can run, by name; the first registered is the default.
#[derive(Default)]
pub struct Registry {
    systems: Vec<Box<dyn Factory>>,
}

impl Registry {
    /// No systems yet.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Adds `system` under its name.
    ///
    /// # Panics
    /// When a system of that name is already registered: two systems cannot share a name.
    pub fn with(mut self, system: impl System) -> Registry {
        let name = system.name().to_string();
        assert!(
            self.get(&name).is_none(),
            "a system named {name:?} is already registered"
        );
        self.systems.push(Box::new(Arc::new(system)));
        self
    }

    /// The registered names, in registration order.
    pub fn names(&self) -> Vec<&str> {
        self.systems.iter().map(|s| s.name()).collect()
    }

    /// The default system's name (the first registered).
    pub fn default_name(&self) -> Option<&str> {
        self.systems.first().map(|s| s.name())
    }

    fn get(&self, name: &str) -> Option<&dyn Factory> {
        self.systems.iter().find(|s| s.name() == name).map(|s| &**s)
    }

    /// The named option sets of the system `name` (the default one when empty) worth comparing.
    /// A description file has its default options alone.
    pub fn variants(&self, name: &str) -> Result<Variants, RunError> {
        if described::is_description(name) {
            let d = Described::load(Path::new(name))?;
            return Ok(vec![("default".into(), d.options())]);
        }
        Ok(self.factory(name)?.variants())
    }

    fn factory(&self, name: &str) -> Result<&dyn Factory, RunError> {
        let name = if name.is_empty() {
            self.default_name().ok_or(RunError::NoSystems)?
        } else {
            name
        };
        self.get(name).ok_or_else(|| RunError::UnknownSystem {
            name: name.to_string(),
            registered: self.names().join(", "),
        })
    }

    /// The system `name` (the default one when empty) with `options`. A name ending in
    /// `.toml` is a description file's path, loaded from it (see [`described`]): such a system
    /// needs no registration.
    pub fn configure(
        &self,
        name: &str,
        options: &Map<String, Value>,
    ) -> Result<Arc<dyn SystemUnderTest>, RunError> {
        if described::is_description(name) {
            let d = Described::load(Path::new(name))?.with_options(options)?;
            return Ok(Arc::new(d));
        }
        self.factory(name)?.configure(options)
    }
}
