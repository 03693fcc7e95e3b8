//! `booking-jsonl-driver`: the booking service's own Rust client ([`rift_booking::BookingDriver`])
//! behind rift's JSON-lines driver protocol (runner/src/system/described/PROTOCOL.md), for the
//! booking workload. A described booking system (examples/jsonl/booking/booking.toml) runs it;
//! against the built-in booking system it measures what the protocol costs (BENCHMARKS.md).

use faults::NodeId;
use rift_booking::BookingDriver;
use runner::system::{Client, Completion, Driver, DriverContext, NodeSpec, Reply};
use runner::workload::{BookingOp, Operation, WorkloadConfig, WorkloadKind};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, BufWriter};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// A request from rift (fields the driver does not use are ignored).
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Request {
    Hello {
        id: u64,
        protocol: u32,
        nodes: Vec<Node>,
        op_timeout_ms: u64,
    },
    Open {
        id: u64,
        node: usize,
    },
    Invoke {
        id: u64,
        client: u64,
        op: Op,
        deadline_ms: u64,
    },
    Close {
        client: u64,
    },
}

#[derive(Deserialize)]
struct Node {
    ip: IpAddr,
    port: u16,
}

/// An operation as the history writes it.
#[derive(Deserialize)]
struct Op {
    f: String,
    key: Option<u64>,
    value: Value,
}

/// The booking workload's operation `op`, or why it is none.
fn operation(op: &Op) -> Result<Operation, String> {
    let room = op.key.ok_or("a booking operation has a room as its key")?;
    let guest = || match &op.value {
        Value::String(g) => Ok(g.clone()),
        v => Err(format!("a guest is a string, not {v}")),
    };
    Ok(Operation::Booking(match op.f.as_str() {
        "book" => BookingOp::Book {
            room,
            guest: guest()?,
        },
        "cancel" => BookingOp::Cancel {
            room,
            guest: guest()?,
        },
        "available" => BookingOp::Available { room },
        f => {
            return Err(format!(
                "this driver runs the booking workload, which has no {f:?}"
            ))
        }
    }))
}

/// The answer to request `id` that ended in `reply`.
fn answer(id: u64, reply: Reply) -> String {
    let mut a = match reply.completion {
        Completion::Ok(value) => json!({"type": "ok", "id": id, "value": value}),
        // The built-in client says fail only when the call certainly had no effect.
        Completion::Fail(error) => {
            json!({"type": "fail", "id": id, "error": error, "definite": true})
        }
        Completion::Info(error) => json!({"type": "info", "id": id, "error": error}),
    };
    if let Some(n) = reply.served_by {
        a["served_by"] = json!(n.0);
    }
    let mut line = a.to_string();
    line.push('\n');
    line
}

/// One client's invocations, in order, until rift closes it.
async fn client(
    mut c: Box<dyn Client>,
    mut inbox: mpsc::UnboundedReceiver<(u64, Op, u64)>,
    out: mpsc::UnboundedSender<String>,
) {
    while let Some((id, op, deadline_ms)) = inbox.recv().await {
        let reply = match operation(&op) {
            Ok(op) => {
                let deadline = Instant::now() + Duration::from_millis(deadline_ms);
                c.invoke(&op, deadline).await
            }
            Err(why) => Completion::fail(why).into(),
        };
        let _ = out.send(answer(id, reply));
    }
    c.close().await;
}

/// Writes answers, flushing whenever none is waiting.
async fn write(mut rx: mpsc::UnboundedReceiver<String>) {
    let mut stdout = BufWriter::new(tokio::io::stdout());
    while let Some(line) = rx.recv().await {
        let _ = stdout.write_all(line.as_bytes()).await;
        while let Ok(line) = rx.try_recv() {
            let _ = stdout.write_all(line.as_bytes()).await;
        }
        if stdout.flush().await.is_err() {
            return;
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (out, rx) = mpsc::unbounded_channel::<String>();
    let writer = tokio::spawn(write(rx));
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut driver: Option<BookingDriver> = None;
    let mut clients = HashMap::new();
    while let Ok(Some(line)) = lines.next_line().await {
        let request: Request = match serde_json::from_str(&line) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("booking-jsonl-driver: not a request ({e}): {line}");
                return;
            }
        };
        match request {
            Request::Hello {
                id,
                protocol,
                nodes,
                op_timeout_ms,
            } => {
                if protocol != 1 {
                    let error = format!("this driver speaks protocol 1, not {protocol}");
                    let _ = out.send(answer(id, Completion::fail(error).into()));
                    continue;
                }
                let peers: Vec<SocketAddr> = nodes
                    .iter()
                    .map(|n| SocketAddr::new(n.ip, n.port))
                    .collect();
                let nodes = nodes
                    .iter()
                    .enumerate()
                    .map(|(i, n)| NodeSpec {
                        id: NodeId(i),
                        ip: n.ip,
                        port: n.port,
                        peers: peers.clone(),
                        data_dir: Default::default(),
                        restart: false,
                    })
                    .collect();
                driver = Some(BookingDriver::new(&DriverContext {
                    nodes,
                    workload: WorkloadKind::Booking,
                    workload_config: WorkloadConfig::default(),
                    op_timeout: Duration::from_millis(op_timeout_ms),
                    log_dir: None,
                }));
                let _ = out.send(answer(id, Completion::Ok(Value::Null).into()));
            }
            Request::Open { id, node } => {
                let opened = match &driver {
                    Some(d) => d.open(NodeId(node)).await.map_err(|e| e.to_string()),
                    None => Err("open before hello".to_string()),
                };
                match opened {
                    Ok(c) => {
                        let (tx, inbox) = mpsc::unbounded_channel();
                        tokio::spawn(client(c, inbox, out.clone()));
                        clients.insert(id, tx);
                        let _ = out.send(answer(id, Completion::Ok(Value::Null).into()));
                    }
                    Err(e) => {
                        let _ = out.send(answer(id, Completion::fail(e).into()));
                    }
                }
            }
            Request::Invoke {
                id,
                client,
                op,
                deadline_ms,
            } => match clients.get(&client) {
                Some(tx) => {
                    let _ = tx.send((id, op, deadline_ms));
                }
                None => {
                    let error = format!("no client {client}");
                    let _ = out.send(answer(id, Completion::fail(error).into()));
                }
            },
            Request::Close { client } => {
                clients.remove(&client);
            }
        }
    }
    drop(clients);
    drop(out);
    let _ = writer.await;
}
