//! Moving the selected subsite (with its subsites and users) under another parent.
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use super::use_admin;
use crate::api::sites::move_site;
use crate::components::error_message::ErrorMessage;
use crate::components::modal::{DialogActions, Modal};
use crate::components::site_picker::SitePicker;
use crate::error::{AppError, Code};
use crate::i18n::*;

#[component]
pub fn MoveDialog(open: RwSignal<bool>, site: Uuid, within: Uuid, name: String) -> impl IntoView {
    view! {
        <Modal open=open labelled_by="move-title">
            <MoveForm open=open site=site within=within name=name.clone() />
        </Modal>
    }
}

#[component]
fn MoveForm(open: RwSignal<bool>, site: Uuid, within: Uuid, name: String) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_admin();
    let target = RwSignal::new(None::<Uuid>);
    let error = RwSignal::new(None::<AppError>);
    let saving = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(parent) = target.get_untracked() else {
            error.set(Some(AppError::code(Code::NotFound)));
            return;
        };
        saving.set(true);
        spawn_local(async move {
            let result = move_site(site, parent).await;
            saving.set(false);
            match result {
                Ok(_) => {
                    open.set(false);
                    ctx.done(td_string!(i18n.get_locale_untracked(), admin.site_moved).to_string());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <h2 id="move-title">{t!(i18n, admin.move_site_title, name = name.clone())}</h2>
        <form class="form" id="move-form" on:submit=submit>
            // The new parent is found by a search on the server, in the part of the organisation
            // the reader sees (with each site's free seats); the server refuses a site below this
            // one, or without room, with the reason.
            <div class="field">
                <label for="move-parent">{t!(i18n, admin.move_new_parent)}</label>
                <SitePicker id="move-parent" chosen=target within=within described_by="move-help" />
                <p class="help" id="move-help">{t!(i18n, admin.move_help)}</p>
            </div>
            <ErrorMessage error=error />
            <DialogActions open=open id="confirm-move" busy=saving>
                {t!(i18n, admin.move_site)}
            </DialogActions>
        </form>
    }
}
