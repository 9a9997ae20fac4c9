//! Every tunable of a run in one serde struct, so a JSON file or a scenario can set any of them
//! (the URL sets a few). Unknown fields are rejected by name; out-of-range values by [`SimConfig::validate`].

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::balancer::LbAlgorithm;
use crate::store::StoreKind;
use crate::traffic::Pattern;

/// Where sessions live: the whole lesson of StateLab in one switch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::config))]
pub enum Mode {
    /// Sessions in each server's memory; the load balancer must be sticky.
    Stateful,
    /// Sessions in the shared store; any server can serve any user.
    Stateless,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::Keyed::key(*self))
    }
}

/// An inclusive range of milliseconds, written `[min, max]` in JSON.
pub type RangeMs = (u32, u32);

/// Whole-system settings; defaults follow the article's figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::config))]
pub struct SimConfig {
    /// Seed of the run's one RNG.
    pub seed: u64,
    /// The mode at start; `SetMode` switches the live system later and leaves this as it was.
    pub mode: Mode,
    /// Number of browsers (1..=10,000).
    pub users: u32,
    /// Web servers at start (1..=64).
    pub servers: u32,
    /// Every user starts logged in, their session already where the mode keeps it.
    pub start_logged_in: bool,
    /// Distinct products in the catalogue; popularity follows Zipf (1/rank).
    pub products: u32,
    pub traffic: TrafficConfig,
    pub dns: DnsConfig,
    pub cdn: CdnConfig,
    pub network: NetworkConfig,
    pub balancer: BalancerConfig,
    pub server: ServerConfig,
    pub store: StoreConfig,
    pub cache: CacheConfig,
    pub database: DatabaseConfig,
    pub autoscaler: AutoscalerConfig,
    /// How long a logged-out user waits before logging in again [ms].
    pub relogin_ms: RangeMs,
    /// Seconds of per-second metrics kept.
    pub history_s: u32,
    /// Events kept in the log (older ones still count in the trace hash).
    pub event_log: u32,
    /// `servers_only` strips the model to load balancer and servers (queueing validation).
    pub pipeline: Pipeline,
}

/// Traffic at start; `SetTraffic` and `Spike` change the live setting, never this.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::config))]
pub struct TrafficConfig {
    /// Mean arrivals per second across all users (0..=1,000,000).
    pub rate_per_s: u32,
    /// How the rate moves around `rate_per_s` over time (steady, spike, ramp, …).
    pub pattern: Pattern,
}

/// How often a browser pays for a DNS lookup: once per TTL, not once per request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::config))]
pub struct DnsConfig {
    /// Browser DNS cache lifetime [ms].
    pub ttl_ms: u32,
    /// Resolver round trip on a cache miss [ms].
    pub lookup_ms: RangeMs,
}

/// Regional edges for static files, so a page load rarely travels to the origin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::config))]
pub struct CdnConfig {
    /// Browser ↔ nearby edge round trip [ms].
    pub edge_ms: RangeMs,
    /// Edge ↔ origin round trip on an edge miss [ms].
    pub origin_ms: RangeMs,
    /// Distinct static files (images, CSS, JS).
    pub assets: u32,
    /// How long an edge keeps a file [ms].
    pub ttl_ms: u32,
}

/// Wire delays around the load balancer, which no server-side change can shorten.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::config))]
pub struct NetworkConfig {
    /// Browser → load balancer, one way [ms].
    pub browser_lb_ms: RangeMs,
    /// Load balancer → server, one way [µs].
    pub lb_server_us: (u32, u32),
}

/// How the balancer spreads requests, and how soon it notices that a server died.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::config))]
pub struct BalancerConfig {
    /// Used in stateless mode; stateful mode forces sticky.
    pub algorithm: LbAlgorithm,
    /// Health-check period [ms]; 0 means the balancer sees every change instantly.
    pub health_check_ms: u32,
}

/// How long a request keeps a worker busy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::config))]
pub enum ServiceTime {
    /// Uniform over `service_ms`.
    Uniform,
    /// Exponential with mean `exponential_mean_us` (for queueing validation).
    Exponential,
}

/// Every server's capacity and timings; servers added later get the same.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::config))]
pub struct ServerConfig {
    /// Requests processed at once per server.
    pub workers: u32,
    /// Requests waiting per server; one more is refused with a 503.
    pub queue: u32,
    /// Compute time per request [ms].
    pub service_ms: RangeMs,
    /// Uniform for the lab; exponential makes the servers-only model an M/M/c queue, which the
    /// queueing tests check against Erlang's formula.
    pub service: ServiceTime,
    /// Mean of the exponential service time [µs].
    pub exponential_mean_us: u32,
    /// Cold start before a new or restarted server is healthy [ms].
    pub boot_ms: u32,
    /// A request that waited longer than this in the queue is abandoned [ms].
    pub timeout_ms: u32,
}

/// The shared session store at start; `SetSessionStore` changes the live one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::config))]
pub struct StoreConfig {
    /// Sets the session round-trip time and whether sessions can survive a crash.
    pub kind: StoreKind,
    /// Redis only: write sessions to disk, so they survive a crash.
    pub persistence: bool,
    /// Keep a standby copy that takes over after a crash.
    pub replica: bool,
}

/// The product cache at start; the learner can switch it off, crash it and restart it later.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::config))]
pub struct CacheConfig {
    /// Off, every product read goes straight to the database.
    pub enabled: bool,
    /// Products the cache holds before evicting the least recently used.
    pub capacity: u32,
    /// Lifetime of a cached product [ms].
    pub ttl_ms: u32,
    /// Server ↔ cache round trip [µs]; the article's "~1 ms".
    pub hit_us: (u32, u32),
}

/// Master and replicas at start; commands add, remove, crash and promote nodes later.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::config))]
pub struct DatabaseConfig {
    /// Read replicas (0..=5).
    pub replicas: u32,
    /// A read query [ms]; the article's "10–100 ms".
    pub read_ms: RangeMs,
    /// A write on the master [ms].
    pub write_ms: RangeMs,
    /// Delay before a write reaches the replicas [ms].
    pub lag_ms: RangeMs,
    /// Queries a node runs at once (its connection pool); more wait for one to free. So the
    /// load that replicas and the cache take off a node shows as time, not only as a count.
    pub connections: u32,
}

/// The auto-scaler's policy; also the payload of `SetAutoscaling`, so share links carry it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::config))]
pub struct AutoscalerConfig {
    /// Off, an evaluation still falls due each interval and does nothing, so switching it on acts
    /// at the next one.
    pub enabled: bool,
    /// Add a server above this mean worker utilization [%].
    pub scale_out_pct: u32,
    /// Remove one below it [%].
    pub scale_in_pct: u32,
    /// A crash that leaves fewer is replaced whatever the load; scaling in never goes below it.
    pub min_servers: u32,
    /// Scaling out stops here; the model's own cap, [`limits::SERVERS`], applies as well.
    pub max_servers: u32,
    /// How often utilization is judged [ms].
    pub interval_ms: u32,
    /// Quiet time after a scaling action [ms].
    pub cooldown_ms: u32,
}

/// Which parts of the system a request passes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "bake", derive(databake::Bake), databake(path = statelab_sim::config))]
pub enum Pipeline {
    /// DNS, CDN, balancer, servers, session store, cache, database.
    Full,
    /// Balancer and servers only: Poisson in, service time out.
    ServersOnly,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            mode: Mode::Stateful,
            users: 24,
            servers: 3,
            start_logged_in: true,
            products: 500,
            traffic: TrafficConfig::default(),
            dns: DnsConfig::default(),
            cdn: CdnConfig::default(),
            network: NetworkConfig::default(),
            balancer: BalancerConfig::default(),
            server: ServerConfig::default(),
            store: StoreConfig::default(),
            cache: CacheConfig::default(),
            database: DatabaseConfig::default(),
            autoscaler: AutoscalerConfig::default(),
            relogin_ms: (3_000, 8_000),
            history_s: 600,
            event_log: 2_000,
            pipeline: Pipeline::Full,
        }
    }
}

impl Default for TrafficConfig {
    fn default() -> Self {
        Self { rate_per_s: 20, pattern: Pattern::Steady }
    }
}

impl Default for DnsConfig {
    fn default() -> Self {
        Self { ttl_ms: 60_000, lookup_ms: (20, 40) }
    }
}

impl Default for CdnConfig {
    fn default() -> Self {
        Self { edge_ms: (5, 15), origin_ms: (80, 150), assets: 40, ttl_ms: 300_000 }
    }
}

impl Default for NetworkConfig {
    fn default() -> Self {
        Self { browser_lb_ms: (8, 20), lb_server_us: (200, 800) }
    }
}

impl Default for BalancerConfig {
    fn default() -> Self {
        Self { algorithm: LbAlgorithm::RoundRobin, health_check_ms: 500 }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            workers: 8,
            queue: 64,
            service_ms: (5, 20),
            service: ServiceTime::Uniform,
            exponential_mean_us: 12_500,
            boot_ms: 2_000,
            timeout_ms: 5_000,
        }
    }
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self { kind: StoreKind::Redis, persistence: false, replica: false }
    }
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self { enabled: true, capacity: 250, ttl_ms: 300_000, hit_us: (500, 1_500) }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self { replicas: 2, read_ms: (10, 100), write_ms: (10, 30), lag_ms: (50, 200), connections: 8 }
    }
}

impl Default for AutoscalerConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            scale_out_pct: 70,
            scale_in_pct: 30,
            min_servers: 1,
            max_servers: 16,
            interval_ms: 5_000,
            cooldown_ms: 10_000,
        }
    }
}

/// A config value out of its range, named so the learner can fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// `field` must lie in `[min, max]` but was `value`.
    OutOfRange { field: &'static str, value: u64, min: u64, max: u64 },
    /// A `[min, max]` pair with min above max.
    Inverted { field: &'static str },
    /// JSON that does not parse, with serde's message (it names the field and line).
    Parse(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::OutOfRange { field, value, min, max } => {
                write!(f, "{field} must be between {min} and {max}, but is {value}")
            }
            ConfigError::Inverted { field } => {
                write!(f, "{field} is a [min, max] range, but its min is above its max")
            }
            ConfigError::Parse(msg) => write!(f, "config is not valid: {msg}"),
        }
    }
}

impl std::error::Error for ConfigError {}

fn range(field: &'static str, value: u64, min: u64, max: u64) -> Result<(), ConfigError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError::OutOfRange { field, value, min, max })
    }
}

fn ordered(field: &'static str, pair: (u32, u32), max: u32) -> Result<(), ConfigError> {
    if pair.0 > pair.1 {
        return Err(ConfigError::Inverted { field });
    }
    range(field, pair.1.into(), 0, max.into())
}

/// Upper bounds the UI and the validator share.
pub mod limits {
    /// Most browsers; bounds the config and the URL's `users=`.
    pub const USERS: u32 = 10_000;
    /// Most servers running at once: bounds the config and the URL, and refuses adds, restarts and
    /// scale-outs past it.
    pub const SERVERS: u32 = 64;
    /// Most read replicas, at start and through `AddReplica`.
    pub const REPLICAS: u32 = 5;
    /// Highest arrival rate [requests/s], in the config, the URL's `rate=` and `SetTraffic`.
    pub const RATE_PER_S: u32 = 1_000_000;
}

impl SimConfig {
    /// Parses JSON, rejecting unknown fields by name, then validates ranges.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let cfg: SimConfig = serde_json::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks every value against the range the model supports.
    pub fn validate(&self) -> Result<(), ConfigError> {
        range("users", self.users.into(), 1, limits::USERS.into())?;
        range("servers", self.servers.into(), 1, limits::SERVERS.into())?;
        range("products", self.products.into(), 1, 100_000)?;
        range("traffic.rate_per_s", self.traffic.rate_per_s.into(), 0, limits::RATE_PER_S.into())?;
        range("dns.ttl_ms", self.dns.ttl_ms.into(), 0, 86_400_000)?;
        ordered("dns.lookup_ms", self.dns.lookup_ms, 10_000)?;
        ordered("cdn.edge_ms", self.cdn.edge_ms, 10_000)?;
        ordered("cdn.origin_ms", self.cdn.origin_ms, 10_000)?;
        range("cdn.assets", self.cdn.assets.into(), 1, 10_000)?;
        ordered("network.browser_lb_ms", self.network.browser_lb_ms, 10_000)?;
        ordered("network.lb_server_us", self.network.lb_server_us, 1_000_000)?;
        range("balancer.health_check_ms", self.balancer.health_check_ms.into(), 0, 60_000)?;
        range("server.workers", self.server.workers.into(), 1, 1_024)?;
        // Queued requests stay in memory until served: 64 full queues of this size hold some
        // 640,000, about 120 MB, well inside a browser tab.
        range("server.queue", self.server.queue.into(), 0, 10_000)?;
        ordered("server.service_ms", self.server.service_ms, 60_000)?;
        range("server.exponential_mean_us", self.server.exponential_mean_us.into(), 1, 60_000_000)?;
        range("server.boot_ms", self.server.boot_ms.into(), 0, 600_000)?;
        range("server.timeout_ms", self.server.timeout_ms.into(), 1, 600_000)?;
        range("cache.capacity", self.cache.capacity.into(), 1, 100_000)?;
        ordered("cache.hit_us", self.cache.hit_us, 1_000_000)?;
        range("database.replicas", self.database.replicas.into(), 0, limits::REPLICAS.into())?;
        ordered("database.read_ms", self.database.read_ms, 60_000)?;
        ordered("database.write_ms", self.database.write_ms, 60_000)?;
        ordered("database.lag_ms", self.database.lag_ms, 600_000)?;
        range("database.connections", self.database.connections.into(), 1, 1_024)?;
        let a = &self.autoscaler;
        range("autoscaler.scale_out_pct", a.scale_out_pct.into(), 1, 100)?;
        range("autoscaler.scale_in_pct", a.scale_in_pct.into(), 0, a.scale_out_pct.into())?;
        range("autoscaler.min_servers", a.min_servers.into(), 1, limits::SERVERS.into())?;
        range("autoscaler.max_servers", a.max_servers.into(), a.min_servers.into(), limits::SERVERS.into())?;
        range("autoscaler.interval_ms", a.interval_ms.into(), 100, 600_000)?;
        range("autoscaler.cooldown_ms", a.cooldown_ms.into(), 0, 3_600_000)?;
        ordered("relogin_ms", self.relogin_ms, 3_600_000)?;
        range("history_s", self.history_s.into(), 1, 86_400)?;
        range("event_log", self.event_log.into(), 1, 1_000_000)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_round_trip_through_json() {
        let cfg = SimConfig::default();
        cfg.validate().unwrap();
        let text = serde_json::to_string(&cfg).unwrap();
        assert_eq!(SimConfig::from_json(&text).unwrap(), cfg);
    }

    #[test]
    fn unknown_fields_are_rejected_by_name() {
        let err = SimConfig::from_json(r#"{"servers": 3, "sevrers": 4}"#).unwrap_err();
        assert!(err.to_string().contains("sevrers"), "{err}");
    }

    #[test]
    fn out_of_range_values_name_their_field() {
        let err = SimConfig::from_json(r#"{"servers": 65}"#).unwrap_err();
        assert_eq!(err.to_string(), "servers must be between 1 and 64, but is 65");
        let err = SimConfig::from_json(r#"{"database": {"read_ms": [100, 10]}}"#).unwrap_err();
        assert!(err.to_string().contains("database.read_ms"), "{err}");
    }
}
