use leptos::html::Dialog;
use leptos::prelude::*;

use crate::i18n::*;

/// A modal dialog (native `<dialog>`: focus stays inside, Escape closes it). The children
/// hold the content; they are rendered only while the dialog is open, and the `<dialog>`
/// itself only once it has been opened.
#[component]
pub fn Modal(
    open: RwSignal<bool>,
    /// The id of the heading inside the children that names the dialog.
    labelled_by: &'static str,
    #[prop(optional)] described_by: Option<&'static str>,
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
    // Made when first opened and kept after (closing it then gives the focus back to where it
    // was): a table with dialogs on every row carries none until one is used.
    let used = Memo::new(move |was: Option<&bool>| was.copied().unwrap_or(false) || open.get());
    view! {
        <Show when=move || used.get()>
            {
                let children = children.clone();
                view! {
                    <dialog
                        node_ref=dialog
                        class=format!("dialog {class}")
                        aria-labelledby=labelled_by
                        aria-describedby=described_by
                        on:close=move |_| open.set(false)
                    >
                        {move || open.get().then(|| children())}
                    </dialog>
                }
            }
        </Show>
    }
}

/// The buttons at the foot of a dialog: Cancel (closes it) and the action. Without
/// `on_confirm` the action is the submit button of the surrounding form.
#[component]
pub fn DialogActions(
    open: RwSignal<bool>,
    #[prop(optional)] danger: bool,
    #[prop(optional, into)] busy: Signal<bool>,
    #[prop(optional)] id: &'static str,
    #[prop(optional)] on_confirm: Option<Callback<()>>,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let class = if danger {
        "button button-danger"
    } else {
        "button button-primary"
    };
    let kind = if on_confirm.is_some() {
        "button"
    } else {
        "submit"
    };
    view! {
        <div class="dialog-actions">
            <button type="button" class="button" autofocus=on_confirm.is_some() on:click=move |_| open.set(false)>
                {t!(i18n, common.cancel)}
            </button>
            <button
                type=kind
                class=class
                id=(!id.is_empty()).then_some(id)
                disabled=move || busy.get()
                on:click=move |_| {
                    if let Some(confirm) = on_confirm {
                        confirm.run(());
                    }
                }
            >
                {children()}
            </button>
        </div>
    }
}
