//! The simulation's own heap over two simulated hours at the soak's load (1,000 users, 1,000
//! requests/s), counted by a global allocator: the browser soak sees the page's whole linear
//! memory, this separates what the model keeps from what the page and the allocator add.
//!
//! It ends with the size of one copy of the system. With `--copies` the run also keeps the
//! copies the page's timeline keeps (`statelab_sim::rewind`), and the heap counts them too.
//!
//!   cargo run --release -p statelab-sim --example heap [-- --copies]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use statelab_sim::rewind::Rewinder;
use statelab_sim::time::SEC;
use statelab_sim::{Sim, SimConfig};

/// The system allocator, keeping count of the bytes live and the most ever live.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every call is passed on unchanged to `System`; only the counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        grew(new_size);
        LIVE.fetch_sub(layout.size(), Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn main() {
    let mut cfg = SimConfig { users: 1_000, ..SimConfig::default() };
    cfg.traffic.rate_per_s = 1_000;
    let mut sim = Sim::new(cfg).expect("a valid config");
    let mut copies = std::env::args().any(|a| a == "--copies").then(Rewinder::default);
    println!("simulated   live heap   peak heap   of it, cart capacity (items in carts)");
    let mut last = 0;
    for minute in 1..=120u64 {
        match copies.as_mut() {
            Some(rewinder) => rewinder.run_until(&mut sim, minute * 60 * SEC),
            None => sim.run_until(minute * 60 * SEC),
        }
        // The page takes a snapshot every frame; so does this run, once a minute.
        std::hint::black_box(sim.snapshot(1_000));
        if minute % 10 == 0 {
            let carts = sim.users().iter().filter_map(|u| u.session.as_ref()).map(|s| &s.cart);
            let (capacity, items) = carts.fold((0, 0), |(c, n), cart| (c + cart.capacity() * 4, n + cart.len()));
            let live = LIVE.load(Relaxed);
            println!(
                "{minute:4} min  {live:9} B  {:9} B   {capacity:7} B ({items})   {:+} B in 10 min",
                PEAK.load(Relaxed),
                live as i64 - last as i64
            );
            last = live;
            if let Some(rewinder) = &copies {
                println!("          {} copies kept", rewinder.len());
            }
        }
    }
    // What one copy kept for rewinding (see `statelab_sim::rewind`) costs at this size.
    let before = LIVE.load(Relaxed);
    let started = std::time::Instant::now();
    let copy = sim.clone();
    let took = started.elapsed();
    println!("one copy for rewinding: {} B, made in {took:?}", LIVE.load(Relaxed) - before);
    drop(copy);
}
