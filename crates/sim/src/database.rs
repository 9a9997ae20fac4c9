//! The database: a master takes every write and ships it to read replicas after a lag; reads go
//! to the replicas. A read of a row written less than the lag ago sees the old value.

use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt;

/// A pool of `connections`, every one free.
fn idle_pool(connections: usize) -> BinaryHeap<Reverse<u64>> {
    std::iter::repeat_n(Reverse(0), connections).collect()
}

/// A database node's id, which survives promotions: links and the host address nodes by it,
/// while their names ("Replica 2", "master") change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DbNodeId(pub u32);

/// A node's job, which a promotion swaps: the master takes every write, replicas serve reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DbRole {
    Master,
    Replica,
}

/// A database node as people name it: by its role, and a replica by its display number. Ids
/// stay fixed through promotions, so they make poor names.
/// Ordered as a legend lists them: the master, then the replicas by number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DbName {
    Master,
    Replica(u32),
}

impl DbName {
    /// The name a node with this role and display number goes by.
    pub fn of(role: DbRole, number: u32) -> Self {
        match role {
            DbRole::Master => DbName::Master,
            DbRole::Replica => DbName::Replica(number),
        }
    }
}

impl fmt::Display for DbName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbName::Master => f.write_str("the master database"),
            DbName::Replica(n) => write!(f, "Replica {n}"),
        }
    }
}

/// A database node. Its role and number change when a replica is promoted; its id never does.
#[derive(Clone, Debug)]
pub struct DbNode {
    pub id: DbNodeId,
    pub role: DbRole,
    pub up: bool,
    /// Reads it served since the start; the charts take per-second figures from the metrics.
    pub reads: u64,
    /// Writes it took; only a node that was master at the time gets any.
    pub writes: u64,
    /// Display number: "Replica 2" for the second replica ever added.
    pub number: u32,
    /// It was down while the master took writes and has not copied them yet: it serves no
    /// reads and cannot be promoted until it catches up from an up master.
    pub behind: bool,
    /// When it copied the master's data: writes before it are already on it, shipped or not.
    pub copied_at_us: u64,
    /// Per connection, when its last query ends, earliest on top: a query takes the one that
    /// frees first, in log time even for a pool of a thousand.
    free_at_us: BinaryHeap<Reverse<u64>>,
    /// When each query now waiting for a connection gets one.
    starts_us: Vec<u64>,
}

impl DbNode {
    /// Its name now; it changes when a promotion swaps roles.
    pub fn name(&self) -> DbName {
        DbName::of(self.role, self.number)
    }

    /// Connections running a query at `now_us`.
    pub fn busy(&self, now_us: u64) -> u32 {
        self.free_at_us.iter().filter(|t| t.0 > now_us).count() as u32
    }

    /// Queries waiting for a connection at `now_us`.
    pub fn waiting(&self, now_us: u64) -> u32 {
        self.starts_us.iter().filter(|&&t| t > now_us).count() as u32
    }

    /// Its connection pool's size.
    pub fn connections(&self) -> u32 {
        self.free_at_us.len() as u32
    }

    /// Takes a connection at `now_us` for a query of `service_us`; returns how long the query
    /// waits for it first.
    fn admit(&mut self, now_us: u64, service_us: u64) -> u64 {
        self.starts_us.retain(|&t| t > now_us);
        let Some(Reverse(free_at)) = self.free_at_us.pop() else { return 0 };
        let start = free_at.max(now_us);
        self.free_at_us.push(Reverse(start + service_us));
        if start > now_us {
            self.starts_us.push(start);
        }
        start - now_us
    }

    /// A crash ends every query it was running or holding.
    fn drop_queries(&mut self) {
        let connections = self.free_at_us.len();
        self.free_at_us = idle_pool(connections);
        self.starts_us.clear();
    }
}

impl fmt::Display for DbNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.name().fmt(f)
    }
}

/// Master, replicas and, per product row, when its latest write becomes visible on replicas.
#[derive(Clone, Debug)]
pub struct Database {
    /// In the order added, whatever their roles; the snapshot sorts the master first.
    pub nodes: Vec<DbNode>,
    visible_at_us: Vec<u64>,
    /// Per product row, when its latest write was made.
    written_at_us: Vec<u64>,
    /// When the latest write shipped so far shows on replicas: they apply writes in order, so
    /// none shows before an earlier one, whatever its own lag.
    shipped_until_us: u64,
    cursor: usize,
    next_id: u32,
    next_replica_number: u32,
    connections: u32,
}

impl Database {
    /// A master plus `replicas`, in sync, each running up to `connections` queries at once;
    /// `products` sizes the per-row table of when writes show.
    pub fn new(replicas: u32, products: u32, connections: u32) -> Self {
        let mut db = Self {
            nodes: Vec::new(),
            visible_at_us: vec![0; products as usize],
            written_at_us: vec![0; products as usize],
            shipped_until_us: 0,
            cursor: 0,
            next_id: 0,
            next_replica_number: 1,
            connections,
        };
        db.add(DbRole::Master, 0);
        for _ in 0..replicas {
            db.add(DbRole::Replica, 0);
        }
        db
    }

    /// Adds a node at `now_us`; a replica starts in sync, from a copy of the master's data that
    /// holds every write made so far, shipped to the other replicas or not.
    pub fn add(&mut self, role: DbRole, now_us: u64) -> DbNodeId {
        let id = DbNodeId(self.next_id);
        self.next_id += 1;
        let number = if role == DbRole::Replica {
            self.next_replica_number += 1;
            self.next_replica_number - 1
        } else {
            0
        };
        self.nodes.push(DbNode {
            id,
            role,
            up: true,
            reads: 0,
            writes: 0,
            number,
            behind: false,
            copied_at_us: now_us,
            free_at_us: idle_pool(self.connections as usize),
            starts_us: Vec::new(),
        });
        id
    }

    /// By stable id; `None` once the node is removed.
    pub fn node(&self, id: DbNodeId) -> Option<&DbNode> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// By stable id, for the commands that crash, restart or promote a node.
    pub fn node_mut(&mut self, id: DbNodeId) -> Option<&mut DbNode> {
        self.nodes.iter_mut().find(|n| n.id == id)
    }

    /// The node in the master role, up or not; [`Database::writer`] gives one that takes writes.
    pub fn master(&self) -> Option<&DbNode> {
        self.nodes.iter().find(|n| n.role == DbRole::Master)
    }

    /// Replicas up or down, in the order added; [`Database::reader`] picks among the up ones.
    pub fn replicas(&self) -> impl Iterator<Item = &DbNode> {
        self.nodes.iter().filter(|n| n.role == DbRole::Replica)
    }

    /// The up master, which takes writes.
    pub fn writer(&self) -> Option<DbNodeId> {
        self.master().filter(|m| m.up).map(|m| m.id)
    }

    /// The node for the next read: up replicas that are not behind in turn, else the master.
    pub fn reader(&mut self) -> Option<DbNodeId> {
        let serves = |n: &&DbNode| n.role == DbRole::Replica && n.up && !n.behind;
        let up: usize = self.nodes.iter().filter(serves).count();
        if up == 0 {
            return self.writer();
        }
        self.cursor = (self.cursor + 1) % up;
        self.nodes.iter().filter(serves).nth(self.cursor).map(|n| n.id)
    }

    /// Up replicas copy the writes they missed from the master at `now_us`, if it is up: each
    /// then holds every write made so far, like a replica just added. Returns those that did,
    /// so the learner hears why a "behind" mark went.
    pub fn catch_up(&mut self, now_us: u64) -> Vec<DbNodeId> {
        let mut caught = Vec::new();
        if self.writer().is_some() {
            for n in self.nodes.iter_mut().filter(|n| n.up && n.behind) {
                n.behind = false;
                n.copied_at_us = now_us;
                caught.push(n.id);
            }
        }
        caught
    }

    /// Completes a read of `row` on `node`; returns true when it saw an out-of-date value: a
    /// replica's read of a write still on its way, made after the replica copied the master.
    pub fn read(&mut self, node: DbNodeId, row: u32, now_us: u64) -> bool {
        let (visible_at, written_at) = (self.visible_at_us[row as usize], self.written_at_us[row as usize]);
        let Some(n) = self.node_mut(node) else { return false };
        n.reads += 1;
        n.role == DbRole::Replica && now_us < visible_at && written_at >= n.copied_at_us
    }

    /// Completes a write of `row` on the master; replicas see it after `lag_us`, and those down
    /// miss it until they catch up.
    pub fn write(&mut self, node: DbNodeId, row: u32, now_us: u64, lag_us: u64) {
        if let Some(n) = self.node_mut(node) {
            n.writes += 1;
        }
        for n in self.nodes.iter_mut().filter(|n| !n.up) {
            n.behind = true;
        }
        self.shipped_until_us = self.shipped_until_us.max(now_us + lag_us);
        self.visible_at_us[row as usize] = self.shipped_until_us;
        self.written_at_us[row as usize] = now_us;
    }

    /// Promotes a replica to master at `now_us`; the old master, if any, becomes a replica.
    /// The writes already shipped to it land before it takes over, so it holds every write made
    /// so far and is the source from then on: no earlier write is still on its way.
    /// Returns the old master's new name and whether it is up, so the story can say where it went.
    pub fn promote(&mut self, id: DbNodeId, now_us: u64) -> Option<(DbName, bool)> {
        for at in &mut self.visible_at_us {
            *at = (*at).min(now_us);
        }
        self.shipped_until_us = self.shipped_until_us.min(now_us);
        let number = self.next_replica_number;
        let mut demoted = None;
        for n in &mut self.nodes {
            if n.role == DbRole::Master {
                n.role = DbRole::Replica;
                n.number = number;
                demoted = Some((n.name(), n.up));
            }
        }
        if demoted.is_some() {
            self.next_replica_number += 1;
        }
        if let Some(n) = self.node_mut(id) {
            n.role = DbRole::Master;
            n.number = 0;
        }
        demoted
    }

    /// Queues a query of `service_us` on `node` at `now_us`; returns its wait for a connection.
    pub fn admit(&mut self, node: DbNodeId, now_us: u64, service_us: u64) -> u64 {
        self.node_mut(node).map_or(0, |n| n.admit(now_us, service_us))
    }

    /// Takes `node` down: the queries it ran or held are lost with it.
    pub fn crash(&mut self, node: DbNodeId) {
        if let Some(n) = self.node_mut(node) {
            n.up = false;
            n.drop_queries();
        }
    }

    /// Drops a node outright; the engine only ever removes replicas, so a master always remains.
    pub fn remove(&mut self, id: DbNodeId) {
        self.nodes.retain(|n| n.id != id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_waits_for_the_first_connection_to_free_and_a_crash_frees_them_all() {
        let mut db = Database::new(0, 10, 2);
        let m = db.writer().unwrap();
        assert_eq!([db.admit(m, 0, 10), db.admit(m, 0, 30), db.admit(m, 0, 10)], [0, 0, 10]);
        let node = db.node(m).unwrap();
        assert_eq!((node.busy(5), node.waiting(5), node.connections()), (2, 1, 2));
        assert_eq!((node.busy(15), node.waiting(15)), (2, 0));
        assert_eq!((node.busy(25), node.busy(30)), (1, 0));
        db.crash(m);
        let node = db.node(m).unwrap();
        assert_eq!((node.up, node.busy(5), node.waiting(5)), (false, 0, 0));
    }

    #[test]
    fn reads_rotate_over_up_replicas_and_fall_back_to_the_master() {
        let mut db = Database::new(2, 10, 8);
        let a = db.reader().unwrap();
        let b = db.reader().unwrap();
        assert_ne!(a, b);
        assert!(db.node(a).unwrap().role == DbRole::Replica);
        for id in [a, b] {
            db.node_mut(id).unwrap().up = false;
        }
        assert_eq!(db.reader(), db.writer());
    }

    #[test]
    fn a_read_within_the_lag_of_a_write_is_stale() {
        let mut db = Database::new(1, 10, 8);
        let master = db.writer().unwrap();
        let replica = db.replicas().next().unwrap().id;
        db.write(master, 3, 1_000, 100_000);
        assert!(db.read(replica, 3, 50_000));
        assert!(!db.read(master, 3, 50_000), "the master is never stale");
        assert!(!db.read(replica, 3, 101_000));
    }

    #[test]
    fn a_replica_down_through_a_write_is_behind_until_it_catches_up_from_an_up_master() {
        let mut db = Database::new(1, 10, 8);
        let master = db.writer().unwrap();
        let replica = db.replicas().next().unwrap().id;
        db.node_mut(replica).unwrap().up = false;
        db.write(master, 3, 1_000, 100);
        db.node_mut(master).unwrap().up = false;
        db.node_mut(replica).unwrap().up = true;
        db.catch_up(0);
        assert!(db.node(replica).unwrap().behind, "no master to copy from");
        assert_eq!(db.reader(), None, "it serves no reads, and the master is down");
        db.node_mut(master).unwrap().up = true;
        db.catch_up(0);
        assert!(!db.node(replica).unwrap().behind);
        assert_eq!(db.reader(), Some(replica));
    }

    #[test]
    fn replicas_apply_writes_in_order() {
        let mut db = Database::new(1, 10, 8);
        let master = db.writer().unwrap();
        let replica = db.replicas().next().unwrap().id;
        db.write(master, 3, 0, 3_000);
        db.write(master, 3, 100, 1_000);
        assert!(db.read(replica, 3, 2_000), "the second write waits for the first");
        assert!(!db.read(replica, 3, 3_000));
    }

    #[test]
    fn a_replica_added_after_a_write_has_it_and_the_node_that_made_it_never_reads_it_stale() {
        let mut db = Database::new(1, 10, 8);
        let master = db.writer().unwrap();
        let old = db.replicas().next().unwrap().id;
        db.write(master, 3, 1_000, 100_000);
        let new = db.add(DbRole::Replica, 2_000);
        assert!(db.read(old, 3, 50_000), "still on its way to the old replica");
        assert!(!db.read(new, 3, 50_000), "the new replica copied it with the master's data");
        db.write(master, 4, 3_000, 100_000);
        assert!(db.read(new, 4, 50_000), "a later write ships to it like to any replica");
        db.promote(new, 60_000);
        assert!(!db.read(master, 3, 60_000), "the old master made that write: never stale for it");
        assert!(!db.read(old, 4, 60_000), "the new master is the source now: nothing is on its way");
    }

    #[test]
    fn promotion_swaps_roles() {
        let mut db = Database::new(2, 1, 8);
        let old = db.writer().unwrap();
        let r = db.replicas().next().unwrap().id;
        assert_eq!(db.promote(r, 0), Some((DbName::Replica(3), true)));
        assert_eq!(db.writer(), Some(r));
        assert_eq!(db.node(old).unwrap().role, DbRole::Replica);
        assert_eq!(db.replicas().count(), 2);
    }
}
