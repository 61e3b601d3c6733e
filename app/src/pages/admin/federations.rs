//! The organisation's federations, on its root site: each with its sign-in link, edited in
//! place (`federation_form`), removed after confirmation, and previewed against sample claims.
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;
use wire::{Federation, FederationIdentifier, FederationPreview};

use super::federation_form::FederationForm;
use crate::api::federations::{
    load_federations, preview_federation, remove_federation, FederationsView,
};
use crate::components::collapsible::Collapsible;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::error_message::{ErrorMessage, StatusMessage};
use crate::components::loaded::Loaded;
use crate::error::AppError;
use crate::i18n::*;

#[component]
pub fn FederationsPanel(site: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Collapsible name="federations"
            title=move || t!(i18n, admin.federations)
            intro=move || view! { <p class="help">{t!(i18n, admin.federations_intro)}</p> }>
            <FederationsLoader site=site />
        </Collapsible>
    }
}

/// What the panel is doing: showing the list, or editing one (a new one: `None`).
#[derive(Debug, Clone, PartialEq)]
pub enum Editing {
    Closed,
    Open(Option<Box<Federation>>),
}

#[component]
fn FederationsLoader(site: Uuid) -> impl IntoView {
    let version = RwSignal::new(0u32);
    // Outside the list: a message about a change outlives the list's reload.
    let notice = RwSignal::new(None::<String>);
    let loaded = LocalResource::new(move || {
        version.track();
        load_federations(site)
    });
    view! {
        <StatusMessage text=notice />
        <Loaded load=loaded let:view> <Federations site=site view=view version=version notice=notice /> </Loaded>
    }
}

/// A user-facing name of an identifier kind.
pub fn identifier_label(locale: Locale, kind: FederationIdentifier) -> &'static str {
    match kind {
        FederationIdentifier::Subject => td_string!(locale, admin.identify_sub),
        FederationIdentifier::EckId => td_string!(locale, admin.identify_eck_id),
        FederationIdentifier::RealId => td_string!(locale, admin.identify_real_id),
        FederationIdentifier::Email => td_string!(locale, admin.identify_email),
    }
}

#[component]
fn Federations(
    site: Uuid,
    view: FederationsView,
    version: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let editing = RwSignal::new(Editing::Closed);
    // The page's own address, for links users and providers are given (known in the browser).
    let origin = RwSignal::new(String::new());
    Effect::new(move |_| {
        origin.set(window().location().origin().unwrap_or_default());
    });
    let roles = StoredValue::new(view.roles);
    let empty = view.federations.is_empty();
    let rows = view
        .federations
        .into_iter()
        .map(|f| view! { <FederationRow federation=f editing=editing version=version notice=notice origin=origin /> })
        .collect_view();
    view! {
        <div class="federations">
            {empty.then(|| view! { <p class="muted" id="no-federations">{t!(i18n, admin.federations_empty)}</p> })}
            <ul class="federation-list" id="federation-list">{rows}</ul>
            {move || match editing.get() {
                Editing::Closed => view! {
                    <button type="button" class="button" id="add-federation"
                        on:click=move |_| { notice.set(None); editing.set(Editing::Open(None)) }>
                        {t!(i18n, admin.federation_add)}
                    </button>
                }.into_any(),
                Editing::Open(federation) => view! {
                    <FederationForm site=site federation=federation.map(|f| *f) roles=roles
                        editing=editing version=version notice=notice origin=origin />
                }.into_any(),
            }}
        </div>
    }
}

#[component]
fn FederationRow(
    federation: Federation,
    editing: RwSignal<Editing>,
    version: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
    origin: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let Some(id) = federation.id else {
        return ().into_any();
    };
    let confirm = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let name = federation.name.clone();
    let kind = federation.identify_by;
    let creates = federation.create_users;
    let link = move || format!("{}/auth/federation/{id}", origin.get());
    let link_id = format!("federation-link-{id}");
    let link_help = format!("federation-link-help-{id}");
    let remove = move || {
        spawn_local(async move {
            match remove_federation(id).await {
                Ok(()) => {
                    notice.set(Some(
                        td_string!(i18n.get_locale_untracked(), admin.federation_removed)
                            .to_string(),
                    ));
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let (edit_name, remove_name, title_name) = (name.clone(), name.clone(), name.clone());
    let edited = federation.clone();
    view! {
        <li class="federation" data-federation=id.to_string()>
            <div class="federation-head">
                <h3>{name.clone()}</h3>
                <div class="federation-actions">
                    <button type="button" class="button edit-federation"
                        aria-label=move || td_string!(i18n.get_locale(), admin.federation_edit_label, name = edit_name.clone()).to_string()
                        on:click=move |_| { notice.set(None); editing.set(Editing::Open(Some(Box::new(edited.clone())))) }>
                        {t!(i18n, admin.federation_edit)}
                    </button>
                    <button type="button" class="button button-danger-quiet remove-federation" aria-haspopup="dialog"
                        aria-label=move || td_string!(i18n.get_locale(), admin.federation_remove_label, name = remove_name.clone()).to_string()
                        on:click=move |_| confirm.set(true)>
                        {t!(i18n, admin.federation_remove)}
                    </button>
                </div>
            </div>
            <dl class="facts">
                <dt>{t!(i18n, admin.federation_issuer)}</dt><dd class="mono">{federation.issuer.clone()}</dd>
                <dt>{t!(i18n, admin.federation_identify_by)}</dt><dd>{move || identifier_label(i18n.get_locale(), kind)}</dd>
                <dt>{t!(i18n, admin.federation_create_users)}</dt>
                <dd>{move || if creates { td_string!(i18n.get_locale(), common.yes) } else { td_string!(i18n.get_locale(), common.no) }}</dd>
            </dl>
            <div class="field">
                <label for=link_id.clone()>{t!(i18n, admin.federation_sign_in_link)}</label>
                <input type="text" id=link_id readonly class="mono federation-link" prop:value=link
                    aria-describedby=link_help.clone() />
                <p class="help" id=link_help>{t!(i18n, admin.federation_sign_in_link_help)}</p>
            </div>
            <ErrorMessage error=error />
            <FederationPreviewForm id=id />
            <ConfirmDialog
                open=confirm
                title=Signal::derive(move || format!("{} – {}", td_string!(i18n.get_locale(), admin.federation_remove), title_name))
                message=Signal::derive(move || td_string!(i18n.get_locale(), admin.federation_confirm_remove, name = name.clone()).to_string())
                confirm_label=Signal::derive(move || td_string!(i18n.get_locale(), admin.federation_remove).to_string())
                on_confirm=Callback::new(move |_| remove())
            />
        </li>
    }
    .into_any()
}

/// Sample claims in, what a sign-in would do out.
#[component]
fn FederationPreviewForm(id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let sample = RwSignal::new(String::new());
    let shown = RwSignal::new(None::<FederationPreview>);
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let field = format!("federation-sample-{id}");
    let help = format!("federation-sample-help-{id}");
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        shown.set(None);
        let claims = sample.get_untracked();
        spawn_local(async move {
            match preview_federation(id, claims).await {
                Ok(found) => shown.set(Some(found)),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <details class="federation-preview">
            <summary>{t!(i18n, admin.federation_preview)}</summary>
            <form class="form federation-preview-form" on:submit=on_submit>
                <div class="field">
                    <label for=field.clone()>{t!(i18n, admin.federation_sample)}</label>
                    <textarea id=field rows="6" spellcheck="false" class="mono federation-sample"
                        aria-describedby=help.clone()
                        prop:value=move || sample.get()
                        on:input=move |ev| sample.set(event_target_value(&ev))></textarea>
                    <p class="help" id=help>{t!(i18n, admin.federation_preview_help)}</p>
                </div>
                <ErrorMessage error=error />
                <div class="form-actions">
                    <button type="submit" class="button preview-federation" disabled=move || busy.get()>
                        {t!(i18n, admin.federation_preview_button)}
                    </button>
                </div>
            </form>
            {move || shown.get().map(|p| view! { <PreviewResult preview=p /> })}
        </details>
    }
}

#[component]
fn PreviewResult(preview: FederationPreview) -> impl IntoView {
    let i18n = use_i18n();
    let role = move |name: &str| match name.strip_prefix('@') {
        Some(key) => crate::labels::role_name(i18n.get_locale(), Some(key), name),
        None => name.to_string(),
    };
    let roles = preview.roles.clone();
    let left_out = preview.roles_left_out.clone();
    let refusal = preview.refusal.map(AppError::code);
    view! {
        <div class="preview federation-preview-result" role="status">
            {preview.identifier.clone().map(|value| view! {
                <p>{move || td_string!(i18n.get_locale(), admin.preview_identifier, value = value.clone()).to_string()}</p>
            })}
            {preview.existing_user.clone().map(|name| view! {
                <p class="preview-existing">{move || td_string!(i18n.get_locale(), admin.preview_existing, name = name.clone()).to_string()}</p>
            })}
            {preview.creates.then(|| {
                let site = preview.site.clone().unwrap_or_default();
                view! { <p class="preview-creates">{move || td_string!(i18n.get_locale(), admin.preview_creates, site = site.clone()).to_string()}</p> }
            })}
            {(preview.creates && roles.is_empty()).then(|| view! { <p>{t!(i18n, admin.preview_no_roles)}</p> })}
            {(!roles.is_empty()).then(|| view! {
                <p>{t!(i18n, admin.preview_roles)}" "
                    <span class="preview-roles">{move || roles.iter().map(|r| role(r)).collect::<Vec<_>>().join(", ")}</span></p>
            })}
            {(!left_out.is_empty()).then(|| view! {
                <p>{t!(i18n, admin.preview_left_out)}" "
                    <span>{move || left_out.iter().map(|r| role(r)).collect::<Vec<_>>().join(", ")}</span></p>
            })}
            {refusal.map(|e| view! {
                <div class="preview-refusal">
                    <p>{t!(i18n, admin.preview_refused)}</p>
                    <ErrorMessage error=Signal::stored(Some(e)) />
                </div>
            })}
        </div>
    }
}
