//! Who may read and write what: the permission table of DESIGN.md as two
//! pure functions. The server computes which top-level fields an incoming
//! batch of Automerge changes touched and asks `may_write`; every list,
//! read and sync reply goes through `may_read`.
//!
//! This module must never look at anything but its arguments: it is the
//! single place where the permission table lives, and it is unit-tested
//! role by role and field by field.

use crate::domain::{CommuneCode, Role};
use crate::schema::{Contribution, Document, Outing};
use std::collections::BTreeSet;

/// The authenticated user, as the policy sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: String,
    pub role: Role,
    /// For commune accounts: the commune or Lyon arrondissement they serve.
    pub commune: Option<CommuneCode>,
}

/// Why a write is refused. Messages go back to the phone and to logs: they
/// name fields and rules, never content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{0} accounts cannot write through sync")]
    ReadOnlyRole(&'static str),
    #[error("this document belongs to another user")]
    NotYours,
    #[error("a new document must name its author as the sending user")]
    WrongAuthor,
    #[error("a new outing must list its creator in the team")]
    NotInTeam,
    #[error("the document type cannot change")]
    TypeChanged,
    #[error("{role} accounts may not write `{field}`")]
    Field { role: &'static str, field: String },
}

/// What the server knows about one incoming write.
#[derive(Debug, Clone, Copy)]
pub struct WriteCheck<'a> {
    pub principal: &'a Principal,
    /// The stored document before the changes; `None` when it is new.
    pub before: Option<&'a Document>,
    /// The document with the changes applied.
    pub after: &'a Document,
    /// Top-level fields whose value the changes created, changed or deleted.
    pub touched: &'a BTreeSet<String>,
}

/// Fields fixed at creation: nobody changes them afterwards.
const IDENTITY: &[&str] = &["id", "type", "schema", "author", "created_at"];
/// Fields only the server writes.
const SERVER_ONLY: &[&str] = &["geo"];
/// What a volunteer may write in their own contribution.
const CONTRIBUTION_CONTENT: &[&str] = &[
    "campaign",
    "outing",
    "kind",
    "themes",
    "text",
    "location",
    "declared_commune",
    "respondent",
    "consent",
];
/// What a team member may write in an existing outing.
const OUTING_TEAM: &[&str] = &["doors"];

/// May `check.principal` make the changes described by `check`?
pub fn may_write(check: WriteCheck<'_>) -> Result<(), Refusal> {
    let p = check.principal;
    if let Some(before) = check.before {
        if before.doc_type() != check.after.doc_type() {
            return Err(Refusal::TypeChanged);
        }
    }
    let role = p.role.code();
    let creating = check.before.is_none();
    let forbid = |allowed: &dyn Fn(&str) -> bool| -> Result<(), Refusal> {
        match check.touched.iter().find(|f| !allowed(f)) {
            Some(field) => Err(Refusal::Field {
                role,
                field: crate::schema::field_label(field).to_owned(),
            }),
            None => Ok(()),
        }
    };
    match (p.role, check.after) {
        (crate::Role::Commune | crate::Role::Admin, _) => Err(Refusal::ReadOnlyRole(role)),
        (crate::Role::Volunteer, Document::Contribution(after)) => {
            let owner = match check.before {
                Some(Document::Contribution(before)) => &before.author,
                _ => &after.author,
            };
            if owner != &p.user_id {
                return Err(if creating {
                    Refusal::WrongAuthor
                } else {
                    Refusal::NotYours
                });
            }
            forbid(&|f| CONTRIBUTION_CONTENT.contains(&f) || (creating && IDENTITY.contains(&f)))
        }
        (crate::Role::Volunteer, Document::Outing(after)) => {
            let team = match check.before {
                Some(Document::Outing(before)) => &before.team,
                _ => &after.team,
            };
            if !team.contains(&p.user_id) {
                return Err(if creating {
                    Refusal::NotInTeam
                } else {
                    Refusal::NotYours
                });
            }
            if creating {
                forbid(&|f| !SERVER_ONLY.contains(&f))
            } else {
                forbid(&|f| OUTING_TEAM.contains(&f))
            }
        }
        (crate::Role::Officer, Document::Contribution(after)) => {
            if creating && after.author != p.user_id {
                return Err(Refusal::WrongAuthor);
            }
            forbid(&|f| !SERVER_ONLY.contains(&f) && (creating || !IDENTITY.contains(&f)))
        }
        (crate::Role::Officer, Document::Outing(_)) => {
            forbid(&|f| !SERVER_ONLY.contains(&f) && (creating || !IDENTITY.contains(&f)))
        }
    }
}

/// May `p` read this document (and so see it in lists, exports, statistics
/// and sync replies)?
pub fn may_read(p: &Principal, doc: &Document) -> bool {
    match doc {
        Document::Contribution(c) => may_read_contribution(p, c),
        Document::Outing(o) => may_read_outing(p, o),
    }
}

/// Whether a role reads every field of every document it may read, and so
/// may receive a document's Automerge bytes: those carry every field and
/// every past value, and cannot be filtered field by field. Communes read
/// contributions without their author, through REST only; admins read none.
pub fn reads_whole_documents(role: Role) -> bool {
    matches!(role, Role::Volunteer | Role::Officer)
}

/// Contribution read rule, usable on the index row's fields too.
pub fn may_read_contribution(p: &Principal, c: &Contribution) -> bool {
    let geo = c.geo.as_ref();
    may_read_contribution_fields(
        p,
        &c.author,
        geo.and_then(|g| g.commune.as_ref()),
        geo.and_then(|g| g.arrondissement.as_ref()),
    )
}

/// The contribution read rule over the few fields it needs, so that the
/// query index can apply it without loading documents.
pub fn may_read_contribution_fields(
    p: &Principal,
    author: &str,
    commune: Option<&CommuneCode>,
    arrondissement: Option<&CommuneCode>,
) -> bool {
    match p.role {
        Role::Officer => true,
        Role::Volunteer => author == p.user_id,
        Role::Commune => match &p.commune {
            Some(mine) => commune == Some(mine) || arrondissement == Some(mine),
            None => false,
        },
        Role::Admin => false,
    }
}

fn may_read_outing(p: &Principal, o: &Outing) -> bool {
    may_read_outing_team(p, &o.team)
}

/// The outing read rule over its team, for the index rows.
pub fn may_read_outing_team(p: &Principal, team: &[String]) -> bool {
    match p.role {
        Role::Officer => true,
        Role::Volunteer => team.contains(&p.user_id),
        Role::Commune | Role::Admin => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Geo, Review};
    use crate::{ContributionKind, Status};
    use chrono::Utc;
    use uuid::Uuid;

    fn principal(role: Role, id: &str) -> Principal {
        Principal {
            user_id: id.into(),
            role,
            commune: (role == Role::Commune).then(|| CommuneCode::parse(id).unwrap()),
        }
    }

    fn contribution(author: &str) -> Document {
        Document::Contribution(Contribution {
            id: Uuid::nil(),
            campaign: "c".into(),
            outing: None,
            created_at: Utc::now(),
            author: author.into(),
            kind: ContributionKind::Proposal,
            themes: vec![],
            text: "t".into(),
            location: None,
            declared_commune: None,
            respondent: None,
            consent: Default::default(),
            geo: Some(Geo {
                commune: Some(CommuneCode::parse("69123").unwrap()),
                commune_name: Some("Lyon".into()),
                arrondissement: Some(CommuneCode::parse("69383").unwrap()),
                arrondissement_name: None,
                near_border: false,
                outside: false,
                computed_at: None,
            }),
            review: None,
            follow_up: vec![],
            comments: vec![],
        })
    }

    fn outing(team: &[&str]) -> Document {
        Document::Outing(Outing {
            id: Uuid::nil(),
            campaign: "c".into(),
            date: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
            place: "p".into(),
            team: team.iter().map(|s| s.to_string()).collect(),
            doors: Default::default(),
        })
    }

    fn touched(fields: &[&str]) -> BTreeSet<String> {
        fields.iter().map(|s| s.to_string()).collect()
    }

    fn check(
        p: &Principal,
        before: Option<&Document>,
        after: &Document,
        fields: &[&str],
    ) -> Result<(), Refusal> {
        may_write(WriteCheck {
            principal: p,
            before,
            after,
            touched: &touched(fields),
        })
    }

    const ALL_CONTRIBUTION_FIELDS: &[&str] = crate::schema::CONTRIBUTION_FIELDS;

    /// The permission table for an existing contribution, field by field.
    #[test]
    fn each_role_may_update_exactly_its_contribution_fields() {
        let doc = contribution("vol");
        let volunteer_may = CONTRIBUTION_CONTENT;
        let officer_may_not = ["id", "type", "schema", "author", "created_at", "geo"];
        for field in ALL_CONTRIBUTION_FIELDS {
            let vol = check(
                &principal(Role::Volunteer, "vol"),
                Some(&doc),
                &doc,
                &[field],
            );
            assert_eq!(
                vol.is_ok(),
                volunteer_may.contains(field),
                "volunteer {field}: {vol:?}"
            );
            let off = check(&principal(Role::Officer, "off"), Some(&doc), &doc, &[field]);
            assert_eq!(
                off.is_ok(),
                !officer_may_not.contains(field),
                "officer {field}: {off:?}"
            );
            for role in [Role::Commune, Role::Admin] {
                let p = principal(
                    role,
                    if role == Role::Commune {
                        "69383"
                    } else {
                        "adm"
                    },
                );
                assert!(
                    check(&p, Some(&doc), &doc, &[field]).is_err(),
                    "{role} {field}"
                );
            }
        }
    }

    #[test]
    fn a_volunteer_creates_only_in_their_own_name_and_never_review_or_geo() {
        let mine = contribution("vol");
        let creation = [
            "id",
            "type",
            "schema",
            "author",
            "created_at",
            "text",
            "kind",
            "themes",
        ];
        assert_eq!(
            check(&principal(Role::Volunteer, "vol"), None, &mine, &creation),
            Ok(())
        );
        assert_eq!(
            check(&principal(Role::Volunteer, "other"), None, &mine, &creation),
            Err(Refusal::WrongAuthor)
        );
        for extra in ["review", "geo", "follow_up", "comments"] {
            let mut fields = creation.to_vec();
            fields.push(extra);
            assert!(
                check(&principal(Role::Volunteer, "vol"), None, &mine, &fields).is_err(),
                "{extra}"
            );
        }
    }

    #[test]
    fn a_volunteer_cannot_touch_another_volunteers_contribution() {
        let theirs = contribution("other");
        assert_eq!(
            check(
                &principal(Role::Volunteer, "vol"),
                Some(&theirs),
                &theirs,
                &["text"]
            ),
            Err(Refusal::NotYours)
        );
    }

    #[test]
    fn nobody_changes_the_document_type() {
        let c = contribution("vol");
        let o = outing(&["vol"]);
        assert_eq!(
            check(&principal(Role::Officer, "off"), Some(&c), &o, &["team"]),
            Err(Refusal::TypeChanged)
        );
    }

    #[test]
    fn team_members_write_doors_only_and_outsiders_nothing() {
        let o = outing(&["a", "b"]);
        let a = principal(Role::Volunteer, "a");
        assert_eq!(check(&a, Some(&o), &o, &["doors"]), Ok(()));
        for field in ["team", "place", "date", "campaign", "id"] {
            assert!(check(&a, Some(&o), &o, &[field]).is_err(), "{field}");
        }
        let c = principal(Role::Volunteer, "c");
        assert_eq!(check(&c, Some(&o), &o, &["doors"]), Err(Refusal::NotYours));
        assert_eq!(
            check(&principal(Role::Officer, "off"), Some(&o), &o, &["team"]),
            Ok(())
        );
    }

    #[test]
    fn a_volunteer_creates_an_outing_only_with_themself_in_the_team() {
        let o = outing(&["a"]);
        let fields = ["id", "type", "schema", "campaign", "date", "place", "team"];
        assert_eq!(
            check(&principal(Role::Volunteer, "a"), None, &o, &fields),
            Ok(())
        );
        assert_eq!(
            check(&principal(Role::Volunteer, "z"), None, &o, &fields),
            Err(Refusal::NotInTeam)
        );
    }

    #[test]
    fn reads_follow_role_and_territory() {
        let c = contribution("vol"); // in Lyon 3e (69383), commune 69123
        assert!(may_read(&principal(Role::Officer, "off"), &c));
        assert!(may_read(&principal(Role::Volunteer, "vol"), &c));
        assert!(!may_read(&principal(Role::Volunteer, "other"), &c));
        assert!(
            may_read(&principal(Role::Commune, "69383"), &c),
            "its arrondissement"
        );
        assert!(
            may_read(&principal(Role::Commune, "69123"), &c),
            "Lyon sees its arrondissements"
        );
        assert!(
            !may_read(&principal(Role::Commune, "69381"), &c),
            "another arrondissement"
        );
        assert!(
            !may_read(&principal(Role::Commune, "69266"), &c),
            "another commune"
        );
        assert!(!may_read(&principal(Role::Admin, "adm"), &c));
        let o = outing(&["vol"]);
        assert!(may_read(&principal(Role::Volunteer, "vol"), &o));
        assert!(!may_read(&principal(Role::Volunteer, "other"), &o));
        assert!(!may_read(&principal(Role::Commune, "69383"), &o));
    }

    #[test]
    fn status_defaults_to_new_until_reviewed() {
        let Document::Contribution(mut c) = contribution("v") else {
            unreachable!()
        };
        assert_eq!(c.status(), Status::New);
        c.review = Some(Review {
            status: Status::Forwarded,
            themes: vec![],
            tags: vec![],
            merged_into: None,
            notes: String::new(),
        });
        assert_eq!(c.status(), Status::Forwarded);
    }
}
