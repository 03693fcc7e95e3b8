//! The raft strategy on three real `booking-node` processes on loopback.
//!
//! - bookings and reads work from any node (followers forward to the leader);
//! - acknowledged writes survive SIGKILL of one node and of the whole cluster;
//! - two clients racing for the last room never both get it (repeated over many rooms);
//! - killing the leader elects a new one and writes go on; the old leader rejoins and catches up.

use crate::support::{self, CLIENT_TIMEOUT};
use booking::config::{ReadLevel, ReplicationKind};
use booking::testing::TestCluster;
use booking::{BookingError, Client};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// A three-node raft cluster.
async fn cluster(read: ReadLevel) -> TestCluster {
    support::cluster(ReplicationKind::Raft, read).await
}

/// Waits (at most 5 s) until one of `alive` is leader and every node of `alive` names it.
async fn leader(c: &TestCluster, alive: &[usize]) -> usize {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut named = Vec::new();
        for &i in alive {
            if let Ok(client) = Client::connect(c.addr(i), Duration::from_millis(300)).await {
                if let Ok(s) = client.status().await {
                    named.push((s.role == "leader", s.leader));
                }
            }
        }
        if named.len() == alive.len() {
            if let Some((_, Some(l))) = named.iter().find(|(is_leader, _)| *is_leader) {
                if alive.contains(l) && named.iter().all(|(_, n)| *n == Some(*l)) {
                    return *l;
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "no agreed raft leader among {alive:?} within 5 s: {named:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Runs `op` until it succeeds or fails indefinitely, retrying definite failures (no leader yet)
/// for at most 5 s.
async fn retry_definite<T, F, Fut>(mut op: F) -> Result<T, BookingError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, BookingError>>,
{
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match op().await {
            Err(e) if e.is_definite() && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            other => return other,
        }
    }
}

#[tokio::test]
async fn bookings_and_reads_work_from_any_node() {
    let c = cluster(ReadLevel::Majority).await;
    leader(&c, &[0, 1, 2]).await;
    let clients = support::clients(&c).await;
    for (i, client) in clients.iter().enumerate() {
        let room = format!("room-{i}");
        assert!(client.book(&room, &format!("guest-{i}")).await.unwrap());
        for other in &clients {
            assert_eq!(
                other.available(&room).await.unwrap(),
                vec![format!("guest-{i}")]
            );
        }
        let next = &clients[(i + 1) % 3];
        assert!(!next.book(&room, "late").await.unwrap());
    }
    clients[1].write("x", json!(7)).await.unwrap();
    assert_eq!(clients[2].read("x").await.unwrap(), json!(7));
    assert!(clients[0].cas("x", json!(7), json!(8)).await.unwrap());
    assert!(!clients[2].cas("x", json!(7), json!(9)).await.unwrap());
    assert_eq!(clients[1].read("x").await.unwrap(), json!(8));
}

#[tokio::test]
async fn acknowledged_writes_survive_sigkill_of_a_node_and_of_the_whole_cluster() {
    let mut c = cluster(ReadLevel::Majority).await;
    let l = leader(&c, &[0, 1, 2]).await;
    let follower = (l + 1) % 3;
    let mut acknowledged = Vec::new();
    {
        let via_leader = c.client(l, CLIENT_TIMEOUT).await.unwrap();
        let via_follower = c.client(follower, CLIENT_TIMEOUT).await.unwrap();
        for k in 0..30 {
            let client = if k % 2 == 0 {
                &via_leader
            } else {
                &via_follower
            };
            client.write(&format!("k{k}"), json!(k)).await.unwrap();
            acknowledged.push(k);
        }
    }
    // One follower dies and comes back: it must hold every write once it has caught up.
    c.kill(follower).unwrap();
    c.restart(follower).await.unwrap();
    // Then the whole cluster dies at once: only what was fsync'd is left.
    for i in 0..3 {
        c.kill(i).unwrap();
    }
    for i in 0..3 {
        c.restart(i).await.unwrap();
    }
    leader(&c, &[0, 1, 2]).await;
    for i in 0..3 {
        let client = c.client(i, CLIENT_TIMEOUT).await.unwrap();
        for &k in &acknowledged {
            let key = format!("k{k}");
            let v = retry_definite(|| client.read(&key)).await.unwrap();
            assert_eq!(v, json!(k), "node {i} lost acknowledged write k{k}");
        }
    }
}

#[tokio::test]
async fn two_clients_racing_for_the_last_room_never_both_get_it() {
    let c = cluster(ReadLevel::Majority).await;
    leader(&c, &[0, 1, 2]).await;
    let a = c.client(0, CLIENT_TIMEOUT).await.unwrap();
    let b = c.client(2, CLIENT_TIMEOUT).await.unwrap();
    for round in 0..20 {
        let room = format!("last-{round}");
        let (ra, rb) = tokio::join!(a.book(&room, "ann"), b.book(&room, "bob"));
        let winners: Vec<&str> = [("ann", &ra), ("bob", &rb)]
            .iter()
            .filter(|(_, r)| matches!(r, Ok(true)))
            .map(|(g, _)| *g)
            .collect();
        assert!(
            winners.len() <= 1,
            "round {round}: both guests booked {room}: {ra:?} {rb:?}"
        );
        let holders = a.available(&room).await.unwrap();
        assert_eq!(holders.len(), 1, "round {round}: holders {holders:?}");
        if let Some(w) = winners.first() {
            assert_eq!(holders, vec![w.to_string()], "round {round}");
        }
    }
}

#[tokio::test]
async fn a_killed_leader_is_replaced_and_writes_continue() {
    let mut c = cluster(ReadLevel::Majority).await;
    let old = leader(&c, &[0, 1, 2]).await;
    let survivor = (old + 1) % 3;
    let client = c.client(survivor, CLIENT_TIMEOUT).await.unwrap();
    client.write("before", json!(1)).await.unwrap();
    c.kill(old).unwrap();
    let killed_at = Instant::now();
    let alive: Vec<usize> = (0..3).filter(|&i| i != old).collect();
    let new = leader(&c, &alive).await;
    assert_ne!(new, old);
    let elected_in = killed_at.elapsed();
    retry_definite(|| client.write("after", json!(2)))
        .await
        .unwrap();
    assert_eq!(client.read("before").await.unwrap(), json!(1));
    assert_eq!(client.read("after").await.unwrap(), json!(2));
    // The old leader comes back as a follower and catches up.
    c.restart(old).await.unwrap();
    let back = c.client(old, CLIENT_TIMEOUT).await.unwrap();
    let v: Value = retry_definite(|| back.read("after")).await.unwrap();
    assert_eq!(v, json!(2));
    assert!(
        elected_in < Duration::from_secs(3),
        "a new leader took {elected_in:?}"
    );
}
