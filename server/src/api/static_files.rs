//! Serves the built PWA at `/`, with `index.html` for the app's own routes
//! (so that a reload of `/console` or `/tournee` works) and the JSON error
//! body for unknown `/api/` paths.

use crate::error::ApiError;
use actix_web::dev::{fn_service, ServiceRequest, ServiceResponse};
use actix_web::{web, HttpResponse, ResponseError};
use std::path::{Path, PathBuf};

pub fn static_files(cfg: &mut web::ServiceConfig, dir: &Path) {
    let index: PathBuf = dir.join("index.html");
    let fallback = fn_service(move |req: ServiceRequest| {
        let index = index.clone();
        async move {
            let (req, _) = req.into_parts();
            let path = req.path();
            let last = path.rsplit('/').next().unwrap_or_default();
            let res = if path.starts_with("/api/") || path.starts_with("/api-docs/") {
                ApiError::NotFound("no such route".into()).error_response()
            } else if last.contains('.') {
                // A missing file (an old hashed asset) is a 404, not the
                // app shell: a script must never receive HTML.
                HttpResponse::NotFound().finish()
            } else if let Ok(file) = actix_files::NamedFile::open_async(&index).await {
                file.use_etag(true).into_response(&req)
            } else {
                HttpResponse::NotFound().content_type("text/html; charset=utf-8").body(
                    "<!doctype html><html lang=fr><meta charset=utf-8><title>Porte-voix</title>\
                     <p>L'application n'est pas construite : lancez <code>make run</code>.</p></html>",
                )
            };
            Ok(ServiceResponse::new(req, res))
        }
    });
    if dir.is_dir() {
        cfg.service(
            actix_files::Files::new("/", dir)
                .index_file("index.html")
                .prefer_utf8(true)
                .default_handler(fallback),
        );
    } else {
        cfg.default_service(fallback);
    }
}

/// Cache policy: hashed build assets are immutable; the app shell, the
/// service worker and the manifest are revalidated at every load (so an
/// update reaches phones); API answers carry personal data and are never
/// stored by a cache unless the handler says otherwise.
pub async fn cache_headers(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    use actix_web::http::header::{HeaderValue, CACHE_CONTROL};
    let path = req.path().to_owned();
    let mut res = next.call(req).await?;
    if !res.headers().contains_key(CACHE_CONTROL) {
        let policy = if path.starts_with("/api/") {
            "no-store"
        } else if path.starts_with("/assets/") && res.status().is_success() {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        res.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    Ok(res)
}
