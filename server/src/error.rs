//! The one JSON error body of the API, `{"error": {"code", "message"}}`,
//! and the mapping of every module's error to an HTTP status.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// The error body of every endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// A machine-readable code and an English message for people.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    #[schema(example = "not_found")]
    pub code: String,
    #[schema(example = "no such contribution")]
    pub message: String,
}

/// Errors an HTTP handler can answer with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    InvalidCredentials(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    UnsupportedProtocol(String),
    /// The account was disabled by the officer or the administrator.
    #[error("this account has been disabled")]
    AccountDisabled,
    /// 429 with `Retry-After`.
    #[error("too many attempts; try again in {retry_after_s} s")]
    TooManyRequests { retry_after_s: u64 },
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::InvalidCredentials(_) => "invalid_credentials",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::UnsupportedProtocol(_) => "unsupported_protocol",
            ApiError::TooManyRequests { .. } => "rate_limited",
            ApiError::AccountDisabled => "account_disabled",
            ApiError::Internal(_) => "internal",
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        match e {
            // The server's actor for this user is bound to someone else: a
            // refusal the caller can read, not a 500 (docs/SECURITY.md).
            crate::store::StoreError::ActorTaken { .. } => ApiError::Conflict(
                "this account's signing identity is bound to another user; ask an administrator"
                    .into(),
            ),
            e => ApiError::Internal(e.into()),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::Internal(anyhow::anyhow!("worker thread failed: {e}"))
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) | ApiError::UnsupportedProtocol(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) | ApiError::InvalidCredentials(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::AccountDisabled => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(e) = self {
            // The chain names the failing operation; it carries no request data.
            tracing::error!(error = %format!("{e:#}"), "internal error");
        }
        let mut response = HttpResponse::build(self.status_code());
        if let ApiError::TooManyRequests { retry_after_s } = self {
            response.insert_header(("Retry-After", retry_after_s.to_string()));
        }
        response.json(ErrorBody {
            error: ErrorDetail {
                code: self.code().to_owned(),
                message: self.to_string(),
            },
        })
    }
}

/// Turns actix's own extractor failures (bad JSON, bad query, body too
/// large) into the API's error body.
pub fn json_config() -> actix_web::web::JsonConfig {
    actix_web::web::JsonConfig::default()
        .limit(crate::sync::MAX_BODY_BYTES)
        .error_handler(|err, _req| {
            let api = match &err {
                actix_web::error::JsonPayloadError::Overflow { .. }
                | actix_web::error::JsonPayloadError::OverflowKnownLength { .. } => {
                    ApiError::PayloadTooLarge(format!(
                        "request body over {} bytes",
                        crate::sync::MAX_BODY_BYTES
                    ))
                }
                other => ApiError::BadRequest(format!("invalid JSON body: {}", redact(other))),
            };
            api.into()
        })
}

/// Query-string errors as the API's error body.
pub fn query_config() -> actix_web::web::QueryConfig {
    actix_web::web::QueryConfig::default().error_handler(|err, _req| {
        ApiError::BadRequest(format!("invalid query: {}", redact_query(&err.to_string()))).into()
    })
}

/// serde's messages quote the refused value (``unknown variant `x` ``,
/// `invalid type: string "x"`): keep what was expected, drop what was sent.
fn redact_query(message: &str) -> String {
    // serde puts the value first and what it expected last: the last
    // ", expected" is serde's even when the value itself holds one.
    if let Some(at) = message.rfind(", expected") {
        return format!("a parameter has a wrong value; {}", &message[at + 2..]);
    }
    if message.contains(['`', '"', '\'']) {
        return "a parameter has a wrong value or type".into();
    }
    message.to_owned()
}

/// Path errors (a malformed id) as the API's error body.
pub fn path_config() -> actix_web::web::PathConfig {
    actix_web::web::PathConfig::default()
        .error_handler(|_err, _req| ApiError::NotFound("no such resource".into()).into())
}

/// serde's messages may quote a value from the body; keep the position only.
fn redact(err: &actix_web::error::JsonPayloadError) -> String {
    match err {
        actix_web::error::JsonPayloadError::Deserialize(e) => {
            format!(
                "{:?} error at line {} column {}",
                e.classify(),
                e.line(),
                e.column()
            )
        }
        actix_web::error::JsonPayloadError::ContentType => "expected application/json".into(),
        _ => "could not read the body".into(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_errors_never_quote_the_sent_value() {
        for m in [
            "unknown variant `Lyon'; --`, expected one of `new`, `qualified`",
            "invalid type: string \"Lyon'; --\", expected u32",
            "invalid value: 'Lyon'; --'",
            "unknown variant `Lyon, expected`, expected one of `new`",
        ] {
            let r = super::redact_query(m);
            assert!(!r.contains("Lyon"), "{r}");
        }
        assert_eq!(
            super::redact_query("invalid digit found in string"),
            "invalid digit found in string"
        );
    }
}
