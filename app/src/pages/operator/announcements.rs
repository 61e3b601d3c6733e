//! The operators' announcements: post a maintenance, outage or update notice with its time
//! window in the three languages (mailed to the users who want updates), and withdraw one.
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::announcements::{load_announcements, remove_announcement, PostAnnouncement};
use crate::components::announcements::kind_label;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::date::DateTimeText;
use crate::components::error_message::{aria_invalid, ErrorMessage};
use crate::components::loaded::LoadedList;
use crate::error::AppError;
use crate::i18n::*;

#[component]
pub fn Announcements() -> impl IntoView {
    let i18n = use_i18n();
    let post = ServerAction::<PostAnnouncement>::new();
    let removed = RwSignal::new(0u32);
    let list = Resource::new(
        move || (post.version().get(), removed.get()),
        |_| load_announcements(),
    );
    let error = Signal::derive(move || post.value().get().and_then(|r| r.err()));
    let invalid = move |field: &'static str| aria_invalid(error, field);
    let remove_error = RwSignal::new(None::<AppError>);
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let (Some(Ok(_)), Some(form)) = (post.value().get(), form.get()) {
            form.reset();
        }
    });
    let text_field = move |name: &'static str, id: &'static str, label: &'static str| {
        let label = move || match label {
            "title_nl" => td_string!(i18n.get_locale(), operator.announcement_title_nl),
            "title_fr" => td_string!(i18n.get_locale(), operator.announcement_title_fr),
            _ => td_string!(i18n.get_locale(), operator.announcement_title_en),
        };
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id name=name type="text" required maxlength="150" aria-invalid=invalid(name) />
            </div>
        }
    };
    let body_field = move |name: &'static str, id: &'static str, label: &'static str| {
        let label = move || match label {
            "body_nl" => td_string!(i18n.get_locale(), operator.announcement_body_nl),
            "body_fr" => td_string!(i18n.get_locale(), operator.announcement_body_fr),
            _ => td_string!(i18n.get_locale(), operator.announcement_body_en),
        };
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <textarea id=id name=name rows="3" required maxlength="4000" aria-invalid=invalid(name)></textarea>
            </div>
        }
    };
    view! {
        <section class="panel" aria-labelledby="announcements-title">
            <h2 id="announcements-title">{t!(i18n, operator.announcements_title)}</h2>
            <p class="help">{t!(i18n, operator.announcements_intro)}</p>
            <ActionForm action=post node_ref=form attr:class="form grid-form" attr:id="announcement-form">
                <div class="field">
                    <label for="announcement-kind">{t!(i18n, operator.announcement_kind)}</label>
                    <select id="announcement-kind" name="kind">
                        <option value="maintenance">{t!(i18n, common.announcement_maintenance)}</option>
                        <option value="outage">{t!(i18n, common.announcement_outage)}</option>
                        <option value="update">{t!(i18n, common.announcement_update)}</option>
                    </select>
                </div>
                <div class="field">
                    <label for="announcement-starts">{t!(i18n, operator.announcement_starts)}</label>
                    <input id="announcement-starts" name="starts_at" type="datetime-local" required aria-invalid=invalid("starts_at") />
                </div>
                <div class="field">
                    <label for="announcement-ends">{t!(i18n, operator.announcement_ends)}</label>
                    <input id="announcement-ends" name="ends_at" type="datetime-local" required aria-invalid=invalid("ends_at") />
                </div>
                {text_field("title_nl", "announcement-title-nl", "title_nl")}
                {text_field("title_fr", "announcement-title-fr", "title_fr")}
                {text_field("title_en", "announcement-title-en", "title_en")}
                {body_field("body_nl", "announcement-body-nl", "body_nl")}
                {body_field("body_fr", "announcement-body-fr", "body_fr")}
                {body_field("body_en", "announcement-body-en", "body_en")}
                <p class="help full-row">{t!(i18n, operator.announcement_local_time)}</p>
                <div class="full-row"><ErrorMessage error=error /></div>
                <div class="form-actions full-row">
                    <button type="submit" class="button button-primary" id="post-announcement"
                        disabled=move || post.pending().get()>{t!(i18n, operator.post_announcement)}</button>
                </div>
            </ActionForm>
            <ErrorMessage error=remove_error />
            <LoadedList load=list quiet=true let:rows
                empty=move || view! { <p class="empty-state" id="announcements-empty">{t!(i18n, operator.no_announcements)}</p> }>
                <div class="table-wrap">
                    <table class="table" id="announcement-table">
                        <thead><tr>
                            <th scope="col">{t!(i18n, operator.announcement_kind)}</th>
                            <th scope="col">{t!(i18n, operator.announcement_title_en)}</th>
                            <th scope="col">{t!(i18n, operator.announcement_window)}</th>
                            <th scope="col"><span class="visually-hidden">{t!(i18n, admin.col_actions)}</span></th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|n| {
                                let confirm = RwSignal::new(false);
                                let id = n.id;
                                let title = n.title(crate::locale_code(i18n.get_locale_untracked()));
                                let dialog_title = title.clone();
                                let kind = n.kind;
                                let on_confirm = Callback::new(move |_| {
                                    spawn_local(async move {
                                        match remove_announcement(id).await {
                                            Ok(()) => removed.update(|v| *v += 1),
                                            Err(e) => remove_error.set(Some(e)),
                                        }
                                    });
                                });
                                view! {
                                    <tr data-announcement=n.titles[2].clone()>
                                        <td>{move || kind_label(i18n.get_locale(), kind)}</td>
                                        <td>{title}</td>
                                        <td class="nowrap"><DateTimeText at=n.starts_at />" – "<DateTimeText at=n.ends_at /></td>
                                        <td class="actions">
                                            <button type="button" class="button button-danger-quiet remove-announcement"
                                                on:click=move |_| confirm.set(true)>{t!(i18n, common.delete)}</button>
                                            <ConfirmDialog
                                                open=confirm
                                                title=Signal::derive(move || format!("{} – {}", td_string!(i18n.get_locale(), common.delete), dialog_title))
                                                message=Signal::derive(move || td_string!(i18n.get_locale(), operator.confirm_remove_announcement).to_string())
                                                confirm_label=Signal::derive(move || td_string!(i18n.get_locale(), common.delete).to_string())
                                                on_confirm=on_confirm
                                            />
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
