//! The in-process floor: the same documents, in the same batches, through
//! `SyncEngine::sync` directly — applying, validating, geotagging, saving
//! and storing (with the flush that makes `ok` durable), without HTTP, JSON
//! or authentication. One thread, phones taking turns batch by batch, so
//! that the change feed each phone reads back looks like the HTTP run's.

use crate::workload::{self, PhoneWork};
use crate::{procstat, Common};
use anyhow::{bail, Context};
use porte_voix_server::sync::{DocStatus, SyncRequest, PROTOCOL_VERSION};
use porte_voix_server::{AppState, Settings};
use porte_voix_shared::{Principal, Role};
use std::time::Instant;

/// What one floor run measured.
#[derive(Debug, Clone)]
pub struct FloorResult {
    pub phones: usize,
    pub per_phone: usize,
    pub batch: usize,
    pub contributions: usize,
    pub wall_s: f64,
    pub cpu_s: f64,
    /// CPU the rest of the machine took over the run.
    pub others_cpu_s: f64,
}

impl FloorResult {
    pub fn cpu_ms_per_contribution(&self) -> f64 {
        self.cpu_s * 1000.0 / self.contributions as f64
    }
    pub fn throughput(&self) -> f64 {
        self.contributions as f64 / self.wall_s
    }
    pub fn print(&self) {
        println!(
            "floor {}x{} (batch {}): {} contributions in {:.2} s wall = {:.0}/s; \
             CPU {:.2} s = {:.3} ms per contribution; other processes {:.2} CPU-seconds",
            self.phones,
            self.per_phone,
            self.batch,
            self.contributions,
            self.wall_s,
            self.throughput(),
            self.cpu_s,
            self.cpu_ms_per_contribution(),
            self.others_cpu_s
        );
    }
}

/// Users are created in the store first (argon2, deliberately slow, not
/// measured); then every batch goes through the engine.
pub fn run(phones: usize, per_phone: usize, common: &Common) -> anyhow::Result<FloorResult> {
    let (batch, seed) = (common.batch, common.seed);
    let dir = tempfile::tempdir().context("creating a temporary data directory")?;
    let state = AppState::open(Settings {
        data_dir: dir.path().to_path_buf(),
        ..Settings::default()
    })?;
    let mut user_ids = Vec::with_capacity(phones);
    for i in 0..phones {
        let user = porte_voix_server::auth::create_user(
            state.store.as_ref(),
            &format!("floor{i}@loadgen.porte-voix.fr"),
            "",
            Role::Volunteer,
            None,
            crate::PASSWORD,
        )
        .with_context(|| format!("creating user {i}"))?;
        user_ids.push(user.id);
    }
    let work = workload::build(&state.territory, &user_ids, per_phone, batch, seed)?;
    let contributions: usize = work.iter().map(PhoneWork::contributions).sum();
    let principals: Vec<Principal> = work
        .iter()
        .map(|w| Principal {
            user_id: w.user_id.clone(),
            role: Role::Volunteer,
            commune: None,
        })
        .collect();
    let mut cursors: Vec<Option<String>> = vec![None; phones];
    let rounds = work.iter().map(|w| w.batches.len()).max().unwrap_or(0);

    crate::quiet(common)?;
    let cpu0 = procstat::cpu_seconds("self")?;
    let (busy0, _) = procstat::machine_cpu_seconds()?;
    let t0 = Instant::now();
    for round in 0..rounds {
        for (p, w) in work.iter().enumerate() {
            let Some(docs) = w.batches.get(round) else {
                continue;
            };
            // Cloning the prepared entries is part of what the HTTP path
            // does too (deserializing them); it is negligible either way.
            let req = SyncRequest {
                protocol: PROTOCOL_VERSION,
                cursor: cursors[p].clone(),
                documents: docs.clone(),
                contacts: vec![],
            };
            let reply = state.engine.sync(&principals[p], &req)?;
            if let Some(bad) = reply.documents.iter().find(|d| d.status != DocStatus::Ok) {
                bail!(
                    "document {} refused in-process: {:?} {}",
                    bad.id,
                    bad.status,
                    bad.reason.as_deref().unwrap_or("")
                );
            }
            cursors[p] = Some(reply.cursor);
        }
    }
    let wall_s = t0.elapsed().as_secs_f64();
    let cpu_s = procstat::cpu_seconds("self")? - cpu0;
    let (busy1, _) = procstat::machine_cpu_seconds()?;
    Ok(FloorResult {
        phones,
        per_phone,
        batch,
        contributions,
        wall_s,
        cpu_s,
        others_cpu_s: (busy1 - busy0 - cpu_s).max(0.0),
    })
}
