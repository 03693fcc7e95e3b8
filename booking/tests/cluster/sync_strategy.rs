//! `sync`: node 0 orders every write, the coordinator writes each replica in turn and
//! acknowledges after the last.

use crate::scenarios::{
    acknowledged_writes, assert_one_winner_per_room, every_node_serves_every_operation, node_has,
    race_for_last_room, SPREAD,
};
use crate::support::{cluster, eventually, CLIENT_TIMEOUT};
use booking::config::{ReadLevel, ReplicationKind};
use serde_json::json;

#[tokio::test]
async fn sync_writes_from_any_node_are_on_every_replica_when_acknowledged() {
    let c = cluster(ReplicationKind::Sync, ReadLevel::One).await;
    every_node_serves_every_operation(&c, true).await;
}

#[tokio::test]
async fn sync_replicas_killed_and_restarted_keep_every_acknowledged_write() {
    let mut c = cluster(ReplicationKind::Sync, ReadLevel::One).await;
    let via = c.client(1, CLIENT_TIMEOUT).await.unwrap();
    let writes = acknowledged_writes(&via, "k", 40).await;
    for victim in [2, 0] {
        c.kill(victim).unwrap();
        c.restart(victim).await.unwrap();
        assert!(
            node_has(&c, victim, &writes).await,
            "node {victim} kept every acknowledged write"
        );
    }
}

#[tokio::test]
async fn sync_write_with_a_replica_down_fails_instead_of_being_acknowledged() {
    let mut c = cluster(ReplicationKind::Sync, ReadLevel::One).await;
    c.kill(2).unwrap();
    let via = c.client(1, CLIENT_TIMEOUT).await.unwrap();
    let err = via.write("x", json!(1)).await.unwrap_err();
    assert!(
        !err.is_definite(),
        "node 0 applied the write, so the failure is indefinite: {err}"
    );
    c.restart(2).await.unwrap();
    let half_done = [("x".to_string(), json!(1))];
    let repaired = eventually(SPREAD, || node_has(&c, 2, &half_done)).await;
    assert!(
        repaired,
        "node 2 catches up on the half-done write from the primary"
    );
}

#[tokio::test]
async fn sync_racing_clients_never_both_book_the_last_room() {
    for read in [ReadLevel::All, ReadLevel::One] {
        let c = cluster(ReplicationKind::Sync, read).await;
        let rounds = race_for_last_room(&c, 1, 2, 25).await;
        assert_one_winner_per_room(&c, &rounds, &format!("sync, read {read}")).await;
    }
}

#[tokio::test]
async fn sync_write_with_a_paused_replica_times_out_indefinitely_and_lands_after_resume() {
    use nix::sys::signal::{kill, Signal};
    use nix::unistd::Pid;
    let c = cluster(ReplicationKind::Sync, ReadLevel::One).await;
    let paused = Pid::from_raw(c.pid(2).expect("node 2 runs") as i32);
    kill(paused, Signal::SIGSTOP).unwrap();
    let via = c.client(1, CLIENT_TIMEOUT).await.unwrap();
    let result = via.write("y", json!(7)).await;
    kill(paused, Signal::SIGCONT).unwrap();
    let err = result.expect_err("no acknowledgement while a replica is paused");
    assert!(!err.is_definite(), "node 0 applied the write: {err}");
    let landed = [("y".to_string(), json!(7))];
    assert!(
        eventually(SPREAD, || node_has(&c, 2, &landed)).await,
        "the resumed replica ends up with the write"
    );
}
