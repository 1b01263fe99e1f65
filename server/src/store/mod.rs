//! Storage: one `Store` trait, a sled implementation for production and an
//! in-memory one for tests, both held to the same contract tests
//! (`contract.rs`).
//!
//! A store never interprets Automerge bytes and never decides permissions:
//! it keeps documents, the rows of the query index that the sync layer
//! computes, the change feed, users, tokens, actor bindings, contact details
//! and the audit log. Every write that must survive a crash is made durable
//! by `flush` before anyone is told "ok".

pub mod keys;
mod memory;
pub mod seal;
mod sled_store;

#[cfg(test)]
mod contract;

pub use memory::MemoryStore;
pub use sled_store::SledStore;

use chrono::{DateTime, NaiveDate, Utc};
use porte_voix_shared::{CommuneCode, ContributionKind, DocType, Role, Status};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The on-disk format this build writes. A store with a newer version is
/// refused (an older binary must not corrupt data it does not understand).
pub const FORMAT_VERSION: u32 = 1;

/// Storage failures. Never swallowed: they become 500s, and a sync batch
/// that fails to store answers no `ok`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage backend: {0}")]
    Backend(String),
    #[error("corrupt record in {tree}: {problem}")]
    Corrupt { tree: &'static str, problem: String },
    #[error(
        "store format version {found} is newer than this build's ({supported}); upgrade Porte-voix"
    )]
    NewerFormat { found: u32, supported: u32 },
    #[error("actor {actor} is bound to another user")]
    ActorTaken { actor: String },
    #[error("a user with this e-mail already exists")]
    DuplicateEmail,
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The query-index row of a contribution: what lists, filters and
/// permission checks need without loading the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContributionRow {
    pub id: Uuid,
    pub campaign: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub kind: ContributionKind,
    pub status: Status,
    pub themes: Vec<String>,
    pub commune: Option<CommuneCode>,
    pub arrondissement: Option<CommuneCode>,
    pub near_border: bool,
    pub outside: bool,
    pub outing: Option<Uuid>,
    /// The topic (« sujet ») the officer attached it to. Not in the
    /// document: attaching never changes a contribution's bytes. Only
    /// `Store::commit` changes it; `put_doc` keeps the stored value.
    #[serde(default)]
    pub topic: Option<Uuid>,
    /// The officer colleague it is assigned to (a user id). Same rule as
    /// `topic`.
    #[serde(default)]
    pub assignee: Option<String>,
}

/// The index row of an outing: who may read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutingRow {
    pub id: Uuid,
    pub campaign: String,
    pub date: NaiveDate,
    pub team: Vec<String>,
}

/// What the index knows about any document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum DocRow {
    Contribution(ContributionRow),
    Outing(OutingRow),
}

impl DocRow {
    pub fn doc_type(&self) -> DocType {
        match self {
            DocRow::Contribution(_) => DocType::Contribution,
            DocRow::Outing(_) => DocType::Outing,
        }
    }
}

/// One document write: the new compact Automerge bytes, its index row, and
/// the actor ids its new changes bind to users. Applied atomically: either
/// all of it (and one new feed entry) is stored, or none.
#[derive(Debug, Clone)]
pub struct DocWrite {
    pub id: Uuid,
    pub bytes: Vec<u8>,
    pub row: DocRow,
    pub bind_actors: Vec<(String, String)>,
}

/// A change of a consolidation record: `key` within a collection named in
/// `keys::COLLECTIONS` (topics, recipients, forwards, …).
#[derive(Debug, Clone, PartialEq)]
pub enum RecordOp {
    Put {
        collection: &'static str,
        key: String,
        value: Vec<u8>,
    },
    Delete {
        collection: &'static str,
        key: String,
    },
}

/// A change of the consolidation fields of a contribution's row (never its
/// document): `Some(v)` sets the field to `v`, `None` leaves it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowPatch {
    pub id: Uuid,
    pub topic: Option<Option<Uuid>>,
    pub assignee: Option<Option<String>>,
}

/// One atomic consolidation write: records and row patches, all or nothing.
/// Each patched row gets an entry in the row feed, which the search index
/// follows beside the document feed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConsolidationWrite {
    pub records: Vec<RecordOp>,
    pub rows: Vec<RowPatch>,
}

/// Filters of a contribution listing. `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct ContributionQuery {
    /// A commune code: rows of that commune or arrondissement (a Lyon code
    /// 69123 includes its arrondissements).
    pub commune: Option<CommuneCode>,
    pub author: Option<String>,
    pub status: Option<Status>,
    pub kind: Option<ContributionKind>,
    pub theme: Option<String>,
    pub campaign: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub topic: Option<Uuid>,
    pub assignee: Option<String>,
    pub offset: usize,
    pub limit: usize,
}

impl ContributionQuery {
    /// Whether a row passes every filter (the index choice is the store's).
    pub fn matches(&self, r: &ContributionRow) -> bool {
        self.commune
            .as_ref()
            .is_none_or(|c| r.commune.as_ref() == Some(c) || r.arrondissement.as_ref() == Some(c))
            && self.author.as_ref().is_none_or(|a| &r.author == a)
            && self.status.is_none_or(|s| r.status == s)
            && self.kind.is_none_or(|k| r.kind == k)
            && self.theme.as_ref().is_none_or(|t| r.themes.contains(t))
            && self.campaign.as_ref().is_none_or(|c| &r.campaign == c)
            && self.from.is_none_or(|f| r.created_at >= f)
            && self.to.is_none_or(|t| r.created_at < t)
            && self.topic.is_none_or(|t| r.topic == Some(t))
            && self
                .assignee
                .as_ref()
                .is_none_or(|a| r.assignee.as_ref() == Some(a))
    }
}

/// One page of a listing, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub items: Vec<ContributionRow>,
    pub total: usize,
}

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub commune: Option<CommuneCode>,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    /// A disabled account cannot log in, refresh or use a token.
    #[serde(default)]
    pub disabled: bool,
    /// Tokens issued before this instant are refused (« déconnecter les
    /// appareils », disabling, a password reset).
    #[serde(default)]
    pub sessions_valid_after: Option<DateTime<Utc>>,
}

/// A refresh token, stored under the hash of its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshToken {
    pub user_id: String,
    pub expires_at: DateTime<Utc>,
    /// When it was issued (absent on tokens from before revocation existed:
    /// those fall to any revocation).
    #[serde(default)]
    pub issued_at: Option<DateTime<Utc>>,
}

/// A resident's contact details, kept outside every document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub contribution_id: Uuid,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub received_at: DateTime<Utc>,
    pub sent_by: String,
}

/// One audited action (who did what to which record; never content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub user_id: String,
    pub action: String,
    pub target: String,
}

/// An outreach campaign (démarche « aller vers »).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Campaign {
    #[schema(example = "aller-vers-2026")]
    pub id: String,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Target communes (INSEE codes); empty means the whole territory.
    pub communes: Vec<CommuneCode>,
    /// Theme codes offered on the form.
    pub themes: Vec<String>,
}

/// The storage contract. Implementations are `Send + Sync` and cheap to
/// share behind an `Arc`.
pub trait Store: Send + Sync {
    /// Compact Automerge bytes of a document.
    fn get_doc(&self, id: Uuid) -> StoreResult<Option<Vec<u8>>>;
    /// The index row of a document.
    fn get_row(&self, id: Uuid) -> StoreResult<Option<DocRow>>;
    /// Stores a document, its row, secondary keys, a new feed entry and the
    /// actor bindings, atomically. Returns the feed sequence number. The
    /// row's `topic` and `assignee` are kept as stored (only `commit`
    /// changes them), so a sync never undoes a consolidation.
    /// Fails with `ActorTaken` (and stores nothing) when an actor is bound
    /// to another user.
    fn put_doc(&self, write: DocWrite) -> StoreResult<u64>;
    /// Documents changed after `after`, oldest first, each once (at its
    /// latest change), at most `limit`.
    fn feed_since(&self, after: u64, limit: usize) -> StoreResult<Vec<(u64, Uuid)>>;
    /// The newest feed sequence number (0 when empty).
    fn last_seq(&self) -> StoreResult<u64>;
    /// Contribution rows matching `q` and `visible`, newest first, through
    /// a secondary index (commune, author, status or date) rather than a
    /// scan of every document.
    fn list_contributions(
        &self,
        q: &ContributionQuery,
        visible: &dyn Fn(&ContributionRow) -> bool,
    ) -> StoreResult<Page>;
    /// The user an Automerge actor id is bound to.
    fn actor_owner(&self, actor: &str) -> StoreResult<Option<String>>;

    fn put_user(&self, user: &User) -> StoreResult<()>;
    fn get_user(&self, id: &str) -> StoreResult<Option<User>>;
    fn get_user_by_email(&self, email: &str) -> StoreResult<Option<User>>;
    fn list_users(&self) -> StoreResult<Vec<User>>;

    fn put_refresh(&self, token_hash: &[u8], token: &RefreshToken) -> StoreResult<()>;
    /// Removes and returns a refresh token (so that it is used once).
    fn take_refresh(&self, token_hash: &[u8]) -> StoreResult<Option<RefreshToken>>;

    fn put_contact(&self, contact: &Contact) -> StoreResult<()>;
    fn get_contact(&self, contribution: Uuid) -> StoreResult<Option<Contact>>;
    /// Erases a contact; true when there was one.
    fn delete_contact(&self, contribution: Uuid) -> StoreResult<bool>;
    /// The contributions that have contact details (for retention).
    fn contact_ids(&self) -> StoreResult<Vec<Uuid>>;

    fn append_audit(&self, entry: &AuditEntry) -> StoreResult<()>;
    fn list_audit(&self) -> StoreResult<Vec<AuditEntry>>;

    fn put_campaign(&self, c: &Campaign) -> StoreResult<()>;
    fn list_campaigns(&self) -> StoreResult<Vec<Campaign>>;

    /// A consolidation record (`collection` from `keys::COLLECTIONS`).
    fn get_record(&self, collection: &'static str, key: &str) -> StoreResult<Option<Vec<u8>>>;
    /// The records of a collection whose key starts with `prefix`, by key.
    fn scan_records(
        &self,
        collection: &'static str,
        prefix: &str,
    ) -> StoreResult<Vec<(String, Vec<u8>)>>;
    /// Applies records and row patches atomically (a patch of an unknown or
    /// non-contribution row fails the whole write with `Corrupt`). Returns
    /// the last row-feed sequence number written (0 when no row changed).
    fn commit(&self, write: ConsolidationWrite) -> StoreResult<u64>;
    /// Contributions whose consolidation fields changed after `after`,
    /// oldest first, each once, at most `limit`.
    fn row_feed_since(&self, after: u64, limit: usize) -> StoreResult<Vec<(u64, Uuid)>>;
    /// The newest row-feed sequence number (0 when empty).
    fn last_row_seq(&self) -> StoreResult<u64>;

    /// Small server settings (JWT secret, server actor id).
    fn get_meta(&self, key: &str) -> StoreResult<Option<Vec<u8>>>;
    fn put_meta(&self, key: &str, value: &[u8]) -> StoreResult<()>;

    /// Makes every write so far durable (fsync). Returns when it is.
    fn flush(&self) -> StoreResult<()>;
}

/// Reads a meta value, or makes it with `make`, stores it, and flushes.
pub fn meta_or_init(
    store: &dyn Store,
    key: &str,
    make: impl FnOnce() -> Vec<u8>,
) -> StoreResult<Vec<u8>> {
    if let Some(v) = store.get_meta(key)? {
        return Ok(v);
    }
    let v = make();
    store.put_meta(key, &v)?;
    store.flush()?;
    Ok(v)
}

pub(crate) fn encode<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).expect("store records serialize")
}

pub fn decode<T: serde::de::DeserializeOwned>(tree: &'static str, bytes: &[u8]) -> StoreResult<T> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        tree,
        problem: e.to_string(),
    })
}

/// The secondary index a query walks: the most selective filter it has.
pub(crate) fn index_prefix(q: &ContributionQuery) -> Vec<u8> {
    if let Some(t) = &q.topic {
        keys::secondary_prefix(keys::BY_TOPIC, &t.to_string())
    } else if let Some(a) = &q.assignee {
        keys::secondary_prefix(keys::BY_ASSIGNEE, a)
    } else if let Some(c) = &q.commune {
        keys::secondary_prefix(keys::BY_COMMUNE, c.as_str())
    } else if let Some(a) = &q.author {
        keys::secondary_prefix(keys::BY_AUTHOR, a)
    } else if let Some(s) = q.status {
        keys::secondary_prefix(keys::BY_STATUS, s.code())
    } else {
        keys::secondary_prefix(keys::BY_DATE, "")
    }
}

/// Filters and pages the ids a secondary index yields (newest first).
pub(crate) fn page_from_index(
    q: &ContributionQuery,
    visible: &dyn Fn(&ContributionRow) -> bool,
    ids: impl Iterator<Item = StoreResult<Uuid>>,
    load: impl Fn(Uuid) -> StoreResult<Option<DocRow>>,
) -> StoreResult<Page> {
    let mut items = Vec::new();
    let mut total = 0;
    for id in ids {
        let Some(DocRow::Contribution(row)) = load(id?)? else {
            continue;
        };
        if !q.matches(&row) || !visible(&row) {
            continue;
        }
        if total >= q.offset && items.len() < q.limit {
            items.push(row);
        }
        total += 1;
    }
    Ok(Page { items, total })
}

/// Applies a patch to a row.
pub(crate) fn apply_patch(row: &mut ContributionRow, patch: &RowPatch) {
    if let Some(t) = patch.topic {
        row.topic = t;
    }
    if let Some(a) = &patch.assignee {
        row.assignee = a.clone();
    }
}

/// Fails when a record names a collection this build does not know.
pub(crate) fn check_collection(collection: &str) -> StoreResult<()> {
    if keys::COLLECTIONS.contains(&collection) {
        Ok(())
    } else {
        Err(StoreError::Backend(format!(
            "unknown record collection {collection}"
        )))
    }
}
