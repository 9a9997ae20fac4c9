//! URL parameters: how instructors set up an embedded lab. A pure function from the query
//! string to settings plus notices; anything invalid or unknown is ignored with a reason and the
//! default stays, so a bad link never breaks the page.

use statelab_sim::config::limits;
use statelab_sim::tour::TOUR_IDS;
use statelab_sim::traffic::{rates_by_second, Traffic};
use statelab_sim::{Command, Keyed, Mode, SimConfig};

use crate::i18n::{fill, t, Lang, Text};
use crate::link::{self, LinkError, MAX_COMMANDS};

/// Colour theme of the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Theme {
    /// Follows the system's light or dark preference.
    #[default]
    Auto,
    /// Light whatever the system prefers: a lit classroom or a printed screenshot.
    Light,
    /// Dark whatever the system prefers: a dim room, or a course page that is dark.
    Dark,
    /// High contrast and large type for a room.
    Projector,
}

impl Theme {
    /// In the toolbar menu's order; [`Theme::from_key`] searches it.
    pub const ALL: [Theme; 4] = [Theme::Auto, Theme::Light, Theme::Dark, Theme::Projector];

    /// The `theme=` value in links and the `data-theme` the stylesheet matches; never translated.
    pub fn key(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Projector => "projector",
        }
    }

    /// The theme's name in the page's language, for the toolbar menu.
    pub fn label(self) -> &'static str {
        t(match self {
            Theme::Auto => Text::ThemeAuto,
            Theme::Light => Text::ThemeLight,
            Theme::Dark => Text::ThemeDark,
            Theme::Projector => Text::ThemeProjector,
        })
    }

    /// Reads a `theme=` value or the menu's choice; anything else is `None`, and the default stays.
    pub fn from_key(key: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.key() == key)
    }
}

/// How much of the control surface shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Controls {
    /// Every panel: the learner's own lab.
    #[default]
    Full,
    /// Playback and the mode switch only.
    Minimal,
    /// No control at all: a frame that only shows what the instructor set up.
    None,
}

impl Controls {
    /// The embed menu's order, minimal first as a frame's default; `controls=` is read against it.
    pub const ALL: [Controls; 3] = [Controls::Minimal, Controls::Full, Controls::None];

    /// The `controls` parameter's value.
    pub fn key(self) -> &'static str {
        match self {
            Controls::Full => "full",
            Controls::Minimal => "minimal",
            Controls::None => "none",
        }
    }
}

/// Side panels an instructor can pick with `panel=tour,charts,…`.
pub const PANELS: [&str; 8] = ["tour", "charts", "controls", "inspector", "trace", "feed", "share", "glossary"];

/// Everything the URL can set.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// The run's starting config, after the URL's `mode`, `seed`, `servers`, `users` and `rate`.
    pub config: SimConfig,
    /// Simulated seconds per real second.
    pub speed: f64,
    /// Start running at once; shared links set `autoplay=0`, so the run waits at its moment.
    pub autoplay: bool,
    /// The look the page opens in; the learner can switch it.
    pub theme: Theme,
    /// How much of the page is controls: an embed shows fewer.
    pub controls: Controls,
    /// Show the masthead; an embed sets `title=0`, as a course page has its own heading.
    pub show_title: bool,
    /// Commands to replay on open, with their simulated times [µs].
    pub commands: Vec<(u64, Command)>,
    /// Simulated time to run to on open [µs].
    pub at_us: Option<u64>,
    /// How far the run went before it was rewound to `at_us` [µs] (`until`): its commands
    /// after the moment, up to there, are its recorded future, kept on the timeline.
    pub until_us: Option<u64>,
    /// Those commands, which the page keeps for later rather than replays on open.
    pub future: Vec<(u64, Command)>,
    /// Open in compare mode (stateful and stateless side by side).
    pub compare: bool,
    /// Which page may drive an embedded lab and hear its events.
    pub host: Host,
    /// Test hook: panic on purpose, to check that the error overlay replaces a dead page.
    pub debug_panic: bool,
    /// Which of [`PANELS`] show, as bits in that order (all by default).
    pub panels: u8,
    /// UI fuzzing: this many random actions right after start (0 = off).
    pub fuzz: u32,
    /// A guided tour to open, by id, and the step (from 0) to show.
    pub scenario: Option<String>,
    /// From 0 here, though the URL's `step=` counts from 1.
    pub step: usize,
    /// Whether the URL named the session mode: a tour that runs in one mode only says so when
    /// asked for the other, and says nothing when nobody asked.
    pub mode_asked: bool,
    /// The language asked for; without one the browser's language decides.
    pub lang: Option<Lang>,
}

impl Params {
    /// Whether the named panel shows.
    pub fn shows(&self, panel: &str) -> bool {
        self.controls == Controls::Full
            && PANELS.iter().position(|p| *p == panel).is_some_and(|i| self.panels & (1 << i) != 0)
    }
}

impl Default for Params {
    fn default() -> Self {
        Self {
            config: SimConfig::default(),
            speed: crate::lab::DEFAULT_SPEED,
            autoplay: true,
            theme: Theme::Auto,
            controls: Controls::Full,
            show_title: true,
            commands: Vec::new(),
            at_us: None,
            until_us: None,
            future: Vec::new(),
            compare: false,
            host: Host::Any,
            debug_panic: false,
            scenario: None,
            step: 0,
            mode_asked: false,
            fuzz: 0,
            panels: u8::MAX,
            lang: None,
        }
    }
}

/// Latest simulated time a link may ask to replay to [µs]: one hour.
pub const MAX_REPLAY_US: u64 = 3_600_000_000;

/// The most requests a link may replay on open: its moment is reached by simulating the run
/// from 0, and this many take a few seconds in the browser (an hour at 1,000 requests/s).
pub const MAX_REPLAY_REQUESTS: f64 = 4_000_000.0;

/// Arrivals per second at each simulated second of the link's run, up to `until_us`.
fn rates(p: &Params, until_us: u64) -> Vec<f64> {
    let traffic = Traffic::new(p.config.traffic.rate_per_s, p.config.traffic.pattern, 0);
    rates_by_second(&traffic, &p.commands, until_us)
}

/// The first second by whose end a replay at these `rates` would have sent too many requests.
fn over_budget(rates: &[f64]) -> Option<usize> {
    let mut sent = 0.0;
    rates.iter().position(|rate| {
        sent += rate;
        sent > MAX_REPLAY_REQUESTS
    })
}

/// How far a link's timeline may go, asked for `until_us`: scrubbing to its end replays the run
/// with no copies of it past its moment, so within the budget of opening it.
fn timeline_end(p: &Params, until_us: u64) -> u64 {
    let until = until_us.min(MAX_REPLAY_US);
    over_budget(&rates(p, until)).map_or(until, |s| until.min(s as u64 * 1_000_000))
}

/// The highest request rate the link's run reaches before its moment [requests/s]. The replay
/// sizes its slices by it.
pub fn peak_rate(p: &Params) -> f64 {
    let moment = p.at_us.or(p.commands.last().map(|(at, _)| *at)).unwrap_or(0);
    rates(p, moment).into_iter().fold(1.0, f64::max)
}

/// Which page may drive an embedded lab with `postMessage`, from the `host` parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum Host {
    /// No `host`: whichever page frames the lab.
    Any,
    /// Only the page of this origin, which alone hears the lab's events.
    Only(String),
    /// A `host` that names no origin: no page at all.
    Nobody,
}

/// Every key a link to a run sets ([`share_query`], [`tour_query`], and `lang`); the others
/// (host, panel, controls, title, view, and the test hooks) belong to the page that embeds the
/// run.
const RUN_KEYS: [&str; 14] = [
    "mode", "seed", "servers", "users", "rate", "speed", "theme", "autoplay", "t", "until", "cmds", "scenario", "step",
    "lang",
];

/// `link` with its theme set to `theme`: a course page that embeds a run needs no projector
/// look, even when the instructor copied the link while projecting.
pub fn with_theme(link: &str, theme: Theme) -> String {
    let (page, query) = link.split_once('?').unwrap_or((link, ""));
    let wanted = format!("theme={}", theme.key());
    // In place, so a link that already asks for `theme` comes back exactly as it was.
    let mut query: Vec<&str> = query.split('&').filter(|pair| !pair.is_empty()).collect();
    match query.iter_mut().find(|pair| pair.starts_with("theme=")) {
        Some(pair) => *pair = &wanted,
        None => query.push(&wanted),
    }
    format!("{page}?{}", query.join("&"))
}

/// The pairs of `query` that are not about the run, as written, to carry over to another link
/// of the same page.
pub fn page_pairs(query: &str) -> impl Iterator<Item = &str> {
    query.trim_start_matches('?').split('&').filter(|pair| {
        let key = pair.split('=').next().unwrap_or_default();
        !pair.is_empty() && !RUN_KEYS.contains(&percent_decode(key).as_str())
    })
}

/// The query string that reproduces a run: its settings, its commands and the moment shown.
/// After a rewind, `until_us` is how far the run went and `commands` go on past `now_us`: the
/// page the link opens keeps those for later, to play or scrub on to.
pub fn share_query(
    config: &SimConfig,
    speed: f64,
    theme: Theme,
    commands: &[(u64, Command)],
    now_us: u64,
    until_us: u64,
) -> String {
    let mode = config.mode.key();
    let mut q = format!(
        "mode={mode}&seed={}&servers={}&users={}&rate={}&speed={}&theme={}&autoplay=0&t={now_us}",
        config.seed,
        config.servers,
        config.users,
        config.traffic.rate_per_s,
        speed_text(speed),
        theme.key()
    );
    if until_us > now_us {
        q.push_str(&format!("&until={until_us}"));
    }
    if !commands.is_empty() {
        q.push_str("&cmds=");
        q.push_str(&link::encode(commands));
    }
    q
}

/// The query string that reopens a guided tour at the step being shown.
pub fn tour_query(id: &str, step: usize, mode: Mode, speed: f64, theme: Theme) -> String {
    let mode = mode.key();
    format!("scenario={id}&step={}&mode={mode}&speed={}&theme={}&autoplay=0", step + 1, speed_text(speed), theme.key())
}

/// The setup keys of `config` that differ from the defaults, as `key=value`: what a tour link
/// keeps aside for Reset, and a language switch inside a tour carries along.
pub fn setup_pairs(config: &SimConfig) -> Vec<String> {
    let plain = SimConfig::default();
    [
        ("seed", config.seed, plain.seed),
        ("servers", config.servers.into(), plain.servers.into()),
        ("users", config.users.into(), plain.users.into()),
        ("rate", config.traffic.rate_per_s.into(), plain.traffic.rate_per_s.into()),
    ]
    .into_iter()
    .filter(|(_, given, plain)| given != plain)
    .map(|(key, given, _)| format!("{key}={given}"))
    .collect()
}

/// Speed with two decimals, computed in integers (keeps float formatting out of the wasm).
pub fn speed_text(speed: f64) -> String {
    let hundredths = (speed * 100.0).round() as u64;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// Slowest and fastest playback.
pub const SPEED_RANGE: (f64, f64) = (0.1, 10.0);

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Decodes `+` and `%XX`; malformed escapes are kept as typed.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Shortens a value for a notice, so a hostile URL cannot flood the page.
fn shown(v: &str) -> String {
    let mut s: String = v.chars().take(24).collect();
    if v.chars().count() > 24 {
        s.push('…');
    }
    s
}

fn whole(v: &str, lo: u64, hi: u64) -> Option<u64> {
    v.trim().parse::<u64>().ok().filter(|n| (lo..=hi).contains(n))
}

/// The keys whose values name a choice: read in any case, as an instructor may type them.
const CASELESS: [&str; 10] =
    ["mode", "autoplay", "theme", "controls", "title", "panel", "scenario", "view", "compare", "lang"];

/// The pairs of a query string (with or without the leading `?`), decoded. Keys are read in
/// any case, and without an `amp;` before them: an `&` that a page escaped as `&amp;`, which a
/// link copied out of an embed code's `src` keeps.
fn pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.trim_start_matches('?').split('&').filter(|s| !s.is_empty()).map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(key.trim_start_matches("amp;")).to_ascii_lowercase();
        let value = percent_decode(value);
        let value = if CASELESS.contains(&key.as_str()) { value.to_ascii_lowercase() } else { value };
        (key, value)
    })
}

/// Why a `cmds` log was refused, in `lang`.
fn link_error(e: LinkError, lang: Lang) -> String {
    let (text, n) = match e {
        LinkError::Invalid(n) => (Text::CmdInvalid, n),
        LinkError::Backwards(n) => (Text::CmdBackwards, n),
    };
    fill(text.get(lang), &[("n", &n)])
}

/// The first rule a parse broke, if any: settings in range, the moment and its replay, the
/// recorded future inside its span, every list in time order. Whatever the query, a parse
/// keeps them all: the property tests and the fuzzer hold every parse to this one list.
pub fn broken_rule(p: &Params) -> Option<&'static str> {
    let at = p.at_us.unwrap_or(u64::MAX);
    let ordered = |log: &[(u64, Command)]| log.windows(2).all(|w| w[0].0 <= w[1].0);
    let rules = [
        (p.config.validate().is_ok(), "a config out of range"),
        ((SPEED_RANGE.0..=SPEED_RANGE.1).contains(&p.speed), "a speed out of range"),
        (p.at_us.is_none_or(|at| at <= MAX_REPLAY_US), "a moment past the longest replay"),
        (p.commands.iter().all(|(t, _)| *t <= at), "a command replayed after the moment"),
        (p.until_us.is_none_or(|until| p.at_us.is_some_and(|at| at < until)), "a future with no moment before it"),
        (
            p.future.iter().all(|(t, _)| *t > at && p.until_us.is_some_and(|until| *t <= until)),
            "a future out of its span",
        ),
        (p.commands.len() + p.future.len() <= crate::link::MAX_COMMANDS, "more commands than a link holds"),
        (ordered(&p.commands) && ordered(&p.future), "commands out of time order"),
    ];
    rules.into_iter().find_map(|(kept, rule)| (!kept).then_some(rule))
}

/// Parses a query string (with or without the leading `?`). Notices are written in the language
/// the query asks for, or in `fallback` (the browser's) if it asks for none.
pub fn parse(query: &str, fallback: Lang) -> (Params, Vec<String>) {
    let mut p = Params::default();
    let mut step_given = false;
    let mut panel_given = false;
    let mut cut_at = None;
    let mut notices = Vec::new();
    let lang =
        pairs(query).filter(|(k, _)| k == "lang").filter_map(|(_, v)| Lang::from_tag(&v)).last().unwrap_or(fallback);
    let tr = |text: Text| text.get(lang);
    let max = |text: Text, n: u64| fill(tr(text), &[("max", &crate::i18n::grouped_in(lang, n))]);
    // Keys given more than once: each later value replaces the one before, which a link's
    // author may not expect (`mode=stateless&…&mode=stateful`).
    let mut seen: Vec<String> = Vec::new();
    let mut repeated: Vec<String> = Vec::new();
    for (key, value) in pairs(query) {
        if !seen.contains(&key) {
            seen.push(key.clone());
        } else if !repeated.contains(&key) {
            repeated.push(key.clone());
        }
        let mut bad = |why: &str| {
            notices
                .push(fill(tr(Text::NoticeIgnored), &[("key", &shown(&key)), ("value", &shown(&value)), ("why", &why)]))
        };
        match key.as_str() {
            "mode" => match Mode::from_key(&value) {
                Some(mode) => {
                    p.config.mode = mode;
                    p.mode_asked = true;
                }
                None => bad(tr(Text::WhyMode)),
            },
            "seed" => match value.trim().parse::<u64>() {
                Ok(n) => p.config.seed = n,
                Err(_) => bad(&max(Text::WhySeed, u64::MAX)),
            },
            "servers" => match whole(&value, 1, limits::SERVERS.into()) {
                Some(n) => p.config.servers = n as u32,
                None => bad(&max(Text::WhyServers, limits::SERVERS.into())),
            },
            "users" => match whole(&value, 1, limits::USERS.into()) {
                Some(n) => p.config.users = n as u32,
                None => bad(&max(Text::WhyUsers, limits::USERS.into())),
            },
            "rate" => match whole(&value, 0, limits::RATE_PER_S.into()) {
                Some(n) => p.config.traffic.rate_per_s = n as u32,
                None => bad(&max(Text::WhyRate, limits::RATE_PER_S.into())),
            },
            "speed" => match value.trim().parse::<f64>() {
                Ok(s) if s.is_finite() && (SPEED_RANGE.0..=SPEED_RANGE.1).contains(&s) => p.speed = s,
                _ => bad(tr(Text::WhySpeed)),
            },
            "autoplay" => match value.as_str() {
                "1" | "true" => p.autoplay = true,
                "0" | "false" => p.autoplay = false,
                _ => bad(tr(Text::WhyAutoplay)),
            },
            "theme" => match Theme::from_key(&value) {
                Some(t) => p.theme = t,
                None => bad(tr(Text::WhyTheme)),
            },
            "controls" => match Controls::ALL.into_iter().find(|c| c.key() == value) {
                Some(c) => p.controls = c,
                None => bad(tr(Text::WhyControls)),
            },
            "title" => match value.as_str() {
                "0" => p.show_title = false,
                "1" => p.show_title = true,
                _ => bad(tr(Text::WhyTitle)),
            },
            "debug_panic" => match value.as_str() {
                "0" => p.debug_panic = false,
                "1" => p.debug_panic = true,
                _ => bad(tr(Text::WhyDebugPanic)),
            },
            "panel" => {
                panel_given = true;
                let mut bits = 0u8;
                let mut unknown = Vec::new();
                for name in value.split(',').filter(|n| !n.is_empty() && *n != "none") {
                    match PANELS.iter().position(|p| *p == name) {
                        Some(i) => bits |= 1 << i,
                        None => unknown.push(shown(name)),
                    }
                }
                if !unknown.is_empty() && bits != 0 {
                    // The panels it does name still show: only the slips are left out.
                    notices.push(fill(
                        tr(Text::NoticePanelsUnknown),
                        &[("all", &PANELS.join(", ")), ("unknown", &unknown.join(", "))],
                    ));
                } else if !unknown.is_empty() {
                    bad(&fill(tr(Text::WhyPanels), &[("all", &PANELS.join(", ")), ("unknown", &unknown.join(", "))]));
                } else if bits == 0 && value != "none" {
                    bad(&fill(tr(Text::WhyPanelsNone), &[("all", &PANELS.join(", "))]));
                }
                // A list that names no panel is a slip, not a wish for a bare diagram: that is `none`.
                if bits != 0 || value == "none" {
                    p.panels = bits;
                }
            }
            "fuzz" => match whole(&value, 1, 1_000_000) {
                Some(n) => p.fuzz = n as u32,
                None => bad(tr(Text::WhyFuzz)),
            },
            "scenario" => match TOUR_IDS.iter().find(|id| **id == value) {
                Some(id) => p.scenario = Some((*id).to_string()),
                None => bad(&fill(tr(Text::WhyScenario), &[("all", &TOUR_IDS.join(", "))])),
            },
            // Any step from 1: one past the tour's end opens its last step, with a notice.
            "step" => match whole(&value, 1, u32::MAX.into()) {
                Some(n) => {
                    p.step = n as usize - 1;
                    step_given = true;
                }
                None => bad(tr(Text::WhyStep)),
            },
            "view" => match value.as_str() {
                "compare" => p.compare = true,
                "lab" => p.compare = false,
                _ => bad(tr(Text::WhyView)),
            },
            "host" => match crate::host::origin(&value) {
                Some(origin) => p.host = Host::Only(origin),
                None => {
                    // The instructor meant to lock the frame: a slip must not open it to all
                    // (an origin given before it still counts, as the last valid value).
                    if p.host == Host::Any {
                        p.host = Host::Nobody;
                    }
                    bad(tr(Text::WhyHost));
                }
            },
            "cmds" => match link::decode(&value) {
                Ok(d) => (p.commands, cut_at) = (d.commands, d.cut_at),
                Err(why) => bad(&fill(tr(Text::WhyCmds), &[("detail", &link_error(why, lang))])),
            },
            "t" => match whole(&value, 0, u64::MAX) {
                Some(t) => p.at_us = Some(t),
                None => bad(tr(Text::WhyTime)),
            },
            "until" => match whole(&value, 0, u64::MAX) {
                Some(until) => p.until_us = Some(until),
                None => bad(tr(Text::WhyUntil)),
            },
            "lang" => match Lang::from_tag(&value) {
                Some(l) => p.lang = Some(l),
                None => bad(tr(Text::WhyLang)),
            },
            _ => {
                repeated.retain(|k| *k != key);
                // Once per key, however often it is given.
                let notice = fill(tr(Text::NoticeUnknown), &[("key", &shown(&key))]);
                if !notices.contains(&notice) {
                    notices.push(notice);
                }
            }
        }
    }
    for key in repeated {
        notices.push(fill(tr(Text::NoticeRepeated), &[("key", &shown(&key))]));
    }
    // Panels belong to the full page: a smaller embed has none to pick.
    if panel_given && p.controls != Controls::Full {
        notices.push(tr(Text::NoticePanelControls).to_string());
    }
    // A tour plays in the lab view; compare mode would take its settings but not its steps.
    if p.compare && p.scenario.is_some() {
        p.scenario = None;
        p.step = 0;
        notices.push(tr(Text::NoticeCompareTour).to_string());
    } else if step_given && p.scenario.is_none() {
        // A step belongs to a tour: without one it has nothing to open.
        notices.push(tr(Text::NoticeStepAlone).to_string());
    }
    // Compare view starts both panes at 0 s; the link's run opens behind it, in the lab view.
    // A moment of 0 with no command is that start already: nothing is left behind.
    if p.compare && (p.at_us.is_some_and(|t| t > 0) || !p.commands.is_empty()) {
        notices.push(tr(Text::NoticeCompareRun).to_string());
    }
    // A tour step sets up its own run: the link's setup waits for Reset, which leaves the tour
    // for the page's own settings, and a moment or commands have no run to go into.
    if p.scenario.is_some() {
        let setup = setup_pairs(&p.config);
        if !setup.is_empty() {
            // Only with every control does Reset leave the tour.
            let text = if p.controls == Controls::Full { Text::NoticeTourSetup } else { Text::NoticeTourSetupFixed };
            notices.push(fill(tr(text), &[("keys", &setup.join(", "))]));
        }
        if p.at_us.is_some() || p.until_us.is_some() || !p.commands.is_empty() {
            (p.at_us, p.until_us, cut_at) = (None, None, None);
            p.commands.clear();
            notices.push(tr(Text::NoticeTourRun).to_string());
        }
    }
    // How far a rewound run went: it means something only with the moment it was rewound to.
    if let Some(until) = p.until_us.filter(|&until| p.at_us.is_none_or(|t| until <= t)) {
        p.until_us = None;
        let value = until.to_string();
        notices.push(fill(
            tr(Text::NoticeIgnored),
            &[("key", &"until"), ("value", &value), ("why", &tr(Text::WhyUntilAfter))],
        ));
    }
    // The run opens at `t`, else before the first command the link could not carry, else at
    // its last command; a link shows its moment, so what it logs after that never happened
    // there. A moment so far into a busy run, or past the hour, would take long to replay: it
    // opens earlier, and loses the commands after that too.
    let last_command = p.commands.last().map(|(at, _)| *at);
    if let Some(mut asked) = p.at_us.or(cut_at).or(last_command) {
        // Past the hour, the hour cap below says where the run opens.
        if let Some(cut) = cut_at.filter(|&cut| cut <= asked && cut <= MAX_REPLAY_US) {
            notices.push(fill(tr(Text::NoticeCmdsCut), &[("n", &MAX_COMMANDS), ("at", &(cut / 1_000_000))]));
            asked = cut;
            p.at_us = Some(cut);
            // Commands at the very moment of the first one left out may have come after it.
            p.commands.retain(|(at, _)| *at < cut);
        }
        if asked > MAX_REPLAY_US {
            let (asked, at) = (asked.div_ceil(1_000_000), MAX_REPLAY_US / 1_000_000);
            notices.push(fill(tr(Text::NoticeHourCapped), &[("asked", &asked), ("at", &at)]));
            p.at_us = Some(MAX_REPLAY_US);
        }
        let asked = asked.min(MAX_REPLAY_US);
        // A rewound run's recorded future is kept for later, not replayed now. A link cut short
        // after its moment keeps its future up to the first command left out; one cut before
        // its moment has none.
        let cut_short = |until: u64| cut_at.map_or(until, |cut| until.min(cut.saturating_sub(1)));
        match p.until_us.map(cut_short).filter(|&until| until > asked) {
            Some(until) => {
                if p.until_us != Some(until) {
                    let at = until / 1_000_000;
                    notices.push(fill(tr(Text::NoticeFutureCut), &[("n", &MAX_COMMANDS), ("at", &at)]));
                }
                let end = timeline_end(&p, until);
                if end < until {
                    let (asked_s, at) = (until.div_ceil(1_000_000), end / 1_000_000);
                    notices.push(fill(tr(Text::NoticeFutureCapped), &[("asked", &asked_s), ("at", &at)]));
                    // Its commands past the end go with the rest of the timeline.
                    p.commands.retain(|(at, _)| *at <= end.max(asked) || *at > until);
                }
                let (future, now): (Vec<_>, Vec<_>) =
                    p.commands.drain(..).partition(|(at, _)| *at > asked && *at <= end);
                p.commands = now;
                p.future = future;
                p.until_us = (end > asked).then_some(end);
            }
            None => p.until_us = None,
        }
        let later = drop_after(&mut p, asked);
        // The first second by whose end the replay would have sent too many requests.
        let rates = rates(&p, asked);
        let over = over_budget(&rates);
        let moment = over.map_or(asked, |s| asked.min(s as u64 * 1_000_000));
        let mut later = later + drop_after(&mut p, moment);
        if moment < asked {
            // Opened earlier than its moment, the run has lost the future it had there.
            later += std::mem::take(&mut p.future).len();
            p.until_us = None;
            p.at_us = Some(moment);
            let rate = rates[..=over.unwrap_or(0)].iter().fold(1.0, |a: f64, b| a.max(*b)).ceil() as u64;
            let (asked, at) = (asked.div_ceil(1_000_000), moment / 1_000_000);
            notices.push(fill(tr(Text::NoticeReplayCapped), &[("asked", &asked), ("rate", &rate), ("at", &at)]));
        }
        if later > 0 {
            let text = if later == 1 { Text::NoticeLaterCommand } else { Text::NoticeLaterCommands };
            notices.push(fill(tr(text), &[("n", &later), ("at", &(moment / 1_000_000))]));
        }
    }
    debug_assert_eq!(broken_rule(&p), None, "{query:?}");
    (p, notices)
}

/// Leaves out the commands later than `moment_us`; returns how many.
fn drop_after(p: &mut Params, moment_us: u64) -> usize {
    let before = p.commands.len();
    p.commands.retain(|(at, _)| *at <= moment_us);
    before - p.commands.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_too_far_into_a_busy_run_opens_earlier_with_a_notice() {
        // An hour of the default 20 requests/s replays at once.
        let (p, notices) = parse("?t=3600000000", Lang::En);
        assert_eq!((p.at_us, notices.len()), (Some(3_600_000_000), 0), "{notices:?}");
        let (p, notices) = parse("?rate=1000000&t=30000000", Lang::En);
        assert_eq!(p.at_us, Some(4_000_000));
        assert_eq!(notices, ["Reaching 30 s would replay too many requests to open quickly (up to 1000000 a second), so the run opens at 4 s."]);
        // A spike counts for its 30 s at five times the rate, not for the whole run.
        let (p, notices) = parse("?rate=1000&t=3600000000&cmds=1000000.s", Lang::En);
        assert_eq!((p.at_us, notices.len()), (Some(3_600_000_000), 0), "{notices:?}");
        let (p, notices) = parse("?rate=1100&t=3600000000&cmds=1000000.s", Lang::En);
        assert_eq!(p.at_us, Some(3_516_000_000), "4 M requests by then: {notices:?}");
        assert_eq!(notices, ["Reaching 3600 s would replay too many requests to open quickly (up to 5500 a second), so the run opens at 3516 s."]);
        let (p, _) = parse("?rate=1000&t=3600000000", Lang::En);
        assert_eq!(p.at_us, Some(3_600_000_000));
        // The commands' times count too: with no `t`, the run opens at the last one.
        let (p, notices) = parse("?rate=1000000&cmds=20000000.a", Lang::En);
        assert_eq!((p.at_us, p.commands.len(), notices.len()), (Some(4_000_000), 0, 2), "{notices:?}");
    }

    #[test]
    fn a_run_longer_than_a_link_holds_opens_where_it_can() {
        // Past the hour ("Copy link" after an hour's run): the hour, and no command after it.
        let (p, notices) = parse("?t=4000000000&cmds=1000000.a~3700000000.s", Lang::En);
        assert_eq!((p.at_us, p.commands.len()), (Some(3_600_000_000), 1));
        assert_eq!(
            notices,
            [
                "A link replays at most the first hour of a run, so it opens at 3600 s instead of 4000 s.",
                "1 of the link's commands comes after its moment (3600 s) and was left out."
            ]
        );
        // More commands than a link holds: the run opens before the first one left out.
        let log: Vec<String> =
            (1..=MAX_COMMANDS as u64 + 3).map(|i| format!("{}.k.{}", i * 1_000_000, i % 2)).collect();
        for q in [format!("?t=900000000&cmds={}", log.join("~")), format!("?cmds={}", log.join("~"))] {
            let (p, notices) = parse(&q, Lang::En);
            assert_eq!((p.at_us, p.commands.len()), (Some(501_000_000), MAX_COMMANDS));
            assert_eq!(
                notices,
                ["The link carries more than 500 commands, so the run opens at 501 s, before the first one left out."]
            );
        }
        // Commands at the moment of the first one left out may have come after it: out too.
        let mut same = log.clone();
        same[MAX_COMMANDS - 1] = format!("{}.a", (MAX_COMMANDS as u64 + 1) * 1_000_000);
        let (p, notices) = parse(&format!("?cmds={}", same.join("~")), Lang::En);
        assert_eq!((p.at_us, p.commands.len(), notices.len()), (Some(501_000_000), MAX_COMMANDS - 1, 1), "{notices:?}");
        // A cut past the hour: the hour says where the run opens.
        let late: Vec<String> = (1..=MAX_COMMANDS as u64 + 1).map(|i| format!("{}.a", i * 8_000_000)).collect();
        let (p, notices) = parse(&format!("?cmds={}", late.join("~")), Lang::En);
        assert_eq!((p.at_us, p.commands.len()), (Some(3_600_000_000), 450));
        assert_eq!(
            notices,
            [
                "A link replays at most the first hour of a run, so it opens at 3600 s instead of 4008 s.",
                "50 of the link's commands come after its moment (3600 s) and were left out."
            ]
        );
        // A moment before the cut needs none of the commands left out.
        let (p, notices) = parse(&format!("?t=20000000&cmds={}", log.join("~")), Lang::En);
        assert_eq!((p.at_us, p.commands.len(), notices.len()), (Some(20_000_000), 20, 1), "{notices:?}");
    }

    #[test]
    fn commands_after_the_links_moment_are_left_out_with_a_notice() {
        // The spike comes after t: it neither runs nor counts against the replay's budget.
        let (p, notices) = parse("?rate=1000&t=1800000000&cmds=600000000.c.0~2000000000.s", Lang::En);
        assert_eq!((p.at_us, p.commands.len()), (Some(1_800_000_000), 1));
        assert_eq!(notices, ["1 of the link's commands comes after its moment (1800 s) and was left out."]);
        // A spike before t counts, and the cap leaves out what comes after it.
        let (p, notices) = parse("?rate=2200&t=1800000000&cmds=600000000.s~1750000000.c.0", Lang::En);
        assert_eq!((p.at_us, p.commands.len(), notices.len()), (Some(1_698_000_000), 1, 2), "{notices:?}");
        let (p, notices) = parse("?t=5000000&cmds=1000000.a~9000000.a~9500000.a", Lang::En);
        assert_eq!((p.at_us, p.commands.len()), (Some(5_000_000), 1));
        assert_eq!(notices, ["2 of the link's commands come after its moment (5 s) and were left out."]);
        let (p, notices) = parse("?cmds=1000000.a~9000000.a", Lang::En);
        assert_eq!((p.at_us, p.commands.len(), notices.len()), (None, 2, 0), "the last command is the moment");
    }

    #[test]
    fn a_key_given_twice_takes_its_last_value_and_says_so() {
        let (p, notices) = parse("?mode=stateless&seed=4&mode=stateful&lang=es&lang=en&zz=1&zz=2", Lang::Es);
        assert_eq!((p.config.mode, p.config.seed, p.lang), (Mode::Stateful, 4, Some(Lang::En)));
        assert_eq!(
            notices,
            [
                "Ignored unknown parameter zz.",
                "mode is given more than once; the last valid value counts.",
                "lang is given more than once; the last valid value counts."
            ]
        );
    }

    #[test]
    fn a_tour_link_says_its_setup_waits_for_reset_and_drops_its_moment() {
        let (p, notices) = parse("?scenario=replicas&seed=5&servers=6&users=50&rate=20", Lang::En);
        assert_eq!(
            (p.scenario.as_deref(), p.config.seed, p.config.servers, p.config.users),
            (Some("replicas"), 5, 6, 50)
        );
        assert_eq!(
            notices,
            ["A tour sets up each step's run itself; you get seed=5, servers=6, users=50 once you press Reset to leave the tour."]
        );
        let (p, notices) = parse("?scenario=replicas&t=5000000&until=9000000&cmds=1000000.a", Lang::En);
        assert_eq!((p.at_us, p.until_us, p.commands.len()), (None, None, 0));
        assert_eq!(
            notices,
            ["The link's moment and commands (t, until, cmds) were ignored: each step of a tour starts its own run."]
        );
        // The page's own tour links carry neither.
        let (_, notices) = parse("?scenario=replicas&step=2&mode=stateful&speed=1&theme=dark&autoplay=0", Lang::En);
        assert_eq!(notices, Vec::<String>::new());
        let (_, notices) = parse("?scenario=replicas&seed=5&t=1", Lang::Es);
        assert_eq!(notices.len(), 2, "{notices:?}");
        assert!(notices.iter().all(|n| n.contains("recorrido")), "{notices:?}");
    }

    #[test]
    fn compare_mode_opens_without_the_tour_it_cannot_play() {
        let (p, notices) = parse("?view=compare&scenario=crash-2am&step=2", Lang::En);
        assert_eq!((p.compare, p.scenario, p.step), (true, None, 0));
        assert_eq!(notices, ["scenario=… was ignored: a tour plays in “Explore the system”, not in view=compare."]);
    }

    #[test]
    fn a_step_without_a_tour_is_refused_with_a_notice() {
        let (p, notices) = parse("?step=3", Lang::En);
        assert_eq!(p.scenario, None);
        assert_eq!(notices.len(), 1);
        assert!(notices[0].starts_with("step=… was ignored"), "{notices:?}");
        let (_, notices) = parse("?scenario=crash-2am&step=3", Lang::En);
        assert!(notices.is_empty(), "{notices:?}");
    }

    #[test]
    fn a_link_changes_theme_and_keeps_the_rest() {
        let link = "https://a.example/lab/?mode=stateful&seed=1&theme=projector&autoplay=0&t=5&cmds=1.c.0";
        let (page, query) =
            with_theme(link, Theme::Auto).split_once('?').map(|(a, b)| (a.to_string(), b.to_string())).unwrap();
        assert_eq!(page, "https://a.example/lab/");
        let (p, notices) = parse(&query, Lang::En);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!((p.theme, p.config.seed, p.commands.len(), p.autoplay), (Theme::Auto, 1, 1, false));
        assert_eq!(with_theme("https://a.example/", Theme::Dark), "https://a.example/?theme=dark");
        let dark = "https://a.example/?mode=stateful&theme=dark&autoplay=0";
        assert_eq!(with_theme(dark, Theme::Dark), dark, "a link that asks for the theme is left as it is");
    }

    /// As an instructor may paste them: choices in capitals, and the `&amp;` of an embed
    /// code's `src` copied as it is.
    #[test]
    fn choices_are_read_in_any_case_and_an_escaped_ampersand_is_an_ampersand() {
        let (p, notices) = parse(
            "?Scenario=Crash-2am&amp;step=2&amp;amp;controls=Minimal&mode=Stateless&theme=Dark&autoplay=TRUE",
            Lang::En,
        );
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!((p.scenario.as_deref(), p.step, p.controls), (Some("crash-2am"), 1, Controls::Minimal));
        assert_eq!((p.config.mode, p.theme, p.autoplay), (Mode::Stateless, Theme::Dark, true));
    }

    #[test]
    fn good_parameters_set_the_lab() {
        let (p, notices) = parse("?mode=stateless&lang=es&seed=9&servers=64&users=1000&rate=5000&speed=2.5&theme=dark&controls=minimal&title=0&autoplay=0", Lang::En);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(p.lang, Some(Lang::Es));
        assert_eq!(p.config.mode, Mode::Stateless);
        assert!(p.mode_asked);
        assert!(!parse("?seed=2", Lang::En).0.mode_asked, "no mode named, none asked");
        assert_eq!((p.config.seed, p.config.servers, p.config.users), (9, 64, 1000));
        assert_eq!(p.config.traffic.rate_per_s, 5000);
        assert_eq!(
            (p.speed, p.theme, p.controls, p.show_title, p.autoplay),
            (2.5, Theme::Dark, Controls::Minimal, false, false)
        );
    }

    #[test]
    fn bad_and_unknown_parameters_are_ignored_with_a_reason() {
        let (p, notices) =
            parse("servers=0&users=abc&speed=NaN&theme=%3Cscript%3E&bogus=1&mode=&debug_panic=yes", Lang::En);
        assert_eq!(p, Params::default());
        assert_eq!(notices.len(), 7);
        assert!(notices[6].contains("debug_panic=yes"), "{}", notices[6]);
        assert!(notices[0].contains("servers=0") && notices[0].contains("1 to 64"), "{}", notices[0]);
        assert!(notices[3].contains("<script>"), "shown as text, decoded: {}", notices[3]);
        assert_eq!(notices[4], "Ignored unknown parameter bogus.");
    }

    #[test]
    fn notices_speak_the_asked_language() {
        let (_, notices) = parse("servers=99&lang=es", Lang::En);
        assert_eq!(notices, ["Se ignoró servers=99: servers es un número entero de 1 a 64."]);
        let (p, notices) = parse("lang=fr&servers=99", Lang::Es);
        assert_eq!(p.lang, None);
        assert_eq!(notices[0], "Se ignoró lang=fr: lang es en o es.");
    }

    #[test]
    fn a_shared_link_parses_back_to_the_same_run() {
        let mut config = SimConfig { seed: 77, servers: 5, users: 40, mode: Mode::Stateless, ..SimConfig::default() };
        config.traffic.rate_per_s = 90;
        let commands = vec![(1_500_000, Command::AddServer), (2_000_000, Command::Spike)];
        let q = share_query(&config, 0.5, Theme::Projector, &commands, 3_250_000, 0);
        let (p, notices) = parse(&q, Lang::En);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(p.config, config);
        assert_eq!((p.speed, p.theme, p.autoplay), (0.5, Theme::Projector, false));
        assert_eq!(p.commands, commands);
        assert_eq!(p.at_us, Some(3_250_000));
    }

    #[test]
    fn a_rewound_runs_link_keeps_its_recorded_future_for_later() {
        let config = SimConfig::default();
        let (past, future) = (vec![(1_000_000, Command::AddServer)], vec![(9_000_000, Command::Spike)]);
        let all: Vec<(u64, Command)> = past.iter().chain(&future).cloned().collect();
        let q = share_query(&config, 1.0, Theme::Auto, &all, 5_000_000, 15_000_000);
        let (p, notices) = parse(&q, Lang::En);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!((p.commands, p.future, p.at_us, p.until_us), (past, future, Some(5_000_000), Some(15_000_000)));
        // Past how far the run went, a command is left out as after any moment; without `t`,
        // `until` means nothing.
        let (p, notices) = parse("?t=5000000&until=8000000&cmds=1000000.a~6000000.a~9000000.a", Lang::En);
        assert_eq!((p.commands.len(), p.future.len(), notices.len()), (1, 1, 1), "{notices:?}");
        let (p, _) = parse("?until=8000000&cmds=1000000.a~6000000.a", Lang::En);
        assert_eq!((p.commands.len(), p.future.len(), p.until_us), (2, 0, None));
        assert_eq!(parse("?until=509", Lang::En).0.until_us, None, "nor with no command either");
        let (p, notices) = parse("?t=5000000&until=3000000", Lang::En);
        assert_eq!((p.at_us, p.until_us), (Some(5_000_000), None));
        assert_eq!(notices, ["Ignored until=3000000: until is how far a rewound run went, so it needs a t before it."]);
        // Scrubbing to the end replays the run past its moment from scratch: no further than
        // opening at that end could, in time and in requests.
        let (p, notices) = parse("?rate=100000&t=1000000&until=1800000000&cmds=500000000.s", Lang::En);
        assert_eq!((p.until_us, p.future.len(), p.commands.len()), (Some(40_000_000), 0, 0));
        assert_eq!(
            notices,
            ["Scrubbing to the end of this link's timeline would replay too much of the run at once, so the timeline ends at 40 s instead of 1800 s."]
        );
        let (p, notices) = parse("?t=1000000&until=7200000000&cmds=2000000.s", Lang::En);
        assert_eq!((p.until_us, p.future.len(), notices.len()), (Some(MAX_REPLAY_US), 1, 1), "{notices:?}");
        // Cut at 500 commands after its moment: the future ends before the first one left out.
        let many: Vec<(u64, Command)> = (1..=600).map(|i| (i * 1_000_000, Command::AddServer)).collect();
        let q = share_query(&config, 1.0, Theme::Auto, &many, 4_500_000, 700_000_000);
        let (p, notices) = parse(&q, Lang::En);
        assert_eq!((p.commands.len(), p.future.len(), p.until_us), (4, 496, Some(500_999_999)));
        assert_eq!(
            notices,
            ["The link carries more than 500 commands, so the timeline after its moment ends at 500 s, before the first one left out."]
        );
        // Cut before its moment: the run opens at the cut, with no future.
        let q = share_query(&config, 1.0, Theme::Auto, &many, 550_500_000, 700_000_000);
        let (p, _) = parse(&q, Lang::En);
        assert_eq!((p.commands.len(), p.future.len(), p.until_us), (500, 0, None));
    }

    #[test]
    fn page_pairs_keep_what_is_not_the_run() {
        let q =
            "?mode=stateful&host=https%3A%2F%2Fa.example&seed=3&panel=tour,feed&t=5&cmds=0.a&lang=es&title=0&step=2";
        assert_eq!(page_pairs(q).collect::<Vec<_>>(), ["host=https%3A%2F%2Fa.example", "panel=tour,feed", "title=0"]);
        let run = share_query(&SimConfig::default(), 1.0, Theme::Auto, &[(0, Command::AddServer)], 9, 0);
        assert_eq!(page_pairs(&run).count(), 0, "a run link sets run keys only: {run}");
        assert_eq!(page_pairs(&tour_query("cache", 0, Mode::Stateless, 1.0, Theme::Dark)).count(), 0);
    }

    #[test]
    fn tours_open_at_a_step() {
        let tour = tour_query("wrong-server", 2, Mode::Stateless, 1.0, Theme::Auto);
        let (p, notices) = parse(&tour, Lang::En);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!((p.scenario.as_deref(), p.step, p.config.mode), (Some("wrong-server"), 2, Mode::Stateless));
        // A language switch carries the page's own setup along, for Reset to bring back.
        let mut page = SimConfig::default();
        assert!(setup_pairs(&page).is_empty());
        (page.seed, page.servers, page.users, page.traffic.rate_per_s) = (7, 9, 40, 25);
        let (p, notices) = parse(&format!("{tour}&{}", setup_pairs(&page).join("&")), Lang::En);
        assert_eq!(notices.len(), 1, "{notices:?}");
        let got = (p.config.seed, p.config.servers, p.config.users, p.config.traffic.rate_per_s);
        assert_eq!((p.scenario.as_deref(), got), (Some("wrong-server"), (7, 9, 40, 25)));
        let (p, notices) = parse("scenario=nope&step=0", Lang::En);
        assert_eq!((p.scenario, p.step, notices.len()), (None, 0, 2));
    }

    #[test]
    fn panels_can_be_picked() {
        let (p, notices) = parse("panel=tour,feed", Lang::En);
        assert!(notices.is_empty());
        assert!(p.shows("tour") && p.shows("feed") && !p.shows("charts"));
        let (p, notices) = parse("panel=none", Lang::En);
        assert!(notices.is_empty() && PANELS.iter().all(|name| !p.shows(name)), "{notices:?}");
        for slip in ["panel=", "panel=,,", "panel=bogus"] {
            let (p, notices) = parse(slip, Lang::En);
            assert_eq!(notices.len(), 1, "{slip}");
            assert!(PANELS.iter().all(|name| p.shows(name)), "{slip} keeps every panel");
        }
        let (p, notices) = parse("panel=tour,chart,controls", Lang::En);
        assert_eq!(
            notices,
            ["panel=…: left out what names no panel (chart); the panels are tour, charts, controls, inspector, trace, feed, share, glossary, and the others named show."]
        );
        assert!(p.shows("tour") && p.shows("controls") && !p.shows("charts"));
        let (p, notices) = parse("panel=charts,bogus&controls=minimal", Lang::En);
        assert_eq!(notices.len(), 2, "{notices:?}");
        assert!(!p.shows("charts"), "minimal controls hide every panel");
        // Not in silence: a smaller embed has no panels to pick.
        let (_, notices) = parse("controls=none&panel=charts", Lang::En);
        assert_eq!(notices, ["panel=… picks panels only with controls=full: a frame with fewer controls shows none."]);
    }

    #[test]
    fn a_tour_frame_without_reset_says_its_setup_has_no_effect() {
        let (_, notices) = parse("?scenario=replicas&seed=5&controls=none", Lang::En);
        assert_eq!(
            notices,
            ["Without effect here: seed=5. A tour sets up each step's run itself, and this frame stays in its tour."]
        );
    }

    #[test]
    fn a_host_that_names_no_origin_locks_the_frame() {
        assert_eq!(parse("host=https://a.example/course/1", Lang::En).0.host, Host::Only("https://a.example".into()));
        let (p, notices) = parse("host=school.example", Lang::En);
        assert_eq!((p.host, notices.len()), (Host::Nobody, 1));
        assert_eq!(parse("title=0", Lang::En).0.host, Host::Any);
        // Given twice, the last valid one counts, as the notice says.
        let (p, notices) = parse("host=https://a.example&host=oops", Lang::En);
        assert_eq!(p.host, Host::Only("https://a.example".into()));
        assert!(notices.last().is_some_and(|n| n.ends_with("the last valid value counts.")), "{notices:?}");
    }

    #[test]
    fn compare_view_says_where_a_links_run_opens() {
        let (p, notices) = parse("view=compare&cmds=0.c.0&t=5000000", Lang::En);
        assert!(p.compare && p.commands.len() == 1);
        assert_eq!(
            notices,
            ["Compare view starts both sides at 0 s: the link's moment and commands (t, cmds) open in “Explore the system”."]
        );
        assert!(parse("view=compare&servers=4", Lang::En).1.is_empty());
        assert!(
            parse("view=compare&servers=4&autoplay=0&t=0", Lang::En).1.is_empty(),
            "the start is no moment to leave behind"
        );
        // With a tour, which compare view drops, too.
        let (_, notices) = parse("view=compare&scenario=cache&t=5000000", Lang::En);
        assert_eq!(notices.len(), 2, "{notices:?}");
    }

    #[test]
    fn decoding_is_total() {
        assert_eq!(percent_decode("a+b%20c%zz%4"), "a b c%zz%4");
        let long = "x".repeat(5_000);
        let (_, notices) = parse(&format!("{long}=1"), Lang::En);
        assert!(notices[0].len() < 80);
    }
}
