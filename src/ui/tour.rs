//! The guided tours: pick a scenario and a mode, then walk its steps — predict, run, and check
//! what the simulation measured. Each step opens on the exact state a replay of the seed and
//! the earlier steps' commands builds, kept once built (see [`StepStarts`]); the timeline
//! scrubber jumps to any moment of the run.

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use statelab_sim::snapshot::Totals;
use statelab_sim::tour::{StepStarts, Tour};
use statelab_sim::Mode;

use wasm_bindgen::{JsCast, JsValue};

use super::{use_lab, UrlNotices};
use crate::host;
use crate::i18n::{checks, t, tf, words, Text::*};

/// Where the learner is within a step.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    /// The step's narration is showing; nothing of it has run yet.
    Shown,
    /// Its commands are playing until `end_us`; `at_start` feeds the per-step checkpoints.
    Running { end_us: u64, at_start: Totals },
    /// Its run finished.
    Done { at_start: Totals },
}

/// The tour player's state.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Player {
    tour: usize,
    mode: Mode,
    step: usize,
    phase: Phase,
    /// The choice marked in this step's prediction, not yet checked: arrow keys move it
    /// through the choices, so they must not give the answer away.
    pick: Option<usize>,
    /// The learner's answer to this step's prediction, once checked.
    answer: Option<usize>,
    /// Bit `i`: step `i` ran to its end in this tour and mode, so the list ticks it as seen; a
    /// step behind the learner without it (passed with Next, opened past by a link, or run in
    /// the other mode) is marked not run.
    ran: u64,
}

impl Player {
    /// Whether the choice marked is the one checked: a choice moved after its check waits for
    /// its own.
    fn checked(&self) -> bool {
        self.answer.is_some() && self.pick == self.answer
    }
}

/// Delay before autoplay runs a step or moves on [ms].
const AUTOPLAY_MS: u32 = 4_000;

/// Reading time a word of a checked answer's feedback gets before autoplay runs the step [ms]:
/// 240 words a minute.
const READ_MS_PER_WORD: u32 = 250;

fn mode_name(m: Mode) -> &'static str {
    t(match m {
        Mode::Stateful => Stateful,
        Mode::Stateless => Stateless,
    })
}

/// The mode inside a sentence: "(Stateful mode)", but "(modo con estado)" in Spanish.
fn mode_in_text(m: Mode) -> &'static str {
    t(match m {
        Mode::Stateful => StatefulInText,
        Mode::Stateless => StatelessInText,
    })
}

/// The longest a tour step should take to play out at the speed it picks [real seconds].
const STEP_REAL_S: f64 = 20.0;

/// `start`: a tour id and step to open at once (from the URL), in `mode` if the tour offers it.
/// `chooser`: whether the learner may pick and start another tour; a frame that embeds one
/// step shows only that tour (its Tour mode stays), and its Reset reopens the step it opened
/// on. `reset`: whether the page has a Reset. `plays`: the tour runs its steps and moves on by
/// itself from the start (a frame with no controls told to play), waiting at each question.
#[component]
pub fn TourPlayer(
    start: Option<(String, usize)>,
    mode: Mode,
    mode_asked: bool,
    chooser: bool,
    reset: bool,
    plays: bool,
) -> impl IntoView {
    let lab = use_lab();
    let tours = StoredValue::new(crate::i18n::tours::tours());
    let chosen = RwSignal::new(0usize);
    let chosen_mode = RwSignal::new(Mode::Stateful);
    let player = RwSignal::new(None::<Player>);
    let autoplay = RwSignal::new(plays);
    // The step the URL opened, which a frame's Reset reopens.
    let opened = StoredValue::new(0usize);
    // Bumped whenever the learner moves, so a pending autoplay timer knows it is stale.
    let moves = StoredValue::new(0u64);
    // The open tour's system at each step's start reached so far: Back and Next copy it.
    let starts = StoredValue::new(StepStarts::default());

    // The speed a step raised, and the one it raised it from (the lab's, for its links).
    let paced = lab.paced;
    // Back to the learner's speed after a step that raised it, when it ends or is left for
    // another (Next, Back, the tour's mode), unless they changed it meanwhile.
    let unpace = move || {
        if let Some((chosen, pace)) = paced.get_value() {
            paced.set_value(None);
            if lab.speed.get_untracked() == pace {
                lab.speed.set(chosen);
            }
        }
    };
    let tour_of = move |p: &Player| tours.with_value(|t| t[p.tour].clone());
    let show = move |tour_index: usize, mode: Mode, step: usize| {
        let tour: Tour = tours.with_value(|t| t[tour_index].clone());
        // Gone only with the tour's panel itself.
        let Some(replayed) = starts.try_update_value(|s| s.replay(&tour, mode, step)) else { return };
        match replayed {
            Ok(sim) => {
                let acted = lab.own_sent.get_value() > 0;
                lab.playing.set(false);
                unpace();
                lab.load(sim);
                moves.update_value(|m| *m += 1);
                // Each step replays the tour's own run: say so when that set aside the learner's,
                // and no longer once a step was shown with nothing of theirs to set aside.
                // Entering a tour sets aside a lab run the learner had changed: say that too.
                let dropped =
                    t(if player.with_untracked(Option::is_some) { TourOwnChangesDropped } else { TourLabSetAside });
                if acted {
                    lab.notice.set(Some(dropped.into()));
                } else if lab.notice.with_untracked(|n| {
                    n.as_deref().is_some_and(|n| n == t(TourOwnChangesDropped) || n == t(TourLabSetAside))
                }) {
                    lab.notice.set(None);
                }
                let ran = player
                    .with_untracked(|p| p.filter(|p| p.tour == tour_index && p.mode == mode).map_or(0, |p| p.ran));
                player.set(Some(Player {
                    tour: tour_index,
                    mode,
                    step,
                    phase: Phase::Shown,
                    pick: None,
                    answer: None,
                    ran,
                }));
                lab.tour_at.set(Some((tour.id.clone(), step, mode)));
                lab.spotlight.set(tour.steps.get(step).map(|s| s.spotlight.clone()).unwrap_or_default());
                host::post("step_changed", &[("tour", tour.id.clone().into()), ("step", JsValue::from(step as u32))]);
            }
            Err(e) => lab.notice.set(Some(tf(TourCannotShow, &[("why", &e)]))),
        }
    };
    if let Some((id, step)) = start {
        if let Some(index) = tours.with_value(|t| t.iter().position(|x| x.id == id)) {
            let offered = tours.with_value(|t| t[index].modes.clone());
            let asked = mode;
            let mode = if offered.contains(&mode) { mode } else { offered[0] };
            let (count, title) = tours.with_value(|t| (t[index].steps.len(), t[index].title.clone()));
            chosen.set(index);
            chosen_mode.set(mode);
            opened.set_value(step.min(count.saturating_sub(1)));
            show(index, mode, opened.get_value());
            let mut told = Vec::new();
            if step >= count {
                told.push(tf(NoticeStepPastEnd, &[("title", &title), ("n", &count), ("asked", &(step + 1))]));
            }
            if mode_asked && !offered.contains(&asked) {
                told.push(tf(NoticeTourMode, &[("title", &title), ("mode", &mode_in_text(mode))]));
            }
            if let Some(UrlNotices(notices)) = use_context::<UrlNotices>() {
                notices.update(|n| n.extend(told));
            }
        }
    }
    let run_step = move || {
        let Some(p) = player.get_untracked() else { return };
        if p.phase != Phase::Shown {
            return;
        }
        let tour = tour_of(&p);
        let (now, at_start) = lab.with_sim(|s| (s.now_us(), s.totals()));
        // The page after the last step has nothing to run.
        let Some(end_us) = tour.end_us(p.step, now) else { return };
        // Steps last seconds of simulated time: play them at least in real time, and a long one
        // fast enough to end within [`STEP_REAL_S`] (a few minutes of cache warm-up at 10×),
        // after which the speed goes back.
        let pace = ((end_us - now) as f64 / 1e6 / STEP_REAL_S).clamp(1.0, crate::params::SPEED_RANGE.1);
        let chosen = lab.speed.get_untracked();
        lab.speed.set(chosen.max(pace));
        paced.set_value((pace > chosen).then_some((chosen, pace)));
        lab.play_script(tour.schedule(p.step, now), end_us);
        player.set(Some(Player { phase: Phase::Running { end_us, at_start }, ..p }));
        // After the focus keeper has moved a keyboard user's focus to the step's title, which
        // scrolls: the figures, the users and the diagram are where the step plays out.
        Timeout::new(0, || {
            bring_into_view("section.cards");
            reveal_spotlight();
            clear_of_dock();
            hide_cut_cards();
            focus_dock();
        })
        .forget();
    };
    // Play (the button, Space or the host page) on a step that waits runs that step: a bare
    // clock would play on without the step's script, and its verdict would judge another run.
    // Anything else (a running or finished step, no tour) leaves `run_step` with nothing to do.
    Effect::new(move |_| {
        if lab.playing.get() {
            run_step();
        }
    });
    let next = move || {
        let Some(p) = player.get_untracked() else { return };
        let count = tour_of(&p).steps.len();
        if p.step < count {
            show(p.tour, p.mode, p.step + 1);
        }
    };
    let back = move || {
        if let Some(p) = player.get_untracked() {
            if p.step > 0 {
                show(p.tour, p.mode, p.step - 1);
            }
        }
    };
    // A running step becomes done when the simulation reaches its end.
    let finished = move || {
        let p = player.get()?;
        match p.phase {
            Phase::Running { end_us, at_start } if lab.snap.with(|s| s.now_us) >= end_us => Some((p, at_start)),
            _ => None,
        }
    };
    Effect::new(move |_| {
        if let Some((p, at_start)) = finished() {
            unpace();
            let bit = 1u64.checked_shl(p.step as u32).unwrap_or(0);
            player.set(Some(Player { phase: Phase::Done { at_start }, ran: p.ran | bit, ..p }));
            let tour = tour_of(&p);
            lab.with_sim(|s| starts.update_value(|kept| _ = kept.offer(&tour, p.mode, p.step, s)));
            if let Some(c) = tour.checkpoint(p.step, p.mode) {
                let result = lab.with_sim(|s| c.check_step(s, &at_start));
                host::post(
                    "checkpoint_reached",
                    &[
                        ("tour", tour.id.clone().into()),
                        ("step", JsValue::from(p.step as u32)),
                        ("passed", result.passed.into()),
                        ("measured", result.measured.into()),
                    ],
                );
            }
        }
    });
    // Reset, a new seed or the host's "reset" start a run that is no tour's: leave the tour, or
    // its panel would go on judging steps against an unrelated run. A frame that embeds a tour
    // has no way to start it again, so there they reopen the step the frame opened on.
    Effect::new(move |_| {
        if lab.tour_at.get().is_some() {
            return;
        }
        let Some(p) = player.get_untracked() else { return };
        if !chooser {
            show(p.tour, p.mode, opened.get_value());
            return;
        }
        unpace();
        moves.update_value(|m| *m += 1);
        player.set(None);
    });
    // Autoplay: run a shown step and move on from a finished one after a pause, but wait for
    // the learner at every prediction.
    Effect::new(move |_| {
        let (Some(p), true) = (player.get(), autoplay.get()) else { return };
        let tour = tour_of(&p);
        let Some(step) = tour.steps.get(p.step) else { return };
        let asks = step.prediction.is_some();
        if matches!(p.phase, Phase::Running { .. }) || (p.phase == Phase::Shown && asks && !p.checked()) {
            return;
        }
        // A checked answer's feedback, the explanation and a line more, is read before the
        // step runs and scrolls it away.
        let delay = match &step.prediction {
            Some(pr) if p.phase == Phase::Shown => {
                AUTOPLAY_MS.max(READ_MS_PER_WORD * (pr.explanation.split_whitespace().count() as u32 + 15))
            }
            _ => AUTOPLAY_MS,
        };
        // A step that will wait for an answer is brought into view for every learner: on a
        // phone its question is far above the diagram the last step ran on.
        let next_asks = tour.steps.get(p.step + 1).is_some_and(|s| s.prediction.is_some());
        let stamp = moves.get_value();
        Timeout::new(delay, move || {
            if moves.get_value() != stamp || !autoplay.get_untracked() {
                return;
            }
            match player.get_untracked() {
                // Unless the answer was changed meanwhile, and waits for its check.
                Some(p) if p.phase == Phase::Shown && (!asks || p.checked()) => run_step(),
                // The dock goes with the step: a keyboard user's focus there moves on with the
                // tour, to the new step's title, as a press of Next would take it; so does every
                // learner's view, to a step that waits for an answer.
                Some(Player { phase: Phase::Done { .. }, .. }) => {
                    let following = keyboard_focus_in(".tour, .tour-dock");
                    next();
                    if following || next_asks {
                        to_step_text();
                    }
                }
                _ => {}
            }
        })
        .forget();
    });

    // The step the dock stands for, while it runs or once it has run.
    let docked = Memo::new(move |_| {
        let p = player.get().filter(|p| p.phase != Phase::Shown)?;
        (p.step < tours.with_value(|t| t[p.tour].steps.len())).then_some((p.tour, p.step))
    });

    // The finished step's verdict, "✓ claim: measured", for both the step's text and the dock.
    // It is judged once, on the state the step ended in: a learner who plays on afterwards
    // changes the run, not what the step showed (nor what the host page was told).
    // Keyed by the finished step alone: an answer changed afterwards does not judge it again.
    let finished_step = Memo::new(move |_| {
        let p = player.get()?;
        matches!(p.phase, Phase::Done { .. }).then_some((p.tour, p.step, p.mode, p.phase))
    });
    // (mark, claim, measured).
    let judged = Memo::new(move |_| {
        let (tour, step, mode, phase) = finished_step.get()?;
        let Phase::Done { at_start } = phase else { return None };
        let checkpoint = tours.with_value(|t| t[tour].checkpoint(step, mode).cloned())?;
        let result = lab.with_sim(|s| checkpoint.check_step(s, &at_start));
        let mark = if result.passed { "✓" } else { "✗" };
        Some((mark, checks::claim(&checkpoint), checks::measured(&checkpoint, &result)))
    });
    let verdict =
        Memo::new(move |_| judged.get().map(|(mark, claim, measured)| checks::verdict(mark, &claim, &measured)));

    view! {
        <section class="panel tour" aria-labelledby="tour-heading">
            <h2 id="tour-heading">{t(GuidedTour)}</h2>
            <div class="row">
                {chooser.then(|| view! { <label class="row">
                    {t(Scenario)}
                    <select prop:value=move || chosen.get().to_string() on:change=move |ev| {
                        // Only an index of a real tour is kept: the other panels index by it.
                        let picked = event_target_value(&ev).parse::<usize>().ok();
                        if let Some((i, m)) = picked.and_then(|i| tours.with_value(|t| Some((i, t.get(i)?.modes.first().copied()?)))) {
                            chosen.set(i);
                            // Back on the open tour, its mode is the one its steps run in.
                            let open = player.get_untracked().filter(|p| p.tour == i).map(|p| p.mode);
                            chosen_mode.set(open.unwrap_or(m));
                        }
                    }>
                        {tours.with_value(|t| t.iter().enumerate().map(|(i, tour)| view! { <option value=i.to_string()>{format!("{}. {}", i + 1, tour.title)}</option> }).collect_view())}
                    </select>
                </label> })}
                <div class="row" role="radiogroup" aria-labelledby="tour-mode-label">
                    <span id="tour-mode-label" class="group-label">{t(TourMode)}</span>
                    {[Mode::Stateful, Mode::Stateless].into_iter().map(|m| view! {
                        <label class="row check">
                            <input
                                type="radio" name="tour-mode"
                                disabled=move || !tours.with_value(|t| t[chosen.get()].modes.contains(&m))
                                prop:checked=move || chosen_mode.get() == m
                                on:change=move |_| {
                                    chosen_mode.set(m);
                                    // Inside the chosen tour, the same step again in the new mode.
                                    if let Some(p) = player.get_untracked().filter(|p| p.tour == chosen.get_untracked() && p.mode != m) {
                                        show(p.tour, m, p.step);
                                    }
                                }
                            />
                            {mode_name(m)}
                        </label>
                    }).collect_view()}
                </div>
                {chooser.then(|| view! {
                    // The first step's text is below the chooser, off screen on a phone.
                    // The main button only until a tour is open: then the step's own is the way on.
                    <button class:primary=move || player.with(Option::is_none) on:click=move |_| { show(chosen.get_untracked(), chosen_mode.get_untracked(), 0); to_step_text(); }>
                        // On the open tour it goes back to step 1: its name says so.
                        {move || t(if player.with(|p| p.is_some_and(|p| p.tour == chosen.get())) { RestartTour } else { StartTour })}
                    </button>
                    <label class="row check">
                        <input type="checkbox" prop:checked=move || autoplay.get() on:change=move |ev| autoplay.set(event_target_checked(&ev)) />
                        {t(Autoplay)}
                    </label>
                })}
            </div>
            <p class="hint tour-summary">{move || tours.with_value(|t| t[chosen.get()].summary.clone())}</p>
            // A greyed Tour mode says why, where there is a choice of tours (a small frame keeps
            // its height for the step).
            {move || tours.with_value(|t| match t[chosen.get()].modes.as_slice() {
                [only] if chooser => Some(view! { <p class="hint">{tf(TourOneMode, &[("mode", &mode_in_text(*only))])}</p> }),
                _ => None,
            })}
            // Another tour picked while one is open: the mode and summary above are for the
            // pick, which Start opens; the steps below stay the open tour's.
            <p class="hint choice-pending" role="status">
                {move || {
                    let open = player.with(|p| p.map(|p| p.tour)).filter(|&open| open != chosen.get())?;
                    Some(tours.with_value(|t| tf(ChoicePending, &[("next", &t[chosen.get()].title), ("now", &t[open].title)])))
                }}
            </p>
            {move || player.get().map(|p| {
                let tour = tour_of(&p);
                let count = tour.steps.len();
                let finished_tour = p.step >= count;
                view! {
                    <ol class="steps" aria-label=t(Steps)>
                        {tour.steps.iter().enumerate().map(|(i, s)| {
                            let unrun = i < p.step && p.ran.checked_shr(i as u32).is_none_or(|b| b & 1 == 0);
                            view! {
                                <li class:current=i == p.step class:past=i < p.step class:unrun=unrun aria-current=(i == p.step).then_some("step")>
                                    {s.title.clone()}
                                    {unrun.then(|| view! { <span class="visually-hidden">{t(StepNotRun)}</span> })}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                    // The finished tour's line is its heading, where Next puts the focus: a
                    // screen reader reads a heading it lands on, and a status line only as news.
                    {if finished_tour {
                        view! { <h3 class="progress">{tf(TourFinished, &[("title", &tour.title), ("mode", &mode_in_text(p.mode))])}</h3> }.into_any()
                    } else {
                        view! { <p class="progress" role="status">{tf(StepOf, &[("n", &(p.step + 1)), ("count", &count), ("mode", &mode_in_text(p.mode))])}</p> }.into_any()
                    }}
                    {
                        // The step view is rebuilt: the new step's title takes the focus, in view,
                        // where its text and Run come next (a phone would leave it off screen).
                        let moves = view! {
                            <button disabled=p.step == 0 on:click=move |_| { back(); to_step_text(); }>{t(Back)}</button>
                            // Next is the way on once the step has run; before, Run is.
                            <button class:primary=matches!(p.phase, Phase::Done { .. }) disabled=finished_tour on:click=move |_| { next(); to_step_text(); }>{t(Next)}</button>
                        };
                        if finished_tour {
                            // The way on from a finished tour: the same tour in its other mode,
                            // and the next tour where the learner may pick one.
                            let other = tour.modes.iter().copied().find(|&m| m != p.mode);
                            let following = chooser.then_some(p.tour + 1).filter(|&i| tours.with_value(|t| i < t.len()));
                            view! {
                                <div class="row">
                                    {moves}
                                    {other.map(|m| view! {
                                        <button class="primary" on:click=move |_| { chosen_mode.set(m); show(p.tour, m, 0); to_step_text(); }>
                                            {tf(TourAgainIn, &[("mode", &mode_in_text(m))])}
                                        </button>
                                    })}
                                    {following.map(|i| {
                                        let (title, first) = tours.with_value(|t| (t[i].title.clone(), t[i].modes[0]));
                                        view! {
                                            <button class:primary=other.is_none() on:click=move |_| {
                                                chosen.set(i);
                                                chosen_mode.set(first);
                                                show(i, first, 0);
                                                to_step_text();
                                            }>{tf(NextTour, &[("title", &title)])}</button>
                                        }
                                    })}
                                </div>
                            }.into_any()
                        } else {
                            step_view(tour.clone(), p, player, run_step, verdict, autoplay, moves).into_any()
                        }
                    }
                }
            })}
            // Without the chooser, Reset reopens the frame's step rather than leave the tour.
            <Scrubber reset=reset && chooser />
        </section>
        // While a step plays out in the diagram, its progress, verdict and the way on stay at
        // hand at the bottom of the window.
        // Built once per step, so a step that finishes keeps the focus where it was.
        {move || docked.get().map(|(tour_index, step)| {
            let tour: Tour = tours.with_value(|t| t[tour_index].clone());
            let running = move || player.with(|p| matches!(p.map(|x| x.phase), Some(Phase::Running { .. })));
            view! {
                <div class="tour-dock" role="region" aria-label=t(TourDock)>
                    <span class="dock-step">{format!("{}/{}: {}", step + 1, tour.steps.len(), tour.steps[step].title)}</span>
                    {move || {
                        let end_us = player.with(|p| match p.map(|x| x.phase) {
                            Some(Phase::Running { end_us, .. }) => Some(end_us),
                            _ => None,
                        });
                        let (text, title) = if let Some(end_us) = end_us {
                            // Real seconds left at the speed set, so a long step says how long.
                            let left_s = end_us.saturating_sub(lab.snap.with(|s| s.now_us)) as f64 / 1e6 / lab.speed.get();
                            let text = tf(DockRunning, &[("s", &(left_s.ceil() as u64).max(1))]);
                            (text.clone(), text)
                        } else if let Some((mark, _, measured)) = judged.get() {
                            // The measured figures first, which a cut line must not lose; the
                            // claim with them in the tooltip and in the step.
                            (format!("{mark} {measured}"), verdict.get().unwrap_or_default())
                        } else {
                            (t(DockDone).to_string(), t(DockDone).to_string())
                        };
                        view! { <span class="dock-verdict" title=title>{text}</span> }
                    }}
                    <button on:click=move |_| to_step_text()>{t(BackToTour)}</button>
                    <button class="primary" disabled=running on:click=move |_| { next(); to_step_text(); }>{t(NextStep)}</button>
                </div>
            }
        })}
    }
}

fn step_view(
    tour: Tour,
    p: Player,
    player: RwSignal<Option<Player>>,
    run_step: impl Fn() + Copy + 'static,
    verdict: Memo<Option<String>>,
    autoplay: RwSignal<bool>,
    moves: impl IntoView + 'static,
) -> impl IntoView {
    let step = tour.steps[p.step].clone();
    let tour_id = StoredValue::new(tour.id.clone());
    let asks = step.prediction.is_some();
    let last = p.step + 1 == tour.steps.len();
    // A prediction is made before the step runs, not once its outcome is on screen.
    let predicted = move || player.with(|pl| pl.is_none_or(|x| x.phase != Phase::Shown));
    let prediction = step.prediction.clone().map(|pred| {
        let right = pred.answer.for_mode(p.mode);
        let explanation = pred.explanation.clone();
        // An explanation of both modes tells the other mode's case too: a wrong answer first
        // hears which one is right in the mode this step plays in.
        let wrong = match right.and_then(|r| pred.choices.get(r)).filter(|_| pred.answer.both.is_none()) {
            Some(answer) => {
                tf(AnswerWrongInMode, &[("mode", &mode_in_text(p.mode)), ("answer", answer), ("why", &explanation)])
            }
            None => tf(AnswerWrong, &[("why", &explanation)]),
        };
        view! {
            <fieldset class="prediction">
                <legend>{pred.question.clone()}</legend>
                {pred.choices.iter().enumerate().map(|(i, c)| view! {
                    <label class="row check">
                        <input
                            type="radio" name="prediction"
                            prop:checked=move || player.with(|pl| pl.and_then(|x| x.pick) == Some(i))
                            disabled=predicted
                            on:change=move |_| player.update(|pl| if let Some(x) = pl { x.pick = Some(i) })
                        />
                        {c.clone()}
                    </label>
                }).collect_view()}
                // Pressed again on the same choice it does nothing, and stays where the focus is.
                <button
                    class="check-answer"
                    disabled=move || predicted() || player.with(|pl| pl.is_none_or(|x| x.pick.is_none()))
                    on:click=move |_| {
                        let Some((pick, before)) = player.with_untracked(|pl| pl.and_then(|x| Some((x.pick?, x.answer)))) else { return };
                        if before == Some(pick) {
                            return;
                        }
                        player.update(|pl| if let Some(x) = pl { x.answer = Some(pick) });
                        reveal_feedback();
                        // The host hears the prediction, the first answer: a later one may
                        // only repeat what the feedback told.
                        if before.is_none() {
                            host::post(
                                "prediction_answered",
                                &[
                                    ("tour", tour_id.get_value().into()),
                                    ("step", JsValue::from(p.step as u32)),
                                    ("right", (Some(pick) == right).into()),
                                ],
                            );
                        }
                    }
                >
                    {t(CheckAnswer)}
                </button>
                // The verdict on the choice checked; a choice moved since waits for its own check.
                <p class="feedback" role="status">
                    {move || player.with(|pl| pl.filter(Player::checked).and_then(|x| x.answer)).map(|a| {
                        if Some(a) == right { tf(AnswerRight, &[("why", &explanation)]) } else { wrong.clone() }
                    })}
                </p>
            </fieldset>
        }
    });
    let hint = move || match player.get().map(|x| (x.phase, x.checked())) {
        Some((Phase::Running { .. }, _)) => t(Running),
        // Autoplay moves on by itself: "press Next" would be a wrong instruction.
        Some((Phase::Done { .. }, _)) if autoplay.get() && last => t(DoneAutoplayLast),
        Some((Phase::Done { .. }, _)) if autoplay.get() => t(DoneAutoplay),
        Some((Phase::Done { .. }, _)) => t(DonePressNext),
        // Autoplay waits at a prediction: say so, or it looks stuck.
        Some((Phase::Shown, false)) if asks && autoplay.get() => t(AutoplayWaits),
        _ => "",
    };
    view! {
        <h3>{step.title.clone()}</h3>
        <p class="narration">{step.narration.clone()}</p>
        {prediction}
        <div class="row step-moves">
            <button
                class="primary"
                disabled=move || player.with(|pl| pl.is_none_or(|x| x.phase != Phase::Shown))
                on:click=move |_| run_step()
            >
                {t(RunStep)}
            </button>
            // Back and Next on Run's row: a short frame shows all three with the step's text.
            {moves}
            <span class="hint">{hint}</span>
        </div>
        <p class="checkpoint">{move || verdict.get()}</p>
        // One live region for the step's run, so nothing it says is cut by another: that it
        // runs, then its verdict with the way on.
        <p class="visually-hidden" role="status">
            {move || match player.get().map(|x| x.phase) {
                Some(Phase::Running { .. }) => t(Running).to_string(),
                Some(Phase::Done { .. }) => verdict.get().map_or_else(|| hint().to_string(), |v| format!("{v} {}", hint())),
                // A blind learner hears why autoplay went quiet.
                Some(Phase::Shown) => hint().to_string(),
                _ => String::new(),
            }}
        </p>
    }
}

/// Scrolls this page so the element matching `selector` is at the top of the window, unless
/// its top is in the upper half already: a step plays out in the diagram, below the tour's
/// text. Only this document scrolls, never a course page that frames it.
fn bring_into_view(selector: &str) {
    let Some(window) = web_sys::window() else { return };
    let height = window_height(&window);
    let found = window.document().and_then(|d| d.query_selector(selector).ok().flatten());
    if let Some(el) = found {
        let top = el.get_bounding_client_rect().top();
        if !(0.0..=height / 2.0).contains(&top) {
            window.scroll_by_with_x_and_y(0.0, top);
        }
    }
}

/// Whether a keyboard user's focus (one the page shows) is in an element matching `selector`:
/// a mouse user's clicked control is left where it is.
fn keyboard_focus_in(selector: &str) -> bool {
    let active = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
    active.is_some_and(|a| {
        a.closest(selector).ok().flatten().is_some()
            && a.matches(":focus-visible").unwrap_or(false)
            && !super::focus::pointed_at(&a)
    })
}

/// When a step starts running with the focus in the tour's text (the focus keeper puts it on
/// the step's title after Run by keyboard; autoplay finds it on the answer), the scroll to the
/// diagram leaves it off screen: the dock, fixed at the bottom of the window, takes it instead,
/// with the way back to the step's text and on to the next.
fn focus_dock() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let on_title = document.active_element().is_some_and(|a| a.matches(".tour h2, .tour h3").unwrap_or(false));
    let button = document.query_selector(".tour-dock button").ok().flatten();
    let moves = on_title || keyboard_focus_in(".tour");
    if let (true, Some(button)) = (moves, button.and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok())) {
        let _ = button.focus();
    }
}

/// The span the elements matching `selector` in `within` cover on screen, if any match:
/// (left, top, right, bottom).
fn span_of(within: &web_sys::Element, selector: &str) -> Option<(f64, f64, f64, f64)> {
    let found = within.query_selector_all(selector).ok()?;
    (0..found.length())
        .filter_map(|i| found.item(i)?.dyn_into::<web_sys::Element>().ok())
        .map(|el| el.get_bounding_client_rect())
        .map(|b| (b.left(), b.top(), b.right(), b.bottom()))
        .reduce(|a, b| (a.0.min(b.0), a.1.min(b.1), a.2.max(b.2), a.3.max(b.3)))
}

/// On a screen narrower than the diagram, which then scrolls sideways, brings the step's
/// spotlit components to the middle of the view. When they do not fit side by side, the
/// browsers' column gives way (the user strip above shows the same users), and then the view
/// starts at the leftmost of the rest, whole. Only the diagram scrolls, never the page.
fn reveal_spotlight() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(frame) = document.query_selector("figure.diagram").ok().flatten() else { return };
    if frame.scroll_width() <= frame.client_width() {
        return;
    }
    let Some(mut span) = span_of(&frame, ".spotlight") else { return };
    let view = frame.get_bounding_client_rect();
    if span.2 - span.0 > view.width() {
        span = span_of(&frame, ".spotlight:not(.pc)").unwrap_or(span);
    }
    let shift = if span.2 - span.0 <= view.width() {
        (span.0 + span.2) / 2.0 - view.left() - view.width() / 2.0
    } else {
        span.0 - view.left() - SPOT_MARGIN
    };
    frame.set_scroll_left(frame.scroll_left() + shift as i32);
}

/// Room kept around what a step brings into view [CSS px].
const SPOT_MARGIN: f64 = 8.0;

fn window_height(window: &web_sys::Window) -> f64 {
    window.inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(0.0)
}

/// Scrolls the page down just enough that what spans `top` to `bottom` (window coordinates)
/// ends above `floor`, never so far that its top leaves the window.
fn lift_above(window: &web_sys::Window, top: f64, bottom: f64, floor: f64) {
    let by = (bottom + SPOT_MARGIN - floor).min(top - SPOT_MARGIN);
    if by > 0.0 {
        window.scroll_by_with_x_and_y(0.0, by);
    }
}

/// Scrolls the page so the diagram, with its key and caption, sits above the step's dock, which
/// is fixed at the window's foot; when it cannot, the drawing and its caption without the key;
/// else the step's spotlit parts at least. Never further than brings their top to the
/// window's top.
fn clear_of_dock() {
    let Some(window) = web_sys::window() else { return };
    let Some(document) = window.document() else { return };
    let Some(figure) = document.query_selector("figure.diagram").ok().flatten() else { return };
    let floor = document
        .query_selector(".tour-dock")
        .ok()
        .flatten()
        .map_or_else(|| window_height(&window), |dock| dock.get_bounding_client_rect().top());
    let whole = figure.get_bounding_client_rect();
    let drawn = span_of(&figure, ".stage, #diagram-caption");
    let fits = |top: f64, bottom: f64| bottom - top + 2.0 * SPOT_MARGIN <= floor;
    let (top, bottom) = match (drawn, span_of(&figure, ".spotlight")) {
        _ if fits(whole.top(), whole.bottom()) => (whole.top(), whole.bottom()),
        (Some((_, top, _, bottom)), _) if fits(top, bottom) => (top, bottom),
        (_, Some((_, top, _, bottom))) => (top, bottom),
        _ => return,
    };
    lift_above(&window, top, bottom, floor);
    // A line of text (the caption, the tip, the dots' key) that the dock's top edge now cuts
    // goes down under the dock whole: what is above it stays above the dock.
    let lines = figure.query_selector_all(":scope > :not(.stage)").ok();
    let cut = lines
        .iter()
        .flat_map(|found| (0..found.length()).filter_map(|i| found.item(i)?.dyn_into::<web_sys::Element>().ok()))
        .map(|e| e.get_bounding_client_rect())
        .filter(|b| b.top() < floor && b.bottom() > floor)
        .map(|b| b.top())
        .reduce(f64::min);
    if let Some(top) = cut {
        window.scroll_by_with_x_and_y(0.0, (top - floor).floor());
    }
}

/// Where the scroll to the diagram left the figures' cards cut at the window's top, their
/// numbers showing without their names, scrolls on until they are out of view: the diagram's
/// top is below them, so it stays in the window.
fn hide_cut_cards() {
    let Some(window) = web_sys::window() else { return };
    let cards = window.document().and_then(|d| d.query_selector("section.cards").ok().flatten());
    if let Some(b) = cards.map(|c| c.get_bounding_client_rect()) {
        if b.top() < 0.0 && b.bottom() >= 1.0 {
            window.scroll_by_with_x_and_y(0.0, b.bottom().ceil());
        }
    }
}

/// Scrolls the page just enough that the answer's feedback, drawn under the choices, shows with
/// Run, Back and Next under it (on a phone or in a short frame they fall below the window's foot).
fn reveal_feedback() {
    Timeout::new(0, || {
        // The feedback and, under it, the way on; a long answer may leave no room for the
        // title too, so the feedback's top is what stays.
        if let Some(window) = web_sys::window() {
            lift_step_moves(&window, ".prediction .feedback");
        }
    })
    .forget();
}

/// Scrolls the page just enough that the step's Run, Back and Next show under its text, never
/// so far that the top of `keep` (the step's title, or an answer's feedback) leaves the window:
/// in a short frame a step with a question would otherwise hide the way on below the fold.
fn lift_step_moves(window: &web_sys::Window, keep: &str) {
    let Some(document) = window.document() else { return };
    let rect = |selector: &str| document.query_selector(selector).ok().flatten().map(|e| e.get_bounding_client_rect());
    if let (Some(kept), Some(moves)) = (rect(keep), rect(".tour .step-moves")) {
        lift_above(window, kept.top(), moves.bottom(), window_height(window));
    }
}

/// Back to the tour's text: the step's title in view and focused, so reading and Tab go on
/// from there (after the click's own updates have drawn the new step).
fn to_step_text() {
    Timeout::new(0, || {
        bring_into_view(".tour");
        if let Some(window) = web_sys::window() {
            lift_step_moves(&window, ".tour h3");
        }
        // The new step's title; past the last step, the heading that says the tour is finished.
        let title =
            web_sys::window().and_then(|w| w.document()).and_then(|d| d.query_selector(".tour h3").ok().flatten());
        if let Some(h) = title {
            super::focus::focus_heading(&h);
        }
    })
    .forget();
}

/// The timeline's step [ms]: arrow keys move a tenth of a second, as the clock reads.
const SCRUB_STEP_MS: u64 = 100;

/// Jumps to any moment of the current run by replaying it up to there.
#[component]
fn Scrubber(reset: bool) -> impl IntoView {
    let lab = use_lab();
    let now_ms = move || lab.panel_snap(|s| s.now_us / 1_000);
    let end_us = move || lab.panel_snap(|s| s.now_us).max(lab.horizon_shown());
    let top_ms = move || (end_us() / 1_000).div_ceil(SCRUB_STEP_MS).saturating_mul(SCRUB_STEP_MS);
    let thumb_ms = move || if lab.panel_snap(|s| s.now_us) >= end_us() { top_ms() } else { now_ms() };
    let at_text = move || tf(TimelineAt, &[("now", &words::clock(now_ms() * 1_000)), ("end", &words::clock(end_us()))]);
    view! {
        <label class="row scrubber">
            {t(Timeline)}
            // The end is rounded up to a whole step, and the latest moment sits on it: a slider
            // snaps its value to the steps, and at "0.4 s of 0.4 s" its thumb must be at the
            // end, not back at the last full step.
            // A tour moves through time with its own steps and Back: a jump to another moment
            // would leave the step's story and its verdict behind.
            <input
                type="range" min="0" step=SCRUB_STEP_MS
                disabled=move || lab.tour_at.with(Option::is_some)
                prop:max=move || top_ms().to_string()
                prop:value=move || thumb_ms().to_string()
                aria-valuetext=at_text
                on:change=move |ev| {
                    if let Ok(ms) = event_target_value(&ev).parse::<u64>() {
                        lab.playing.set(false);
                        lab.scrub(ms.saturating_mul(1_000).min(end_us()));
                    }
                }
            />
            // Where the run is and how far it has been played, for the eye; the slider's value
            // text tells a screen reader the same, so this is kept out of its name.
            <output aria-hidden="true">{at_text}</output>
        </label>
        <Show when=move || lab.tour_at.with(Option::is_some)>
            <p class="hint">{t(if reset { TimelineInTour } else { TimelineInTourFixed })}</p>
        </Show>
    }
}
