//! A real Redis deployment on 127.0.0.1 ports: a primary, two replicas and three Sentinels,
//! driven through rift's Redis client.
//!
//! Module map: `Proc` owns one process (resumed and killed by pid on drop, even on panic);
//! `Deployment` starts the six with rift's own command lines in a temporary directory and waits
//! for rift's readiness probe; the tests check replication, Sentinel naming the primary, what
//! `WAIT` does, and a failover the client follows. Last, a rift cluster of Redis nodes (in
//! network namespaces, under libfaketime) shows a clock fault reaching one server's `TIME`.

use faults::{Fault, Injector, NodeId, Outcome, Target};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use redis::aio::MultiplexedConnection;
use rift_redis::{
    primary_by, probe, ReadFrom, RedisAdapter, RedisClient, RedisCluster, RedisNode, WaitFor,
};
use runner::cluster::{Backend, Cluster, ClusterConfig};
use runner::system::{FailureKind, NodeCommand};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::ops::RangeInclusive;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
/// Long enough for a healthy call on a loaded machine; the tests that expect a failure get it
/// sooner, or from the server.
const TIMEOUT: Duration = Duration::from_secs(2);

use crate::etcd_redis_trial::ports::free_port;

/// One process, resumed and killed by pid when dropped.
struct Proc(Child);

impl Proc {
    fn spawn(c: &NodeCommand, dir: &Path, log: &str) -> Proc {
        let log = std::fs::File::create(dir.join(log)).unwrap();
        let child = Command::new(&c.program)
            .args(&c.args)
            .envs(c.env.iter().map(|(k, v)| (k, v)))
            .current_dir(dir)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .expect("redis is installed");
        Proc(child)
    }

    fn signal(&self, s: Signal) {
        kill(Pid::from_raw(self.0.id() as i32), s).unwrap();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = kill(Pid::from_raw(self.0.id() as i32), Signal::SIGCONT);
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Three servers (the first the primary) and three Sentinels, ready.
struct Deployment {
    spec: Arc<RedisCluster>,
    servers: Vec<Proc>,
    _sentinels: Vec<Proc>,
    _dir: tempfile::TempDir,
}

impl Deployment {
    fn start() -> Deployment {
        let nodes = (0..3)
            .map(|i| RedisNode {
                name: format!("r{}", i + 1),
                server: SocketAddr::new(LOCALHOST, free_port()),
                sentinel: SocketAddr::new(LOCALHOST, free_port()),
            })
            .collect();
        let spec = Arc::new(RedisCluster::new(nodes));
        let dir = tempfile::tempdir().unwrap();
        let dirs: Vec<_> = (0..3)
            .map(|i| {
                let d = dir.path().join(format!("r{}", i + 1));
                std::fs::create_dir(&d).unwrap();
                d
            })
            .collect();
        let servers = (0..3)
            .map(|i| Proc::spawn(&spec.server_command(i, &dirs[i]), &dirs[i], "server.log"))
            .collect();
        let sentinels = (0..3)
            .map(|i| {
                Proc::spawn(
                    &spec.sentinel_command(i, &dirs[i]),
                    &dirs[i],
                    "sentinel.log",
                )
            })
            .collect();
        let deadline = Instant::now() + Duration::from_secs(20);
        for i in 0..3 {
            while let Err(why) = probe(&spec, i, TIMEOUT) {
                assert!(Instant::now() < deadline, "not ready in 20 s: {why}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Deployment {
            spec,
            servers,
            _sentinels: sentinels,
            _dir: dir,
        }
    }

    fn client(&self, home: usize, read_from: ReadFrom, wait: Option<WaitFor>) -> RedisClient {
        RedisClient::new(self.spec.clone(), home, read_from, wait, TIMEOUT)
    }
}

/// Polls `check` every 20 ms until it holds or `limit` passes.
async fn eventually(limit: Duration, what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !check().await {
        assert!(Instant::now() < deadline, "{what} within {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn writes_go_to_the_primary_sentinel_names_and_replicate_to_both_replicas() {
    let d = Deployment::start();
    let writer = d.client(2, ReadFrom::Primary, None);
    assert_eq!(
        writer.primary_address().await.unwrap(),
        d.spec.nodes[0].server
    );
    let set = writer.set("k", "1").await.unwrap();
    assert_eq!(set.node, "r1", "the write went to the primary");
    assert!(
        writer.cas("k", "1", "2").await.unwrap().value,
        "cas from the current value"
    );
    assert!(
        !writer.cas("k", "1", "3").await.unwrap().value,
        "cas from a stale value"
    );
    writer.add("s", "7").await.unwrap();
    writer.add("s", "8").await.unwrap();
    assert_eq!(writer.get("k").await.unwrap().value.as_deref(), Some("2"));
    for home in [1, 2] {
        let reader = d.client(home, ReadFrom::Local, None);
        eventually(Duration::from_secs(5), "a replica catches up", async || {
            let k = reader.get("k").await.unwrap();
            let s = reader.members("s").await.unwrap();
            assert_eq!(k.node, d.spec.nodes[home].name, "a local read stays local");
            let mut s = s.value;
            s.sort();
            k.value.as_deref() == Some("2") && s == ["7", "8"]
        })
        .await;
    }
    let on_r3 = writer.members_on(2, "s").await.unwrap();
    assert_eq!(on_r3.node, "r3");
}

#[tokio::test]
async fn wait_acknowledges_a_write_only_when_enough_replicas_have_it() {
    let d = Deployment::start();
    let wait = Some(WaitFor {
        replicas: 2,
        timeout_ms: 1000,
    });
    let c = d.client(0, ReadFrom::Primary, wait);
    c.set("k", "1").await.expect("both replicas acknowledge");
    d.servers[2].signal(Signal::SIGSTOP);
    let e = c.set("k", "2").await.unwrap_err();
    d.servers[2].signal(Signal::SIGCONT);
    assert_eq!(e.kind, FailureKind::Unreplicated, "{e}");
    assert!(
        !e.is_definite(),
        "a write WAIT could not confirm is indefinite"
    );
    // WAIT does not roll anything back: the primary applied the write.
    let plain = d.client(0, ReadFrom::Primary, None);
    assert_eq!(plain.get("k").await.unwrap().value.as_deref(), Some("2"));
}

#[tokio::test]
async fn sentinels_fail_over_a_paused_primary_and_the_client_follows() {
    let d = Deployment::start();
    let c = d.client(1, ReadFrom::Primary, None);
    c.set("k", "before").await.unwrap();
    d.servers[0].signal(Signal::SIGSTOP);
    let mut failed_once = false;
    eventually(
        Duration::from_secs(15),
        "a replica is promoted",
        async || match c.set("k", "after").await {
            Ok(s) => s.node != "r1",
            Err(e) => {
                failed_once = true;
                assert!(e.node == "r1" || e.kind == FailureKind::Unreachable, "{e}");
                false
            }
        },
    )
    .await;
    assert!(
        failed_once,
        "writes to the paused primary failed before the failover"
    );
    eventually(
        Duration::from_secs(5),
        "every Sentinel names the new primary",
        async || (0..3).all(|i| primary_by(&d.spec, i, TIMEOUT).is_ok_and(|p| p != 0)),
    )
    .await;
    // The old primary, resumed, still runs as a primary until a Sentinel's next INFO to it
    // (up to 10 s later) demotes it; a client that follows the Sentinels no longer writes there.
    d.servers[0].signal(Signal::SIGCONT);
    assert_ne!(c.set("k", "later").await.unwrap().node, "r1");
}

#[tokio::test]
async fn no_reachable_sentinel_is_a_definite_failure() {
    let nodes = vec![RedisNode {
        name: "r1".into(),
        server: SocketAddr::new(LOCALHOST, free_port()),
        sentinel: SocketAddr::new(LOCALHOST, free_port()),
    }];
    let c = RedisClient::new(
        Arc::new(RedisCluster::new(nodes)),
        0,
        ReadFrom::Primary,
        None,
        TIMEOUT,
    );
    let e = c.set("k", "1").await.unwrap_err();
    assert_eq!(e.kind, FailureKind::Unreachable, "{e}");
    assert!(e.is_definite());
}

/// Microseconds since the epoch, by the host's clock.
fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64
}

/// How far each server's wall clock (its answer to `TIME`) is from the host's, in ms: the range
/// its answer allows, since it read its clock somewhere between asking and hearing back.
async fn time_skews_ms(conns: &mut [MultiplexedConnection]) -> Vec<RangeInclusive<i64>> {
    let mut skews = Vec::new();
    for c in conns {
        let before = now_us();
        let time = redis::cmd("TIME");
        let asked = time.query_async::<(i64, i64)>(c);
        let (secs, micros) = tokio::time::timeout(TIMEOUT, asked)
            .await
            .expect("TIME answered in time")
            .expect("TIME answered");
        let after = now_us();
        let server = secs * 1_000_000 + micros;
        skews.push(
            (server - after) / 1000 - SKEW_SLACK_MS..=(server - before) / 1000 + SKEW_SLACK_MS,
        );
    }
    skews
}

/// How far a server's clock may be off beyond what the round trip to it allows.
const SKEW_SLACK_MS: i64 = 100;

#[test]
fn a_redis_node_under_a_five_second_clock_offset_answers_time_five_seconds_ahead_and_reset_brings_it_back(
) {
    let _machine = crate::machine::share();
    let config = ClusterConfig {
        nodes: 3,
        backend: Backend::Local,
        ready_timeout_ms: 20_000,
        ..ClusterConfig::default()
    };
    assert!(config.clock, "clock faults are on by default");
    let mut cluster = Cluster::start(config, Arc::new(RedisAdapter::default()))
        .expect("a Redis cluster starts under libfaketime (as root)");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut conns: Vec<_> = (0..3)
        .map(|i| {
            let url = format!("redis://{}/", cluster.addr(NodeId(i)));
            let client = redis::Client::open(url).unwrap();
            let connect = client.get_multiplexed_async_connection();
            rt.block_on(async { tokio::time::timeout(TIMEOUT, connect).await })
                .expect("connected in time")
                .unwrap()
        })
        .collect();
    let mut injector = Injector::new(&mut cluster, 1);
    let bump = Fault::ClockBump {
        target: Target::Nodes(vec![NodeId(1)]),
        delta_ms: 5000,
    };
    assert_eq!(injector.apply(&bump).unwrap().outcome, Outcome::Installed);
    let skews = rt.block_on(time_skews_ms(&mut conns));
    for (i, skew) in skews.iter().enumerate() {
        let want = if i == 1 { 5000 } else { 0 };
        assert!(
            skew.contains(&want),
            "n{i} is {skew:?} ms off real time, expected {want}: {skews:?}"
        );
    }
    let reset = Fault::ClockReset {
        target: Target::All,
    };
    assert_eq!(injector.apply(&reset).unwrap().outcome, Outcome::Installed);
    let skews = rt.block_on(time_skews_ms(&mut conns));
    assert!(
        skews.iter().all(|s| s.contains(&0)),
        "after reset: {skews:?} ms off"
    );
}
