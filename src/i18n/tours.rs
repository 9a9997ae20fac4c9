//! The guided tours in the page's language. A translation sits beside the English tour files, in
//! `assets/scenarios/<lang>/`, and holds only the words, step by step; it is laid over the tour
//! it translates, so commands, timings and checkpoints exist once.

use serde::Deserialize;
use statelab_sim::tour::builtin_tours;
use statelab_sim::Tour;

use super::{current, Lang};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TourText {
    title: String,
    summary: String,
    steps: Vec<StepText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepText {
    title: String,
    narration: String,
    #[serde(default)]
    prediction: Option<PredictionText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PredictionText {
    question: String,
    choices: Vec<String>,
    explanation: String,
}

/// The Spanish words of every built-in tour, by tour id.
const SPANISH: [(&str, &str); 10] = [
    ("what-is-state", include_str!("../../assets/scenarios/es/what-is-state.json")),
    ("wrong-server", include_str!("../../assets/scenarios/es/wrong-server.json")),
    ("add-server", include_str!("../../assets/scenarios/es/add-server.json")),
    ("crash-2am", include_str!("../../assets/scenarios/es/crash-2am.json")),
    ("request-path", include_str!("../../assets/scenarios/es/request-path.json")),
    ("auto-scaling", include_str!("../../assets/scenarios/es/auto-scaling.json")),
    ("replicas", include_str!("../../assets/scenarios/es/replicas.json")),
    ("cache", include_str!("../../assets/scenarios/es/cache.json")),
    ("shared-store", include_str!("../../assets/scenarios/es/shared-store.json")),
    ("takeaway", include_str!("../../assets/scenarios/es/takeaway.json")),
];

/// The built-in tours, worded in the page's language where a translation exists (English
/// otherwise).
pub fn tours() -> Vec<Tour> {
    let mut tours = builtin_tours();
    if current() == Lang::Es {
        for tour in &mut tours {
            if let Some((_, text)) = SPANISH.iter().find(|(id, _)| *id == tour.id) {
                // A translation that does not fit its tour leaves the English words.
                let _ = translate(tour, text);
            }
        }
    }
    tours
}

/// Lays a translation over `tour`; refuses (leaving it untouched) one whose steps, predictions
/// or choices do not line up with the tour's.
fn translate(tour: &mut Tour, json: &str) -> Result<(), String> {
    let text: TourText = serde_json::from_str(json).map_err(|e| format!("{}: {e}", tour.id))?;
    if text.steps.len() != tour.steps.len() {
        return Err(format!("{}: {} steps, the tour has {}", tour.id, text.steps.len(), tour.steps.len()));
    }
    for (i, (words, step)) in text.steps.iter().zip(&tour.steps).enumerate() {
        let fits = match (&words.prediction, &step.prediction) {
            (None, None) => true,
            (Some(w), Some(p)) => w.choices.len() == p.choices.len(),
            _ => false,
        };
        if !fits {
            return Err(format!("{}: step {} has a different prediction", tour.id, i + 1));
        }
    }
    tour.title = text.title;
    tour.summary = text.summary;
    for (words, step) in text.steps.into_iter().zip(&mut tour.steps) {
        step.title = words.title;
        step.narration = words.narration;
        if let (Some(w), Some(p)) = (words.prediction, step.prediction.as_mut()) {
            p.question = w.question;
            p.choices = w.choices;
            p.explanation = w.explanation;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tour_has_a_spanish_text_that_fits() {
        for mut tour in builtin_tours() {
            let english = tour.clone();
            let (_, text) = SPANISH.iter().find(|(id, _)| *id == tour.id).expect("a Spanish text for every tour");
            translate(&mut tour, text).unwrap();
            assert_ne!(tour.title, english.title);
            assert_eq!(tour.steps.len(), english.steps.len());
            for (es, en) in tour.steps.iter().zip(&english.steps) {
                assert_ne!(es.narration, en.narration, "{}: {}", tour.id, en.title);
                assert_eq!(es.commands, en.commands);
                assert_eq!(es.checkpoint, en.checkpoint);
            }
        }
    }

    #[test]
    fn a_translation_that_does_not_fit_is_refused() {
        let mut tour = builtin_tours().remove(0);
        let before = tour.clone();
        let short = r#"{"title": "x", "summary": "y", "steps": []}"#;
        assert!(translate(&mut tour, short).unwrap_err().contains("0 steps"));
        assert!(translate(&mut tour, "{").is_err());
        assert_eq!(tour, before);
    }

    #[test]
    fn the_page_language_picks_the_words() {
        super::super::set(Lang::Es, true);
        let es = tours();
        super::super::set(Lang::En, false);
        let en = tours();
        assert_eq!(en, builtin_tours());
        assert!(es.iter().zip(&en).all(|(a, b)| a.title != b.title && a.id == b.id));
    }
}
