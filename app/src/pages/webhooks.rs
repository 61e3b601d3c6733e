//! `/admin/webhooks?site=…` (or `?vendor=1` for the vendor's): the endpoints of a site's
//! subtree with their state, a new endpoint (its signing secret shown once), switching one off
//! or on, removing one after a confirmation, and an endpoint's deliveries with a redelivery.
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use crate::api::webhooks::{
    redeliver_webhook, register_webhook, remove_webhook, set_webhook_enabled, webhook_deliveries,
    webhooks_page, EndpointRow, WebhooksView,
};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::date::{date_time, DateTimeText};
use crate::components::error_message::{aria_invalid, ErrorMessage, StatusMessage};
use crate::components::loaded::{Loaded, LoadedList};
use crate::components::page_shell::PageShell;
use crate::error::AppError;
use crate::i18n::*;

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), webhooks.page_title) />
        <PageShell>
            <WebhooksContent />
        </PageShell>
    }
}

/// An event type in the reader's language.
fn event_label(locale: Locale, event: &str) -> String {
    match event {
        "user.created" => td_string!(locale, webhooks.event_user_created),
        "user.updated" => td_string!(locale, webhooks.event_user_updated),
        "user.deactivated" => td_string!(locale, webhooks.event_user_deactivated),
        "user.deleted" => td_string!(locale, webhooks.event_user_deleted),
        "licence.assigned" => td_string!(locale, webhooks.event_licence_assigned),
        "licence.unassigned" => td_string!(locale, webhooks.event_licence_unassigned),
        "licence.expired" => td_string!(locale, webhooks.event_licence_expired),
        "subscription.changed" => td_string!(locale, webhooks.event_subscription_changed),
        "import.finished" => td_string!(locale, webhooks.event_import_finished),
        "session.opened" => td_string!(locale, webhooks.event_session_opened),
        "session.ended" => td_string!(locale, webhooks.event_session_ended),
        other => return other.to_string(),
    }
    .to_string()
}

#[component]
fn WebhooksContent() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let site = Memo::new(move |_| {
        query
            .read()
            .get("site")
            .and_then(|s| Uuid::parse_str(&s).ok())
    });
    let vendor = Memo::new(move |_| query.read().get("vendor").is_some_and(|v| v == "1"));
    let version = RwSignal::new(0u32);
    // Kept above the list, which is drawn again after every change.
    let secret = RwSignal::new(None::<String>);
    let page = Resource::new(
        move || (site.get(), vendor.get(), version.get()),
        |(site, vendor, _)| webhooks_page(site, vendor),
    );
    view! {
        <section class="panel" aria-labelledby="webhooks-title">
            <div class="panel-head">
                <h1 id="webhooks-title">{t!(i18n, webhooks.page_title)}</h1>
                <a class="button" href="/developers">{t!(i18n, tokens.api_docs)}</a>
            </div>
            <p class="intro">{t!(i18n, webhooks.intro)}</p>
            {move || secret.get().map(|secret| view! {
                <div class="token-reveal" role="status" id="webhook-secret">
                    <p><strong>{t!(i18n, webhooks.secret_now)}</strong></p>
                    <label for="webhook-secret-value">{t!(i18n, webhooks.secret)}</label>
                    <input id="webhook-secret-value" class="token-secret mono" type="text" readonly value=secret />
                </div>
            })}
            <Loaded load=page loading=true let:data>
                <Endpoints data=data version=version secret=secret />
            </Loaded>
        </section>
    }
}

#[component]
fn Endpoints(
    data: WebhooksView,
    version: RwSignal<u32>,
    secret: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let scope = data.site.clone();
    let scope_line = move || {
        let locale = i18n.get_locale();
        match &scope {
            Some((_, name)) => {
                td_string!(locale, webhooks.scope_site, site = name.clone()).to_string()
            }
            None => td_string!(locale, webhooks.scope_vendor).to_string(),
        }
    };
    let selected = RwSignal::new(None::<EndpointRow>);
    let error = RwSignal::new(None::<AppError>);
    let endpoints = data.endpoints.clone();
    view! {
        <p id="webhooks-scope">{scope_line}</p>
        <NewEndpoint site=data.site.as_ref().map(|(id, _)| *id) event_types=data.event_types.clone()
            version=version secret=secret />
        <ErrorMessage error=error />
        {if endpoints.is_empty() {
            view! { <p class="empty-state" id="no-endpoints">{t!(i18n, webhooks.no_endpoints)}</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="table" id="endpoints">
                        <caption class="visually-hidden">{t!(i18n, webhooks.page_title)}</caption>
                        <thead><tr>
                            <th scope="col">{t!(i18n, webhooks.col_url)}</th>
                            <th scope="col">{t!(i18n, webhooks.col_site)}</th>
                            <th scope="col">{t!(i18n, webhooks.col_events)}</th>
                            <th scope="col">{t!(i18n, webhooks.col_state)}</th>
                            <th scope="col"><span class="visually-hidden">{t!(i18n, admin.col_actions)}</span></th>
                        </tr></thead>
                        <tbody>
                            {endpoints.into_iter().map(|row| view! {
                                <EndpointLine row=row version=version selected=selected error=error />
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        {move || selected.get().map(|endpoint| view! { <Deliveries endpoint=endpoint selected=selected /> })}
    }
}

#[component]
fn NewEndpoint(
    site: Option<Uuid>,
    event_types: Vec<String>,
    version: RwSignal<u32>,
    secret: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let url = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let chosen = RwSignal::new(Vec::<String>::new());
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        pending.set(true);
        let (u, d, e) = (
            url.get_untracked(),
            description.get_untracked(),
            chosen.get_untracked(),
        );
        spawn_local(async move {
            match register_webhook(site, u, d, e).await {
                Ok(made) => {
                    error.set(None);
                    secret.set(Some(made));
                    url.set(String::new());
                    description.set(String::new());
                    chosen.set(Vec::new());
                    version.update(|v| *v += 1);
                }
                Err(err) => error.set(Some(err)),
            }
            pending.set(false);
        });
    };
    let error_signal = Signal::derive(move || error.get());
    let invalid = move |field: &'static str| aria_invalid(error_signal, field);
    view! {
        <h2>{t!(i18n, webhooks.new_endpoint)}</h2>
        <form class="form grid-form" id="webhook-form" on:submit=submit>
            <div class="field">
                <label for="webhook-url">{t!(i18n, webhooks.url)}</label>
                <input id="webhook-url" type="url" required maxlength="2000" inputmode="url"
                    aria-describedby="webhook-url-help" aria-invalid=invalid("url")
                    prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev)) />
                <p class="help" id="webhook-url-help">{t!(i18n, webhooks.url_help)}</p>
            </div>
            <div class="field">
                <label for="webhook-description">{t!(i18n, webhooks.description)}</label>
                <input id="webhook-description" type="text" maxlength="100"
                    prop:value=move || description.get()
                    on:input=move |ev| description.set(event_target_value(&ev)) />
            </div>
            <fieldset class="full-row checkbox-group" id="webhook-events" aria-describedby="webhook-events-help"
                aria-invalid=invalid("events")>
                <legend>{t!(i18n, webhooks.events)}</legend>
                <p class="help" id="webhook-events-help">{t!(i18n, webhooks.events_help)}</p>
                {event_types.into_iter().map(|event| {
                    let id = format!("event-{}", event.replace('.', "-"));
                    let (checked_event, toggled_event, label_event) = (event.clone(), event.clone(), event.clone());
                    view! {
                        <div class="checkbox-row">
                            <input type="checkbox" id=id.clone() value=event.clone()
                                prop:checked=move || chosen.get().contains(&checked_event)
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    chosen.update(|c| {
                                        c.retain(|e| *e != toggled_event);
                                        if on {
                                            c.push(toggled_event.clone());
                                        }
                                    });
                                } />
                            <label for=id>{move || event_label(i18n.get_locale(), &label_event)}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <div class="full-row"><ErrorMessage error=error /></div>
            <div class="form-actions full-row">
                <button type="submit" class="button button-primary" id="add-endpoint"
                    disabled=move || pending.get()>{t!(i18n, webhooks.add)}</button>
            </div>
        </form>
    }
}

#[component]
fn EndpointLine(
    row: EndpointRow,
    version: RwSignal<u32>,
    selected: RwSignal<Option<EndpointRow>>,
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let confirm = RwSignal::new(false);
    let id = row.id;
    let enabled = row.enabled;
    let switch = move |_| {
        spawn_local(async move {
            match set_webhook_enabled(id, !enabled).await {
                Ok(()) => {
                    error.set(None);
                    version.update(|v| *v += 1);
                }
                Err(err) => error.set(Some(err)),
            }
        });
    };
    let remove = Callback::new(move |_| {
        spawn_local(async move {
            match remove_webhook(id).await {
                Ok(()) => {
                    error.set(None);
                    selected.set(None);
                    version.update(|v| *v += 1);
                }
                Err(err) => error.set(Some(err)),
            }
        });
    });
    let failing = row.failing_since;
    let state = move || {
        let locale = i18n.get_locale();
        match (enabled, failing) {
            (false, _) => td_string!(locale, webhooks.state_off).to_string(),
            (true, Some(at)) => {
                td_string!(locale, webhooks.state_failing, time = date_time(locale, at)).to_string()
            }
            (true, None) => td_string!(locale, webhooks.state_on).to_string(),
        }
    };
    let events = row.events.clone();
    let (url_show, url_remove, url_dialog) = (row.url.clone(), row.url.clone(), row.url.clone());
    let shown = row.clone();
    view! {
        <tr data-endpoint=row.url.clone() class:inactive=!enabled>
            <td>
                <span class="mono">{row.url.clone()}</span>
                {row.description.clone().map(|d| view! { <span class="user-email">{d}</span> })}
            </td>
            <td>{row.site_name.clone().unwrap_or_default()}</td>
            <td>{move || {
                let locale = i18n.get_locale();
                events.iter().map(|e| event_label(locale, e)).collect::<Vec<_>>().join(", ")
            }}</td>
            <td class="endpoint-state">
                <span class="pill" class:pill-token-revoked=move || !enabled || failing.is_some()>{state}</span>
            </td>
            <td class="actions">
                <button type="button" class="button show-deliveries"
                    aria-label=move || td_string!(i18n.get_locale(), webhooks.show_deliveries_label, url = url_show.clone()).to_string()
                    on:click=move |_| selected.set(Some(shown.clone()))>{t!(i18n, webhooks.show_deliveries)}</button>
                <button type="button" class="button switch-endpoint" on:click=switch>
                    {move || if enabled {
                        td_string!(i18n.get_locale(), webhooks.switch_off)
                    } else {
                        td_string!(i18n.get_locale(), webhooks.switch_on)
                    }}
                </button>
                <button type="button" class="button button-danger remove-endpoint"
                    aria-label=move || td_string!(i18n.get_locale(), webhooks.remove_label, url = url_remove.clone()).to_string()
                    on:click=move |_| confirm.set(true)>{t!(i18n, webhooks.remove)}</button>
                <ConfirmDialog
                    open=confirm
                    title=Signal::derive(move || format!("{} – {}", td_string!(i18n.get_locale(), webhooks.remove), url_dialog))
                    message=Signal::derive(move || td_string!(i18n.get_locale(), webhooks.confirm_remove).to_string())
                    confirm_label=Signal::derive(move || td_string!(i18n.get_locale(), webhooks.remove).to_string())
                    on_confirm=remove
                />
            </td>
        </tr>
    }
}

#[component]
fn Deliveries(endpoint: EndpointRow, selected: RwSignal<Option<EndpointRow>>) -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let id = endpoint.id;
    let list = Resource::new(move || version.get(), move |_| webhook_deliveries(id));
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(false);
    let redeliver = move |delivery: Uuid| {
        spawn_local(async move {
            match redeliver_webhook(delivery).await {
                Ok(()) => {
                    error.set(None);
                    done.set(true);
                    version.update(|v| *v += 1);
                }
                Err(err) => error.set(Some(err)),
            }
        });
    };
    let status = Signal::derive(move || {
        done.get()
            .then(|| td_string!(i18n.get_locale(), webhooks.redelivered).to_string())
    });
    let url = endpoint.url.clone();
    view! {
        <section class="panel" aria-labelledby="deliveries-title" id="deliveries">
            <div class="panel-head">
                <h2 id="deliveries-title">{move || td_string!(i18n.get_locale(), webhooks.deliveries_of, url = url.clone()).to_string()}</h2>
                <div class="form-actions">
                    <button type="button" class="button" id="refresh-deliveries"
                        on:click=move |_| version.update(|v| *v += 1)>{t!(i18n, webhooks.refresh)}</button>
                    <button type="button" class="button" on:click=move |_| selected.set(None)>{t!(i18n, webhooks.close)}</button>
                </div>
            </div>
            <p class="help">{t!(i18n, webhooks.deliveries_help)}</p>
            <StatusMessage text=status />
            <ErrorMessage error=error />
            <LoadedList load=list loading=true let:found
                empty=move || view! { <p class="empty-state" id="no-deliveries">{t!(i18n, webhooks.no_deliveries)}</p> }>
                <div class="table-wrap">
                    <table class="table" id="delivery-table">
                        <caption class="visually-hidden">{t!(i18n, webhooks.show_deliveries)}</caption>
                        <thead><tr>
                            <th scope="col">{t!(i18n, webhooks.col_time)}</th>
                            <th scope="col">{t!(i18n, webhooks.col_event)}</th>
                            <th scope="col">{t!(i18n, webhooks.col_status)}</th>
                            <th scope="col">{t!(i18n, webhooks.col_code)}</th>
                            <th scope="col" class="number">{t!(i18n, webhooks.col_attempts)}</th>
                            <th scope="col"><span class="visually-hidden">{t!(i18n, admin.col_actions)}</span></th>
                        </tr></thead>
                        <tbody>
                            {found.into_iter().map(|d| {
                                let delivery = d.id;
                                let created = d.created_at;
                                let (event, event_aria) = (d.event_type.clone(), d.event_type.clone());
                                let state = d.status.clone();
                                let answer = match (d.last_status, d.last_error.clone()) {
                                    (Some(code), _) => view! { <span class="mono">{code}</span> }.into_any(),
                                    (None, Some(err)) => view! { <span class="muted">{err}</span> }.into_any(),
                                    (None, None) => view! { <span class="muted">"–"</span> }.into_any(),
                                };
                                view! {
                                    <tr class="delivery" data-status=d.status.clone() data-message=d.message_id.clone()>
                                        <td class="nowrap"><DateTimeText at=created /></td>
                                        <td>{move || event_label(i18n.get_locale(), &event)}</td>
                                        <td>{move || {
                                            let locale = i18n.get_locale();
                                            match state.as_str() {
                                                "delivered" => td_string!(locale, webhooks.status_delivered),
                                                "failed" => td_string!(locale, webhooks.status_failed),
                                                _ => td_string!(locale, webhooks.status_pending),
                                            }
                                        }}</td>
                                        <td>{answer}</td>
                                        <td class="number attempts">{d.attempts}</td>
                                        <td class="actions">
                                            <button type="button" class="button redeliver"
                                                aria-label=move || {
                                                    let locale = i18n.get_locale();
                                                    td_string!(locale, webhooks.redeliver_label,
                                                        event = event_label(locale, &event_aria),
                                                        time = date_time(locale, created)).to_string()
                                                }
                                                on:click=move |_| redeliver(delivery)>{t!(i18n, webhooks.redeliver)}</button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </LoadedList>
        </section>
    }
}
