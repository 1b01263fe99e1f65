//! Collectors over fast fields: the (created_at, id) keyset page, every
//! key in order, and counts per keyword value. Each reads only the columns
//! of the matching documents; none loads a stored document.

use super::fields::{CREATED, ID_HI, ID_LO};
use std::collections::{BTreeMap, BinaryHeap};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};
use uuid::Uuid;

/// The sort key of a contribution: creation time (µs), then the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub created: i64,
    pub hi: u64,
    pub lo: u64,
}

impl Key {
    pub fn id(&self) -> Uuid {
        Uuid::from_u64_pair(self.hi, self.lo)
    }

    /// The key in "smallest comes first" order for `newest` (bitwise not
    /// reverses the order without overflow).
    fn ranked(self, newest: bool) -> Key {
        if newest {
            Key {
                created: !self.created,
                hi: !self.hi,
                lo: !self.lo,
            }
        } else {
            self
        }
    }
}

struct KeyColumns {
    created: Column<i64>,
    hi: Column<u64>,
    lo: Column<u64>,
}

impl KeyColumns {
    fn open(segment: &SegmentReader) -> tantivy::Result<Self> {
        let ff = segment.fast_fields();
        Ok(KeyColumns {
            created: ff.i64(CREATED)?,
            hi: ff.u64(ID_HI)?,
            lo: ff.u64(ID_LO)?,
        })
    }

    fn key(&self, doc: DocId) -> Key {
        Key {
            created: self.created.first(doc).unwrap_or_default(),
            hi: self.hi.first(doc).unwrap_or_default(),
            lo: self.lo.first(doc).unwrap_or_default(),
        }
    }
}

/// A keyset page: the first `k` keys after `after` in `newest`/oldest
/// order, and the count of every match (the page's total).
pub struct Keyset {
    pub newest: bool,
    /// The last key of the previous page (exclusive).
    pub after: Option<Key>,
    pub k: usize,
}

/// What a keyset collection yields.
#[derive(Debug, Default)]
pub struct KeysetFruit {
    /// Every match, before and after the cursor.
    pub total: usize,
    /// Matches after the cursor.
    pub remaining: usize,
    /// The first `k` of them, in order.
    pub keys: Vec<Key>,
}

pub struct KeysetSegment {
    cols: KeyColumns,
    newest: bool,
    after: Option<Key>,
    k: usize,
    total: usize,
    remaining: usize,
    heap: BinaryHeap<Key>,
}

impl Collector for Keyset {
    type Fruit = KeysetFruit;
    type Child = KeysetSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(KeysetSegment {
            cols: KeyColumns::open(segment)?,
            newest: self.newest,
            after: self.after.map(|a| a.ranked(self.newest)),
            k: self.k,
            total: 0,
            remaining: 0,
            heap: BinaryHeap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<KeysetFruit>) -> tantivy::Result<KeysetFruit> {
        let mut out = KeysetFruit::default();
        for f in fruits {
            out.total += f.total;
            out.remaining += f.remaining;
            out.keys.extend(f.keys);
        }
        out.keys.sort_by_key(|k| k.ranked(self.newest));
        out.keys.truncate(self.k);
        Ok(out)
    }
}

impl SegmentCollector for KeysetSegment {
    type Fruit = KeysetFruit;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.total += 1;
        let ranked = self.cols.key(doc).ranked(self.newest);
        if self.after.is_some_and(|a| ranked <= a) {
            return;
        }
        self.remaining += 1;
        if self.heap.len() < self.k {
            self.heap.push(ranked);
        } else if self.heap.peek().is_some_and(|top| ranked < *top) {
            self.heap.pop();
            self.heap.push(ranked);
        }
    }

    fn harvest(self) -> KeysetFruit {
        let newest = self.newest;
        KeysetFruit {
            total: self.total,
            remaining: self.remaining,
            // Un-rank: `ranked` is an involution.
            keys: self
                .heap
                .into_vec()
                .into_iter()
                .map(|k| k.ranked(newest))
                .collect(),
        }
    }
}

/// Every matching key with its score (the ids behind exports and bulk
/// actions; sorted by the caller).
pub struct AllKeys {
    pub scoring: bool,
}

pub struct AllKeysSegment {
    cols: KeyColumns,
    out: Vec<(Score, Key)>,
}

impl Collector for AllKeys {
    type Fruit = Vec<(Score, Key)>;
    type Child = AllKeysSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(AllKeysSegment {
            cols: KeyColumns::open(segment)?,
            out: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.scoring
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(Score, Key)>>) -> tantivy::Result<Self::Fruit> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for AllKeysSegment {
    type Fruit = Vec<(Score, Key)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.out.push((score, self.cols.key(doc)));
    }

    fn harvest(self) -> Self::Fruit {
        self.out
    }
}

/// The keys of given documents (the ids of a relevance page).
pub fn key_of(segment: &SegmentReader, doc: DocId) -> tantivy::Result<Key> {
    Ok(KeyColumns::open(segment)?.key(doc))
}

/// Counts per value of keyword fast fields (a document with two values of
/// one field counts once under each).
pub struct Counts {
    pub fields: Vec<&'static str>,
}

pub struct CountsSegment {
    cols: Vec<Option<(StrColumn, Vec<u64>)>>,
}

impl Collector for Counts {
    type Fruit = Vec<BTreeMap<String, u64>>;
    type Child = CountsSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let ff = segment.fast_fields();
        let mut cols = Vec::with_capacity(self.fields.len());
        for f in &self.fields {
            cols.push(ff.str(f)?.map(|c| {
                let n = c.num_terms();
                (c, vec![0u64; n])
            }));
        }
        Ok(CountsSegment { cols })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut out = vec![BTreeMap::new(); self.fields.len()];
        for f in fruits {
            for (acc, m) in out.iter_mut().zip(f) {
                for (k, v) in m {
                    *acc.entry(k).or_insert(0) += v;
                }
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for CountsSegment {
    type Fruit = Vec<BTreeMap<String, u64>>;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (col, counts) in self.cols.iter_mut().flatten() {
            for ord in col.term_ords(doc) {
                counts[ord as usize] += 1;
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.cols
            .into_iter()
            .map(|c| {
                let mut m = BTreeMap::new();
                if let Some((col, counts)) = c {
                    for (ord, n) in counts.into_iter().enumerate() {
                        let mut s = String::new();
                        if n > 0 && col.ord_to_str(ord as u64, &mut s).unwrap_or(false) {
                            m.insert(s, n);
                        }
                    }
                }
                m
            })
            .collect()
    }
}
