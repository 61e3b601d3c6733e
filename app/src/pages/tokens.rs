//! API tokens (for licensed applications and external parties): the tokens of the
//! administrator's site with their last use, a new token (shown once), revocation after a
//! confirmation, and the service accounts tokens are issued for.
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

use crate::api::tokens::{
    api_tokens, revoke_api_token, CreateServiceAccount, IssueApiToken, TokenRow, TokensPage,
};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::date::{DateText, DateTimeText};
use crate::components::error_message::{aria_invalid, ErrorMessage, StatusMessage};
use crate::components::loaded::Loaded;
use crate::components::page_shell::PageShell;
use crate::error::AppError;
use crate::i18n::*;
use wire::TokenState;

#[component]
pub fn TokensPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), tokens.page_title) />
        <PageShell>
            <TokensContent />
        </PageShell>
    }
}

#[component]
fn TokensContent() -> impl IntoView {
    let issue = ServerAction::<IssueApiToken>::new();
    let create_account = ServerAction::<CreateServiceAccount>::new();
    let revoked = RwSignal::new(0u32);
    let error = RwSignal::new(None::<AppError>);
    let page = Resource::new(
        move || {
            (
                issue.version().get(),
                create_account.version().get(),
                revoked.get(),
            )
        },
        |_| api_tokens(None),
    );
    view! {
        <Loaded load=page loading=true let:data>
            <div class="tokens-layout">
                <TokensPanel data=data.clone() issue=issue revoked=revoked error=error />
                <AccountsPanel data=data create=create_account />
            </div>
        </Loaded>
    }
}

#[component]
fn TokensPanel(
    data: TokensPage,
    issue: ServerAction<IssueApiToken>,
    revoked: RwSignal<u32>,
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let issue_error = Signal::derive(move || issue.value().get().and_then(|r| r.err()));
    let invalid = move |field: &'static str| aria_invalid(issue_error, field);
    let secret = move || {
        issue
            .value()
            .get()
            .and_then(|r| r.ok())
            .map(|issued| issued.secret)
    };
    let default_expiry = data.default_expiry.clone();
    let me = data.me.clone();
    let token_form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let (Some(Ok(_)), Some(form)) = (issue.value().get(), token_form.get()) {
            form.reset();
        }
    });
    let accounts = data.accounts.clone();
    let tokens = data.tokens.clone();
    view! {
        <section class="panel" aria-labelledby="tokens-title">
            <div class="panel-head">
                <h1 id="tokens-title">{t!(i18n, tokens.page_title)}</h1>
                <div class="form-actions">
                    <a class="button" href="/admin/webhooks" id="webhooks-link">{t!(i18n, webhooks.page_title)}</a>
                    <a class="button" href="/developers" id="api-docs-link">{t!(i18n, tokens.api_docs)}</a>
                </div>
            </div>
            <p class="help">{t!(i18n, tokens.intro)}</p>
            {move || secret().map(|secret| view! {
                <div class="token-reveal" role="status" id="new-token">
                    <p><strong>{t!(i18n, tokens.copy_now)}</strong></p>
                    <label for="new-token-secret">{t!(i18n, tokens.new_token)}</label>
                    <input id="new-token-secret" class="token-secret mono" type="text" readonly
                        value=secret.clone()
                        on:focus=move |ev| {
                            use wasm_bindgen::JsCast;
                            if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                input.select();
                            }
                        } />
                </div>
            })}
            <ActionForm action=issue node_ref=token_form attr:class="form grid-form" attr:id="token-form">
                <div class="field">
                    <label for="token-owner">{t!(i18n, tokens.account)}</label>
                    <select id="token-owner" name="owner" required>
                        {accounts.iter().map(|a| view! {
                            <option value=a.id.to_string()>{format!("{} ({})", a.name, a.username)}</option>
                        }).collect_view()}
                        <option value=me.id.to_string()>
                            {move || format!("{} – {}", td_string!(i18n.get_locale(), tokens.myself), me.name)}
                        </option>
                    </select>
                </div>
                <div class="field">
                    <label for="token-name">{t!(i18n, tokens.name)}</label>
                    <input id="token-name" name="name" type="text" required maxlength="100"
                        aria-describedby="token-name-help" aria-invalid=invalid("name") />
                    <p class="help" id="token-name-help">{t!(i18n, tokens.name_help)}</p>
                </div>
                <div class="field">
                    <label for="token-expires">{t!(i18n, tokens.expires_on)}</label>
                    <input id="token-expires" name="expires_on" type="date" value=default_expiry
                        aria-describedby="token-expires-help" aria-invalid=invalid("expires_on") />
                    <p class="help" id="token-expires-help">{t!(i18n, tokens.expires_help)}</p>
                </div>
                <div class="checkbox-row full-row">
                    <input type="checkbox" name="scim_deletes" value="true" id="token-scim-deletes"
                        aria-describedby="token-scim-deletes-help" />
                    <label for="token-scim-deletes">{t!(i18n, tokens.scim_deletes)}</label>
                </div>
                <p class="help full-row" id="token-scim-deletes-help">{t!(i18n, tokens.scim_deletes_help)}</p>
                <div class="full-row"><ErrorMessage error=issue_error /></div>
                <div class="form-actions full-row">
                    <button type="submit" class="button button-primary" id="create-token"
                        disabled=move || issue.pending().get()>{t!(i18n, tokens.create_token)}</button>
                </div>
            </ActionForm>
            <ErrorMessage error=error />
            {if tokens.is_empty() {
                view! { <p class="empty-state" id="tokens-empty">{t!(i18n, tokens.no_tokens)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table" id="token-table">
                            <thead><tr>
                                <th scope="col">{t!(i18n, tokens.name)}</th>
                                <th scope="col">{t!(i18n, tokens.account)}</th>
                                <th scope="col">{t!(i18n, tokens.token)}</th>
                                <th scope="col">{t!(i18n, tokens.expires_on)}</th>
                                <th scope="col">{t!(i18n, tokens.last_used)}</th>
                                <th scope="col">{t!(i18n, tokens.status)}</th>
                                <th scope="col"><span class="visually-hidden">{t!(i18n, admin.col_actions)}</span></th>
                            </tr></thead>
                            <tbody>
                                {tokens.into_iter().map(|row| view! {
                                    <TokenRowView row=row revoked=revoked error=error />
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn TokenRowView(
    row: TokenRow,
    revoked: RwSignal<u32>,
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let confirm = RwSignal::new(false);
    let id = row.id;
    let active = row.state == TokenState::Active;
    let do_revoke = Callback::new(move |_| {
        spawn_local(async move {
            match revoke_api_token(id).await {
                Ok(()) => {
                    error.set(None);
                    revoked.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    });
    let state = row.state;
    let state_label = move || {
        let locale = i18n.get_locale();
        match state {
            TokenState::Revoked => td_string!(locale, tokens.state_revoked),
            TokenState::Expired => td_string!(locale, tokens.state_expired),
            TokenState::Active => td_string!(locale, tokens.state_active),
        }
    };
    let name = row.name.clone();
    let dialog_name = row.name.clone();
    view! {
        <tr data-token=row.name.clone() class:inactive=!active>
            <td>{row.name.clone()}</td>
            <td>
                <span class="user-name">{row.owner_name.clone()}</span>
                {row.owner_is_service_account.then(|| view! {
                    <span class="pill">{t!(i18n, tokens.service_account)}</span>
                })}
                <span class="user-email mono">{row.owner_username.clone()}</span>
                {row.scim_deletes.then(|| view! {
                    <span class="pill">{t!(i18n, tokens.scim_deletes_pill)}</span>
                })}
            </td>
            <td class="mono nowrap">{format!("{}…", row.hint)}</td>
            <td class="nowrap">{match row.expires_on {
                None => view! { <span class="muted">{t!(i18n, tokens.never_expires)}</span> }.into_any(),
                Some(day) => view! { <DateText date=day /> }.into_any(),
            }}</td>
            <td class="nowrap last-used">{match row.last_used {
                None => view! { <span class="muted">{t!(i18n, tokens.never_used)}</span> }.into_any(),
                Some(at) => view! { <DateTimeText at=at /> }.into_any(),
            }}</td>
            <td><span class=format!("pill pill-token-{}", state.as_str())>{state_label}</span></td>
            <td class="actions">
                {active.then(|| view! {
                    <button type="button" class="button button-danger revoke-token"
                        aria-label=move || td_string!(i18n.get_locale(), tokens.revoke_label, name = name.clone()).to_string()
                        on:click=move |_| confirm.set(true)>
                        {t!(i18n, tokens.revoke)}
                    </button>
                    <ConfirmDialog
                        open=confirm
                        title=Signal::derive(move || format!("{} – {}", td_string!(i18n.get_locale(), tokens.revoke), dialog_name))
                        message=Signal::derive(move || td_string!(i18n.get_locale(), tokens.confirm_revoke).to_string())
                        confirm_label=Signal::derive(move || td_string!(i18n.get_locale(), tokens.revoke).to_string())
                        on_confirm=do_revoke
                    />
                })}
            </td>
        </tr>
    }
}

#[component]
fn AccountsPanel(data: TokensPage, create: ServerAction<CreateServiceAccount>) -> impl IntoView {
    let i18n = use_i18n();
    let create_error = Signal::derive(move || create.value().get().and_then(|r| r.err()));
    let invalid = move |field: &'static str| aria_invalid(create_error, field);
    let status = Signal::derive(move || {
        create.value().get().and_then(|r| r.ok()).map(|account| {
            td_string!(
                i18n.get_locale(),
                tokens.account_created,
                username = account.username
            )
            .to_string()
        })
    });
    let site = data.site;
    let account_form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let (Some(Ok(_)), Some(form)) = (create.value().get(), account_form.get()) {
            form.reset();
        }
    });
    view! {
        <section class="panel" aria-labelledby="accounts-title">
            <h2 id="accounts-title">{t!(i18n, tokens.service_accounts)}</h2>
            <p class="help">{t!(i18n, tokens.service_accounts_help)}</p>
            {if data.accounts.is_empty() {
                view! { <p class="empty-state" id="accounts-empty">{t!(i18n, tokens.no_accounts)}</p> }.into_any()
            } else {
                view! {
                    <ul class="account-list" id="service-accounts">
                        {data.accounts.iter().map(|a| view! {
                            <li>
                                <span class="user-name">{a.name.clone()}</span>
                                <span class="user-email mono">{a.username.clone()}</span>
                                <span class="muted">{a.site_name.clone()}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <ActionForm action=create node_ref=account_form attr:class="form account-form" attr:id="account-form">
                <input type="hidden" name="site" value=site.to_string() />
                <div class="field">
                    <label for="account-name">{t!(i18n, tokens.party_name)}</label>
                    <input id="account-name" name="name" type="text" required maxlength="100"
                        aria-describedby="account-name-help" aria-invalid=invalid("name") />
                    <p class="help" id="account-name-help">
                        {move || td_string!(i18n.get_locale(), tokens.party_name_help, site = data.site_name.clone()).to_string()}
                    </p>
                </div>
                <div class="checkbox-row">
                    <input type="checkbox" name="application" value="true" id="account-application" checked />
                    <label for="account-application">{t!(i18n, tokens.application_role)}</label>
                </div>
                <ErrorMessage error=create_error />
                <div class="form-actions">
                    <StatusMessage text=status />
                    <button type="submit" class="button button-primary" id="create-account"
                        disabled=move || create.pending().get()>{t!(i18n, tokens.create_account)}</button>
                </div>
            </ActionForm>
        </section>
    }
}
