//! The diagram as a file. The on-screen SVG leans on the page's stylesheet and on icon files next
//! to it, so a copy of its markup alone would open as black shapes without icons: the export
//! copies each element's computed style onto it and inlines the icons. The moving dots and the
//! failure labels live on canvas layers, under and over the boxes: the SVG carries a picture of
//! each in its place, and the PNG is that SVG drawn at twice the size.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, Document, Element, HtmlCanvasElement, HtmlImageElement, Url, Window};

use crate::i18n::Text::{self, *};
use crate::layout::{HEIGHT, WIDTH};

/// Every icon the diagram uses, built in so an exported file needs nothing beside it.
const ICONS: [(&str, &str); 10] = [
    ("assets/icon-balancer.svg", include_str!("../../assets/icon-balancer.svg")),
    ("assets/icon-browser.svg", include_str!("../../assets/icon-browser.svg")),
    ("assets/icon-cache.svg", include_str!("../../assets/icon-cache.svg")),
    ("assets/icon-cdn.svg", include_str!("../../assets/icon-cdn.svg")),
    ("assets/icon-database.svg", include_str!("../../assets/icon-database.svg")),
    ("assets/icon-dns.svg", include_str!("../../assets/icon-dns.svg")),
    ("assets/icon-origin.svg", include_str!("../../assets/icon-origin.svg")),
    ("assets/icon-redis.svg", include_str!("../../assets/icon-redis.svg")),
    ("assets/icon-server-down.svg", include_str!("../../assets/icon-server-down.svg")),
    ("assets/icon-server.svg", include_str!("../../assets/icon-server.svg")),
];

/// The style properties that decide how an SVG element looks.
const PROPS: [&str; 14] = [
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "stroke-opacity",
    "opacity",
    "font-family",
    "font-size",
    "font-weight",
    "text-anchor",
    "dominant-baseline",
    "display",
    "visibility",
];

/// How many device pixels the PNG has per diagram unit.
const PNG_SCALE: f64 = 2.0;

fn page() -> Option<(Window, Document)> {
    let window = web_sys::window()?;
    let document = window.document()?;
    Some((window, document))
}

/// The style properties that are not inherited, with their initial values.
const NOT_INHERITED: [(&str, &str); 2] = [("opacity", "1"), ("display", "inline")];

/// Writes onto `to`, as presentation attributes, the computed style of `from` that its parent
/// does not already pass down, which keeps the file small; the root (`inherits` false) gets all.
/// Attributes, not a `style`: the page's CSP forbids inline styles, even on a detached copy.
fn inline_style(window: &Window, from: &Element, to: &Element, inherits: bool) {
    let Ok(Some(style)) = window.get_computed_style(from) else { return };
    let parent = from.parent_element().filter(|_| inherits).and_then(|p| window.get_computed_style(&p).ok().flatten());
    for (name, value) in PROPS.iter().filter_map(|p| {
        let value = style.get_property_value(p).ok().filter(|v| !v.is_empty())?;
        let given = match NOT_INHERITED.iter().find(|(name, _)| name == p) {
            Some((_, initial)) => Some((*initial).to_string()),
            None => parent.as_ref().and_then(|s| s.get_property_value(p).ok()),
        };
        (given.as_deref() != Some(value.as_str())).then_some((p, value))
    }) {
        let _ = to.set_attribute(name, &value);
    }
}

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// The diagram as a standalone SVG document, looking as it does on screen now (theme included);
/// With the canvas layers' dots under the boxes and failure labels over them, as pictures.
pub fn standalone_svg() -> Option<String> {
    let (window, document) = page()?;
    let svg = document.query_selector(".stage svg").ok()??;
    let copy: Element = svg.clone_node_with_deep(true).ok()?.dyn_into().ok()?;
    inline_style(&window, &svg, &copy, false);
    let (originals, copies) = (svg.query_selector_all("*").ok()?, copy.query_selector_all("*").ok()?);
    for i in 0..originals.length().min(copies.length()) {
        let (Some(from), Some(to)) = (originals.item(i), copies.item(i)) else { continue };
        let (Ok(from), Ok(to)) = (from.dyn_into::<Element>(), to.dyn_into::<Element>()) else { continue };
        inline_style(&window, &from, &to, true);
        if to.tag_name() == "image" {
            let href = to.get_attribute("href").unwrap_or_default();
            if let Some((_, icon)) = ICONS.iter().find(|(path, _)| *path == href) {
                let data = format!("data:image/svg+xml,{}", js_sys::encode_uri_component(icon));
                let _ = to.set_attribute("href", &data);
            }
        }
    }
    let _ = copy.set_attribute("xmlns", SVG_NS);
    let _ = copy.set_attribute("width", &WIDTH.to_string());
    let _ = copy.set_attribute("height", &HEIGHT.to_string());
    // The diagram panel's background (the page's if the panel has none), so the file reads
    // the same on any viewer.
    let colour = |el: Option<Element>| {
        el.and_then(|e| window.get_computed_style(&e).ok().flatten())
            .and_then(|s| s.get_property_value("background-color").ok())
            .filter(|c| !c.is_empty() && c != "rgba(0, 0, 0, 0)" && c != "transparent")
    };
    let background = colour(svg.closest(".diagram").ok().flatten())
        .or_else(|| colour(document.body().map(Element::from)))
        .unwrap_or_else(|| "white".into());
    let rect = document.create_element_ns(Some(SVG_NS), "rect").ok()?;
    for (name, value) in [("width", "100%"), ("height", "100%"), ("fill", background.as_str())] {
        let _ = rect.set_attribute(name, value);
    }
    let _ = copy.insert_before(&rect, copy.first_child().as_ref());
    // Without the reasons a red outline would have no reason beside it.
    let picture = |id: &str| -> Option<Element> {
        let layer: HtmlCanvasElement = document.get_element_by_id(id)?.dyn_into().ok()?;
        let url = layer.to_data_url().ok()?;
        let image = document.create_element_ns(Some(SVG_NS), "image").ok()?;
        let (width, height) = (WIDTH.to_string(), HEIGHT.to_string());
        for (name, value) in
            [("width", width.as_str()), ("height", &height), ("preserveAspectRatio", "none"), ("href", &url)]
        {
            let _ = image.set_attribute(name, value);
        }
        Some(image)
    };
    if let Some(under) = picture("dots") {
        let _ = copy.insert_before(&under, rect.next_sibling().as_ref());
    }
    if let Some(over) = picture("plates") {
        let _ = copy.append_child(&over);
    }
    // The caption that names it on the page stays behind: a title names the file.
    let _ = copy.remove_attribute("aria-labelledby");
    if let Some(caption) = document.get_element_by_id("diagram-caption").and_then(|c| c.text_content()) {
        let title = document.create_element_ns(Some(SVG_NS), "title").ok()?;
        title.set_text_content(Some(caption.trim()));
        let _ = copy.insert_before(&title, copy.first_child().as_ref());
    }
    web_sys::XmlSerializer::new().ok()?.serialize_to_string(&copy).ok()
}

/// A blob of `content` with the given type.
pub fn text_blob(content: &str, mime: &str) -> Option<Blob> {
    let parts = js_sys::Array::of1(&JsValue::from_str(content));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    Blob::new_with_str_sequence_and_options(&parts, &options).ok()
}

/// Offers a blob as a file download.
pub fn download_blob(name: &str, blob: &Blob) {
    let Some((_, document)) = page() else { return };
    let Ok(url) = Url::create_object_url_with_blob(blob) else { return };
    if let Ok(a) = document.create_element("a") {
        let a: web_sys::HtmlElement = a.unchecked_into();
        let _ = a.set_attribute("href", &url);
        let _ = a.set_attribute("download", name);
        a.click();
    }
    // Some browsers read the blob after `click` returns: release it a moment later.
    gloo_timers::callback::Timeout::new(1_000, move || {
        let _ = Url::revoke_object_url(&url);
    })
    .forget();
}

/// Draws the standalone SVG, with its dot layers, onto a canvas and downloads it as a PNG;
/// `done` hears whether that worked, as the image decodes asynchronously.
pub fn download_png(done: impl FnOnce(Result<(), Text>) + 'static) {
    let finish = Finish::new(done);
    let Some(svg) = standalone_svg() else { return finish.call(Err(DiagramNotCopied)) };
    let made = text_blob(&svg, "image/svg+xml").and_then(|blob| Url::create_object_url_with_blob(&blob).ok());
    let (Some(url), Ok(img), Some((_, document))) = (made, HtmlImageElement::new(), page()) else {
        return finish.call(Err(ImageRefused));
    };
    let (loaded, url_on_load, url_on_error, finish_on_error) = (img.clone(), url.clone(), url.clone(), finish.clone());
    let onload = Closure::once_into_js(move || {
        let _ = Url::revoke_object_url(&url_on_load);
        let Some(canvas) = render_png(&document, &loaded) else {
            return finish.call(Err(DrawRefused));
        };
        let saved = finish.clone();
        let save = Closure::once_into_js(move |blob: JsValue| match blob.dyn_into::<Blob>() {
            Ok(blob) => {
                download_blob("statelab-diagram.png", &blob);
                saved.call(Ok(()));
            }
            Err(_) => saved.call(Err(EncodeRefused)),
        });
        if canvas.to_blob(save.unchecked_ref()).is_err() {
            finish.call(Err(EncodeRefused));
        }
    });
    let onerror = Closure::once_into_js(move || {
        let _ = Url::revoke_object_url(&url_on_error);
        finish_on_error.call(Err(DecodeFailed));
    });
    img.set_onload(Some(onload.unchecked_ref()));
    img.set_onerror(Some(onerror.unchecked_ref()));
    img.set_src(&url);
}

/// The PNG's completion callback, shared by the paths that may end the export; it runs once.
#[derive(Clone)]
struct Finish(Rc<Cell<Option<Done>>>);

type Done = Box<dyn FnOnce(Result<(), Text>)>;

impl Finish {
    fn new(done: impl FnOnce(Result<(), Text>) + 'static) -> Self {
        Finish(Rc::new(Cell::new(Some(Box::new(done)))))
    }

    fn call(&self, result: Result<(), Text>) {
        if let Some(done) = self.0.take() {
            done(result);
        }
    }
}

fn render_png(document: &Document, svg: &HtmlImageElement) -> Option<HtmlCanvasElement> {
    let canvas: HtmlCanvasElement = document.create_element("canvas").ok()?.dyn_into().ok()?;
    canvas.set_width((WIDTH * PNG_SCALE) as u32);
    canvas.set_height((HEIGHT * PNG_SCALE) as u32);
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    ctx.scale(PNG_SCALE, PNG_SCALE).ok()?;
    ctx.draw_image_with_html_image_element_and_dw_and_dh(svg, 0.0, 0.0, WIDTH, HEIGHT).ok()?;
    Some(canvas)
}
