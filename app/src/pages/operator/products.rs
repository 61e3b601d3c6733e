//! Products and bundles on the operator's page: what subscriptions are for and what licensed
//! applications ask about. The same as `licentia product …` on the command line.
use leptos::prelude::*;

use crate::api::operator::{catalogue, CreateBundle, CreateProduct, SetBundleLimits};
use crate::components::error_message::{aria_invalid, ErrorMessage, StatusMessage};
use crate::components::loaded::Loaded;
use crate::i18n::*;

#[component]
pub fn Products() -> impl IntoView {
    let i18n = use_i18n();
    let product = ServerAction::<CreateProduct>::new();
    let bundle = ServerAction::<CreateBundle>::new();
    let limits = ServerAction::<SetBundleLimits>::new();
    let list = Resource::new(
        move || {
            (
                product.version().get(),
                bundle.version().get(),
                limits.version().get(),
            )
        },
        |_| catalogue(),
    );
    let product_form = NodeRef::<leptos::html::Form>::new();
    let bundle_form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let (Some(Ok(_)), Some(el)) = (product.value().get(), product_form.get()) {
            el.reset();
        }
    });
    Effect::new(move |_| {
        if let (Some(Ok(_)), Some(el)) = (bundle.value().get(), bundle_form.get()) {
            el.reset();
        }
    });
    let product_error = Signal::derive(move || product.value().get().and_then(|r| r.err()));
    let bundle_error = Signal::derive(move || bundle.value().get().and_then(|r| r.err()));
    let product_invalid = move |field: &'static str| aria_invalid(product_error, field);
    let bundle_invalid = move |field: &'static str| aria_invalid(bundle_error, field);
    let limits_error = Signal::derive(move || limits.value().get().and_then(|r| r.err()));
    let limits_invalid = move |field: &'static str| aria_invalid(limits_error, field);
    let saved = Signal::derive(move || {
        (matches!(product.value().get(), Some(Ok(_)))
            || matches!(bundle.value().get(), Some(Ok(_)))
            || matches!(limits.value().get(), Some(Ok(_))))
        .then(|| td_string!(i18n.get_locale(), common.saved).to_string())
    });
    view! {
        <section class="panel" aria-labelledby="products-title">
            <h2 id="products-title">{t!(i18n, operator.products)}</h2>
            <p class="help">{t!(i18n, operator.products_help)}</p>
            <StatusMessage text=saved />
            <Loaded load=list let:loaded>
                {
                    let (products, bundles) = loaded;
                    view! {
                        <div class="catalogue">
                            <div class="table-wrap">
                                <table class="table" id="products">
                                    <caption class="visually-hidden">{t!(i18n, operator.products)}</caption>
                                    <thead><tr>
                                        <th scope="col">{t!(i18n, operator.product_key)}</th>
                                        <th scope="col">{t!(i18n, operator.product_name)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {products.into_iter().map(|p| view! {
                                            <tr data-product=p.key.clone()><td class="mono">{p.key.clone()}</td><td>{p.name}</td></tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <div class="table-wrap">
                                <table class="table" id="bundles">
                                    <caption class="visually-hidden">{t!(i18n, operator.bundles)}</caption>
                                    <thead><tr>
                                        <th scope="col">{t!(i18n, operator.bundle_name)}</th>
                                        <th scope="col">{t!(i18n, operator.products)}</th>
                                        <th scope="col">{t!(i18n, operator.limit_devices)}</th>
                                        <th scope="col">{t!(i18n, operator.limit_user_sessions)}</th>
                                        <th scope="col">{t!(i18n, operator.limit_sessions)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {bundles.iter().map(|b| {
                                            let limit = move |value: Option<i32>| move || match value {
                                                Some(n) => n.to_string(),
                                                None => td_string!(i18n.get_locale(), operator.no_limit).to_string(),
                                            };
                                            view! {
                                                <tr data-bundle=b.name.clone()>
                                                    <td>{b.name.clone()}</td>
                                                    <td class="mono">{b.products.join(", ")}</td>
                                                    <td class="number">{limit(b.max_devices)}</td>
                                                    <td class="number">{limit(b.max_user_sessions)}</td>
                                                    <td class="number">{limit(b.max_sessions)}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        </div>
                        {(!bundles.is_empty()).then(|| {
                            // The form shows the chosen bundle's limits.
                            let chosen = RwSignal::new(bundles.first().map(|b| b.id));
                            let known = StoredValue::new(bundles.clone());
                            let current = move |pick: fn(&crate::api::operator::BundleRow) -> Option<i32>| {
                                move || {
                                    known.with_value(|all| {
                                        all.iter()
                                            .find(|b| Some(b.id) == chosen.get())
                                            .and_then(pick)
                                            .map(|n| n.to_string())
                                            .unwrap_or_default()
                                    })
                                }
                            };
                            view! {
                            <h3>{t!(i18n, operator.limits)}</h3>
                            <p class="help">{t!(i18n, operator.limits_help)}</p>
                            <ActionForm action=limits attr:class="form row-form" attr:id="limits-form">
                                <div class="field">
                                    <label for="limits-bundle">{t!(i18n, operator.limits_bundle)}</label>
                                    <select id="limits-bundle" name="bundle" required
                                        on:change=move |ev| chosen.set(event_target_value(&ev).parse().ok())>
                                        {bundles.iter().map(|b| view! {
                                            <option value=b.id.to_string()>{b.name.clone()}</option>
                                        }).collect_view()}
                                    </select>
                                </div>
                                <div class="field">
                                    <label for="limits-devices">{t!(i18n, operator.limit_devices)}</label>
                                    <input id="limits-devices" name="max_devices" type="number" min="1" max="100000"
                                        prop:value=current(|b| b.max_devices)
                                        inputmode="numeric" aria-invalid=limits_invalid("max_devices") />
                                </div>
                                <div class="field">
                                    <label for="limits-user-sessions">{t!(i18n, operator.limit_user_sessions)}</label>
                                    <input id="limits-user-sessions" name="max_user_sessions" type="number" min="1" max="100000"
                                        prop:value=current(|b| b.max_user_sessions)
                                        inputmode="numeric" aria-invalid=limits_invalid("max_user_sessions") />
                                </div>
                                <div class="field">
                                    <label for="limits-sessions">{t!(i18n, operator.limit_sessions)}</label>
                                    <input id="limits-sessions" name="max_sessions" type="number" min="1" max="100000"
                                        prop:value=current(|b| b.max_sessions)
                                        inputmode="numeric" aria-invalid=limits_invalid("max_sessions") />
                                </div>
                                <button type="submit" class="button button-primary" id="save-limits"
                                    disabled=move || limits.pending().get()>{t!(i18n, operator.save_limits)}</button>
                            </ActionForm>
                            <ErrorMessage error=limits_error />
                            }
                        })}
                    }
                }
            </Loaded>
            <ActionForm action=product node_ref=product_form attr:class="form row-form" attr:id="product-form">
                <div class="field">
                    <label for="product-key">{t!(i18n, operator.product_key)}</label>
                    <input id="product-key" name="key" type="text" required maxlength="40"
                        aria-describedby="product-key-help" aria-invalid=product_invalid("key") />
                    <p class="help" id="product-key-help">{t!(i18n, operator.product_key_help)}</p>
                </div>
                <div class="field">
                    <label for="product-name">{t!(i18n, operator.product_name)}</label>
                    <input id="product-name" name="name" type="text" required maxlength="100"
                        aria-invalid=product_invalid("name") />
                </div>
                <button type="submit" class="button button-primary" id="create-product"
                    disabled=move || product.pending().get()>{t!(i18n, operator.create_product)}</button>
            </ActionForm>
            <ErrorMessage error=product_error />
            <ActionForm action=bundle node_ref=bundle_form attr:class="form row-form" attr:id="bundle-form">
                <div class="field">
                    <label for="bundle-name">{t!(i18n, operator.bundle_name)}</label>
                    <input id="bundle-name" name="name" type="text" required maxlength="100"
                        aria-invalid=bundle_invalid("name") />
                </div>
                <div class="field">
                    <label for="bundle-products">{t!(i18n, operator.bundle_products)}</label>
                    <input id="bundle-products" name="products" type="text" required
                        aria-describedby="bundle-products-help" aria-invalid=bundle_invalid("products") />
                    <p class="help" id="bundle-products-help">{t!(i18n, operator.bundle_products_help)}</p>
                </div>
                <button type="submit" class="button button-primary" id="create-bundle"
                    disabled=move || bundle.pending().get()>{t!(i18n, operator.create_bundle)}</button>
            </ActionForm>
            <ErrorMessage error=bundle_error />
        </section>
    }
}
