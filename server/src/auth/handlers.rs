//! `POST /api/v1/auth/login`, `POST /api/v1/auth/refresh`, `GET /api/v1/me`.

use super::{password, AuthUser};
use crate::error::{ApiError, ErrorBody};
use crate::startup::AppState;
use crate::store::{RefreshToken, User};
use actix_web::{get, post, web, HttpResponse};
use base64::Engine;
use chrono::{Duration, Utc};
use porte_voix_shared::{CommuneCode, Principal, Role};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    #[schema(example = "benevole@demo.porte-voix.fr")]
    pub email: String,
    #[schema(example = "benevole-demo")]
    pub password: String,
}

/// A refresh token to rotate.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// A user as the API shows them (never the password hash).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub commune: Option<CommuneCode>,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.clone(),
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role,
            commune: u.commune.clone(),
        }
    }
}

/// Tokens and the user they belong to.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub user: UserView,
}

fn principal(u: &User) -> Principal {
    Principal {
        user_id: u.id.clone(),
        role: u.role,
        commune: u.commune.clone(),
    }
}

fn refresh_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Issues an access token and a new refresh token (stored hashed).
fn issue(state: &AppState, user: &User) -> Result<TokenResponse, ApiError> {
    let access_token = state.keys.issue(&principal(user))?;
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let refresh_token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
    let record = RefreshToken {
        user_id: user.id.clone(),
        expires_at: Utc::now() + Duration::seconds(state.settings.refresh_ttl_s),
        issued_at: Some(Utc::now()),
    };
    state
        .store
        .put_refresh(&refresh_hash(&refresh_token), &record)?;
    state.store.flush()?;
    Ok(TokenResponse {
        access_token,
        refresh_token,
        token_type: "Bearer".into(),
        expires_in: state.keys.access_ttl_s,
        user: user.into(),
    })
}

/// Logs in with e-mail and password.
#[utoipa::path(
    operation_id = "create_session",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 401, description = "Wrong e-mail or password (the same answer, after the same work, for an unknown e-mail)", body = ErrorBody),
        (status = 429, description = "Too many failed logins for this account or from this address; see `Retry-After`", body = ErrorBody),
    )
)]
#[post("/api/v1/auth/login")]
#[tracing::instrument(skip_all)]
pub async fn login(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let address = state.login_limiter.client_address(&req);
    if let Err(b) = state.login_limiter.check(&body.email, address) {
        tracing::info!(retry_after_s = b.retry_after_s, "login held back");
        return Err(ApiError::TooManyRequests {
            retry_after_s: b.retry_after_s,
        });
    }
    if body.password.len() > 1024 || body.email.len() > 320 {
        // No account has such a password; do not make argon2 hash megabytes.
        return Err(ApiError::InvalidCredentials(
            "wrong e-mail or password".into(),
        ));
    }
    let user = state.store.get_user_by_email(&body.email)?;
    let hash = user
        .as_ref()
        .map_or(password::dummy_hash(), |u| u.password_hash.as_str())
        .to_owned();
    // argon2 is deliberately slow and memory-hungry: its own thread.
    let ok = password::verify_on_worker(body.password, hash).await;
    let known = user.as_ref().map(|u| u.id.clone());
    let Some(user) = user.filter(|_| ok) else {
        state.login_limiter.failed(&body.email, address);
        // The audit names the account when there is one, never the e-mail
        // typed (it may be someone's address mistyped into the wrong box).
        let who = known.as_deref().unwrap_or("-");
        crate::auth::audit::record(state.store.as_ref(), who, "login.failed", who)?;
        return Err(ApiError::InvalidCredentials(
            "wrong e-mail or password".into(),
        ));
    };
    state.login_limiter.succeeded(&body.email);
    if user.disabled {
        return Err(ApiError::AccountDisabled);
    }
    crate::auth::audit::record(state.store.as_ref(), &user.id, "login", &user.id)?;
    tracing::info!(user = %user.id, role = %user.role, "login");
    Ok(HttpResponse::Ok().json(issue(&state, &user)?))
}

/// Exchanges a refresh token for new tokens; the old one stops working.
#[utoipa::path(
    operation_id = "refresh_session",
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = TokenResponse),
        (status = 401, description = "Unknown, used or expired refresh token", body = ErrorBody),
    )
)]
#[post("/api/v1/auth/refresh")]
#[tracing::instrument(skip_all)]
pub async fn refresh(
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let invalid = || ApiError::Unauthorized("invalid or expired refresh token".into());
    let record = state
        .store
        .take_refresh(&refresh_hash(&body.refresh_token))?
        .ok_or_else(invalid)?;
    if record.expires_at < Utc::now() {
        return Err(invalid());
    }
    let user = state.store.get_user(&record.user_id)?.ok_or_else(invalid)?;
    if user.disabled {
        return Err(ApiError::AccountDisabled);
    }
    if let Some(after) = user.sessions_valid_after {
        if record.issued_at.is_none_or(|t| t < after) {
            return Err(ApiError::Unauthorized("this session was signed out".into()));
        }
    }
    Ok(HttpResponse::Ok().json(issue(&state, &user)?))
}

/// Signs this device out: its refresh token stops working (the access
/// token expires within its 15 minutes).
#[utoipa::path(
    operation_id = "delete_session",
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Signed out (also when the token was already unknown)"),
    )
)]
#[post("/api/v1/auth/logout")]
#[tracing::instrument(skip_all)]
pub async fn logout(
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    if let Some(t) = state
        .store
        .take_refresh(&refresh_hash(&body.refresh_token))?
    {
        crate::auth::audit::record(state.store.as_ref(), &t.user_id, "logout", &t.user_id)?;
        state.store.flush()?;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// The logged-in user.
#[utoipa::path(
    operation_id = "get_me",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The user of the token", body = UserView),
        (status = 401, description = "No valid token", body = ErrorBody),
    )
)]
#[get("/api/v1/me")]
pub async fn me(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    let u = state
        .store
        .get_user(&user.0.user_id)?
        .ok_or_else(|| ApiError::Unauthorized("this account no longer exists".into()))?;
    Ok(HttpResponse::Ok().json(UserView::from(&u)))
}
