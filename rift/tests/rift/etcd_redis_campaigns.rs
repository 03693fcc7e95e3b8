//! The etcd and Redis campaign files (examples/etcd.toml, examples/redis.toml) say what issue 7
//! expects: etcd Valid with linearizable reads and Invalid with serializable reads under
//! partitions (and linearizable reads Valid under pauses and kills); Redis Invalid (lost
//! acknowledged adds) with asynchronous replication under a partition of its primary, and Valid
//! with WAIT.
//!
//! They are read here as campaigns without running them (each takes a few minutes:
//! `rift campaign examples/etcd.toml`); rift/tests/rift/campaign_systems.rs runs shorter ones.

use runner::campaign::{Campaign, Expect};
use runner::workload::WorkloadKind;

fn campaign(file: &str) -> Campaign {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The expected verdict of every case of `c` whose strategy and nemesis are named.
fn expected(c: &Campaign, strategy: &str, nemesis: &str) -> Vec<Expect> {
    c.cases()
        .into_iter()
        .filter(|k| k.strategy == strategy && k.nemesis == nemesis)
        .map(|k| k.expect)
        .collect()
}

#[test]
fn the_etcd_campaign_expects_linearizable_reads_valid_and_serializable_reads_stale_under_partitions(
) {
    let c = campaign("etcd.toml");
    assert_eq!(c.base.workload.kind, Some(WorkloadKind::Register));
    assert!(c.strategies.iter().all(|s| s.system.name == "etcd"));
    assert_eq!(c.seeds.len(), 3);
    for nemesis in ["partitions", "pauses-kills"] {
        assert_eq!(expected(&c, "linearizable", nemesis), [Expect::Valid; 3]);
    }
    assert_eq!(
        expected(&c, "serializable", "partitions"),
        [Expect::Invalid; 3]
    );
}

#[test]
fn the_redis_campaign_expects_lost_adds_without_wait_and_none_with_it() {
    let c = campaign("redis.toml");
    assert_eq!(c.base.workload.kind, Some(WorkloadKind::Set));
    assert!(c.strategies.iter().all(|s| s.system.name == "redis"));
    assert_eq!(
        expected(&c, "async-primary", "partition-primary"),
        [Expect::Invalid; 3]
    );
    assert_eq!(
        expected(&c, "wait-primary", "partition-primary"),
        [Expect::Valid; 3]
    );
}
