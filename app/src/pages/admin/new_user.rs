use leptos::html::Form;
use leptos::prelude::*;
use uuid::Uuid;

use super::use_admin;
use crate::api::users::CreateUser;
use crate::components::error_message::{aria_invalid, ErrorMessage};
use crate::i18n::*;

/// The form to create one user in the selected site (needs a free seat there).
#[component]
pub fn NewUserForm(site: Uuid, free: i32, open: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_admin();
    let action = ServerAction::<CreateUser>::new();
    let form = NodeRef::<Form>::new();
    let inviting = RwSignal::new(false);
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let invalid = move |field: &'static str| aria_invalid(error, field);
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            if let Some(el) = form.get() {
                el.reset();
            }
            let locale = i18n.get_locale_untracked();
            let done = if inviting.get_untracked() {
                td_string!(locale, admin.invitation_sent)
            } else {
                td_string!(locale, admin.user_created)
            };
            inviting.set(false);
            ctx.done(done.to_string());
        }
    });
    view! {
        <ActionForm action=action node_ref=form attr:class="form grid-form new-user" attr:id="new-user-form">
            <input type="hidden" name="site" value=site.to_string() />
            <p class="muted full-row">{free.max(0)} " " {t!(i18n, admin.free_seats)}</p>
            <div class="field">
                <label for="new-username">{t!(i18n, admin.col_username)} <span aria-hidden="true">" *"</span></label>
                <input id="new-username" name="username" type="text" required autocomplete="off"
                    autocapitalize="none" spellcheck="false" maxlength="100" autofocus aria-invalid=invalid("username") />
            </div>
            <div class="field">
                <label for="new-first-name">{t!(i18n, admin.first_name)} <span aria-hidden="true">" *"</span></label>
                <input id="new-first-name" name="first_name" type="text" required maxlength="100" aria-invalid=invalid("first_name") />
            </div>
            <div class="field">
                <label for="new-last-name">{t!(i18n, admin.last_name)} <span aria-hidden="true">" *"</span></label>
                <input id="new-last-name" name="last_name" type="text" required maxlength="100" aria-invalid=invalid("last_name") />
            </div>
            <div class="field">
                <label for="new-email">{t!(i18n, admin.email)}
                    {move || if inviting.get() {
                        view! { <span aria-hidden="true">" *"</span> }.into_any()
                    } else {
                        view! { " (" {t!(i18n, admin.optional)} ")" }.into_any()
                    }}
                </label>
                <input id="new-email" name="email" type="email" autocomplete="off" maxlength="254"
                    required=move || inviting.get() aria-invalid=invalid("email") />
            </div>
            <input type="hidden" name="locale" prop:value=move || i18n.get_locale().as_str() />
            <fieldset class="field full-row choice-group">
                <legend class="label">{t!(i18n, admin.access_legend)}</legend>
                <label class="choice">
                    <input type="radio" name="invite" value="false" checked=true
                        on:change=move |_| inviting.set(false) />
                    {t!(i18n, admin.access_password)}
                </label>
                <label class="choice">
                    <input type="radio" name="invite" value="true" id="new-invite"
                        on:change=move |_| inviting.set(true) />
                    {t!(i18n, admin.access_invite)}
                </label>
            </fieldset>
            <Show when=move || !inviting.get()
                fallback=move || view! { <p class="help full-row" id="invite-help">{t!(i18n, admin.invite_help)}</p> }>
                <div class="field">
                    <label for="new-password">{t!(i18n, admin.initial_password)} " (" {t!(i18n, admin.optional)} ")"</label>
                    <input id="new-password" name="password" type="password" autocomplete="new-password"
                        aria-describedby="new-password-help" aria-invalid=invalid("password") />
                    <p class="help" id="new-password-help">{t!(i18n, admin.password_help)}</p>
                </div>
                <div class="field checkbox-field">
                    <label class="choice">
                        <input type="checkbox" name="must_change_password" value="true" id="new-must-change" />
                        {t!(i18n, admin.must_change_password)}
                    </label>
                </div>
            </Show>
            <div class="full-row"><ErrorMessage error=error /></div>
            <div class="form-actions full-row">
                <button type="button" class="button button-quiet" on:click=move |_| open.set(false)>{t!(i18n, common.cancel)}</button>
                <button type="submit" class="button button-primary" id="create-user" disabled=move || action.pending().get()>{t!(i18n, common.create)}</button>
            </div>
        </ActionForm>
    }
}
