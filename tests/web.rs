//! Browser tests: the real app mounted in headless Chromium, driven by clicks on its controls.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Mounts a fresh app in its own container and returns the container.
fn mount() -> HtmlElement {
    let root: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&root).unwrap();
    leptos::mount::mount_to(root.clone(), || {
        statelab::App(statelab::ui::AppProps { setup: statelab::Setup::from_url() })
    })
    .forget();
    root
}

/// The button whose accessible text is `name`.
fn button(root: &HtmlElement, name: &str) -> HtmlElement {
    let all = root.query_selector_all("button").unwrap();
    (0..all.length())
        .filter_map(|i| all.item(i))
        .map(|n| n.unchecked_into::<HtmlElement>())
        .find(|b| b.get_attribute("aria-label").or_else(|| b.text_content()).is_some_and(|t| t.trim() == name))
        .unwrap_or_else(|| panic!("no button named {name:?}"))
}

fn radio(root: &HtmlElement, value: &str) -> HtmlElement {
    root.query_selector(&format!("[role=radiogroup][aria-label='Session mode'] input[value={value}]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no {value} radio"))
        .unchecked_into()
}

fn logged_out(root: &HtmlElement) -> u32 {
    let label = root.query_selector("#metric-users-logged-out").unwrap().expect("the metric exists");
    assert_eq!(label.text_content().unwrap(), "Users logged out");
    let output = label.parent_element().unwrap().query_selector("output").unwrap().unwrap();
    output.text_content().unwrap().trim().replace(',', "").parse().expect("a number")
}

async fn settle() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}

#[wasm_bindgen_test]
async fn stateful_crash_of_server_1_logs_users_out() {
    let root = mount();
    button(&root, "Pause").click();
    radio(&root, "stateful").click();
    settle().await;
    assert_eq!(logged_out(&root), 0);
    button(&root, "Crash Server 1").click();
    for _ in 0..5 {
        button(&root, "Step").click();
    }
    settle().await;
    assert!(logged_out(&root) > 0, "users whose sessions were on Server 1 are logged out");
    root.remove();
}

/// A failure outlines the box where it happened rather than ringing over its status text.
#[wasm_bindgen_test]
async fn failures_outline_the_boxes_where_they_happened() {
    let root = mount();
    button(&root, "Pause").click();
    radio(&root, "stateful").click();
    for _ in 0..5 {
        button(&root, "Step").click();
    }
    settle().await;
    let failing = || root.query_selector_all(".diagram g.node.failing").unwrap();
    assert_eq!(failing().length(), 0);
    // The requests Server 1 is working on fail with it.
    button(&root, "Crash Server 1").click();
    button(&root, "Step").click();
    settle().await;
    let boxes: Vec<String> =
        (0..failing().length()).map(|i| failing().item(i).unwrap().text_content().unwrap_or_default()).collect();
    // A request of a user whose session went down with Server 1, sent to another server.
    let feed = root.query_selector(".feed").unwrap().unwrap().text_content().unwrap();
    let (_, after) = feed.split_once(" reached ").unwrap_or_else(|| panic!("no request went astray: {feed}"));
    let (at, _) = after.split_once(", which has no session").expect("a server's name");
    assert_eq!(boxes.len(), 1, "{boxes:?}");
    assert!(boxes[0].starts_with(&format!("{at}✓")), "{at} is outlined, not {boxes:?}");
    button(&root, "Reset").click();
    settle().await;
    assert_eq!(failing().length(), 0, "a reset clears the flashes");
    root.remove();
}

/// Paused, the servers chart ends on the crash just made, as the diagram and the cards do.
#[wasm_bindgen_test]
async fn the_servers_chart_shows_a_crash_made_while_paused() {
    let root = mount();
    button(&root, "Pause").click();
    // Past the first second's end, so the chart has a closed second to show.
    for _ in 0..12 {
        button(&root, "Step").click();
    }
    settle().await;
    let legend = || {
        let charts = root.query_selector_all(".chart").unwrap();
        (0..charts.length())
            .map(|i| charts.item(i).unwrap().dyn_into::<web_sys::Element>().unwrap())
            .find(|c| {
                c.query_selector("figcaption").unwrap().and_then(|f| f.text_content()).as_deref() == Some("Servers")
            })
            .and_then(|c| c.text_content())
            .expect("the servers chart")
    };
    assert!(legend().contains("healthy 3") && legend().contains("down 0"), "{}", legend());
    button(&root, "Crash Server 1").click();
    settle().await;
    assert!(legend().contains("healthy 2") && legend().contains("down 1"), "{}", legend());
    root.remove();
}

#[wasm_bindgen_test]
async fn stateless_crash_of_server_1_logs_nobody_out() {
    let root = mount();
    button(&root, "Pause").click();
    radio(&root, "stateless").click();
    settle().await;
    button(&root, "Crash Server 1").click();
    for _ in 0..30 {
        button(&root, "Step").click();
    }
    settle().await;
    assert_eq!(logged_out(&root), 0);
    // The crash happened: Server 1 can only be restarted now.
    assert!(button(&root, "Crash Server 1").has_attribute("disabled"));
    assert!(!button(&root, "Restart Server 1").has_attribute("disabled"));
    root.remove();
}

#[wasm_bindgen_test]
fn the_reference_run_gives_the_native_trace_hash_in_wasm() {
    assert_eq!(statelab_sim::reference_trace_hash(), statelab_sim::REFERENCE_TRACE_HASH);
}

#[wasm_bindgen_test]
async fn an_added_server_boots_then_takes_traffic() {
    let root = mount();
    button(&root, "Pause").click();
    button(&root, "Add server").click();
    settle().await;
    assert!(button(&root, "Crash Server 4").is_connected(), "Server 4 is listed with its controls");
    let state =
        || root.query_selector_all(".server-controls li .state").unwrap().item(3).unwrap().text_content().unwrap();
    assert_eq!(state(), "booting");
    for _ in 0..25 {
        button(&root, "Step").click();
    }
    settle().await;
    assert_eq!(state(), "healthy");
    // Stateless mode spreads the load, so the new server must get its share.
    radio(&root, "stateless").click();
    for _ in 0..30 {
        button(&root, "Step").click();
    }
    settle().await;
    let served =
        root.query_selector_all(".server-controls li .served").unwrap().item(3).unwrap().text_content().unwrap();
    let served: u64 = served.trim_end_matches(" served").replace(',', "").parse().expect("a count");
    assert!(served > 0, "the new server answered requests");
    root.remove();
}

/// While the loop runs, the panels (controls, charts, inspector, timeline) re-read a publication
/// one frame after the diagram and cards do, so a big lab's publishing frame is split in two,
/// also when frames come slower than the publishing interval; a step taken outside the loop
/// reaches both at once.
#[wasm_bindgen_test]
async fn panels_follow_a_publication_one_frame_later() {
    use leptos::prelude::*;
    let lab = statelab::lab::Lab::new(statelab_sim::SimConfig::default());
    let main = Memo::new(move |_| lab.snap.with(|s| s.now_us));
    let panels = Memo::new(move |_| lab.panel_snap(|s| s.now_us));
    let now = move || lab.with_sim(|s| s.now_us());
    // Memos compute when first read: read both before time moves.
    assert_eq!((main.get_untracked(), panels.get_untracked()), (0, 0));
    // Longer than the publishing interval since the lab was made: the next frame publishes.
    gloo_timers::future::TimeoutFuture::new(150).await;
    lab.advance_frame(50_000);
    assert_eq!(main.get_untracked(), now());
    assert_eq!(panels.get_untracked(), 0, "the panels wait for the next frame");
    lab.advance_frame(50_000);
    assert_eq!(main.get_untracked(), 50_000, "no new publication within the interval");
    assert_eq!(panels.get_untracked(), 50_000, "the panels catch up a frame later");
    // Frames slower than the interval (a weak device): every other frame publishes, and the
    // panels still catch up on the frame after each publication.
    gloo_timers::future::TimeoutFuture::new(150).await;
    lab.advance_frame(50_000);
    assert_eq!((main.get_untracked(), panels.get_untracked()), (150_000, 50_000));
    gloo_timers::future::TimeoutFuture::new(150).await;
    lab.advance_frame(50_000);
    assert_eq!((main.get_untracked(), panels.get_untracked()), (150_000, 150_000));
    gloo_timers::future::TimeoutFuture::new(150).await;
    lab.advance_frame(50_000);
    assert_eq!((main.get_untracked(), panels.get_untracked()), (250_000, 150_000));
    lab.advance(50_000);
    assert_eq!((main.get_untracked(), panels.get_untracked()), (now(), now()));
}

#[wasm_bindgen_test]
fn playing_on_after_a_rewind_replays_the_rest_of_the_timeline() {
    use leptos::prelude::Set;
    use statelab_sim::time::SEC;
    use statelab_sim::{Command, ServerId, ServerState, SimConfig};
    let lab = statelab::lab::Lab::new(SimConfig::default());
    lab.playing.set(false);
    let state = move || lab.with_sim(|s| s.server(ServerId(0)).unwrap().state);
    lab.advance(2 * SEC);
    lab.send(Command::CrashServer { server: ServerId(0) });
    lab.advance(3 * SEC);
    lab.scrub(4 * SEC);
    let dragged = lab.with_sim(|s| s.trace_hash());
    lab.scrub(SEC);
    assert_eq!(state(), ServerState::Healthy, "rewound to before the crash");
    lab.advance(3 * SEC);
    assert_eq!(state(), ServerState::Crashed, "playing on replays the crash at 2 s");
    assert_eq!(lab.with_sim(|s| s.trace_hash()), dragged, "playing and dragging to 4 s agree");
    // A new command after a rewind starts another history: the old future is dropped.
    lab.scrub(SEC);
    assert_eq!(lab.horizon_shown(), 5 * SEC, "the timeline still reaches the recorded end");
    lab.send(Command::AddServer);
    assert_eq!(lab.horizon_shown(), SEC, "and it ends at the new branch, its old future gone");
    lab.advance(3 * SEC);
    assert_eq!(state(), ServerState::Healthy, "the crash belonged to the abandoned branch");
}

#[wasm_bindgen_test]
fn a_tour_steps_commands_outlive_a_rewind_and_a_new_action() {
    use statelab_sim::time::SEC;
    use statelab_sim::{Command, ServerId, SimConfig};
    let lab = statelab::lab::Lab::new(SimConfig::default());
    let crash = |n| Command::CrashServer { server: ServerId(n) };
    lab.play_script(vec![(SEC, crash(0)), (3 * SEC, crash(1))], 5 * SEC);
    lab.advance(2 * SEC);
    lab.scrub(SEC / 2);
    lab.send(Command::AddServer);
    lab.advance(10 * SEC);
    let log = lab.with_sim(|s| s.commands().to_vec());
    assert_eq!(log, vec![(SEC / 2, Command::AddServer), (SEC, crash(0)), (3 * SEC, crash(1))]);
    assert_eq!(lab.with_sim(|s| s.now_us()), 5 * SEC, "the step still ends where it would have");
}

#[wasm_bindgen_test]
fn a_link_replayed_a_second_per_task_reaches_the_straight_runs_state() {
    use statelab_sim::time::SEC;
    use statelab_sim::Command;
    let mut scenario = statelab_sim::reference_scenario();
    // Two commands at one moment keep their order.
    scenario.commands.push((15 * SEC, Command::AddServer));
    let straight = scenario.run(None, None, 40 * SEC).unwrap();
    let lab = statelab::lab::Lab::new(scenario.config.clone());
    let mut replay = statelab::lab::Replay::new(&scenario.commands, Some(40 * SEC), SEC, Vec::new(), 0);
    let mut tasks = 1;
    while !lab.replay_some(&mut replay, || false) {
        tasks += 1;
    }
    assert_eq!(tasks, 40, "a simulated second per task, as a slow page would go");
    assert_eq!(lab.with_sim(|s| (s.now_us(), s.trace_hash())), (40 * SEC, straight.trace_hash()));
    assert_eq!(lab.with_sim(|s| s.commands().to_vec()), straight.commands().to_vec());
    assert_eq!(lab.horizon_shown(), 40 * SEC, "the timeline reaches the link's moment");
}
