//! `rift serve` over HTTP: the index of a store's runs (newest first), a filter, a run's report
//! (drawn on request when none was written) and its files; paths outside the store refused.

use checker::Verdict;
use runner::nemesis::NemesisConfig;
use runner::run::{RunConfig, SystemConfig};
use runner::store::{HostFacts, Results, RunDir, RunMeta, RunStats};
use runner::workload::{WorkloadConfig, WorkloadKind};
use runner::RunError;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime};

/// A booking history of two calls, enough for a report.
const HISTORY: &str = r#"{"rift_history":1,"model":"booking"}
{"index":0,"time":1000000,"process":0,"type":"invoke","f":"book","key":0,"value":"g1","node":"n0"}
{"index":1,"time":3000000,"process":0,"type":"ok","f":"book","key":0,"value":true,"node":"n0"}
{"index":2,"time":4000000,"process":1,"type":"invoke","f":"available","key":0,"value":null,"node":"n1"}
{"index":3,"time":5000000,"process":1,"type":"ok","f":"available","key":0,"value":"g1","node":"n1"}
"#;

/// Stores a run of `test` started `age_s` seconds before now with this verdict, or, without
/// one, a run that stopped with an error before it recorded anything; returns its path relative
/// to the store.
fn store_run(root: &Path, test: &str, age_s: u64, seed: u64, verdict: Option<Verdict>) -> String {
    let started = SystemTime::now() - Duration::from_secs(age_s);
    let dir = RunDir::create(root, test, started, true).unwrap();
    let config = RunConfig {
        test: test.into(),
        seed: Some(seed),
        system: SystemConfig::named("booking", &[("replication", "async"), ("read", "one")]),
        nemesis: NemesisConfig::default(),
        workload: WorkloadConfig {
            kind: Some(WorkloadKind::Booking),
            ..WorkloadConfig::default()
        },
        ..RunConfig::default()
    };
    dir.write_meta(&RunMeta {
        config,
        seed,
        rift_version: "test".into(),
        run_id: format!("serve-test-{seed}"),
        replay_of: None,
        started_at: format!("2026-01-{:02}T00:00:00Z", 28 - age_s),
        host: HostFacts::here(),
        reproduce: format!("rift run --seed {seed}"),
    })
    .unwrap();
    match verdict {
        Some(verdict) => {
            std::fs::write(dir.history(), HISTORY).unwrap();
            dir.write_results(&Results {
                verdict,
                checks: vec![],
                stats: RunStats::default(),
                coverage: None,
            })
            .unwrap();
        }
        None => dir.write_error(&RunError::Cluster("n0 never started".into())),
    }
    dir.path
        .strip_prefix(root)
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// A `rift serve` process, killed when dropped (a failed assertion leaves nothing running).
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `rift serve` on a free port, and the address it printed.
fn serve(root: &Path) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rift"))
        .args(["serve", root.to_str().unwrap(), "--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap_or_else(|| panic!("rift serve printed no address: {line:?}"))
        .to_string();
    assert!(addr.starts_with("127.0.0.1:"), "binds loopback: {addr}");
    (Server(child), addr)
}

/// GETs `path` exactly as written (no normalisation of `..`); returns status and body.
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text[9..12].parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

#[test]
fn serve_lists_runs_newest_first_filters_them_serves_reports_and_refuses_paths_outside_the_store() {
    let base = std::env::temp_dir().join(format!("rift-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let root = base.join("store");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(base.join("secret.txt"), "not for the web").unwrap();
    std::os::unix::fs::symlink(&base, root.join("escape")).unwrap();
    let failed = store_run(&root, "alpha", 4, 4, None);
    let old = store_run(&root, "alpha", 3, 1, Some(Verdict::Valid));
    let bad = store_run(&root, "beta", 2, 2, Some(Verdict::Invalid));
    let new = store_run(&root, "alpha", 1, 3, Some(Verdict::Valid));
    let (mut server, addr) = serve(&root);

    let (status, index) = get(&addr, "/");
    assert_eq!(status, 200);
    assert!(
        index.contains("data-shown=\"4\" data-total=\"4\""),
        "{index}"
    );
    let at = |p: &str| index.find(&format!("/runs/{p}/report.html")).unwrap();
    assert!(
        at(&new) < at(&bad) && at(&bad) < at(&old) && at(&old) < at(&failed),
        "newest first"
    );
    assert!(
        index.contains("<td class=\"error\">error</td>")
            && index.contains(&format!("/runs/{failed}/error.txt")),
        "a run that stopped with an error says so and links its error: {index}"
    );
    let (status, error) = get(&addr, &format!("/runs/{failed}/error.txt"));
    assert_eq!(status, 200);
    assert!(error.contains("n0 never started"), "{error}");

    let (status, invalid) = get(&addr, "/?verdict=invalid");
    assert_eq!(status, 200);
    assert!(invalid.contains("data-shown=\"1\" data-total=\"4\""));
    assert!(invalid.contains(&format!("/runs/{bad}/report.html")));
    let (_, seeded) = get(&addr, "/?test=alpha&seed=3");
    assert!(seeded.contains("data-shown=\"1\"") && seeded.contains(&new));

    let (status, report) = get(&addr, &format!("/runs/{bad}/report.html"));
    assert_eq!(status, 200, "{report}");
    assert!(
        report.contains("<title>rift report: beta"),
        "a report drawn on request"
    );
    assert!(
        !root.join(&bad).join("report.html").exists(),
        "the store is not written"
    );
    let (status, meta) = get(&addr, &format!("/runs/{bad}/run.json"));
    assert_eq!(status, 200);
    assert!(meta.contains("\"seed\": 2"), "{meta}");

    for outside in [
        "/runs/../secret.txt",
        "/runs/alpha/../../secret.txt",
        "/runs/%2e%2e/secret.txt",
        "/runs/escape/secret.txt",
    ] {
        let (status, body) = get(&addr, outside);
        assert!(status == 403 || status == 404, "{outside}: {status} {body}");
        assert!(!body.contains("not for the web"), "{outside} leaked");
    }
    assert_eq!(get(&addr, "/runs/escape/secret.txt").0, 403);
    assert_eq!(get(&addr, "/runs/alpha/none.json").0, 404);

    let page = crate::browser::load(
        &format!("http://{addr}/"),
        1300,
        500,
        Some(&crate::browser::shots().join("serve-index.png")),
    );
    assert!(page.console.is_empty(), "{:?}", page.console);
    assert!(page.dom.contains("4 of 4 runs, newest first."));

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(server.0.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    assert!(
        server.0.wait().unwrap().success(),
        "SIGTERM stops it cleanly"
    );
    std::fs::remove_dir_all(&base).unwrap();
}
