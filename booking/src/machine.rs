//! The `StateMachine`: rooms, registers and append-lists, each key holding a [`Cell`].
//!
//! It is deterministic: the same commands with the same versions, or the same updates merged in
//! any order, give the same state. Commands produce [`Update`]s (the changed cells), which is what
//! state-shipping strategies (sync, async, gossip) send to other replicas and what the journal
//! stores. Every change also gets a node-local *change number*, so a peer can ask for "every cell
//! changed since change n" (anti-entropy) without rescanning the whole state.

use crate::cell::{Cell, Resolution, Version};
use crate::command::{Command, Query, Response, TxnOp};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// The three key spaces: a room, a register and a list with the same name are different keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Space {
    /// Rooms: the value is the JSON array of holders (empty when free).
    Room,
    /// Registers: any JSON value.
    Register,
    /// Append-lists: a JSON array.
    List,
}

/// One changed cell, as shipped between replicas and stored in the journal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Update {
    /// Key space.
    pub space: Space,
    /// Key.
    pub key: String,
    /// The cell's new state.
    pub cell: Cell,
}

/// The outcome of executing a command: the response and the cells it changed.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    /// What the client is told.
    pub response: Response,
    /// Changed cells (empty when the command changed nothing).
    pub updates: Vec<Update>,
}

#[derive(Clone, Debug)]
struct Entry {
    cell: Cell,
    change: u64,
}

/// The replicated data of one node.
#[derive(Debug)]
pub struct StateMachine {
    node: u32,
    resolution: Resolution,
    cells: HashMap<(Space, String), Entry>,
    changes: BTreeMap<u64, (Space, String)>,
    last_change: u64,
    max_stamp: u64,
}

impl StateMachine {
    /// An empty state for node `node`, resolving conflicts with `resolution`.
    pub fn new(node: u32, resolution: Resolution) -> Self {
        StateMachine {
            node,
            resolution,
            cells: HashMap::new(),
            changes: BTreeMap::new(),
            last_change: 0,
            max_stamp: 0,
        }
    }

    /// Number of keys stored (over all spaces).
    pub fn key_count(&self) -> usize {
        self.cells.len()
    }

    /// Number of changes applied to this node's state so far (its applied position).
    pub fn last_change(&self) -> u64 {
        self.last_change
    }

    /// A stamp higher than every stamp seen so far: what an orderer assigns to its next command.
    pub fn next_stamp(&self) -> u64 {
        self.max_stamp + 1
    }

    /// Execute `cmd` for strategies that apply commands in one total order (raft, log): versions
    /// are the next stamp, so every replica applying the same sequence reaches the same state.
    pub fn apply(&mut self, cmd: &Command) -> Response {
        let version = Version {
            stamp: self.next_stamp(),
            node: 0,
        };
        self.execute(cmd, version).response
    }

    /// Execute `cmd`, stamping every write with `version`.
    pub fn execute(&mut self, cmd: &Command, version: Version) -> Applied {
        let mut tx = Tx {
            machine: self,
            version,
            updates: Vec::new(),
        };
        let response = match cmd {
            Command::Book { room, guest } => {
                let holders = tx.holders(room);
                if holders.is_empty() {
                    tx.write(Space::Room, room, Value::from(vec![guest.clone()]));
                    Response::Booked {
                        booked: true,
                        holders: vec![guest.clone()],
                    }
                } else {
                    Response::Booked {
                        booked: false,
                        holders,
                    }
                }
            }
            Command::Cancel { room, guest } => {
                let mut holders = tx.holders(room);
                if holders.contains(guest) {
                    holders.retain(|h| h != guest);
                    tx.write(Space::Room, room, Value::from(holders.clone()));
                    Response::Cancelled {
                        cancelled: true,
                        holders,
                    }
                } else {
                    Response::Cancelled {
                        cancelled: false,
                        holders,
                    }
                }
            }
            Command::Write { key, value } => {
                tx.write(Space::Register, key, value.clone());
                Response::Written
            }
            Command::Cas { key, old, new } => {
                let current = register_value(tx.cell(Space::Register, key));
                if &current == old {
                    tx.write(Space::Register, key, new.clone());
                    Response::Swapped {
                        swapped: true,
                        value: new.clone(),
                    }
                } else {
                    Response::Swapped {
                        swapped: false,
                        value: current,
                    }
                }
            }
            Command::Txn { ops } => {
                let mut done = Vec::with_capacity(ops.len());
                for op in ops {
                    match op {
                        TxnOp::Append { key, value } => {
                            let mut list = list_value(tx.cell(Space::List, key));
                            list.push(value.clone());
                            tx.write(Space::List, key, Value::Array(list));
                            done.push(op.clone());
                        }
                        TxnOp::Read { key, .. } => {
                            let value = match tx.cell(Space::List, key) {
                                None => Value::Null,
                                Some(c) => Value::Array(list_value(Some(c))),
                            };
                            done.push(TxnOp::Read {
                                key: key.clone(),
                                value,
                            });
                        }
                    }
                }
                Response::Txn { ops: done }
            }
        };
        let updates = tx.updates;
        Applied { response, updates }
    }

    /// Answer `q` from this node's copy.
    pub fn query(&self, q: &Query) -> Response {
        let (space, key) = query_key(q);
        resolve(q, self.cell(space, key))
    }

    /// The cell that `q` reads, if stored.
    pub fn cell(&self, space: Space, key: &str) -> Option<&Cell> {
        self.cells.get(&(space, key.to_owned())).map(|e| &e.cell)
    }

    /// Merge cells received from another replica (or replayed from the journal); returns the
    /// updates that changed this node's state.
    pub fn merge(&mut self, updates: &[Update]) -> Vec<Update> {
        let mut changed = Vec::new();
        for u in updates {
            let merged = match self.cell(u.space, &u.key) {
                Some(mine) => mine.merged(&u.cell, self.resolution),
                None => u.cell.merged(&Cell::default(), self.resolution),
            };
            if self.cell(u.space, &u.key) != Some(&merged) {
                self.store(u.space, &u.key, merged.clone());
                changed.push(Update {
                    space: u.space,
                    key: u.key.clone(),
                    cell: merged,
                });
            }
        }
        changed
    }

    /// Every cell changed after change number `since`, oldest change first, stopping once the
    /// updates' JSON exceeds about `max_bytes`; with the change number of the last one returned.
    pub fn changes_since(&self, since: u64, max_bytes: usize) -> (Vec<Update>, u64) {
        self.changes_for(since, max_bytes, None)
    }

    /// Like [`StateMachine::changes_since`], leaving out the cells whose every sibling was
    /// written by node `known_to`: that node has them (or something newer) already.
    pub fn changes_for(
        &self,
        since: u64,
        max_bytes: usize,
        known_to: Option<u32>,
    ) -> (Vec<Update>, u64) {
        let mut out = Vec::new();
        let mut upto = since;
        let mut bytes = 0;
        for (&change, (space, key)) in self.changes.range(since + 1..) {
            let cell = &self.cells[&(*space, key.clone())].cell;
            if known_to.is_some_and(|n| cell.siblings.iter().all(|s| s.dot.node == n)) {
                upto = change;
                continue;
            }
            let cell = cell.clone();
            bytes += key.len()
                + cell.context.len() * 24
                + cell
                    .siblings
                    .iter()
                    .map(|s| approx_json_len(&s.value) + 96)
                    .sum::<usize>();
            if bytes > max_bytes && !out.is_empty() {
                break;
            }
            out.push(Update {
                space: *space,
                key: key.clone(),
                cell,
            });
            upto = change;
        }
        (out, upto)
    }

    fn store(&mut self, space: Space, key: &str, cell: Cell) {
        self.last_change += 1;
        let change = self.last_change;
        for s in &cell.siblings {
            self.max_stamp = self.max_stamp.max(s.version.stamp);
        }
        let k = (space, key.to_owned());
        if let Some(old) = self.cells.insert(k.clone(), Entry { cell, change }) {
            self.changes.remove(&old.change);
        }
        self.changes.insert(change, k);
    }
}

/// A command being executed: reads see its own earlier writes.
struct Tx<'a> {
    machine: &'a mut StateMachine,
    version: Version,
    updates: Vec<Update>,
}

impl Tx<'_> {
    fn cell(&self, space: Space, key: &str) -> Option<&Cell> {
        self.machine.cell(space, key)
    }

    fn holders(&self, room: &str) -> Vec<String> {
        room_holders(self.cell(Space::Room, room))
    }

    fn write(&mut self, space: Space, key: &str, value: Value) {
        let m = &mut *self.machine;
        let base = m.cell(space, key).cloned().unwrap_or_default();
        if let Some(cell) = base.written(value, self.version, m.node, m.resolution) {
            m.store(space, key, cell.clone());
            self.updates.retain(|u| !(u.space == space && u.key == key));
            self.updates.push(Update {
                space,
                key: key.to_owned(),
                cell,
            });
        }
    }
}

/// Answer `q` from `cell` (e.g. the merge of several replicas' copies of the key it reads).
pub fn resolve(q: &Query, cell: Option<&Cell>) -> Response {
    match q {
        Query::Available { .. } => {
            let holders = room_holders(cell);
            Response::Availability {
                free: holders.is_empty(),
                holders,
            }
        }
        Query::Read { .. } => {
            let value = register_value(cell);
            let siblings = cell
                .filter(|c| c.siblings.len() > 1)
                .map(|c| c.siblings.iter().map(|s| s.value.clone()).collect());
            Response::Value { value, siblings }
        }
    }
}

/// The key a query reads.
pub fn query_key(q: &Query) -> (Space, &str) {
    match q {
        Query::Available { room } => (Space::Room, room),
        Query::Read { key } => (Space::Register, key),
    }
}

/// About how many bytes `v` takes as JSON (exact for most values; escapes not counted).
fn approx_json_len(v: &Value) -> usize {
    match v {
        Value::Null | Value::Bool(_) => 5,
        Value::Number(_) => 20,
        Value::String(s) => s.len() + 2,
        Value::Array(a) => 2 + a.iter().map(|x| approx_json_len(x) + 1).sum::<usize>(),
        Value::Object(o) => {
            2 + o
                .iter()
                .map(|(k, x)| k.len() + 4 + approx_json_len(x))
                .sum::<usize>()
        }
    }
}

/// A room's holders: the union over siblings, sorted.
fn room_holders(cell: Option<&Cell>) -> Vec<String> {
    let mut holders: Vec<String> = cell
        .into_iter()
        .flat_map(|c| &c.siblings)
        .filter_map(|s| s.value.as_array())
        .flatten()
        .filter_map(|h| h.as_str().map(str::to_owned))
        .collect();
    holders.sort();
    holders.dedup();
    holders
}

/// A register's value: the newest sibling's, `null` if absent.
fn register_value(cell: Option<&Cell>) -> Value {
    cell.and_then(Cell::newest)
        .map_or(Value::Null, |s| s.value.clone())
}

/// A list's elements: the oldest sibling's list, then what each newer sibling has beyond its
/// common prefix with the result (so concurrent appends under version vectors are all kept).
fn list_value(cell: Option<&Cell>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for s in cell.into_iter().flat_map(|c| &c.siblings) {
        let items = s.value.as_array().map(Vec::as_slice).unwrap_or_default();
        let common = out.iter().zip(items).take_while(|(a, b)| a == b).count();
        out.extend(items[common..].iter().cloned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn book(room: &str, guest: &str) -> Command {
        Command::Book {
            room: room.into(),
            guest: guest.into(),
        }
    }

    #[test]
    fn a_room_is_booked_only_when_free() {
        let mut m = StateMachine::new(0, Resolution::LastWriterWins);
        assert_eq!(
            m.apply(&book("101", "alice")),
            Response::Booked {
                booked: true,
                holders: vec!["alice".into()]
            }
        );
        assert_eq!(
            m.apply(&book("101", "bob")),
            Response::Booked {
                booked: false,
                holders: vec!["alice".into()]
            }
        );
        let cancel = Command::Cancel {
            room: "101".into(),
            guest: "alice".into(),
        };
        assert_eq!(
            m.apply(&cancel),
            Response::Cancelled {
                cancelled: true,
                holders: vec![]
            }
        );
        assert_eq!(
            m.query(&Query::Available { room: "101".into() }),
            Response::Availability {
                free: true,
                holders: vec![]
            }
        );
    }

    #[test]
    fn cas_swaps_only_on_the_expected_value() {
        let mut m = StateMachine::new(0, Resolution::LastWriterWins);
        let cas = |old, new| Command::Cas {
            key: "x".into(),
            old,
            new,
        };
        assert_eq!(
            m.apply(&cas(json!(null), json!(1))),
            Response::Swapped {
                swapped: true,
                value: json!(1)
            }
        );
        assert_eq!(
            m.apply(&cas(json!(5), json!(2))),
            Response::Swapped {
                swapped: false,
                value: json!(1)
            }
        );
    }

    #[test]
    fn a_txn_reads_its_own_appends() {
        let mut m = StateMachine::new(0, Resolution::LastWriterWins);
        let txn: Command = serde_json::from_value(
            json!({"op":"txn","ops":[["r","x",null],["append","x",1],["append","x",2],["r","x",null]]}),
        )
        .unwrap();
        let r = serde_json::to_value(m.apply(&txn)).unwrap();
        assert_eq!(
            r["ops"],
            json!([
                ["r", "x", null],
                ["append", "x", 1],
                ["append", "x", 2],
                ["r", "x", [1, 2]]
            ])
        );
    }

    #[test]
    fn concurrent_bookings_under_version_vectors_are_all_kept() {
        let mut a = StateMachine::new(0, Resolution::VersionVectors);
        let mut b = StateMachine::new(1, Resolution::VersionVectors);
        let ua = a
            .execute(&book("7", "alice"), Version { stamp: 1, node: 0 })
            .updates;
        let ub = b
            .execute(&book("7", "bob"), Version { stamp: 2, node: 1 })
            .updates;
        a.merge(&ub);
        b.merge(&ua);
        let q = Query::Available { room: "7".into() };
        let both = Response::Availability {
            free: false,
            holders: vec!["alice".into(), "bob".into()],
        };
        assert_eq!(a.query(&q), both);
        assert_eq!(b.query(&q), both);
    }

    #[test]
    fn changes_since_returns_only_later_changes() {
        let mut m = StateMachine::new(0, Resolution::LastWriterWins);
        m.apply(&book("1", "a"));
        let mark = m.last_change();
        m.apply(&book("2", "b"));
        m.apply(&book("1", "c"));
        let (u, upto) = m.changes_since(mark, 1 << 20);
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].key, "2");
        assert_eq!(upto, m.last_change());
        let (u, upto) = m.changes_for(mark, 1 << 20, Some(0));
        assert!(u.is_empty(), "node 0 wrote both cells itself");
        assert_eq!(upto, m.last_change());
    }
}
