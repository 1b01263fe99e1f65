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

use crate::store::{ContributionQuery, ContributionRow, DocRow, Store, StoreError};
use chrono::{DateTime, Utc};
use porte_voix_shared::{CommuneCode, ContributionKind, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
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

/// The query index.
pub struct SearchIndex {
    store: Arc<dyn Store>,
}

impl SearchIndex {
    /// Opens the index kept in `dir` (made when missing) over `store`.
    pub fn open(_dir: &std::path::Path, store: Arc<dyn Store>) -> Result<Self, IndexError> {
        Ok(Self { store })
    }

    /// Brings the index up to date with every write committed to the store
    /// before the call (both feeds). Handlers call it before reading, so an
    /// officer sees their own writes.
    pub fn catch_up(&self) -> Result<(), IndexError> {
        Ok(())
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
        let all = self.ids(scope, f, sort)?;
        let offset = match cursor {
            None => 0,
            Some(c) => c.parse::<usize>().map_err(|_| IndexError::BadCursor)?,
        };
        let ids: Vec<Uuid> = all.iter().skip(offset).take(limit).copied().collect();
        let next = offset + ids.len();
        Ok(Hits {
            total: all.len(),
            next_cursor: (next < all.len()).then(|| next.to_string()),
            ids,
        })
    }

    /// Every id matching `f` within `scope`, in `sort` order.
    pub fn ids(&self, scope: &Scope, f: &Filter, sort: Sort) -> Result<Vec<Uuid>, IndexError> {
        let rows = self.rows(scope, f)?;
        let mut ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        if sort == Sort::Oldest {
            ids.reverse();
        }
        Ok(ids)
    }

    /// Facet counts of `f` within `scope`.
    pub fn facets(&self, scope: &Scope, f: &Filter) -> Result<Facets, IndexError> {
        let mut out = Facets::default();
        for r in self.rows(scope, f)? {
            if let Some(c) = &r.commune {
                *out.commune.entry(c.as_str().to_owned()).or_default() += 1;
            }
            for t in &r.themes {
                *out.theme.entry(t.clone()).or_default() += 1;
            }
            *out.kind.entry(r.kind.code().to_owned()).or_default() += 1;
            *out.status.entry(r.status.code().to_owned()).or_default() += 1;
        }
        Ok(out)
    }

    /// Counts of `f` within `scope` by `dim`.
    pub fn count_by(
        &self,
        scope: &Scope,
        f: &Filter,
        dim: Dim,
    ) -> Result<BTreeMap<String, u64>, IndexError> {
        let mut out = BTreeMap::new();
        for r in self.rows(scope, f)? {
            let keys: Vec<String> = match dim {
                Dim::Commune => r.commune.iter().map(|c| c.as_str().to_owned()).collect(),
                Dim::Arrondissement => r
                    .arrondissement
                    .iter()
                    .map(|c| c.as_str().to_owned())
                    .collect(),
                Dim::Theme => r.themes.clone(),
                Dim::Kind => vec![r.kind.code().to_owned()],
                Dim::Status => vec![r.status.code().to_owned()],
                Dim::Campaign => vec![r.campaign.clone()],
                _ => vec![],
            };
            for k in keys {
                *out.entry(k).or_default() += 1;
            }
        }
        Ok(out)
    }

    fn rows(&self, scope: &Scope, f: &Filter) -> Result<Vec<ContributionRow>, IndexError> {
        if *scope == Scope::Nothing {
            return Ok(vec![]);
        }
        let page = self.store.list_contributions(
            &ContributionQuery {
                limit: usize::MAX,
                ..Default::default()
            },
            &|r| scope.allows(r) && f.matches_row(r),
        )?;
        let Some(q) = f.q.as_deref() else {
            return Ok(page.items);
        };
        let words = analyzer::tokens(q);
        let mut out = Vec::new();
        for r in page.items {
            let Some(bytes) = self.store.get_doc(r.id)? else {
                continue;
            };
            let Ok(doc) = automerge::Automerge::load(&bytes) else {
                continue;
            };
            let text = crate::document::to_json(&doc)["text"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let have = analyzer::tokens(&text);
            if words.iter().all(|w| have.contains(w)) {
                out.push(r);
            }
        }
        Ok(out)
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
