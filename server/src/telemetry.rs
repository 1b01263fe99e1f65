//! Logging. Log lines carry ids, roles, statuses and timings only: never
//! free text, contact details, coordinates, passwords or tokens.

use tracing_subscriber::{fmt, EnvFilter};

/// Logs to stderr, filtered by `RUST_LOG` (default `info`).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
