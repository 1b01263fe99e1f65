//! The derived query index of contributions: French full-text search,
//! filters, facets, counts for statistics, and the ids behind exports and
//! bulk actions. Never the source of truth: the store is authoritative and
//! the index is rebuilt from it (`porte-voix reindex`, or at start when
//! missing or corrupt). docs/CONSOLIDATION.md describes it.
//!
//! CONTRACT (used by the list, topics, bulk, stats and exports handlers):
//! `Filter`, `Scope`, `Sort`, `Dim`, `Hits`, `Facets` and the methods of
//! `SearchIndex` below. The body of `SearchIndex` is replaceable; the
//! signatures are what other modules rely on.

pub mod analyzer;
mod collect;
mod fields;
#[cfg(test)]
mod tests;

pub use fields::{paris_week, SCHEMA_VERSION};

use crate::store::{ContributionRow, DocRow, Store, StoreError};
use chrono::{DateTime, Utc};
use collect::Key;
use fields::Fields;
use porte_voix_shared::Document;
use porte_voix_shared::{CommuneCode, ContributionKind, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::sync::Mutex;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term};
use uuid::Uuid;

/// What a caller may see at all, applied by the index before any filter.
/// Built from the principal by the handler (`Scope::for_principal`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The officer: every contribution.
    All,
    /// A commune account: rows whose commune or arrondissement is this code
    /// (Lyon 69123 includes its arrondissements).
    Commune(CommuneCode),
    /// A volunteer: their own contributions.
    Author(String),
    /// Nothing (administrators).
    Nothing,
}

impl Scope {
    pub fn for_principal(p: &porte_voix_shared::Principal) -> Scope {
        use porte_voix_shared::Role;
        match p.role {
            Role::Officer => Scope::All,
            Role::Commune => match &p.commune {
                Some(c) => Scope::Commune(c.clone()),
                None => Scope::Nothing,
            },
            Role::Volunteer => Scope::Author(p.user_id.clone()),
            Role::Admin => Scope::Nothing,
        }
    }

    pub fn allows(&self, r: &ContributionRow) -> bool {
        match self {
            Scope::All => true,
            Scope::Commune(c) => {
                r.commune.as_ref() == Some(c) || r.arrondissement.as_ref() == Some(c)
            }
            Scope::Author(a) => &r.author == a,
            Scope::Nothing => false,
        }
    }
}

/// Whether a contribution is in a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TopicFilter {
    /// In any topic.
    Any,
    /// In no topic (the consolidation queue).
    None,
    /// In this topic.
    Is(Uuid),
}

/// Every filter of a listing. Empty lists and `None` mean "any"; several
/// values of one list match any of them; different filters all apply.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// French full-text query: every word must match (accents, case and
    /// plurals folded).
    pub q: Option<String>,
    /// INSEE codes; a commune includes its arrondissements.
    pub communes: Vec<CommuneCode>,
    pub themes: Vec<String>,
    pub kinds: Vec<ContributionKind>,
    pub statuses: Vec<Status>,
    pub campaign: Option<String>,
    pub outing: Option<Uuid>,
    pub author: Option<String>,
    pub near_border: Option<bool>,
    pub topic: Option<TopicFilter>,
    pub assignee: Option<String>,
    /// Created at or after.
    pub from: Option<DateTime<Utc>>,
    /// Created before.
    pub to: Option<DateTime<Utc>>,
}

impl Filter {
    /// Whether a row passes every filter except `q`.
    pub fn matches_row(&self, r: &ContributionRow) -> bool {
        (self.communes.is_empty()
            || self
                .communes
                .iter()
                .any(|c| r.commune.as_ref() == Some(c) || r.arrondissement.as_ref() == Some(c)))
            && (self.themes.is_empty() || self.themes.iter().any(|t| r.themes.contains(t)))
            && (self.kinds.is_empty() || self.kinds.contains(&r.kind))
            && (self.statuses.is_empty() || self.statuses.contains(&r.status))
            && self.campaign.as_ref().is_none_or(|c| &r.campaign == c)
            && self.outing.is_none_or(|o| r.outing == Some(o))
            && self.author.as_ref().is_none_or(|a| &r.author == a)
            && self.near_border.is_none_or(|b| r.near_border == b)
            && self.topic.is_none_or(|t| match t {
                TopicFilter::Any => r.topic.is_some(),
                TopicFilter::None => r.topic.is_none(),
                TopicFilter::Is(id) => r.topic == Some(id),
            })
            && self
                .assignee
                .as_ref()
                .is_none_or(|a| r.assignee.as_ref() == Some(a))
            && self.from.is_none_or(|f| r.created_at >= f)
            && self.to.is_none_or(|t| r.created_at < t)
    }
}

/// Order of results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
    /// Best match of `q` first (newest first without `q`).
    Relevance,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct Hits {
    pub ids: Vec<Uuid>,
    /// Every match of the filter within the scope.
    pub total: usize,
    /// Opaque; pass it back for the next page. `None` on the last page.
    pub next_cursor: Option<String>,
}

/// Counts per value for the current filter (a contribution with two themes
/// counts once under each).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Facets {
    pub commune: BTreeMap<String, u64>,
    pub theme: BTreeMap<String, u64>,
    pub kind: BTreeMap<String, u64>,
    pub status: BTreeMap<String, u64>,
}

/// A dimension that statistics count by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    /// The commune (Lyon counts as 69123 with its arrondissements).
    Commune,
    /// Lyon's arrondissement (rows without one are not counted).
    Arrondissement,
    Theme,
    Kind,
    Status,
    Campaign,
    /// ISO week of creation in Europe/Paris, as `2026-W48`.
    Week,
    /// Respondent brackets (rows without the field are not counted).
    Age,
    Gender,
    Relation,
    District,
}

/// Index failures.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the cursor is not one this server gave")]
    BadCursor,
    #[error("search index: {0}")]
    Index(String),
}

impl From<tantivy::TantivyError> for IndexError {
    fn from(e: tantivy::TantivyError) -> Self {
        IndexError::Index(e.to_string())
    }
}

impl From<IndexError> for crate::error::ApiError {
    fn from(e: IndexError) -> Self {
        use crate::error::ApiError;
        match e {
            IndexError::BadCursor => {
                ApiError::BadRequest("`cursor` is not one this server gave".into())
            }
            IndexError::Store(e) => e.into(),
            e => ApiError::Internal(e.into()),
        }
    }
}

/// Documents read from a feed per store call.
const FEED_BATCH: usize = 1000;
/// During a long catch-up (a rebuild), commit every so many documents so
/// that an interrupted rebuild keeps its progress.
const COMMIT_EVERY: usize = 50_000;
/// The writer's indexing memory (one thread: the machine is small, and
/// loading Automerge documents costs more than indexing them).
const WRITER_BUDGET: usize = 48_000_000;
/// How often the background thread follows the feeds and commits.
const TICK: std::time::Duration = std::time::Duration::from_secs(1);

/// What the index holds, recorded in the payload of every commit: the
/// schema version and the last sequence of each store feed it contains.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Held {
    schema: u32,
    doc_seq: u64,
    row_seq: u64,
}

struct Writer {
    writer: IndexWriter,
    /// What has been given to the writer (committed or not).
    held: Held,
}

struct Inner {
    store: Arc<dyn Store>,
    fields: Fields,
    reader: IndexReader,
    /// `None` once shut down.
    writer: Mutex<Option<Writer>>,
    /// The feed sequences the reader sees (committed and reloaded).
    seen_doc: AtomicU64,
    seen_row: AtomicU64,
    num_docs: AtomicU64,
}

/// The query index: a tantivy index in `{data_dir}/index`, following the
/// store's document feed and row feed.
pub struct SearchIndex {
    inner: Arc<Inner>,
    stop: Arc<AtomicBool>,
    ticker: Mutex<Option<std::thread::JoinHandle<()>>>,
}

/// What opening the index did (for `porte-voix reindex` and the logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenReport {
    /// The index was made from scratch (missing, corrupt, other schema,
    /// or another store's).
    pub rebuilt: bool,
    /// Documents indexed while catching up.
    pub indexed: u64,
}

impl SearchIndex {
    /// Opens the index kept in `dir` (made when missing) over `store`.
    pub fn open(dir: &std::path::Path, store: Arc<dyn Store>) -> Result<Self, IndexError> {
        Self::open_reporting(dir, store).map(|(s, _)| s)
    }

    /// Deletes the index in `dir` and builds it again from the store.
    pub fn rebuild(
        dir: &std::path::Path,
        store: Arc<dyn Store>,
    ) -> Result<(Self, OpenReport), IndexError> {
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| IndexError::Index(e.to_string()))?;
        }
        Self::open_reporting(dir, store)
    }

    /// `open`, saying whether it rebuilt and how much it indexed.
    pub fn open_reporting(
        dir: &std::path::Path,
        store: Arc<dyn Store>,
    ) -> Result<(Self, OpenReport), IndexError> {
        let fields = Fields::new();
        let existing = match open_existing(dir, &fields, store.as_ref()) {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!(error = %e, "search index unreadable; rebuilding it");
                None
            }
        };
        let rebuilt = existing.is_none();
        let (index, held) = match existing {
            Some(found) => found,
            None => {
                if dir.exists() {
                    std::fs::remove_dir_all(dir).map_err(|e| IndexError::Index(e.to_string()))?;
                }
                std::fs::create_dir_all(dir).map_err(|e| IndexError::Index(e.to_string()))?;
                let index = Index::create_in_dir(dir, fields.schema.clone())?;
                let held = Held {
                    schema: SCHEMA_VERSION,
                    ..Held::default()
                };
                (index, held)
            }
        };
        index
            .tokenizers()
            .register(analyzer::NAME, analyzer::french());
        let writer = index.writer_with_num_threads(1, WRITER_BUDGET)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let inner = Arc::new(Inner {
            store,
            fields,
            num_docs: AtomicU64::new(0),
            reader,
            writer: Mutex::new(Some(Writer { writer, held })),
            seen_doc: AtomicU64::new(held.doc_seq),
            seen_row: AtomicU64::new(held.row_seq),
        });
        inner
            .num_docs
            .store(inner.reader.searcher().num_docs(), Ordering::SeqCst);
        if rebuilt {
            // An empty first commit records the schema version, so that a
            // rebuild interrupted before any document still reopens.
            inner.commit(inner.lock()?.as_mut().expect("just opened"))?;
        }
        let indexed = inner.sync()?;
        let stop = Arc::new(AtomicBool::new(false));
        let ticker = {
            let inner = inner.clone();
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("search-index".into())
                .spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        std::thread::park_timeout(TICK);
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        if let Err(e) = inner.sync() {
                            tracing::error!(error = %e, "search index catch-up failed");
                        }
                    }
                })
                .map_err(|e| IndexError::Index(e.to_string()))?
        };
        Ok((
            Self {
                inner,
                stop,
                ticker: Mutex::new(Some(ticker)),
            },
            OpenReport { rebuilt, indexed },
        ))
    }

    /// Brings the index up to date with every write committed to the store
    /// before the call (both feeds). Handlers call it before reading, so an
    /// officer sees their own writes. Two reads of the store when nothing
    /// changed.
    pub fn catch_up(&self) -> Result<(), IndexError> {
        let doc = self.inner.store.last_seq()?;
        let row = self.inner.store.last_row_seq()?;
        if self.inner.seen_doc.load(Ordering::SeqCst) >= doc
            && self.inner.seen_row.load(Ordering::SeqCst) >= row
        {
            return Ok(());
        }
        self.inner.sync()?;
        Ok(())
    }

    /// Stops the background thread, commits what is pending and waits for
    /// the merges. Searching still works afterwards (on what was committed);
    /// `catch_up` then does nothing.
    pub fn shutdown(&self) -> Result<(), IndexError> {
        self.stop.store(true, Ordering::SeqCst);
        let ticker = self.ticker.lock().ok().and_then(|mut t| t.take());
        if let Some(t) = ticker {
            t.thread().unpark();
            let _ = t.join();
        }
        let taken = self.inner.lock()?.take();
        if let Some(mut w) = taken {
            self.inner.sync_writer(&mut w)?;
            w.writer.wait_merging_threads()?;
        }
        Ok(())
    }

    /// Contributions in the index (as last committed).
    pub fn num_docs(&self) -> u64 {
        self.inner.num_docs.load(Ordering::SeqCst)
    }

    /// One page of ids matching `f` within `scope`.
    pub fn search(
        &self,
        scope: &Scope,
        f: &Filter,
        sort: Sort,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Hits, IndexError> {
        self.search_page(scope, f, sort, cursor, 0, limit)
    }

    /// `search`, skipping `offset` matches after the cursor (the list's
    /// `page` parameter when no cursor is given).
    pub fn search_page(
        &self,
        scope: &Scope,
        f: &Filter,
        sort: Sort,
        cursor: Option<&str>,
        offset: usize,
        limit: usize,
    ) -> Result<Hits, IndexError> {
        let limit = limit.max(1);
        let text = has_text(f);
        let relevance = sort == Sort::Relevance && text;
        let newest = sort != Sort::Oldest;
        // The cursor is checked before anything else: a bad one is a 400
        // even when the scope is empty.
        let cursor = cursor
            .map(|c| Cursor::parse(c, relevance, newest))
            .transpose()?;
        let Some(query) = self.query(scope, f) else {
            return Ok(Hits {
                ids: vec![],
                total: 0,
                next_cursor: None,
            });
        };
        let searcher = self.inner.reader.searcher();
        if relevance {
            let start = match cursor {
                Some(Cursor::Offset(o)) => o,
                _ => offset,
            };
            let (top, total) = searcher.search(
                &query,
                &(
                    TopDocs::with_limit(limit)
                        .and_offset(start)
                        .order_by_score(),
                    Count,
                ),
            )?;
            let mut ids = Vec::with_capacity(top.len());
            for (_, addr) in top {
                ids.push(
                    collect::key_of(searcher.segment_reader(addr.segment_ord), addr.doc_id)?.id(),
                );
            }
            let next = start + ids.len();
            return Ok(Hits {
                next_cursor: (next < total).then(|| Cursor::Offset(next).encode(newest)),
                total,
                ids,
            });
        }
        let after = match cursor {
            Some(Cursor::Key(k)) => Some(k),
            _ => None,
        };
        let fruit = searcher.search(
            &query,
            &collect::Keyset {
                newest,
                after,
                k: offset.saturating_add(limit),
            },
        )?;
        let keys: Vec<Key> = fruit.keys.into_iter().skip(offset).collect();
        let more = fruit.remaining > offset + keys.len();
        Ok(Hits {
            next_cursor: if more {
                keys.last().map(|k| Cursor::Key(*k).encode(newest))
            } else {
                None
            },
            total: fruit.total,
            ids: keys.iter().map(Key::id).collect(),
        })
    }

    /// Every id matching `f` within `scope`, in `sort` order.
    pub fn ids(&self, scope: &Scope, f: &Filter, sort: Sort) -> Result<Vec<Uuid>, IndexError> {
        let Some(query) = self.query(scope, f) else {
            return Ok(vec![]);
        };
        let relevance = sort == Sort::Relevance && has_text(f);
        let mut all = self
            .inner
            .reader
            .searcher()
            .search(&query, &collect::AllKeys { scoring: relevance })?;
        match sort {
            Sort::Oldest => all.sort_by_key(|(_, k)| *k),
            _ if relevance => all.sort_by(|(sa, ka), (sb, kb)| {
                sb.partial_cmp(sa)
                    .unwrap_or(std::cmp::Ordering::Equal)
                    .then(kb.cmp(ka))
            }),
            _ => all.sort_by(|(_, a), (_, b)| b.cmp(a)),
        }
        Ok(all.into_iter().map(|(_, k)| k.id()).collect())
    }

    /// Facet counts of `f` within `scope`.
    pub fn facets(&self, scope: &Scope, f: &Filter) -> Result<Facets, IndexError> {
        let mut counts = self
            .counts(
                scope,
                f,
                vec![fields::COMMUNE, fields::THEME, fields::KIND, fields::STATUS],
            )?
            .into_iter();
        let mut next = || counts.next().unwrap_or_default();
        Ok(Facets {
            commune: next(),
            theme: next(),
            kind: next(),
            status: next(),
        })
    }

    /// Counts of `f` within `scope` by `dim`.
    pub fn count_by(
        &self,
        scope: &Scope,
        f: &Filter,
        dim: Dim,
    ) -> Result<BTreeMap<String, u64>, IndexError> {
        let field = match dim {
            Dim::Commune => fields::COMMUNE,
            Dim::Arrondissement => fields::ARRONDISSEMENT,
            Dim::Theme => fields::THEME,
            Dim::Kind => fields::KIND,
            Dim::Status => fields::STATUS,
            Dim::Campaign => fields::CAMPAIGN,
            Dim::Week => fields::WEEK,
            Dim::Age => fields::AGE,
            Dim::Gender => fields::GENDER,
            Dim::Relation => fields::RELATION,
            Dim::District => fields::DISTRICT,
        };
        Ok(self
            .counts(scope, f, vec![field])?
            .pop()
            .unwrap_or_default())
    }

    /// How many contributions match `f` within `scope`.
    pub fn count(&self, scope: &Scope, f: &Filter) -> Result<usize, IndexError> {
        let Some(query) = self.query(scope, f) else {
            return Ok(0);
        };
        Ok(self.inner.reader.searcher().search(&query, &Count)?)
    }

    fn counts(
        &self,
        scope: &Scope,
        f: &Filter,
        fields: Vec<&'static str>,
    ) -> Result<Vec<BTreeMap<String, u64>>, IndexError> {
        let n = fields.len();
        let Some(query) = self.query(scope, f) else {
            return Ok(vec![BTreeMap::new(); n]);
        };
        Ok(self
            .inner
            .reader
            .searcher()
            .search(&query, &collect::Counts { fields })?)
    }

    /// The tantivy query of a scope and a filter; `None` when the scope
    /// sees nothing. Scope and filters are term and range queries with a
    /// constant score; only the words of `q` score.
    fn query(&self, scope: &Scope, f: &Filter) -> Option<Box<dyn Query>> {
        let fl = &self.inner.fields;
        let term = |name: &str, v: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(fl.kw(name), v),
                IndexRecordOption::Basic,
            ))
        };
        let any = |name: &str, vs: &mut dyn Iterator<Item = &str>| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(
                vs.map(|v| (Occur::Should, term(name, v))).collect(),
            ))
        };
        let place = |codes: &[CommuneCode]| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(
                codes
                    .iter()
                    .flat_map(|c| {
                        [
                            (Occur::Should, term(fields::COMMUNE, c.as_str())),
                            (Occur::Should, term(fields::ARRONDISSEMENT, c.as_str())),
                        ]
                    })
                    .collect(),
            ))
        };
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        match scope {
            Scope::All => {}
            Scope::Commune(c) => must.push((Occur::Must, place(std::slice::from_ref(c)))),
            Scope::Author(a) => must.push((Occur::Must, term(fields::AUTHOR, a))),
            Scope::Nothing => return None,
        }
        if !f.communes.is_empty() {
            must.push((Occur::Must, place(&f.communes)));
        }
        if !f.themes.is_empty() {
            must.push((
                Occur::Must,
                any(fields::THEME, &mut f.themes.iter().map(String::as_str)),
            ));
        }
        if !f.kinds.is_empty() {
            must.push((
                Occur::Must,
                any(fields::KIND, &mut f.kinds.iter().map(|k| k.code())),
            ));
        }
        if !f.statuses.is_empty() {
            must.push((
                Occur::Must,
                any(fields::STATUS, &mut f.statuses.iter().map(|s| s.code())),
            ));
        }
        if let Some(c) = &f.campaign {
            must.push((Occur::Must, term(fields::CAMPAIGN, c)));
        }
        if let Some(o) = f.outing {
            must.push((Occur::Must, term(fields::OUTING, &o.to_string())));
        }
        if let Some(a) = &f.author {
            must.push((Occur::Must, term(fields::AUTHOR, a)));
        }
        if let Some(b) = f.near_border {
            must.push((
                Occur::Must,
                term(fields::NEAR_BORDER, if b { "true" } else { "false" }),
            ));
        }
        let mut must_not: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        match f.topic {
            None => {}
            Some(TopicFilter::Any) => {
                must_not.push((Occur::MustNot, term(fields::TOPIC, fields::NO_TOPIC)))
            }
            Some(TopicFilter::None) => {
                must.push((Occur::Must, term(fields::TOPIC, fields::NO_TOPIC)))
            }
            Some(TopicFilter::Is(id)) => {
                must.push((Occur::Must, term(fields::TOPIC, &id.to_string())))
            }
        }
        if let Some(a) = &f.assignee {
            must.push((Occur::Must, term(fields::ASSIGNEE, a)));
        }
        if f.from.is_some() || f.to.is_some() {
            let at = |t: &DateTime<Utc>| Term::from_field_i64(fl.created, fields::micros(*t));
            let lower = f
                .from
                .as_ref()
                .map_or(Bound::Unbounded, |t| Bound::Included(at(t)));
            let upper =
                f.to.as_ref()
                    .map_or(Bound::Unbounded, |t| Bound::Excluded(at(t)));
            must.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        let words: Vec<Box<dyn Query>> =
            f.q.as_deref()
                .map(analyzer::tokens)
                .unwrap_or_default()
                .into_iter()
                .map(|w| -> Box<dyn Query> {
                    Box::new(TermQuery::new(
                        Term::from_field_text(fl.text, &w),
                        IndexRecordOption::WithFreqs,
                    ))
                })
                .collect();
        if must.is_empty() {
            must.push((Occur::Must, Box::new(AllQuery)));
        }
        must.extend(must_not);
        let filter: Box<dyn Query> =
            Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(must)), 0.0));
        if words.is_empty() {
            return Some(filter);
        }
        // Conjunction: every word of `q` must match.
        let mut clauses = vec![(Occur::Must, filter)];
        clauses.extend(words.into_iter().map(|w| (Occur::Must, w)));
        Some(Box::new(BooleanQuery::new(clauses)))
    }
}

impl Drop for SearchIndex {
    fn drop(&mut self) {
        // Without `shutdown`, at least stop following the feeds.
        // and wait for the thread, so that the store it holds is released
        // with the index (a reopen in the same process finds it free).
        self.stop.store(true, Ordering::SeqCst);
        let ticker = self.ticker.lock().ok().and_then(|mut t| t.take());
        if let Some(t) = ticker {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}

/// Whether `q` has a word left after analysis (a query of stop words only,
/// like « le », filters nothing).
fn has_text(f: &Filter) -> bool {
    f.q.as_deref()
        .is_some_and(|q| !analyzer::tokens(q).is_empty())
}

impl Inner {
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Option<Writer>>, IndexError> {
        self.writer
            .lock()
            .map_err(|_| IndexError::Index("index writer lock poisoned".into()))
    }

    /// Follows both feeds to their end and commits; returns how many
    /// documents were indexed. Nothing after `shutdown`.
    fn sync(&self) -> Result<u64, IndexError> {
        let mut guard = self.lock()?;
        match guard.as_mut() {
            Some(w) => self.sync_writer(w),
            None => Ok(0),
        }
    }

    fn sync_writer(&self, w: &mut Writer) -> Result<u64, IndexError> {
        let mut indexed = 0u64;
        let mut since_commit = 0usize;
        for row_feed in [false, true] {
            loop {
                let after = if row_feed {
                    w.held.row_seq
                } else {
                    w.held.doc_seq
                };
                let batch = if row_feed {
                    self.store.row_feed_since(after, FEED_BATCH)?
                } else {
                    self.store.feed_since(after, FEED_BATCH)?
                };
                if batch.is_empty() {
                    break;
                }
                for (seq, id) in batch {
                    self.index_one(&w.writer, id)?;
                    if row_feed {
                        w.held.row_seq = seq;
                    } else {
                        w.held.doc_seq = seq;
                    }
                    indexed += 1;
                    since_commit += 1;
                }
                if since_commit >= COMMIT_EVERY {
                    self.commit(w)?;
                    since_commit = 0;
                }
            }
        }
        if since_commit > 0 {
            self.commit(w)?;
        }
        Ok(indexed)
    }

    fn commit(&self, w: &mut Writer) -> Result<(), IndexError> {
        let payload = serde_json::to_string(&w.held).expect("plain numbers serialize");
        let mut prepared = w.writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.reader.reload()?;
        self.num_docs
            .store(self.reader.searcher().num_docs(), Ordering::SeqCst);
        self.seen_doc.store(w.held.doc_seq, Ordering::SeqCst);
        self.seen_row.store(w.held.row_seq, Ordering::SeqCst);
        Ok(())
    }

    /// Replaces the index's document of `id` by what the store holds now.
    fn index_one(&self, writer: &IndexWriter, id: Uuid) -> Result<(), IndexError> {
        writer.delete_term(Term::from_field_text(self.fields.id, &id.to_string()));
        let Some(DocRow::Contribution(row)) = self.store.get_row(id)? else {
            return Ok(());
        };
        let parsed = self
            .store
            .get_doc(id)?
            .and_then(|bytes| automerge::Automerge::load(&bytes).ok())
            .and_then(
                |doc| match Document::parse(id, &crate::document::to_json(&doc)) {
                    Ok(Document::Contribution(c)) => Some(c),
                    _ => None,
                },
            );
        writer.add_document(self.fields.document(&row, parsed.as_ref()))?;
        Ok(())
    }
}

/// An index in `dir` this build can use, with what it holds; `None` when
/// there is none, it has another schema, or it holds more than the store
/// (it was made from another store).
fn open_existing(
    dir: &std::path::Path,
    fields: &Fields,
    store: &dyn Store,
) -> Result<Option<(Index, Held)>, IndexError> {
    if !dir.join("meta.json").exists() {
        return Ok(None);
    }
    let index = Index::open_in_dir(dir)?;
    let held: Held = match index.load_metas()?.payload {
        Some(p) => serde_json::from_str(&p).map_err(|e| IndexError::Index(e.to_string()))?,
        None => return Ok(None),
    };
    if held.schema != SCHEMA_VERSION || index.schema() != fields.schema {
        tracing::info!("search index schema changed; rebuilding it");
        return Ok(None);
    }
    if held.doc_seq > store.last_seq()? || held.row_seq > store.last_row_seq()? {
        tracing::warn!("search index is ahead of the store; rebuilding it");
        return Ok(None);
    }
    // Opening a searcher reads every segment's files: a missing or
    // truncated one fails here rather than at the first request.
    index
        .tokenizers()
        .register(analyzer::NAME, analyzer::french());
    index.reader()?.searcher();
    Ok(Some((index, held)))
}

/// A page cursor: the last key of a newest/oldest page (`n.`/`o.`), or
/// the offset of the next relevance page (`r.`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cursor {
    Key(Key),
    Offset(usize),
}

impl Cursor {
    fn encode(self, newest: bool) -> String {
        match self {
            Cursor::Key(k) => format!(
                "{}.{}.{}",
                if newest { "n" } else { "o" },
                k.created,
                k.id().simple()
            ),
            Cursor::Offset(o) => format!("r.{o}"),
        }
    }

    /// The cursor of a page in this order, or `BadCursor`.
    fn parse(s: &str, relevance: bool, newest: bool) -> Result<Cursor, IndexError> {
        let bad = || IndexError::BadCursor;
        let mut parts = s.split('.');
        let kind = parts.next().ok_or_else(bad)?;
        let c = match (kind, relevance) {
            ("r", true) => {
                Cursor::Offset(parts.next().ok_or_else(bad)?.parse().map_err(|_| bad())?)
            }
            ("n", false) if newest => Self::key(&mut parts)?,
            ("o", false) if !newest => Self::key(&mut parts)?,
            _ => return Err(bad()),
        };
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(c)
    }

    fn key<'a>(parts: &mut impl Iterator<Item = &'a str>) -> Result<Cursor, IndexError> {
        let created = parts
            .next()
            .and_then(|p| p.parse::<i64>().ok())
            .ok_or(IndexError::BadCursor)?;
        let id = parts
            .next()
            .filter(|p| p.len() == 32)
            .and_then(|p| Uuid::parse_str(p).ok())
            .ok_or(IndexError::BadCursor)?;
        let (hi, lo) = id.as_u64_pair();
        Ok(Cursor::Key(Key { created, hi, lo }))
    }
}
/// The row of a stored contribution (`None` for outings and unknown ids).
pub fn contribution_row(
    store: &dyn Store,
    id: Uuid,
) -> Result<Option<ContributionRow>, StoreError> {
    Ok(match store.get_row(id)? {
        Some(DocRow::Contribution(r)) => Some(r),
        _ => None,
    })
}
