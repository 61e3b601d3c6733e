//! The tag icon in the user list: the user's custom property values, each input fitting the
//! property's type, saved all at once (one refusal names the property and nothing is saved).
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::api::properties::{set_user_properties, user_properties, UserValue};
use crate::components::error_message::{ErrorMessage, StatusMessage};
use crate::error::AppError;
use crate::i18n::*;
use wire::PropertyKind;

#[component]
pub fn PropertiesDialog(open: RwSignal<bool>, user: Uuid, name: String) -> impl IntoView {
    let i18n = use_i18n();
    let name = StoredValue::new(name);
    view! {
        <crate::components::modal::Modal open=open labelled_by="user-properties-title" class="dialog-wide">
            <h2 id="user-properties-title">{move || td_string!(i18n.get_locale(), admin.properties_of, name = name.get_value()).to_string()}</h2>
            <ValuesForm user=user open=open />
        </crate::components::modal::Modal>
    }
}

#[component]
fn ValuesForm(user: Uuid, open: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let values = Resource::new(|| (), move |_| user_properties(user));
    view! {
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, common.loading)}</p> }>
            // Own Suspend: inside a dialog, the error and the empty state carry their own Close button.
            {move || Suspend::new(async move {
                match values.await {
                    Err(err) => view! {
                        <ErrorMessage error=Signal::stored(Some(err)) />
                        <div class="dialog-actions">
                            <button type="button" class="button" on:click=move |_| open.set(false)>{t!(i18n, common.close)}</button>
                        </div>
                    }.into_any(),
                    Ok(found) if found.is_empty() => view! {
                        <p class="empty-state" id="no-user-properties">{t!(i18n, admin.no_properties)}" "
                            <a href="/admin/properties">{t!(i18n, groups.tab_properties)}</a></p>
                        <div class="dialog-actions">
                            <button type="button" class="button" autofocus on:click=move |_| open.set(false)>{t!(i18n, common.close)}</button>
                        </div>
                    }.into_any(),
                    Ok(found) => view! { <Editor user=user values=found open=open /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Editor(user: Uuid, values: Vec<UserValue>, open: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let fields: Vec<(UserValue, RwSignal<String>)> = values
        .into_iter()
        .map(|v| {
            let value = RwSignal::new(v.value.clone());
            (v, value)
        })
        .collect();
    let current = StoredValue::new(
        fields
            .iter()
            .map(|(v, s)| (v.definition.key.clone(), *s))
            .collect::<Vec<_>>(),
    );
    let error = RwSignal::new(None::<AppError>);
    let status = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let wanted: Vec<(String, String)> = current
            .get_value()
            .into_iter()
            .map(|(k, s)| (k, s.get_untracked()))
            .collect();
        busy.set(true);
        spawn_local(async move {
            let result = set_user_properties(user, wanted).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    error.set(None);
                    status.set(Some(
                        td_string!(i18n.get_locale_untracked(), admin.properties_saved).to_string(),
                    ));
                }
                Err(e) => {
                    status.set(None);
                    error.set(Some(e));
                }
            }
        });
    };
    view! {
        <form class="form" id="user-properties-form" on:submit=on_submit>
            {fields.into_iter().enumerate().map(|(n, (v, value))| {
                let id = format!("user-property-{}", v.definition.key);
                let d = StoredValue::new(v.definition.clone());
                let label = move || d.get_value().label(crate::locale_code(i18n.get_locale()));
                let set = move |ev: leptos::ev::Event| value.set(event_target_value(&ev));
                let required = v.definition.required;
                let input = match v.definition.kind {
                    PropertyKind::Choice => view! {
                        <select id=id.clone() on:change=set required=required autofocus=n == 0>
                            <option value="">"–"</option>
                            {v.definition.choices.iter().map(|c| {
                                let selected = *c == value.get_untracked();
                                view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                            }).collect_view()}
                        </select>
                    }.into_any(),
                    PropertyKind::Date => view! {
                        <input id=id.clone() type="date" prop:value=move || value.get() on:input=set required=required autofocus=n == 0 />
                    }.into_any(),
                    PropertyKind::Number => view! {
                        <input id=id.clone() type="text" inputmode="decimal" prop:value=move || value.get() on:input=set required=required autofocus=n == 0 />
                    }.into_any(),
                    PropertyKind::Text => view! {
                        <input id=id.clone() type="text" maxlength="500" prop:value=move || value.get() on:input=set required=required autofocus=n == 0 />
                    }.into_any(),
                };
                view! {
                    <div class="field" data-property=v.definition.key.clone()>
                        <label for=id>{label}{required.then_some(" *")}</label>
                        {input}
                    </div>
                }
            }).collect_view()}
            <ErrorMessage error=error />
            <StatusMessage text=status />
            <div class="dialog-actions">
                <button type="button" class="button" on:click=move |_| open.set(false)>{t!(i18n, common.close)}</button>
                <button type="submit" class="button button-primary" id="save-user-properties" disabled=move || busy.get()>{t!(i18n, common.save)}</button>
            </div>
        </form>
    }
}
