//! Bakes the guided tours into the app as Rust code, so the wasm holds the tours themselves and
//! not a JSON parser to read them (about 60 kB gzip less). A translation is baked as the list of
//! its words, laid over the English tours at run time: the structure exists once. A tour or a
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
    let words: Vec<String> = spanish.iter_mut().flat_map(|t| t.words_mut()).map(|w| w.clone()).collect();
    let english = english.bake(&CrateEnv::default());
    let code = format!(
        "/// The built-in tours in English, as `builtin_tours` reads them.\n\
         pub fn english() -> Vec<statelab_sim::Tour> {{ {english} }}\n\
         /// The words of `assets/scenarios/es/`, in the order `Tour::words_mut` visits them.\n\
         pub static SPANISH: &[&str] = &{words:?};\n"
    );
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("tours.rs");
    fs::write(&out, code).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}
