//! Integration tests: a real server on port 0, a temporary sled directory,
//! HTTP like a phone or a console.

mod accounts;
mod assemblies;
mod auth;
mod bulk;
mod durability;
mod exports;
mod forwards;
mod hostile;
mod login_limits;
mod mail;
mod matrix;
mod read_api;
mod search;
mod similar;
mod stats;
mod sync;
mod topics;
mod webhooks;
mod workflow;
