//! The narration: plain sentences from the simulation, mirrored into a polite live region.

use leptos::prelude::*;

use super::use_lab;
use crate::i18n::{t, Text::*};
use crate::lab::reading_order;

/// The narration, latest moment first, in a polite live region: a screen reader hears what
/// happened without watching the diagram.
#[component]
pub fn Feed() -> impl IntoView {
    let lab = use_lab();
    view! {
        <section class="panel feed" aria-labelledby="feed-heading">
            <h2 id="feed-heading">{t(FeedHeading)}</h2>
            <Show when=move || lab.feed.with(Vec::is_empty)>
                <p class="hint">{t(FeedEmpty)}</p>
            </Show>
            // Focusable, so a keyboard can scroll the lines once they overflow.
            <ol class="feed-lines" tabindex="0" aria-labelledby="feed-heading" aria-live="polite" aria-relevant="additions">
                // Keyed by event number: a new event adds one line instead of redrawing all.
                <For each=move || lab.feed.with(|f| reading_order(f)) key=|line| line.seq let:line>
                    <li>{line.text}</li>
                </For>
            </ol>
        </section>
    }
}
