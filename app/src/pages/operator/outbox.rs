//! The outgoing mail: what was queued, delivered, or is being retried.
use leptos::prelude::*;

use crate::api::operator::list_outbox;
use crate::components::date::DateTimeText;
use crate::components::loaded::LoadedList;
use crate::i18n::*;
use wire::JobStatus;

#[component]
pub fn Outbox() -> impl IntoView {
    let i18n = use_i18n();
    let refresh = RwSignal::new(0u32);
    let list = Resource::new(move || refresh.get(), |_| list_outbox());
    let status_label = move |status: JobStatus| {
        let locale = i18n.get_locale();
        match status {
            JobStatus::Done => td_string!(locale, operator.status_done),
            JobStatus::Failed => td_string!(locale, operator.status_failed),
            JobStatus::Queued => td_string!(locale, operator.status_queued),
        }
    };
    view! {
        <section class="panel" aria-labelledby="outbox-title">
            <div class="panel-head">
                <h2 id="outbox-title">{t!(i18n, operator.outbox)}</h2>
                <button type="button" class="button" id="refresh-outbox"
                    on:click=move |_| refresh.update(|n| *n += 1)>{t!(i18n, operator.refresh)}</button>
            </div>
            <p class="help">{t!(i18n, operator.outbox_help)}</p>
            <LoadedList load=list let:rows
                empty=move || view! {
                    <p class="empty-state">{t!(i18n, operator.no_mail)}</p>
                }>
                <div class="table-wrap">
                    <table class="table" id="outbox">
                        <thead><tr>
                            <th scope="col">{t!(i18n, operator.queued_at)}</th>
                            <th scope="col">{t!(i18n, operator.recipient)}</th>
                            <th scope="col">{t!(i18n, operator.subject)}</th>
                            <th scope="col">{t!(i18n, operator.status)}</th>
                            <th scope="col" class="numeric">{t!(i18n, operator.attempts)}</th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|m| {
                                let label = status_label(m.status);
                                view! {
                                    <tr>
                                        <td class="nowrap"><DateTimeText at=m.queued_at /></td>
                                        <td>{m.to}</td>
                                        <td>{m.subject}</td>
                                        <td title=m.last_error>
                                            <span class=format!("pill pill-{}", m.status)>{label}</span>
                                        </td>
                                        <td class="numeric">{m.attempts}</td>
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
