//! Live controls of the rest of the system: traffic, balancing, cache, session store and
//! database. Each is a native input with a label, so it works by keyboard and screen reader.

use leptos::prelude::*;
use statelab_sim::config::AutoscalerConfig;
use statelab_sim::database::DbRole;
use statelab_sim::{Command, LbAlgorithm, Mode, Pattern, StoreKind, UserId};

use super::use_lab;

/// Top of the traffic slider [requests/s].
pub const MAX_RATE: u32 = 2_000;

fn algorithm_key(a: LbAlgorithm) -> &'static str {
    match a {
        LbAlgorithm::RoundRobin => "round_robin",
        LbAlgorithm::LeastConnections => "least_connections",
        LbAlgorithm::Random => "random",
        LbAlgorithm::Sticky => "sticky",
    }
}

fn pattern_key(p: Pattern) -> &'static str {
    match p {
        Pattern::Steady => "steady",
        Pattern::Spike => "spike",
        Pattern::Ramp => "ramp",
        Pattern::Diurnal => "diurnal",
        Pattern::Quiet => "quiet",
    }
}

fn store_key(k: StoreKind) -> &'static str {
    match k {
        StoreKind::Redis => "redis",
        StoreKind::Memcached => "memcached",
        StoreKind::Sql => "sql",
        StoreKind::Nosql => "nosql",
    }
}

#[component]
pub fn SystemControls() -> impl IntoView {
    view! {
        <section class="panel system-controls" aria-labelledby="system-heading">
            <h2 id="system-heading">"System"</h2>
            <TrafficControls />
            <BalancerControls />
            <DataControls />
            <DatabaseControls />
        </section>
    }
}

#[component]
fn TrafficControls() -> impl IntoView {
    let lab = use_lab();
    let rate = move || lab.snap.with(|s| s.base_rate_per_s);
    let pattern = move || lab.snap.with(|s| s.pattern);
    let autoscaling = move || lab.snap.with(|s| s.autoscaling);
    let set_rate = move |r: u32| lab.send(Command::SetTraffic { rate_per_s: r, pattern: pattern() });
    view! {
        <fieldset>
            <legend>"Traffic"</legend>
            <label class="row">
                "Requests per second"
                <input
                    type="range" min="0" max=MAX_RATE.to_string() step="5"
                    prop:value=move || rate().to_string()
                    on:change=move |ev| {
                        if let Ok(r) = event_target_value(&ev).parse::<u32>() {
                            set_rate(r.min(MAX_RATE));
                        }
                    }
                />
                <output>{move || lab.snap.with(|s| format!("{} /s now", s.rate_per_s))}</output>
            </label>
            <label class="row">
                "Pattern"
                <select
                    prop:value=move || pattern_key(pattern())
                    on:change=move |ev| {
                        let key = event_target_value(&ev);
                        if let Some(p) = Pattern::ALL.into_iter().find(|p| pattern_key(*p) == key) {
                            lab.send(Command::SetTraffic { rate_per_s: rate(), pattern: p });
                        }
                    }
                >
                    {Pattern::ALL.into_iter().map(|p| view! { <option value=pattern_key(p)>{p.to_string()}</option> }).collect_view()}
                </select>
                <button on:click=move |_| lab.send(Command::Spike)>"Spike"</button>
            </label>
            <label class="row check">
                <input
                    type="checkbox"
                    prop:checked=autoscaling
                    on:change=move |ev| {
                        let policy = AutoscalerConfig { enabled: event_target_checked(&ev), ..AutoscalerConfig::default() };
                        lab.send(Command::SetAutoscaling { policy });
                    }
                />
                "Auto-scaling (out above 70 % busy, in below 30 %)"
            </label>
        </fieldset>
    }
}

#[component]
fn BalancerControls() -> impl IntoView {
    let lab = use_lab();
    let stateful = move || lab.snap.with(|s| s.mode == Mode::Stateful);
    let chosen = RwSignal::new(0u32);
    let users = move || lab.snap.with(|s| s.users.min(200));
    view! {
        <fieldset>
            <legend>"Load balancer"</legend>
            <label class="row">
                "Algorithm"
                <select
                    disabled=stateful
                    prop:value=move || algorithm_key(lab.snap.with(|s| s.algorithm))
                    on:change=move |ev| {
                        let key = event_target_value(&ev);
                        if let Some(a) = LbAlgorithm::ALL.into_iter().find(|a| algorithm_key(*a) == key) {
                            lab.send(Command::SetAlgorithm { algorithm: a });
                        }
                    }
                >
                    {LbAlgorithm::ALL.into_iter().map(|a| view! { <option value=algorithm_key(a)>{a.to_string()}</option> }).collect_view()}
                </select>
            </label>
            <p class="hint" class:hidden=move || !stateful()>"Stateful mode forces sticky sessions."</p>
            <label class="row">
                "Health checks"
                <select
                    prop:value=move || lab.snap.with(|s| s.health_check_ms.to_string())
                    on:change=move |ev| {
                        if let Ok(ms) = event_target_value(&ev).parse::<u32>() {
                            lab.send(Command::SetHealthCheck { interval_ms: ms });
                        }
                    }
                >
                    <option value="0">"instant"</option>
                    <option value="500">"every 500 ms"</option>
                    <option value="2000">"every 2 s"</option>
                    <option value="5000">"every 5 s"</option>
                </select>
            </label>
            <label class="row">
                "Misroute"
                <select
                    on:change=move |ev| {
                        if let Ok(u) = event_target_value(&ev).parse::<u32>() {
                            chosen.set(u);
                        }
                    }
                    prop:value=move || chosen.get().to_string()
                >
                    {move || (0..users()).map(|u| view! { <option value=u.to_string()>{UserId(u).to_string()}</option> }).collect_view()}
                </select>
                <button on:click=move |_| lab.send(Command::Misroute { user: UserId(chosen.get_untracked()) })>
                    "Misroute user"
                </button>
            </label>
        </fieldset>
    }
}

#[component]
fn DataControls() -> impl IntoView {
    let lab = use_lab();
    let store = move || lab.snap.with(|s| s.store.clone());
    let cache = move || lab.snap.with(|s| s.cache.clone());
    let set_store = move |kind: StoreKind, persistence: bool, replica: bool| {
        lab.send(Command::SetSessionStore { kind, persistence, replica });
    };
    view! {
        <fieldset>
            <legend>"Cache and session store"</legend>
            <label class="row check">
                <input
                    type="checkbox"
                    prop:checked=move || cache().enabled
                    on:change=move |ev| lab.send(Command::SetCacheEnabled { enabled: event_target_checked(&ev) })
                />
                "Cache product reads"
            </label>
            <div class="row">
                <button class="danger" disabled=move || !cache().up on:click=move |_| lab.send(Command::CrashCache)>"Crash cache"</button>
                <button disabled=move || cache().up on:click=move |_| lab.send(Command::RestartCache)>"Restart cache"</button>
            </div>
            <label class="row">
                "Session store"
                <select
                    prop:value=move || store_key(store().kind)
                    on:change=move |ev| {
                        let key = event_target_value(&ev);
                        if let Some(k) = StoreKind::ALL.into_iter().find(|k| store_key(*k) == key) {
                            let s = store();
                            set_store(k, s.persistence, s.replica);
                        }
                    }
                >
                    {StoreKind::ALL.into_iter().map(|k| view! { <option value=store_key(k)>{k.to_string()}</option> }).collect_view()}
                </select>
            </label>
            <label class="row check">
                <input
                    type="checkbox"
                    prop:checked=move || store().persistence
                    on:change=move |ev| {
                        let s = store();
                        set_store(s.kind, event_target_checked(&ev), s.replica);
                    }
                />
                "Persist sessions to disk (Redis)"
            </label>
            <label class="row check">
                <input
                    type="checkbox"
                    prop:checked=move || store().replica
                    on:change=move |ev| {
                        let s = store();
                        set_store(s.kind, s.persistence, event_target_checked(&ev));
                    }
                />
                "Standby replica of the store"
            </label>
            <div class="row">
                <button class="danger" disabled=move || !store().up on:click=move |_| lab.send(Command::CrashSessionStore)>"Crash session store"</button>
                <button disabled=move || store().up on:click=move |_| lab.send(Command::RestartSessionStore)>"Restart session store"</button>
            </div>
        </fieldset>
    }
}

#[component]
fn DatabaseControls() -> impl IntoView {
    let lab = use_lab();
    let nodes = move || lab.snap.with(|s| s.db.clone());
    let master = move || nodes().into_iter().find(|n| n.role == DbRole::Master);
    let lag = RwSignal::new(lab.with_sim(|s| s.config().database.lag_ms.1));
    let replicas = move || -> Vec<(u32, u32)> {
        nodes().into_iter().filter(|n| n.role == DbRole::Replica).map(|n| (n.id.0, n.number)).collect()
    };
    view! {
        <fieldset>
            <legend>"Database"</legend>
            <div class="row">
                <button
                    class="danger"
                    disabled=move || !master().is_some_and(|m| m.up)
                    on:click=move |_| if let Some(m) = master() { lab.send(Command::CrashDbNode { node: m.id.0 }) }
                >
                    "Crash master"
                </button>
                <button
                    disabled=move || master().is_none_or(|m| m.up)
                    on:click=move |_| if let Some(m) = master() { lab.send(Command::RestartDbNode { node: m.id.0 }) }
                >
                    "Restart master"
                </button>
            </div>
            <ul class="replicas">
                <For
                    each=replicas
                    key=|n| *n
                    let:replica
                >
                    {
                        let (id, number) = replica;
                        let up = move || nodes().iter().any(|n| n.id.0 == id && n.up);
                        view! {
                            <li class="row">
                                <span class="name">{format!("Replica {number}")}</span>
                                <button on:click=move |_| lab.send(Command::PromoteReplica { node: id })>{format!("Promote Replica {number}")}</button>
                                <button class="danger" disabled=move || !up() on:click=move |_| lab.send(Command::CrashDbNode { node: id })>{format!("Crash Replica {number}")}</button>
                                <button disabled=up on:click=move |_| lab.send(Command::RestartDbNode { node: id })>{format!("Restart Replica {number}")}</button>
                                <button on:click=move |_| lab.send(Command::RemoveReplica { node: id })>{format!("Remove Replica {number}")}</button>
                            </li>
                        }
                    }
                </For>
            </ul>
            <button on:click=move |_| lab.send(Command::AddReplica)>"Add replica"</button>
            <label class="row">
                "Replication lag up to"
                <input
                    type="range" min="50" max="5000" step="50"
                    prop:value=move || lag.get().to_string()
                    on:change=move |ev| {
                        if let Ok(max) = event_target_value(&ev).parse::<u32>() {
                            lag.set(max);
                            lab.send(Command::SetReplicationLag { min_ms: (max / 4).max(10), max_ms: max });
                        }
                    }
                />
                <output>{move || format!("{} ms", lag.get())}</output>
            </label>
        </fieldset>
    }
}
