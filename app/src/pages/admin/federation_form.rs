//! Editing a federation: the provider (address, client id and secret, extra scopes), what
//! identifies a user, whether unknown users are created, where they are placed and which roles
//! the claims give them (rows of claim, value and role; only roles the editor may grant).
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;
use wire::{Federation, FederationIdentifier, RoleRule};

use super::federations::{identifier_label, Editing};
use crate::api::federations::{save_federation, RoleChoice};
use crate::components::error_message::{aria_invalid, ErrorMessage};
use crate::components::icon::{Icon, IconSvg};
use crate::error::AppError;
use crate::i18n::*;

/// A rule being edited, with a key that survives reordering.
#[derive(Debug, Clone, PartialEq)]
struct RuleDraft {
    key: usize,
    claim: String,
    value: String,
    role: String,
}

fn blank() -> Federation {
    Federation {
        id: None,
        name: String::new(),
        issuer: String::new(),
        client_id: String::new(),
        client_secret: String::new(),
        has_secret: false,
        scopes: String::new(),
        identify_by: FederationIdentifier::Subject,
        identifier_claim: String::new(),
        email_domains: Vec::new(),
        create_users: false,
        site_claim: String::new(),
        class_claim: String::new(),
        roles: Vec::new(),
    }
}

#[component]
pub fn FederationForm(
    site: Uuid,
    federation: Option<Federation>,
    roles: StoredValue<Vec<RoleChoice>>,
    editing: RwSignal<Editing>,
    version: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
    origin: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let saved = federation.unwrap_or_else(blank);
    let id = saved.id;
    let name = RwSignal::new(saved.name.clone());
    let issuer = RwSignal::new(saved.issuer.clone());
    let client_id = RwSignal::new(saved.client_id.clone());
    let secret = RwSignal::new(String::new());
    let scopes = RwSignal::new(saved.scopes.clone());
    let identify_by = RwSignal::new(saved.identify_by);
    let identifier_claim = RwSignal::new(saved.identifier_claim.clone());
    let email_domains = RwSignal::new(saved.email_domains.join("\n"));
    let create_users = RwSignal::new(saved.create_users);
    let site_claim = RwSignal::new(saved.site_claim.clone());
    let class_claim = RwSignal::new(saved.class_claim.clone());
    let rules = RwSignal::new(
        saved
            .roles
            .iter()
            .enumerate()
            .map(|(key, r)| RuleDraft {
                key,
                claim: r.claim.clone(),
                value: r.value.clone(),
                role: r.role.to_string(),
            })
            .collect::<Vec<_>>(),
    );
    let next_key = StoredValue::new(saved.roles.len());
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let invalid = move |field: &'static str| aria_invalid(error.into(), field);
    let has_secret = saved.has_secret;

    let add_rule = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        let role = roles
            .get_value()
            .first()
            .map(|r| r.id.to_string())
            .unwrap_or_default();
        rules.update(|all| {
            all.push(RuleDraft {
                key,
                claim: "eduPersonAffiliation".into(),
                value: String::new(),
                role,
            })
        });
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let federation = Federation {
            id,
            name: name.get_untracked(),
            issuer: issuer.get_untracked(),
            client_id: client_id.get_untracked(),
            client_secret: secret.get_untracked(),
            has_secret,
            scopes: scopes.get_untracked(),
            identify_by: identify_by.get_untracked(),
            identifier_claim: identifier_claim.get_untracked(),
            email_domains: email_domains
                .get_untracked()
                .lines()
                .map(str::to_string)
                .collect(),
            create_users: create_users.get_untracked(),
            site_claim: site_claim.get_untracked(),
            class_claim: class_claim.get_untracked(),
            roles: rules
                .get_untracked()
                .into_iter()
                .map(|r| RoleRule {
                    claim: r.claim,
                    value: r.value,
                    role: Uuid::parse_str(&r.role).unwrap_or_default(),
                })
                .collect(),
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match save_federation(site, federation).await {
                Ok(_) => {
                    notice.set(Some(
                        td_string!(i18n.get_locale_untracked(), admin.federation_saved).to_string(),
                    ));
                    editing.set(Editing::Closed);
                    version.update(|v| *v += 1);
                }
                Err(e) => {
                    error.set(Some(e));
                    busy.set(false);
                }
            }
        });
    };
    let title = if id.is_some() {
        td_string!(i18n.get_locale_untracked(), admin.federation_edit_title)
    } else {
        td_string!(i18n.get_locale_untracked(), admin.federation_new_title)
    };
    let callback = move || match id {
        Some(id) => format!("{}/auth/federation/{id}/callback", origin.get()),
        None => format!("{}/auth/federation/…/callback", origin.get()),
    };
    view! {
        <form class="form federation-form" id="federation-form" on:submit=on_submit aria-labelledby="federation-form-title">
            <h3 id="federation-form-title">{title}</h3>
            <div class="grid-form">
                <div class="field">
                    <label for="federation-name">{t!(i18n, admin.federation_name)}</label>
                    <input id="federation-name" type="text" required maxlength="100" autofocus
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))
                        aria-invalid=invalid("name") />
                </div>
                <div class="field">
                    <label for="federation-issuer">{t!(i18n, admin.federation_issuer)}</label>
                    <input id="federation-issuer" type="url" required maxlength="500" spellcheck="false" class="mono"
                        placeholder="https://" aria-describedby="federation-issuer-help"
                        prop:value=move || issuer.get() on:input=move |ev| issuer.set(event_target_value(&ev))
                        aria-invalid=invalid("issuer") />
                    <p class="help" id="federation-issuer-help">{t!(i18n, admin.federation_issuer_help)}</p>
                </div>
                <div class="field">
                    <label for="federation-client-id">{t!(i18n, admin.federation_client_id)}</label>
                    <input id="federation-client-id" type="text" required maxlength="255" spellcheck="false" class="mono"
                        autocomplete="off"
                        prop:value=move || client_id.get() on:input=move |ev| client_id.set(event_target_value(&ev))
                        aria-invalid=invalid("client_id") />
                </div>
                <div class="field">
                    <label for="federation-client-secret">{t!(i18n, admin.federation_client_secret)}</label>
                    <input id="federation-client-secret" type="password" maxlength="500" autocomplete="new-password"
                        aria-describedby="federation-secret-help"
                        prop:value=move || secret.get() on:input=move |ev| secret.set(event_target_value(&ev)) />
                    <p class="help" id="federation-secret-help">
                        {move || if has_secret { td_string!(i18n.get_locale(), admin.federation_secret_kept) } else { td_string!(i18n.get_locale(), admin.federation_secret_help) }}
                    </p>
                </div>
                <div class="field">
                    <label for="federation-scopes">{t!(i18n, admin.federation_scopes)}</label>
                    <input id="federation-scopes" type="text" maxlength="255" spellcheck="false" class="mono"
                        aria-describedby="federation-scopes-help"
                        prop:value=move || scopes.get() on:input=move |ev| scopes.set(event_target_value(&ev))
                        aria-invalid=invalid("scopes") />
                    <p class="help" id="federation-scopes-help">{t!(i18n, admin.federation_scopes_help)}</p>
                </div>
            </div>
            <p class="help" id="federation-callback">
                {t!(i18n, admin.federation_redirect_help)}" "<span class="mono">{callback}</span>
            </p>
            <div class="grid-form">
                <div class="field">
                    <label for="federation-identify-by">{t!(i18n, admin.federation_identify_by)}</label>
                    <select id="federation-identify-by"
                        on:change=move |ev| identify_by.set(FederationIdentifier::parse(&event_target_value(&ev)).unwrap_or(FederationIdentifier::Subject))>
                        {FederationIdentifier::ALL.iter().map(|&kind| view! {
                            <option value=kind.as_str() selected=move || identify_by.get() == kind>
                                {move || identifier_label(i18n.get_locale(), kind)}
                            </option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="federation-identifier-claim">{t!(i18n, admin.federation_identifier_claim)}</label>
                    <input id="federation-identifier-claim" type="text" maxlength="100" spellcheck="false" class="mono"
                        placeholder=move || identify_by.get().default_claim() aria-describedby="federation-identifier-help"
                        prop:value=move || identifier_claim.get() on:input=move |ev| identifier_claim.set(event_target_value(&ev))
                        aria-invalid=invalid("identifier_claim") />
                    <p class="help" id="federation-identifier-help">{t!(i18n, admin.federation_identifier_claim_help)}</p>
                </div>
                <Show when=move || identify_by.get() == FederationIdentifier::Email>
                    <div class="field">
                        <label for="federation-email-domains">{t!(i18n, admin.federation_email_domains)}</label>
                        <textarea id="federation-email-domains" rows="3" spellcheck="false" class="mono"
                            aria-describedby="federation-domains-help" aria-invalid=invalid("email_domains")
                            prop:value=move || email_domains.get()
                            on:input=move |ev| email_domains.set(event_target_value(&ev))></textarea>
                        <p class="help" id="federation-domains-help">{t!(i18n, admin.federation_email_domains_help)}</p>
                    </div>
                </Show>
            </div>
            <div class="field">
                <label class="checkbox">
                    <input type="checkbox" id="federation-create-users" aria-describedby="federation-create-help"
                        prop:checked=move || create_users.get()
                        on:change=move |ev| create_users.set(event_target_checked(&ev)) />
                    {t!(i18n, admin.federation_create_users)}
                </label>
                <p class="help" id="federation-create-help">{t!(i18n, admin.federation_create_help)}</p>
            </div>
            <div class="grid-form">
                <div class="field">
                    <label for="federation-site-claim">{t!(i18n, admin.federation_site_claim)}</label>
                    <input id="federation-site-claim" type="text" maxlength="100" spellcheck="false" class="mono"
                        placeholder="nlEduPersonHomeOrganizationId" aria-describedby="federation-site-help"
                        prop:value=move || site_claim.get() on:input=move |ev| site_claim.set(event_target_value(&ev))
                        aria-invalid=invalid("site_claim") />
                    <p class="help" id="federation-site-help">{t!(i18n, admin.federation_site_claim_help)}</p>
                </div>
                <div class="field">
                    <label for="federation-class-claim">{t!(i18n, admin.federation_class_claim)}</label>
                    <input id="federation-class-claim" type="text" maxlength="100" spellcheck="false" class="mono"
                        aria-describedby="federation-class-help"
                        prop:value=move || class_claim.get() on:input=move |ev| class_claim.set(event_target_value(&ev))
                        aria-invalid=invalid("class_claim") />
                    <p class="help" id="federation-class-help">{t!(i18n, admin.federation_class_claim_help)}</p>
                </div>
            </div>
            <fieldset class="conditions">
                <legend>{t!(i18n, admin.federation_rules)}</legend>
                <p class="help">{t!(i18n, admin.federation_rules_help)}</p>
                <ul class="condition-list" id="federation-rules">
                    <For each=move || rules.get() key=|r| r.key let:rule>
                        <RuleEditor key=rule.key rules=rules roles=roles />
                    </For>
                </ul>
                {move || rules.get().is_empty().then(|| view! {
                    <p class="muted" id="no-federation-rules">{t!(i18n, admin.federation_no_rules)}</p>
                })}
                <button type="button" class="button" id="add-federation-rule" on:click=add_rule
                    disabled=move || roles.with_value(Vec::is_empty)>
                    {t!(i18n, admin.federation_add_rule)}
                </button>
            </fieldset>
            <ErrorMessage error=error />
            <div class="form-actions">
                <button type="submit" class="button button-primary" id="save-federation" disabled=move || busy.get()>
                    {t!(i18n, common.save)}
                </button>
                <button type="button" class="button button-quiet" id="cancel-federation"
                    on:click=move |_| editing.set(Editing::Closed)>
                    {t!(i18n, common.cancel)}
                </button>
            </div>
        </form>
    }
}

#[component]
fn RuleEditor(
    key: usize,
    rules: RwSignal<Vec<RuleDraft>>,
    roles: StoredValue<Vec<RoleChoice>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let rule = Memo::new(move |_| rules.get().into_iter().find(|r| r.key == key));
    let update = move |change: &dyn Fn(&mut RuleDraft)| {
        rules.update(|all| {
            if let Some(r) = all.iter_mut().find(|r| r.key == key) {
                change(r);
            }
        });
    };
    let position = move || {
        rules
            .get()
            .iter()
            .position(|r| r.key == key)
            .map(|p| p + 1)
            .unwrap_or(0)
    };
    let label = move |what: &'static str| {
        let locale = i18n.get_locale();
        let n = position();
        match what {
            "claim" => td_string!(locale, admin.federation_rule_claim, n = n),
            "value" => td_string!(locale, admin.federation_rule_value, n = n),
            "role" => td_string!(locale, admin.federation_rule_role, n = n),
            _ => td_string!(locale, admin.federation_rule_remove, n = n),
        }
        .to_string()
    };
    view! {
        <li class="condition federation-rule" data-rule=key>
            <input type="text" class="mono rule-claim" maxlength="100" spellcheck="false" required
                aria-label=move || label("claim")
                prop:value=move || rule.get().map(|r| r.claim).unwrap_or_default()
                on:input=move |ev| { let v = event_target_value(&ev); update(&|r| r.claim = v.clone()) } />
            <span aria-hidden="true">"="</span>
            <input type="text" class="rule-value" maxlength="255" required
                aria-label=move || label("value")
                prop:value=move || rule.get().map(|r| r.value).unwrap_or_default()
                on:input=move |ev| { let v = event_target_value(&ev); update(&|r| r.value = v.clone()) } />
            <span aria-hidden="true">"→"</span>
            <select class="rule-role" aria-label=move || label("role")
                on:change=move |ev| { let v = event_target_value(&ev); update(&|r| r.role = v.clone()) }>
                {roles.get_value().into_iter().map(|choice| {
                    let value = choice.id.to_string();
                    let current = value.clone();
                    let shown = move || crate::labels::role_name(i18n.get_locale(), choice.builtin_key.as_deref(), &choice.name);
                    view! {
                        <option value=value selected=move || rule.get().is_some_and(|r| r.role == current)>{shown}</option>
                    }
                }).collect_view()}
            </select>
            <button type="button" class="icon-button remove-rule" aria-label=move || label("remove")
                on:click=move |_| rules.update(|all| all.retain(|r| r.key != key))>
                <IconSvg icon=Icon::Close />
            </button>
        </li>
    }
}
