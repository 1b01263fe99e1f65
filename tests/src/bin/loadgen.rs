//! `porte-voix-loadgen`: the load generator and benchmarks of
//! docs/PERFORMANCE.md.
//!
//! - `http`: N simulated phones push M contributions each to a real
//!   `porte-voix serve` (spawned here) and we report throughput, request
//!   latency, the server's CPU seconds and RSS.
//! - `floor`: the same documents through the sync engine in-process — the
//!   cost of applying, validating, geotagging, saving and storing, without
//!   HTTP.
//! - `geotag`: lookups per second of the indexed geotagging against a naive
//!   scan of every outline.
//! - `all`: everything PERFORMANCE.md reports, as markdown tables.
//!
//! Figures only: nothing here asserts a timing (the machine is shared and
//! noisy); compare ratios measured in one run.

// The modules live in `loadgen/` (a crate root's `mod x;` would look for
// `src/bin/x.rs`, which Cargo would take for another binary).
#[path = "loadgen/floor.rs"]
mod floor;
#[path = "loadgen/geotag.rs"]
mod geotag;
#[path = "loadgen/http.rs"]
mod http;
#[path = "loadgen/phases.rs"]
mod phases;
#[path = "loadgen/procstat.rs"]
mod procstat;
#[path = "loadgen/stats.rs"]
mod stats;
#[path = "loadgen/workload.rs"]
mod workload;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// The password of every simulated volunteer.
pub const PASSWORD: &str = "loadgen-password";

/// Scenarios of `all`: (phones, contributions per phone).
const SCENARIOS: &[(usize, usize)] = &[(1, 1000), (20, 100), (100, 50)];

/// The target of the issue: 20 phones × 100 contributions durable in 2 s.
const TARGET_WALL_S: f64 = 2.0;
/// The target of the issue: server CPU per contribution within 3× the floor.
const TARGET_RATIO: f64 = 3.0;

#[derive(Parser)]
#[command(
    name = "porte-voix-loadgen",
    about = "Porte-voix load generator and benchmarks"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(clap::Args, Clone, Debug)]
pub struct Common {
    /// Documents per sync request. 25 models a phone syncing after part of
    /// an outing (a volunteer collects ~10–40 contributions per outing);
    /// the PWA sends up to 200 per request.
    #[arg(long, default_value_t = 25)]
    pub batch: usize,
    /// Seed of the generated points and texts (same seed, same documents).
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Before each measured run, wait up to this many seconds for a second
    /// in which other processes use under a fifth of a CPU (the machine is
    /// shared); 0 starts at once.
    #[arg(long, default_value_t = 0.0)]
    pub wait_quiet: f64,
}

#[derive(clap::Args, Clone)]
struct ServerArgs {
    /// The server binary to spawn [default: `porte-voix` beside this
    /// binary, i.e. target/release/porte-voix].
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// `RUST_LOG` of the spawned server (`info`, its default, logs every
    /// request to its log file).
    #[arg(long, default_value = "info")]
    server_log: String,
}

#[derive(Subcommand)]
enum Cmd {
    /// N phones push M contributions each to a spawned server over HTTP.
    Http {
        #[arg(long)]
        phones: usize,
        #[arg(long)]
        contributions: usize,
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// The same documents through the sync engine in-process (no HTTP).
    Floor {
        /// Simulated phones taking turns (the contributions are split
        /// between them).
        #[arg(long, default_value_t = 1)]
        phones: usize,
        /// Contributions per phone.
        #[arg(long)]
        contributions: usize,
        #[command(flatten)]
        common: Common,
    },
    /// Indexed geotagging against a naive scan of every outline.
    Geotag {
        #[arg(long, default_value_t = 200_000)]
        lookups: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Per-step timing of the path of a new contribution, with the cheaper
    /// alternatives PERFORMANCE.md proposes.
    Phases {
        #[arg(long, default_value_t = 2000)]
        contributions: usize,
        #[command(flatten)]
        common: Common,
    },
    /// Floor and HTTP for 1×1000, 20×100 and 100×50, then geotag; prints
    /// markdown tables.
    All {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        server: ServerArgs,
        #[arg(long, default_value_t = 200_000)]
        lookups: usize,
        /// Run every scenario this many times (one row each, and the
        /// targets judged on the medians): identical runs on this shared
        /// machine differ by ±20 %.
        #[arg(long, default_value_t = 1)]
        repeat: usize,
    },
}

fn main() {
    if let Err(e) = run(Cli::parse()) {
        eprintln!("porte-voix-loadgen: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Cmd::Http {
            phones,
            contributions,
            common,
            server,
        } => {
            let r = http::run(&http_opts(phones, contributions, &common, &server))?;
            r.print();
            check_durable(&r)?;
        }
        Cmd::Floor {
            phones,
            contributions,
            common,
        } => floor::run(phones, contributions, &common)?.print(),
        Cmd::Geotag { lookups, seed } => geotag::run(lookups, seed).print(),
        Cmd::Phases {
            contributions,
            common,
        } => phases::run(contributions, &common)?,
        Cmd::All {
            common,
            server,
            lookups,
            repeat,
        } => all(&common, &server, lookups, repeat)?,
    }
    Ok(())
}

/// `--wait-quiet`: waits for a quiet spell (see `procstat::wait_for_quiet`)
/// and says so when none came.
pub fn quiet(c: &Common) -> anyhow::Result<()> {
    if c.wait_quiet > 0.0 {
        let load = procstat::wait_for_quiet(c.wait_quiet, 0.2)?;
        if load >= 0.2 {
            eprintln!(
                "note: the machine stayed busy ({load:.2} CPUs used by others); measuring anyway"
            );
        }
    }
    Ok(())
}

fn http_opts(phones: usize, per_phone: usize, c: &Common, s: &ServerArgs) -> http::HttpOpts {
    http::HttpOpts {
        phones,
        per_phone,
        batch: c.batch,
        server_bin: s.server_bin.clone().unwrap_or_else(default_server_bin),
        seed: c.seed,
        server_log: s.server_log.clone(),
        common: c.clone(),
    }
}

/// An `ok` that is not in the store after a kill is a broken promise, not
/// a slow run: that one is an error.
fn check_durable(r: &http::HttpResult) -> anyhow::Result<()> {
    if r.durable != r.contributions {
        anyhow::bail!(
            "only {} of {} acknowledged contributions were in the store after kill -9",
            r.durable,
            r.contributions
        );
    }
    Ok(())
}

fn all(common: &Common, server: &ServerArgs, lookups: usize, repeat: usize) -> anyhow::Result<()> {
    println!("machine: {} CPUs, {}", cpus(), cpu_model());
    let mut rows = Vec::new();
    for &(phones, per_phone) in SCENARIOS {
        for _ in 0..repeat.max(1) {
            let f = floor::run(phones, per_phone, common)?;
            f.print();
            let h = http::run(&http_opts(phones, per_phone, common, server))?;
            h.print();
            check_durable(&h)?;
            rows.push((f, h));
        }
    }
    quiet(common)?;
    let g = geotag::run(lookups, common.seed);
    g.print();

    println!();
    println!(
        "| phones × contributions | requests | wall, first request to last `ok` (s) \
         | contributions/s | p50 (ms) | p99 (ms) | found after kill -9 |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (_, h) in &rows {
        println!(
            "| {} × {} | {} | {:.2} | {:.0} | {:.1} | {:.1} | {}/{} |",
            h.phones,
            h.per_phone,
            h.requests,
            h.wall_s,
            h.throughput(),
            h.p50_ms,
            h.p99_ms,
            h.durable,
            h.contributions
        );
    }
    println!();
    println!(
        "| phones × contributions | server CPU (s) | server CPU / contribution (ms) \
         | floor CPU / contribution (ms) | ratio to floor | floor wall (s) | client CPU (s) \
         | other processes, idle (CPU-s) | server RSS after logins → after push, peak (MiB) |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    for (f, h) in &rows {
        println!(
            "| {} × {} | {:.2} | {:.3} | {:.3} | {:.2} | {:.2} | {:.2} | {:.1}, {:.1} | {:.0} → {:.0}, {:.0} |",
            h.phones,
            h.per_phone,
            h.server_cpu_s,
            h.server_cpu_ms_per_contribution(),
            f.cpu_ms_per_contribution(),
            h.server_cpu_ms_per_contribution() / f.cpu_ms_per_contribution(),
            f.wall_s,
            h.client_cpu_s,
            h.others_cpu_s,
            h.idle_s,
            h.rss_before_mib,
            h.rss_after_mib,
            h.rss_peak_mib,
        );
    }
    println!();
    println!(
        "| points ({} outlines) | lookups | outside every commune | indexed `locate` (/s) \
         | naive scan (/s) | ratio |",
        g.outlines
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for s in &g.sets {
        println!(
            "| {} | {} | {:.0} % | {:.0} | {:.0} | {:.1}× |",
            s.name,
            s.lookups,
            s.outside_share * 100.0,
            s.indexed_per_s,
            s.scan_per_s,
            s.ratio()
        );
    }
    println!();
    for &(phones, per_phone) in SCENARIOS {
        let runs: Vec<_> = rows
            .iter()
            .filter(|(_, h)| (h.phones, h.per_phone) == (phones, per_phone))
            .collect();
        let ratio = median(
            runs.iter()
                .map(|(f, h)| h.server_cpu_ms_per_contribution() / f.cpu_ms_per_contribution()),
        );
        let of = if runs.len() > 1 { "median " } else { "" };
        println!(
            "target CPU ≤ {TARGET_RATIO}× floor, {phones}×{per_phone}: {of}{ratio:.2}× — {}",
            if ratio <= TARGET_RATIO {
                "met"
            } else {
                "missed"
            }
        );
        if (phones, per_phone) == (20, 100) {
            let wall = median(runs.iter().map(|(_, h)| h.wall_s));
            println!(
                "target 20×100 durable in < {TARGET_WALL_S} s: {of}{wall:.2} s — {}",
                if wall < TARGET_WALL_S {
                    "met"
                } else {
                    "missed"
                }
            );
        }
    }
    Ok(())
}

/// The median (the mean of the middle two for an even count).
fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// `porte-voix` in the directory of this executable: both are built into
/// the same `target/release`, whatever the current directory.
fn default_server_bin() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("porte-voix")))
        .unwrap_or_else(|| PathBuf::from("target/release/porte-voix"))
}

fn cpus() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}
