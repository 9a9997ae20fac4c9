//! The system diagram, left to right as a request travels: browsers → DNS and CDN → load
//! balancer → web servers → session store and cache → master database → read replicas.
//! Boxes are SVG; the moving dots live on a canvas layer under them, and the failures' reasons
//! on one over them (see `dots`).

use leptos::prelude::*;
use statelab_sim::config::limits;
use statelab_sim::database::DbRole;
use statelab_sim::request::Node;
use statelab_sim::snapshot::{CacheReading, DbView, ServerView};
use statelab_sim::{LbAlgorithm, Mode, ServerState, UserId};

use statelab_sim::user::SessionHome;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::dots::{request_at, LEGEND};
use super::{parts, use_lab};
use crate::i18n::{counted, t, tf, words, Grouped, Text::*};
use crate::layout::*;

/// Room for a server box's sessions line [px]: from the text's start to the box's right edge.
const SESSIONS_ROOM: f64 = 145.0;
/// Room for a full server box's status line [px], a few short of the box's edge.
const STATUS_ROOM: f64 = 146.0;

thread_local! {
    /// A scratch canvas context that measures text, and the page's font family.
    static MEASURE: Option<(web_sys::CanvasRenderingContext2d, String)> = {
        let window = web_sys::window();
        let document = window.as_ref().and_then(|w| w.document());
        let family = document
            .as_ref()
            .and_then(|d| d.body())
            .and_then(|b| window.as_ref()?.get_computed_style(&b).ok().flatten())
            .and_then(|s| s.get_property_value("font-family").ok())
            .unwrap_or_else(|| "sans-serif".into());
        document
            .and_then(|d| d.create_element("canvas").ok())
            .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok())
            .and_then(|c| c.get_context("2d").ok().flatten())
            .and_then(|c| c.dyn_into().ok())
            .map(|c| (c, family))
    };
}

/// Width [px] of `text` at `weight_size` ("650 15px") in the page's own font family, so a box
/// sized by it holds its text on every platform (0 where there is no canvas to measure with).
fn text_width(text: &str, weight_size: &str) -> f64 {
    MEASURE
        .with(|m| {
            let (m, family) = m.as_ref()?;
            m.set_font(&format!("{weight_size} {family}"));
            m.measure_text(text).ok().map(|t| t.width())
        })
        .unwrap_or_default()
}

/// A server's sessions line: as many of `names` (the first of `total`) as fit the box at the
/// theme's type size (larger on a projector: it carries the lesson), then how many more.
fn sessions_line(names: &[String], total: usize, projector: bool) -> String {
    let line = |shown: usize| {
        let mut text = tf(SessionsList, &[("names", &names[..shown].join(" "))]);
        if shown < total {
            text.push_str(&format!(" +{}", Grouped((total - shown) as u64)));
        }
        text
    };
    let font = if projector { "600 13.5px" } else { "600 11.5px" };
    let fits = |shown: usize| text_width(&line(shown), font) <= SESSIONS_ROOM;
    let shown = (1..=names.len()).rev().find(|&n| fits(n)).unwrap_or(1.min(names.len()));
    line(shown)
}

/// The first of `candidates` (longest first) that fits a full server box's status line at the
/// theme's type size, else the last: a deep queue or a long Spanish word must not run past the box.
fn fitted_status(candidates: Vec<String>, projector: bool) -> String {
    let size = if projector { "14px" } else { "12.5px" };
    let last = candidates.len().saturating_sub(1);
    candidates
        .into_iter()
        .enumerate()
        .find(|(i, c)| *i == last || text_width(c, size) <= STATUS_ROOM)
        .map(|(_, c)| c)
        .unwrap_or_default()
}

/// A server's load in a few characters ("3/4 +12": busy of its workers, then queued), for a
/// one-line box or a full box too narrow for the words.
fn load_line(v: &ServerView) -> String {
    let (busy, workers) = (Grouped(v.busy.into()), Grouped(v.workers.into()));
    if v.queued > 0 {
        format!("{busy}/{workers} +{}", Grouped(v.queued.into()))
    } else {
        format!("{busy}/{workers}")
    }
}

/// Width of a component box, at least `min`, that fits its name and every status it can show
/// beside its 42 px icon column; statuses are measured at the projector theme's size.
fn box_width(min: f64, name: &str, statuses: &[String]) -> f64 {
    let status = statuses.iter().map(|s| text_width(s, "14px")).fold(0.0, f64::max);
    min.max(42.0 + text_width(name, "650 15px").max(status) + 10.0)
}

/// Where a pointer event falls in the diagram's coordinates, and how many diagram units a
/// CSS pixel spans there.
fn diagram_point(ev: &web_sys::MouseEvent) -> Option<(f64, f64, f64)> {
    let canvas = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
    let rect = canvas.get_bounding_client_rect();
    if rect.width() <= 0.0 {
        return None;
    }
    let scale = WIDTH / rect.width();
    Some(((f64::from(ev.client_x()) - rect.left()) * scale, (f64::from(ev.client_y()) - rect.top()) * scale, scale))
}

/// Least room kept above a tapped dot when its note is scrolled into view [CSS px]: its ring
/// stays in the window.
const DOT_ROOM: f64 = 40.0;

/// Brings a tapped dot's note into the window when it is below it (a zoomed-in or short
/// window), scrolling as little as that takes and never so far that the dot, `tap_y` CSS px
/// from the window's top, leaves it. A tour's dock holds the window's foot, so the note must
/// clear it too.
fn reveal_tapped_note(tap_y: f64) {
    // After the note is written, so its place is known.
    gloo_timers::callback::Timeout::new(0, move || {
        let Some(w) = web_sys::window() else { return };
        let Some(document) = w.document() else { return };
        let Some(note) = document.query_selector(".diagram .tapped").ok().flatten() else { return };
        let height = w.inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(0.0);
        let dock = document.query_selector(".tour-dock").ok().flatten().map(|d| d.get_bounding_client_rect().top());
        let floor = dock.filter(|top| *top > tap_y && *top < height).unwrap_or(height);
        let by = (note.get_bounding_client_rect().bottom() + 8.0 - floor).min(tap_y - DOT_ROOM);
        if by > 0.0 {
            w.scroll_by_with_x_and_y(0.0, by);
        }
    })
    .forget();
}

/// How far from a dot a click still picks it, in diagram units (`scale` per CSS pixel): 14, or
/// a fingertip's 22 CSS px on a touch screen, where the diagram is drawn small and its dots are
/// a few pixels wide.
fn dot_reach(scale: f64) -> f64 {
    let coarse =
        web_sys::window().and_then(|w| w.match_media("(pointer: coarse)").ok().flatten()).is_some_and(|m| m.matches());
    if coarse {
        (22.0 * scale).max(14.0)
    } else {
        14.0
    }
}

/// Keeps `on_screen` true only while the page is in view: an embedded lab that the host page
/// scrolled away stops animating. The body is observed, not the diagram, so a learner reading
/// a panel below the diagram does not pause the run.
fn watch_visibility(on_screen: RwSignal<bool>) {
    Effect::new(move |_| {
        let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) else { return };
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            if let Some(entry) = entries.get(0).dyn_ref::<web_sys::IntersectionObserverEntry>() {
                on_screen.set(entry.is_intersecting());
            }
        });
        if let Ok(observer) = web_sys::IntersectionObserver::new(callback.as_ref().unchecked_ref()) {
            observer.observe(&el);
        }
        // The observer lives as long as the page.
        callback.forget();
    });
}

/// Share of a database node's connections running a query, for its load bar.
fn db_load(n: &DbView) -> f64 {
    if n.up {
        f64::from(n.busy) / f64::from(n.connections.max(1))
    } else {
        0.0
    }
}

/// A database node's status line: down, or the queries waiting for a connection when any
/// do, else `count` (its reads or writes).
fn db_status(n: &DbView, count: String) -> String {
    if !n.up {
        t(Down).to_string()
    } else if n.waiting > 0 {
        tf(DbWaiting, &[("n", &Grouped(n.waiting.into()))])
    } else {
        count
    }
}

/// A labelled component box with its icon.
#[component]
fn NodeBox(
    x: f64,
    y: f64,
    #[prop(default = 120.0)] w: f64,
    #[prop(default = 64.0)] h: f64,
    icon: &'static str,
    label: &'static str,
    #[prop(into)] status: Signal<String>,
    /// Every status it can show, which sizes the box (default: the status now).
    #[prop(optional)]
    statuses: Vec<String>,
    #[prop(into)] down: Signal<bool>,
    /// Requests fail here now (a burst for it is on screen): outlined, not ringed over its text.
    #[prop(optional, into)]
    failing: Signal<bool>,
    /// Its name in a tour step's spotlight list ("" = never spotlit).
    #[prop(default = "")]
    spot: &'static str,
) -> impl IntoView {
    let lab = use_lab();
    let statuses = if statuses.is_empty() { vec![status.get_untracked()] } else { statuses };
    let w = box_width(w, label, &statuses);
    view! {
        <g class="node sized" class:down=down class:spotlight=move || lab.is_spotlit(spot)
            class:failing=failing>
            <rect x=x - w / 2.0 y=y - h / 2.0 width=w height=h rx="10" />
            <image href=format!("assets/icon-{icon}.svg") x=x - w / 2.0 + 8.0 y=y - 14.0 width="28" height="28" />
            <text class="node-label" x=x - w / 2.0 + 42.0 y=y - 4.0>{label}</text>
            <text class="node-status" x=x - w / 2.0 + 42.0 y=y + 16.0>{status}</text>
        </g>
    }
}

/// `actions`: a click on a box opens its menu of crash, restart and the like (full controls).
/// `traces`: a click on a dot traces its request (the page shows the waterfall).
#[component]
pub fn Diagram(
    actions: bool,
    traces: bool,
    /// The projector theme sets larger status lines, which must still fit their boxes.
    #[prop(into)]
    projector: Signal<bool>,
) -> impl IntoView {
    let lab = use_lab();
    let menu = RwSignal::new(None::<Part>);
    // A new diagram's layers are measured and marked afresh.
    super::dots::rescale();
    // A resize or a zoom changes the dot layers' size on screen, or the pixels behind it. While
    // paused no frame follows, so the layers are drawn again here.
    let resized = window_event_listener(leptos::ev::resize, move |_| {
        super::dots::rescale();
        if !lab.playing.get_untracked() {
            super::dots::draw(lab);
        }
    });
    on_cleanup(move || resized.remove());
    let server_ids = move || lab.snap.with(|s| s.servers.iter().map(|v| v.id).collect::<Vec<_>>());
    // (taking traffic, drawn): the dense stack's heading.
    let server_count = Memo::new(move |_| {
        lab.snap.with(|s| (s.servers.iter().filter(|v| v.state.is_healthy()).count(), s.servers.len()))
    });
    let replica_ids =
        move || lab.snap.with(|s| s.db.iter().filter(|n| n.role == DbRole::Replica).map(|n| n.id).collect::<Vec<_>>());
    let store_status = Signal::derive(move || {
        lab.snap.with(|s| {
            let st = &s.store;
            if !st.up {
                t(Down).to_string()
            } else if s.mode == Mode::Stateless {
                counted(st.sessions.into(), SessionsOne, SessionsCount)
            } else {
                t(StoreUnused).to_string()
            }
        })
    });
    let cache_status = Signal::derive(move || {
        lab.snap.with(|s| match s.cache.reading() {
            CacheReading::Off => t(Off).to_string(),
            CacheReading::Down => t(Down).to_string(),
            CacheReading::NoReadsYet => t(NoReadsYet).to_string(),
            CacheReading::HitPct(pct) => tf(HitsPct, &[("n", &pct)]),
        })
    });
    let master_status = Signal::derive(move || {
        lab.snap.with(|s| {
            s.db.iter()
                .find(|n| n.role == DbRole::Master)
                .map(|m| db_status(m, counted(m.writes, WritesOne, WritesCount)))
                .unwrap_or_default()
        })
    });
    let master_failing = Signal::derive(move || {
        lab.snap
            .with(|s| s.db.iter().find(|n| n.role == DbRole::Master).map(|n| n.id))
            .is_some_and(|id| lab.is_failing(Node::Db(id)))
    });
    let master_load =
        Memo::new(move |_| lab.snap.with(|s| s.db.iter().find(|n| n.role == DbRole::Master).map_or(0.0, db_load)));
    let master_down = Signal::derive(move || lab.snap.with(|s| !s.db.iter().any(|n| n.role == DbRole::Master && n.up)));
    let lb_status = Signal::derive(move || lab.snap.with(|s| words::algorithm(s.algorithm).to_string()));
    let users_status = Signal::derive(move || lab.snap.with(|s| counted(s.users.into(), UsersOne, UsersCount)));
    let cdn_status = Signal::derive(move || {
        lab.snap.with(|s| {
            s.cdn_hit_per_mille.map_or_else(|| t(NoFilesYet).into(), |m| tf(EdgeHitsPct, &[("n", &(m / 10))]))
        })
    });
    let dns_status = Signal::derive(move || {
        lab.snap.with(|s| {
            s.dns_cached_per_mille.map_or_else(|| t(NoRequestsYet).into(), |m| tf(DnsCachedPct, &[("n", &(m / 10))]))
        })
    });
    let store_down = Signal::derive(move || lab.snap.with(|s| !s.store.up));
    // Where the selected user's session lives, to highlight that box.
    // One memo for every box that highlights the selected user's session home.
    let home_of_selected = Memo::new(move |_| {
        let u = lab.selected_user.get()?;
        lab.snap.track();
        lab.with_sim(|s| s.user(u).map(|x| x.home))
    });
    let home_of_selected = move || home_of_selected.get();
    // The server under the pointer, as the dot layer's tooltip.
    let hovered = RwSignal::new(None::<String>);
    // Whether the pointer is on a box that opens a menu.
    let over_part = RwSignal::new(false);
    watch_visibility(lab.on_screen);
    // Syncs the dot canvas with the snapshot while paused (Step, commands, rewinds); while
    // playing, the animation loop draws every frame itself.
    Effect::new(move |_| {
        lab.snap.track();
        lab.selected_user.track();
        lab.trace.track();
        if !lab.playing.get_untracked() {
            super::dots::draw(lab);
        }
    });
    // (servers shown, replicas): what the edges depend on.
    let shape = Memo::new(move |_| {
        lab.snap.with(|s| (s.servers.len(), s.db.iter().filter(|d| d.role == DbRole::Replica).count()))
    });
    let cache_down = Signal::derive(move || lab.snap.with(|s| !s.cache.up));
    let at_end = RwSignal::new(false);
    view! {
        // Scrolled to its right end (a tour step can do that), the diagram shows what the hint
        // promises, and the hint steps aside.
        <figure
            class="diagram"
            class:at-end=move || at_end.get()
            // A paused moment holds still, its failure outlines included.
            class:paused=move || !lab.playing.get()
            on:scroll=move |ev| {
                if let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                    at_end.set(el.scroll_left() + el.client_width() >= el.scroll_width() - 40);
                }
            }
        >
            <p class="scroll-hint" aria-hidden="true">{t(ScrollHint)}</p>
            // The key sits above the picture: it is read first, and a tour's dock, at the
            // window's foot, never covers it.
            <ul class="legend" aria-label=t(LegendLabel)>
                {LEGEND.iter().map(|(name, colour, shape)| view! {
                    <li><span class=shape.class() style:--c=*colour></span>{t(*name)}</li>
                }).collect_view()}
                <li><span class="swatch burst"></span>{t(LegendFailure)}</li>
            </ul>
            <div class="stage">
                <svg
                    viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                    role="img"
                    aria-labelledby="diagram-caption"
                >
                    <g class="edges" aria-hidden="true">
                        <line x1=X_BROWSER_DOTS y1=Y_LB x2=X_EDGE y2=Y_DNS />
                        <line x1=X_BROWSER_DOTS y1=Y_LB x2=X_EDGE y2=Y_CDN />
                        <line x1=X_EDGE y1=Y_CDN x2=X_EDGE y2=Y_ORIGIN />
                        <line x1=X_BROWSER_DOTS y1=Y_LB x2=X_LB y2=Y_LB />
                        {move || {
                            // Redrawn only when the number of servers or replicas changes.
                            let (n, replicas) = shape.get();
                            let mut lines = Vec::new();
                            for i in 0..n {
                                let y = server_slot(i, n).0;
                                lines.push((X_LB, Y_LB, X_SERVERS, y, ""));
                                lines.push((X_SERVERS, y, X_DATA, Y_STORE, ""));
                                lines.push((X_SERVERS, y, X_DATA, Y_CACHE, ""));
                                lines.push((X_SERVERS, y, X_MASTER, Y_MASTER, "faint"));
                            }
                            for i in 0..replicas {
                                lines.push((X_MASTER, Y_MASTER, X_REPLICAS, replica_y(i, replicas), "replication"));
                            }
                            lines
                                .into_iter()
                                .map(|(x1, y1, x2, y2, class)| view! { <line x1=x1 y1=y1 x2=x2 y2=y2 class=class /> })
                                .collect_view()
                        }}
                    </g>
                    <g class="node browsers">
                        <rect x=X_BROWSERS - 60.0 y=40.0 width=box_width(120.0, t(Browsers), &[tf(UsersCount, &[("n", &Grouped(limits::USERS.into()))])]) height=HEIGHT - 60.0 rx="10" />
                        <image href="assets/icon-browser.svg" x=X_BROWSERS - 52.0 y="50" width="26" height="26" />
                        <text class="node-label" x=X_BROWSERS - 20.0 y="62">{t(Browsers)}</text>
                        <text class="node-status" x=X_BROWSERS - 20.0 y="78">{users_status}</text>
                        // With more users than rows, the last row counts the ones not drawn.
                        <For each=move || 0..lab.snap.with(|s| if s.users > BROWSER_ROWS { BROWSER_ROWS - 1 } else { s.users }) key=|u| *u let:u>
                            {
                                // One keyed row per browser: only its class and mark change. A memo
                                // per row keeps the snapshot's subscribers to one per row.
                                let state = Memo::new(move |_| {
                                    lab.snap.track();
                                    lab.with_sim(|s| s.user(UserId(u)).map_or((false, false), |x| (x.is_logged_in(), x.is_logged_out())))
                                });
                                let state = move || state.get();
                                let y = browser_y(u);
                                view! {
                                    <g class="pc" class:in=move || state().0 class:out=move || state().1 class:spotlight=move || lab.is_spotlit(&format!("user:{u}"))>
                                        <text class="pc-name" x=X_BROWSERS - 44.0 y=y + 4.0>{words::letters(UserId(u))}</text>
                                        <circle cx=X_BROWSER_DOTS cy=y r="7" />
                                        <text class="pc-mark" x=X_BROWSER_DOTS + 12.0 y=y + 4.0>
                                            {move || match state() {
                                                (true, _) => "✓",
                                                (_, true) => "✗",
                                                _ => "…",
                                            }}
                                        </text>
                                    </g>
                                }
                            }
                        </For>
                        <text class="node-status" x=X_BROWSERS - 44.0 y=browser_y(BROWSER_ROWS - 1) + 4.0>
                            {move || lab.snap.with(|s| (s.users > BROWSER_ROWS).then(|| tf(BrowsersMore, &[("n", &Grouped((s.users - (BROWSER_ROWS - 1)).into()))])))}
                        </text>
                    </g>
                    <NodeBox x=X_EDGE y=Y_DNS spot="dns" icon="dns" label="DNS" status=dns_status statuses=vec![tf(DnsCachedPct, &[("n", &100)]), t(NoRequestsYet).into()] down=false />
                    <NodeBox x=X_EDGE y=Y_CDN spot="cdn" icon="cdn" label=t(CdnEdge) status=cdn_status statuses=vec![tf(EdgeHitsPct, &[("n", &100)]), t(NoFilesYet).into()] down=false />
                    <NodeBox x=X_EDGE y=Y_ORIGIN h=52.0 icon="origin" label=t(Origin) status=t(StaticFiles).to_string() down=false />
                    <NodeBox x=X_LB y=Y_LB w=130.0 h=80.0 spot="balancer" icon="balancer" label=t(LoadBalancer) status=lb_status failing=Signal::derive(move || lab.is_failing(Node::Balancer))
                        statuses=LbAlgorithm::ALL.map(|a| words::algorithm(a).to_string()).to_vec() down=false />
                    // A dense stack draws bars without names: a heading says what they are, and
                    // each bar's tooltip names it with its state.
                    {move || {
                        let (up, n) = server_count.get();
                        // Behind the stack, a plate the edges stop at: between its thin boxes they
                        // would weave a moiré that hides which box is which.
                        (Density::of(server_slot(0, n).1) != Density::Full).then(|| {
                            let (first, last) = (server_slot(0, n), server_slot(n - 1, n));
                            let (top, bottom) = (first.0 - first.1 / 2.0, last.0 + last.1 / 2.0);
                            view! {
                                <rect class="stack-back" x=X_SERVERS - 95.0 y=top width="190" height=bottom - top />
                                <text class="stack-label" x=X_SERVERS y="30" text-anchor="middle">{tf(ServerStack, &[("up", &up), ("n", &n)])}</text>
                            }
                        })
                    }}
                    <For each=server_ids key=|id| *id let:id>
                        {
                            // One subscriber to the snapshot per server; the box's parts follow the memo.
                            let view_of = Memo::new(move |_| lab.snap.with(|s| {
                                let n = s.servers.len();
                                s.servers.iter().position(|v| v.id == id).map(|i| (i, n, s.servers[i].clone()))
                            }));
                            // Place and state change rarely, load and text often: each part is its
                            // own memo, so a busy server rewrites only its text and load bar.
                            let geom = Memo::new(move |_| view_of.with(|v| v.as_ref().map_or((0.0, 0.0), |(i, n, _)| server_slot(*i, *n))));
                            let geom = move || geom.get();
                            let state = Memo::new(move |_| view_of.with(|v| v.as_ref().map(|v| v.2.state)));
                            let state = move || state.get();
                            let density = Memo::new(move |_| Density::of(geom().1));
                            let full = move || density.get() == Density::Full;
                            // A bar shows no text (see the CSS): nothing to rewrite on every publication.
                            let status = move || view_of.get().filter(|_| density.get() != Density::Bar).map(|(_, _, v)| match (v.state, full()) {
                                (ServerState::Booting { .. }, true) => tf(StatusBooting, &[("n", &(v.boot_per_mille.unwrap_or(0) / 10))]),
                                (ServerState::Booting { .. }, false) => format!("{} %", v.boot_per_mille.unwrap_or(0) / 10),
                                (ServerState::Healthy, true) => {
                                    let (busy, workers, queued) = (Grouped(v.busy.into()), Grouped(v.workers.into()), Grouped(v.queued.into()));
                                    let figures: &[(&str, &dyn std::fmt::Display)] = &[("busy", &busy), ("workers", &workers), ("queued", &queued)];
                                    fitted_status(vec![tf(StatusHealthy, figures), tf(StatusHealthyShort, figures), format!("✓ {}", load_line(&v))], projector.get())
                                }
                                (ServerState::Healthy, false) => load_line(&v),
                                (ServerState::Draining, true) => fitted_status(
                                    vec![tf(StatusDraining, &[("n", &Grouped((v.busy + v.queued).into()))]), format!("↘ {}", words::server_state(v.state))],
                                    projector.get(),
                                ),
                                (ServerState::Stopped, true) => t(StatusStopped).to_string(),
                                (ServerState::Crashed, true) => t(StatusCrashed).to_string(),
                                (state, false) => words::server_state(state).to_string(),
                            }).unwrap_or_default();
                            let icon = move || (geom().1 - 6.0).clamp(0.0, 26.0);
                            // Only a full box shows whose sessions it holds; a denser one skips the work.
                            let sessions = Memo::new(move |_| {
                                if !full() { return String::new(); }
                                lab.snap.track();
                                lab.with_sim(|s| {
                                    if s.mode() != Mode::Stateful { return String::new(); }
                                    let Some(server) = s.server(id) else { return String::new() };
                                    if server.sessions.is_empty() { return t(NoSessions).to_string(); }
                                    // More names than a box can hold are never measured.
                                    let names: Vec<String> = server.sessions.iter().take(12).map(|u| words::letters(*u)).collect();
                                    sessions_line(&names, server.sessions.len(), projector.get())
                                })
                            });
                            let load = Memo::new(move |_| view_of.with(|v| v.as_ref().map_or(0.0, |(_, _, v)| f64::from(v.busy) / f64::from(v.workers.max(1)))));
                            view! {
                                <g
                                    class="node server"
                                    class:spotlight=move || lab.is_spotlit(&format!("server:{}", id.0))
                                    class:highlight=move || home_of_selected() == Some(SessionHome::Server(id))
                                    class:down=move || state() == Some(ServerState::Crashed)
                                    class:failing=move || lab.is_failing(Node::Server(id))
                                    class:booting=move || matches!(state(), Some(ServerState::Booting { .. }))
                                    class:stopped=move || state().is_some_and(|s| !s.in_pool())
                                    class:line=move || density.get() == Density::Line
                                    class:bar=move || density.get() == Density::Bar
                                >
                                    <rect x=X_SERVERS - 95.0 y=move || geom().0 - geom().1 / 2.0 width="190" height=move || geom().1 rx="10" />
                                    <rect class="load" x=X_SERVERS - 95.0 y=move || geom().0 + geom().1 / 2.0 - geom().1.min(5.0) height=move || geom().1.min(5.0) width=move || 190.0 * load.get() />
                                    <image href=move || if state() == Some(ServerState::Crashed) { "assets/icon-server-down.svg" } else { "assets/icon-server.svg" }
                                        x=X_SERVERS - 88.0 y=move || geom().0 - icon() / 2.0 width=icon height=icon />
                                    <text class="node-label" x=X_SERVER_TEXT y=move || server_name_baseline(geom().0, density.get())>{words::server(id)}</text>
                                    <text
                                        class="node-status"
                                        x=move || if full() { X_SERVER_TEXT } else { X_SERVERS + 88.0 }
                                        y=move || geom().0 + if full() { 8.0 } else { 4.0 }
                                        text-anchor=move || if full() { "start" } else { "end" }
                                    >
                                        {status}
                                    </text>
                                    <text class="node-sessions" x=X_SERVER_TEXT y=move || geom().0 + 22.0>{sessions}</text>
                                </g>
                            }
                        }
                    </For>
                    <g class:highlight=move || home_of_selected() == Some(SessionHome::Store)>
                        <NodeBox x=X_DATA y=Y_STORE w=150.0 spot="store" icon="redis" label=t(SessionStore) status=store_status failing=Signal::derive(move || lab.is_failing(Node::SessionStore))
                            statuses=vec![t(Down).to_string(), tf(SessionsCount, &[("n", &Grouped(limits::USERS.into()))]), t(StoreUnused).to_string()] down=store_down />
                    </g>
                    <NodeBox x=X_DATA y=Y_CACHE w=150.0 spot="cache" icon="cache" label=t(Cache) status=cache_status
                        statuses=vec![t(Off).to_string(), t(Down).to_string(), tf(HitsPct, &[("n", &100)]), t(NoReadsYet).to_string()] down=cache_down />
                    <NodeBox x=X_MASTER y=Y_MASTER w=140.0 spot="db" icon="database" label=t(MasterDb) status=master_status
                        failing=master_failing
                        statuses=vec![t(Down).to_string(), tf(WritesCount, &[("n", &Grouped(9_999_999))]), tf(DbWaiting, &[("n", &Grouped(99_999))])] down=master_down />
                    <rect class="load" x=X_MASTER - 60.0 y=Y_MASTER + 26.0 height="4" width=move || 120.0 * master_load.get() />
                    <For each=replica_ids key=|id| *id let:id>
                        {
                            let info = Memo::new(move |_| lab.snap.with(|s| {
                                let replicas: Vec<_> = s.db.iter().filter(|n| n.role == DbRole::Replica).collect();
                                replicas.iter().position(|n| n.id == id).map(|i| (replica_y(i, replicas.len()), replicas[i].number, replicas[i].up, db_load(replicas[i]), replicas[i].behind, db_status(replicas[i], counted(replicas[i].reads, ReadsOne, ReadsCount))))
                            }));
                            let info = move || info.get();
                            let y = move || info().map_or(0.0, |i| i.0);
                            view! {
                                // "db" is the whole database tier: a step about reads shows the replicas too.
                                <g class="node" class:down=move || info().is_some_and(|i| !i.2) class:behind=move || info().is_some_and(|i| i.2 && i.4) class:spotlight=move || lab.is_spotlit("db")
                                    class:failing=move || lab.is_failing(Node::Db(id))>
                                    <rect x=X_REPLICAS - 70.0 y=move || y() - 28.0 width="140" height="56" rx="10" />
                                    <image href="assets/icon-database.svg" x=X_REPLICAS - 62.0 y=move || y() - 12.0 width="24" height="24" />
                                    <text class="node-label" x=X_REPLICAS - 32.0 y=move || y() - 4.0>{move || info().map(|i| tf(ReplicaName, &[("n", &i.1)])).unwrap_or_default()}</text>
                                    <text class="node-status" x=X_REPLICAS - 32.0 y=move || y() + 14.0>{move || info().map(|i| if i.2 && i.4 { t(Behind).to_string() } else { i.5 }).unwrap_or_default()}</text>
                                    <rect class="load" x=X_REPLICAS - 62.0 y=move || y() + 22.0 height="4" width=move || 124.0 * info().map_or(0.0, |i| i.3) />
                                </g>
                            }
                        }
                    </For>
                </svg>
                <canvas
                    id="dots"
                    width=WIDTH as u32
                    height=HEIGHT as u32
                    aria-hidden="true"
                    title=move || hovered.get()
                    class:actionable=move || over_part.get()
                    on:click=move |ev| {
                        // Mouse and touch only; "Trace next request" is the keyboard way.
                        let Some((x, y, scale)) = diagram_point(&ev) else { return };
                        // A box first: the dots under it are hidden, and its cursor and tooltip
                        // promise its menu.
                        let part = if actions { lab.snap.with_untracked(|s| part_at(s, x, y)) } else { None };
                        if part.is_some() {
                            menu.set(part.filter(|p| menu.get_untracked() != Some(*p)));
                        } else if let Some(id) = lab.live.with_value(|s| request_at(s, x, y, dot_reach(scale))).filter(|_| traces) {
                            lab.follow(id);
                            reveal_tapped_note(f64::from(ev.client_y()));
                        } else if actions {
                            menu.set(None);
                        }
                    }
                    on:mousemove=move |ev| {
                        // The dot layer takes the pointer for the boxes over it: it names the
                        // server under the pointer, which a dense stack draws as an unlabelled bar.
                        let part = diagram_point(&ev).and_then(|(x, y, _)| lab.snap.with_untracked(|s| part_at(s, x, y)));
                        if over_part.get_untracked() != (actions && part.is_some()) {
                            over_part.set(actions && part.is_some());
                        }
                        let name = lab.snap.with_untracked(|s| match part {
                            Some(Part::Server(id)) => s.servers.iter().find(|v| v.id == id).map(|v| words::server_with_state(id, v.state)),
                            _ => None,
                        });
                        if hovered.with_untracked(|h| *h != name) {
                            hovered.set(name);
                        }
                    }
                ></canvas>
                <canvas id="plates" width=WIDTH as u32 height=HEIGHT as u32 aria-hidden="true"></canvas>
                {actions.then(|| view! { <parts::PartMenu open=menu /> })}
            </div>
            {actions.then(|| view! { <parts::PartKeys open=menu /> })}
            <figcaption id="diagram-caption">
                {move || lab.snap.with(|s| tf(
                    if s.mode == Mode::Stateful { CaptionStateful } else { CaptionStateless },
                    &[
                        ("servers", &s.servers.iter().filter(|v| v.state.accepts()).count()),
                        ("flight", &Grouped(s.in_flight.into())),
                        ("in", &Grouped(s.logged_in.into())),
                        ("users", &counted(s.users.into(), UsersOne, UsersCount)),
                    ],
                ))}
            </figcaption>
            {actions.then(|| view! { <p class="diagram-tip">{t(if traces { DiagramTipDot } else { DiagramTip })}</p> })}
            {traces.then(|| view! { <super::inspector::TappedDot /> })}
        </figure>
    }
}
