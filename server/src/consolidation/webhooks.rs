//! (being built)

use crate::store::Store;
use actix_web::web;
use std::sync::Arc;
use utoipa::OpenApi;

#[derive(OpenApi)]
pub struct Doc;

pub fn configure(_cfg: &mut web::ServiceConfig) {}

/// Queues webhook deliveries and runs them in the background.
pub struct Outbox {
    _store: Arc<dyn Store>,
}

impl Outbox {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { _store: store }
    }

    /// Queues an event for the subscriptions that match it.
    pub fn emit(
        &self,
        _event: &str,
        _communes: &[porte_voix_shared::CommuneCode],
        _themes: &[String],
        _payload: serde_json::Value,
    ) {
    }
}
