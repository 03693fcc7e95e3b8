//! A system described in a TOML file, with a client driver in any language speaking JSON lines:
//! no Rust, no rebuild. `rift run --system kv.toml` (and a campaign's `system = { name =
//! "kv.toml" }`) loads the file: its `[node]` table becomes the node side (templates rendered
//! for each node: command, files, setup, readiness, primaries, logs, stop signal) and its
//! `[driver]` the client side (one driver process per run, see `PROTOCOL.md` beside this
//! file). Every template's placeholders are checked when the file is loaded; an unknown field or
//! placeholder is an error naming the file and what was expected.
//!
//! A config stores the file's absolute path as the system's name, so a stored run's
//! `config.toml` replays from anywhere; the description's own `name` is the default test name.

mod adapter;
mod description;
pub mod jsonl;
mod placeholder;

pub use adapter::DescribedAdapter;
pub use description::Description;

use self::adapter::CommandTemplate;
use self::jsonl::{DriverCommand, JsonlDriver};
use self::placeholder::{Scope, Values};
use super::{Adapter, Driver, DriverContext, SystemUnderTest};
use crate::campaign::Expect;
use crate::run::RunConfig;
use crate::workload::WorkloadKind;
use crate::RunError;
use faults::FaultKind;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Whether a system's name is a description file's path (it ends in `.toml`).
pub fn is_description(name: &str) -> bool {
    name.ends_with(".toml")
}

/// A description file, read and checked, with a set of options.
#[derive(Debug, Clone)]
pub struct Described {
    /// The file's absolute path (the system's name in configs).
    path: String,
    /// Its directory (the driver's working directory, `{dir}`).
    dir: PathBuf,
    /// The description.
    description: Description,
    /// Its options: the declared defaults, overridden by a config's.
    options: Map<String, Value>,
}

impl Described {
    /// Reads and checks the description at `path` (relative to the current directory), with
    /// its default options.
    pub fn load(path: &Path) -> Result<Described, RunError> {
        let bad = |message: String| RunError::Description {
            path: path.to_path_buf(),
            message,
        };
        let text =
            std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
        let description: Description =
            toml::from_str(&text).map_err(|e| bad(e.to_string().trim_end().to_string()))?;
        let absolute = std::fs::canonicalize(path).map_err(|e| bad(e.to_string()))?;
        let dir = absolute
            .parent()
            .map_or_else(PathBuf::new, Path::to_path_buf);
        if description.workloads.is_empty() {
            return Err(bad(
                "workloads: name at least one workload the driver runs".into()
            ));
        }
        let mut options = Map::new();
        for (k, v) in &description.options {
            let json = match v {
                toml::Value::String(_)
                | toml::Value::Integer(_)
                | toml::Value::Float(_)
                | toml::Value::Boolean(_) => {
                    serde_json::to_value(v).map_err(|e| bad(e.to_string()))?
                }
                other => {
                    return Err(bad(format!(
                        "options.{k}: a default must be a string, number or boolean, not a {}",
                        other.type_str()
                    )))
                }
            };
            options.insert(k.clone(), json);
        }
        let described = Described {
            path: absolute.display().to_string(),
            dir,
            description,
            options,
        };
        described.adapter_of().map_err(bad)?;
        described.driver_command(None).map_err(bad)?;
        Ok(described)
    }

    /// The same description with a config's `options` over the defaults.
    pub fn with_options(mut self, options: &Map<String, Value>) -> Result<Described, RunError> {
        for (k, v) in options {
            if !self.options.contains_key(k) {
                let declared: Vec<&str> = self.options.keys().map(String::as_str).collect();
                return Err(RunError::SystemOptions {
                    system: self.path.clone(),
                    message: format!(
                        "no option {k:?} in its [options] ({})",
                        if declared.is_empty() {
                            "it declares none".to_string()
                        } else {
                            declared.join(", ")
                        }
                    ),
                });
            }
            self.options.insert(k.clone(), v.clone());
        }
        Ok(self)
    }

    /// The options as text, for templates.
    fn option_text(&self) -> BTreeMap<String, String> {
        self.options
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), text)
            })
            .collect()
    }

    fn adapter_of(&self) -> Result<DescribedAdapter, String> {
        DescribedAdapter::new(&self.description, self.dir.clone(), self.option_text())
    }

    /// The driver's command for a run of `nodes` nodes, its standard error in `log_dir`.
    fn driver_command(&self, context: Option<&DriverContext>) -> Result<DriverCommand, String> {
        let options = self.option_text();
        let c =
            CommandTemplate::parse("driver", &self.description.driver, Scope::Driver, &options)?;
        let values = Values {
            node: None,
            nodes: context.map_or(0, |c| c.nodes.len()),
            dir: &self.dir,
            options: &options,
        };
        let c = c.render(&values, None);
        Ok(DriverCommand {
            program: c.program.display().to_string(),
            args: c.args,
            env: c.env,
            dir: self.dir.clone(),
            log: context
                .and_then(|c| c.log_dir.as_ref())
                .map(|d| d.join("driver.log")),
        })
    }
}

impl SystemUnderTest for Described {
    fn name(&self) -> &str {
        &self.path
    }

    fn test_name(&self) -> String {
        self.description.name.clone()
    }

    fn options(&self) -> Map<String, Value> {
        self.options.clone()
    }

    fn workloads(&self) -> Vec<WorkloadKind> {
        self.description.workloads.clone()
    }

    fn describe(&self) -> String {
        let mut words = self.description.name.clone();
        for (k, v) in self.option_text() {
            words.push_str(&format!(" {k}={v}"));
        }
        words
    }

    /// A description promises nothing: its campaigns say what they expect.
    fn expect(&self, _fault: FaultKind) -> Expect {
        Expect::Any
    }

    fn validate(&self, run: &RunConfig) -> Result<(), RunError> {
        let workloads = self.workloads();
        match run.workload.kind {
            Some(kind) if !workloads.contains(&kind) => Err(RunError::NoSuchWorkload {
                system: self.description.name.clone(),
                workload: kind,
                workloads: workloads
                    .iter()
                    .map(|w| w.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
            _ => Ok(()),
        }
    }

    fn adapter(&self) -> Result<Arc<dyn Adapter>, RunError> {
        let adapter = self.adapter_of().map_err(|message| RunError::Description {
            path: self.path.clone().into(),
            message,
        })?;
        Ok(Arc::new(adapter))
    }

    fn driver(&self, context: &DriverContext) -> Result<Arc<dyn Driver>, RunError> {
        let command =
            self.driver_command(Some(context))
                .map_err(|message| RunError::Description {
                    path: self.path.clone().into(),
                    message,
                })?;
        let handle = tokio::runtime::Handle::try_current().map_err(|e| {
            RunError::Runtime(std::io::Error::other(format!(
                "a driver process needs the run's tokio runtime: {e}"
            )))
        })?;
        let driver = handle.block_on(JsonlDriver::start(&command, context, &self.options))?;
        Ok(Arc::new(driver))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::system::NodeSpec;
    use faults::NodeId;
    use std::net::{IpAddr, Ipv4Addr, SocketAddr};

    const KVD: &str = r#"
name = "kvd"
workloads = ["register", "set"]
[options]
mode = "safe"
[node]
program = "kvd"
args = ["--listen", "{addr}", "--mode", "{option.mode}", "--fresh"]
restart_args = ["--listen", "{addr}", "--mode", "{option.mode}"]
env = { KVD_ID = "{id}" }
stop_signal = "SIGINT"
logs = ["{name}.log"]
[[node.files]]
path = "conf/{name}.conf"
contents = "members = [{peers:\"<name>@<addr+1>\"}]\n"
[[node.setup]]
program = "kvd"
args = ["init", "{data_dir}"]
[node.ready]
http = "http://{addr}/health"
[driver]
program = "python3"
args = ["{dir}/d.py", "{nodes}"]
"#;

    fn load(text: &str) -> Result<Described, RunError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kvd.toml");
        std::fs::write(&path, text).unwrap();
        Described::load(&path)
    }

    fn node(i: usize, restart: bool) -> NodeSpec {
        let ip = |k: usize| IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2 + k as u8));
        NodeSpec {
            id: NodeId(i),
            ip: ip(i),
            port: 7000,
            peers: (0..2).map(|k| SocketAddr::new(ip(k), 7000)).collect(),
            data_dir: PathBuf::from(format!("/w/n{i}")),
            restart,
        }
    }

    #[test]
    fn a_description_renders_each_nodes_command_files_and_setup() {
        let d = load(KVD)
            .unwrap()
            .with_options(&Map::from_iter([("mode".to_string(), Value::from("fast"))]));
        let a = d.unwrap().adapter_of().unwrap();
        let c = a.command(&node(1, false)).unwrap();
        assert_eq!(c.line(), "kvd --listen 10.0.0.3:7000 --mode fast --fresh");
        assert_eq!(c.env, [("KVD_ID".to_string(), "1".to_string())]);
        let restarted = a.command(&node(1, true)).unwrap();
        assert_eq!(restarted.line(), "kvd --listen 10.0.0.3:7000 --mode fast");
        let files = a.files(&node(0, false)).unwrap();
        assert_eq!(files[0].path, PathBuf::from("conf/n0.conf"));
        assert_eq!(
            files[0].contents,
            "members = [\"n0@10.0.0.2:7001\",\"n1@10.0.0.3:7001\"]\n"
        );
        assert_eq!(
            a.setup(&node(0, false)).unwrap()[0].line(),
            "kvd init /w/n0"
        );
        assert_eq!(a.stop_signal(), nix::sys::signal::Signal::SIGINT);
        assert_eq!(a.log_files(&node(1, false)), [PathBuf::from("n1.log")]);
    }

    #[test]
    fn an_option_the_description_does_not_declare_is_refused_with_the_declared_ones() {
        let d = load(KVD).unwrap();
        let e = d
            .with_options(&Map::from_iter([("mdoe".to_string(), Value::from("x"))]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no option \"mdoe\"") && e.contains("mode"),
            "{e}"
        );
    }

    #[test]
    fn a_bad_signal_or_no_workload_is_refused_naming_the_field() {
        let e = load(&KVD.replace("SIGINT", "SIGNOPE"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("node.stop_signal") && e.contains("SIGNOPE"),
            "{e}"
        );
        let e = load(&KVD.replace(r#"["register", "set"]"#, "[]"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("workloads"), "{e}");
        let e = load(&KVD.replace("{nodes}", "{addr}"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("driver.args[1]") && e.contains("{addr}"), "{e}");
    }
}
