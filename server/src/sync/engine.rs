//! The sync engine: applies a phone's changes to the stored documents under
//! the policy, validates, geotags, stores, and computes what the phone
//! lacks. HTTP-free, so that tests, the demo and the benchmark floor call it
//! directly.
//!
//! Never logs document content: only ids, statuses and reasons.

use super::protocol::*;
use crate::document::{self, heads_hex, parse_heads};
use crate::store::{Contact, ContributionRow, DocRow, DocWrite, OutingRow, Store, StoreError};
use crate::territory::{Placement, Territory};
use automerge::{ActorId, Automerge, ReadDoc};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use chrono::Utc;
use porte_voix_shared::policy::{
    may_read_contribution_fields, may_read_outing_team, reads_whole_documents,
};
use porte_voix_shared::schema::Geo;
use porte_voix_shared::{may_write, Document, Principal, Role, WriteCheck};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// Most documents in one request.
pub const MAX_DOCUMENTS: usize = 500;
/// Largest request body.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// Largest `changes` of one document, decoded.
pub const MAX_CHANGES_BYTES: usize = 2 * 1024 * 1024;
/// Largest stored document.
pub const MAX_DOC_BYTES: usize = 4 * 1024 * 1024;
/// Most `updates` in one reply (the phone syncs again when `more`).
pub const MAX_UPDATES: usize = 200;

/// The user id the server's own actor is bound to.
pub const SERVER_USER: &str = "@server";

const LOCK_STRIPES: usize = 64;

/// Shared by every request.
pub struct SyncEngine {
    store: Arc<dyn Store>,
    territory: Arc<Territory>,
    server_actor: ActorId,
    /// One writer at a time per document (load → apply → store), striped.
    locks: Vec<Mutex<()>>,
    /// Serialises the creation of users' server-side actors.
    user_actors: Mutex<()>,
}

/// What processing one document produced.
struct Processed {
    out: DocumentOut,
    write: Option<DocWrite>,
}

fn refuse(id: Uuid, status: DocStatus, reason: impl Into<String>) -> Processed {
    Processed {
        out: DocumentOut {
            id,
            status,
            reason: Some(reason.into()),
            heads: vec![],
            changes: None,
        },
        write: None,
    }
}

impl SyncEngine {
    pub fn new(store: Arc<dyn Store>, territory: Arc<Territory>, server_actor: ActorId) -> Self {
        Self {
            store,
            territory,
            server_actor,
            locks: (0..LOCK_STRIPES).map(|_| Mutex::new(())).collect(),
            user_actors: Mutex::new(()),
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Runs `f` holding the lock of document `id`.
    pub fn with_doc_lock<T>(&self, id: Uuid, f: impl FnOnce() -> T) -> T {
        let stripe = (id.as_u128() % LOCK_STRIPES as u128) as usize;
        let _guard = self.locks[stripe].lock().unwrap_or_else(|p| p.into_inner());
        f()
    }

    /// Handles one sync batch. Every `ok` in the reply is durable: the store
    /// is flushed before this returns.
    pub fn sync(&self, p: &Principal, req: &SyncRequest) -> Result<SyncResponse, StoreError> {
        let mut documents = Vec::with_capacity(req.documents.len());
        let mut seen = HashSet::new();
        for d in &req.documents {
            if !seen.insert(d.id) {
                documents.push(
                    refuse(
                        d.id,
                        DocStatus::Invalid,
                        "document listed twice in one request",
                    )
                    .out,
                );
                continue;
            }
            let out = self.with_doc_lock(d.id, || -> Result<DocumentOut, StoreError> {
                let processed = self.process(p, d)?;
                if let Some(write) = processed.write {
                    match self.store.put_doc(write) {
                        Ok(_) => {}
                        Err(StoreError::ActorTaken { .. }) => {
                            return Ok(refuse(
                                d.id,
                                DocStatus::Forbidden,
                                "changes signed by an actor of another user",
                            )
                            .out)
                        }
                        Err(e) => return Err(e),
                    }
                }
                Ok(processed.out)
            })?;
            tracing::debug!(doc = %d.id, status = ?out.status, "sync document");
            documents.push(out);
        }
        let contacts = req
            .contacts
            .iter()
            .map(|c| self.store_contact(p, c))
            .collect::<Result<Vec<_>, _>>()?;
        self.store.flush()?;
        let cursor = req
            .cursor
            .as_deref()
            .and_then(|c| c.parse::<u64>().ok())
            .unwrap_or(0);
        let (updates, cursor, more) = self.updates_since(p, cursor, &seen)?;
        Ok(SyncResponse {
            protocol: PROTOCOL_VERSION,
            documents,
            updates,
            contacts,
            cursor: cursor.to_string(),
            more,
        })
    }

    fn process(&self, p: &Principal, d: &DocumentIn) -> Result<Processed, StoreError> {
        let stored = self.store.get_doc(d.id)?;
        let mut doc = match &stored {
            Some(bytes) => Automerge::load(bytes).map_err(|e| StoreError::Corrupt {
                tree: "docs",
                problem: format!("{}: {e}", d.id),
            })?,
            None => Automerge::new(),
        };
        if stored.is_some() {
            // The read rule and the type come from the index row, so that a
            // heads-only entry (most of a phone's batch) costs no parsing.
            let (readable, doc_type) = match self.store.get_row(d.id)? {
                Some(row) => (self.row_readable(p, &row), row.doc_type()),
                None => (false, d.doc_type),
            };
            if !readable {
                return Ok(refuse(
                    d.id,
                    DocStatus::Forbidden,
                    "this document belongs to another user",
                ));
            }
            if doc_type != d.doc_type {
                return Ok(refuse(
                    d.id,
                    DocStatus::Invalid,
                    "the document type does not match the stored one",
                ));
            }
        }
        let before_doc = match (&stored, &d.changes) {
            (Some(_), Some(_)) => match Document::parse(d.id, &document::to_json(&doc)) {
                Ok(before) => Some(before),
                Err(_) => {
                    // Stored before today's limits (e.g. nested deeper than
                    // the projection follows): refuse this document, not the
                    // whole batch, and keep the stored bytes as they are.
                    tracing::warn!(doc = %d.id, "stored document no longer fits the schema");
                    return Ok(refuse(
                        d.id,
                        DocStatus::Invalid,
                        "the stored document no longer fits the schema: the officer must look at it",
                    ));
                }
            },
            _ => None,
        };
        let before_heads = doc.get_heads();
        if let Some(changes) = &d.changes {
            if changes.len() > MAX_CHANGES_BYTES * 4 / 3 + 4 {
                return Ok(refuse(
                    d.id,
                    DocStatus::TooLarge,
                    format!("changes over {MAX_CHANGES_BYTES} bytes"),
                ));
            }
            let Ok(bytes) = B64.decode(changes) else {
                return Ok(refuse(d.id, DocStatus::Invalid, "changes are not base64"));
            };
            if doc.load_incremental(&bytes).is_err() {
                // automerge's message is not ours to forward: keep it generic.
                return Ok(refuse(
                    d.id,
                    DocStatus::Invalid,
                    "changes are not Automerge changes",
                ));
            }
            if !doc.get_missing_deps(&[]).is_empty() {
                return Ok(refuse(
                    d.id,
                    DocStatus::Unknown,
                    "changes depend on history the server lacks: send the whole document",
                ));
            }
        } else if stored.is_none() {
            return Ok(refuse(
                d.id,
                DocStatus::Unknown,
                "the server has no such document: send the whole document",
            ));
        }
        if doc.get_heads().is_empty() {
            // Nothing to store (`changes` empty, or the save of an empty
            // document): `ok` promises a stored document with heads.
            return Ok(refuse(
                d.id,
                DocStatus::Invalid,
                "changes hold no change: a new document needs its content",
            ));
        }
        let mut write = None;
        if doc.get_heads() != before_heads {
            match self.check_changes(p, d, &mut doc, &before_heads, before_doc.as_ref())? {
                Ok(w) => write = Some(w),
                Err(refusal) => return Ok(refusal),
            }
        }
        Ok(Processed {
            out: DocumentOut {
                id: d.id,
                status: DocStatus::Ok,
                reason: None,
                heads: heads_hex(&doc.get_heads()),
                changes: missing_for_phone(&doc, &d.heads),
            },
            write,
        })
    }

    /// Applies the policy, the schema and geotagging to a document that
    /// received new changes. `Err(refusal)` when it must not be stored.
    fn check_changes(
        &self,
        p: &Principal,
        d: &DocumentIn,
        doc: &mut Automerge,
        before_heads: &[automerge::ChangeHash],
        before: Option<&Document>,
    ) -> Result<Result<DocWrite, Processed>, StoreError> {
        let mut bind = Vec::new();
        for actor in document::new_actors(doc, before_heads) {
            match self.store.actor_owner(&actor)? {
                Some(owner) if owner != p.user_id => {
                    return Ok(Err(refuse(
                        d.id,
                        DocStatus::Forbidden,
                        "changes signed by an actor of another user",
                    )))
                }
                Some(_) => {}
                None => bind.push((actor, p.user_id.clone())),
            }
        }
        let after_heads = doc.get_heads();
        let touched = document::touched_fields(doc, before_heads, &after_heads);
        let projected = match document::project(doc) {
            Ok(v) => v,
            Err(e) => return Ok(Err(refuse(d.id, DocStatus::Invalid, e.to_string()))),
        };
        let after = match Document::parse(d.id, &projected) {
            Ok(after) => after,
            Err(e) => {
                // A forbidden change is refused as such even when it also
                // breaks the schema: judge it against the stored document.
                if let Some(before) = before {
                    let check = WriteCheck {
                        principal: p,
                        before: Some(before),
                        after: before,
                        touched: &touched,
                    };
                    if let Err(refusal) = may_write(check) {
                        return Ok(Err(refuse(d.id, DocStatus::Forbidden, refusal.to_string())));
                    }
                }
                return Ok(Err(refuse(d.id, DocStatus::Invalid, e.to_string())));
            }
        };
        if after.doc_type() != d.doc_type {
            return Ok(Err(refuse(
                d.id,
                DocStatus::Invalid,
                "`type` does not match the request",
            )));
        }
        if let Err(refusal) = may_write(WriteCheck {
            principal: p,
            before,
            after: &after,
            touched: &touched,
        }) {
            return Ok(Err(refuse(d.id, DocStatus::Forbidden, refusal.to_string())));
        }
        let after = match after {
            Document::Contribution(c) => {
                let geo = self.geo_for(&c);
                if c.geo.as_ref() != Some(&geo) {
                    let wrote = document::write_geo(doc, &self.server_actor, c.geo.as_ref(), &geo)
                        .map_err(am_error)?;
                    if wrote {
                        bind.push((self.server_actor.to_hex_string(), SERVER_USER.to_owned()));
                    }
                }
                Document::Contribution(porte_voix_shared::Contribution {
                    geo: Some(geo),
                    ..c
                })
            }
            outing => outing,
        };
        let bytes = doc.save();
        if bytes.len() > MAX_DOC_BYTES {
            return Ok(Err(refuse(
                d.id,
                DocStatus::TooLarge,
                format!("document over {MAX_DOC_BYTES} bytes"),
            )));
        }
        Ok(Ok(DocWrite {
            id: d.id,
            bytes,
            row: row_for(&after),
            bind_actors: bind,
        }))
    }

    /// The placement of a contribution, as the server stores it. The time
    /// is kept from the current `geo` when nothing else changed, so that a
    /// replay writes nothing.
    pub fn geo_for(&self, c: &porte_voix_shared::Contribution) -> Geo {
        let placement = match &c.location {
            Some(loc) => self
                .territory
                .place(loc.lat, loc.lon, c.declared_commune.as_ref()),
            None => c
                .declared_commune
                .as_ref()
                .and_then(|code| self.territory.place_in(code))
                .unwrap_or_else(Placement::outside),
        };
        let mut geo = placement.into_geo();
        geo.computed_at = match &c.geo {
            Some(old)
                if Geo {
                    computed_at: None,
                    ..old.clone()
                } == geo =>
            {
                old.computed_at
            }
            _ => Some(Utc::now()),
        };
        geo
    }

    fn store_contact(&self, p: &Principal, c: &ContactIn) -> Result<ContactOut, StoreError> {
        let out = |status, reason: Option<&str>| ContactOut {
            contribution_id: c.contribution_id,
            status,
            reason: reason.map(String::from),
        };
        let clean = |v: &Option<String>, max: usize| -> Result<Option<String>, ()> {
            match v.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(s) if s.chars().count() <= max => Ok(Some(s.to_owned())),
                Some(_) => Err(()),
            }
        };
        let (Ok(name), Ok(phone), Ok(email)) = (
            clean(&c.name, 200),
            clean(&c.phone, 40),
            clean(&c.email, 200),
        ) else {
            return Ok(out(DocStatus::Invalid, Some("a contact field is too long")));
        };
        if phone.is_none() && email.is_none() {
            return Ok(out(
                DocStatus::Invalid,
                Some("a phone number or an e-mail address is needed"),
            ));
        }
        if email.as_deref().is_some_and(|e| !e.contains('@')) {
            return Ok(out(DocStatus::Invalid, Some("not an e-mail address")));
        }
        let Some(bytes) = self.store.get_doc(c.contribution_id)? else {
            return Ok(out(DocStatus::Unknown, Some("sync the contribution first")));
        };
        let doc = Automerge::load(&bytes).map_err(am_error)?;
        let consent = match Document::parse(c.contribution_id, &document::to_json(&doc)) {
            Ok(Document::Contribution(contribution)) => {
                if contribution.author != p.user_id && p.role != Role::Officer {
                    return Ok(out(DocStatus::Forbidden, Some("not your contribution")));
                }
                contribution.consent.contact
            }
            _ => return Ok(out(DocStatus::Forbidden, Some("not a contribution"))),
        };
        if !consent {
            return Ok(out(
                DocStatus::Forbidden,
                Some("the contribution records no consent to be contacted"),
            ));
        }
        self.store.put_contact(&Contact {
            contribution_id: c.contribution_id,
            name,
            phone,
            email,
            received_at: Utc::now(),
            sent_by: p.user_id.clone(),
        })?;
        Ok(out(DocStatus::Ok, None))
    }

    /// Readable documents changed after `cursor` that the request did not
    /// carry. Returns them, the new cursor and whether more are waiting.
    fn updates_since(
        &self,
        p: &Principal,
        cursor: u64,
        skip: &HashSet<Uuid>,
    ) -> Result<(Vec<UpdateOut>, u64, bool), StoreError> {
        let mut updates = Vec::new();
        let mut last = cursor;
        loop {
            let batch = self.store.feed_since(last, 1000)?;
            if batch.is_empty() {
                return Ok((updates, last.max(cursor), false));
            }
            for (seq, id) in batch {
                if updates.len() >= MAX_UPDATES {
                    return Ok((updates, last, true));
                }
                last = seq;
                if skip.contains(&id) {
                    continue;
                }
                let Some(row) = self.store.get_row(id)? else {
                    continue;
                };
                if !self.row_readable(p, &row) {
                    continue;
                }
                let Some(bytes) = self.store.get_doc(id)? else {
                    continue;
                };
                let doc = Automerge::load(&bytes).map_err(am_error)?;
                let doc_type = row.doc_type();
                updates.push(UpdateOut {
                    id,
                    doc_type,
                    heads: heads_hex(&doc.get_heads()),
                    changes: B64.encode(&bytes),
                });
            }
        }
    }

    /// Whether `p` may receive this document's bytes through sync: the
    /// read rule, and a role that reads every field (`reads_whole_documents`).
    fn row_readable(&self, p: &Principal, row: &DocRow) -> bool {
        if !reads_whole_documents(p.role) {
            return false;
        }
        match row {
            DocRow::Contribution(r) => row_visible(p, r),
            DocRow::Outing(o) => may_read_outing_team(p, &o.team),
        }
    }

    /// Stores a document the server itself changed (officer review, comment,
    /// demo data), under the document's lock, and flushes.
    pub fn store_server_write(
        &self,
        id: Uuid,
        doc: &Automerge,
        actor: (&ActorId, &str),
    ) -> Result<Document, StoreError> {
        let parsed =
            Document::parse(id, &document::to_json(doc)).map_err(|e| StoreError::Corrupt {
                tree: "docs",
                problem: format!("server write breaks the schema: {e}"),
            })?;
        self.store.put_doc(DocWrite {
            id,
            bytes: doc.save(),
            row: row_for(&parsed),
            bind_actors: vec![(actor.0.to_hex_string(), actor.1.to_owned())],
        })?;
        self.store.flush()?;
        Ok(parsed)
    }

    /// The actor the server signs `user_id`'s REST writes (review, comment)
    /// with. Random, made at the user's first such write and kept in the
    /// store: nothing public lets a client predict it, and it is bound to
    /// the user by the first document that carries it, in the same store
    /// transaction — before any phone can see it.
    pub fn user_actor(&self, user_id: &str) -> Result<ActorId, StoreError> {
        let key = crate::store::keys::meta_user_actor(user_id);
        let _guard = self.user_actors.lock().unwrap_or_else(|p| p.into_inner());
        let bytes = crate::store::meta_or_init(self.store.as_ref(), &key, || {
            ActorId::random().to_bytes().to_vec()
        })?;
        Ok(ActorId::from(bytes.as_slice()))
    }

    /// Loads a stored document.
    pub fn load(&self, id: Uuid) -> Result<Option<Automerge>, StoreError> {
        self.store
            .get_doc(id)?
            .map(|bytes| Automerge::load(&bytes).map_err(am_error))
            .transpose()
    }
}

/// The contribution read rule over an index row.
pub fn row_visible(p: &Principal, r: &ContributionRow) -> bool {
    may_read_contribution_fields(p, &r.author, r.commune.as_ref(), r.arrondissement.as_ref())
}

/// What the phone lacks, given its heads (unknown heads are ignored).
fn missing_for_phone(doc: &Automerge, phone_heads: &[String]) -> Option<String> {
    let known: Vec<_> = parse_heads(phone_heads)
        .unwrap_or_default()
        .into_iter()
        .filter(|h| doc.get_change_meta_by_hash(h).is_some())
        .collect();
    if !known.is_empty() && known.iter().collect::<HashSet<_>>() == doc.get_heads().iter().collect()
    {
        return None;
    }
    let bytes = doc.save_after(&known);
    (!bytes.is_empty()).then(|| B64.encode(bytes))
}

/// The index row of a validated document.
pub fn row_for(doc: &Document) -> DocRow {
    match doc {
        Document::Contribution(c) => {
            let geo = c.geo.as_ref();
            DocRow::Contribution(ContributionRow {
                id: c.id,
                campaign: c.campaign.clone(),
                author: c.author.clone(),
                created_at: c.created_at,
                updated_at: Utc::now(),
                kind: c.kind,
                status: c.status(),
                themes: c.themes.clone(),
                commune: geo.and_then(|g| g.commune.clone()),
                arrondissement: geo.and_then(|g| g.arrondissement.clone()),
                near_border: geo.is_some_and(|g| g.near_border),
                outside: geo.is_none_or(|g| g.outside),
                outing: c.outing,
                topic: None,
                assignee: None,
            })
        }
        Document::Outing(o) => DocRow::Outing(OutingRow {
            id: o.id,
            campaign: o.campaign.clone(),
            date: o.date,
            team: o.team.clone(),
        }),
    }
}

fn am_error(e: automerge::AutomergeError) -> StoreError {
    StoreError::Corrupt {
        tree: "docs",
        problem: e.to_string(),
    }
}
