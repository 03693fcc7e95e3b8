//! Malformed requests get error replies; the connection and the node keep working.

use crate::support::{cluster, eventually, CLIENT_TIMEOUT};
use booking::config::{ReadLevel, ReplicationKind};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

async fn exchange(conn: &mut BufReader<TcpStream>, line: &[u8]) -> Value {
    conn.get_mut().write_all(line).await.unwrap();
    conn.get_mut().write_all(b"\n").await.unwrap();
    let mut reply = String::new();
    tokio::time::timeout(CLIENT_TIMEOUT, conn.read_line(&mut reply))
        .await
        .expect("a reply in time")
        .unwrap();
    serde_json::from_str(&reply).unwrap_or_else(|e| panic!("reply {reply:?} is not JSON: {e}"))
}

#[tokio::test]
async fn malformed_requests_get_definite_errors_and_the_connection_keeps_working() {
    let c = cluster(ReplicationKind::Async, ReadLevel::One).await;
    let mut conn = BufReader::new(TcpStream::connect(c.addr(1)).await.unwrap());
    let huge = vec![b'a'; (1 << 20) + 100];
    let cases: Vec<(&[u8], Value, &str)> = vec![
        (b"this is not json", Value::Null, "bad_request"),
        (b"[1,2,3]", Value::Null, "bad_request"),
        (br#"{"op":"status"}"#, Value::Null, "bad_request"),
        (br#"{"id":11,"op":"teleport"}"#, json!(11), "bad_request"),
        (
            br#"{"id":12,"op":"book","room":101,"guest":"ann"}"#,
            json!(12),
            "bad_request",
        ),
        (
            br#"{"id":13,"op":"book","room":"101"}"#,
            json!(13),
            "bad_request",
        ),
        (
            br#"{"id":14,"op":"txn","ops":[["delete","x",1]]}"#,
            json!(14),
            "bad_request",
        ),
        (
            br#"{"id":15,"op":"cas","key":"x"}"#,
            json!(15),
            "bad_request",
        ),
        (&huge, Value::Null, "line_too_long"),
        (b"\xff\xfe not utf8", Value::Null, "bad_request"),
    ];
    for (line, id, kind) in cases {
        let reply = exchange(&mut conn, line).await;
        let shown = String::from_utf8_lossy(&line[..line.len().min(60)]).into_owned();
        assert_eq!(reply["ok"], json!(false), "{shown}: {reply}");
        assert_eq!(reply["id"], id, "{shown}: {reply}");
        assert_eq!(reply["error"]["kind"], json!(kind), "{shown}: {reply}");
        assert_eq!(reply["error"]["definite"], json!(true), "{shown}: {reply}");
    }
    let reply = exchange(
        &mut conn,
        br#"{"id":20,"op":"book","room":"101","guest":"ann"}"#,
    )
    .await;
    assert_eq!(reply["ok"], json!(true), "{reply}");
    assert_eq!(reply["result"]["booked"], json!(true), "{reply}");
    let reply = exchange(&mut conn, br#"{"id":21,"op":"status"}"#).await;
    assert_eq!(reply["result"]["node"], json!(1), "{reply}");
    let fresh = c.client(1, CLIENT_TIMEOUT).await.unwrap();
    assert_eq!(fresh.status().await.unwrap().node, 1);
    let seen = eventually(Duration::from_secs(5), || async {
        fresh.available("101").await.ok() == Some(vec!["ann".to_string()])
    })
    .await;
    assert!(
        seen,
        "the booking made after the bad requests reached node 1"
    );
}
