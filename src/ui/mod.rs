//! One component per visible thing; state comes down through the [`Lab`] context, commands go
//! up through [`Lab::send`].

mod charts;
pub(crate) mod compare;
pub(crate) mod controls;
mod diagram;
pub(crate) mod dots;
mod export;
mod feed;
mod focus;
mod glossary;
mod help;
mod inspector;
mod metrics;
mod parts;
mod share;
mod system;
mod tour;
mod users;

pub use metrics::cache_figure;

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::i18n::{self, t, tf, Grouped, Lang, Text::*};
use crate::lab::{page_ms, Lab, Replay};
use crate::params::{self, Controls, Theme};
use crate::runner;

/// The query string of the page's URL ("" outside a browser).
fn query() -> String {
    web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default()
}

/// The first of the browser's preferred languages that we ship, else English.
fn browser_lang() -> Lang {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else { return Lang::En };
    navigator
        .languages()
        .iter()
        .filter_map(|l| l.as_string())
        .chain(navigator.language())
        .find_map(|tag| Lang::from_tag(&tag))
        .unwrap_or_default()
}

/// The notices about the page's link, shown over the lab until dismissed, whatever controls
/// it has: the parser's, and a tour's when it opens another step or mode than the link asked.
#[derive(Clone, Copy)]
pub struct UrlNotices(pub RwSignal<Vec<String>>);

/// What the page's URL sets up before the page mounts: the parameters, the notices about them,
/// and the lab, with the page's language chosen.
pub struct Setup {
    params: params::Params,
    ignored: Vec<String>,
    lab: Lab,
}

impl Setup {
    /// Reads the page's URL. A shared run's replay is left to [`start`], which shows its progress.
    pub fn from_url() -> Self {
        let (params, ignored) = params::parse(&query(), browser_lang());
        let lang = params.lang.unwrap_or_else(browser_lang);
        i18n::set(lang, params.lang.is_some());
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(t(AppTitle));
            if let Some(root) = document.document_element() {
                let _ = root.set_attribute("lang", lang.key());
            }
        }
        let lab = Lab::new(params.config.clone());
        lab.speed.set(params.speed);
        lab.playing.set(params.autoplay);
        Self { params, ignored, lab }
    }
}

/// Longest the loading page goes without a frame while a shared run is replayed [ms].
const REPLAY_SLICE_MS: f64 = 40.0;

/// Requests in one step of the replay, between two looks at the clock: some 20 ms of work.
const REPLAY_STEP_REQUESTS: f64 = 20_000.0;

/// Least time between two updates of the loading page's line, a live region [ms].
const REPLAY_TELL_MS: f64 = 1_000.0;

/// Opens the page: a link far into a run is first replayed to its moment, a slice per task,
/// with its progress on the loading page, so the tab never freezes; then the app mounts.
pub fn start() {
    let setup = Setup::from_url();
    let replay = (!setup.params.commands.is_empty() || setup.params.at_us.is_some()).then(|| {
        let p = &setup.params;
        let step_us = (REPLAY_STEP_REQUESTS / params::peak_rate(p) * 1e6).clamp(10_000.0, 1e6) as u64;
        Replay::new(&p.commands, p.at_us, step_us, p.future.clone(), p.until_us.unwrap_or(0))
    });
    match replay {
        Some(replay) => rebuild(setup, replay, None),
        None => mount(setup),
    }
}

/// One slice of the replay, then the next as a new task, until the run is at its moment. In a
/// hidden tab, whose tasks the browser throttles and which draws nothing, it runs in one go.
/// `told_ms`: when the loading page's line last changed.
fn rebuild(setup: Setup, mut replay: Replay, told_ms: Option<f64>) {
    let deadline = page_ms() + REPLAY_SLICE_MS;
    if setup.lab.replay_some(&mut replay, || !runner::visible() || page_ms() < deadline) {
        mount(setup);
        return;
    }
    let seconds = |us: u64| us.div_ceil(1_000_000);
    let tell = told_ms.is_none_or(|at| page_ms() - at >= REPLAY_TELL_MS);
    show_progress(seconds(setup.lab.with_sim(|s| s.now_us())), seconds(replay.until_us()), tell);
    let told_ms = if tell { Some(page_ms()) } else { told_ms };
    gloo_timers::callback::Timeout::new(0, move || rebuild(setup, replay, told_ms)).forget();
}

/// The loading page's bar while a shared run is replayed, and its line when `tell`: the line
/// is spoken, so it changes at most every [`REPLAY_TELL_MS`].
fn show_progress(done_s: u64, total_s: u64, tell: bool) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(boot) = document.get_element_by_id("boot") else { return };
    if let Some(status) = boot.query_selector(".boot-status").ok().flatten().filter(|_| tell) {
        status.set_text_content(Some(&tf(BootReplaying, &[("done", &done_s), ("total", &total_s)])));
    }
    let bar = match boot.query_selector("progress").ok().flatten() {
        Some(bar) => bar,
        None => match document.create_element("progress") {
            Ok(bar) => {
                // The status line above already says it in words.
                let _ = bar.set_attribute("aria-hidden", "true");
                let _ = boot.append_child(&bar);
                bar
            }
            Err(_) => return,
        },
    };
    let _ = bar.set_attribute("max", &total_s.to_string());
    let _ = bar.set_attribute("value", &done_s.to_string());
}

/// Takes down the loading page and mounts the app.
fn mount(setup: Setup) {
    if let Some(boot) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("boot")) {
        boot.remove();
    }
    leptos::mount::mount_to_body(move || view! { <App setup /> });
}

/// The whole page, set up from the URL's parameters.
#[component]
pub fn App(setup: Setup) -> impl IntoView {
    let Setup { params, ignored, lab } = setup;
    crate::host::connect(lab, params.host.clone());
    if params.fuzz > 0 {
        crate::fuzz::start(lab, params.fuzz, params.config.seed);
    }
    if params.debug_panic {
        gloo_timers::callback::Timeout::new(200, || panic!("a panic forced by debug_panic=1")).forget();
    }
    provide_context(lab);
    let theme = RwSignal::new(params.theme);
    let comparing = RwSignal::new(params.compare);
    // A page opened in compare view starts as `autoplay` says; a click on the Compare button
    // that builds new panes starts them as the lab was, playing or paused.
    let compare_plays = StoredValue::new(params.autoplay);
    // The settings compare view's panes were built from: the lab's, with its servers and traffic
    // rate as they are now (see `Sim::present_config`). The panes keep their run, and whether
    // it plays, across visits to the lab, and start over only when those changed.
    let compare_from = RwSignal::new(params.compare.then(|| lab.with_sim(|s| s.present_config())));
    let notices = RwSignal::new(ignored);
    provide_context(UrlNotices(notices));
    // Syncs the outside world (the page's theme attribute) with the chosen theme; the dot
    // layer reads its colours for it again, and learns whether to draw for a projector.
    Effect::new(move |_| {
        let theme = theme.get();
        let key = theme.key();
        lab.projector.set_value(theme == Theme::Projector);
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = root.set_attribute("data-theme", key);
        }
        lab.plate_colours.set_value(None);
    });
    // The automatic theme follows the system's scheme, which can change while the page is open.
    if let Some(scheme) = web_sys::window().and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten()) {
        let changed = Closure::<dyn FnMut()>::new(move || lab.plate_colours.set_value(None));
        scheme.set_onchange(Some(changed.as_ref().unchecked_ref()));
        // The listener lives as long as the page.
        changed.forget();
    }
    // Syncs the outside world (the animation frame loop) with the play state.
    Effect::new(move |_| {
        if lab.playing.get() && lab.on_screen.get() && lab.tab_visible.get() {
            runner::start(lab);
        }
    });
    // The replay before mount may have taken a while, and the tab may have been shown or hidden.
    lab.tab_visible.set(runner::visible());
    let on_visible =
        window_event_listener(leptos::ev::visibilitychange, move |_| lab.tab_visible.set(runner::visible()));
    on_cleanup(move || on_visible.remove());
    focus::keep_focus();
    let full = params.controls == Controls::Full;
    let any_controls = params.controls != Controls::None;
    let skip = full && params.shows("controls");
    view! {
        // Past the diagram's parts and the users, dozens of Tab stops, to the first controls.
        {skip.then(|| view! {
            <a class="skip-link" href="#servers-heading" hidden=move || comparing.get() on:click=move |ev| {
                ev.prevent_default();
                if let Some(h) = document().get_element_by_id("servers-heading") {
                    focus::focus_heading(&h);
                    h.scroll_into_view();
                }
            }>{t(SkipToControls)}</a>
        })}
        <Show
            when=move || params.show_title
            fallback=|| view! { <header class="visually-hidden"><h1>"StateLab"</h1></header> }
        >
            <header class="masthead">
                <h1>"StateLab"</h1>
                <p class="tagline">{t(Tagline)}</p>
            </header>
        </Show>
        <Show when=move || !notices.with(Vec::is_empty)>
            <div class="url-notice" role="status">
                <ul>{move || notices.get().into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                <button on:click=move |ev| {
                    notices.set(Vec::new());
                    // From the keyboard, reading goes on at the page's title, not from the top
                    // of an unfocused page.
                    let title = ev.detail() == 0;
                    if let Some(h1) = title.then(|| document().query_selector("h1").ok().flatten()).flatten() {
                        focus::focus_heading(&h1);
                    }
                }>{t(Dismiss)}</button>
            </div>
        </Show>
        {full.then(|| view! {
            <nav class="views" aria-label=t(ViewNav)>
                <button aria-pressed=move || (!comparing.get()).to_string() on:click=move |_| comparing.set(false)>{t(ExploreView)}</button>
                <button
                    aria-pressed=move || comparing.get().to_string()
                    on:click=move |_| {
                        let was_playing = lab.playing.get_untracked();
                        lab.playing.set(false);
                        let config = lab.with_sim(|s| s.present_config());
                        if compare_from.with_untracked(|from| from.as_ref() != Some(&config)) {
                            compare_plays.set_value(was_playing);
                            compare_from.set(Some(config));
                        }
                        comparing.set(true);
                    }
                >
                    {t(CompareView)}
                </button>
            </nav>
        })}
        {move || compare_from.get().map(|config| view! {
            <compare::CompareView
                config=config
                autoplay=compare_plays.get_value()
                controls=params.controls
                shown=comparing.read_only()
            />
        })}
        <main class="lab" class:compact=!full class:hidden=move || comparing.get()>
            {any_controls.then(|| view! { <controls::Toolbar theme=theme full=full glossary=full && params.shows("glossary") /> })}
            {(params.shows("tour") || params.scenario.is_some()).then(|| view! { <tour::TourPlayer start=params.scenario.clone().map(|id| (id, params.step)) mode=params.config.mode mode_asked=params.mode_asked chooser=full reset=any_controls plays=!any_controls && params.autoplay /> })}
            <metrics::Cards />
            <diagram::Diagram actions=full traces=params.shows("trace") projector=Signal::derive(move || theme.get() == Theme::Projector) />
            <users::UserStrip inspector=params.shows("inspector") />
            {full.then(|| view! {
                <div class="workspace" class:single=!params.shows("controls")>
                    {params.shows("controls").then(|| view! {
                        <aside class="side" aria-label=t(ControlsAside)>
                            <controls::ServerControls />
                            <system::SystemControls />
                        </aside>
                    })}
                    <div class="main-col">
                        {params.shows("glossary").then(|| view! { <glossary::Glossary /> })}
                        {params.shows("charts").then(|| view! { <charts::Charts /> })}
                        <div class="panels">
                            {params.shows("inspector").then(|| view! { <inspector::SessionInspector /> })}
                            {params.shows("trace").then(|| view! { <inspector::Waterfall /> })}
                        </div>
                        {params.shows("feed").then(|| view! { <feed::Feed /> })}
                        {params.shows("share").then(|| view! { <share::Share theme=theme /> })}
                    </div>
                </div>
            })}
            <footer class="run-info">
                {move || {
                    lab.snap.track();
                    lab.with_sim(|s| tf(RunInfo, &[("seed", &s.config().seed), ("events", &Grouped(s.events().total()))]))
                }}
                <output id="fuzz-result" class="hint"></output>
                <code id="trace-hash">{move || { lab.snap.track(); lab.with_sim(|s| format!("{:016x}", s.trace_hash())) }}</code>
            </footer>
            {any_controls.then(|| view! { <help::Help hidden=comparing.read_only() full=full traces=params.shows("trace") /> })}
        </main>
    }
}

/// The lab context; every component below [`App`] has it.
pub(crate) fn use_lab() -> Lab {
    expect_context::<Lab>()
}
