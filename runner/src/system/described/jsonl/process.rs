//! One driver process and its two pipes: a writer task sends rift's lines, a reader task matches
//! each answer to the request it names, and the first breach of the protocol (a line that is no
//! answer, an id rift never sent, the driver's exit) ends the driver: every call still waiting is
//! answered with the breach, and no more are sent.

use super::protocol::{Answer, Request};
use crate::system::DriverFailure;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, BufWriter};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// How long a driver has to exit after its input closes, before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(5);

/// How a driver's command is run.
#[derive(Debug, Clone)]
pub struct DriverCommand {
    /// The program.
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// Extra environment.
    pub env: Vec<(String, String)>,
    /// Its working directory (the description's).
    pub dir: PathBuf,
    /// Where its standard error goes (`driver.log` in the run's node logs), if anywhere.
    pub log: Option<PathBuf>,
}

impl DriverCommand {
    /// The command line, for messages.
    pub fn line(&self) -> String {
        std::iter::once(self.program.as_str())
            .chain(self.args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// State shared with the reader task.
struct Shared {
    /// The command line, for messages.
    name: String,
    /// Where its standard error goes.
    log: Option<PathBuf>,
    /// Calls waiting for their answer, by request id.
    pending: Mutex<HashMap<u64, oneshot::Sender<Answer>>>,
    /// The next request id (0 is the handshake's).
    next_id: AtomicU64,
    /// The breach that ended the driver, once there is one.
    failure: Mutex<Option<DriverFailure>>,
    /// Set when rift closes the driver's input: its exit is then expected.
    finishing: AtomicBool,
    /// The process.
    child: tokio::sync::Mutex<Child>,
}

/// A running driver process.
pub struct DriverProcess {
    shared: Arc<Shared>,
    lines: Mutex<Option<mpsc::UnboundedSender<String>>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

/// Why a call got no answer.
#[derive(Debug, Clone)]
pub enum NoAnswer {
    /// The deadline passed.
    Timeout,
    /// The driver ended (the breach says how) before answering.
    Ended(DriverFailure),
    /// The driver had ended before the request could be sent: nothing was sent.
    NotSent(DriverFailure),
}

impl DriverProcess {
    /// Starts the driver (in the current tokio runtime), killed if rift dies first.
    pub fn spawn(c: &DriverCommand) -> Result<DriverProcess, DriverFailure> {
        let name = c.line();
        let failed = |reason: String| DriverFailure {
            driver: name.clone(),
            reason,
        };
        let stderr = match &c.log {
            Some(path) => std::fs::File::create(path)
                .map(Stdio::from)
                .map_err(|e| failed(format!("cannot create {}: {e}", path.display())))?,
            None => Stdio::null(),
        };
        let mut command = Command::new(&c.program);
        command
            .args(&c.args)
            .envs(c.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&c.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .kill_on_drop(true);
        // SAFETY: between fork and exec only an async-signal-safe prctl(2) runs.
        unsafe {
            command.pre_exec(|| {
                nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
                    .map_err(std::io::Error::from)
            });
        }
        let mut child = command
            .spawn()
            .map_err(|e| failed(format!("cannot start it in {}: {e}", c.dir.display())))?;
        let (stdin, stdout) = match (child.stdin.take(), child.stdout.take()) {
            (Some(i), Some(o)) => (i, o),
            _ => return Err(failed("no pipes to it".into())),
        };
        let shared = Arc::new(Shared {
            name,
            log: c.log.clone(),
            pending: Mutex::default(),
            next_id: AtomicU64::new(0),
            failure: Mutex::default(),
            finishing: AtomicBool::new(false),
            child: tokio::sync::Mutex::new(child),
        });
        let (tx, rx) = mpsc::unbounded_channel();
        let tasks = vec![
            tokio::spawn(write(stdin, rx)),
            tokio::spawn(read(shared.clone(), stdout)),
        ];
        Ok(DriverProcess {
            shared,
            lines: Mutex::new(Some(tx)),
            tasks: Mutex::new(tasks),
        })
    }

    /// A fresh request id.
    pub fn fresh_id(&self) -> u64 {
        self.shared.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// The breach that ended the driver, if it has ended.
    pub fn failure(&self) -> Option<DriverFailure> {
        lock(&self.shared.failure).clone()
    }

    /// Sends `request` (with id `id`) and waits for its answer until `deadline`.
    pub async fn call(
        &self,
        id: u64,
        request: &Request<'_>,
        deadline: tokio::time::Instant,
    ) -> Result<Answer, NoAnswer> {
        let (tx, rx) = oneshot::channel();
        lock(&self.shared.pending).insert(id, tx);
        if let Err(f) = self.send(request) {
            lock(&self.shared.pending).remove(&id);
            return Err(NoAnswer::NotSent(f));
        }
        match tokio::time::timeout_at(deadline, rx).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(_)) => {
                Err(NoAnswer::Ended(self.failure().unwrap_or_else(|| {
                    self.shared.failed("ended without a reason".into())
                })))
            }
            Err(_) => {
                lock(&self.shared.pending).remove(&id);
                Err(NoAnswer::Timeout)
            }
        }
    }

    /// Sends `request` with no answer expected.
    pub fn send(&self, request: &Request<'_>) -> Result<(), DriverFailure> {
        if let Some(f) = self.failure() {
            return Err(f);
        }
        let mut line = serde_json::to_string(request).expect("requests serialise");
        line.push('\n');
        match lock(&self.lines).as_ref().map(|tx| tx.send(line)) {
            Some(Ok(())) => Ok(()),
            _ => Err(self.shared.failed("its input is closed".into())),
        }
    }

    /// Closes the driver's input, waits up to [`EXIT_GRACE`] for it to close its output and
    /// exit, then kills it.
    pub async fn finish(&self) {
        self.shared.finishing.store(true, Ordering::Relaxed);
        lock(&self.lines).take();
        let mut tasks: Vec<_> = lock(&self.tasks).drain(..).collect();
        let deadline = tokio::time::Instant::now() + EXIT_GRACE;
        let ended = tokio::time::timeout_at(deadline, async {
            for t in &mut tasks {
                let _ = t.await;
            }
        })
        .await;
        if ended.is_err() {
            tasks.iter().for_each(JoinHandle::abort);
        }
        let mut child = self.shared.child.lock().await;
        if tokio::time::timeout_at(deadline, child.wait())
            .await
            .is_err()
        {
            let _ = child.kill().await;
        }
    }
}

impl Drop for DriverProcess {
    fn drop(&mut self) {
        for t in lock(&self.tasks).drain(..) {
            t.abort();
        }
    }
}

impl Shared {
    /// Ends the driver with `reason` (the first reason wins): every waiting call is woken.
    fn failed(&self, reason: String) -> DriverFailure {
        let failure = {
            let mut f = lock(&self.failure);
            f.get_or_insert_with(|| DriverFailure {
                driver: self.name.clone(),
                reason,
            })
            .clone()
        };
        lock(&self.pending).clear();
        failure
    }

    /// Hands line `n` to the call it answers; `Err` says how it breaks the protocol.
    fn answer(&self, n: u64, line: &str) -> Result<(), String> {
        let answer: Answer = serde_json::from_str(line).map_err(|e| {
            // serde counts within the line, which is one line of the driver's output.
            let why = e.to_string();
            let why = why.rfind(" at line ").map_or(&*why, |i| &why[..i]);
            format!(
                "its line {n} is not an answer ({why} at column {}): {}",
                e.column(),
                clip(line)
            )
        })?;
        let id = answer.id();
        let waiting = lock(&self.pending).remove(&id);
        match waiting {
            Some(tx) => {
                let _ = tx.send(answer);
                Ok(())
            }
            // An answer after rift stopped waiting: the call is recorded as info already.
            None if id < self.next_id.load(Ordering::Relaxed) => Ok(()),
            None => Err(format!(
                "its line {n} answers id {id}, which rift never sent: {}",
                clip(line)
            )),
        }
    }

    /// The end of the driver's standard error, for messages.
    fn stderr_tail(&self) -> String {
        let Some(log) = &self.log else {
            return String::new();
        };
        let text = std::fs::read(log).unwrap_or_default();
        let tail = String::from_utf8_lossy(&text[text.len().saturating_sub(400)..]);
        match tail.trim() {
            "" => format!(" (nothing on its standard error, {})", log.display()),
            t => format!("; its standard error ({}) ends: {t}", log.display()),
        }
    }
}

/// Writes queued lines to the driver, flushing whenever the queue is empty.
async fn write(stdin: ChildStdin, mut rx: mpsc::UnboundedReceiver<String>) {
    let mut out = BufWriter::new(stdin);
    while let Some(line) = rx.recv().await {
        if out.write_all(line.as_bytes()).await.is_err() {
            return;
        }
        while let Ok(line) = rx.try_recv() {
            if out.write_all(line.as_bytes()).await.is_err() {
                return;
            }
        }
        if out.flush().await.is_err() {
            return;
        }
    }
    let _ = out.shutdown().await;
}

/// Reads the driver's answers until it ends or breaks the protocol.
async fn read(shared: Arc<Shared>, stdout: ChildStdout) {
    let mut lines = BufReader::new(stdout).lines();
    let mut n = 0u64;
    let reason = loop {
        match lines.next_line().await {
            Ok(Some(line)) => {
                n += 1;
                if let Err(reason) = shared.answer(n, &line) {
                    break format!("broke protocol v{}: {reason}", super::protocol::VERSION);
                }
            }
            Ok(None) if shared.finishing.load(Ordering::Relaxed) => return,
            Ok(None) => {
                let mut child = shared.child.lock().await;
                let status = match tokio::time::timeout(Duration::from_secs(1), child.wait()).await
                {
                    Ok(Ok(s)) => s.to_string(),
                    _ => "closed its standard output".to_string(),
                };
                break format!(
                    "exited ({status}) after {n} line(s) of answers{}",
                    shared.stderr_tail()
                );
            }
            Err(e) => break format!("its line {} could not be read: {e}", n + 1),
        }
    };
    shared.failed(reason);
    let _ = shared.child.lock().await.start_kill();
}

/// At most 200 characters of a line, for messages.
fn clip(line: &str) -> String {
    match line.char_indices().nth(200) {
        Some((i, _)) => format!("{}...", &line[..i]),
        None => line.to_string(),
    }
}

/// A mutex's contents, even after a panic elsewhere.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
