use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use uuid::Uuid;

use super::{admin_href, use_admin};
use crate::api::sites::CreateSite;
use crate::api::users::UserFilter;
use crate::components::error_message::ErrorMessage;
use crate::i18n::*;

/// Inline form under the tree: a subsite of the selected site, with its seats.
#[component]
pub fn NewSiteForm(parent: Uuid, parent_name: String, open: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_admin();
    let action = ServerAction::<CreateSite>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(created)) = action.value().get() {
            open.set(false);
            ctx.done(td_string!(i18n.get_locale_untracked(), admin.site_created).to_string());
            navigate(
                &admin_href(created.id, &UserFilter::default()),
                Default::default(),
            );
        }
    });
    view! {
        <ActionForm action=action attr:class="form inline-form" attr:id="new-site-form">
            <p class="muted">{t!(i18n, admin.subsite_under)}" "<strong>{parent_name}</strong></p>
            <input type="hidden" name="parent" value=parent.to_string() />
            <div class="field">
                <label for="new-site-name">{t!(i18n, admin.subsite_name)}</label>
                <input id="new-site-name" name="name" type="text" required maxlength="200" autofocus />
            </div>
            <div class="field">
                <label for="new-site-seats">{t!(i18n, admin.subsite_seats)}</label>
                <input id="new-site-seats" name="seat_limit" type="number" min="0" inputmode="numeric" required />
            </div>
            <ErrorMessage error=error />
            <div class="form-actions">
                <button type="button" class="button button-quiet" on:click=move |_| open.set(false)>{t!(i18n, common.cancel)}</button>
                <button type="submit" class="button button-primary" disabled=move || action.pending().get()>{t!(i18n, common.create)}</button>
            </div>
        </ActionForm>
    }
}
