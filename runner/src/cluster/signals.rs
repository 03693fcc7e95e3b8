//! Teardown on SIGINT, SIGTERM and SIGHUP: every live run of this process is registered here;
//! a watcher thread waits for those signals, tears every registered run down, and exits with
//! 128 + the signal's number.

use super::{teardown, RunId, RunState};
use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

fn live() -> &'static Mutex<BTreeMap<RunId, RunState>> {
    static LIVE: OnceLock<Mutex<BTreeMap<RunId, RunState>>> = OnceLock::new();
    LIVE.get_or_init(|| Mutex::new(BTreeMap::new()))
}

/// Registers (or updates) a live run, starting the watcher thread on first use.
pub fn watch(state: &RunState) {
    static WATCHER: OnceLock<()> = OnceLock::new();
    WATCHER.get_or_init(start_watcher);
    live()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(state.run_id.clone(), state.clone());
}

/// Forgets a run that was torn down.
pub fn forget(run_id: &RunId) {
    live()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(run_id);
}

/// Starts the watcher and returns once its handlers are installed (or it gave up).
fn start_watcher() {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
    let spawned = std::thread::Builder::new()
        .name("rift-teardown-on-signal".into())
        .spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                tracing::error!(
                    "cannot build the signal watcher's runtime: no teardown on SIGTERM"
                );
                return;
            };
            let signo = rt.block_on(async {
                use tokio::signal::unix::{signal, SignalKind};
                let (Ok(mut int), Ok(mut term), Ok(mut hup)) = (
                    signal(SignalKind::interrupt()),
                    signal(SignalKind::terminate()),
                    signal(SignalKind::hangup()),
                ) else {
                    return None;
                };
                let _ = ready_tx.send(());
                tokio::select! {
                    _ = int.recv() => Some(2),
                    _ = term.recv() => Some(15),
                    _ = hup.recv() => Some(1),
                }
            });
            let Some(signo) = signo else {
                tracing::error!("cannot watch SIGINT/SIGTERM: no teardown on those signals");
                return;
            };
            let runs: Vec<RunState> = live()
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .values()
                .cloned()
                .collect();
            for state in &runs {
                let report = teardown::teardown(state);
                eprintln!(
                    "rift: signal {signo}: run {} torn down: {report}",
                    state.run_id
                );
            }
            std::process::exit(128 + signo);
        });
    match spawned {
        // The sender is dropped if the watcher gives up, which ends this wait too.
        Ok(_) => {
            let _ = ready_rx.recv_timeout(std::time::Duration::from_secs(5));
        }
        Err(e) => tracing::error!("cannot start the signal watcher: {e}: no teardown on SIGTERM"),
    }
}
