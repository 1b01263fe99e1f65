//! The OpenAPI document, assembled from the handlers' `#[utoipa::path]`
//! annotations, served at `/api-docs/openapi.json` with Swagger UI at
//! `/swagger-ui/` (vendored: works offline).

use crate::{api, auth, error, store, sync};
use actix_web::web;
use porte_voix_shared::schema;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Porte-voix API",
        description = "Field contributions of a conseil de développement: sync for the phones, \
                       review and figures for the consoles. Errors are `{\"error\": {\"code\", \"message\"}}`.",
        version = "1",
    ),
    paths(
        api::health,
        auth::handlers::login,
        auth::handlers::refresh,
        auth::handlers::me,
        auth::audit::list_audit,
        auth::users::create_account,
        auth::users::list_accounts,
        auth::users::update_account,
        auth::users::sign_out_everywhere,
        auth::handlers::logout,
        sync::handler::sync,
        api::list_contributions,
        api::get_contribution,
        api::update_review,
        api::create_comment,
        api::list_contribution_history,
        api::get_contact,
        api::delete_contact,
        api::residents::find_resident_data,
        api::residents::erase_resident_data,
        api::get_territory,
        api::locate,
        api::list_campaigns,
    ),
    components(schemas(
        error::ErrorBody,
        error::ErrorDetail,
        schema::Contribution,
        schema::Location,
        schema::Respondent,
        schema::Consent,
        schema::Geo,
        schema::Review,
        schema::FollowUp,
        schema::Comment,
        schema::DocType,
        store::Campaign,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Log in and rotate tokens"),
        (name = "sync", description = "Sync protocol v1 (docs/SYNC-PROTOCOL.md)"),
        (name = "contributions", description = "Read, qualify and comment contributions"),
        (name = "territory", description = "Communes and arrondissements"),
        (name = "campaigns", description = "Outreach campaigns"),
        (name = "topics", description = "Shared concerns (sujets): attach, quote, forward"),
        (name = "forwards", description = "Recipients, forwards, answer links and answers"),
        (name = "stats", description = "Figures for assemblies and the activity report"),
        (name = "exports", description = "CSV, XLSX and GeoJSON exports of a filter or topic"),
        (name = "assemblies", description = "Open assemblies and their agendas"),
        (name = "webhooks", description = "Event subscriptions signed with HMAC-SHA256"),
        (name = "admin", description = "Administration: accounts, sessions, the audit log"),
        (name = "operations", description = "Health"),
    )
)]
pub struct ApiDoc;

/// The OpenAPI document as pretty JSON (what the snapshot test compares).
pub fn spec_json() -> String {
    document()
        .to_pretty_json()
        .expect("the OpenAPI document serializes")
}

/// The whole document: the core API and every consolidation module's.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::consolidation::openapi());
    doc
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(SwaggerUi::new("/swagger-ui/{_:.*}").url("/api-docs/openapi.json", document()));
}

#[cfg(test)]
mod tests {
    /// Fails when the API changes without the snapshot being updated
    /// (`UPDATE_SNAPSHOTS=1 cargo test -p porte-voix-server openapi`), so
    /// that every API change is a reviewed diff of `docs/openapi.json`.
    #[test]
    fn openapi_matches_the_committed_snapshot() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
        let current = super::spec_json();
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(path, &current).unwrap();
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == current,
            "docs/openapi.json is out of date: rerun with UPDATE_SNAPSHOTS=1 and review the diff"
        );
    }

    #[test]
    fn every_operation_has_a_verb_resource_id_and_a_tag() {
        let spec: serde_json::Value = serde_json::from_str(&super::spec_json()).unwrap();
        let mut count = 0;
        for (path, item) in spec["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let id = op["operationId"].as_str().unwrap_or_default();
                let verb = id.split('_').next().unwrap_or_default();
                assert!(
                    ["get", "list", "create", "update", "delete", "refresh"].contains(&verb),
                    "{method} {path}: {id}"
                );
                assert!(
                    op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                    "{method} {path}"
                );
                count += 1;
            }
        }
        assert!(count >= 14);
    }
}
