//! The HTTP run: N simulated phones push M contributions each to a real
//! `porte-voix serve` process, concurrently, and we read the server's CPU
//! time and memory from `/proc`.

use crate::stats::percentile_ms;
use crate::workload::{self, PhoneWork};
use crate::{procstat, PASSWORD};
use anyhow::{bail, Context};
use porte_voix_server::auth::TokenResponse;
use porte_voix_server::sync::{DocStatus, SyncResponse};
use porte_voix_server::{AppState, Settings};
use porte_voix_shared::Role;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How to run one HTTP scenario.
#[derive(Debug, Clone)]
pub struct HttpOpts {
    pub phones: usize,
    pub per_phone: usize,
    pub batch: usize,
    pub server_bin: PathBuf,
    pub seed: u64,
    /// `RUST_LOG` of the server (its default, `info`, logs every request).
    pub server_log: String,
    /// For `--wait-quiet`, checked just before the clock starts.
    pub common: crate::Common,
}

/// What one HTTP run measured.
#[derive(Debug, Clone)]
pub struct HttpResult {
    pub phones: usize,
    pub per_phone: usize,
    pub batch: usize,
    pub contributions: usize,
    pub requests: usize,
    /// From the first request sent to the last `ok` received.
    pub wall_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Server user + system CPU over the push (logins excluded).
    pub server_cpu_s: f64,
    /// This process's CPU over the push (the simulated phones).
    pub client_cpu_s: f64,
    /// CPU the rest of the machine (other processes) took over the push.
    pub others_cpu_s: f64,
    /// Idle CPU seconds (all CPUs) over the push.
    pub idle_s: f64,
    pub rss_before_mib: f64,
    pub rss_after_mib: f64,
    pub rss_peak_mib: f64,
    /// Contributions found in the store after the server was killed.
    pub durable: usize,
}

impl HttpResult {
    pub fn throughput(&self) -> f64 {
        self.contributions as f64 / self.wall_s
    }
    pub fn server_cpu_ms_per_contribution(&self) -> f64 {
        self.server_cpu_s * 1000.0 / self.contributions as f64
    }
    pub fn print(&self) {
        println!(
            "http {}x{} (batch {}): {} contributions, {} requests in {:.2} s = {:.0} contributions/s; \
             latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; server CPU {:.2} s = {:.3} ms per \
             contribution; client CPU {:.2} s; other processes {:.2} s, idle {:.2} s (CPU-seconds); server RSS {:.1} MiB before, {:.1} MiB after, \
             peak {:.1} MiB; {} of {} found in the store after kill -9",
            self.phones,
            self.per_phone,
            self.batch,
            self.contributions,
            self.requests,
            self.wall_s,
            self.throughput(),
            self.p50_ms,
            self.p99_ms,
            self.max_ms,
            self.server_cpu_s,
            self.server_cpu_ms_per_contribution(),
            self.client_cpu_s,
            self.others_cpu_s,
            self.idle_s,
            self.rss_before_mib,
            self.rss_after_mib,
            self.rss_peak_mib,
            self.durable,
            self.contributions
        );
    }
}

pub fn run(opts: &HttpOpts) -> anyhow::Result<HttpResult> {
    if !opts.server_bin.is_file() {
        bail!(
            "no server binary at {}: build it with `cargo build --release -p porte-voix-server \
             --bin porte-voix`, or pass --server-bin",
            opts.server_bin.display()
        );
    }
    let dir = tempfile::tempdir().context("creating a temporary data directory")?;
    // Users are made in-process before the server starts (sled lets one
    // process open a store at a time, so the state is dropped first):
    // faster than one `porte-voix user add` process per phone.
    let (emails, work) = {
        let state = AppState::open(Settings {
            data_dir: dir.path().to_path_buf(),
            ..Settings::default()
        })?;
        let mut emails = Vec::with_capacity(opts.phones);
        let mut user_ids = Vec::with_capacity(opts.phones);
        for i in 0..opts.phones {
            let email = format!("load{i}@loadgen.porte-voix.fr");
            let user = porte_voix_server::auth::create_user(
                state.store.as_ref(),
                &email,
                "",
                Role::Volunteer,
                None,
                PASSWORD,
            )
            .with_context(|| format!("creating user {email}"))?;
            emails.push(email);
            user_ids.push(user.id);
        }
        let work = workload::build(
            &state.territory,
            &user_ids,
            opts.per_phone,
            opts.batch,
            opts.seed,
        )?;
        (emails, work)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let result = runtime.block_on(push_all(opts, dir.path(), &emails, &work))?;
    let durable = count_durable(dir.path(), &work)?;
    Ok(HttpResult { durable, ..result })
}

/// Starts the server, logs every phone in, pushes, measures, kills it.
async fn push_all(
    opts: &HttpOpts,
    dir: &Path,
    emails: &[String],
    work: &[PhoneWork],
) -> anyhow::Result<HttpResult> {
    let (mut server, base) = spawn_server(opts, dir).await?;
    let outcome = measured_push(&server, &base, emails, work, opts).await;
    // SIGKILL, not a graceful stop: what was acknowledged must already be
    // on disk, and `count_durable` checks it.
    server.start_kill().ok();
    server.wait().await.ok();
    outcome
}

async fn measured_push(
    server: &Child,
    base: &str,
    emails: &[String],
    work: &[PhoneWork],
    opts: &HttpOpts,
) -> anyhow::Result<HttpResult> {
    let pid = server
        .id()
        .context("the server exited right after starting")?
        .to_string();
    let login_client = reqwest::Client::new();
    let mut tokens = Vec::with_capacity(emails.len());
    // One login at a time: argon2 takes ~19 MiB per verification, and
    // parallel logins would inflate the peak RSS we report.
    for (email, w) in emails.iter().zip(work) {
        let token = login(&login_client, base, email).await?;
        if token.user.id != w.user_id {
            bail!("login as {email} returned another user");
        }
        tokens.push(token.access_token);
    }
    // Request bodies are prepared before the clock starts: the phones'
    // own work (building documents, JSON) is not what we measure.
    let bodies: Vec<Vec<(usize, String)>> = work
        .iter()
        .map(|w| {
            w.batches
                .iter()
                .map(|b| Ok((b.len(), serde_json::to_string(b)?)))
                .collect::<serde_json::Result<Vec<_>>>()
        })
        .collect::<serde_json::Result<_>>()?;
    let contributions: usize = work.iter().map(PhoneWork::contributions).sum();
    let requests: usize = bodies.iter().map(Vec::len).sum();

    crate::quiet(&opts.common)?;
    let rss_before_mib = procstat::mem_mib(&pid, "VmRSS")?;
    let server_cpu0 = procstat::cpu_seconds(&pid)?;
    let client_cpu0 = procstat::cpu_seconds("self")?;
    let (busy0, idle0) = procstat::machine_cpu_seconds()?;
    let t0 = Instant::now();
    let mut tasks = Vec::with_capacity(bodies.len());
    for (phone, (batches, token)) in bodies.into_iter().zip(tokens).enumerate() {
        let url = format!("{base}/api/v1/sync");
        tasks.push(tokio::spawn(async move {
            phone_push(phone, url, token, batches).await
        }));
    }
    let mut latencies = Vec::with_capacity(requests);
    let mut last_ok = t0;
    for task in tasks {
        let (lat, end) = task.await.context("a phone task panicked")??;
        latencies.extend(lat);
        last_ok = last_ok.max(end);
    }
    let wall_s = (last_ok - t0).as_secs_f64();
    let server_cpu_s = procstat::cpu_seconds(&pid)? - server_cpu0;
    let client_cpu_s = procstat::cpu_seconds("self")? - client_cpu0;
    let (busy1, idle1) = procstat::machine_cpu_seconds()?;
    let rss_after_mib = procstat::mem_mib(&pid, "VmRSS")?;
    let rss_peak_mib = procstat::mem_mib(&pid, "VmHWM")?;
    latencies.sort();
    Ok(HttpResult {
        phones: work.len(),
        per_phone: opts.per_phone,
        batch: opts.batch,
        contributions,
        requests,
        wall_s,
        p50_ms: percentile_ms(&latencies, 0.50),
        p99_ms: percentile_ms(&latencies, 0.99),
        max_ms: percentile_ms(&latencies, 1.0),
        server_cpu_s,
        client_cpu_s,
        others_cpu_s: (busy1 - busy0 - server_cpu_s - client_cpu_s).max(0.0),
        idle_s: idle1 - idle0,
        rss_before_mib,
        rss_after_mib,
        rss_peak_mib,
        durable: 0,
    })
}

/// One phone: its batches one after the other, as the PWA sends them,
/// carrying the cursor of each reply into the next request. Returns the
/// request latencies and when the last `ok` arrived.
async fn phone_push(
    phone: usize,
    url: String,
    token: String,
    batches: Vec<(usize, String)>,
) -> anyhow::Result<(Vec<Duration>, Instant)> {
    // Its own client, hence its own connection: phones do not share one.
    let client = reqwest::Client::new();
    let mut cursor: Option<String> = None;
    let mut latencies = Vec::with_capacity(batches.len());
    for (n, documents) in batches {
        let body = format!(
            r#"{{"protocol":1,"cursor":{},"documents":{documents}}}"#,
            serde_json::to_string(&cursor)?
        );
        let start = Instant::now();
        let resp = client
            .post(&url)
            .bearer_auth(&token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .with_context(|| format!("phone {phone}: sending a sync request"))?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .with_context(|| format!("phone {phone}: reading a sync reply"))?;
        latencies.push(start.elapsed());
        if !status.is_success() {
            bail!(
                "phone {phone}: sync answered {status}: {}",
                String::from_utf8_lossy(&bytes)
            );
        }
        let reply: SyncResponse = serde_json::from_slice(&bytes)
            .with_context(|| format!("phone {phone}: the sync reply does not parse"))?;
        if reply.documents.len() != n {
            bail!(
                "phone {phone}: {} results for {n} documents",
                reply.documents.len()
            );
        }
        if let Some(bad) = reply.documents.iter().find(|d| d.status != DocStatus::Ok) {
            bail!(
                "phone {phone}: document {} answered {:?}: {}",
                bad.id,
                bad.status,
                bad.reason.as_deref().unwrap_or("")
            );
        }
        cursor = Some(reply.cursor);
    }
    Ok((latencies, Instant::now()))
}

async fn login(client: &reqwest::Client, base: &str, email: &str) -> anyhow::Result<TokenResponse> {
    let resp = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .with_context(|| format!("logging in as {email}"))?;
    let status = resp.status();
    if !status.is_success() {
        bail!(
            "login as {email} answered {status}: {}",
            resp.text().await.unwrap_or_default()
        );
    }
    resp.json()
        .await
        .with_context(|| format!("login reply for {email}"))
}

/// Starts `porte-voix serve` on a free port over `dir`; returns the child
/// and its base URL once it printed its `listening on` line.
async fn spawn_server(opts: &HttpOpts, dir: &Path) -> anyhow::Result<(Child, String)> {
    let log_path = dir.join("server.log");
    let log = std::fs::File::create(&log_path)
        .with_context(|| format!("creating {}", log_path.display()))?;
    let mut cmd = Command::new(&opts.server_bin);
    cmd.arg("serve")
        .env("PORTE_VOIX_PORT", "0")
        .env("PORTE_VOIX_BIND", "127.0.0.1")
        .env("PORTE_VOIX_DATA_DIR", dir)
        .env("PORTE_VOIX_PWA_DIR", dir.join("no-pwa"))
        .env("RUST_LOG", &opts.server_log)
        .env_remove("PORTE_VOIX_JWT_SECRET")
        .env_remove("PORTE_VOIX_TERRITORY")
        .env_remove("PORTE_VOIX_NEAR_BORDER_M")
        .env_remove("PORTE_VOIX_ACCESS_TTL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .kill_on_drop(true);
    let mut child = cmd
        .spawn()
        .with_context(|| format!("starting {}", opts.server_bin.display()))?;
    let stdout = child.stdout.take().context("no server stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let base = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await? {
            if let Some(url) = line.strip_prefix("listening on ") {
                return Ok(url.trim().to_owned());
            }
        }
        bail!(
            "the server exited before listening; see its log: {}",
            std::fs::read_to_string(&log_path).unwrap_or_default()
        )
    })
    .await
    .context("the server did not start within 30 s")??;
    // Keep draining stdout so the server can never block on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((child, base))
}

/// Opens the store left by the killed server and counts the contributions
/// that are there: all of them, if `ok` meant durable.
fn count_durable(dir: &Path, work: &[PhoneWork]) -> anyhow::Result<usize> {
    let state = AppState::open(Settings {
        data_dir: dir.to_path_buf(),
        ..Settings::default()
    })
    .context("reopening the store after the run")?;
    let mut found = 0;
    for d in work.iter().flat_map(|w| w.batches.iter().flatten()) {
        if state.store.get_doc(d.id)?.is_some() {
            found += 1;
        }
    }
    Ok(found)
}
