//! A client for one etcd member through its v3 JSON gateway.
//!
//! Why the gateway over gRPC: etcd 3.4 serves the gateway on its client port with no extra flag;
//! it needs only a small HTTP/1 client (reqwest without TLS), where a gRPC client brings tonic,
//! prost and code generation at build time. Every call has a client-side timeout: a linearizable
//! range on a member cut off from the leader hangs without one.

use crate::gateway::{
    decode, encode, GatewayError, PutRequest, RangeRequest, RangeResponse, TxnRequest, TxnResponse,
};
use runner::system::{ClientError, FailureKind};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::time::Duration;

/// How a read is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReadMode {
    /// Through the Raft read index: the member confirms with the leader first. etcd's default.
    #[default]
    Linearizable,
    /// From the member's own state, without asking the leader: fast, and possibly stale.
    Serializable,
}

impl std::fmt::Display for ReadMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ReadMode::Linearizable => "linearizable",
            ReadMode::Serializable => "serializable",
        })
    }
}

/// A client of one etcd member: reads, writes and compare-and-sets on string keys and values.
#[derive(Debug, Clone)]
pub struct EtcdClient {
    node: String,
    base: String,
    http: reqwest::Client,
}

impl EtcdClient {
    /// A client of member `node` whose client URL is `http://{addr}`. Each request gives up after
    /// `timeout`; connecting gives up after half of it, so a member that cannot be reached fails
    /// definitely before the request could have been sent.
    pub fn new(node: &str, addr: SocketAddr, timeout: Duration) -> Result<EtcdClient, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout / 2)
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| ClientError::new(node, FailureKind::Unreachable, e.to_string()))?;
        Ok(EtcdClient {
            node: node.to_string(),
            base: format!("http://{addr}"),
            http,
        })
    }

    /// The member's name.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// The value at `key`, or `None` when it has none.
    pub async fn read(&self, key: &str, mode: ReadMode) -> Result<Option<String>, ClientError> {
        let request = RangeRequest {
            key: encode(key),
            serializable: mode == ReadMode::Serializable,
        };
        let answer: RangeResponse = self.post("/v3/kv/range", &request).await?;
        match answer.kvs.first() {
            None => Ok(None),
            Some(kv) => decode(&kv.value).map(Some).ok_or_else(|| {
                self.error(FailureKind::BadResponse, format!("value {:?}", kv.value))
            }),
        }
    }

    /// Sets `key` to `value`.
    pub async fn write(&self, key: &str, value: &str) -> Result<(), ClientError> {
        let request = PutRequest {
            key: encode(key),
            value: encode(value),
        };
        let _: serde_json::Value = self.post("/v3/kv/put", &request).await?;
        Ok(())
    }

    /// Sets `key` to `new` if its value is `old`, in one txn. `Ok(false)`: the value was not
    /// `old` (or the key had none), and nothing was written.
    pub async fn cas(&self, key: &str, old: &str, new: &str) -> Result<bool, ClientError> {
        let answer: TxnResponse = self
            .post("/v3/kv/txn", &TxnRequest::cas(key, old, new))
            .await?;
        Ok(answer.succeeded)
    }

    async fn post<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<R, ClientError> {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .map_err(|e| self.transport_error(&e))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| self.transport_error(&e))?;
        if !status.is_success() {
            return Err(self.gateway_error(status, &text));
        }
        serde_json::from_str(&text)
            .map_err(|e| self.error(FailureKind::BadResponse, format!("{e}: {text}")))
    }

    fn transport_error(&self, e: &reqwest::Error) -> ClientError {
        let kind = if e.is_connect() {
            FailureKind::Unreachable
        } else if e.is_timeout() {
            FailureKind::TimedOut
        } else {
            FailureKind::ConnectionLost
        };
        self.error(kind, error_chain(e))
    }

    fn gateway_error(&self, status: reqwest::StatusCode, text: &str) -> ClientError {
        match serde_json::from_str::<GatewayError>(text) {
            Ok(g) if g.is_definite() => self.error(FailureKind::Rejected, g.text().to_string()),
            Ok(g) => self.error(FailureKind::ServerError, g.text().to_string()),
            Err(_) => self.error(FailureKind::ServerError, format!("HTTP {status}: {text}")),
        }
    }

    fn error(&self, kind: FailureKind, detail: String) -> ClientError {
        ClientError::new(&self.node, kind, detail)
    }
}

/// An error with its causes, `: `-separated: reqwest's own message alone rarely says what failed.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
