//! Big-number cards for the figures that matter most right now.

use leptos::prelude::*;

use super::use_lab;
use crate::i18n::{
    t,
    Text::{self, *},
};

/// "UsersLoggedOut" → "users-logged-out": a card's id is its key's, the same in every language.
fn kebab(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[component]
fn Card(label: Text, value: Signal<String>, #[prop(optional)] tone: &'static str) -> impl IntoView {
    let id = format!("metric-{}", kebab(&format!("{label:?}")));
    let labelled_by = id.clone();
    view! {
        <div class=format!("card {tone}") role="group" aria-labelledby=labelled_by>
            <span class="card-label" id=id>{t(label)}</span>
            <output class="card-value">{value}</output>
        </div>
    }
}

#[component]
pub fn Cards() -> impl IntoView {
    let lab = use_lab();
    let logged_out = Signal::derive(move || lab.snap.with(|s| s.logged_out.to_string()));
    let logged_in = Signal::derive(move || lab.snap.with(|s| format!("{} / {}", s.logged_in, s.users)));
    let failed = Signal::derive(move || lab.snap.with(|s| s.totals.failed.to_string()));
    let completed = Signal::derive(move || lab.snap.with(|s| s.totals.completed.to_string()));
    let cache = Signal::derive(move || lab.snap.with(|s| format!("{} %", s.cache.hit_per_mille / 10)));
    view! {
        <section class="cards" aria-label=t(KeyFigures)>
            <Card label=UsersLoggedOut value=logged_out tone="alarm" />
            <Card label=UsersLoggedIn value=logged_in />
            <Card label=RequestsAnswered value=completed />
            <Card label=FailedRequests value=failed tone="warn" />
            <Card label=CacheHitRatio value=cache />
        </section>
    }
}
