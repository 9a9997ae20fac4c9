//! The host-page API: a page that embeds StateLab in an `<iframe>` can drive it with
//! `postMessage` and hear what happens. Every message is checked: it must be an object tagged
//! `statelab: 1`, come from the parent window, and — when the `host` URL parameter names an
//! origin — from that origin, which is also the only one events are posted to. A `host` that
//! names none turns the API off: the instructor meant to lock the frame.
//!
//! In: `{statelab: 1, type: "play" | "pause" | "step" | "reset"}` and
//! `{statelab: 1, type: "command", command: {cmd: "crash_server", server: 0}}` (any command by its
//! snake_case name; fields as integers, booleans or enum names). Out: `ready`, `command_applied`, `command_refused`,
//! `user_logged_out`, `step_changed`, `prediction_answered`, `checkpoint_reached`, `error`.
//! While compare view shows, the messages drive its two panes instead of the hidden lab; when
//! only one pane takes a command, each pane's answer comes apart, with `pane` naming its mode.

use std::cell::RefCell;

use js_sys::{Object, Reflect};
use leptos::prelude::*;
use statelab_sim::{Command, CommandError, Event, EventKind, Keyed, LbAlgorithm, Mode, Pattern, StoreKind};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::lab::Lab;
use crate::link;
use crate::params::Host;
use crate::ui::compare::Panes;

thread_local! {
    /// The origin events go to ("*" when no `host` was given); `None` outside a frame.
    static TARGET: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Compare view's panes while it shows: the host's messages drive them instead of the lab.
    static PANES: RefCell<Option<Panes>> = const { RefCell::new(None) };
}

/// Hands the host's messages to compare view's panes while it shows (`Some`), and back to the
/// lab when it goes (`None`).
pub fn drive(panes: Option<Panes>) {
    PANES.with(|p| *p.borrow_mut() = panes);
}

/// What a host message drives: compare view's two panes while they show, else the lab.
struct Driven {
    lab: Lab,
    panes: Option<Panes>,
}

impl Driven {
    fn now(lab: Lab) -> Self {
        Self { lab, panes: PANES.with(|p| *p.borrow()) }
    }

    fn set_playing(&self, on: bool) {
        self.panes.map_or(self.lab.playing, |p| p.playing).set(on);
    }

    /// As the Step button: pause, then one step.
    fn step(&self) {
        match self.panes {
            Some(panes) => panes.step(),
            None => self.lab.step(),
        }
    }

    fn reset(&self) {
        match self.panes {
            Some(panes) => panes.reset(),
            None => self.lab.restart(None),
        }
    }

    /// Why the driven view refuses `cmd` as a whole: compare view's panes differ in their mode
    /// alone, so neither may switch it.
    fn refusal(&self, cmd: &Command) -> Option<&'static str> {
        (self.panes.is_some() && matches!(cmd, Command::SetMode { .. }))
            .then_some("compare view keeps one pane stateful and the other stateless")
    }

    /// Applies `cmd` and hands each outcome to `tell`: for the lab, before its effects are
    /// published (compare view's panes tell the host nothing of their effects).
    fn send(&self, cmd: Command, mut tell: impl FnMut(&Result<(), CommandError>, Option<Mode>)) {
        match self.panes {
            Some(panes) => {
                let [stateful, stateless] = panes.send(cmd);
                for (result, pane) in outcomes(stateful, stateless) {
                    tell(&result, pane);
                }
            }
            None => self.lab.try_send(cmd, |result| tell(result, None)),
        }
    }
}

/// What the host hears of a command sent to both panes: one answer when they agree, else one
/// per pane, named by its mode, so a command that changed one side is never reported as refused.
fn outcomes(
    stateful: Result<(), CommandError>,
    stateless: Result<(), CommandError>,
) -> Vec<(Result<(), CommandError>, Option<Mode>)> {
    match (stateful, stateless) {
        (Ok(()), Ok(())) => vec![(Ok(()), None)],
        (Err(why), Err(_)) => vec![(Err(why), None)],
        (left, right) => vec![(left, Some(Mode::Stateful)), (right, Some(Mode::Stateless))],
    }
}

/// `text` as the browser spells the origin it names, such as `https://school.example:8443`:
/// lower case and without its scheme's default port, since a message's origin is compared with
/// it as a string. A page's whole address, as an instructor copies it, names its origin too.
/// `None` when it names no origin.
pub fn origin(text: &str) -> Option<String> {
    let (scheme, rest) = text.split_once("://")?;
    let rest = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let scheme = scheme.to_ascii_lowercase();
    let default = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let rest = rest.to_ascii_lowercase();
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => (host, Some(port)),
        _ => (rest.as_str(), None),
    };
    let v6 = host.len() > 2
        && host.starts_with('[')
        && host.ends_with(']')
        && host[1..host.len() - 1].chars().all(|c| c.is_ascii_hexdigit() || c == ':');
    let labels: Vec<&str> = host.split('.').collect();
    // A name ending in a number is an IPv4 address, which the browser spells in four decimal
    // parts: another spelling ("127.1", "0x7f.1") would never match a message's origin.
    let numeric = labels.last().is_some_and(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()));
    let ipv4 = labels.len() == 4 && labels.iter().all(|l| l.parse::<u8>().is_ok_and(|n| n.to_string() == *l));
    let name = host.len() <= 253
        && labels.iter().all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && (!numeric || ipv4);
    if !(v6 || name) {
        return None;
    }
    let port = match port {
        None => None,
        Some(p) if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) => return None,
        Some(p) => match p.parse::<u16>().ok()? {
            0 => return None,
            n if n == default => None,
            n => Some(n),
        },
    };
    Some(match port {
        Some(n) => format!("{scheme}://{host}:{n}"),
        None => format!("{scheme}://{host}"),
    })
}

/// A command's snake_case name, its link code and the integer fields it takes, in link order.
const COMMANDS: [(&str, &str, &[&str]); 23] = [
    ("set_mode", "m", &["mode"]),
    ("crash_server", "c", &["server"]),
    ("restart_server", "r", &["server"]),
    ("add_server", "a", &[]),
    ("remove_server", "x", &["server"]),
    ("misroute", "w", &["user"]),
    ("set_algorithm", "l", &["algorithm"]),
    ("set_traffic", "t", &["rate_per_s", "pattern"]),
    ("spike", "s", &[]),
    ("set_cache_enabled", "k", &["enabled"]),
    ("crash_cache", "kc", &[]),
    ("restart_cache", "kr", &[]),
    ("set_session_store", "ss", &["kind", "persistence", "replica"]),
    ("crash_session_store", "sc", &[]),
    ("restart_session_store", "sr", &[]),
    ("crash_db_node", "dc", &["node"]),
    ("restart_db_node", "dr", &["node"]),
    ("promote_replica", "dp", &["node"]),
    ("add_replica", "da", &[]),
    ("remove_replica", "dx", &["node"]),
    ("set_replication_lag", "dl", &["min_ms", "max_ms"]),
    (
        "set_autoscaling",
        "as",
        &["enabled", "scale_out_pct", "scale_in_pct", "min_servers", "max_servers", "interval_ms", "cooldown_ms"],
    ),
    ("set_health_check", "h", &["interval_ms"]),
];

/// An enum field given by name (`mode: "stateless"`): its index, which links and the host's
/// integers use.
fn enum_index(field: &str, name: &str) -> Option<u64> {
    fn index<T: Keyed>(name: &str) -> Option<u64> {
        T::from_key(name).map(|c| c.index() as u64)
    }
    match field {
        "mode" => index::<Mode>(name),
        "algorithm" => index::<LbAlgorithm>(name),
        "pattern" => index::<Pattern>(name),
        "kind" => index::<StoreKind>(name),
        _ => None,
    }
}

/// The fields that are switches, given as `true` or `false`.
const SWITCHES: [&str; 3] = ["enabled", "persistence", "replica"];
/// The fields that are choices, given by name (see [`enum_index`]).
const CHOICES: [&str; 4] = ["mode", "algorithm", "pattern", "kind"];

/// Reads a field as the integer a link writes for it: a choice (mode, algorithm, pattern, kind)
/// by its name, a switch as `true` or `false`, anything else as a whole number. A value of
/// another type is not valid, so the error names its field.
fn integer(obj: &JsValue, field: &str) -> Option<u64> {
    let v = Reflect::get(obj, &JsValue::from_str(field)).ok()?;
    if SWITCHES.contains(&field) {
        return v.as_bool().map(u64::from);
    }
    if CHOICES.contains(&field) {
        return enum_index(field, &v.as_string()?);
    }
    let n = v.as_f64()?;
    (n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX)).then_some(n as u64)
}

/// Turns a message's `command` object into a command, or says why not. `set_autoscaling`'s
/// fields may also sit in a `policy` object, as the sim's own JSON writes them; one given
/// beside `cmd` counts first, even when it is not valid.
fn command(obj: &JsValue) -> Result<Command, String> {
    if !obj.is_object() {
        return Err("command must be an object".into());
    }
    let name = Reflect::get(obj, &JsValue::from_str("cmd"))
        .ok()
        .and_then(|v| v.as_string())
        .ok_or("command.cmd is missing")?;
    let policy =
        Reflect::get(obj, &JsValue::from_str("policy")).ok().filter(|p| name == "set_autoscaling" && p.is_object());
    command_named(&name, |field| {
        let beside = Reflect::has(obj, &JsValue::from_str(field)).unwrap_or(false);
        match &policy {
            Some(p) if !beside => integer(p, field),
            _ => integer(obj, field),
        }
    })
}

/// The command called `name` with its fields read by `field`, through the link decoder, so a
/// host's command is checked exactly as a shared link's is.
fn command_named(name: &str, field: impl Fn(&str) -> Option<u64>) -> Result<Command, String> {
    let (_, code, fields) = COMMANDS
        .iter()
        .find(|(n, _, _)| *n == name)
        .ok_or_else(|| format!("unknown command {:?}", name.chars().take(40).collect::<String>()))?;
    let args: Vec<u64> = fields
        .iter()
        .map(|f| field(f).ok_or_else(|| format!("command field {f} is missing or not valid")))
        .collect::<Result<_, _>>()?;
    let text =
        std::iter::once(format!("0.{code}")).chain(args.iter().map(u64::to_string)).collect::<Vec<_>>().join(".");
    link::decode(&text)
        .map_err(|_| "command fields out of range".to_string())?
        .commands
        .pop()
        .map(|(_, c)| c)
        .ok_or_else(|| "empty command".into())
}

/// Posts `{statelab: 1, type, ...fields}` to the host page, if there is one.
pub fn post(kind: &str, fields: &[(&str, JsValue)]) {
    let Some(target) = TARGET.with(|t| t.borrow().clone()) else { return };
    let Some(window) = web_sys::window() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    let msg = Object::new();
    let _ = Reflect::set(&msg, &"statelab".into(), &JsValue::from(1));
    let _ = Reflect::set(&msg, &"type".into(), &JsValue::from_str(kind));
    for (k, v) in fields {
        let _ = Reflect::set(&msg, &JsValue::from_str(k), v);
    }
    let _ = parent.post_message(&msg, &target);
}

/// Tells the host about events it cares about.
pub fn forward(event: &Event) {
    if let EventKind::LoggedOut { user, reason } = &event.kind {
        post(
            "user_logged_out",
            &[
                ("user", user.to_string().into()),
                ("reason", reason.to_string().into()),
                ("at_us", JsValue::from(event.at_us as f64)),
            ],
        );
    }
}

/// Starts listening when the page is framed, to the page `host` allows.
pub fn connect(lab: Lab, host: Host) {
    let Some(window) = web_sys::window() else { return };
    // The messages the loading page kept (assets/boot.js), which it keeps no more.
    let early = Reflect::get(&window, &"statelabEarly".into()).ok().and_then(|v| v.dyn_into::<js_sys::Array>().ok());
    let _ = Reflect::set(&window, &"statelabEarly".into(), &JsValue::NULL);
    let framed = window.parent().ok().flatten().is_some_and(|p| !Object::is(&p, &window));
    let host = match host {
        _ if !framed => return,
        Host::Nobody => return,
        Host::Any => None,
        Host::Only(origin) => Some(origin),
    };
    TARGET.with(|t| *t.borrow_mut() = Some(host.clone().unwrap_or_else(|| "*".into())));
    let parent = window.parent().ok().flatten();
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        let from_parent = match (ev.source(), &parent) {
            (Some(src), Some(p)) => Object::is(&src, p),
            _ => false,
        };
        if !from_parent || host.as_ref().is_some_and(|h| *h != ev.origin()) {
            return;
        }
        let data = ev.data();
        let tagged =
            data.is_object() && Reflect::get(&data, &"statelab".into()).ok().and_then(|v| v.as_f64()) == Some(1.0);
        if !tagged {
            // A message for this lab sent as JSON text, a common slip, hears why nothing happened.
            if data.as_string().is_some_and(|text| text.contains("statelab")) {
                post("error", &[("message", "a message is an object, not JSON text".into())]);
            }
            return;
        }
        let kind = Reflect::get(&data, &"type".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
        let driven = Driven::now(lab);
        match kind.as_str() {
            "play" => driven.set_playing(true),
            "pause" => driven.set_playing(false),
            "step" => driven.step(),
            "reset" => driven.reset(),
            "command" => {
                let cmd = Reflect::get(&data, &"command".into())
                    .map_err(|_| "command is missing".to_string())
                    .and_then(|c| command(&c));
                match cmd {
                    Ok(cmd) => {
                        // The host protocol speaks English whatever the page's language.
                        let text = cmd.to_string();
                        if let Some(why) = driven.refusal(&cmd) {
                            post("command_refused", &[("command", text.into()), ("reason", why.into())]);
                            return;
                        }
                        driven.send(cmd, |result, pane| {
                            let mut fields = vec![("command", JsValue::from_str(&text))];
                            fields.extend(pane.map(|mode| ("pane", mode.key().into())));
                            match result {
                                Err(why) => {
                                    fields.push(("reason", why.to_string().into()));
                                    post("command_refused", &fields);
                                }
                                Ok(()) => post("command_applied", &fields),
                            }
                        });
                    }
                    Err(why) => post("error", &[("message", why.into())]),
                }
            }
            _ => post("error", &[("message", "unknown message type".into())]),
        }
    });
    let _ = window.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    let listener: &js_sys::Function = on_message.as_ref().unchecked_ref();
    for ev in early.iter().flat_map(js_sys::Array::iter) {
        let _ = listener.call1(&JsValue::NULL, &ev);
    }
    // The listener lives as long as the page.
    on_message.forget();
    post("ready", &[]);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A command that changed one pane and not the other is never told as refused outright.
    #[test]
    fn compare_answers_per_pane_only_when_the_panes_disagree() {
        let full = || Err(CommandError::TooManyServers);
        assert_eq!(outcomes(Ok(()), Ok(())), [(Ok(()), None)]);
        assert_eq!(outcomes(full(), full()), [(full(), None)]);
        assert_eq!(outcomes(full(), Ok(())), [(full(), Some(Mode::Stateful)), (Ok(()), Some(Mode::Stateless))]);
        assert_eq!(outcomes(Ok(()), full()), [(Ok(()), Some(Mode::Stateful)), (full(), Some(Mode::Stateless))]);
    }

    /// Every command, written as a host page writes it (the sim's own JSON, an autoscaling
    /// policy's fields beside `cmd`), reads back as itself: the host's table of names, codes and
    /// field order agrees with the sim and with links.
    #[test]
    fn every_command_reads_back_from_its_json() {
        use std::collections::BTreeSet;
        for cmd in link::every_command() {
            let mut json = serde_json::to_value(&cmd).unwrap();
            let obj = json.as_object_mut().unwrap();
            if let Some(serde_json::Value::Object(policy)) = obj.remove("policy") {
                obj.extend(policy);
            }
            let name = obj["cmd"].as_str().unwrap().to_string();
            let field = |f: &str| match obj.get(f)? {
                serde_json::Value::Bool(b) => Some(u64::from(*b)),
                serde_json::Value::String(s) => enum_index(f, s),
                v => v.as_u64(),
            };
            assert_eq!(command_named(&name, field), Ok(cmd.clone()), "{name}");
        }
        let tested: BTreeSet<String> = link::every_command()
            .iter()
            .map(|c| link::encode(&[(0, c.clone())]).split('.').nth(1).unwrap_or_default().to_string())
            .collect();
        assert_eq!(
            tested,
            COMMANDS.iter().map(|(_, code, _)| code.to_string()).collect::<BTreeSet<_>>(),
            "every row of the table is tested"
        );
    }

    #[test]
    fn an_origin_is_read_as_the_browser_spells_it() {
        assert_eq!(origin("https://school.example").as_deref(), Some("https://school.example"));
        assert_eq!(origin("http://127.0.0.1:8080").as_deref(), Some("http://127.0.0.1:8080"));
        assert_eq!(origin("http://[::1]:8080").as_deref(), Some("http://[::1]:8080"));
        // As the browser spells a message's origin, or no message would ever match.
        assert_eq!(origin("HTTPS://School.Example").as_deref(), Some("https://school.example"));
        assert_eq!(origin("https://a.example:443").as_deref(), Some("https://a.example"));
        assert_eq!(origin("http://a.example:80").as_deref(), Some("http://a.example"));
        assert_eq!(origin("http://a.example:443").as_deref(), Some("http://a.example:443"));
        // A page's address, pasted whole.
        assert_eq!(origin("https://a.example/").as_deref(), Some("https://a.example"));
        assert_eq!(origin("https://A.example:8443/course/1?x=1#y").as_deref(), Some("https://a.example:8443"));
        assert_eq!(origin("https://a.example?x").as_deref(), Some("https://a.example"));
        for bad in [
            "javascript:alert(1)",
            "https://<script>",
            "*",
            "https://a:b:c",
            "https://a.example:99999",
            "https://a.example:+1",
            "https://a.example:",
            "https://",
            "https://a..example",
            "https:///a.example",
            "http://127.1",
            "http://0x7f.0.0.1",
            "http://127.000.0.1",
            "http://256.0.0.1",
            "https://user@a.example",
            "ftp://a.example",
        ] {
            assert_eq!(origin(bad), None, "{bad}");
        }
    }
}
