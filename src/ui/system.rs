//! Live controls of the rest of the system: traffic, balancing, cache, session store and
//! database. Each is a native input with a label, so it works by keyboard and screen reader.

use leptos::prelude::*;
use statelab_sim::autoscaler::Wait;
use statelab_sim::config::AutoscalerConfig;
use statelab_sim::database::DbRole;
use statelab_sim::store::Durability;
use statelab_sim::time::SEC;
use statelab_sim::traffic;
use statelab_sim::{Command, Keyed, LbAlgorithm, Mode, Pattern, StoreKind, UserId};

use super::use_lab;
use crate::i18n::{counted, t, tf, words, Grouped, Text::*};

/// Top of the traffic slider [requests/s].
pub const MAX_RATE: u32 = 2_000;

/// The controls of everything but the servers (those are in `ServerControls`):
/// traffic, balancing, cache, session store and database.
#[component]
pub fn SystemControls() -> impl IntoView {
    view! {
        <section class="panel system-controls" aria-labelledby="system-heading">
            <h2 id="system-heading">{t(System)}</h2>
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
    let rate = move || lab.panel_snap(|s| s.base_rate_per_s);
    let pattern = move || lab.panel_snap(|s| s.pattern);
    let autoscaling = move || lab.panel_snap(|s| s.autoscaling);
    let set_rate = move |r: u32| lab.send(Command::SetTraffic { rate_per_s: r, pattern: pattern() });
    view! {
        <fieldset>
            <legend>{t(Traffic)}</legend>
            <label class="row">
                {t(RequestsPerSecond)}
                <input
                    type="range" min="0" step="5"
                    // A link may set a higher rate than the slider's own range: the slider then
                    // reaches it, so it never sits pinned at an end that is not the rate.
                    max=move || rate().max(MAX_RATE).to_string()
                    prop:value=move || rate().to_string()
                    // The readout beside it is not announced: the slider says its unit itself.
                    aria-valuetext=move || counted(rate().into(), RateValueOne, RateValue)
                    on:change=move |ev| {
                        if let Ok(r) = event_target_value(&ev).parse::<u32>() {
                            set_rate(r.min(rate().max(MAX_RATE)));
                        }
                    }
                />
                <output aria-live="off">{move || lab.panel_snap(|s| match s.spike_left_s {
                    Some(left) => tf(RateNowSpike, &[("n", &Grouped(s.rate_per_s.into())), ("s", &left)]),
                    None => tf(RateNow, &[("n", &Grouped(s.rate_per_s.into()))]),
                })}</output>
            </label>
            // The label holds its menu alone, so the button's text stays out of the menu's name.
            <div class="row">
                <label class="row">
                    {t(PatternLabel)}
                    <select
                        prop:value=move || pattern().key()
                        on:change=move |ev| {
                            let key = event_target_value(&ev);
                            if let Some(p) = Pattern::from_key(&key) {
                                lab.send(Command::SetTraffic { rate_per_s: rate(), pattern: p });
                            }
                        }
                    >
                        {Pattern::ALL.into_iter().map(|p| view! { <option value=p.key()>{words::pattern(p)}</option> }).collect_view()}
                    </select>
                </label>
                <button aria-describedby="spike-hint" on:click=move |_| lab.send(Command::Spike)>{t(SpikeButton)}</button>
            </div>
            <p class="hint" id="spike-hint">
                {tf(
                    SpikeHint,
                    &[
                        ("factor", &traffic::SPIKE_FACTOR),
                        ("floor", &Grouped(traffic::SPIKE_FLOOR_PER_S as u64)),
                        ("s", &(traffic::SPIKE_US / SEC)),
                    ],
                )}
            </p>
            <label class="row check">
                <input
                    type="checkbox"
                    prop:checked=autoscaling
                    on:change=move |ev| {
                        // Only switch it: a tour's own policy (its minimum, its ceiling) stays.
                        let policy = AutoscalerConfig {
                            enabled: event_target_checked(&ev),
                            ..lab.with_sim(|s| s.autoscaler().policy.clone())
                        };
                        lab.send(Command::SetAutoscaling { policy });
                    }
                />
                {move || {
                    let p = lab.panel_snap(|_| lab.with_sim(|s| s.autoscaler().policy.clone()));
                    tf(
                        AutoscalingLabel,
                        &[("out", &p.scale_out_pct), ("in", &p.scale_in_pct), ("min", &p.min_servers), ("max", &p.max_servers)],
                    )
                }}
            </label>
            // What the scaler judges, so a learner sees why a small spike adds no server, and
            // why a full load waits: a cooldown after its last change, or a server still booting;
            // and why a mean under its threshold can hide a server that sticky sessions overload.
            <p class="hint" id="scaler-readout">
                {move || lab.panel_snap(|_| {
                    lab.with_sim(|s| {
                        let r = s.autoscaler_readout()?;
                        // A second with no server up is counted full: worded as such, not as work.
                        let busy = match (r.window_s, r.unserved_s) {
                            (1, 1) => t(NoServerUpOne).to_string(),
                            (1, _) => tf(BusyMeanOne, &[("n", &r.mean_pct)]),
                            (s, 0) => tf(BusyMean, &[("s", &s), ("n", &r.mean_pct)]),
                            (s, down) if down == s => tf(NoServerUp, &[("s", &s)]),
                            (s, down) => tf(BusyMeanUnserved, &[("s", &s), ("n", &r.mean_pct), ("down", &down)]),
                        };
                        let wait = r.wait.map(|w| match w {
                            Wait::Boot => t(ScalerWaitsBoot).to_string(),
                            Wait::Cooldown(left_us) => tf(ScalerCooling, &[("s", &left_us.div_ceil(1_000_000))]),
                        });
                        let out = s.autoscaler().policy.scale_out_pct;
                        let stuck = r.sticky_overload.map(|id| tf(ScalerStickyFull, &[("server", &words::server(id)), ("out", &out)]));
                        // It will act on what it weighs: when.
                        let next = r.next_us.map(|us| tf(ScalerNextCheck, &[("s", &us.div_ceil(1_000_000).max(1))]));
                        Some([Some(busy), wait, next, stuck].into_iter().flatten().collect::<Vec<_>>().join(" "))
                    })
                })}
            </p>
        </fieldset>
    }
}

#[component]
fn BalancerControls() -> impl IntoView {
    let lab = use_lab();
    let stateful = move || lab.panel_snap(|s| s.mode == Mode::Stateful);
    let chosen = RwSignal::new(0u32);
    // A memo: the menu of up to 200 users is rebuilt when their number changes, not every publish.
    let users = Memo::new(move |_| lab.panel_snap(|s| s.users.min(200)));
    // A lab with fewer users (Reset, another tour) drops the choice it no longer lists, so the
    // button sends the user the menu shows.
    Effect::new(move |_| {
        if chosen.get_untracked() >= users.get() {
            chosen.set(0);
        }
    });
    let users = move || users.get();
    view! {
        <fieldset>
            <legend>{t(LoadBalancerFull)}</legend>
            <label class="row">
                {t(Algorithm)}
                <select
                    disabled=stateful
                    prop:value=move || lab.panel_snap(|s| s.algorithm).key()
                    on:change=move |ev| {
                        let key = event_target_value(&ev);
                        if let Some(a) = LbAlgorithm::from_key(&key) {
                            lab.send(Command::SetAlgorithm { algorithm: a });
                        }
                    }
                >
                    {LbAlgorithm::ALL.into_iter().map(|a| view! { <option value=a.key()>{words::algorithm(a)}</option> }).collect_view()}
                </select>
            </label>
            <p class="hint" class:hidden=move || !stateful()>{t(StatefulForcesSticky)}</p>
            <label class="row">
                {t(HealthChecks)}
                <select
                    prop:value=move || lab.panel_snap(|s| s.health_check_ms.to_string())
                    on:change=move |ev| {
                        if let Ok(ms) = event_target_value(&ev).parse::<u32>() {
                            lab.send(Command::SetHealthCheck { interval_ms: ms });
                        }
                    }
                >
                    <option value="0">{t(HcInstant)}</option>
                    <option value="500">{tf(HcEvery, &[("t", &"500 ms")])}</option>
                    <option value="2000">{tf(HcEvery, &[("t", &"2 s")])}</option>
                    <option value="5000">{tf(HcEvery, &[("t", &"5 s")])}</option>
                </select>
            </label>
            <div class="row">
                <label class="row">
                    {t(Misroute)}
                    <select
                        on:change=move |ev| {
                            if let Ok(u) = event_target_value(&ev).parse::<u32>() {
                                chosen.set(u);
                            }
                        }
                        prop:value=move || chosen.get().to_string()
                    >
                        {move || (0..users()).map(|u| view! { <option value=u.to_string()>{words::user(UserId(u))}</option> }).collect_view()}
                    </select>
                </label>
                <button on:click=move |_| lab.send(Command::Misroute { user: UserId(chosen.get_untracked()) })>
                    {t(MisrouteUser)}
                </button>
            </div>
        </fieldset>
    }
}

#[component]
fn DataControls() -> impl IntoView {
    let lab = use_lab();
    let store = move || lab.panel_snap(|s| s.store.clone());
    let cache = move || lab.panel_snap(|s| s.cache.clone());
    let set_store = move |kind: StoreKind, persistence: bool, replica: bool| {
        lab.send(Command::SetSessionStore { kind, persistence, replica });
    };
    view! {
        <fieldset>
            <legend>{t(CacheAndStore)}</legend>
            <label class="row check">
                <input
                    type="checkbox"
                    prop:checked=move || cache().enabled
                    on:change=move |ev| lab.send(Command::SetCacheEnabled { enabled: event_target_checked(&ev) })
                />
                {t(CacheReads)}
            </label>
            <div class="row">
                <button class="danger" disabled=move || !cache().up on:click=move |_| lab.send(Command::CrashCache)>{t(CrashCache)}</button>
                <button disabled=move || cache().up on:click=move |_| lab.send(Command::RestartCache)>{t(RestartCache)}</button>
            </div>
            <label class="row">
                {t(SessionStore)}
                <select
                    prop:value=move || store().kind.key()
                    on:change=move |ev| {
                        let key = event_target_value(&ev);
                        if let Some(k) = StoreKind::from_key(&key) {
                            let s = store();
                            set_store(k, s.persistence, s.replica);
                        }
                    }
                >
                    {StoreKind::ALL.into_iter().map(|k| view! { <option value=k.key()>{words::store_kind(k)}</option> }).collect_view()}
                </select>
            </label>
            // Only a kind whose durability is optional can be told to persist; the other kinds
            // say what a crash does to them.
            <label class="row check">
                <input
                    type="checkbox"
                    disabled=move || store().kind.durability() != Durability::Optional
                    prop:checked=move || { let s = store(); s.persistence && s.kind.durability() == Durability::Optional }
                    on:change=move |ev| {
                        let s = store();
                        set_store(s.kind, event_target_checked(&ev), s.replica);
                    }
                />
                {t(PersistSessions)}
            </label>
            {move || match store().kind.durability() {
                Durability::Optional => None,
                Durability::Never => Some(t(MemcachedVolatile)),
                Durability::Always => Some(t(StoreOnDisk)),
            }.map(|note| view! { <p class="hint">{note}</p> })}
            <label class="row check">
                <input
                    type="checkbox"
                    disabled=move || !store().kind.replicates()
                    prop:checked=move || { let s = store(); s.replica && s.kind.replicates() }
                    on:change=move |ev| {
                        let s = store();
                        set_store(s.kind, s.persistence, event_target_checked(&ev));
                    }
                />
                {t(StandbyReplica)}
            </label>
            <div class="row">
                <button class="danger" disabled=move || !store().up on:click=move |_| lab.send(Command::CrashSessionStore)>{t(CrashStore)}</button>
                <button disabled=move || store().up on:click=move |_| lab.send(Command::RestartSessionStore)>{t(RestartStore)}</button>
            </div>
        </fieldset>
    }
}

#[component]
fn DatabaseControls() -> impl IntoView {
    let lab = use_lab();
    let nodes = move || lab.panel_snap(|s| s.db.clone());
    let master = move || nodes().into_iter().find(|n| n.role == DbRole::Master);
    // A memo, so the slider is only set when the lag changes, never under a dragging thumb.
    let lag = Memo::new(move |_| lab.panel_snap(|s| s.replication_lag_ms.1));
    // A node's connections in use and the queries waiting, as its box in the diagram draws them;
    // or that it is down, in the diagram's words too.
    let load = move |id: u32| {
        lab.panel_snap(|s| {
            s.db.iter().find(|n| n.id.0 == id).map(|n| match n.up {
                true => tf(
                    DbLoad,
                    &[("busy", &n.busy), ("connections", &n.connections), ("waiting", &Grouped(n.waiting.into()))],
                ),
                false => t(Down).to_string(),
            })
        })
    };
    let replicas = move || -> Vec<(u32, u32)> {
        nodes().into_iter().filter(|n| n.role == DbRole::Replica).map(|n| (n.id.0, n.number)).collect()
    };
    view! {
        <fieldset>
            <legend>{t(DatabaseLegend)}</legend>
            <div class="row">
                <button
                    class="danger"
                    disabled=move || !master().is_some_and(|m| m.up)
                    on:click=move |_| if let Some(m) = master() { lab.send(Command::CrashDbNode { node: m.id.0 }) }
                >
                    {t(CrashMaster)}
                </button>
                <button
                    disabled=move || master().is_none_or(|m| m.up)
                    on:click=move |_| if let Some(m) = master() { lab.send(Command::RestartDbNode { node: m.id.0 }) }
                >
                    {t(RestartMaster)}
                </button>
                <span class="db-load" class:down=move || master().is_some_and(|m| !m.up)>
                    {move || master().and_then(|m| load(m.id.0)).map(|l| format!("{}: {l}", t(MasterDb)))}
                </span>
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
                        // A replica behind on writes would lose them as the master.
                        let current = move || nodes().iter().any(|n| n.id.0 == id && n.promotable());
                        let behind = move || nodes().iter().any(|n| n.id.0 == id && n.up && n.behind);
                        let why = format!("replica-{id}-behind");
                        let name = tf(ReplicaInText, &[("n", &number)]);
                        let named = move |text| tf(text, &[("name", &name)]);
                        view! {
                            <li class="row">
                                <span class="name">{tf(ReplicaName, &[("n", &number)])}</span>
                                <span class="db-load" class:down=move || !up()>{move || load(id)}</span>
                                // Why Promote is off while it is up.
                                <span class="behind" id=why.clone() hidden=move || !behind()>
                                    {t(Behind)}
                                    <span class="visually-hidden">" "{t(PromoteWhyBehind)}</span>
                                </span>
                                <button disabled=move || !current() aria-describedby=move || behind().then(|| why.clone())
                                    on:click=move |_| lab.send(Command::PromoteReplica { node: id })>{named(PromoteNamed)}</button>
                                <button class="danger" disabled=move || !up() on:click=move |_| lab.send(Command::CrashDbNode { node: id })>{named(CrashNamed)}</button>
                                <button disabled=up on:click=move |_| lab.send(Command::RestartDbNode { node: id })>{named(RestartNamed)}</button>
                                <button on:click=move |_| lab.send(Command::RemoveReplica { node: id })>{named(RemoveNamed)}</button>
                            </li>
                        }
                    }
                </For>
            </ul>
            <button on:click=move |ev| {
                lab.send(Command::AddReplica);
                super::focus::keep_in_view(&ev);
            }>{t(AddReplica)}</button>
            <label class="row">
                {t(ReplicationLag)}
                <input
                    type="range" min="50" max="5000" step="50"
                    prop:value=move || lag.get().to_string()
                    aria-valuetext=move || format!("{} ms", Grouped(lag.get().into()))
                    on:change=move |ev| {
                        if let Ok(max) = event_target_value(&ev).parse::<u32>() {
                            lab.send(Command::replication_lag_up_to(max));
                        }
                    }
                />
                <output aria-live="off">{move || format!("{} ms", Grouped(lag.get().into()))}</output>
            </label>
        </fieldset>
    }
}
