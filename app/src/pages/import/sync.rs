//! The HR synchronisation panel of the import page: the organisation's import configuration
//! (which HR column is which Licentia column or property, matching on the personnel number,
//! the date format, moving employees placed elsewhere), edited by its administrators.
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::import::{SaveSyncSettings, SyncSettings};
use crate::components::error_message::{aria_invalid, ErrorMessage, StatusMessage};
use crate::i18n::*;
use wire::{DateFormat, MatchOn};

#[component]
pub fn SyncPanel(
    site: Uuid,
    settings: SyncSettings,
    save: ServerAction<SaveSyncSettings>,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let invalid = move |field: &'static str| aria_invalid(error, field);
    let status = Signal::derive(move || {
        save.value()
            .get()
            .and_then(|r| r.ok())
            .map(|_| td_string!(i18n.get_locale(), import.sync_saved).to_string())
    });
    let targets = settings.targets.join(", ");
    let s = settings.clone();
    view! {
        <section class="panel" aria-labelledby="sync-title">
            <h2 id="sync-title">{t!(i18n, import.sync_title)}</h2>
            <p class="intro">{t!(i18n, import.sync_intro)}</p>
            {if settings.can_edit {
                view! {
                    <ActionForm action=save attr:class="form grid-form" attr:id="sync-form">
                        <input type="hidden" name="site" value=site.to_string() />
                        <div class="field full-row">
                            <label for="sync-mapping">{t!(i18n, import.sync_mapping)}</label>
                            <textarea id="sync-mapping" name="mapping" rows="7" class="mono" required
                                aria-describedby="sync-mapping-help" aria-invalid=invalid("mapping")
                                prop:value=s.mapping.clone()></textarea>
                            <p class="help" id="sync-mapping-help">
                                {t!(i18n, import.sync_mapping_help)} " " <span class="mono">{targets}</span>
                            </p>
                        </div>
                        <div class="field">
                            <label for="sync-match">{t!(i18n, import.sync_match_on)}</label>
                            <select id="sync-match" name="match_on">
                                <option value=MatchOn::PersonnelNumber.as_str() selected=s.match_on == MatchOn::PersonnelNumber>{t!(i18n, import.sync_match_number)}</option>
                                <option value=MatchOn::Username.as_str() selected=s.match_on == MatchOn::Username>{t!(i18n, import.sync_match_username)}</option>
                            </select>
                        </div>
                        <div class="field">
                            <label for="sync-dates">{t!(i18n, import.sync_date_format)}</label>
                            <select id="sync-dates" name="date_format">
                                {DateFormat::ALL.iter().map(|&format| {
                                    let selected = s.date_format == format;
                                    let label = move || match format {
                                        DateFormat::DayMonthYear => td_string!(i18n.get_locale(), import.sync_date_dmy),
                                        DateFormat::MonthDayYear => td_string!(i18n.get_locale(), import.sync_date_mdy),
                                        DateFormat::YearMonthDay => td_string!(i18n.get_locale(), import.sync_date_ymd),
                                        DateFormat::Auto => td_string!(i18n.get_locale(), import.sync_date_auto),
                                    };
                                    view! { <option value=format.as_str() selected=selected>{label}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                        <div class="field full-row">
                            <label class="checkbox">
                                <input type="checkbox" name="end_old_placements" id="sync-end-placements"
                                    checked=s.end_old_placements aria-describedby="sync-end-help" />
                                {t!(i18n, import.sync_end_placements)}
                            </label>
                            <p class="help" id="sync-end-help">{t!(i18n, import.sync_end_placements_help)}</p>
                        </div>
                        <div class="full-row"><ErrorMessage error=error /></div>
                        <div class="form-actions full-row">
                            <button type="submit" class="button button-primary" id="save-sync"
                                disabled=move || save.pending().get()>{t!(i18n, common.save)}</button>
                            <StatusMessage text=status />
                        </div>
                    </ActionForm>
                }.into_any()
            } else if settings.exists {
                view! { <pre class="code-sample" id="sync-mapping-shown">{settings.mapping.clone()}</pre> }.into_any()
            } else {
                view! { <p class="muted" id="sync-none">{t!(i18n, import.sync_none)}</p> }.into_any()
            }}
        </section>
    }
}
