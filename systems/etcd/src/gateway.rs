//! The JSON shapes of etcd's v3 gateway (`/v3/kv/range`, `/v3/kv/put`, `/v3/kv/txn`), and their
//! decoding. Pure: no I/O.
//!
//! The gateway is grpc-gateway over etcd's protobuf API, so bytes fields (keys, values) are base64,
//! int64 fields (revisions, counts) are JSON strings, and fields at their zero value are left out:
//! a range that finds nothing has no `kvs`, and a txn whose compare failed has no `succeeded`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// Base64 of a UTF-8 string, as the gateway wants bytes fields.
pub fn encode(s: &str) -> String {
    STANDARD.encode(s.as_bytes())
}

/// A UTF-8 string from a gateway bytes field; `None` when not base64 of UTF-8.
pub fn decode(b64: &str) -> Option<String> {
    let bytes = STANDARD.decode(b64).ok()?;
    String::from_utf8(bytes).ok()
}

/// Body of `POST /v3/kv/range` for one key.
#[derive(Debug, Serialize)]
pub struct RangeRequest {
    /// The key, base64.
    pub key: String,
    /// True to let the member answer from its own state without consulting the leader (may be
    /// stale); false for a linearizable read through the Raft read index.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub serializable: bool,
}

/// One key-value pair of a range answer (only the fields rift uses).
#[derive(Debug, Deserialize)]
pub struct KeyValue {
    /// The value, base64; absent when empty.
    #[serde(default)]
    pub value: String,
}

/// Answer of `/v3/kv/range`.
#[derive(Debug, Deserialize)]
pub struct RangeResponse {
    /// The pairs found; absent when none.
    #[serde(default)]
    pub kvs: Vec<KeyValue>,
}

/// Body of `POST /v3/kv/put`.
#[derive(Debug, Serialize)]
pub struct PutRequest {
    /// The key, base64.
    pub key: String,
    /// The value, base64.
    pub value: String,
}

/// One comparison of a txn: the key's current value equals `value`.
#[derive(Debug, Serialize)]
pub struct Compare {
    /// The key, base64.
    pub key: String,
    /// `EQUAL`.
    pub result: &'static str,
    /// `VALUE`.
    pub target: &'static str,
    /// The expected value, base64.
    pub value: String,
}

/// A request inside a txn branch; rift only puts.
#[derive(Debug, Serialize)]
pub struct RequestOp {
    /// The put to run when the comparison holds.
    pub request_put: PutRequest,
}

/// Body of `POST /v3/kv/txn`: if the key's value equals `old`, put `new`.
#[derive(Debug, Serialize)]
pub struct TxnRequest {
    /// The comparisons, all of which must hold.
    pub compare: Vec<Compare>,
    /// The requests run when they do.
    pub success: Vec<RequestOp>,
}

impl TxnRequest {
    /// Compare-and-set: put `new` at `key` if its value is `old`.
    pub fn cas(key: &str, old: &str, new: &str) -> TxnRequest {
        TxnRequest {
            compare: vec![Compare {
                key: encode(key),
                result: "EQUAL",
                target: "VALUE",
                value: encode(old),
            }],
            success: vec![RequestOp {
                request_put: PutRequest {
                    key: encode(key),
                    value: encode(new),
                },
            }],
        }
    }
}

/// Answer of `/v3/kv/txn`.
#[derive(Debug, Deserialize)]
pub struct TxnResponse {
    /// True when the comparisons held; absent (false) when they did not.
    #[serde(default)]
    pub succeeded: bool,
}

/// The error body the gateway sends with a non-2xx status.
#[derive(Debug, Deserialize)]
pub struct GatewayError {
    /// The gRPC status code (3 invalid argument, 8 resource exhausted, 14 unavailable, ...).
    #[serde(default)]
    pub code: i32,
    /// etcd's message, e.g. `etcdserver: request timed out`.
    #[serde(default)]
    pub message: String,
    /// The same message under grpc-gateway's older name (etcd 3.4 sends both).
    #[serde(default)]
    pub error: String,
}

impl GatewayError {
    /// True when etcd refused the request before proposing it, so it certainly had no effect:
    /// invalid argument (3), resource exhausted (`too many requests`, 8), permission denied (7),
    /// unauthenticated (16). Anything else (a proposal that timed out, a leader change, no
    /// leader) may still commit.
    pub fn is_definite(&self) -> bool {
        matches!(self.code, 3 | 7 | 8 | 16)
    }

    /// etcd's words for the error, whichever field carried them.
    pub fn text(&self) -> &str {
        if self.message.is_empty() {
            &self.error
        } else {
            &self.message
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_travel_as_base64() {
        assert_eq!(encode("k1"), "azE=");
        assert_eq!(decode("azE=").as_deref(), Some("k1"));
        assert_eq!(decode("not base64!"), None);
    }

    #[test]
    fn a_range_that_finds_nothing_has_no_kvs() {
        let r: RangeResponse =
            serde_json::from_str(r#"{"header":{"revision":"7","raft_term":"2"}}"#).unwrap();
        assert!(r.kvs.is_empty());
        let r: RangeResponse = serde_json::from_str(
            r#"{"header":{},"kvs":[{"key":"azE=","value":"Mw==","mod_revision":"5"}],"count":"1"}"#,
        )
        .unwrap();
        assert_eq!(decode(&r.kvs[0].value).as_deref(), Some("3"));
    }

    #[test]
    fn a_failed_txn_has_no_succeeded_field() {
        let r: TxnResponse = serde_json::from_str(r#"{"header":{"revision":"7"}}"#).unwrap();
        assert!(!r.succeeded);
        let r: TxnResponse =
            serde_json::from_str(r#"{"header":{},"succeeded":true,"responses":[]}"#).unwrap();
        assert!(r.succeeded);
    }

    #[test]
    fn a_serializable_range_says_so_and_a_linearizable_one_leaves_it_out() {
        let lin = RangeRequest {
            key: encode("k"),
            serializable: false,
        };
        assert_eq!(serde_json::to_string(&lin).unwrap(), r#"{"key":"aw=="}"#);
        let ser = RangeRequest {
            key: encode("k"),
            serializable: true,
        };
        assert_eq!(
            serde_json::to_string(&ser).unwrap(),
            r#"{"key":"aw==","serializable":true}"#
        );
    }

    #[test]
    fn a_cas_compares_the_value_and_puts_on_success() {
        let t = serde_json::to_value(TxnRequest::cas("k", "1", "2")).unwrap();
        assert_eq!(
            t,
            serde_json::json!({
                "compare": [{"key": "aw==", "result": "EQUAL", "target": "VALUE", "value": "MQ=="}],
                "success": [{"request_put": {"key": "aw==", "value": "Mg=="}}]
            })
        );
    }

    #[test]
    fn only_refusals_before_proposing_are_definite() {
        let timeout: GatewayError = serde_json::from_str(
            r#"{"error":"etcdserver: request timed out","code":14,"message":"etcdserver: request timed out"}"#,
        )
        .unwrap();
        assert!(!timeout.is_definite());
        assert_eq!(timeout.text(), "etcdserver: request timed out");
        let busy: GatewayError =
            serde_json::from_str(r#"{"code":8,"message":"etcdserver: too many requests"}"#)
                .unwrap();
        assert!(busy.is_definite());
    }
}
