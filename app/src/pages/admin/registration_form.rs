//! The site's self-registration form, under its information: which optional fields it shows
//! and requires, the newsletter, a disclaimer, and the register panel on the sign-in page.
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::onboarding::{
    load_registration_form, RegistrationFormSettings, SaveRegistrationForm,
};
use crate::components::collapsible::Collapsible;
use crate::components::error_message::{aria_invalid, ErrorMessage, StatusMessage};
use crate::components::loaded::Loaded;
use crate::i18n::*;
use wire::FieldRule;

#[component]
pub fn RegistrationFormPanel(site: Uuid, code: String) -> impl IntoView {
    let i18n = use_i18n();
    let code = StoredValue::new(code);
    view! {
        <Collapsible name="registration-form" class="registration-form-panel"
            title=move || t!(i18n, admin.registration_form)
            intro=move || view! {
                <p class="help">{t!(i18n, admin.registration_form_intro)}</p>
                {(!code.get_value().is_empty()).then(|| {
                    let link = format!("/login?code={}", crate::url::encode(&code.get_value()));
                    view! {
                        <p class="help">{t!(i18n, admin.registration_link)} " "
                            <a class="mono" href=link.clone() id="registration-link">{link.clone()}</a>
                        </p>
                    }
                })}
            }>
            <SettingsLoader site=site />
        </Collapsible>
    }
}

/// The settings, loaded when the panel is opened (never during the server's rendering).
#[component]
fn SettingsLoader(site: Uuid) -> impl IntoView {
    let save = ServerAction::<SaveRegistrationForm>::new();
    let settings = LocalResource::new(move || {
        save.version().track();
        load_registration_form(site)
    });
    view! {
        <Loaded load=settings let:s> <SettingsForm site=site s=s save=save /> </Loaded>
    }
}

#[component]
fn SettingsForm(
    site: Uuid,
    s: RegistrationFormSettings,
    save: ServerAction<SaveRegistrationForm>,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let status = Signal::derive(move || {
        save.value()
            .get()
            .and_then(|r| r.ok())
            .map(|_| td_string!(i18n.get_locale(), common.saved).to_string())
    });
    let rule = move |name: &'static str, current: FieldRule, label: &'static str| {
        let id = format!("reg-rule-{name}");
        let label = move || match label {
            "phone" => td_string!(i18n.get_locale(), onboarding.phone),
            "address" => td_string!(i18n.get_locale(), onboarding.address),
            "personnel_number" => td_string!(i18n.get_locale(), onboarding.personnel_number),
            "birth_date" => td_string!(i18n.get_locale(), onboarding.birth_date),
            _ => td_string!(i18n.get_locale(), onboarding.organisation_part),
        };
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <select id=id name=name>
                    {FieldRule::ALL.iter().map(|&value| {
                        let selected = current == value;
                        let shown = move || match value {
                            FieldRule::Optional => td_string!(i18n.get_locale(), admin.field_optional),
                            FieldRule::Required => td_string!(i18n.get_locale(), admin.field_required),
                            FieldRule::Off => td_string!(i18n.get_locale(), admin.field_off),
                        };
                        view! { <option value=value.as_str() selected=selected>{shown}</option> }
                    }).collect_view()}
                </select>
            </div>
        }
    };
    view! {
        <ActionForm action=save attr:class="form grid-form" attr:id="registration-form-settings">
            <input type="hidden" name="site" value=site.to_string() />
            {rule("phone", s.phone, "phone")}
            {rule("address", s.address, "address")}
            {rule("personnel_number", s.personnel_number, "personnel_number")}
            {rule("birth_date", s.birth_date, "birth_date")}
            {rule("organisation_part", s.organisation_part, "organisation_part")}
            <div class="field full-row">
                <label class="checkbox">
                    <input type="checkbox" name="newsletter" id="reg-offer-newsletter" checked=s.newsletter />
                    {t!(i18n, admin.offer_newsletter)}
                </label>
                <label class="checkbox">
                    <input type="checkbox" name="beside_sign_in" id="reg-beside-sign-in" checked=s.beside_sign_in />
                    {t!(i18n, admin.register_beside_sign_in)}
                </label>
                <label class="checkbox">
                    <input type="checkbox" name="challenge" id="reg-challenge" checked=s.challenge />
                    {t!(i18n, admin.registration_challenge)}
                </label>
            </div>
            <div class="field full-row">
                <label for="reg-disclaimer-setting">{t!(i18n, admin.disclaimer)}</label>
                <textarea id="reg-disclaimer-setting" name="disclaimer" rows="3" maxlength="2000"
                    aria-describedby="reg-disclaimer-help" aria-invalid=aria_invalid(error, "disclaimer")
                    prop:value=s.disclaimer.clone()></textarea>
                <p class="help" id="reg-disclaimer-help">{t!(i18n, admin.disclaimer_help)}</p>
            </div>
            <div class="full-row"><ErrorMessage error=error /></div>
            <div class="form-actions full-row">
                <button type="submit" class="button button-primary" id="save-registration-form"
                    disabled=move || save.pending().get()>{t!(i18n, common.save)}</button>
                <StatusMessage text=status />
            </div>
        </ActionForm>
    }
}
