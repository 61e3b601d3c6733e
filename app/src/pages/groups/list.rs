//! The groups of the site: rule, grants, members, last and next run; edit, run now, remove.
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{op_label, schedule_label, Editing};
use crate::api::groups::{remove_group, run_group, GroupRow, GroupsPage};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::date::{date_time, DateTimeText};
use crate::components::error_message::{ErrorMessage, StatusMessage};
use crate::error::AppError;
use crate::i18n::*;

#[component]
pub fn GroupList(
    data: StoredValue<GroupsPage>,
    version: RwSignal<u32>,
    editing: RwSignal<Editing>,
    error: RwSignal<Option<AppError>>,
    status: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let page = data.get_value();
    let can_manage = page.can_manage;
    let groups = page.groups.clone();
    view! {
        <section class="panel" aria-labelledby="groups-title">
            <div class="panel-head">
                <h1 id="groups-title">{t!(i18n, groups.page_title)}</h1>
                {can_manage.then(|| view! {
                    <button type="button" class="button button-primary" id="new-group"
                        on:click=move |_| editing.set(Editing::New)>{t!(i18n, groups.new_group)}</button>
                })}
            </div>
            <p class="help">{t!(i18n, groups.intro)}</p>
            <ErrorMessage error=error />
            <StatusMessage text=status />
            {if groups.is_empty() {
                view! { <p class="empty-state" id="groups-empty">{t!(i18n, groups.no_groups)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table" id="group-table">
                            <thead><tr>
                                <th scope="col">{t!(i18n, groups.name)}</th>
                                <th scope="col">{t!(i18n, groups.rule)}</th>
                                <th scope="col">{t!(i18n, groups.grants)}</th>
                                <th scope="col">{t!(i18n, groups.members)}</th>
                                <th scope="col">{t!(i18n, groups.last_run)}</th>
                                {can_manage.then(|| view! {
                                    <th scope="col"><span class="visually-hidden">{t!(i18n, admin.col_actions)}</span></th>
                                })}
                            </tr></thead>
                            <tbody>
                                {groups.into_iter().map(|g| view! {
                                    <GroupRowView g=g data=data can_manage=can_manage version=version
                                        editing=editing error=error status=status />
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

/// The rule in words: "Department equals Care and Budget greater than 1000".
pub fn rule_text(locale: Locale, page: &GroupsPage, g: &GroupRow) -> String {
    if g.conditions.is_empty() {
        return td_string!(locale, groups.everyone).to_string();
    }
    let code = crate::locale_code(locale);
    g.conditions
        .iter()
        .map(|c| {
            let label = page
                .definitions
                .iter()
                .find(|d| d.key == c.key)
                .map(|d| d.label(code))
                .unwrap_or_else(|| c.key.clone());
            if c.op.takes_value() {
                format!("{label} {} {}", op_label(locale, c.op), c.value)
            } else {
                format!("{label} {}", op_label(locale, c.op))
            }
        })
        .collect::<Vec<_>>()
        .join(&format!(" {} ", td_string!(locale, groups.and)))
}

#[component]
fn GroupRowView(
    g: GroupRow,
    data: StoredValue<GroupsPage>,
    can_manage: bool,
    version: RwSignal<u32>,
    editing: RwSignal<Editing>,
    error: RwSignal<Option<AppError>>,
    status: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let confirm = RwSignal::new(false);
    let id = g.id;
    let row = StoredValue::new(g.clone());
    let do_remove = Callback::new(move |_| {
        spawn_local(async move {
            match remove_group(id).await {
                Ok(()) => {
                    error.set(None);
                    editing.set(Editing::Closed);
                    version.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    });
    let run_now = move |_| {
        spawn_local(async move {
            match run_group(id).await {
                Ok(()) => {
                    error.set(None);
                    status.set(Some(
                        td_string!(i18n.get_locale_untracked(), groups.run_queued).to_string(),
                    ));
                    version.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let rule = move || rule_text(i18n.get_locale(), &data.get_value(), &row.get_value());
    let grants = move || {
        let locale = i18n.get_locale();
        let g = row.get_value();
        let page = data.get_value();
        let mut parts = Vec::new();
        if !g.grant_product.is_empty() {
            let name = page
                .products
                .iter()
                .find(|(k, _)| *k == g.grant_product)
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| g.grant_product.clone());
            parts.push(td_string!(locale, groups.grants_licence, product = name).to_string());
        }
        if g.grant_role.is_some() {
            let role = crate::labels::journal_value(locale, "role", &g.grant_role_name);
            parts.push(
                td_string!(
                    locale,
                    groups.grants_role,
                    role = role,
                    site = g.grant_site_name.clone()
                )
                .to_string(),
            );
        }
        if parts.is_empty() {
            td_string!(locale, groups.grants_nothing).to_string()
        } else {
            parts.join("; ")
        }
    };
    let last_run = move || {
        let locale = i18n.get_locale();
        let g = row.get_value();
        if let Some(at) = g.last_run {
            td_string!(
                locale,
                groups.last_run_summary,
                at = date_time(locale, at),
                joined = g.last_joined,
                left = g.last_left
            )
            .to_string()
        } else {
            td_string!(locale, groups.never_run).to_string()
        }
    };
    let problem = g.problem.map(|code| {
        let error = AppError {
            details: vec![g.problem_key.clone()],
            ..AppError::code(code)
        };
        view! {
            <span class="alert-inline" role="note">
                {move || td_string!(i18n.get_locale(), groups.unchanged_because).to_string()}" "
                {move || error.message(i18n.get_locale())}" ("{g.problem_key.clone()}")"
            </span>
        }
    });
    let ungranted = g.last_ungranted;
    let name = g.name.clone();
    let run_name = g.name.clone();
    let edit_name = g.name.clone();
    let dialog_name = g.name.clone();
    let schedule = g.schedule;
    let next_run = g.next_run;
    view! {
        <tr data-group=g.name.clone() class:inactive=!g.active>
            <td>
                <span class="user-name">{g.name.clone()}</span>
                {(!g.active).then(|| view! { <span class="pill">{t!(i18n, groups.inactive)}</span> })}
                {g.running.then(|| view! { <span class="pill pill-queued">{t!(i18n, groups.running)}</span> })}
                <span class="user-email">{g.site_name.clone()}</span>
            </td>
            <td class="rule-cell">{rule}</td>
            <td>{grants}</td>
            <td class="members-count">{g.members}</td>
            <td>
                <span class="last-run">{last_run}</span>
                {(ungranted > 0).then(|| view! {
                    <span class="user-email warn">{move || td_string!(i18n.get_locale(), groups.ungranted, count = ungranted).to_string()}</span>
                })}
                {problem}
                <span class="user-email">
                    {move || schedule_label(i18n.get_locale(), schedule)}
                    {next_run.map(|at| view! { " · " {move || td_string!(i18n.get_locale(), groups.next_run).to_string()} " " <DateTimeText at=at /> })}
                </span>
            </td>
            {can_manage.then(|| view! {
                <td class="actions nowrap">
                    <button type="button" class="button button-quiet edit-group"
                        aria-label=move || td_string!(i18n.get_locale(), groups.edit_label, name = edit_name.clone()).to_string()
                        on:click=move |_| editing.set(Editing::Group(Box::new(row.get_value())))>{t!(i18n, groups.edit)}</button>
                    <button type="button" class="button run-group" disabled=!g.active
                        aria-label=move || td_string!(i18n.get_locale(), groups.run_label, name = run_name.clone()).to_string()
                        on:click=run_now>{t!(i18n, groups.run_now)}</button>
                    <button type="button" class="button button-danger-quiet remove-group"
                        aria-label=move || td_string!(i18n.get_locale(), groups.remove_label, name = name.clone()).to_string()
                        on:click=move |_| confirm.set(true)>{t!(i18n, common.delete)}</button>
                    <ConfirmDialog
                        open=confirm
                        title=Signal::derive(move || format!("{} – {}", td_string!(i18n.get_locale(), groups.remove_group), dialog_name))
                        message=Signal::derive(move || td_string!(i18n.get_locale(), groups.confirm_remove).to_string())
                        confirm_label=Signal::derive(move || td_string!(i18n.get_locale(), common.delete).to_string())
                        on_confirm=do_remove
                    />
                </td>
            })}
        </tr>
    }
}
