use leptos::prelude::*;
use leptos::task::spawn_local;

use super::use_admin;
use crate::api::users::{assign_licence, delete_user, set_user_active, unassign_licence, UserRow};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::date::ShortDate;
use crate::components::icon::{Icon, IconSvg};
use crate::components::licence::LicencePill;
use crate::i18n::*;

/// One user: name, username, (site), created, the Active switch and delete.
#[component]
pub fn UserRowView(
    row: UserRow,
    show_site: bool,
    show_property: bool,
    can_manage: bool,
    can_assign: bool,
    shows_licence: bool,
    can_assign_licence: bool,
    selection: super::bulk_bar::Selection,
) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_admin();
    let confirm = RwSignal::new(false);
    let granting = RwSignal::new(false);
    let showing_links = RwSignal::new(false);
    let showing_sessions = RwSignal::new(false);
    let showing_properties = RwSignal::new(false);
    let home = row.site_id;
    let id = row.id;
    let name = format!("{} {}", row.first_name, row.last_name);
    let active = RwSignal::new(row.active);
    let busy = RwSignal::new(false);
    let toggle = move |ev| {
        let wanted = event_target_checked(&ev);
        active.set(wanted);
        busy.set(true);
        spawn_local(async move {
            let result = set_user_active(id, wanted).await;
            busy.set(false);
            match result {
                Ok(()) => ctx.error.set(None),
                Err(e) => {
                    active.set(!wanted);
                    ctx.failed(e);
                }
            }
        });
    };
    let do_delete = Callback::new(move |_| {
        spawn_local(async move {
            match delete_user(id).await {
                Ok(()) => ctx
                    .done(td_string!(i18n.get_locale_untracked(), admin.user_deleted).to_string()),
                Err(e) => ctx.failed(e),
            }
        });
    });
    let label_name = name.clone();
    let select_name = name.clone();
    let grant_name = name.clone();
    let delete_name = name.clone();
    let dialog_name = name.clone();
    let links_name = name.clone();
    let links_label = name.clone();
    let sessions_name = name.clone();
    let sessions_label = name.clone();
    let properties_name = name.clone();
    let properties_label = name.clone();
    view! {
        <tr class:inactive=move || !active.get() class:selected=move || selection.contains(id) data-username=row.username.clone()>
            {can_manage.then(|| view! {
                <td class="select-cell">
                    <input type="checkbox" class="row-select"
                        aria-label=move || td_string!(i18n.get_locale(), admin.select_user, name = select_name.clone()).to_string()
                        prop:checked=move || selection.contains(id)
                        on:change=move |ev| {
                            let checked = event_target_checked(&ev);
                            if selection.all_matching.get_untracked() {
                                // Leaving "all matching": what was selected stays selected.
                                selection.all_matching.set(false);
                            }
                            selection.users.update(|s| {
                                if checked { s.insert(id); } else { s.remove(&id); }
                            });
                        } />
                </td>
            })}
            <td>
                <span class="user-name">{name.clone()}</span>
                {row.pending.map(|pending| match pending {
                    wire::Pending::Approval => view! { <span class="pill pill-queued">{t!(i18n, admin.pending_approval)}</span> }.into_any(),
                    wire::Pending::Verify => view! { <span class="pill pill-queued">{t!(i18n, admin.pending_verify)}</span> }.into_any(),
                })}
                {row.service_account.then(|| view! { <span class="pill">{t!(i18n, tokens.service_account)}</span> })}
                {(!row.email.is_empty()).then(|| view! { <span class="user-email">{row.email.clone()}</span> })}
            </td>
            <td class="mono">{row.username.clone()}</td>
            {show_site.then(|| view! { <td>{row.site_name.clone()}</td> })}
            {show_property.then(|| view! { <td class="property-cell">{row.property_value.clone()}</td> })}
            {shows_licence.then(|| view! {
                <LicenceCell user=id name=name.clone() licence=row.licence.unwrap_or_default() can_assign=can_assign_licence && !row.is_me />
            })}
            <td class="nowrap"><ShortDate date=row.created_on /></td>
            <td class="active-cell">
                <label class="switch">
                    <input type="checkbox" role="switch" class="active-switch"
                        prop:checked=move || active.get()
                        disabled=move || !can_manage || busy.get()
                        aria-label=move || td_string!(i18n.get_locale(), admin.active_label, name = label_name.clone()).to_string()
                        on:change=toggle />
                    <span class="switch-track" aria-hidden="true"></span>
                </label>
            </td>
            {(can_manage || can_assign).then(|| view! {
                <td class="actions">
                    {can_assign.then(|| view! {
                        <button type="button" class="icon-button edit-roles"
                            aria-label=move || td_string!(i18n.get_locale(), roles.edit_roles_of, name = grant_name.clone()).to_string()
                            aria-haspopup="dialog"
                            on:click=move |_| granting.set(true)>
                            <IconSvg icon=Icon::Pencil />
                        </button>
                        <super::grant_dialog::GrantDialog open=granting user=id home=home />
                    })}
                    {can_manage.then(|| view! {
                        <button type="button" class="icon-button user-properties"
                            aria-label=move || td_string!(i18n.get_locale(), admin.properties_label, name = properties_label.clone()).to_string()
                            aria-haspopup="dialog"
                            on:click=move |_| showing_properties.set(true)>
                            <IconSvg icon=Icon::Tag />
                        </button>
                        <Show when=move || showing_properties.get()>
                            <super::properties_dialog::PropertiesDialog open=showing_properties user=id name=properties_name.clone() />
                        </Show>
                    })}
                    {can_manage.then(|| view! {
                        <button type="button" class="icon-button user-links"
                            aria-label=move || td_string!(i18n.get_locale(), admin.links_label, name = links_label.clone()).to_string()
                            aria-haspopup="dialog"
                            on:click=move |_| showing_links.set(true)>
                            <IconSvg icon=Icon::Link />
                        </button>
                        <super::links_dialog::LinksDialog open=showing_links user=id name=links_name.clone() />
                    })}
                    {can_manage.then(|| view! {
                        <button type="button" class="icon-button user-app-sessions"
                            aria-label=move || td_string!(i18n.get_locale(), admin.app_sessions_label, name = sessions_label.clone()).to_string()
                            aria-haspopup="dialog"
                            on:click=move |_| showing_sessions.set(true)>
                            <IconSvg icon=Icon::Screen />
                        </button>
                        <super::app_sessions_dialog::AppSessionsDialog open=showing_sessions user=id name=sessions_name.clone() />
                    })}
                    {can_manage.then(|| view! {
                    <button type="button" class="icon-button delete-user"
                        aria-label=move || td_string!(i18n.get_locale(), admin.delete_label, name = delete_name.clone()).to_string()
                        on:click=move |_| confirm.set(true)>
                        <IconSvg icon=Icon::Bin />
                    </button>
                    <ConfirmDialog
                        open=confirm
                        title=Signal::derive(move || format!("{} – {}", td_string!(i18n.get_locale(), admin.delete_user), dialog_name))
                        message=Signal::derive(move || td_string!(i18n.get_locale(), admin.confirm_delete_user).to_string())
                        confirm_label=Signal::derive(move || td_string!(i18n.get_locale(), common.delete).to_string())
                        on_confirm=do_delete
                    />
                    })}
                </td>
            })}
        </tr>
    }
}

/// A user's licence: its state and date, and (with the right) assign or take away.
#[component]
fn LicenceCell(
    user: uuid::Uuid,
    name: String,
    licence: wire::LicenceState,
    can_assign: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_admin();
    let state = RwSignal::new(licence);
    let confirm = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let holds = move || {
        matches!(
            state.get(),
            wire::LicenceState::Active(_) | wire::LicenceState::Upcoming(_)
        )
    };
    let run = move |take_away: bool| {
        busy.set(true);
        spawn_local(async move {
            let result = if take_away {
                unassign_licence(user).await
            } else {
                assign_licence(user).await
            };
            busy.set(false);
            match result {
                Ok(now) => {
                    state.set(now);
                    ctx.error.set(None);
                    // The counters change with it.
                    ctx.version.update(|v| *v += 1);
                }
                Err(e) => ctx.failed(e),
            }
        });
    };
    let assign_name = name.clone();
    let unassign_name = name.clone();
    let dialog_name = name;
    view! {
        <td class="licence-cell">
            <LicencePill state=state short=true />
            {can_assign.then(|| view! {
                <Show when=holds fallback=move || {
                    let assign_name = assign_name.clone();
                    view! {
                        <button type="button" class="link-button assign-licence" disabled=move || busy.get()
                            aria-label=move || td_string!(i18n.get_locale(), admin.assign_licence_to, name = assign_name.clone()).to_string()
                            on:click=move |_| run(false)>
                            {t!(i18n, admin.assign_licence)}
                        </button>
                    }
                }>
                    {
                        let unassign_name = unassign_name.clone();
                        view! {
                            <button type="button" class="link-button unassign-licence" disabled=move || busy.get()
                                aria-label=move || td_string!(i18n.get_locale(), admin.unassign_licence_of, name = unassign_name.clone()).to_string()
                                on:click=move |_| confirm.set(true)>
                                {t!(i18n, admin.unassign_licence)}
                            </button>
                        }
                    }
                </Show>
                <ConfirmDialog
                    open=confirm
                    title=Signal::derive(move || format!("{} – {}", td_string!(i18n.get_locale(), admin.unassign_licence), dialog_name))
                    message=Signal::derive(move || td_string!(i18n.get_locale(), admin.confirm_unassign_licence).to_string())
                    confirm_label=Signal::derive(move || td_string!(i18n.get_locale(), admin.unassign_licence).to_string())
                    on_confirm=Callback::new(move |_| run(true))
                />
            })}
        </td>
    }
}
