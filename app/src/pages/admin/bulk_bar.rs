//! Bulk actions on the users chosen in the list (checkboxes, or all matching the filter):
//! activate, deactivate, set the expiry date, move to a subsite, delete; each confirmed.
use std::collections::HashSet;

use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use super::use_admin;
use crate::api::users::{bulk_users, BulkResult, UserFilter};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::date::PastDateWarning;
use crate::components::site_picker::SitePicker;
use crate::i18n::*;
use wire::BulkKind;

/// The list's selection: explicit users, or every user matching the filter.
#[derive(Clone, Copy)]
pub struct Selection {
    pub users: RwSignal<HashSet<Uuid>>,
    pub all_matching: RwSignal<bool>,
}

impl Selection {
    pub fn new() -> Selection {
        Selection {
            users: RwSignal::new(HashSet::new()),
            all_matching: RwSignal::new(false),
        }
    }

    pub fn clear(&self) {
        self.users.set(HashSet::new());
        self.all_matching.set(false);
    }

    pub fn contains(&self, user: Uuid) -> bool {
        self.all_matching.get() || self.users.with(|s| s.contains(&user))
    }
}

fn outcome(locale: Locale, action: BulkKind, result: &BulkResult) -> String {
    let n = result.changed;
    let mut text = if result.queued {
        td_string!(locale, admin.bulk_queued, count = n).to_string()
    } else {
        match action {
            BulkKind::Activate => td_string!(locale, admin.bulk_activated, count = n),
            BulkKind::Deactivate => td_string!(locale, admin.bulk_deactivated, count = n),
            BulkKind::Expiry => td_string!(locale, admin.bulk_dated, count = n),
            BulkKind::Move => td_string!(locale, admin.bulk_moved, count = n),
            BulkKind::Delete => td_string!(locale, admin.bulk_deleted, count = n),
        }
        .to_string()
    };
    if !result.skipped.is_empty() {
        let names: Vec<String> = result
            .skipped
            .iter()
            .map(|(user, code)| {
                let error = crate::error::AppError::code(*code);
                format!("{user} ({})", error.message(locale))
            })
            .collect();
        text.push(' ');
        text.push_str(td_string!(locale, admin.bulk_skipped));
        text.push(' ');
        text.push_str(&names.join("; "));
    }
    text
}

#[component]
pub fn BulkBar(
    site: Uuid,
    selection: Selection,
    filter: Memo<UserFilter>,
    /// The matching users (all of them are chosen with "all matching").
    total: Signal<u64>,
) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_admin();
    let action = RwSignal::new(BulkKind::Deactivate);
    let date = RwSignal::new(String::new());
    let target = RwSignal::new(None::<Uuid>);
    let confirm = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let count = move || {
        if selection.all_matching.get() {
            total.get()
        } else {
            selection.users.with(|s| s.len() as u64)
        }
    };
    let run = Callback::new(move |_: ()| {
        let chosen = action.get_untracked();
        let users: Vec<Uuid> = selection.users.get_untracked().into_iter().collect();
        let all = selection.all_matching.get_untracked();
        let (day, to, f) = (
            date.get_untracked(),
            target.get_untracked(),
            filter.get_untracked(),
        );
        busy.set(true);
        spawn_local(async move {
            let result =
                bulk_users(site, users, all, f, chosen.as_str().to_string(), day, to).await;
            busy.set(false);
            match result {
                Ok(done) => {
                    selection.clear();
                    ctx.done(outcome(i18n.get_locale_untracked(), chosen, &done));
                }
                Err(e) => ctx.failed(e),
            }
        });
    });
    let ready = move || match action.get() {
        BulkKind::Move => target.get().is_some(),
        _ => true,
    };
    let question = move || {
        let locale = i18n.get_locale();
        let n = count();
        match action.get() {
            BulkKind::Activate => td_string!(locale, admin.bulk_confirm_activate, count = n),
            BulkKind::Deactivate => td_string!(locale, admin.bulk_confirm_deactivate, count = n),
            BulkKind::Expiry => td_string!(locale, admin.bulk_confirm_expiry, count = n),
            BulkKind::Move => td_string!(locale, admin.bulk_confirm_move, count = n),
            BulkKind::Delete => td_string!(locale, admin.bulk_confirm_delete, count = n),
        }
        .to_string()
    };
    view! {
        <Show when=move || { count() > 0 }>
            <div class="bulk-bar" id="bulk-bar" role="region" aria-label=move || td_string!(i18n.get_locale(), admin.bulk_title)>
                <strong id="bulk-count">{move || td_string!(i18n.get_locale(), admin.bulk_selected, count = count()).to_string()}</strong>
                <label for="bulk-action" class="visually-hidden">{t!(i18n, admin.bulk_action)}</label>
                <select id="bulk-action" on:change=move |ev| { if let Some(kind) = BulkKind::parse(&event_target_value(&ev)) { action.set(kind) } } prop:value=move || action.get().as_str()>
                    <option value=BulkKind::Activate.as_str()>{t!(i18n, admin.bulk_do_activate)}</option>
                    <option value=BulkKind::Deactivate.as_str()>{t!(i18n, admin.bulk_do_deactivate)}</option>
                    <option value=BulkKind::Expiry.as_str()>{t!(i18n, admin.bulk_do_expiry)}</option>
                    <option value=BulkKind::Move.as_str()>{t!(i18n, admin.bulk_do_move)}</option>
                    <option value=BulkKind::Delete.as_str()>{t!(i18n, admin.bulk_do_delete)}</option>
                </select>
                <Show when=move || action.get() == BulkKind::Expiry>
                    <label for="bulk-date">{t!(i18n, admin.bulk_date)}</label>
                    <input id="bulk-date" type="date" prop:value=move || date.get()
                        on:input=move |ev| date.set(event_target_value(&ev)) />
                    <PastDateWarning value=date id="bulk-date-past">{t!(i18n, admin.expiry_in_past_users)}</PastDateWarning>
                </Show>
                <Show when=move || action.get() == BulkKind::Move>
                    <label for="bulk-target">{t!(i18n, admin.bulk_target)}</label>
                    // The list's site and its subsites, found by a search on the server.
                    <SitePicker id="bulk-target" chosen=target within=site
                        placeholder=Signal::derive(move || td_string!(i18n.get_locale(), admin.bulk_choose_site).to_string()) />
                </Show>
                <button type="button" class="button button-primary" id="bulk-apply"
                    disabled=move || busy.get() || !ready() on:click=move |_| confirm.set(true)>
                    {t!(i18n, admin.bulk_apply)}
                </button>
                <button type="button" class="button button-quiet" id="bulk-clear" on:click=move |_| selection.clear()>
                    {t!(i18n, admin.bulk_clear)}
                </button>
            </div>
        </Show>
        <ConfirmDialog
            open=confirm
            title=Signal::derive(move || td_string!(i18n.get_locale(), admin.bulk_title).to_string())
            message=Signal::derive(question)
            confirm_label=Signal::derive(move || td_string!(i18n.get_locale(), admin.bulk_apply).to_string())
            on_confirm=run
        />
    }
}
