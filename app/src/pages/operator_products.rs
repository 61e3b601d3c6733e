//! Products and bundles on the operator's page: what subscriptions are for and what licensed
//! applications ask about. The same as `licentia product …` on the command line.
use leptos::prelude::*;

use crate::api::operator::{catalogue, CreateBundle, CreateProduct};
use crate::components::error_message::{aria_invalid, ErrorMessage, StatusMessage};
use crate::components::loaded::Loaded;
use crate::i18n::*;

#[component]
pub fn Products() -> impl IntoView {
    let i18n = use_i18n();
    let product = ServerAction::<CreateProduct>::new();
    let bundle = ServerAction::<CreateBundle>::new();
    let list = Resource::new(
        move || (product.version().get(), bundle.version().get()),
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
    let saved = Signal::derive(move || {
        (matches!(product.value().get(), Some(Ok(_)))
            || matches!(bundle.value().get(), Some(Ok(_))))
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
                                    </tr></thead>
                                    <tbody>
                                        {bundles.into_iter().map(|b| view! {
                                            <tr data-bundle=b.name.clone()><td>{b.name.clone()}</td><td class="mono">{b.products.join(", ")}</td></tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        </div>
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
