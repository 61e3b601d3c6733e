//! The profile's choice whether to hear about maintenance, outages and new versions.
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::announcements::choose_updates;
use crate::components::error_message::{ErrorMessage, StatusMessage};
use crate::components::loaded::Loaded;
use crate::components::page_shell::AnnouncementsResource;
use crate::error::AppError;
use crate::i18n::*;
use wire::UpdatesChoice;

#[component]
pub fn Updates() -> impl IntoView {
    let i18n = use_i18n();
    let Some(AnnouncementsResource(mine, version)) = use_context::<AnnouncementsResource>() else {
        return ().into_any();
    };
    let error = RwSignal::new(None::<AppError>);
    let status = RwSignal::new(None::<String>);
    let choose = move |choice: UpdatesChoice| {
        spawn_local(async move {
            match choose_updates(choice.as_str().to_string()).await {
                Ok(()) => {
                    error.set(None);
                    version.update(|v| *v += 1);
                    status.set(Some(
                        td_string!(i18n.get_locale_untracked(), common.saved).to_string(),
                    ));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="panel" aria-labelledby="updates-title">
            <h2 id="updates-title" class="panel-title">{t!(i18n, common.announcements)}</h2>
            <Loaded load=mine let:mine>
                {
                    let choice = mine.and_then(|m| m.choice);
                    view! {
                        <fieldset class="choice-group" id="updates-choice">
                            <legend>{t!(i18n, common.updates_question)}</legend>
                            <label class="choice">
                                <input type="radio" name="updates" value="inform" checked=choice == Some(UpdatesChoice::Inform)
                                    on:change=move |_| choose(UpdatesChoice::Inform) />
                                <span>{t!(i18n, common.updates_inform)}</span>
                            </label>
                            <label class="choice">
                                <input type="radio" name="updates" value="none" checked=choice == Some(UpdatesChoice::Silent)
                                    on:change=move |_| choose(UpdatesChoice::Silent) />
                                <span>{t!(i18n, common.updates_none)}</span>
                            </label>
                        </fieldset>
                    }
                }
            </Loaded>
            <ErrorMessage error=error />
            <StatusMessage text=status />
        </section>
    }
    .into_any()
}
