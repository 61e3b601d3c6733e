//! The selected site's information, editable and validated by the domain.
use leptos::prelude::*;

use super::use_admin;
use crate::api::sites::{SiteDetails, UpdateSite};
use crate::components::date::PastDateWarning;
use crate::components::error_message::ErrorMessage;
use crate::i18n::*;

#[component]
pub fn SiteInfo(details: SiteDetails) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_admin();
    let action = ServerAction::<UpdateSite>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let field_error = move |field: &'static str| {
        move || error.get().and_then(|e| e.field).as_deref() == Some(field)
    };
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            ctx.done(td_string!(i18n.get_locale_untracked(), common.saved).to_string());
        }
    });
    let d = details;
    let readonly = !d.can_manage;
    let limit_readonly = readonly || !d.can_edit_seat_limit;
    let free = (d.node.seat_limit - d.node.used_seats).max(0);
    let inherited = (d.expires_on.is_empty() && !d.effective_expires_on.is_empty())
        .then(|| d.effective_expires_on.clone());
    let is_root = d.is_root;
    let has_own_date = !d.expires_on.is_empty();
    // What the expiry field holds now, for the warning when it lies in the past.
    let expiry = RwSignal::new(d.expires_on.clone());
    let can_move = d.can_move;
    let moving = RwSignal::new(false);
    let site_id = d.node.id;
    let move_within = d.move_within;
    let site_name = d.node.name.clone();
    let flow = d.registration_flow;
    let code = d.registration_code.clone();
    view! {
        <section class="panel" aria-labelledby="site-info-title">
            <div class="panel-head">
                <h1 id="site-info-title">{d.node.name.clone()}</h1>
                <span class="badge" title=move || td_string!(i18n.get_locale(), admin.seats_in_use_help)>
                    <span id="site-seat-count">{format!("{}/{}", d.node.used_seats, d.node.seat_limit)}</span>
                    " " {t!(i18n, admin.seats_used)}
                </span>
            </div>
            <h2 class="section-title">{t!(i18n, admin.site_information)}</h2>
            <ActionForm action=action attr:class="form grid-form" attr:id="site-form">
                <input type="hidden" name="site" value=d.node.id.to_string() />
                <div class="field">
                    <label for="site-name">{t!(i18n, admin.name)}</label>
                    <input id="site-name" name="name" type="text" value=d.node.name.clone()
                        required maxlength="200" readonly=readonly
                        aria-invalid=move || field_error("name")().then_some("true") />
                </div>
                <div class="field">
                    <label for="site-seat-limit">{t!(i18n, admin.max_users)}</label>
                    <input id="site-seat-limit" name="seat_limit" type="text" inputmode="numeric"
                        value=d.node.seat_limit.to_string() readonly=limit_readonly
                        aria-describedby="seat-limit-help"
                        aria-invalid=move || field_error("seat_limit")().then_some("true") />
                    <p class="help" id="seat-limit-help">
                        {if !limit_readonly {
                            view! { {free} " " {t!(i18n, admin.free_seats)} }.into_any()
                        } else if is_root {
                            view! { {t!(i18n, admin.limit_from_subscription)} }.into_any()
                        } else {
                            view! { {t!(i18n, admin.limit_from_parent)} }.into_any()
                        }}
                    </p>
                </div>
                <div class="field">
                    <span class="label">{t!(i18n, admin.users_created)}</span>
                    <p class="value" id="site-own-users">{d.own_users}</p>
                </div>
                <div class="field">
                    <label for="site-code">{t!(i18n, admin.registration_code)}</label>
                    <input id="site-code" name="registration_code" type="text" value=d.registration_code.clone()
                        maxlength="32" readonly=readonly autocapitalize="characters" aria-describedby="code-help"
                        aria-invalid=move || field_error("registration_code")().then_some("true") />
                    <p class="help" id="code-help">{t!(i18n, admin.registration_code_help)}</p>
                </div>
                <div class="field">
                    <label for="site-flow">{t!(i18n, admin.registration_flow)}</label>
                    <select id="site-flow" name="registration_flow" disabled=readonly aria-describedby="flow-help">
                        {wire::RegistrationFlow::ALL.iter().map(|&value| {
                            let selected = flow == value;
                            view! {
                                <option value=value.as_str() selected=selected>
                                    {move || match value {
                                        wire::RegistrationFlow::Immediate => td_string!(i18n.get_locale(), admin.flow_immediate),
                                        wire::RegistrationFlow::Verify => td_string!(i18n.get_locale(), admin.flow_verify),
                                        wire::RegistrationFlow::Approval => td_string!(i18n.get_locale(), admin.flow_approval),
                                    }}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                    {readonly.then(|| view! { <input type="hidden" name="registration_flow" value=flow.as_str() /> })}
                    <p class="help" id="flow-help">{t!(i18n, admin.registration_flow_help)}</p>
                </div>
                <div class="field">
                    <label for="site-domains">{t!(i18n, admin.allowed_domains)}</label>
                    <textarea id="site-domains" name="allowed_domains" rows="2" readonly=readonly
                        aria-describedby="domains-help"
                        aria-invalid=move || field_error("allowed_domains")().then_some("true")>
                        {d.allowed_domains.clone()}
                    </textarea>
                    <p class="help" id="domains-help">{t!(i18n, admin.allowed_domains_help)}</p>
                </div>
                <div class="field">
                    <label for="site-institution">{t!(i18n, admin.institution_number)}</label>
                    <input id="site-institution" name="institution_number" type="text" maxlength="20"
                        value=d.institution_number.clone() readonly=readonly
                        aria-describedby="institution-help"
                        aria-invalid=move || field_error("institution_number")().then_some("true") />
                    <p class="help" id="institution-help">{t!(i18n, admin.institution_number_help)}</p>
                </div>
                <div class="field">
                    <label for="site-expiry">{t!(i18n, admin.expiry_date)}</label>
                    <input id="site-expiry" name="expires_on" type="date" value=d.expires_on.clone()
                        readonly=readonly aria-describedby="expiry-help"
                        on:input=move |ev| expiry.set(event_target_value(&ev))
                        aria-invalid=move || field_error("expires_on")().then_some("true") />
                    <PastDateWarning value=expiry id="site-expiry-past">{t!(i18n, admin.expiry_in_past_site)}</PastDateWarning>
                    <p class="help" id="expiry-help">
                        {match (inherited.clone(), has_own_date) {
                            (Some(date), _) => view! { {t!(i18n, admin.expiry_inherited)} " " {date} }.into_any(),
                            (None, false) => view! { {t!(i18n, admin.expiry_none)} }.into_any(),
                            (None, true) => ().into_any(),
                        }}
                    </p>
                </div>
                <ErrorMessage error=error />
                {(!readonly || can_move).then(|| view! {
                    <div class="form-actions">
                        {can_move.then(|| view! {
                            <button type="button" class="button" id="move-site" aria-haspopup="dialog"
                                on:click=move |_| moving.set(true)>
                                {t!(i18n, admin.move_site)} "…"
                            </button>
                        })}
                        {(!readonly).then(|| view! {
                            <button type="submit" class="button button-primary" id="save-site" disabled=move || action.pending().get()>
                                {t!(i18n, common.save)}
                            </button>
                        })}
                    </div>
                })}
            </ActionForm>
            {can_move.then(|| view! { <super::move_dialog::MoveDialog open=moving site=site_id within=move_within name=site_name.clone() /> })}
        </section>
        {(!readonly).then(|| view! {
            <super::registration_form::RegistrationFormPanel site=site_id code=code.clone() />
        })}
    }
}
