//! The SSH backend's configuration: which hosts, and how OpenSSH reaches them.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

/// How to reach the hosts of the SSH backend (the `[ssh]` table of a run config). Node `i` runs
/// on `hosts[i]`. Whatever is not set here comes from OpenSSH's own configuration
/// (`~/.ssh/config`, or `config`), as with `ssh HOST`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SshConfig {
    /// Host names OpenSSH resolves (aliases of the ssh config included) or addresses.
    pub hosts: Vec<String>,
    /// The login user (`ssh -l`); not root, it runs iptables, signals and other users'
    /// processes through `sudo -n`, which must not ask for a password.
    pub user: Option<String>,
    /// The port (`ssh -p`).
    pub port: Option<u16>,
    /// The private key (`ssh -i`).
    pub identity: Option<PathBuf>,
    /// An ssh config file read instead of `~/.ssh/config` (`ssh -F`).
    pub config: Option<PathBuf>,
    /// A known-hosts file; host keys are always checked strictly (an unknown or changed key
    /// is refused).
    pub known_hosts: Option<PathBuf>,
    /// The directory on each host under which a run keeps its files (`<dir>/rift-<run>`).
    pub dir: PathBuf,
    /// Seconds to wait for a host to answer when connecting.
    pub connect_timeout_s: u64,
}

impl Default for SshConfig {
    fn default() -> SshConfig {
        SshConfig {
            hosts: Vec::new(),
            user: None,
            port: None,
            identity: None,
            config: None,
            known_hosts: None,
            dir: PathBuf::from("/tmp"),
            connect_timeout_s: 10,
        }
    }
}

impl SshConfig {
    /// Its files named relative to a file in `dir` (a config, a campaign), made relative to the
    /// current directory instead.
    pub fn relative_to(&mut self, dir: &std::path::Path) {
        for file in [&mut self.config, &mut self.identity, &mut self.known_hosts]
            .into_iter()
            .flatten()
        {
            if file.is_relative() {
                *file = dir.join(&*file);
            }
        }
    }

    /// How long connecting to one host may take.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs(self.connect_timeout_s.max(1))
    }

    /// The options of the `ssh` command line that this config sets (for `ssh -G` and for
    /// messages).
    pub fn ssh_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if let Some(f) = &self.config {
            args.extend(["-F".into(), f.display().to_string()]);
        }
        if let Some(u) = &self.user {
            args.extend(["-l".into(), u.clone()]);
        }
        if let Some(p) = self.port {
            args.extend(["-p".into(), p.to_string()]);
        }
        if let Some(i) = &self.identity {
            args.extend(["-i".into(), i.display().to_string()]);
        }
        if let Some(k) = &self.known_hosts {
            args.extend(["-o".into(), format!("UserKnownHostsFile={}", k.display())]);
        }
        args
    }
}
