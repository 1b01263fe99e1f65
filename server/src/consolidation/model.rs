//! Consolidation records shared by the topic, forwarding and assembly
//! handlers: what a topic is, how it is stored, and the lock that makes a
//! read-modify-write of records atomic on this server.
//!
//! Records are JSON in the store's `records` tree (`Store::commit`), one
//! collection per kind (`store::keys::COLLECTIONS`). A topic's members are
//! not listed in the topic: each member's row carries `topic` (one topic at
//! most per contribution), listed through the `BY_TOPIC` secondary key.

use crate::store::{RecordOp, Store, StoreError};
use chrono::{DateTime, Utc};
use porte_voix_shared::TopicStatus;
use serde::{Deserialize, Serialize};
use std::sync::{Mutex, MutexGuard};
use utoipa::ToSchema;
use uuid::Uuid;

/// The collection of topics; key: the topic id.
pub const TOPICS: &str = "topics";

/// A quote chosen by the officer: an excerpt of an attached contribution,
/// linked to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Quote {
    pub contribution: Uuid,
    pub excerpt: String,
}

/// One attributed, timed change of a topic. `action` is a stable code the
/// console words (`created`, `edited`, `status`, `attached`, `detached`,
/// `quote_added`, `quote_removed`, `assigned`, `forwarded`, `answered`);
/// `detail` holds ids, counts and codes, never a resident's words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TopicEvent {
    pub at: DateTime<Utc>,
    /// User id of who did it (`@recipient:{id}` for an answer by link).
    pub by: String,
    pub action: String,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// A shared concern (« sujet ») that gathers contributions many-to-one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Topic {
    pub id: Uuid,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub themes: Vec<String>,
    pub status: TopicStatus,
    /// The officer colleague in charge (a user id).
    pub assignee: Option<String>,
    #[serde(default)]
    pub quotes: Vec<Quote>,
    #[serde(default)]
    pub history: Vec<TopicEvent>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub updated_at: DateTime<Utc>,
}

impl Topic {
    /// Appends an event and stamps `updated_at`.
    pub fn record(&mut self, by: &str, action: &str, detail: serde_json::Value) {
        let at = Utc::now();
        self.updated_at = at;
        self.history.push(TopicEvent {
            at,
            by: by.to_owned(),
            action: action.to_owned(),
            detail,
        });
    }
}

/// Serializes a topic as the record op that stores it.
pub fn put_topic(t: &Topic) -> RecordOp {
    RecordOp::Put {
        collection: TOPICS,
        key: t.id.to_string(),
        value: serde_json::to_vec(t).expect("topics serialize"),
    }
}

/// A stored topic.
pub fn load_topic(store: &dyn Store, id: Uuid) -> Result<Option<Topic>, StoreError> {
    store
        .get_record(TOPICS, &id.to_string())?
        .map(|v| crate::store::decode("topics", &v))
        .transpose()
}

/// Every topic (a few hundred at most: the officer builds them by hand).
pub fn list_topics(store: &dyn Store) -> Result<Vec<Topic>, StoreError> {
    store
        .scan_records(TOPICS, "")?
        .into_iter()
        .map(|(_, v)| crate::store::decode("topics", &v))
        .collect()
}

static RECORDS_LOCK: Mutex<()> = Mutex::new(());

/// Held around every read-modify-write of consolidation records and row
/// patches, so that two officers editing at once never lose a change.
/// Taken before any document lock, never inside one.
pub fn records_lock() -> MutexGuard<'static, ()> {
    RECORDS_LOCK.lock().unwrap_or_else(|p| p.into_inner())
}
