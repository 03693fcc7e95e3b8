//! `async`: the primary (node 0) applies and acknowledges; backups pull in the background.

use crate::scenarios::{
    acknowledged_writes, assert_one_winner_per_room, every_node_serves_every_operation, node_has,
    race_for_last_room, SPREAD,
};
use crate::support::{cluster, eventually, CLIENT_TIMEOUT};
use booking::config::{ReadLevel, ReplicationKind};
use serde_json::json;

#[tokio::test]
async fn async_writes_from_any_node_reach_every_replica() {
    let c = cluster(ReplicationKind::Async, ReadLevel::One).await;
    every_node_serves_every_operation(&c, false).await;
}

#[tokio::test]
async fn async_reads_from_all_replicas_see_every_acknowledged_write_at_once() {
    let c = cluster(ReplicationKind::Async, ReadLevel::All).await;
    every_node_serves_every_operation(&c, true).await;
    let writer = c.client(2, CLIENT_TIMEOUT).await.unwrap();
    let reader = c.client(1, CLIENT_TIMEOUT).await.unwrap();
    for v in 0..30 {
        writer.write("hot", json!(v)).await.unwrap();
        assert_eq!(
            reader.read("hot").await.unwrap(),
            json!(v),
            "read all after write {v}"
        );
    }
}

#[tokio::test]
async fn async_primary_killed_and_restarted_keeps_every_acknowledged_write() {
    let mut c = cluster(ReplicationKind::Async, ReadLevel::One).await;
    let via = c.client(2, CLIENT_TIMEOUT).await.unwrap();
    let writes = acknowledged_writes(&via, "k", 40).await;
    c.kill(0).unwrap();
    // A write racing the primary's death may find the old connection open and is then
    // indefinite; once node 2 has seen the connection close, it reconnects and is refused.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let err = via.write("during", json!(1)).await.unwrap_err();
    assert!(
        err.is_definite(),
        "the primary refuses connections, nothing was written: {err}"
    );
    c.restart(0).await.unwrap();
    assert!(
        node_has(&c, 0, &writes).await,
        "the primary kept every acknowledged write"
    );
    c.kill(1).unwrap();
    c.restart(1).await.unwrap();
    let caught_up = eventually(SPREAD, || node_has(&c, 1, &writes)).await;
    assert!(caught_up, "a restarted backup catches up with the primary");
}

#[tokio::test]
async fn async_racing_clients_never_both_book_the_last_room() {
    let c = cluster(ReplicationKind::Async, ReadLevel::All).await;
    let rounds = race_for_last_room(&c, 1, 2, 25).await;
    assert_one_winner_per_room(&c, &rounds, "async, read all").await;
}
