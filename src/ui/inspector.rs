//! Two close-up views: a user's session (what the article calls state, and where it lives) and
//! one request's hop-by-hop latency waterfall.

use leptos::prelude::*;
use statelab_sim::time::human_us;
use statelab_sim::user::{SessionHome, CURRENCIES};
use statelab_sim::UserState;

use super::use_lab;
use crate::lab::Trace;

#[component]
pub fn SessionInspector() -> impl IntoView {
    let lab = use_lab();
    let details = move || {
        let id = lab.selected_user.get()?;
        lab.snap.track();
        lab.with_sim(|s| {
            let u = s.user(id)?;
            let state = match u.state {
                UserState::Anonymous => "has not logged in yet".to_string(),
                UserState::LoggingIn => "is logging in".to_string(),
                UserState::LoggedIn => "is logged in".to_string(),
                UserState::LoggedOut { reason, .. } => format!("is logged out: {reason}"),
            };
            let home = match u.home {
                SessionHome::Server(sid) => format!("in the memory of {sid} — lost if it crashes"),
                SessionHome::Store => format!("in the shared {} — any server can read it", s.store().kind),
                SessionHome::None => "nowhere: there is no session".to_string(),
            };
            let session = u.session.as_ref().map(|sess| {
                (
                    sess.authenticated,
                    sess.cart.iter().map(|p| format!("product {p}")).collect::<Vec<_>>(),
                    format!(
                        "{} theme, prices in {}",
                        if sess.prefs.dark_theme { "dark" } else { "light" },
                        CURRENCIES[sess.prefs.currency as usize % CURRENCIES.len()]
                    ),
                )
            });
            Some((id, u.region.to_string(), state, home, session))
        })
    };
    view! {
        <section class="panel inspector" aria-labelledby="inspector-heading">
            <h2 id="inspector-heading">"Session inspector"</h2>
            {move || match details() {
                None => view! { <p class="hint">"Pick a user above to see their session and where it lives."</p> }.into_any(),
                Some((id, region, state, home, session)) => view! {
                    <p><strong>{id.to_string()}</strong>{format!(" ({region}) {state}.")}</p>
                    <dl>
                        <dt>"Who"</dt><dd>{id.to_string()}</dd>
                        <dt>"Authenticated"</dt><dd>{session.as_ref().map_or("no", |s| if s.0 { "yes" } else { "no" })}</dd>
                        <dt>"Cart"</dt><dd>{session.as_ref().map_or("—".to_string(), |s| if s.1.is_empty() { "empty".to_string() } else { s.1.join(", ") })}</dd>
                        <dt>"Preferences"</dt><dd>{session.as_ref().map_or("—".to_string(), |s| s.2.clone())}</dd>
                        <dt>"Lives"</dt><dd class="home">{home}</dd>
                    </dl>
                    <button on:click=move |_| lab.selected_user.set(None)>"Close inspector"</button>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
pub fn Waterfall() -> impl IntoView {
    let lab = use_lab();
    view! {
        <section class="panel waterfall" aria-labelledby="waterfall-heading">
            <h2 id="waterfall-heading">"Request trace"</h2>
            <button on:click=move |_| lab.trace_next()>"Trace next request"</button>
            <p class="hint">"Or click a moving dot in the diagram."</p>
            {move || match lab.trace.get() {
                Trace::Off => view! { <p class="hint">"Follow one request hop by hop: where did its time go?"</p> }.into_any(),
                Trace::Waiting { .. } => view! { <p class="hint">"Waiting for the next request to finish…"</p> }.into_any(),
                Trace::Following { id } => view! { <p class="hint">{format!("Following request #{id} until it finishes…")}</p> }.into_any(),
                Trace::Shown(c) => {
                    let total = c.breakdown.total_us().max(1);
                    let mut start = 0u64;
                    let rows = c.breakdown.rows().into_iter().filter(|(_, us)| *us > 0).map(|(label, us)| {
                        let left = start as f64 * 100.0 / total as f64;
                        let width = (us as f64 * 100.0 / total as f64).max(0.8);
                        start += us;
                        view! {
                            <li>
                                <span class="wf-label">{label}</span>
                                <span class="wf-track">
                                    <span class=format!("wf-bar wf-{}", label.to_lowercase()) style:margin-left=format!("{left:.2}%") style:width=format!("{width:.2}%")></span>
                                </span>
                                <span class="wf-time">{human_us(us)}</span>
                            </li>
                        }
                    }).collect_view();
                    let outcome = match c.failure {
                        Some(r) => format!("failed: {}", r.label()),
                        None => format!("answered in {}", human_us(c.breakdown.total_us())),
                    };
                    let server = c.server.map(|s| format!(" via {s}")).unwrap_or_default();
                    view! {
                        <p>{format!("Request #{} — {}'s {}{server}, {outcome}.", c.id, c.user, c.action)}</p>
                        <ol class="wf" aria-label="Latency by hop">{rows}</ol>
                    }.into_any()
                }
            }}
        </section>
    }
}
