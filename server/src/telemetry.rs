//! Logging. Log lines carry ids, roles, statuses and timings only: never
//! free text, contact details, coordinates, passwords or tokens.

use tracing_subscriber::{fmt, EnvFilter};

/// Logs to stderr, filtered by `RUST_LOG` (default `info`, automerge `warn`).
pub fn init() {
    // automerge instruments its internals at info level: about 5 % of a
    // sync's CPU for lines nobody reads (docs/PERFORMANCE.md).
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,automerge=warn"));
    // Colours only for a person at a terminal, not in files or journald.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .try_init();
}

/// Request spans and one access-log line per request, with the method, the
/// path *without its query string* (a query may carry coordinates) and the
/// status. Client IPs and user agents are left out too.
pub struct PrivacyRootSpan;

impl tracing_actix_web::RootSpanBuilder for PrivacyRootSpan {
    fn on_request_start(request: &actix_web::dev::ServiceRequest) -> tracing::Span {
        tracing::info_span!(
            "http",
            method = %request.method(),
            path = %request.path(),
            status = tracing::field::Empty,
        )
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: tracing::Span,
        outcome: &Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>,
    ) {
        let status = match outcome {
            Ok(res) => res.status().as_u16(),
            Err(e) => e.as_response_error().status_code().as_u16(),
        };
        span.record("status", status);
        span.in_scope(|| tracing::info!(status, "request"));
    }
}
