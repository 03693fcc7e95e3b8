//! The hosts of one run of the SSH backend, connected all at once, cleaned and closed together.

use super::ssh::SshHost;
use super::ssh_config::SshConfig;
use crate::RunError;
use faults::iptables::RuleSet;
use faults::process::ProcessIdentity;
use std::path::Path;
use std::sync::Arc;

/// The hosts of one run, connected.
#[derive(Debug, Clone)]
pub struct SshHosts {
    hosts: Vec<Arc<SshHost>>,
}

impl SshHosts {
    /// Connects to the first `n` hosts of `config`, all at once, with their control sockets
    /// under `control_dir`; `run_dir` is the run's directory on every host. `Err` names the
    /// first host that cannot be reached or used.
    pub fn connect(
        config: &SshConfig,
        n: usize,
        control_dir: &Path,
        run_dir: &Path,
    ) -> Result<SshHosts, RunError> {
        if config.hosts.len() < n {
            return Err(RunError::Cluster(format!(
                "{n} nodes need {n} hosts; the ssh backend names {}: {:?}",
                config.hosts.len(),
                config.hosts
            )));
        }
        std::fs::create_dir_all(control_dir).map_err(RunError::io("create", control_dir))?;
        let runtime = Arc::new(
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("rift-ssh")
                .enable_all()
                .build()
                .map_err(RunError::Runtime)?,
        );
        let hosts = std::thread::scope(|scope| {
            let handles: Vec<_> = config.hosts[..n]
                .iter()
                .map(|name| {
                    let runtime = runtime.clone();
                    scope.spawn(move || {
                        SshHost::connect(config, name, runtime, control_dir, run_dir)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a connecting thread panicked"))
                .collect::<Vec<_>>()
        });
        let mut connected = Vec::new();
        for h in hosts {
            connected.push(Arc::new(h?));
        }
        Ok(SshHosts { hosts: connected })
    }

    /// The hosts, node `i` on the `i`-th.
    pub fn hosts(&self) -> &[Arc<SshHost>] {
        &self.hosts
    }

    /// Cleans every host (in parallel) of what `processes` (with the index of their host),
    /// `rules` and the run's directory left there. Returns what is still there, in words.
    pub fn clean(&self, processes: &[(usize, ProcessIdentity)], rules: &RuleSet) -> Vec<String> {
        std::thread::scope(|scope| {
            let handles: Vec<_> = self
                .hosts
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    let mine: Vec<ProcessIdentity> = processes
                        .iter()
                        .filter(|(host, _)| *host == i)
                        .map(|(_, p)| *p)
                        .collect();
                    scope.spawn(move || h.clean(&mine, rules))
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("a cleaning thread panicked"))
                .collect()
        })
    }

    /// Closes every master connection.
    pub fn close(&self) {
        for h in &self.hosts {
            h.close();
        }
    }
}
