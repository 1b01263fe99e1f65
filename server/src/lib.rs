//! Porte-voix server: sync of Automerge documents with phones, storage in
//! sled, geotagging to communes, and the REST API of the consoles.
#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod consolidation;
pub mod demo;
pub mod document;
pub mod error;
pub mod index;
pub mod openapi;
pub mod retention;
pub mod settings;
pub mod startup;
pub mod store;
pub mod sync;
pub mod telemetry;
pub mod territory;

pub use settings::Settings;
pub use startup::{AppState, Application};
