//! Moving the selected subsite (with its subsites and users) under another parent.
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use super::use_admin;
use crate::api::sites::{move_options, move_site};
use crate::components::error_message::ErrorMessage;
use crate::components::loaded::LoadedList;
use crate::components::modal::{DialogActions, Modal};
use crate::error::{AppError, Code};
use crate::i18n::*;

#[component]
pub fn MoveDialog(open: RwSignal<bool>, site: Uuid, name: String) -> impl IntoView {
    view! {
        <Modal open=open labelled_by="move-title">
            <MoveForm open=open site=site name=name.clone() />
        </Modal>
    }
}

#[component]
fn MoveForm(open: RwSignal<bool>, site: Uuid, name: String) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_admin();
    let options = Resource::new(|| (), move |_| move_options(site));
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
            <LoadedList load=options loading=true let:list
                empty=move || view! {
                    <p class="empty-state">{t!(i18n, admin.move_no_options)}</p>
                }>
                {
                    if target.get_untracked().is_none() {
                        target.set(list.first().map(|s| s.id));
                    }
                    view! {
                        <div class="field">
                            <label for="move-parent">{t!(i18n, admin.move_new_parent)}</label>
                            <select id="move-parent" aria-describedby="move-help"
                                on:change=move |ev| target.set(Uuid::parse_str(&event_target_value(&ev)).ok())>
                                {list.into_iter().map(|s| {
                                    let free = (s.seat_limit - s.used_seats).max(0);
                                    view! {
                                        <option value=s.id.to_string()>
                                            {format!("{} ({free} ", s.name)} {t!(i18n, admin.free_seats)} ")"
                                        </option>
                                    }
                                }).collect_view()}
                            </select>
                            <p class="help" id="move-help">{t!(i18n, admin.move_help)}</p>
                        </div>
                    }.into_any()
                }
            </LoadedList>
            <ErrorMessage error=error />
            <DialogActions open=open id="confirm-move" busy=saving>
                {t!(i18n, admin.move_site)}
            </DialogActions>
        </form>
    }
}
