//! Live charts over the last 60 simulated seconds, drawn as plain SVG polylines. They redraw
//! once per simulated second (when a metrics sample closes), not every frame; the users and
//! servers charts end on their value now, so they also redraw when it changes.

use leptos::prelude::*;
use statelab_sim::database::DbName;
use statelab_sim::{FailReason, Sample};

use super::use_lab;
use crate::i18n::{counted, t, tf, words, Grouped, Text::*};

/// Seconds of history drawn.
const WINDOW: usize = 60;
const W: f64 = 300.0;
const H: f64 = 110.0;
const PAD_LEFT: f64 = 44.0;

/// One line of a chart. A NaN value is a second with nothing to measure (no request finished,
/// so no latency): it is left out of the line and the legend shows "–", never a made-up 0.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The legend's label, in the page's language.
    pub name: String,
    /// Any CSS colour, so a series can follow the theme (`var(--alarm)`).
    pub colour: &'static str,
    /// One per second, oldest first; NaN where there was nothing to measure.
    pub values: Vec<f64>,
    /// Its pattern: no two lines a chart draws at once share one.
    pub stroke: Stroke,
}

/// A line's pattern besides its colour: two series with the same values (two replicas sharing
/// the reads) both stay in sight, and the lines of a chart differ in more than colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stroke {
    Solid,
    Dashed,
    Dotted,
    DashDot,
    LongDash,
    DashDotDot,
}

impl Stroke {
    /// The pattern of the `i`-th line of a chart whose lines come and go (the failure reasons
    /// seen, the database nodes there): as many lines as a chart draws at once differ.
    fn nth(i: usize) -> Self {
        [Stroke::Solid, Stroke::Dashed, Stroke::Dotted, Stroke::DashDot, Stroke::LongDash, Stroke::DashDotDot][i % 6]
    }

    fn class(self) -> &'static str {
        match self {
            Stroke::Solid => "solid",
            Stroke::Dashed => "dashed",
            Stroke::Dotted => "dotted",
            Stroke::DashDot => "dash-dot",
            Stroke::LongDash => "long-dash",
            Stroke::DashDotDot => "dash-dot-dot",
        }
    }
}

fn series(name: impl Into<String>, colour: &'static str, values: Vec<f64>) -> Series {
    Series { name: name.into(), colour, values, stroke: Stroke::Solid }
}

impl Series {
    fn stroked(self, stroke: Stroke) -> Self {
        Self { stroke, ..self }
    }

    /// The legend's entry: the name and the latest value.
    fn latest(&self, unit: &str) -> String {
        match self.values.last().filter(|v| !v.is_nan()) {
            Some(v) => format!("{} {}{unit}", self.name, fmt(*v)),
            None => format!("{} –", self.name),
        }
    }

    /// The text alternative's entry: the latest value, and the range the drawn line covers
    /// when it moved, so a dip or a spike in the last minute is heard too.
    fn described(&self, unit: &str) -> String {
        let seen = self.values.iter().copied().filter(|v| !v.is_nan());
        let (low, high) = seen.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| (l.min(v), h.max(v)));
        let latest = self.latest(unit);
        if low < high {
            tf(SeriesRange, &[("latest", &latest), ("min", &fmt(low)), ("max", &fmt(high)), ("unit", &unit)])
        } else {
            latest
        }
    }
}

/// A round upper bound for the y axis.
pub fn nice_max(max: f64) -> f64 {
    if max <= 1.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|&v| v >= max).unwrap_or(10.0 * magnitude)
}

/// The line's runs of measured seconds, each as polyline points; a NaN second breaks the line,
/// and a run of one second is drawn as a dot (a zero-length stroke with round caps).
fn segments(values: &[f64], y_max: f64) -> Vec<String> {
    let step = (W - PAD_LEFT) / (WINDOW - 1) as f64;
    let offset = WINDOW.saturating_sub(values.len()) as f64;
    let point = |i: usize, v: f64| (PAD_LEFT + (offset + i as f64) * step, H - 14.0 - (v / y_max) * (H - 24.0));
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut open = false;
    for (i, v) in values.iter().enumerate() {
        if v.is_nan() {
            open = false;
        } else if open {
            runs.last_mut().expect("an open run").push(point(i, *v));
        } else {
            runs.push(vec![point(i, *v)]);
            open = true;
        }
    }
    runs.into_iter()
        .map(|mut run| {
            if run.len() == 1 {
                run.push(run[0]);
            }
            run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ")
        })
        .collect()
}

/// A legend's number, with the page language's decimal and thousands marks, as the cards
/// write theirs.
fn fmt(v: f64) -> String {
    if v >= 100.0 || v.fract() == 0.0 {
        Grouped(v.round() as u64).to_string()
    } else {
        words::decimal(format!("{v:.1}"))
    }
}

/// The y axis's top, a round bound from [`nice_max`], short enough for the axis's margin:
/// "5,000", then "10k" and "2M".
fn axis_top(v: f64) -> String {
    match v {
        v if v >= 1e6 => format!("{}M", v / 1e6),
        v if v >= 1e4 => format!("{}k", v / 1e3),
        v => fmt(v),
    }
}

/// `empty`: what the legend says while there is no series to draw, rather than nothing; it may
/// change while the chart has nothing to draw. `top`: a fixed axis top, with its unit, for a
/// share: 2 % busy drawn under a "2" top would read as full.
#[component]
fn LineChart(
    title: &'static str,
    unit: &'static str,
    #[prop(into)] data: Signal<Vec<Series>>,
    #[prop(optional, into)] empty: Option<Signal<String>>,
    #[prop(optional)] top: Option<f64>,
) -> impl IntoView {
    let y_max = move || {
        top.unwrap_or_else(|| {
            nice_max(data.with(|d| d.iter().flat_map(|s| s.values.iter().copied()).fold(0.0, f64::max)))
        })
    };
    let top_label = move || match top {
        Some(top) => format!("{}{unit}", fmt(top)),
        None => axis_top(y_max()),
    };
    let summary = move || {
        data.with(|d| {
            let parts: Vec<String> = d.iter().map(|s| s.described(unit)).collect();
            match empty.filter(|_| parts.is_empty()) {
                // Nothing to draw: the name says what the legend says, not an unfinished "Latest:".
                Some(empty) => tf(ChartSummaryEmpty, &[("title", &title), ("empty", &empty.get())]),
                None => tf(ChartSummary, &[("title", &title), ("latest", &parts.join(", "))]),
            }
        })
    };
    view! {
        <figure class="chart">
            <figcaption>{title}</figcaption>
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=summary>
                <line class="axis" x1=PAD_LEFT y1=H - 14.0 x2=W y2=H - 14.0 />
                <line class="grid" x1=PAD_LEFT y1="10" x2=W y2="10" />
                <text class="tick" x=PAD_LEFT - 4.0 y="14" text-anchor="end">{top_label}</text>
                <text class="tick" x=PAD_LEFT - 4.0 y=H - 12.0 text-anchor="end">"0"</text>
                <text class="tick" x=PAD_LEFT y=H - 1.0>"−60 s"</text>
                <text class="tick" x=W y=H - 1.0 text-anchor="end">{t(Now)}</text>
                {move || {
                    let max = y_max();
                    // Patterned lines over the solid ones, whose gaps would otherwise be covered.
                    let mut series = data.get();
                    series.sort_by_key(|s| s.stroke);
                    series
                        .into_iter()
                        .flat_map(|s| {
                            segments(&s.values, max)
                                .into_iter()
                                .map(move |points| view! { <polyline class=s.stroke.class() points=points style:stroke=s.colour /> })
                        })
                        .collect_view()
                }}
            </svg>
            <ul class="chart-legend">
                {move || data.with(Vec::is_empty).then_some(empty).flatten().map(|text| view! { <li class="hint">{text}</li> })}
                {move || data.get().into_iter().map(|s| view! {
                    <li>
                        // A short stretch of the line itself, in its pattern.
                        <svg class="key-line" viewBox="0 0 22 8" aria-hidden="true">
                            <line class=s.stroke.class() x1="2" y1="4" x2="20" y2="4" style:stroke=s.colour />
                        </svg>
                        {s.latest(unit)}
                    </li>
                }).collect_view()}
            </ul>
        </figure>
    }
}

/// One line per database node name seen in the window, the master first: each second's reads
/// go to the name the node had then, so a promoted replica's reads stay on its replica line
/// and the master's line shows what the master served. A second without that name (before a
/// replica came, after it left) is a gap.
fn reads_by_name(samples: &[Sample]) -> Vec<Series> {
    let mut names: Vec<DbName> = samples.iter().flat_map(|x| x.db_reads_by_node.iter().map(|n| n.0)).collect();
    names.sort_unstable();
    names.dedup();
    // Mid tones that keep 3:1 against both the light and the dark surface.
    let colours = ["#1098ad", "#5c7cfa", "#2f9e44", "#ae3ec9", "#e8590c", "#d6336c"];
    names
        .into_iter()
        .map(|name| {
            // By the name, so a line keeps its colour and pattern when another node comes or
            // goes; the master's are its own.
            let (colour, stroke) = match name {
                DbName::Master => (colours[0], Stroke::Solid),
                DbName::Replica(n) => {
                    let n = n.saturating_sub(1) as usize;
                    // Five replicas at most: each has a colour and a pattern of its own, so
                    // two whose colours one eye cannot tell apart still differ.
                    (colours[1 + n % (colours.len() - 1)], Stroke::nth(1 + n % 5))
                }
            };
            let reads = column(samples, |x| {
                let mut of = x.db_reads_by_node.iter().filter(|n| n.0 == name).map(|n| f64::from(n.1)).peekable();
                if of.peek().is_some() {
                    of.sum()
                } else {
                    f64::NAN
                }
            });
            series(words::db_name(name), colour, reads).stroked(stroke)
        })
        .collect()
}

fn column(samples: &[Sample], f: impl Fn(&Sample) -> f64) -> Vec<f64> {
    samples.iter().map(f).collect()
}

/// A gauge's line: its value now in place of the last closed second's, so a chart agrees with
/// the diagram and the cards while paused after a crash or a new server, and its seconds stay
/// in line with the other charts'.
fn with_now(samples: &[Sample], f: impl Fn(&Sample) -> f64, now: f64) -> Vec<f64> {
    let mut values = column(samples, f);
    match values.last_mut() {
        Some(last) => *last = now,
        None => values.push(now),
    }
    values
}

const FAIL_COLOURS: [&str; 8] =
    ["var(--alarm)", "#e8590c", "#ae3ec9", "#b25e00", "#5c7cfa", "#e0457b", "#d9480f", "#1098ad"];

/// The last 60 simulated seconds as line charts, redrawn once a simulated second, not every
/// frame; the gauges' last points follow their values now.
#[component]
pub fn Charts() -> impl IntoView {
    let lab = use_lab();
    // Changes once per simulated second; the charts depend on it, and the users and servers
    // charts on `gauges` too.
    let second = Memo::new(move |_| lab.panel_snap(|s| s.now_us / 1_000_000));
    let samples = Memo::new(move |_| {
        // Read, not just tracked: a memo nobody reads is never computed, so it would never
        // notice the snapshot changing.
        let _ = second.get();
        lab.with_sim(|s| {
            let all = s.metrics().samples();
            all.iter().skip(all.len().saturating_sub(WINDOW)).cloned().collect::<Vec<_>>()
        })
    });
    let throughput = Signal::derive(move || {
        samples.with(|s| {
            vec![
                series(t(SeriesAnswered), "#2f6fde", column(s, |x| f64::from(x.completed))),
                series(t(SeriesFailed), "var(--alarm)", column(s, |x| f64::from(x.failed))).stroked(Stroke::Dashed),
            ]
        })
    });
    let latency = Signal::derive(move || {
        // A second in which no request finished has no latency: a gap in the line.
        let ms = |us: Option<u64>| us.map_or(f64::NAN, |us| us as f64 / 1000.0);
        samples.with(|s| {
            vec![
                series("p50", "#20a67a", column(s, |x| ms(x.p50_us))),
                series("p95", "#f1a33b", column(s, |x| ms(x.p95_us))).stroked(Stroke::Dashed),
                series("p99", "var(--alarm)", column(s, |x| ms(x.p99_us))).stroked(Stroke::Dotted),
            ]
        })
    });
    let errors = Signal::derive(move || {
        samples.with(|s| {
            FailReason::ALL
                .iter()
                .enumerate()
                .filter(|(i, _)| s.iter().any(|x| x.errors[*i] > 0))
                .enumerate()
                .map(|(k, (i, r))| {
                    series(words::fail_reason(*r), FAIL_COLOURS[i], column(s, |x| f64::from(x.errors[i])))
                        .stroked(Stroke::nth(k))
                })
                .collect()
        })
    });
    // The chart draws closed seconds; a failure in the second under way is told in words until
    // that second ends, so the chart never says "none" beside a card that counts one.
    let failing_now = Memo::new(move |_| lab.panel_snap(|_| lab.with_sim(|s| s.metrics().open().failed)));
    let errors_empty = Signal::derive(move || match failing_now.get() {
        0 => t(ChartNoErrors).to_string(),
        n => counted(n.into(), ChartErrorsThisSecondOne, ChartErrorsThisSecondMany),
    });
    // Gauges read now, not at the last second's end: they change ten times a second at most.
    let gauges = Memo::new(move |_| lab.panel_snap(|s| (s.logged_in, s.logged_out, s.tally())));
    let users = Signal::derive(move || {
        let (logged_in, logged_out, _) = gauges.get();
        samples.with(|s| {
            vec![
                series(t(SeriesLoggedIn), "#1b8a5a", with_now(s, |x| f64::from(x.logged_in), logged_in.into())),
                series(t(SeriesLoggedOut), "var(--alarm)", with_now(s, |x| f64::from(x.logged_out), logged_out.into()))
                    .stroked(Stroke::Dashed),
            ]
        })
    });
    let cache = Signal::derive(move || {
        samples.with(|s| {
            vec![
                series(t(SeriesDbReads), "#0fb5c9", column(s, |x| f64::from(x.db_reads))),
                series(t(SeriesByCache), "#20a67a", column(s, |x| f64::from(x.db_reads_avoided)))
                    .stroked(Stroke::Dashed),
                series(t(SeriesDbWrites), "#d9480f", column(s, |x| f64::from(x.db_writes))).stroked(Stroke::Dotted),
            ]
        })
    });
    let nodes = Signal::derive(move || samples.with(|s| reads_by_name(s)));
    let servers = Signal::derive(move || {
        let (_, _, now) = gauges.get();
        samples.with(|s| {
            vec![
                series(t(SeriesHealthy), "#1b8a5a", with_now(s, |x| f64::from(x.servers_healthy), now.healthy.into())),
                series(t(SeriesBooting), "#f1a33b", with_now(s, |x| f64::from(x.servers_booting), now.booting.into()))
                    .stroked(Stroke::Dotted),
                series(t(SeriesDown), "var(--alarm)", with_now(s, |x| f64::from(x.servers_down), now.down.into()))
                    .stroked(Stroke::DashDot),
            ]
        })
    });
    // How busy the servers are, on a scale of its own, with the auto-scaler's thresholds when
    // it is on: the line crossing one is what makes it act.
    // A memo: the thresholds change with a setting, not with every frame's publication.
    let thresholds = Memo::new(move |_| {
        lab.panel_snap(|_| {
            lab.with_sim(|s| {
                let p = &s.autoscaler().policy;
                p.enabled.then_some((p.scale_out_pct, p.scale_in_pct))
            })
        })
    });
    let busy = Signal::derive(move || {
        let thresholds = thresholds.get();
        samples.with(|s| {
            // Busy is a share of a whole second: its latest is the last second's. An unserved
            // second has no server to be busy: a gap.
            let busy = |x: &Sample| if x.unserved() { f64::NAN } else { f64::from(x.utilization_pct) };
            let values = with_now(s, busy, s.last().map_or(0.0, busy));
            let flat = |pct: u32| vec![f64::from(pct); values.len()];
            let mut lines = Vec::new();
            if let Some((out, below)) = thresholds {
                lines.push(series(t(SeriesScaleOut), "var(--alarm)", flat(out)).stroked(Stroke::Dashed));
                lines.push(series(t(SeriesScaleIn), "#1b8a5a", flat(below)).stroked(Stroke::Dotted));
            }
            lines.insert(0, series(t(SeriesBusy), "#7a8699", values));
            lines
        })
    });
    view! {
        <section class="charts" aria-labelledby="charts-heading">
            // Hidden: its look says what it is; a screen reader's list of headings needs it.
            <h2 id="charts-heading" class="visually-hidden">{t(LiveCharts)}</h2>
            <LineChart title=t(ChartThroughput) unit="/s" data=throughput />
            <LineChart title=t(ChartLatency) unit=" ms" data=latency />
            <LineChart title=t(ChartErrors) unit="/s" data=errors empty=errors_empty />
            <LineChart title=t(Users) unit="" data=users />
            <LineChart title=t(ChartDbCache) unit="/s" data=cache />
            <LineChart title=t(ChartReadsPerNode) unit="/s" data=nodes empty=Signal::stored(t(ChartNodesEmpty).to_string()) />
            <LineChart title=t(ChartServers) unit="" data=servers />
            <LineChart title=t(ChartBusy) unit=" %" data=busy top=100.0 />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_maxima_are_round() {
        assert_eq!(nice_max(0.3), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(13.0), 20.0);
        assert_eq!(nice_max(420.0), 500.0);
    }

    /// A bound of 100,000 or more once lost its first digits past the axis's margin.
    #[test]
    fn the_axis_top_is_short_and_grouped() {
        let tops: Vec<String> = [5.0, 5_000.0, 10_000.0, 200_000.0, 1e6, 5e6].map(axis_top).to_vec();
        assert_eq!(tops, ["5", "5,000", "10k", "200k", "1M", "5M"]);
        assert_eq!(fmt(998_670.0), "998,670");
        assert_eq!(fmt(12.34), "12.3");
    }

    #[test]
    fn a_gauge_ends_on_its_value_now_in_the_last_seconds_place() {
        let samples: Vec<Sample> = (0..WINDOW as u32).map(|i| Sample { logged_in: i, ..Sample::default() }).collect();
        let line = with_now(&samples, |x| f64::from(x.logged_in), 5.0);
        assert_eq!(line.len(), WINDOW, "as many points as the other charts");
        assert_eq!(line[WINDOW - 2..], [58.0, 5.0]);
        assert_eq!(with_now(&[], |x| f64::from(x.logged_in), 3.0), [3.0]);
    }

    #[test]
    fn a_promotion_leaves_each_second_s_reads_under_the_name_of_that_second() {
        let second = |by: Vec<(DbName, u32)>| Sample { db_reads_by_node: by, ..Sample::default() };
        let samples = [
            second(vec![(DbName::Master, 0), (DbName::Replica(1), 20), (DbName::Replica(2), 21)]),
            // Replica 1 promoted mid-second: its reads so far stay its own; the old master,
            // down, is Replica 3 at once.
            second(vec![
                (DbName::Master, 0),
                (DbName::Replica(2), 30),
                (DbName::Replica(3), 0),
                (DbName::Replica(1), 10),
            ]),
            second(vec![(DbName::Master, 0), (DbName::Replica(2), 38), (DbName::Replica(3), 2)]),
        ];
        let lines: Vec<(String, Vec<f64>)> = reads_by_name(&samples).into_iter().map(|s| (s.name, s.values)).collect();
        assert_eq!(lines[0], ("Master DB".to_string(), vec![0.0, 0.0, 0.0]), "the master served no reads");
        assert_eq!(lines[1].0, "Replica 1");
        assert_eq!(lines[1].1[..2], [20.0, 10.0]);
        assert!(lines[1].1[2].is_nan(), "a gap once it is gone");
        assert_eq!(lines[2], ("Replica 2".to_string(), vec![21.0, 30.0, 38.0]));
        assert_eq!(lines[3].0, "Replica 3");
        assert!(lines[3].1[0].is_nan() && lines[3].1[1..] == [0.0, 2.0]);
        let styles: Vec<_> = reads_by_name(&samples).iter().map(|s| (s.colour, s.stroke)).collect();
        assert_eq!(styles.iter().filter(|s| **s == styles[0]).count(), 1, "the master's look is its own");
    }

    /// A colour-blind eye saw Replica 2's green and Replica 5's pink as one olive, both dotted.
    #[test]
    fn the_master_and_five_replicas_each_have_a_pattern_and_a_colour_of_their_own() {
        let nodes = std::iter::once(DbName::Master).chain((1..=5).map(DbName::Replica));
        let samples = [Sample { db_reads_by_node: nodes.map(|n| (n, 1)).collect(), ..Sample::default() }];
        let lines = reads_by_name(&samples);
        assert_eq!(lines.len(), 6);
        let mut strokes: Vec<_> = lines.iter().map(|s| s.stroke).collect();
        let mut colours: Vec<_> = lines.iter().map(|s| s.colour).collect();
        strokes.sort_unstable();
        strokes.dedup();
        colours.sort_unstable();
        colours.dedup();
        assert_eq!((strokes.len(), colours.len()), (6, 6));
    }

    #[test]
    fn the_text_alternative_tells_a_dip_the_line_shows() {
        let users = series("logged in", "#000", vec![24.0, 12.0, f64::NAN, 24.0]);
        assert_eq!(users.described(""), "logged in 24 (lowest 12, highest 24)");
        let flat = series("logged out", "#000", vec![0.0, 0.0]);
        assert_eq!(flat.described(""), "logged out 0");
    }

    #[test]
    fn a_second_without_a_measure_is_a_gap_and_a_dash() {
        let s = series("p50", "#000", vec![12.0, 11.0, f64::NAN, 3.5, f64::NAN]);
        assert_eq!(s.latest(" ms"), "p50 –", "no unit without a value");
        let runs = segments(&s.values, 20.0);
        assert_eq!(runs.len(), 2, "the missing second breaks the line: {runs:?}");
        assert_eq!(runs[0].split(' ').count(), 2);
        let dot: Vec<&str> = runs[1].split(' ').collect();
        assert_eq!(dot.len(), 2, "a lone second is a dot");
        assert_eq!(dot[0], dot[1]);
        let s = series("p50", "#000", vec![f64::NAN, 3.5]);
        assert_eq!(s.latest(" ms"), "p50 3.5 ms");
    }
}
