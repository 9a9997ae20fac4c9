//! StateLab's web front end: Leptos components that draw the simulation's snapshot and send it
//! commands. No simulation logic lives here; it all sits in the `statelab-sim` crate.

// The baked tours (see build.rs) name `alloc::vec!`.
extern crate alloc;

pub mod fuzz;
pub mod host;
pub mod i18n;
pub mod lab;
pub mod layout;
pub mod link;
pub mod panic;
pub mod params;
mod runner;
pub mod ui;

pub use ui::{App, Setup};
