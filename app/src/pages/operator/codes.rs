//! Activation codes on the operator's page: a new batch for a bundle, the batches with how
//! many were redeemed, each batch's codes with who redeemed them, a CSV to hand out, and
//! revoking a batch after a confirmation.
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::api::activation::{
    batch_codes, code_batches, revoke_code_batch, BatchRow, CreateCodeBatch,
};
use crate::api::operator::catalogue;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::date::DateTimeText;
use crate::components::error_message::{aria_invalid, ErrorMessage};
use crate::components::loaded::{Loaded, LoadedList};
use crate::error::AppError;
use crate::i18n::*;

#[component]
pub fn ActivationCodes() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateCodeBatch>::new();
    let version = RwSignal::new(0u32);
    let batches = Resource::new(
        move || (create.version().get(), version.get()),
        |_| code_batches(),
    );
    let bundles = Resource::new(|| (), |_| catalogue());
    let error = Signal::derive(move || create.value().get().and_then(|r| r.err()));
    let invalid = move |field: &'static str| aria_invalid(error, field);
    let shown = RwSignal::new(None::<BatchRow>);
    let list_error = RwSignal::new(None::<AppError>);
    view! {
        <section class="panel" aria-labelledby="codes-title" id="activation-codes">
            <h2 id="codes-title">{t!(i18n, operator.codes)}</h2>
            <p class="help">{t!(i18n, operator.codes_help)}</p>
            <Loaded load=bundles let:catalogue>
                {
                    let (_, bundles) = catalogue;
                    if bundles.is_empty() {
                        view! { <p class="empty-state">{t!(i18n, operator.codes_need_bundle)}</p> }.into_any()
                    } else {
                        view! {
                            <ActionForm action=create attr:class="form row-form" attr:id="codes-form">
                                <div class="field">
                                    <label for="codes-name">{t!(i18n, operator.codes_name)}</label>
                                    <input id="codes-name" name="name" type="text" required maxlength="100"
                                        aria-invalid=invalid("name") />
                                </div>
                                <div class="field">
                                    <label for="codes-bundle">{t!(i18n, operator.codes_bundle)}</label>
                                    <select id="codes-bundle" name="bundle" required>
                                        {bundles.iter().map(|b| view! {
                                            <option value=b.id.to_string()>{b.name.clone()}</option>
                                        }).collect_view()}
                                    </select>
                                </div>
                                <div class="field">
                                    <label for="codes-days">{t!(i18n, operator.codes_days)}</label>
                                    <input id="codes-days" name="days" type="number" min="1" max="3660" value="365"
                                        required inputmode="numeric" aria-invalid=invalid("days") />
                                </div>
                                <div class="field">
                                    <label for="codes-size">{t!(i18n, operator.codes_size)}</label>
                                    <input id="codes-size" name="size" type="number" min="1" max="10000" value="100"
                                        required inputmode="numeric" aria-invalid=invalid("size") />
                                </div>
                                <button type="submit" class="button button-primary" id="create-codes"
                                    disabled=move || create.pending().get()>{t!(i18n, operator.codes_create)}</button>
                            </ActionForm>
                        }.into_any()
                    }
                }
            </Loaded>
            <ErrorMessage error=error />
            <ErrorMessage error=list_error />
            <LoadedList load=batches let:found
                empty=move || view! { <p class="empty-state" id="no-batches">{t!(i18n, operator.codes_none)}</p> }>
                <div class="table-wrap">
                    <table class="table" id="batches">
                        <caption class="visually-hidden">{t!(i18n, operator.codes)}</caption>
                        <thead><tr>
                            <th scope="col">{t!(i18n, operator.codes_col_batch)}</th>
                            <th scope="col">{t!(i18n, operator.codes_bundle)}</th>
                            <th scope="col" class="number">{t!(i18n, operator.codes_days)}</th>
                            <th scope="col">{t!(i18n, operator.codes_col_redeemed)}</th>
                            <th scope="col">{t!(i18n, operator.codes_col_created)}</th>
                            <th scope="col"><span class="visually-hidden">{t!(i18n, admin.col_actions)}</span></th>
                        </tr></thead>
                        <tbody>
                            {found.into_iter().map(|b| view! {
                                <BatchLine batch=b shown=shown version=version error=list_error />
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </LoadedList>
            {move || shown.get().map(|b| view! { <Codes batch=b.id name=b.name /> })}
        </section>
    }
}

#[component]
fn BatchLine(
    batch: BatchRow,
    shown: RwSignal<Option<BatchRow>>,
    version: RwSignal<u32>,
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let confirm = RwSignal::new(false);
    let id = batch.id;
    let revoke = Callback::new(move |_| {
        spawn_local(async move {
            match revoke_code_batch(id).await {
                Ok(()) => {
                    error.set(None);
                    version.update(|v| *v += 1);
                }
                Err(err) => error.set(Some(err)),
            }
        });
    });
    let (redeemed, size) = (batch.redeemed, batch.size);
    let (n1, n2, n3, n4) = (
        batch.name.clone(),
        batch.name.clone(),
        batch.name.clone(),
        batch.name.clone(),
    );
    let row = batch.clone();
    view! {
        <tr data-batch=batch.name.clone() class:inactive=batch.revoked>
            <td>{batch.name.clone()}
                {batch.revoked.then(|| view! { " " <span class="pill pill-token-revoked">{t!(i18n, operator.codes_revoked)}</span> })}
            </td>
            <td>{batch.bundle_name.clone().unwrap_or_default()}</td>
            <td class="number">{batch.days}</td>
            <td class="redeemed">{move || td_string!(i18n.get_locale(), operator.codes_redeemed_of, redeemed = redeemed, size = size).to_string()}</td>
            <td class="nowrap"><DateTimeText at=batch.created_at /></td>
            <td class="actions">
                <button type="button" class="button show-codes"
                    aria-label=move || td_string!(i18n.get_locale(), operator.codes_show_label, name = n1.clone()).to_string()
                    on:click=move |_| shown.set(Some(row.clone()))>{t!(i18n, operator.codes_show)}</button>
                <a class="button export-codes" href=format!("/operator/codes/{id}.csv") download=""
                    aria-label=move || td_string!(i18n.get_locale(), operator.codes_export_label, name = n2.clone()).to_string()>
                    {t!(i18n, operator.codes_export)}</a>
                {(!batch.revoked).then(|| view! {
                    <button type="button" class="button button-danger revoke-codes"
                        aria-label=move || td_string!(i18n.get_locale(), operator.codes_revoke_label, name = n3.clone()).to_string()
                        on:click=move |_| confirm.set(true)>{t!(i18n, operator.codes_revoke)}</button>
                    <ConfirmDialog
                        open=confirm
                        title=Signal::derive(move || format!("{} – {}", td_string!(i18n.get_locale(), operator.codes_revoke), n4))
                        message=Signal::derive(move || td_string!(i18n.get_locale(), operator.codes_confirm_revoke).to_string())
                        confirm_label=Signal::derive(move || td_string!(i18n.get_locale(), operator.codes_revoke).to_string())
                        on_confirm=revoke
                    />
                })}
            </td>
        </tr>
    }
}

#[component]
fn Codes(batch: Uuid, name: String) -> impl IntoView {
    let i18n = use_i18n();
    let codes = Resource::new(move || batch, batch_codes);
    view! {
        <h3 id="codes-of">{name}</h3>
        <LoadedList load=codes loading=true let:found empty=move || view! { <p class="empty-state">"–"</p> }>
            <div class="table-wrap">
                <table class="table" id="code-table">
                    <caption class="visually-hidden">{t!(i18n, operator.codes_show)}</caption>
                    <thead><tr>
                        <th scope="col">{t!(i18n, operator.codes_code)}</th>
                        <th scope="col">{t!(i18n, operator.codes_redeemed_by)}</th>
                    </tr></thead>
                    <tbody>
                        {found.into_iter().map(|c| view! {
                            <tr class="code-line">
                                <td class="mono nowrap">{c.code.clone()}</td>
                                <td>{match (c.redeemed_by.clone(), c.redeemed_at) {
                                    (Some(who), Some(at)) => view! { {who} " · " <DateTimeText at=at /> }.into_any(),
                                    _ => view! { <span class="muted">{t!(i18n, operator.codes_not_redeemed)}</span> }.into_any(),
                                }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </LoadedList>
    }
}
