//! The memory store's maps and the one expiry index over all of them: every entry has
//! exactly one row `(keep_until, key)` in a `BTreeSet`, so adding, replacing or dropping an
//! entry is O(log n) and the expired ones are always at the front.

use std::collections::{BTreeSet, HashMap};

use super::SessionEntry;

/// Expired entries one call drops at most. A call adds at most two entries, so pruning
/// keeps up with inserts while no call does more than a bounded amount of work.
pub(super) const PRUNE_BATCH: usize = 64;

pub(super) type Id = [u8; 16];

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Key {
    Revoked(Id),
    Generation(String),
    Listed(String, Id),
    Data(Id),
    /// A redeemed hand-off token id (`single_use.rs`).
    Claimed(Id),
}

#[derive(Debug, Default)]
pub(super) struct Inner {
    pub(super) revoked: HashMap<Id, u64>,
    /// Subject → (lowest generation still accepted, keep until).
    pub(super) generations: HashMap<String, (u64, u64)>,
    /// Subject → its listed sessions (at most the per-subject cap, so scanning one is cheap).
    pub(super) lists: HashMap<String, Vec<SessionEntry>>,
    pub(super) data: HashMap<Id, (Vec<u8>, u64)>,
    /// Redeemed hand-off token id → keep until.
    pub(super) claimed: HashMap<Id, u64>,
    /// (keep until, entry): exactly one row per entry in the maps above.
    pub(super) expiry: BTreeSet<(u64, Key)>,
}

impl Inner {
    /// Drops up to `batch` entries whose time has passed; returns how many it dropped.
    pub(super) fn prune(&mut self, now: u64, batch: usize) -> usize {
        let mut dropped = 0;
        while dropped < batch {
            match self.expiry.first() {
                Some((until, _)) if *until < now => {}
                _ => break,
            }
            let Some((_, key)) = self.expiry.pop_first() else {
                break;
            };
            match key {
                Key::Revoked(id) => {
                    self.revoked.remove(&id);
                }
                Key::Generation(subject) => {
                    self.generations.remove(&subject);
                }
                Key::Listed(subject, id) => {
                    if let Some(list) = self.lists.get_mut(&subject) {
                        list.retain(|e| *e.id.as_bytes() != id);
                        if list.is_empty() {
                            self.lists.remove(&subject);
                        }
                    }
                }
                Key::Data(id) => {
                    self.data.remove(&id);
                }
                Key::Claimed(id) => {
                    self.claimed.remove(&id);
                }
            }
            dropped += 1;
        }
        dropped
    }

    pub(super) fn set_revoked(&mut self, id: Id, keep_until: u64) {
        let until = match self.revoked.get(&id) {
            Some(old) => {
                let old = *old;
                self.expiry.remove(&(old, Key::Revoked(id)));
                old.max(keep_until)
            }
            None => keep_until,
        };
        self.revoked.insert(id, until);
        self.expiry.insert((until, Key::Revoked(id)));
    }

    pub(super) fn live_generation(&self, subject: &str, now: u64) -> Option<(u64, u64)> {
        self.generations
            .get(subject)
            .copied()
            .filter(|(_, until)| *until >= now)
    }

    pub(super) fn set_generation(&mut self, subject: &str, generation: u64, keep_until: u64) {
        if let Some((_, old)) = self.generations.get(subject) {
            let old = *old;
            self.expiry
                .remove(&(old, Key::Generation(subject.to_owned())));
        }
        self.generations
            .insert(subject.to_owned(), (generation, keep_until));
        self.expiry
            .insert((keep_until, Key::Generation(subject.to_owned())));
    }

    pub(super) fn unlist(&mut self, subject: &str, id: &Id) {
        let Some(list) = self.lists.get_mut(subject) else {
            return;
        };
        if let Some(pos) = list.iter().position(|e| e.id.as_bytes() == id) {
            let entry = list.swap_remove(pos);
            if list.is_empty() {
                self.lists.remove(subject);
            }
            self.expiry
                .remove(&(entry.keep_until, Key::Listed(subject.to_owned(), *id)));
        }
    }

    pub(super) fn drop_data(&mut self, id: &Id) {
        if let Some((_, until)) = self.data.remove(id) {
            self.expiry.remove(&(until, Key::Data(*id)));
        }
    }
}
