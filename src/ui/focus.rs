//! Keeps keyboard focus near where it was when the pressed button goes away. Crash, Restart and
//! Remove disable themselves once pressed, and Remove replica or Close inspector take their own
//! row with them; the run itself can do the same (auto-scaling stops the server whose Crash
//! button has the focus). The browser then drops focus to the top of the page, and a keyboard
//! user would have to Tab all the way back.

use std::cell::{Cell, RefCell};

use gloo_timers::callback::Timeout;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

thread_local! {
    static INSTALLED: Cell<bool> = const { Cell::new(false) };
    /// The focused button with its partners and group, noted when it took the focus.
    static FOCUSED: RefCell<Option<Held>> = const { RefCell::new(None) };
    /// What the pointer last pressed, until Tab moves on: see [`pointed_at`].
    static POINTED: RefCell<Option<Element>> = const { RefCell::new(None) };
}

/// Whether `el` is the control the mouse last clicked (or its words, in a label around it),
/// and Tab has not moved the focus since: a key pressed now comes from a mouse user, whose
/// Space means play or pause, not the control again, and whose focus no step should move.
pub fn pointed_at(el: &Element) -> bool {
    POINTED.with(|p| {
        p.borrow().as_ref().is_some_and(|c| {
            let label = c.closest("label").ok().flatten();
            el.contains(Some(c)) || label.is_some_and(|l| l.contains(Some(el)))
        })
    })
}

/// A button and what [`refocus`] needs to hand its focus on.
struct Held {
    button: Element,
    partners: Vec<Element>,
    group: Option<Element>,
}

impl Held {
    fn of(button: Element) -> Self {
        let partners = partners(&button);
        let group = button.closest("fieldset, section").ok().flatten();
        Self { button, partners, group }
    }
}

/// Watches every click on the page, once per page: the listener knows nothing of any one app.
/// It listens in the capture phase, before the click's own handler can take the button's row
/// out of the page, which would leave nothing to search from. Only clicks made with the
/// keyboard count: a mouse user's focus is wherever they point next.
pub fn keep_focus() {
    if INSTALLED.with(|i| i.replace(true)) {
        return;
    }
    let Some(window) = web_sys::window() else { return };
    let on_click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(|ev: web_sys::MouseEvent| {
        if ev.detail() != 0 {
            // Nor does the watch on the focused button below.
            FOCUSED.with(|f| f.borrow_mut().take());
            return;
        }
        if let Some(button) =
            ev.target().and_then(|t| t.dyn_into::<Element>().ok()).and_then(|e| e.closest("button").ok().flatten())
        {
            hold(button)();
        }
    });
    let _ = window.add_event_listener_with_callback_and_bool("click", on_click.as_ref().unchecked_ref(), true);
    on_click.forget();
    let on_pointer = Closure::<dyn Fn(web_sys::Event)>::new(|ev: web_sys::Event| {
        POINTED.with(|p| *p.borrow_mut() = ev.target().and_then(|t| t.dyn_into().ok()));
    });
    let _ = window.add_event_listener_with_callback_and_bool("pointerdown", on_pointer.as_ref().unchecked_ref(), true);
    on_pointer.forget();
    let on_key = Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(|ev: web_sys::KeyboardEvent| {
        if ev.key() == "Tab" {
            POINTED.with(|p| p.borrow_mut().take());
        }
    });
    let _ = window.add_event_listener_with_callback_and_bool("keydown", on_key.as_ref().unchecked_ref(), true);
    on_key.forget();
    watch_focused(&window);
}

/// Notes each button that takes the focus, and after each change of the page, if it was
/// disabled or removed with the focus on it, hands the focus on as a click's would be.
fn watch_focused(window: &web_sys::Window) {
    let on_focus = Closure::<dyn Fn(web_sys::Event)>::new(|ev: web_sys::Event| {
        let button = ev.target().and_then(|t| t.dyn_into::<Element>().ok()).filter(|e| e.tag_name() == "BUTTON");
        FOCUSED.with(|f| *f.borrow_mut() = button.map(Held::of));
    });
    let _ = window.add_event_listener_with_callback_and_bool("focusin", on_focus.as_ref().unchecked_ref(), true);
    on_focus.forget();
    // A button left while it still works (the focus went elsewhere, or out of the window) is
    // no longer watched: its later loss must not pull the focus back from where it went.
    let on_blur = Closure::<dyn Fn(web_sys::Event)>::new(|ev: web_sys::Event| {
        let left = ev.target().and_then(|t| t.dyn_into::<Element>().ok());
        if left.is_some_and(|b| b.is_connected() && !b.has_attribute("disabled")) {
            FOCUSED.with(|f| f.borrow_mut().take());
        }
    });
    let _ = window.add_event_listener_with_callback_and_bool("focusout", on_blur.as_ref().unchecked_ref(), true);
    on_blur.forget();
    let on_change = Closure::<dyn Fn()>::new(|| {
        // Taken out first: the new focus notes itself while this runs.
        let Some(held) = FOCUSED.with(|f| f.borrow_mut().take()) else { return };
        let gone = !held.button.is_connected() || held.button.has_attribute("disabled");
        if gone {
            refocus(&held.button, &held.partners, held.group.as_ref());
        } else {
            FOCUSED.with(|f| {
                f.borrow_mut().get_or_insert(held);
            });
        }
    });
    let (Ok(observer), Some(body)) =
        (web_sys::MutationObserver::new(on_change.as_ref().unchecked_ref()), window.document().and_then(|d| d.body()))
    else {
        return;
    };
    let init = web_sys::MutationObserverInit::new();
    init.set_subtree(true);
    init.set_child_list(true);
    init.set_attributes(true);
    init.set_attribute_filter(&js_sys::Array::of1(&"disabled".into()));
    let _ = observer.observe_with_options(&body, &init);
    on_change.forget();
}

/// The focused button, if any, ready to hand its focus on as [`keep_focus`] does for a click:
/// for a shortcut key whose action disables or removes the button that holds the focus.
pub fn hold_focused() -> Option<impl FnOnce()> {
    let active = web_sys::window()?.document()?.active_element()?;
    Some(hold(active.closest("button").ok()??))
}

/// Notes `button`'s partners and group before an action; the returned call refocuses after
/// the action's own updates, which the reactive system runs as microtasks.
fn hold(button: Element) -> impl FnOnce() {
    let Held { button, partners, group } = Held::of(button);
    move || {
        Timeout::new(0, move || refocus(&button, &partners, group.as_ref())).forget();
    }
}

/// The disabled controls beside `button`: one the click enables is its partner (Crash's
/// Restart, and back).
fn partners(button: &Element) -> Vec<Element> {
    let Some(row) = button.parent_element() else { return Vec::new() };
    let Ok(all) = row.query_selector_all("button[disabled], input[disabled], select[disabled]") else {
        return Vec::new();
    };
    (0..all.length()).filter_map(|i| all.item(i)).filter_map(|n| n.dyn_into::<Element>().ok()).collect()
}

/// If `button` lost the focus by disabling or removing itself, moves it to a partner the click
/// enabled, else to the heading of its group: never to a neighbour that a second Enter would
/// set off by surprise (Back, Crash).
fn refocus(button: &Element, partners: &[Element], group: Option<&Element>) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let gone = !button.is_connected() || button.has_attribute("disabled");
    let lost = match document.active_element() {
        None => true,
        Some(active) => document.body().is_some_and(|b| *b == active) || (active == *button && gone),
    };
    if !lost || !gone {
        return;
    }
    let partner = partners.iter().find(|p| p.is_connected() && !p.has_attribute("disabled")).cloned();
    let heading = || {
        let group = group.filter(|g| g.is_connected())?;
        let all = group.query_selector_all(":scope > legend, h2, h3").ok()?;
        let all: Vec<Element> = (0..all.length()).filter_map(|i| all.item(i)?.dyn_into::<Element>().ok()).collect();
        // The last heading before the button (a tour step's title), else the group's first.
        let before = |h: &Element| {
            button.is_connected()
                && button.compare_document_position(h) & web_sys::Node::DOCUMENT_POSITION_PRECEDING != 0
        };
        all.iter().rev().find(|h| before(h)).or(all.first()).cloned()
    };
    if let Some(partner) = partner.and_then(|n| n.dyn_into::<HtmlElement>().ok()) {
        let _ = partner.focus();
    } else if let Some(heading) = heading() {
        focus_heading(&heading);
    }
}

/// Keeps a pressed button in view when the row it adds goes in above it (Add server, Add
/// replica): else each press slides it, with the keyboard's focus ring, off the window's foot.
/// After the panels' next update, which comes a frame after the run's.
pub fn keep_in_view(ev: &web_sys::MouseEvent) {
    let Some(button) = ev.current_target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
    Timeout::new(100, move || {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Nearest);
        button.scroll_into_view_with_scroll_into_view_options(&options);
    })
    .forget();
}

/// Scrolls a panel's heading into view and gives it the focus: a note by the diagram or the
/// user strip takes the learner to a panel that may be a screen or more below (a phone).
pub fn show_heading(id: &str) {
    let heading = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id));
    if let Some(heading) = heading {
        heading.scroll_into_view();
        focus_heading(&heading);
    }
}

/// Gives a heading the focus (focusable by script only, so Tab still skips it): where reading
/// goes on after a control that held the focus went away.
pub fn focus_heading(heading: &Element) {
    if !heading.has_attribute("tabindex") {
        let _ = heading.set_attribute("tabindex", "-1");
    }
    if let Some(h) = heading.dyn_ref::<HtmlElement>() {
        let _ = h.focus();
    }
}
