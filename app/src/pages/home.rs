//! The overview after sign-in (as the licence server manual has it): who you are, your
//! licence and what the claim at sign-in came to, the products it covers, your application
//! sessions, and, with the right, licence purchase requests and their status.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::activation::RedeemCode;
use crate::api::auth::Me;
use crate::api::overview::{my_overview, Overview, RequestLicences};
use crate::components::date::{date_time, long_date, DateText};
use crate::components::error_message::{aria_invalid, ErrorMessage, StatusMessage};
use crate::components::licence::LicencePill;
use crate::components::loaded::{Lenient, Loaded};
use crate::components::page_shell::{use_me, MeResource, PageShell};
use crate::i18n::*;
use wire::ClaimOutcome;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || td_string!(i18n.get_locale(), common.home) />
        <PageShell>
            <HomeContent />
        </PageShell>
    }
}

#[component]
fn HomeContent() -> impl IntoView {
    let me = use_me();
    let order = ServerAction::<RequestLicences>::new();
    let redeem = ServerAction::<RedeemCode>::new();
    let overview = Resource::new(
        move || (order.version().get(), redeem.version().get()),
        |_| my_overview(),
    );
    // Signed out, nothing: the page shell sends the browser to the sign-in page.
    me.map(|MeResource(me)| {
        view! {
            <Loaded load=(Lenient(me), overview) loading=true let:loaded>
                {
                    let (me, data) = loaded;
                    me.flatten().map(|m| view! {
                        <OverviewView me=m data=data order=order />
                        <RedeemPanel redeem=redeem />
                    })
                }
            </Loaded>
        }
    })
}

#[component]
fn OverviewView(me: Me, data: Overview, order: ServerAction<RequestLicences>) -> impl IntoView {
    let i18n = use_i18n();
    let claim = data.claim;
    let can_order = data.can_order;
    let claim_note = move || {
        let locale = i18n.get_locale();
        let text = match claim? {
            ClaimOutcome::Upcoming(day) => td_string!(
                locale,
                overview.claim_upcoming,
                date = long_date(locale, day)
            )
            .to_string(),
            ClaimOutcome::Claimed => td_string!(locale, overview.claim_claimed).to_string(),
            ClaimOutcome::NoneFree if can_order => {
                td_string!(locale, overview.claim_none_free_order).to_string()
            }
            ClaimOutcome::NoneFree => td_string!(locale, overview.claim_none_free).to_string(),
        };
        Some(text)
    };
    let claimed_ok = data.claim == Some(ClaimOutcome::Claimed);
    let session_count = data.sessions.len();
    let until = data.until;
    let sessions = data.sessions.clone();
    let order_panel = data
        .can_order
        .then(|| view! { <OrderPanel data=data.clone() order=order /> });
    view! {
        <div class="overview">
            <h1 class="overview-title">{t!(i18n, auth.welcome)}", " {me.display_name.clone()}</h1>
            {move || claim_note().map(|text| view! {
                <p class="notice" class:notice-success=claimed_ok role="status" id="claim-note">{text}</p>
            })}
            <div class="overview-grid">
                <section class="panel" aria-labelledby="ov-profile">
                    <h2 id="ov-profile">{t!(i18n, overview.profile)}</h2>
                    <dl class="facts">
                        <dt>{t!(i18n, overview.username)}</dt><dd class="mono">{me.username.clone()}</dd>
                        <dt>{t!(i18n, auth.your_site)}</dt><dd>{me.site_name.clone()}</dd>
                    </dl>
                    <a class="button" href="/profile">{t!(i18n, overview.edit_profile)}</a>
                </section>
                <section class="panel" aria-labelledby="ov-licence">
                    <h2 id="ov-licence">{t!(i18n, overview.licence)}</h2>
                    <p><LicencePill state=data.licence id="my-licence" /></p>
                    {until.map(|until| view! {
                        <p class="muted">{move || {
                            let locale = i18n.get_locale();
                            td_string!(locale, overview.valid_until, date = long_date(locale, until)).to_string()
                        }}</p>
                    })}
                    <h3>{t!(i18n, overview.products)}</h3>
                    {if data.products.is_empty() {
                        view! { <p class="muted" id="no-products">{t!(i18n, overview.no_products)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="product-list" id="my-products">
                                {data.products.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                    {until.map(|_| view! {
                        <p class="muted" id="licence-file-help">{t!(i18n, overview.licence_file_help)}</p>
                        <a class="button" id="licence-file" href="/licence-file" download=""
                            aria-describedby="licence-file-help">
                            {t!(i18n, overview.licence_file)}
                        </a>
                    })}
                </section>
                <section class="panel" aria-labelledby="ov-sessions">
                    <h2 id="ov-sessions">{t!(i18n, overview.app_sessions)}</h2>
                    <p class="big-number" id="session-count">{session_count}</p>
                    {if sessions.is_empty() {
                        view! { <p class="muted">{t!(i18n, overview.no_sessions)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="session-list">
                                {sessions.into_iter().map(|s| {
                                    let opened = s.opened_at;
                                    view! {
                                        <li><strong>{s.product.clone()}</strong> " "
                                            <span class="muted">{move || {
                                                let locale = i18n.get_locale();
                                                td_string!(locale, overview.session_since, time = date_time(locale, opened)).to_string()
                                            }}</span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
                {me.admin_site.map(|_| view! {
                    <section class="panel" aria-labelledby="ov-admin">
                        <h2 id="ov-admin">{t!(i18n, common.administration)}</h2>
                        <p class="muted">{t!(i18n, overview.admin_help)}</p>
                        <a class="button button-primary" href="/admin">{t!(i18n, auth.open_admin)}</a>
                    </section>
                })}
            </div>
            {order_panel}
        </div>
    }
}

/// Redeeming an activation code from a bookshop or distributor.
#[component]
fn RedeemPanel(redeem: ServerAction<RedeemCode>) -> impl IntoView {
    let i18n = use_i18n();
    let error = Signal::derive(move || redeem.value().get().and_then(|r| r.err()));
    let invalid = move |field: &'static str| aria_invalid(error, field);
    let done = Signal::derive(move || {
        let until = redeem.value().get().and_then(|r| r.ok())?.until;
        let locale = i18n.get_locale();
        Some(td_string!(locale, overview.redeemed, date = long_date(locale, until)).to_string())
    });
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let (Some(Ok(_)), Some(el)) = (redeem.value().get(), form.get()) {
            el.reset();
        }
    });
    view! {
        <section class="panel redeem-panel" aria-labelledby="redeem-title">
            <h2 id="redeem-title">{t!(i18n, overview.redeem_title)}</h2>
            <p class="help" id="redeem-help">{t!(i18n, overview.redeem_help)}</p>
            <StatusMessage text=done />
            <ActionForm action=redeem node_ref=form attr:class="form row-form" attr:id="redeem-form">
                <div class="field">
                    <label for="redeem-code">{t!(i18n, overview.redeem_code)}</label>
                    <input id="redeem-code" name="code" type="text" required maxlength="40"
                        autocomplete="off" spellcheck="false" class="mono"
                        aria-describedby="redeem-help" aria-invalid=invalid("code") />
                </div>
                <button type="submit" class="button button-primary" id="redeem-button"
                    disabled=move || redeem.pending().get()>{t!(i18n, overview.redeem)}</button>
            </ActionForm>
            <ErrorMessage error=error />
        </section>
    }
}

#[component]
fn OrderPanel(data: Overview, order: ServerAction<RequestLicences>) -> impl IntoView {
    let i18n = use_i18n();
    let error = Signal::derive(move || order.value().get().and_then(|r| r.err()));
    let invalid = move |field: &'static str| aria_invalid(error, field);
    let status = Signal::derive(move || {
        matches!(order.value().get(), Some(Ok(_)))
            .then(|| td_string!(i18n.get_locale(), overview.request_sent).to_string())
    });
    let status_label = move |status: wire::PurchaseStatus| {
        let locale = i18n.get_locale();
        if status == wire::PurchaseStatus::Handled {
            td_string!(locale, overview.request_handled)
        } else {
            td_string!(locale, overview.request_new)
        }
    };
    view! {
        <section class="panel order-panel" aria-labelledby="ov-order">
            <h2 id="ov-order">{t!(i18n, overview.order_title)}</h2>
            <p class="help">{t!(i18n, overview.order_help)}</p>
            <ActionForm action=order attr:class="form grid-form" attr:id="order-form">
                <div class="field">
                    <label for="order-quantity">{t!(i18n, overview.quantity)}</label>
                    <input id="order-quantity" name="quantity" type="number" min="1" max="100000" required
                        inputmode="numeric" aria-invalid=invalid("quantity") />
                </div>
                <div class="field">
                    <label for="order-activation">{t!(i18n, overview.activation_on)}</label>
                    <input id="order-activation" name="activation_on" type="date" required
                        min=data.earliest_activation.clone() value=data.earliest_activation.clone()
                        aria-describedby="order-activation-help" aria-invalid=invalid("activation_on") />
                    <p class="help" id="order-activation-help">{t!(i18n, overview.activation_help)}</p>
                </div>
                <div class="field">
                    <label for="order-email">{t!(i18n, overview.email)}</label>
                    <input id="order-email" name="email" type="email" required maxlength="254"
                        autocomplete="email" aria-invalid=invalid("email") />
                </div>
                <div class="field">
                    <label for="order-phone">{t!(i18n, overview.phone_optional)}</label>
                    <input id="order-phone" name="phone" type="tel" maxlength="40"
                        autocomplete="tel" aria-invalid=invalid("phone") />
                </div>
                <div class="field full-row">
                    <label for="order-comment">{t!(i18n, overview.comment_optional)}</label>
                    <textarea id="order-comment" name="comment" rows="3" maxlength="2000"
                        aria-invalid=invalid("comment")></textarea>
                </div>
                <div class="full-row"><ErrorMessage error=error /></div>
                <div class="form-actions full-row">
                    <StatusMessage text=status />
                    <button type="submit" class="button button-primary" id="send-order"
                        disabled=move || order.pending().get()>{t!(i18n, overview.send_request)}</button>
                </div>
            </ActionForm>
            {(!data.requests.is_empty()).then(|| view! {
                <div class="table-wrap">
                    <table class="table" id="my-requests">
                        <caption class="visually-hidden">{t!(i18n, overview.my_requests)}</caption>
                        <thead><tr>
                            <th scope="col">{t!(i18n, overview.sent_on)}</th>
                            <th scope="col" class="numeric">{t!(i18n, overview.quantity)}</th>
                            <th scope="col">{t!(i18n, overview.activation_on)}</th>
                            <th scope="col">{t!(i18n, overview.status)}</th>
                        </tr></thead>
                        <tbody>
                            {data.requests.iter().map(|r| {
                                let status = r.status;
                                let label = move || status_label(status);
                                view! {
                                    <tr>
                                        <td class="nowrap"><DateText date=r.sent_on /></td>
                                        <td class="numeric">{r.quantity}</td>
                                        <td class="nowrap"><DateText date=r.activation_on /></td>
                                        <td><span class=format!("pill pill-request-{}", r.status)>{label}</span></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}
