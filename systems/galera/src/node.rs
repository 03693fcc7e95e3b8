//! One Galera node's files and command lines: its configuration file, the setup that creates the
//! first node's system tables and the clients' account, and `mariadbd` itself.
//!
//! Node `i` owns four consecutive ports from its first: MariaDB's clients, group communication
//! (gcomm), incremental state transfer (IST) and state snapshot transfer (SST, an rsync daemon the
//! joiner starts for the time of the transfer).

use crate::options::GaleraOptions;
use runner::system::{NodeCommand, NodeFile, NodeSpec};
use std::path::PathBuf;

/// The Galera library MariaDB loads as its wsrep provider (Debian package galera-4).
pub const PROVIDER: &str = "/usr/lib/galera/libgalera_smm.so";

/// The OS user the servers run as. Not root: the rsync daemon a joiner starts for a snapshot
/// transfer drops root's privileges to `nobody`, which cannot write a root-owned data directory.
pub const OS_USER: &str = "mysql";

/// The account the clients log in as, from any address, without a password.
pub const CLIENT_USER: &str = "rift";

/// The database the clients' tables are in.
pub const DATABASE: &str = "rift";

/// The configuration file, relative to the node's data directory.
pub const CONFIG_FILE: &str = "my.cnf";

/// The server's Unix socket, relative to the node's data directory.
pub const SOCKET: &str = "mysqld.sock";

/// Port offsets from the node's first port.
const GCOMM: u16 = 1;
const IST: u16 = 2;
const SST: u16 = 3;

/// Group membership timing, shorter than Galera's defaults (a member silent for 5 s suspected,
/// 15 s evicted) so that a killed node's old membership is gone, and its restart synced, within
/// rift's ready timeout (10 s). A pause or partition longer than 2 s evicts the node too.
const EVS: &str = "evs.keepalive_period=PT0.5S;evs.inactive_check_period=PT0.5S;\
                   evs.suspect_timeout=PT2S;evs.inactive_timeout=PT3S;evs.install_timeout=PT3S";

/// The node's Unix socket.
///
/// The configuration keeps InnoDB's buffer pool and redo log and Galera's write-set cache small
/// (32, 16 and 16 MB): less to allocate at each start and to copy in a snapshot transfer, so a
/// joiner is synced within rift's ready timeout on a loaded machine.
pub fn socket(node: &NodeSpec) -> PathBuf {
    node.data_dir.join(SOCKET)
}

/// The group communication address of each node, `ip:port`, in id order.
fn gcomm_peers(node: &NodeSpec) -> Vec<String> {
    node.peers
        .iter()
        .map(|p| format!("{}:{}", p.ip(), p.port() + GCOMM))
        .collect()
}

/// Node `node`'s configuration file under `options`: everything in it, nothing read from
/// /etc/mysql (the server is started with `--defaults-file`).
pub fn config(node: &NodeSpec, options: &GaleraOptions) -> String {
    let dir = node.data_dir.display();
    let ip = node.ip;
    let gcomm = node.addr_at(GCOMM);
    let ist = node.addr_at(IST);
    let sst = node.addr_at(SST);
    format!(
        "[mariadbd]\n\
         datadir = {dir}\n\
         socket = {dir}/{SOCKET}\n\
         pid-file = {dir}/mysqld.pid\n\
         bind-address = {ip}\n\
         port = {port}\n\
         skip-name-resolve\n\
         default_storage_engine = InnoDB\n\
         binlog_format = ROW\n\
         innodb_autoinc_lock_mode = 2\n\
         innodb_buffer_pool_size = 32M\n\
         innodb_log_file_size = 16M\n\
         innodb_flush_log_at_trx_commit = {flush}\n\
         transaction_isolation = {isolation}\n\
         wsrep_on = ON\n\
         wsrep_provider = {PROVIDER}\n\
         wsrep_cluster_name = rift\n\
         wsrep_cluster_address = gcomm://{peers}\n\
         wsrep_node_name = {name}\n\
         wsrep_node_address = {gcomm}\n\
         wsrep_provider_options = \"gmcast.listen_addr=tcp://{gcomm};ist.recv_addr={ist};gcache.size=16M;{EVS}\"\n\
         wsrep_sst_method = rsync\n\
         wsrep_sst_receive_address = {sst}\n\
         wsrep_sync_wait = {sync_wait}\n",
        port = node.port,
        flush = options.innodb_flush_log_at_trx_commit,
        isolation = options.isolation.server_name(),
        peers = gcomm_peers(node).join(","),
        name = node.id,
        sync_wait = options.wsrep_sync_wait,
    )
}

/// The files written into the data directory before each start.
pub fn files(node: &NodeSpec, options: &GaleraOptions) -> Vec<NodeFile> {
    vec![NodeFile {
        path: PathBuf::from(CONFIG_FILE),
        contents: config(node, options),
    }]
}

/// The SQL the first node runs once, before it starts: the clients' account and database. The
/// others receive them with their first snapshot.
fn bootstrap_sql() -> String {
    format!(
        "FLUSH PRIVILEGES;\n\
         CREATE USER IF NOT EXISTS '{CLIENT_USER}'@'%';\n\
         GRANT ALL ON *.* TO '{CLIENT_USER}'@'%';\n\
         CREATE DATABASE IF NOT EXISTS {DATABASE};\n"
    )
}

/// `program args...` as [`OS_USER`].
fn as_mysql(program: &str, args: Vec<String>) -> NodeCommand {
    NodeCommand {
        user: Some(OS_USER.into()),
        ..NodeCommand::new(program, args)
    }
}

/// Commands run once before the node's first start. The first node gets its system tables
/// (`mariadb-install-db`) and the clients' account (`mariadbd --bootstrap`, wsrep off); the
/// others start from an empty data directory and receive a full snapshot from a member.
pub fn setup(node: &NodeSpec) -> Vec<NodeCommand> {
    if node.id.0 != 0 {
        return Vec::new();
    }
    let dir = node.data_dir.display().to_string();
    vec![
        as_mysql(
            "mariadb-install-db",
            vec![
                "--no-defaults".into(),
                format!("--datadir={dir}"),
                "--auth-root-authentication-method=normal".into(),
                "--skip-test-db".into(),
                "--innodb-log-file-size=16M".into(),
            ],
        ),
        as_mysql(
            "sh",
            vec![
                "-c".into(),
                r#"printf '%s' "$1" | exec mariadbd --no-defaults --datadir="$2" --innodb-log-file-size=16M --bootstrap"#
                    .into(),
                "bootstrap".into(),
                bootstrap_sql(),
                dir,
            ],
        ),
    ]
}

/// The server's command line. The first node's first start bootstraps a new cluster
/// (`--wsrep-new-cluster`); every other start, the first node's restarts included, joins the
/// cluster at the peers' addresses (after all nodes were killed, Galera re-forms the cluster
/// from the state each kept, once they are all back).
///
/// A restart first recovers the node's last committed position from InnoDB
/// (`--wsrep-recover`, as Debian's service does; a killed server leaves none in
/// `grastate.dat`) and starts from it, so that it can catch up by an incremental transfer
/// instead of a full snapshot; `exec` keeps one process whose pid is the server's.
pub fn command(node: &NodeSpec) -> NodeCommand {
    let defaults = format!(
        "--defaults-file={}",
        node.data_dir.join(CONFIG_FILE).display()
    );
    if !node.restart {
        let mut args = vec![defaults];
        if node.id.0 == 0 {
            args.push("--wsrep-new-cluster".into());
        }
        return as_mysql("mariadbd", args);
    }
    as_mysql(
        "sh",
        vec![
            "-c".into(),
            RECOVER_THEN_START.into(),
            "mariadbd".into(),
            defaults,
            node.data_dir.display().to_string(),
        ],
    )
}

/// `sh -c` script: `$1` is `--defaults-file=...`, `$2` the data directory, where the recovery
/// writes its log.
const RECOVER_THEN_START: &str = r#"log="$2/wsrep-recover.log"
mariadbd "$1" --wsrep-recover --log-error="$log" >/dev/null 2>&1
pos=$(sed -n 's/.*WSREP: Recovered position: *//p' "$log" | tail -n 1)
exec mariadbd "$1" ${pos:+--wsrep-start-position="$pos"}"#;

/// A query of the node's own server as root over its socket, tab-separated without headers.
pub fn query(node: &NodeSpec, sql: &str) -> NodeCommand {
    as_mysql(
        "mariadb",
        vec![
            "--no-defaults".into(),
            format!("--socket={}", socket(node).display()),
            "--user=root".into(),
            "--batch".into(),
            "--skip-column-names".into(),
            "--connect-timeout=1".into(),
            format!("--execute={sql}"),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Isolation;
    use faults::NodeId;
    use std::net::{IpAddr, Ipv4Addr, SocketAddr};

    fn spec(i: usize, restart: bool) -> NodeSpec {
        let ip = |i: u8| IpAddr::V4(Ipv4Addr::new(10, 9, 0, 2 + i));
        NodeSpec {
            id: NodeId(i),
            ip: ip(i as u8),
            port: 3306,
            peers: (0..3).map(|k| SocketAddr::new(ip(k), 3306)).collect(),
            data_dir: PathBuf::from(format!("/w/n{i}")),
            restart,
        }
    }

    #[test]
    fn a_node_listens_on_its_own_address_and_knows_every_peer_by_its_gcomm_port() {
        let conf = config(&spec(1, false), &GaleraOptions::default());
        for line in [
            "bind-address = 10.9.0.3\n",
            "port = 3306\n",
            "wsrep_cluster_address = gcomm://10.9.0.2:3307,10.9.0.3:3307,10.9.0.4:3307\n",
            "wsrep_node_address = 10.9.0.3:3307\n",
            "gmcast.listen_addr=tcp://10.9.0.3:3307;ist.recv_addr=10.9.0.3:3308;",
            "wsrep_sst_receive_address = 10.9.0.3:3309\n",
            "socket = /w/n1/mysqld.sock\n",
            "binlog_format = ROW\n",
            "innodb_autoinc_lock_mode = 2\n",
        ] {
            assert!(conf.contains(line), "{line:?} not in\n{conf}");
        }
    }

    #[test]
    fn the_options_reach_the_configuration_file() {
        let o = GaleraOptions {
            isolation: Isolation::Serializable,
            wsrep_sync_wait: 7,
            innodb_flush_log_at_trx_commit: 2,
        };
        let conf = config(&spec(0, false), &o);
        assert!(
            conf.contains("transaction_isolation = SERIALIZABLE\n"),
            "{conf}"
        );
        assert!(conf.contains("wsrep_sync_wait = 7\n"), "{conf}");
        assert!(
            conf.contains("innodb_flush_log_at_trx_commit = 2\n"),
            "{conf}"
        );
    }

    #[test]
    fn only_the_first_start_of_the_first_node_bootstraps_a_cluster() {
        let bootstraps = |i, restart| {
            command(&spec(i, restart))
                .args
                .iter()
                .any(|a| a.contains("--wsrep-new-cluster"))
        };
        assert!(bootstraps(0, false));
        assert!(!bootstraps(0, true), "a restarted first node joins");
        assert!(!bootstraps(1, false));
        assert!(!bootstraps(2, true));
    }

    #[test]
    fn a_restart_recovers_its_position_then_becomes_the_server() {
        let c = command(&spec(0, true));
        assert_eq!(c.program, PathBuf::from("sh"));
        assert!(c.args[1].contains("--wsrep-recover"), "{}", c.args[1]);
        assert!(c.args[1].contains("exec mariadbd"), "{}", c.args[1]);
        assert_eq!(c.args[3], "--defaults-file=/w/n0/my.cnf");
        assert_eq!(c.user.as_deref(), Some(OS_USER));
    }

    #[test]
    fn only_the_first_node_is_set_up_and_the_others_receive_a_snapshot() {
        assert_eq!(setup(&spec(0, false)).len(), 2);
        assert!(setup(&spec(1, false)).is_empty());
        let sql = &setup(&spec(0, false))[1].args[3];
        assert!(
            sql.contains("CREATE USER IF NOT EXISTS 'rift'@'%'"),
            "{sql}"
        );
    }
}
