//! Where each component sits in the diagram. One function serves the SVG and the dot layer,
//! so a dot always travels between the boxes it names.

use statelab_sim::database::{DbNodeId, DbRole};
use statelab_sim::request::Node;
use statelab_sim::snapshot::Snapshot;
use statelab_sim::ServerId;

/// The diagram's coordinate space (SVG viewBox and canvas pixels).
pub const WIDTH: f64 = 1280.0;
/// Its height; every position below is in these units, which scale with the diagram.
pub const HEIGHT: f64 = 580.0;

/// Centre of the browsers panel, which runs down the diagram's left side.
pub const X_BROWSERS: f64 = 70.0;
/// Where request dots leave and reach a browser: its little screen in the browsers column.
pub const X_BROWSER_DOTS: f64 = 80.0;
/// Browsers drawn one per row; further users share the rows.
pub const BROWSER_ROWS: u32 = 24;
/// The column a browser reaches first: DNS, the CDN edge, and the origin behind the edge.
pub const X_EDGE: f64 = 268.0;
/// The load balancer, between the browsers and the servers it spreads them over.
pub const X_LB: f64 = 445.0;
/// The server column, stacked by [`server_slot`] however many servers there are.
pub const X_SERVERS: f64 = 635.0;
/// The session store and the cache: what a server consults before the database.
pub const X_DATA: f64 = 880.0;
/// The master database, past the store and cache that a request consults first.
pub const X_MASTER: f64 = 1035.0;
/// Read replicas, right of the master, stacked by [`replica_y`].
pub const X_REPLICAS: f64 = 1205.0;

/// DNS at the top of the edge column: a browser asks it before anything else.
pub const Y_DNS: f64 = 120.0;
/// The CDN edge, between DNS and origin: a page load stops here before the balancer.
pub const Y_CDN: f64 = 330.0;
/// The origin under the edge, which it reaches only on a miss.
pub const Y_ORIGIN: f64 = 500.0;
/// The main row, browsers to balancer, level with the master.
pub const Y_LB: f64 = 300.0;
/// Store above cache: a request reads its session before any product.
pub const Y_STORE: f64 = 180.0;
/// The cache, under the store; both sit between the servers and the database they spare.
pub const Y_CACHE: f64 = 420.0;
/// The master, level with the balancer; replicas spread around it between y 120 and 480.
pub const Y_MASTER: f64 = 300.0;

/// Vertical band the servers share.
const SERVERS_TOP: f64 = 40.0;
const SERVERS_BOTTOM: f64 = 560.0;

/// Centre and height of the `index`-th of `count` stacked boxes.
pub fn stack(index: usize, count: usize, top: f64, bottom: f64, max_height: f64) -> (f64, f64) {
    let count = count.max(1) as f64;
    let step = (bottom - top) / count;
    let height = (step - 6.0).clamp(4.0, max_height);
    (top + step * (index as f64 + 0.5), height)
}

/// Centre and height of the `index`-th server box.
pub fn server_slot(index: usize, count: usize) -> (f64, f64) {
    stack(index, count, SERVERS_TOP, SERVERS_BOTTOM, 96.0)
}

/// How much of a server box fits in its share of the column.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Density {
    /// Name, status and the sessions it holds, on three lines.
    Full,
    /// Name and a short status on one line.
    Line,
    /// A bar with its state colour and load only: the server list names them.
    Bar,
}

impl Density {
    /// A box `height` units high: below 46 its lines no longer fit, below 20 not even one.
    pub fn of(height: f64) -> Density {
        if height >= 46.0 {
            Density::Full
        } else if height >= 20.0 {
            Density::Line
        } else {
            Density::Bar
        }
    }
}

/// Where a server box's lines of text start: after its icon.
pub const X_SERVER_TEXT: f64 = X_SERVERS - 56.0;

/// The baseline of the name of a server box centred at `cy`: the first of a full box's lines,
/// or its only line. The diagram writes the name there, and a failure's reason may cover it.
pub fn server_name_baseline(cy: f64, density: Density) -> f64 {
    if density == Density::Full {
        cy - 8.0
    } else {
        cy + 5.0
    }
}

/// Centre of the `index`-th replica box.
pub fn replica_y(index: usize, count: usize) -> f64 {
    stack(index, count, 120.0, 480.0, 70.0).0
}

/// Centre of a browser: the browsers column, spread by user id.
pub fn browser_y(user: u32) -> f64 {
    100.0 + f64::from(user % BROWSER_ROWS) * 19.5
}

/// Position of a node in the diagram, given the current snapshot.
pub fn position(node: Node, snap: &Snapshot) -> (f64, f64) {
    match node {
        Node::Browser(u) => (X_BROWSER_DOTS, browser_y(u.0)),
        Node::Dns => (X_EDGE, Y_DNS),
        Node::CdnEdge(_) => (X_EDGE, Y_CDN),
        Node::Origin => (X_EDGE, Y_ORIGIN),
        Node::Balancer => (X_LB, Y_LB),
        Node::Server(id) => {
            let visible = snap.servers.len();
            let index = snap.servers.iter().position(|s| s.id == id).unwrap_or(0);
            (X_SERVERS, server_slot(index, visible).0)
        }
        Node::SessionStore => (X_DATA, Y_STORE),
        Node::Cache => (X_DATA, Y_CACHE),
        Node::Db(id) => {
            let replicas: Vec<_> = snap.db.iter().filter(|n| n.role == DbRole::Replica).collect();
            match replicas.iter().position(|n| n.id == id) {
                Some(i) => (X_REPLICAS, replica_y(i, replicas.len())),
                None => (X_MASTER, Y_MASTER),
            }
        }
    }
}

/// A component that a click on its box in the diagram can break or mend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    Server(ServerId),
    SessionStore,
    Cache,
    Master,
    Replica(DbNodeId),
}

/// Where `part`'s box is now: (centre x, centre y, half width, half height); `None` once it has
/// left the diagram (a removed server, a promoted replica). The half widths cover the widest
/// box each can grow to.
pub fn part_box(part: Part, snap: &Snapshot) -> Option<(f64, f64, f64, f64)> {
    match part {
        Part::Server(id) => {
            let i = snap.servers.iter().position(|v| v.id == id)?;
            let (y, h) = server_slot(i, snap.servers.len());
            Some((X_SERVERS, y, 95.0, h / 2.0))
        }
        Part::SessionStore => Some((X_DATA, Y_STORE, 80.0, 32.0)),
        Part::Cache => Some((X_DATA, Y_CACHE, 80.0, 32.0)),
        Part::Master => snap.db.iter().any(|n| n.role == DbRole::Master).then_some((X_MASTER, Y_MASTER, 75.0, 32.0)),
        Part::Replica(id) => {
            let replicas: Vec<_> = snap.db.iter().filter(|n| n.role == DbRole::Replica).collect();
            let i = replicas.iter().position(|n| n.id == id)?;
            Some((X_REPLICAS, replica_y(i, replicas.len()), 70.0, 28.0))
        }
    }
}

/// The component whose box is at (x, y) in the diagram's coordinates.
pub fn part_at(snap: &Snapshot, x: f64, y: f64) -> Option<Part> {
    let fixed = [Part::SessionStore, Part::Cache, Part::Master].into_iter();
    let servers = snap.servers.iter().map(|v| Part::Server(v.id));
    let replicas = snap.db.iter().filter(|n| n.role == DbRole::Replica).map(|n| Part::Replica(n.id));
    fixed.chain(servers).chain(replicas).find(|&part| {
        part_box(part, snap).is_some_and(|(cx, cy, hw, hh)| (x - cx).abs() <= hw && (y - cy).abs() <= hh + 2.0)
    })
}

#[cfg(test)]
mod tests {
    use statelab_sim::{Command, Sim, SimConfig};

    use super::*;

    fn snapshot(commands: &[Command]) -> Snapshot {
        let mut sim = Sim::new(SimConfig::default()).expect("the default config is valid");
        for c in commands {
            sim.apply(c.clone()).expect("a valid command");
        }
        sim.run_until(1_000_000);
        sim.snapshot(0)
    }

    #[test]
    fn a_click_on_a_box_finds_its_component() {
        let snap = snapshot(&[]);
        for (i, v) in snap.servers.iter().enumerate() {
            let (y, _) = server_slot(i, snap.servers.len());
            assert_eq!(part_at(&snap, X_SERVERS + 60.0, y), Some(Part::Server(v.id)));
        }
        assert_eq!(part_at(&snap, X_DATA, Y_STORE), Some(Part::SessionStore));
        assert_eq!(part_at(&snap, X_DATA - 70.0, Y_CACHE + 20.0), Some(Part::Cache));
        assert_eq!(part_at(&snap, X_MASTER, Y_MASTER), Some(Part::Master));
        let replica = snap.db.iter().find(|n| n.role == DbRole::Replica).expect("a replica");
        assert_eq!(part_at(&snap, X_REPLICAS, replica_y(0, 2)), Some(Part::Replica(replica.id)));
        // Between the boxes, and on the boxes nothing can break.
        assert_eq!(part_at(&snap, X_DATA, (Y_STORE + Y_CACHE) / 2.0), None);
        assert_eq!(part_at(&snap, X_LB, Y_LB), None);
        assert_eq!(part_at(&snap, X_EDGE, Y_DNS), None);
    }

    #[test]
    fn a_part_that_left_the_diagram_has_no_box() {
        let snap = snapshot(&[]);
        let replica = snap.db.iter().find(|n| n.role == DbRole::Replica).expect("a replica").id;
        assert!(part_box(Part::Replica(replica), &snap).is_some());
        let snap = snapshot(&[Command::PromoteReplica { node: replica.0 }]);
        assert_eq!(part_box(Part::Replica(replica), &snap), None);
        assert!(part_box(Part::Master, &snap).is_some());
        assert_eq!(part_box(Part::Server(statelab_sim::ServerId(99)), &snap), None);
    }
}
