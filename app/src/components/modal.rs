use leptos::html::Dialog;
use leptos::prelude::*;

/// A modal dialog (native `<dialog>`: focus stays inside, Escape closes it). The children
/// hold the content and the buttons.
#[component]
pub fn Modal(
    open: RwSignal<bool>,
    /// The id of the heading inside the children that names the dialog.
    labelled_by: &'static str,
    #[prop(optional)] class: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let dialog = NodeRef::<Dialog>::new();
    Effect::new(move |_| {
        let Some(el) = dialog.get() else { return };
        if open.get() {
            if !el.open() {
                let _ = el.show_modal();
            }
        } else if el.open() {
            el.close();
        }
    });
    view! {
        <dialog
            node_ref=dialog
            class=format!("dialog {class}")
            aria-labelledby=labelled_by
            on:close=move |_| open.set(false)
        >
            {move || open.get().then(|| children())}
        </dialog>
    }
}
