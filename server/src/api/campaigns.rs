use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::startup::AppState;
use crate::store::Campaign;
use actix_web::{get, web, HttpResponse};

/// The outreach campaigns (for the form's themes and the home screen).
#[utoipa::path(
    operation_id = "list_campaigns",
    tag = "campaigns",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<Campaign>),
        (status = 401, body = ErrorBody),
    )
)]
#[get("/api/v1/campaigns")]
pub async fn list_campaigns(
    state: web::Data<AppState>,
    _user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let mut campaigns = state.store.list_campaigns()?;
    campaigns.sort_by_key(|c| std::cmp::Reverse(c.starts_on));
    Ok(HttpResponse::Ok().json(campaigns))
}
