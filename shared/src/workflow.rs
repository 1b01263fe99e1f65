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
//! entry naming its recipient), `duplicate` needs `merged_into` or the
//! contribution's topic (« doublon »: the contribution it duplicates, or
//! the topic that gathers it with the others), `off_topic` needs a reason
//! in `notes`.
//!
//! Topics (« sujets ») have their own chain, `open` → `forwarded` →
//! `answered` → `closed` (`check_topic_transition`): one step forward, one
//! step back to correct a mistake, and a closed topic reopened to `open`.
//! `forwarded` needs at least one forward of the topic.
//!
//! Messages name statuses (codes) and rules, never the notes or any other
//! user text.

use crate::domain::{Status, TopicStatus};
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
    /// The topic the contribution is attached to (its row, not its
    /// document): a duplicate may point at the topic instead of one
    /// contribution.
    pub topic: Option<Uuid>,
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
    /// `duplicate` without the contribution it duplicates or a topic.
    #[error("`duplicate` needs `merged_into` (the contribution it duplicates) or the contribution attached to a topic")]
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
        Status::Duplicate if ctx.merged_into.is_none() && ctx.topic.is_none() => {
            Err(TransitionError::MergedIntoMissing)
        }
        Status::OffTopic if ctx.notes.trim().is_empty() => Err(TransitionError::ReasonMissing),
        _ => Ok(()),
    }
}

/// What the topic rules look at besides the two statuses.
#[derive(Debug, Clone, Copy, Default)]
pub struct TopicContext {
    /// How many forwards of the topic are recorded.
    pub forwards: usize,
}

/// Why a topic status change is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TopicTransitionError {
    /// The change itself is not in the workflow.
    #[error("a topic cannot go from `{from}` to `{to}`; from `{from}` it may go to {}", topic_next_list(.from))]
    NotAllowed { from: TopicStatus, to: TopicStatus },
    /// `forwarded` without a forward.
    #[error("`forwarded` needs a forward of the topic recorded first")]
    ForwardMissing,
}

fn topic_next_list(from: &TopicStatus) -> String {
    topic_allowed_next(*from)
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether the topic workflow has the change `from` → `to` (requirements
/// aside). Keeping the same status is allowed.
pub fn topic_is_allowed(from: TopicStatus, to: TopicStatus) -> bool {
    use TopicStatus::*;
    from == to
        || matches!(
            (from, to),
            // One step forward.
            (Open, Forwarded) | (Forwarded, Answered) | (Answered, Closed)
            // One step back, to correct a mistake.
            | (Forwarded, Open) | (Answered, Forwarded) | (Closed, Answered)
            // Reopened.
            | (Closed, Open)
        )
}

/// The statuses a topic in `from` may move to (not counting `from`), in
/// `TopicStatus::ALL` order.
pub fn topic_allowed_next(from: TopicStatus) -> Vec<TopicStatus> {
    TopicStatus::ALL
        .iter()
        .copied()
        .filter(|to| *to != from && topic_is_allowed(from, *to))
        .collect()
}

/// Checks a topic status change and the requirement of its target.
pub fn check_topic_transition(
    from: TopicStatus,
    to: TopicStatus,
    ctx: &TopicContext,
) -> Result<(), TopicTransitionError> {
    if !topic_is_allowed(from, to) {
        return Err(TopicTransitionError::NotAllowed { from, to });
    }
    if to == TopicStatus::Forwarded && ctx.forwards == 0 {
        return Err(TopicTransitionError::ForwardMissing);
    }
    Ok(())
}

#[cfg(test)]
mod topic_tests {
    use super::*;
    use TopicStatus::*;

    /// Rows: from; columns: to; both in `TopicStatus::ALL` order (open,
    /// forwarded, answered, closed). `=` same, `Y` allowed, `.` refused.
    const EXPECTED: [&str; 4] = [
        "=Y..", // open
        "Y=Y.", // forwarded
        ".Y=Y", // answered
        "Y.Y=", // closed
    ];

    fn expected(i: usize, j: usize) -> bool {
        matches!(EXPECTED[i].as_bytes()[j], b'=' | b'Y')
    }

    #[test]
    fn the_table_covers_every_topic_status() {
        assert_eq!(
            TopicStatus::ALL,
            [Open, Forwarded, Answered, Closed].as_slice()
        );
        for (i, row) in EXPECTED.iter().enumerate() {
            assert_eq!(row.len(), TopicStatus::ALL.len());
            assert_eq!(row.as_bytes()[i], b'=', "diagonal");
        }
    }

    #[test]
    fn every_topic_pair_with_a_forward_follows_the_table() {
        let ctx = TopicContext { forwards: 1 };
        for (i, from) in TopicStatus::ALL.iter().enumerate() {
            for (j, to) in TopicStatus::ALL.iter().enumerate() {
                let want = if expected(i, j) {
                    Ok(())
                } else {
                    Err(TopicTransitionError::NotAllowed {
                        from: *from,
                        to: *to,
                    })
                };
                assert_eq!(
                    check_topic_transition(*from, *to, &ctx),
                    want,
                    "{from} -> {to}"
                );
                assert_eq!(topic_is_allowed(*from, *to), expected(i, j));
            }
        }
    }

    #[test]
    fn every_topic_pair_without_a_forward_names_the_missing_forward() {
        let ctx = TopicContext::default();
        for (i, from) in TopicStatus::ALL.iter().enumerate() {
            for (j, to) in TopicStatus::ALL.iter().enumerate() {
                let want = if !expected(i, j) {
                    Err(TopicTransitionError::NotAllowed {
                        from: *from,
                        to: *to,
                    })
                } else if *to == Forwarded {
                    Err(TopicTransitionError::ForwardMissing)
                } else {
                    Ok(())
                };
                assert_eq!(
                    check_topic_transition(*from, *to, &ctx),
                    want,
                    "{from} -> {to}"
                );
            }
        }
    }

    #[test]
    fn topic_allowed_next_lists_the_rows() {
        assert_eq!(topic_allowed_next(Open), vec![Forwarded]);
        assert_eq!(topic_allowed_next(Forwarded), vec![Open, Answered]);
        assert_eq!(topic_allowed_next(Answered), vec![Forwarded, Closed]);
        assert_eq!(topic_allowed_next(Closed), vec![Open, Answered]);
        let msg = check_topic_transition(Open, Closed, &TopicContext::default())
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("`open`") && msg.contains("`closed`") && msg.contains("`forwarded`"),
            "{msg}"
        );
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
            topic: None,
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
            topic: None,
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

    /// « doublon »: the contribution it duplicates, or its topic; either
    /// one is enough, neither is refused.
    #[test]
    fn duplicate_accepts_merged_into_or_the_topic() {
        let topic = TransitionContext {
            topic: Some(Uuid::from_u128(7)),
            ..Default::default()
        };
        let merged = TransitionContext {
            merged_into: Some(Uuid::from_u128(8)),
            ..Default::default()
        };
        for from in [New, Qualified, Duplicate] {
            assert_eq!(check_transition(from, Duplicate, &topic), Ok(()), "{from}");
            assert_eq!(check_transition(from, Duplicate, &merged), Ok(()), "{from}");
            assert_eq!(
                check_transition(from, Duplicate, &TransitionContext::default()),
                Err(TransitionError::MergedIntoMissing),
                "{from}"
            );
        }
        // A topic satisfies nothing else.
        assert_eq!(
            check_transition(Qualified, Forwarded, &topic),
            Err(TransitionError::ForwardMissing)
        );
        assert_eq!(
            check_transition(Qualified, OffTopic, &topic),
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
            topic: None,
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
