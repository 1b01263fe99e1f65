//! Sync protocol v1: `POST /api/v1/sync` (docs/SYNC-PROTOCOL.md).

mod engine;
pub mod handler;
pub mod protocol;

pub use engine::{
    row_for, row_visible, SyncEngine, MAX_BODY_BYTES, MAX_DOCUMENTS, MAX_UPDATES, SERVER_USER,
};
pub use handler::sync;
pub use protocol::*;

#[cfg(test)]
mod tests;
