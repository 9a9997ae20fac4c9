//! Big-number cards for the figures that matter most right now.

use leptos::prelude::*;
use statelab_sim::snapshot::CacheReading;
use statelab_sim::Snapshot;

use super::use_lab;
use crate::i18n::{
    t, Grouped,
    Text::{self, *},
};

/// What the cache card shows: the hit ratio of the last few seconds, so crashing or switching
/// off the cache shows at once, and "down" or "off" rather than a number that no longer holds.
pub fn cache_figure(s: &Snapshot) -> String {
    match s.cache.reading() {
        CacheReading::Off => t(Off).to_string(),
        CacheReading::Down => t(Down).to_string(),
        CacheReading::NoReadsYet => "–".to_string(),
        CacheReading::HitPct(pct) => format!("{pct} %"),
    }
}

/// How wide a card's figure is, in digits (a letter is about one, a separator, a space or a
/// slash about half): the card sets a figure smaller only if it would not fit its width on
/// one line (see `.card-value` in style/main.css).
fn width_in_digits(value: &str) -> f64 {
    value.chars().map(|c| if c.is_alphanumeric() { 1.0 } else { 0.5 }).sum()
}

/// `id` names the card in every language (`metric-<id>`), for labelling and for tests. A card
/// of one of compare view's panes has no id (two panes would repeat it) but the pane's name,
/// which its accessible name begins with ("Stateful: Users logged out").
#[component]
pub(super) fn Card(
    label: Text,
    value: Signal<String>,
    #[prop(optional)] tone: &'static str,
    #[prop(optional)] id: Option<&'static str>,
    #[prop(optional)] pane: Option<&'static str>,
) -> impl IntoView {
    let id = id.map(|id| format!("metric-{id}"));
    let labelled_by = id.clone();
    let named = pane.map(|pane| format!("{pane}: {}", t(label)));
    view! {
        <div
            class=format!("card {tone}")
            class:calm=move || value.with(|v| v == "0")
            role="group"
            aria-labelledby=labelled_by
            aria-label=named
        >
            <span class="card-label" id=id>{t(label)}</span>
            // Not a live region: the figure changes ten times a second while the lab runs.
            <output
                class="card-value"
                style:--digits=move || value.with(|v| format!("{:.1}", width_in_digits(v)))
                aria-live="off"
            >
                {value}
            </output>
        </div>
    }
}

/// Big numbers for the figures the lesson turns on, logged-out users and logouts first.
#[component]
pub fn Cards() -> impl IntoView {
    let lab = use_lab();
    let count = |n: u64| Grouped(n).to_string();
    let logged_out = Signal::derive(move || lab.snap.with(|s| count(s.logged_out.into())));
    let logged_in =
        Signal::derive(move || lab.snap.with(|s| format!("{} / {}", count(s.logged_in.into()), count(s.users.into()))));
    let failed = Signal::derive(move || lab.snap.with(|s| count(s.totals.failed)));
    let completed = Signal::derive(move || lab.snap.with(|s| count(s.totals.completed)));
    let logouts = Signal::derive(move || lab.snap.with(|s| count(s.totals.logouts)));
    let cache = Signal::derive(move || lab.snap.with(cache_figure));
    view! {
        <section class="cards" aria-labelledby="cards-heading">
            // Hidden: its look says what it is; a screen reader's list of headings needs it.
            <h2 id="cards-heading" class="visually-hidden">{t(KeyFigures)}</h2>
            <Card id="users-logged-out" label=UsersLoggedOut value=logged_out tone="alarm" />
            <Card id="logouts-so-far" label=LogoutsSoFar value=logouts tone="alarm" />
            <Card id="users-logged-in" label=UsersLoggedIn value=logged_in />
            <Card id="requests-answered" label=RequestsAnswered value=completed />
            <Card id="failed-requests" label=FailedRequests value=failed tone="warn" />
            <Card id="cache-hit-ratio" label=CacheHitRatio value=cache />
        </section>
    }
}
