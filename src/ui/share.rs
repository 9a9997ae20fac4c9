//! Sharing: a link that reproduces this exact run, an `<iframe>` snippet for course pages, and
//! downloads of the metrics (CSV), the event log (JSON lines) and the diagram (SVG and PNG).

use leptos::prelude::*;

use super::{export, use_lab};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::i18n::{t, tf, Lang, Text, Text::*};
use crate::params::{with_theme, Controls, Theme};

/// The frame's height unless the instructor picks another: the diagram fits under the short
/// toolbar.
const FRAME_HEIGHT: u32 = 500;

/// A compare view frame's height at 800 px wide, in which its buttons, its summary and both
/// sides' figures fit: each server is a line (two, wrapped) in each side's list and, with
/// every control, one more Crash button, and room for the feeds of a crash or a spike.
/// Measured on the page in both languages.
fn compare_height(servers: u32, controls: Controls, lang: Lang) -> u32 {
    let (base, per_server) = match (controls, lang) {
        (Controls::Full, Lang::En) => (920, 48),
        (Controls::Full, Lang::Es) => (1050, 48),
        (_, Lang::En) => (555, 47),
        (_, Lang::Es) => (595, 47),
    };
    (base + per_server * servers).min(MAX_SIZE)
}

/// The largest width or height the snippet offers.
const MAX_SIZE: u32 = 2000;

/// The page's address without its query.
fn base_url() -> String {
    web_sys::window()
        .map(|w| {
            let l = w.location();
            format!("{}{}", l.origin().unwrap_or_default(), l.pathname().unwrap_or_default())
        })
        .unwrap_or_default()
}

/// Escapes text for a JSON string.
pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Escapes text for an HTML attribute.
fn attr(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Offers `content` as a file download.
fn download(name: &str, mime: &str, content: &str) {
    if let Some(blob) = export::text_blob(content, mime) {
        export::download_blob(name, &blob);
    }
}

/// Copies `text` and says so in `status` once the browser has: it refuses in a frame without
/// clipboard permission and on a page served without HTTPS, and then `fallback` points at the
/// text to copy by hand. A frame whose permissions policy forbids the clipboard is not asked
/// at all, which would only log a violation.
fn copy(text: &str, status: RwSignal<Option<&'static str>>, done: Text, fallback: Text) {
    let navigator = web_sys::window().map(|w| w.navigator());
    let has_clipboard = navigator
        .as_ref()
        .is_some_and(|n| js_sys::Reflect::get(n, &"clipboard".into()).is_ok_and(|c| !c.is_undefined()))
        && clipboard_allowed();
    let Some(navigator) = navigator.filter(|_| has_clipboard) else {
        status.set(Some(t(fallback)));
        return;
    };
    // One of the two is never called; both are tiny and live on in the page, one per press.
    let ok = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        status.try_set(Some(t(done)));
    });
    let refused = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        status.try_set(Some(t(fallback)));
    });
    let _ = navigator.clipboard().write_text(text).then2(&ok, &refused);
    ok.forget();
    refused.forget();
}

/// Whether the page's permissions policy lets it write to the clipboard (true where the
/// browser cannot tell: the call itself then answers).
fn clipboard_allowed() -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return true };
    let policy = js_sys::Reflect::get(&document, &"featurePolicy".into()).ok().filter(|p| p.is_object());
    let allows = policy.as_ref().and_then(|p| {
        let f = js_sys::Reflect::get(p, &"allowsFeature".into()).ok()?.dyn_into::<js_sys::Function>().ok()?;
        f.call1(p, &"clipboard-write".into()).ok()?.as_bool()
    });
    allows.unwrap_or(true)
}

/// A frame size typed in its box, rounded to whole pixels ("1e3" and "800.4" are sizes too):
/// taken while typing once it is within `min`–2000 px, and clamped into that range when the box
/// is left (`done`), which then shows the size the code uses, whatever was typed.
fn size_typed(ev: &web_sys::Event, size: RwSignal<u32>, min: u32, done: bool) {
    let typed = event_target_value(ev).trim().parse::<f64>().ok().filter(|v| v.is_finite()).map(f64::round);
    let range = f64::from(min)..=f64::from(MAX_SIZE);
    match typed {
        Some(v) if done => size.set(v.clamp(*range.start(), *range.end()) as u32),
        Some(v) if range.contains(&v) => size.set(v as u32),
        _ => {}
    }
    if done {
        if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
            input.set_value(&size.get_untracked().to_string());
        }
    }
}

/// `theme`: the link carries the chosen theme, so the shared run opens looking the same.
#[component]
pub fn Share(theme: RwSignal<Theme>) -> impl IntoView {
    let lab = use_lab();
    let link = RwSignal::new(String::new());
    let copied = RwSignal::new(None::<&'static str>);
    let code_copied = RwSignal::new(None::<&'static str>);
    let width = RwSignal::new(800u32);
    let height = RwSignal::new(FRAME_HEIGHT);
    let preview = RwSignal::new(false);
    // The preview lays the frame out at its real size, so its layout is the course page's, and
    // scales it down to the panel's width, so none of it is cut off.
    let preview_box = NodeRef::<leptos::html::Div>::new();
    let room = RwSignal::new(None::<f64>);
    let measure = move || room.set(preview_box.get_untracked().map(|el| f64::from(el.client_width())));
    Effect::new(move |_| {
        if preview_box.get().is_some() {
            measure();
        }
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());
    // The frame's border adds a pixel on each side.
    let fit = move || room.get().filter(|r| *r > 0.0).map_or(1.0, |r| (r / (f64::from(width.get()) + 2.0)).min(1.0));
    let fitted = move |size: u32| format!("{:.1}px", (f64::from(size) + 2.0) * fit());
    let exported = RwSignal::new(None::<&'static str>);
    // A 800×500 frame fits the diagram with the short toolbar; the instructor can pick others.
    let frame_controls = RwSignal::new(Controls::Minimal);
    // The frame shows this run at its moment, or compare view started from the run's settings
    // (compare view replays no actions: both sides start over, differing only in their mode).
    let frame_compare = RwSignal::new(false);
    // What picking compare view changed (the controls, the frame's height), to undo on the way
    // back to the lab if they are still as it left them.
    let before_compare = RwSignal::new(None::<(Controls, u32)>);
    // The height compare view's fit last set, which a change of its controls may refit.
    let fitted_height = StoredValue::new(None::<u32>);
    let fit_compare = move || {
        let servers = lab.with_sim(|s| s.present_config().servers);
        let tall = compare_height(servers, frame_controls.get_untracked(), crate::i18n::current());
        fitted_height.set_value(Some(tall));
        height.set(tall);
    };
    let make_link = move || format!("{}?{}", base_url(), lab.link_query(theme.get_untracked()));
    // The page's links never carry `controls` or `title`, so the frame's choices are simply
    // added; a course page has its own heading, so the frame leaves out the masthead.
    // The frame starts from the lab as of the latest action, pause or "Copy link": the code
    // shown, the code copied and the preview are always one link. While paused, every move
    // of the clock (Step, the timeline) is such a moment. Copies are counted, not compared by
    // link: the moment is read on every publication.
    let copies = RwSignal::new(0u32);
    let moment = Memo::new(move |_| {
        lab.snap.track();
        let playing = lab.playing.get();
        let (commands, now) = lab.with_sim(|s| (s.commands().len(), s.now_us()));
        (commands, playing, (!playing).then_some(now), copies.get())
    });
    // Rebuilt only when that moment changes, not on every publication of a running lab, nor
    // when the frame's theme or controls change: those are set on the moment's link.
    let moment_link = Memo::new(move |_| {
        moment.with(|_| ());
        make_link()
    });
    let frame_src = Memo::new(move |_| {
        let shown = theme.get();
        let frame_theme = if shown == Theme::Projector { Theme::Auto } else { shown };
        let page = if frame_compare.get() {
            moment.with(|_| ());
            format!("{}?{}", base_url(), lab.compare_query(frame_theme))
        } else {
            moment_link.with(|link| with_theme(link, frame_theme))
        };
        let controls = frame_controls.get();
        // A frame without controls has no Play: it plays by itself.
        let page = if controls == Controls::None { page.replace("autoplay=0", "autoplay=1") } else { page };
        format!("{page}&controls={}&title=0", controls.key())
    });
    let snippet = move || {
        let src = frame_src.get();
        format!(
            "<iframe src=\"{}\" width=\"{}\" height=\"{}\" title=\"{}\" loading=\"lazy\" allow=\"clipboard-write\" style=\"border:0;max-width:100%\"></iframe>",
            attr(&src),
            width.get(),
            height.get(),
            attr(t(EmbedTitle))
        )
    };
    // "Copied" tells of the code copied: once the code changes, it is no longer what was copied.
    Effect::new(move |_| {
        frame_src.track();
        width.track();
        height.track();
        code_copied.set(None);
    });
    let export_events = move || {
        // The recent events and, before them, the narrated ones the log kept: a long run's
        // logouts and crashes, not only its last two thousand single successes.
        let lines: String = lab.with_sim(|s| {
            s.events()
                .kept()
                .into_iter()
                .map(|e| {
                    format!(
                        "{{\"seq\":{},\"at_us\":{},\"kind\":{},\"text\":{}}}\n",
                        e.seq,
                        e.at_us,
                        json_string(e.kind.name()),
                        json_string(&crate::i18n::events::sentence(e))
                    )
                })
                .collect()
        });
        download("statelab-events.jsonl", "application/x-ndjson", &lines);
    };
    let export_svg = move || match export::standalone_svg() {
        Some(svg) => download("statelab-diagram.svg", "image/svg+xml", &svg),
        None => exported.set(Some(t(DiagramNotCopied))),
    };
    let export_png = move || {
        exported.set(Some(t(DrawingPng)));
        export::download_png(move |result| exported.set(Some(t(result.err().unwrap_or(PngDownloaded)))));
    };
    view! {
        <section class="panel share" aria-labelledby="share-heading">
            <h2 id="share-heading">{t(ShareHeading)}</h2>
            <div class="row">
                <button on:click=move |_| {
                    let url = make_link();
                    link.set(url.clone());
                    copies.update(|n| *n += 1);
                    copy(&url, copied, LinkCopied, CopyLinkBelow);
                }>{t(CopyLink)}</button>
                <span role="status" class="hint">{move || copied.get()}</span>
            </div>
            <label class="row">
                {t(LinkToMoment)}
                <input class="wide" type="text" readonly prop:value=move || link.get() placeholder=t(PressCopyLink) />
            </label>
            <fieldset>
                <legend>{t(EmbedLegend)}</legend>
                <div class="size-pair">
                    // The code follows each size typed within range; leaving the box clamps the rest.
                    <label class="row">{t(Width)}" "<input type="number" min="320" max=MAX_SIZE prop:value=move || width.get().to_string()
                        on:input=move |ev| size_typed(&ev, width, 320, false)
                        on:change=move |ev| size_typed(&ev, width, 320, true) /></label>
                    <label class="row">{t(Height)}" "<input type="number" min="400" max=MAX_SIZE prop:value=move || height.get().to_string()
                        on:input=move |ev| size_typed(&ev, height, 400, false)
                        on:change=move |ev| size_typed(&ev, height, 400, true) /></label>
                </div>
                <label class="row">
                    {t(EmbedView)}" "
                    <select
                        prop:value=move || if frame_compare.get() { "compare" } else { "lab" }
                        on:change=move |ev| {
                            let compare = event_target_value(&ev) == "compare";
                            frame_compare.set(compare);
                            // Compare view with only playback has nothing to crash: its buttons
                            // are the point of it; with them, its figures need a taller frame.
                            // Back to the lab, what was changed for it is undone.
                            let (controls, tall) = (frame_controls.get_untracked(), height.get_untracked());
                            if compare {
                                before_compare.set(Some((controls, tall)));
                                if controls == Controls::Minimal {
                                    frame_controls.set(Controls::Full);
                                }
                                if tall == FRAME_HEIGHT {
                                    fit_compare();
                                }
                            } else if let Some((was_controls, was_height)) = before_compare.get_untracked() {
                                before_compare.set(None);
                                if controls == Controls::Full {
                                    frame_controls.set(was_controls);
                                }
                                if fitted_height.get_value() == Some(tall) {
                                    height.set(was_height);
                                }
                                fitted_height.set_value(None);
                            }
                        }
                    >
                        <option value="lab">{t(EmbedViewLab)}</option>
                        <option value="compare">{t(EmbedViewCompare)}</option>
                    </select>
                </label>
                {move || frame_compare.get().then(|| view! { <p class="hint">{t(EmbedCompareNote)}</p> })}
                // The tallest frame offered: a big lab's compare view is taller still.
                {move || (frame_compare.get() && height.get() == MAX_SIZE).then(|| view! { <p class="hint">{t(EmbedCompareScrolls)}</p> })}
                <label class="row">
                    {t(EmbedControls)}" "
                    <select
                        prop:value=move || frame_controls.get().key()
                        on:change=move |ev| {
                            if let Some(c) = Controls::ALL.into_iter().find(|c| c.key() == event_target_value(&ev)) {
                                frame_controls.set(c);
                                // Compare view's fitted height follows its buttons.
                                if fitted_height.get_value() == Some(height.get_untracked()) {
                                    fit_compare();
                                }
                            }
                        }
                    >
                        {Controls::ALL.into_iter().map(|c| view! {
                            <option value=c.key()>
                                {move || t(match c {
                                    // Compare view's minimal set has no mode switch: both modes show.
                                    Controls::Minimal if frame_compare.get() => EmbedControlsMinimalCompare,
                                    Controls::Minimal => EmbedControlsMinimal,
                                    Controls::Full => EmbedControlsFull,
                                    Controls::None if frame_compare.get() => EmbedControlsNoneCompare,
                                    Controls::None => EmbedControlsNone,
                                })}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="row">
                    {t(EmbedCode)}
                    <textarea class="wide" readonly rows="3" prop:value=snippet></textarea>
                </label>
                <div class="row">
                    <button on:click=move |_| copy(&snippet(), code_copied, EmbedCopied, CopyCodeAbove)>{t(CopyEmbedCode)}</button>
                    <button aria-pressed=move || preview.get().to_string() on:click=move |_| preview.update(|p| *p = !*p)>{t(PreviewEmbed)}</button>
                    // Beside the button pressed: the link's status is a screen or more above.
                    <span role="status" class="hint">{move || code_copied.get()}</span>
                </div>
                <Show when=move || preview.get()>
                    <div class="embed-box" node_ref=preview_box>
                        <div class="embed-fit" style:width=move || fitted(width.get()) style:height=move || fitted(height.get())>
                            <iframe
                                class="embed-preview"
                                src=frame_src
                                width=move || width.get().to_string()
                                height=move || height.get().to_string()
                                title=t(PreviewTitle)
                                style:transform=move || format!("scale({:.4})", fit())
                            ></iframe>
                        </div>
                    </div>
                    {move || (fit() < 1.0).then(|| view! {
                        <p class="hint">{tf(PreviewScaled, &[("pct", &((fit() * 100.0).floor() as u32))])}</p>
                    })}
                </Show>
            </fieldset>
            <div class="row">
                <button on:click=move |_| download("statelab-metrics.csv", "text/csv", &lab.with_sim(|s| s.metrics().to_csv()))>{t(DownloadCsv)}</button>
                <button on:click=move |_| export_events()>{t(DownloadJsonl)}</button>
                <button on:click=move |_| export_svg()>{t(DownloadSvg)}</button>
                <button on:click=move |_| export_png()>{t(DownloadPng)}</button>
                <span role="status" class="hint">{move || exported.get()}</span>
            </div>
            <p class="hint">{tf(CsvWindow, &[("n", &lab.with_sim(|s| s.metrics().capacity()))])}</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_string("a \"b\"\\\n\u{1}"), "\"a \\\"b\\\"\\\\\\n\\u0001\"");
    }
}
