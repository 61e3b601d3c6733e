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
    // Created here, beside the user (not inside its Suspense): the server and the browser
    // create resources in the same order, so hydration finds each one's data.
    let announcements_version = RwSignal::new(0u32);
    let announcements = Resource::new(
        move || announcements_version.get(),
        |_| async move { crate::api::announcements::my_announcements().await.ok() },
    );
    provide_context(AnnouncementsResource(announcements, announcements_version));
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
        // One Suspend for the header and the announcements under it: no Suspense nested in
        // another's, which hydrates in the order the server streamed it.
        <Transition fallback=|| view! { <header class="topbar"></header> }>
            // Own Suspend: the announcements are awaited only for a signed-in user, and the header
            // renders for a signed-out one too (Loaded would show nothing or an error).
            {move || Suspend::new(async move {
                let me = me.await.ok().flatten();
                let mine = match me {
                    Some(_) => announcements.await,
                    None => None,
                };
                view! {
                    <AppHeader me=me />
                    {mine.map(|m| view! {
                        <super::announcements::AnnouncementsBar mine=m version=announcements_version />
                    })}
                }
            })}
        </Transition>
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

/// The signed-in user's announcements as loaded by the shell, and the version that reloads
/// them (the profile's choice uses both).
#[derive(Clone, Copy)]
pub struct AnnouncementsResource(
    pub Resource<Option<crate::api::announcements::AnnouncementsForMe>>,
    pub RwSignal<u32>,
);
