//! The fields a site's registration form adds (phone, address, personnel number, date of
//! birth, the part of the organisation), the newsletter consent and the disclaimer.
use leptos::prelude::*;

use super::fields::required;
use crate::api::onboarding::CodeInfo;
use crate::components::error_message::aria_invalid;
use crate::error::AppError;
use crate::i18n::*;
use wire::FieldRule;

#[component]
pub fn ExtraFields(info: CodeInfo, error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let f = info.form.clone();
    let mark = |rule: &FieldRule| {
        if *rule == FieldRule::Required {
            required().into_any()
        } else {
            view! { " (" {t!(i18n, admin.optional)} ")" }.into_any()
        }
    };
    let shown = |rule: &FieldRule| rule.shown();
    let is_required = |rule: &FieldRule| *rule == FieldRule::Required;
    let parts = info.parts.clone();
    view! {
        {shown(&f.phone).then(|| view! {
            <div class="field">
                <label for="reg-phone">{t!(i18n, onboarding.phone)} {mark(&f.phone)}</label>
                <input id="reg-phone" name="phone" type="tel" maxlength="40" autocomplete="tel"
                    required=is_required(&f.phone) aria-invalid=aria_invalid(error, "phone") />
            </div>
        })}
        {shown(&f.birth_date).then(|| view! {
            <div class="field">
                <label for="reg-birth-date">{t!(i18n, onboarding.birth_date)} {mark(&f.birth_date)}</label>
                <input id="reg-birth-date" name="birth_date" type="date" autocomplete="bday"
                    required=is_required(&f.birth_date) aria-invalid=aria_invalid(error, "birth_date") />
            </div>
        })}
        {shown(&f.address).then(|| view! {
            <div class="field full-row">
                <label for="reg-address">{t!(i18n, onboarding.address)} {mark(&f.address)}</label>
                <input id="reg-address" name="address" type="text" maxlength="300" autocomplete="street-address"
                    required=is_required(&f.address) aria-invalid=aria_invalid(error, "address") />
            </div>
        })}
        {shown(&f.personnel_number).then(|| view! {
            <div class="field">
                <label for="reg-personnel-number">{t!(i18n, onboarding.personnel_number)} {mark(&f.personnel_number)}</label>
                <input id="reg-personnel-number" name="personnel_number" type="text" maxlength="40"
                    required=is_required(&f.personnel_number) aria-invalid=aria_invalid(error, "personnel_number") />
            </div>
        })}
        {shown(&f.organisation_part).then(|| view! {
            <div class="field">
                <label for="reg-part">{t!(i18n, onboarding.organisation_part)} {mark(&f.organisation_part)}</label>
                <select id="reg-part" name="part" required=is_required(&f.organisation_part)
                    aria-invalid=aria_invalid(error, "part")>
                    <option value="">"–"</option>
                    {parts.into_iter().map(|(id, name, depth)| view! {
                        <option value=id.to_string()>{format!("{}{}", "\u{2003}".repeat(depth), name)}</option>
                    }).collect_view()}
                </select>
            </div>
        })}
        {f.newsletter.then(|| view! {
            <div class="field full-row">
                <label class="checkbox">
                    <input type="checkbox" name="newsletter" id="reg-newsletter" />
                    {t!(i18n, onboarding.newsletter)}
                </label>
            </div>
        })}
        {(!f.disclaimer.is_empty()).then(|| view! {
            <div class="field full-row disclaimer">
                <p class="disclaimer-text" id="reg-disclaimer-text">{f.disclaimer.clone()}</p>
                <label class="checkbox">
                    <input type="checkbox" name="disclaimer" id="reg-disclaimer" required
                        aria-describedby="reg-disclaimer-text" aria-invalid=aria_invalid(error, "disclaimer") />
                    {t!(i18n, onboarding.accept_disclaimer)} {required()}
                </label>
            </div>
        })}
    }
}
