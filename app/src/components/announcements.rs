//! Announcements under the header: the first time, the question whether to hear about
//! maintenance and updates; for those who want them, a banner per notice running now; for
//! those who do not, a bell to see the notices and opt in.
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::announcements::{choose_updates, AnnouncementsForMe, Notice};
use crate::components::date::date_time;
use crate::components::icon::{Icon, IconSvg};
use crate::i18n::*;
use wire::{AnnouncementKind, UpdatesChoice};

#[component]
pub fn AnnouncementsBar(mine: AnnouncementsForMe, version: RwSignal<u32>) -> impl IntoView {
    view! { <Bar mine=mine version=version /> }
}

pub fn kind_label(locale: Locale, kind: AnnouncementKind) -> &'static str {
    match kind {
        AnnouncementKind::Outage => td_string!(locale, common.announcement_outage),
        AnnouncementKind::Update => td_string!(locale, common.announcement_update),
        AnnouncementKind::Maintenance => td_string!(locale, common.announcement_maintenance),
    }
}

#[component]
fn Bar(mine: AnnouncementsForMe, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let choose = move |choice: UpdatesChoice| {
        spawn_local(async move {
            if choose_updates(choice.as_str().to_string()).await.is_ok() {
                version.update(|v| *v += 1);
            }
        });
    };
    let open = RwSignal::new(false);
    let count = mine.running.len();
    match mine.choice {
        None => view! {
            <section class="announce-ask" id="updates-question" aria-labelledby="updates-question-title">
                <p id="updates-question-title">{t!(i18n, common.updates_question)}</p>
                <div class="button-group">
                    <button type="button" class="button button-primary" id="updates-inform"
                        on:click=move |_| choose(UpdatesChoice::Inform)>{t!(i18n, common.updates_inform)}</button>
                    <button type="button" class="button" id="updates-none"
                        on:click=move |_| choose(UpdatesChoice::Silent)>{t!(i18n, common.updates_none)}</button>
                </div>
            </section>
        }
        .into_any(),
        // Nothing at all when nothing runs (an empty list would leave nothing to hydrate).
        Some(UpdatesChoice::Inform) if mine.running.is_empty() => ().into_any(),
        Some(UpdatesChoice::Inform) => view! {
            <div class="announce-list" id="announcements">
                {mine.running.into_iter().map(|n| view! { <Banner notice=n /> }).collect_view()}
            </div>
        }
        .into_any(),
        Some(UpdatesChoice::Silent) => view! {
            <div class="announce-bell-row">
                <button type="button" class="icon-button announce-bell" id="announcements-bell"
                    aria-expanded=move || open.get().to_string() aria-controls="announcements-panel"
                    aria-label=move || td_string!(i18n.get_locale(), common.announcements_bell, count = count).to_string()
                    on:click=move |_| open.update(|o| *o = !*o)>
                    <IconSvg icon=Icon::Bell size=20 />
                    {(count > 0).then(|| view! { <span class="bell-count" aria-hidden="true">{count}</span> })}
                </button>
            </div>
            <Show when=move || open.get()>
                <section class="announce-panel" id="announcements-panel" aria-labelledby="announcements-panel-title">
                    <h2 id="announcements-panel-title">{t!(i18n, common.announcements)}</h2>
                    {if mine.running.is_empty() {
                        view! { <p class="muted">{t!(i18n, common.no_announcements)}</p> }.into_any()
                    } else {
                        mine.running.clone().into_iter().map(|n| view! { <Banner notice=n /> }).collect_view().into_any()
                    }}
                    <button type="button" class="button button-primary" id="updates-opt-in"
                        on:click=move |_| choose(UpdatesChoice::Inform)>{t!(i18n, common.updates_opt_in)}</button>
                </section>
            </Show>
        }
        .into_any(),
    }
}

#[component]
fn Banner(notice: Notice) -> impl IntoView {
    let i18n = use_i18n();
    let n = StoredValue::new(notice.clone());
    let code = move || crate::locale_code(i18n.get_locale());
    view! {
        <div class=format!("announce announce-{}", notice.kind) role="status" data-announcement=notice.kind.as_str()>
            <strong>{move || kind_label(i18n.get_locale(), n.get_value().kind)}": " {move || n.get_value().title(code())}</strong>
            <span>{move || n.get_value().body(code())}</span>
            <span class="muted">{move || td_string!(i18n.get_locale(), common.announcement_until, until = date_time(i18n.get_locale(), n.get_value().ends_at)).to_string()}</span>
        </div>
    }
}
