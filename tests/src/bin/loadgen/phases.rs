//! Per-step timing of the server's path for a new contribution, to check
//! the profile of docs/PERFORMANCE.md and to time other ways of doing a
//! step on the same documents (the ones the server used before, or ones it
//! could use).
//!
//! This is a replica of `SyncEngine::process`/`check_changes` for a
//! document the server has never seen, built from the same public
//! functions; the engine stays the reference (the floor measures the real
//! thing).

use crate::workload;
use anyhow::{bail, Context};
use automerge::{ActorId, Automerge, ReadDoc, ROOT};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use porte_voix_server::document::{self, parse_heads};
use porte_voix_server::store::DocWrite;
use porte_voix_server::sync::row_for;
use porte_voix_server::{AppState, Settings};
use porte_voix_shared::{Document, Role};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// (step, comparison?) in display order. Rows without the flag are what
/// the server does today (its own functions, or a replica where the
/// function is private); flagged rows time another way of doing the step
/// above them on the same documents, and are left out of the total.
const STEPS: &[(&str, bool)] = &[
    ("base64 decode", false),
    ("load_incremental into an empty document", false),
    ("  compare: Automerge::load", true),
    ("get_missing_deps", false),
    ("document::new_actors", false),
    ("  compare: actors from get_changes (whole changes)", true),
    ("  compare: actors from get_changes_meta", true),
    ("document::touched_fields (no stored heads)", false),
    ("  compare: Automerge diff from no heads", true),
    ("to_json + Document::parse", false),
    ("geo_for (geotag)", false),
    ("document::write_geo", false),
    ("  compare: one more to_json (a second projection)", true),
    ("save", false),
    ("  compare: save_nocompress", true),
    (
        "missing_for_phone replica (get_change_meta_by_hash + save_after)",
        false,
    ),
    ("  compare: with get_change_by_hash", true),
    ("row_for", false),
    ("put_doc (sled transaction)", false),
    ("flush, per document (one per batch, 25 by default)", false),
];

pub fn run(count: usize, common: &crate::Common) -> anyhow::Result<()> {
    let (batch, seed) = (common.batch, common.seed);
    let dir = tempfile::tempdir().context("creating a temporary data directory")?;
    let state = AppState::open(Settings {
        data_dir: dir.path().to_path_buf(),
        ..Settings::default()
    })?;
    let user = porte_voix_server::auth::create_user(
        state.store.as_ref(),
        "phases@loadgen.porte-voix.fr",
        "",
        Role::Volunteer,
        None,
        crate::PASSWORD,
    )?;
    let work = workload::build(
        &state.territory,
        std::slice::from_ref(&user.id),
        count,
        25,
        seed,
    )?;
    let server_actor = ActorId::random();
    let mut t = vec![Duration::ZERO; STEPS.len()];
    let mut n = 0usize;
    let (mut bytes_saved, mut bytes_plain) = (0usize, 0usize);
    // Times `f` into slot `i` and returns its value.
    fn timed<T>(t: &mut [Duration], i: usize, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let v = f();
        t[i] += start.elapsed();
        v
    }
    crate::quiet(common)?;
    for d in work.iter().flat_map(|w| w.batches.iter().flatten()) {
        let changes = d.changes.as_deref().context("a document without changes")?;
        let bytes = timed(&mut t, 0, || B64.decode(changes))?;
        // Pairs run in alternating order, so that neither side profits
        // from caches the other warmed.
        let flip = n % 2 == 1;
        if flip {
            timed(&mut t, 2, || Automerge::load(&bytes))?;
        }
        let mut doc = Automerge::new();
        timed(&mut t, 1, || doc.load_incremental(&bytes))?;
        if !flip {
            timed(&mut t, 2, || Automerge::load(&bytes))?;
        }
        if !timed(&mut t, 3, || doc.get_missing_deps(&[])).is_empty() {
            bail!("a generated document depends on missing changes");
        }
        let actors = timed(&mut t, 4, || document::new_actors(&doc, &[]));
        let by_changes: BTreeSet<String> = timed(&mut t, 5, || {
            doc.get_changes(&[])
                .iter()
                .map(|c| c.actor_id().to_hex_string())
                .collect()
        });
        let by_meta: BTreeSet<String> = timed(&mut t, 6, || {
            doc.get_changes_meta(&[])
                .iter()
                .map(|c| c.actor.to_hex_string())
                .collect()
        });
        if actors != by_changes || actors != by_meta {
            bail!("the three ways of listing the new actors disagree");
        }
        let heads = doc.get_heads();
        if flip {
            timed(&mut t, 8, || doc.diff(&[], &heads));
        }
        let touched = timed(&mut t, 7, || document::touched_fields(&doc, &[], &heads));
        if !flip {
            timed(&mut t, 8, || doc.diff(&[], &heads));
        }
        let keys: BTreeSet<String> = doc.keys(ROOT).collect();
        if touched != keys {
            bail!("the touched fields of a new document are not its root keys");
        }
        let parsed = timed(&mut t, 9, || {
            Document::parse(d.id, &document::to_json(&doc))
        })
        .map_err(|e| anyhow::anyhow!("a generated document breaks the schema: {e}"))?;
        let Document::Contribution(c) = parsed else {
            bail!("a generated document is not a contribution");
        };
        let geo = timed(&mut t, 10, || state.engine.geo_for(&c));
        timed(&mut t, 12, || document::to_json(&doc));
        timed(&mut t, 11, || {
            document::write_geo(&mut doc, &server_actor, c.geo.as_ref(), &geo)
        })?;
        if flip {
            timed(&mut t, 14, || doc.save_nocompress());
        }
        let saved = timed(&mut t, 13, || doc.save());
        if !flip {
            timed(&mut t, 14, || doc.save_nocompress());
        }
        bytes_saved += saved.len();
        bytes_plain += doc.save_nocompress().len();
        let phone_heads = parse_heads(&d.heads).context("generated heads do not parse")?;
        let by_change = |t: &mut [Duration]| {
            timed(t, 16, || {
                let known: Vec<_> = phone_heads
                    .iter()
                    .filter(|h| doc.get_change_by_hash(h).is_some())
                    .copied()
                    .collect();
                doc.save_after(&known)
            })
        };
        let by_meta = |t: &mut [Duration]| {
            timed(t, 15, || {
                let known: Vec<_> = phone_heads
                    .iter()
                    .filter(|h| doc.get_change_meta_by_hash(h).is_some())
                    .copied()
                    .collect();
                doc.save_after(&known)
            })
        };
        let (a, b) = if flip {
            let b = by_meta(&mut t);
            (by_change(&mut t), b)
        } else {
            (by_change(&mut t), by_meta(&mut t))
        };
        if a != b {
            bail!("the two ways of finding what the phone lacks disagree");
        }
        let after = Document::Contribution(porte_voix_shared::Contribution {
            geo: Some(geo),
            ..c
        });
        let row = timed(&mut t, 17, || row_for(&after));
        let write = DocWrite {
            id: d.id,
            bytes: saved,
            row,
            bind_actors: actors.into_iter().map(|a| (a, user.id.clone())).collect(),
        };
        timed(&mut t, 18, || state.store.put_doc(write))?;
        n += 1;
        if n.is_multiple_of(batch.max(1)) {
            timed(&mut t, 19, || state.store.flush())?;
        }
    }
    let per = |d: Duration| d.as_secs_f64() * 1e6 / n.max(1) as f64;
    let total: f64 = STEPS
        .iter()
        .zip(&t)
        .filter(|((_, alt), _)| !alt)
        .map(|(_, d)| per(*d))
        .sum();
    println!("| step of a new contribution ({n} documents) | µs per document |");
    println!("| --- | ---: |");
    for ((name, _), d) in STEPS.iter().zip(&t) {
        println!("| {name} | {:.0} |", per(*d));
    }
    println!("| total of the steps (alternatives excluded) | {total:.0} |");
    println!();
    println!(
        "stored size: {} bytes per document with `save`, {} with `save_nocompress`",
        bytes_saved / n.max(1),
        bytes_plain / n.max(1)
    );
    Ok(())
}
