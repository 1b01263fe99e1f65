//! Unit tests of the tantivy index over an in-memory store: the same
//! contributions the sync engine would store (real Automerge documents).

use super::*;
use crate::store::{ConsolidationWrite, DocWrite, MemoryStore, RowPatch};
use automerge::ActorId;
use chrono::TimeZone;
use serde_json::json;

struct Fixture {
    store: Arc<dyn Store>,
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            store: Arc::new(MemoryStore::new()),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn open(&self) -> SearchIndex {
        SearchIndex::open(&self.dir.path().join("index"), self.store.clone()).unwrap()
    }

    /// Stores a contribution; `minute` orders creation times.
    fn add(&self, minute: u32, author: &str, commune: &str, theme: &str, text: &str) -> Uuid {
        let id = Uuid::new_v4();
        let created = Utc.with_ymd_and_hms(2026, 11, 2, 9, minute, 0).unwrap();
        self.add_at(id, created, author, commune, theme, text, json!(null));
        id
    }

    #[allow(clippy::too_many_arguments)]
    fn add_at(
        &self,
        id: Uuid,
        created: DateTime<Utc>,
        author: &str,
        commune: &str,
        theme: &str,
        text: &str,
        respondent: serde_json::Value,
    ) {
        let mut v = json!({
            "id": id.to_string(), "type": "contribution", "schema": 1,
            "campaign": "aller-vers-2026", "created_at": created.to_rfc3339(),
            "author": author, "kind": "concern", "themes": [theme], "text": text,
            "consent": {"contact": false},
        });
        if !respondent.is_null() {
            v["respondent"] = respondent;
        }
        let doc = crate::document::from_json(&ActorId::from(b"phone".as_slice()), &v).unwrap();
        let parsed = Document::parse(id, &crate::document::to_json(&doc)).unwrap();
        let mut row = match crate::sync::row_for(&parsed) {
            DocRow::Contribution(r) => r,
            DocRow::Outing(_) => unreachable!(),
        };
        let code = CommuneCode::parse(commune).unwrap();
        if commune.starts_with("6938") {
            row.commune = Some(CommuneCode::parse("69123").unwrap());
            row.arrondissement = Some(code);
        } else {
            row.commune = Some(code);
        }
        self.store
            .put_doc(DocWrite {
                id,
                bytes: doc.save(),
                row: DocRow::Contribution(row),
                bind_actors: vec![],
            })
            .unwrap();
    }
}

fn q(text: &str) -> Filter {
    Filter {
        q: Some(text.into()),
        ..Filter::default()
    }
}

#[test]
fn accents_plurals_and_every_word() {
    let fx = Fixture::new();
    let a = fx.add(
        1,
        "u1",
        "69266",
        "safety",
        "La sécurité du trottoir devant l'école",
    );
    let b = fx.add(
        2,
        "u1",
        "69266",
        "mobility",
        "Des trottoirs encombrés par les vélos",
    );
    let ix = fx.open();
    let ids = |f: &Filter| ix.ids(&Scope::All, f, Sort::Newest).unwrap();
    assert_eq!(ids(&q("securite")), vec![a]);
    assert_eq!(ids(&q("TROTTOIRS")), vec![b, a]);
    assert_eq!(
        ids(&q("trottoir encombré")),
        vec![b],
        "every word must match"
    );
    assert_eq!(ids(&q("trottoir piscine")), Vec::<Uuid>::new());
}

#[test]
fn scope_is_applied_inside_the_query() {
    let fx = Fixture::new();
    let v = fx.add(1, "u1", "69266", "safety", "bruit la nuit");
    let l = fx.add(2, "u2", "69383", "safety", "bruit des bars");
    let ix = fx.open();
    let f = q("bruit");
    let commune = Scope::Commune(CommuneCode::parse("69266").unwrap());
    assert_eq!(ix.ids(&commune, &f, Sort::Newest).unwrap(), vec![v]);
    let lyon = Scope::Commune(CommuneCode::parse("69123").unwrap());
    assert_eq!(
        ix.ids(&lyon, &f, Sort::Newest).unwrap(),
        vec![l],
        "Lyon includes its arrondissements"
    );
    assert_eq!(
        ix.ids(&Scope::Author("u2".into()), &f, Sort::Newest)
            .unwrap(),
        vec![l]
    );
    assert!(ix
        .ids(&Scope::Nothing, &f, Sort::Newest)
        .unwrap()
        .is_empty());
    assert_eq!(ix.count(&Scope::All, &f).unwrap(), 2);
}

#[test]
fn keyset_pages_cover_everything_once_while_contributions_arrive() {
    let fx = Fixture::new();
    // Two with the same instant: the id breaks the tie.
    let same = Utc.with_ymd_and_hms(2026, 11, 2, 9, 30, 0).unwrap();
    for _ in 0..2 {
        fx.add_at(
            Uuid::new_v4(),
            same,
            "u1",
            "69266",
            "water",
            "fuite",
            json!(null),
        );
    }
    for m in 0..9 {
        fx.add(m, "u1", "69266", "water", "fuite");
    }
    let ix = fx.open();
    let mut later = 0;
    for sort in [Sort::Newest, Sort::Oldest] {
        let expected = ix.ids(&Scope::All, &Filter::default(), sort).unwrap();
        let n = expected.len();
        assert!(n >= 11);
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = ix
                .search(&Scope::All, &Filter::default(), sort, cursor.as_deref(), 3)
                .unwrap();
            seen.extend(page.ids);
            // A newer contribution after each page does not shift the next
            // page of an oldest-first list nor enter a newest-first one.
            later += 1;
            let at = Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, later).unwrap();
            fx.add_at(
                Uuid::new_v4(),
                at,
                "u1",
                "69266",
                "water",
                "fuite",
                json!(null),
            );
            ix.catch_up().unwrap();
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        if sort == Sort::Newest {
            assert_eq!(seen, expected);
        } else {
            assert_eq!(seen[..n], expected[..]);
            assert!(seen.len() > n, "the oldest-first list reaches the new ones");
        }
        let mut dedup = seen.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(dedup.len(), seen.len(), "no id twice");
    }
}

#[test]
fn a_bad_cursor_is_refused() {
    let fx = Fixture::new();
    fx.add(1, "u1", "69266", "water", "fuite");
    fx.add(2, "u1", "69266", "water", "fuite");
    let ix = fx.open();
    let page = ix
        .search(&Scope::All, &Filter::default(), Sort::Newest, None, 1)
        .unwrap();
    let c = page.next_cursor.unwrap();
    for bad in ["", "x", "n.12", "n.abc.def", "r.1", &format!("{c}.1")] {
        assert!(matches!(
            ix.search(&Scope::All, &Filter::default(), Sort::Newest, Some(bad), 1),
            Err(IndexError::BadCursor)
        ));
    }
    assert!(matches!(
        ix.search(&Scope::All, &Filter::default(), Sort::Oldest, Some(&c), 1),
        Err(IndexError::BadCursor)
    ));
}

#[test]
fn row_patches_reach_the_index_and_facets_count_the_filter() {
    let fx = Fixture::new();
    let a = fx.add(1, "u1", "69266", "water", "fuite");
    let b = fx.add(2, "u1", "69383", "safety", "éclairage");
    let ix = fx.open();
    let topic = Uuid::new_v4();
    fx.store
        .commit(ConsolidationWrite {
            records: vec![],
            rows: vec![RowPatch {
                id: a,
                topic: Some(Some(topic)),
                assignee: Some(Some("off2".into())),
            }],
        })
        .unwrap();
    ix.catch_up().unwrap();
    let ids = |f: Filter| ix.ids(&Scope::All, &f, Sort::Newest).unwrap();
    assert_eq!(
        ids(Filter {
            topic: Some(TopicFilter::Is(topic)),
            ..Filter::default()
        }),
        vec![a]
    );
    assert_eq!(
        ids(Filter {
            topic: Some(TopicFilter::Any),
            ..Filter::default()
        }),
        vec![a]
    );
    assert_eq!(
        ids(Filter {
            topic: Some(TopicFilter::None),
            ..Filter::default()
        }),
        vec![b]
    );
    assert_eq!(
        ids(Filter {
            assignee: Some("off2".into()),
            ..Filter::default()
        }),
        vec![a]
    );
    let facets = ix.facets(&Scope::All, &Filter::default()).unwrap();
    assert_eq!(facets.commune.get("69266"), Some(&1));
    assert_eq!(facets.commune.get("69123"), Some(&1));
    assert_eq!(facets.theme.get("water"), Some(&1));
    assert_eq!(facets.kind.get("concern"), Some(&2));
    let arr = ix
        .count_by(&Scope::All, &Filter::default(), Dim::Arrondissement)
        .unwrap();
    assert_eq!(
        arr.into_iter().collect::<Vec<_>>(),
        vec![("69383".to_string(), 1)]
    );
}

#[test]
fn respondent_brackets_and_paris_weeks_are_counted() {
    let fx = Fixture::new();
    let sunday_night = Utc.with_ymd_and_hms(2026, 11, 29, 23, 30, 0).unwrap();
    fx.add_at(
        Uuid::new_v4(),
        sunday_night,
        "u1",
        "69266",
        "water",
        "fuite",
        json!({"age": "30_44", "gender": "woman"}),
    );
    fx.add(1, "u1", "69266", "water", "fuite");
    let ix = fx.open();
    let by = |d| ix.count_by(&Scope::All, &Filter::default(), d).unwrap();
    assert_eq!(by(Dim::Age).get("30_44"), Some(&1));
    assert_eq!(by(Dim::Gender).len(), 1);
    assert_eq!(by(Dim::Week).get("2026-W49"), Some(&1));
    assert_eq!(by(Dim::Week).get("2026-W45"), Some(&1));
}

#[test]
fn reopening_catches_up_and_a_broken_index_is_rebuilt() {
    let fx = Fixture::new();
    fx.add(1, "u1", "69266", "water", "fuite d'eau");
    let ix = fx.open();
    ix.shutdown().unwrap();
    drop(ix);
    // Written while the index is closed.
    let late = fx.add(2, "u1", "69266", "water", "fuite de gaz");
    let ix = fx.open();
    assert_eq!(
        ix.ids(&Scope::All, &q("gaz"), Sort::Newest).unwrap(),
        vec![late]
    );
    ix.shutdown().unwrap();
    drop(ix);
    // A damaged meta.json: rebuilt from the store, same answers.
    std::fs::write(fx.dir.path().join("index/meta.json"), b"{not json").unwrap();
    let (ix, report) =
        SearchIndex::open_reporting(&fx.dir.path().join("index"), fx.store.clone()).unwrap();
    assert!(report.rebuilt);
    assert_eq!(report.indexed, 2);
    assert_eq!(
        ix.ids(&Scope::All, &q("fuite"), Sort::Newest)
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn relevance_pages_by_offset_and_stop_words_filter_nothing() {
    let fx = Fixture::new();
    let strong = fx.add(1, "u1", "69266", "water", "fuite fuite fuite rue");
    let weak = fx.add(
        2,
        "u1",
        "69266",
        "water",
        "une fuite dans une longue rue avec beaucoup d'autres mots",
    );
    let ix = fx.open();
    let p1 = ix
        .search(&Scope::All, &q("fuite"), Sort::Relevance, None, 1)
        .unwrap();
    assert_eq!(p1.ids, vec![strong]);
    assert_eq!(p1.total, 2);
    let p2 = ix
        .search(
            &Scope::All,
            &q("fuite"),
            Sort::Relevance,
            p1.next_cursor.as_deref(),
            1,
        )
        .unwrap();
    assert_eq!(p2.ids, vec![weak]);
    assert_eq!(p2.next_cursor, None);
    assert_eq!(ix.count(&Scope::All, &q("la")).unwrap(), 2);
}
