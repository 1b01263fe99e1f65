//! Authentication: password hashes (argon2), short-lived JWT access tokens,
//! rotating refresh tokens, and the extractor that turns a `Bearer` token
//! into the authenticated user. Never logs a password or a token.

pub mod audit;
pub mod handlers;
mod jwt;
pub mod limits;
pub mod password;
pub mod users;

pub use handlers::{login, me, refresh, LoginRequest, RefreshRequest, TokenResponse, UserView};
pub use jwt::{AuthUser, Claims, JwtKeys};

use crate::store::{Store, StoreError, User};
use chrono::Utc;
use porte_voix_shared::{CommuneCode, Role};

/// Why a user cannot be created.
#[derive(Debug, thiserror::Error)]
pub enum NewUserError {
    #[error("not an e-mail address")]
    BadEmail,
    #[error("the password must have at least 8 characters")]
    WeakPassword,
    #[error("a commune account needs --commune CODE, and only commune accounts take one")]
    CommuneMismatch,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("password hashing failed")]
    Hash,
}

/// Creates a user with a hashed password.
pub fn create_user(
    store: &dyn Store,
    email: &str,
    name: &str,
    role: Role,
    commune: Option<CommuneCode>,
    password: &str,
) -> Result<User, NewUserError> {
    let email = email.trim();
    let valid_email = email.len() <= 200
        && email
            .split_once('@')
            .is_some_and(|(a, b)| !a.is_empty() && b.contains('.'));
    if !valid_email {
        return Err(NewUserError::BadEmail);
    }
    if password.chars().count() < 8 {
        return Err(NewUserError::WeakPassword);
    }
    if (role == Role::Commune) != commune.is_some() {
        return Err(NewUserError::CommuneMismatch);
    }
    let user = User {
        id: uuid::Uuid::new_v4().to_string(),
        email: email.to_lowercase(),
        name: if name.trim().is_empty() {
            email.split('@').next().unwrap_or(email).to_owned()
        } else {
            name.trim().to_owned()
        },
        role,
        commune,
        password_hash: password::hash(password).map_err(|_| NewUserError::Hash)?,
        created_at: Utc::now(),
        disabled: false,
        sessions_valid_after: None,
    };
    store.put_user(&user)?;
    store.flush()?;
    Ok(user)
}
