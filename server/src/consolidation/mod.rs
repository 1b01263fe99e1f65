//! Consolidation (docs/CONSOLIDATION.md): from raw contributions to shared
//! concerns forwarded to elected officials and answered — topics, bulk
//! actions, recipients, forwards and answer links, statistics, exports,
//! similar contributions, open assemblies and webhooks. Each module mounts
//! its routes (`configure`) and describes them (`Doc`).

pub mod assemblies;
pub mod bulk;
pub mod exports;
pub mod forwards;
pub mod model;
pub mod recipients;
pub mod similar;
pub mod stats;
pub mod topics;
pub mod webhooks;

use actix_web::web;
use utoipa::OpenApi;

/// Every consolidation route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    topics::configure(cfg);
    bulk::configure(cfg);
    assemblies::configure(cfg);
    recipients::configure(cfg);
    forwards::configure(cfg);
    webhooks::configure(cfg);
    stats::configure(cfg);
    exports::configure(cfg);
    similar::configure(cfg);
}

/// The OpenAPI paths and schemas of every consolidation module.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = topics::Doc::openapi();
    for other in [
        bulk::Doc::openapi(),
        assemblies::Doc::openapi(),
        recipients::Doc::openapi(),
        forwards::Doc::openapi(),
        webhooks::Doc::openapi(),
        stats::Doc::openapi(),
        exports::Doc::openapi(),
        similar::Doc::openapi(),
    ] {
        doc.merge(other);
    }
    doc
}
