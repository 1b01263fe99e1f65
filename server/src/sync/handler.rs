//! The HTTP face of the sync engine.

use super::engine::MAX_DOCUMENTS;
use super::protocol::*;
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::startup::AppState;
use actix_web::{post, web, HttpResponse};
use porte_voix_shared::policy::reads_whole_documents;

/// Pushes a phone's documents and gets back what it lacks.
#[utoipa::path(
    operation_id = "create_sync",
    tag = "sync",
    security(("bearer" = [])),
    request_body = SyncRequest,
    responses(
        (status = 200, description = "Per-document results; every `ok` is on disk", body = SyncResponse),
        (status = 400, description = "Malformed body or unsupported protocol", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A role that does not sync (commune, admin): it reads through REST", body = ErrorBody),
        (status = 413, description = "Body or document count over the limits", body = ErrorBody),
    )
)]
#[post("/api/v1/sync")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id, documents = body.documents.len()))]
pub async fn sync(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<SyncRequest>,
) -> Result<HttpResponse, ApiError> {
    // The role first: a commune or admin account gets the same answer
    // whatever its body holds.
    if !reads_whole_documents(user.0.role) {
        return Err(ApiError::Forbidden(format!(
            "{} accounts do not sync: they read through the REST API",
            user.0.role.code()
        )));
    }
    let req = body.into_inner();
    if req.protocol != PROTOCOL_VERSION {
        return Err(ApiError::UnsupportedProtocol(format!(
            "protocol {} is not supported; this server speaks {PROTOCOL_VERSION}",
            req.protocol
        )));
    }
    if req.documents.len() > MAX_DOCUMENTS || req.contacts.len() > MAX_DOCUMENTS {
        return Err(ApiError::PayloadTooLarge(format!(
            "at most {MAX_DOCUMENTS} documents per request"
        )));
    }
    let principal = user.0;
    let reply = web::block(move || state.engine.sync(&principal, &req)).await??;
    Ok(HttpResponse::Ok().json(reply))
}
