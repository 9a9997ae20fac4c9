//! The avatar strip: each user's state at a glance, by colour and by text.

use leptos::prelude::*;
use statelab_sim::UserId;

use super::use_lab;
use crate::i18n::{t, tf, words, Grouped, Text::*};

/// Avatars drawn; beyond this the strip says how many more there are.
const SHOWN: u32 = 48;

/// Every user's state at a glance by colour, badge and label, never colour alone; a click
/// opens that user in the session inspector (`inspector`: whether the page shows it).
#[component]
pub fn UserStrip(inspector: bool) -> impl IntoView {
    let lab = use_lab();
    let count = move || lab.snap.with(|s| s.users);
    view! {
        <section class="users" aria-labelledby="users-heading">
            // Hidden: its look says what it is; a screen reader's list of headings needs it.
            <h2 id="users-heading" class="visually-hidden">{t(Users)}</h2>
            <ul class="avatars">
                <For each=move || (0..count().min(SHOWN)).map(UserId) key=|u| u.0 let:u>
                    {
                        // A memo per avatar: one subscriber to the snapshot, and the avatar
                        // changes only when the user's state does.
                        let state = Memo::new(move |_| {
                            lab.snap.track();
                            lab.with_sim(|s| s.user(u).map(|x| (x.is_logged_in(), x.is_logged_out(), x.cart_len())))
                        });
                        let state = move || state.get();
                        let cart = move || match state() {
                            Some((true, _, n)) => n,
                            _ => 0,
                        };
                        let label = move || match state() {
                            Some((true, _, cart)) => tf(AvatarIn, &[("user", &words::user(u)), ("n", &cart)]),
                            Some((_, true, _)) => tf(AvatarOut, &[("user", &words::user(u))]),
                            _ => tf(AvatarAnon, &[("user", &words::user(u))]),
                        };
                        view! {
                            <li>
                            <button
                                class="avatar"
                                class:in=move || state().is_some_and(|s| s.0)
                                class:out=move || state().is_some_and(|s| s.1)
                                aria-pressed=move || (lab.selected_user.get() == Some(u)).to_string()
                                // The name, from the title alone: a label as well would
                                // be read again as the button's description.
                                title=label
                                on:click=move |_| lab.selected_user.set(Some(u))
                            >
                                <span aria-hidden="true">{words::letters(u)}</span>
                                // The mark and the count are drawn by the style sheet from these
                                // attributes: the button's text is then the user's letters
                                // alone, which its name ("User A: logged in, 5 in cart") holds.
                                <span
                                    class="badge"
                                    aria-hidden="true"
                                    data-mark=move || match state() {
                                        Some((true, _, _)) => "✓",
                                        Some((_, true, _)) => "✗",
                                        _ => "…",
                                    }
                                ></span>
                                // Always in the page, hidden while empty: a count that comes and
                                // goes changes two attributes, not the DOM tree.
                                <span class="cart" aria-hidden="true" hidden=move || cart() == 0 data-n=cart>
                                    <CartIcon />
                                </span>
                            </button>
                            </li>
                        }
                    }
                </For>
            </ul>
            <p class="strip-key" aria-hidden="true">
                {t(StripKey)}
                <span class="cart"><CartIcon /></span>
                {t(StripKeyCart)}
            </p>
            <p class="more">
                {move || (count() > SHOWN).then(|| tf(MoreUsers, &[("n", &Grouped((count() - SHOWN).into()))]))}
            </p>
            // The inspector may be a screen or more below (a phone): the pick is answered here,
            // and heard, with the way to it.
            <p class="picked" role="status">
                {move || lab.selected_user.get().filter(|_| inspector).map(|u| view! {
                    {tf(PickedUser, &[("user", &words::user(u))])}
                    " "
                    <button on:click=move |_| super::focus::show_heading("inspector-heading")>{t(ShowSession)}</button>
                })}
            </p>
        </section>
    }
}

/// A small cart, drawn inline: the count beside it is items in the cart, not anything else.
#[component]
fn CartIcon() -> impl IntoView {
    view! {
        <svg class="cart-icon" viewBox="0 0 12 12" aria-hidden="true">
            <path d="M0.5 1.5h2l1.5 6h6l1.5-4.5h-8.5" />
            <circle cx="4.8" cy="10" r="1" />
            <circle cx="9" cy="10" r="1" />
        </svg>
    }
}
