use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::*;

/// Shows an error in the user's language, announced to screen readers. Rendered on the server
/// (a page whose data failed to load), it gives the response the error's status, as Leptos's
/// `errors_axum` example does.
#[component]
pub fn ErrorMessage(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error.get().map(|e| {
            #[cfg(feature = "ssr")]
            page_status(&e);
            let code = e.code.as_str();
            let details = e.listed_details(i18n.get_locale_untracked());
            view! {
                <div class="alert alert-error" role="alert" data-code=code>
                    <p>{move || e.message(i18n.get_locale())}</p>
                    {(!details.is_empty()).then(|| view! {
                        <ul class="alert-details">
                            {details.into_iter().map(|d| view! { <li>{d}</li> }).collect_view()}
                        </ul>
                    })}
                </div>
            }
        })
    }
}

/// A polite status line for confirmations ("Saved.").
#[component]
pub fn StatusMessage(#[prop(into)] text: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="status" role="status" aria-live="polite"
            class:status-visible=move || text.get().is_some_and(|t| !t.is_empty())>
            {move || text.get().unwrap_or_default()}
        </p>
    }
}

/// `aria-invalid` for a form field: "true" while the error names this field.
pub fn aria_invalid(
    error: Signal<Option<AppError>>,
    field: &'static str,
) -> impl Fn() -> Option<&'static str> + Copy {
    move || (error.get().and_then(|e| e.field).as_deref() == Some(field)).then_some("true")
}

/// The status of a page rendered on the server with this error (while its headers are unsent).
#[cfg(feature = "ssr")]
fn page_status(error: &AppError) {
    let status = http::StatusCode::from_u16(error.status).ok();
    if let (Some(opts), Some(status)) = (use_context::<leptos_axum::ResponseOptions>(), status) {
        opts.set_status(status);
    }
}
