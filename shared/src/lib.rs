//! Porte-voix domain crate: the words of the domain (roles, kinds, themes,
//! statuses, commune codes), the schemas of the two Automerge documents
//! (contribution, outing) with their validation, the write/read policy, and
//! the review workflow (which status changes the officer may make).
//!
//! Everything here is a plain function over values: no IO, no HTTP, no
//! storage, no Automerge. The server turns an Automerge document into a
//! `serde_json::Value` and asks this crate whether it is valid and whether a
//! user may have made the changes that produced it.
#![forbid(unsafe_code)]

pub mod domain;
pub mod policy;
pub mod schema;
pub mod workflow;

pub use domain::*;
pub use policy::{may_read, may_write, Principal, Refusal, WriteCheck};
pub use schema::{Contribution, DocType, Document, Outing, SchemaError};
