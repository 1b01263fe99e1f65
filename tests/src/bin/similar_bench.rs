//! Measures `porte-voix demo --contributions N` and the `/similar` scoring
//! over the store it makes, and runs the labelled-set evaluation at a chosen
//! size (docs/CONSOLIDATION.md, docs/PERFORMANCE.md).
//!
//! ```sh
//! cargo build --release -p porte-voix-tests --bin similar_bench
//! target/release/similar_bench demo --contributions 100000 --queries 200
//! target/release/similar_bench labelled --unrelated 3000 --planted 300
//! ```

use clap::{Parser, Subcommand};
use porte_voix_server::consolidation::similar::{labelled, similar_to};
use porte_voix_server::index::Scope;
use porte_voix_server::store::ContributionQuery;
use porte_voix_server::{demo, AppState, Settings};
use std::time::Instant;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fills a temporary sled store with the demo, then times `/similar`'s
    /// scoring (as the officer) for contributions spread over the store.
    Demo {
        #[arg(long, default_value_t = 1000)]
        contributions: usize,
        #[arg(long, default_value_t = 100)]
        queries: usize,
    },
    /// The labelled-set evaluation at another size.
    Labelled {
        #[arg(long, default_value_t = 3000)]
        unrelated: usize,
        /// Near-duplicates and paraphrases, each; twice as many decoys.
        #[arg(long, default_value_t = 300)]
        planted: usize,
        #[arg(long, default_value_t = 0x1AB3_11ED)]
        seed: u64,
    },
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Demo {
            contributions,
            queries,
        } => {
            let dir = tempfile::tempdir()?;
            let settings = Settings {
                data_dir: dir.path().to_path_buf(),
                ..Settings::default()
            };
            let state = AppState::open(settings)?;
            let t = Instant::now();
            demo::fill_with(&state, contributions, true)?;
            state.index.catch_up()?;
            let fill = t.elapsed().as_secs_f64();
            let rows = state
                .store
                .list_contributions(
                    &ContributionQuery {
                        limit: usize::MAX,
                        ..Default::default()
                    },
                    &|_| true,
                )?
                .items;
            let step = (rows.len() / queries.max(1)).max(1);
            let picked: Vec<_> = rows.iter().step_by(step).take(queries).collect();
            // A first pass fills the content cache, as a running server's
            // would be after its first requests; the second is measured.
            let mut cold = Vec::new();
            let mut warm = Vec::new();
            let mut candidates = 0;
            for pass in 0..2 {
                for row in &picked {
                    let t = Instant::now();
                    let (_, n) = similar_to(&state, &Scope::All, row, 10)
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    let ms = t.elapsed().as_secs_f64() * 1000.0;
                    if pass == 0 {
                        cold.push(ms);
                        candidates += n;
                    } else {
                        warm.push(ms);
                    }
                }
            }
            cold.sort_by(f64::total_cmp);
            warm.sort_by(f64::total_cmp);
            let seq = state.store.last_seq()?;
            println!(
                "contributions {} | demo fill {fill:.1} s | queries {} | candidates/query {:.0} | similar cold p50 {:.1} ms p99 {:.1} ms | warm p50 {:.1} ms p99 {:.1} ms | feed seq {seq}",
                rows.len(),
                picked.len(),
                candidates as f64 / picked.len().max(1) as f64,
                percentile(&cold, 0.5),
                percentile(&cold, 0.99),
                percentile(&warm, 0.5),
                percentile(&warm, 0.99),
            );
        }
        Command::Labelled {
            unrelated,
            planted,
            seed,
        } => {
            let t = Instant::now();
            let (state, set, _dir) = labelled::build(
                seed,
                labelled::Sizes {
                    unrelated,
                    duplicates: planted,
                    paraphrases: planted,
                    decoys: 2 * planted,
                },
            )?;
            let f = labelled::evaluate(&state, &set)?;
            println!("{f:?} ({:.1} s)", t.elapsed().as_secs_f64());
        }
    }
    Ok(())
}
