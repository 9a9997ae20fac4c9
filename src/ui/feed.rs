//! The narration: plain sentences from the simulation, mirrored into a polite live region.

use gloo_timers::callback::Timeout;
use leptos::prelude::*;

use super::use_lab;
use crate::i18n::{t, tf, Text::*};
use crate::lab::{page_ms, reading_order};

/// How often the live region speaks at most [ms]: a busy run narrates dozens of lines a
/// second, more than anyone can listen to.
const ANNOUNCE_MS: u32 = 3_000;
/// How long news after a quiet spell, or a loss at any time, waits [ms]: enough for the lines
/// of one moment (a crash, its lost sessions, its logouts) to gather, so the loss is what is
/// heard.
const GATHER_MS: u32 = 300;

/// How long a sentence that differs from one heard only in its figures is not spoken again
/// [ms]: a spike's "N requests failed at Server K" every few seconds is one piece of news.
const REPEAT_MS: f64 = 20_000.0;

/// A sentence without its figures: two with the same shape tell the same news.
fn shape(text: &str) -> String {
    text.chars().filter(|c| !c.is_ascii_digit()).collect()
}

/// The narration, latest moment first. A polite live region mirrors it: a screen reader hears
/// the newest loss (a logout, lost sessions, a crash) at once, else the newest line, and how
/// many more came with it, at most every few seconds and not again while it only repeats.
#[component]
pub fn Feed() -> impl IntoView {
    let lab = use_lab();
    let announced = RwSignal::new(String::new());
    // The number of the last line heard in this run, the rebuilds seen, and when the flush
    // due will speak [page ms]: a loss brings it forward.
    let heard = StoredValue::new(None::<u64>);
    let rebuilds = StoredValue::new(lab.rebuilt().0);
    let due = StoredValue::new(None::<f64>);
    // When the region last spoke [page ms], and the shapes of what it said within
    // [`REPEAT_MS`], with when.
    let spoke = StoredValue::new(f64::NEG_INFINITY);
    let said = StoredValue::new(Vec::<(String, f64)>::new());
    Effect::new(move |_| {
        lab.feed.track();
        // A rebuilt run (Reset, a jump on the timeline) retells its past: silence what was said
        // of the run before, which may be its future now.
        let (rebuilt, history) = lab.rebuilt();
        if rebuilds.get_value() != rebuilt {
            rebuilds.set_value(rebuilt);
            heard.set_value(Some(history));
            announced.set(String::new());
            said.update_value(Vec::clear);
        }
        let now = page_ms();
        let lost = lab.last_loss.with_value(|l| l.as_ref().map(|l| l.n)) > heard.get_value().or(Some(0));
        let wait = if lost {
            GATHER_MS
        } else {
            (f64::from(ANNOUNCE_MS) - (now - spoke.get_value())).max(f64::from(GATHER_MS)) as u32
        };
        let at = now + f64::from(wait);
        if due.get_value().is_some_and(|d| d <= at) {
            return;
        }
        due.set_value(Some(at));
        Timeout::new(wait, move || {
            // Unless a loss brought another flush forward, which spoke instead.
            if due.try_get_value() != Some(Some(at)) {
                return;
            }
            due.set_value(None);
            let Some(from) = heard.try_get_value() else { return };
            let loss = lab.last_loss.try_get_value().flatten();
            let news = lab.feed.try_with_untracked(|f| {
                // Line numbers go on rising through a rebuilt run (Reset, a rewind).
                let (last, from) = (f.last()?, from.unwrap_or(0));
                let spoken = loss.filter(|l| l.n > from).map_or_else(|| last.line.text.clone(), |l| l.line.text);
                (last.n > from).then(|| (last.n, spoken, last.n - from - 1))
            });
            if let Some(Some((n, text, more))) = news {
                heard.set_value(Some(n));
                let (now, form) = (page_ms(), shape(&text));
                let heard_again = said.with_value(|s| s.iter().any(|(f, at)| *f == form && now - at < REPEAT_MS));
                if heard_again {
                    return;
                }
                said.update_value(|s| {
                    s.retain(|(_, at)| now - at < REPEAT_MS);
                    s.push((form, now));
                });
                spoke.set_value(now);
                let _ = announced.try_set(match more {
                    0 => text,
                    1 => tf(FeedAndOneMore, &[("line", &text)]),
                    n => tf(FeedAndMore, &[("line", &text), ("n", &n)]),
                });
            }
        })
        .forget();
    });
    view! {
        <section class="panel feed" aria-labelledby="feed-heading">
            <h2 id="feed-heading">{t(FeedHeading)}</h2>
            <Show when=move || lab.feed.with(Vec::is_empty)>
                // A tour step plays its own events: the learner is not asked to make some.
                <p class="hint">{move || t(if lab.tour_at.with(Option::is_some) { FeedQuiet } else { FeedEmpty })}</p>
            </Show>
            // Focusable once it has lines, so a keyboard can scroll them when they overflow.
            <p class="visually-hidden" aria-live="polite">{announced}</p>
            <ol class="feed-lines" tabindex=move || lab.feed.with(|f| (!f.is_empty()).then_some("0")) aria-labelledby="feed-heading">
                // Keyed by event number: a new event adds one line instead of redrawing all.
                <For each=move || lab.feed.with(|f| reading_order(f)) key=|line| line.line.seq let:line>
                    <li>{line.line.text}</li>
                </For>
            </ol>
        </section>
    }
}
