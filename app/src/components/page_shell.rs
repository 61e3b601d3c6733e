use leptos::prelude::*;

use super::header::AppHeader;
use crate::api::auth::{current_user, Me};
use crate::error::AppError;

/// The frame of a signed-in page: header and main area. Loads the current user once and
/// provides it to the page. Without a user it sends the browser to the sign-in page.
#[component]
pub fn PageShell(children: ChildrenFn) -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    provide_context(MeResource(me));
    // Signed out: to the sign-in page; a password to change first: to that page; then back.
    Effect::new(move |_| {
        let gate = match me.get() {
            Some(Ok(None)) => "/login",
            Some(Ok(Some(m))) if m.must_change_password => "/password/change",
            _ => return,
        };
        let target = format!("{gate}?next={}", crate::url::encode(&here()));
        let _ = window().location().set_href(&target);
    });
    view! {
        <Suspense fallback=|| view! { <header class="topbar"></header> }>
            {move || Suspend::new(async move {
                let me = me.await.ok().flatten();
                let signed_in = me.is_some();
                view! {
                    <AppHeader me=me />
                    {signed_in.then(|| view! { <super::announcements::AnnouncementsBar /> })}
                }
            })}
        </Suspense>
        <main id="main" class="main" tabindex="-1">
            {children()}
        </main>
    }
}

/// The current page's local address (path and query).
fn here() -> String {
    window()
        .location()
        .href()
        .ok()
        .and_then(|href| {
            let origin = window().location().origin().ok()?;
            href.strip_prefix(&origin).map(str::to_string)
        })
        .unwrap_or_else(|| "/".into())
}

/// The current user as loaded by the shell (read it inside a `Suspense`).
#[derive(Clone, Copy)]
pub struct MeResource(pub Resource<Result<Option<Me>, AppError>>);

pub fn use_me() -> Option<MeResource> {
    use_context::<MeResource>()
}
