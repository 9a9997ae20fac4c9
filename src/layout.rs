//! Where each component sits in the diagram. One function serves the SVG and the dot layer,
//! so a dot always travels between the boxes it names.

use statelab_sim::database::DbRole;
use statelab_sim::request::Node;
use statelab_sim::snapshot::Snapshot;

/// The diagram's coordinate space (SVG viewBox and canvas pixels).
pub const WIDTH: f64 = 1280.0;
pub const HEIGHT: f64 = 580.0;

pub const X_BROWSERS: f64 = 70.0;
/// Where request dots leave and reach a browser: its little screen in the browsers column.
pub const X_BROWSER_DOTS: f64 = 80.0;
/// Browsers drawn one per row; further users share the rows.
pub const BROWSER_ROWS: u32 = 24;
pub const X_EDGE: f64 = 268.0;
pub const X_LB: f64 = 445.0;
pub const X_SERVERS: f64 = 635.0;
pub const X_DATA: f64 = 880.0;
pub const X_MASTER: f64 = 1035.0;
pub const X_REPLICAS: f64 = 1205.0;

pub const Y_DNS: f64 = 120.0;
pub const Y_CDN: f64 = 330.0;
pub const Y_ORIGIN: f64 = 500.0;
pub const Y_LB: f64 = 300.0;
pub const Y_STORE: f64 = 180.0;
pub const Y_CACHE: f64 = 420.0;
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
