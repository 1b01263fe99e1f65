//! `indexbench`: the benchmark of the search index, statistics and exports
//! (docs/PERFORMANCE.md "Search index, statistics and exports").
//!
//! For each N: fills a fresh sled store with N contributions (real
//! Automerge documents, French sentences, respondent brackets) written
//! straight through `Store::put_doc`, builds the index (`reindex`), starts
//! the server in-process and measures over HTTP list, filter, search,
//! facets and statistics p50/p99, the CSV export's time and resident-set
//! growth, catch-up after writes made while the index was closed, the
//! start time, and the disk bytes per contribution. Figures only, nothing
//! asserted; never run by `make test`.

#[path = "loadgen/procstat.rs"]
#[allow(dead_code)]
mod procstat;

use automerge::ActorId;
use porte_voix_server::index::SearchIndex;
use porte_voix_server::store::{DocRow, DocWrite, SledStore, Store};
use porte_voix_server::{auth, document, sync, AppState, Application, Settings};
use porte_voix_shared::{CommuneCode, Document, Role};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

const PASSWORD: &str = "indexbench-password";

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() % v.len() as u64) as usize]
    }
}

const SUBJECTS: &[&str] = &[
    "Les trottoirs",
    "La piste cyclable",
    "L'éclairage public",
    "Le parc",
    "Les poubelles",
    "La sécurité",
    "Le bruit",
    "La ligne de bus",
    "Le marché",
    "L'école",
    "Les arbres",
    "Le stationnement",
    "La propreté",
    "Les logements",
    "La piscine",
    "Le carrefour",
];
const PROBLEMS: &[&str] = &[
    "sont trop étroits",
    "manque d'entretien",
    "est dangereux la nuit",
    "déborde le week-end",
    "mériterait plus de bancs",
    "pose problème aux personnes âgées",
    "est saturé aux heures de pointe",
    "devrait être réaménagé",
    "n'est pas accessible en fauteuil",
    "gêne les riverains",
    "fait peur aux enfants",
    "pourrait accueillir des jardins partagés",
];
const PLACES: &[&str] = &[
    "rue de la République",
    "avenue Jean Jaurès",
    "place Bellecour",
    "cours Émile Zola",
    "quartier des Gratte-Ciel",
    "près de la gare",
    "devant la mairie",
    "boulevard des États-Unis",
    "rue Garibaldi",
    "montée de la Grande Côte",
    "autour du marché",
    "près du collège",
];
/// (commune, arrondissement) codes.
const PLACES_CODES: &[(&str, Option<&str>)] = &[
    ("69266", None),
    ("69259", None),
    ("69029", None),
    ("69034", None),
    ("69256", None),
    ("69290", None),
    ("69123", Some("69381")),
    ("69123", Some("69383")),
    ("69123", Some("69387")),
    ("69123", Some("69388")),
    ("69123", Some("69389")),
    ("69149", None),
];
const THEMES: &[&str] = &[
    "cleanliness",
    "mobility",
    "safety",
    "ecology",
    "housing",
    "social",
    "culture",
];
const KINDS: &[&str] = &["concern", "expectation", "proposal"];
const AGES: &[&str] = &["under_18", "18_29", "30_44", "45_59", "60_74", "75_plus"];
const GENDERS: &[&str] = &["woman", "man", "other", "undisclosed"];

fn fill(store: &dyn Store, n: usize, from: usize, authors: &[String], rng: &mut Rng) {
    let actor = ActorId::from(b"indexbench-phone".as_slice());
    let start = chrono::Utc::now() - chrono::Duration::days(120);
    for i in from..from + n {
        let id = Uuid::new_v4();
        let text = format!(
            "{} {} {}.",
            rng.pick(SUBJECTS),
            rng.pick(PROBLEMS),
            rng.pick(PLACES)
        );
        let created = start + chrono::Duration::seconds((i as i64) * 7 % (120 * 86_400));
        let theme = *rng.pick(THEMES);
        let v = json!({
            "id": id.to_string(), "type": "contribution", "schema": 1,
            "campaign": "aller-vers-2026", "created_at": created.to_rfc3339(),
            "author": rng.pick(authors), "kind": rng.pick(KINDS), "themes": [theme],
            "text": text, "consent": {"contact": false},
            "respondent": {"age": rng.pick(AGES), "gender": rng.pick(GENDERS)},
        });
        let doc = document::from_json(&actor, &v).expect("document");
        let parsed = Document::parse(id, &document::to_json(&doc)).expect("valid");
        let DocRow::Contribution(mut row) = sync::row_for(&parsed) else {
            unreachable!()
        };
        let (c, a) = rng.pick(PLACES_CODES);
        row.commune = Some(CommuneCode::parse(c).unwrap());
        row.arrondissement = a.map(|a| CommuneCode::parse(a).unwrap());
        row.outside = false;
        store
            .put_doc(DocWrite {
                id,
                bytes: doc.save(),
                row: DocRow::Contribution(row),
                bind_actors: vec![],
            })
            .expect("put_doc");
    }
}

fn du(path: &std::path::Path) -> u64 {
    let mut total = 0;
    if let Ok(entries) = std::fs::read_dir(path) {
        for e in entries.flatten() {
            let m = e.metadata().unwrap();
            total += if m.is_dir() { du(&e.path()) } else { m.len() };
        }
    }
    total
}

fn pct(sorted: &[Duration], q: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn settings(dir: &std::path::Path) -> Settings {
    Settings {
        port: 0,
        data_dir: dir.to_path_buf(),
        pwa_dir: dir.join("no-pwa"),
        ..Settings::default()
    }
}

fn run(n: usize, reps: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ n as u64);
    println!("## N = {n}");
    // Users, then the contributions straight into the store.
    let authors: Vec<String>;
    {
        let store: Arc<dyn Store> = Arc::new(SledStore::open(dir.path())?);
        let mut ids = Vec::new();
        for i in 0..20 {
            ids.push(
                auth::create_user(
                    store.as_ref(),
                    &format!("v{i}@bench.fr"),
                    "v",
                    Role::Volunteer,
                    None,
                    PASSWORD,
                )?
                .id,
            );
        }
        auth::create_user(
            store.as_ref(),
            "officer@bench.fr",
            "o",
            Role::Officer,
            None,
            PASSWORD,
        )?;
        auth::create_user(
            store.as_ref(),
            "villeurbanne@bench.fr",
            "c",
            Role::Commune,
            Some(CommuneCode::parse("69266")?),
            PASSWORD,
        )?;
        authors = ids;
        let t = Instant::now();
        fill(store.as_ref(), n, 0, &authors, &mut rng);
        store.flush()?;
        println!("fill: {:.1} s", t.elapsed().as_secs_f64());
        let t = Instant::now();
        let (index, report) = SearchIndex::rebuild(&dir.path().join("index"), store.clone())?;
        index.shutdown()?;
        println!(
            "index build (reindex): {:.2} s for {} contributions",
            t.elapsed().as_secs_f64(),
            report.indexed
        );
        drop(index);
        // Writes while the index is closed: the catch-up at the next open.
        fill(store.as_ref(), 1000, n, &authors, &mut rng);
        store.flush()?;
        let t = Instant::now();
        let index = SearchIndex::open(&dir.path().join("index"), store.clone())?;
        println!(
            "catch-up of 1,000 writes at open: {:.0} ms",
            t.elapsed().as_secs_f64() * 1000.0
        );
        index.shutdown()?;
    }
    let sled_bytes = du(dir.path()) - du(&dir.path().join("index"));
    let index_bytes = du(&dir.path().join("index"));
    let total = (n + 1000) as f64;
    println!(
        "disk per contribution: store {:.0} B, index {:.0} B",
        sled_bytes as f64 / total,
        index_bytes as f64 / total
    );
    let t = Instant::now();
    let state = AppState::open(settings(dir.path()))?;
    println!(
        "start (store + territory + index open): {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let app = Application::build_with_state(state)?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::new();
        let login = |email: &'static str| {
            let client = client.clone();
            let base = base.clone();
            async move {
                let r: serde_json::Value = client
                    .post(format!("{base}/api/v1/auth/login"))
                    .json(&json!({"email": email, "password": PASSWORD}))
                    .send()
                    .await?
                    .json()
                    .await?;
                anyhow::Ok(r["access_token"].as_str().unwrap_or_default().to_owned())
            }
        };
        let officer = login("officer@bench.fr").await?;
        let commune = login("villeurbanne@bench.fr").await?;
        println!();
        println!("| request (N = {n}) | p50 (ms) | p99 (ms) | total matches |");
        println!("|---|---|---|---|");
        let cases: &[(&str, &str, &str)] = &[
            ("list, newest, 50", "officer", "/api/v1/contributions?per_page=50"),
            ("list, next page by cursor", "officer", "CURSOR"),
            ("filter: 2 communes, theme, kind", "officer", "/api/v1/contributions?commune=69266,69123&theme=mobility&kind=concern"),
            ("search `trottoirs securite`", "officer", "/api/v1/contributions?q=trottoirs%20securite"),
            ("search, relevance", "officer", "/api/v1/contributions?q=piscine%20accessible&sort=relevance"),
            ("facets, whole territory", "officer", "/api/v1/contributions?facets=true&per_page=1"),
            ("commune: list with facets", "commune", "/api/v1/contributions?facets=true"),
            ("stats by week", "officer", "/api/v1/stats/contributions?by=week"),
            ("stats by theme, filtered", "officer", "/api/v1/stats/contributions?by=theme&commune=69123"),
            ("respondents by age", "officer", "/api/v1/stats/respondents?by=age"),
        ];
        let mut cursor_path = String::new();
        for (name, who, path) in cases {
            let token = if *who == "officer" { &officer } else { &commune };
            let path = if *path == "CURSOR" { cursor_path.clone() } else { (*path).to_owned() };
            let mut times = Vec::with_capacity(reps);
            let mut total = serde_json::Value::Null;
            for _ in 0..reps {
                let t = Instant::now();
                let r = client.get(format!("{base}{path}")).bearer_auth(token).send().await?;
                assert_eq!(r.status(), 200, "{path}");
                let body: serde_json::Value = r.json().await?;
                times.push(t.elapsed());
                total = body["total"].clone();
                if cursor_path.is_empty() {
                    if let Some(c) = body["next_cursor"].as_str() {
                        cursor_path = format!("/api/v1/contributions?per_page=50&cursor={c}");
                    }
                }
            }
            times.sort();
            println!("| {name} | {:.1} | {:.1} | {total} |", pct(&times, 0.5), pct(&times, 0.99));
        }
        // The CSV export of everything, streamed; resident set growth
        // measured from a reset peak (clear_refs 5 resets VmHWM).
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let before = procstat::mem_mib("self", "VmRSS")?;
        let t = Instant::now();
        let r = client
            .get(format!("{base}/api/v1/exports/contributions.csv"))
            .bearer_auth(&officer)
            .send()
            .await?;
        let mut r = r;
        let mut bytes = 0usize;
        while let Some(chunk) = r.chunk().await? {
            bytes += chunk.len();
        }
        let secs = t.elapsed().as_secs_f64();
        let peak = procstat::mem_mib("self", "VmHWM")?;
        println!();
        println!(
            "CSV export of {} contributions: {:.2} s, {:.1} MiB, RSS {:.0} → peak {:.0} MiB (+{:.0} MiB)",
            n + 1000,
            secs,
            bytes as f64 / 1048576.0,
            before,
            peak,
            peak - before
        );
        println!();
        anyhow::Ok(())
    })?;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let mut sizes = Vec::new();
    let mut reps = 200;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--reps" => reps = args.next().unwrap_or_default().parse()?,
            n => sizes.push(n.replace('_', "").parse::<usize>()?),
        }
    }
    if sizes.is_empty() {
        sizes = vec![1000, 100_000];
    }
    for n in sizes {
        run(n, reps)?;
    }
    Ok(())
}
