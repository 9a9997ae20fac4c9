//! The discrete-event engine: an agenda of timed events over integer microseconds, the
//! components, and the rules that move each request through them.
//!
//! A request's life: DNS (if the browser's cache expired) → CDN edge for a page's static file
//! → balancer → server queue → a worker reads the session (memory or shared store) → product
//! read through the cache, or a write on the master → session write → compute → response.

use std::collections::VecDeque;

use crate::agenda::Agenda;
use crate::autoscaler::{Autoscaler, Decision, Readout};
use crate::balancer::{sticky_pick, Balancer, Candidate, LbAlgorithm};
use crate::cache::Cache;
use crate::cdn::Cdn;
use crate::command::{Command, CommandError};
use crate::config::{limits, ConfigError, Mode, Pipeline, ServiceTime, SimConfig};
use crate::database::{Database, DbName, DbNode, DbNodeId, DbRole};
use crate::dns::Dns;
use crate::event::{EventKind, EventLog, FailReason, LogoutReason};
use crate::metrics::{Metrics, Sample};
use crate::request::{Action, Completed, Hop, HopKind, Node, Phase, ReqRef, Request, Watch};
use crate::rng::SimRng;
use crate::server::{Server, ServerId, ServerState, Tally};
use crate::snapshot::{CacheView, DbView, RequestView, ServerView, Snapshot, StoreView, Totals};
use crate::store::{CrashOutcome, SessionStore, FAILOVER_US};
use crate::time::{MS, SEC};
use crate::traffic::Traffic;
use crate::user::{Region, Session, SessionHome, User, UserId, UserState, CART_LIMIT, CURRENCIES};

/// Finished requests kept for the waterfall view; [`Sim::completed`] never holds more.
pub const RECENT_COMPLETED: usize = 256;
/// Stopped servers kept for display before the oldest is forgotten.
const STOPPED_KEPT: usize = 4;
/// Re-check interval while the arrival rate is zero [µs].
const IDLE_RECHECK_US: u64 = 100 * MS;

/// Things that happen at a time.
#[derive(Clone, Copy, Debug)]
enum Ev {
    /// The next arrival of the traffic generation `gen`.
    Arrival(u64),
    /// The current hop of a request ends. The [`ReqRef`] is spelled out so the tag shares its
    /// word with the slot, which keeps agenda entries at 24 bytes.
    Step {
        slot: u32,
        id: u64,
    },
    HealthCheck(u64),
    Booted(ServerId),
    /// A metrics second closes.
    Tick,
    Autoscale(u64),
    /// A store with a replica finishes failing over.
    Failover(u64),
}

const _: () = assert!(std::mem::size_of::<Ev>() == 16, "agenda entries stay small");

/// A whole simulated web system.
#[derive(Clone)]
pub struct Sim {
    /// The config the run started from; commands never change it, so it plus the command log
    /// replays the run.
    cfg: SimConfig,
    /// Replication lag in force [ms]; starts from the config, changed by a command.
    lag_ms: (u32, u32),
    now_us: u64,
    rng: SimRng,
    agenda: Agenda<Ev>,
    /// Agenda entries processed, stale ones included.
    steps: u64,
    mode: Mode,
    users: Vec<User>,
    dns: Dns,
    cdn: Cdn,
    lb: Balancer,
    servers: Vec<Server>,
    store: SessionStore,
    cache: Cache,
    db: Database,
    autoscaler: Autoscaler,
    traffic: Traffic,
    requests: Vec<Option<Request>>,
    free_slots: Vec<u32>,
    in_flight: u32,
    next_req: u64,
    next_server: u32,
    arrival_gen: u64,
    /// The fraction of a µs by which the pending arrival falls after its scheduled time.
    arrival_carry_us: f64,
    health_gen: u64,
    autoscale_gen: u64,
    /// When the auto-scaler judges next [µs].
    autoscale_due_us: u64,
    failover_gen: u64,
    metrics: Metrics,
    log: EventLog,
    commands: Vec<(u64, Command)>,
    completed: VecDeque<Completed>,
    /// The id of the request the waterfall waits for, and it once finished: kept apart from `completed`,
    /// which a busy moment can turn over many times between two looks.
    watch: Option<u64>,
    watched: Option<Completed>,
    totals: Totals,
    logged_in: u32,
    logged_out: u32,
    /// Cumulative popularity of products (Zipf, weight 1/rank).
    popularity: Vec<f64>,
    /// Reads per database node at the last tick, to report per-second figures.
    node_reads_seen: Vec<(DbNodeId, u64)>,
    /// Reads since the last tick of the nodes removed or renamed since, under their old names.
    node_reads_gone: Vec<(DbName, u64)>,
    scratch: Vec<Candidate>,
    /// The balancer's pool as [`Sim::fill_candidates`] would build it, kept between requests
    /// because it only changes with a server's state or the balancer's view; `pool_at` holds
    /// each candidate's index in `servers`.
    pool: Vec<Candidate>,
    pool_at: Vec<usize>,
    /// A server's state or the balancer's view changed since `pool` was built.
    pool_stale: bool,
    /// Routing decisions that picked a server the balancer believed down; must stay 0.
    routes_to_marked_down: u64,
    /// A freed worker is starting its server's queue (see `release_worker`).
    starting_queued: bool,
}

impl Sim {
    /// Builds a system from a validated config, every user logged in if the config says so.
    pub fn new(cfg: SimConfig) -> Result<Self, ConfigError> {
        cfg.validate()?;
        let mut rng = SimRng::new(cfg.seed);
        let users = (0..cfg.users).map(|i| User::new(UserId(i), Region::ALL[rng.index(Region::ALL.len())])).collect();
        let mut popularity = Vec::with_capacity(cfg.products as usize);
        let mut sum = 0.0;
        for rank in 1..=cfg.products {
            sum += 1.0 / f64::from(rank);
            popularity.push(sum);
        }
        let mut sim = Self {
            lag_ms: cfg.database.lag_ms,
            now_us: 0,
            rng,
            agenda: Agenda::new(),
            steps: 0,
            mode: cfg.mode,
            users,
            dns: Dns::default(),
            cdn: Cdn::new(cfg.cdn.assets),
            lb: Balancer::new(cfg.balancer.algorithm, u64::from(cfg.balancer.health_check_ms) * MS),
            servers: Vec::new(),
            store: SessionStore::new(&cfg.store),
            cache: Cache::new(cfg.cache.enabled, cfg.cache.capacity, u64::from(cfg.cache.ttl_ms) * MS, cfg.products),
            db: Database::new(cfg.database.replicas, cfg.products, cfg.database.connections),
            autoscaler: Autoscaler::new(cfg.autoscaler.clone()),
            traffic: Traffic::new(cfg.traffic.rate_per_s, cfg.traffic.pattern, 0),
            requests: Vec::new(),
            free_slots: Vec::new(),
            in_flight: 0,
            next_req: 0,
            next_server: 0,
            arrival_gen: 0,
            arrival_carry_us: 0.0,
            health_gen: 0,
            autoscale_gen: 0,
            autoscale_due_us: 0,
            failover_gen: 0,
            metrics: Metrics::new(cfg.history_s as usize),
            log: EventLog::new(cfg.event_log as usize, cfg.users as usize),
            commands: Vec::new(),
            completed: VecDeque::with_capacity(RECENT_COMPLETED),
            watch: None,
            watched: None,
            totals: Totals::default(),
            logged_in: 0,
            logged_out: 0,
            popularity,
            node_reads_seen: Vec::new(),
            node_reads_gone: Vec::new(),
            scratch: Vec::new(),
            pool: Vec::new(),
            pool_at: Vec::new(),
            pool_stale: true,
            starting_queued: false,
            routes_to_marked_down: 0,
            cfg,
        };
        for _ in 0..sim.cfg.servers {
            let id = sim.new_server_id();
            sim.servers.push(Server::new(id, ServerState::Healthy, 0));
            sim.mark(id, true);
        }
        if sim.cfg.start_logged_in && sim.cfg.pipeline == Pipeline::Full {
            for u in 0..sim.users.len() {
                sim.give_session(UserId(u as u32));
                sim.users[u].state = UserState::LoggedIn;
                sim.logged_in += 1;
            }
        }
        sim.schedule(0, Ev::Arrival(0));
        sim.schedule(SEC, Ev::Tick);
        sim.schedule_health_check();
        sim.schedule_autoscale();
        Ok(sim)
    }

    // ----- reading the system -------------------------------------------------------------

    /// Current simulated time [µs].
    pub fn now_us(&self) -> u64 {
        self.now_us
    }

    /// The config the run started from. Commands never change it, so [`Sim::mode`] and the live
    /// parts may differ from it; with [`Sim::commands`] it replays the run.
    pub fn config(&self) -> &SimConfig {
        &self.cfg
    }

    /// Where sessions live now; a `SetMode` command may have switched it since the start.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Every browser in id order (`users()[id.0]`); carts and sessions are here, not in a snapshot.
    pub fn users(&self) -> &[User] {
        &self.users
    }

    /// One browser with its session, for the inspector and the avatar strip; `None` past the end.
    pub fn user(&self, id: UserId) -> Option<&User> {
        self.users.get(id.0 as usize)
    }

    /// Servers in id order, stopped ones included until forgotten.
    pub fn servers(&self) -> &[Server] {
        &self.servers
    }

    /// A server by id; `None` once a stopped one is forgotten. Ids are never reused, so a stale id
    /// finds nothing rather than another server.
    pub fn server(&self, id: ServerId) -> Option<&Server> {
        self.index_of(id).map(|i| &self.servers[i])
    }

    /// Position of a server in `servers`, which stays sorted by id (ids only grow, and
    /// removing a stopped server keeps the order), so a binary search finds it.
    fn index_of(&self, id: ServerId) -> Option<usize> {
        self.servers.binary_search_by_key(&id, |s| s.id).ok()
    }

    /// The live session store; its kind and settings decide what a crash costs (`crash_outcome`).
    pub fn store(&self) -> &SessionStore {
        &self.store
    }

    /// The product cache and its hit and miss counts since the start, which the CLI reports.
    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    /// Every node with its counts and its current name; the charts name their read series by it.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// The balancer's view of which servers are up, lagging the truth until the next health check.
    pub fn balancer(&self) -> &Balancer {
        &self.lb
    }

    /// The policy in force, which a command may have replaced.
    pub fn autoscaler(&self) -> &Autoscaler {
        &self.autoscaler
    }

    /// Why the auto-scaler, if on, holds now whatever the load (see [`Autoscaler::wait`]).
    pub fn autoscaler_wait(&self) -> Option<crate::autoscaler::Wait> {
        self.autoscaler.policy.enabled.then(|| self.autoscaler.wait(self.now_us, self.booting()))?
    }

    /// What the auto-scaler weighs now (see [`Readout`]); `None` before a second has closed.
    pub fn autoscaler_readout(&self) -> Option<Readout> {
        let (window_s, mean_pct) = self.judged_utilization()?;
        let policy = &self.autoscaler.policy;
        let wait = self.autoscaler_wait();
        // While it waits, that is why it holds; the mean is not the reason then.
        let sticky = self.mode == Mode::Stateful && policy.enabled && wait.is_none() && mean_pct < policy.scale_out_pct;
        let sticky_overload = sticky
            .then(|| {
                let workers = self.cfg.server.workers;
                let full = self.servers.iter().filter(|s| s.state.is_healthy() && s.queued() >= workers);
                full.max_by_key(|s| s.queued()).map(|s| s.id)
            })
            .flatten();
        let unserved_s = self.judged_seconds().filter(|x| x.unserved()).count() as u32;
        let acts = self.scaling_decision(mean_pct) != Decision::Hold;
        let next_us = acts.then(|| self.autoscale_due_us.saturating_sub(self.now_us));
        Some(Readout { window_s, mean_pct, unserved_s, wait, sticky_overload, next_us })
    }

    /// The mean utilization the auto-scaler acts on, over its interval's latest closed seconds:
    /// (seconds it covers, mean %); `None` before the first one.
    fn judged_utilization(&self) -> Option<(u32, u32)> {
        let (n, sum) = self.judged_seconds().fold((0u32, 0u32), |(n, sum), s| (n + 1, sum + s.utilization_pct));
        (n > 0).then(|| (n, sum / n))
    }

    /// The latest closed seconds, as many as the auto-scaler's interval has.
    fn judged_seconds(&self) -> impl Iterator<Item = &Sample> {
        let window = (self.autoscaler.interval_us() / SEC).max(1) as usize;
        self.metrics.samples().iter().rev().take(window)
    }

    /// What the auto-scaler decides now on a mean of `util_pct`: its judgement, and the readout's
    /// forecast of it. A crashed server serves nobody: it counts neither towards the minimum
    /// nor as capacity.
    fn scaling_decision(&self, util_pct: u32) -> Decision {
        let active = self.servers.iter().filter(|s| s.state.serves()).count() as u32;
        self.autoscaler.evaluate(self.now_us, util_pct, active, self.booting())
    }

    /// Servers booting now: the auto-scaler holds until they are up.
    fn booting(&self) -> u32 {
        Tally::of(self.servers.iter().map(|s| s.state)).booting
    }

    /// Per-second history for the charts and the CSV; the snapshot holds only the present.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// What happened, in order: the feed, the host page, the CLI and the tests all read it here.
    pub fn events(&self) -> &EventLog {
        &self.log
    }

    /// Hash of every event so far: equal hashes mean equal runs.
    pub fn trace_hash(&self) -> u64 {
        self.log.trace_hash()
    }

    /// Commands applied so far, with their times: with the seed, enough to replay the run.
    pub fn commands(&self) -> &[(u64, Command)] {
        &self.commands
    }

    /// Keeps the finished request `watch` picks for [`Sim::watched`], however many others
    /// finish before it is read; one already among [`Sim::completed`] counts.
    pub fn watch(&mut self, watch: Watch) {
        let id = match watch {
            Watch::Exact(id) => id,
            Watch::Next => self.next_req,
        };
        self.watch = Some(id);
        self.watched = self.completed.iter().find(|c| c.id == id).copied();
    }

    /// The request [`Sim::watch`] waits for, once it finished.
    pub fn watched(&self) -> Option<&Completed> {
        self.watched.as_ref()
    }

    /// The most recent finished requests, oldest first.
    pub fn completed(&self) -> &VecDeque<Completed> {
        &self.completed
    }

    /// Counts since the run began, which no ring forgets; a checkpoint diffs two to judge one step.
    pub fn totals(&self) -> Totals {
        self.totals
    }

    /// Every request under way; [`Sim::snapshot`] lists at most its cap of them.
    pub fn in_flight(&self) -> u32 {
        self.in_flight
    }

    /// Every request under way, in slab order (not age order); the snapshot's dots come from here.
    pub fn requests(&self) -> impl Iterator<Item = &Request> {
        self.requests.iter().flatten()
    }

    /// Users who lost their session and have no new one yet, a login under way included. Users
    /// who never logged in count in neither this nor [`Sim::logged_in`].
    pub fn logged_out(&self) -> u32 {
        self.logged_out
    }

    /// Users holding a session now; a login under way counts only once answered.
    pub fn logged_in(&self) -> u32 {
        self.logged_in
    }

    /// Agenda entries processed so far: the engine's unit of work, for throughput figures.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// When the next agenda entry falls due; the property tests step with it event by event,
    /// checking their invariants after each.
    pub fn next_event_us(&self) -> Option<u64> {
        self.agenda.next_at()
    }

    /// Entries waiting in the agenda; stays near the in-flight count in a healthy run, which the
    /// memory test asserts and the benchmark reports.
    pub fn scheduled_events(&self) -> usize {
        self.agenda.len()
    }

    /// Slots of the in-flight request slab, free ones included: its high-water mark, which the
    /// memory test keeps bounded and the benchmark reports.
    pub fn request_slots(&self) -> usize {
        self.requests.len()
    }

    /// Times the balancer picked a server it had marked down; anything but 0 is a bug.
    pub fn routes_to_marked_down(&self) -> u64 {
        self.routes_to_marked_down
    }

    /// Everything the UI draws, with at most `max_requests` in-flight requests listed.
    pub fn snapshot(&self, max_requests: usize) -> Snapshot {
        let now = self.now_us;
        let mut db: Vec<DbView> = self
            .db
            .nodes
            .iter()
            .map(|n| DbView {
                id: n.id,
                role: n.role,
                number: n.number,
                up: n.up,
                behind: n.behind,
                reads: n.reads,
                writes: n.writes,
                busy: n.busy(self.now_us),
                connections: n.connections(),
                waiting: n.waiting(self.now_us),
            })
            .collect();
        // As the page lists them: the master, then replicas by number (a demoted master that
        // rejoins as Replica 3 comes after Replica 2).
        db.sort_by_key(|n| (n.role == DbRole::Replica, n.number));
        let servers = self
            .servers
            .iter()
            .map(|s| ServerView {
                id: s.id,
                state: s.state,
                busy: s.busy,
                workers: self.cfg.server.workers,
                queued: s.queued(),
                sessions: s.sessions.len() as u32,
                boot_per_mille: s.boot_progress_per_mille(now),
                served: s.served,
            })
            .collect();
        let requests: Vec<RequestView> = self
            .requests()
            .take(max_requests)
            .map(|r| RequestView {
                id: r.id,
                user: r.user,
                action: r.action,
                hop: r.hop,
                progress_per_mille: r.hop.progress_per_mille(now),
            })
            .collect();
        Snapshot {
            now_us: now,
            mode: self.mode,
            algorithm: self.effective_algorithm(),
            health_check_ms: (self.lb.health_check_us / MS) as u32,
            pattern: self.traffic.pattern_at(now),
            base_rate_per_s: self.traffic.base_per_s,
            rate_per_s: self.traffic.rate_per_s(now) as u32,
            spike_left_s: self.traffic.spike_left_s(now),
            servers,
            requests,
            store: StoreView {
                kind: self.store.kind,
                up: self.store.up,
                persistence: self.store.persistence,
                replica: self.store.replica,
                sessions: self.store.sessions,
            },
            cache: CacheView {
                enabled: self.cache.enabled,
                up: self.cache.up,
                recent_hit_per_mille: self.metrics.recent_cache_hit_per_mille(crate::snapshot::RECENT_S),
            },
            db,
            replication_lag_ms: self.lag_ms,
            users: self.users.len() as u32,
            logged_in: self.logged_in,
            logged_out: self.logged_out,
            cdn_hit_per_mille: self.cdn.hit_ratio_per_mille(),
            dns_cached_per_mille: self.dns.cached_per_mille(),
            autoscaling: self.autoscaler.policy.enabled,
            totals: self.totals,
            in_flight: self.in_flight,
        }
    }

    /// The balancing rule in force: stateful mode forces sticky sessions.
    pub fn effective_algorithm(&self) -> LbAlgorithm {
        if self.mode == Mode::Stateful {
            LbAlgorithm::Sticky
        } else {
            self.lb.algorithm
        }
    }

    // ----- running --------------------------------------------------------------------------

    /// Processes every event up to and including `t_us`, then sets the clock to `t_us`.
    pub fn run_until(&mut self, t_us: u64) {
        while let Some((at_us, ev)) = self.agenda.pop_due(t_us) {
            self.handle(at_us, ev);
        }
        self.now_us = self.now_us.max(t_us);
    }

    /// [`Sim::run_until`] measured from now: every event due within `dt_us` runs, none is skipped.
    pub fn advance(&mut self, dt_us: u64) {
        self.run_until(self.now_us.saturating_add(dt_us));
    }

    /// Processes the next event; returns its time, or `None` if nothing is scheduled.
    pub fn step(&mut self) -> Option<u64> {
        let (at_us, ev) = self.agenda.pop()?;
        self.handle(at_us, ev);
        Some(at_us)
    }

    fn handle(&mut self, at_us: u64, ev: Ev) {
        self.now_us = at_us;
        self.steps += 1;
        match ev {
            Ev::Arrival(gen) if gen == self.arrival_gen => self.arrival(),
            Ev::Arrival(_) => {}
            Ev::Step { slot, id } => {
                let r = ReqRef { slot, id };
                // Only the step of the request's current hop: a crash reroutes a request
                // mid-hop, and the interrupted hop's step must not end the new one early.
                if self.live(r) && self.req(r).hop.end_us == at_us {
                    self.hop_done(r);
                }
            }
            Ev::HealthCheck(gen) if gen == self.health_gen => {
                self.health_check();
                self.schedule_health_check();
            }
            Ev::HealthCheck(_) => {}
            Ev::Booted(id) => self.booted(id),
            Ev::Tick => self.tick(),
            // A judgement due as a second closes waits for that second's sample (filed later at
            // the same moment), so it weighs the mean the readout shows then.
            Ev::Autoscale(gen) if gen == self.autoscale_gen && self.second_closing() => {
                self.schedule(0, Ev::Autoscale(gen));
            }
            Ev::Autoscale(gen) if gen == self.autoscale_gen => self.autoscale(),
            Ev::Autoscale(_) => {}
            Ev::Failover(gen) if gen == self.failover_gen && !self.store.up => {
                self.store.up = true;
                // The standby is the primary now: there is no standby until the learner adds
                // one again, so a second crash meets the store's own durability.
                self.store.replica = false;
                self.emit(EventKind::StoreUp { kind: self.store.kind, standby: true });
            }
            Ev::Failover(_) => {}
        }
    }

    fn schedule(&mut self, delay_us: u64, ev: Ev) {
        self.agenda.push(self.now_us + delay_us, ev);
    }

    fn schedule_autoscale(&mut self) {
        self.autoscale_due_us = self.now_us + self.autoscaler.interval_us();
        self.schedule(self.autoscaler.interval_us(), Ev::Autoscale(self.autoscale_gen));
    }

    fn schedule_health_check(&mut self) {
        if self.lb.health_check_us > 0 {
            self.schedule(self.lb.health_check_us, Ev::HealthCheck(self.health_gen));
        }
    }

    fn emit(&mut self, kind: EventKind) {
        self.log.push(self.now_us, kind);
    }

    fn between_ms(&mut self, (lo, hi): (u32, u32)) -> u64 {
        self.rng.between(u64::from(lo) * MS, u64::from(hi) * MS)
    }

    fn between_us(&mut self, (lo, hi): (u32, u32)) -> u64 {
        self.rng.between(u64::from(lo), u64::from(hi))
    }

    fn product(&mut self) -> u32 {
        let total = self.popularity.last().copied().unwrap_or(1.0);
        let x = self.rng.unit() * total;
        let rank = self.popularity.partition_point(|&c| c <= x);
        rank.min(self.popularity.len() - 1) as u32
    }

    // ----- commands -------------------------------------------------------------------------

    /// Runs to `at_us`, then applies `cmd`: a command at time t comes after every event due at
    /// t. Every replay (links, scenarios, tours, the page's timeline) orders commands this way,
    /// so one log gives one run.
    pub fn apply_at(&mut self, at_us: u64, cmd: Command) -> Result<(), CommandError> {
        self.run_until(at_us);
        self.apply(cmd)
    }

    /// Applies a command now. On error nothing changed; on success it joins the command log,
    /// and its event comes before the events it caused, so the feed tells cause, then effect.
    pub fn apply(&mut self, cmd: Command) -> Result<(), CommandError> {
        // Named before it acts: a promotion renames the node it promotes.
        let db = cmd.db_node().and_then(|n| self.db.node(DbNodeId(n))).map(|n| n.name());
        self.log.hold();
        let result = self.execute(&cmd);
        self.log.release(result.is_ok().then(|| (self.now_us, EventKind::Command { cmd: cmd.clone(), db })));
        result?;
        self.commands.push((self.now_us, cmd));
        Ok(())
    }

    /// Holds a command's new setting to the config's own ranges: `set` writes it into a copy
    /// of the config, which must still validate.
    fn check(&self, set: impl FnOnce(&mut SimConfig)) -> Result<(), CommandError> {
        let mut probe = self.cfg.clone();
        set(&mut probe);
        probe.validate().map_err(CommandError::Config)
    }

    fn server_index(&self, id: ServerId) -> Result<usize, CommandError> {
        self.index_of(id).ok_or(CommandError::NoSuchServer(id))
    }

    fn db_node(&self, node: u32) -> Result<DbNodeId, CommandError> {
        self.db.node(DbNodeId(node)).map(|n| n.id).ok_or(CommandError::NoSuchDbNode(node))
    }

    fn execute(&mut self, cmd: &Command) -> Result<(), CommandError> {
        match cmd {
            Command::SetMode { mode } => {
                if *mode == self.mode {
                    return Err(CommandError::AlreadyThere("sessions are already kept that way"));
                }
                self.switch_mode(*mode);
            }
            Command::CrashServer { server } => {
                let i = self.server_index(*server)?;
                let state = self.servers[i].state;
                if !state.is_running() {
                    return Err(CommandError::WrongServerState { server: *server, state, wanted: "running" });
                }
                self.crash_server(i);
            }
            Command::RestartServer { server } => {
                let i = self.server_index(*server)?;
                let state = self.servers[i].state;
                if state.is_running() {
                    return Err(CommandError::WrongServerState {
                        server: *server,
                        state,
                        wanted: "crashed or stopped",
                    });
                }
                // A stopped server is out of the count; starting it again must respect the cap.
                if state == ServerState::Stopped && self.running_servers() >= limits::SERVERS {
                    return Err(CommandError::TooManyServers);
                }
                self.boot(i);
            }
            Command::AddServer => {
                if self.running_servers() >= limits::SERVERS {
                    return Err(CommandError::TooManyServers);
                }
                self.add_server();
            }
            Command::RemoveServer { server } => {
                let i = self.server_index(*server)?;
                crate::server::removal(self.servers.iter().map(|s| (s.id, s.state)), *server)?;
                self.remove_server(i);
            }
            Command::Misroute { user } => {
                if self.user(*user).is_none() {
                    return Err(CommandError::NoSuchUser(*user));
                }
                self.fill_candidates(None);
                if self.scratch.len() < 2 {
                    return Err(CommandError::NoOtherServer);
                }
                self.users[user.0 as usize].misroute_next = true;
            }
            Command::SetAlgorithm { algorithm } => self.lb.algorithm = *algorithm,
            Command::SetTraffic { rate_per_s, .. } => {
                self.check(|c| c.traffic.rate_per_s = *rate_per_s)?;
                self.set_traffic(self.traffic.after(cmd, self.now_us));
            }
            Command::Spike => self.set_traffic(self.traffic.after(cmd, self.now_us)),
            Command::SetCacheEnabled { enabled } => {
                self.cache.enabled = *enabled;
                if !enabled {
                    self.cache.clear();
                }
            }
            Command::CrashCache => {
                if !self.cache.up {
                    return Err(CommandError::AlreadyThere("the cache is already down"));
                }
                self.cache.up = false;
                self.cache.clear();
                self.emit(EventKind::CacheDown);
            }
            Command::RestartCache => {
                if self.cache.up {
                    return Err(CommandError::AlreadyThere("the cache is already up"));
                }
                self.cache.up = true;
                self.emit(EventKind::CacheUp);
            }
            Command::SetSessionStore { kind, persistence, replica } => {
                // A store that is down is not reconfigured: what it kept on disk, and whether a
                // standby takes over, were settled when it went down.
                if !self.store.up {
                    return Err(CommandError::StoreDown);
                }
                self.store.kind = *kind;
                self.store.persistence = *persistence;
                self.store.replica = *replica;
            }
            Command::CrashSessionStore => {
                if !self.store.up {
                    return Err(CommandError::AlreadyThere("the session store is already down"));
                }
                self.crash_store();
            }
            Command::RestartSessionStore => {
                if self.store.up {
                    return Err(CommandError::AlreadyThere("the session store is already up"));
                }
                self.failover_gen += 1;
                self.store.up = true;
                self.emit(EventKind::StoreUp { kind: self.store.kind, standby: false });
            }
            Command::CrashDbNode { node } => {
                let id = self.db_node(*node)?;
                let n = self.db.node_mut(id).ok_or(CommandError::NoSuchDbNode(*node))?;
                if !n.up {
                    return Err(CommandError::AlreadyThere("that database node is already down"));
                }
                let name = n.name();
                self.db.crash(id);
                self.emit(EventKind::DbDown { node: *node, name });
                // What it was running or holding fails now, not when it would have ended.
                for r in self.cut_db_hops(id) {
                    self.hop_done(r);
                }
            }
            Command::RestartDbNode { node } => {
                let id = self.db_node(*node)?;
                let n = self.db.node_mut(id).ok_or(CommandError::NoSuchDbNode(*node))?;
                if n.up {
                    return Err(CommandError::AlreadyThere("that database node is already up"));
                }
                n.up = true;
                let name = n.name();
                // A master back up lets every replica catch up; a replica catches up from it.
                let caught = self.db.catch_up(self.now_us);
                let behind = self.db.node(id).is_some_and(|n| n.behind);
                self.emit(EventKind::DbUp { node: *node, name, behind });
                self.tell_caught_up(caught);
            }
            Command::PromoteReplica { node } => {
                let id = self.db_node(*node)?;
                let n = self.db.node(id).ok_or(CommandError::NoSuchDbNode(*node))?;
                if n.role != DbRole::Replica {
                    return Err(CommandError::NotAReplica(*node));
                }
                if !n.up {
                    return Err(CommandError::DownNotPromoted(*node));
                }
                if n.behind {
                    return Err(CommandError::BehindNotPromoted(*node));
                }
                let was = n.name();
                // The second's reads so far stay with the names the two had while serving them.
                self.set_reads_aside(|n| n.id == id || n.role == DbRole::Master);
                let demoted = self.db.promote(id, self.now_us);
                let caught = self.db.catch_up(self.now_us);
                self.emit(EventKind::Promoted { node: *node, was, demoted });
                self.tell_caught_up(caught);
            }
            Command::AddReplica => {
                if self.db.replicas().count() as u32 >= limits::REPLICAS {
                    return Err(CommandError::TooManyReplicas);
                }
                if self.db.writer().is_none() {
                    return Err(CommandError::NoMasterToCopy);
                }
                self.db.add(DbRole::Replica, self.now_us);
            }
            Command::RemoveReplica { node } => {
                let n = self.db.node(DbNodeId(*node)).ok_or(CommandError::NoSuchDbNode(*node))?;
                if n.role != DbRole::Replica {
                    return Err(CommandError::NotAReplica(*node));
                }
                let (id, name) = (n.id, n.name());
                // Its reads of the second under way still belong in that second's figures.
                self.set_reads_aside(|n| n.id == id);
                self.db.remove(id);
                // Its reads under way, queued ones too, go to another node now. A write it still
                // had as the master before a promotion fails instead (see `after_db_write`).
                let cut = self.cut_db_hops(id);
                let reads = cut.iter().filter(|&&r| matches!(self.req(r).phase, Phase::DbRead(_))).count();
                if reads > 0 {
                    self.emit(EventKind::ReadsMoved { node: *node, name, count: reads as u32 });
                }
                for r in cut {
                    self.hop_done(r);
                }
            }
            Command::SetReplicationLag { min_ms, max_ms } => {
                self.check(|c| c.database.lag_ms = (*min_ms, *max_ms))?;
                self.lag_ms = (*min_ms, *max_ms);
            }
            Command::SetAutoscaling { policy } => {
                self.check(|c| c.autoscaler = policy.clone())?;
                let rescheduled = policy.interval_ms != self.autoscaler.policy.interval_ms;
                self.autoscaler.policy = policy.clone();
                // A new interval counts from now: the judgement due at the old one may be
                // minutes away.
                if rescheduled {
                    self.autoscale_gen += 1;
                    self.schedule_autoscale();
                }
            }
            Command::SetHealthCheck { interval_ms } => {
                self.check(|c| c.balancer.health_check_ms = *interval_ms)?;
                self.lb.health_check_us = u64::from(*interval_ms) * MS;
                self.health_gen += 1;
                if *interval_ms == 0 {
                    self.health_check();
                } else {
                    self.schedule_health_check();
                }
            }
        }
        Ok(())
    }

    fn tell_caught_up(&mut self, caught: Vec<DbNodeId>) {
        for id in caught {
            if let Some(name) = self.db.node(id).map(|n| n.name()) {
                self.emit(EventKind::CaughtUp { node: id.0, name });
            }
        }
    }

    fn set_traffic(&mut self, traffic: Traffic) {
        self.traffic = traffic;
        // Arrivals are memoryless, so the pending one can be redrawn at the new rate; a new
        // draw, not an arrival now, or every move of the slider would add a request.
        self.arrival_gen += 1;
        self.arrival_carry_us = 0.0;
        self.schedule_arrival();
    }

    /// Schedules the next arrival after a gap drawn at the rate in force.
    fn schedule_arrival(&mut self) {
        let rate = self.traffic.rate_per_s(self.now_us);
        let gap = if rate > 0.0 {
            // The agenda counts whole µs: the fraction is carried to the next gap, and gaps
            // under 1 µs share the µs, so 1 M requests/s comes out as 1 M, not 0.8 M.
            let exact = self.arrival_carry_us + self.rng.exp(1e6 / rate);
            let whole = exact.floor();
            self.arrival_carry_us = exact - whole;
            whole as u64
        } else {
            self.arrival_carry_us = 0.0;
            IDLE_RECHECK_US
        };
        self.schedule(gap, Ev::Arrival(self.arrival_gen));
    }

    /// The config a fresh run starts from to be sized as this one is now: the servers it has
    /// (not those removed, nor those draining to be removed) and the rate and pattern its
    /// traffic was last set to. Compare view, which replays no actions, starts from it.
    pub fn present_config(&self) -> SimConfig {
        let mut config = self.cfg.clone();
        let staying = self.servers.iter().filter(|s| !matches!(s.state, ServerState::Stopped | ServerState::Draining));
        config.servers = (staying.count() as u32).max(1);
        config.traffic.rate_per_s = self.traffic.base_per_s;
        config.traffic.pattern = self.traffic.pattern_at(self.now_us);
        config
    }

    fn running_servers(&self) -> u32 {
        self.servers.iter().filter(|s| s.state != ServerState::Stopped).count() as u32
    }

    fn new_server_id(&mut self) -> ServerId {
        self.next_server += 1;
        ServerId(self.next_server - 1)
    }

    /// Changes a server's state; every change goes through here so the cached pool follows.
    fn set_state(&mut self, i: usize, state: ServerState) {
        self.servers[i].set_state(self.now_us, state);
        self.pool_stale = true;
    }

    /// Records the balancer's view of a server, as [`Balancer::mark`] does.
    fn mark(&mut self, id: ServerId, up: bool) -> bool {
        self.pool_stale = true;
        if let Some(i) = self.index_of(id) {
            self.servers[i].set_pooled(self.now_us, up);
        }
        self.lb.mark(id, up)
    }

    fn add_server(&mut self) -> ServerId {
        let id = self.new_server_id();
        self.servers.push(Server::new(id, ServerState::Stopped, self.now_us));
        self.pool_stale = true;
        let i = self.servers.len() - 1;
        self.boot(i);
        id
    }

    fn boot(&mut self, i: usize) {
        let ready_at_us = self.now_us + u64::from(self.cfg.server.boot_ms) * MS;
        self.set_state(i, ServerState::Booting { ready_at_us });
        self.servers[i].boot_started_us = self.now_us;
        let id = self.servers[i].id;
        self.emit(EventKind::ServerState { server: id, state: ServerState::Booting { ready_at_us } });
        self.schedule(ready_at_us - self.now_us, Ev::Booted(id));
    }

    fn booted(&mut self, id: ServerId) {
        let Some(i) = self.index_of(id) else { return };
        if matches!(self.servers[i].state, ServerState::Booting { ready_at_us } if ready_at_us == self.now_us) {
            self.set_state(i, ServerState::Healthy);
            self.emit(EventKind::ServerState { server: id, state: ServerState::Healthy });
            self.sync_health(id);
        }
    }

    /// With instant health checks the balancer learns of every change at once.
    fn sync_health(&mut self, id: ServerId) {
        if self.lb.health_check_us == 0 {
            let up = self.server(id).is_some_and(|s| s.state.is_healthy());
            self.check_health(id, up);
        }
    }

    fn health_check(&mut self) {
        for i in 0..self.servers.len() {
            let (id, up) = (self.servers[i].id, self.servers[i].state.is_healthy());
            self.check_health(id, up);
        }
    }

    /// Applies one health verdict and, when it changed the balancer's view, says so, and says
    /// whom a server that joined takes from the others under the sticky rule.
    fn check_health(&mut self, id: ServerId, up: bool) {
        if !self.mark(id, up) {
            return;
        }
        self.emit(EventKind::HealthCheck { server: id, up });
        if up && self.mode() == Mode::Stateful {
            self.fill_candidates(None);
            let pool = &self.scratch;
            let moved = self
                .users
                .iter()
                .filter(|u| u.is_logged_in() && matches!(u.home, SessionHome::Server(h) if h != id))
                .filter(|u| sticky_pick(u.id, pool).0 == Some(id))
                .count();
            if moved > 0 {
                self.emit(EventKind::StickyMoved { server: id, users: moved as u32 });
            }
        }
    }

    fn crash_server(&mut self, i: usize) {
        let id = self.servers[i].id;
        self.set_state(i, ServerState::Crashed);
        self.servers[i].set_busy(self.now_us, 0);
        self.emit(EventKind::ServerState { server: id, state: ServerState::Crashed });
        // Everything in its memory is gone: sessions, then queued and running requests. The loss
        // is told first, so the story reads crash, lost sessions, then what became of requests.
        let lost: Vec<UserId> = std::mem::take(&mut self.servers[i].sessions).into_iter().collect();
        // Stateless, "none lost" is the point; stateful, a server that held nobody says nothing.
        if !lost.is_empty() || self.mode == Mode::Stateless {
            self.emit(EventKind::SessionsLost { server: id, count: lost.len() as u32 });
        }
        let victims: Vec<ReqRef> = self
            .requests
            .iter()
            .enumerate()
            .filter_map(|(slot, r)| r.as_ref().map(|r| (slot, r)))
            .filter(|(_, r)| r.server == Some(id) && r.phase.on_server())
            .map(|(slot, r)| ReqRef { slot: slot as u32, id: r.id })
            .collect();
        self.servers[i].queue.clear();
        let now = self.now_us;
        for r in victims {
            let Some(req) = self.req_mut(r) else { continue };
            req.has_worker = false;
            // The hop it was on ends now, not when it was due; a queue wait so far is charged.
            // A query it started runs on to its end at the database, which holds the connection.
            if req.phase == Phase::Queued {
                req.breakdown.charge(HopKind::Queue, now - req.hop.start_us);
                req.hop.end_us = now;
            } else {
                cut_hop(req, now);
            }
            // Whatever it read is asked again on the next server.
            req.db = None;
            if req.committed {
                // Its write happened; sending it again would write twice (a checkout charged
                // twice). The balancer cannot know, so the browser sees the error.
                self.fail(r, FailReason::ServerDown, Node::Server(id));
            } else {
                self.unreachable(r, id);
            }
        }
        for u in lost {
            self.users[u.0 as usize].home = SessionHome::None;
            self.logout(u, LogoutReason::ServerCrashed(id));
        }
        self.sync_health(id);
    }

    fn remove_server(&mut self, i: usize) {
        let id = self.servers[i].id;
        // An operator takes it out of the pool at once; no health check needed.
        if self.mark(id, false) {
            self.emit(EventKind::LeftPool { server: id });
        }
        if self.servers[i].state == ServerState::Healthy && self.servers[i].connections() > 0 {
            self.set_state(i, ServerState::Draining);
            self.emit(EventKind::ServerState { server: id, state: ServerState::Draining });
        } else {
            self.stop_server(i);
        }
    }

    fn stop_server(&mut self, i: usize) {
        let id = self.servers[i].id;
        self.set_state(i, ServerState::Stopped);
        self.emit(EventKind::ServerState { server: id, state: ServerState::Stopped });
        let lost: Vec<UserId> = std::mem::take(&mut self.servers[i].sessions).into_iter().collect();
        if !lost.is_empty() {
            self.emit(EventKind::SessionsLost { server: id, count: lost.len() as u32 });
        }
        for u in lost {
            self.users[u.0 as usize].home = SessionHome::None;
            self.logout(u, LogoutReason::ServerRemoved(id));
        }
        let stopped = self.servers.iter().filter(|s| s.state == ServerState::Stopped).count();
        if stopped > STOPPED_KEPT {
            // Never the one just stopped: a learner may want to restart it.
            if let Some(oldest) = self.servers.iter().position(|s| s.state == ServerState::Stopped && s.id != id) {
                self.servers.remove(oldest);
                self.pool_stale = true;
            }
        }
    }

    fn crash_store(&mut self) {
        self.store.up = false;
        // The crash is told before the logouts it causes, as a server's is.
        let held: Vec<UserId> = match self.store.crash_outcome() {
            CrashOutcome::SessionsLost => {
                self.users.iter().filter(|u| u.home == SessionHome::Store).map(|u| u.id).collect()
            }
            CrashOutcome::KeptUntilRestart => Vec::new(),
            CrashOutcome::FailsOver => {
                self.failover_gen += 1;
                self.schedule(FAILOVER_US, Ev::Failover(self.failover_gen));
                Vec::new()
            }
        };
        self.emit(EventKind::StoreDown { kind: self.store.kind, lost: held.len() as u32 });
        if !held.is_empty() {
            for &u in &held {
                self.users[u.0 as usize].home = SessionHome::None;
                self.logout(u, LogoutReason::StoreLost);
            }
            self.store.sessions = 0;
        }
    }

    fn switch_mode(&mut self, mode: Mode) {
        let mut moved = 0;
        // Logged out once the switch is told: the cause comes before its effects.
        let mut lost = Vec::new();
        self.mode = mode;
        match mode {
            Mode::Stateless => {
                for i in 0..self.servers.len() {
                    for u in std::mem::take(&mut self.servers[i].sessions) {
                        if self.store.up {
                            self.users[u.0 as usize].home = SessionHome::Store;
                            self.store.sessions += 1;
                            moved += 1;
                        } else {
                            self.users[u.0 as usize].home = SessionHome::None;
                            lost.push(u);
                        }
                    }
                }
            }
            Mode::Stateful => {
                for u in 0..self.users.len() {
                    if self.users[u].home != SessionHome::Store {
                        continue;
                    }
                    self.store.sessions = self.store.sessions.saturating_sub(1);
                    self.users[u].home = SessionHome::None;
                    // A store that is down cannot hand its sessions over.
                    if self.store.up && self.give_session(UserId(u as u32)) {
                        moved += 1;
                    } else {
                        lost.push(UserId(u as u32));
                    }
                }
            }
        }
        self.emit(EventKind::ModeChanged { mode, moved, lost: lost.len() as u32 });
        for u in lost {
            self.logout(u, LogoutReason::ModeSwitch);
        }
    }

    /// Places a user's session where the mode keeps it: the shared store, or the memory of
    /// their sticky server. Returns false when there is nowhere to put it.
    fn give_session(&mut self, u: UserId) -> bool {
        let user = &mut self.users[u.0 as usize];
        if user.session.is_none() {
            user.session = Some(Session::new(u));
        }
        match self.mode {
            Mode::Stateless => {
                self.store.sessions += 1;
                self.users[u.0 as usize].home = SessionHome::Store;
                true
            }
            Mode::Stateful => {
                self.fill_candidates(None);
                // Only a healthy machine can hold it (not one crashed or still booting),
                // whatever the balancer still believes.
                let servers = &self.servers;
                self.scratch.retain(|c| servers.iter().any(|s| s.id == c.id && s.state.is_healthy()));
                match crate::balancer::sticky_pick(u, &self.scratch).0 {
                    Some(s) => {
                        self.home_on_server(u, s);
                        true
                    }
                    None => false,
                }
            }
        }
    }

    fn home_on_server(&mut self, u: UserId, s: ServerId) {
        self.forget_session_home(u);
        if let Some(server) = self.index_of(s).map(|i| &mut self.servers[i]) {
            server.sessions.insert(u);
        }
        self.users[u.0 as usize].home = SessionHome::Server(s);
    }

    /// Removes the session from wherever it lives (an orphaned copy is discarded).
    fn forget_session_home(&mut self, u: UserId) {
        match self.users[u.0 as usize].home {
            SessionHome::Server(s) => {
                if let Some(server) = self.index_of(s).map(|i| &mut self.servers[i]) {
                    server.sessions.remove(&u);
                }
            }
            SessionHome::Store => self.store.sessions = self.store.sessions.saturating_sub(1),
            SessionHome::None => {}
        }
        self.users[u.0 as usize].home = SessionHome::None;
    }

    fn logout(&mut self, u: UserId, reason: LogoutReason) {
        let relogin = self.between_ms(self.cfg.relogin_ms);
        let user = &mut self.users[u.0 as usize];
        if !user.is_logged_in() {
            return;
        }
        user.state = UserState::LoggedOut { reason, relogin_at_us: self.now_us + relogin };
        user.last_logout = Some(reason);
        user.session = None;
        self.forget_session_home(u);
        self.logged_in -= 1;
        self.logged_out += 1;
        self.totals.logouts += 1;
        self.metrics.current.logouts += 1;
        self.emit(EventKind::LoggedOut { user: u, reason });
    }

    // ----- requests ---------------------------------------------------------------------------

    fn live(&self, r: ReqRef) -> bool {
        self.requests.get(r.slot as usize).is_some_and(|x| x.as_ref().is_some_and(|q| q.id == r.id))
    }

    fn req(&self, r: ReqRef) -> &Request {
        self.requests[r.slot as usize].as_ref().expect("live request")
    }

    fn req_mut(&mut self, r: ReqRef) -> Option<&mut Request> {
        self.requests.get_mut(r.slot as usize).and_then(|x| x.as_mut()).filter(|q| q.id == r.id)
    }

    fn arrival(&mut self) {
        self.schedule_arrival();
        if self.traffic.rate_per_s(self.now_us) <= 0.0 {
            return;
        }
        let u = UserId(self.rng.index(self.users.len()) as u32);
        if self.cfg.pipeline == Pipeline::ServersOnly {
            self.start(u, Action::Probe, 0);
            return;
        }
        let action = match self.users[u.0 as usize].state {
            UserState::LoggedIn => {
                let roll = self.rng.index(100);
                match roll {
                    0..=24 => Action::LoadPage,
                    25..=69 => Action::Browse,
                    70..=84 => Action::AddToCart,
                    85..=94 => Action::SetPreference,
                    _ if self.users[u.0 as usize].cart_len() > 0 => Action::Checkout,
                    _ => Action::Browse,
                }
            }
            UserState::Anonymous => Action::Login,
            UserState::LoggedOut { relogin_at_us, .. } if self.now_us >= relogin_at_us => Action::Login,
            // Logging in, or away after losing a session: no request this time.
            _ => return,
        };
        if action == Action::Login {
            // A logged-out user stays counted as such until the login is answered.
            self.users[u.0 as usize].state = UserState::LoggingIn;
        }
        let item = match action {
            Action::LoadPage => self.rng.index(self.cdn.assets()) as u32,
            Action::Browse | Action::AddToCart => self.product(),
            Action::Checkout => {
                self.users[u.0 as usize].session.as_ref().and_then(|s| s.cart.last().copied()).unwrap_or(0)
            }
            _ => 0,
        };
        self.start(u, action, item);
    }

    fn start(&mut self, user: UserId, action: Action, item: u32) {
        let id = self.next_req;
        self.next_req += 1;
        self.totals.issued += 1;
        self.in_flight += 1;
        let browser = Node::Browser(user);
        let request = Request {
            id,
            user,
            action,
            hop: Hop { kind: HopKind::Page, from: browser, to: browser, start_us: self.now_us, end_us: self.now_us },
            phase: Phase::Dns,
            started_us: self.now_us,
            server: None,
            item,
            retried_from: None,
            has_worker: false,
            committed: false,
            misrouted: false,
            sticky: false,
            db: None,
            hop_wait_us: 0,
            breakdown: Default::default(),
            cache_hit: None,
        };
        let slot = match self.free_slots.pop() {
            Some(s) => {
                self.requests[s as usize] = Some(request);
                s
            }
            None => {
                self.requests.push(Some(request));
                (self.requests.len() - 1) as u32
            }
        };
        let r = ReqRef { slot, id };
        if action == Action::Probe {
            self.route(r, None);
            return;
        }
        let u = user.0 as usize;
        if self.dns.needs_lookup(self.now_us, self.users[u].dns_expires_us) {
            let d = self.between_ms(self.cfg.dns.lookup_ms);
            self.users[u].dns_expires_us = Dns::expiry(&self.cfg.dns, self.now_us + d);
            self.hop(r, Phase::Dns, HopKind::Dns, browser, Node::Dns, d);
        } else {
            self.after_dns(r);
        }
    }

    /// Starts a hop of `duration_us` and schedules its end.
    fn hop(&mut self, r: ReqRef, phase: Phase, kind: HopKind, from: Node, to: Node, duration_us: u64) {
        let now = self.now_us;
        let Some(req) = self.req_mut(r) else { return };
        req.phase = phase;
        req.hop = Hop { kind, from, to, start_us: now, end_us: now + duration_us };
        req.hop_wait_us = 0;
        req.breakdown.charge(kind, duration_us);
        if let Node::Db(node) = to {
            req.db = Some(node);
        }
        self.schedule(duration_us, Ev::Step { slot: r.slot, id: r.id });
    }

    fn hop_done(&mut self, r: ReqRef) {
        match self.req(r).phase {
            Phase::Dns => self.after_dns(r),
            Phase::Edge { hit: true } | Phase::Origin => self.send_to_balancer(r),
            Phase::Edge { hit: false } => {
                let region = self.users[self.req(r).user.0 as usize].region;
                let d = self.between_ms(self.cfg.cdn.origin_ms);
                self.hop(r, Phase::Origin, HopKind::Origin, Node::CdnEdge(region), Node::Origin, d);
            }
            Phase::ToBalancer => {
                self.route(r, None);
            }
            Phase::ToServer => self.arrive(r),
            Phase::Queued => {}
            Phase::SessionRead => self.after_session_read(r),
            Phase::CacheRead => self.after_cache(r),
            Phase::DbRead(node) => self.after_db_read(r, node),
            Phase::DbWrite(node) => self.after_db_write(r, node),
            Phase::SessionWrite => {
                if self.store.up {
                    self.apply_session_effect(r);
                    self.compute(r);
                } else {
                    self.fail(r, FailReason::StoreDown, Node::SessionStore);
                }
            }
            Phase::Compute => self.respond(r),
            Phase::Respond => self.finish(r),
        }
    }

    fn after_dns(&mut self, r: ReqRef) {
        let (user, action, item) = {
            let q = self.req(r);
            (q.user, q.action, q.item)
        };
        if action == Action::LoadPage {
            let region = self.users[user.0 as usize].region;
            let ttl = u64::from(self.cfg.cdn.ttl_ms) * MS;
            let hit = self.cdn.lookup(region, item as usize, self.now_us, self.now_us + ttl);
            let d = self.between_ms(self.cfg.cdn.edge_ms);
            self.hop(r, Phase::Edge { hit }, HopKind::Static, Node::Browser(user), Node::CdnEdge(region), d);
        } else {
            self.send_to_balancer(r);
        }
    }

    fn send_to_balancer(&mut self, r: ReqRef) {
        let user = self.req(r).user;
        let d = self.between_ms(self.cfg.network.browser_lb_ms);
        self.hop(r, Phase::ToBalancer, HopKind::Page, Node::Browser(user), Node::Balancer, d);
    }

    /// Servers the balancer may pick: those it believes up and that are still in the pool.
    fn fill_candidates(&mut self, exclude: Option<ServerId>) {
        self.scratch.clear();
        for s in &self.servers {
            if s.state.in_pool() && self.lb.is_marked_up(s.id) && Some(s.id) != exclude {
                self.scratch.push(Candidate { id: s.id, connections: s.connections() });
            }
        }
    }

    /// Brings the cached pool up to date. Open connections are refreshed only when the
    /// algorithm in force reads them (least connections); the others read ids alone.
    fn refresh_pool(&mut self) {
        if self.pool_stale {
            self.pool.clear();
            self.pool_at.clear();
            for (i, s) in self.servers.iter().enumerate() {
                if s.state.in_pool() && self.lb.is_marked_up(s.id) {
                    self.pool.push(Candidate { id: s.id, connections: s.connections() });
                    self.pool_at.push(i);
                }
            }
            self.pool_stale = false;
        } else if self.effective_algorithm() == LbAlgorithm::LeastConnections {
            for (c, &i) in self.pool.iter_mut().zip(&self.pool_at) {
                c.connections = self.servers[i].connections();
            }
        }
        if cfg!(debug_assertions) {
            self.fill_candidates(None);
            assert!(self.scratch.iter().map(|c| c.id).eq(self.pool.iter().map(|c| c.id)), "the cached pool is current");
        }
    }

    fn route(&mut self, r: ReqRef, exclude: Option<ServerId>) -> Option<ServerId> {
        let user = self.req(r).user;
        let choices = if exclude.is_none() {
            self.refresh_pool();
            self.pool.len()
        } else {
            self.fill_candidates(exclude);
            self.scratch.len()
        };
        // A login carries no session yet, nor a health probe: the misroute waits for the first
        // request that does, and for a pool with another server to send it to.
        let misroute = choices >= 2
            && !matches!(self.req(r).action, Action::Login | Action::Probe)
            && std::mem::take(&mut self.users[user.0 as usize].misroute_next);
        let candidates = if exclude.is_none() { &self.pool } else { &self.scratch };
        let sticky = self.mode == Mode::Stateful;
        let rng = &mut self.rng;
        let Some(s) = self.lb.route(user, candidates, sticky, misroute, exclude.is_some(), |n| rng.index(n)) else {
            self.fail(r, FailReason::NoServer, Node::Balancer);
            return None;
        };
        if !self.lb.is_marked_up(s) {
            self.routes_to_marked_down += 1;
        }
        if misroute {
            self.emit(EventKind::Misrouted { user, to: s });
        }
        if let Some(q) = self.req_mut(r) {
            q.server = Some(s);
            // A retry elsewhere is the balancer's own choice again.
            q.misrouted = misroute;
            q.sticky = sticky;
        }
        let d = self.between_us(self.cfg.network.lb_server_us);
        self.hop(r, Phase::ToServer, HopKind::Page, Node::Balancer, Node::Server(s), d);
        Some(s)
    }

    /// A server could not be reached: the balancer retries once elsewhere, else it fails.
    fn unreachable(&mut self, r: ReqRef, server: ServerId) {
        if self.req(r).retried_from.is_none() {
            let user = self.req(r).user;
            // Counted only when another server took it: with none left, it simply fails.
            if let Some(to) = self.route(r, Some(server)) {
                if let Some(q) = self.req_mut(r) {
                    q.retried_from = Some(server);
                }
                self.totals.retries += 1;
                self.emit(EventKind::Retried { req: r.id, user, from: server, to });
            }
        } else {
            self.fail(r, FailReason::ServerDown, Node::Server(server));
        }
    }

    fn arrive(&mut self, r: ReqRef) {
        let Some(sid) = self.req(r).server else { return };
        let Some(i) = self.index_of(sid).filter(|&i| self.servers[i].state.accepts()) else {
            if let Some(q) = self.req_mut(r) {
                let leg = q.hop.end_us - q.hop.start_us;
                q.breakdown.refund(HopKind::Page, leg);
                q.breakdown.down_server_us += leg;
            }
            self.unreachable(r, sid);
            return;
        };
        let s = &mut self.servers[i];
        if s.busy < self.cfg.server.workers {
            self.start_work(r, i);
        } else if s.queue.len() < self.cfg.server.queue as usize {
            s.queue.push_back(r);
            let now = self.now_us;
            if let Some(q) = self.req_mut(r) {
                q.phase = Phase::Queued;
                q.hop = Hop {
                    kind: HopKind::Queue,
                    from: Node::Server(sid),
                    to: Node::Server(sid),
                    start_us: now,
                    end_us: u64::MAX,
                };
            }
        } else {
            self.fail(r, FailReason::QueueFull, Node::Server(sid));
        }
    }

    fn start_work(&mut self, r: ReqRef, i: usize) {
        let now = self.now_us;
        let busy = self.servers[i].busy + 1;
        self.servers[i].set_busy(now, busy);
        let sid = self.servers[i].id;
        let timeout = u64::from(self.cfg.server.timeout_ms) * MS;
        let Some(q) = self.req_mut(r) else { return };
        q.has_worker = true;
        let mut waited = 0;
        if q.phase == Phase::Queued {
            waited = now - q.hop.start_us;
            q.breakdown.charge(HopKind::Queue, waited);
        }
        let (user, action, sticky) = (q.user, q.action, q.sticky);
        if waited > timeout {
            self.fail(r, FailReason::Timeout, Node::Server(sid));
            return;
        }
        // A request routed before a switch to stateful mode ends the stateless way: it reads
        // the session from the store, which tells it where the switch put the session.
        let mode = if sticky { self.mode } else { Mode::Stateless };
        match (action, mode) {
            (Action::Probe, _) => self.compute(r),
            (Action::Login, _) => self.data(r),
            (_, Mode::Stateful) => {
                if self.users[user.0 as usize].home == SessionHome::Server(sid) {
                    self.data(r);
                } else {
                    self.fail(r, FailReason::SessionLost, Node::Server(sid));
                    self.logout(user, LogoutReason::WrongServer(sid));
                }
            }
            (_, Mode::Stateless) => {
                if self.store.up {
                    let d = self.store_latency();
                    self.hop(r, Phase::SessionRead, HopKind::SessionRead, Node::Server(sid), Node::SessionStore, d);
                } else {
                    self.fail(r, FailReason::StoreDown, Node::SessionStore);
                }
            }
        }
    }

    fn store_latency(&mut self) -> u64 {
        let (lo, hi) = self.store.kind.latency_us();
        self.rng.between(lo, hi)
    }

    fn after_session_read(&mut self, r: ReqRef) {
        let user = self.req(r).user;
        if !self.store.up {
            self.fail(r, FailReason::StoreDown, Node::SessionStore);
        } else if self.users[user.0 as usize].home == SessionHome::None {
            self.fail(r, FailReason::SessionLost, Node::SessionStore);
            self.logout(user, LogoutReason::StoreLost);
        } else {
            // In the store, or just handed to a server by a switch to stateful mode while this
            // read was under way: the session was there to read.
            self.data(r);
        }
    }

    fn server_node(&self, r: ReqRef) -> Node {
        self.req(r).server.map_or(Node::Balancer, Node::Server)
    }

    /// The action's own work after the session is known.
    fn data(&mut self, r: ReqRef) {
        let from = self.server_node(r);
        match self.req(r).action {
            Action::Browse if self.cache.in_use() => {
                let d = self.between_us(self.cfg.cache.hit_us);
                self.hop(r, Phase::CacheRead, HopKind::CacheRead, from, Node::Cache, d);
            }
            Action::Browse => {
                // Every product read counts: with the cache off or down, each one is a miss.
                self.metrics.current.cache_misses += 1;
                self.set_cache_hit(r, false);
                self.db_read(r);
            }
            Action::Checkout => match self.db.writer() {
                Some(m) => {
                    let d = self.between_ms(self.cfg.database.write_ms);
                    self.db_hop(r, Phase::DbWrite(m), HopKind::DbWrite, from, m, d);
                }
                None => {
                    let master = self.db.master().map_or(DbNodeId(0), |m| m.id);
                    self.fail(r, FailReason::WriteFailed, Node::Db(master));
                }
            },
            Action::AddToCart | Action::SetPreference | Action::Login => self.session_write(r),
            Action::LoadPage | Action::Probe => self.compute(r),
        }
    }

    fn after_cache(&mut self, r: ReqRef) {
        let item = self.req(r).item;
        let hit = self.cache.in_use() && self.cache.get(item, self.now_us);
        self.set_cache_hit(r, hit);
        if hit {
            self.totals.cache_hits += 1;
            self.metrics.current.cache_hits += 1;
            self.metrics.current.db_reads_avoided += 1;
            self.compute(r);
        } else {
            self.metrics.current.cache_misses += 1;
            self.db_read(r);
        }
    }

    fn set_cache_hit(&mut self, r: ReqRef, hit: bool) {
        if let Some(q) = self.req_mut(r) {
            q.cache_hit = Some(hit);
        }
    }

    fn db_read(&mut self, r: ReqRef) {
        let from = self.server_node(r);
        match self.db.reader() {
            Some(n) => {
                let d = self.between_ms(self.cfg.database.read_ms);
                self.db_hop(r, Phase::DbRead(n), HopKind::DbRead, from, n, d);
            }
            None => {
                // Told at the master, whatever its id since a promotion.
                let master = self.db.master().map_or(DbNodeId(0), |m| m.id);
                self.fail(r, FailReason::DbDown, Node::Db(master));
            }
        }
    }

    /// A query of `query_us` on `node`, after it waits for one of the node's connections.
    fn db_hop(&mut self, r: ReqRef, phase: Phase, kind: HopKind, from: Node, node: DbNodeId, query_us: u64) {
        let wait = self.db.admit(node, self.now_us, query_us);
        self.hop(r, phase, kind, from, Node::Db(node), wait + query_us);
        if wait > 0 {
            if let Some(q) = self.req_mut(r) {
                // The hop charged all its time to the query; the wait is a row of its own.
                q.breakdown.db_us -= wait;
                q.breakdown.db_wait_us += wait;
                q.hop_wait_us = wait;
            }
        }
    }

    /// Ends now the hops of the requests on their way to, or waiting at, database node `id`.
    fn cut_db_hops(&mut self, id: DbNodeId) -> Vec<ReqRef> {
        let now = self.now_us;
        let mut cut = Vec::new();
        for (slot, req) in self.requests.iter_mut().enumerate() {
            let Some(req) = req else { continue };
            if matches!(req.phase, Phase::DbRead(n) | Phase::DbWrite(n) if n == id) && req.hop.end_us > now {
                cut_hop(req, now);
                cut.push(ReqRef { slot: slot as u32, id: req.id });
            }
        }
        cut
    }

    /// Counted with the query it held up, so the waits are a share of the reads and writes.
    fn count_db_wait(&mut self, r: ReqRef) {
        if self.req(r).hop_wait_us > 0 {
            self.totals.db_waits += 1;
        }
    }

    fn after_db_read(&mut self, r: ReqRef, node: DbNodeId) {
        match self.db.node(node) {
            // Removed while the read was on its way: the server asks another node.
            None => return self.db_read(r),
            Some(n) if !n.up => return self.fail(r, FailReason::DbDown, Node::Db(node)),
            Some(_) => {}
        }
        let (user, item) = (self.req(r).user, self.req(r).item);
        self.totals.db_reads += 1;
        self.metrics.current.db_reads += 1;
        self.count_db_wait(r);
        let stale = self.db.read(node, item, self.now_us);
        if stale {
            self.totals.stale_reads += 1;
            self.metrics.current.stale_reads += 1;
            self.emit(EventKind::StaleRead { user, product: item });
        }
        // An old value is not cached: the cache would serve it for its whole TTL, far past
        // the lag.
        if self.cache.in_use() && !stale {
            self.cache.fill(item, self.now_us);
        }
        self.compute(r);
    }

    fn after_db_write(&mut self, r: ReqRef, node: DbNodeId) {
        if self.db.writer() != Some(node) {
            self.fail(r, FailReason::WriteFailed, Node::Db(node));
            return;
        }
        let item = self.req(r).item;
        let lag = self.between_ms(self.lag_ms);
        self.db.write(node, item, self.now_us, lag);
        if let Some(q) = self.req_mut(r) {
            q.committed = true;
        }
        self.totals.db_writes += 1;
        self.metrics.current.db_writes += 1;
        self.count_db_wait(r);
        // Write-through: the cache gets the new value, so hot products stay cached.
        if self.cache.in_use() {
            self.cache.fill(item, self.now_us);
        }
        self.session_write(r);
    }

    fn session_write(&mut self, r: ReqRef) {
        if self.mode == Mode::Stateful {
            self.apply_session_effect(r);
            self.compute(r);
        } else if self.store.up {
            let from = self.server_node(r);
            let d = self.store_latency();
            self.hop(r, Phase::SessionWrite, HopKind::SessionWrite, from, Node::SessionStore, d);
        } else {
            self.fail(r, FailReason::StoreDown, Node::SessionStore);
        }
    }

    /// The session change a request makes, now that it is written where the mode keeps it.
    fn apply_session_effect(&mut self, r: ReqRef) {
        let (user, action, item, server, sticky) = {
            let q = self.req(r);
            (q.user, q.action, q.item, q.server, q.sticky)
        };
        if action == Action::Login {
            self.forget_session_home(user);
            self.users[user.0 as usize].session = Some(Session::new(user));
            match (self.mode, server) {
                (Mode::Stateful, Some(s)) if sticky => self.home_on_server(user, s),
                // Routed before the switch to stateful mode: the session goes where the switch
                // put everyone's, so the user's next request finds it.
                (Mode::Stateful, Some(s)) => {
                    if !self.give_session(user) {
                        self.home_on_server(user, s);
                    }
                }
                _ => {
                    self.store.sessions += 1;
                    self.users[user.0 as usize].home = SessionHome::Store;
                }
            }
            return;
        }
        if let Some(q) = self.req_mut(r) {
            q.committed = true;
        }
        let Some(session) = self.users[user.0 as usize].session.as_mut() else { return };
        match action {
            Action::AddToCart => {
                if session.cart.len() == CART_LIMIT {
                    session.cart.remove(0);
                }
                session.cart.push(item);
            }
            Action::SetPreference => {
                session.prefs.dark_theme = !session.prefs.dark_theme;
                session.prefs.currency = (session.prefs.currency + 1) % CURRENCIES.len() as u8;
            }
            Action::Checkout => session.cart.clear(),
            _ => {}
        }
    }

    fn compute(&mut self, r: ReqRef) {
        let d = match self.cfg.server.service {
            ServiceTime::Uniform => self.between_ms(self.cfg.server.service_ms),
            ServiceTime::Exponential => self.rng.exp_us(f64::from(self.cfg.server.exponential_mean_us)),
        };
        let at = self.server_node(r);
        self.hop(r, Phase::Compute, HopKind::Compute, at, at, d);
    }

    fn respond(&mut self, r: ReqRef) {
        self.release_worker(r);
        let (user, action) = (self.req(r).user, self.req(r).action);
        let from = self.server_node(r);
        let d = if action == Action::Probe { 0 } else { self.between_ms(self.cfg.network.browser_lb_ms) };
        self.hop(r, Phase::Respond, HopKind::Response, from, Node::Browser(user), d);
    }

    /// Frees the request's worker and starts the next queued request on that server.
    fn release_worker(&mut self, r: ReqRef) {
        let Some(q) = self.req_mut(r) else { return };
        if !std::mem::take(&mut q.has_worker) {
            return;
        }
        let Some(sid) = q.server else { return };
        let Some(i) = self.index_of(sid) else { return };
        let now = self.now_us;
        let busy = self.servers[i].busy.saturating_sub(1);
        self.servers[i].set_busy(now, busy);
        // A queued request can fail the moment it starts (timed out, store down), which frees
        // the worker again: the outermost call starts the queue in a loop, where recursing once
        // per queued request would overflow the stack on a long queue.
        if std::mem::replace(&mut self.starting_queued, true) {
            return;
        }
        while let Some(i) = self.index_of(sid).filter(|&i| self.servers[i].busy < self.cfg.server.workers) {
            let Some(next) = self.servers[i].queue.pop_front() else { break };
            if self.live(next) {
                self.start_work(next, i);
            }
        }
        self.starting_queued = false;
        if let Some(i) = self.index_of(sid) {
            if self.servers[i].state == ServerState::Draining && self.servers[i].connections() == 0 {
                self.stop_server(i);
            }
        }
    }

    fn finish(&mut self, r: ReqRef) {
        let (user, action) = (self.req(r).user, self.req(r).action);
        if action == Action::Login {
            let u = &mut self.users[user.0 as usize];
            if u.session.is_none() || u.home == SessionHome::None {
                // The new session vanished before the answer arrived (its server crashed).
                self.fail(r, FailReason::SessionLost, Node::Browser(user));
                return;
            }
            if u.is_logged_out() {
                self.logged_out -= 1;
            }
            u.state = UserState::LoggedIn;
            self.logged_in += 1;
            self.totals.logins += 1;
            let at = match u.home {
                SessionHome::Server(s) => Some(s),
                _ => None,
            };
            self.emit(EventKind::LoggedIn { user, at });
        }
        let req = self.take(r);
        // Counted once answered: a login whose session vanished on the way back was not served.
        if let Some(i) = req.server.and_then(|sid| self.index_of(sid)) {
            self.servers[i].served += 1;
        }
        let latency_us = self.now_us - req.started_us;
        self.totals.completed += 1;
        self.totals.queue_wait_us += req.breakdown.queue_us;
        self.metrics.record_success(latency_us);
        self.emit(EventKind::RequestDone { req: req.id, user, action, latency_us });
        if let (true, Some(server), Mode::Stateless) = (req.misrouted, req.server, self.mode) {
            // Scenario 1's other ending: the stray request found its session all the same.
            self.totals.misroutes_answered += 1;
            self.emit(EventKind::MisrouteAnswered { user, server, latency_us });
        }
        self.remember(&req, None);
    }

    fn fail(&mut self, r: ReqRef, reason: FailReason, at: Node) {
        self.release_worker(r);
        let req = self.take(r);
        if req.action == Action::Login {
            let relogin = self.between_ms(self.cfg.relogin_ms);
            let u = &mut self.users[req.user.0 as usize];
            if u.state == UserState::LoggingIn {
                u.state = match u.last_logout {
                    Some(reason) => UserState::LoggedOut { reason, relogin_at_us: self.now_us + relogin },
                    None => UserState::Anonymous,
                };
                // A session the login already wrote goes with it: no one holds it now.
                u.session = None;
                self.forget_session_home(req.user);
            }
        }
        self.totals.failed += 1;
        self.totals.failed_by_reason[reason as usize] += 1;
        self.metrics.record_failure(reason);
        self.emit(EventKind::RequestFailed { req: req.id, user: req.user, action: req.action, at, reason });
        self.remember(&req, Some((reason, at)));
    }

    fn take(&mut self, r: ReqRef) -> Request {
        let req = self.requests[r.slot as usize].take().expect("live request");
        self.free_slots.push(r.slot);
        self.in_flight -= 1;
        req
    }

    fn remember(&mut self, req: &Request, failure: Option<(FailReason, Node)>) {
        if self.completed.len() == RECENT_COMPLETED {
            self.completed.pop_front();
        }
        let done = Completed {
            id: req.id,
            user: req.user,
            action: req.action,
            server: req.server,
            retried_from: req.retried_from,
            db: req.db,
            finished_us: self.now_us,
            breakdown: req.breakdown,
            failure: failure.map(|f| f.0),
            failed_at: failure.map(|f| f.1),
            cache_hit: req.cache_hit,
        };
        if self.watched.is_none() && self.watch == Some(req.id) {
            self.watched = Some(done);
        }
        self.completed.push_back(done);
    }

    // ----- periodic work -------------------------------------------------------------------------

    /// Whether a second ends now and its sample is not closed yet.
    fn second_closing(&self) -> bool {
        let closed_s = self.metrics.samples().back().map_or(0, |s| s.t_s);
        self.now_us > 0 && self.now_us.is_multiple_of(SEC) && closed_s < self.now_us / SEC
    }

    fn tick(&mut self) {
        self.schedule(SEC, Ev::Tick);
        let mut sample = std::mem::take(&mut self.metrics.current);
        sample.t_s = self.now_us / SEC;
        sample.logged_in = self.logged_in;
        sample.logged_out = self.logged_out;
        sample.rate_per_s = self.traffic.rate_per_s(self.now_us) as u32;
        let (mut busy_us, mut healthy_us) = (0, 0);
        for s in &mut self.servers {
            let (busy, healthy) = s.take_usage(self.now_us);
            busy_us += busy;
            healthy_us += healthy;
        }
        let tally = Tally::of(self.servers.iter().map(|s| s.state));
        sample.servers_healthy = tally.healthy;
        sample.servers_booting = tally.booting;
        sample.servers_draining = tally.draining;
        sample.servers_down = tally.down;
        // Each server's workers for the part of the second it was healthy: one that finished
        // booting just now adds no idle second of its own to the share.
        let capacity_us = healthy_us * u64::from(self.cfg.server.workers);
        // No healthy server under traffic at the second's end is the most overloaded a system
        // can be, whatever the servers did before they fell.
        sample.utilization_pct = if sample.unserved() {
            100
        } else {
            (busy_us * 100).checked_div(capacity_us).map_or(0, |u| u.min(100) as u32)
        };
        let gone = std::mem::take(&mut self.node_reads_gone);
        let live = self.db.nodes.iter().map(|n| (n.name(), self.reads_since_tick(n)));
        let by_node = live.chain(gone).map(|(name, reads)| (name, reads as u32)).collect();
        self.node_reads_seen = self.db.nodes.iter().map(|n| (n.id, n.reads)).collect();
        sample.db_reads_by_node = by_node;
        self.metrics.close(sample);
    }

    /// Closes the second's reads so far of the nodes `which` picks under their names now, before
    /// they leave or are renamed: the tick adds them to the second's figures as they were.
    fn set_reads_aside(&mut self, which: impl Fn(&DbNode) -> bool) {
        let picked: Vec<(DbNodeId, DbName, u64, u64)> = self
            .db
            .nodes
            .iter()
            .filter(|n| which(n))
            .map(|n| (n.id, n.name(), n.reads, self.reads_since_tick(n)))
            .collect();
        for (id, name, reads, since) in picked {
            self.node_reads_gone.push((name, since));
            match self.node_reads_seen.iter_mut().find(|x| x.0 == id) {
                Some(seen) => seen.1 = reads,
                None => self.node_reads_seen.push((id, reads)),
            }
        }
    }

    fn reads_since_tick(&self, node: &DbNode) -> u64 {
        node.reads - self.node_reads_seen.iter().find(|(id, _)| *id == node.id).map_or(0, |x| x.1)
    }

    fn autoscale(&mut self) {
        self.schedule_autoscale();
        if !self.autoscaler.policy.enabled {
            return;
        }
        let util = self.judged_utilization().map_or(0, |(_, mean)| mean);
        match self.scaling_decision(util) {
            Decision::Hold => {}
            Decision::ScaleOut => {
                if self.running_servers() < limits::SERVERS {
                    // Told before the boot it causes.
                    self.log.hold();
                    let server = self.add_server();
                    self.autoscaler.acted(self.now_us);
                    self.log.release(Some((self.now_us, EventKind::ScaledOut { utilization_pct: util, server })));
                }
            }
            Decision::ScaleIn => {
                if let Some(i) = self.servers.iter().rposition(|s| s.state == ServerState::Healthy) {
                    let server = self.servers[i].id;
                    self.autoscaler.acted(self.now_us);
                    self.emit(EventKind::ScaledIn { utilization_pct: util, server });
                    self.remove_server(i);
                }
            }
        }
    }
}

impl Phase {
    /// Whether a request in this phase lives in its server's memory (a crash loses it).
    pub(crate) fn on_server(self) -> bool {
        matches!(
            self,
            Phase::Queued
                | Phase::SessionRead
                | Phase::CacheRead
                | Phase::DbRead(_)
                | Phase::DbWrite(_)
                | Phase::SessionWrite
                | Phase::Compute
        )
    }
}

/// Ends `req`'s hop at `now`, taking back from its breakdown the part not travelled. A
/// database hop waits for its connection first, then runs its query, so the query is cut
/// first, then the wait.
fn cut_hop(req: &mut Request, now: u64) {
    let cut = req.hop.end_us.saturating_sub(now);
    let query_us = (req.hop.end_us - req.hop.start_us).saturating_sub(req.hop_wait_us);
    let query_cut = cut.min(query_us);
    req.breakdown.refund(req.hop.kind, query_cut);
    req.breakdown.db_wait_us = req.breakdown.db_wait_us.saturating_sub(cut - query_cut);
    req.hop_wait_us = req.hop_wait_us.saturating_sub(cut - query_cut);
    req.hop.end_us = now;
}
