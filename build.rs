//! Bakes the guided tours into the app as Rust code, so the wasm holds the tours themselves and
//! not a JSON parser to read them (about 60 kB gzip less). A translation is baked as the list of
//! its words, laid over the English tours at run time: the structure exists once. A tour or a
//! translation that does not load fails the build, with the loader's message.

use std::path::Path;
use std::{env, fs};

use databake::{Bake, CrateEnv};
use statelab_sim::tour::{builtin_tours, spanish_tours};
use statelab_sim::Tour;

fn main() {
    println!("cargo::rerun-if-changed=assets/scenarios");
    let english = builtin_tours().bake(&CrateEnv::default());
    let words: Vec<String> = spanish_tours().iter_mut().flat_map(Tour::words_mut).map(|w| w.clone()).collect();
    let code = format!(
        "/// The built-in tours in English, as `builtin_tours` reads them.\n\
         pub fn english() -> Vec<statelab_sim::Tour> {{ {english} }}\n\
         /// The words of `assets/scenarios/es/`, in the order `Tour::words_mut` visits them.\n\
         pub static SPANISH: &[&str] = &{words:?};\n"
    );
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("tours.rs");
    fs::write(&out, code).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}
