//! A real three-member etcd cluster on 127.0.0.1 ports, driven through rift's etcd client.
//!
//! Module map: `Member` owns one etcd process (killed by pid on drop, even on panic) and
//! `Cluster` three of them with their temporary data directories; the tests check the client's
//! reads, writes and compare-and-sets, and how it classifies a timeout and a refused connection.

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use rift_etcd::probe::{health, is_leader};
use rift_etcd::{ClusterState, EtcdClient, EtcdCluster, EtcdMember, ReadMode};
use runner::system::FailureKind;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

use crate::etcd_redis_trial::ports::free_port;

/// One etcd process, killed by pid when dropped (resumed first, in case a test paused it).
struct Member(Child);

impl Drop for Member {
    fn drop(&mut self) {
        let _ = kill(Pid::from_raw(self.0.id() as i32), Signal::SIGCONT);
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Three members on their own ports and data directories, healthy.
struct Cluster {
    spec: EtcdCluster,
    members: Vec<Member>,
    _dir: tempfile::TempDir,
}

impl Cluster {
    fn start() -> Cluster {
        let members: Vec<EtcdMember> = (0..3)
            .map(|i| EtcdMember {
                name: format!("e{}", i + 1),
                client: SocketAddr::new(LOCALHOST, free_port()),
                peer: SocketAddr::new(LOCALHOST, free_port()),
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let spec = EtcdCluster::new(members, &format!("rift-test-{}", std::process::id()));
        let mut processes = Vec::new();
        for i in 0..3 {
            let data = dir.path().join(&spec.members[i].name);
            let c = spec.command(i, &data, ClusterState::New);
            let log = std::fs::File::create(dir.path().join(format!("e{}.log", i + 1))).unwrap();
            let child = Command::new(&c.program)
                .args(&c.args)
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .expect("etcd is installed");
            processes.push(Member(child));
        }
        let cluster = Cluster {
            spec,
            members: processes,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        for m in &cluster.spec.members {
            while let Err(why) = health(m.client, Duration::from_millis(500)) {
                assert!(Instant::now() < deadline, "not healthy in 20 s: {why}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        cluster
    }

    fn client(&self, i: usize, timeout: Duration) -> EtcdClient {
        let m = &self.spec.members[i];
        EtcdClient::new(&m.name, m.client, timeout).unwrap()
    }

    fn signal(&self, i: usize, signal: Signal) {
        kill(Pid::from_raw(self.members[i].0.id() as i32), signal).unwrap();
    }
}

#[tokio::test]
async fn a_write_is_read_back_from_every_member_and_cas_succeeds_only_on_the_current_value() {
    let cluster = Cluster::start();
    let c1 = cluster.client(0, Duration::from_secs(2));
    assert_eq!(c1.read("k", ReadMode::Linearizable).await.unwrap(), None);
    c1.write("k", "1").await.unwrap();
    for i in 0..3 {
        let c = cluster.client(i, Duration::from_secs(2));
        assert_eq!(
            c.read("k", ReadMode::Linearizable)
                .await
                .unwrap()
                .as_deref(),
            Some("1"),
            "linearizable read from e{}",
            i + 1
        );
    }
    let c2 = cluster.client(1, Duration::from_secs(2));
    assert!(
        !c2.cas("k", "7", "8").await.unwrap(),
        "cas from a wrong value"
    );
    assert!(
        c2.cas("k", "1", "2").await.unwrap(),
        "cas from the current value"
    );
    assert!(
        !c2.cas("missing", "1", "2").await.unwrap(),
        "cas on a key with no value"
    );
    assert_eq!(
        c1.read("k", ReadMode::Linearizable)
            .await
            .unwrap()
            .as_deref(),
        Some("2")
    );
    assert_eq!(
        c1.read("missing", ReadMode::Linearizable).await.unwrap(),
        None
    );

    // A serializable read answers from the member's own state, which catches up with the cas.
    let c3 = cluster.client(2, Duration::from_secs(2));
    let deadline = Instant::now() + Duration::from_secs(5);
    while c3
        .read("k", ReadMode::Serializable)
        .await
        .unwrap()
        .as_deref()
        != Some("2")
    {
        assert!(Instant::now() < deadline, "e3 never applied the cas");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_request_to_a_paused_member_times_out_as_indefinite() {
    let cluster = Cluster::start();
    let timeout = Duration::from_millis(500);
    cluster
        .client(2, Duration::from_secs(2))
        .write("k", "1")
        .await
        .unwrap();
    let c = cluster.client(2, timeout);
    cluster.signal(2, Signal::SIGSTOP);
    let started = Instant::now();
    let e = c.write("k", "2").await.unwrap_err();
    cluster.signal(2, Signal::SIGCONT);
    assert_eq!(e.kind, FailureKind::TimedOut, "{e}");
    assert!(!e.is_definite(), "a timeout after sending is indefinite");
    assert_eq!(e.node, "e3");
    assert!(
        started.elapsed() < timeout + Duration::from_secs(2),
        "the timeout bounded the call"
    );
}

#[test]
fn exactly_one_member_reports_itself_leader() {
    let _machine = crate::machine::share();
    let cluster = Cluster::start();
    // Asked one after another, the members may straddle an election (a loaded machine can miss
    // heartbeats): asked again until they agree, for at most 10 s.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let answers: Vec<_> = cluster
            .spec
            .members
            .iter()
            .map(|m| is_leader(m.client, Duration::from_secs(2)))
            .collect();
        let leaders = answers.iter().filter(|a| matches!(a, Ok(true))).count();
        if leaders == 1 && answers.iter().all(Result::is_ok) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not exactly one leader in 10 s: {answers:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test]
async fn a_refused_connection_is_a_definite_failure() {
    let addr = SocketAddr::new(LOCALHOST, free_port());
    let c = EtcdClient::new("e9", addr, Duration::from_secs(1)).unwrap();
    let e = c.write("k", "1").await.unwrap_err();
    assert_eq!(e.kind, FailureKind::Unreachable, "{e}");
    assert!(e.is_definite());
}
