//! Scenarios run against several strategies: each takes a started cluster and asserts what
//! every strategy must do, returning what differs between strategies for the caller to judge.

use crate::support::{clients, eventually, CLIENT_TIMEOUT};
use booking::command::TxnOp;
use booking::testing::TestCluster;
use booking::Client;
use serde_json::{json, Value};
use std::time::Duration;

/// How long replication may take to reach every replica in these tests.
pub const SPREAD: Duration = Duration::from_secs(10);

/// Through every node in turn: book a room, write and cas a register, append to a list; then
/// every node must show all of it, at once if `at_once`, else within [`SPREAD`].
pub async fn every_node_serves_every_operation(c: &TestCluster, at_once: bool) {
    let cs = clients(c).await;
    for (i, client) in cs.iter().enumerate() {
        let guest = format!("guest-{i}");
        assert!(
            client.book(&format!("room-{i}"), &guest).await.unwrap(),
            "book via node {i}"
        );
        client.write(&format!("reg-{i}"), json!(i)).await.unwrap();
        assert!(client
            .cas(&format!("reg-{i}"), json!(i), json!(i + 100))
            .await
            .unwrap());
        assert!(!client
            .cas(&format!("reg-{i}"), json!(i), json!(0))
            .await
            .unwrap());
        let ops = client
            .txn(vec![
                TxnOp::Append {
                    key: format!("list-{i}"),
                    value: json!(i),
                },
                TxnOp::Read {
                    key: format!("list-{i}"),
                    value: Value::Null,
                },
            ])
            .await
            .unwrap();
        assert_eq!(
            ops[1],
            TxnOp::Read {
                key: format!("list-{i}"),
                value: json!([i])
            }
        );
    }
    for (j, reader) in cs.iter().enumerate() {
        for i in 0..cs.len() {
            let room = format!("room-{i}");
            let want = vec![format!("guest-{i}")];
            let reg = format!("reg-{i}");
            let check = || async {
                reader.available(&room).await.ok() == Some(want.clone())
                    && reader.read(&reg).await.ok() == Some(json!(i + 100))
            };
            let ok = if at_once {
                check().await
            } else {
                eventually(SPREAD, check).await
            };
            assert!(
                ok,
                "node {j} shows node {i}'s booking and register (at once: {at_once})"
            );
        }
        let reads: Vec<TxnOp> = (0..cs.len())
            .map(|i| TxnOp::Read {
                key: format!("list-{i}"),
                value: Value::Null,
            })
            .collect();
        let want: Vec<TxnOp> = (0..cs.len())
            .map(|i| TxnOp::Read {
                key: format!("list-{i}"),
                value: json!([i]),
            })
            .collect();
        let check = || async { reader.txn(reads.clone()).await.ok() == Some(want.clone()) };
        let ok = if at_once {
            check().await
        } else {
            eventually(SPREAD, check).await
        };
        assert!(ok, "node {j} shows every append (at once: {at_once})");
    }
}

/// Write `n` registers through `via` (each acknowledged), returning their keys and values.
pub async fn acknowledged_writes(via: &Client, prefix: &str, n: usize) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for k in 0..n {
        let key = format!("{prefix}-{k}");
        via.write(&key, json!(k))
            .await
            .unwrap_or_else(|e| panic!("write {key}: {e}"));
        out.push((key, json!(k)));
    }
    out
}

/// Node `i`'s own copy (read through a fresh client) has every one of `writes`.
pub async fn node_has(c: &TestCluster, i: usize, writes: &[(String, Value)]) -> bool {
    let client = c.client(i, CLIENT_TIMEOUT).await.expect("connect");
    for (key, value) in writes {
        if client.read(key).await.ok().as_ref() != Some(value) {
            return false;
        }
    }
    true
}

/// Two clients, on nodes `a` and `b`, race to book each of `rooms` fresh rooms; returns each
/// round's two outcomes (`None` for an error).
pub async fn race_for_last_room(
    c: &TestCluster,
    a: usize,
    b: usize,
    rooms: usize,
) -> Vec<(Option<bool>, Option<bool>)> {
    let ca = c.client(a, CLIENT_TIMEOUT).await.expect("connect");
    let cb = c.client(b, CLIENT_TIMEOUT).await.expect("connect");
    let mut rounds = Vec::new();
    for r in 0..rooms {
        let room = format!("last-room-{r}");
        let (x, y) = tokio::join!(ca.book(&room, "alice"), cb.book(&room, "bob"));
        rounds.push((x.ok(), y.ok()));
    }
    rounds
}

/// For every round of [`race_for_last_room`]: the two clients were not both told they booked
/// the room, and the room now has exactly one holder — the winner, when one was told so.
/// (A request that failed indefinitely may still have booked the room for its guest.)
pub async fn assert_one_winner_per_room(
    c: &TestCluster,
    rounds: &[(Option<bool>, Option<bool>)],
    what: &str,
) {
    let reader = c.client(0, CLIENT_TIMEOUT).await.expect("connect");
    let mut decided = 0;
    for (r, outcome) in rounds.iter().enumerate() {
        assert_ne!(
            *outcome,
            (Some(true), Some(true)),
            "{what}, round {r}: both clients booked the last room"
        );
        let holders = reader
            .available(&format!("last-room-{r}"))
            .await
            .expect("available");
        let winner = match outcome {
            (Some(true), _) => Some("alice"),
            (_, Some(true)) => Some("bob"),
            _ => None,
        };
        match winner {
            Some(w) => {
                decided += 1;
                assert_eq!(
                    holders,
                    vec![w.to_string()],
                    "{what}, round {r}: {outcome:?}"
                );
            }
            None => assert!(holders.len() <= 1, "{what}, round {r}: holders {holders:?}"),
        }
    }
    assert!(decided > 0, "{what}: no round had a winner: {rounds:?}");
}
