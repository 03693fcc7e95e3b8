//! The hosts of one run of the SSH backend, connected all at once, cleaned and closed together.

use super::ssh::SshHost;
use super::ssh_config::SshConfig;
use crate::cluster::at_once::at_once;
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
        let hosts = at_once(&config.hosts[..n], |name| {
            SshHost::connect(config, name, runtime.clone(), control_dir, run_dir)
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
        at_once(self.hosts.iter().enumerate(), |(i, h)| {
            let mine: Vec<ProcessIdentity> = processes
                .iter()
                .filter(|(host, _)| *host == i)
                .map(|(_, p)| *p)
                .collect();
            h.clean(&mine, rules)
        })
        .into_iter()
        .flatten()
        .collect()
    }

    /// Closes every master connection.
    pub fn close(&self) {
        for h in &self.hosts {
            h.close();
        }
    }
}
