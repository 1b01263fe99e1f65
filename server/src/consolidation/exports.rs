//! (being built)

use actix_web::web;
use utoipa::OpenApi;

#[derive(OpenApi)]
pub struct Doc;

pub fn configure(_cfg: &mut web::ServiceConfig) {}
