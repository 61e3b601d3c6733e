//! The organisation's sign-in policy, on its root site: who must sign in with a second factor,
//! how many days a user asked to set one up may still go on without, and the Microsoft
//! directories its users may sign in from.
use leptos::prelude::*;
use uuid::Uuid;
use wire::SecondFactorPolicy;

use crate::api::factors::{load_factor_policy, FactorPolicyView, SaveFactorPolicy};
use crate::components::collapsible::Collapsible;
use crate::components::error_message::{aria_invalid, ErrorMessage, StatusMessage};
use crate::components::loaded::Loaded;
use crate::i18n::*;

#[component]
pub fn FactorPolicyPanel(site: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Collapsible name="factor-policy"
            title=move || t!(i18n, admin.factor_policy)
            intro=move || view! { <p class="help">{t!(i18n, admin.factor_policy_intro)}</p> }>
            <PolicyLoader site=site />
        </Collapsible>
    }
}

/// The policy, loaded when the panel is opened (never during the server's rendering).
#[component]
fn PolicyLoader(site: Uuid) -> impl IntoView {
    let save = ServerAction::<SaveFactorPolicy>::new();
    let policy = LocalResource::new(move || {
        save.version().track();
        load_factor_policy(site)
    });
    view! {
        <Loaded load=policy let:p> <PolicyForm site=site p=p save=save /> </Loaded>
    }
}

#[component]
fn PolicyForm(
    site: Uuid,
    p: FactorPolicyView,
    save: ServerAction<SaveFactorPolicy>,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let status = Signal::derive(move || {
        save.value()
            .get()
            .and_then(|r| r.ok())
            .map(|_| td_string!(i18n.get_locale(), common.saved).to_string())
    });
    let who = RwSignal::new(p.who);
    view! {
        <ActionForm action=save attr:class="form" attr:id="factor-policy-form">
            <input type="hidden" name="site" value=site.to_string() />
            <fieldset class="field choice-group factor-policy-who" aria-describedby="factor-policy-operators">
                <legend class="label">{t!(i18n, admin.factor_policy_who)}</legend>
                {SecondFactorPolicy::ALL.iter().map(|&value| {
                    let id = format!("factor-policy-{}", value.as_str());
                    let shown = move || match value {
                        SecondFactorPolicy::Optional => td_string!(i18n.get_locale(), admin.factor_policy_optional),
                        SecondFactorPolicy::Administrators => td_string!(i18n.get_locale(), admin.factor_policy_administrators),
                        SecondFactorPolicy::Everyone => td_string!(i18n.get_locale(), admin.factor_policy_everyone),
                    };
                    view! {
                        <label class="choice">
                            <input type="radio" id=id name="who" value=value.as_str()
                                checked=move || who.get() == value
                                on:change=move |_| who.set(value) />
                            {shown}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <p class="help" id="factor-policy-operators">{t!(i18n, admin.factor_policy_operators)}</p>
            <div class="field">
                <label for="factor-grace-days">{t!(i18n, admin.factor_grace_days)}</label>
                <input type="number" id="factor-grace-days" name="grace_days" min="0" max="90" step="1"
                    required value=p.grace_days.to_string()
                    aria-describedby="factor-grace-help" aria-invalid=aria_invalid(error, "grace_days") />
                <p class="help" id="factor-grace-help">{t!(i18n, admin.factor_grace_help)}</p>
            </div>
            <div class="field">
                <label for="factor-tenants">{t!(i18n, admin.sso_tenants)}</label>
                <textarea id="factor-tenants" name="tenants" rows="3" spellcheck="false" class="mono"
                    aria-describedby="factor-tenants-help" aria-invalid=aria_invalid(error, "tenants")
                    prop:value=p.tenants.clone()></textarea>
                <p class="help" id="factor-tenants-help">{t!(i18n, admin.sso_tenants_help)}</p>
            </div>
            <ErrorMessage error=error />
            <div class="form-actions">
                <button type="submit" class="button button-primary" id="save-factor-policy"
                    disabled=move || save.pending().get()>{t!(i18n, common.save)}</button>
                <StatusMessage text=status />
            </div>
        </ActionForm>
    }
}
