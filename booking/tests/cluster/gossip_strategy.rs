//! `gossip`: any node accepts writes; anti-entropy spreads them; conflicts by last-writer-wins
//! or kept with version vectors.

use crate::scenarios::{
    acknowledged_writes, every_node_serves_every_operation, node_has, race_for_last_room, SPREAD,
};
use crate::support::{clients, cluster_with, eventually, gossip, CLIENT_TIMEOUT};
use booking::config::{ConflictMode, ReadLevel, ReplicationKind};
use booking::replication::gossip::ANTI_ENTROPY_INTERVAL;
use booking::testing::{ClusterSpec, TestCluster};

#[tokio::test]
async fn gossip_writes_accepted_by_any_node_spread_to_every_replica() {
    for conflict in [ConflictMode::Lww, ConflictMode::Vv] {
        let c = gossip(ReadLevel::One, conflict).await;
        every_node_serves_every_operation(&c, false).await;
    }
}

#[tokio::test]
async fn gossip_majority_reads_see_a_write_acknowledged_by_the_coordinator() {
    let c = gossip(ReadLevel::Majority, ConflictMode::Lww).await;
    let via = c.client(0, CLIENT_TIMEOUT).await.unwrap();
    let writes = acknowledged_writes(&via, "k", 20).await;
    assert!(
        node_has(&c, 0, &writes).await,
        "the coordinator's own majority includes itself"
    );
}

#[tokio::test]
async fn gossip_node_killed_and_restarted_keeps_its_acknowledged_writes() {
    let mut c = gossip(ReadLevel::One, ConflictMode::Lww).await;
    let via = c.client(1, CLIENT_TIMEOUT).await.unwrap();
    let writes = acknowledged_writes(&via, "k", 40).await;
    c.kill(1).unwrap();
    c.restart(1).await.unwrap();
    assert!(
        node_has(&c, 1, &writes).await,
        "node 1 kept the writes it acknowledged"
    );
    for i in [0, 2] {
        assert!(
            eventually(SPREAD, || node_has(&c, i, &writes)).await,
            "node {i} converged"
        );
    }
}

/// The holders of `room` once every node reports the same, or `None` if they never agree.
async fn converged_holders(c: &TestCluster, room: &str) -> Option<Vec<String>> {
    let cs = clients(c).await;
    let deadline = std::time::Instant::now() + SPREAD;
    while std::time::Instant::now() < deadline {
        let mut seen = Vec::new();
        for client in &cs {
            seen.push(client.available(room).await.ok());
        }
        if seen.iter().all(|s| s.is_some() && *s == seen[0]) {
            return seen[0].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    None
}

#[tokio::test]
async fn gossip_lww_lets_two_nodes_book_the_last_room_and_then_silently_keeps_one_guest() {
    let c = gossip(ReadLevel::One, ConflictMode::Lww).await;
    let rounds = race_for_last_room(&c, 0, 1, 10).await;
    let doubles: Vec<usize> = (0..rounds.len())
        .filter(|&r| rounds[r] == (Some(true), Some(true)))
        .collect();
    assert!(
        !doubles.is_empty(),
        "concurrent bookings on two nodes both succeed: {rounds:?}"
    );
    for r in doubles {
        let holders = converged_holders(&c, &format!("last-room-{r}")).await;
        assert!(
            matches!(holders.as_deref(), Some([one]) if one == "alice" || one == "bob"),
            "round {r}: the replicas converge on one of the two guests, got {holders:?}"
        );
    }
}

#[tokio::test]
async fn gossip_vv_keeps_both_concurrent_bookings_visible_instead_of_dropping_one() {
    let c = gossip(ReadLevel::One, ConflictMode::Vv).await;
    let rounds = race_for_last_room(&c, 0, 1, 10).await;
    let doubles: Vec<usize> = (0..rounds.len())
        .filter(|&r| rounds[r] == (Some(true), Some(true)))
        .collect();
    assert!(
        !doubles.is_empty(),
        "concurrent bookings on two nodes both succeed: {rounds:?}"
    );
    for (r, outcome) in rounds.iter().enumerate() {
        let room = format!("last-room-{r}");
        let holders = converged_holders(&c, &room)
            .await
            .expect("replicas converge");
        let mut want: Vec<String> = Vec::new();
        if outcome.0 == Some(true) {
            want.push("alice".into());
        }
        if outcome.1 == Some(true) {
            want.push("bob".into());
        }
        assert_eq!(
            holders, want,
            "round {r}: every acknowledged booking is a holder"
        );
    }
    let room = format!("last-room-{}", doubles[0]);
    let node2 = c.client(2, CLIENT_TIMEOUT).await.unwrap();
    assert!(
        node2.cancel(&room, "alice").await.unwrap(),
        "alice cancels her side of the conflict"
    );
    let holders = converged_holders(&c, &room).await;
    assert_eq!(holders, Some(vec!["bob".to_string()]), "bob keeps the room");
}

#[tokio::test]
async fn gossip_vv_keeps_every_concurrent_append_to_one_list() {
    use booking::command::TxnOp;
    use serde_json::{json, Value};
    let c = gossip(ReadLevel::One, ConflictMode::Vv).await;
    let cs = clients(&c).await;
    let append_five = |i: usize| {
        let client = &cs[i];
        async move {
            for k in 0..5 {
                let value = json!(i * 10 + k);
                let op = TxnOp::Append {
                    key: "shared".into(),
                    value,
                };
                client.txn(vec![op]).await.expect("append");
            }
        }
    };
    tokio::join!(append_five(0), append_five(1), append_five(2));
    let mut want: Vec<Value> = (0..3)
        .flat_map(|i| (0..5).map(move |k| json!(i * 10 + k)))
        .collect();
    want.sort_by_key(|v| v.as_u64());
    for (j, reader) in cs.iter().enumerate() {
        let all_there = eventually(SPREAD, || async {
            let read = vec![TxnOp::Read {
                key: "shared".into(),
                value: Value::Null,
            }];
            match reader.txn(read).await.ok().as_deref() {
                Some(
                    [TxnOp::Read {
                        value: Value::Array(l),
                        ..
                    }],
                ) => {
                    let mut got = l.clone();
                    got.sort_by_key(|v| v.as_u64());
                    got == want
                }
                _ => false,
            }
        })
        .await;
        assert!(all_there, "node {j} lists all 15 appends exactly once");
    }
}

/// libfaketime, as installed by scripts/setup.
const LIBFAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

/// A gossip cluster whose node 1's wall clock runs one hour behind, through libfaketime.
async fn gossip_with_node_1_an_hour_behind(conflict: ConflictMode) -> TestCluster {
    let spec = ClusterSpec::new(ReplicationKind::Gossip, ReadLevel::One)
        .conflict(conflict)
        .env_for(1, "LD_PRELOAD", LIBFAKETIME)
        .env_for(1, "FAKETIME", "-1h")
        .env_for(1, "FAKETIME_DONT_FAKE_MONOTONIC", "1");
    cluster_with(spec).await
}

/// Write "early" through node 0, wait until node 1 has it, then write "late" through node 1
/// (whose clock is behind); returns what every node reads once they agree.
async fn overwrite_from_the_slow_node(c: &TestCluster) -> Option<serde_json::Value> {
    use serde_json::json;
    let cs = clients(c).await;
    cs[0].write("x", json!("early")).await.unwrap();
    let arrived = eventually(SPREAD, || async {
        cs[1].read("x").await.ok() == Some(json!("early"))
    });
    assert!(arrived.await, "node 1 received the first write");
    cs[1]
        .write("x", json!("late"))
        .await
        .expect("node 1 acknowledges its write");
    let deadline = std::time::Instant::now() + SPREAD;
    while std::time::Instant::now() < deadline {
        let mut seen = Vec::new();
        for client in &cs {
            seen.push(client.read("x").await.ok());
        }
        if seen.iter().all(|s| s.is_some() && *s == seen[0]) && seen[0] != Some(json!("early")) {
            return seen[0].clone();
        }
        if seen.iter().all(|s| *s == Some(json!("early"))) {
            // Give "late" the time it would need to spread, then decide.
            tokio::time::sleep(ANTI_ENTROPY_INTERVAL * 5).await;
            let mut again = Vec::new();
            for client in &cs {
                again.push(client.read("x").await.ok());
            }
            if again == seen {
                return seen[0].clone();
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    None
}

#[tokio::test]
async fn gossip_lww_loses_an_acknowledged_write_from_a_node_whose_clock_is_behind() {
    let c = gossip_with_node_1_an_hour_behind(ConflictMode::Lww).await;
    let settled = overwrite_from_the_slow_node(&c).await;
    assert_eq!(
        settled,
        Some(serde_json::json!("early")),
        "the later write, stamped an hour in the past, loses to the earlier one everywhere"
    );
}

#[tokio::test]
async fn gossip_vv_keeps_a_later_write_from_a_node_whose_clock_is_behind() {
    let c = gossip_with_node_1_an_hour_behind(ConflictMode::Vv).await;
    let settled = overwrite_from_the_slow_node(&c).await;
    assert_eq!(
        settled,
        Some(serde_json::json!("late")),
        "the write that saw the first one supersedes it, whatever the clocks say"
    );
}
