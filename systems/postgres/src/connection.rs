//! One connection to one server: tokio-postgres's client and the task that drives its socket,
//! which dropping the connection aborts, closing the socket (the server then rolls back any
//! transaction it left open).

use std::net::SocketAddr;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_postgres::{Client, NoTls};

/// An open connection.
pub struct Connection {
    /// The client end.
    pub client: Client,
    task: JoinHandle<()>,
}

impl Connection {
    /// Connects to `addr` as [`crate::adapter::USER`] to database `postgres`, giving up after
    /// `timeout`.
    pub async fn open(addr: SocketAddr, timeout: Duration) -> Result<Connection, String> {
        let mut config = tokio_postgres::Config::new();
        config
            .host(addr.ip().to_string())
            .port(addr.port())
            .user(crate::adapter::USER)
            .dbname("postgres")
            .application_name("rift")
            .connect_timeout(timeout);
        let (client, connection) = tokio::time::timeout(timeout, config.connect(NoTls))
            .await
            .map_err(|_| format!("no connection within {timeout:?}"))?
            .map_err(|e| e.to_string())?;
        let task = tokio::spawn(async move {
            // The connection ends with the socket; its error shows on the client's next call.
            let _ = connection.await;
        });
        Ok(Connection { client, task })
    }

    /// Whether the connection is gone.
    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.task.abort();
    }
}
