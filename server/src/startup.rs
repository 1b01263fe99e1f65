//! Building and running the application: open the store, load the
//! territory, bind the port, mount the routes. Tests start the same
//! `Application` on port 0 with a temporary data directory.

use crate::auth::JwtKeys;
use crate::settings::Settings;
use crate::store::{keys, meta_or_init, SledStore, Store};
use crate::sync::SyncEngine;
use crate::territory::Territory;
use crate::{api, auth, error, openapi, sync};
use actix_web::dev::Server;
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use automerge::ActorId;
use rand::RngCore;
use std::net::TcpListener;
use std::sync::Arc;

/// What every handler can reach.
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub territory: Arc<Territory>,
    pub engine: SyncEngine,
    pub keys: JwtKeys,
    pub settings: Settings,
    /// The derived query index (search, facets, statistics, exports).
    pub index: Arc<crate::index::SearchIndex>,
    /// Webhook deliveries.
    pub webhooks: crate::consolidation::webhooks::Outbox,
    /// Failed-login counters (per account and per client address).
    pub login_limiter: Arc<crate::auth::limits::LoginLimiter>,
}

impl AppState {
    /// Opens everything the server needs from `settings`, without binding.
    pub fn open(settings: Settings) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("creating data directory {}", settings.data_dir.display()))?;
        let store: Arc<dyn Store> = Arc::new(
            SledStore::open_with_key(&settings.data_dir, settings.data_key.clone())
                .with_context(|| format!("opening the store in {}", settings.data_dir.display()))?,
        );
        Self::with_store(settings, store)
    }

    /// Builds the state over an already opened store.
    pub fn with_store(settings: Settings, store: Arc<dyn Store>) -> anyhow::Result<Self> {
        let territory = Arc::new(
            Territory::load(settings.territory.as_deref(), settings.near_border_m)
                .context("loading the territory")?,
        );
        let secret = match &settings.jwt_secret {
            Some(s) => s.as_bytes().to_vec(),
            None => meta_or_init(store.as_ref(), keys::META_JWT_SECRET, random_bytes::<32>)?,
        };
        let actor = meta_or_init(store.as_ref(), keys::META_SERVER_ACTOR, random_bytes::<16>)?;
        let engine = SyncEngine::new(
            store.clone(),
            territory.clone(),
            ActorId::from(actor.as_slice()),
        );
        let index = Arc::new(
            crate::index::SearchIndex::open(&settings.data_dir.join("index"), store.clone())
                .context("opening the search index")?,
        );
        crate::auth::password::set_cost(settings.argon2);
        Ok(Self {
            login_limiter: Arc::new(crate::auth::limits::LoginLimiter::new(
                settings.login_limits.clone(),
            )),
            index,
            webhooks: crate::consolidation::webhooks::Outbox::new(store.clone()),
            keys: JwtKeys::new(&secret, settings.access_ttl_s),
            store,
            territory,
            engine,
            settings,
        })
    }
}

fn random_bytes<const N: usize>() -> Vec<u8> {
    let mut b = [0u8; N];
    rand::rng().fill_bytes(&mut b);
    b.to_vec()
}

/// A bound, not yet running, server.
pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

impl Application {
    /// Opens the store and binds the port (0 picks a free one).
    pub fn build(settings: Settings) -> anyhow::Result<Self> {
        let state = AppState::open(settings)?;
        Self::build_with_state(state)
    }

    pub fn build_with_state(state: AppState) -> anyhow::Result<Self> {
        let addr = format!("{}:{}", state.settings.bind, state.settings.port);
        let listener = TcpListener::bind(&addr).with_context(|| format!("binding {addr}"))?;
        let port = listener.local_addr()?.port();
        let state = web::Data::new(state);
        let data = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .wrap(actix_web::middleware::from_fn(api::cache_headers))
                .wrap(actix_web::middleware::Compress::default())
                .wrap(tracing_actix_web::TracingLogger::<
                    crate::telemetry::PrivacyRootSpan,
                >::new())
                .app_data(data.clone())
                .app_data(error::json_config())
                .app_data(error::query_config())
                .app_data(error::path_config())
                .configure(routes)
                .configure(|cfg| api::static_files(cfg, &data.settings.pwa_dir))
        })
        .listen(listener)?
        .shutdown_timeout(10)
        .run();
        Ok(Self {
            port,
            server,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs until SIGINT/SIGTERM (actix stops gracefully), then flushes.
    /// Meanwhile, erases expired contact details at start and every hour.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let state = self.state.clone();
        let retention = tokio::spawn(async move {
            let delay = chrono::Duration::days(state.settings.contact_retention_days);
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                tick.tick().await;
                let state = state.clone();
                let run = web::block(move || {
                    crate::retention::purge_expired_contacts(
                        state.store.as_ref(),
                        chrono::Utc::now(),
                        delay,
                    )
                });
                if let Ok(Err(e)) = run.await {
                    tracing::error!(error = %e, "contact retention failed");
                }
            }
        });
        let result = self.server.await;
        retention.abort();
        // Commit what the index has not, and let its merges finish, before
        // the process ends (a killed merge leaves files to clean up).
        if let Err(e) = self.state.index.shutdown() {
            tracing::error!(error = %e, "search index shutdown failed");
        }
        result?;
        self.state
            .store
            .flush()
            .context("flushing the store at shutdown")?;
        tracing::info!("stopped; store flushed");
        Ok(())
    }
}

/// Every API route.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(api::health)
        .service(auth::login)
        .service(auth::refresh)
        .service(auth::me)
        .service(auth::audit::list_audit)
        .service(auth::users::create_account)
        .service(auth::users::list_accounts)
        .service(auth::users::update_account)
        .service(auth::users::sign_out_everywhere)
        .service(auth::handlers::logout)
        .service(sync::sync)
        .service(api::list_contributions)
        .service(api::get_contribution)
        .service(api::update_review)
        .service(api::create_comment)
        .service(api::list_contribution_history)
        .service(api::get_contact)
        .service(api::delete_contact)
        .service(api::residents::find_resident_data)
        .service(api::residents::erase_resident_data)
        .service(api::get_territory)
        .service(api::locate)
        .service(api::list_campaigns)
        .configure(crate::consolidation::configure)
        .configure(openapi::routes);
}
