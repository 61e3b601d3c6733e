//! The roles page: the roles on the left (built-in and custom, with their members count), the
//! selected role on the right, editable when the user may. `?role=<id>` or `?role=new`.
mod editor;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use crate::api::roles::list_roles;
use crate::components::error_message::{ErrorMessage, StatusMessage};
use crate::components::page_shell::PageShell;
use crate::i18n::*;
use crate::labels::role_name;

#[component]
pub fn RolesPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), roles.page_title) />
        <PageShell>
            <RolesContent />
        </PageShell>
    }
}

#[component]
fn RolesContent() -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let notice = RwSignal::new(None::<String>);
    let roles = Resource::new(move || version.get(), |_| list_roles());
    let query = use_query_map();
    let selected = Memo::new(move |_| query.read().get("role"));
    view! {
        <div class="roles-layout">
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
                // Own Suspend: the selected role (from the address) is read inside, so choosing another
                // one re-renders the editor without reloading the roles.
                {move || Suspend::new(async move {
                    let overview = match roles.await {
                        Ok(overview) => overview,
                        Err(e) => return view! {
                            <section class="panel"><ErrorMessage error=Signal::stored(Some(e)) /></section>
                        }.into_any(),
                    };
                    let can_create = !overview.owner_sites.is_empty();
                    let current = selected.get();
                    let chosen = current
                        .as_deref()
                        .and_then(|s| Uuid::parse_str(s).ok())
                        .and_then(|id| overview.roles.iter().find(|r| r.id == id).cloned());
                    let creating = current.as_deref() == Some("new") && can_create;
                    let list = overview.roles.clone();
                    view! {
                        <section class="panel roles-list" aria-labelledby="roles-title">
                            <div class="panel-head">
                                <h1 id="roles-title">{t!(i18n, roles.page_title)}</h1>
                                {can_create.then(|| view! {
                                    <a class="button button-primary" href="/admin/roles?role=new" id="new-role">
                                        "+ " {t!(i18n, roles.new_role)}
                                    </a>
                                })}
                            </div>
                            <div class="table-wrap">
                                <table class="table" id="role-table">
                                    <thead>
                                        <tr>
                                            <th scope="col">{t!(i18n, roles.col_role)}</th>
                                            <th scope="col">{t!(i18n, roles.col_kind)}</th>
                                            <th scope="col" class="numeric">{t!(i18n, roles.col_members)}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list.into_iter().map(|r| {
                                            let is_current = chosen.as_ref().is_some_and(|c| c.id == r.id);
                                            let key = r.builtin_key.clone();
                                            let name = r.name.clone();
                                            let builtin = r.builtin_key.is_some();
                                            let owner = r.owner_site.clone();
                                            view! {
                                                <tr class:selected=is_current data-role=r.name.clone()>
                                                    <td>
                                                        <a href=format!("/admin/roles?role={}", r.id)
                                                            aria-current=is_current.then_some("page")>
                                                            {move || role_name(i18n.get_locale(), key.as_deref(), &name)}
                                                        </a>
                                                    </td>
                                                    <td class="muted">
                                                        {if builtin {
                                                            t!(i18n, roles.kind_builtin).into_any()
                                                        } else {
                                                            match owner.clone() {
                                                                Some(site) => view! { {t!(i18n, roles.kind_custom)} " · " {site} }.into_any(),
                                                                None => t!(i18n, roles.kind_inherited).into_any(),
                                                            }
                                                        }}
                                                    </td>
                                                    <td class="numeric">{r.members}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        </section>
                        <div class="roles-main">
                            <StatusMessage text=notice />
                            {match (chosen, creating) {
                                (Some(role), _) => view! {
                                    <editor::RoleEditor role=Some(role) owners=overview.owner_sites.clone() version=version notice=notice />
                                }.into_any(),
                                (None, true) => view! {
                                    <editor::RoleEditor role=None owners=overview.owner_sites.clone() version=version notice=notice />
                                }.into_any(),
                                (None, false) => view! {
                                    <section class="panel empty-state" id="roles-empty">
                                        <p>{t!(i18n, roles.choose_role)}</p>
                                    </section>
                                }.into_any(),
                            }}
                        </div>
                    }.into_any()
                })}
            </Transition>
        </div>
    }
}
