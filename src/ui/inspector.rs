//! Two close-up views: a user's session (what the article calls state, and where it lives) and
//! one request's hop-by-hop latency waterfall.

use leptos::prelude::*;
use statelab_sim::request::Completed;
use statelab_sim::user::SessionHome;
use statelab_sim::{FailReason, Node, UserState};

use super::use_lab;
use crate::i18n::{t, tf, words, Text::*};
use crate::lab::Trace;

/// A cart's products in the order first added, each once with how many ("product 0 ×2").
fn cart_lines(cart: &[u32]) -> Vec<String> {
    let mut counted: Vec<(u32, usize)> = Vec::new();
    for &p in cart {
        match counted.iter_mut().find(|(q, _)| *q == p) {
            Some((_, n)) => *n += 1,
            None => counted.push((p, 1)),
        }
    }
    counted
        .into_iter()
        .map(|(p, n)| {
            let name = tf(Product, &[("n", &p)]);
            if n == 1 {
                name
            } else {
                format!("{name} ×{n}")
            }
        })
        .collect()
}

/// For the user picked in the avatar strip: their session (login, cart, preferences), where it
/// lives and their last request's path; the state the article is about, in one place.
#[component]
pub fn SessionInspector() -> impl IntoView {
    let lab = use_lab();
    let details = move || {
        let id = lab.selected_user.get()?;
        lab.panel_snap(|_| ());
        let details = lab.with_sim(|s| {
            let u = s.user(id)?;
            let state = match u.state {
                UserState::Anonymous => t(UserAnonymous).to_string(),
                // Counted logged out until answered, as the strip marks them.
                UserState::LoggingIn if u.is_logged_out() => t(UserLoggingInAgain).to_string(),
                UserState::LoggingIn => t(UserLoggingIn).to_string(),
                UserState::LoggedIn => t(UserLoggedIn).to_string(),
                UserState::LoggedOut { reason, .. } => {
                    tf(UserLoggedOut, &[("why", &words::logout_reason(reason, false))])
                }
            };
            let home = match u.home {
                SessionHome::Server(sid) => tf(HomeServer, &[("server", &words::server(sid))]),
                SessionHome::Store => tf(HomeStore, &[("store", &words::store_kind(s.store().kind))]),
                SessionHome::None => t(HomeNone).to_string(),
            };
            // Signed in: the login was answered and the session it opened is still held.
            let authenticated = u.state == UserState::LoggedIn;
            let session = u.session.as_ref().map(|sess| {
                (
                    authenticated,
                    cart_lines(&sess.cart),
                    tf(
                        if sess.prefs.dark_theme { PrefsDark } else { PrefsLight },
                        &[("currency", &sess.prefs.currency_code())],
                    ),
                )
            });
            Some((id, words::region(u.region), state, home, session))
        })?;
        let path = lab.panel_snap(|snap| {
            let (c, nodes) = super::dots::last_path(lab)?;
            // A database node by its role, which says whether the read went to a replica.
            let name = |n: Node| match n {
                Node::Db(id) => snap
                    .db
                    .iter()
                    .find(|d| d.id == id)
                    .map_or_else(|| words::node(n), |d| words::db_name_in_text(d.name())),
                n => words::node(n),
            };
            let failed = c.failure.zip(c.failed_at).map(|(reason, at)| (reason, name(at)));
            Some((c, nodes.into_iter().map(name).collect::<Vec<_>>().join(" → "), failed))
        });
        let path = match path {
            Some((c, nodes, failed)) => {
                let action = words::action(c.action);
                match failed {
                    Some((reason, at)) => tf(
                        PathOfLastFailed,
                        &[("action", &action), ("path", &nodes), ("at", &at), ("reason", &words::fail_reason(reason))],
                    ),
                    None => tf(PathOfLast, &[("action", &action), ("path", &nodes)]),
                }
            }
            None => t(NoRequestYet).to_string(),
        };
        Some((details, path))
    };
    view! {
        <section class="panel inspector" aria-labelledby="inspector-heading">
            <h2 id="inspector-heading">{t(InspectorHeading)}</h2>
            {move || match details() {
                None => view! { <p class="hint">{t(InspectorHint)}</p> }.into_any(),
                Some(((id, region, state, home, session), path)) => view! {
                    <p><strong>{words::user(id)}</strong>{format!(" ({region}) {state}.")}</p>
                    <dl>
                        <dt>{t(Who)}</dt><dd>{words::user(id)}</dd>
                        <dt>{t(Authenticated)}</dt><dd>{t(if session.as_ref().is_some_and(|s| s.0) { Yes } else { No })}</dd>
                        <dt>{t(Cart)}</dt><dd>{session.as_ref().map_or("—".to_string(), |s| if s.1.is_empty() { t(Empty).to_string() } else { s.1.join(", ") })}</dd>
                        <dt>{t(Preferences)}</dt><dd>{session.as_ref().map_or("—".to_string(), |s| s.2.clone())}</dd>
                        <dt>{t(Lives)}</dt><dd class="home">{home}</dd>
                        <dt>{t(Path)}</dt><dd class="path">{path}</dd>
                    </dl>
                    <button on:click=move |_| lab.selected_user.set(None)>{t(CloseInspector)}</button>
                }.into_any(),
            }}
        </section>
    }
}

/// One request's time, hop by hop: the next one sent after the learner asks, or a clicked dot's,
/// so a slow answer shows its cause.
#[component]
pub fn Waterfall() -> impl IntoView {
    let lab = use_lab();
    // What a trace waiting for its request waits on, told on the page and to a screen reader:
    // the button and T may be far from this panel.
    let waiting = move || {
        t(if lab.snap.with(|s| s.rate_per_s == 0 && s.in_flight == 0) {
            // With no traffic nothing will come: say so rather than wait.
            TraceNoTraffic
        } else if !lab.playing.get() {
            TraceWaitingPaused
        } else {
            TraceWaiting
        })
    };
    view! {
        <section class="panel waterfall" aria-labelledby="waterfall-heading">
            <h2 id="waterfall-heading">{t(TraceHeading)}</h2>
            <button aria-keyshortcuts="T" on:click=move |_| lab.trace_next()>{t(TraceNext)}</button>
            <p class="hint">{t(TraceClickHint)}</p>
            {move || match lab.trace.get() {
                Trace::Off => view! { <p class="hint">{t(TraceOff)}</p> }.into_any(),
                Trace::Waiting => view! { <p class="hint">{waiting}</p> }.into_any(),
                Trace::Following { id } => view! { <p class="hint">{tf(TraceFollowing, &[("id", &(id + 1))])}</p> }.into_any(),
                Trace::Shown { request: c, .. } => {
                    let total = c.breakdown.total_us().max(1);
                    let missed = c.cache_hit == Some(false);
                    let mut start = 0u64;
                    let rows = c.breakdown.rows().into_iter().filter(|(_, us)| *us > 0).map(|(label, us)| {
                        let left = start as f64 * 100.0 / total as f64;
                        let width = (us as f64 * 100.0 / total as f64).max(0.8);
                        start += us;
                        view! {
                            <li>
                                <span class="wf-label">{words::hop_label(label, missed)}</span>
                                <span class="wf-track">
                                    <span class=format!("wf-bar wf-{}", label.to_lowercase().replace(' ', "-")) style:margin-left=format!("{left:.2}%") style:width=format!("{width:.2}%")></span>
                                </span>
                                <span class="wf-time">{words::duration(us)}</span>
                            </li>
                        }
                    }).collect_view();
                    view! {
                        // The live line below says it to a screen reader: once is enough.
                        <p aria-hidden="true">{summary(&c)}</p>
                        <ol class="wf" aria-label=t(LatencyByHop)>{rows}</ol>
                    }.into_any()
                }
            }}
            // The panel may be far from the button or the T key that asked: a screen reader
            // hears the traced request's summary wherever the focus is.
            <p class="visually-hidden" aria-live="polite">
                {move || lab.trace.with(|t| match t {
                    Trace::Shown { request, .. } => summary(request),
                    Trace::Waiting => waiting().to_string(),
                    _ => String::new(),
                })}
            </p>
        </section>
    }
}

/// A tapped dot's trace, told under the diagram: on a phone the waterfall is a few screens
/// below, and the tap would otherwise seem to do nothing. A screen reader hears the outcome
/// from the waterfall's own live line.
#[component]
pub fn TappedDot() -> impl IntoView {
    let lab = use_lab();
    let told = move || {
        lab.trace.with(|trace| match trace {
            Trace::Following { id } => Some(tf(TraceFollowing, &[("id", &(id + 1))])),
            Trace::Shown { request, tapped: true } => Some(summary(request)),
            _ => None,
        })
    };
    view! {
        <p class="picked tapped">
            {move || told().map(|text| view! {
                {text}
                " "
                <button on:click=move |_| super::focus::show_heading("waterfall-heading")>{t(ShowTrace)}</button>
            })}
        </p>
    }
}

/// "Request #88 — User T's product view via Server 2, answered in 33 ms.", numbered from 1.
/// A request whose server could not take it, with no other up, never went "via" that server.
fn summary(c: &Completed) -> String {
    let (server, outcome) = match (c.failure, c.server) {
        (Some(FailReason::NoServer), Some(s)) => {
            (String::new(), tf(OutcomeUnreachable, &[("server", &words::server(s))]))
        }
        (failure, server) => (
            server.map(|s| tf(Via, &[("server", &words::server(s))])).unwrap_or_default(),
            match failure {
                Some(r) => tf(OutcomeFailed, &[("why", &words::fail_reason(r))]),
                None => tf(OutcomeAnswered, &[("time", &words::duration(c.breakdown.total_us()))]),
            },
        ),
    };
    tf(
        TraceSummary,
        &[
            ("id", &(c.id + 1)),
            ("user", &words::user(c.user)),
            ("action", &words::action(c.action)),
            ("via", &server),
            ("outcome", &outcome),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cart_names_each_product_once_with_its_count() {
        crate::i18n::set(crate::i18n::Lang::En, false);
        assert_eq!(cart_lines(&[0, 2, 0, 74, 0]), ["product 0 ×3", "product 2", "product 74"]);
        assert!(cart_lines(&[]).is_empty());
    }
}
