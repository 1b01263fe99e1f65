//! Integration tests: a real server on port 0, a temporary sled directory,
//! HTTP like a phone or a console.

mod auth;
mod durability;
mod exports;
mod hostile;
mod matrix;
mod read_api;
mod search;
mod stats;
mod sync;
mod workflow;
