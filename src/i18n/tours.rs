//! The guided tours in the page's language. `build.rs` lays each translation in
//! `assets/scenarios/<lang>/` over the English tour it translates and bakes the results in as
//! code, so the page needs no JSON parser and a translation that does not fit fails the build.

use statelab_sim::Tour;

use super::{current, Lang};

mod baked {
    include!(concat!(env!("OUT_DIR"), "/tours.rs"));
}

/// The built-in tours, worded in the page's language.
pub fn tours() -> Vec<Tour> {
    match current() {
        Lang::En => baked::english(),
        Lang::Es => baked::spanish(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use statelab_sim::tour::builtin_tours;

    #[test]
    fn the_baked_tours_are_the_tour_files() {
        assert_eq!(baked::english(), builtin_tours());
    }

    #[test]
    fn the_page_language_picks_the_words_and_nothing_else() {
        super::super::set(Lang::Es, true);
        let es = tours();
        super::super::set(Lang::En, false);
        let en = tours();
        assert_eq!(en, builtin_tours());
        assert_eq!(es.len(), en.len());
        for (es, en) in es.iter().zip(&en) {
            assert_ne!(es.title, en.title);
            assert_eq!((&es.id, &es.config), (&en.id, &en.config));
            for (a, b) in es.steps.iter().zip(&en.steps) {
                assert_ne!(a.narration, b.narration);
                assert_eq!((&a.commands, &a.checkpoint), (&b.commands, &b.checkpoint));
            }
        }
    }
}
