//! The `log` strategy: writes published to a NATS JetStream stream, consumed in order by every
//! replica (built by the consensus helper).

use super::{NodeContext, Replication};
use crate::error::NodeError;
use std::sync::Arc;

/// Start the log strategy.
pub async fn start(_ctx: NodeContext) -> Result<Arc<dyn Replication>, NodeError> {
    Err(NodeError::NotBuilt("log".into()))
}
