//! Retention of residents' contact details (DOMAIN.md, RGPD): they are
//! erased once the contribution has been closed (or set aside as a
//! duplicate or off topic) for longer than the configured delay. Each
//! erasure is audited in the name of `@server`. Erasure on request is the
//! officer's `DELETE /api/v1/contributions/{id}/contact`.

use crate::store::{AuditEntry, DocRow, Store, StoreResult};
use crate::sync::SERVER_USER;
use chrono::{DateTime, Duration, Utc};
use porte_voix_shared::Status;

/// Statuses after which nobody will answer the resident any more.
const FINISHED: &[Status] = &[Status::Closed, Status::Duplicate, Status::OffTopic];

/// Erases the contact details whose contribution is finished and has not
/// changed for `delay`. Returns how many were erased.
pub fn purge_expired_contacts(
    store: &dyn Store,
    now: DateTime<Utc>,
    delay: Duration,
) -> StoreResult<usize> {
    let mut erased = 0;
    for id in store.contact_ids()? {
        let expired = match store.get_row(id)? {
            Some(DocRow::Contribution(row)) => {
                FINISHED.contains(&row.status) && row.updated_at + delay <= now
            }
            // A contact whose contribution vanished has nothing to be kept for.
            None => true,
            Some(DocRow::Outing(_)) => true,
        };
        if expired && store.delete_contact(id)? {
            store.append_audit(&AuditEntry {
                at: now,
                user_id: SERVER_USER.into(),
                action: "retention_erase_contact".into(),
                target: id.to_string(),
            })?;
            erased += 1;
        }
    }
    if erased > 0 {
        store.flush()?;
        tracing::info!(erased, "contact details past their retention erased");
    }
    Ok(erased)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Contact, ContributionRow, DocWrite, MemoryStore};
    use porte_voix_shared::ContributionKind;
    use uuid::Uuid;

    fn contribution(store: &MemoryStore, status: Status, days_ago: i64) -> Uuid {
        let id = Uuid::new_v4();
        let t = Utc::now() - Duration::days(days_ago);
        let row = ContributionRow {
            id,
            campaign: "c".into(),
            author: "a".into(),
            created_at: t,
            updated_at: t,
            kind: ContributionKind::Concern,
            status,
            themes: vec![],
            commune: None,
            arrondissement: None,
            near_border: false,
            outside: true,
            outing: None,
            topic: None,
            assignee: None,
        };
        store
            .put_doc(DocWrite {
                id,
                bytes: vec![],
                row: DocRow::Contribution(row),
                bind_actors: vec![],
            })
            .unwrap();
        store
            .put_contact(&Contact {
                contribution_id: id,
                name: Some("N".into()),
                phone: Some("06".into()),
                email: None,
                received_at: t,
                sent_by: "a".into(),
            })
            .unwrap();
        id
    }

    #[test]
    fn only_finished_contributions_past_the_delay_lose_their_contact_details() {
        let store = MemoryStore::new();
        let old_closed = contribution(&store, Status::Closed, 100);
        let old_duplicate = contribution(&store, Status::Duplicate, 100);
        let recent_closed = contribution(&store, Status::Closed, 10);
        let old_open = contribution(&store, Status::Forwarded, 400);
        let erased = purge_expired_contacts(&store, Utc::now(), Duration::days(90)).unwrap();
        assert_eq!(erased, 2);
        for (id, kept) in [
            (old_closed, false),
            (old_duplicate, false),
            (recent_closed, true),
            (old_open, true),
        ] {
            assert_eq!(store.get_contact(id).unwrap().is_some(), kept, "{id}");
        }
        let audit = store.list_audit().unwrap();
        assert_eq!(audit.len(), 2);
        assert!(audit
            .iter()
            .all(|a| a.action == "retention_erase_contact" && a.user_id == SERVER_USER));
        assert_eq!(
            purge_expired_contacts(&store, Utc::now(), Duration::days(90)).unwrap(),
            0
        );
    }
}
