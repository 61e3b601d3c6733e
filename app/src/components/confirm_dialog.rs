use leptos::prelude::*;

use super::modal::{DialogActions, Modal};

/// A modal confirmation (native `<dialog>`: focus stays inside, Escape cancels).
#[component]
pub fn ConfirmDialog(
    open: RwSignal<bool>,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] message: Signal<String>,
    #[prop(into)] confirm_label: Signal<String>,
    on_confirm: Callback<()>,
) -> impl IntoView {
    view! {
        <Modal open=open labelled_by="confirm-title" described_by="confirm-message">
            <h2 id="confirm-title">{move || title.get()}</h2>
            <p id="confirm-message">{move || message.get()}</p>
            <DialogActions open=open danger=true on_confirm=Callback::new(move |_| {
                open.set(false);
                on_confirm.run(());
            })>
                {move || confirm_label.get()}
            </DialogActions>
        </Modal>
    }
}
