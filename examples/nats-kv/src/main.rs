//! A rift of one's own: rift's whole command line over one system, NATS JetStream KV, added from
//! outside rift's workspace through the public seam `runner::system`.
//! `rift-nats-kv campaign campaign.toml` runs the example's campaign; every other `rift`
//! subcommand works as well (`run`, `demo`, `check`, `replay`, ...).

mod client;
mod node;
mod system;

fn main() {
    rift::main(runner::system::Registry::new().with(system::NatsKv))
}
