//! rift's integration tests, one binary: the `rift` binary and the runner library against real
//! processes, namespaces, iptables rules, signals, etcd and Redis (needs root, as in CI;
//! booking-node must be built: `cargo test --workspace` builds it).
//!
//! Module map:
//! - offline: `check_cli` (`rift check` and `rift gen`), `memory_limit` (`rift check` stops
//!   with Unknown before the kernel would kill it for memory), `etcd_redis_campaigns` (the
//!   example campaign files say what issue 7 expects);
//! - the cluster: `cluster` (faults on real processes in namespaces), `teardown` (nothing left
//!   after a normal run, a panic, SIGTERM, SIGKILL + `rift cleanup`);
//! - runs: `run` (`rift run`), `replay` (`rift replay`), `campaign` (`rift campaign`), `demo`
//!   (`rift demo`);
//! - systems described in TOML with a JSON-lines driver: `described` (the Python etcd driver's
//!   verdicts, bad descriptions and bad drivers);
//! - third-party systems: `etcd`, `redis` (their clients and clusters), `galera` (a healthy
//!   MariaDB Galera run, and its bad input), `etcd_faults`,
//!   `redis_faults` (short fault trials, sharing `etcd_redis_trial`), `campaign_systems`
//!   (campaigns of them through the `rift` binary), `out_of_tree` (examples/nats-kv, a rift
//!   of one's own with NATS JetStream KV, built and run);
//! - pages in a real browser: `report_page` (report.html and a campaign's index.html in headless
//!   Chromium), `serve` (`rift serve` over HTTP); `browser` drives Chromium;
//! - helpers: `machine` (which tests may run beside which), `leftovers` (what of a run is still
//!   on the machine), `watch` (the runs a process owns), `cut` (what a booking run's partitions
//!   did to the calls that crossed them).

mod browser;
mod campaign;
mod campaign_systems;
mod check_cli;
mod cluster;
mod cut;
mod demo;
mod described;
mod etcd;
mod etcd_faults;
mod etcd_redis_campaigns;
mod etcd_redis_trial;
mod galera;
mod leftovers;
mod machine;
mod memory_limit;
mod nightly_ci;
mod out_of_tree;
mod postgres;
mod redis;
mod redis_faults;
mod replay;
mod report_page;
mod run;
mod serve;
mod ssh;
mod teardown;
mod watch;
