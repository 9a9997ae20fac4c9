//! The guided tours in the page's language. `build.rs` bakes the English tours in as code and
//! each translation in `assets/scenarios/<lang>/` as the list of its words, so the page needs no
//! JSON parser, holds each tour's structure once, and a translation that does not fit fails the
//! build.

use statelab_sim::tour::lay_words;
use statelab_sim::Tour;

use super::{current, Lang};

mod baked {
    include!(concat!(env!("OUT_DIR"), "/tours.rs"));
}

/// The built-in tours, worded in the page's language.
pub fn tours() -> Vec<Tour> {
    let mut tours = baked::english();
    match current() {
        Lang::En => {}
        Lang::Es => lay_words(&mut tours, baked::SPANISH.iter().copied()),
    }
    tours
}

#[cfg(test)]
mod tests {
    use super::*;
    use statelab_sim::tour::{builtin_tours, spanish_tours};

    #[test]
    fn the_baked_tours_are_the_tour_files() {
        assert_eq!(baked::english(), builtin_tours());
    }

    #[test]
    fn the_baked_spanish_is_every_translation_file_in_full() {
        super::super::set(Lang::Es, true);
        let baked = tours();
        super::super::set(Lang::En, false);
        assert_eq!(baked, spanish_tours());
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
