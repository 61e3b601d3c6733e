//! A settings panel whose body is shown (and loaded) on demand: a heading, a Show/Hide button
//! that says whether the body is open, an introduction always in view. Ids follow `name`: the
//! section `{name}-panel`, its heading `{name}-title`, the button `toggle-{name}`, the body
//! `{name}-body`.
use leptos::prelude::*;

use crate::i18n::*;

#[component]
pub fn Collapsible(
    name: &'static str,
    #[prop(into)] title: ViewFn,
    /// Under the heading, open or not.
    #[prop(into)]
    intro: ViewFn,
    #[prop(optional)] class: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let title_id = format!("{name}-title");
    let body_id = format!("{name}-body");
    let section_class = if class.is_empty() {
        "panel".to_string()
    } else {
        format!("panel {class}")
    };
    let children = StoredValue::new(children);
    view! {
        <section class=section_class id=format!("{name}-panel") aria-labelledby=title_id>
            <div class="panel-head">
                <h2 id=format!("{name}-title")>{title.run()}</h2>
                <button type="button" class="button" id=format!("toggle-{name}")
                    aria-expanded=move || open.get().to_string() aria-controls=body_id.clone()
                    on:click=move |_| open.update(|o| *o = !*o)>
                    {move || if open.get() { td_string!(i18n.get_locale(), admin.hide) } else { td_string!(i18n.get_locale(), admin.show) }}
                </button>
            </div>
            {intro.run()}
            <Show when=move || open.get()>
                <div id=format!("{name}-body")>{children.with_value(|c| c())}</div>
            </Show>
        </section>
    }
}
