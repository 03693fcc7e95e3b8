//! Hosts reached over SSH: one OpenSSH master connection per host (through the `openssh`
//! crate's native multiplexing), each action a new channel on it running a script of
//! [`ssh_scripts`](super::ssh_scripts) with `bash -c`.
//!
//! The cluster is driven from plain threads, so each host blocks on a small runtime of the
//! backend's own; from inside another runtime it blocks on a scoped thread instead. The login
//! user runs the nodes' processes; iptables, signals, other users' files and processes go
//! through `sudo -n` unless the user is root.

use super::ssh_config::SshConfig;
use super::{quote, ssh_scripts, Host, ProcStatus, Reach};
use crate::cluster::process::Proc;
use crate::system::{CommandOutput, NodeCommand};
use crate::RunError;
use faults::clock::{offset_spec, ClockControl};
use faults::iptables::RuleSet;
use faults::process::ProcessIdentity;
use faults::{FaultError, NodeId};
use nix::sys::signal::Signal;
use openssh::{KnownHosts, Session, SessionBuilder, Stdio};
use std::collections::HashMap;
use std::future::Future;
use std::net::{Ipv4Addr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;

/// How long one action on a host (a signal, a file, a firewall rewrite) may take.
const ACTION_TIMEOUT: Duration = Duration::from_secs(20);

/// One host, connected.
pub struct SshHost {
    name: String,
    address: Ipv4Addr,
    /// The master connection; `None` once closed.
    session: tokio::sync::RwLock<Option<Session>>,
    runtime: Arc<tokio::runtime::Runtime>,
    sudo: bool,
    run_dir: PathBuf,
    programs: Mutex<HashMap<PathBuf, PathBuf>>,
}

impl std::fmt::Debug for SshHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SshHost")
            .field("name", &self.name)
            .field("address", &self.address)
            .finish()
    }
}

/// `e` and its sources, as one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        s.push_str(": ");
        s.push_str(cause.to_string().trim());
        source = cause.source();
    }
    s
}

impl SshHost {
    /// Connects to host `name` of `config`, its control socket under `control_dir`; checks
    /// that `sudo -n` works unless the login user is root.
    pub(super) fn connect(
        config: &SshConfig,
        name: &str,
        runtime: Arc<tokio::runtime::Runtime>,
        control_dir: &Path,
        run_dir: &Path,
    ) -> Result<SshHost, RunError> {
        let fail = |message: String| RunError::Host {
            host: name.to_string(),
            message,
        };
        let address = address_of(config, name).map_err(&fail)?;
        let mut builder = SessionBuilder::default();
        builder
            .known_hosts_check(KnownHosts::Strict)
            .control_directory(control_dir)
            .connect_timeout(config.connect_timeout())
            .server_alive_interval(Duration::from_secs(5));
        if let Some(u) = &config.user {
            builder.user(u.clone());
        }
        if let Some(p) = config.port {
            builder.port(p);
        }
        if let Some(k) = &config.identity {
            builder.keyfile(k);
        }
        if let Some(f) = &config.config {
            builder.config_file(f);
        }
        if let Some(k) = &config.known_hosts {
            builder.user_known_hosts_file(k);
        }
        let session = runtime
            .block_on(builder.connect_mux(name))
            .map_err(|e| fail(format!("cannot connect over SSH: {}", chain(&e))))?;
        let mut host = SshHost {
            name: name.to_string(),
            address,
            session: tokio::sync::RwLock::new(Some(session)),
            runtime,
            sudo: false,
            run_dir: run_dir.to_path_buf(),
            programs: Mutex::default(),
        };
        let id = host.exec("id -u", None, ACTION_TIMEOUT).map_err(&fail)?;
        host.sudo = String::from_utf8_lossy(&id.stdout).trim() != "0";
        if host.sudo {
            let out = host
                .exec("sudo -n true", None, ACTION_TIMEOUT)
                .map_err(&fail)?;
            if !out.status.success() {
                return Err(fail(format!(
                    "the login user is not root and `sudo -n` refuses it (rift needs sudo \
                     without a password for iptables and signals): {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                )));
            }
        }
        Ok(host)
    }

    /// The host's name, as the configuration gives it.
    pub fn host_name(&self) -> &str {
        &self.name
    }

    /// The host's address, where clients and the other nodes reach it.
    pub fn address(&self) -> Ipv4Addr {
        self.address
    }

    /// Runs `f` to its end on the backend's runtime.
    fn block<F>(&self, f: F) -> F::Output
    where
        F: Future + Send,
        F::Output: Send,
    {
        if tokio::runtime::Handle::try_current().is_ok() {
            std::thread::scope(|s| {
                s.spawn(|| self.runtime.block_on(f))
                    .join()
                    .expect("an ssh thread panicked")
            })
        } else {
            self.runtime.block_on(f)
        }
    }

    /// Runs `script` with `bash -c` on the host, `stdin` on its standard input, bounded by
    /// `timeout`. `Err` when it could not run or did not finish (not for a failed status).
    fn exec(
        &self,
        script: &str,
        stdin: Option<&[u8]>,
        timeout: Duration,
    ) -> Result<Output, String> {
        let run = async {
            let guard = self.session.read().await;
            let session = guard.as_ref().ok_or("the connection is closed")?;
            let mut cmd = session.command("bash");
            cmd.arg("-c")
                .arg(script)
                .stdin(if stdin.is_some() {
                    Stdio::piped()
                } else {
                    Stdio::null()
                })
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            let mut child = cmd.spawn().await.map_err(|e| chain(&e))?;
            if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin().take()) {
                pipe.write_all(bytes).await.map_err(|e| chain(&e))?;
                pipe.shutdown().await.map_err(|e| chain(&e))?;
            }
            child.wait_with_output().await.map_err(|e| chain(&e))
        };
        self.block(async { tokio::time::timeout(timeout, run).await })
            .map_err(|_| format!("did not finish within {timeout:?}"))?
    }

    /// `script` as the superuser: through `sudo -n` unless the login user is root.
    fn privileged(&self, script: &str) -> String {
        if self.sudo {
            format!("exec sudo -n bash -c {}", quote::word(script))
        } else {
            script.to_string()
        }
    }

    /// Runs `script` and gives its standard output, or an error naming what was asked.
    fn action(&self, what: &str, script: &str, stdin: Option<&[u8]>) -> Result<String, FaultError> {
        let fail = |message: String| FaultError::Host {
            host: self.name.clone(),
            what: what.to_string(),
            message,
        };
        let out = self.exec(script, stdin, ACTION_TIMEOUT).map_err(fail)?;
        if !out.status.success() {
            return Err(fail(format!(
                "{}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Uploads this machine's `local` program into the run's directory on the host.
    fn upload(&self, local: &Path) -> Result<PathBuf, RunError> {
        let name = local.file_name().unwrap_or_default();
        let remote = self.run_dir.join("bin").join(name);
        let bytes = std::fs::read(local).map_err(RunError::io("read", local))?;
        self.write_file(&remote, &bytes, None)?;
        self.action(
            "make it executable",
            &format!("chmod 755 {}", quote::path(&remote)),
            None,
        )?;
        tracing::info!(
            "uploaded {} to {}:{}",
            local.display(),
            self.name,
            remote.display()
        );
        Ok(remote)
    }

    /// Closes the master connection (its control socket goes with it). Later actions fail.
    pub fn close(&self) {
        let taken = self.block(async { self.session.write().await.take() });
        if let Some(session) = taken {
            if let Err(e) = self.block(session.close()) {
                tracing::warn!("closing the connection to {}: {}", self.name, chain(&e));
            }
        }
    }

    /// Kills the trees of `processes`, removes the chain of `rules` and the run's directory.
    /// Returns what is still there, in words.
    pub fn clean(&self, processes: &[ProcessIdentity], rules: &RuleSet) -> Vec<String> {
        let script = ssh_scripts::clean(processes, rules.chain(), rules.comment(), &self.run_dir);
        match self.action("clean up", &self.privileged(&script), None) {
            Ok(out) => out
                .lines()
                .filter_map(|l| l.strip_prefix("left: "))
                .map(|what| format!("host {}: {what} is left", self.name))
                .collect(),
            Err(e) => vec![e.to_string()],
        }
    }
}

/// The IPv4 address OpenSSH would connect to for `name` (`ssh -G`: aliases of the ssh config
/// resolved), as seen from this machine.
fn address_of(config: &SshConfig, name: &str) -> Result<Ipv4Addr, String> {
    let out = std::process::Command::new("ssh")
        .arg("-G")
        .args(config.ssh_args())
        .arg(name)
        .output()
        .map_err(|e| format!("cannot run `ssh -G`: {e} (is openssh-client installed?)"))?;
    if !out.status.success() {
        return Err(format!(
            "`ssh -G {name}` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let hostname = text
        .lines()
        .find_map(|l| l.strip_prefix("hostname "))
        .unwrap_or(name)
        .trim()
        .to_string();
    (hostname.as_str(), 22)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {hostname}: {e}"))?
        .find_map(|a| match a.ip() {
            std::net::IpAddr::V4(v4) => Some(v4),
            std::net::IpAddr::V6(_) => None,
        })
        .ok_or_else(|| format!("{hostname} has no IPv4 address (rift's rules are IPv4)"))
}

impl Host for SshHost {
    fn name(&self) -> String {
        format!("host {}", self.name)
    }

    fn resolve(&self, program: &Path) -> Result<PathBuf, RunError> {
        if let Some(known) = self
            .programs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(program)
        {
            return Ok(known.clone());
        }
        let text = program.to_string_lossy();
        // Programs in the sbin directories are on root's PATH, not on every user's.
        let probe = if text.contains('/') {
            format!("test -x {p} && echo {p}", p = quote::word(&text))
        } else {
            format!(
                "PATH=$PATH:/usr/sbin:/sbin command -v {}",
                quote::word(&text)
            )
        };
        let found = self
            .exec(&probe, None, ACTION_TIMEOUT)
            .map_err(|message| RunError::Host {
                host: self.name.clone(),
                message,
            })?;
        let on_host = String::from_utf8_lossy(&found.stdout).trim().to_string();
        // A name is the host's own program; a path the host lacks is this machine's program,
        // uploaded (rift's own builds, such as booking-node, reach a host that way).
        let resolved = if found.status.success() && !on_host.is_empty() {
            PathBuf::from(on_host)
        } else if text.contains('/') && program.is_file() {
            self.upload(program)?
        } else {
            let where_ = if text.contains('/') {
                "at that path, nor does this machine have it to upload"
            } else {
                "on its PATH (or in /usr/sbin, /sbin)"
            };
            return Err(RunError::Host {
                host: self.name.clone(),
                message: format!("has no program {text} {where_}"),
            });
        };
        self.programs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(program.to_path_buf(), resolved.clone());
        Ok(resolved)
    }

    fn run(
        &self,
        command: &NodeCommand,
        env: &[(String, String)],
        cwd: &Path,
        timeout: Duration,
    ) -> Result<CommandOutput, String> {
        let program = self.resolve(&command.program).map_err(|e| e.to_string())?;
        let script = ssh_scripts::run(command, &program, env, cwd);
        let out = self
            .exec(&script, None, timeout)
            .map_err(|why| format!("`{}` on {}: {why}", command.line(), self.name))?;
        Ok(CommandOutput {
            success: out.status.success(),
            status: out.status.to_string(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }

    fn spawn(
        &self,
        node: NodeId,
        command: &NodeCommand,
        env: &[(String, String)],
        log: &Path,
        cwd: &Path,
    ) -> Result<Proc, RunError> {
        let program = self.resolve(&command.program)?;
        let script = ssh_scripts::spawn(command, &program, env, log, cwd);
        let fail = |message: String| RunError::Host {
            host: self.name.clone(),
            message: format!("cannot start node {node} (`{}`): {message}", command.line()),
        };
        let out = self.exec(&script, None, ACTION_TIMEOUT).map_err(&fail)?;
        let printed = String::from_utf8_lossy(&out.stdout);
        let mut words = printed.split_whitespace();
        match (
            out.status.success(),
            words.next().and_then(|w| w.parse().ok()),
            words.next().and_then(|w| w.parse().ok()),
        ) {
            (true, Some(pid), Some(start_time)) => Ok(Proc {
                child: None,
                identity: ProcessIdentity { pid, start_time },
            }),
            _ => Err(fail(format!(
                "{}: {} {}",
                out.status,
                printed.trim(),
                String::from_utf8_lossy(&out.stderr).trim()
            ))),
        }
    }

    fn signal(
        &self,
        _node: NodeId,
        process: &ProcessIdentity,
        signal: Signal,
        reach: Reach,
    ) -> Result<bool, FaultError> {
        let script = ssh_scripts::signal(process, signal, reach == Reach::Tree);
        let what = format!("send {}", signal.as_str());
        Ok(self.action(&what, &self.privileged(&script), None)? == "sent")
    }

    fn status(&self, process: &ProcessIdentity) -> ProcStatus {
        match self.action(
            "read a process's state",
            &ssh_scripts::status(process),
            None,
        ) {
            Ok(s) if s == "T" || s == "t" => ProcStatus::Stopped,
            Ok(s) if s == "gone" || s == "Z" || s == "X" => ProcStatus::Gone,
            Ok(_) => ProcStatus::Running,
            // A host rift cannot reach says nothing: the process may well be running.
            Err(_) => ProcStatus::Running,
        }
    }

    fn reap(&self, process: &mut Proc, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.status(&process.identity) == ProcStatus::Gone {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn create_dir(&self, path: &Path, owner: Option<&str>) -> Result<(), RunError> {
        let mut script = format!("mkdir -p {}", quote::path(path));
        if let Some(user) = owner {
            script.push_str(&format!(
                " && sudo -n chown {} {}",
                quote::word(user),
                quote::path(path)
            ));
        }
        self.action("create a directory", &script, None)?;
        Ok(())
    }

    fn write_file(
        &self,
        path: &Path,
        contents: &[u8],
        owner: Option<&str>,
    ) -> Result<(), RunError> {
        self.action(
            &format!("write {}", path.display()),
            &ssh_scripts::write_file(path, owner),
            Some(contents),
        )?;
        Ok(())
    }

    fn fetch(&self, path: &Path, to: &Path) -> Result<(), RunError> {
        let fail = |message: String| RunError::Host {
            host: self.name.clone(),
            message: format!("cannot fetch {}: {message}", path.display()),
        };
        let out = self
            .exec(&format!("cat {}", quote::path(path)), None, ACTION_TIMEOUT)
            .map_err(&fail)?;
        if !out.status.success() {
            return Err(fail(
                String::from_utf8_lossy(&out.stderr).trim().to_string(),
            ));
        }
        std::fs::write(to, &out.stdout).map_err(RunError::io("write", to))
    }

    fn restore_rules(&self, script: &str) -> Result<String, FaultError> {
        self.action(
            "install firewall rules with iptables-restore (is iptables installed?)",
            &self.privileged("iptables-restore -w --noflush && exec iptables -w -S"),
            Some(script.as_bytes()),
        )
    }

    fn set_clock(&self, clock: &ClockControl, offset_ms: i64) -> Result<(), FaultError> {
        self.action(
            "set the clock",
            &ssh_scripts::write_file(clock.path(), None),
            Some(offset_spec(offset_ms).as_bytes()),
        )
        .map(|_| ())
    }
}
