//! The dot layer: every in-flight request drawn on one canvas each frame, so nothing is mounted
//! or unmounted per frame. The selected user's requests are ringed and trace their leg, and the
//! whole path of their latest request is drawn as a band beneath. With
//! `prefers-reduced-motion` the dots rest at the middle of their edge instead of gliding, and
//! a failure at a browser shows as a still ring instead of an expanding one.

use leptos::prelude::*;
use statelab_sim::request::{Completed, HopKind};
use statelab_sim::snapshot::{RequestView, Snapshot};
use statelab_sim::{Node, ServerId};
use wasm_bindgen::JsCast;

use crate::i18n::words;
use crate::i18n::Text::{self, *};
use crate::lab::{Lab, Trace};
use crate::layout::{position, server_name_baseline, server_slot, Density, HEIGHT, WIDTH, X_SERVERS, X_SERVER_TEXT};

/// The highest a failure's reason is drawn [diagram units]: below the heading of a dense stack
/// of servers, whose baseline is at 30.
const LABEL_TOP: f64 = 36.0;

/// The height of the plate a failure's reason is written on [diagram units].
const PLATE_HEIGHT: f64 = 17.0;

/// The least height of a server box whose plate fits between its top and its name's line.
const TOP_ROOM: f64 = 78.0;

/// How long a failure burst stays on screen [ms of real time]: long enough to read at 1×.
pub const BURST_MS: f64 = 1_400.0;

/// The most run time a burst outlives its failure [µs]: at 10× the page's 1.4 s would be 14
/// simulated seconds, and a box would still be outlined long after it recovered.
pub const BURST_US: u64 = 1_400_000;

/// A dot's outline. The trips a lesson turns on (a session, the cache, a write) differ by shape
/// as well as colour: to a colour-blind eye the session's pink and the cache's green are one
/// grey, and so are the write's red and the session's pink.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Circle,
    Square,
    Diamond,
    Triangle,
}

impl Shape {
    /// The legend swatch's class (see style/main.css), so the key shows the dots' shapes.
    pub fn class(self) -> &'static str {
        match self {
            Self::Circle => "swatch",
            Self::Square => "swatch square",
            Self::Diamond => "swatch diamond",
            Self::Triangle => "swatch triangle",
        }
    }

    /// Adds the outline of a dot of `radius` at (x, y) to the context's path.
    fn trace(self, ctx: &web_sys::CanvasRenderingContext2d, x: f64, y: f64, radius: f64) {
        match self {
            Self::Circle => {
                let _ = ctx.arc(x, y, radius, 0.0, std::f64::consts::TAU);
            }
            Self::Square => {
                let h = radius * 0.9;
                ctx.rect(x - h, y - h, 2.0 * h, 2.0 * h);
            }
            Self::Diamond => {
                let h = radius * 1.3;
                ctx.move_to(x, y - h);
                ctx.line_to(x + h, y);
                ctx.line_to(x, y + h);
                ctx.line_to(x - h, y);
                ctx.close_path();
            }
            Self::Triangle => {
                let h = radius * 1.35;
                ctx.move_to(x, y - h);
                ctx.line_to(x + h * 0.87, y + h * 0.5);
                ctx.line_to(x - h * 0.87, y + h * 0.5);
                ctx.close_path();
            }
        }
    }
}

/// The kinds of dot the legend explains, with their colours and shapes.
pub const LEGEND: [(Text, &str, Shape); 8] = [
    (LegendDns, "#8e7cc3", Shape::Circle),
    (LegendStatic, "#f1a33b", Shape::Circle),
    (LegendPage, "#3d8bfd", Shape::Circle),
    (LegendSession, "#e0457b", Shape::Square),
    (LegendCache, "#20a67a", Shape::Diamond),
    (LegendDbRead, "#0fb5c9", Shape::Circle),
    (LegendDbWrite, "#d9480f", Shape::Triangle),
    (LegendWaiting, "#7a8699", Shape::Circle),
];

/// Fill colour and shape per kind of trip; the legend uses the same.
pub fn look(kind: HopKind) -> (&'static str, Shape) {
    let i = match kind {
        HopKind::Dns => 0,
        HopKind::Static | HopKind::Origin => 1,
        HopKind::Page | HopKind::Response => 2,
        HopKind::SessionRead | HopKind::SessionWrite => 3,
        HopKind::CacheRead => 4,
        HopKind::DbRead => 5,
        HopKind::DbWrite => 6,
        HopKind::Queue | HopKind::Compute => 7,
    };
    (LEGEND[i].1, LEGEND[i].2)
}

/// Whether the learner asked for less motion.
pub fn reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// The canvas with id `id`: `dots` under the boxes, `plates` over them.
fn canvas(id: &str) -> Option<web_sys::HtmlCanvasElement> {
    web_sys::window()?.document()?.get_element_by_id(id)?.dyn_into().ok()
}

fn context(canvas: &web_sys::HtmlCanvasElement) -> Option<web_sys::CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

/// The largest number of device pixels per diagram unit the layers are drawn at: a 4K screen
/// gets sharp dots without a canvas of tens of megabytes.
const MAX_SCALE: f64 = 3.0;

thread_local! {
    /// Device pixels per diagram unit the layers are drawn at; `None` until measured, and
    /// again after the window is resized or zoomed.
    static SCALE: std::cell::Cell<Option<f64>> = const { std::cell::Cell::new(None) };
    /// Whether the plates' layer is blank and at its size: with no failure to tell it is left
    /// alone, as a layer touched each frame costs a slow device a composite of its own.
    static PLATES_BLANK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// What the dot layer's attributes say now; `None` once they must be written again.
    static MARKS: std::cell::Cell<Option<Marks>> = const { std::cell::Cell::new(None) };
}

/// What the dot layer's `data-` attributes tell tests and assistive tooling: the rendering in
/// use, the request ringed, and how many places the selected user's path band crosses. Kept
/// here so a frame writes them only when they change, and never reads the DOM for them.
#[derive(Clone, Copy, PartialEq)]
struct Marks {
    calm: bool,
    followed: Option<u64>,
    path: usize,
}

impl Marks {
    fn write(self, canvas: &web_sys::HtmlCanvasElement) {
        let _ = canvas.set_attribute("data-motion", if self.calm { "calm" } else { "glide" });
        let _ = canvas.set_attribute("data-followed", &self.followed.map(|id| id.to_string()).unwrap_or_default());
        let _ = canvas.set_attribute("data-path", &self.path.to_string());
    }
}

/// Asks the next frame to measure the layers again: their size on screen, or the screen's
/// pixel density, changed.
pub fn rescale() {
    SCALE.set(None);
    PLATES_BLANK.set(false);
    MARKS.set(None);
}

/// Sizes a layer's pixels to its size on screen at the screen's density, so a projector or a
/// high-density display shows sharp dots and reasons, and lets the drawing go on in diagram
/// units. Measured once per resize: reading the layout every frame would force it.
fn fit(canvas: &web_sys::HtmlCanvasElement, ctx: &web_sys::CanvasRenderingContext2d) {
    let scale = SCALE.get().unwrap_or_else(|| {
        let density = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
        let shown = f64::from(canvas.client_width());
        let scale = (shown * density / WIDTH).clamp(1.0, MAX_SCALE);
        // A hidden layer (compare view in front) has no size yet: measured once it shows.
        if shown > 0.0 {
            SCALE.set(Some(scale));
        }
        scale
    });
    let (w, h) = ((WIDTH * scale).round() as u32, (HEIGHT * scale).round() as u32);
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
    let _ = ctx.set_transform(scale, 0.0, 0.0, scale, 0.0, 0.0);
}

/// Where a request's dot is drawn: (x, y, radius) in diagram coordinates.
pub fn dot_position(r: &RequestView, snap: &Snapshot, calm: bool) -> (f64, f64, f64) {
    let (x0, y0) = position(r.hop.from, snap);
    let (x1, y1) = position(r.hop.to, snap);
    if r.hop.from == r.hop.to {
        // Waiting or computing in a server: a column of dots just past its right edge (never
        // over the box's text), queued ones further out, so a queue visibly grows.
        let queued = r.hop.kind == HopKind::Queue;
        let slot = (r.id % 12) as f64;
        let dx = if queued { 122.0 + (slot % 4.0) * 8.0 } else { 98.0 + (slot % 3.0) * 8.0 };
        (x0 + dx, y0 - 14.0 + (slot / 4.0).floor() * 9.0, 3.5)
    } else {
        let p = if calm { 0.5 } else { f64::from(r.progress_per_mille) / 1000.0 };
        (x0 + (x1 - x0) * p, y0 + (y1 - y0) * p, 5.0)
    }
}

/// The request whose dot is nearest to a point of the diagram, within `reach` (diagram units).
pub fn request_at(snap: &Snapshot, x: f64, y: f64, reach: f64) -> Option<u64> {
    let calm = reduced_motion();
    snap.requests
        .iter()
        .map(|r| {
            let (dx, dy, _) = dot_position(r, snap, calm);
            (r.id, (dx - x).powi(2) + (dy - y).powi(2))
        })
        .filter(|(_, d2)| *d2 <= reach * reach)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(id, _)| id)
}

/// The selected user's latest finished request and where it went, if they have one.
pub fn last_path(lab: Lab) -> Option<(Completed, Vec<Node>)> {
    let user = lab.selected_user.get_untracked()?;
    lab.with_sim(|s| {
        let c = *s.completed().iter().rev().find(|c| c.user == user)?;
        let region = s.user(user)?.region;
        Some((c, c.path(region)))
    })
}

/// Redraws every dot and burst from the current snapshot. The dots pass under the boxes, whose
/// figures stay readable in the busiest lab; the failures' reasons and rings go over them.
pub fn draw(lab: Lab) {
    let (Some(canvas), Some(over)) = (canvas("dots"), canvas("plates")) else { return };
    let (Some(ctx), Some(top)) = (context(&canvas), context(&over)) else { return };
    fit(&canvas, &ctx);
    ctx.clear_rect(0.0, 0.0, WIDTH, HEIGHT);
    let failures = lab.bursts.with_value(|b| !b.is_empty());
    if failures || !PLATES_BLANK.get() {
        fit(&over, &top);
        top.clear_rect(0.0, 0.0, WIDTH, HEIGHT);
        PLATES_BLANK.set(!failures);
    }
    let calm = reduced_motion();
    let now = lab.played_ms.get_value();
    let selected = lab.selected_user.get_untracked();
    let followed = lab.trace.with_untracked(|t| match t {
        Trace::Following { id } => Some(*id),
        _ => None,
    });
    lab.live.with_value(|snap| {
        // The selected user's latest request, as a wide band under the dots; the inspector
        // lists the same places in words.
        let path = last_path(lab).map(|(_, nodes)| nodes).unwrap_or_default();
        let marks = Marks { calm, followed, path: path.len() };
        if MARKS.replace(Some(marks)) != Some(marks) {
            marks.write(&canvas);
        }
        if path.len() > 1 {
            ctx.set_stroke_style_str("rgba(245, 160, 0, 0.45)");
            ctx.set_line_width(10.0);
            ctx.set_line_join("round");
            ctx.set_line_cap("round");
            ctx.begin_path();
            for (i, node) in path.iter().enumerate() {
                let (x, y) = position(*node, snap);
                if i == 0 {
                    ctx.move_to(x, y);
                } else {
                    ctx.line_to(x, y);
                }
            }
            ctx.stroke();
        }
        let outlined = lab.projector.get_value();
        let grow = if outlined { 1.5 } else { 1.0 };
        for r in &snap.requests {
            let (x, y, radius) = dot_position(r, snap, calm);
            let mine = selected == Some(r.user);
            let (fill, shape) = look(r.hop.kind);
            ctx.set_fill_style_str(fill);
            ctx.begin_path();
            shape.trace(&ctx, x, y, grow * if mine { radius + 3.0 } else { radius });
            ctx.fill();
            if outlined && !mine {
                ctx.set_stroke_style_str("#000000");
                ctx.set_line_width(1.5);
                ctx.stroke();
            }
            if mine {
                // The selected user's requests: ringed, with the leg they are on traced.
                let (x0, y0) = position(r.hop.from, snap);
                ctx.set_stroke_style_str("#f5a000");
                ctx.set_line_width(3.0);
                ctx.stroke();
                ctx.begin_path();
                ctx.move_to(x0, y0);
                ctx.line_to(x, y);
                ctx.stroke();
            }
            if followed == Some(r.id) {
                // The tapped dot, followed until it finishes: a dark ring round a light one
                // shows on either theme's background.
                for (colour, width) in [("#111111", 5.0), ("#ffffff", 2.0)] {
                    ctx.set_stroke_style_str(colour);
                    ctx.set_line_width(width);
                    ctx.begin_path();
                    let _ = ctx.arc(x, y, grow * radius + 6.0, 0.0, std::f64::consts::TAU);
                    ctx.stroke();
                }
            }
        }
        top.set_font("bold 13px system-ui, sans-serif");
        lab.bursts.with_value(|bursts| {
            if bursts.is_empty() {
                return;
            }
            // The theme's alarm red on its surface, as the page's own text of alarms: the
            // layer's `color` and `outline-color` (see style/main.css), resolved to colours.
            if lab.plate_colours.with_value(Option::is_none) {
                let read = web_sys::window()
                    .and_then(|w| w.get_computed_style(&over).ok().flatten())
                    .and_then(|s| {
                        Some((s.get_property_value("outline-color").ok()?, s.get_property_value("color").ok()?))
                    })
                    .filter(|(bg, ink)| !bg.is_empty() && !ink.is_empty());
                lab.plate_colours.set_value(Some(read.unwrap_or_else(|| ("#ffffff".into(), "#c41d36".into()))));
            }
            let (plate_bg, ink) = lab.plate_colours.get_value().unwrap_or_default();
            // Newest first: where reasons would overlap (a spike over a dense stack of
            // servers), the newest is told and the boxes under the others stay outlined.
            let mut plates: Vec<(f64, f64, f64)> = Vec::new();
            for b in bursts.iter().rev() {
                let age = b.age(now, snap.now_us);
                let (x, y) = position(b.at, snap);
                top.set_global_alpha(1.0 - age * 0.8);
                // A box is outlined by the diagram (`Lab::failing`): a ring would hide its
                // status. A browser's row has no status to hide.
                if matches!(b.at, Node::Browser(_)) {
                    let ring = if calm { 16.0 } else { 8.0 + 22.0 * age };
                    top.set_stroke_style_str(&ink);
                    top.set_line_width(3.0);
                    top.begin_path();
                    let _ = top.arc(x, y, ring, 0.0, std::f64::consts::TAU);
                    top.stroke();
                }
                // The reason on a light plate, never over another box's text (see `reason_at`);
                // as readable as the outline until its last quarter (a pause can freeze it).
                let width = top.measure_text(b.label).map_or(60.0, |m| m.width());
                // In the fonts `.node-label` has in style/main.css, full and on one line.
                let name_width = |id: ServerId, density: Density| {
                    top.set_font(if density == Density::Full {
                        "650 15px system-ui, sans-serif"
                    } else {
                        "650 13px system-ui, sans-serif"
                    });
                    let w = top.measure_text(&words::server(id)).map_or(70.0, |m| m.width());
                    top.set_font("bold 13px system-ui, sans-serif");
                    w
                };
                let (lx, ly, reach) = reason_at(b.at, snap, width, name_width);
                let plate = (lx - 4.0, ly - 13.0, (lx + width).max(reach) - lx + 8.0);
                if plates
                    .iter()
                    .any(|p| p.0 < plate.0 + plate.2 && plate.0 < p.0 + p.2 && (p.1 - plate.1).abs() < PLATE_HEIGHT)
                {
                    continue;
                }
                plates.push(plate);
                // A plate over its box's own name stays whole to the end: fading, it would
                // show half the name through it.
                let covers_name = reach > 0.0;
                top.set_global_alpha(if covers_name { 1.0 } else { ((1.0 - age) * 4.0).min(1.0) });
                top.set_fill_style_str(&plate_bg);
                top.fill_rect(plate.0, plate.1, plate.2, PLATE_HEIGHT);
                top.set_fill_style_str(&ink);
                let _ = top.fill_text(b.label, lx, ly);
            }
            top.set_global_alpha(1.0);
        });
    });
}

/// Where a failure's reason `width` wide is written at `at`: the left and baseline of its text,
/// and how far right its plate must reach at least. `name_width` measures a server box's name
/// at a density.
fn reason_at(at: Node, snap: &Snapshot, width: f64, name_width: impl Fn(ServerId, Density) -> f64) -> (f64, f64, f64) {
    let (x, y) = position(at, snap);
    if let Node::Server(id) = at {
        let n = snap.servers.len();
        if let Some(i) = snap.servers.iter().position(|v| v.id == id) {
            let (cy, h) = server_slot(i, n);
            let top = cy - h / 2.0;
            let above = if i == 0 { LABEL_TOP } else { server_slot(i - 1, n).0 + h / 2.0 };
            if top - above < PLATE_HEIGHT {
                // No room between the boxes of this stack. A tall box has room in its own top,
                // over its name's line; a shorter one gets it over its icon and its whole name,
                // so no half of a name shows beside it. Either way it is plainly this box's.
                let density = Density::of(h);
                if density == Density::Full && h >= TOP_ROOM {
                    return (x - width / 2.0, top + 15.0, 0.0);
                }
                let name = server_name_baseline(cy, density);
                return (X_SERVERS - 88.0, name, X_SERVER_TEXT + name_width(id, density));
            }
        }
    }
    // Above the box, or under it where above would cover the dense stack's heading.
    let ly = if y - 52.0 - 13.0 < LABEL_TOP { y + 65.0 } else { y - 52.0 };
    (x - width / 2.0, ly, 0.0)
}

#[cfg(test)]
mod tests {
    use statelab_sim::{Sim, SimConfig};

    use super::*;

    #[test]
    fn a_reason_stays_off_every_other_box_with_text_and_hides_no_half_of_its_own_name() {
        // "Servidor 12" at 15 px is about 90 units wide; the widest reason, "queue full (503)", 116.
        let name_width = |_: ServerId, d: Density| if d == Density::Full { 90.0 } else { 78.0 };
        for n in 1..=64 {
            let config = SimConfig { servers: n, ..SimConfig::default() };
            let snap = Sim::new(config).expect("a valid config").snapshot(0);
            for (i, v) in snap.servers.iter().enumerate() {
                let (lx, ly, reach) = reason_at(Node::Server(v.id), &snap, 116.0, name_width);
                let (left, top, right, bottom) = (lx - 4.0, ly - 13.0, (lx + 116.0).max(reach) + 4.0, ly + 4.0);
                assert!(top >= LABEL_TOP, "{n} servers: Server {}'s reason covers the heading", i + 1);
                let (cy, h) = server_slot(i, snap.servers.len());
                let density = Density::of(h);
                // A bar has no text; in a stack of 44 or more a plate may cross its neighbours.
                if density == Density::Bar {
                    continue;
                }
                // Its own name: covered whole, or not touched.
                let baseline = server_name_baseline(cy, density);
                let name = (X_SERVER_TEXT, baseline - 12.0, X_SERVER_TEXT + name_width(v.id, density), baseline + 3.0);
                let clear = bottom <= name.1 || top >= name.3 || right <= name.0 || left >= name.2;
                let covered = left <= name.0 && right >= name.2 && top <= name.1 && bottom >= name.3;
                assert!(clear || covered, "{n} servers: Server {}'s reason hides part of its name", i + 1);
                for j in (0..snap.servers.len()).filter(|&j| j != i) {
                    let (cy, h) = server_slot(j, snap.servers.len());
                    let apart = bottom <= cy - h / 2.0
                        || top >= cy + h / 2.0
                        || right <= X_SERVERS - 95.0
                        || left >= X_SERVERS + 95.0;
                    assert!(apart, "{n} servers: Server {}'s reason covers Server {}", i + 1, j + 1);
                }
            }
        }
    }
}
