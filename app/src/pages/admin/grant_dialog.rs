//! The pencil in the user list: the roles a user holds on a site, as checkboxes. Roles that
//! hold permissions the administrator lacks are shown but cannot be ticked.
use std::collections::HashSet;

use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use super::use_admin;
use crate::api::roles::{load_user_grants, set_user_grants, UserGrants};
use crate::components::error_message::ErrorMessage;
use crate::components::loaded::Loaded;
use crate::components::modal::{DialogActions, Modal};
use crate::components::site_picker::SitePicker;
use crate::error::AppError;
use crate::i18n::*;
use crate::labels::role_name;

#[component]
pub fn GrantDialog(open: RwSignal<bool>, user: Uuid, home: Uuid) -> impl IntoView {
    view! {
        <Modal open=open labelled_by="grant-title" class="dialog-wide">
            <GrantForm open=open user=user home=home />
        </Modal>
    }
}

#[component]
fn GrantForm(open: RwSignal<bool>, user: Uuid, home: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_admin();
    let error = RwSignal::new(None::<AppError>);
    // The site is chosen by a search on the server (the tree may hold thousands).
    let picked = RwSignal::new(Some(home));
    let site = Memo::new(move |_| picked.get().unwrap_or(home));
    // Another site: another form, without the last one's error.
    Effect::new(move |_| {
        site.track();
        error.set(None);
    });
    let data = Resource::new(move || site.get(), move |s| load_user_grants(user, Some(s)));
    let checked = RwSignal::new(HashSet::<Uuid>::new());
    let saving = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(g)) = data.get() {
            checked.set(
                g.options
                    .iter()
                    .filter(|o| o.granted)
                    .map(|o| o.role_id)
                    .collect(),
            );
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saving.set(true);
        let roles: Vec<Uuid> = checked.get_untracked().into_iter().collect();
        let on = site.get_untracked();
        spawn_local(async move {
            let result = set_user_grants(user, on, roles).await;
            saving.set(false);
            match result {
                Ok(_) => {
                    open.set(false);
                    ctx.done(
                        td_string!(i18n.get_locale_untracked(), roles.roles_saved).to_string(),
                    );
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let title = move || {
        data.get()
            .and_then(|r| r.ok())
            .map(|g| td_string!(i18n.get_locale(), roles.roles_of, name = g.user_label).to_string())
            .unwrap_or_else(|| td_string!(i18n.get_locale(), roles.roles_title).to_string())
    };
    view! {
        <h2 id="grant-title">{title}</h2>
        <form class="form" id="grant-form" on:submit=save>
            <div class="field">
                <label for="grant-site">{t!(i18n, roles.on_site)}</label>
                <SitePicker id="grant-site" chosen=picked described_by="grant-site-help"
                    initial=Signal::derive(move || data.get().and_then(|r| r.ok()).map(|g| g.site_name).unwrap_or_default()) />
                <p class="help" id="grant-site-help">{t!(i18n, roles.holds_for_subtree)}</p>
            </div>
            <Loaded load=data loading=true let:g> <Options grants=g checked=checked /> </Loaded>
            <ErrorMessage error=error />
            <DialogActions open=open id="save-grants" busy=saving>
                {t!(i18n, common.save)}
            </DialogActions>
        </form>
    }
}

#[component]
fn Options(grants: UserGrants, checked: RwSignal<HashSet<Uuid>>) -> impl IntoView {
    let i18n = use_i18n();
    let here = grants.site_id;
    let elsewhere: Vec<_> = grants
        .grants
        .iter()
        .filter(|g| g.site_id != here)
        .cloned()
        .collect();
    view! {
        <fieldset class="checkbox-group">
            <legend>{t!(i18n, roles.roles_on, site = grants.site_name.clone())}</legend>
            {grants.options.into_iter().map(|o| {
                let id = o.role_id;
                let input_id = format!("grant-{id}");
                let hint_id = format!("grant-hint-{id}");
                let key = o.builtin_key.clone();
                let name = o.name.clone();
                let assignable = o.assignable;
                view! {
                    <div class="checkbox-row">
                        <input type="checkbox" id=input_id.clone() class="grant-role"
                            data-role=o.name.clone()
                            prop:checked=move || checked.with(|c| c.contains(&id))
                            disabled=!assignable
                            aria-describedby=(!assignable).then(|| hint_id.clone())
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                checked.update(|c| {
                                    if on { c.insert(id); } else { c.remove(&id); }
                                });
                            } />
                        <label for=input_id>{move || role_name(i18n.get_locale(), key.as_deref(), &name)}</label>
                        {(!assignable).then(|| view! {
                            <span class="help" id=hint_id.clone()>{t!(i18n, roles.not_assignable)}</span>
                        })}
                    </div>
                }
            }).collect_view()}
        </fieldset>
        {(!elsewhere.is_empty()).then(|| view! {
            <div class="also-holds">
                <h3>{t!(i18n, roles.also_holds)}</h3>
                <ul>
                    {elsewhere.into_iter().map(|g| {
                        let key = g.builtin_key.clone();
                        let name = g.role_name.clone();
                        view! {
                            <li>{move || role_name(i18n.get_locale(), key.as_deref(), &name)} " — " {g.site_name.clone()}</li>
                        }
                    }).collect_view()}
                </ul>
            </div>
        })}
    }
}
