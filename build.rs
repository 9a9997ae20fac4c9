//! Bakes the guided tours into the app as Rust code, once per page language, so the wasm holds
//! the tours themselves and not a JSON parser to read them (about 60 kB gzip less). A tour or a
//! translation that does not load fails the build, with the loader's message.

use std::path::Path;
use std::{env, fs};

use databake::{Bake, CrateEnv};
use statelab_sim::tour::builtin_tours;

fn main() {
    println!("cargo::rerun-if-changed=assets/scenarios");
    let english = builtin_tours();
    let mut spanish = english.clone();
    for tour in &mut spanish {
        let file = format!("assets/scenarios/es/{}.json", tour.id);
        let text = fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
        tour.translate(&file, &text).unwrap_or_else(|e| panic!("{e}"));
    }
    let env = CrateEnv::default();
    let (english, spanish) = (english.bake(&env), spanish.bake(&env));
    let code = format!(
        "/// The built-in tours in English, as `builtin_tours` reads them.\n\
         pub fn english() -> Vec<statelab_sim::Tour> {{ {english} }}\n\
         /// The built-in tours with the Spanish words of `assets/scenarios/es/`.\n\
         pub fn spanish() -> Vec<statelab_sim::Tour> {{ {spanish} }}\n"
    );
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("tours.rs");
    fs::write(&out, code).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}
