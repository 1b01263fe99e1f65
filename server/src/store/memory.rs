//! An in-memory `Store` for unit tests and the in-process benchmark floor.
//! Same contract as the sled store (see `contract.rs`); nothing survives
//! the process.

use super::*;
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

#[derive(Default)]
struct Inner {
    docs: BTreeMap<Uuid, Vec<u8>>,
    rows: BTreeMap<Uuid, DocRow>,
    secondary: BTreeMap<Vec<u8>, ()>,
    feed: BTreeMap<u64, Uuid>,
    feed_by_doc: BTreeMap<Uuid, u64>,
    seq: u64,
    actors: BTreeMap<String, String>,
    users: BTreeMap<String, User>,
    users_by_email: BTreeMap<Vec<u8>, String>,
    refresh: BTreeMap<Vec<u8>, RefreshToken>,
    contacts: BTreeMap<Uuid, Contact>,
    audit: Vec<AuditEntry>,
    campaigns: BTreeMap<String, Campaign>,
    records: BTreeMap<Vec<u8>, Vec<u8>>,
    row_feed: BTreeMap<u64, Uuid>,
    row_feed_by_doc: BTreeMap<Uuid, u64>,
    row_seq: u64,
    meta: BTreeMap<String, Vec<u8>>,
}

/// A store that lives in memory.
#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves consistent maps (every write
        // below is checked before it mutates), so a poisoned lock is usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Store for MemoryStore {
    fn get_doc(&self, id: Uuid) -> StoreResult<Option<Vec<u8>>> {
        Ok(self.lock().docs.get(&id).cloned())
    }

    fn get_row(&self, id: Uuid) -> StoreResult<Option<DocRow>> {
        Ok(self.lock().rows.get(&id).cloned())
    }

    fn put_doc(&self, w: DocWrite) -> StoreResult<u64> {
        let mut s = self.lock();
        for (actor, user) in &w.bind_actors {
            if s.actors.get(actor).is_some_and(|owner| owner != user) {
                return Err(StoreError::ActorTaken {
                    actor: actor.clone(),
                });
            }
        }
        for (actor, user) in &w.bind_actors {
            s.actors.insert(actor.clone(), user.clone());
        }
        let mut row = w.row;
        if let Some(DocRow::Contribution(old)) = s.rows.get(&w.id).cloned() {
            for k in keys::secondary_keys(&old) {
                s.secondary.remove(&k);
            }
            // Consolidation fields belong to `commit`.
            if let DocRow::Contribution(new) = &mut row {
                new.topic = old.topic;
                new.assignee = old.assignee;
            }
        }
        if let DocRow::Contribution(new) = &row {
            for k in keys::secondary_keys(new) {
                s.secondary.insert(k, ());
            }
        }
        s.docs.insert(w.id, w.bytes);
        s.rows.insert(w.id, row);
        s.seq += 1;
        let seq = s.seq;
        if let Some(prev) = s.feed_by_doc.insert(w.id, seq) {
            s.feed.remove(&prev);
        }
        s.feed.insert(seq, w.id);
        Ok(seq)
    }

    fn feed_since(&self, after: u64, limit: usize) -> StoreResult<Vec<(u64, Uuid)>> {
        Ok(self
            .lock()
            .feed
            .range(after.saturating_add(1)..)
            .take(limit)
            .map(|(s, id)| (*s, *id))
            .collect())
    }

    fn last_seq(&self) -> StoreResult<u64> {
        Ok(self.lock().seq)
    }

    fn list_contributions(
        &self,
        q: &ContributionQuery,
        visible: &dyn Fn(&ContributionRow) -> bool,
    ) -> StoreResult<Page> {
        let prefix = index_prefix(q);
        let s = self.lock();
        let ids = s
            .secondary
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter_map(|(k, _)| keys::secondary_id(k))
            .collect::<Vec<_>>();
        page_from_index(q, visible, ids.into_iter().rev().map(Ok), |id| {
            Ok(s.rows.get(&id).cloned())
        })
    }

    fn actor_owner(&self, actor: &str) -> StoreResult<Option<String>> {
        Ok(self.lock().actors.get(actor).cloned())
    }

    fn put_user(&self, user: &User) -> StoreResult<()> {
        let mut s = self.lock();
        let email = keys::email(&user.email);
        if s.users_by_email
            .get(&email)
            .is_some_and(|id| id != &user.id)
        {
            return Err(StoreError::DuplicateEmail);
        }
        s.users_by_email.insert(email, user.id.clone());
        s.users.insert(user.id.clone(), user.clone());
        Ok(())
    }

    fn get_user(&self, id: &str) -> StoreResult<Option<User>> {
        Ok(self.lock().users.get(id).cloned())
    }

    fn get_user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        let s = self.lock();
        Ok(s.users_by_email
            .get(&keys::email(email))
            .and_then(|id| s.users.get(id))
            .cloned())
    }

    fn list_users(&self) -> StoreResult<Vec<User>> {
        Ok(self.lock().users.values().cloned().collect())
    }

    fn put_refresh(&self, token_hash: &[u8], token: &RefreshToken) -> StoreResult<()> {
        self.lock()
            .refresh
            .insert(token_hash.to_vec(), token.clone());
        Ok(())
    }

    fn take_refresh(&self, token_hash: &[u8]) -> StoreResult<Option<RefreshToken>> {
        Ok(self.lock().refresh.remove(token_hash))
    }

    fn put_contact(&self, contact: &Contact) -> StoreResult<()> {
        self.lock()
            .contacts
            .insert(contact.contribution_id, contact.clone());
        Ok(())
    }

    fn get_contact(&self, contribution: Uuid) -> StoreResult<Option<Contact>> {
        Ok(self.lock().contacts.get(&contribution).cloned())
    }

    fn delete_contact(&self, contribution: Uuid) -> StoreResult<bool> {
        Ok(self.lock().contacts.remove(&contribution).is_some())
    }

    fn contact_ids(&self) -> StoreResult<Vec<Uuid>> {
        Ok(self.lock().contacts.keys().copied().collect())
    }

    fn append_audit(&self, entry: &AuditEntry) -> StoreResult<()> {
        self.lock().audit.push(entry.clone());
        Ok(())
    }

    fn list_audit(&self) -> StoreResult<Vec<AuditEntry>> {
        Ok(self.lock().audit.clone())
    }

    fn put_campaign(&self, c: &Campaign) -> StoreResult<()> {
        self.lock().campaigns.insert(c.id.clone(), c.clone());
        Ok(())
    }

    fn list_campaigns(&self) -> StoreResult<Vec<Campaign>> {
        Ok(self.lock().campaigns.values().cloned().collect())
    }

    fn get_record(&self, collection: &'static str, key: &str) -> StoreResult<Option<Vec<u8>>> {
        check_collection(collection)?;
        Ok(self
            .lock()
            .records
            .get(&keys::record(collection, key))
            .cloned())
    }

    fn scan_records(
        &self,
        collection: &'static str,
        prefix: &str,
    ) -> StoreResult<Vec<(String, Vec<u8>)>> {
        check_collection(collection)?;
        let start = keys::record(collection, prefix);
        let skip = collection.len() + 1;
        Ok(self
            .lock()
            .records
            .range(start.clone()..)
            .take_while(|(k, _)| k.starts_with(&start))
            .map(|(k, v)| (String::from_utf8_lossy(&k[skip..]).into_owned(), v.clone()))
            .collect())
    }

    fn commit(&self, w: ConsolidationWrite) -> StoreResult<u64> {
        for op in &w.records {
            match op {
                RecordOp::Put { collection, .. } | RecordOp::Delete { collection, .. } => {
                    check_collection(collection)?
                }
            }
        }
        let mut s = self.lock();
        // Checked before anything changes, so that a failure stores nothing.
        let mut patched = Vec::with_capacity(w.rows.len());
        for patch in &w.rows {
            let Some(DocRow::Contribution(row)) = s.rows.get(&patch.id).cloned() else {
                return Err(StoreError::Corrupt {
                    tree: "rows",
                    problem: "patch of a row that is not a contribution".into(),
                });
            };
            patched.push((row, patch));
        }
        for op in w.records {
            match op {
                RecordOp::Put {
                    collection,
                    key,
                    value,
                } => {
                    s.records.insert(keys::record(collection, &key), value);
                }
                RecordOp::Delete { collection, key } => {
                    s.records.remove(&keys::record(collection, &key));
                }
            }
        }
        let mut last = 0;
        for (mut row, patch) in patched {
            // A row patched twice in one write: start from the latest.
            if let Some(DocRow::Contribution(current)) = s.rows.get(&row.id) {
                row = current.clone();
            }
            for k in keys::secondary_keys(&row) {
                s.secondary.remove(&k);
            }
            apply_patch(&mut row, patch);
            for k in keys::secondary_keys(&row) {
                s.secondary.insert(k, ());
            }
            let id = row.id;
            s.rows.insert(id, DocRow::Contribution(row));
            s.row_seq += 1;
            let seq = s.row_seq;
            if let Some(prev) = s.row_feed_by_doc.insert(id, seq) {
                s.row_feed.remove(&prev);
            }
            s.row_feed.insert(seq, id);
            last = seq;
        }
        Ok(last)
    }

    fn row_feed_since(&self, after: u64, limit: usize) -> StoreResult<Vec<(u64, Uuid)>> {
        Ok(self
            .lock()
            .row_feed
            .range(after.saturating_add(1)..)
            .take(limit)
            .map(|(s, id)| (*s, *id))
            .collect())
    }

    fn last_row_seq(&self) -> StoreResult<u64> {
        Ok(self.lock().row_seq)
    }

    fn get_meta(&self, key: &str) -> StoreResult<Option<Vec<u8>>> {
        Ok(self.lock().meta.get(key).cloned())
    }

    fn put_meta(&self, key: &str, value: &[u8]) -> StoreResult<()> {
        self.lock().meta.insert(key.to_owned(), value.to_vec());
        Ok(())
    }

    fn flush(&self) -> StoreResult<()> {
        Ok(())
    }
}
