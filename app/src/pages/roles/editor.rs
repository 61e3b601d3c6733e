//! One role: its name and permissions (a checkbox per permission, grouped by area), who holds
//! it, and deletion. Built-in roles and roles of other sites are shown read-only.
use std::collections::HashSet;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use uuid::Uuid;

use crate::api::roles::{
    create_role, delete_role, role_members, update_role, RoleInfo, PERMISSION_GROUPS,
};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::error_message::ErrorMessage;
use crate::components::loaded::LoadedList;
use crate::error::{AppError, Code};
use crate::i18n::*;
use crate::labels::{category, permission, role_name};

#[component]
pub fn RoleEditor(
    role: Option<RoleInfo>,
    owners: Vec<(Uuid, String)>,
    version: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let editable = role.as_ref().is_none_or(|r| r.can_edit);
    let role_id = role.as_ref().map(|r| r.id);
    let name = RwSignal::new(role.as_ref().map(|r| r.name.clone()).unwrap_or_default());
    let checked = RwSignal::new(
        role.as_ref()
            .map(|r| r.permissions.iter().cloned().collect::<HashSet<String>>())
            .unwrap_or_default(),
    );
    let owner = RwSignal::new(owners.first().map(|(id, _)| *id));
    let error = RwSignal::new(None::<AppError>);
    let saving = RwSignal::new(false);
    let confirm = RwSignal::new(false);
    let title = role
        .as_ref()
        .map(|r| (r.builtin_key.clone(), r.name.clone()));
    let heading = move || match &title {
        Some((key, name)) => role_name(i18n.get_locale(), key.as_deref(), name),
        None => td_string!(i18n.get_locale(), roles.new_role).to_string(),
    };
    let save = {
        let navigate = navigate.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let navigate = navigate.clone();
            saving.set(true);
            let permissions: Vec<String> = checked.get_untracked().into_iter().collect();
            let typed = name.get_untracked();
            let site = owner.get_untracked();
            spawn_local(async move {
                let result = match (role_id, site) {
                    (Some(id), _) => update_role(id, typed, permissions).await,
                    (None, Some(site)) => create_role(site, typed, permissions).await,
                    (None, None) => Err(AppError::code(Code::Forbidden)),
                };
                saving.set(false);
                match result {
                    Ok(saved) => {
                        error.set(None);
                        notice.set(Some(
                            td_string!(i18n.get_locale_untracked(), common.saved).to_string(),
                        ));
                        version.update(|v| *v += 1);
                        if role_id.is_none() {
                            navigate(
                                &format!("/admin/roles?role={}", saved.id),
                                Default::default(),
                            );
                        }
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    let do_delete = Callback::new(move |_| {
        let Some(id) = role_id else { return };
        let navigate = navigate.clone();
        spawn_local(async move {
            match delete_role(id).await {
                Ok(()) => {
                    error.set(None);
                    notice.set(Some(
                        td_string!(i18n.get_locale_untracked(), roles.role_deleted).to_string(),
                    ));
                    version.update(|v| *v += 1);
                    navigate("/admin/roles", Default::default());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    });
    let show_owner = role.is_none() && owners.len() > 1;
    view! {
        <section class="panel" aria-labelledby="role-title">
            <div class="panel-head">
                <h2 id="role-title">{heading}</h2>
                {role.as_ref().filter(|r| r.builtin_key.is_some()).map(|_| view! {
                    <span class="badge">{t!(i18n, roles.kind_builtin)}</span>
                })}
            </div>
            {(!editable).then(|| view! { <p class="help" id="role-read-only">{t!(i18n, roles.read_only)}</p> })}
            <form class="form" id="role-form" on:submit=save>
                <div class="field">
                    <label for="role-name">{t!(i18n, roles.role_name)}</label>
                    <input id="role-name" type="text" required maxlength="100" readonly=!editable
                        prop:value=move || name.get()
                        aria-invalid=move || (error.get().and_then(|e| e.field).as_deref() == Some("name")).then_some("true")
                        on:input=move |ev| name.set(event_target_value(&ev)) />
                </div>
                {show_owner.then(|| view! {
                    <div class="field">
                        <label for="role-owner">{t!(i18n, roles.owner_site)}</label>
                        <select id="role-owner" on:change=move |ev| owner.set(Uuid::parse_str(&event_target_value(&ev)).ok())>
                            {owners.clone().into_iter().map(|(id, site)| view! {
                                <option value=id.to_string()>{site}</option>
                            }).collect_view()}
                        </select>
                        <p class="help">{t!(i18n, roles.owner_help)}</p>
                    </div>
                })}
                <div class="permission-groups">
                    {PERMISSION_GROUPS.iter().map(|(area, codes)| view! {
                        <fieldset class="checkbox-group">
                            <legend>{move || category(i18n.get_locale(), area).unwrap_or(area)}</legend>
                            {codes.iter().map(|code| {
                                let code: &'static str = code;
                                let input_id = format!("perm-{}", code.replace('.', "-"));
                                view! {
                                    <div class="checkbox-row">
                                        <input type="checkbox" id=input_id.clone() data-permission=code
                                            disabled=!editable
                                            prop:checked=move || checked.with(|c| c.contains(code))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                checked.update(|c| {
                                                    if on { c.insert(code.to_string()); } else { c.remove(code); }
                                                });
                                            } />
                                        <label for=input_id>{move || permission(i18n.get_locale(), code).unwrap_or(code)}</label>
                                    </div>
                                }
                            }).collect_view()}
                        </fieldset>
                    }).collect_view()}
                </div>
                <ErrorMessage error=error />
                {editable.then(|| view! {
                    <div class="form-actions">
                        {role_id.is_some().then(|| view! {
                            <button type="button" class="button button-danger-quiet" id="delete-role"
                                aria-haspopup="dialog" on:click=move |_| confirm.set(true)>
                                {t!(i18n, common.delete)}
                            </button>
                        })}
                        <button type="submit" class="button button-primary" id="save-role" disabled=move || saving.get()>
                            {if role_id.is_some() { t!(i18n, common.save).into_any() } else { t!(i18n, common.create).into_any() }}
                        </button>
                    </div>
                })}
            </form>
            <ConfirmDialog
                open=confirm
                title=Signal::derive(move || td_string!(i18n.get_locale(), roles.delete_role).to_string())
                message=Signal::derive(move || td_string!(i18n.get_locale(), roles.confirm_delete_role).to_string())
                confirm_label=Signal::derive(move || td_string!(i18n.get_locale(), common.delete).to_string())
                on_confirm=do_delete
            />
        </section>
        {role_id.map(|id| view! { <Members role=id /> })}
    }
}

#[component]
fn Members(role: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let members = Resource::new(|| (), move |_| role_members(role));
    view! {
        <section class="panel" aria-labelledby="members-title">
            <h2 id="members-title">{t!(i18n, roles.members)}</h2>
            <LoadedList load=members loading=true let:list
                empty=move || view! {
                    <p class="empty-state" id="members-empty">{t!(i18n, roles.no_members)}</p>
                }>
                <div class="table-wrap">
                    <table class="table" id="member-table">
                        <thead>
                            <tr>
                                <th scope="col">{t!(i18n, admin.col_name)}</th>
                                <th scope="col">{t!(i18n, admin.col_username)}</th>
                                <th scope="col">{t!(i18n, roles.col_on_site)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {list.into_iter().map(|m| view! {
                                <tr>
                                    <td>{m.name}</td>
                                    <td class="mono">{m.username}</td>
                                    <td>{m.site_name}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </LoadedList>
        </section>
    }
}
