//! The sled implementation of `Store`: one database directory, one tree per
//! kind of record (see docs/STORAGE.md).

use super::*;
use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::Transactional;
use std::path::Path;

/// A sled database opened by Porte-voix.
#[derive(Clone)]
pub struct SledStore {
    db: sled::Db,
    docs: sled::Tree,
    rows: sled::Tree,
    secondary: sled::Tree,
    feed: sled::Tree,
    feed_by_doc: sled::Tree,
    actors: sled::Tree,
    users: sled::Tree,
    users_by_email: sled::Tree,
    refresh: sled::Tree,
    contacts: sled::Tree,
    audit: sled::Tree,
    campaigns: sled::Tree,
    records: sled::Tree,
    row_feed: sled::Tree,
    row_feed_by_doc: sled::Tree,
    meta: sled::Tree,
    /// Seals contact details (store/seal.rs).
    data_key: super::seal::DataKey,
}

fn backend(e: sled::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl SledStore {
    /// Opens (or creates) the store in `dir`, with the data key of
    /// `dir/data.key` (made when absent). Refuses a store written by a
    /// newer format version.
    pub fn open(dir: &Path) -> StoreResult<Self> {
        Self::open_with_key(dir, None)
    }

    /// Opens with `key` (from `PORTE_VOIX_DATA_KEY`), or `dir/data.key`.
    pub fn open_with_key(dir: &Path, key: Option<super::seal::DataKey>) -> StoreResult<Self> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Backend(e.to_string()))?;
        let data_key = match key {
            Some(k) => k,
            None => super::seal::DataKey::load_or_create(dir)?,
        };
        let db = sled::Config::new()
            .path(dir)
            .mode(sled::Mode::HighThroughput)
            .open()
            .map_err(backend)?;
        let tree = |name: &str| db.open_tree(name).map_err(backend);
        let store = SledStore {
            docs: tree("docs")?,
            rows: tree("rows")?,
            secondary: tree("secondary")?,
            feed: tree("feed")?,
            feed_by_doc: tree("feed_by_doc")?,
            actors: tree("actors")?,
            users: tree("users")?,
            users_by_email: tree("users_by_email")?,
            refresh: tree("refresh_tokens")?,
            contacts: tree("contacts")?,
            audit: tree("audit")?,
            campaigns: tree("campaigns")?,
            records: tree("records")?,
            row_feed: tree("row_feed")?,
            row_feed_by_doc: tree("row_feed_by_doc")?,
            meta: tree("meta")?,
            data_key,
            db,
        };
        match store.get_meta(keys::META_FORMAT_VERSION)? {
            None => {
                store.put_meta(keys::META_FORMAT_VERSION, &FORMAT_VERSION.to_be_bytes())?;
                store.flush()?;
            }
            Some(v) => {
                let found = u32::from_be_bytes(v.as_slice().try_into().map_err(|_| {
                    StoreError::Corrupt {
                        tree: "meta",
                        problem: "format version".into(),
                    }
                })?);
                if found > FORMAT_VERSION {
                    return Err(StoreError::NewerFormat {
                        found,
                        supported: FORMAT_VERSION,
                    });
                }
            }
        }
        Ok(store)
    }
}

impl Store for SledStore {
    fn get_doc(&self, id: Uuid) -> StoreResult<Option<Vec<u8>>> {
        Ok(self
            .docs
            .get(keys::doc(id))
            .map_err(backend)?
            .map(|v| v.to_vec()))
    }

    fn get_row(&self, id: Uuid) -> StoreResult<Option<DocRow>> {
        self.rows
            .get(keys::doc(id))
            .map_err(backend)?
            .map(|v| decode("rows", &v))
            .transpose()
    }

    fn put_doc(&self, w: DocWrite) -> StoreResult<u64> {
        let trees = [
            &self.docs,
            &self.rows,
            &self.secondary,
            &self.feed,
            &self.feed_by_doc,
            &self.actors,
            &self.meta,
        ];
        let key = keys::doc(w.id);
        let result = trees[..].transaction(|t| {
            let (docs, rows, secondary, feed, feed_by_doc, actors, meta) =
                (&t[0], &t[1], &t[2], &t[3], &t[4], &t[5], &t[6]);
            for (actor, user) in &w.bind_actors {
                match actors.get(actor.as_bytes())? {
                    Some(owner) if owner.as_ref() != user.as_bytes() => {
                        return Err(ConflictableTransactionError::Abort(
                            StoreError::ActorTaken {
                                actor: actor.clone(),
                            },
                        ));
                    }
                    Some(_) => {}
                    None => {
                        actors.insert(actor.as_bytes(), user.as_bytes())?;
                    }
                }
            }
            let mut row = w.row.clone();
            if let Some(old) = rows.get(key)? {
                if let DocRow::Contribution(old) =
                    decode::<DocRow>("rows", &old).map_err(ConflictableTransactionError::Abort)?
                {
                    for k in keys::secondary_keys(&old) {
                        secondary.remove(k)?;
                    }
                    // Consolidation fields belong to `commit`.
                    if let DocRow::Contribution(new) = &mut row {
                        new.topic = old.topic;
                        new.assignee = old.assignee;
                    }
                }
            }
            if let DocRow::Contribution(new) = &row {
                for k in keys::secondary_keys(new) {
                    secondary.insert(k, &[])?;
                }
            }
            docs.insert(&key, w.bytes.as_slice())?;
            rows.insert(&key, encode(&row))?;
            let seq = meta
                .get(keys::META_FEED_SEQ)?
                .map(|v| keys::feed_seq(&v))
                .unwrap_or(0)
                + 1;
            meta.insert(keys::META_FEED_SEQ, &keys::feed(seq))?;
            if let Some(prev) = feed_by_doc.insert(&key, &keys::feed(seq))? {
                feed.remove(prev)?;
            }
            feed.insert(&keys::feed(seq), &key)?;
            Ok(seq)
        });
        result.map_err(|e| match e {
            TransactionError::Abort(e) => e,
            TransactionError::Storage(e) => backend(e),
        })
    }

    fn feed_since(&self, after: u64, limit: usize) -> StoreResult<Vec<(u64, Uuid)>> {
        feed_range(&self.feed, "feed", after, limit)
    }

    fn last_seq(&self) -> StoreResult<u64> {
        Ok(self
            .meta
            .get(keys::META_FEED_SEQ)
            .map_err(backend)?
            .map(|v| keys::feed_seq(&v))
            .unwrap_or(0))
    }

    fn list_contributions(
        &self,
        q: &ContributionQuery,
        visible: &dyn Fn(&ContributionRow) -> bool,
    ) -> StoreResult<Page> {
        let ids = self.secondary.scan_prefix(index_prefix(q)).rev().map(|kv| {
            let (k, _) = kv.map_err(backend)?;
            keys::secondary_id(&k).ok_or(StoreError::Corrupt {
                tree: "secondary",
                problem: "short key".into(),
            })
        });
        page_from_index(q, visible, ids, |id| self.get_row(id))
    }

    fn actor_owner(&self, actor: &str) -> StoreResult<Option<String>> {
        Ok(self
            .actors
            .get(actor.as_bytes())
            .map_err(backend)?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    fn put_user(&self, user: &User) -> StoreResult<()> {
        let email = keys::email(&user.email);
        let result = (&self.users, &self.users_by_email).transaction(|(users, by_email)| {
            if let Some(existing) = by_email.get(&email)? {
                if existing.as_ref() != user.id.as_bytes() {
                    return Err(ConflictableTransactionError::Abort(
                        StoreError::DuplicateEmail,
                    ));
                }
            }
            by_email.insert(email.as_slice(), user.id.as_bytes())?;
            users.insert(user.id.as_bytes(), encode(user))?;
            Ok(())
        });
        result.map_err(|e| match e {
            TransactionError::Abort(e) => e,
            TransactionError::Storage(e) => backend(e),
        })
    }

    fn get_user(&self, id: &str) -> StoreResult<Option<User>> {
        self.users
            .get(id.as_bytes())
            .map_err(backend)?
            .map(|v| decode("users", &v))
            .transpose()
    }

    fn get_user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        match self
            .users_by_email
            .get(keys::email(email))
            .map_err(backend)?
        {
            Some(id) => self.get_user(&String::from_utf8_lossy(&id)),
            None => Ok(None),
        }
    }

    fn list_users(&self) -> StoreResult<Vec<User>> {
        self.users
            .iter()
            .values()
            .map(|v| decode("users", &v.map_err(backend)?))
            .collect()
    }

    fn put_refresh(&self, token_hash: &[u8], token: &RefreshToken) -> StoreResult<()> {
        self.refresh
            .insert(token_hash, encode(token))
            .map_err(backend)?;
        Ok(())
    }

    fn take_refresh(&self, token_hash: &[u8]) -> StoreResult<Option<RefreshToken>> {
        self.refresh
            .remove(token_hash)
            .map_err(backend)?
            .map(|v| decode("refresh_tokens", &v))
            .transpose()
    }

    fn put_contact(&self, contact: &Contact) -> StoreResult<()> {
        let key = keys::doc(contact.contribution_id);
        let sealed = self.data_key.seal(&key, &encode(contact));
        self.contacts.insert(key, sealed).map_err(backend)?;
        Ok(())
    }

    fn get_contact(&self, contribution: Uuid) -> StoreResult<Option<Contact>> {
        let key = keys::doc(contribution);
        self.contacts
            .get(key)
            .map_err(backend)?
            .map(|v| decode("contacts", &self.data_key.open(&key, &v)?))
            .transpose()
    }

    fn delete_contact(&self, contribution: Uuid) -> StoreResult<bool> {
        Ok(self
            .contacts
            .remove(keys::doc(contribution))
            .map_err(backend)?
            .is_some())
    }

    fn contact_ids(&self) -> StoreResult<Vec<Uuid>> {
        self.contacts
            .iter()
            .keys()
            .map(|k| {
                let k = k.map_err(backend)?;
                Uuid::from_slice(&k).map_err(|e| StoreError::Corrupt {
                    tree: "contacts",
                    problem: e.to_string(),
                })
            })
            .collect()
    }

    fn append_audit(&self, entry: &AuditEntry) -> StoreResult<()> {
        let id = self.db.generate_id().map_err(backend)?;
        self.audit
            .insert(id.to_be_bytes(), encode(entry))
            .map_err(backend)?;
        Ok(())
    }

    fn list_audit(&self) -> StoreResult<Vec<AuditEntry>> {
        self.audit
            .iter()
            .values()
            .map(|v| decode("audit", &v.map_err(backend)?))
            .collect()
    }

    fn put_campaign(&self, c: &Campaign) -> StoreResult<()> {
        self.campaigns
            .insert(c.id.as_bytes(), encode(c))
            .map_err(backend)?;
        Ok(())
    }

    fn list_campaigns(&self) -> StoreResult<Vec<Campaign>> {
        self.campaigns
            .iter()
            .values()
            .map(|v| decode("campaigns", &v.map_err(backend)?))
            .collect()
    }

    fn get_record(&self, collection: &'static str, key: &str) -> StoreResult<Option<Vec<u8>>> {
        check_collection(collection)?;
        Ok(self
            .records
            .get(keys::record(collection, key))
            .map_err(backend)?
            .map(|v| v.to_vec()))
    }

    fn scan_records(
        &self,
        collection: &'static str,
        prefix: &str,
    ) -> StoreResult<Vec<(String, Vec<u8>)>> {
        check_collection(collection)?;
        let skip = collection.len() + 1;
        self.records
            .scan_prefix(keys::record(collection, prefix))
            .map(|kv| {
                let (k, v) = kv.map_err(backend)?;
                Ok((String::from_utf8_lossy(&k[skip..]).into_owned(), v.to_vec()))
            })
            .collect()
    }

    fn commit(&self, w: ConsolidationWrite) -> StoreResult<u64> {
        for op in &w.records {
            match op {
                RecordOp::Put { collection, .. } | RecordOp::Delete { collection, .. } => {
                    check_collection(collection)?
                }
            }
        }
        let trees = [
            &self.records,
            &self.rows,
            &self.secondary,
            &self.row_feed,
            &self.row_feed_by_doc,
            &self.meta,
        ];
        let result = trees[..].transaction(|t| {
            let (records, rows, secondary, row_feed, row_feed_by_doc, meta) =
                (&t[0], &t[1], &t[2], &t[3], &t[4], &t[5]);
            for op in &w.records {
                match op {
                    RecordOp::Put {
                        collection,
                        key,
                        value,
                    } => {
                        records.insert(keys::record(collection, key), value.as_slice())?;
                    }
                    RecordOp::Delete { collection, key } => {
                        records.remove(keys::record(collection, key))?;
                    }
                }
            }
            let mut seq = meta
                .get(keys::META_ROW_FEED_SEQ)?
                .map(|v| keys::feed_seq(&v))
                .unwrap_or(0);
            let mut last = 0;
            for patch in &w.rows {
                let key = keys::doc(patch.id);
                let Some(DocRow::Contribution(mut row)) = rows
                    .get(key)?
                    .map(|v| decode::<DocRow>("rows", &v))
                    .transpose()
                    .map_err(ConflictableTransactionError::Abort)?
                else {
                    return Err(ConflictableTransactionError::Abort(StoreError::Corrupt {
                        tree: "rows",
                        problem: "patch of a row that is not a contribution".into(),
                    }));
                };
                for k in keys::secondary_keys(&row) {
                    secondary.remove(k)?;
                }
                apply_patch(&mut row, patch);
                for k in keys::secondary_keys(&row) {
                    secondary.insert(k, &[])?;
                }
                rows.insert(&key, encode(&DocRow::Contribution(row)))?;
                seq += 1;
                if let Some(prev) = row_feed_by_doc.insert(&key, &keys::feed(seq))? {
                    row_feed.remove(prev)?;
                }
                row_feed.insert(&keys::feed(seq), &key)?;
                last = seq;
            }
            meta.insert(keys::META_ROW_FEED_SEQ, &keys::feed(seq))?;
            Ok(last)
        });
        result.map_err(|e| match e {
            TransactionError::Abort(e) => e,
            TransactionError::Storage(e) => backend(e),
        })
    }

    fn row_feed_since(&self, after: u64, limit: usize) -> StoreResult<Vec<(u64, Uuid)>> {
        feed_range(&self.row_feed, "row_feed", after, limit)
    }

    fn last_row_seq(&self) -> StoreResult<u64> {
        Ok(self
            .meta
            .get(keys::META_ROW_FEED_SEQ)
            .map_err(backend)?
            .map(|v| keys::feed_seq(&v))
            .unwrap_or(0))
    }

    fn get_meta(&self, key: &str) -> StoreResult<Option<Vec<u8>>> {
        Ok(self
            .meta
            .get(key.as_bytes())
            .map_err(backend)?
            .map(|v| v.to_vec()))
    }

    fn put_meta(&self, key: &str, value: &[u8]) -> StoreResult<()> {
        self.meta.insert(key.as_bytes(), value).map_err(backend)?;
        Ok(())
    }

    fn flush(&self) -> StoreResult<()> {
        self.db.flush().map_err(backend)?;
        Ok(())
    }
}

/// Entries of a feed tree after `after`, oldest first.
fn feed_range(
    tree: &sled::Tree,
    name: &'static str,
    after: u64,
    limit: usize,
) -> StoreResult<Vec<(u64, Uuid)>> {
    let mut out = Vec::new();
    for kv in tree
        .range(keys::feed(after.saturating_add(1))..)
        .take(limit)
    {
        let (k, v) = kv.map_err(backend)?;
        let id = Uuid::from_slice(&v).map_err(|e| StoreError::Corrupt {
            tree: name,
            problem: e.to_string(),
        })?;
        out.push((keys::feed_seq(&k), id));
    }
    Ok(out)
}
