//! The dot layer: every in-flight request drawn on one canvas each frame, so nothing is mounted
//! or unmounted per frame. With `prefers-reduced-motion` the dots rest at the middle of their
//! edge instead of gliding.

use leptos::prelude::*;
use statelab_sim::request::HopKind;
use wasm_bindgen::JsCast;

use crate::lab::Lab;
use crate::layout::{position, HEIGHT, WIDTH};

/// Fill colour per kind of trip; the legend in the page uses the same colours.
pub fn colour(kind: HopKind) -> &'static str {
    match kind {
        HopKind::Dns => "#8e7cc3",
        HopKind::Static => "#f1a33b",
        HopKind::Page | HopKind::Response => "#3d8bfd",
        HopKind::Queue | HopKind::Compute => "#7a8699",
        HopKind::SessionRead | HopKind::SessionWrite => "#e0457b",
        HopKind::CacheRead => "#20a67a",
        HopKind::DbRead => "#0fb5c9",
        HopKind::DbWrite => "#d9480f",
    }
}

fn reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

/// Redraws every dot from the current snapshot.
pub fn draw(lab: Lab) {
    let Some(canvas) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("dots"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlCanvasElement>().ok())
    else {
        return;
    };
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    ctx.clear_rect(0.0, 0.0, WIDTH, HEIGHT);
    let calm = reduced_motion();
    lab.snap.with_untracked(|snap| {
        for r in &snap.requests {
            let (x0, y0) = position(r.hop.from, snap);
            let (x1, y1) = position(r.hop.to, snap);
            let (x, y, radius) = if r.hop.from == r.hop.to {
                // Waiting or computing inside a server: a dot beside the box.
                let offset = f64::from((r.id % 9) as u32) * 7.0 - 28.0;
                (
                    x0 + 70.0 + offset * 0.3,
                    y0 - 18.0 + (r.id % 5) as f64 * 8.0,
                    4.0,
                )
            } else {
                let p = if calm {
                    0.5
                } else {
                    f64::from(r.progress_per_mille) / 1000.0
                };
                (x0 + (x1 - x0) * p, y0 + (y1 - y0) * p, 5.0)
            };
            ctx.set_fill_style_str(colour(r.hop.kind));
            ctx.begin_path();
            let _ = ctx.arc(x, y, radius, 0.0, std::f64::consts::TAU);
            ctx.fill();
        }
    });
}
