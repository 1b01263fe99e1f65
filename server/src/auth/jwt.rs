//! JWT access tokens (HS256) and the `AuthUser` extractor.

use crate::error::ApiError;
use crate::startup::AppState;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use porte_voix_shared::{CommuneCode, Principal, Role};
use serde::{Deserialize, Serialize};
use std::future::{ready, Ready};

/// What an access token says.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    pub role: Role,
    pub commune: Option<CommuneCode>,
    pub iat: i64,
    pub exp: i64,
    /// Issue time in milliseconds, so that a revocation refuses the tokens
    /// issued before it and not those of the login right after.
    #[serde(default)]
    pub iat_ms: i64,
}

/// Signing and verification keys.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    pub access_ttl_s: i64,
}

impl JwtKeys {
    pub fn new(secret: &[u8], access_ttl_s: i64) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            access_ttl_s,
        }
    }

    /// A signed access token for `principal`, valid `access_ttl_s`.
    pub fn issue(&self, p: &Principal) -> Result<String, ApiError> {
        let now_ms = Utc::now().timestamp_millis();
        let now = now_ms.div_euclid(1000);
        let claims = Claims {
            iat_ms: now_ms,
            sub: p.user_id.clone(),
            role: p.role,
            commune: p.commune.clone(),
            iat: now,
            exp: now + self.access_ttl_s,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("signing a token: {e}")))
    }

    /// The principal of a valid, unexpired token.
    pub fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        let c = self.verify_claims(token)?;
        Ok(Principal {
            user_id: c.sub,
            role: c.role,
            commune: c.commune,
        })
    }

    /// The claims of a valid, unexpired token.
    pub fn verify_claims(&self, token: &str) -> Result<Claims, ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        let data = decode::<Claims>(token, &self.decoding, &validation).map_err(|e| {
            ApiError::Unauthorized(match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    "the access token has expired".into()
                }
                _ => "invalid access token".into(),
            })
        })?;
        Ok(data.claims)
    }
}

/// The authenticated user of a request (`Authorization: Bearer <token>`).
#[derive(Debug, Clone)]
pub struct AuthUser(pub Principal);

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let result = (|| {
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no app state")))?;
            let header = req
                .headers()
                .get(actix_web::http::header::AUTHORIZATION)
                .and_then(|h| h.to_str().ok())
                .ok_or_else(|| {
                    ApiError::Unauthorized("missing Authorization: Bearer token".into())
                })?;
            let token = header
                .strip_prefix("Bearer ")
                .ok_or_else(|| ApiError::Unauthorized("expected a Bearer token".into()))?;
            let claims = state.keys.verify_claims(token.trim())?;
            // The account as it is now: disabled, signed out since, or
            // given another role or commune since the token was issued.
            let user = state
                .store
                .get_user(&claims.sub)?
                .ok_or_else(|| ApiError::Unauthorized("this account no longer exists".into()))?;
            if user.disabled {
                return Err(ApiError::AccountDisabled);
            }
            if let Some(after) = user.sessions_valid_after {
                if claims.iat_ms < after.timestamp_millis() {
                    return Err(ApiError::Unauthorized("this session was signed out".into()));
                }
            }
            Ok(AuthUser(Principal {
                user_id: user.id,
                role: user.role,
                commune: user.commune,
            }))
        })();
        ready(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal() -> Principal {
        Principal {
            user_id: "u1".into(),
            role: Role::Commune,
            commune: Some(CommuneCode::parse("69266").unwrap()),
        }
    }

    #[test]
    fn a_token_round_trips_its_principal() {
        let keys = JwtKeys::new(b"secret", 60);
        let token = keys.issue(&principal()).unwrap();
        assert_eq!(keys.verify(&token).unwrap(), principal());
    }

    #[test]
    fn expired_tampered_and_foreign_tokens_are_refused() {
        let keys = JwtKeys::new(b"secret", -60);
        let expired = keys.issue(&principal()).unwrap();
        assert!(keys
            .verify(&expired)
            .unwrap_err()
            .to_string()
            .contains("expired"));
        let keys = JwtKeys::new(b"secret", 60);
        let token = keys.issue(&principal()).unwrap();
        let mut parts: Vec<String> = token.split('.').map(String::from).collect();
        parts[1] = parts[1].chars().rev().collect();
        assert!(keys.verify(&parts.join(".")).is_err());
        assert!(JwtKeys::new(b"other", 60).verify(&token).is_err());
    }
}
