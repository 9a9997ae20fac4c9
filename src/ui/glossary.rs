//! The words the page uses, each said plainly once: a learner meets "sticky", "replica" or
//! "p95" in a control or a tour step before any text explains it.

use leptos::prelude::*;

use crate::i18n::{
    t,
    Text::{self, *},
};

/// (term, what it means), in the order a request meets them.
const TERMS: [(Text, Text); 16] = [
    (TermSession, DefSession),
    (TermStateful, DefStateful),
    (TermDns, DefDns),
    (TermCdn, DefCdn),
    (TermBalancer, DefBalancer),
    (TermSticky, DefSticky),
    (TermHealth, DefHealth),
    (TermQueue, DefQueue),
    (TermStore, DefStore),
    (TermCache, DefCache),
    (TermReplica, DefReplica),
    (TermLag, DefLag),
    (TermPromote, DefPromote),
    (TermPercentiles, DefPercentiles),
    (TermScaling, DefScaling),
    (TermSeed, DefSeed),
];

/// Closed until asked for, so it costs the page one line.
#[component]
pub fn Glossary() -> impl IntoView {
    view! {
        <details class="panel glossary">
            <summary><h2>{t(GlossaryHeading)}</h2></summary>
            <dl>
                {TERMS.iter().map(|(term, def)| view! {
                    <dt>{t(*term)}</dt>
                    <dd>{t(*def)}</dd>
                }).collect_view()}
            </dl>
        </details>
    }
}
