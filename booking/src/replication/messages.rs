//! `PeerMsg`: the messages the state-shipping strategies (sync, async, gossip) exchange, and
//! their answers. They travel as the `msg` of a `peer` request.

use crate::cell::Cell;
use crate::command::{Command, Response};
use crate::machine::{Space, Update};
use serde::{Deserialize, Serialize};

/// A message from one node to another.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PeerMsg {
    /// To the primary: execute this client command (sync, async).
    Forward {
        /// The command.
        cmd: Command,
        /// Whether to send back the changed cells (sync writes them to the backups; async
        /// does not need them).
        #[serde(default)]
        with_updates: bool,
    },
    /// Merge these cells and journal them before answering (sync).
    Merge {
        /// Changed cells.
        updates: Vec<Update>,
    },
    /// Send your copy of one key (quorum reads).
    Fetch {
        /// Key space.
        space: Space,
        /// Key.
        key: String,
    },
    /// Send every cell you changed after change `since` of your incarnation `incarnation`
    /// (anti-entropy); if nothing changed, wait up to `wait_ms` for a change.
    Pull {
        /// The last change number already received from you.
        since: u64,
        /// Your incarnation that `since` refers to (0 if none yet).
        incarnation: u64,
        /// How long to wait for a change when there is none (long polling).
        wait_ms: u64,
    },
}

/// An answer to a [`PeerMsg`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PeerAnswer {
    /// The primary executed the command.
    Forwarded {
        /// The client's response.
        response: Response,
        /// The cells it changed, to be written to the other replicas.
        updates: Vec<Update>,
    },
    /// The cells were merged and journalled.
    Merged {
        /// How many cells changed.
        changed: usize,
    },
    /// This node's copy of the key.
    Fetched {
        /// The cell, if stored.
        cell: Option<Cell>,
    },
    /// Changed cells.
    Pulled {
        /// The answering node's incarnation (a new one after every restart).
        incarnation: u64,
        /// The change number of the last cell sent: the next `since`.
        upto: u64,
        /// Whether more changes remain after `upto`.
        more: bool,
        /// The cells.
        updates: Vec<Update>,
    },
}
