//! The StateLab simulation core: a whole web system as a deterministic discrete-event model.
//!
//! - Commands go in ([`Command`]), snapshots ([`Snapshot`]), typed events ([`Event`]) and
//!   per-second metrics ([`Metrics`]) come out. The UI never reaches into the internals.
//! - Time is integer microseconds; every random draw comes from one seeded, portable RNG, and
//!   floating-point maths goes through `libm`, so one seed and one command log give one
//!   [`Sim::trace_hash`] on every target.
//! - No web dependency: this crate builds and tests natively in seconds.
//! - Guided tours ([`Tour`]) are data in `assets/scenarios/`: each step's checkpoint measures its
//!   claim on the running model, so the tests hold every tour to the numbers it names.
//!
//! ```text
//!  browser ──DNS──▶ resolver          (cached per browser for the TTL)
//!     │ └─static──▶ CDN edge ──miss──▶ origin
//!     ▼
//!  load balancer ──▶ server 1..N ──session──▶ session store (Redis, Memcached, SQL, NoSQL)
//!                        │       ──product──▶ cache ──miss──▶ read replica ◀─lag── master
//!                        └──────────checkout (write)─────────────────────────────▶ master
//! ```

mod agenda;
pub mod autoscaler;
pub mod balancer;
pub mod bench;
pub mod cache;
pub mod cdn;
pub mod command;
pub mod config;
pub mod database;
pub mod dns;
pub mod engine;
pub mod event;
pub mod keyed;
pub mod metrics;
pub mod request;
pub mod rewind;
mod rng;
pub mod scenario;
pub mod server;
pub mod snapshot;
pub mod store;
pub mod time;
pub mod tour;
pub mod traffic;
pub mod user;

pub use balancer::LbAlgorithm;
pub use command::{Command, CommandError};
pub use config::{ConfigError, Mode, SimConfig};
pub use engine::Sim;
pub use event::{Event, EventKind, FailReason, LogoutReason};
pub use keyed::Keyed;
pub use metrics::{Metrics, Sample};
pub use request::{Action, Breakdown, Node};
pub use scenario::{reference_scenario, reference_trace_hash, Scenario, ScenarioError, REFERENCE_TRACE_HASH};
pub use server::{ServerId, ServerState};
pub use snapshot::Snapshot;
pub use store::StoreKind;
pub use tour::{CheckResult, Checkpoint, Prediction, Step, StepStarts, Tour, TourError};
pub use traffic::Pattern;
pub use user::{UserId, UserState};
