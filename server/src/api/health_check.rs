use actix_web::{get, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

/// Liveness.
#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
    pub version: String,
}

/// Is the server up?
#[utoipa::path(operation_id = "get_health", tag = "operations", responses((status = 200, body = Health)))]
#[get("/health")]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}
