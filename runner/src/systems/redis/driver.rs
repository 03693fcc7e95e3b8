//! The register and set workloads on Redis: how each invocation becomes Redis commands, and how
//! its outcome is recorded.
//!
//! | f | key | value | Redis |
//! |---|---|---|---|
//! | read | register | null -> value or null | GET (primary or own node) |
//! | write | register | int | SET on the primary |
//! | cas | register | [old, new] | EVAL compare-and-set script on the primary |
//! | add | none | int | SADD set on the primary |
//! | read | none | null -> sorted ints | SMEMBERS set on the node itself |
//!
//! A set read reads the node it is sent to, whatever the read mode: the set workload reads only
//! at the end, once from every node, to see what each node kept. An old primary not yet demoted
//! still holds the adds it acknowledged during a partition; its replicas, following the new
//! primary, do not.
//!
//! A call is invoked on the client's own node (whose Sentinel it asks first); writes go to
//! whichever node the Sentinels name primary. [`RedisDriver::call_served`] also returns the node
//! that answered, which `rift run` records as the completion's node; the error of a failed call
//! names it.

use super::client::{ReadFrom, RedisClient, WaitFor};
use super::node::RedisCluster;
use crate::generator::Invocation;
use crate::record::Completion;
use crate::systems::completion::{failed, text, value};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// The key of the set workload's set.
pub const SET_KEY: &str = "set";

/// One client per node, shared by every worker.
pub struct RedisDriver {
    clients: Vec<RedisClient>,
}

impl RedisDriver {
    /// Clients of `deployment`, one living on each node, reading from `read_from`, with an
    /// optional `WAIT` after each write, each call bounded by `timeout`.
    pub fn new(
        deployment: RedisCluster,
        read_from: ReadFrom,
        wait: Option<WaitFor>,
        timeout: Duration,
    ) -> RedisDriver {
        let d = Arc::new(deployment);
        let clients = (0..d.nodes.len())
            .map(|i| RedisClient::new(d.clone(), i, read_from, wait, timeout))
            .collect();
        RedisDriver { clients }
    }

    /// Performs `inv` from its node's client and classifies the outcome.
    pub async fn call(&self, inv: &Invocation) -> Completion {
        self.call_served(inv).await.0
    }

    /// Performs `inv` from its node's client and classifies the outcome, with the node that
    /// answered when one did (a write's is the primary, whichever node `inv` names).
    pub async fn call_served(&self, inv: &Invocation) -> (Completion, Option<String>) {
        let c = &self.clients[inv.node];
        let key = inv.key.as_ref().map(text);
        match (inv.f.as_str(), key) {
            ("read", Some(k)) => match c.get(&k).await {
                Ok(s) => (
                    Completion::Ok(s.value.as_deref().map_or(Value::Null, value)),
                    Some(s.node),
                ),
                // As the issue asks, a timed-out read is info too (though a read has no effect).
                Err(e) => (failed(e), None),
            },
            ("write", Some(k)) => match c.set(&k, &text(&inv.value)).await {
                Ok(s) => (Completion::Ok(inv.value.clone()), Some(s.node)),
                Err(e) => (failed(e), None),
            },
            ("cas", Some(k)) => {
                let (old, new) = (text(&inv.value[0]), text(&inv.value[1]));
                match c.cas(&k, &old, &new).await {
                    Ok(s) if s.value => (Completion::Ok(inv.value.clone()), Some(s.node)),
                    Ok(s) => (
                        Completion::Fail(json!(
                            "cas: the register did not hold the expected value"
                        )),
                        Some(s.node),
                    ),
                    Err(e) => (failed(e), None),
                }
            }
            ("add", None) => match c.add(SET_KEY, &text(&inv.value)).await {
                Ok(s) => (Completion::Ok(inv.value.clone()), Some(s.node)),
                Err(e) => (failed(e), None),
            },
            ("read", None) => match c.members_on(inv.node, SET_KEY).await {
                Ok(s) => {
                    let mut elements: Vec<Value> = s.value.iter().map(|e| value(e)).collect();
                    elements.sort_by_key(|v| v.as_i64());
                    (Completion::Ok(Value::Array(elements)), Some(s.node))
                }
                Err(e) => (failed(e), None),
            },
            (other, _) => (
                Completion::Fail(json!(format!("Redis has no op {other:?} here"))),
                None,
            ),
        }
    }
}
