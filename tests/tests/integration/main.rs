//! Integration tests: a real server on port 0, a temporary sled directory,
//! HTTP like a phone or a console.

mod auth;
mod durability;
mod forwards;
mod hostile;
mod mail;
mod matrix;
mod read_api;
mod sync;
mod workflow;
mod topics;
mod bulk;
mod assemblies;
