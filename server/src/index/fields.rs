//! The tantivy schema of the index and how one contribution becomes one
//! tantivy document: text and respondent brackets from the Automerge
//! document, everything else from the store row.

use super::analyzer;
use crate::store::ContributionRow;
use chrono::{DateTime, Datelike, Utc};
use porte_voix_shared::Contribution;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::TantivyDocument;

/// Bumped whenever the schema or what goes in a field changes: an index
/// written with another version is rebuilt at open.
pub const SCHEMA_VERSION: u32 = 1;

/// The value of `topic` for a contribution in no topic (a term can be
/// searched; an absent value cannot).
pub const NO_TOPIC: &str = "none";

/// Keyword fields: indexed untokenized (term filters) and fast (facets,
/// counts). Their names are also the names of the fast columns.
pub const COMMUNE: &str = "commune";
pub const ARRONDISSEMENT: &str = "arrondissement";
pub const THEME: &str = "theme";
pub const KIND: &str = "kind";
pub const STATUS: &str = "status";
pub const CAMPAIGN: &str = "campaign";
pub const OUTING: &str = "outing";
pub const AUTHOR: &str = "author";
pub const NEAR_BORDER: &str = "near_border";
pub const TOPIC: &str = "topic";
pub const ASSIGNEE: &str = "assignee";
pub const WEEK: &str = "week";
pub const AGE: &str = "age";
pub const GENDER: &str = "gender";
pub const RELATION: &str = "relation";
pub const DISTRICT: &str = "district";

const KEYWORDS: &[&str] = &[
    COMMUNE,
    ARRONDISSEMENT,
    THEME,
    KIND,
    STATUS,
    CAMPAIGN,
    OUTING,
    AUTHOR,
    NEAR_BORDER,
    TOPIC,
    ASSIGNEE,
    WEEK,
    AGE,
    GENDER,
    RELATION,
    DISTRICT,
];

/// Fast u64 halves of the id: the tie-breaker of the (created_at, id)
/// keyset, comparable across segments (string ordinals are not).
pub const ID_HI: &str = "id_hi";
pub const ID_LO: &str = "id_lo";
/// Creation time in microseconds since the epoch (range filters, sort).
pub const CREATED: &str = "created";

/// The fields, looked up once.
#[derive(Clone)]
pub struct Fields {
    pub schema: Schema,
    pub id: Field,
    pub id_hi: Field,
    pub id_lo: Field,
    pub created: Field,
    pub text: Field,
    keywords: Vec<(&'static str, Field)>,
}

impl Fields {
    pub fn new() -> Self {
        let mut b = Schema::builder();
        let id = b.add_text_field("id", STRING | STORED);
        let id_hi = b.add_u64_field(ID_HI, FAST);
        let id_lo = b.add_u64_field(ID_LO, FAST);
        let created = b.add_i64_field(CREATED, INDEXED | FAST);
        let text = b.add_text_field(
            "text",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(analyzer::NAME)
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        );
        let keywords = KEYWORDS
            .iter()
            .map(|name| (*name, b.add_text_field(name, STRING | FAST)))
            .collect();
        Fields {
            schema: b.build(),
            id,
            id_hi,
            id_lo,
            created,
            text,
            keywords,
        }
    }

    /// A keyword field by name (one of the constants above).
    pub fn kw(&self, name: &str) -> Field {
        self.keywords
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, f)| *f)
            .expect("a keyword field of the schema")
    }

    /// The tantivy document of a contribution. `doc` is the parsed
    /// Automerge document (`None` when it does not parse: the row alone is
    /// indexed, so the contribution still lists).
    pub fn document(&self, row: &ContributionRow, doc: Option<&Contribution>) -> TantivyDocument {
        let mut d = TantivyDocument::default();
        let (hi, lo) = row.id.as_u64_pair();
        d.add_text(self.id, row.id.to_string());
        d.add_u64(self.id_hi, hi);
        d.add_u64(self.id_lo, lo);
        d.add_i64(self.created, micros(row.created_at));
        let mut kw = |name: &str, v: &str| d.add_text(self.kw(name), v);
        if let Some(c) = &row.commune {
            kw(COMMUNE, c.as_str());
        }
        if let Some(a) = &row.arrondissement {
            kw(ARRONDISSEMENT, a.as_str());
        }
        for t in &row.themes {
            kw(THEME, t);
        }
        kw(KIND, row.kind.code());
        kw(STATUS, row.status.code());
        kw(CAMPAIGN, &row.campaign);
        if let Some(o) = row.outing {
            kw(OUTING, &o.to_string());
        }
        kw(AUTHOR, &row.author);
        kw(NEAR_BORDER, if row.near_border { "true" } else { "false" });
        match row.topic {
            Some(t) => kw(TOPIC, &t.to_string()),
            None => kw(TOPIC, NO_TOPIC),
        }
        if let Some(a) = &row.assignee {
            kw(ASSIGNEE, a);
        }
        kw(WEEK, &paris_week(row.created_at));
        if let Some(r) = doc.and_then(|c| c.respondent.as_ref()) {
            if let Some(v) = r.age {
                kw(AGE, v.code());
            }
            if let Some(v) = r.gender {
                kw(GENDER, v.code());
            }
            if let Some(v) = r.relation {
                kw(RELATION, v.code());
            }
            if let Some(v) = r.district {
                kw(DISTRICT, v.code());
            }
        }
        if let Some(c) = doc {
            d.add_text(self.text, &c.text);
        }
        d
    }
}

impl Default for Fields {
    fn default() -> Self {
        Self::new()
    }
}

/// Microseconds since the epoch (the `created` field's unit).
pub fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// The ISO week of an instant in Europe/Paris, as `2026-W48`.
pub fn paris_week(t: DateTime<Utc>) -> String {
    let w = t.with_timezone(&chrono_tz::Europe::Paris).iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

#[cfg(test)]
mod tests {
    use super::paris_week;
    use chrono::{TimeZone, Utc};

    #[test]
    fn weeks_are_counted_in_paris_time() {
        // Sunday 2026-11-29 23:30 UTC is already Monday 00:30 in Paris.
        let t = Utc.with_ymd_and_hms(2026, 11, 29, 23, 30, 0).unwrap();
        assert_eq!(paris_week(t), "2026-W49");
        let t = Utc.with_ymd_and_hms(2026, 11, 29, 22, 30, 0).unwrap();
        assert_eq!(paris_week(t), "2026-W48");
    }
}
