//! Accounts from the console: the administrator manages every account; the
//! participation officer manages volunteers only (creates them, renames
//! them, disables them, resets their password, signs out a lost phone).
//! Disabling or signing out refuses at once every token and refresh token
//! issued before (`User::sessions_valid_after`, checked on each request);
//! a disabled volunteer's phone is told `account_disabled` at its next
//! sync and keeps its unsent documents. Every change is audited by id.

use super::handlers::UserView;
use super::{audit, create_user, password, AuthUser, NewUserError};
use crate::error::{ApiError, ErrorBody};
use crate::startup::AppState;
use crate::store::User;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::Utc;
use porte_voix_shared::{CommuneCode, Principal, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUser {
    #[schema(example = "camille@exemple.fr")]
    pub email: String,
    #[schema(example = "Camille")]
    pub name: String,
    pub role: Role,
    /// Required for a commune account, refused otherwise.
    pub commune: Option<CommuneCode>,
    /// At least 8 characters.
    pub password: String,
}

/// Changes to an account; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UserPatch {
    pub name: Option<String>,
    pub role: Option<Role>,
    /// `null` clears it (for a role other than commune).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub commune: Option<Option<CommuneCode>>,
    pub disabled: Option<bool>,
    /// A new password (signs the account out everywhere).
    pub password: Option<String>,
}

/// A field that is present (even `null`) is `Some`; an absent one `None`.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// An account as the administration screens show it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountView {
    #[serde(flatten)]
    pub user: UserView,
    pub disabled: bool,
    pub created_at: chrono::DateTime<Utc>,
}

impl From<&User> for AccountView {
    fn from(u: &User) -> Self {
        Self {
            user: u.into(),
            disabled: u.disabled,
            created_at: u.created_at,
        }
    }
}

/// Whether `p` may manage an account of role `target` (and give it `role`).
fn may_manage(p: &Principal, target: Role) -> Result<(), ApiError> {
    match p.role {
        Role::Admin => Ok(()),
        Role::Officer if target == Role::Volunteer => Ok(()),
        Role::Officer => Err(ApiError::Forbidden(
            "the participation officer manages volunteer accounts only".into(),
        )),
        _ => Err(ApiError::Forbidden(
            "only the officer and the administrator manage accounts".into(),
        )),
    }
}

fn load(state: &AppState, id: &str) -> Result<User, ApiError> {
    state
        .store
        .get_user(id)?
        .ok_or_else(|| ApiError::NotFound("no such account".into()))
}

fn bad(e: NewUserError) -> ApiError {
    match e {
        NewUserError::Store(e) => e.into(),
        NewUserError::Hash => ApiError::Internal(anyhow::anyhow!("password hashing failed")),
        e => ApiError::BadRequest(e.to_string()),
    }
}

/// Creates an account (admin: any role; officer: volunteers).
#[utoipa::path(
    operation_id = "create_user",
    tag = "admin",
    security(("bearer" = [])),
    request_body = NewUser,
    responses(
        (status = 201, body = AccountView),
        (status = 400, description = "Bad e-mail, short password, commune mismatch", body = ErrorBody),
        (status = 403, description = "Not allowed to create this role", body = ErrorBody),
        (status = 409, description = "The e-mail has an account", body = ErrorBody),
    )
)]
#[post("/api/v1/users")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn create_account(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<NewUser>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    may_manage(&user.0, b.role)?;
    if b.password.len() > 1024 {
        return Err(ApiError::BadRequest("the password is too long".into()));
    }
    if state.store.get_user_by_email(b.email.trim())?.is_some() {
        return Err(ApiError::Conflict(
            "this e-mail already has an account".into(),
        ));
    }
    let st = state.clone();
    let created = web::block(move || {
        create_user(
            st.store.as_ref(),
            &b.email,
            &b.name,
            b.role,
            b.commune,
            &b.password,
        )
    })
    .await?
    .map_err(bad)?;
    audit::record(
        state.store.as_ref(),
        &user.0.user_id,
        "user.create",
        &created.id,
    )?;
    state.store.flush()?;
    tracing::info!(created = %created.id, role = %created.role, "account created");
    Ok(HttpResponse::Created().json(AccountView::from(&created)))
}

/// The accounts the caller manages (admin: all; officer: volunteers).
#[utoipa::path(
    operation_id = "list_users",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<AccountView>),
        (status = 403, body = ErrorBody),
    )
)]
#[get("/api/v1/users")]
pub async fn list_accounts(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    may_manage(&user.0, Role::Volunteer)?;
    let mut users = state.store.list_users()?;
    users.retain(|u| may_manage(&user.0, u.role).is_ok());
    users.sort_by_key(|u| u.name.to_lowercase());
    Ok(HttpResponse::Ok().json(users.iter().map(AccountView::from).collect::<Vec<_>>()))
}

/// Changes an account: name, role, commune, disabled, password.
#[utoipa::path(
    operation_id = "update_user",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Account id")),
    request_body = UserPatch,
    responses(
        (status = 200, body = AccountView),
        (status = 400, description = "Short password, commune mismatch, disabling oneself", body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[patch("/api/v1/users/{id}")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn update_account(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<UserPatch>,
) -> Result<HttpResponse, ApiError> {
    let p = body.into_inner();
    may_manage(&user.0, Role::Volunteer)?;
    let mut u = load(&state, &id)?;
    may_manage(&user.0, u.role)?;
    if let Some(role) = p.role {
        may_manage(&user.0, role)?;
    }
    if u.id == user.0.user_id && (p.disabled == Some(true) || p.role.is_some_and(|r| r != u.role)) {
        return Err(ApiError::BadRequest(
            "you cannot disable your own account or change your own role".into(),
        ));
    }
    let mut actions = Vec::new();
    if let Some(name) = p
        .name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
    {
        if name.chars().count() > 120 {
            return Err(ApiError::BadRequest("the name is too long".into()));
        }
        u.name = name;
        actions.push("user.rename");
    }
    if let Some(role) = p.role.filter(|r| *r != u.role) {
        u.role = role;
        actions.push("user.role");
    }
    if let Some(c) = p.commune {
        u.commune = c;
        actions.push("user.commune");
    }
    if (u.role == Role::Commune) != u.commune.is_some() {
        return Err(ApiError::BadRequest(
            "a commune account needs a commune, and only commune accounts take one".into(),
        ));
    }
    let now = Utc::now();
    if let Some(d) = p.disabled.filter(|d| *d != u.disabled) {
        u.disabled = d;
        if d {
            u.sessions_valid_after = Some(now);
        }
        actions.push(if d { "user.disable" } else { "user.enable" });
    }
    if let Some(pw) = p.password {
        if pw.chars().count() < 8 || pw.len() > 1024 {
            return Err(ApiError::BadRequest(
                "the password must have 8 to 1024 characters".into(),
            ));
        }
        u.password_hash = web::block(move || password::hash(&pw))
            .await?
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("password hashing failed")))?;
        u.sessions_valid_after = Some(now);
        actions.push("user.password_reset");
    }
    state.store.put_user(&u)?;
    for a in actions {
        audit::record(state.store.as_ref(), &user.0.user_id, a, &u.id)?;
    }
    state.store.flush()?;
    Ok(HttpResponse::Ok().json(AccountView::from(&u)))
}

/// Signs an account out of every device (a lost phone): its tokens and
/// refresh tokens stop working; its password stays.
#[utoipa::path(
    operation_id = "delete_user_sessions",
    tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Account id")),
    responses(
        (status = 204, description = "Signed out everywhere"),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[delete("/api/v1/users/{id}/sessions")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn sign_out_everywhere(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    if *id != user.0.user_id {
        may_manage(&user.0, Role::Volunteer)?;
    }
    let mut u = load(&state, &id)?;
    if u.id != user.0.user_id {
        may_manage(&user.0, u.role)?;
    }
    u.sessions_valid_after = Some(Utc::now());
    state.store.put_user(&u)?;
    audit::record(
        state.store.as_ref(),
        &user.0.user_id,
        "user.sign_out",
        &u.id,
    )?;
    state.store.flush()?;
    Ok(HttpResponse::NoContent().finish())
}
