//! One component per visible thing; state comes down through the [`Lab`] context, commands go
//! up through [`Lab::send`].

mod controls;
mod diagram;
pub(crate) mod dots;
mod feed;
mod metrics;
mod users;

use leptos::prelude::*;
use statelab_sim::SimConfig;

use crate::lab::Lab;
use crate::runner;

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let lab = Lab::new(SimConfig::default());
    provide_context(lab);
    // Syncs the outside world (the animation frame loop) with the play state.
    Effect::new(move |_| {
        if lab.playing.get() {
            runner::start(lab);
        }
    });
    // Restarts the loop when the tab becomes visible again while playing.
    let on_visible = window_event_listener(leptos::ev::visibilitychange, move |_| {
        if lab.playing.get_untracked() {
            runner::start(lab);
        }
    });
    on_cleanup(move || on_visible.remove());
    view! {
        <header class="masthead">
            <h1>"StateLab"</h1>
            <p class="tagline">"Watch a web system run, then break it: where sessions live decides who gets logged out."</p>
        </header>
        <main class="lab">
            <controls::Toolbar />
            <metrics::Cards />
            <users::UserStrip />
            <diagram::Diagram />
            <div class="panels">
                <controls::ServerControls />
                <feed::Feed />
            </div>
        </main>
    }
}

/// The lab context; every component below [`App`] has it.
pub(crate) fn use_lab() -> Lab {
    expect_context::<Lab>()
}
