//! The review workflow: which status changes the officer may make, and
//! what each one needs.
//!
//! The chain is `new` → `qualified` → `forwarded` → `answered` → `closed`;
//! `duplicate` and `off_topic` are set aside. A contribution moves one step
//! forward along the chain, or one step back to correct a mistake; a `new`
//! or `qualified` one may be set aside; a set-aside or `closed` one may be
//! reopened to `qualified`. Keeping the same status is always allowed (the
//! officer edits themes, tags or notes), but its requirement still holds.
//! Anything else is refused.
//!
//! Requirements, checked against the review as it would be stored:
//! `forwarded` needs a forward recorded in the document (a `follow_up`
//! entry naming its recipient), `duplicate` needs `merged_into`,
//! `off_topic` needs a reason in `notes`.
//!
//! Messages name statuses (codes) and rules, never the notes or any other
//! user text.

use crate::domain::Status;
use crate::schema::FollowUp;
use uuid::Uuid;

/// What the rules look at besides the two statuses.
#[derive(Debug, Clone, Copy, Default)]
pub struct TransitionContext<'a> {
    /// The forwards already recorded in the document (`follow_up`).
    pub follow_up: &'a [FollowUp],
    /// The contribution this one would duplicate, as it would be stored.
    pub merged_into: Option<Uuid>,
    /// The review notes, as they would be stored.
    pub notes: &'a str,
}

/// Why a status change is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The change itself is not in the workflow.
    #[error("a contribution cannot go from `{from}` to `{to}`; from `{from}` it may go to {}", next_list(.from))]
    NotAllowed { from: Status, to: Status },
    /// `forwarded` without a recorded forward.
    #[error(
        "`forwarded` needs a forward recorded first: a `follow_up` entry naming its recipient"
    )]
    ForwardMissing,
    /// `duplicate` without the contribution it duplicates.
    #[error("`duplicate` needs `merged_into`: the contribution it duplicates")]
    MergedIntoMissing,
    /// `off_topic` without a reason.
    #[error("`off_topic` needs a reason in `notes`")]
    ReasonMissing,
}

fn next_list(from: &Status) -> String {
    let next: Vec<String> = allowed_next(*from)
        .iter()
        .map(|s| format!("`{s}`"))
        .collect();
    if next.is_empty() {
        "nothing else".into()
    } else {
        next.join(", ")
    }
}

/// Whether the workflow has the change `from` → `to` (requirements aside).
pub fn is_allowed(from: Status, to: Status) -> bool {
    use Status::*;
    from == to
        || matches!(
            (from, to),
            // One step forward along the chain.
            (New, Qualified) | (Qualified, Forwarded) | (Forwarded, Answered) | (Answered, Closed)
            // One step back, to correct a mistake.
            | (Qualified, New) | (Forwarded, Qualified) | (Answered, Forwarded) | (Closed, Answered)
            // Set aside before it is forwarded.
            | (New | Qualified, Duplicate | OffTopic)
            // Reopened.
            | (Duplicate | OffTopic | Closed, Qualified)
        )
}

/// The statuses a contribution in `from` may move to (not counting `from`
/// itself), in `Status::ALL` order: what the console offers.
pub fn allowed_next(from: Status) -> Vec<Status> {
    Status::ALL
        .iter()
        .copied()
        .filter(|to| *to != from && is_allowed(from, *to))
        .collect()
}

/// Checks a status change and the requirement of its target.
pub fn check_transition(
    from: Status,
    to: Status,
    ctx: &TransitionContext<'_>,
) -> Result<(), TransitionError> {
    if !is_allowed(from, to) {
        return Err(TransitionError::NotAllowed { from, to });
    }
    match to {
        Status::Forwarded if !ctx.follow_up.iter().any(|f| !f.to.trim().is_empty()) => {
            Err(TransitionError::ForwardMissing)
        }
        Status::Duplicate if ctx.merged_into.is_none() => Err(TransitionError::MergedIntoMissing),
        Status::OffTopic if ctx.notes.trim().is_empty() => Err(TransitionError::ReasonMissing),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    /// Rows: from; columns: to; both in `Status::ALL` order
    /// (new, qualified, forwarded, answered, closed, duplicate, off_topic).
    /// `=` same status, `Y` allowed, `.` refused.
    const EXPECTED: [&str; 7] = [
        "=Y...YY", // new
        "Y=Y..YY", // qualified
        ".Y=Y...", // forwarded
        "..Y=Y..", // answered
        ".Y.Y=..", // closed
        ".Y...=.", // duplicate
        ".Y....=", // off_topic
    ];

    const ORDER: [Status; 7] = [
        New, Qualified, Forwarded, Answered, Closed, Duplicate, OffTopic,
    ];

    fn expected(from: usize, to: usize) -> bool {
        match EXPECTED[from].as_bytes()[to] {
            b'=' => {
                assert_eq!(from, to, "`=` only on the diagonal");
                true
            }
            b'Y' => true,
            b'.' => false,
            other => panic!("bad table entry {}", other as char),
        }
    }

    fn forward() -> Vec<FollowUp> {
        vec![FollowUp {
            to: "Vice-présidence propreté".into(),
            sent_at: None,
            answer: None,
            answered_at: None,
        }]
    }

    /// The table is over exactly these statuses, in this order: a new
    /// status makes this test fail until the table has a row and a column
    /// for it.
    #[test]
    fn the_table_covers_every_status() {
        assert_eq!(Status::ALL, ORDER.as_slice());
        assert_eq!(EXPECTED.len(), Status::ALL.len());
        for row in EXPECTED {
            assert_eq!(row.len(), Status::ALL.len());
        }
    }

    /// Every (from, to) pair with every requirement met: allowed exactly
    /// where the table says so.
    #[test]
    fn every_pair_with_requirements_met_follows_the_table() {
        let follow_up = forward();
        let ctx = TransitionContext {
            follow_up: &follow_up,
            merged_into: Some(Uuid::nil()),
            notes: "hors périmètre du conseil",
        };
        for (i, from) in Status::ALL.iter().enumerate() {
            for (j, to) in Status::ALL.iter().enumerate() {
                let got = check_transition(*from, *to, &ctx);
                if expected(i, j) {
                    assert_eq!(got, Ok(()), "{from} -> {to}");
                } else {
                    assert_eq!(
                        got,
                        Err(TransitionError::NotAllowed {
                            from: *from,
                            to: *to
                        }),
                        "{from} -> {to}"
                    );
                }
                assert_eq!(is_allowed(*from, *to), expected(i, j), "{from} -> {to}");
            }
        }
    }

    /// Every (from, to) pair with nothing recorded: a refused change is
    /// refused as such; an allowed one fails on its target's requirement.
    #[test]
    fn every_pair_with_nothing_recorded_names_the_missing_requirement() {
        let ctx = TransitionContext::default();
        for (i, from) in Status::ALL.iter().enumerate() {
            for (j, to) in Status::ALL.iter().enumerate() {
                let want = if !expected(i, j) {
                    Err(TransitionError::NotAllowed {
                        from: *from,
                        to: *to,
                    })
                } else {
                    match to {
                        Forwarded => Err(TransitionError::ForwardMissing),
                        Duplicate => Err(TransitionError::MergedIntoMissing),
                        OffTopic => Err(TransitionError::ReasonMissing),
                        _ => Ok(()),
                    }
                };
                assert_eq!(check_transition(*from, *to, &ctx), want, "{from} -> {to}");
            }
        }
    }

    #[test]
    fn blank_notes_and_recipients_do_not_count() {
        let blank = vec![FollowUp {
            to: "  ".into(),
            ..forward().remove(0)
        }];
        let ctx = TransitionContext {
            follow_up: &blank,
            merged_into: None,
            notes: " \n\t",
        };
        assert_eq!(
            check_transition(Qualified, Forwarded, &ctx),
            Err(TransitionError::ForwardMissing)
        );
        assert_eq!(
            check_transition(Qualified, OffTopic, &ctx),
            Err(TransitionError::ReasonMissing)
        );
    }

    #[test]
    fn allowed_next_lists_the_table_rows_without_the_diagonal() {
        for (i, from) in Status::ALL.iter().enumerate() {
            let want: Vec<Status> = Status::ALL
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i && expected(i, *j))
                .map(|(_, s)| *s)
                .collect();
            assert_eq!(allowed_next(*from), want, "{from}");
        }
        assert_eq!(allowed_next(New), vec![Qualified, Duplicate, OffTopic]);
        assert_eq!(allowed_next(Closed), vec![Qualified, Answered]);
    }

    #[test]
    fn messages_name_statuses_and_rules_never_user_text() {
        let marker = "Jean Dupont 06 12 34 56 78";
        let follow_up = vec![FollowUp {
            to: marker.into(),
            ..forward().remove(0)
        }];
        let ctx = TransitionContext {
            follow_up: &follow_up,
            merged_into: None,
            notes: marker,
        };
        let refused = check_transition(New, Closed, &ctx).unwrap_err().to_string();
        assert!(
            refused.contains("`new`") && refused.contains("`closed`"),
            "{refused}"
        );
        assert!(
            refused.contains("`qualified`"),
            "lists what is allowed: {refused}"
        );
        let missing = check_transition(New, Duplicate, &ctx)
            .unwrap_err()
            .to_string();
        assert!(missing.contains("merged_into"), "{missing}");
        for msg in [refused, missing] {
            assert!(!msg.contains("Dupont"), "{msg}");
        }
    }
}
