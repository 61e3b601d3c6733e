//! The browser entry point: hydrates the server-rendered page, loading the wasm file of the
//! page's lazily loaded route first (see `app::lazy_pages`).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(app::App);
}
