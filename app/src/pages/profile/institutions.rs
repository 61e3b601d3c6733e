//! The schools the user's account is linked to (institution linking), each with the
//! withdrawal of consent after a confirmation.
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::institutions::{my_institutions, withdraw_institution, InstitutionLinkView};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::error_message::{ErrorMessage, StatusMessage};
use crate::components::loaded::LoadedList;
use crate::error::AppError;
use crate::i18n::*;

/// The linked schools and what reloads them: made by the page before any Suspend (see
/// [`super::factors::FactorsLoad`]).
#[derive(Clone, Copy)]
pub struct InstitutionsLoad {
    links: Resource<Result<Vec<InstitutionLinkView>, AppError>>,
    version: RwSignal<u32>,
}

impl InstitutionsLoad {
    pub fn start() -> InstitutionsLoad {
        let version = RwSignal::new(0u32);
        InstitutionsLoad {
            links: Resource::new(move || version.get(), |_| my_institutions()),
            version,
        }
    }
}

#[component]
pub fn Institutions(institutions: InstitutionsLoad) -> impl IntoView {
    let i18n = use_i18n();
    let InstitutionsLoad { links, version } = institutions;
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<String>);
    view! {
        <section class="panel" aria-labelledby="institutions-title">
            <h2 id="institutions-title" class="panel-title">{t!(i18n, profile.institutions)}</h2>
            <p class="muted">{t!(i18n, profile.institutions_help)}</p>
            <StatusMessage text=done />
            <ErrorMessage error=error />
            <LoadedList load=links let:found
                empty=move || view! {
                    <p class="muted" id="no-institutions">{t!(i18n, profile.no_institutions)}</p>
                }>
                <ul class="approval-list" id="institutions">
                    {found.into_iter().map(|link| {
                        let confirm = RwSignal::new(false);
                        let id = link.id;
                        let label = link.institution.clone();
                        let title = link.institution.clone();
                        let withdraw = Callback::new(move |_| {
                            spawn_local(async move {
                                match withdraw_institution(id).await {
                                    Ok(()) => {
                                        error.set(None);
                                        done.set(Some(td_string!(i18n.get_locale_untracked(), profile.consent_withdrawn).to_string()));
                                        version.update(|v| *v += 1);
                                    }
                                    Err(e) => error.set(Some(e)),
                                }
                            });
                        });
                        view! {
                            <li class="approval" data-institution=link.institution_number.clone()>
                                <span>
                                    <span class="user-name">{link.institution.clone()}</span>
                                    <span class="user-email mono">{link.institution_number.clone()}</span>
                                    <span class="user-email">{move || td_string!(i18n.get_locale(), profile.linked_on, date = link.linked_on.clone()).to_string()}</span>
                                </span>
                                <button type="button" class="button button-danger-quiet withdraw-consent"
                                    aria-label=move || td_string!(i18n.get_locale(), profile.withdraw_consent_of, institution = label.clone()).to_string()
                                    on:click=move |_| confirm.set(true)>{t!(i18n, profile.withdraw_consent)}</button>
                                <ConfirmDialog
                                    open=confirm
                                    title=Signal::derive(move || format!("{} – {}", td_string!(i18n.get_locale(), profile.withdraw_consent), title))
                                    message=Signal::derive(move || td_string!(i18n.get_locale(), profile.confirm_withdraw).to_string())
                                    confirm_label=Signal::derive(move || td_string!(i18n.get_locale(), profile.withdraw_consent).to_string())
                                    on_confirm=withdraw
                                />
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </LoadedList>
        </section>
    }
}
