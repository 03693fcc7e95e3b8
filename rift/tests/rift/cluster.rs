//! The cluster and its faults, on real processes in real network namespaces (needs root, as in
//! CI). Module map:
//! - partitions and packet loss: UDP probes between sockets opened inside the nodes' namespaces;
//! - pause, kill and restart: booking-node answering `status`, a write surviving a restart;
//! - clock: `date +%s%N` under a node's libfaketime environment;
//! - the loopback backend: what it leaves out, and why.
//!
//! Every test starts its own cluster with a fresh run id; dropping the cluster tears it down.

use faults::{Fault, Grudge, Injector, NodeId, Outcome, Shape, Target};
use rift_booking::{BookingAdapter, BookingOptions};
use runner::cluster::{Backend, Cluster, ClusterConfig};
use runner::system::{Adapter, CommandAdapter, Readiness};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn sleepers(nodes: usize) -> Cluster {
    let adapter = CommandAdapter::new("sleep", "sleep", &["600"], Readiness::Started);
    let config = ClusterConfig {
        nodes,
        backend: Backend::Local,
        ..ClusterConfig::default()
    };
    Cluster::start(config, Arc::new(adapter)).expect("a local cluster starts (needs root)")
}

fn booking(nodes: usize, backend: Backend) -> Cluster {
    let options = BookingOptions {
        replication: booking::config::ReplicationKind::Async,
        read: booking::config::ReadLevel::One,
        conflict: None,
    };
    let adapter: Arc<dyn Adapter> =
        Arc::new(BookingAdapter::new(options).expect("booking-node is built"));
    let config = ClusterConfig {
        nodes,
        backend,
        ..ClusterConfig::default()
    };
    Cluster::start(config, adapter).expect("a booking cluster starts")
}

/// A UDP socket bound to `addr` inside network namespace `ns`: opened on a thread that entered
/// the namespace (a socket stays in the namespace it was made in).
fn udp_in(ns: &str, addr: SocketAddr) -> UdpSocket {
    let path = faults::netns::namespace_path(ns);
    std::thread::spawn(move || {
        let f = std::fs::File::open(&path).expect("namespace exists");
        nix::sched::setns(&f, nix::sched::CloneFlags::CLONE_NEWNET).expect("setns");
        let s = UdpSocket::bind(addr).expect("bind in namespace");
        s.set_read_timeout(Some(Duration::from_millis(150)))
            .unwrap();
        s
    })
    .join()
    .unwrap()
}

/// Sockets of every node, on port 9000 of its address.
fn probes(cluster: &Cluster, n: usize) -> Vec<UdpSocket> {
    (0..n)
        .map(|i| {
            let id = NodeId(i);
            let addr = SocketAddr::new(cluster.addr(id).ip(), 9000);
            udp_in(&cluster.namespace(id).unwrap(), addr)
        })
        .collect()
}

/// Which node hears which: `m[to][from]`. Every node sends three datagrams to every other node
/// at once (loss on an idle veth is nil, so one datagram of three arriving means the path is
/// open). The sockets are drained until every path `open(to, from)` names is heard, for at most
/// 2 s, and then 200 ms more for any datagram a closed path let through.
fn matrix(socks: &[UdpSocket], open: impl Fn(usize, usize) -> bool) -> Vec<Vec<bool>> {
    let n = socks.len();
    let mut buf = [0u8; 64];
    for s in socks {
        s.set_nonblocking(true).unwrap();
        while s.recv_from(&mut buf).is_ok() {}
    }
    for (from, s) in socks.iter().enumerate() {
        for (to, dest) in socks.iter().enumerate() {
            for copy in 0..3u8 {
                s.send_to(&[from as u8, to as u8, copy], dest.local_addr().unwrap())
                    .unwrap();
            }
        }
    }
    let mut m = vec![vec![false; n]; n];
    let mut drain = |m: &mut Vec<Vec<bool>>| {
        for (to, s) in socks.iter().enumerate() {
            while let Ok((len, _)) = s.recv_from(&mut buf) {
                if len == 3 && buf[1] as usize == to {
                    m[to][buf[0] as usize] = true;
                }
            }
        }
    };
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        drain(&mut m);
        let all_open_heard = (0..n).all(|to| (0..n).all(|from| m[to][from] || !open(to, from)));
        if all_open_heard || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(200));
    drain(&mut m);
    m
}

#[test]
fn a_partition_drops_exactly_the_traffic_its_grudge_names_in_the_direction_it_names_and_heal_restores_it(
) {
    let _machine = crate::machine::share();
    let n = 5;
    let mut cluster = sleepers(n);
    let socks = probes(&cluster, n);
    let mut injector = Injector::new(&mut cluster, 11);
    let shapes = [
        Shape::OneWay,
        Shape::Bridge,
        Shape::MajoritiesRing,
        Shape::Exact(Grudge([(NodeId(0), [NodeId(3)].into())].into())),
    ];
    for shape in shapes {
        let record = injector
            .apply(&Fault::Partition {
                shape: shape.clone(),
            })
            .unwrap();
        assert_eq!(record.outcome, Outcome::Installed, "{shape:?}");
        let grudge = record.grudge.unwrap();
        let seen = matrix(&socks, |to, from| !grudge.drops(NodeId(to), NodeId(from)));
        for (to, row) in seen.iter().enumerate() {
            for (from, heard) in row.iter().enumerate() {
                let cut = grudge.drops(NodeId(to), NodeId(from));
                assert_eq!(
                    *heard, !cut,
                    "{shape:?}: does n{to} hear n{from}? grudge {grudge:?}"
                );
            }
        }
        let healed = injector.apply(&Fault::Heal).unwrap();
        assert_eq!(healed.outcome, Outcome::Installed);
        assert!(
            matrix(&socks, |_, _| true).iter().flatten().all(|h| *h),
            "after heal every node hears every node"
        );
    }
}

#[test]
fn packet_loss_drops_about_the_share_asked_for_and_heal_ends_it() {
    let _machine = crate::machine::share();
    let mut cluster = sleepers(2);
    let socks = probes(&cluster, 2);
    let mut injector = Injector::new(&mut cluster, 3);
    let lossy = Fault::PacketLoss {
        target: Target::Nodes(vec![NodeId(0)]),
        probability: 0.5,
    };
    assert_eq!(injector.apply(&lossy).unwrap().outcome, Outcome::Installed);
    let dest = socks[1].local_addr().unwrap();
    socks[1].set_nonblocking(false).unwrap();
    socks[1]
        .set_read_timeout(Some(Duration::from_secs(1)))
        .unwrap();
    for i in 0..200u16 {
        socks[0].send_to(&i.to_be_bytes(), dest).unwrap();
    }
    let mut got = 0;
    let mut buf = [0u8; 8];
    while socks[1].recv_from(&mut buf).is_ok() {
        got += 1;
    }
    // Binomial(200, 0.5): mean 100, sd about 7; 40..160 fails once in about 10^17 runs.
    assert!(
        (40..=160).contains(&got),
        "{got} of 200 datagrams arrived under 50% loss"
    );
    injector.apply(&Fault::Heal).unwrap();
    assert!(
        matrix(&socks, |_, _| true).iter().flatten().all(|h| *h),
        "after heal every datagram path is open"
    );
}

/// One request to a booking node; `None` if it does not answer within `timeout`.
fn ask(addr: SocketAddr, request: &str, timeout: Duration) -> Option<serde_json::Value> {
    let mut s = TcpStream::connect_timeout(&addr, timeout).ok()?;
    s.set_read_timeout(Some(timeout)).ok()?;
    s.write_all(format!("{request}\n").as_bytes()).ok()?;
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line).ok()?;
    serde_json::from_str(&line).ok()
}

const STATUS: &str = r#"{"id":1,"op":"status"}"#;

#[test]
fn a_paused_node_stops_answering_and_answers_again_after_resume() {
    let _machine = crate::machine::share();
    let mut cluster = booking(3, Backend::Local);
    let addr = cluster.addr(NodeId(1));
    let short = Duration::from_millis(300);
    assert!(
        ask(addr, STATUS, Duration::from_secs(2)).is_some(),
        "answers before the pause"
    );
    let mut injector = Injector::new(&mut cluster, 1);
    let paused = injector
        .apply(&Fault::Pause {
            target: Target::Nodes(vec![NodeId(1)]),
        })
        .unwrap();
    assert_eq!(paused.outcome, Outcome::Installed);
    assert!(
        ask(addr, STATUS, short).is_none(),
        "a paused node does not answer"
    );
    let again = injector
        .apply(&Fault::Pause {
            target: Target::Nodes(vec![NodeId(1)]),
        })
        .unwrap();
    assert!(
        matches!(again.outcome, Outcome::Skipped { .. }),
        "pausing a paused node is skipped"
    );
    injector
        .apply(&Fault::Resume {
            target: Target::Nodes(vec![NodeId(1)]),
        })
        .unwrap();
    assert!(
        ask(addr, STATUS, Duration::from_secs(2)).is_some(),
        "answers after resume"
    );
}

#[test]
fn a_killed_node_restarts_on_its_data() {
    let _machine = crate::machine::share();
    let mut cluster = booking(3, Backend::Local);
    let primary = cluster.addr(NodeId(0));
    let t = Duration::from_secs(2);
    let write = r#"{"id":2,"op":"write","key":"x","value":42}"#;
    let reply = ask(primary, write, t).expect("the write is answered");
    assert_eq!(reply["ok"], true, "{reply}");
    let mut injector = Injector::new(&mut cluster, 1);
    let kill = injector
        .apply(&Fault::Kill {
            target: Target::Nodes(vec![NodeId(0)]),
        })
        .unwrap();
    assert_eq!(kill.outcome, Outcome::Installed);
    assert!(
        ask(primary, STATUS, Duration::from_millis(200)).is_none(),
        "a killed node does not answer"
    );
    let restart = injector
        .apply(&Fault::Restart {
            target: Target::Nodes(vec![NodeId(0)]),
        })
        .unwrap();
    assert_eq!(restart.outcome, Outcome::Installed, "{restart:?}");
    let read = ask(primary, r#"{"id":3,"op":"read","key":"x"}"#, t).expect("the read is answered");
    assert_eq!(
        read["result"]["value"], 42,
        "the restarted node still has its data: {read}"
    );
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// How far node `id`'s wall clock is from real time, in ms (`date +%s%N` under its clock), as
/// the range the reading allows: `date` read its clock between `before` and `after`.
fn skew_ms(cluster: &Cluster, id: NodeId) -> std::ops::RangeInclusive<i64> {
    let before = now_ms();
    let out = cluster.exec(id, "date", &["+%s%N"]).unwrap();
    let after = now_ms();
    let node_ms = out.trim().parse::<i64>().unwrap() / 1_000_000;
    node_ms - after - SKEW_SLACK_MS..=node_ms - before + SKEW_SLACK_MS
}

/// How far a node's clock may be off beyond what the time `date` took to run allows.
const SKEW_SLACK_MS: i64 = 50;

#[test]
fn a_node_under_a_five_second_clock_offset_reads_five_seconds_ahead_and_reset_brings_it_back() {
    let _machine = crate::machine::share();
    let mut cluster = booking(3, Backend::Local);
    let mut injector = Injector::new(&mut cluster, 1);
    let bump = Fault::ClockBump {
        target: Target::Nodes(vec![NodeId(1)]),
        delta_ms: 5000,
    };
    assert_eq!(injector.apply(&bump).unwrap().outcome, Outcome::Installed);
    let cluster = injector.mechanism();
    for i in 0..3 {
        let skew = skew_ms(cluster, NodeId(i));
        let want = if i == 1 { 5000 } else { 0 };
        assert!(
            skew.contains(&want),
            "n{i} is {skew:?} ms off real time, expected {want}"
        );
    }
    injector
        .apply(&Fault::ClockReset {
            target: Target::All,
        })
        .unwrap();
    let skew = skew_ms(injector.mechanism(), NodeId(1));
    assert!(skew.contains(&0), "after reset n1 is {skew:?} ms off");
}

#[test]
fn clock_faults_on_a_go_program_are_skipped_with_the_reason() {
    let _machine = crate::machine::share();
    let adapter = CommandAdapter::new(
        "nats",
        "nats-server",
        &["-a", "{ip}", "-p", "{port}"],
        Readiness::Tcp,
    );
    let config = ClusterConfig {
        nodes: 1,
        backend: Backend::Local,
        ..ClusterConfig::default()
    };
    let mut cluster = Cluster::start(config, Arc::new(adapter)).unwrap();
    let mut injector = Injector::new(&mut cluster, 1);
    let r = injector
        .apply(&Fault::ClockBump {
            target: Target::All,
            delta_ms: 1000,
        })
        .unwrap();
    match r.outcome {
        Outcome::Skipped { reason } => assert!(reason.contains("Go program"), "{reason}"),
        other => panic!("expected skipped, got {other:?}"),
    }
}

#[test]
fn the_loopback_backend_says_it_leaves_out_partitions_and_still_pauses() {
    let _machine = crate::machine::share();
    let mut cluster = booking(3, Backend::Loopback);
    let kinds: Vec<_> = cluster.omissions().iter().map(|o| o.kind).collect();
    assert_eq!(
        kinds,
        [faults::FaultKind::Partition, faults::FaultKind::PacketLoss]
    );
    assert!(cluster.omissions()[0].reason.contains("loopback"));
    let addr = cluster.addr(NodeId(2));
    assert!(addr.ip().is_loopback());
    let mut injector = Injector::new(&mut cluster, 1);
    let p = injector
        .apply(&Fault::Partition {
            shape: Shape::IsolateOne,
        })
        .unwrap();
    assert!(
        matches!(p.outcome, Outcome::Skipped { ref reason } if reason.contains("loopback")),
        "{p:?}"
    );
    injector
        .apply(&Fault::Pause {
            target: Target::Nodes(vec![NodeId(2)]),
        })
        .unwrap();
    assert!(ask(addr, STATUS, Duration::from_millis(300)).is_none());
    injector
        .apply(&Fault::Resume {
            target: Target::Nodes(vec![NodeId(2)]),
        })
        .unwrap();
    assert!(ask(addr, STATUS, Duration::from_secs(2)).is_some());
}
